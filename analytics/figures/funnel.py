"""The funnel plot: each unit's rate against its denominator, with 95 % and 99,8 % limits.

Limits come from analytics.funnel (Spiegelhalter 2005, with over-dispersion as in
chrismainey/FunnelPlotR); each flag has its own marker symbol and legend word.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from analytics import formatting
from analytics.figures.style import FUNNEL_FLAGS, HIGHLIGHT_COLOUR, LIMIT_COLOUR, MEAN_COLOUR, layout
from analytics.funnel import FunnelResult
from analytics.registry import Indicator


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
    layout(fig, title, y_title)
    fig.update_xaxes(title_text=x_title, rangemode="tozero")
    return fig


def _shown(indicator: Indicator, value: float) -> str:
    if indicator.kind == "share":
        return formatting.percent(value, 1)
    return formatting.number(value, 1)
