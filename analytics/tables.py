"""Plan and status as tables ready to show: plain pandas, Norwegian column names."""

from __future__ import annotations

import pandas as pd

from analytics.evaluate import PlanStatus
from analytics.plan import KIND_LABELS, Measure, Plan
from analytics.registry import Registry
from analytics.status import SEVERITY, STATUS_STYLE, Status


def status_label(status: Status) -> str:
    return f"{STATUS_STYLE[status][0]} {status.value}"


def priority_text(plan: Plan, measure: Measure) -> str:
    if measure.priority is not None:
        return str(measure.priority)
    inherited = plan.effective_priority(measure)
    if inherited is not None:
        return f"{inherited} (overordnet)"
    return "Ikke angitt"


def measure_table(plan: Plan, status: PlanStatus) -> pd.DataFrame:
    """One row per leaf measure, in plan order: «Tiltak» is the board's short title,
    «Tiltakstekst» the plan's words (with the parent's lead-in)."""
    rows = []
    for measure in plan.leaf_measures:
        parent = plan.parent_of(measure)
        deadline = plan.effective_deadline(measure)
        rows.append(
            {
                "id": measure.id,
                "Tiltak": measure.title,  # the board's short title
                "Status": status_label(status.measures[measure.id]),
                "Målgruppe": plan.target_group(measure.target_group).name,
                "Prioritet": priority_text(plan, measure),
                "Ansvarlig": ", ".join(measure.responsible or (parent.responsible if parent else [])),
                "Frist": deadline.text if deadline else "",
                "Kriterier": len(measure.criteria),
                "Mål": plan.goal(measure.goal).text,
                "Tiltakstekst": f"{parent.text} {measure.text}" if parent else measure.text,
            }
        )
    return pd.DataFrame(rows)


def criteria_table(plan: Plan, measure: Measure, status: PlanStatus, registry: Registry) -> pd.DataFrame:
    rows = []
    for criterion in measure.criteria:
        judgement = status.criteria[criterion.id]
        indicator = registry.get(criterion.indicator).name if criterion.indicator else ""
        text = f"{criterion.heading}: {criterion.text}" if criterion.heading else criterion.text
        rows.append(
            {
                "Kriterium": ("Forslag: " if criterion.proposed else "") + criterion.title,
                "Status": judgement.label,
                "Type": KIND_LABELS[criterion.kind],
                "Indikator": indicator,
                "Begrunnelse": judgement.reason,
                "Mål": criterion.target.basis if criterion.target else "",
                "Kriteriets tekst": text,
            }
        )
    return pd.DataFrame(rows)


def status_counts(plan: Plan, status: PlanStatus) -> dict[Status, int]:
    """Leaf measures by status, in severity order (Følges last)."""
    counts = {s: 0 for s in [*SEVERITY, Status.monitored]}
    for measure in plan.leaf_measures:
        counts[status.measures[measure.id]] += 1
    return counts
