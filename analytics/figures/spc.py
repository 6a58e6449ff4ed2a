"""The XmR (SPC) chart: values, mean and process limits per phase, target, points by type.

Point types and the variation/assurance icons follow NHS England's Making Data Count and
NHSRplotthedots (analytics.spc computes them); here they are drawn, with their own marker
symbols and legend words and the icons written out under the title.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics import icons
from analytics.figures.style import (
    LIMIT_COLOUR,
    LINE_GREY,
    MEAN_COLOUR,
    TARGET_COLOUR,
    column_list,
    layout,
    mark_vertical,
    x_axis,
)
from analytics.registry import Indicator
from analytics.series import format_target, format_value, value_label
from analytics.spc import SpcResult


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
    labels = column_list(points, "label", [p.strftime("%Y-%m-%d") for p in periods])
    display = column_list(points, "display", [format_value(indicator, v) for v in values])
    notes = column_list(points, "note", [""] * len(values))
    partial = column_list(points, "partial", [False] * len(values))
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
                name=f"Mål ({format_target(indicator, target)})",
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
    layout(fig, title, y_title or value_label(indicator))
    x_axis(fig, periods, grain)
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
        mark_vertical(
            fig,
            periods[start],
            "Endring: nye grenser",
            line={"color": LINE_GREY, "width": 1.5, "dash": "dot"},
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
    assurance = assurance_text or icons.assurance_text(
        spc.assurance, has_target, spc.enough_points, spc.assurance_note is not None
    )
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
