"""The look every board figure shares: template, colours, Norwegian numbers and date axes.

One place for the styling: the decimal comma and the thousands space ("14 000,5", plotly's
``separators`` from ``formatting.PLOTLY_SEPARATORS``), numbers in full instead of SI suffixes
(«14k»), the white template, the legend's place and the colour of each kind of line. Meaning
never rests on colour alone: each colour here goes with a marker symbol, a line style or a
legend word in the figure that uses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics import formatting
from analytics.series import MONTHS_SHORT

# The figure type every builder returns; modules outside this package name it through here
# (only analytics.figures imports plotly).
Figure = go.Figure

HEIGHT = 480
# The template object, not its name: plotly copies a named template on every figure.
TEMPLATE = pio.templates["plotly_white"]

# -- colours ---------------------------------------------------------------------------------
LINE_GREY = "#9a9a9a"
MEAN_COLOUR = "#333333"
LIMIT_COLOUR = "#555555"
TARGET_COLOUR = "#b5179e"
UNIT_COLOUR = "#1f5fa8"
HIGHLIGHT_COLOUR = "#d62728"
NOTE_GREY = "#6e7781"
TODAY_GREY = "#57606a"  # the «I dag» line on a timeline
INK = "#24292f"  # dark marks and cell text
FUNNEL_FLAGS = {
    # flag → (legend text, marker symbol, colour)
    "innenfor": ("Innenfor grensene", "circle", "#7f7f7f"),
    "over 95 %": ("Over 95 %-grensen", "triangle-up", "#e07000"),
    "over 99,8 %": ("Over 99,8 %-grensen", "triangle-up-open", "#b30000"),
    "under 95 %": ("Under 95 %-grensen", "triangle-down", "#1f5fa8"),
    "under 99,8 %": ("Under 99,8 %-grensen", "triangle-down-open", "#08306b"),
}
# Population age groups (Befolkning); registered and projected differ by line style or pattern.
GROUP_COLOURS = {"0_17": "#6baed6", "18_66": "#1f5fa8", "67_79": "#e6550d", "80_plus": "#8c2d04"}
REGISTERED_COLOUR = "#1f5fa8"
BASE_YEAR_COLOUR = "#fdae6b"  # share 80+ in the base year, beside the projected year's
PROJECTED_PATTERN = "/"
# Catalogue cells. Blue, amber, light grey: apart for colour-blind readers too; the hover text
# and the cell marks (small maps) say the state in words, so colour is never alone.
STATE_COLOURS = {"data": "#0969da", "skjult": "#bf8700", "mangler": "#eaeef2"}

# Legend to the right: clear of the axis below and of the source line a PNG gets.
LEGEND_RIGHT = {"orientation": "v", "yanchor": "top", "y": 1, "xanchor": "left", "x": 1.01}
# On screen a legend to the right took half of a phone's width (390 px: the plot was squeezed to
# a strip, its year labels on top of each other). Plotly has no layout per screen width, so a
# page shows that legend below the plot at every width (for_screen); a PNG keeps it to the right.
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0}


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


def layout(fig: go.Figure, title: str, y_title: str, height: int = HEIGHT) -> go.Figure:
    """board_layout with a y-axis title; an axis with a title starts at zero."""
    board_layout(fig, title, height)
    fig.update_yaxes(title_text=y_title, rangemode="tozero" if y_title else None)
    return fig


def thousands(fig: go.Figure) -> go.Figure:
    """Numbers on every axis in full with Norwegian thousands (14 000, not «14k»): plotly's
    SI suffixes off, thousands separated (the separator is the figure's `separators`)."""
    fig.update_xaxes(exponentformat="none", separatethousands=True)
    fig.update_yaxes(exponentformat="none", separatethousands=True)
    return fig


def for_screen(fig: go.Figure) -> go.Figure:
    """The figure as a page shows it: Norwegian separators, numbers in full on every axis, and
    the board's legend to the right (LEGEND_RIGHT) moved below the plot (LEGEND_BELOW), so a
    phone shows the whole plot. A figure with a legend of its own keeps it.

    Changes ``fig`` in place and returns it (also for figures built without board_layout);
    ``on_paper`` gives a PNG its legend to the right again."""
    fig.update_layout(separators=formatting.PLOTLY_SEPARATORS)
    legend = fig.layout.legend
    if legend.orientation in (None, "v") and legend.x == LEGEND_RIGHT["x"]:
        fig.update_layout(legend=LEGEND_BELOW)
    return thousands(fig)


def title_apart(fig: go.Figure) -> tuple[go.Figure, str, str]:
    """A copy of ``fig`` without its title and subtitle, and the two texts ('' when absent):
    a page writes them above the chart as text, which wraps at any width (a plotly title is
    one line, cut off at the right on a phone). ``fig`` itself keeps them (for a PNG)."""
    copy = go.Figure(fig)
    heading, subtitle = copy.layout.title.text or "", copy.layout.title.subtitle.text or ""
    if heading or subtitle:
        top = copy.layout.margin.t
        copy.update_layout(title_text="", title_subtitle_text="", margin_t=min(40, top) if top else 40)
    return copy, heading, subtitle


def on_paper(fig: go.Figure) -> go.Figure:
    """for_screen's legend below the plot back to the right (a PNG or a slide is wide).
    Changes ``fig`` in place and returns it."""
    legend = fig.layout.legend
    if legend.orientation == "h" and legend.y == LEGEND_BELOW["y"] and legend.x == LEGEND_BELOW["x"]:
        fig.update_layout(legend=LEGEND_RIGHT)
    return fig


def mark_vertical(
    fig: go.Figure,
    x: object,
    text: str,
    *,
    line: dict,
    at_top: bool = True,
    font: dict | None = None,
    xanchor: str | None = "left",
) -> None:
    """A vertical line across the plot at ``x`` (every panel of a figure with subplots) and a
    short note beside it: a change in the process limits, a deadline, where a projection starts.

    line: plotly line style ({"color", "dash", "width"}); at_top: the note stands on the top
    edge of the plot area, else on the bottom edge; font: the note's font (None: the figure's);
    xanchor: "left" puts the note to the right of the line, None centres it on the line.
    """
    fig.add_vline(x=x, line=line)
    fig.add_annotation(
        x=x,
        y=1 if at_top else 0,
        xref="x",
        yref="paper",
        text=text,
        showarrow=False,
        xanchor=xanchor,
        yanchor="bottom",
        font=font,
    )


# -- date axes -------------------------------------------------------------------------------


def _grain_of(periods: Sequence[dt.date]) -> str:
    if len(periods) < 2:
        return "year"
    gaps = np.diff([pd.Timestamp(p).toordinal() for p in periods])
    step = float(np.median(gaps))
    return "month" if step < 45 else "quarter" if step < 106 else "tertial" if step < 180 else "year"


def time_ticks(periods: Sequence[dt.date], grain: str | None = None) -> tuple[list, list[str]]:
    """Tick positions and Norwegian labels for a date axis ('jan. 2024', '1. kv. 2024', '2. t. 2024',
    '2024')."""
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
    elif grain == "tertial":
        step = 4 if years <= 4 else 12
    else:
        step = 3 if years <= 2 else 6 if years <= 4 else 12
    ticks, labels = [], []
    current = pd.Timestamp(first.year, 1, 1)
    while current <= last:
        if current >= first - pd.DateOffset(months=step - 1):
            ticks.append(current)
            if grain == "quarter":
                labels.append(f"{(current.month - 1) // 3 + 1}. kv. {current.year}")
            elif grain == "tertial":
                labels.append(f"{(current.month - 1) // 4 + 1}. t. {current.year}")
            else:
                labels.append(f"{MONTHS_SHORT[current.month - 1]} {current.year}")
        current += pd.DateOffset(months=step)
    return ticks, labels


def x_axis(fig: go.Figure, periods: Sequence, grain: str | None = None, **kwargs) -> None:
    """A date x axis with Norwegian tick labels (time_ticks) and no title."""
    ticks, labels = time_ticks(list(periods), grain)
    fig.update_xaxes(tickvals=ticks, ticktext=labels, title_text="", **kwargs)


def column_list(points: pd.DataFrame, name: str, default: Sequence) -> list:
    """A column of a figure's input frame as a list, or ``default`` when the frame lacks it."""
    return points[name].tolist() if name in points.columns else list(default)
