"""Gather the evidence for each criterion of a plan from the store, then judge and roll up.

The rules live in analytics.status; this module only fetches numbers (through the Store)
and turns them into Evidence. Series are judged at the partnership level over the
partnership's own units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.board import Board
from analytics.periods import period_label
from analytics.plan import Criterion, Measure, Plan
from analytics.projection import project_to_deadline
from analytics.spc import xmr
from analytics.status import Evidence, Judgement, Status, judge, roll_up

VARIATION_TEXT = {
    "common_cause": "vanlig variasjon (ingen spesiell årsak)",
    "improvement_high": "forbedring (spesiell årsak, høy)",
    "improvement_low": "forbedring (spesiell årsak, lav)",
    "concern_high": "bekymring (spesiell årsak, høy)",
    "concern_low": "bekymring (spesiell årsak, lav)",
    "neutral_high": "spesiell årsak, høy (ingen retning)",
    "neutral_low": "spesiell årsak, lav (ingen retning)",
}


@dataclass
class PlanStatus:
    partnership: str
    criteria: dict[str, Judgement] = field(default_factory=dict)
    measures: dict[str, Status] = field(default_factory=dict)
    goals: dict[str, Status] = field(default_factory=dict)
    target_groups: dict[str, Status] = field(default_factory=dict)
    focus_areas: dict[str, Status] = field(default_factory=dict)
    variation: dict[str, str | None] = field(default_factory=dict)  # measure id → SPC icon key
    assurance: dict[str, str | None] = field(default_factory=dict)

    def measure_reason(self, plan: Plan, measure: Measure) -> str:
        reasons = [self.criteria[c.id].reason for c in measure.criteria if c.id in self.criteria]
        worst = self.measures.get(measure.id)
        for criterion in measure.criteria:
            judgement = self.criteria.get(criterion.id)
            if judgement and judgement.status == worst:
                return judgement.reason
        return reasons[0] if reasons else ""


def scope_units(board: Board, partnership: str) -> list[str]:
    """Every unit id a partnership's facts may sit on: members, its regions, itself."""
    regions = board.regions(partnership)["unit_id"].tolist()
    return [*board.member_ids(partnership), *regions, partnership]


def indicator_series(
    board: Board, indicator_id: str, partnership: str, grain: str | None = None
) -> pd.DataFrame:
    indicator = board.registry.get(indicator_id)
    return board.store.series(
        indicator_id, scope_units(board, partnership), indicator.kind, grain or indicator.grain
    )


def _target_value(board: Board, partnership: str, criterion: Criterion, series: pd.DataFrame) -> float | None:
    target = criterion.target
    if target is None:
        indicator = board.registry.get(criterion.indicator)
        return indicator.target
    if target.all_members:
        units = board.member_units(partnership)
        return float((units["kind"] == "municipality").sum())
    if target.value is not None:
        return target.value
    if target.relative_change is not None and not series.empty:
        year = criterion.baseline_year or pd.Timestamp(series["period_start"].iloc[0]).year
        base = series[pd.to_datetime(series["period_start"]).dt.year == year]["value"]
        if base.notna().any():
            return float(base.mean() * (1 + target.relative_change))
    return None


def _evidence(
    board: Board, plan: Plan, measure: Measure, criterion: Criterion, today: dt.date, milestones: pd.DataFrame
) -> tuple[Evidence, str | None, str | None]:
    """Evidence plus the SPC variation and assurance keys (for the icons-only summary)."""
    kind = criterion.kind.value
    if kind == "milestone":
        row = milestones[milestones["criterion_id"] == criterion.id]
        if row.empty:
            return Evidence(), None, None
        done = row["done_date"].iloc[0]
        return (
            Evidence(
                milestone_state=str(row["status"].iloc[0]),
                milestone_done=pd.Timestamp(done).date() if pd.notna(done) else None,
            ),
            None,
            None,
        )
    if not criterion.indicators:
        return Evidence(), None, None
    indicator = board.registry.get(criterion.indicator)
    series = indicator_series(board, indicator.id, plan.id)
    series = series[series["value"].notna()]
    if series.empty:
        return Evidence(), None, None
    latest = float(series["value"].iloc[-1])
    latest_period = period_label(pd.Timestamp(series["period_start"].iloc[-1]).date(), indicator.grain)
    due = plan.effective_deadline(measure).due_date if plan.effective_deadline(measure) else None
    if kind == "before_after":
        other = (
            indicator_series(board, criterion.indicators[1], plan.id)
            if len(criterion.indicators) > 1
            else None
        )
        if other is None or other["value"].notna().sum() == 0:
            return Evidence(after=latest), None, None
        merged = series.merge(other, on="period_start", suffixes=("_after", "_before")).dropna(
            subset=["value_after", "value_before"]
        )
        if merged.empty:
            return Evidence(after=latest), None, None
        last = merged.iloc[-1]
        return (
            Evidence(
                after=float(last["value_after"]),
                before=float(last["value_before"]),
                lower_is_better=indicator.direction == "decrease",
            ),
            None,
            None,
        )
    if kind == "coverage":
        last_start = series["period_start"].iloc[-1]
        per_unit = board.store.facts([indicator.id], scope_units(board, plan.id))
        per_unit = per_unit[per_unit["period_start"] == last_start]
        kinds = board.units.set_index("unit_id")["kind"]
        unit_kind = (
            kinds.get(per_unit["unit_id"].iloc[0], "municipality") if len(per_unit) else "municipality"
        )
        in_scope = int((board.units[board.units["partnership"] == plan.id]["kind"] == unit_kind).sum())
        with_it = int((per_unit["value"].fillna(0) >= 1).sum())
        return (
            Evidence(
                latest=latest, units_with=with_it, units_in_scope=in_scope, target_text="Enheter med tiltaket"
            ),
            None,
            None,
        )
    target = _target_value(board, plan.id, criterion, series)
    periods = [pd.Timestamp(p).date() for p in series["period_start"]]
    values = series["value"].astype(float).tolist()
    spc = xmr(values, improvement=indicator.direction, target=target if kind == "target" else None)
    variation, assurance = spc.variation, spc.assurance
    if kind == "target":
        projection = None
        if target is not None and due is not None:
            projection = project_to_deadline(periods, values, due, target, indicator.direction)
        return (
            Evidence(
                latest=latest,
                latest_period=latest_period,
                target=target,
                target_text=indicator.name,
                projected_in_time=projection.reaches_target if projection else None,
                projection_text=projection.reason if projection else None,
                lower_is_better=indicator.direction == "decrease",
            ),
            variation,
            assurance,
        )
    # trend: SPC says whether the change is more than common-cause variation.
    text = _trend_text(indicator.name, series, indicator.grain, variation, spc.message)
    return (
        Evidence(
            latest=latest,
            latest_period=latest_period,
            improving=variation in ("improvement_high", "improvement_low"),
            worsening=variation in ("concern_high", "concern_low"),
            trend_text=text,
            lower_is_better=indicator.direction == "decrease",
        ),
        variation,
        assurance,
    )


def _trend_text(
    name: str, series: pd.DataFrame, grain: str, variation: str | None, message: str | None
) -> str:
    per_year = {"month": 12, "quarter": 4, "year": 1}[grain]
    values = series["value"].astype(float).to_numpy()
    parts = [name]
    if len(values) >= 2 * per_year:
        recent, before = np.nansum(values[-per_year:]), np.nansum(values[-2 * per_year : -per_year])
        if per_year > 1:
            parts.append(f"siste 12 mnd {recent:,.0f} (12 mnd før: {before:,.0f})".replace(",", "\u00a0"))
    if message:
        parts.append(message)
    elif variation:
        parts.append(f"SPC: {VARIATION_TEXT.get(variation, variation)}")
    return ": ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if len(parts) > 2 else "") + "."


def evaluate_plan(board: Board, partnership: str, today: dt.date | None = None) -> PlanStatus:
    today = today or dt.date.today()
    plan = board.plan(partnership)
    result = PlanStatus(partnership)
    milestones = board.store.milestone_states(partnership)
    for measure in plan.measures:
        statuses = []
        for criterion in measure.criteria:
            evidence, variation, assurance = _evidence(board, plan, measure, criterion, today, milestones)
            deadline = plan.effective_deadline(measure)
            judgement = judge(criterion.kind.value, evidence, deadline.due_date if deadline else None, today)
            result.criteria[criterion.id] = judgement
            statuses.append(judgement.status)
            if variation and measure.id not in result.variation:
                result.variation[measure.id] = variation
                result.assurance[measure.id] = assurance
        result.measures[measure.id] = roll_up(statuses)
    children: dict[str, list[Status]] = {}
    for measure in plan.measures:
        if measure.parent:
            children.setdefault(measure.parent, []).append(result.measures[measure.id])
    for parent, statuses in children.items():
        result.measures[parent] = roll_up(statuses)
    leaves = plan.leaf_measures
    for group in plan.target_groups:
        result.target_groups[group.id] = roll_up(
            [result.measures[m.id] for m in leaves if m.target_group == group.id]
        )
    for goal in plan.goals:
        result.goals[goal.id] = roll_up([result.measures[m.id] for m in leaves if m.goal == goal.id])
    for area in plan.focus_areas:
        goal_ids = {g.id for g in plan.goals if area.id in g.focus_areas}
        parts = [result.measures[m.id] for m in leaves if m.goal in goal_ids or m.focus_area == area.id]
        result.focus_areas[area.id] = roll_up(parts)
    return result
