"""The simulation report behind `make bench` runs and gives sane figures (few simulations)."""

from __future__ import annotations

import pytest

from analytics import bench_stats

pytestmark = pytest.mark.backend_free


def test_report_prints_every_level_and_chart_with_sane_rates() -> None:
    rows = bench_stats.simulate(30, seed=1)
    text = bench_stats.report(rows, 30)
    assert "30 simulations" in text and "rule set mdc2023" in text
    assert {(r.chart, r.level) for r in rows} == {
        (c, lv) for c in ("xmr", "xmr_baseline", "u", "t") for lv in bench_stats.LEVELS
    }
    for r in rows:
        for value in (r.power_newest, r.power_any, r.false_newest, r.false_any):
            assert value is None or 0.0 <= value <= 1.0
        if r.power_newest is not None:
            assert r.power_newest <= r.power_any and r.false_newest <= r.false_any
    by = {(r.chart, r.level): r for r in rows}
    # At 30 events a month a stable process rarely flags its newest point ...
    assert by[("xmr", 30.0)].false_newest < 0.2
    # ... and a 21 % fall is found in the last 12 months more often than a false signal.
    assert by[("xmr_baseline", 30.0)].power_any > by[("xmr_baseline", 30.0)].false_any
    # The t chart is for rare events only, and is seldom drawable from about 7 baseline events.
    assert by[("t", 30.0)].power_newest is None
    assert by[("t", 0.3)].power_any <= 0.2
    for level in bench_stats.LEVELS:
        assert f"{level:>10g} xmr" in text
