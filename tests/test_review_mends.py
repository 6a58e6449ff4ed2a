"""The review's «noted, not mended» items (issue 14): one rule where there were two, and the
verdict faults found beside them. Each test pins the shared behaviour or the mended verdict."""

from __future__ import annotations

import datetime as dt

from analytics import evaluate as E
from analytics import indicator_view as IV
from analytics.plan import Criterion, Target

TODAY = dt.date(2026, 11, 30)


def test_the_judged_part_carries_the_direction_its_status_and_chart_are_judged_in(demo_board):
    """A neutral indicator (registered falls) with a target «lavere enn 80» is judged downwards,
    a trend on it in no direction; the part says which once (evaluate._numeric_part), and the
    indicator page's chart draws its SPC in that direction (it worked the direction out again,
    beside the verdict's)."""
    plan = demo_board.plan("ahus")
    measure = plan.measure("m11")
    target = Criterion(
        id="m11-falls-under-80",
        text="Registrerte fall",
        kind="target",
        indicators=["falls_registered"],
        target=Target(value=80.0, direction="decrease", basis="test"),
    )
    trend = Criterion(id="m11-falls-trend", text="Fall", kind="trend", indicators=["falls_registered"])
    result = E.evaluate_criterion(demo_board, plan, measure, target, today=TODAY)
    part = result.parts[0]
    assert part.direction == "decrease"
    followed = E.evaluate_criterion(demo_board, plan, measure, trend, today=TODAY)
    assert followed.parts[0].direction == "neutral"
    indicator = part.indicator
    spc, _ = IV._display_spc(
        demo_board, plan, [result], part, indicator, part.series, indicator.grain, part.target
    )
    assert part.spc.assurance is not None
    assert spc.assurance == part.spc.assurance
    assert spc.points["point_type"].tolist() == part.spc.points["point_type"].tolist()
