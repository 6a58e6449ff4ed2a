"""Kommune's cold view reads a municipality's indicators together (kommune3): each batched read
gives, item for item, what the reads one at a time give, on the demo store and both backends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import datacache
from analytics.evaluate import _Rows, partnership_scope

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
