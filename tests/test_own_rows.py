"""Kommune's first view reads a municipality's rows alone where that is exactly what cutting
them from its partnership's rows gives (series.own_rows, evaluate._Rows.load_own)."""

from __future__ import annotations

import pandas as pd

from analytics import config, datacache, series
from analytics.evaluate import _Rows, partnership_scope
from analytics.indicator_view import _compared_indicators, municipality_view
from analytics.series import load_rows, own_rows, rated


def _as_rows_give(board, indicator, unit, whole) -> object:
    """What evaluate._Rows gives for one unit once the partnership's rows are loaded."""
    rows = _Rows(board)
    rows.load_all(indicator, whole.unit_ids)
    return rows.get(indicator, (unit,))


def _assert_same(own, want) -> None:
    pd.testing.assert_frame_equal(own.rows, want.rows, check_exact=True)
    assert (own.indicator, own.totals, own.population_note, own.grain_note) == (
        want.indicator,
        want.totals,
        want.population_note,
        want.grain_note,
    )
    assert own.cube is want.cube


def test_own_rows_are_what_the_partnerships_rows_give_or_none(demo_board) -> None:
    whole = partnership_scope(demo_board, "ahus")
    served = refused = served_rated = 0
    for indicator in _compared_indicators(demo_board, "ahus"):
        for unit in ("3205", "3242", "0301"):
            own = own_rows(demo_board, indicator, unit, units=whole.unit_ids)
            if own is None:
                refused += 1
                continue
            served += 1
            served_rated += rated(indicator)
            _assert_same(own, _as_rows_give(demo_board, indicator, unit, whole))
    assert served and refused and served_rated  # every way is taken on the demo plan


def test_a_rated_counts_own_rows_carry_the_partnerships_pooled_estimates(demo_board, monkeypatch) -> None:
    """Where the partnership's rows carry no population note, a rated count's hidden cells are
    estimated at the rate pooled over every member (series._rated_own): the same numbers as the
    cut of the partnership's rows, bit for bit. (The demo's rows all carry a note, the projected
    year, so the note is left out here, for the partnership's rows and the unit's alike.)"""
    attach = series.attach_population
    monkeypatch.setattr(series, "attach_population", lambda facts, pop: (attach(facts, pop)[0], None))
    datacache.clear()
    whole = partnership_scope(demo_board, "ahus")
    pooled = 0
    for indicator in _compared_indicators(demo_board, "ahus"):
        if not rated(indicator):
            continue
        for unit in ("3205", "3242", "3228"):
            own = own_rows(demo_board, indicator, unit, units=whole.unit_ids)
            alone = load_rows(demo_board, indicator, [unit])
            want = _as_rows_give(demo_board, indicator, unit, whole)
            _assert_same(own, want)
            pooled += not own.rows["estimate"].equals(alone.rows["estimate"])
    assert pooled  # some hidden cell's estimate is the partnership's, not the unit's alone
    datacache.clear()


def test_rated_own_rows_are_not_served_without_the_partnerships_units(demo_board) -> None:
    indicator = next(i for i in _compared_indicators(demo_board, "ahus") if rated(i))
    assert own_rows(demo_board, indicator, "3205") is None


def test_the_first_view_reads_no_partnership_rows_where_own_rows_serve(demo_board, monkeypatch) -> None:
    monkeypatch.setattr(config, "DEFER_PARTNERSHIP_FROM", 1)
    datacache.clear()
    view = municipality_view(demo_board, "ahus", "3205", wait=False)
    assert view.pending
    whole = tuple(sorted(set(partnership_scope(demo_board, "ahus").unit_ids)))
    key = _Rows(demo_board).key
    alone = [
        i
        for i in _compared_indicators(demo_board, "ahus")
        if own_rows(demo_board, i, "3205", units=partnership_scope(demo_board, "ahus").unit_ids) is not None
    ]
    assert alone
    for indicator in alone:
        fingerprint = datacache.fingerprint(indicator)
        assert datacache.peek(key, ("rows", fingerprint, ("3205",))) is not None
        assert datacache.peek(key, ("rows", fingerprint, whole)) is None
    # the waiting view's own columns are the full view's (its rows read the other way)
    datacache.clear()
    full = municipality_view(demo_board, "ahus", "3205")
    own_columns = ["Kriterium", "Status i kommunen", "Kommunen", "Periode", "Begrunnelse (kommunen)"]
    pd.testing.assert_frame_equal(view.table[own_columns], full.table[own_columns])
    assert view.population.equals(full.population)
