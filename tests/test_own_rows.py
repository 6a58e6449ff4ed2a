"""Kommune's first view reads a municipality's rows alone where that is exactly what cutting
them from its partnership's rows gives (series.own_rows, evaluate._Rows.load_own)."""

from __future__ import annotations

import pandas as pd

from analytics import config, datacache
from analytics.evaluate import _Rows, partnership_scope
from analytics.indicator_view import _compared_indicators, municipality_view
from analytics.series import load_rows, own_rows, rated


def test_own_rows_are_the_cut_of_the_partnerships_rows_or_none(demo_board) -> None:
    whole = partnership_scope(demo_board, "ahus")
    served = refused = 0
    for indicator in _compared_indicators(demo_board, "ahus"):
        wide = load_rows(demo_board, indicator, whole.unit_ids)
        for unit in ("3205", "3242", "0301"):
            own = own_rows(demo_board, indicator, unit)
            if own is None:
                refused += 1
                continue
            served += 1
            assert not rated(indicator)  # a rated count's estimates pool every unit's rate
            cut = wide.rows[wide.rows["unit_id"] == unit].reset_index(drop=True)
            pd.testing.assert_frame_equal(own.rows, cut, check_exact=True)
            assert (own.indicator, own.totals, own.population_note, own.grain_note) == (
                indicator,
                None,
                None,
                None,
            )
            assert own.cube is wide.cube
    assert served and refused  # both ways are taken on the demo plan


def test_the_first_view_reads_no_partnership_rows_where_own_rows_serve(demo_board, monkeypatch) -> None:
    monkeypatch.setattr(config, "DEFER_PARTNERSHIP_FROM", 1)
    datacache.clear()
    view = municipality_view(demo_board, "ahus", "3205", wait=False)
    assert view.pending
    whole = tuple(sorted(set(partnership_scope(demo_board, "ahus").unit_ids)))
    key = _Rows(demo_board).key
    alone = [
        i for i in _compared_indicators(demo_board, "ahus") if own_rows(demo_board, i, "3205") is not None
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
