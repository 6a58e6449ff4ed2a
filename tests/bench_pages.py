"""Page benchmark at national scale: `python -m tests.bench_pages` (also `make bench`).

1. Generates (once, into bench_out/national/) a synthetic national store: all 357
   municipalities (2024 codes) in one partnership with the Ahus plan re-scoped to the whole
   country, 10 years of monthly data for 30 indicators (about 1.3 million facts), population
   and projections, written straight into DuckDB through Store.ingest (one upload each).
2. Times the main analytics queries (median of 5, and the first call).
3. Times every page in dashboard.PAGES with AppTest: cold (st caches and analytics.datacache
   cleared, as after an upload or a restart: the board is reopened and every number recomputed),
   cold with the analytics kept (st caches only), warm (median of 5 reruns), and the floor:
   an empty Streamlit script (`st.write("x")`) timed the same way. Each page is also rendered
   once in a fresh process (imports included) to get its own peak RSS.

Prints one table with seconds and ratios to the floor. Not a pytest module (no test_ prefix),
and it depends on nothing from pytest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from analytics import clock
from tests.support import count_indicator_fields, dashboard_pages

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "bench_out" / "national"
GENERATOR_VERSION = "1"
PARTNERSHIP = "norge"
YEARS = 10
MONTHLY_INDICATORS = 30
EXTRA_PREFIX = "bench_extra_"
SEED = 357
GOALS = {"cold": 1.0, "warm": 0.25, "rss_mb": 600}
DEFAULT_PAGE = "pages/overview.py"  # what a new session sees first (dashboard.PAGES[0])


# -- the national store ----------------------------------------------------------------


def paths(directory: Path) -> dict[str, Path]:
    return {
        "db": directory / "national.duckdb",
        "plan": directory / "plan",
        "reference": directory / "reference",
        "registry": directory / "indicators.yaml",
        "stamp": directory / "generated.json",
    }


def use_directory(directory: Path) -> None:
    """Point the board (this process, AppTest runs in it, and child processes) at the national files."""
    where = paths(directory)
    os.environ["BOARD_DB"] = str(where["db"])
    os.environ["BOARD_PLAN_DIR"] = str(where["plan"])
    os.environ["BOARD_REFERENCE_DIR"] = str(where["reference"])
    os.environ["BOARD_REGISTRY_FILE"] = str(where["registry"])
    os.environ.pop("BOARD_ANALYST_PASSWORD", None)  # local mode: every page is registered
    # No watcher (analytics.warming) warming behind the timings: «kald» is every cache empty,
    # and «etter varming» calls the watcher's work itself (warm_server).
    os.environ["BOARD_WARM_SECONDS"] = "0"
    from analytics import config

    config.PLAN_DIR = where["plan"]
    config.REFERENCE_DIR = where["reference"]
    config.REGISTRY_FILE = where["registry"]


def slug(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", " ": "-"})
    return text.lower().translate(table)


def write_reference(directory: Path) -> pd.DataFrame:
    """units.csv: the country as one partnership, counties as regions; code history copied."""
    source = ROOT / "data" / "reference"
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "code_history.csv", directory / "code_history.csv")
    shutil.copy(source / "municipalities_norway.csv", directory / "municipalities_norway.csv")
    from analytics.reference import national_municipalities

    municipalities = national_municipalities(source / "municipalities_norway.csv")
    counties = sorted(municipalities["county"].unique())
    rows = [(PARTNERSHIP, "Hele landet (ytelsestest)", "partnership", "", PARTNERSHIP)]
    rows += [(f"{PARTNERSHIP}-{slug(c)}", c, "region", "", PARTNERSHIP) for c in counties]
    rows += [
        (m.code, m.name, "municipality", f"{PARTNERSHIP}-{slug(m.county)}", PARTNERSHIP)
        for m in municipalities.itertuples(index=False)
    ]
    units = pd.DataFrame(rows, columns=["unit_id", "name", "kind", "region", "partnership"])
    units.to_csv(directory / "units.csv", index=False)
    return units


def write_plan(directory: Path, codes: list[str]) -> None:
    """The Ahus plan, word for word, with the whole country as its members."""
    raw = yaml.safe_load((ROOT / "data" / "plan" / "ahus-2024-2025.yaml").read_text(encoding="utf-8"))
    raw["partnership"].update(
        id=PARTNERSHIP,
        name="Hele landet (ytelsestest)",
        short_name="Norge",
        municipalities=codes,
        districts=[],
    )
    directory.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    (directory / "norge.yaml").write_text(text, encoding="utf-8")


def write_registry(path: Path) -> list[dict]:
    """The real registry plus monthly count indicators until 30 carry monthly data."""
    raw = yaml.safe_load((ROOT / "data" / "indicators.yaml").read_text(encoding="utf-8"))
    observed = [i for i in raw["indicators"] if not i["id"].startswith(("population_", "projection_"))]
    for n in range(1, MONTHLY_INDICATORS - len(observed) + 1):
        raw["indicators"].append(
            count_indicator_fields(
                id=f"{EXTRA_PREFIX}{n}",
                name=f"Ytelsestest, ekstra indikator {n}",
                source="Ytelsestest",
                source_detail="Syntetiske tall for ytelsestesten",
                definition_source="Ingen (syntetisk)",
                description="Finnes bare i ytelsestesten.",
            )
        )
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [i for i in raw["indicators"] if not i["id"].startswith(("population_", "projection_"))]


def month_range(end: dt.date, months: int) -> pd.DatetimeIndex:
    return pd.date_range(end=pd.Timestamp(end), periods=months, freq="MS")


def fact_table(
    indicator: str,
    units: np.ndarray,
    periods: pd.DatetimeIndex,
    grain: str,
    value: np.ndarray,
    suppressed: np.ndarray,
    numerator: np.ndarray | None = None,
    denominator: np.ndarray | None = None,
) -> pa.Table:
    n = len(value)
    nulls = pa.nulls(n, pa.float64())
    return pa.table(
        {
            "indicator": pa.array([indicator] * n),
            "unit_id": pa.array(np.repeat(units, len(periods))),
            "period_start": pa.array(np.tile(periods.values.astype("datetime64[D]"), len(units))),
            "grain": pa.array([grain] * n),
            "value": pa.array(np.where(suppressed, np.nan, value), from_pandas=True),
            "numerator": nulls if numerator is None else pa.array(numerator, pa.float64()),
            "denominator": nulls if denominator is None else pa.array(denominator, pa.float64()),
            "suppressed": pa.array(suppressed),
            "source": pa.array(["Ytelsestest"] * n),
        }
    )


def generate(directory: Path) -> dict:
    """Write plan, units, registry and the store; returns counts and the time it took."""
    started = time.perf_counter()
    where = paths(directory)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    units = write_reference(where["reference"])
    codes = units.loc[units["kind"] == "municipality", "unit_id"].tolist()
    write_plan(where["plan"], codes)
    observed = write_registry(where["registry"])
    use_directory(directory)

    from analytics.board import open_board
    from analytics.store import UploadMeta

    board = open_board(where["db"])
    store = board.store
    rng = np.random.default_rng(SEED)
    unit_ids = np.array(codes)
    # Inhabitants: Oslo about 720 000, the rest log-normal around 5 000 (sum about 5.6 million).
    people = np.round(rng.lognormal(np.log(5_000), 1.05, len(codes)))
    people[unit_ids == "0301"] = 720_000
    people *= 5_600_000 / people.sum()
    shares = {
        "population_0_17": 0.21,
        "population_18_66": 0.64,
        "population_67_79": 0.10,
        "population_80_plus": 0.045,
        "population_65_plus": 0.17,
        "population_total": 1.0,
    }
    end = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    months = month_range(end, 12 * YEARS)
    uploads = 0

    def load(table: pa.Table, name: str, indicators: str) -> None:
        nonlocal uploads
        meta = UploadMeta(
            file_name=name,
            file_hash=f"bench-{name}",
            loaded_by="ytelsestest",
            indicator=indicators,
            demo=True,
        )
        store.ingest(table, meta)
        uploads += 1

    # Population (1 January, yearly) and projections: one upload each, as the SSB profiles do.
    years = pd.date_range(f"{end.year - YEARS}-01-01", f"{end.year}-01-01", freq="YS")
    ahead = pd.date_range(f"{end.year}-01-01", f"{end.year + 25}-01-01", freq="YS")
    for prefix, periods, name in (
        ("population", years, "befolkning.csv"),
        ("projection", ahead, "framskriving.csv"),
    ):
        tables = []
        for group, share in shares.items():
            growth = (1.005 ** np.arange(len(periods)))[None, :]
            value = np.round(people[:, None] * share * growth).ravel()
            indicator = group.replace("population", prefix)
            tables.append(fact_table(indicator, unit_ids, periods, "year", value, np.zeros(len(value), bool)))
        load(pa.concat_tables(tables), name, ",".join(g.replace("population", prefix) for g in shares))

    # Monthly facts: counts scale with inhabitants, small counts suppressed, ~2 % missing.
    for spec in observed:
        kind, n = spec["kind"], len(codes) * len(months)
        base = people[:, None] / 10_000 * rng.uniform(0.3, 4.0)
        trend = np.linspace(1.0, rng.uniform(0.8, 1.2), len(months))[None, :]
        numerator = denominator = None
        if kind == "share":
            denominator = rng.poisson(np.broadcast_to(base * 2 + 1, (len(codes), len(months)))).ravel() + 1.0
            numerator = rng.binomial(denominator.astype(int), rng.uniform(0.5, 0.9)).astype(float)
            value = 100 * numerator / denominator
            hidden = (numerator > 0) & (numerator < 5)
            numerator, denominator = (
                np.where(hidden, np.nan, numerator),
                np.where(hidden, np.nan, denominator),
            )
        elif kind == "score":
            value = rng.normal(5, 1, n)
            hidden = np.zeros(n, bool)
        else:
            value = rng.poisson(base * trend).ravel().astype(float)
            hidden = (value > 0) & (value < 5) if spec.get("protect_small") else np.zeros(n, bool)
        table = fact_table(spec["id"], unit_ids, months, "month", value, hidden, numerator, denominator)
        keep = rng.random(n) > 0.02
        load(table.filter(pa.array(keep)), f"{spec['id']}.csv", spec["id"])

    # One correction upload (new values for 5 % of one indicator) so history and undo have work.
    current = store.facts(["hip_fractures"]).sample(frac=0.05, random_state=SEED)
    current["value"] = current["value"].fillna(6) + 1
    current["suppressed"] = False
    load(
        pa.Table.from_pandas(current.drop(columns="upload_id"), preserve_index=False),
        "rettelse.csv",
        "hip_fractures",
    )

    # Milestones as the demo register has them for Ahus, re-keyed to the national plan.
    register = ROOT / "data" / "sample" / "out" / "milepaeler.csv"
    if register.exists():
        rows = pd.read_csv(register, sep=";", dtype=str, keep_default_na=False)
        for row in rows[rows["partnerskap"] == "ahus"].itertuples(index=False):
            done = dt.date.fromisoformat(row.dato) if row.dato else None
            store.record_milestone(PARTNERSHIP, row.kriterium, row.status, "ytelsestest", done, row.kommentar)

    facts = store.fact_count()
    history = store.history_count()
    store.close()
    info = {
        "version": GENERATOR_VERSION,
        "today": clock.today().isoformat(),
        "municipalities": len(codes),
        "monthly_indicators": len(observed),
        "months": len(months),
        "facts": facts,
        "history": history,
        "uploads": uploads,
        "seconds": round(time.perf_counter() - started, 1),
        "db_mb": round(where["db"].stat().st_size / 1e6, 1),
    }
    where["stamp"].write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


def ensure_store(directory: Path, regenerate: bool) -> dict:
    """Generate in a child process (its memory must not count in this process's peak RSS)."""
    stamp = paths(directory)["stamp"]
    if not regenerate and stamp.exists():
        info = json.loads(stamp.read_text(encoding="utf-8"))
        if info.get("version") == GENERATOR_VERSION and info.get("today") == clock.today().isoformat():
            return info
    print(f"Lager nasjonalt datasett i {directory} …", flush=True)
    subprocess.run(
        [sys.executable, "-m", "tests.bench_pages", "--generate", "--dir", str(directory)],
        check=True,
        cwd=ROOT,
    )
    return json.loads(stamp.read_text(encoding="utf-8"))


# -- timing ------------------------------------------------------------------------------


def median_time(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """(first call, median of the next `runs` calls) in seconds."""
    started = time.perf_counter()
    call()
    first = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times)


def uncached(call: Callable[..., object], *args: object) -> object:
    """`call(*args)` with analytics.datacache emptied first: the work, not the kept result."""
    from analytics import datacache

    datacache.clear()
    return call(*args)


def query_timings(runs: int) -> list[tuple[str, float, float]]:
    from analytics import catalogue, figures
    from analytics.board import open_board
    from analytics.evaluate import evaluate_plan, scope_units

    board = open_board()
    store = board.store
    members = board.member_ids(PARTNERSHIP)
    scope = scope_units(board, PARTNERSHIP)
    reg = board.registry
    jobs: list[tuple[str, Callable[[], object]]] = [
        ("data_version()", store.data_version),
        (
            "series(hip_fractures, 357 kommuner, måned)",
            lambda: store.series("hip_fractures", scope, "count", "month"),
        ),
        (
            "series(stemi_pci_120, andel, kvartal)",
            lambda: store.series("stemi_pci_120", scope, "share", "quarter"),
        ),
        (
            "series(dho_active_patients, beholdning, år)",
            lambda: store.series("dho_active_patients", scope, "stock", "year"),
        ),
        ("coverage(hip_fractures)", lambda: store.coverage("hip_fractures", members)),
        ("facts(hip_fractures, 357 kommuner)", lambda: store.facts(["hip_fractures"], members)),
        ("indicator_catalogue (hele lageret)", lambda: store.indicator_catalogue(scope)),
        ("coverage_cells(hip_fractures, måned)", lambda: store.coverage_cells("hip_fractures", scope, 1)),
        ("catalogue.overview", lambda: catalogue.overview(board, PARTNERSHIP)),
        (
            "catalogue.coverage + figur",
            lambda: figures.coverage_figure(catalogue.coverage(board, "hip_fractures", PARTNERSHIP)),
        ),
        # analytics.datacache keeps both per data version: timed without it, as after an upload.
        ("evaluate_plan(hele planen), uten cache", lambda: uncached(evaluate_plan, board, PARTNERSHIP)),
        ("evaluate_plan(hele planen), i cache", lambda: evaluate_plan(board, PARTNERSHIP)),
    ]
    # Kommune: one municipality alone, and when the partnership's side is shared (the page
    # caches it per data version, so moving to another municipality costs the second figure).
    from analytics.indicator_view import municipality_view, partnership_comparison

    status = evaluate_plan(board, PARTNERSHIP)
    comparison = partnership_comparison(board, PARTNERSHIP)
    switching = itertools.cycle(members[2:])
    jobs += [
        (
            "partnership_comparison (trakter), uten cache",
            lambda: uncached(partnership_comparison, board, PARTNERSHIP),
        ),
        (
            "municipality_view, alene, uten cache",
            lambda: uncached(municipality_view, board, PARTNERSHIP, members[1]),
        ),
        (
            # another municipality every time: its own rows and judgements are new
            "municipality_view, bytte kommune",
            lambda: municipality_view(
                board, PARTNERSHIP, next(switching), plan_status=status, comparison=comparison
            ),
        ),
    ]
    try:  # the indicator engineer's module: time it when it is there
        from analytics import series as series_module

        if hasattr(series_module, "load_rows"):
            jobs.append(
                (
                    "series.load_rows(hip_fractures)",
                    lambda: series_module.load_rows(board, reg.get("hip_fractures"), members),
                )
            )
    except ImportError:
        pass
    results = []
    for name, call in jobs:
        first, warm = median_time(call, runs)
        results.append((name, first, warm))
    store.close()
    return results


def clear_caches(analytics: bool = True) -> None:
    """Streamlit's caches, and (analytics=True) analytics.datacache: what an upload or a restart
    leaves. analytics=False: another session's first view after the analytics are computed."""
    import streamlit as st

    from analytics import datacache

    # Work a page left running in the background (Kommune's partnership side) ends first, so
    # it neither fills the caches nor takes the processor during the next figure.
    datacache.wait()
    st.cache_data.clear()
    st.cache_resource.clear()
    if analytics:
        datacache.clear()


def warm_server() -> None:
    """What analytics.warming's watcher does when it sees a new data version, done here at once,
    on the board the pages use (opened as the server holds it; an upload does not reopen it)."""
    from analytics import config, warming
    from ui import cache

    warming.warm(cache._board(str(config.db_path())))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def time_app(script: Path, page: str | None, runs: int, warmed: bool = True) -> dict:
    """Cold (caches cleared), warm (median of `runs` reruns) and (warmed) cold after the
    watcher's warming (warm_server) for one page of `script`."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script), default_timeout=300)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    clear_caches(analytics=True)
    started = time.perf_counter()
    at.run()
    cold = time.perf_counter() - started
    clear_caches(analytics=False)
    started = time.perf_counter()
    at.run()
    cold_kept = time.perf_counter() - started
    warm_times = []
    for _ in range(runs):
        started = time.perf_counter()
        at.run()
        warm_times.append(time.perf_counter() - started)
    clear_caches(analytics=True)
    if warmed:
        warm_server()
    started = time.perf_counter()
    at.run()
    cold_warmed = time.perf_counter() - started
    problems = [str(e.value)[:200] for e in at.exception] + [str(e.value)[:200] for e in at.error]
    return {
        "cold": cold,
        "cold_kept": cold_kept,
        "cold_warmed": cold_warmed,
        "warm": statistics.median(warm_times),
        "problems": problems,
        "rss_mb": rss_mb(),
    }


def first_render(script: Path, page: str | None) -> dict:
    """In this fresh process: import time, the first run of the app (its default page, which
    opens the board), then the first render of `page` itself, and peak RSS. Run as a child."""
    started = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    imported = time.perf_counter() - started
    at = AppTest.from_file(str(script), default_timeout=300)
    started = time.perf_counter()
    at.run()
    opened = time.perf_counter() - started
    first = opened
    if page and page != DEFAULT_PAGE:
        at.switch_page(page)
        started = time.perf_counter()
        at.run()
        first = time.perf_counter() - started
    problems = [str(e.value)[:200] for e in at.exception] + [str(e.value)[:200] for e in at.error]
    return {"import": imported, "opened": opened, "first": first, "rss_mb": rss_mb(), "problems": problems}


def fresh_process(script: Path, page: str | None, directory: Path) -> dict:
    command = [sys.executable, "-m", "tests.bench_pages", "--child", str(script), "--dir", str(directory)]
    if page:
        command += ["--page", page]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {**_no_child(), "problems": [f"ny prosess feilet: {tail[:200]}"]}
    return {**json.loads(lines[-1]), "process": time.perf_counter() - started}


# -- report ------------------------------------------------------------------------------


def fmt(seconds: float) -> str:
    return "–" if seconds != seconds else f"{seconds:.3f}"


def megabytes(value: float) -> str:
    return "–" if value != value else f"{value:.0f}"


def ratio(value: float, floor: float) -> str:
    return "–" if value != value or not floor else f"{value / floor:.1f}×"


def report(info: dict, queries: list, floor: dict, pages: list, process_peak: float, runs: int = 5) -> str:
    def n(value: int) -> str:
        return f"{value:,}".replace(",", " ")

    lines = [
        f"Nasjonalt datasett: {info['municipalities']} kommuner × {info['months']} måneder × "
        f"{info['monthly_indicators']} indikatorer = {n(info['facts'])} fakta ({n(info['history'])} i "
        f"historikken, {info['uploads']} opplastinger), {info['db_mb']} MB, laget på {info['seconds']} s.",
        "",
        f"Spørringer (sekunder): første kall / median av de {runs} neste",
    ]
    for name, first, warm in queries:
        lines.append(f"  {name:<48} {fmt(first):>7} {fmt(warm):>7}")
    lines += [
        "",
        "Sider, sekunder (× = forhold til gulvet, et tomt skript målt på samme måte).",
        "  kald: alle cacher tømt (Streamlits og analytics.datacache), som etter en opplasting eller omstart:",
        "  tavla åpnes og alt regnes på nytt; kald*: Streamlits cacher tømt, analysene beholdt (en annen",
        f"  økts første visning etter at noen har regnet dem ut); varm: median av {runs} nye kjøringer;",
        "  e.v. (kald etter varming): alle cacher tømt, så har serveren varmet den nye dataversjonen",
        "  (analytics.warming: hvert helsefellesskaps status, verdier og trakter), så sidens første visning;",
        "  ny prosess: sidens første visning i en ny Python-prosess (etter at tavla er åpnet med startsiden),",
        "  hele: hele prosessen med Python-oppstart og import; RSS: prosessens høyeste RSS.",
        "",
        f"{'side':<30} {'kald':>6} {'×':>7} {'e.v.':>6} {'×':>6} {'kald*':>6} {'varm':>6} {'×':>6} {'ny prosess':>10} {'×':>6} "
        f"{'hele':>5} {'RSS MB':>6}  mål",
    ]

    nan = float("nan")

    def row(title: str, timing: dict, child: dict, verdict: bool = True) -> str:
        problems = timing.get("problems", []) + child.get("problems", [])
        ok = timing["cold"] < GOALS["cold"] and timing["warm"] < GOALS["warm"]
        ok = ok and not child["rss_mb"] >= GOALS["rss_mb"]
        text = (
            f"{title:<30} {fmt(timing['cold']):>6} {ratio(timing['cold'], floor['cold']):>7} "
            f"{fmt(timing.get('cold_warmed', nan)):>6} {ratio(timing.get('cold_warmed', nan), floor['cold']):>6} "
            f"{fmt(timing.get('cold_kept', float('nan'))):>6} {fmt(timing['warm']):>6} {ratio(timing['warm'], floor['warm']):>6} "
            f"{fmt(child['first']):>10} {ratio(child['first'], floor['child']['first']):>6} "
            f"{fmt(child['process']):>5} {megabytes(child['rss_mb']):>6}"
        )
        if verdict:
            text += "  " + ("FEIL" if problems else "OK" if ok else "for treg")
        return text + "".join(f"\n    ! {p}" for p in problems)

    lines.append(row("gulv: tomt skript", floor, floor["child"], verdict=False))
    for title, timing, child in pages:
        lines.append(row(title, timing, child))
    opened = [child["opened"] for _, _, child in pages if child["opened"] == child["opened"]]
    if opened:
        lines.append(
            f"Første kjøring i en ny prosess (tavla åpnes, startsiden Oversikt vises): median "
            f"{statistics.median(opened):.3f} s."
        )
    lines += [
        "",
        f"Høyeste RSS i måleprosessen (alle sider og cacher i én prosess): {process_peak:.0f} MB "
        f"(mål < {GOALS['rss_mb']} MB).",
        f"Mål: kald < {GOALS['cold']} s, varm < {GOALS['warm']} s, RSS < {GOALS['rss_mb']} MB.",
    ]
    return "\n".join(lines)


# -- scaling: several processes on one file (docs/scaling.md) ---------------------------------

READER_INDICATORS = ["hip_fractures", "fall_injury_admissions", "falls_registered", "dho_active_patients"]


def reader(db: Path, queries: int) -> dict:
    """A child: open read-only, wait for "go" on stdin, run series() `queries` times."""
    from analytics.registry import load_registry
    from analytics.store import Store

    started = time.perf_counter()
    store = Store(db, read_only=True)
    opened = time.perf_counter() - started
    registry = load_registry()
    units = [u for (u,) in store.cursor().execute("SELECT unit_id FROM units").fetchall()]
    print("ready", flush=True)
    sys.stdin.readline()
    times = []
    for n in range(queries):
        indicator = registry.get(READER_INDICATORS[n % len(READER_INDICATORS)])
        started = time.perf_counter()
        store.series(indicator.id, units, indicator.kind, "month")
        times.append(time.perf_counter() - started)
    store.close()
    return {"open": opened, "median": statistics.median(times), "total": sum(times)}


def scaling(directory: Path, queries: int = 40) -> str:
    """Many read-only processes at once, and a writer's lock (the file's limits, docs/scaling.md)."""
    from analytics.store import Store, StoreError

    db = paths(directory)["db"]
    lines = [f"Skalering på {db.name} ({db.stat().st_size / 1e6:.1f} MB), {os.cpu_count()} kjerner.", ""]
    lines.append("Lesere (prosesser med read_only=True), series() per prosess:")
    lines.append(f"  {'prosesser':>9} {'åpne s':>7} {'median s':>9} {'vegg s':>7} {'spørringer/s':>13}")
    for count in (1, 2, 4, 8):
        command = [sys.executable, "-m", "tests.bench_pages", "--reader", str(db), "--dir", str(directory)]
        command += ["--queries", str(queries)]
        children = [
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
            for _ in range(count)
        ]
        for child in children:
            assert child.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children]
        wall = time.perf_counter() - started
        lines.append(
            f"  {count:>9} {statistics.median(r['open'] for r in results):>7.3f} "
            f"{statistics.median(r['median'] for r in results):>9.4f} {wall:>7.2f} {count * queries / wall:>13.0f}"
        )
    holding = {
        "en annen prosess skriver (read-write)": "c = duckdb.connect(sys.argv[1])",
        "en annen prosess leser (read_only)": "c = duckdb.connect(sys.argv[1], read_only=True)",
    }
    for held, connect in holding.items():
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"import duckdb, sys, time; {connect}; print('ready', flush=True); time.sleep(60)",
                str(db),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout.readline().strip() == "ready"
        for mode, read_only in (("lese", True), ("skrive", False)):
            started = time.perf_counter()
            try:
                Store(db, read_only=read_only).close()
                outcome = "åpnet"
            except StoreError:
                outcome = "StoreError «låst»"
            lines.append(f"Mens {held}: {mode} → {outcome} ({time.perf_counter() - started:.3f} s)")
        holder.kill()
        holder.wait()
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench_pages", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the national store is kept")
    parser.add_argument("--regenerate", action="store_true", help="make the national store again")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", nargs="*", help="only these page files (default: all in dashboard.PAGES)")
    parser.add_argument("--no-fresh", action="store_true", help="skip the fresh-process render per page")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--page", help=argparse.SUPPRESS)
    parser.add_argument("--scaling", action="store_true", help="measure several processes on one file")
    parser.add_argument("--reader", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=int, default=40, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    directory = args.dir.resolve()
    os.chdir(ROOT)
    if args.generate:
        print(json.dumps(generate(directory)))
        return 0
    use_directory(directory)
    if args.reader:
        print(json.dumps(reader(args.reader, args.queries)))
        return 0
    if args.scaling:
        ensure_store(directory, args.regenerate)
        print(scaling(directory, args.queries))
        return 0
    if args.child:
        print(json.dumps(first_render(args.child, args.page)))
        return 0

    info = ensure_store(directory, args.regenerate)
    selected = [
        (path, title) for path, title, *_ in dashboard_pages() if not args.pages or path in args.pages
    ]
    with tempfile.TemporaryDirectory() as scratch:
        empty = Path(scratch) / "floor.py"
        empty.write_text('import streamlit as st\n\nst.write("x")\n', encoding="utf-8")
        # Fresh processes first: DuckDB lets one process hold the file read-write, so this
        # process must not have it open while a child renders.
        children = {}
        if not args.no_fresh:
            print("Måler nye prosesser …", flush=True)
            children[None] = fresh_process(empty, None, directory)
            for path, _title in selected:
                children[path] = fresh_process(ROOT / "dashboard.py", path, directory)
        print("Måler spørringer …", flush=True)
        queries = query_timings(args.runs)
        print("Måler gulvet …", flush=True)
        floor = time_app(empty, None, args.runs, warmed=False)
        floor["child"] = children.get(None, _no_child())
        pages = []
        for path, title in selected:
            print(f"Måler {title} …", flush=True)
            try:
                timing = time_app(ROOT / "dashboard.py", path, args.runs)
            except Exception as exc:  # a page that breaks is reported, the rest still measured
                timing = {"cold": float("nan"), "warm": float("nan"), "problems": [repr(exc)[:200]]}
            pages.append((title, timing, children.get(path, _no_child())))
    print()
    print(report(info, queries, floor, pages, rss_mb(), args.runs))
    return 0


def _no_child() -> dict:
    nan = float("nan")
    return {"import": nan, "opened": nan, "first": nan, "process": nan, "rss_mb": nan, "problems": []}


if __name__ == "__main__":
    sys.exit(main())
