"""The proof of small-count protection by search (analytics/hierarchy.py, README «Små tall»).

For every protected count and every view a user can reach on the board — the whole partnership
and each municipality, each grain (month, quarter, year), the year table with its «same months
the year before», the funnel with its partnership line, the municipality page's newest 12
months, and `loaders export` — every figure shown is collected as an equation: shown value =
the sum of the store's atomic cells (unit × native period) it covers. Then every combination of
them is tried at once by linear algebra: a hidden small count is derivable from totals and parts
(months against quarter and year, municipalities against the partnership, across views) exactly
when its vector lies in the row space of the shown equations. The test asserts that none does,
on the demo store and on a store built to be full of small counts, and prints how many figures,
equations and hidden cells it tried.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import config, hierarchy
from analytics.board import open_board
from analytics.evaluate import scope_units
from analytics.indicator_view import funnel_view, indicator_view
from analytics.periods import grain_chain
from analytics.series import judged_series, load_rows, rated, year_table
from loaders.service import Loader
from tests.conftest import new_store

TODAY = dt.date(2026, 11, 30)
PARTNERSHIP = "ahus"


def _small_store(tmp_path: Path) -> Path:
    """hip_fractures for the partnership's first eight municipalities, 2023–2025: every month
    0–15, half of them 1–4 (small), so that lines of totals and parts hide and show side by side."""
    db = new_store(tmp_path, "small")
    loader = Loader.open(db)
    population = loader.ingest(config.REFERENCE_DIR / "population_07459.csv", None, profile_id="ssb_07459")
    assert population.ok  # the rate's person-years: without them the page shows no counts at all
    members = loader.board.member_units(PARTNERSHIP).head(8)
    rng = np.random.default_rng(15)
    lines = ["Kommune;Periode;Antall"]
    for unit_id, name in zip(members["unit_id"], members["name"], strict=True):
        for year in (2023, 2024, 2025):
            for month in range(1, 13):
                lines.append(
                    f"{unit_id} {name};{year}M{month:02d};{int(rng.choice([0, 1, 2, 3, 4, 6, 8, 10, 12, 15]))}"
                )
    path = tmp_path / "sma_tall.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    loader.board.store.close()
    return db


_NATIVE: dict[int, tuple] = {}


def _atoms(cube: hierarchy.Cube, key: tuple) -> list[tuple[str, pd.Timestamp]]:
    """The atomic cells (unit, native start) a cube cell covers."""
    if id(cube) not in _NATIVE:
        native = [
            (k[0], pd.Timestamp(k[2])) for k in cube.keys if k[0] != hierarchy.ALL and k[1] == cube.native
        ]
        by_level: dict = defaultdict(lambda: defaultdict(list))
        for level in ("month", "quarter", "year"):
            tops = pd.to_datetime(hierarchy.truncate([s for _, s in native], level))
            for (unit, start), top in zip(native, tops, strict=True):
                by_level[level][top].append((unit, start))
        _NATIVE[id(cube)] = (native, by_level)
    native, by_level = _NATIVE[id(cube)]
    scope, level, start = key
    if level in cube.windows:
        covered = set(cube.windows[level])
        atoms = [(u, s) for u, s in native if s in covered]
    else:
        atoms = by_level[level][pd.Timestamp(start)]
    return atoms if scope == hierarchy.ALL else [(u, s) for u, s in atoms if u == scope]


def shown_figures(board, indicator, export_text: str, partnership: str = PARTNERSHIP) -> dict[tuple, float]:
    """Every count the board shows for the indicator, as cube cells: (scope, level, start) → value."""
    shown: dict[tuple, float] = {}
    cube = None
    members = board.member_ids(partnership)
    grains = list(grain_chain(indicator.grain))
    for scope in [hierarchy.ALL, *members]:
        units = scope_units(board, partnership) if scope == hierarchy.ALL else [scope]
        data = load_rows(board, indicator, units)
        if data.empty:
            continue
        cube = cube or data.cube
        assert data.scope == scope
        for grain in grains:  # Indikator: SPC, the table and its CSV, at every grain
            series = judged_series(data, grain, TODAY)
            for row in series[~series["hidden"] & series["numerator"].notna()].itertuples():
                shown[(scope, grain, row.period_start)] = float(row.numerator)
        years = year_table(data, TODAY)  # Indikator: per year, with the same months a year before
        for row in years[~years["hidden"] & years["numerator"].notna()].itertuples():
            shown[(scope, "year", pd.Timestamp(row.year, 1, 1))] = float(row.numerator)
        if not rated(indicator) and years["previous_same"].notna().any():
            anchor = max(data.cube.windows[hierarchy.SAME_MONTHS])
            shown[(scope, hierarchy.SAME_MONTHS, anchor)] = float(years["previous_same"].dropna().iloc[-1])
    funnel = funnel_view(board, partnership, indicator, TODAY)  # Indikator and Kommune: the funnel
    if funnel is not None:
        # The funnel's 12 months: a window of the cube, or (yearly data) the newest year cell.
        level = hierarchy.FUNNEL if hierarchy.FUNNEL in cube.windows else indicator.grain
        anchor = (
            max(cube.windows[level])
            if level in cube.windows
            else max(pd.Timestamp(s) for s in cube.starts[cube.levels == level])
        )
        for unit_id, text, hide in zip(funnel.unit_ids, funnel.counts, funnel.hidden, strict=True):
            if not hide and text != "–":  # «–»: no figure for the unit
                shown[(unit_id, level, anchor)] = float(text.replace("\u00a0", "").replace(" ", ""))
        # The funnel's centre line is the partnership's pooled rate: its total is shown too.
        total = cube.values[cube.index[(hierarchy.ALL, level, anchor)]]
        shown[(hierarchy.ALL, level, anchor)] = float(total)
    for row in csv.DictReader(io.StringIO(export_text)):  # loaders export (protected by default)
        if row["indicator"] != indicator.id or row["value"] in ("", "<5", ":"):
            continue
        period = pd.Period(row["period"].replace("M", "-"), freq="M").start_time
        if row["unit"] in cube.units:
            shown[(row["unit"], indicator.grain, period)] = float(row["value"].replace(",", "."))
    return shown


def derivable(
    cube: hierarchy.Cube, shown: dict[tuple, float], spans: Sequence[list[tuple]] = ()
) -> tuple[list[tuple], dict[str, int]]:
    """The hidden small cells that the shown figures determine, and what was tried.

    spans: more shown figures given as the atoms (unit, native start) they sum, for figures
    that are no cell of the cube (a status reason's 12 months ending mid-year, its baseline)."""
    known_atoms = {(k[0], k[2]): v for k, v in shown.items() if k[0] != hierarchy.ALL and k[1] == cube.native}
    equations = []  # (unknown atoms, constant)
    for atoms in [*(_atoms(cube, key) for key in shown), *spans]:
        unknown = [a for a in atoms if a not in known_atoms]
        if unknown:
            equations.append(unknown)
    # Independent groups of unknown atoms (union-find), each solved on its own.
    parent: dict = {}

    def find(a):
        parent.setdefault(a, a)
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for unknown in equations:
        for atom in unknown[1:]:
            parent[find(atom)] = find(unknown[0])
        find(unknown[0])
    groups: dict = defaultdict(list)
    for unknown in equations:
        groups[find(unknown[0])].append(unknown)
    nulls = {}
    for root, rows in groups.items():
        columns = sorted({a for r in rows for a in r})
        at = {a: i for i, a in enumerate(columns)}
        matrix = np.zeros((len(rows), len(columns)))
        for i, r in enumerate(rows):
            matrix[i, [at[a] for a in r]] = 1.0
        _, singular, vt = np.linalg.svd(matrix)
        rank = int((singular > 1e-9).sum())
        nulls[root] = (at, vt[rank:])
    found = []
    targets = [k for k, p in zip(cube.keys, cube.primary, strict=True) if p]
    for key in targets:
        atoms = [a for a in _atoms(cube, key) if a not in known_atoms]
        if not atoms:
            found.append(key)  # every atom of a small cell shown: it is simply visible
            continue
        parts: dict = defaultdict(list)
        for atom in atoms:
            parts[find(atom)].append(atom)
        determined = True
        for root, group in parts.items():
            if root not in nulls:  # in no equation at all: unknown
                determined = False
                break
            at, null = nulls[root]
            vector = np.zeros(len(at))
            vector[[at[a] for a in group]] = 1.0
            if null.size and np.abs(null @ vector).max() > 1e-7:
                determined = False
                break
        if determined:
            found.append(key)
    tried = {
        "figures": len(shown) + len(spans),
        "equations": len(equations),
        "hidden small cells": len(targets),
    }
    return found, tried


def _export(db: Path) -> str:
    loader = Loader.open(db)
    try:
        out = io.StringIO()
        loader.export_csv(out, "hip_fractures")
        return out.getvalue()
    finally:
        loader.board.store.close()


@pytest.mark.parametrize("store", ["demo", "small"])
def test_no_hidden_small_count_can_be_derived_from_any_view(store, demo_db, tmp_path, capsys):
    db = demo_db if store == "demo" else _small_store(tmp_path)
    export_text = _export(db)
    board = open_board(db)
    total = defaultdict(int)
    try:
        protected = [i for i in board.registry.indicators if i.protect_small and i.kind in ("count", "share")]
        for indicator in protected:
            units = scope_units(board, PARTNERSHIP)
            data = load_rows(board, indicator, units)
            if data.empty or data.cube is None:
                continue
            shown = shown_figures(board, indicator, export_text)
            small_shown = [k for k, v in shown.items() if 0 < v < config.SUPPRESSION_THRESHOLD]
            assert small_shown == [], f"{indicator.id}: small counts shown {small_shown[:5]}"
            found, tried = derivable(data.cube, shown)
            assert found == [], f"{indicator.id}: derivable {found[:5]}"
            assert tried["hidden small cells"] > 0 and tried["equations"] > 0
            for name, n in tried.items():
                total[name] += n
            total["indicators"] += 1
    finally:
        board.store.close()
    assert total["indicators"] >= 1
    with capsys.disabled():
        print(f"\n[{store}] protection search: " + ", ".join(f"{n} {name}" for name, n in total.items()))


def test_no_patient_share_shows_or_gives_away_a_small_numerator_or_complement(demo_db, capsys):
    """LoVeSa's patient shares (STEMI, stroke, sepsis, cancer pathway; issue 14): no shown cell
    rests on a numerator or complement of 1–4 (the joint cube's primary cells hold both), and
    no such hidden cell is determined by the shown figures. With the denominators shown, a
    hidden cell's complement is determined exactly when its numerator is, so the numerator
    search covers both."""
    board = open_board(demo_db)
    total = defaultdict(int)
    try:
        shares = [i for i in board.registry.indicators if i.kind == "share" and i.counts == "persons"]
        for indicator in shares:
            data = load_rows(board, indicator, scope_units(board, "lovesa"))
            if data.empty:
                continue
            assert data.cube is not None, f"{indicator.id}: not protected"
            shown = shown_figures(board, indicator, "", partnership="lovesa")
            primary_shown = [k for k in shown if data.cube.primary[data.cube.index[k]]]
            assert primary_shown == [], f"{indicator.id}: shown on a small count {primary_shown[:5]}"
            found, tried = derivable(data.cube, shown)
            assert found == [], f"{indicator.id}: derivable {found[:5]}"
            for name, n in tried.items():
                total[name] += n
            total["indicators"] += 1
    finally:
        board.store.close()
    assert total["indicators"] >= 3 and total["hidden small cells"] > 0
    with capsys.disabled():
        print("\n[lovesa shares] protection search: " + ", ".join(f"{n} {name}" for name, n in total.items()))


def test_the_issue_case_june_2023_cannot_be_derived(demo_db):
    """/indikator?hf=ahus&indikator=hip_fractures&kommune=3205&fra=2023&til=2023&tid=month:
    June 2023 is "<5", so one more month of 2023 is hidden with it (the year is shown)."""
    board = open_board(demo_db)
    try:
        view = indicator_view(
            board, PARTNERSHIP, "hip_fractures", ["3205"], (2023, 2023), grain="month", today=TODAY
        )
        months = dict(zip(view.table["Periode"], view.table.iloc[:, 1], strict=True))
        assert months["juni 2023"] == "<5"
        assert list(months.values()).count(":") >= 1
    finally:
        board.store.close()


def test_the_spc_centre_line_does_not_move_with_a_hidden_value(demo_db, tmp_path):
    """The mean line is drawn from shown points only: change the hidden June 2023 (1 → 4) in a
    copy of the store and the drawn centre line and limits stay exactly the same."""
    from analytics.store import open_store

    def lines(db: Path) -> tuple:
        board = open_board(db)
        try:
            view = indicator_view(
                board, PARTNERSHIP, "hip_fractures", ["3205"], (2019, 2026), grain="month", today=TODAY
            )
            assert view.series["hidden"].any()
            points = view.spc.points
            return tuple(  # NaN (no line drawn) compares equal to NaN here
                tuple(points[column].round(12).fillna(-1.0)) for column in ("mean", "upl", "lpl")
            )
        finally:
            board.store.close()

    changed = new_store(tmp_path, "changed", like=demo_db)
    store = open_store(changed)  # either backend: the statements are the same in both dialects
    try:
        with store.cursor() as cur:
            before = cur.execute(
                "SELECT value FROM facts WHERE indicator = 'hip_fractures' AND unit_id = '3205' "
                "AND period_start = DATE '2023-06-01'"
            ).fetchone()[0]
            assert 0 < before < 4
            cur.execute(
                "UPDATE facts SET value = 4 WHERE indicator = 'hip_fractures' AND unit_id = '3205' "
                "AND period_start = DATE '2023-06-01'"
            )
    finally:
        store.close()
    assert lines(changed) == lines(demo_db)


def test_a_series_with_hidden_points_gets_no_biased_centre_line(demo_db):
    """A mean over the shown points alone sits too high (they are shown because they are not
    small): with hidden points the drawn SPC has no centre line or limits, and says why; the
    whole partnership (nothing hidden) gets both."""
    board = open_board(demo_db)
    try:
        month = indicator_view(board, PARTNERSHIP, "hip_fractures", ["3205"], grain="month", today=TODAY)
        whole = indicator_view(board, PARTNERSHIP, "hip_fractures", grain="month", today=TODAY)
    finally:
        board.store.close()
    assert month.series["hidden"].any()
    assert month.spc.points["mean"].isna().all() and month.spc.points["upl"].isna().all()
    assert "skjult for å verne små tall" in (month.spc.message or "")
    assert not whole.series["hidden"].any()
    assert whole.spc.points["mean"].notna().any()
