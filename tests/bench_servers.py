"""Several servers and loads at once: `python -m tests.bench_servers [--full]` (also `make bench`).

The national store of tests/bench_pages.py (357 municipalities, ~1.3 million facts), two scenarios
run by this one script, one after the other, on the same machine:

- **duckdb**: one process on the embedded file, as one partnership runs it today: it renders
  pages (AppTest, a round of PAGES after another) while, in the same process (only one
  process may write the file), two files are loaded one after the other through the loader.
- **postgres**: the same store copied (`loaders copy`) to a throwaway PostgreSQL cluster;
  4 board processes render the same pages in a loop while 2 CLI-style processes load the same
  two files at the same time (the advisory lock makes their merges take turns).

Each file has `--rows` rows (default 200 000; `--full`: 1 000 000), an NPR-style CSV of the
national municipalities × months of one monthly count indicator, overlapping the store's own
values (some replaced, most added). Reported: median page time and the load times of each
scenario, and the ratios postgres / duckdb (goals: pages ≤ 1.5×, loads ≤ 3×, no errors).
`--ingest-alone` measures the loads only, one at a time with nothing else running: a file of
mostly new rows, then a file of the same keys with every value changed (all replaced), into the
DuckDB file and into PostgreSQL, and the floor (a bare COPY of the rows into PostgreSQL).
Not a pytest module; timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.bench_pages import DEFAULT_DIR, ensure_store, paths, use_directory

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/indicator.py", "pages/municipality.py", "pages/catalogue.py"]
LOADS = ["hip_fractures", "falls_registered"]
BOARDS, ROUNDS = 4, 2
GOALS = {"pages": 1.5, "loads": 3.0}


def make_file(directory: Path, indicator: str, rows: int, codes: list[str], shift: int = 0) -> Path:
    """Municipality × month counts, newest month last month, going back as far as `rows` needs;
    `shift` added to every count (a file of the same keys whose every value differs)."""
    months_needed = -(-rows // len(codes))
    today = time.localtime()
    year, month = today.tm_year, today.tm_mon - 1 or 12
    months = []
    for _ in range(months_needed):
        months.append(f"{year}M{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    lines = ["Kommune;Periode;Antall"]
    n = 0
    for period in months:
        for code in codes:
            if n == rows:
                break
            lines.append(f"{code};{period};{(n * 7919) % 500 + 5 + shift}")
            n += 1
    path = directory / f"{indicator}_{rows}{f'_{shift}' if shift else ''}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- children ------------------------------------------------------------------------------


def board_child(stop: Path, rounds: int) -> dict:
    """Render PAGES round after round (one session, as one user clicking through) until `stop`
    exists and at least `rounds` rounds are done; each render timed."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    at.run()
    times: list[float] = []
    cpu: list[float] = []
    problems: list[str] = []
    done = 0
    print("ready", flush=True)
    while done < rounds or not stop.exists():
        for page in PAGES:
            started, process_cpu = time.perf_counter(), time.process_time()
            at.switch_page(page)
            at.run()  # on AppTest's script thread
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - process_cpu)  # a load in this process counts too
            problems += [str(e.value)[:200] for e in [*at.exception, *at.error]]
        done += 1
    return {"times": times, "cpu": cpu, "problems": problems, "pool_wait": _pool_wait_seconds()}


def _pool_wait_seconds() -> float:
    """Seconds this process's PostgreSQL stores waited for a pooled connection (psycopg_pool's
    requests_wait_ms, since each pool opened); 0 on DuckDB."""
    import gc

    from analytics.store_pg import PostgresStore

    stores = [o for o in gc.get_objects() if isinstance(o, PostgresStore)]
    return sum(s._pool.get_stats().get("requests_wait_ms", 0) for s in stores) / 1000


def load_child(path: Path, indicator: str, db: str) -> dict:
    """What `python -m loaders ingest` does, timed around the ingest itself."""
    from loaders.service import Loader

    loader = Loader.open(db)
    store = loader.board.store
    # Wall-clock moments (time.time(), comparable between the two loading processes) of the
    # merge's transaction: entered, its write locks asked for and held, committed.
    moments: dict[str, float] = {}
    merge_stage, lock_writes = store.merge_stage, store._lock_writes

    def timed_merge(*args, **kwargs):
        moments["entered"] = time.time()
        try:
            return merge_stage(*args, **kwargs)
        finally:
            moments["done"] = time.time()

    def timed_lock(*args, **kwargs):
        moments["asked"] = time.time()
        lock_writes(*args, **kwargs)
        moments["locked"] = time.time()

    store.merge_stage, store._lock_writes = timed_merge, timed_lock
    started = time.perf_counter()
    report = loader.ingest(path, indicator, loaded_by="bench")
    seconds = time.perf_counter() - started
    store.close()
    ok = report.ok and report.result is not None
    return {
        "seconds": seconds,
        "ok": ok,
        "summary": report.summary() if ok else str(report.problem_lines()[:3]),
        "merge": moments,
    }


def merge_overlap(loads: list[dict]) -> tuple[float, float] | None:
    """(seconds the merges of two loads held their write locks at the same time, seconds the
    later waited for its locks, from asking to holding them), from load_child's moments; None
    without both."""
    merges = [x.get("merge", {}) for x in loads]
    if len(merges) != 2 or not all({"asked", "locked", "done"} <= m.keys() for m in merges):
        return None
    first, second = sorted(merges, key=lambda m: m["locked"])
    both = min(first["done"], second["done"]) - max(first["locked"], second["locked"])
    return max(both, 0.0), second["locked"] - second["asked"]


def machine_busy() -> tuple[int, int]:
    """(busy, all) clock ticks of every core since boot (/proc/stat): two readings give the
    share of the cores' time something ran (any process, the other jobs on the machine too)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    return (after[0] - before[0]) / max(after[1] - before[1], 1)


def server_cpu(data_dir: Path) -> float:
    """CPU seconds the PostgreSQL cluster in `data_dir` has used: the postmaster's own and its
    ended children's (it waits for them), and its running children's (/proc/<pid>/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
        elif ppid == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _child(args: list[str], directory: Path) -> subprocess.Popen:
    """A board or load process on the national files in `directory` (as this process uses)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.bench_servers", "--dir", str(directory), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _result(child: subprocess.Popen) -> dict:
    out, err = child.communicate()
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if child.returncode or not lines:
        return {"error": (err.strip().splitlines() or ["?"])[-1][:300]}
    return json.loads(lines[-1])


# -- the two scenarios ---------------------------------------------------------------------


def scenario_duckdb(db: Path, files: dict[str, Path], rounds: int) -> dict:
    """One process: pages in this thread, the loads one after another in another thread."""
    os.environ["BOARD_DB"] = str(db)
    stop = Path(tempfile.mkdtemp()) / "stop"
    loads: list[dict] = []

    def run_loads() -> None:
        from loaders.service import Loader

        try:
            loader = Loader.open(db)
            for indicator, path in files.items():
                started = time.perf_counter()
                report = loader.ingest(path, indicator, loaded_by="bench")
                loads.append({"seconds": time.perf_counter() - started, "ok": report.ok})
        except Exception as exc:  # reported as an error, and the pages stop
            loads.append({"seconds": float("nan"), "ok": False, "error": repr(exc)[:200]})
        finally:
            stop.touch()

    busy = machine_busy()
    thread = threading.Thread(target=run_loads)
    thread.start()
    pages = board_child(stop, rounds)
    thread.join()
    return {
        "pages": pages["times"],
        "cpu": pages["cpu"],
        "problems": pages["problems"],
        "loads": loads,
        "busy": busy_share(busy, machine_busy()),
    }


def scenario_postgres(
    url: str, files: dict[str, Path], rounds: int, boards: int, directory: Path, data_dir: Path
) -> dict:
    """`boards` board processes render pages while one process per file loads it (none: the
    boards render `rounds` rounds on a quiet store); `data_dir`: the cluster's (server_cpu)."""
    stop = Path(tempfile.mkdtemp()) / "stop"
    env_db = {"BOARD_DB": url}
    os.environ.update(env_db)
    children = [_child(["--board", str(stop), "--rounds", str(rounds)], directory) for _ in range(boards)]
    for child in children:
        child.stdout.readline()  # "ready": imports done and the board open, as a running server
    started, busy, server = time.perf_counter(), machine_busy(), server_cpu(data_dir)
    loaders = [
        _child(["--load", str(path), "--indicator", ind, "--db", url], directory)
        for ind, path in files.items()
    ]
    loads = [_result(child) for child in loaders]
    wall = time.perf_counter() - started
    stop.touch()
    boards_out = [_result(child) for child in children]
    server = server_cpu(data_dir) - server  # before the boards' connections end: all counted
    busy = busy_share(busy, machine_busy())
    times = [t for b in boards_out for t in b.get("times", [])]
    cpu = [t for b in boards_out for t in b.get("cpu", [])]
    pool_wait = sum(b.get("pool_wait", 0.0) for b in boards_out)
    problems = [p for b in boards_out for p in b.get("problems", [])]
    problems += [b["error"] for b in [*boards_out, *loads] if "error" in b]
    problems += [x["summary"] for x in loads if not x.get("ok", True)]
    return {
        "pages": times,
        "cpu": cpu,
        "problems": problems,
        "loads": loads,
        "loads_wall": wall,
        "busy": busy,
        "server_cpu": server,
        "pool_wait": pool_wait,
    }


def ingest_alone(db: str, files: list[Path], indicator: str) -> list[dict]:
    """The files loaded one after another into the store `db` (a DuckDB path or a
    postgresql:// URL) by one loader in this process, nothing else running; each timed as
    `python -m loaders ingest` does it (read, check, merge)."""
    from loaders.service import Loader

    loader = Loader.open(db)
    out = []
    try:
        for path in files:
            started = time.perf_counter()
            report = loader.ingest(path, indicator, loaded_by="bench")
            store = loader.board.store
            out.append(
                {
                    "seconds": time.perf_counter() - started,
                    # PostgreSQL: seconds per step of the merge (PostgresStore.merge_steps)
                    "steps": {"fetch": store.fetch_seconds, **store.merge_steps}
                    if hasattr(store, "merge_steps")
                    else {},
                    "ok": bool(report.ok and report.result),
                    "summary": report.result.summary if report.result else str(report.problem_lines()[:2]),
                }
            )
    finally:
        loader.board.store.close()
    return out


def report_ingest(rows: int, rounds: list[dict], floor: float) -> str:
    """The ingest-alone table: per round (DuckDB then PostgreSQL, back to back, `uptime` load at
    the round's start) and file, DuckDB and PostgreSQL seconds and their ratio; with more than
    one round, per file the median of the rounds' ratios and their range."""
    lines = [
        f"Innlasting alene ({os.cpu_count()} kjerner, last {os.getloadavg()[0]:.1f} nå), nasjonalt "
        f"datasett, {f'{rows:,}'.replace(',', ' ')} rader per fil, én innlasting om gangen.",
        f"  {'runde, last':12} {'fil':44} {'DuckDB s':>9} {'PostgreSQL s':>13} {'forhold':>8} {'mål':>5}",
    ]
    for i, r in enumerate(rounds, 1):
        where = f"{i}, {r['load']:.1f}"
        for d, p in zip(r["duck"], r["pg"], strict=True):
            lines.append(
                f"  {where:12} {d['summary'].split(': ', 1)[-1][:44]:44} {d['seconds']:>9.2f} "
                f"{p['seconds']:>13.2f} {p['seconds'] / d['seconds']:>8.2f} {GOALS['loads']:>5}"
            )
    if len(rounds) > 1:
        for j, d in enumerate(rounds[0]["duck"]):
            ratios = [r["pg"][j]["seconds"] / r["duck"][j]["seconds"] for r in rounds]
            lines.append(
                f"  median av {len(rounds)} runder, {d['summary'].split(': ', 1)[-1][:30]}: "
                f"{statistics.median(ratios):.2f} × (fra {min(ratios):.2f} til {max(ratios):.2f})"
            )
    for j, d in enumerate(rounds[0]["duck"]):
        steps = [r["pg"][j].get("steps", {}) for r in rounds]
        names = [name for name in steps[0] if all(name in s for s in steps)]
        if names:
            lines.append(
                f"  PostgreSQL per steg, median av {len(rounds)}, {d['summary'].split(': ', 1)[-1][:30]}: "
                + ", ".join(f"{n} {statistics.median(s[n] for s in steps):.2f} s" for n in names)
            )
    duck = [x for r in rounds for x in r["duck"]]
    pg = [x for r in rounds for x in r["pg"]]
    lines.append(
        f"  gulv: COPY av {f'{rows:,}'.replace(',', ' ')} ferdige fakta til en tom tabell med "
        f"facts-indeksen: {floor:.2f} s"
    )
    failed = [x["summary"] for x in [*duck, *pg] if not x["ok"]]
    lines.append(f"  feil: {len(failed)}" + (f" – {failed[:2]}" if failed else ""))
    return "\n".join(lines)


def settle(url: str) -> None:
    """VACUUM (ANALYZE) the store's tables of `url` and wait for it: after the loads, autovacuum
    would otherwise vacuum and analyse the two million new rows during the next scenario, and
    the server's CPU per page view (postmaster's children, server_cpu) would count that work
    (up to 0.5 CPU-s per view in the one-board scenario, which has eight views)."""
    import psycopg

    from analytics.store import STORE_TABLES

    with psycopg.connect(url, autocommit=True) as con:
        for table in STORE_TABLES:
            con.execute(psycopg.sql.SQL("VACUUM (ANALYZE) {}").format(psycopg.sql.Identifier(table)))


def drop_schema(url: str) -> None:
    """Drop the store of `url` (a schema of the bench's cluster, named in its search_path)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        schema = con.execute("SELECT current_schema()").fetchone()[0]
        con.execute(psycopg.sql.SQL("DROP SCHEMA {} CASCADE").format(psycopg.sql.Identifier(schema)))


def postgres_floor(url: str, rows: int) -> float:
    """The floor no merge into PostgreSQL can go below: `rows` finished facts written by COPY
    (as the merge writes its new rows) into an empty table shaped like facts, with its index,
    in one committed transaction; seconds. Measured on the same cluster after the loads."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.compute as pc

    from analytics.store import FACT_COLUMNS, open_store

    n = pa.array(range(rows))
    frame = pa.table(
        {
            "indicator": pa.array(["floor"] * rows),
            "unit_id": pc.cast(pc.divide(n, 2800), pa.string()),
            "period_start": pa.array([dt.date(1800 + i % 2800 // 12, i % 12 + 1, 1) for i in range(rows)]),
            "grain": pa.array(["month"] * rows),
            "value": pc.cast(n, pa.float64()),
            "numerator": pa.nulls(rows, pa.float64()),
            "denominator": pa.nulls(rows, pa.float64()),
            "suppressed": pa.array([False] * rows),
            "source": pa.array(["bench"] * rows),
            "file_total": pa.array([False] * rows),
            "upload_id": pa.array([0] * rows, pa.int32()),
        }
    ).select([*FACT_COLUMNS, "upload_id"])
    store = open_store(url)
    try:
        with store._write_cursor() as cur:
            cur.execute("CREATE TABLE floor_facts (LIKE facts INCLUDING INDEXES)")
            started = time.perf_counter()
            cur.execute("BEGIN")
            cur.copy_in("floor_facts", frame)
            cur.execute("COMMIT")
            seconds = time.perf_counter() - started
            cur.execute("DROP TABLE floor_facts")
    finally:
        store.close()
    return seconds


def report(rows: int, duck: dict, pg: dict, copy_seconds: float) -> str:
    def median(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    d_page, p_page = median(duck["pages"]), median(pg["pages"])
    d_load = median([x["seconds"] for x in duck["loads"]])
    p_load = median([x.get("seconds", float("nan")) for x in pg["loads"]])
    lines = [
        f"Flere tjenere ({os.cpu_count()} kjerner), nasjonalt datasett, to filer à {rows:,} rader.".replace(
            ",", " "
        ),
        f"  kopi DuckDB → PostgreSQL (loaders copy): {copy_seconds:.1f} s",
        f"  {'':34} {'DuckDB, 1 prosess':>18} {'PostgreSQL':>12} {'forhold':>8} {'mål':>6}",
        f"  {'side, median s':34} {d_page:>18.3f} {p_page:>12.3f} {p_page / d_page:>8.2f} {GOALS['pages']:>6}",
        f"  {'innlasting per fil, median s':34} {d_load:>18.2f} {p_load:>12.2f} {p_load / d_load:>8.2f} "
        f"{GOALS['loads']:>6}",
        f"  {'sidevisninger':34} {len(duck['pages']):>18} {len(pg['pages']):>12}",
        f"  {'prosesser (tavler + innlastinger)':34} {'1':>18} {f'{BOARDS} + {len(LOADS)}':>12}",
        f"  begge innlastinger på PostgreSQL, vegg: {pg['loads_wall']:.2f} s "
        f"(DuckDB etter hverandre: {sum(x['seconds'] for x in duck['loads']):.2f} s; forhold "
        f"{pg['loads_wall'] / sum(x['seconds'] for x in duck['loads']):.2f})",
        "  innlastingene på PostgreSQL hver for seg: "
        + ", ".join(f"{x.get('seconds', float('nan')):.2f} s" for x in pg["loads"])
        + (
            f"; sammenslåingene skrev samtidig i {overlap[0]:.2f} s, den siste ventet {overlap[1]:.2f} s "
            "på skrivelåsen"
            if (overlap := merge_overlap(pg["loads"])) is not None
            else ""
        ),
        f"  gulv: COPY av {rows:,} ferdige fakta til en tom tabell med facts-indeksen: "
        f"{pg['floor']:.2f} s = {pg['floor'] / d_load:.2f}× DuckDB-innlastingen".replace(",", " "),
    ]
    lines.append(
        "  Tillegg (ikke målet): CPU-s per side i tavleprosessen (median), tjenerens CPU-s og tavlenes "
        "ventetid på en tilkobling per sidevisning (tjeneren: med innlastingenes sammenslåing), "
        "kjernene opptatt (alle prosesser på maskinen)"
    )
    scenarios = [
        ("DuckDB, 1 prosess + innlastinger (CPU med innlastingen)", duck),
        *((f"DuckDB, {name}", extra) for name, extra in duck.get("extra", {}).items()),
        (f"PostgreSQL, {BOARDS} tavler + {len(LOADS)} innlastinger", pg),
        *((f"PostgreSQL, {name}", extra) for name, extra in pg.get("extra", {}).items()),
    ]
    for name, run in scenarios:
        page, cpu = median(run["pages"]), median(run["cpu"])
        server = (
            f", tjener {run['server_cpu'] / len(run['pages']):.3f} s, "
            f"ventet på poolen {run['pool_wait'] / len(run['pages']):.4f} s"
            if "server_cpu" in run
            else ""
        )
        lines.append(
            f"    {name}: side {page:.3f} s ({page / d_page:.2f} × DuckDB), CPU {cpu:.3f} s{server}, "
            f"kjernene {100 * run['busy']:.0f} % opptatt, {len(run['pages'])} visninger"
        )
    problems = duck["problems"] + pg["problems"] + ["innlasting feilet" for x in duck["loads"] if not x["ok"]]
    problems += [
        p for run in [*duck.get("extra", {}).values(), *pg.get("extra", {}).values()] for p in run["problems"]
    ]
    lines.append(f"  feil: {len(problems)}" + (f" – {problems[:3]}" if problems else ""))
    verdict = p_page / d_page <= GOALS["pages"] and p_load / d_load <= GOALS["loads"] and not problems
    lines.append(f"  mål nådd: {'ja' if verdict else 'nei'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench_servers", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the national store is kept")
    parser.add_argument("--rows", type=int, default=200_000, help="rows per loaded file")
    parser.add_argument("--full", action="store_true", help="1 000 000 rows per file (the issue's size)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="page rounds per board, at least")
    parser.add_argument("--regenerate", action="store_true", help="make the national store again")
    parser.add_argument(
        "--ingest-alone",
        action="store_true",
        help="only loads, one at a time, no pages: a file of new rows, then the same keys with every "
        "value changed (all replaced), into DuckDB and into PostgreSQL",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="with --ingest-alone: rounds of DuckDB then PostgreSQL, back to back (median of the ratios)",
    )
    parser.add_argument("--board", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--indicator", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    directory = args.dir.resolve()
    os.chdir(ROOT)
    db_env = os.environ.get("BOARD_DB")
    use_directory(directory)
    if args.board:
        os.environ["BOARD_DB"] = db_env
        print(json.dumps(board_child(args.board, args.rounds)))
        return 0
    if args.load:
        print(json.dumps(load_child(args.load, args.indicator, args.db)))
        return 0
    rows = 1_000_000 if args.full else args.rows
    ensure_store(directory, regenerate=args.regenerate)
    from analytics import reference
    from loaders.service import copy_store
    from tests.pg_cluster import Cluster

    codes = reference.read_units().query("kind == 'municipality'")["unit_id"].tolist()
    with tempfile.TemporaryDirectory(prefix="bench-servers-") as scratch:
        scratch = Path(scratch)
        db = scratch / "national.duckdb"
        shutil.copy(paths(directory)["db"], db)
        if args.ingest_alone:
            alone = [make_file(scratch, LOADS[0], rows, codes, shift) for shift in (0, 1)]
            rounds = []
            cluster = Cluster().start()
            try:
                url = None
                for i in range(args.repeat):  # DuckDB and PostgreSQL back to back, fresh stores
                    if url:  # the last round's store goes, so its autovacuum does not run in this one
                        drop_schema(url)
                    load = os.getloadavg()[0]
                    shutil.copy(paths(directory)["db"], db)
                    print(f"Runde {i + 1}: DuckDB …", flush=True)
                    duck_alone = ingest_alone(str(db), alone, LOADS[0])
                    url = cluster.new_schema()
                    copy_store(paths(directory)["db"], url)
                    print(f"Runde {i + 1}: PostgreSQL …", flush=True)
                    rounds.append(
                        {"load": load, "duck": duck_alone, "pg": ingest_alone(url, alone, LOADS[0])}
                    )
                floor = postgres_floor(url, rows)
            finally:
                cluster.stop()
            print(report_ingest(rows, rounds, floor))
            return 0
        # Other counts in each file: the same bytes twice would be one upload, the second
        # «already loaded» (the upload log knows a file by its hash), and merge nothing.
        files = {ind: make_file(scratch, ind, rows, codes, shift) for shift, ind in enumerate(LOADS)}
        print("DuckDB, én prosess …", flush=True)
        duck = scenario_duckdb(db, files, args.rounds)
        print("DuckDB, én prosess, ingen innlastinger …", flush=True)  # added: CPU per page alone
        alone = scratch / "alone.duckdb"  # a store (and board, and caches) of its own
        shutil.copy(paths(directory)["db"], alone)
        duck["extra"] = {"1 prosess, 0 innlastinger": scenario_duckdb(alone, {}, args.rounds)}
        cluster = Cluster().start()
        try:
            url = cluster.new_schema()
            started = time.perf_counter()
            copy_store(paths(directory)["db"], url)
            copied = time.perf_counter() - started
            print(f"PostgreSQL, {BOARDS} tavler + {len(LOADS)} innlastinger …", flush=True)
            pg = scenario_postgres(url, files, args.rounds, BOARDS, directory, cluster.data)
            pg["floor"] = postgres_floor(url, rows)
            # Added scenarios (the goal's is the one above): the same pages on PostgreSQL with no
            # loads, one board and then as many as above, to tell the server's cost per page
            # from the sharing of the cores; the loads' rows vacuumed first (settle).
            pg["extra"] = {}
            settle(url)
            for n in (1, BOARDS):
                print(f"PostgreSQL, {n} tavle(r), ingen innlastinger …", flush=True)
                pg["extra"][f"{n} tavle(r), 0 innlastinger"] = scenario_postgres(
                    url, {}, args.rounds, n, directory, cluster.data
                )
        finally:
            cluster.stop()
    print()
    print(report(rows, duck, pg, copied))
    return 0


if __name__ == "__main__":
    sys.exit(main())
