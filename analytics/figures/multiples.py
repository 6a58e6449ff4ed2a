"""Small multiples: one panel per unit on a shared scale, the partnership as reference."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.figures.style import LINE_GREY, UNIT_COLOUR, column_list, layout, time_ticks
from analytics.registry import Indicator
from analytics.series import format_value, value_label


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
        labels = column_list(sub, "label", sub["period_start"].astype(str))
        display = column_list(sub, "display", [format_value(indicator, v) for v in sub["value"]])
        partial = column_list(sub, "partial", [False] * len(sub))
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
                            column_list(reference, "label", reference["period_start"].astype(str)),
                            column_list(
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
    layout(fig, title, "", height=height)
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
