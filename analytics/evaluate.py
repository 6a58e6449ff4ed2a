"""Gather the evidence for each criterion of a plan from the store, then judge and roll up.

The rule lives in analytics.status; this module only turns numbers into Evidence:

* Series come from analytics.series: counts with a population group are judged as rates
  per 1 000 per year (person-time, so months and a year in progress are comparable), never
  as raw counts; shares as Σ numerators / Σ denominators; stocks as the sum of each unit's
  last value.
* SPC (analytics.spc, XmR with limits from every point of the series) gives the variation
  icon of the newest point and, for a target, the assurance icon.
* Projection (analytics.projection): a straight least-squares line through the last
  12 points with a value (3 years of quarters, 1 year of months), x = the end of each
  period, extended to the deadline with an 80 % prediction interval. Counts of
  municipalities are clipped to 0 … the number of member municipalities. A rollout with
  a «Fortløpende» deadline is «på sporet» when the line reaches all members within
  ``ROLLOUT_HORIZON_YEARS`` years of the newest figure.
* Targets: ``all_members`` = the partnership's municipalities (districts are not counted);
  ``min_increase`` = the value at the end of the baseline year + N (the first figure when
  the baseline year has none, which the reason says); ``relative_change`` = the baseline
  year's value × (1 + change). For one municipality a count of municipalities becomes
  "the municipality takes part" (target 1).
* Trends: improvement is the SPC variation of the newest point; with fewer than 12 points,
  the exact test of the last 12 months against the baseline year (p < 0,05).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from analytics import formatting, icons
from analytics.board import Board
from analytics.periods import period_text
from analytics.plan import Criterion, Measure, Plan
from analytics.projection import Projection, project_to_deadline
from analytics.registry import Indicator
from analytics.series import (
    Comparison,
    UnitRows,
    compare_with_baseline,
    format_value,
    hidden,
    judged_series,
    latest_end,
    load_rows,
    rated,
)
from analytics.spc import SpcResult, xmr
from analytics.status import Evidence, Judgement, Status, judge, roll_up

PROJECTION_WINDOW = 12
ROLLOUT_HORIZON_YEARS = 5

# Kept for callers that show SPC words without icons.
VARIATION_TEXT = {key: text.lower() for key, (_, text) in icons.VARIATION.items()}


@dataclass(frozen=True)
class Scope:
    """The units a criterion is judged over.

    municipalities: how many member municipalities a rollout counts toward.
    single: one municipality (the Kommune page): a rollout target becomes "takes part".
    """

    unit_ids: tuple[str, ...]
    municipalities: int
    single: bool = False


def scope_units(board: Board, partnership: str) -> list[str]:
    """Every unit id a partnership's facts may sit on: members, its regions, itself."""
    regions = board.regions(partnership)["unit_id"].tolist()
    return [*board.member_ids(partnership), *regions, partnership]


def partnership_scope(board: Board, partnership: str) -> Scope:
    units = board.member_units(partnership)
    return Scope(tuple(scope_units(board, partnership)), int((units["kind"] == "municipality").sum()))


def unit_scope(board: Board, unit_ids: list[str]) -> Scope:
    kinds = board.units.set_index("unit_id")["kind"]
    municipalities = sum(1 for u in unit_ids if kinds.get(u) == "municipality")
    return Scope(tuple(unit_ids), municipalities, single=len(unit_ids) == 1)


@dataclass(frozen=True)
class Icons:
    """What the icons-only summary shows for one criterion."""

    indicator: str
    variation: str | None
    assurance: str | None
    enough_points: bool
    has_target: bool
    pace: str | None = None  # a rollout: the projection in place of assurance

    @property
    def variation_text(self) -> str:
        return icons.variation_text(self.variation, self.enough_points)

    @property
    def assurance_text(self) -> str:
        if self.pace:
            return self.pace
        return icons.assurance_text(self.assurance, self.has_target, self.enough_points)


@dataclass
class IndicatorEvidence:
    """One indicator's part of a criterion: the series and what was computed from it."""

    indicator: Indicator
    data: UnitRows
    series: pd.DataFrame
    spc: SpcResult | None = None
    target: float | None = None
    target_note: str | None = None
    projection: Projection | None = None
    comparison: Comparison | None = None
    judgement: Judgement | None = None
    clip_max: float | None = None  # rollout: the projection never exceeds the members
    horizon: dt.date | None = None  # the date projected to: the deadline, or a horizon
    horizon_label: str | None = None  # 'Frist 31.12.2025' or 'Horisont (5 år)'
    pace_text: str | None = None  # the projection in the reason's words

    @property
    def pace(self) -> str | None:
        """For a rollout, what stands in for the assurance icon: '📈 Nås i dagens tempo: april 2029'."""
        if not is_rollout(self.indicator) or self.target is None:
            return None
        latest = _latest(self.series)
        if latest is not None and latest["judge_value"] >= self.target:
            return "✔️ Målet er nådd"
        projection = self.projection
        if projection is None or projection.reaches_target is None:
            return None
        if projection.expected_date is None:
            return "✖️ Nås ikke i dagens tempo"
        return f"📈 Nås i dagens tempo: {formatting.month_year(projection.expected_date)}"

    @property
    def icons(self) -> Icons | None:
        if self.spc is None:
            return None
        return Icons(
            self.indicator.name,
            self.spc.variation,
            self.spc.assurance,
            self.spc.enough_points,
            self.target is not None,
            self.pace,
        )


@dataclass
class CriterionResult:
    measure: Measure
    criterion: Criterion
    judgement: Judgement
    due: dt.date | None
    parts: list[IndicatorEvidence] = field(default_factory=list)

    @property
    def icons(self) -> Icons | None:
        return next((p.icons for p in self.parts if p.icons is not None), None)


@dataclass
class PlanStatus:
    partnership: str
    criteria: dict[str, Judgement] = field(default_factory=dict)
    measures: dict[str, Status] = field(default_factory=dict)
    goals: dict[str, Status] = field(default_factory=dict)
    target_groups: dict[str, Status] = field(default_factory=dict)
    focus_areas: dict[str, Status] = field(default_factory=dict)
    icons: dict[str, Icons] = field(default_factory=dict)  # criterion id → SPC icons

    @property
    def variation(self) -> dict[str, str | None]:
        return {cid: i.variation for cid, i in self.icons.items()}

    @property
    def assurance(self) -> dict[str, str | None]:
        return {cid: i.assurance for cid, i in self.icons.items()}

    def measure_reason(self, plan: Plan, measure: Measure) -> str:
        """The reason of the criterion that sets the measure's status."""
        worst = self.measures.get(measure.id)
        for criterion in measure.criteria:
            judgement = self.criteria.get(criterion.id)
            if judgement and judgement.status == worst:
                return judgement.reason
        reasons = [self.criteria[c.id].reason for c in measure.criteria if c.id in self.criteria]
        return reasons[0] if reasons else ""

    def measure_icons(self, measure: Measure) -> Icons | None:
        """Icons of the criterion that sets the measure's status, else the first with icons."""
        worst = self.measures.get(measure.id)
        with_icons = [c for c in measure.criteria if c.id in self.icons]
        for criterion in with_icons:
            if self.criteria[criterion.id].status == worst:
                return self.icons[criterion.id]
        return self.icons[with_icons[0].id] if with_icons else None


# -- evidence ---------------------------------------------------------------------------------


class _Rows:
    """Rows per (indicator, scope), loaded once per evaluation."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self._cache: dict[tuple[str, tuple[str, ...]], UnitRows] = {}
        self._populations: dict = {}  # several indicators share a population group

    def get(self, indicator: Indicator, units: tuple[str, ...]) -> UnitRows:
        key = (indicator.id, tuple(sorted(set(units))))
        if key not in self._cache:
            self._cache[key] = self._from_wider(indicator, key[1]) or load_rows(
                self.board, indicator, units, self._populations
            )
        return self._cache[key]

    def load_all(self, indicator: Indicator, units: tuple[str, ...]) -> None:
        """Load a wide set once, so narrower sets (one municipality) are cut from it."""
        self.get(indicator, units)

    def _from_wider(self, indicator: Indicator, units: tuple[str, ...]) -> UnitRows | None:
        """Rows are per unit, so a subset of a loaded wider set is exact; its population note
        is too when the wider set carried no population year (else load, to word it right)."""
        wanted = set(units)
        for (indicator_id, loaded), data in self._cache.items():
            if indicator_id == indicator.id and data.population_note is None and wanted <= set(loaded):
                subset = data.rows[data.rows["unit_id"].isin(wanted)].reset_index(drop=True)
                return UnitRows(indicator, subset, None, cube=data.cube)
        return None


def is_rollout(indicator: Indicator) -> bool:
    """A count of municipalities taking part."""
    return indicator.unit == "kommuner" and indicator.kind in ("stock", "count")


def _latest(series: pd.DataFrame) -> pd.Series | None:
    usable = series[series["judge_value"].notna()]
    return None if usable.empty else usable.iloc[-1]


def _baseline_value(series: pd.DataFrame, year: int | None) -> tuple[float | None, str]:
    """The value at the end of the baseline year (or the first value), and how it was found."""
    usable = series[series["judge_value"].notna()]
    if usable.empty:
        return None, ""
    in_year = usable[usable["period_start"].dt.year == year] if year else usable.iloc[0:0]
    if not in_year.empty:
        row = in_year.iloc[-1]
        return float(row["judge_value"]), f"utgangen av {year}"
    row = usable.iloc[0]
    label = period_text(row["period_start"].date(), _grain(series))
    missing = f"; ingen tall for {year}" if year else ""
    return float(row["judge_value"]), f"{label}, første tall{missing}"


def _grain(series: pd.DataFrame) -> str:
    if len(series) < 2:
        return "quarter"
    days = (series["period_end"].iloc[0] - series["period_start"].iloc[0]).days
    return "month" if days < 32 else "quarter" if days < 93 else "year"


def _target(
    board: Board, criterion: Criterion, indicator: Indicator, series: pd.DataFrame, scope: Scope
) -> tuple[float | None, str | None]:
    """Target value and a short note on where it comes from."""
    target = criterion.target
    if scope.single and is_rollout(indicator):
        return 1.0, "kommunen deltar"
    if target is None:
        return indicator.target, None
    if target.all_members:
        return float(scope.municipalities), None
    if target.value is not None:
        return target.value, None
    if target.min_increase is not None:
        base, where = _baseline_value(series, criterion.baseline_year)
        if base is None:
            return None, None
        return base + target.min_increase, f"mål: flere enn {formatting.number(base)} ({where})"
    if target.relative_change is not None and criterion.baseline_year:
        year = series[(series["period_start"].dt.year == criterion.baseline_year)]
        if year.empty or year["judge_value"].isna().all():
            return None, None
        base = float(year["judge_value"].mean())
        change = formatting.number(target.relative_change * 100, 0)
        return base * (1 + target.relative_change), f"mål: grunnlinje {criterion.baseline_year} {change} %"
    return None, None


def _head(indicator: Indicator, latest: pd.Series, target: float | None, note: str | None) -> str:
    """'Antall kommuner som deltar i IHT 13 av 22 (3. kvartal 2026)'."""
    shown = (
        "færre enn 5" if hidden(indicator, latest["numerator"]) else format_value(indicator, latest["value"])
    )
    if target is None:
        return f"{indicator.name} {shown} ({latest['label']})"
    if note:
        return f"{indicator.name} {shown} ({latest['label']}); {note}"
    if indicator.kind in ("count", "stock") and not rated(indicator):
        return f"{indicator.name} {shown} av {formatting.number(target)} ({latest['label']})"
    return f"{indicator.name} {shown} ({latest['label']}); mål {format_value(indicator, target)}"


def _lower_first(text: str | None) -> str | None:
    """Embed a sentence after a semicolon: 'I dagens tempo …' → 'i dagens tempo …'."""
    if not text:
        return text
    first = text.split()[0]
    if len(first) > 1 and first.isupper():  # an acronym such as SPC or IHT
        return text
    return text[0].lower() + text[1:]


def _reached(indicator: Indicator, series: pd.DataFrame, target: float, due: dt.date | None) -> str:
    """' i 2. kvartal 2026, etter fristen' when the target was first reached late."""
    usable = series[series["judge_value"].notna()]
    lower = indicator.direction == "decrease"
    hits = usable[(usable["judge_value"] <= target) if lower else (usable["judge_value"] >= target)]
    if hits.empty or due is None:
        return ""
    first = hits.iloc[0]
    if first["period_end"].date() > due:
        return f" i {first['label']}, etter fristen"
    return ""


def _value_at(series: pd.DataFrame, due: dt.date) -> pd.Series | None:
    usable = series[series["judge_value"].notna() & (series["period_end"].dt.date <= due)]
    return None if usable.empty else usable.iloc[-1]


def _project(
    indicator: Indicator, series: pd.DataFrame, target: float, due: dt.date | None
) -> tuple[Projection | None, bool | None, str | None]:
    """Projection, whether it is in time, and the Norwegian sentence."""
    usable = series[series["judge_value"].notna()]
    if indicator.direction == "neutral" or usable.empty:
        return None, None, None
    periods = [p.date() for p in usable["period_end"]]
    values = usable["judge_value"].astype(float).tolist()
    last = periods[-1]
    horizon = due or _horizon(last)
    # The projection is kept as fitted (figures draw the line from it); clipped() gives the
    # values to show for a rollout.
    projection = project_to_deadline(periods, values, horizon, target, indicator.direction, PROJECTION_WINDOW)
    if projection.reaches_target is None:
        return projection, None, _lower_first(projection.reason)
    if due is not None:
        return projection, projection.reaches_target, _lower_first(projection.reason)
    # A continuous rollout: is all of it within the horizon at today's pace?
    target_text = formatting.number(target)
    if projection.expected_date is not None and projection.expected_date <= horizon:
        when = formatting.month_year(projection.expected_date)
        if projection.expected_date <= last:
            return projection, True, f"trendlinjen har nådd {target_text}"
        return projection, True, f"i dagens tempo nås {target_text} i {when}"
    return (
        projection,
        False,
        f"i dagens tempo nås ikke {target_text} innen {ROLLOUT_HORIZON_YEARS} år",
    )


def _horizon(last: dt.date) -> dt.date:
    return dt.date(last.year + ROLLOUT_HORIZON_YEARS, last.month, min(last.day, 28))


def _clip(value: float | None, upper: float) -> float | None:
    return None if value is None else min(max(value, 0.0), upper)


def clipped(projection: Projection, clip_max: float | None) -> Projection:
    """The projection as shown: a count of municipalities stays within 0 … members."""
    if clip_max is None or projection.projected is None:
        return projection
    return replace(
        projection,
        projected=_clip(projection.projected, clip_max),
        lower=_clip(projection.lower, clip_max),
        upper=_clip(projection.upper, clip_max),
    )


def _trend_text(indicator: Indicator, spc: SpcResult, comparison: Comparison | None) -> str:
    """'Antall hoftebrudd per 1 000 …: siste 12 mnd 27,9 (grunnlinje 2023: 35,2); SPC: ⬇️ Forbedring (lav)'."""
    label = f"{indicator.name} {indicator.rate_label} per år" if rated(indicator) else indicator.name
    if indicator.kind == "share":
        label = f"{indicator.name}"
    parts = [label]
    if comparison is not None and comparison.recent is not None:
        recent = (
            "færre enn 5"
            if hidden(indicator, comparison.recent_numerator)
            else format_value(indicator, comparison.recent)
        )
        text = f"{comparison.recent_text} {recent}"
        if comparison.baseline is not None:
            base = (
                "færre enn 5"
                if hidden(indicator, comparison.baseline_numerator)
                else format_value(indicator, comparison.baseline)
            )
            text += f" ({comparison.baseline_text}: {base})"
        parts.append(text)
        if comparison.note:
            parts.append(comparison.note)
    if spc.enough_points:
        parts.append(f"SPC: {icons.variation_text(spc.variation)}")
    elif comparison is not None and comparison.p_value is not None:
        p = comparison.p_value
        p_text = "p < 0,001" if p < 0.001 else f"p = {formatting.number(p, 3)}"
        word = "statistisk sikker endring" if comparison.significant else "ingen statistisk sikker endring"
        parts.append(f"for få punkter til SPC; {word} mot grunnlinjen ({p_text})")
    elif spc.message:
        parts.append(_lower_first(spc.message.rstrip(".")))
    return f"{parts[0]}: " + "; ".join(parts[1:]) if len(parts) > 1 else parts[0]


def _numeric_part(
    board: Board,
    rows: _Rows,
    plan: Plan,
    criterion: Criterion,
    indicator: Indicator,
    scope: Scope,
    due: dt.date | None,
    today: dt.date,
) -> tuple[IndicatorEvidence, Evidence]:
    """Evidence for a target, trend or monitor criterion on one indicator."""
    kind = criterion.kind.value
    data = rows.get(indicator, scope.unit_ids)
    series = judged_series(data, today=today)
    part = IndicatorEvidence(indicator, data, series)
    latest = _latest(series)
    if indicator.projection:
        # Projected figures are followed, not judged: say where they go.
        known = series[series["value"].notna()]
        if known.empty:
            return part, Evidence()
        first, last = known.iloc[0], known.iloc[-1]
        text = (
            f"{indicator.name}: {first['label']} {format_value(indicator, first['value'])}, "
            f"{last['label']} {format_value(indicator, last['value'])}"
        )
        return part, Evidence(latest=float(last["value"]), trend_text=text)
    if latest is None:
        return part, Evidence()
    lower = indicator.direction == "decrease"
    target, note = (None, None)
    if kind == "target":
        target, note = _target(board, criterion, indicator, series, scope)
    part.target, part.target_note = target, note
    values = series["judge_value"].astype(float).tolist()
    # A rollout only ever climbs: its SPC limits describe no stable process, so there is
    # no assurance icon; the projection answers "will we get there?" instead.
    part.spc = xmr(values, improvement=indicator.direction, target=None if is_rollout(indicator) else target)
    if kind == "target":
        single_rollout = scope.single and is_rollout(indicator)
        clip = float(scope.municipalities) if is_rollout(indicator) and scope.municipalities else None
        part.clip_max = 1.0 if single_rollout else clip
        in_time, projection_text = None, None
        # One municipality either takes part or not: there is no pace to project.
        if target is not None and not single_rollout and (due is not None or is_rollout(indicator)):
            part.projection, in_time, projection_text = _project(indicator, series, target, due)
            part.pace_text = projection_text
            if part.projection is not None and part.projection.projected is not None:
                last = series.loc[series["judge_value"].notna(), "period_end"].iloc[-1].date()
                part.horizon = due or _horizon(last)
                part.horizon_label = (
                    f"Frist {formatting.date(due)}" if due else f"Horisont ({ROLLOUT_HORIZON_YEARS} år)"
                )
        if single_rollout:
            takes_part = "deltar" if latest["judge_value"] >= 1 else "deltar ikke"
            head = f"{indicator.name}: kommunen {takes_part} ({latest['label']})"
        else:
            head = _head(indicator, latest, target, note)
        if due is not None and today > due and target is not None and not single_rollout:
            at_due = _value_at(series, due)
            if at_due is not None and at_due["period_end"] != latest["period_end"]:
                shown = format_value(indicator, at_due["value"])
                head += f"; ved fristen {shown}"
        evidence = Evidence(
            latest=float(latest["judge_value"]),
            latest_period=str(latest["label"]),
            target=target,
            target_text=indicator.name,
            head=head,
            reached_text=_reached(indicator, series, target, due) if target is not None else None,
            projected_in_time=in_time,
            projection_text=projection_text,
            assurance=part.spc.assurance,
            hold_level=not is_rollout(indicator),
            shared_target=single_rollout
            and criterion.target is not None
            and not criterion.target.all_members,
            lower_is_better=lower,
        )
        return part, evidence
    end = latest_end(series)
    year = criterion.baseline_year or int(series["period_start"].iloc[0].year)
    part.comparison = compare_with_baseline(data, year, end) if end is not None else None
    spc = part.spc
    improving = worsening = False
    if indicator.direction != "neutral":
        if spc.enough_points:
            improving = spc.variation in ("improvement_high", "improvement_low")
            worsening = spc.variation in ("concern_high", "concern_low")
        elif part.comparison is not None and part.comparison.significant:
            step = part.comparison.direction() * (-1 if lower else 1)
            improving, worsening = step > 0, step < 0
    evidence = Evidence(
        latest=float(latest["judge_value"]),
        latest_period=str(latest["label"]),
        improving=improving,
        worsening=worsening,
        trend_text=_trend_text(indicator, spc, part.comparison),
        lower_is_better=lower,
    )
    return part, evidence


def _coverage(board: Board, rows: _Rows, plan: Plan, indicator: Indicator, scope: Scope) -> Evidence:
    units = list(scope.unit_ids)
    kinds = board.units.set_index("unit_id")["kind"]
    regions = board.units.set_index("unit_id")["region"]
    if scope.single:
        # A municipality is covered by what its region has, for region-level indicators.
        units += [r for r in (regions.get(u) for u in scope.unit_ids) if isinstance(r, str)]
    data = rows.get(indicator, tuple(units))
    facts = data.rows[data.rows["value"].notna()]
    if facts.empty:
        return Evidence()
    last = facts["period_start"].max()
    latest = facts[facts["period_start"] == last]
    unit_kind = kinds.get(latest["unit_id"].iloc[0], "municipality")
    if scope.single:
        in_scope = sum(1 for u in units if kinds.get(u) == unit_kind)
    else:
        in_scope = int((board.units[board.units["partnership"] == plan.id]["kind"] == unit_kind).sum())
    with_it = int((latest["value"] >= 1).sum())
    label = period_text(last.date(), indicator.grain)
    head = None
    if scope.single and unit_kind == "region" and in_scope == 1:
        region = board.unit_name(next(u for u in units if kinds.get(u) == "region"))
        head = f"{region} {'har' if with_it else 'har ikke'} tiltaket ({label})"
    return Evidence(
        latest=float(with_it),
        units_with=with_it,
        units_in_scope=in_scope,
        target_text="Enheter med tiltaket",
        head=head,
        latest_period=label,
    )


def _before_after(rows: _Rows, indicators: list[Indicator], scope: Scope, today: dt.date) -> Evidence:
    after_ind = indicators[0]
    after = judged_series(rows.get(after_ind, scope.unit_ids), "year", today)
    if len(indicators) < 2:
        latest = _latest(after)
        return Evidence(after=None if latest is None else float(latest["judge_value"]))
    before = judged_series(rows.get(indicators[1], scope.unit_ids), "year", today)
    merged = after.merge(before, on="period_start", suffixes=("_after", "_before")).dropna(
        subset=["judge_value_after", "judge_value_before"]
    )
    if merged.empty:
        return Evidence()
    last = merged.iloc[-1]
    return Evidence(
        after=float(last["judge_value_after"]),
        before=float(last["judge_value_before"]),
        lower_is_better=after_ind.direction == "decrease",
        latest_period=str(last["period_start"].year),
    )


def evaluate_criterion(
    board: Board,
    plan: Plan,
    measure: Measure,
    criterion: Criterion,
    *,
    scope: Scope | None = None,
    today: dt.date | None = None,
    milestones: pd.DataFrame | None = None,
    rows: _Rows | None = None,
) -> CriterionResult:
    """Judge one criterion over ``scope`` (the whole partnership by default)."""
    today = today or dt.date.today()
    scope = scope or partnership_scope(board, plan.id)
    rows = rows or _Rows(board)
    deadline = plan.effective_deadline(measure)
    due = deadline.due_date if deadline else None
    kind = criterion.kind.value
    indicators = [board.registry.get(i) for i in criterion.indicators]
    parts: list[IndicatorEvidence] = []
    if kind == "milestone":
        if milestones is None:
            milestones = board.store.milestone_states(plan.id)
        row = milestones[milestones["criterion_id"] == criterion.id]
        evidence = Evidence()
        if not row.empty:
            done = row["done_date"].iloc[0]
            evidence = Evidence(
                milestone_state=str(row["status"].iloc[0]),
                milestone_done=pd.Timestamp(done).date() if pd.notna(done) else None,
            )
        judgement = judge(kind, evidence, due, today)
    elif not indicators:
        judgement = judge(kind, Evidence(), due, today)
    elif kind == "coverage":
        judgement = judge(kind, _coverage(board, rows, plan, indicators[0], scope), due, today)
    elif kind == "before_after":
        judgement = judge(kind, _before_after(rows, indicators, scope, today), due, today)
    else:
        judgements = []
        for indicator in indicators:
            part, evidence = _numeric_part(board, rows, plan, criterion, indicator, scope, due, today)
            part.judgement = judge(kind, evidence, due, today)
            parts.append(part)
            judgements.append(part.judgement)
        status = roll_up([j.status for j in judgements])
        # Several indicators (e.g. included and active patients): the worst sets the status,
        # and every reason is kept, each naming its indicator.
        reason = " ".join(
            j.reason
            if j.reason.startswith(p.indicator.name) or len(parts) == 1
            else f"{p.indicator.name}: {j.reason}"
            for p, j in zip(parts, judgements, strict=True)
        )
        judgement = Judgement(status, reason)
    return CriterionResult(measure, criterion, judgement, due, parts)


def evaluate_plan(board: Board, partnership: str, today: dt.date | None = None) -> PlanStatus:
    today = today or dt.date.today()
    plan = board.plan(partnership)
    result = PlanStatus(partnership)
    milestones = board.store.milestone_states(partnership)
    scope = partnership_scope(board, partnership)
    rows = _Rows(board)
    for measure in plan.measures:
        statuses = []
        for criterion in measure.criteria:
            outcome = evaluate_criterion(
                board, plan, measure, criterion, scope=scope, today=today, milestones=milestones, rows=rows
            )
            result.criteria[criterion.id] = outcome.judgement
            statuses.append(outcome.judgement.status)
            if outcome.icons is not None:
                result.icons[criterion.id] = outcome.icons
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


def criterion_by_id(plan: Plan, criterion_id: str) -> tuple[Measure, Criterion]:
    for measure, criterion in plan.criteria:
        if criterion.id == criterion_id:
            return measure, criterion
    raise KeyError(criterion_id)
