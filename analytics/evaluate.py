"""Gather the evidence for each criterion of a plan from the store, then judge and roll up.

The rule lives in analytics.status; this module only turns numbers into Evidence:

* Series come from analytics.series: counts with a population group are judged as rates
  per 1 000 per year (person-time, so months and a year in progress are comparable), never
  as raw counts; shares as Σ numerators / Σ denominators; stocks as the sum of each unit's
  last value.
* Day and deadline: ``as_of`` judges as if today were that day, on rows up to it. After a
  deadline a target or trend is judged on rows up to the deadline; later rows only add a
  sentence («forbedring etter fristen …», «målet nås etter fristen …»).
* SPC (analytics.spc, XmR): limits from the criterion's baseline (Plan.baseline_for: the
  plan's ``baseline``, default the 24 months before the plan period, extended to 12 points),
  new limits only from the plan's ``change`` date (``limits_for``, ``judged_spc``). Points
  before the baseline are shown, not judged. A rollout (a count of municipalities) gets no
  SPC: it grows on purpose.
* Enough data (analytics.power): before a trend or a level target, whether the series can
  show the change asked for (80 % power for a 20 % change, or the plan's ``detect_change``).
* Projection (analytics.projection): a straight least-squares line through the last
  12 points with a value, x = the end of each period, extended to the deadline with an
  80 % prediction interval; ``projection_band`` says whether all of the interval reaches
  the target, none of it, or it straddles. Counts of municipalities are clipped to
  0 … the number of member municipalities. A rollout with a «Fortløpende» deadline is
  judged at a horizon of ``ROLLOUT_HORIZON_YEARS`` years.
* A level target (share, rate) is reached by the process: the newest 12 months' exact
  95 % confidence interval on the right side of the target, or SPC assurance; never one point.
* Targets: ``all_members`` = the partnership's municipalities (districts are not counted);
  ``min_increase`` = the value at the end of the baseline year + N (the first figure when
  the baseline year has none, which the reason says); ``relative_change`` = the baseline
  year's value × (1 + change). For one municipality a count of municipalities becomes
  "the municipality takes part" (target 1).
* Trends: improvement is the SPC variation of the newest point, or the exact test of the
  last 12 months against the baseline (p < 0,05) in the improving direction.
* Before/after: with the plan's ``comparison`` group, a difference in differences with the
  ratio-of-rate-ratios test (Altman & Bland 2003); without one, «ukontrollert før–etter».
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from analytics import clock, config, datacache, formatting, icons, power, protection
from analytics.board import Board
from analytics.periods import grain_months, period_text
from analytics.plan import DETECT_CHANGE, Baseline, Criterion, CriterionKind, Measure, Plan, Target
from analytics.projection import LEVEL, Projection, project_to_deadline
from analytics.registry import Indicator, grain_label
from analytics.series import (
    Comparison,
    UnitRows,
    aggregate_row,
    compare_rows,
    covered_months,
    cubes_for,
    day_mask,
    derived,
    figure_hidden,
    figure_shown,
    format_target,
    format_value,
    hidden,
    judged_at_own_grain,
    judged_series,
    load_rows,
    load_rows_each,
    own_rows,
    rate_unit,
    rated,
    read_series,
    read_series_many,
    recent_end,
    rows_hidden,
    short_starts,
    verdict_range,
    window_of,
    window_span,
    window_total,
)
from analytics.spc import MIN_POINTS, SpcResult, xmr
from analytics.status import Evidence, Judgement, Status, judge, judge_over_range, roll_up, roll_up_parts

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
    return [*board.member_ids(partnership), *regions, board.partnership_id(partnership)]


# How a reason names one unit of each kind (the reference units' «kind»).
UNIT_WORDS = {"municipality": "kommunen", "district": "bydelen", "region": "regionen"}


def no_data_text(board: Board, partnership: str, indicator: Indicator, scope: Scope) -> str | None:
    """The reason for one unit without figures when others in the partnership have them: it
    is the unit that lacks them, not the upload («Ingen tall for kommunen for indikatoren
    (andre i helsefellesskapet har tall).»). None for a wider scope, or when the partnership
    has no figures either (then status.NO_FIGURES says so). Which indicators have values in
    the partnership is read once per data version (analytics.datacache)."""
    if not scope.single:
        return None
    if indicator.id not in indicators_with_values(board, partnership):
        return None
    word = UNIT_WORDS.get(board.unit_kind(scope.unit_ids[0]), "enheten")
    return f"Ingen tall for {word} for indikatoren (andre i helsefellesskapet har tall)."


def all_hidden_text(board: Board, data: UnitRows, scope: Scope) -> str | None:
    """The reason for one unit whose every figure the source hid («:», «..», a small count
    withheld by NPR or SSB): it has rows, none with a value, so nothing can be judged, and
    «Ingen tall for kommunen» would wrongly say nothing was delivered. None for a wider scope
    (an aggregate's hidden cells have a range: `_judge_part`), or when any row has a value or
    there are no rows (then `no_data_text`).

    data: the unit's rows up to the day judged (series.UnitRows); scope: the criterion's."""
    if not scope.single or data.empty or not data.rows["suppressed"].astype(bool).all():
        return None
    word = UNIT_WORDS.get(board.unit_kind(scope.unit_ids[0]), "enheten")
    return f"Alle tallene for {word} er skjult i kilden (små tall eller «:»), så statusen kan ikke vurderes."


def indicators_with_values(board: Board, partnership: str) -> frozenset[str]:
    """The ids of the indicators with at least one value in the partnership's units (the store's
    catalogue: Store.indicators_with_values), read once per data version (analytics.datacache)."""

    def read() -> frozenset[str]:
        return frozenset(board.store.indicators_with_values(scope_units(board, partnership)))

    return datacache.cached(datacache.board_key(board), ("indicators_with_values", partnership), read)


def partnership_scope(board: Board, partnership: str) -> Scope:
    units = board.member_units(partnership)
    return Scope(tuple(scope_units(board, partnership)), int((units["kind"] == "municipality").sum()))


def unit_scope(board: Board, unit_ids: list[str]) -> Scope:
    municipalities = sum(1 for u in unit_ids if board.unit_kind(u) == "municipality")
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
    spc: bool = True  # False: the indicator's chart is not SPC (a cumulative count)
    withheld: bool = False  # the assurance was held back (SpcResult.assurance_note)

    @property
    def variation_text(self) -> str:
        if not self.spc:
            return icons.NO_SPC
        return icons.variation_text(self.variation, self.enough_points)

    @property
    def assurance_text(self) -> str:
        if self.pace:
            return self.pace
        return icons.assurance_text(self.assurance, self.has_target, self.enough_points, self.withheld)


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
    limits: Limits | None = None  # where the SPC limits come from (baseline, change date)
    power: power.PowerCheck | None = None  # can the series show the change asked for?
    # The direction the part is judged in ("increase", "decrease", "neutral"): a target's
    # (target_direction: a neutral indicator takes the one its target asks for), else the
    # indicator's own. Set once by _numeric_part; the status, its SPC and the chart read it.
    direction: str | None = None

    @property
    def pace(self) -> str | None:
        """For a rollout, what stands in for the assurance icon: '📈 Nås i dagens tempo: april 2029'."""
        if not is_rollout(self.indicator) or self.target is None:
            return None
        latest = latest_row(self.series)
        if latest is not None and latest["judge_value"] >= self.target:
            return "✔️ Målet er nådd"
        projection = self.projection
        if projection is None or projection.reaches_target is None:
            return None
        if projection.expected_date is None:
            return "✖️ Nås ikke i dagens tempo"
        return protection.figures_or_words(
            f"📈 Nås i dagens tempo: {formatting.month_year(projection.expected_date)}",
            "📈 Nås i dagens tempo",
            projection.rests_on_hidden,
        )

    @property
    def icons(self) -> Icons | None:
        if self.spc is None:
            if is_rollout(self.indicator):  # no SPC on a cumulative count: the pace speaks
                return Icons(
                    self.indicator.name, None, None, False, self.target is not None, self.pace, spc=False
                )
            return None
        return Icons(
            self.indicator.name,
            self.spc.variation,
            self.spc.assurance,
            self.spc.enough_points,
            self.target is not None,
            self.pace,
            withheld=self.spc.assurance_note is not None,
        )


@dataclass
class CriterionResult:
    """One criterion judged over one scope on one day.

    data_until: the last day of the data the status rests on (``judged_until``): the
    deadline once it has passed for a target or trend, else the day judged. A value shown
    beside the status is taken from the data up to it (indicator_view.criterion_value)."""

    measure: Measure
    criterion: Criterion
    judgement: Judgement
    due: dt.date | None
    parts: list[IndicatorEvidence] = field(default_factory=list)
    data_until: dt.date | None = None

    @property
    def icons(self) -> Icons | None:
        return next((p.icons for p in self.parts if p.icons is not None), None)

    def figure(self, indicator_id: str) -> str:
        """The figure of one indicator its status rests on: "recent" or "newest"
        (``lead_figure`` of the indicator's part's judgement)."""
        part = next((p for p in self.parts if p.indicator.id == indicator_id), None)
        return lead_figure(self.criterion.kind, part.judgement if part is not None else None)

    @property
    def deciding(self) -> str | None:
        """The indicator the status rests on, whose value a one-value view (the matrix cell)
        shows beside it: the first part with figures whose status is the criterion's (the
        worst part, status.roll_up_parts), else the first part with figures; None without
        judged parts (milestones, coverage, before/after: the criterion's first indicator)."""
        known = [p for p in self.parts if not without_figures(p)]
        status = self.judgement.status
        found = next((p for p in known if p.judgement.status is status), known[0] if known else None)
        return found.indicator.id if found is not None else None


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
    """Rows per (indicator, scope), loaded once per data version: each series read is kept in
    analytics.datacache (shared by every evaluation, page and process thread until the
    store's data version changes) and here for this evaluation."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self._cache: dict[tuple[str, tuple[str, ...]], UnitRows] = {}
        self._populations: dict = {}  # several indicators share a population group
        self.key = datacache.board_key(board)  # the store's data version, units and registry

    def get(
        self, indicator: Indicator, units: tuple[str, ...], facts: pd.DataFrame | None = None
    ) -> UnitRows:
        """facts: the units' read at the indicator's grain, when the caller has it (get_many)."""
        key = (indicator.id, tuple(sorted(set(units))))
        if key not in self._cache:

            def read(grain: str) -> pd.DataFrame:
                if facts is not None and grain == indicator.grain:
                    return facts
                return read_series(self.board, indicator, units, grain)

            self._cache[key] = datacache.cached(
                self.key,
                ("rows", datacache.fingerprint(indicator), key[1]),
                lambda: (
                    self._from_wider(indicator, key[1])
                    or load_rows(self.board, indicator, units, self._populations, read=read)
                ),
            )
        return self._cache[key]

    def get_many(self, indicators: Sequence[Indicator], units: tuple[str, ...]) -> None:
        """get for each indicator, the reads of those not kept and not cut from a wider set
        made together (series.read_series_many)."""
        wanted = set(units)
        needed = [
            i
            for i in {i.id: i for i in indicators}.values()
            if (i.id, tuple(sorted(wanted))) not in self._cache
            and datacache.peek(self.key, ("rows", datacache.fingerprint(i), tuple(sorted(wanted)))) is None
            and not any(
                indicator_id == i.id and data.population_note is None and wanted <= set(loaded)
                for (indicator_id, loaded), data in self._cache.items()
            )
        ]
        read = dict(
            zip((i.id for i in needed), read_series_many(self.board, needed, list(units)), strict=True)
        )
        for indicator in indicators:
            self.get(indicator, units, read.pop(indicator.id, None))

    def use_kept(self, indicator: Indicator, units: tuple[str, ...]) -> None:
        """Take a wide set already kept for this data version (nothing is read), so narrower
        sets are cut from it."""
        key = (indicator.id, tuple(sorted(set(units))))
        if key not in self._cache:
            kept = datacache.peek(self.key, ("rows", datacache.fingerprint(indicator), key[1]))
            if kept is not None:
                self._cache[key] = kept

    def load_all(self, indicator: Indicator, units: tuple[str, ...]) -> None:
        """Load a wide set once, so narrower sets (one municipality) are cut from it."""
        self.get(indicator, units)

    def load_own(
        self, indicator: Indicator, unit: str, units: tuple[str, ...], facts: pd.DataFrame | None = None
    ) -> None:
        """A unit's rows read alone where that gives exactly what cutting them from ``units``'
        rows gives (series.own_rows), else ``units``' rows loaded to cut them from (load_all).
        Kept as a cut would be (datacache, by the unit). facts: the unit's read, when the
        caller has it (load_own_many)."""
        key = (indicator.id, (unit,))
        if key in self._cache:
            return
        name = ("rows", datacache.fingerprint(indicator), key[1])
        kept = datacache.peek(self.key, name)
        if kept is not None:
            self._cache[key] = kept
            return
        wide = datacache.peek(self.key, ("rows", datacache.fingerprint(indicator), tuple(sorted(set(units)))))
        own = (
            None
            if wide is not None
            else own_rows(self.board, indicator, unit, self._populations, units, facts=facts)
        )
        if own is None:
            self.load_all(indicator, units)
            return
        self._cache[key] = datacache.cached(self.key, name, lambda: own)

    def load_own_many(self, indicators: Sequence[Indicator], unit: str, units: tuple[str, ...]) -> None:
        """load_own for each indicator, in order, with the unit's reads of those that need one
        made together (series.read_series_many: two statements, not one per indicator)."""
        needed = [
            i
            for i in {i.id: i for i in indicators}.values()
            if (i.id, (unit,)) not in self._cache
            and datacache.peek(self.key, ("rows", datacache.fingerprint(i), (unit,))) is None
            and datacache.peek(self.key, ("rows", datacache.fingerprint(i), tuple(sorted(set(units)))))
            is None
            and not (rated(i) and units is None)
        ]
        read = dict(zip((i.id for i in needed), read_series_many(self.board, needed, [unit]), strict=True))
        # The cubes own_rows' reads are protected by (those judged at the registry's grain: the
        # rest are judged per year from the set's rows), their cells read together.
        cubes_for(self.board, [i for i in needed if judged_at_own_grain(i, read[i.id])], [unit])
        for indicator in indicators:
            self.load_own(indicator, unit, units, read.pop(indicator.id, None))

    def load_each(self, indicator: Indicator, units: tuple[str, ...]) -> None:
        """Rows of each unit alone (the matrix judges every member), read together: only when
        they cannot be cut from a wider set already loaded (one that carries a population note
        is not cut, see _from_wider) and are not kept yet (series.load_rows_each)."""
        fingerprint = datacache.fingerprint(indicator)
        wanted = sorted(set(units))
        if any(
            indicator_id == indicator.id and data.population_note is None and set(wanted) <= set(loaded)
            for (indicator_id, loaded), data in self._cache.items()
        ):
            return
        missing = [
            u
            for u in wanted
            if (indicator.id, (u,)) not in self._cache
            and datacache.peek(self.key, ("rows", fingerprint, (u,))) is None
        ]
        if len(missing) < 2:
            return
        loaded = load_rows_each(self.board, indicator, missing, self._populations)
        for unit, data in loaded.items():
            key = (unit,)
            self._cache[(indicator.id, key)] = datacache.cached(
                self.key, ("rows", fingerprint, key), lambda data=data: data
            )

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
    """A count of municipalities taking part (the registry's chart kind «rollout»)."""
    return indicator.series_kind == "rollout"


def latest_row(series: pd.DataFrame) -> pd.Series | None:
    """The newest row of a judged series with a value to judge (``judge_value``), or None:
    the figure a target criterion's reason names first (``_head``: «71,8 % (3. kvartal 2026)»)."""
    usable = np.flatnonzero(series["judge_value"].notna().to_numpy())  # positions, not a filtered frame
    return None if not len(usable) else series.iloc[usable[-1]]


def _baseline_row(series: pd.DataFrame, year: int | None) -> tuple[pd.Series | None, str]:
    """The judged row at the end of the baseline year (or the first with a value), and how it
    was found."""
    usable = series[series["judge_value"].notna()]
    if usable.empty:
        return None, ""
    in_year = usable[usable["period_start"].dt.year == year] if year else usable.iloc[0:0]
    if not in_year.empty:
        return in_year.iloc[-1], f"utgangen av {year}"
    row = usable.iloc[0]
    label = period_text(row["period_start"].date(), _grain(series))
    missing = f"; ingen tall for {year}" if year else ""
    return row, f"{label}, første tall{missing}"


def _baseline_value(series: pd.DataFrame, year: int | None) -> tuple[float | None, str]:
    """The value at the end of the baseline year (or the first value), and how it was found."""
    row, where = _baseline_row(series, year)
    return (None, where) if row is None else (float(row["judge_value"]), where)


def increase_text(indicator: Indicator, row: pd.Series, where: str) -> str:
    """A ``min_increase`` target in words: «mål: flere enn 3 (utgangen av 2023)».

    The baseline figure is shown by the one rule for figures (series.figure_shown): a small
    count of persons in a protected indicator reads «mål: flere enn ved utgangen av 2023
    (færre enn 5)», never the count (it read «mål: flere enn 1», the 1–4 the table hides; rule
    and source: analytics.protection). A share, rate or score is a level, not a number of
    things: «mål: over 51,0 % (utgangen av 2023)», not «flere enn 51»."""
    shown, hidden = figure_shown(
        indicator, row["judge_value"], row["numerator"], bool(row.get("hidden", False))
    )
    word = "flere enn" if indicator.kind in ("count", "stock") and not rated(indicator) else "over"
    if hidden:
        return f"mål: {word} ved {where} ({shown})"
    return f"mål: {word} {shown} ({where})"


def _grain(series: pd.DataFrame) -> str:
    if len(series) < 2:
        return "quarter"
    days = (series["period_end"].iloc[0] - series["period_start"].iloc[0]).days
    return "month" if days < 32 else "quarter" if days < 93 else "tertial" if days < 124 else "year"


def _target(
    board: Board,
    criterion: Criterion,
    indicator: Indicator,
    series: pd.DataFrame,
    scope: Scope,
    baseline: Baseline | None = None,
) -> tuple[float | None, str | None]:
    """Target value and a short note on where it comes from. A ``relative_change`` starts from
    the level of the criterion's ``baseline_year``, or without one from the level of its
    baseline window (``baseline``: Plan.baseline_for, by default the 24 months before the plan
    period), pooled as ``_year_level``; «10 % lower than the baseline» has a baseline even when
    the plan names no year (it was «målet er ikke tallfestet», Mangler data)."""
    target = criterion.target
    if scope.single and is_rollout(indicator):
        return 1.0, "kommunen deltar"
    if target is None:
        return indicator.target, None
    if target.all_members:
        return float(scope.municipalities), None
    if target.value is not None:
        # A decided target says which decision set it: «mål 90 % (Vedtatt i AU 12.03.2026)».
        used = (
            f"mål {format_target(indicator, target.value)} ({target.decision})" if target.decision else None
        )
        return target.value, used
    if target.min_increase is not None:
        row, where = _baseline_row(series, criterion.baseline_year)
        if row is None:
            return None, None
        return float(row["judge_value"]) + target.min_increase, increase_text(indicator, row, where)
    if target.relative_change is not None and criterion.baseline_year:
        year = series[(series["period_start"].dt.year == criterion.baseline_year)]
        if year.empty or year["judge_value"].isna().all():
            return None, None
        base = _year_level(indicator, year)
        if no_worse(criterion):
            return base, _hold_text(indicator, target, f"i {criterion.baseline_year}")
        return base * (1 + target.relative_change), change_text(
            target.relative_change, str(criterion.baseline_year)
        )
    if target.relative_change is not None and baseline is not None:
        window = series[in_baseline(series, baseline)]
        if window.empty or window["judge_value"].isna().all():
            return None, None
        level = _year_level(indicator, window)
        if no_worse(criterion):
            return level, _hold_text(indicator, target, f"grunnlinjen {baseline.text}")
        return level * (1 + target.relative_change), change_text(target.relative_change, baseline.text)
    return None, None


def _hold_text(indicator: Indicator, target: Target, than: str) -> str:
    """A no-worsening target in words («mål: ikke høyere enn i 2023»). The level is not
    printed: a protected count's level can rest on small counts (analytics.protection)."""
    word = "høyere" if target_direction(indicator, target) == "decrease" else "lavere"
    return f"mål: ikke {word} enn {than}"


def target_missing(criterion: Criterion, target: float | None, baseline: Baseline | None) -> str | None:
    """Why a target the plan quantifies could not be worked out (``_target`` gave None), in
    Norwegian, naming the missing data: a relative change needs figures for the baseline year
    (or, without ``baseline_year``, the baseline window). None when there is a target value or
    the plan gives none (then «målet er ikke tallfestet» is the right reason)."""
    planned = criterion.target
    if target is not None or planned is None or planned.relative_change is None:
        return None
    change = planned.relative_change * 100
    amount = f"{'+' if change > 0 else ''}{formatting.number(change, 0)} %"
    if criterion.baseline_year:
        year = criterion.baseline_year
        return f"målet ({amount} fra {year}) kan ikke regnes ut: ingen tall for grunnlinjeåret {year}"
    window = baseline.text if baseline is not None else "grunnlinjen"
    return f"målet ({amount} fra grunnlinjen {window}) kan ikke regnes ut: ingen tall for grunnlinjen"


def no_worse(criterion: Criterion) -> bool:
    """A target of no worsening («ingen økning fra 2023»: a relative change of 0): the level of
    the baseline is to be held, not passed."""
    return criterion.target is not None and criterion.target.relative_change == 0


def level_reached(low: float, high: float, target: float, lower: bool, hold: bool) -> tuple[bool, bool]:
    """(reached, settled) for a level target from its 12 months' 95 % interval (low, high).

    A target to reach (``hold`` False): reached when the whole interval is on the right side
    of it; settled (the data have answered, whatever the power rule says) when the whole
    interval is on one side. A target of no worsening (``hold``, ``no_worse``: «ingen økning»):
    it fails only when a worsening is shown, the whole interval on the wrong side of the
    baseline level (p < 0,05); that is then settled, and «no worsening shown» rests on the
    power rule (Altman and Bland 1995, «Absence of evidence is not evidence of absence», BMJ
    311:485). Asking a «no increase» for an interval wholly below the baseline asked for a fall.
    lower: lower is better."""
    worse = low > target if lower else high < target
    if hold:
        return not worse, worse
    reached = high <= target if lower else low >= target
    return reached, reached or worse


def change_text(change: float, baseline: str) -> str:
    """A relative target in words: «mål: 10 % over grunnlinjen 2023», «mål: 10 % under
    grunnlinjen jan. 2022–des. 2023 (…)». It read «mål: grunnlinje 2023 10 %», which on a share
    reads as a level of 10 % and for a rise has no sign. The target's value is not named: it is
    the baseline's level times (1 + change), so it would give back a small count the baseline
    hides (analytics.protection)."""
    word = "over" if change > 0 else "under"
    return f"mål: {formatting.number(abs(change) * 100, 0)} % {word} grunnlinjen {baseline}"


def _year_level(indicator: Indicator, year: pd.DataFrame) -> float:
    """The level of a baseline year (or window) from its judged periods (rows of a judged series), in the
    series' unit: a share (per cent) or a count with population (per 1 000 per year) is the
    year's summed numerators over its summed denominators, as every level on the board
    (README «Statusregelen»: «summerte tellere over summerte personår, aldri snitt av rater»;
    a ratio estimator: each period weighs by its denominator).
    The mean of the periods' shares would give a summer month with 10 patients the weight of
    a winter month with 100. Counts without population, stocks and scores: the mean per period,
    the same unit as one period's value. Periods not judged (partial) are left out."""
    judged = year[year["judge_value"].notna()]
    ratio = indicator.kind == "share" or (indicator.kind == "count" and rated(indicator))
    if ratio and not judged.empty:
        # Each judged period one row to series.aggregate, which pools them as it pools units'
        # rows (its sums and scale); a period without numerator or denominator leaves it
        # incomplete, and the level is then the mean below.
        numerator, denominator = (judged[c].to_numpy(dtype=float) for c in ("numerator", "denominator"))
        periods = pd.DataFrame(
            {
                "unit_id": "periods",
                "period_start": judged["period_start"].to_numpy(),
                "period_end": judged["period_end"].to_numpy(),
                "value": numerator,
                "numerator": numerator,
                "denominator": denominator,
                "suppressed": False,
                "population": np.nan,
                "person_years": denominator,
            }
        )
        total = aggregate_row(periods, indicator)
        if not total["incomplete"]:
            return float(total["value"])
    return float(judged["judge_value"].mean())


# A criterion's text, or its target's basis or decision, that counts a year's events:
# «minst 1 200 pasienter per år», «årlig», «i året».
PER_YEAR = re.compile(r"\bper år\b|\bi året\b|\bårlig", re.IGNORECASE)


# Words that make a target a rate, not a count: «under 5 per 1 000 innbyggere per år».
RATE_WORDS = re.compile(
    r"per\s+1[\s\u00a0.]?000\b|per\s+100[\s\u00a0.]?000\b|promille|‰|\brate\b", re.IGNORECASE
)


def count_target_grain(indicator: Indicator, criterion: Criterion) -> str | None:
    """The period a target criterion on a count counts over ("month", "quarter", "tertial" or
    "year"), or None where the target is in the figure's own unit (a rate or a share has its
    unit; a rollout counts members; a stock is read at one date).

    A count without population: its figure is the events of one period, so a target «1 200»
    means nothing until it says per what: per year when the criterion's text or its target's
    basis or decision says so (``PER_YEAR``), and the count is then summed to the year
    (judged on whole years); else per period of the indicator's own grain (the registry's),
    as its values are.

    A count with population (judged per 1 000 per year, ``rated``): a fixed target is a rate
    unless the words make it a count of events per year («minst 1 200 pasienter per år»:
    ``PER_YEAR`` and none of ``RATE_WORDS``); then "year", and the year's events are judged
    against it (``counted``). Compared with the rate (2,6 per 1 000), «1 200» was out of
    reach by a factor of 400 (Helsedirektoratet and FHI state a rate «per 1 000 innbyggere»;
    a number of patients per year is a count)."""
    if criterion.kind is not CriterionKind.target or indicator.kind != "count":
        return None
    if is_rollout(indicator):
        return None
    target = criterion.target
    texts = [text for text in (criterion.text, *((target.basis, target.decision) if target else ())) if text]
    per_year = any(PER_YEAR.search(text) for text in texts)
    if rated(indicator):
        is_count = target is not None and target.value is not None and per_year
        return "year" if is_count and not any(RATE_WORDS.search(text) for text in texts) else None
    return "year" if per_year else indicator.grain


def counted(indicator: Indicator) -> Indicator:
    """The count itself of a count with population (``rated``): the same indicator without
    its population group, so its series is the events (summed over units and periods), not
    the rate per 1 000. For a target that is a count of events (``count_target_grain``)."""
    return indicator.model_copy(update={"population": None})


def _head(
    indicator: Indicator, latest: pd.Series, target: float | None, note: str | None, per: str | None = None
) -> str:
    """'Antall kommuner som deltar i IHT 13 av 22 (3. kvartal 2026)'. per: the period a count
    without population is counted over (``count_target_grain``), named after the figure
    («Antall pasienter i IHT per måned 95 (desember 2025); mål 100»). «13 av 22» is for a
    number of municipalities only (registry ``counts: municipalities``, or a rollout): a stock
    of patients read «Antall aktive pasienter 48 av 40», as if 48 of 40 patients."""
    shown, _ = figure_shown(
        indicator, latest["value"], latest["numerator"], bool(latest.get("hidden", False))
    )
    name = figure_label(indicator)
    if per is not None:
        name = f"{name} per {grain_label(per)}"
    if target is None:
        return f"{name} {shown} ({latest['label']})"
    if note:
        return f"{name} {shown} ({latest['label']}); {note}"
    of_members = indicator.counts == "municipalities" or is_rollout(indicator)
    if per is None and of_members and indicator.kind in ("count", "stock") and not rated(indicator):
        return f"{name} {shown} av {formatting.number(target)} ({latest['label']})"
    return f"{name} {shown} ({latest['label']}); mål {format_target(indicator, target)}"


def figure_label(indicator: Indicator) -> str:
    """What a judged figure is, before it in a reason: a count with population is a rate
    («Antall hoftebrudd per 1 000 innbyggere 65 år og eldre per år 5,9»), never «Antall
    hoftebrudd 5,9», which reads as 5,9 fractures; a stock with population per 1 000 (not per
    year); anything else its name. The rate's words are series.rate_unit's, as the y-axis's
    (series.value_label)."""
    unit = rate_unit(indicator)
    return indicator.name if unit is None else f"{indicator.name} {unit}"


def _lower_first(text: str | None) -> str | None:
    """Embed a sentence after a semicolon: 'I dagens tempo …' → 'i dagens tempo …'."""
    if not text:
        return text
    first = text.split()[0]
    if len(first) > 1 and first.isupper():  # an acronym such as SPC or IHT
        return text
    return text[0].lower() + text[1:]


def target_direction(indicator: Indicator, target: Target | None) -> str:
    """The direction a target criterion is judged in: the indicator's own (registry), or for a
    neutral indicator the one the target asks for (``Target.direction``, e.g. a partnership's
    decision «lavere»; else the sign of a ``relative_change``: −10 % asks for lower). A target
    «under 80» on a neutral count is reached at 75, not at 100: reading it as «at least 80»
    turned the verdict round. A plan's target against a non-neutral indicator's direction is
    refused where the plan is read (plan_overlay.check_values), so the two never differ there.
    Returns "increase", "decrease" or "neutral"."""
    if indicator.direction != "neutral" or target is None:
        return indicator.direction
    if target.direction is not None:
        return target.direction
    if target.relative_change:
        return "decrease" if target.relative_change < 0 else "increase"
    return "neutral"


def _reached(
    indicator: Indicator, series: pd.DataFrame, target: float, due: dt.date | None, direction: str
) -> str:
    """' i 2. kvartal 2026, etter fristen' when the target was first reached late (``direction``:
    target_direction's)."""
    usable = series[series["judge_value"].notna()]
    lower = direction == "decrease"
    hits = usable[(usable["judge_value"] <= target) if lower else (usable["judge_value"] >= target)]
    if hits.empty or due is None:
        return ""
    first = hits.iloc[0]
    if first["period_end"].date() > due:
        return f" i {first['label']}, etter fristen"
    return ""


def _value_at(series: pd.DataFrame, due: dt.date) -> pd.Series | None:
    usable = series[series["judge_value"].notna().to_numpy() & day_mask(series["period_end"], last=due)]
    return None if usable.empty else usable.iloc[-1]


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


def projection_band(projection: Projection, target: float, direction: str) -> str | None:
    """Where the prediction interval lies against the target: reaches / straddles / misses."""
    if projection.lower is None or projection.upper is None or direction == "neutral":
        return None
    low, high = (projection.lower, projection.upper)
    if direction == "decrease":
        low, high = -high, -low
        target = -target
    if low >= target:
        return "reaches"
    if high < target:
        return "misses"
    return "straddles"


def interval_text(
    indicator: Indicator, projection: Projection, when: dt.date, cap: float | None = None
) -> str | None:
    """'80 % prediksjonsintervall −28 til 179 ved 31.12.2027'. cap: the most a rollout can
    reach (``clipped``: the members); an interval wholly at it (both ends clipped there) is
    said plainly, «80 % prediksjonsintervall når taket på 21 kommuner ved 28.09.2031», not
    «21 til 21», which reads as a forecast of exactly 21."""
    if projection.lower is None or projection.upper is None:
        return None
    level = formatting.number(LEVEL * 100, 0)
    if cap is not None and projection.lower >= cap and projection.upper >= cap:
        return (
            f"{level} % prediksjonsintervall når taket på {formatting.number(cap)} kommuner "
            f"ved {formatting.date(when)}"
        )
    low, high = (format_value(indicator, v).replace("-", "−") for v in (projection.lower, projection.upper))
    return f"{level} % prediksjonsintervall {low} til {high} ved {formatting.date(when)}"


def _project(
    indicator: Indicator,
    series: pd.DataFrame,
    target: float,
    due: dt.date | None,
    clip_max: float | None = None,
    direction: str | None = None,
) -> tuple[Projection | None, str | None, str | None, str | None]:
    """Projection, where its interval lies (band), the Norwegian sentence and the interval.
    ``direction``: the one the target is judged in (target_direction; None: the indicator's).

    Where a point the line is fitted on is hidden (the judged series' ``hidden``: a protected
    small count, or a cell hidden to protect one), the projection is marked
    ``rests_on_hidden`` and its figures are left out of the sentence: no crossing month, no
    interval (protection.statistic_text's rule: slope and intercept with the shown points
    solve for a hidden one). The band, and so the status, still uses every figure, as the
    status SPC does (NHS Making Data Count judges on all the data; the protection is of what
    is printed, Heldal & Fosen, SSB Notater 2001/28; DESIGN.md §5).
    """
    usable = series[series["judge_value"].notna()]
    direction = direction or indicator.direction
    if direction == "neutral" or usable.empty:
        return None, None, None, None
    periods = [p.date() for p in usable["period_end"]]
    values = usable["judge_value"].astype(float).tolist()
    last = periods[-1]
    horizon = due or _horizon(last)
    # The projection is kept as fitted (figures draw the line from it); clipped() gives the
    # values to show for a rollout, and the band is read from the shown values.
    projection = project_to_deadline(periods, values, horizon, target, direction, PROJECTION_WINDOW)
    projection = replace(projection, rests_on_hidden=fitted_hidden(usable, projection.n_points)[0] > 0)
    if projection.reaches_target is None:
        return projection, None, _lower_first(projection.shown_reason), None
    shown = clipped(projection, clip_max)
    band = projection_band(shown, target, direction)
    interval = None if projection.rests_on_hidden else interval_text(indicator, shown, horizon, clip_max)
    if due is not None:
        return projection, band, _lower_first(projection.shown_reason), interval
    # A continuous rollout: is all of it within the horizon at today's pace?
    target_text = formatting.number(target)
    if projection.expected_date is not None and projection.expected_date <= horizon:
        when = formatting.month_year(projection.expected_date)
        if projection.expected_date <= last:
            return projection, band, f"trendlinjen har nådd {target_text}", interval
        pace = protection.figures_or_words(
            f"i dagens tempo nås {target_text} i {when}",
            f"i dagens tempo nås {target_text} innen {ROLLOUT_HORIZON_YEARS} år",
            projection.rests_on_hidden,
        )
        return projection, band, pace, interval
    return (
        projection,
        band,
        f"i dagens tempo nås ikke {target_text} innen {ROLLOUT_HORIZON_YEARS} år",
        interval,
    )


def fitted_hidden(usable: pd.DataFrame, n_points: int) -> tuple[int, int]:
    """(hidden, fitted): how many of the last ``n_points`` rows with a value (the points a
    projection's line is fitted on, analytics.projection) are hidden (bool column ``hidden``;
    absent: none), and how many points that is."""
    fitted = min(max(n_points, 0), len(usable))
    if "hidden" not in usable or fitted == 0:
        return 0, fitted
    return int(usable["hidden"].astype(bool).tail(fitted).sum()), fitted


# -- baseline, limits and the judged window ----------------------------------------------------


def judged_until(kind: str, due: dt.date | None, today: dt.date) -> dt.date:
    """The last day of the data a criterion of this kind is judged on, on ``today`` (the day
    judged: today or as_of): the deadline once it has passed, for a target or a trend (later
    rows only add a sentence, «målet nås etter fristen …»); else ``today``. A coverage,
    before/after or monitored criterion reads the data up to the day judged."""
    if due is not None and today > due and kind in ("target", "trend"):
        return due
    return today


# The figure a criterion's reason names first, beside its status, per kind: "newest", the
# newest period with a value (a target's head, ``_head``: SPC assurance and the projection judge
# the series up to that point); "recent", the newest 12 months (a stock: its newest period;
# yearly data: the newest year), as a trend's or monitor's text gives it (``baseline_comparison``).
# The value shown beside a status is this figure (indicator_view.criterion_value), so the value
# column and the reason never name two windows; a level target reached (or not by its deadline)
# by its newest 12 months' interval rests on those 12 months instead (Judgement.rests_on,
# ``lead_figure``). A new kind adds one line here.
LEAD_FIGURE: dict[CriterionKind, str] = {
    CriterionKind.target: "newest",
    CriterionKind.trend: "recent",
    CriterionKind.monitor: "recent",
    CriterionKind.coverage: "recent",
    CriterionKind.before_after: "recent",
    CriterionKind.milestone: "recent",
}


def lead_figure(kind: CriterionKind, judgement: Judgement | None = None) -> str:
    """The figure a status rests on, for the value beside it: the judgement's own
    (``Judgement.rests_on``: a level target reached, or not by its deadline, by its newest
    12 months' interval) or else the kind's (``LEAD_FIGURE``)."""
    return (judgement.rests_on if judgement is not None else None) or LEAD_FIGURE[kind]


def without_figures(part: IndicatorEvidence) -> bool:
    """Whether the scope has no figure at all for the part's indicator (its judgement is
    «Mangler data» and its judged series has no value to judge), as for a municipality that
    does not report one of a criterion's counts, or whose every figure the source hid (a
    suppressed cell is missing, never a value); a «Mangler data» for want of a quantified
    target has figures."""
    return (
        part.judgement is not None
        and part.judgement.status is Status.no_data
        and (part.series.empty or latest_row(part.series) is None)
    )


def criterion_until(plan: Plan, measure: Measure, criterion: Criterion, today: dt.date) -> dt.date:
    """``judged_until`` for a criterion of the plan (its measure's deadline), on ``today``."""
    deadline = plan.effective_deadline(measure)
    return judged_until(criterion.kind.value, deadline.due_date if deadline else None, today)


def cut_rows(data: UnitRows, until: dt.date | None) -> UnitRows:
    """The rows whose period ended by ``until`` (as_of, or the deadline): a new UnitRows.

    One unit's cut is kept on ``data`` per ``until`` (series.derived), so its judged series,
    windows and comparisons are worked out once per view: Kommune's table asks for the same
    cut as the criterion's judging (indicator_view.value_until), and each new UnitRows starts
    with an empty cache. A wider set's cut is not kept: it is as big as the set, and keeping
    each one with its judged series raised the national benchmark's peak memory by a third."""
    if until is None or data.empty:
        return data
    if len(data.units) == 1:
        return derived(data, ("cut_rows", until), lambda: _cut_rows(data, until))
    return _cut_rows(data, until)


def _cut_rows(data: UnitRows, until: dt.date) -> UnitRows:
    """cut_rows, not kept."""
    ends = data.rows["period_end"]
    kept = day_mask(ends, last=until)
    if kept.all() or not (ends.notna().to_numpy() & ~kept).any():  # no period ends after ``until``
        return data
    rows = data.rows[kept].reset_index(drop=True)
    # File totals are matched per period, so later periods in them are never read.
    return UnitRows(
        data.indicator,
        rows,
        data.population_note,
        totals=data.totals,
        cube=data.cube,
        grain_note=data.grain_note,
    )


@dataclass(frozen=True)
class Limits:
    """Where an XmR chart's limits come from, as positions in the judged series.

    start: the first judged point (the baseline's first period; earlier points are shown,
    not judged); points: how many points from ``start`` the limits are computed from
    (None: every point); breaks: positions where new limits start (a change date in the
    plan); note: Norwegian, what the limits rest on.
    """

    start: int
    points: int | None
    breaks: tuple[int, ...]
    note: str


def limits_for(
    series: pd.DataFrame, baseline: Baseline, change: dt.date | None, data: UnitRows | None = None
) -> Limits:
    """Limits from the baseline's points (at least 12: MDC / ptd_spc_options' minimum, so a
    short or coarse baseline is extended forward to 12 points); new limits from ``change``,
    and for a count without population (``data``: the rows ``series`` is judged from) from
    each period in which units start reporting (``joined_periods``)."""
    starts = series["period_start"].dt.date
    usable = series["judge_value"].notna().to_numpy()
    after_start = np.flatnonzero((starts >= baseline.start).to_numpy())
    start = int(after_start[0]) if len(after_start) else len(series)
    if start == len(series) or not usable[start:].any():
        return Limits(0, None, (), "ingen tall fra grunnlinjen; grensene bygger på alle punktene")
    in_baseline = usable & (starts >= baseline.start).to_numpy() & (starts <= baseline.last_day).to_numpy()
    n = int(in_baseline.sum())
    note = f"grensene bygger på grunnlinjen {baseline.text}"
    if int(usable[start:].sum()) < MIN_POINTS:
        note = f"for få punkter fra grunnlinjen {baseline.text} til kontrollgrenser"
    elif n < MIN_POINTS:
        n = MIN_POINTS
        note = f"grensene bygger på de første {MIN_POINTS} punktene fra grunnlinjen {baseline.text}"
    breaks: tuple[int, ...] = ()
    if change is not None:
        later = np.flatnonzero((starts >= change).to_numpy())
        if len(later) and later[0] > start:
            breaks = (int(later[0]) - start,)
            note += f"; nye grenser fra endringen {formatting.month_year(change)}"
    joined = [i for i in joined_periods(series, data) if i > start]
    if joined:
        breaks = tuple(sorted({*breaks, *(i - start for i in joined)}))
        labels = ", ".join(str(series["label"].iloc[i]) for i in joined[:3]) + (
            " …" if len(joined) > 3 else ""
        )
        note += f"; nye grenser fra {labels}, da flere enheter begynte å rapportere"
    return Limits(start, n, breaks, note)


def first_starts(data: UnitRows) -> pd.Series:
    """Each unit's first ``period_start`` in the rows (unit_id → Timestamp) of a count without
    population, the one kind whose figure is a sum over the units that report, so it grows
    when the set of reporting units does; empty for any other kind or no rows. The one source
    of both ``joined_periods`` (new SPC limits) and ``_late_units`` (a baseline refused).
    Computed once per rows (series.derived)."""
    indicator, rows = data.indicator, data.rows
    if indicator.kind != "count" or rated(indicator) or rows.empty:
        return pd.Series([], dtype="datetime64[ns]")
    return derived(data, ("first_starts",), lambda: unit_minimum(rows))


def in_baseline(frame: pd.DataFrame, baseline: Baseline) -> np.ndarray:
    """Which rows of `frame` (period_start, period_end as timestamps) lie wholly inside the
    baseline's years: a bool array (series.day_mask on both ends)."""
    return day_mask(frame["period_start"], first=baseline.start) & day_mask(
        frame["period_end"], last=baseline.last_day
    )


def unit_minimum(rows: pd.DataFrame) -> pd.Series:
    """``rows.groupby("unit_id")["period_start"].min()`` for naive datetime64 starts, in numpy
    (a groupby costs a millisecond on a municipality's few rows): units sorted, a missing
    unit id left out, NaT for a unit without a known start. Other dtypes: the groupby."""
    starts = rows["period_start"]
    if not (isinstance(starts.dtype, np.dtype) and starts.dtype.kind == "M"):
        return rows.groupby("unit_id")["period_start"].min()
    codes, units = pd.factorize(rows["unit_id"], sort=True)
    values = starts.to_numpy().view(np.int64)
    known = (codes >= 0) & ~np.isnat(starts.to_numpy())
    first = np.full(len(units), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, codes[known], values[known])
    found = np.zeros(len(units), dtype=bool)
    found[codes[known]] = True
    out = np.where(found, first, np.datetime64("NaT").view(np.int64)).view(starts.dtype)
    return pd.Series(out, index=units.rename("unit_id"), name="period_start")


def joined_periods(series: pd.DataFrame, data: UnitRows | None) -> list[int]:
    """Positions in a judged series (not per unit) of a count without population where units
    start reporting: the period holding a unit's first row (``first_starts``), after the
    series' first. Such a count is a sum over the reporting units, so from there it is another
    process (more units, more events) and gets its own limits, as NHS Making Data Count
    rebases a chart when what is measured changes (NHSRplotthedots ``rebase``); without the
    break the step alone was a «Forbedring». A rate or a share (the units' own exposure) and
    a stock are not split here. ``data``: the rows ``series`` was judged from; empty for
    other kinds or without rows."""
    if data is None or series.empty:
        return []
    starts = first_starts(data)
    if starts.empty:
        return []
    ends = series["period_end"].to_numpy(dtype="datetime64[ns]")
    at = np.searchsorted(ends, np.sort(starts.to_numpy(dtype="datetime64[ns]")), side="left")
    return sorted({int(i) for i in at if 0 < i < len(series)})


def _xmr(values: list[float], improvement: str, target: float | None, limits: Limits) -> SpcResult:
    """analytics.spc.xmr with the baseline and breaks, on the judged window."""
    n = limits.points if limits.points is not None and limits.points >= MIN_POINTS else None
    return xmr(values, improvement=improvement, target=target, baseline=n, breaks=list(limits.breaks))


def judged_spc(series: pd.DataFrame, improvement: str, target: float | None, limits: Limits) -> SpcResult:
    """XmR over the judged window, aligned with ``series``: points before the baseline keep
    their value and type common_cause, with the first phase's lines carried back."""
    values = series["judge_value"].astype(float).tolist()
    spc = _xmr(values[limits.start :], improvement, target, limits)
    if limits.start == 0:
        return spc
    first = spc.points.iloc[0] if len(spc.points) else None
    before = values[: limits.start]
    # One constructor (not a column set at a time): the same columns, values and dtypes.
    head = pd.DataFrame(
        {
            "value": before,
            **{column: math.nan if first is None else first[column] for column in ("mean", "lpl", "upl")},
            "point_type": ["missing" if pd.isna(v) else "common_cause" for v in before],
        },
        index=pd.RangeIndex(len(before)),
    )
    points = pd.concat([head, spc.points], ignore_index=True)[spc.points.columns]
    # Phases by position in the whole series: the first one's lines reach back to the start.
    phases = tuple(
        replace(phase, start=0 if i == 0 else phase.start + limits.start, stop=phase.stop + limits.start)
        for i, phase in enumerate(spc.phases)
    )
    return replace(spc, points=points, phases=phases)


def baseline_comparison(data: UnitRows, baseline: Baseline, end: pd.Timestamp) -> Comparison | None:
    """The newest 12 months (a stock: the newest period) against the baseline window, with
    series' exact test (Poisson rates, or Fisher for shares); None without baseline data.
    Computed once per (rows, baseline, end) (series.derived); the Comparison is frozen."""
    return derived(
        data, ("baseline_comparison", baseline, end), lambda: _baseline_comparison(data, baseline, end)
    )


def _baseline_comparison(data: UnitRows, baseline: Baseline, end: pd.Timestamp) -> Comparison | None:
    indicator, rows = data.indicator, data.rows
    if rows.empty:
        return None
    base_rows = rows[in_baseline(rows, baseline)]
    if indicator.kind == "stock":
        newest = rows.loc[rows["period_end"] <= end, "period_end"].max()
        recent_rows = rows[rows["period_end"] == newest]
        recent_text = period_text(recent_rows["period_start"].iloc[0].date(), indicator.grain)
        if not base_rows.empty:
            base_rows = base_rows[base_rows["period_end"] == base_rows["period_end"].max()]
    else:
        recent_rows = window_of(data, end)
        start = (end + pd.Timedelta(days=1)) - pd.DateOffset(months=12)
        recent_text = f"siste 12 mnd ({window_span(start, end, indicator.grain)})"
        if indicator.grain == "year":
            recent_text = str(end.year)
    if recent_rows.empty:
        return None
    note = None if not base_rows.empty else f"ingen tall for grunnlinjen {baseline.text}"
    gap = baseline_gap(data, base_rows, baseline)
    if gap is not None:
        base_rows, note = base_rows.iloc[0:0], gap
    elif not base_rows.empty and base_rows["period_end"].max() >= recent_rows["period_start"].min():
        base_rows = base_rows.iloc[0:0]  # the windows overlap: nothing to compare
        note = f"de nyeste tallene overlapper grunnlinjen {baseline.text}, så det finnes ingen nyere tall å sammenligne med"
    # The 12 months' total is the window's, kept for the interval and the table (window_total).
    total = window_total(data, end) if indicator.kind != "stock" and not recent_rows.empty else None
    return compare_rows(
        data, recent_rows, base_rows, recent_text, f"grunnlinje {baseline.text}", note, recent_total=total
    )


def baseline_gap(data: UnitRows, base_rows: pd.DataFrame, baseline: Baseline) -> str | None:
    """Why the baseline's rows cannot be compared with newer figures (Norwegian, for the status
    line), or None when they can. base_rows: ``data``'s rows inside the baseline.

    Like with like (NHS Making Data Count; NHSRplotthedots judges whole periods): from the
    data's first figure (data that start inside the baseline are compared from there) to
    their last, every month of the baseline must have figures, since a period missing for
    every unit makes its sum another span's; and no member may miss a period of it
    (series.short_starts), since its sum is then another population's. Stocks are read at
    one period and only take the member rule. Both the baseline comparison and the power
    check ask this, so neither speaks of a baseline the other refused."""
    if base_rows.empty:
        return None
    indicator, rows = data.indicator, data.rows
    first = max(baseline.start, rows["period_start"].min().date())
    last = min(baseline.last_day, rows["period_end"].max().date())
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    held = covered_months(base_rows)
    if indicator.kind != "stock" and held < span:
        return (
            f"grunnlinjen {baseline.text} mangler tall for {span - held} av {span} måneder etter de første tallene, "
            "så den kan ikke sammenlignes med de nyeste tallene"
        )
    late = _late_units(data, first)
    if late:
        return (
            f"{late}, etter starten av grunnlinjen {baseline.text}, "
            "så summen gjelder færre enheter enn de nyeste tallene og kan ikke sammenlignes med dem"
        )
    gaps = [s for s in short_starts(data) if baseline.start <= s.date() <= baseline.last_day]
    if gaps:
        when = ", ".join(period_text(s.date(), indicator.grain) for s in gaps[:3]) + (
            " …" if len(gaps) > 3 else ""
        )
        return (
            f"grunnlinjen {baseline.text} mangler tall fra noen av kommunene ({when}), "
            "så den kan ikke sammenlignes med de nyeste tallene"
        )
    return None


def _late_units(data: UnitRows, first: dt.date) -> str | None:
    """Which units of a count without population have their first figures after ``first`` (the
    start of the compared part of the baseline), as «2 av 5 enheter har tall først fra 3.
    kvartal 2023», or None. Such a count is a sum over the units that report: a unit that starts
    reporting inside or after the baseline adds its events to the newer figures only, so the
    sum rises with no change in any unit (two units of 10 a month, one from July 2023: 300 in
    the 24 baseline months, 150 per 12, against 240, «p < 0,001»). Like with like (NHS Making
    Data Count; the rule baseline_gap applies to a member missing a period): the comparison is
    refused. A rate (per person-years) or a share counts only the reporting units' exposure,
    so a late unit changes its mix, not its meaning, and is not refused here; a stock is read
    at one period (the member rule covers it)."""
    starts = first_starts(data)
    late = starts[starts.dt.date > first]
    if late.empty:
        return None
    when = period_text(late.min().date(), data.indicator.grain)
    return f"{len(late)} av {len(starts)} enheter har tall først fra {when}"


def power_check(
    data: UnitRows,
    baseline: Baseline,
    end: pd.Timestamp | None,
    change: float,
    target: float | None,
    single: bool,
    direction: str | None = None,
) -> power.PowerCheck | None:
    """analytics.power's rule on this scope's rows; None when it does not apply (stocks,
    scores, no direction) or cannot be asked (no figures in the baseline, or a baseline that
    `baseline_gap` refuses: its events are another span's or another population's).
    direction: the one the criterion is judged in (IndicatorEvidence.direction: a target
    «lavere enn 80» on a neutral indicator asks for a fall); None: the indicator's own."""
    indicator, rows = data.indicator, data.rows
    direction = direction or indicator.direction
    if indicator.kind not in ("count", "share") or direction == "neutral" or rows.empty:
        return None
    base = rows[in_baseline(rows, baseline)]
    if base.empty or baseline_gap(data, base, baseline) is not None:
        return None
    signed = -abs(change) if direction == "decrease" else abs(change)
    if indicator.kind == "count":
        # A count's events are its values (numerator is for shares); a hidden cell holds 1–4.
        events = base["value"].where(~base["suppressed"], power.SUPPRESSED_GUESS).fillna(0.0)
        periods = base["period_start"].nunique()
        return power.check_counts(
            float(events.sum()), int(periods), indicator.grain, signed, single, figure_hidden(data, base)
        )
    # Shares: the baseline's level and denominators, the newest 12 months' denominator.
    known = base[base["denominator"].notna() & base["numerator"].notna()]
    if known.empty or known["denominator"].sum() <= 0:
        return None
    p0 = float(known["numerator"].sum() / known["denominator"].sum())
    window = window_of(data, end) if end is not None else rows.iloc[0:0]
    window_den = float(window["denominator"].sum()) if not window.empty else 0.0
    if window_den <= 0:  # no newer figures: the baseline's own pace
        months = max(1, len(known["period_start"].unique()) * grain_months(indicator.grain))
        window_den = float(known["denominator"].sum()) * 12 / months
    goal = None if target is None else target / 100
    protected = (
        hidden(indicator, float(known["numerator"].sum()), float(known["denominator"].sum()))
        or rows_hidden(data, base),
        hidden(indicator, None, window_den),
    )
    return power.check_share(
        p0, float(known["denominator"].sum()), window_den, signed, goal, single, protected
    )


def process_interval(data: UnitRows, end: pd.Timestamp) -> tuple[float, float, float, str] | None:
    """The newest 12 months' value with its 95 % CI (exact: Clopper–Pearson for shares,
    Garwood for Poisson rates per 1 000 person-years); None for stocks and scores.

    A rate with hidden cells (1–4) uses analytics.series' range over what they may hold:
    the interval runs from the lower end's lower bound to the upper end's upper bound.
    Computed once per (rows, end) (series.derived)."""
    return derived(data, ("process_interval", end), lambda: _process_interval(data, end))


def _process_interval(data: UnitRows, end: pd.Timestamp) -> tuple[float, float, float, str] | None:
    indicator = data.indicator
    if indicator.kind not in ("count", "share") or (indicator.kind == "count" and not rated(indicator)):
        return None
    window = window_of(data, end)
    if window.empty:
        return None
    total = window_total(data, end)
    x, n = total["numerator"], total["denominator"]
    ranged = indicator.kind == "count" and pd.notna(total.get("lower")) and pd.notna(total.get("upper"))
    if pd.isna(x) or pd.isna(n) or n <= 0 or (total["incomplete"] and not ranged):
        return None
    start = (end + pd.Timedelta(days=1)) - pd.DateOffset(months=12)
    span = window_span(start, end, indicator.grain)
    if indicator.kind == "share":
        low, high = power.share_interval(int(round(x)), int(round(n)))
        return float(total["value"]), low * 100, high * 100, span
    x_low, x_high = (total["lower"] * n / 1000, total["upper"] * n / 1000) if ranged else (x, x)
    low, high = power.poisson_interval(float(x_low))[0], power.poisson_interval(float(x_high))[1]
    return float(total["value"]), low / n * 1000, high / n * 1000, span


def year_count_interval(
    indicator: Indicator, series: pd.DataFrame
) -> tuple[tuple[float, float, float, str] | None, str | None]:
    """The newest judged year's count of events (a yearly judged series of a count, e.g. a
    target «minst 1 200 pasienter per år», ``count_target_grain``) with its exact 95 %
    Poisson interval (Garwood 1936, power.poisson_interval; events in a year as a Poisson
    count, as FHI's intervals for counts), as (value, low, high, label), and the Norwegian
    text «2025 243 (95 % KI 213 til 276)» (a hidden figure without its interval,
    protection.statistic_text). (None, None) without a judged year."""
    latest = latest_row(series)
    if latest is None:
        return None, None
    value = float(latest["judge_value"])
    low, high = power.poisson_interval(value)
    label = str(latest["label"])
    shown, hide = figure_shown(indicator, value, latest["numerator"], bool(latest.get("hidden", False)))
    ci = f"95 % KI {formatting.number(low)} til {formatting.number(high)}"
    return (value, low, high, label), f"{label} " + protection.statistic_text(shown, ci, hide)


def _process_text(
    data: UnitRows, end: pd.Timestamp, interval: tuple[float, float, float, str] | None
) -> str | None:
    """'siste 12 mnd (span) value (95 % KI low til high)'; the value as the tables show that
    window (series.figure_shown: «færre enn 5», or «:» for a cell the cube hides, without the
    interval, which would give the value away)."""
    if interval is None:
        return None
    indicator = data.indicator
    value, low, high, span = interval
    window = window_of(data, end)
    total = window_total(data, end)
    masked = rows_hidden(data, window)
    shown, hide = figure_shown(indicator, value, total["numerator"], masked, denominator=total["denominator"])
    ci = f"95 % KI {format_value(indicator, low)} til {format_value(indicator, high)}"
    return f"siste 12 mnd ({span}) " + protection.statistic_text(shown, ci, hide)


def _projection_text(rows: _Rows, indicator: Indicator, scope: Scope, today: dt.date) -> str:
    """Where projected figures go (they are followed, not judged): «Framskrevet folkemengde 80
    år og eldre: 2025 8 081, 2040 13 706», the projection's first and last year, one year
    once. Its years after the day judged are the projection itself (SSB's figures for years
    not yet counted, e.g. table 13600), not data from after that day, so they are not cut at
    it: cut, a projection starting this year read «2025 8 081, 2025 8 081»."""
    series = judged_series(rows.get(indicator, scope.unit_ids), today=today)
    known = series[series["value"].notna()]
    ends = (
        [known.iloc[0]]
        if known["label"].iloc[0] == known["label"].iloc[-1]
        else [known.iloc[0], known.iloc[-1]]
    )
    shown = (
        f"{r['label']} {figure_shown(indicator, r['value'], r['numerator'], bool(r['hidden']))[0]}"
        for r in ends
    )
    return f"{indicator.name}: {', '.join(shown)}"


def _trend_text(
    indicator: Indicator,
    spc: SpcResult,
    comparison: Comparison | None,
    interval: tuple[float, float, float, str] | None = None,
) -> str:
    """'Antall hoftebrudd per 1 000 …: siste 12 mnd 27,9 (95 % KI …) (grunnlinje …: 35,2); p = …; SPC: …'."""
    parts = [figure_label(indicator)]
    if comparison is not None and comparison.recent is not None:
        recent, hide = figure_shown(
            indicator, comparison.recent, comparison.recent_numerator, comparison.recent_masked
        )
        ci = None
        if interval is not None:
            low, high = (format_value(indicator, v) for v in interval[1:3])
            ci = f"95 % KI {low} til {high}"
        text = f"{comparison.recent_text} " + protection.statistic_text(recent, ci, hide)
        if comparison.baseline is not None:
            base = figure_shown(
                indicator, comparison.baseline, comparison.baseline_numerator, comparison.baseline_masked
            )[0]
            text += f" ({comparison.baseline_text}: {base})"
        parts.append(text)
        if comparison.note:
            parts.append(comparison.note)
        if comparison.p_value is not None:
            word = (
                "statistisk sikker endring" if comparison.significant else "ingen statistisk sikker endring"
            )
            parts.append(
                protection.statistic_text(
                    f"{word} mot grunnlinjen",
                    formatting.p_value(comparison.p_value),
                    comparison.recent_masked,
                    comparison.baseline_masked,
                )
            )
    if spc.enough_points:
        parts.append(f"SPC: {icons.variation_text(spc.variation)}")
    elif spc.message:
        parts.append(_lower_first(spc.message.rstrip(".")))
    return f"{parts[0]}: " + "; ".join(parts[1:]) if len(parts) > 1 else parts[0]


@dataclass(frozen=True)
class _TrendReading:
    spc: SpcResult
    comparison: Comparison | None
    improving: bool
    worsening: bool
    text: str


def _read_trend(
    data: UnitRows, series: pd.DataFrame, indicator: Indicator, baseline: Baseline, limits: Limits
) -> _TrendReading:
    """SPC on the newest point and the 12 months against the baseline, for one cut of data."""
    spc = judged_spc(series, indicator.direction, None, limits)
    end = recent_end(series, indicator)
    comparison = baseline_comparison(data, baseline, end) if end is not None else None
    improving = worsening = False
    if indicator.direction != "neutral":
        lower = indicator.direction == "decrease"
        if spc.enough_points:
            improving = spc.variation in ("improvement_high", "improvement_low")
            worsening = spc.variation in ("concern_high", "concern_low")
        if comparison is not None and comparison.significant:
            step = comparison.direction() * (-1 if lower else 1)
            improving, worsening = improving or step > 0, worsening or step < 0
            if improving and worsening:  # the test and the newest point disagree: neither
                improving = worsening = False
    interval = process_interval(data, end) if end is not None and indicator.kind != "stock" else None
    text = _trend_text(indicator, spc, comparison, interval)
    return _TrendReading(spc, comparison, improving, worsening, text)


BLIND_TREND_TEXT = (
    "verken en test mot grunnlinjen eller SPC kan vise en endring før det finnes tall for "
    f"grunnlinjen eller minst {MIN_POINTS} punkter"
)


def blind_trend(spc: SpcResult, comparison: Comparison | None, direction: str) -> bool:
    """True when a trend criterion's data cannot show any change, whatever the figures are:
    no exact test against the baseline (no baseline figure, or a kind without a test:
    ``comparison.p_value`` None) and no SPC limits (under 12 points: NHS Making Data Count;
    NHSRplotthedots warns below 12, and this board draws no limits then, spc.MIN_POINTS).
    Then «ingen påvist forbedring» is no finding, and README «Statusregelen» (last row) gives
    «For lite data», never «Forsinket» or «Usikker». A neutral direction asks for no change."""
    if direction == "neutral" or spc.enough_points:
        return False
    return comparison is None or comparison.p_value is None


def _enough(check: power.PowerCheck | None, shown: bool) -> bool | None:
    """The power rule's answer, unless the data have already answered: a change the exact
    test finds (p < 0,05), or a 12-month interval wholly on one side of the target, shows
    the series could show it. None: the rule does not apply."""
    if check is None:
        return None
    return check.enough or shown


def _numeric_part(
    board: Board,
    rows: _Rows,
    plan: Plan,
    criterion: Criterion,
    indicator: Indicator,
    scope: Scope,
    due: dt.date | None,
    today: dt.date,
    series: pd.DataFrame | None = None,
) -> tuple[IndicatorEvidence, Evidence]:
    """Evidence for a target, trend or monitor criterion on one indicator.

    today: the day judged as (as_of); rows after it are never read. After the deadline a
    target or trend is judged on the rows up to the deadline; later rows only add a
    sentence («forbedring etter fristen …»). series: the judged series to read instead of
    the one built from the rows (an end of the hidden cells' range, see `_judge_part`).
    """
    kind = criterion.kind.value
    full = cut_rows(rows.get(indicator, scope.unit_ids), today)
    until = judged_until(kind, due, today)
    passed = until < today
    data = cut_rows(full, until) if passed else full
    per = count_target_grain(indicator, criterion)  # a count's target per period or per year
    if per is not None and rated(indicator):
        # A target that counts events per year, on a count judged as a rate: judge the count.
        indicator = counted(indicator)
        full, data = (replace(d, indicator=indicator, judged={}) for d in (full, data))
    if series is None:
        series = judged_series(data, "year" if per == "year" else None, today=today)
    direction = target_direction(indicator, criterion.target) if kind == "target" else indicator.direction
    part = IndicatorEvidence(indicator, data, series, direction=direction)
    latest = latest_row(series)
    if indicator.projection:
        # Projected years lie ahead (the charts: row, judged_before_end), but one short of members is
        # still a part of the partnership (series.member_gaps): judged on judge_value.
        known = series[series["judge_value"].notna()]
        if known.empty:
            return part, Evidence()
        return part, Evidence(
            latest=float(known["judge_value"].iloc[-1]),
            trend_text=_projection_text(rows, indicator, scope, today),
        )
    if latest is None:
        return part, Evidence()
    lower = direction == "decrease"
    rollout = is_rollout(indicator)
    # The registry's charts table: no SPC where the kind's chart is not a control chart.
    spc_applies = board.registry.chart(indicator).spc
    baseline = plan.baseline_for(criterion)
    change_date = criterion.change.date if criterion.change else None
    part.limits = limits_for(series, baseline, change_date, data)
    end = recent_end(series, indicator)
    detect = criterion.detect_change or DETECT_CHANGE
    if kind != "target":
        reading = _read_trend(data, series, indicator, baseline, part.limits)
        # A rollout only ever climbs: no SPC (its limits describe no stable process).
        part.spc = reading.spc if spc_applies else None
        part.comparison = reading.comparison
        check = (
            None
            if kind == "monitor"
            else power_check(data, baseline, end, detect, None, scope.single, direction)
        )
        part.power = check
        enough = _enough(check, reading.comparison is not None and reading.comparison.significant)
        power_text = None if check is None else check.reason
        if kind == "trend" and check is None and blind_trend(reading.spc, reading.comparison, direction):
            enough, power_text = False, BLIND_TREND_TEXT
        after = None
        if passed and not reading.improving:
            later_series = judged_series(full, today=today)
            later = _read_trend(
                full,
                later_series,
                indicator,
                baseline,
                limits_for(later_series, baseline, change_date, full),
            )
            newest = latest_row(later_series)
            if later.improving and newest is not None:
                after = f"forbedring etter fristen, påvist {newest['label']} (vurderes ikke mot fristen)"
        evidence = Evidence(
            latest=float(latest["judge_value"]),
            latest_period=str(latest["label"]),
            improving=reading.improving,
            worsening=reading.worsening,
            trend_text=reading.text,
            enough_data=enough,
            power_text=power_text,
            after_deadline_text=after,
            lower_is_better=lower,
        )
        return part, evidence
    target, note = _target(board, criterion, indicator, series, scope, baseline)
    part.target, part.target_note = target, note
    part.spc = judged_spc(series, direction, target, part.limits) if spc_applies else None
    single_rollout = scope.single and rollout
    clip = float(scope.municipalities) if rollout and scope.municipalities else None
    part.clip_max = 1.0 if single_rollout else clip
    in_time = band = projection_text = interval = None
    # One municipality either takes part or not: there is no pace to project.
    if target is not None and not single_rollout and (due is not None or rollout):
        part.projection, band, projection_text, interval = _project(
            indicator, series, target, due, part.clip_max, direction
        )
        in_time = part.projection.reaches_target if part.projection is not None else None
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
        head = _head(indicator, latest, target, note, per)
    if passed:
        head += f"; data til fristen {formatting.date(due)}"
    process_reached = process_text = after = check = None
    settled = False  # the 12 months' interval lies wholly on one side of the target
    if not rollout and target is not None:
        check = power_check(
            data,
            baseline,
            end,
            detect,
            target if indicator.kind == "share" else None,
            scope.single,
            direction,
        )
        part.power = check
        interval12 = process_interval(data, end) if end is not None else None
        process_text = _process_text(data, end, interval12)
        if interval12 is None and per == "year":
            # A count of events per year against its target: the newest whole year's count
            # with its exact Poisson interval stands where a rate's 12-month interval does.
            interval12, process_text = year_count_interval(indicator, series)
        if interval12 is not None:
            _, low, high, _ = interval12
            process_reached, settled = level_reached(low, high, target, lower, no_worse(criterion))
        elif part.spc is not None and part.spc.assurance is not None:
            process_reached = part.spc.assurance == "consistent_pass"
    if passed and target is not None:
        later_series = judged_series(full, today=today)
        if rollout:
            when = _reached(indicator, later_series, target, due, direction)
            after = f"målet nådd{when}" if when else None
        else:
            later_end = recent_end(later_series, indicator)
            later = process_interval(full, later_end) if later_end is not None else None
            if later is not None and later_end > pd.Timestamp(due):
                hit = level_reached(later[1], later[2], target, lower, no_worse(criterion))[0]
                if hit:
                    after = f"målet nås etter fristen: {_process_text(full, later_end, later)}"
    evidence = Evidence(
        latest=float(latest["judge_value"]),
        latest_period=str(latest["label"]),
        target=target,
        target_text=indicator.name,
        head=head,
        reached_text=_reached(indicator, series, target, due, direction) if target is not None else None,
        projected_in_time=in_time,
        projection_band=band,
        projection_text=projection_text,
        interval_text=interval,
        assurance=part.spc.assurance if part.spc is not None else None,
        assurance_note=part.spc.assurance_note if part.spc is not None else None,
        process_reached=process_reached,
        process_text=process_text,
        hold_level=not rollout,
        shared_target=single_rollout and criterion.target is not None and not criterion.target.all_members,
        enough_data=_enough(check, settled),
        power_text=None if check is None else check.reason,
        after_deadline_text=after,
        lower_is_better=lower,
        target_missing=target_missing(criterion, target, baseline),
    )
    return part, evidence


def open_range(series: pd.DataFrame) -> pd.DataFrame:
    """The judged periods whose value has a range: hidden cells a file total did not resolve."""
    # One mask in numpy, one filtered frame: the same rows (and index) as judging, then closeness.
    low = series["judge_lower"].to_numpy(dtype=float, na_value=np.nan)
    high = series["judge_upper"].to_numpy(dtype=float, na_value=np.nan)
    judged = series["judge_value"].notna().to_numpy() & ~np.isnan(low) & ~np.isnan(high)
    return series[judged & ~np.isclose(low, high)]


def range_value(indicator: Indicator, value: float) -> str:
    """A value at one end of a range, with its unit: '6,1 per 1 000', '12,5 %', '17'."""
    return format_value(indicator, value) + (" per 1 000" if rated(indicator) else "")


def _judge_part(
    board: Board,
    rows: _Rows,
    plan: Plan,
    criterion: Criterion,
    indicator: Indicator,
    scope: Scope,
    due: dt.date | None,
    today: dt.date,
) -> IndicatorEvidence:
    """One indicator's evidence and judgement, over the hidden cells' range where there is one.

    An aggregate over several units (the partnership, a region) with hidden cells (1–4) that
    the file's own total does not resolve has a range (analytics.series: ``judge_lower``
    with every hidden cell at 1, ``judge_upper`` at threshold − 1). The criterion is then
    judged at the expected value and at both ends (``series.verdict_range``) and the three
    are combined by ``status.judge_over_range``: kept with a note when they agree, «Usikker»
    naming both ends when they differ. The reason gives the newest range («mellom 6,1 og
    6,4 per 1 000 avhengig av skjulte celler»). A file total, or no hidden cell, leaves
    no range and the judgement as it is.

    A projection (registry ``projection: true``, the `charts:` row «projection»: SSB's
    computed figures, not measurements) is followed, never judged against a target: its
    criterion reads as «Følges» whatever its kind, with the projection's first and last
    figure as shown (protected). Judged as a target it read «Siste verdi 4; målet er ikke
    tallfestet» (Mangler data): a target the plan does give called unquantified, and the
    raw newest figure, a small count of persons in one municipality, shown.
    """
    kind = "monitor" if indicator.projection else criterion.kind.value
    part, evidence = _numeric_part(board, rows, plan, criterion, indicator, scope, due, today)
    # Only multi-year periods (FHI's three-year means): no rows to judge, and the note says why.
    unjudged = part.data.empty and part.data.grain_note
    if evidence.latest is None:
        reason = (
            unjudged
            or all_hidden_text(board, part.data, scope)
            or no_data_text(board, plan.id, indicator, scope)
        )
        evidence = replace(evidence, no_data_text=reason)
    point = judge(kind, evidence, due, today)
    if part.data.grain_note and not unjudged:  # judged at a coarser grain than the registry's (issue 12)
        point = replace(point, reason=f"{point.reason} {part.data.grain_note}".strip())
    ranged = open_range(part.series) if not indicator.projection and not part.series.empty else None
    if ranged is None or ranged.empty:
        part.judgement = point
        return part

    def decide(series: pd.DataFrame) -> Judgement:
        if series is part.series:
            return point
        _, at_end = _numeric_part(board, rows, plan, criterion, indicator, scope, due, today, series=series)
        return judge(kind, at_end, due, today)

    if kind == "monitor":  # «Følges» at every value: nothing to judge again
        at_lower = at_upper = point
    else:
        _, at_lower, at_upper = verdict_range(part.series, decide)
    newest = ranged.iloc[-1]
    part.judgement = judge_over_range(
        point,
        at_lower,
        at_upper,
        int(ranged["n_hidden"].sum()),
        str(newest["label"]),
        range_value(part.indicator, float(newest["judge_lower"])),
        range_value(part.indicator, float(newest["judge_upper"])),
        config.SUPPRESSION_THRESHOLD - 1,
    )
    return part


def _coverage(
    board: Board, rows: _Rows, plan: Plan, indicator: Indicator, scope: Scope, today: dt.date
) -> Evidence:
    units = list(scope.unit_ids)
    kinds = board.units.set_index("unit_id")["kind"]
    regions = board.units.set_index("unit_id")["region"]
    if scope.single:
        # A municipality is covered by what its region has, for region-level indicators.
        units += [r for r in (regions.get(u) for u in scope.unit_ids) if isinstance(r, str)]
    data = cut_rows(rows.get(indicator, tuple(units)), today)
    facts = data.rows[data.rows["value"].notna()]
    if facts.empty:
        return Evidence()
    last, skipped = _whole_coverage_period(facts, indicator.grain)
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
    if skipped:
        head = f"{head or f'Enheter med tiltaket {with_it} av {in_scope} ({label})'}; {skipped}"
    return Evidence(
        latest=float(with_it),
        units_with=with_it,
        units_in_scope=in_scope,
        target_text="Enheter med tiltaket",
        head=head,
        latest_period=label,
    )


def _whole_coverage_period(facts: pd.DataFrame, grain: str) -> tuple[pd.Timestamp, str | None]:
    """The newest period of a coverage indicator's rows (with values) in which every unit that
    reported before it reports, and a Norwegian note on the newer periods left out («2.
    kvartal 2025 bygger på 2 av 5 enheter og er ikke tatt med i vurderingen»), or None. A
    unit missing from a period is unknown there, not without the measure: the board's rule
    for periods only some members report (README «Statusregelen»; series.member_gaps), as
    NHS Making Data Count judges whole periods only. A unit counts from its first period."""
    first = unit_minimum(facts)
    periods = sorted(facts["period_start"].unique(), reverse=True)
    notes = []
    for period in periods:
        expected = int((first <= period).sum())
        have = int(facts.loc[facts["period_start"] == period, "unit_id"].nunique())
        if have >= expected:
            break
        label = period_text(pd.Timestamp(period).date(), grain)
        notes.append(f"{label} bygger på {have} av {expected} enheter og er ikke tatt med i vurderingen")
    else:
        return pd.Timestamp(periods[0]), None  # no whole period: the newest, as before
    return pd.Timestamp(period), "; ".join(notes) or None


def _before_after_pair(
    rows: _Rows, after_ind: Indicator, before_ind: Indicator, units: tuple[str, ...], today: dt.date
) -> pd.Series | None:
    """The newest year with both figures: value, numerator and denominator after and before."""
    after = judged_series(cut_rows(rows.get(after_ind, units), today), "year", today)
    before = judged_series(cut_rows(rows.get(before_ind, units), today), "year", today)
    merged = after.merge(before, on="period_start", suffixes=("_after", "_before")).dropna(
        subset=["judge_value_after", "judge_value_before"]
    )
    return None if merged.empty else merged.iloc[-1]


def difference_in_differences(
    treated: pd.Series, reference: pd.Series, lower_is_better: bool
) -> tuple[bool | None, str]:
    """Compare the change in the treated group with the change in the comparison group.

    The estimate is the difference in differences of the values. The test is the ratio of
    the two after/before rate ratios on the log scale, se = √(Σ 1/count), with the four
    counts as Poisson (Altman & Bland 2003, «Interaction revisited: the difference between
    two estimates», BMJ 326:219). Without counts (only means) there is no test and the
    result is None. Where one of the four figures is hidden (the judged series' ``hidden``),
    the numbers are left out and the words kept (protection.statistic_text); the verdict
    stands. Returns (significantly better / worse / None, a Norwegian sentence).
    """
    did = (treated["judge_value_after"] - treated["judge_value_before"]) - (
        reference["judge_value_after"] - reference["judge_value_before"]
    )
    words = "forskjell i forskjeller mot sammenligningsgruppen"
    # The numbers rest on the four figures: none is printed where one of them is hidden.
    masked = [
        bool(row.get(f"hidden_{side}", False)) for row in (treated, reference) for side in ("after", "before")
    ]
    counts = [
        treated["numerator_after"],
        treated["numerator_before"],
        reference["numerator_after"],
        reference["numerator_before"],
    ]
    if any(pd.isna(c) or c <= 0 for c in counts):
        text = protection.statistic_text(words, formatting.number(did, 1), *masked)
        return None, f"{text}; ingen test (tallene mangler tellere), så endringen er ikke påvist"
    ratio = (treated["judge_value_after"] / treated["judge_value_before"]) / (
        reference["judge_value_after"] / reference["judge_value_before"]
    )
    se = math.sqrt(sum(1 / float(c) for c in counts))
    z = math.log(ratio) / se
    p = float(2 * (1 - power.stats.norm.cdf(abs(z))))
    low, high = math.exp(math.log(ratio) - 1.96 * se), math.exp(math.log(ratio) + 1.96 * se)
    text = protection.statistic_text(
        words,
        f"{formatting.number(did, 1)}; forholdet etter/før {formatting.number(ratio, 2)}, "
        f"95 % KI {formatting.number(low, 2)} til {formatting.number(high, 2)}, {formatting.p_value(p)}",
        *masked,
    )
    if p >= power.ALPHA:
        return None, f"{text}; ingen statistisk sikker forskjell"
    better = bool(ratio < 1) if lower_is_better else bool(ratio > 1)
    return better, text


def _before_after(
    board: Board, rows: _Rows, criterion: Criterion, indicators: list[Indicator], scope: Scope, today: dt.date
) -> Evidence:
    after_ind = indicators[0]
    lower = after_ind.direction == "decrease"
    if len(indicators) < 2:
        after = judged_series(cut_rows(rows.get(after_ind, scope.unit_ids), today), "year", today)
        latest = latest_row(after)
        return Evidence(after=None if latest is None else float(latest["judge_value"]))
    last = _before_after_pair(rows, after_ind, indicators[1], scope.unit_ids, today)
    if last is None:
        return Evidence()
    common = {
        "after": float(last["judge_value_after"]),
        "before": float(last["judge_value_before"]),
        "lower_is_better": lower,
        "latest_period": str(last["period_start"].year),
    }
    group = criterion.comparison
    if group is None:
        return Evidence(**common)
    if group.indicators:
        pair = [board.registry.get(i) for i in group.indicators]
        reference = _before_after_pair(rows, pair[0], pair[1], scope.unit_ids, today)
    else:
        reference = _before_after_pair(rows, after_ind, indicators[1], tuple(group.units), today)
    if reference is None or reference["period_start"] != last["period_start"]:
        text = "sammenligningsgruppen mangler tall for samme år; endringen er ikke påvist"
        return Evidence(**common, controlled=True, did_text=text)
    better, text = difference_in_differences(last, reference, lower)
    return Evidence(**common, controlled=True, did_text=text, did_better=better)


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
    as_of: dt.date | None = None,
) -> CriterionResult:
    """Judge one criterion over ``scope`` (the whole partnership by default).

    as_of: judge as if today were this day, on data up to it only (e.g. "status at the
    deadline", or a meeting pack "per 31.12.2025"); milestones recorded later do not count.
    """
    today = as_of or today or clock.today()
    scope = scope or partnership_scope(board, plan.id)
    rows = rows or _Rows(board)
    if criterion.kind.value == "milestone":  # cheap, and judged on the milestones given
        return _evaluate_criterion(board, plan, measure, criterion, scope, today, milestones, rows, as_of)
    # Judged once per data version, plan, scope and day (analytics.datacache): the plan's
    # status, the matrix, the Kommune page and the deck share each judgement. Read-only.
    name = ("criterion", datacache.fingerprint(plan), measure.id, criterion.id, scope, today, as_of)
    return datacache.cached(
        rows.key,
        name,
        lambda: _evaluate_criterion(board, plan, measure, criterion, scope, today, milestones, rows, as_of),
    )


def _evaluate_criterion(
    board: Board,
    plan: Plan,
    measure: Measure,
    criterion: Criterion,
    scope: Scope,
    today: dt.date,
    milestones: pd.DataFrame | None,
    rows: _Rows,
    as_of: dt.date | None,
) -> CriterionResult:
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
            done_date = pd.Timestamp(done).date() if pd.notna(done) else None
            state = str(row["status"].iloc[0])
            if as_of is not None and state == "Oppnådd" and done_date is not None and done_date > as_of:
                state = "Pågår"  # reached after the day judged: not yet then
            evidence = Evidence(milestone_state=state, milestone_done=done_date)
        judgement = judge(kind, evidence, due, today)
    elif not indicators:
        judgement = judge(kind, Evidence(), due, today)
    elif kind == "coverage":
        evidence = _coverage(board, rows, plan, indicators[0], scope, today)
        if evidence.latest is None:
            evidence = replace(evidence, no_data_text=no_data_text(board, plan.id, indicators[0], scope))
        judgement = judge(kind, evidence, due, today)
    elif kind == "before_after":
        judgement = judge(kind, _before_after(board, rows, criterion, indicators, scope, today), due, today)
    else:
        for indicator in indicators:
            parts.append(_judge_part(board, rows, plan, criterion, indicator, scope, due, today))
        judgement = judge_parts(parts)
    return CriterionResult(measure, criterion, judgement, due, parts, judged_until(kind, due, today))


def judge_parts(parts: list[IndicatorEvidence]) -> Judgement:
    """A criterion's judgement from its indicators' (each part judged, ``_judge_part``).

    Several indicators (e.g. included and active patients): the worst part with figures sets
    the status (status.roll_up_parts: a part the unit has no figures for does not make it
    «Mangler data», and makes a good verdict «Usikker», said in a last sentence), and every
    reason is kept, each naming its indicator. One part: its judgement. Raises
    ValueError for no parts."""
    if not parts:
        raise ValueError("no parts to judge")
    judgements = [p.judgement for p in parts]
    if len(parts) == 1:
        return judgements[0]
    bare = [without_figures(p) for p in parts]
    status, capped = roll_up_parts([j.status for j in judgements], bare)
    reason = " ".join(
        j.reason if j.reason.startswith(p.indicator.name) else f"{p.indicator.name}: {j.reason}"
        for p, j in zip(parts, judgements, strict=True)
    )
    if capped:
        names = " og ".join(p.indicator.name for p, b in zip(parts, bare, strict=True) if b)
        reason = f"{reason} Uten tall for {names} kan kriteriet ikke vurderes som bedre enn usikkert."
    return Judgement(status, reason, None)


def evaluate_plan(
    board: Board, partnership: str, today: dt.date | None = None, as_of: dt.date | None = None
) -> PlanStatus:
    """Judge every criterion of a partnership's plan and roll up (as_of: see evaluate_criterion).

    Kept per data version (analytics.datacache), plan and day: the Oversikt, Kommune and
    Handlingsplan pages and the deck share one evaluation. The PlanStatus is shared: read-only.
    """
    today = as_of or today or clock.today()
    return datacache.judged_plan(board, _evaluate_plan, partnership, today, as_of)


def kept_plan_status(
    board: Board, partnership: str, today: dt.date | None = None, as_of: dt.date | None = None
) -> PlanStatus | None:
    """evaluate_plan's result when it is already kept for the current data, else None (nothing
    is judged)."""
    today = as_of or today or clock.today()
    return datacache.kept_judged_plan(board, _evaluate_plan, partnership, today, as_of)


def _evaluate_plan(
    board: Board, partnership: str, plan: Plan, today: dt.date, as_of: dt.date | None
) -> PlanStatus:
    result = PlanStatus(partnership)
    milestones = board.store.milestone_states(plan.id)
    scope = partnership_scope(board, partnership)
    rows = _Rows(board)
    for measure in plan.measures:
        statuses = []
        for criterion in measure.criteria:
            outcome = evaluate_criterion(
                board,
                plan,
                measure,
                criterion,
                scope=scope,
                today=today,
                milestones=milestones,
                rows=rows,
                as_of=as_of,
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
