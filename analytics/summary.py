"""The icons-only summary for a meeting: one row per measure, fit for one screen."""

from __future__ import annotations

import pandas as pd

from analytics.evaluate import PlanStatus
from analytics.plan import Plan
from analytics.status import STATUS_STYLE

COLUMNS = ["Tiltak", "Status", "Variasjon", "Mål", "Indikator"]


def icon_summary(plan: Plan, status: PlanStatus) -> pd.DataFrame:
    """Measure, the SPC variation and assurance icons (with words) and the status.

    The icons are those of the criterion that sets the measure's status (or the first
    criterion with a series); measures judged only by milestones show a dash.
    """
    rows = []
    for measure in plan.leaf_measures:
        state = status.measures[measure.id]
        found = status.measure_icons(measure)
        rows.append(
            {
                "Tiltak": measure.title,  # the board's short title; the plan's text is measure.text
                "Indikator": found.indicator if found else "–",
                # Measures judged by milestones only have no series: a plain dash.
                "Variasjon": found.variation_text if found else "–",
                "Mål": found.assurance_text if found else "–",
                "Status": f"{STATUS_STYLE[state][0]} {state.value}",
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
