"""The protection cube's build helpers (analytics.hierarchy) against the plain methods they
replace: joins by pandas merge, groups by factorize, months by numpy's calendar, and the mask by
checking every line on every pass (Cox 1980, as the module's docstring states the rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import hierarchy
from analytics.periods import grain_chain

pytestmark = pytest.mark.backend_free


def _merge_match(parts: list[np.ndarray], totals: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """_match as pandas does it: an inner merge on a unique right key keeps the left rows' order."""
    left = pd.DataFrame({f"k{i}": column for i, column in enumerate(parts)}).assign(
        part=np.arange(len(parts[0]))
    )
    right = pd.DataFrame({f"k{i}": column for i, column in enumerate(totals)}).assign(
        total=np.arange(len(totals[0]))
    )
    merged = left.merge(right, on=[f"k{i}" for i in range(len(parts))], how="inner")
    return merged["part"].to_numpy(dtype=np.int64), merged["total"].to_numpy(dtype=np.int64)


def _key_columns(rng: np.random.Generator, kind: str, n_parts: int, n_totals: int):
    """(part column, total column) of one kind; the totals' values are distinct."""
    if kind == "codes":
        pool = np.arange(400, dtype=np.int64)
    elif kind == "months":
        pool = pd.date_range("2014-01-01", periods=160, freq="MS").to_numpy().astype("datetime64[ns]")
    elif kind == "months_us":  # another unit than the cube's nanoseconds: np.unique
        pool = pd.date_range("2014-01-01", periods=160, freq="MS").to_numpy().astype("datetime64[us]")
    elif kind == "days":  # not month starts: ranked by day
        pool = pd.date_range("2024-01-03", periods=300, freq="D").to_numpy().astype("datetime64[ns]")
    elif kind == "instants":  # not whole days: np.unique
        hours = pd.to_timedelta(np.arange(200) * 7, unit="h")
        pool = (pd.Timestamp("2024-01-01") + hours).to_numpy().astype("datetime64[ns]")
    elif kind == "wide":  # a span far longer than the arrays: np.unique
        pool = np.arange(300, dtype=np.int64) * 10**15 - 10**16
    else:  # text
        pool = np.array([f"u{i:04d}" for i in range(300)], dtype=object)
    totals = rng.choice(pool, size=min(n_totals, len(pool)), replace=False)
    parts = rng.choice(pool, size=n_parts)
    return parts, totals


@pytest.mark.parametrize("seed", range(12))
def test_match_is_an_inner_merge(seed):
    """hierarchy._match (keys as small integers, a table or a sorted search) gives the parts
    and their totals that pandas' inner merge gives, for every kind of key column the cube
    joins on and some it does not (text, wide integers, times within a day), and empty sides."""
    rng = np.random.default_rng(seed)
    kinds = ["codes", "months", "months_us", "days", "instants", "wide", "text"]
    for width in (1, 2, 3):
        chosen = rng.choice(kinds, size=width)
        n_parts, n_totals = int(rng.integers(0, 3000)), int(rng.integers(0, 200))
        columns = [_key_columns(rng, kind, n_parts, n_totals) for kind in chosen]
        n_totals = min(len(total) for _, total in columns)
        parts = [part for part, _ in columns]
        totals = [total[:n_totals] for _, total in columns]
        # The totals' keys must be unique together (the cube's are): keep each key's first.
        keys = pd.DataFrame({i: t for i, t in enumerate(totals)})
        first = ~keys.duplicated().to_numpy()
        totals = [t[first] for t in totals]
        # Some parts take a total's key, so that rows match.
        if n_totals and n_parts:
            take = rng.integers(0, first.sum(), size=n_parts // 2)
            for part, total in zip(parts, totals, strict=True):
                part[: len(take)] = total[take]
        hit, row = hierarchy._match(parts, totals)
        expected_hit, expected_row = _merge_match(parts, totals)
        assert hit.dtype == np.int64 and row.dtype == np.int64
        assert np.array_equal(hit, expected_hit), chosen
        assert np.array_equal(row, expected_row), chosen


def test_match_of_the_cubes_keys_uses_the_table_and_finds_every_part():
    """The cube's own keys (unit codes × month starts, 357 units): every part has its total."""
    units = np.repeat(np.arange(357, dtype=np.int64), 120)
    months = np.tile(
        pd.date_range("2016-01-01", periods=120, freq="MS").to_numpy().astype("datetime64[ns]"), 357
    )
    quarters = hierarchy.truncate(months, "quarter")
    total_units = np.repeat(np.arange(357, dtype=np.int64), 40)
    total_starts = np.tile(
        pd.date_range("2016-01-01", periods=40, freq="QS").to_numpy().astype("datetime64[ns]"), 357
    )
    hit, row = hierarchy._match([units, quarters], [total_units, total_starts])
    expected_hit, expected_row = _merge_match([units, quarters], [total_units, total_starts])
    assert np.array_equal(hit, expected_hit) and np.array_equal(row, expected_row)
    assert len(hit) == len(units)


def _factorized_runs(at_total: np.ndarray):
    """_group_runs as it was written: factorize (first appearance), a stable sort, bincount."""
    codes, found = pd.factorize(at_total)
    order = np.argsort(codes, kind="stable")
    return np.asarray(found, dtype=np.int64), np.bincount(codes, minlength=len(found)).astype(np.int64), order


@pytest.mark.parametrize("seed", range(8))
def test_group_runs_is_factorize_then_a_stable_sort(seed):
    """hierarchy._group_runs gives the lines' totals, sizes and part order of factorize and a
    stable argsort: for sorted totals (runs), unsorted ones, many distinct ones, one, none."""
    rng = np.random.default_rng(seed)
    cases = [
        np.sort(rng.integers(0, 50, 400)),
        rng.integers(0, 50, 400),
        rng.permutation(40_000),  # more codes than 16 bits hold
        np.tile(np.arange(300, 600), 40),  # the space lines: each unit's periods in turn
        np.array([7]),
        np.array([], dtype=np.int64),
    ]
    for at_total in cases:
        at_total = np.asarray(at_total, dtype=np.int64)
        found, sizes, order = hierarchy._group_runs(at_total)
        expected_found, expected_sizes, expected_order = _factorized_runs(at_total)
        assert found.dtype == np.int64 and sizes.dtype == np.int64
        assert np.array_equal(found, expected_found)
        assert np.array_equal(sizes, expected_sizes)
        assert np.array_equal(np.arange(len(at_total)) if order is None else order, expected_order)


def test_month_numbers_and_starts_are_numpys_calendar():
    """hierarchy._month_numbers and _month_starts (each distinct day converted once) give what
    numpy's datetime64[M] conversion gives: before 1970, mid-month, times of day, NaT, other units."""
    rng = np.random.default_rng(3)
    cases = [
        pd.date_range("2015-01-01", periods=140, freq="MS").to_numpy().repeat(300).astype("datetime64[ns]"),
        (pd.Timestamp("1965-03-01") + pd.to_timedelta(rng.integers(0, 40_000, 3000), unit="D")).to_numpy(),
        (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**7, 500), unit="min")).to_numpy(),
        np.array(["2024-02-01", "NaT", "2024-03-15"], dtype="datetime64[ns]"),
        np.array(["2024-02-01", "2024-03-15"], dtype="datetime64[s]"),
        np.array([], dtype="datetime64[ns]"),
    ]
    cases += [case.astype("datetime64[ns]") for case in cases[1:3]]
    for stamps in cases:
        months = hierarchy._month_numbers(stamps)
        expected = stamps.astype("datetime64[M]").astype(np.int64)
        assert months.dtype == np.int64 and np.array_equal(months, expected)
    months = np.concatenate([rng.integers(-200, 900, 2000), np.array([0, -1, 11, 12])]).astype(np.int64)
    for case in (months, months[:0]):
        starts = hierarchy._month_starts(case)
        expected = case.astype("datetime64[M]").astype("datetime64[ns]")
        assert starts.dtype == expected.dtype and np.array_equal(starts, expected)


def test_truncated_is_truncate():
    """hierarchy._truncated (build_cube's coarser periods) is truncate, grain by grain."""
    rng = np.random.default_rng(5)
    days = pd.to_timedelta(rng.integers(0, 30_000, 4000), unit="D")
    stamps = (pd.Timestamp("1966-01-01") + days).to_numpy().astype("datetime64[ns]")
    for grain in hierarchy.GRAINS:
        assert np.array_equal(hierarchy._truncated(stamps, grain), hierarchy.truncate(stamps, grain))


def _reference_lines(cube: hierarchy.Cube) -> list[tuple[int, list[int]]]:
    """The cube's lines by pandas merges and groupby(sort=False), as build_cube made them before
    it joined on integer codes: time lines (each finer grain in each coarser one), the windows'
    lines, then ALL with its units for every level and period."""
    cells = pd.DataFrame({"scope": cube.scopes, "level": cube.levels, "start": cube.starts})
    cells["at"] = np.arange(len(cells))
    found: list[tuple[int, list[int]]] = []

    def add(parts: pd.DataFrame, totals: pd.DataFrame, on: list[str]) -> None:
        merged = parts[[*on, "at"]].merge(totals[[*on, "at"]], on=on, how="inner", suffixes=("", "_total"))
        for total, group in merged.groupby("at_total", sort=False):
            found.append((int(total), group["at"].tolist()))

    grains = [g for g in grain_chain(cube.native) if (cells["level"] == g).any()]
    for i, fine in enumerate(grains):
        for coarse in grains[i + 1 :]:
            parts = cells[cells["level"] == fine].assign(
                start=lambda f, c=coarse: hierarchy.truncate(f["start"], c)
            )
            add(parts, cells[cells["level"] == coarse], ["scope", "start"])
    native = cells[cells["level"] == cube.native]
    for name, covered in cube.windows.items():
        window = cells[cells["level"] == name]
        for anchor in pd.unique(window["start"]):
            add(native[native["start"].isin(covered)], window[window["start"] == anchor], ["scope"])
    add(cells[cells["scope"] != hierarchy.ALL], cells[cells["scope"] == hierarchy.ALL], ["level", "start"])
    return found


def _reference_mask(counts: list[tuple[np.ndarray, np.ndarray]], cube: hierarchy.Cube) -> np.ndarray:
    """Rules 3 and 3b checked on every line on every pass until nothing changes (the rule as
    hierarchy's docstring states it, without _sweep's and _settle's shortcuts)."""
    hidden = np.zeros(len(cube.values), dtype=bool)
    for _, primary in counts:
        hidden |= primary
    lines = list(cube.lines)
    grain = np.isin(cube.levels, hierarchy.GRAINS)
    while True:
        before = hidden.copy()
        for values, primary in counts:
            changed = True
            while changed:
                changed = False
                for total, parts in lines:
                    while hierarchy._needs_more(values, hidden, primary, total, parts, cube.limit):
                        pick = hierarchy._pick(values, hidden, total, parts)
                        if pick is None:
                            break
                        hidden[pick] = changed = True
        for total, parts in lines:
            if (
                not grain[total]
                and len(parts)
                and grain[parts[0]]
                and not hidden[total]
                and hidden[parts].any()
            ):
                hidden[total] = True
        if np.array_equal(before, hidden):
            return hidden


def _random_rows(rng: np.random.Generator, native: str, scale: float) -> tuple[pd.DataFrame, dict]:
    step = {"month": 1, "quarter": 3, "year": 12}[native]
    starts = pd.date_range("2021-01-01", periods=int(rng.integers(1, 40)), freq="MS")[::step]
    units = [f"{u:04d}" for u in rng.choice(9000, size=int(rng.integers(1, 12)), replace=False)]
    rows = pd.DataFrame(
        [(u, s, float(rng.poisson(scale))) for u in units for s in starts if rng.random() < 0.85],
        columns=["unit_id", "period_start", "numerator"],
    )
    windows = {}
    if native != "year" and len(rows):
        present = sorted(rows["period_start"].unique())
        windows = {
            hierarchy.FUNNEL: list(pd.to_datetime(present[-12:])),
            hierarchy.SAME_MONTHS: list(pd.to_datetime(present[:4])),
        }
    return rows, windows


@pytest.mark.parametrize("seed", range(10))
def test_build_cube_lines_and_mask_are_the_plain_methods(seed):
    """build_cube's lines are those pandas merges give (same totals, parts, order), and its mask
    (and joint's, for a share's two counts) the one checking every line on every pass gives:
    random cubes of every native grain, with windows, with and without small counts, and empty."""
    rng = np.random.default_rng(100 + seed)
    hidden_cells = 0
    scales = {"month": [0.7, 3.0, 12.0][seed % 3], "quarter": 80.0, "year": 3.0}  # 80: nothing small
    for native, scale in scales.items():
        rows, windows = _random_rows(rng, native, scale)
        for frame in (rows, rows.iloc[:0]):
            cube = hierarchy.build_cube(frame, native, 5, windows)
            mine = [(int(total), parts.tolist()) for total, parts in cube.lines]
            assert mine == _reference_lines(cube)
            assert np.array_equal(cube.hidden, _reference_mask([(cube.values, cube.primary)], cube))
            rest = hierarchy.build_cube(
                frame.assign(numerator=frame["numerator"] + rng.poisson(2.0, len(frame))), native, 5, windows
            )
            both = hierarchy.joint(cube, rest)
            expected = _reference_mask([(cube.values, cube.primary), (rest.values, rest.primary)], cube)
            assert np.array_equal(both.hidden, expected)
            hidden_cells += int(both.hidden.sum())
    assert hidden_cells > 0


def test_build_cube_with_one_small_count_hides_its_complements():
    """One small count in a cube (one primary cell, the fewest that start rule 3): the cells
    that would give it away are hidden too, as checking every line on every pass decides."""
    starts = pd.date_range("2025-01-01", periods=6, freq="MS")
    rows = pd.DataFrame(
        {
            "unit_id": ["a"] * 6 + ["b"] * 6,
            "period_start": list(starts) * 2,
            "numerator": [30.0, 2, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130],
        }
    )
    for windows in ({}, {hierarchy.FUNNEL: list(starts[1:])}):
        cube = hierarchy.build_cube(rows, "month", 5, windows)
        assert int(cube.primary.sum()) == 1
        assert np.array_equal(cube.hidden, _reference_mask([(cube.values, cube.primary)], cube))
        assert int(cube.hidden.sum()) > 2


def test_among_is_isin():
    """hierarchy._among (a window's periods found by a sorted search) is np.isin."""
    rng = np.random.default_rng(9)
    values = pd.date_range("2020-01-01", periods=80, freq="MS").to_numpy().astype("datetime64[ns]")
    values = rng.choice(values, size=3000)
    for size in (0, 1, 12, 80):
        wanted = np.unique(rng.choice(values, size=size)) if size else values[:0]
        assert np.array_equal(hierarchy._among(values, wanted), np.isin(values, wanted))
    assert np.array_equal(hierarchy._among(values[:0], values[:5]), np.zeros(0, dtype=bool))


@pytest.mark.parametrize("seed", range(6))
def test_counted_cells_are_the_cells_grouped_with_codes(seed):
    """hierarchy._counted_cells gives _cells_grouped's cells in order (the names its codes
    stand for, starts, values) and windows, also with rows lacking a unit or a period, a
    window with no rows in it, and no rows at all; _cells_counted is the same with names."""
    rng = np.random.default_rng(40 + seed)
    rows, windows = _random_rows(rng, ["month", "quarter", "year"][seed % 3], 6.0)
    if len(rows) > 3:
        rows.loc[rows.index[:2], "unit_id"] = None
        rows.loc[rows.index[2], "period_start"] = pd.NaT
    windows = {**windows, "empty": [pd.Timestamp("1999-01-01")]} if windows else {}
    levels = list(grain_chain(["month", "quarter", "year"][seed % 3]))
    for frame in (rows, rows.iloc[:0]):
        grouped = hierarchy._cells_grouped(frame, levels, windows)
        codes = hierarchy._counted_cells(frame, levels, windows)
        scope_codes, scope_names, level_codes, level_names, starts, values, members = codes
        named = (scope_names[scope_codes], level_names[level_codes], starts, values)
        for mine, theirs in zip(named, grouped[:4], strict=True):
            assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
        assert members == grouped[4]
        counted = hierarchy._cells_counted(frame, levels, windows)
        for mine, theirs in zip(counted[:4], grouped[:4], strict=True):
            assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
        assert counted[4] == grouped[4]


def test_empty_cube_is_the_cube_of_no_rows():
    """build_cube of no rows (hierarchy._empty_cube): no cells, no lines, the types the steps
    give for none (object scopes and levels, datetime64[ns] starts, int64 lines)."""
    rows = pd.DataFrame({"unit_id": pd.Series([], dtype=str), "period_start": [], "numerator": []})
    cube = hierarchy.build_cube(rows, "quarter", 5, {hierarchy.FUNNEL: [pd.Timestamp("2025-01-01")]})
    kinds = {"scopes": "O", "levels": "O", "starts": "M", "values": "f", "primary": "b", "hidden": "b"}
    for name, kind in kinds.items():
        assert getattr(cube, name).dtype.kind == kind and len(getattr(cube, name)) == 0
    assert cube.starts.dtype == np.dtype("datetime64[ns]")
    assert cube.lines.totals.dtype == np.int64 and cube.lines.parts.dtype == np.int64
    assert cube.lines.starts.tolist() == [0] and len(cube.lines) == 0
    assert cube.windows == {} and cube.native == "quarter" and cube.limit == 5
    assert (
        cube.mask([], "quarter", []).tolist() == []
        and cube.is_hidden("a", "quarter", pd.Timestamp("2025-01-01")) is None
    )
    one = (
        rows.iloc[:0].reindex([0]).assign(unit_id="a", period_start=pd.Timestamp("2025-02-01"), numerator=7.0)
    )
    cube = hierarchy.build_cube(one, "month", 5)  # one row is a cube: a cell per level, unit and ALL
    assert len(cube.values) == 6 and len(cube.lines) == 9 and not cube.hidden.any()


@pytest.mark.parametrize("seed", range(4))
def test_lookups_with_the_builds_scope_codes_are_those_without(seed):
    """A cube's lookups (is_hidden, mask, units, scope_of) through the scope codes build_cube
    keeps (Cube.scope_codes) give what they give by factorizing the scopes, for every cell,
    and the codes stand for the scopes; joint keeps them."""
    import dataclasses

    rng = np.random.default_rng(70 + seed)
    rows, windows = _random_rows(rng, ["month", "quarter"][seed % 2], 2.0)
    cube = hierarchy.build_cube(rows, ["month", "quarter"][seed % 2], 5, windows)
    codes, names = cube.scope_codes
    assert np.array_equal(names[codes], cube.scopes)
    plain = dataclasses.replace(cube, scope_codes=None)
    assert plain.units == cube.units and len(cube.units) == rows["unit_id"].nunique()
    for scope, level, start in zip(cube.scopes, cube.levels, cube.starts, strict=True):
        assert cube.is_hidden(scope, level, start) == plain.is_hidden(scope, level, start)
    assert cube.is_hidden("nobody", cube.native, cube.starts[0]) is None
    for level in set(cube.levels.tolist()):
        at = np.flatnonzero(cube.levels == level)
        scopes, starts = cube.scopes[at].tolist(), list(cube.starts[at])
        assert np.array_equal(cube.mask(scopes, level, starts), plain.mask(scopes, level, starts))
        assert np.array_equal(cube.mask(scopes, level, starts), cube.hidden[at])
    some = sorted(cube.units)[:1]
    assert cube.scope_of(some) == plain.scope_of(some) and cube.scope_of(sorted(cube.units)) == hierarchy.ALL
    assert hierarchy.joint(cube, cube).scope_codes is cube.scope_codes
