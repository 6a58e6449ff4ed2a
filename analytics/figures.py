"""Plotly figures for the board and the meeting pack (no streamlit here).

Every figure uses Norwegian axis labels and period names, the Norwegian decimal comma
(``formatting.PLOTLY_SEPARATORS``) and hover texts that are already formatted (so small
counts read "<5" and rates built on them are never drawn). Meaning never rests on colour
alone: point types have their own marker symbols and legend words, and the SPC icons
are written out beside the chart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from analytics import formatting, icons
from analytics.evaluate import is_rollout
from analytics.funnel import FunnelResult
from analytics.projection import Projection
from analytics.registry import Indicator
from analytics.series import MONTHS_SHORT, format_value, value_label
from analytics.spc import SpcResult

HEIGHT = 480
MAX_YEARS_DRAWN = 10
LINE_GREY = "#9a9a9a"
MEAN_COLOUR = "#333333"
LIMIT_COLOUR = "#555555"
TARGET_COLOUR = "#b5179e"
UNIT_COLOUR = "#1f5fa8"
HIGHLIGHT_COLOUR = "#d62728"
FUNNEL_FLAGS = {
    # flag → (legend text, marker symbol, colour)
    "innenfor": ("Innenfor grensene", "circle", "#7f7f7f"),
    "over 95 %": ("Over 95 %-grensen", "triangle-up", "#e07000"),
    "over 99,8 %": ("Over 99,8 %-grensen", "triangle-up-open", "#b30000"),
    "under 95 %": ("Under 95 %-grensen", "triangle-down", "#1f5fa8"),
    "under 99,8 %": ("Under 99,8 %-grensen", "triangle-down-open", "#08306b"),
}


# The template object, not its name: plotly copies a named template on every figure.
TEMPLATE = pio.templates["plotly_white"]


# Legend to the right: clear of the axis below and of the source line a PNG gets.
LEGEND_RIGHT = {"orientation": "v", "yanchor": "top", "y": 1, "xanchor": "left", "x": 1.01}


def board_layout(
    fig: go.Figure,
    title: str,
    height: int = HEIGHT,
    margin: dict | None = None,
    legend: dict | None = None,
) -> go.Figure:
    """The look every board figure shares: title, template, Norwegian separators, hover."""
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template=TEMPLATE,
        separators=formatting.PLOTLY_SEPARATORS,
        height=height,
        margin=margin or {"t": 70, "b": 40, "l": 70, "r": 30},
        legend=legend or LEGEND_RIGHT,
        hovermode="closest",
        hoverlabel={"namelength": -1},
    )
    return fig


def _layout(fig: go.Figure, title: str, y_title: str, height: int = HEIGHT) -> go.Figure:
    board_layout(fig, title, height)
    fig.update_yaxes(title_text=y_title, rangemode="tozero" if y_title else None)
    return fig


def _grain_of(periods: Sequence[dt.date]) -> str:
    if len(periods) < 2:
        return "year"
    gaps = np.diff([pd.Timestamp(p).toordinal() for p in periods])
    step = float(np.median(gaps))
    return "month" if step < 45 else "quarter" if step < 120 else "year"


def time_ticks(periods: Sequence[dt.date], grain: str | None = None) -> tuple[list, list[str]]:
    """Tick positions and Norwegian labels for a date axis ('jan. 2024', '1. kv. 2024', '2024')."""
    if not len(periods):
        return [], []
    stamps = sorted(pd.Timestamp(p) for p in periods)
    grain = grain or _grain_of([s.date() for s in stamps])
    first, last = stamps[0], stamps[-1]
    years = last.year - first.year + 1
    if grain == "year" or years > 6:
        ticks = [pd.Timestamp(y, 1, 1) for y in range(first.year, last.year + 1)]
        return ticks, [str(t.year) for t in ticks]
    if grain == "quarter":
        step = 3 if years <= 3 else 12
    else:
        step = 3 if years <= 2 else 6 if years <= 4 else 12
    ticks, labels = [], []
    current = pd.Timestamp(first.year, 1, 1)
    while current <= last:
        if current >= first - pd.DateOffset(months=step - 1):
            ticks.append(current)
            if grain == "quarter":
                labels.append(f"{(current.month - 1) // 3 + 1}. kv. {current.year}")
            else:
                labels.append(f"{MONTHS_SHORT[current.month - 1]} {current.year}")
        current += pd.DateOffset(months=step)
    return ticks, labels


def _x_axis(fig: go.Figure, periods: Sequence, grain: str | None = None, **kwargs) -> None:
    ticks, labels = time_ticks(list(periods), grain)
    fig.update_xaxes(tickvals=ticks, ticktext=labels, title_text="", **kwargs)


def _column(points: pd.DataFrame, name: str, default: Sequence) -> list:
    return points[name].tolist() if name in points.columns else list(default)


# -- SPC ------------------------------------------------------------------------------------


def spc_figure(
    points: pd.DataFrame,
    periods: Sequence[dt.date],
    spc: SpcResult,
    indicator: Indicator,
    *,
    title: str,
    target: float | None = None,
    y_title: str | None = None,
    grain: str | None = None,
    assurance_text: str | None = None,
) -> go.Figure:
    """An XmR chart: values, mean, process limits, target, points by type, icons in words.

    points: one row per period, aligned with ``periods`` and ``spc.points``; column
    ``value`` (NaN where hidden or missing), and optionally ``label`` (period text),
    ``display`` (the value as shown, e.g. '<5'), ``note`` ('delvis år' …) and ``partial``.
    ``assurance_text`` replaces the assurance words (a rollout shows its pace instead).
    """
    periods = [pd.Timestamp(p) for p in periods]
    values = pd.to_numeric(points["value"], errors="coerce").to_numpy(float)
    labels = _column(points, "label", [p.strftime("%Y-%m-%d") for p in periods])
    display = _column(points, "display", [format_value(indicator, v) for v in values])
    notes = _column(points, "note", [""] * len(values))
    partial = _column(points, "partial", [False] * len(values))
    spc_points = spc.points.reset_index(drop=True)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=periods,
            y=values,
            mode="lines",
            line={"color": LINE_GREY, "width": 1.5},
            name="Verdi",
            hoverinfo="skip",
            showlegend=False,
            connectgaps=False,
        )
    )
    _phase_lines(fig, spc, spc_points, periods, indicator)
    if target is not None and not math.isnan(target):
        fig.add_trace(
            go.Scatter(
                x=[periods[0], periods[-1]] if periods else [],
                y=[target, target],
                mode="lines",
                line={"color": TARGET_COLOUR, "width": 2, "dash": "dot"},
                name=f"Mål ({format_value(indicator, target)})",
                hoverinfo="skip",
            )
        )
    types = spc_points["point_type"].tolist()
    for point_type, (legend, symbol, colour) in icons.POINT_TYPES.items():
        if not spc.enough_points:
            legend = "Verdi (for få punkter til SPC)"
        idx = [
            i
            for i, t in enumerate(types)
            if t == point_type and not math.isnan(values[i]) and not bool(partial[i])
        ]
        if not idx:
            continue
        fig.add_trace(_points_trace(idx, periods, values, labels, display, notes, legend, symbol, colour))
    open_idx = [i for i in range(len(values)) if bool(partial[i]) and not math.isnan(values[i])]
    if open_idx:
        fig.add_trace(
            _points_trace(
                open_idx,
                periods,
                values,
                labels,
                display,
                notes,
                "Delvis periode (ikke vurdert)",
                "circle-open",
                LINE_GREY,
            )
        )
    _layout(fig, title, y_title or value_label(indicator))
    _x_axis(fig, periods, grain)
    # The icons in words, under the title (kept when the PNG gets its own title).
    fig.update_layout(
        margin={"t": 90},
        title={
            "subtitle": {"text": spc_caption(spc, target is not None, assurance_text), "font": {"size": 13}}
        },
    )
    return fig


def _phase_lines(
    fig: go.Figure, spc: SpcResult, spc_points: pd.DataFrame, periods: list, indicator: Indicator
) -> None:
    """Mean and process limits drawn per phase (own segments), a dotted line at each change.

    A phase starts at a break given to the chart (a known change date from the plan,
    NHSRplotthedots' rebase). Limits that vary with the exposure (u chart) step per
    point. Phases too short for limits get no lines.
    """
    bounds = [(p.start, p.stop) for p in spc.phases] or [(0, len(spc_points))]
    drawn = 0
    for start, stop in bounds:
        rows = spc_points.iloc[start:stop]
        if rows.empty or rows["mean"].isna().all():
            continue
        x = periods[start:stop]
        if stop - start == 1:
            x = [x[0], x[0]]
            rows = pd.concat([rows, rows])
        mean = float(rows["mean"].iloc[0])
        first = drawn == 0
        fig.add_trace(
            go.Scatter(
                x=x,
                y=rows["mean"].tolist(),
                mode="lines",
                line={"color": MEAN_COLOUR, "width": 1.5},
                name=f"Gjennomsnitt ({format_value(indicator, mean)})" if first else "Gjennomsnitt",
                legendgroup="mean",
                showlegend=first,
                hovertemplate=f"Gjennomsnitt: {format_value(indicator, mean)}<extra></extra>",
            )
        )
        for column, name in (("upl", "Øvre kontrollgrense"), ("lpl", "Nedre kontrollgrense")):
            bound = [
                natural_bounds(indicator, v, v)[0 if column == "upl" else 1]
                for v in rows[column].astype(float)
            ]
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=bound,
                    mode="lines",
                    line={"color": LIMIT_COLOUR, "width": 1.2, "dash": "dash", "shape": "hv"},
                    name="Kontrollgrenser" if column == "upl" else name,
                    legendgroup="limits",
                    showlegend=first and column == "upl",
                    customdata=[format_value(indicator, v) for v in bound],
                    hovertemplate=f"{name}: %{{customdata}}<extra></extra>",
                )
            )
        drawn += 1
    for start, _stop in bounds[1:]:
        fig.add_shape(
            type="line",
            x0=periods[start],
            x1=periods[start],
            y0=0,
            y1=1,
            yref="paper",
            line={"color": LINE_GREY, "width": 1.5, "dash": "dot"},
        )
        fig.add_annotation(
            x=periods[start],
            y=1,
            yref="paper",
            text="Endring: nye grenser",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"size": 11, "color": LINE_GREY},
        )


def natural_bounds(indicator: Indicator, upper: float, lower: float) -> tuple[float, float]:
    """Process limits cut at what the measure can take: never below 0, shares never above 100."""
    lower = max(lower, 0.0)
    if indicator.kind == "share":
        upper = min(upper, 100.0)
    return upper, lower


def spc_caption(spc: SpcResult, has_target: bool, assurance_text: str | None = None) -> str:
    """'Variasjon: ⬆️ Forbedring (høy) · Mål: ✔️ Når målet stabilt' (or why not)."""
    if not spc.enough_points:
        return spc.message or icons.NO_VARIATION
    variation = icons.variation_text(spc.variation, spc.enough_points)
    assurance = assurance_text or icons.assurance_text(spc.assurance, has_target, spc.enough_points)
    return f"Variasjon: {variation} · Mål: {assurance}"


def _points_trace(
    idx: list[int],
    periods: list,
    values: np.ndarray,
    labels: list,
    display: list,
    notes: list,
    legend: str,
    symbol: str,
    colour: str,
) -> go.Scatter:
    return go.Scatter(
        x=[periods[i] for i in idx],
        y=[values[i] for i in idx],
        mode="markers",
        marker={"symbol": symbol, "size": 9, "color": colour, "line": {"width": 1, "color": colour}},
        name=legend,
        customdata=[[labels[i], display[i], legend, notes[i] or ""] for i in idx],
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}"
        "<br>%{customdata[3]}<extra></extra>",
    )


# -- funnel ---------------------------------------------------------------------------------


def funnel_figure(
    funnel: FunnelResult,
    names: Sequence[str],
    indicator: Indicator,
    *,
    title: str,
    x_title: str,
    y_title: str,
    scale: float = 1000,
    hidden: Sequence[bool] | None = None,
    counts: Sequence[str] | None = None,
    highlight: str | None = None,
) -> go.Figure:
    """Funnel plot: each unit's rate against its denominator, with 95 % and 99,8 % limits.

    ``scale`` turns the rate into what is shown (1 000 for per 1 000, 100 for per cent).
    ``hidden`` units (small counts) are left out of the drawing; ``counts`` are the
    numerators as shown in the hover ('<5'); ``highlight`` is the name to mark.
    """
    units = funnel.units.reset_index(drop=True)
    hidden = list(hidden) if hidden is not None else [False] * len(units)
    counts = list(counts) if counts is not None else [formatting.number(n) for n in units["numerator"]]
    limits = funnel.limits
    fig = go.Figure()
    for level, dash, name in (("95", "dash", "95 %-grenser"), ("998", "dot", "99,8 %-grenser")):
        for side in ("upper", "lower"):
            fig.add_trace(
                go.Scatter(
                    x=limits["denominator"],
                    y=limits[f"{side}_{level}"] * scale,
                    mode="lines",
                    line={"color": LIMIT_COLOUR, "dash": dash, "width": 1.2},
                    name=name,
                    legendgroup=level,
                    showlegend=side == "upper",
                    hoverinfo="skip",
                )
            )
    target = funnel.target * scale
    fig.add_trace(
        go.Scatter(
            x=[limits["denominator"].min(), limits["denominator"].max()],
            y=[target, target],
            mode="lines",
            line={"color": MEAN_COLOUR, "width": 1.5},
            name=f"Samlet ({_shown(indicator, target)})",
            hoverinfo="skip",
        )
    )
    flags = units["flag"].to_numpy()
    rates = units["rate"].to_numpy(dtype=float)
    denominators = units["denominator"].to_numpy(dtype=float)
    drawn = ~np.asarray(hidden, dtype=bool) & ~np.isnan(rates)
    for flag, (legend, symbol, colour) in FUNNEL_FLAGS.items():
        idx = np.flatnonzero((flags == flag) & drawn)
        if not len(idx):
            continue
        fig.add_trace(
            go.Scatter(
                x=denominators[idx],
                y=rates[idx] * scale,
                mode="markers",
                marker={
                    "symbol": symbol,
                    "size": 11,
                    "color": colour,
                    "line": {"width": 1.5, "color": colour},
                },
                name=legend,
                customdata=[
                    [
                        names[i],
                        counts[i],
                        formatting.number(denominators[i]),
                        _shown(indicator, rates[i] * scale),
                        legend,
                    ]
                    for i in idx
                ],
                hovertemplate="<b>%{customdata[0]}</b><br>Teller: %{customdata[1]}"
                "<br>Nevner: %{customdata[2]}<br>Rate: %{customdata[3]}<br>%{customdata[4]}<extra></extra>",
            )
        )
    if highlight is not None and highlight in names:
        i = list(names).index(highlight)
        if not hidden[i] and not math.isnan(units["rate"].iloc[i]):
            fig.add_trace(
                go.Scatter(
                    x=[units["denominator"].iloc[i]],
                    y=[units["rate"].iloc[i] * scale],
                    mode="markers+text",
                    marker={
                        "symbol": "circle-open",
                        "size": 20,
                        "color": HIGHLIGHT_COLOUR,
                        "line": {"width": 3},
                    },
                    text=[highlight],
                    textposition="top center",
                    name=highlight,
                    hoverinfo="skip",
                )
            )
    _layout(fig, title, y_title)
    fig.update_xaxes(title_text=x_title, rangemode="tozero")
    return fig


def _shown(indicator: Indicator, value: float) -> str:
    if indicator.kind == "share":
        return formatting.percent(value, 1)
    return formatting.number(value, 1)


# -- small multiples ---------------------------------------------------------------------------


def small_multiples_figure(
    frame: pd.DataFrame,
    indicator: Indicator,
    *,
    title: str,
    y_title: str | None = None,
    reference: pd.DataFrame | None = None,
    reference_name: str = "Helsefellesskapet",
    columns: int = 5,
    grain: str | None = None,
) -> go.Figure:
    """One small panel per unit on a shared scale, with the whole partnership as reference.

    frame: name, period_start, value (NaN where hidden), and optionally label,
    display, partial. reference: period_start, value (and label, display).
    """
    names = list(dict.fromkeys(frame["name"]))
    n = max(len(names), 1)
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        shared_xaxes=True,
        shared_yaxes=True,
        subplot_titles=names,
        vertical_spacing=min(0.08, 0.35 / rows),
        horizontal_spacing=0.02,
    )
    for k, name in enumerate(names):
        row, col = divmod(k, columns)
        sub = frame[frame["name"] == name].sort_values("period_start")
        labels = _column(sub, "label", sub["period_start"].astype(str))
        display = _column(sub, "display", [format_value(indicator, v) for v in sub["value"]])
        partial = _column(sub, "partial", [False] * len(sub))
        if reference is not None and not reference.empty:
            fig.add_trace(
                go.Scatter(
                    x=reference["period_start"],
                    y=reference["value"],
                    mode="lines",
                    line={"color": LINE_GREY, "dash": "dot", "width": 1.2},
                    name=reference_name,
                    legendgroup="reference",
                    showlegend=k == 0,
                    customdata=list(
                        zip(
                            _column(reference, "label", reference["period_start"].astype(str)),
                            _column(
                                reference, "display", [format_value(indicator, v) for v in reference["value"]]
                            ),
                            strict=True,
                        )
                    ),
                    hovertemplate=f"{reference_name}<br>%{{customdata[0]}}: %{{customdata[1]}}<extra></extra>",
                ),
                row=row + 1,
                col=col + 1,
            )
        fig.add_trace(
            go.Scatter(
                x=sub["period_start"],
                y=sub["value"],
                mode="lines+markers",
                line={"color": UNIT_COLOUR, "width": 1.8},
                marker={
                    "size": 5,
                    "symbol": ["circle-open" if p else "circle" for p in partial],
                    "color": UNIT_COLOUR,
                },
                name="Kommunen",
                legendgroup="unit",
                showlegend=k == 0,
                customdata=[[name, lab, disp] for lab, disp in zip(labels, display, strict=True)],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}: %{customdata[2]}<extra></extra>",
            ),
            row=row + 1,
            col=col + 1,
        )
    height = 150 * rows + 150
    _layout(fig, title, "", height=height)
    fig.update_layout(margin={"t": 90})
    fig.update_annotations(font={"size": 11})
    periods = sorted(frame["period_start"].dropna().unique())
    ticks, labels = time_ticks([pd.Timestamp(p) for p in periods], grain)
    if len(ticks) > 4:
        keep = max(1, len(ticks) // 3)
        ticks, labels = ticks[::keep], labels[::keep]
    fig.update_xaxes(tickvals=ticks, ticktext=labels, tickfont={"size": 9})
    fig.update_yaxes(rangemode="tozero", tickfont={"size": 9})
    fig.add_annotation(
        text=y_title or value_label(indicator),
        xref="paper",
        yref="paper",
        x=0,
        y=1.0,
        yanchor="bottom",
        xanchor="left",
        yshift=24,
        showarrow=False,
        font={"size": 12},
    )
    return fig


# -- projection ---------------------------------------------------------------------------------


def projection_figure(
    series: pd.DataFrame,
    projection: Projection,
    indicator: Indicator,
    *,
    title: str,
    target: float,
    horizon: dt.date,
    horizon_label: str,
    clip_max: float | None = None,
    y_title: str | None = None,
) -> go.Figure:
    """The figures so far, the fitted trend line, the target and the deadline.

    series: period_end, judge_value, label (the points the projection was fitted on).
    A deadline ahead gets the projected value with its 80 % interval. A deadline that has
    passed gets the line drawn on to the day today's pace reaches the target (at most
    ``MAX_YEARS_DRAWN`` years ahead), marked with that date.
    """
    usable = series[series["judge_value"].notna()]
    x = [pd.Timestamp(p) for p in usable["period_end"]]
    y = usable["judge_value"].astype(float).tolist()
    labels = usable["label"].tolist()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines+markers",
            # A count of municipalities taking part changes in steps: drawn as steps, not slopes.
            line={"color": UNIT_COLOUR, "shape": "hv" if is_rollout(indicator) else "linear"},
            marker={"size": 7},
            name="Tall så langt",
            customdata=[[lab, format_value(indicator, v)] for lab, v in zip(labels, y, strict=True)],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        )
    )

    def clip(v: float | None) -> float | None:
        if v is None or clip_max is None:
            return v
        return min(max(v, 0.0), clip_max)

    deadline = pd.Timestamp(horizon)
    all_x = [*x, deadline]
    if projection.projected is not None and projection.slope_per_year is not None and x:
        last = x[-1]
        ahead = deadline > last
        expected = pd.Timestamp(projection.expected_date) if projection.expected_date else None
        fitted = x[-min(projection.n_points, len(x)) :]  # the points the line was fitted on
        per_day = projection.slope_per_year / 365.25

        def line(at: pd.Timestamp) -> float:
            return projection.projected + per_day * (at - deadline).days

        # The trend line covers exactly the fitted points, each at the fitted model's value.
        fig.add_trace(
            go.Scatter(
                x=fitted,
                y=[line(at) for at in fitted],
                mode="lines",
                line={"color": UNIT_COLOUR, "width": 2},
                name=f"Trend (lineær, siste {projection.n_points} punkter)",
                hoverinfo="skip",
            )
        )
        # The projection goes on from the last fitted point: to the deadline while it is
        # ahead, or to the day the target is reached (a passed deadline), within MAX_YEARS_DRAWN.
        end = None
        if ahead:
            end = deadline
        elif expected is not None and last < expected <= last + pd.DateOffset(years=MAX_YEARS_DRAWN):
            end = expected
        if end is not None:
            ahead_x, ahead_y = [last, end], [clip(line(last)), clip(line(end))]
            if clip_max is not None and per_day > 0 and line(last) < clip_max < line(end):
                # A rollout stops at all members: bend the line flat on the day it gets there.
                full = last + pd.Timedelta(days=(clip_max - line(last)) / per_day)
                ahead_x, ahead_y = [last, full, end], [clip(line(last)), clip_max, clip_max]
            all_x.append(end)
            fig.add_trace(
                go.Scatter(
                    x=ahead_x,
                    y=ahead_y,
                    mode="lines",
                    line={"color": UNIT_COLOUR, "dash": "dash"},
                    name="Framskrevet i dagens tempo",
                    hoverinfo="skip",
                )
            )
        if ahead:
            low, high, mid = clip(projection.lower), clip(projection.upper), clip(projection.projected)
            fig.add_trace(
                go.Scatter(
                    x=[deadline],
                    y=[mid],
                    mode="markers",
                    marker={"symbol": "diamond", "size": 11, "color": UNIT_COLOUR},
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": [high - mid],
                        "arrayminus": [mid - low],
                        "color": UNIT_COLOUR,
                    },
                    name="Framskrevet (80 %-intervall)",
                    customdata=[
                        [
                            horizon_label,
                            format_value(indicator, mid),
                            format_value(indicator, low),
                            format_value(indicator, high),
                        ]
                    ],
                    hovertemplate="<b>%{customdata[0]}</b><br>Framskrevet: %{customdata[1]}"
                    "<br>80 %-intervall: %{customdata[2]}–%{customdata[3]}<extra></extra>",
                )
            )
        if expected is not None and end is not None and last < expected <= end:
            when = formatting.month_year(expected.date())
            fig.add_trace(
                go.Scatter(
                    x=[expected],
                    y=[target],
                    mode="markers",
                    marker={"symbol": "star", "size": 14, "color": TARGET_COLOUR},
                    name=f"Målet nås i dagens tempo ({when})",
                    hovertemplate=f"Målet nås i dagens tempo: {when}<extra></extra>",
                )
            )
    fig.add_trace(
        go.Scatter(
            x=[min(all_x), max(all_x)],
            y=[target, target],
            mode="lines",
            line={"color": TARGET_COLOUR, "dash": "dot", "width": 2},
            name=f"Mål ({format_value(indicator, target)})",
            hoverinfo="skip",
        )
    )
    passed = bool(x) and deadline <= x[-1]
    fig.add_vline(x=deadline, line={"color": LIMIT_COLOUR, "dash": "dashdot", "width": 1})
    fig.add_annotation(
        x=deadline,
        y=1,
        yref="paper",
        text=horizon_label + (" (passert)" if passed else ""),
        showarrow=False,
        yanchor="bottom",
    )
    _layout(fig, title, y_title or value_label(indicator))
    _x_axis(fig, all_x, "year" if (max(all_x) - min(all_x)).days > 3 * 366 else None)
    return fig
