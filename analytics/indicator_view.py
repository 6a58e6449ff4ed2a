"""Everything the Indikator and Kommune pages show, computed in one call (no streamlit).

* ``indicator_view(board, partnership, indicator_id, unit_ids=None, years=None)``: the
  judged series, SPC, the plotly figures, projection, funnel, small multiples and the
  tables behind them.
* ``criterion_view(board, partnership, criterion_id, ...)``: one criterion's status line
  and its figure, for the meeting pack.
* ``municipality_view(board, partnership, unit_id)``: one municipality across the plan's
  indicators: its value, the partnership's, its place in each funnel, its own status.

Only the partnership's own units and the indicators its plan uses (plus their population
groups) are ever read; a unit or indicator from another partnership raises KeyError.
Every number is formatted here (analytics.formatting), so pages only lay things out.

Funnel plots compare municipalities (and Oslo districts) over the newest 12 months (the
newest year for yearly data): Poisson limits for counts per 1 000 of the population
group (person-years), binomial limits for shares, with the multiplicative
over-dispersion adjustment (analytics.funnel). Stocks, scores and counts without a
population group get no funnel: there is no rate to compare.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

import pandas as pd

from analytics import clock, config, datacache, figures, formatting, hierarchy, icons, protection
from analytics.board import Board
from analytics.evaluate import (
    LEAD_FIGURE,
    ROLLOUT_HORIZON_YEARS,
    CriterionResult,
    IndicatorEvidence,
    PlanStatus,
    Scope,
    _Rows,
    clipped,
    count_target_grain,
    criterion_by_id,
    criterion_until,
    cut_rows,
    evaluate_criterion,
    evaluate_plan,
    fitted_hidden,
    indicators_with_values,
    is_rollout,
    judged_spc,
    kept_plan_status,
    latest_row,
    lead_figure,
    limits_for,
    partnership_scope,
    unit_scope,
)
from analytics.funnel import FunnelResult, funnel_limits
from analytics.periods import period_text
from analytics.plan import CriterionKind, Plan
from analytics.projection import Projection, hidden_fit_note
from analytics.rates import definition_notes
from analytics.registry import GRAIN_LABELS, Indicator, grain_label
from analytics.series import (
    UnitRows,
    aggregate,
    check_native,
    derived,
    figure_shown,
    filter_years,
    finer_or_equal,
    format_target,
    format_value,
    hidden,
    hidden_numerator,
    judged_series,
    rated,
    recent_end,
    rows_hidden,
    value_label,
    window_of,
    window_rows,
    window_span,
    window_total,
    year_table,
)
from analytics.spc import SpcResult, xmr
from analytics.status import STATUS_STYLE, Judgement

POINT_TYPE_TEXT = {
    "common_cause": "Vanlig variasjon",
    "special_cause_improvement": "Spesiell årsak – forbedring",
    "special_cause_concern": "Spesiell årsak – bekymring",
    "special_cause_neutral_high": "Spesiell årsak – høy",
    "special_cause_neutral_low": "Spesiell årsak – lav",
    "missing": "Mangler",
}
SMALL = f"<{config.SUPPRESSION_THRESHOLD}"
HIDDEN_TEXT = f"skjult ({SMALL})"
# A cell of the partnership's side that is still being worked out (municipality_view, wait=False).
PENDING = "beregnes …"


# -- what may be shown --------------------------------------------------------------------------


def plan_indicator_ids(board: Board, partnership: str) -> list[str]:
    """The plan's indicators in plan order, then the population groups they are divided by."""
    plan = board.plan(partnership)
    ids = list(dict.fromkeys(i for _, c in plan.criteria for i in c.indicators))
    populations = [board.registry.get(i).population for i in ids]
    ids += [p for p in dict.fromkeys(populations) if p and p not in ids]
    return ids


def data_indicator_ids(board: Board, partnership: str) -> list[str]:
    """Indicators outside the plan that have values in the partnership (registry order), e.g.
    LoVeSa's falls and hip fractures: shown like the plan's, without a criterion. Population
    groups and projections (the denominators and Befolkning's figures) are left out."""
    in_plan = set(plan_indicator_ids(board, partnership))
    # Population groups: every entry with an age band (registry `age`), divisor or not.
    groups = {i.population for i in board.registry.indicators if i.population}
    groups |= {i.id for i in board.registry.indicators if i.age}
    with_values = indicators_with_values(board, partnership)
    return [
        i.id
        for i in board.registry.indicators
        if i.id in with_values and i.id not in in_plan and i.id not in groups and not i.projection
    ]


def shown_indicator_ids(board: Board, partnership: str) -> list[str]:
    """What the Indikator page offers: the plan's indicators (with their population groups),
    then other indicators with values in the partnership (data_indicator_ids)."""
    measured = list(dict.fromkeys(i for _, c in board.plan(partnership).criteria for i in c.indicators))
    groups = [i for i in plan_indicator_ids(board, partnership) if i not in measured]
    return [*measured, *data_indicator_ids(board, partnership), *groups]


def member_units(board: Board, partnership: str) -> pd.DataFrame:
    """Municipalities and districts of the partnership: unit_id, name, kind, region."""
    return board.member_units(partnership)[["unit_id", "name", "kind", "region"]]


def _own_units(board: Board, partnership: str, unit_ids: list[str] | None) -> list[str] | None:
    if not unit_ids:
        return None
    own = set(board.units.loc[board.units["partnership"] == partnership, "unit_id"])
    foreign = [u for u in unit_ids if u not in own]
    if foreign:
        raise KeyError(f"enhetene {', '.join(foreign)} hører ikke til {partnership}")
    return list(unit_ids)


def _check_indicator(board: Board, partnership: str, indicator_id: str) -> Indicator:
    if indicator_id not in shown_indicator_ids(board, partnership):
        raise KeyError(f"indikatoren {indicator_id} er ikke i planen til {partnership}")
    return board.registry.get(indicator_id)


# -- display helpers ------------------------------------------------------------------------------


def _numerator_label(indicator: Indicator) -> str:
    if indicator.kind == "share":
        return "Teller"
    return "Antall" if indicator.unit == "antall" else f"Antall {indicator.unit}"


def _denominator_label(indicator: Indicator) -> str | None:
    if indicator.kind == "share":
        return "Nevner"
    if rated(indicator):
        return "Personår" if indicator.kind == "count" else "Befolkning"
    return None


def _small(indicator: Indicator, row: pd.Series) -> bool:
    """A hidden point that is itself a small count («færre enn 5»: series.hidden_numerator, the
    rule series.figure_shown writes by); else (hidden only to protect another cell, or a share's
    small complement) it reads «:»."""
    return hidden_numerator(indicator, row.get("numerator"))


def _note(indicator: Indicator, row: pd.Series) -> str:
    """A point's remarks (hover, the table's «Merknad»): partial, incomplete, hidden and why."""
    notes = []
    if row.get("partial"):
        notes.append(row.get("partial_text") or "delvis periode")
    if row.get("incomplete"):
        notes.append(f"ufullstendig: {int(row['n_suppressed'])} skjulte/manglende celler")
    if row.get("hidden"):
        if _small(indicator, row):
            notes.append(f"{protection.fewer_than()}: verdien vises ikke")
        else:
            notes.append(
                f"«{protection.SECONDARY}»: verdien vises ikke, så et skjult lite tall ikke kan regnes ut"
            )
    return "; ".join(notes)


def coarser_grain_advice(grain: str) -> str:
    """The advice to choose a coarser «Tidsoppløsning» where hidden points may add up to a
    shown one: kvartal or år from month, år from quarter or tertial, nothing from a year (the
    page offers nothing coarser). A leading space, or ''."""
    if grain == "month":
        return " Velg kvartal eller år under «Tidsoppløsning» for å se tallene samlet."
    if grain in ("quarter", "tertial"):
        return " Velg år under «Tidsoppløsning» for å se tallene samlet."
    return ""


def hidden_points_text(indicator: Indicator, series: pd.DataFrame, grain: str | None = None) -> str | None:
    """The Indikator page's note on hidden points (None: none is hidden): how many are small
    counts («færre enn 5») and how many are hidden to protect another cell («:»), by the rule
    of the hover (series.figure_shown). grain: the grain the series is shown at (default the
    indicator's); the note advises a coarser one only where the page offers one."""
    rows = series[series["hidden"].astype(bool)] if "hidden" in series else series.iloc[:0]
    if rows.empty:
        return None
    small = sum(_small(indicator, r) for _, r in rows.iterrows())
    parts = []
    if small:
        parts.append(
            f"{small} av {len(series)} punkter bygger på {protection.fewer_than()} tilfeller og vises ikke."
        )
    if len(rows) > small:
        parts.append(
            f"{len(rows) - small} av {len(series)} punkter vises som «{protection.SECONDARY}»: de er skjult "
            "for at et skjult lite tall ikke skal kunne regnes ut."
        )
    return " ".join(parts) + coarser_grain_advice(grain or indicator.grain)


def _points(indicator: Indicator, series: pd.DataFrame) -> pd.DataFrame:
    """What the charts draw: value (NaN where hidden), label, display, note, partial."""
    return pd.DataFrame(
        {
            "value": series["value"].where(~series["hidden"]).astype(float),
            "label": series["label"],
            "display": _displays(indicator, series),
            "note": [_note(indicator, r) for _, r in series.iterrows()],
            "partial": series["partial"].astype(bool),
        }
    )


def status_line(judgement: Judgement) -> str:
    """'🟢 På sporet – Antall kommuner 9 av 19; …' (icon and word, never colour alone)."""
    return f"{STATUS_STYLE[judgement.status][0]} {judgement.status.value} – {judgement.reason}"


# -- funnel ---------------------------------------------------------------------------------------


@dataclass
class FunnelView:
    indicator: Indicator
    result: FunnelResult
    names: list[str]
    unit_ids: list[str]
    hidden: list[bool]
    counts: list[str]
    period_text: str  # as a title names it: «siste 12 mnd (okt. 2025–sep. 2026)», or a year
    table: pd.DataFrame
    scale: float
    x_title: str
    y_title: str
    period: str = ""  # the window alone, as a «Periode» cell writes it: «okt. 2025–sep. 2026»

    def figure(self, title: str | None = None, highlight: str | None = None) -> figures.Figure:
        return figures.funnel_figure(
            self.result,
            self.names,
            self.indicator,
            title=title or f"{self.indicator.name}: kommunene sammenlignet, {self.period_text}",
            x_title=self.x_title,
            y_title=self.y_title,
            scale=self.scale,
            hidden=self.hidden,
            counts=self.counts,
            highlight=highlight,
        )

    def flag(self, unit_id: str) -> str | None:
        if unit_id not in self.unit_ids:
            return None
        i = self.unit_ids.index(unit_id)
        return funnel_reading(self.result.units["flag"].iloc[i], self.indicator.direction)


def _window_masked(data: UnitRows, units_shown: list[str], window: pd.DataFrame) -> list[bool]:
    """Per unit, whether the partnership's cube (analytics.hierarchy) hides its figure over the
    funnel's ``window`` (native rows of the newest 12 months, or the newest year for yearly data).

    The cube's own funnel window, or (yearly data) its year cell, where the window is that cell.
    A window the cube has no cell for (the funnel ends before a newest period the cube counts
    in, one short of members: series.member_gaps) is hidden for a unit whenever one of the
    unit's native periods in it is: the conservative rule for windows (hierarchy, rule 3b, as
    series.rows_hidden), so no secondary suppression is undone."""
    cube, n = data.cube, len(units_shown)
    if cube is None or not n:
        return [False] * n
    starts = sorted(pd.to_datetime(window["period_start"].unique()))
    anchor = starts[-1]
    covered = cube.windows.get(hierarchy.FUNNEL)
    if covered is None:  # yearly data: the newest year's own cell
        return list(cube.mask(units_shown, data.indicator.grain, [anchor] * n))
    if set(pd.to_datetime(covered)) == set(starts):
        return list(cube.mask(units_shown, hierarchy.FUNNEL, [anchor] * n))
    pairs = [bool(h) for h in cube.mask([u for u in units_shown for _ in starts], cube.native, starts * n)]
    return [any(pairs[i * len(starts) : (i + 1) * len(starts)]) for i in range(n)]


def funnel_reading(flag: str, direction: str) -> str:
    """'over 95 % (uønsket retning)': the flag and what it means for this indicator."""
    if flag in ("innenfor", "mangler data"):
        return flag
    high = flag.startswith("over")
    if direction == "neutral":
        return flag
    good = high == (direction == "increase")
    return f"{flag} ({'ønsket' if good else 'uønsket'} retning)"


def funnel_view(
    board: Board,
    partnership: str,
    indicator: Indicator,
    today: dt.date | None = None,
    rows: _Rows | None = None,
) -> FunnelView | None:
    """Compare the partnership's municipalities over the newest 12 months (None if no rate)."""
    if not (rated(indicator) and indicator.kind == "count") and indicator.kind != "share":
        return None
    units = member_units(board, partnership)
    rows = rows or _Rows(board)
    data = rows.get(indicator, tuple(units["unit_id"]))
    if data.empty:
        return None
    end = recent_end(judged_series(data, today=today), indicator)
    if end is None:
        return None
    window = window_rows(data.rows, end, 12)
    per_unit = aggregate(window, indicator, ["unit_id"])
    per_unit = units.merge(per_unit, on="unit_id", how="inner")
    if len(per_unit) < 2:
        return None
    units_shown = per_unit["unit_id"].astype(str).tolist()
    masked = _window_masked(data, units_shown, window)
    hide = [
        hidden(indicator, n, d) or bool(m)
        for n, d, m in zip(per_unit["numerator"], per_unit["denominator"], list(masked), strict=True)
    ]
    kind = "binomial" if indicator.kind == "share" else "poisson"
    numerators = per_unit["numerator"].round() if kind == "binomial" else per_unit["numerator"]
    try:
        result = funnel_limits(numerators.tolist(), per_unit["denominator"].tolist(), kind=kind, hidden=hide)
    except ValueError:
        return None
    scale = 100.0 if kind == "binomial" else 1000.0
    counts = [
        protection.SECONDARY
        if h and not formatting.below_threshold(n)
        else formatting.count(n, indicator.protect_small)
        if pd.notna(n)
        else "–"
        for n, h in zip(per_unit["numerator"], hide, strict=True)
    ]
    start = (end + pd.Timedelta(days=1)) - pd.DateOffset(months=12)
    period = window_span(start, end, indicator.grain)
    rate_name = "Andel" if kind == "binomial" else f"Rate {indicator.rate_label} per år"
    table = pd.DataFrame(
        {
            "Kommune": per_unit["name"],
            _numerator_label(indicator): counts,
            _denominator_label(indicator): [denominator_text(indicator, d) for d in per_unit["denominator"]],
            rate_name: [
                (HIDDEN_TEXT if c == SMALL else protection.SECONDARY)
                if h
                else _rate_text(indicator, r * scale)
                for h, c, r in zip(hide, counts, result.units["rate"], strict=True)
            ],
            "Plassering": [funnel_reading(f, indicator.direction) for f in result.units["flag"]],
        }
    )
    x_title = (
        f"Personår, {indicator.rate_label.removeprefix('per 1 000 ')}"
        if kind == "poisson"
        else "Antall i nevneren"
    )
    y_title = "Prosent" if kind == "binomial" else f"{indicator.rate_label} per år".capitalize()
    return FunnelView(
        indicator=indicator,
        result=result,
        names=per_unit["name"].tolist(),
        unit_ids=per_unit["unit_id"].tolist(),
        hidden=hide,
        counts=counts,
        period_text=period if indicator.grain == "year" else f"siste 12 mnd ({period})",
        table=table,
        scale=scale,
        x_title=x_title,
        y_title=y_title,
        period=period,
    )


def _rate_text(indicator: Indicator, value: float) -> str:
    if pd.isna(value):
        return "–"
    return formatting.percent(value, 1) if indicator.kind == "share" else formatting.number(value, 1)


# -- the Indikator page ------------------------------------------------------------------------------


def shown_grain(data: UnitRows, grain: str) -> str:
    """The grain a series of ``data`` is shown at: ``grain``, or the grain the rows are
    judged at when that is coarser (``load_rows`` judges per year when the store holds only
    years, or too few whole months or quarters: issue 12, «grain as data»). A view never asks
    ``judged_series`` for a grain finer than its rows, which raises.

    data: the rows (analytics.series.UnitRows); grain: 'month', 'quarter', 'tertial' or 'year'.
    Returns one of those names."""
    return grain if finer_or_equal(grain, data.indicator.grain) else data.indicator.grain


@dataclass
class IndicatorView:
    """What the Indikator page shows for one indicator over the chosen units and years."""

    indicator: Indicator
    partnership: str
    scope_label: str
    unit_ids: list[str] | None
    grain: str
    value_label: str
    series: pd.DataFrame  # judged series (analytics.series.judged_series) in the chosen years
    points: pd.DataFrame  # what the SPC chart draws
    spc: SpcResult
    target: float | None
    assurance_text: str  # the assurance icon in words, or a rollout's pace
    spc_figure: figures.Figure
    criteria: list[CriterionResult]
    projection: Projection | None
    projection_figure: figures.Figure | None
    projection_text: str | None
    funnel: FunnelView | None
    funnel_figure: figures.Figure | None
    small_multiples: figures.Figure | None
    table: pd.DataFrame  # the numbers behind the SPC chart, formatted
    year_table: pd.DataFrame  # per calendar year, a year in progress compared like for like
    notes: list[str] = field(default_factory=list)
    judged: IndicatorEvidence | None = None  # the part the status judges: cards come from it
    window_notes: list[str] = field(default_factory=list)  # what the filters changed, in words
    coverage_text: str | None = None  # the partnership's figures cover only some members (coverage_note)
    left_out_text: str | None = (
        None  # periods shown but not judged: short of members, not over (left_out_note)
    )

    @property
    def rollout(self) -> bool:
        """A count of municipalities taking part: judged by its projection, not SPC assurance."""
        return is_rollout(self.indicator)

    @property
    def hidden_text(self) -> str | None:
        """Why some points are not shown (hidden_points_text), None when none is hidden."""
        return hidden_points_text(self.indicator, self.series, self.grain)

    @property
    def too_few_points(self) -> bool:
        return not self.spc.enough_points

    @property
    def variation_text(self) -> str:
        """The variation icon of the newest judged point, in words ('⬇️ Forbedring (lav)'):
        from the status's own computation when a criterion judges the indicator."""
        if self.rollout or self.indicator.projection:
            return icons.NO_SPC
        spc = self.judged.spc if self.judged is not None and self.judged.spc is not None else self.spc
        return icons.variation_text(spc.variation, spc.enough_points)

    @property
    def variation_label(self) -> str:
        """The variation card's heading. «Variasjon (siste punkt)», or, when the status judged
        an older point than the newest shown (after a passed deadline, the data up to it), that
        point: «Variasjon (desember 2025, som statusen bygger på)», so the card beside «Siste
        verdi» does not pass for the newest point's."""
        judged = self.judged
        if judged is None or judged.spc is None or self.rollout or self.indicator.projection:
            return "Variasjon (siste punkt)"
        points = judged.series[judged.series["judge_value"].notna()]
        whole = self.series[self.series["value"].notna() & ~self.series["partial"]]
        if points.empty or whole.empty or points["period_end"].iloc[-1] >= whole["period_end"].iloc[-1]:
            return "Variasjon (siste punkt)"
        return f"Variasjon ({points['label'].iloc[-1]}, som statusen bygger på)"

    @property
    def latest_text(self) -> str:
        """'Siste: 25,8 (oktober 2026)' — the newest whole period, as shown."""
        whole = self.series[self.series["value"].notna() & ~self.series["partial"]]
        if whole.empty:
            return "Ingen tall"
        row = whole.iloc[-1]
        return f"{figure_shown(self.indicator, row['value'], row['numerator'], bool(row['hidden']), 'cell')[0]} ({row['label']})"

    def table_csv(self) -> bytes:
        """The table as a Norwegian CSV (semicolon, decimal comma, UTF-8 with BOM for Excel)."""
        return self.table.to_csv(sep=";", index=False).encode("utf-8-sig")


def indicator_view(
    board: Board,
    partnership: str,
    indicator_id: str,
    unit_ids: list[str] | None = None,
    years: tuple[int, int] | None = None,
    *,
    grain: str | None = None,
    today: dt.date | None = None,
    with_small_multiples: bool = True,
) -> IndicatorView:
    """Series, SPC, figures, projection, funnel, small multiples and tables for one indicator.

    with_small_multiples=False leaves out the one-panel-per-municipality figure (the heaviest:
    357 panels nationally); the page asks for it with `small_multiples` when it is opened.

    unit_ids: some of the partnership's units (default: the whole partnership).
    years: (first, last) calendar year shown; judging always uses every figure.
    grain: 'month', 'quarter' or 'year' (never finer than the indicator's own).
    """
    today = today or clock.today()
    indicator = _check_indicator(board, partnership, indicator_id)
    unit_ids = _own_units(board, partnership, unit_ids)
    plan = board.plan(partnership)
    scope = unit_scope(board, unit_ids) if unit_ids else partnership_scope(board, partnership)
    scope_label = ", ".join(board.unit_name(u) for u in unit_ids) if unit_ids else plan.partnership.name
    grain = grain or indicator.grain
    rows = _Rows(board)
    data = rows.get(indicator, scope.unit_ids)
    grain = shown_grain(data, grain)
    full = judged_series(data, grain, today)
    label = value_label(indicator)

    criteria = [
        evaluate_criterion(board, plan, m, c, scope=scope, today=today, rows=rows)
        for m, c in plan.criteria
        if indicator_id in c.indicators
    ]
    part = _target_part(criteria, indicator_id)
    judged = part or _judged_part(criteria, indicator_id)
    target = part.target if part is not None else indicator.target
    whole_spc, window_notes = _display_spc(
        # A hidden point is missing data to the drawn SPC, so its centre line and limits carry
        # no hidden count (analytics.hierarchy, rule 4; the status judgement uses every figure).
        board,
        plan,
        criteria,
        judged,
        indicator,
        _without_hidden(full),
        grain,
        target,
        data,
    )
    series, spc = _shown(full, whole_spc, years)
    drawn_target = target
    # A count of events per year on a count shown per 1 000 (evaluate.counted) is judged on the
    # count: never drawn over rates, at any grain.
    counted_target = part is not None and rated(indicator) and not rated(part.indicator)
    if target is not None and (
        counted_target or (grain != "year" and _target_per(criteria, indicator_id) == "year")
    ):
        # A count's target per year is judged on the year's sum (evaluate.count_target_grain):
        # drawn over monthly or quarterly counts it would read as far off; the year table shows it.
        drawn_target = None
        if counted_target:
            window_notes.append(
                f"Målet {format_value(part.indicator, target)} gjelder antallet per år, ikke raten per 1 000, "
                "så det er ikke tegnet; vurderingen bygger på antallet per år."
            )
        else:
            window_notes.append(
                f"Målet {format_target(indicator, target)} gjelder summen per år, så det er ikke tegnet over "
                f"tallene per {grain_label(grain)}; se tabellen per år."
            )
    if years and len(series) < len(full):
        window_notes.append(
            f"Viser {years[0]}–{years[1]}; grensene og statusen bygger på hele serien, ikke bare de viste årene."
        )
    pace = part.pace if part is not None else None
    points = _points(indicator, series)
    title = f"{indicator.name} – {scope_label}"
    spc_fig = figures.spc_figure(
        points,
        series["period_start"].tolist(),
        spc,
        indicator,
        title=title,
        target=drawn_target,
        y_title=label,
        grain=grain,
        assurance_text=pace,
    )

    projection = projection_fig = projection_text = None
    if part is not None and part.projection is not None and part.projection.projected is not None:
        projection = clipped(part.projection, part.clip_max)
        # The judged part's own indicator: a count target on a rated count is projected as a count.
        projection_fig = figures.projection_figure(
            part.series,
            part.projection,
            part.indicator,
            title=f"{indicator.name}: framskriving",
            target=part.target,
            horizon=part.horizon,
            horizon_label=part.horizon_label,
            clip_max=part.clip_max,
            y_title=value_label(part.indicator),
        )
        projection_text = _projection_text(part.indicator, projection, part)
    elif part is not None and part.projection is not None:
        projection_text = part.projection.shown_reason

    funnel = funnel_view(board, partnership, indicator, today, rows)
    highlight = board.unit_name(unit_ids[0]) if unit_ids and len(unit_ids) == 1 else None
    funnel_fig = funnel.figure(highlight=highlight) if funnel is not None else None
    small = (
        _small_multiples(board, partnership, indicator, rows, years, today) if with_small_multiples else None
    )

    notes = _notes(indicator, data, spc, grain, funnel) + definition_notes(board, data, series)
    coverage = None if unit_ids else coverage_note(board, partnership, data)
    return IndicatorView(
        indicator=indicator,
        partnership=partnership,
        scope_label=scope_label,
        unit_ids=unit_ids,
        grain=grain,
        value_label=label,
        series=series,
        points=points,
        spc=spc,
        target=target,
        assurance_text=pace or _assurance_text(judged, spc, target),
        spc_figure=spc_fig,
        criteria=criteria,
        projection=projection,
        projection_figure=projection_fig,
        projection_text=projection_text,
        funnel=funnel,
        funnel_figure=funnel_fig,
        small_multiples=small,
        table=_table(indicator, series, spc, label),
        year_table=_year_table(indicator, data, today),
        notes=notes,
        judged=judged,
        window_notes=window_notes,
        coverage_text=coverage,
        left_out_text=left_out_note(board, data, full, today),
    )


def _judged_part(criteria: list[CriterionResult], indicator_id: str) -> IndicatorEvidence | None:
    """The first judged part for the indicator (a trend's, when there is no target)."""
    for result in criteria:
        for part in result.parts:
            if part.indicator.id == indicator_id and part.limits is not None:
                return part
    return None


def _spc_applies(board: Board, indicator: Indicator) -> bool:
    """The registry's chart for the indicator's kind is a control chart (no SPC on
    projections or cumulative rollout counts)."""
    return board.registry.chart(indicator).spc


def _no_limits(series: pd.DataFrame, message: str) -> SpcResult:
    """The series drawn as values only: no limits, no special causes, no icons."""
    values = series["judge_value"].astype(float)
    points = pd.DataFrame(
        {
            "value": values,
            "mean": float("nan"),
            "lpl": float("nan"),
            "upl": float("nan"),
            "point_type": ["missing" if pd.isna(v) else "common_cause" for v in values],
        }
    )
    return SpcResult(points.reset_index(drop=True), None, None, False, message)


def _display_spc(
    board: Board,
    plan,
    criteria: list[CriterionResult],
    judged: IndicatorEvidence | None,
    indicator: Indicator,
    full: pd.DataFrame,
    grain: str,
    target: float | None,
    data: UnitRows,
) -> tuple[SpcResult, list[str]]:
    """The chart's SPC over the whole series at the chosen grain, by the status's own rule:
    the same baseline and change date; at another grain, or for a kind the registry does
    not chart as SPC, values only (a filter never gives a second verdict).

    A series with hidden points (small counts, analytics.hierarchy) is drawn as values only:
    NHS MDC's XmR assumes every point of the baseline is in the mean; leaving out the points that
    are hidden *because* they are small biases the centre line upwards, and keeping them would
    let the drawn mean reveal their sum. So no centre line or limits at that grain.
    ``data``: the rows ``full`` is judged from (where units start reporting, for the limits)."""
    notes: list[str] = []
    grain_word = GRAIN_LABELS[indicator.grain]
    if not _spc_applies(board, indicator):
        what = "En framskriving" if indicator.projection else "Et kumulativt antall (kommuner som deltar)"
        return _no_limits(
            full, f"{what} vises uten SPC: den vokser med vilje, så grenser sier ingenting."
        ), notes
    hidden = int(full["hidden"].astype(bool).sum()) if "hidden" in full else 0
    if hidden:
        # Small counts are hidden because they are small: a mean and limits over the shown points
        # alone sit too high (selection on the value), and over every point they would carry the
        # hidden counts. So neither is drawn at this grain (the status uses every figure).
        return _no_limits(
            full,
            f"{hidden} av {len(full)} punkter er skjult for å verne små tall, så senterlinje og "
            "kontrollgrenser tegnes ikke: et snitt av bare de viste punktene ville ligget for høyt. "
            "Statusen bygger på alle tallene." + coarser_grain_advice(grain),
        ), notes
    if judged is None:
        # No criterion judges the indicator: the chart shows SPC, there is no status.
        values = full["judge_value"].astype(float).tolist()
        return xmr(values, improvement=indicator.direction, target=target), notes
    if grain != indicator.grain:
        message = (
            f"Statusen og SPC-grensene bygger på tall per {grain_word}; tall per {GRAIN_LABELS[grain]} "
            "vises uten kontrollgrenser og gir ingen egen vurdering."
        )
        return _no_limits(full, message), notes
    result = next(r for r in criteria if judged in r.parts)
    baseline = plan.baseline_for(result.criterion)
    change = result.criterion.change.date if result.criterion.change else None
    # The direction the status is judged in (evaluate._numeric_part sets it on the part).
    improvement = judged.direction or indicator.direction
    spc = judged_spc(full, improvement, target, limits_for(full, baseline, change, data))
    notes.append(judged.limits.note[0].upper() + judged.limits.note[1:] + ".")
    if result.due is not None and len(judged.series) < len(full):
        notes.append(
            f"Statusen vurderes på tall til fristen {formatting.date(result.due)}; senere punkter vises, "
            "men teller ikke i statusen."
        )
    return spc, notes


def _without_hidden(full: pd.DataFrame) -> pd.DataFrame:
    """The series as the drawn SPC sees it: hidden points are missing (NaN) values."""
    hidden = full["hidden"].astype(bool)
    out = full.copy()
    for column in ("judge_value", "judge_lower", "judge_upper"):
        if column in out:
            out[column] = out[column].where(~hidden)
    return out


def _shown(
    full: pd.DataFrame, spc: SpcResult, years: tuple[int, int] | None
) -> tuple[pd.DataFrame, SpcResult]:
    """The chosen years of the series and its SPC points (limits stay those of the whole)."""
    if not years or full.empty:
        return full, spc
    year = pd.to_datetime(full["period_start"]).dt.year
    mask = ((year >= years[0]) & (year <= years[1])).to_numpy()
    points = spc.points.reset_index(drop=True)[mask].reset_index(drop=True)
    return full[mask].reset_index(drop=True), replace(spc, points=points)


def _assurance_text(judged: IndicatorEvidence | None, spc: SpcResult, target: float | None) -> str:
    source = judged.spc if judged is not None and judged.spc is not None else spc
    return icons.assurance_text(
        source.assurance, target is not None, source.enough_points, source.assurance_note is not None
    )


def _target_per(criteria: list[CriterionResult], indicator_id: str) -> str | None:
    """The period the first target criterion on the indicator counts over
    (``evaluate.count_target_grain``: "year" for a count's target «per år»), or None."""
    for result in criteria:
        if result.criterion.kind is CriterionKind.target:
            for part in result.parts:
                if part.indicator.id == indicator_id and part.target is not None:
                    return count_target_grain(part.indicator, result.criterion)
    return None


def _target_part(criteria: list[CriterionResult], indicator_id: str) -> IndicatorEvidence | None:
    for result in criteria:
        if result.criterion.kind is CriterionKind.target:
            for part in result.parts:
                if part.indicator.id == indicator_id and part.target is not None:
                    return part
    return None


def small_multiples(
    board: Board,
    partnership: str,
    indicator_id: str,
    years: tuple[int, int] | None = None,
    today: dt.date | None = None,
) -> figures.Figure | None:
    """One small chart per member unit (the Per kommune view), or None without per-unit rows.

    Raises KeyError for an indicator the partnership does not show."""
    indicator = _check_indicator(board, partnership, indicator_id)
    return _small_multiples(board, partnership, indicator, _Rows(board), years, today or clock.today())


def _projection_text(indicator: Indicator, projection: Projection, part: IndicatorEvidence) -> str:
    """'Framskrevet ved fristen 31.12.2025: 14 (80 %-intervall 12–16). <reason> <method>'."""
    usable = part.series[part.series["judge_value"].notna()]
    last = usable["period_end"].iloc[-1].date()
    text = ""
    if projection.rests_on_hidden:
        # No projected value or interval beside hidden points (projection.hidden_fit_note).
        text = hidden_fit_note(*fitted_hidden(usable, projection.n_points)) + " "
    elif part.horizon and part.horizon > last:
        shown = format_value(indicator, projection.projected)
        low, high = format_value(indicator, projection.lower), format_value(indicator, projection.upper)
        where = part.horizon_label[0].lower() + part.horizon_label[1:] if part.horizon_label else ""
        cap = part.clip_max
        if cap is not None and projection.lower >= cap and projection.upper >= cap:
            # Wholly at the cap (evaluate.interval_text): «12–12» would read as an exact forecast.
            text = f"Framskrevet ved {where}: {shown}, som er taket (hele 80 %-intervallet ligger der). "
        else:
            text = f"Framskrevet ved {where}: {shown} (80 %-intervall {low}–{high}). "
            if cap is not None:
                text += f"Antallet kan ikke bli høyere enn {formatting.number(cap)}. "
    elif part.horizon:
        text = f"Fristen {formatting.date(part.horizon)} er passert. "
    method = projection.method
    if part.horizon_label and part.horizon_label.startswith("Horisont"):
        # Fortløpende: there is no deadline, only a horizon; say so in our own words.
        pace = part.pace_text or ""
        reason = pace[:1].upper() + pace[1:] + "." if pace else ""
        method = method.replace("forlenget til fristen", f"forlenget {ROLLOUT_HORIZON_YEARS} år fram")
        return f"{text}{reason} {method}".strip()
    return f"{text}{projection.shown_reason} {method}"


def _small_multiples(
    board: Board,
    partnership: str,
    indicator: Indicator,
    rows: _Rows,
    years: tuple[int, int] | None,
    today: dt.date,
) -> figures.Figure | None:
    """One panel per unit; monthly data and counts per year (small monthly counts are hidden)."""
    units = board.units[board.units["partnership"] == partnership]
    reporting = tuple(units.loc[units["kind"].isin(["municipality", "district", "region"]), "unit_id"])
    data = rows.get(indicator, reporting)
    if data.empty:
        return None
    grain = shown_grain(
        data, "year" if indicator.kind == "count" or indicator.grain == "month" else indicator.grain
    )
    per_unit = filter_years(judged_series(data, grain, today, by_unit=True), years)
    if per_unit.empty:
        return None
    names = units.set_index("unit_id")["name"]
    # Panels in the reference order (region by region), not by code.
    order = {u: i for i, u in enumerate(units["unit_id"])}
    per_unit = per_unit.sort_values(
        ["unit_id", "period_start"], key=lambda c: c.map(order) if c.name == "unit_id" else c
    )
    whole = filter_years(
        judged_series(rows.get(indicator, partnership_scope(board, partnership).unit_ids), grain, today),
        years,
    )
    if indicator.protect_small:
        per_unit, whole = _complementary(per_unit, whole)
    frame = pd.DataFrame(
        {
            "name": [names.get(u, u) for u in per_unit["unit_id"]],
            "period_start": per_unit["period_start"],
            "value": per_unit["value"].where(~per_unit["hidden"]),
            "label": [
                f"{lab} ({pt})" if pt else lab
                for lab, pt in zip(per_unit["label"], per_unit["partial_text"], strict=True)
            ],
            "display": _displays(indicator, per_unit),
            "partial": per_unit["partial"],
        }
    )
    reference = pd.DataFrame(
        {
            "period_start": whole["period_start"],
            "value": whole["value"].where(~whole["hidden"]),
            "label": whole["label"],
            "display": _displays(indicator, whole),
        }
    )
    return figures.small_multiples_figure(
        frame,
        indicator,
        title=f"{indicator.name} per kommune ({GRAIN_LABELS[grain]})",
        y_title=value_label(indicator),
        reference=reference,
        grain=grain,
    )


def _displays(indicator: Indicator, frame: pd.DataFrame) -> list[str]:
    """Hover text; a cell hidden only to protect another one reads ":" (SSB's symbol)."""
    return [
        figure_shown(indicator, v, n, bool(hidden), "cell")[0]
        for v, n, hidden in zip(frame["value"], frame["numerator"], frame["hidden"], strict=True)
    ]


def _complementary(per_unit: pd.DataFrame, whole: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hide one more unit where a single hidden count could be worked out from the shown total."""
    pivot = per_unit.pivot_table(index="unit_id", columns="period_start", values="numerator", aggfunc="sum")
    total_key = "__total__"
    pivot.loc[total_key] = whole.set_index("period_start")["numerator"].reindex(pivot.columns)
    hidden = protection.protect_counts(pivot, count_columns=list(pivot.columns), total_row=total_key).hidden
    extra = hidden.drop(index=total_key).stack()
    keys = pd.MultiIndex.from_frame(per_unit[["unit_id", "period_start"]])
    per_unit = per_unit.assign(
        hidden=per_unit["hidden"].to_numpy() | extra.reindex(keys, fill_value=False).to_numpy()
    )
    total_hidden = hidden.loc[total_key].reindex(whole["period_start"], fill_value=False).to_numpy()
    return per_unit, whole.assign(hidden=whole["hidden"].to_numpy() | total_hidden)


def denominator_text(indicator: Indicator, denominator: float | None) -> str:
    """A denominator as shown: a protected share's denominator counts persons, so 1..4 reads
    «<5» (analytics.protection.small_parts); a population's person-years are shown as they are."""
    if indicator.kind == "share":
        return formatting.count(denominator, indicator.protect_small)
    return formatting.number(denominator)


def _number_columns(
    indicator: Indicator, rows: pd.DataFrame, period_column: str, value_column: str | None
) -> pd.DataFrame:
    """Period, numerator (small counts "<5"), denominator and, when named, the value, as shown."""
    out = pd.DataFrame({period_column: rows["label"]})
    secondary = _secondary(rows)
    if indicator.kind != "score":
        out[_numerator_label(indicator)] = [
            protection.SECONDARY
            if sec
            else formatting.count(n, indicator.protect_small)
            if pd.notna(n)
            else "–"
            for n, sec in zip(rows["numerator"], secondary, strict=True)
        ]
    denominator = _denominator_label(indicator)
    if denominator:
        out[denominator] = [denominator_text(indicator, d) for d in rows["denominator"]]
    if value_column:
        out[value_column] = _displays(indicator, rows)
    return out


def _secondary(rows: pd.DataFrame) -> list[bool]:
    """Cells hidden to protect another one (not small themselves): shown as ":"."""
    if "hidden" not in rows:
        return [False] * len(rows)
    return [
        bool(h) and not formatting.below_threshold(n)
        for h, n in zip(rows["hidden"], rows["numerator"], strict=True)
    ]


def _table(indicator: Indicator, series: pd.DataFrame, spc: SpcResult, label: str) -> pd.DataFrame:
    spc_points = spc.points.reset_index(drop=True)
    table = _number_columns(
        indicator,
        series,
        "Periode",
        label if rated(indicator) or indicator.kind in ("share", "score") else None,
    )
    if spc.enough_points:
        upper, lower = figures.natural_bounds(
            indicator, float(spc_points["upl"].iloc[0]), float(spc_points["lpl"].iloc[0])
        )
        table["Gjennomsnitt"] = [format_value(indicator, v) for v in spc_points["mean"]]
        table["Nedre kontrollgrense"] = format_value(indicator, lower)
        table["Øvre kontrollgrense"] = format_value(indicator, upper)
    table["Punkttype"] = [POINT_TYPE_TEXT.get(t, t) for t in spc_points["point_type"]]
    table["Merknad"] = [_note(indicator, r) for _, r in series.iterrows()]
    return table


def _year_table(indicator: Indicator, data: UnitRows, today: dt.date) -> pd.DataFrame:
    years = year_table(data, today)
    if years.empty:
        return pd.DataFrame()
    out = _number_columns(indicator, years, "År", value_label(indicator))
    out["Samme måneder året før"] = [
        f"{format_value(indicator, v)} ({t})" if t else ""
        for v, t in zip(years["previous_same"], years["previous_text"], strict=True)
    ]
    out["Endring"] = [
        "" if pd.isna(c) else ("+" if c > 0 else "") + format_value(indicator, c).replace("<5", "–")
        for c in years["change"]
    ]
    if years["hidden"].any():
        out.loc[years["hidden"].to_numpy(), ["Samme måneder året før", "Endring"]] = ""
    return out


def coverage_note(board: Board, partnership: str, data: UnitRows) -> str | None:
    """One sentence when the partnership's series rests on only some of its municipalities and
    districts: a file for 3 of 21 members is summed over those 3, and a bare «Helsefellesskapet
    …» beside the value would claim all. None when every member has figures (its own rows or
    its region's) or there are none.

    data: the partnership's rows (UnitRows over partnership_scope). Counts members by
    Board.member_units; names the missing ones when at most five are missing, else the ones
    with figures when at most five have them."""
    members = board.member_units(partnership)
    if data.empty or members.empty:
        return None
    with_rows = set(data.units)
    covered = members[members["unit_id"].isin(with_rows) | members["region"].isin(with_rows)]
    if len(covered) == len(members):
        return None
    missing = members[~members["unit_id"].isin(covered["unit_id"])]
    if len(missing) <= 5:
        named = f" Uten tall: {', '.join(missing['name'])}."
    elif len(covered) <= 5:
        named = f" Med tall: {', '.join(covered['name'])}."
    else:
        named = ""
    name = board.plan(partnership).partnership.name
    what = "kommunene og bydelene" if (members["kind"] == "district").any() else "kommunene"
    return (
        f"Tallene for {name} bygger på de {len(covered)} av {len(members)} {what} "
        f"som har tall for indikatoren; de andre er ikke med.{named}"
    )


def units_word(board: Board, unit_ids: Sequence[str]) -> str:
    """«kommuner», «bydeler» or «kommuner og bydeler» for a set of units (Board.unit_kind);
    «enheter» when they are neither (regions, partnerships)."""
    kinds = {board.unit_kind(u) for u in unit_ids}
    words = [w for k, w in (("municipality", "kommuner"), ("district", "bydeler")) if k in kinds]
    if not words or kinds - {"municipality", "district"}:
        return "enheter"
    return " og ".join(words)


def left_out_note(
    board: Board, data: UnitRows, series: pd.DataFrame, today: dt.date, running: bool = True
) -> str | None:
    """One Norwegian sentence per cause for the periods a view shows but does not judge
    (analytics.series.judged_series: ``short`` and ``partial``), None when there are none:

    * short of members (series.member_gaps): «4. kvartal 2026 bygger på 3 av 22 kommuner og er
      ikke tatt med i vurderingen.» (the newest such period; several are counted);
    * not over yet (Indicator.rule.judged_before_end): «4. kvartal 2026 er ikke over før 31.12.2026 og
      er ikke tatt med i vurderingen.»

    data: the rows judged (UnitRows); series: their judged series at the shown grain; today: the
    day judged; running=False leaves out the second cause (a chart's legend already marks such a
    period «Delvis periode (ikke vurdert)»). Periods short of members come first: they are what a
    leader would misread."""
    if series.empty or "short" not in series:
        return None
    word = units_word(board, data.units)
    sentences = []
    short = series[series["short"].astype(bool)]
    if not short.empty:
        last = short.iloc[-1]
        n, expected = int(last["n_units"]), int(last["n_expected"])
        base = (
            f"bygger på {n} av {expected} {word}"
            if n < expected
            else f"mangler tall for noen av de {expected} {word} i deler av perioden"
        )
        if len(short) == 1:
            sentences.append(f"{last['label']} {base} og er ikke tatt med i vurderingen.")
        else:
            sentences.append(
                f"{len(short)} perioder bygger ikke på alle {word} som har tall før dem, og er ikke tatt med "
                f"i vurderingen; den siste er {last['label']}, som {base}."
            )
    ends = pd.to_datetime(series["period_end"])
    ongoing = series[
        ~series["short"].astype(bool) & series["partial"].astype(bool) & (ends > pd.Timestamp(today))
    ]
    if running and not ongoing.empty:
        last = ongoing.iloc[-1]
        end = pd.Timestamp(last["period_end"]).strftime("%d.%m.%Y")
        sentences.append(f"{last['label']} er ikke over før {end} og er ikke tatt med i vurderingen.")
    text = " ".join(sentences)
    return text[0].upper() + text[1:] if text else None


def _notes(
    indicator: Indicator, data: UnitRows, spc: SpcResult, grain: str, funnel: FunnelView | None
) -> list[str]:
    notes = []
    if rated(indicator) and indicator.kind == "count":
        notes.append(
            f"Raten er antall {indicator.rate_label} per år: summen av tellingene delt på summen av "
            "personår (befolkningen 1. januar × andel av året perioden dekker) i de samme enhetene, "
            "ganger 1 000. Måneder, kvartaler og et år som pågår er dermed på samme skala."
        )
    if data.population_note:
        notes.append(data.population_note)
    if indicator.protect_small:
        notes.append(
            f"Tall under {config.SUPPRESSION_THRESHOLD} vises som «{SMALL}», og rater bygd på dem vises "
            "ikke. Skjulte celler i kildene regnes som ukjente, aldri som null."
        )
    if spc.enough_points:
        notes.append(
            "SPC (XmR, NHS «Making Data Count»): gjennomsnitt og kontrollgrenser (gjennomsnitt ± 2,66 × "
            "gjennomsnittlig glidende variasjonsbredde) fra grunnlinjen i planen (standard: de 24 månedene "
            "før planperioden), nye grenser bare fra en endringsdato planen oppgir. Spesiell årsak: punkt "
            "utenfor grensene, 7 punkter på rad på samme side av gjennomsnittet, 7 punkter som stiger "
            "eller faller (like verdier bryter), eller 2 av 3 punkter nær en grense. Grensene vises "
            "aldri under 0 (og aldri over 100 % for andeler)."
        )
    elif spc.message:
        notes.append(spc.message)
    if funnel is not None:
        notes.append(f"Traktdiagram ({funnel.period_text}): {funnel.result.method}")
    return notes


# -- one criterion (meeting pack) ----------------------------------------------------------------------


@dataclass
class CriterionView:
    result: CriterionResult
    title: str
    status_line: str
    figure: figures.Figure | None

    @property
    def judgement(self) -> Judgement:
        return self.result.judgement


def criterion_view(
    board: Board,
    partnership: str,
    criterion_id: str,
    unit_ids: list[str] | None = None,
    years: tuple[int, int] | None = None,
    *,
    today: dt.date | None = None,
) -> CriterionView:
    """One criterion: its status line and the figure that shows why (None for milestones).

    A target with a projection gets the projection figure; other numeric criteria get the
    SPC chart of their first indicator (with the target line, if any).
    """
    today = today or clock.today()
    plan = board.plan(partnership)
    measure, criterion = criterion_by_id(plan, criterion_id)
    unit_ids = _own_units(board, partnership, unit_ids)
    scope: Scope = unit_scope(board, unit_ids) if unit_ids else partnership_scope(board, partnership)
    result = evaluate_criterion(board, plan, measure, criterion, scope=scope, today=today)
    figure = None
    if result.parts:
        part = result.parts[0]
        indicator = part.indicator
        title = f"{criterion.text} – {indicator.name}"
        if part.projection is not None and part.projection.projected is not None and part.horizon:
            figure = figures.projection_figure(
                part.series,
                part.projection,
                indicator,
                title=title,
                target=part.target,
                horizon=part.horizon,
                horizon_label=part.horizon_label,
                clip_max=part.clip_max,
            )
        else:
            # The status's own SPC (same points, same limits), cut to the years shown.
            series = part.series
            spc = part.spc or _no_limits(series, "Vises uten SPC.")
            series, spc = _shown(series, spc, years)
            figure = figures.spc_figure(
                _points(indicator, series),
                series["period_start"].tolist(),
                spc,
                indicator,
                title=title,
                target=part.target,
                assurance_text=part.pace,
            )
    return CriterionView(result, criterion.text, status_line(result.judgement), figure)


# -- the Kommune page --------------------------------------------------------------------------------


@dataclass
class MunicipalityView:
    unit_id: str
    name: str
    region: str | None
    population: pd.DataFrame  # the population groups, newest year
    table: pd.DataFrame  # one row per criterion and indicator
    funnel_views: list[FunnelView]  # the funnels the municipality is in
    pending: bool = False  # the partnership's side is not worked out yet (municipality_view, wait=False)

    def funnel_figure(self, funnel: FunnelView) -> figures.Figure:
        """The funnel with the municipality marked (built when asked: a page shows it opened)."""
        return funnel.figure(highlight=self.name)

    @property
    def funnels(self) -> list[tuple[FunnelView, figures.Figure]]:
        """Each funnel with the municipality marked (builds every figure)."""
        return [(f, self.funnel_figure(f)) for f in self.funnel_views]


@dataclass(frozen=True)
class PartnershipComparison:
    """What every municipality's view is held against: the same for all of them, so a page can
    compute it once per data version and switch between municipalities at the cost of one."""

    funnels: dict[str, FunnelView | None]  # indicator → its funnel (None: no rate to compare)
    recent: dict[str, tuple[str, str]]  # indicator → the partnership's newest value, its period
    # (indicator, the last day a criterion's status rests on: evaluate.criterion_until, the
    # figure its reason names: evaluate.LEAD_FIGURE) → the partnership's value and period
    # (value_until), for each plan criterion
    judged: dict[tuple[str, dt.date, str], tuple[str, str]] = field(default_factory=dict)


def _compared_indicators(board: Board, partnership: str) -> list[Indicator]:
    """The indicators of the plan's measured (not milestone) criteria, in plan order, then
    other indicators with values in the partnership (data_indicator_ids)."""
    ids: dict[str, None] = {}
    for _, criterion in board.plan(partnership).criteria:
        if criterion.indicators and criterion.kind is not CriterionKind.milestone:
            ids.update(dict.fromkeys(criterion.indicators))
    ids.update(dict.fromkeys(data_indicator_ids(board, partnership)))
    return [board.registry.get(i) for i in ids]


def partnership_comparison(
    board: Board, partnership: str, today: dt.date | None = None
) -> PartnershipComparison:
    """Each compared indicator's funnel and the partnership's newest value, and its value up
    to each criterion's cut-off (PartnershipComparison.judged).

    Kept per data version (analytics.datacache), plan and day: shared, read-only. The
    partnership's rows it reads are kept there too, so a municipality's are cut from them.
    """
    return datacache.judged_plan(board, _partnership_comparison, partnership, today or clock.today())


def _partnership_comparison(
    board: Board, partnership: str, plan: Plan, today: dt.date
) -> PartnershipComparison:
    rows = _Rows(board)
    whole = partnership_scope(board, partnership)
    funnels: dict[str, FunnelView | None] = {}
    recent: dict[str, tuple[str, str]] = {}
    compared = _compared_indicators(board, partnership)
    check_native(board, compared)  # one statement for every read's native check
    for indicator in compared:
        rows.load_all(indicator, whole.unit_ids)
        funnels[indicator.id] = funnel_view(board, partnership, indicator, today, rows)
        recent[indicator.id] = _recent(rows.get(indicator, whole.unit_ids), today)
    judged: dict[tuple[str, dt.date, str], tuple[str, str]] = {}
    for measure, criterion in plan.criteria:
        if criterion.indicators and criterion.kind is not CriterionKind.milestone:
            until = criterion_until(plan, measure, criterion, today)
            # A level target's status may rest on either figure (status.Judgement.rests_on).
            figures_ = {LEAD_FIGURE[criterion.kind], "recent"}
            for indicator_id in criterion.indicators:
                data = rows.get(board.registry.get(indicator_id), whole.unit_ids)
                for figure in figures_:
                    judged[(indicator_id, until, figure)] = value_until(data, until, today, figure)
    return PartnershipComparison(funnels, recent, judged)


def kept_comparison(
    board: Board, partnership: str, today: dt.date | None = None
) -> PartnershipComparison | None:
    """partnership_comparison's result when it is already kept for the current data, else None."""
    today = today or clock.today()
    found = datacache.kept_judged_plan(board, _partnership_comparison, partnership, today)
    return found if isinstance(found, PartnershipComparison) else None


def defers_partnership(board: Board, partnership: str) -> bool:
    """Whether Kommune shows a municipality before its partnership's side is worked out: from
    config.DEFER_PARTNERSHIP_FROM member municipalities (the whole country's plan status and
    funnels take seconds; a municipality's own columns do not need them)."""
    return len(board.member_ids(partnership)) >= config.DEFER_PARTNERSHIP_FROM


def partnership_side_kept(board: Board, partnership: str, today: dt.date | None = None) -> bool:
    """Whether the partnership's status (today) and comparison are kept for the current data."""
    return (
        kept_comparison(board, partnership, today) is not None
        and kept_plan_status(board, partnership, today) is not None
    )


def side_job(board: Board, partnership: str, today: dt.date) -> tuple:
    """The background job key (datacache.in_background) under which the partnership's side is
    worked out for the current data version and day: the Kommune page and analytics.warming
    share it, so neither starts the work while the other runs it."""
    return ("kommune", partnership, board.store.data_version(), today, str(board.store.path))


def work_out_partnership_side(board: Board, partnership: str, today: dt.date | None = None) -> None:
    """The partnership's status (today) and comparison, and its members' rows of the population
    groups, kept in analytics.datacache (run in the background by the page after a
    municipality's first view, and by analytics.warming when the data changes)."""
    today = today or clock.today()
    groups = [board.registry.get(g) for g in _population_groups(board, partnership)]
    check_native(board, [*_compared_indicators(board, partnership), *groups])
    evaluate_plan(board, partnership, today)
    partnership_comparison(board, partnership, today)
    # The population groups of Kommune's head: every member's rows, so a municipality's are cut
    # from them (municipality_view) instead of read one by one.
    rows, whole = _Rows(board), partnership_scope(board, partnership)
    for group in _population_groups(board, partnership):
        rows.load_all(board.registry.get(group), whole.unit_ids)


def municipality_view(
    board: Board,
    partnership: str,
    unit_id: str,
    *,
    today: dt.date | None = None,
    plan_status: PlanStatus | None = None,
    comparison: PartnershipComparison | None = None,
    wait: bool = True,
) -> MunicipalityView:
    """One municipality across every indicator in the plan.

    plan_status: the partnership's evaluation, if the caller has it (saves judging twice);
    comparison: partnership_comparison(...), if the caller has it (then only the
    municipality's own rows are read).
    wait=False: what is not given and not kept yet for the current data (the partnership's
    status, newest values and funnels) is not worked out: those cells say «beregnes …», there
    are no funnels, and ``pending`` is True. The municipality's own columns are the same
    either way: its rows are read alone where that gives exactly the cut from the
    partnership's rows (series.own_rows), else cut from the partnership's rows, read for it.

    The store's versions are read once for the whole view (Store.versions_pinned): every
    cached read and the plan ask for them, and each asking was a query.
    """
    with board.store.versions_pinned():
        return _municipality_view(board, partnership, unit_id, today, plan_status, comparison, wait)


def _municipality_view(
    board: Board,
    partnership: str,
    unit_id: str,
    today: dt.date | None,
    plan_status: PlanStatus | None,
    comparison: PartnershipComparison | None,
    wait: bool,
) -> MunicipalityView:
    today = today or clock.today()
    _own_units(board, partnership, [unit_id])
    plan = board.plan(partnership)
    units = board.units.set_index("unit_id")
    name = board.unit_name(unit_id)
    region_id = units["region"].get(unit_id)
    region = board.unit_name(region_id) if isinstance(region_id, str) else None
    rows = _Rows(board)
    own = unit_scope(board, [unit_id])
    whole = partnership_scope(board, partnership)
    if not wait:
        comparison = comparison or kept_comparison(board, partnership, today)
        plan_status = plan_status or kept_plan_status(board, partnership, today)
    pending = not wait and (comparison is None or plan_status is None)
    if pending:  # the municipality's rows: read alone where exact, else cut from the partnership's
        comparison = None
        compared = _compared_indicators(board, partnership)
        groups = [board.registry.get(g) for g in _population_groups(board, partnership)]
        check_native(board, [*compared, *groups])  # one statement for every read's native check
        rows.load_own_many(compared, unit_id, whole.unit_ids)
        rows.get_many(groups, (unit_id,))  # the head's population groups, read together
    elif comparison is None:  # one read of the partnership's rows serves both (kept)
        comparison = partnership_comparison(board, partnership, today)
    # The partnership's rows, when kept (read for its status and funnels): the municipality's
    # rows are cut from them where that is exact (evaluate._Rows); else only its own are read.
    for indicator_id in dict.fromkeys(
        [
            *(i for _, c in plan.criteria for i in c.indicators),
            *(comparison.funnels if comparison else ()),
            *_population_groups(board, partnership),
        ]
    ):
        rows.use_kept(board.registry.get(indicator_id), whole.unit_ids)
    milestones = board.store.milestone_states(board.partnership_id(partnership))
    records = []
    for measure, criterion in plan.criteria:
        if not criterion.indicators or criterion.kind is CriterionKind.milestone:
            continue
        mine = evaluate_criterion(
            board, plan, measure, criterion, scope=own, today=today, milestones=milestones, rows=rows
        )
        if pending:
            theirs = None
        elif plan_status is not None and criterion.id in plan_status.criteria:
            theirs = plan_status.criteria[criterion.id]
        else:
            theirs = evaluate_criterion(
                board, plan, measure, criterion, scope=whole, today=today, milestones=milestones, rows=rows
            ).judgement
        for indicator_id in criterion.indicators:
            indicator = board.registry.get(indicator_id)
            # The values the two statuses rest on, over the same cut-off (after a passed
            # deadline, the data up to the deadline); the partnership's is worked out once.
            side = partial(
                _partnership_value,
                comparison,
                rows,
                indicator,
                whole,
                (mine.data_until, lead_figure(criterion.kind, theirs)),
                today,
            )
            mine_value, period = criterion_value(mine, rows.get(indicator, own.unit_ids), today, side)
            # waiting: the partnership's value is not shown yet
            whole_value = PENDING if comparison is None else beside(period, side())
            records.append(
                {
                    "Kriterium": criterion.title,
                    "Status i kommunen": f"{STATUS_STYLE[mine.judgement.status][0]} {mine.judgement.status.value}",
                    "Kommunen": mine_value,
                    "Helsefellesskapet": whole_value,
                    "Måles som": value_label(indicator),
                    "Periode": period,
                    "Plassering i trakt": _placing(comparison, indicator_id, unit_id, period),
                    "Status i helsefellesskapet": PENDING
                    if theirs is None
                    else f"{STATUS_STYLE[theirs.status][0]} {theirs.status.value}",
                    "Begrunnelse (kommunen)": mine.judgement.reason,
                    "Indikator": indicator.name,
                }
            )
    for indicator_id in data_indicator_ids(board, partnership):  # values, but no criterion
        indicator = board.registry.get(indicator_id)
        mine_value, period = _recent(rows.get(indicator, own.unit_ids), today)
        records.append(
            {
                "Kriterium": "Ikke i planen (tallene følges)",
                "Status i kommunen": "",
                "Kommunen": mine_value,
                "Helsefellesskapet": PENDING
                if comparison is None
                else beside(period, comparison.recent.get(indicator_id, ("", ""))),
                "Måles som": value_label(indicator),
                "Periode": period,
                "Plassering i trakt": _placing(comparison, indicator_id, unit_id, period),
                "Status i helsefellesskapet": "",
                "Begrunnelse (kommunen)": "",
                "Indikator": indicator.name,
            }
        )
    population = _population(board, rows, unit_id, partnership, today)
    funnels = (
        []
        if comparison is None
        else [f for f in comparison.funnels.values() if f is not None and unit_id in f.unit_ids]
    )
    return MunicipalityView(unit_id, name, region, population, pd.DataFrame(records), funnels, pending)


def _placing(comparison: PartnershipComparison | None, indicator_id: str, unit_id: str, period: str) -> str:
    """«Plassering i trakt»: the municipality's funnel flag, «–» without one, PENDING when the
    funnels are not worked out yet. ``period``: the row's «Periode» (the value's window); a
    funnel over another window names its own, as ``beside`` does for the partnership's value
    («innenfor (okt. 2025–sep. 2026)» beside a quarterly target's «3. kvartal 2026»).

    The funnel stays on its 12 months (its own window, not the value's quarter): a funnel's
    control limits need each unit's denominator large enough for the normal approximation
    and for over-dispersion to be estimated (Spiegelhalter 2005, «Funnel plots for comparing
    institutional performance», Stat Med 24:1185–1202, §2 and §5; FunnelPlotR's
    ``funnel_plot`` on a year's data). One quarter of a member's STEMI or stroke patients is a
    handful, most of them hidden (<5), so a quarter's funnel would flag nobody and say nothing."""
    if comparison is None:
        return PENDING
    funnel = comparison.funnels.get(indicator_id)
    flag = funnel.flag(unit_id) if funnel else None
    if not flag:
        return "–"
    return beside(period, (flag, funnel.period))


def _partnership_value(
    comparison: PartnershipComparison | None,
    rows: _Rows,
    indicator: Indicator,
    whole: Scope,
    cut: tuple[dt.date | None, str],
    today: dt.date,
) -> tuple[str, str]:
    """The partnership's value and period up to a day, as a kind of criterion names it: ``cut``
    is (the last day, evaluate.LEAD_FIGURE's figure). Kept in the comparison, or (while it is
    worked out) from the partnership's rows, which are read by then."""
    until, figure = cut
    if comparison is not None:
        return comparison.judged[(indicator.id, until, figure)]
    return value_until(rows.get(indicator, whole.unit_ids), until, today, figure)


def beside(period: str, theirs: tuple[str, str]) -> str:
    """The partnership's value as Kommune shows it beside the municipality's, whose period is
    ``period`` (the table's one «Periode» column): with the partnership's own period in
    brackets where it differs («107,3 (okt. 2025–sep. 2026)»), as when the municipality's
    figures end earlier. Two windows never stand under one heading unmarked.

    theirs: (value as shown, period), e.g. PartnershipComparison.judged's; a value or period
    of «–» or "" (no figures) is shown as it is."""
    value, their_period = theirs
    if value in ("–", "") or their_period in ("–", "", period):
        return value
    return f"{value} ({their_period})"


def criterion_value(
    result: CriterionResult,
    data: UnitRows,
    today: dt.date,
    partnership: Callable[[], tuple[str, str]] | None = None,
) -> tuple[str, str]:
    """The value and period shown beside a criterion's status: the figure it rests on
    (``result.figure``: evaluate.LEAD_FIGURE per kind, the figure its reason names first: a
    target's newest period, «71,8 % (3. kvartal 2026)»; a trend's or monitor's newest 12
    months; a stock's or yearly data's newest period; but a level target reached, or not by
    its deadline, by its 12 months' interval: those 12 months, as the reason names them next)
    in ``data`` up to the last day the status rests on (``result.data_until``,
    evaluate.judged_until). After a passed deadline that is the data up to the deadline, as
    the reason says; before it, and for coverage, before/after and monitored criteria, the
    data up to the day judged. The one place every view takes it from: the matrix («Hvor
    står vi?», also on the deck's matrix slides) and Kommune's table (both columns).

    data: the rows of one of the criterion's indicators for the scope shown (one
    municipality, the partnership); today: the day judged (as_of when given). Returns
    (value as shown, small counts hidden by series.figure_shown; period), or ("–", "–")
    without data.

    partnership: Kommune's row, the partnership's (value, period) over the same cut-off:
    where the municipality has no figures, the period shown is the partnership's (asked only
    then), so the row still says which window the partnership's value covers.
    """
    value, period = value_until(data, result.data_until, today, result.figure(data.indicator.id))
    if period == "–" and partnership is not None:
        period = partnership()[1]
    return value, period


def value_until(
    data: UnitRows, until: dt.date | None, today: dt.date, figure: str = "recent"
) -> tuple[str, str]:
    """The figure ``figure`` (evaluate.LEAD_FIGURE: "recent", `_recent`; "newest", `_newest`)
    of the rows whose period ended by ``until`` (all rows when None); kept on ``data`` per
    figure, cut-off and day (series.derived)."""
    shown = _newest if figure == "newest" else _recent
    return derived(data, ("value_until", figure, until, today), lambda: shown(cut_rows(data, until), today))


def _row_figure(indicator: Indicator, row: pd.Series) -> tuple[str, str]:
    """One judged-series row as a table cell shows it (series.figure_shown; the row's
    ``hidden`` already holds protection.small_parts and the cube's mask), and its period."""
    shown, _ = figure_shown(indicator, row["value"], row["numerator"], bool(row["hidden"]), "cell")
    return shown, row["label"]


def _newest(data: UnitRows, today: dt.date) -> tuple[str, str]:
    """The newest period with a value to judge (evaluate.latest_row), shown: the figure a
    target's reason names first."""
    if data.empty:
        return "–", "–"
    row = latest_row(judged_series(data, today=today))
    return ("–", "–") if row is None else _row_figure(data.indicator, row)


def _recent(data: UnitRows, today: dt.date) -> tuple[str, str]:
    """The newest 12 months (a stock: the newest period; yearly data: the newest year), shown."""
    indicator = data.indicator
    if data.empty:
        return "–", "–"
    series = judged_series(data, today=today)
    end = recent_end(series, indicator)
    if end is None:
        return "–", "–"
    if indicator.kind == "stock" or indicator.grain == "year":
        return _row_figure(indicator, series[series["period_end"] == end].iloc[0])
    window = window_of(data, end)
    total = window_total(data, end, with_totals=False)
    start = (end + pd.Timedelta(days=1)) - pd.DateOffset(months=12)
    # The window as the cube hides it (series.rows_hidden: the funnel's cell, or any hidden
    # month inside), as the status reason beside it does.
    shown = figure_shown(
        indicator,
        total["value"],
        total["numerator"],
        rows_hidden(data, window),
        "cell",
        denominator=total["denominator"],
    )[0]
    return shown, window_span(start, end, indicator.grain)


def _population_groups(board: Board, partnership: str) -> list[str]:
    """The population indicators Kommune's head shows: the plan's, then total, 65+ and 80+."""
    groups = [i for i in plan_indicator_ids(board, partnership) if i.startswith("population_")]
    for extra in ("population_total", "population_65_plus", "population_80_plus"):
        if extra not in groups and extra in board.registry:
            groups.append(extra)
    return groups


def _population(board: Board, rows: _Rows, unit_id: str, partnership: str, today: dt.date) -> pd.DataFrame:
    records = []
    for group in _population_groups(board, partnership):
        indicator = board.registry.get(group)
        data = rows.get(indicator, (unit_id,))
        series = judged_series(data, today=today)
        known = series[series["value"].notna()]
        if known.empty:
            continue
        last = known.iloc[-1]
        records.append(
            {
                "Gruppe": indicator.name,
                "År": period_text(last["period_start"].date(), "year"),
                "Innbyggere": formatting.number(last["value"]),
            }
        )
    return pd.DataFrame(records)
