"""The icons-only summary for a meeting: one row per measure, fit for one screen."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import clock, formatting
from analytics.evaluate import PlanStatus
from analytics.plan import Criterion, CriterionKind, Measure, Plan
from analytics.status import STATUS_STYLE

COLUMNS = ["Tiltak", "Status", "Variasjon", "Mål", "Indikator"]


def period_end(plan: Plan) -> dt.date:
    """The last day of the plan's period (31 December of its last year)."""
    return dt.date(int(plan.partnership.period_end), 12, 31)


def period_ended(plan: Plan, today: dt.date | None = None) -> bool:
    """Whether the plan's period is over (today after its last day)."""
    return (today or clock.today()) > period_end(plan)


def icon_summary(plan: Plan, status: PlanStatus, at_end: PlanStatus | None = None) -> pd.DataFrame:
    """Measure, the SPC variation and assurance icons (with words) and the status.

    The icons are those of the criterion that sets the measure's status (or the first
    criterion with a series); measures judged only by milestones show a dash. `at_end`: the
    plan's status at the end of its period (evaluate_plan(as_of=period_end)); when given, a
    column «Status <date>» beside «Status» shows what was reached by the deadline.
    """
    rows = []
    for measure in plan.leaf_measures:
        state = status.measures[measure.id]
        deciding = _milestone_deciding(measure, status)
        found = None if deciding else status.measure_icons(measure)
        rows.append(
            {
                "Tiltak": measure.title,  # the board's short title; the plan's text is measure.text
                # A status set by a milestone names it: an indicator's icons beside it would
                # show a series that is on track next to «Forsinket».
                "Indikator": f"Milepæl: {deciding.title}" if deciding else found.indicator if found else "–",
                # Measures judged by milestones only have no series: a plain dash.
                "Variasjon": found.variation_text if found else "–",
                "Mål": found.assurance_text if found else "–",
                "Status": f"{STATUS_STYLE[state][0]} {state.value}",
            }
        )
        if at_end is not None:
            then = at_end.measures[measure.id]
            rows[-1][end_column(plan)] = f"{STATUS_STYLE[then][0]} {then.value}"
    columns = [*COLUMNS[:2], end_column(plan), *COLUMNS[2:]] if at_end is not None else COLUMNS
    return pd.DataFrame(rows, columns=columns)


def _milestone_deciding(measure: Measure, status: PlanStatus) -> Criterion | None:
    """The milestone criterion that sets the measure's status when no measured one does, else None."""
    worst = status.measures[measure.id]
    deciding = [
        c for c in measure.criteria if c.id in status.criteria and status.criteria[c.id].status == worst
    ]
    if deciding and all(c.kind is CriterionKind.milestone for c in deciding):
        return deciding[0]
    return None


def end_column(plan: Plan) -> str:
    """The heading of the status-at-the-deadline column: «Status 31.12.2025»."""
    return f"Status {formatting.date(period_end(plan))}"
