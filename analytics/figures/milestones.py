"""The milestone timeline: one bar per milestone up to its deadline, grouped by target group.

Status colours come from the shared status style (analytics.status) and every bar carries its
status word, so colour is never alone.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pandas as pd
import plotly.graph_objects as go

from analytics import clock, formatting
from analytics.figures.style import INK, TODAY_GREY
from analytics.milestones import TIMELINE_STATUSES, TIMELINE_WORDS, clean
from analytics.status import STATUS_STYLE, Status


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrap(text: str, width: int = 22) -> str:
    """Break a long target group name over lines (plotly tick labels take <br>)."""
    return "<br>".join(textwrap.wrap(text, width)) or text


def month_ticks(first: dt.date, last: dt.date, step: int = 6) -> tuple[list[str], list[str]]:
    """Tick positions every `step` months with Norwegian month names (plotly has English only)."""
    tick = dt.date(first.year, 1, 1)
    values, labels = [], []
    while tick <= last:
        values.append(tick.isoformat())
        labels.append(formatting.month_year(tick))
        month = tick.month - 1 + step
        tick = dt.date(tick.year + month // 12, month % 12 + 1, 1)
    return values, labels


def timeline_figure(frame: pd.DataFrame, today: dt.date | None = None) -> go.Figure:
    """Milestones as bars from the start of the deadline to the deadline, grouped by target group.

    Overdue ones are red and labelled "Forsinket"; a diamond marks the date a milestone was done;
    a dashed line marks today. No emoji: PNG export runs in a chromium without emoji fonts.
    """
    today = today or clock.today()
    fig = go.Figure()
    if frame.empty:
        fig.add_annotation(text="Planen har ingen milepæler.", showarrow=False, x=0.5, y=0.5)
        return fig
    ordered = frame.sort_values(["target_group", "due", "criterion_id"], kind="stable")
    y_axis = [
        ordered["target_group"].map(_wrap).tolist(),
        [f"{m} · {_short(c)}" for m, c in zip(ordered["measure_id"], ordered["criterion"], strict=True)],
    ]
    ms_per_day = 24 * 3600 * 1000
    for status in TIMELINE_STATUSES:
        mask = (ordered["status"] == status).to_numpy()
        if not mask.any():
            continue
        part = ordered[mask]
        word = TIMELINE_WORDS[status]
        hover = [
            f"<b>{c}</b><br>{m}<br>Ansvarlig: {r or '–'}<br>Frist: {d}<br>Status: {word}"
            + (f"<br>Oppnådd: {formatting.date(done)}" if done else "")
            + (f"<br>{clean(comment)}" if clean(comment) else "")
            for c, m, r, d, done, comment in zip(
                part["criterion"],
                part["measure"].map(_short),
                part["responsible"],
                part["deadline"],
                part["done_date"],
                part["comment"],
                strict=True,
            )
        ]
        fig.add_trace(
            go.Bar(
                name=word,
                orientation="h",
                y=[
                    [y_axis[0][i] for i in range(len(mask)) if mask[i]],
                    [y_axis[1][i] for i in range(len(mask)) if mask[i]],
                ],
                base=[pd.Timestamp(s).isoformat() for s in part["start"]],
                x=[
                    (pd.Timestamp(e) - pd.Timestamp(s)).days * ms_per_day + ms_per_day
                    for s, e in zip(part["start"], part["due"], strict=True)
                ],
                marker={"color": STATUS_STYLE[status][1]},
                text=["Forsinket" if status is Status.overdue else word] * len(part),
                textposition="outside",
                cliponaxis=False,
                hovertext=hover,
                hoverinfo="text",
            )
        )
    done = ordered[ordered["done_date"].notna()]
    if not done.empty:
        keep = ordered["done_date"].notna().to_numpy()
        fig.add_trace(
            go.Scatter(
                name="Dato oppnådd",
                x=[pd.Timestamp(d).isoformat() for d in done["done_date"]],
                y=[
                    [y_axis[0][i] for i in range(len(keep)) if keep[i]],
                    [y_axis[1][i] for i in range(len(keep)) if keep[i]],
                ],
                mode="markers",
                marker={
                    "symbol": "diamond",
                    "size": 11,
                    "color": INK,
                    "line": {"color": "white", "width": 1},
                },
                hovertext=[f"Oppnådd {formatting.date(d)}" for d in done["done_date"]],
                hoverinfo="text",
            )
        )
    fig.add_vline(x=pd.Timestamp(today).timestamp() * 1000, line={"dash": "dash", "color": TODAY_GREY})
    fig.add_annotation(
        x=pd.Timestamp(today).isoformat(),
        y=1.0,
        yref="paper",
        text="I dag",
        showarrow=False,
        yanchor="bottom",
    )
    first = min(ordered["start"].min(), today)
    last = max(ordered["due"].max(), today)
    ticks, labels = month_ticks(first, last)
    fig.update_layout(
        barmode="overlay",
        xaxis={
            "type": "date",
            "title": "Frist",
            "tickvals": ticks,
            "ticktext": labels,
            # room on the right for the status word after the longest bar
            "range": [
                pd.Timestamp(first).isoformat(),
                (pd.Timestamp(last) + pd.DateOffset(months=5)).isoformat(),
            ],
        },
        yaxis={"autorange": "reversed", "title": None},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "title": {"text": "Status: "}},
        height=max(360, 70 + 34 * len(ordered)),
        margin={"l": 20, "r": 20, "t": 70, "b": 60},
        hoverlabel={"align": "left"},
    )
    return fig
