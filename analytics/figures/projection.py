"""The projection chart: the figures so far, the fitted trend, the target and the deadline.

The trend is drawn only over the points it was fitted on (analytics.projection), and a
count of municipalities taking part is drawn as steps.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pandas as pd
import plotly.graph_objects as go

from analytics import formatting
from analytics.evaluate import fitted_hidden, is_rollout
from analytics.figures.style import LIMIT_COLOUR, TARGET_COLOUR, UNIT_COLOUR, layout, mark_vertical, x_axis
from analytics.projection import Projection, hidden_fit_note
from analytics.registry import Indicator
from analytics.series import figure_shown, format_target, format_value, value_label

MAX_YEARS_DRAWN = 10


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

    series: period_end, judge_value, label and optionally hidden, value, numerator (the
    judged series the projection was fitted on). A deadline ahead gets the projected value
    with its 80 % interval. A deadline that has passed gets the line drawn on to the day
    today's pace reaches the target (at most ``MAX_YEARS_DRAWN`` years ahead), marked with
    that date.

    A hidden point (a protected small count, ``hidden``) is a gap in the line, its hover
    «<5» or «:» (series.figure_shown). Where a point the trend is fitted on is hidden, no trend,
    projection, interval or crossing date is drawn, and the subtitle says why
    (projection.hidden_fit_note): a line through n points, one hidden, gives it back.
    """
    usable = series[series["judge_value"].notna()]
    x = [pd.Timestamp(p) for p in usable["period_end"]]
    masked = usable["hidden"].astype(bool).tolist() if "hidden" in usable else [False] * len(usable)
    y = [None if m else float(v) for v, m in zip(usable["judge_value"], masked, strict=True)]
    shown = [
        figure_shown(indicator, r.get("value"), r.get("numerator"), True, "cell")[0]
        if m
        else format_value(indicator, v)
        for (_, r), v, m in zip(usable.iterrows(), y, masked, strict=True)
    ]
    labels = usable["label"].tolist()
    hidden, fitted = fitted_hidden(usable, projection.n_points)
    hidden_fit = projection.rests_on_hidden or hidden > 0
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
            connectgaps=False,
            customdata=[[lab, text] for lab, text in zip(labels, shown, strict=True)],
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        )
    )

    def clip(v: float | None) -> float | None:
        if v is None or clip_max is None:
            return v
        return min(max(v, 0.0), clip_max)

    deadline = pd.Timestamp(horizon)
    all_x = [*x, deadline]
    if projection.projected is not None and projection.slope_per_year is not None and x and not hidden_fit:
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
            name=f"Mål ({format_target(indicator, target)})",
            hoverinfo="skip",
        )
    )
    passed = bool(x) and deadline <= x[-1]
    mark_vertical(
        fig,
        deadline,
        horizon_label + (" (passert)" if passed else ""),
        line={"color": LIMIT_COLOUR, "dash": "dashdot", "width": 1},
        xanchor=None,
    )
    layout(fig, title, y_title or value_label(indicator))
    x_axis(fig, all_x, "year" if (max(all_x) - min(all_x)).days > 3 * 366 else None)
    if hidden_fit:
        lines = textwrap.wrap(hidden_fit_note(hidden, fitted), 110)
        fig.update_layout(
            margin={"t": 70 + 18 * len(lines)},
            title={"subtitle": {"text": "<br>".join(lines), "font": {"size": 13}}},
        )
    return fig
