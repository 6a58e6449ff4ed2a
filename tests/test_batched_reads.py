"""Kommune's cold view reads a municipality's indicators together (kommune3): each batched read
gives, item for item, what the reads one at a time give, on the demo store and both backends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import datacache
from analytics.evaluate import _Rows, partnership_scope
from analytics.periods import grain_chain

PARTNERSHIP = "ahus"


@pytest.fixture(autouse=True)
def _fresh():
    datacache.clear()
    yield
    datacache.clear()


def _observed(board):
    """Every indicator of the registry with a grain unit_series takes."""
    ids = [i.id for i in board.registry.indicators]
    return [board.registry.get(i) for i in ids if board.registry.get(i).grain in ("month", "quarter", "year")]


def test_unit_series_many_gives_each_read_as_unit_series_alone(demo_board):
    store = demo_board.store
    indicators = _observed(demo_board)
    native = store.native_grains([(i.id, i.grain) for i in indicators])
    asked = [(i.id, i.kind, i.grain, native[(i.id, i.grain)]) for i in indicators]
    # The same indicators at other grains too: months built into quarters and years (the
    # general statement), and an indicator asked twice.
    asked += [(i.id, i.kind, g, False) for i in indicators[:6] for g in ("quarter", "year")]
    members = list(partnership_scope(demo_board, PARTNERSHIP).unit_ids)
    assert any(n for *_, n in asked) and not all(n for *_, n in asked)
    compared = 0
    for units in (members[:1], members[1:3], members, ["0000"]):
        together = store.unit_series_many(asked, units)
        assert len(together) == len(asked)
        for (indicator, kind, grain, is_native), frame in zip(asked, together, strict=True):
            alone = store.unit_series(indicator, units, kind, grain, is_native)
            pd.testing.assert_frame_equal(frame, alone, check_exact=True)
            compared += len(alone)
    assert compared > 1000  # rows compared, not empty frames alone
    assert store.unit_series_many([], members) == []
    with pytest.raises(ValueError):
        store.unit_series_many([("hip_fractures", "count", "week", False)], members)


def _loaded(board, indicators, unit, units, together: bool) -> dict:
    datacache.clear()
    rows = _Rows(board)
    if together:
        rows.load_own_many(indicators, unit, units)
    else:
        for indicator in indicators:
            rows.load_own(indicator, unit, units)
    return {i.id: rows.get(i, (unit,)) for i in indicators}


@pytest.mark.parametrize("member", [0, 3, 7])
def test_load_own_many_gives_each_units_rows_as_load_own(demo_board, member):
    """_Rows.load_own_many (one read of every indicator of the municipality) keeps, per
    indicator, the rows, notes, estimates and protected cube load_own keeps one at a time."""
    indicators = [i for i in _observed(demo_board) if not i.id.startswith(("population_", "projection_"))]
    units = partnership_scope(demo_board, PARTNERSHIP).unit_ids
    unit = sorted(units)[member]
    each = _loaded(demo_board, indicators, unit, units, together=False)
    together = _loaded(demo_board, indicators, unit, units, together=True)
    assert each.keys() == together.keys()
    shown = 0
    for indicator_id, alone in each.items():
        batched = together[indicator_id]
        pd.testing.assert_frame_equal(batched.rows, alone.rows, check_exact=True)
        assert (batched.population_note, batched.grain_note) == (alone.population_note, alone.grain_note)
        assert batched.indicator == alone.indicator
        assert (batched.cube is None) == (alone.cube is None)
        if alone.cube is not None:
            assert np.array_equal(batched.cube.hidden, alone.cube.hidden)
        shown += len(alone.rows)
    assert shown > 100


def _cube_inputs(board, partnership: str):
    """(facts as series._build_cube gives build_cube, windows) for every protected count and
    share of the registry, and a share's complement, over one demo partnership."""
    import datetime as dt

    from analytics import series

    today = dt.date(2026, 11, 30)
    members = board.units.loc[board.units["partnership"] == partnership, "unit_id"].astype(str).tolist()
    for indicator in _observed(board):
        if not indicator.protect_small or indicator.kind not in ("count", "share"):
            continue
        facts = board.store.known_cells(indicator.id, members, indicator.grain)
        facts = facts.assign(
            period_start=pd.to_datetime(facts["period_start"]),
            unit_id=facts["unit_id"].astype(str),
            numerator=facts["numerator"] if indicator.kind == "share" else facts["value"],
        )
        windows = series._windows(facts, indicator, today)
        yield indicator, facts, windows
        if indicator.kind == "share":
            yield indicator, facts.assign(numerator=facts["denominator"] - facts["numerator"]), windows


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_cells_counted_are_the_cells_grouped(demo_board, partnership):
    """hierarchy._cells_counted (whole-number counts summed by np.bincount) gives the cells,
    in order, and the windows' periods that the pandas grouping (_cells_grouped) gives, for
    every protected cube of the demo store; build_cube takes it only for whole numbers."""
    from analytics import hierarchy

    cells = 0
    for indicator, facts, windows in _cube_inputs(demo_board, partnership):
        frame = facts[["unit_id", "period_start", "numerator"]].copy()
        frame["numerator"] = pd.to_numeric(frame["numerator"], errors="coerce").fillna(0.0)
        levels = list(grain_chain(indicator.grain))
        counted = hierarchy._cells_counted(frame, levels, windows)
        grouped = hierarchy._cells_grouped(frame, levels, windows)
        for mine, theirs in zip(counted[:4], grouped[:4], strict=True):
            assert mine.dtype == theirs.dtype
            assert np.array_equal(mine, theirs), indicator.id
        assert counted[4] == grouped[4]
        cells += len(counted[0])
    assert cells > 1000


def test_build_cube_with_a_fraction_groups_as_before():
    """A count that is not a whole number is summed by the pandas grouping (_cells_grouped, its
    compensated sums), and the whole-number path gives the same cube for whole numbers."""
    from analytics import hierarchy

    starts = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"] * 2)
    rows = pd.DataFrame(
        {"unit_id": ["a"] * 4 + ["b"] * 4, "period_start": starts, "numerator": [3.0, 7, 2, 9, 4, 1, 8, 6]}
    )
    window = {hierarchy.FUNNEL: list(starts[1:4])}
    whole = hierarchy.build_cube(rows, "month", 5, window)
    grouped = hierarchy._cells_grouped(rows, ["month", "quarter", "year"], window)
    assert np.array_equal(whole.values, grouped[3]) and np.array_equal(whole.scopes, grouped[0])
    assert whole.hidden.any()
    fraction = rows.assign(numerator=rows["numerator"] + 0.1)
    cube = hierarchy.build_cube(fraction, "month", 5, window)
    expected = hierarchy._cells_grouped(fraction, ["month", "quarter", "year"], window)
    assert np.array_equal(cube.values, expected[3])


def test_known_cells_many_gives_each_read_as_known_cells_alone(demo_board):
    store = demo_board.store
    asked = [(i.id, g) for i in _observed(demo_board) for g in ("month", "quarter", "year")]
    members = list(partnership_scope(demo_board, PARTNERSHIP).unit_ids)
    compared = empty = 0
    for units in (members[:1], members, ["0000"]):
        together = store.known_cells_many(asked, units)
        assert len(together) == len(asked)
        for (indicator, grain), frame in zip(asked, together, strict=True):
            alone = store.known_cells(indicator, units, grain)
            pd.testing.assert_frame_equal(frame, alone, check_exact=True)
            compared += len(alone)
            empty += alone.empty
    assert compared > 1000 and empty > 10
    assert store.known_cells_many([], members) == []


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_cubes_for_keeps_the_cubes_cube_for_builds(demo_board, partnership):
    """series.cubes_for (the cells of every cube read together) keeps, per indicator, the cube
    cube_for builds alone: the same cells, values, lines and mask."""
    import datetime as dt

    from analytics import series

    today = dt.date(2026, 11, 30)
    indicators = _observed(demo_board)
    unit = sorted(partnership_scope(demo_board, partnership).unit_ids)[0]
    datacache.clear()
    alone = {i.id: series.cube_for(demo_board, i, [unit], today) for i in indicators}
    datacache.clear()
    series.cubes_for(demo_board, indicators, [unit], today)
    key = datacache.board_key(demo_board)
    kept = {i.id: datacache.peek(key, ("cube", i.id, partnership, today)) for i in indicators}
    assert {i for i, c in alone.items() if c is not None} == {i for i, c in kept.items() if c is not None}
    cells = 0
    for indicator_id, cube in alone.items():
        if cube is None:
            continue
        mine = kept[indicator_id]
        for name in ("scopes", "levels", "starts", "values", "primary", "hidden"):
            assert np.array_equal(getattr(mine, name), getattr(cube, name)), (indicator_id, name)
        for name in ("totals", "starts", "parts"):
            assert np.array_equal(getattr(mine.lines, name), getattr(cube.lines, name))
        assert mine.windows == cube.windows and mine.native == cube.native
        cells += len(cube.values)
    assert cells > 1000


def test_judged_at_own_grain_is_the_count_of_whole_periods(demo_board):
    """series.judged_at_own_grain (asked before a unit's cube is built with the others) says
    what own_rows' check said: yearly data, or at least MIN_PERIODS complete periods."""
    from analytics import series

    members = sorted(partnership_scope(demo_board, PARTNERSHIP).unit_ids)
    indicators = _observed(demo_board)
    answers = set()
    for unit in members[:6]:
        for indicator, facts in zip(
            indicators, series.read_series_many(demo_board, indicators, [unit]), strict=True
        ):
            own = facts[facts["grain"] == indicator.grain]
            complete = own.loc[~own["partial"].astype(bool), "period_start"].nunique()
            expected = indicator.grain == "year" or complete >= series.MIN_PERIODS
            assert series.judged_at_own_grain(indicator, facts) == expected, (unit, indicator.id)
            answers.add((indicator.grain == "year", expected))
    assert {(False, True), (False, False), (True, True)} <= answers


def test_indicators_with_values_are_the_catalogues_with_values(demo_board):
    """Store.indicators_with_values (Kommune's «ikke i planen» rows ask it cold) names the
    indicators whose indicator_catalogue row has values, for any set of units, both backends."""
    store = demo_board.store
    units = demo_board.units
    sets = [list(partnership_scope(demo_board, p).unit_ids) for p in ("ahus", "lovesa")] + [
        units["unit_id"].astype(str).tolist(),
        sorted(partnership_scope(demo_board, "ahus").unit_ids)[:1],
        ["0000"],
    ]
    seen = set()
    for unit_ids in sets:
        catalogue = store.indicator_catalogue(unit_ids)
        expected = sorted(catalogue.loc[catalogue["n_values"] > 0, "indicator"].astype(str))
        assert store.indicators_with_values(unit_ids) == expected
        seen.add(len(expected))
    assert 0 in seen and len(seen) >= 3


@pytest.mark.parametrize("member", [0, 5])
def test_get_many_gives_each_sets_rows_as_get(demo_board, member):
    """_Rows.get_many (Kommune's population groups, read together) keeps, per indicator, the
    rows get keeps one at a time: rows, notes, file totals, cube; for one unit and for a set."""
    units = sorted(partnership_scope(demo_board, PARTNERSHIP).unit_ids)
    indicators = _observed(demo_board)
    shown = 0
    for scope in ((units[member],), tuple(units[member : member + 3])):
        datacache.clear()
        rows = _Rows(demo_board)
        each = {i.id: rows.get(i, scope) for i in indicators}
        datacache.clear()
        rows = _Rows(demo_board)
        rows.get_many(indicators, scope)
        for indicator in indicators:
            mine, alone = rows.get(indicator, scope), each[indicator.id]
            pd.testing.assert_frame_equal(mine.rows, alone.rows, check_exact=True)
            assert (mine.population_note, mine.grain_note) == (alone.population_note, alone.grain_note)
            assert mine.indicator == alone.indicator
            assert (mine.totals is None) == (alone.totals is None)
            if alone.totals is not None:
                pd.testing.assert_frame_equal(mine.totals, alone.totals, check_exact=True)
            assert (mine.cube is None) == (alone.cube is None)
            shown += len(alone.rows)
    assert shown > 500


def test_unique_ints_is_np_unique():
    """hierarchy._unique_ints (the cube's months and unit × period keys, without a sort) gives
    np.unique's uniques and inverse: small and wide spans, negative values, repeats, empty."""
    from analytics import hierarchy

    rng = np.random.default_rng(14)
    cases = [
        rng.integers(-30, 30, 500),
        rng.integers(0, 10**12, 50),  # too wide a span: np.unique itself
        np.repeat(np.arange(660, 780), 357),
        np.array([5]),
        np.array([], dtype=np.int64),
    ]
    for values in cases:
        uniques, inverse = hierarchy._unique_ints(values)
        expected, expected_inverse = np.unique(np.asarray(values, dtype=np.int64), return_inverse=True)
        assert uniques.dtype == expected.dtype and np.array_equal(uniques, expected)
        assert np.array_equal(inverse, expected_inverse)
        assert np.array_equal(uniques[inverse], values)


def _latest_end_by_frames(series: pd.DataFrame, months: int):
    """series.latest_end as it was written on frames (kommune3's reference)."""
    from analytics.series import covered_months

    usable = series[series["value"].notna() & ~series["partial"]]
    if usable.empty:
        return None
    ends = pd.to_datetime(usable["period_end"])
    if months <= 0 or covered_months(usable.iloc[[-1]]) >= months:
        return pd.Timestamp(ends.iloc[-1])
    short = series["short"].astype(bool) if "short" in series else pd.Series(False, index=series.index)
    short_at = pd.to_datetime(series.loc[short, "period_start"]).to_numpy()
    first = pd.to_datetime(series["period_start"]).min()
    for end in reversed(ends.tolist()):
        start = (end + pd.Timedelta(days=1)) - pd.DateOffset(months=months)
        if start < first:
            return None
        inside = series[(series["period_start"] >= start) & (series["period_end"] <= end)]
        if covered_months(inside) < months:
            continue
        if not ((short_at >= start.to_datetime64()) & (short_at <= end.to_datetime64())).any():
            return pd.Timestamp(end)
    return None


def test_latest_end_on_arrays_is_latest_end_on_frames(demo_board):
    """series.latest_end (the windows tried on arrays, not a frame per window) gives the end
    the frame-by-frame search gave, for every indicator's series of the demo partnerships and
    of single members, with gaps, short periods and holes cut in."""
    import datetime as dt

    from analytics.series import judged_series, latest_end

    today = dt.date(2026, 11, 30)
    found = set()
    for partnership in ("ahus", "lovesa"):
        units = sorted(partnership_scope(demo_board, partnership).unit_ids)
        rows = _Rows(demo_board)
        for indicator in _observed(demo_board):
            for scope in (tuple(units), (units[0],), (units[-1],)):
                series = judged_series(rows.get(indicator, scope), today=today)
                holed = series.drop(index=series.index[len(series) // 3 :: 7])
                for frame in (series, holed, series.iloc[: len(series) // 2]):
                    for months in (0, 12, 24):
                        expected = _latest_end_by_frames(frame, months)
                        assert latest_end(frame, months) == expected, (indicator.id, scope, months)
                        found.add(expected is None)
    assert found == {True, False}


def test_pairs_population_note_is_attach_populations_note_kept_per_pairs():
    """series.pairs_population_note gives attach_population's note for each set of (unit, year)
    pairs, asked again with the same pairs (in any order) from what it kept, and never another
    set's note from the same key."""
    from analytics.population import PROJECTED, REGISTERED
    from analytics.series import attach_population, pairs_population_note

    population = pd.DataFrame(
        {
            "unit_id": ["a", "a", "a", "b", "b"],
            "year": [2024, 2025, 2026, 2024, 2025],
            "value": [100.0, 110.0, 120.0, 50.0, 55.0],
            "kind": [REGISTERED, REGISTERED, PROJECTED, REGISTERED, REGISTERED],
        }
    )

    def pairs(items: list[tuple[str, int]]) -> pd.DataFrame:
        starts = pd.to_datetime([f"{year}-03-01" for _, year in items])
        return pd.DataFrame(
            {
                "unit_id": [unit for unit, _ in items],
                "period_start": starts,
                "period_end": starts + pd.offsets.MonthEnd(0),
            }
        )

    sets = [
        [("a", 2024), ("a", 2025), ("b", 2024), ("b", 2025)],  # no note
        [("a", 2025), ("a", 2026), ("b", 2025), ("b", 2026)],  # projected 2026, b's 2026 carried
        [("b", 2026), ("a", 2026)],
        [("a", 2023), ("b", 2024)],  # an earlier year carried from the oldest
    ]
    kept: dict = {}
    notes = [pairs_population_note(pairs(items), population, kept, ("pop", ("a", "b"))) for items in sets]
    assert notes == [attach_population(pairs(items), population)[1] for items in sets]
    assert notes[0] is None and notes[1] is not None and notes[1] != notes[3]
    again = pairs_population_note(pairs(list(reversed(sets[1]))), population, kept, ("pop", ("a", "b")))
    assert again == notes[1] and len(kept) == len(sets)  # asked again: from what was kept
