"""Plotly figures for Befolkning: age groups, the eldrebølge, members compared, expected demand.

Norwegian labels, decimal comma (analytics.figures.style), hover texts formatted in advance. Registered and projected figures differ by line style or bar
pattern as well as by legend text, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics import formatting
from analytics.figures.style import (
    BASE_YEAR_COLOUR,
    GROUP_COLOURS,
    LINE_GREY,
    NOTE_GREY,
    PROJECTED_PATTERN,
    REGISTERED_COLOUR,
    board_layout,
    mark_vertical,
)
from analytics.population import AGE_BANDS, GROUPS, PROJECTED, REGISTERED, Demand, last_registered_year

HEIGHT = 460
PROJECTED_NOTE = "Heltrukket: registrert (SSB 07459). Stiplet eller skravert: framskrevet (SSB 13600)."


def _layout(fig: go.Figure, title: str, height: int = HEIGHT) -> go.Figure:
    """The board's look, with the legend below (these figures are wide small multiples)."""
    return board_layout(
        fig,
        title,
        height,
        margin={"t": 80, "b": 60, "l": 70, "r": 30},
        legend={"orientation": "h", "yanchor": "top", "y": -0.1, "x": 0},
    )


def _years_on_x(fig: go.Figure) -> go.Figure:
    """Years on the x axes written as years (2030), not as numbers with a thousands space
    («2 030», which style.thousands gives every numeric axis)."""
    return fig.update_xaxes(tickformat="d")


def _split(sub: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Registered rows, and projected rows starting at the last registered point (no gap)."""
    sub = sub.sort_values("year")
    registered = sub[sub["kind"] == REGISTERED]
    projected = sub[sub["kind"] == PROJECTED]
    if len(registered) and len(projected):
        projected = pd.concat([registered.tail(1), projected])
    return registered, projected


def _line_parts(
    frame: pd.DataFrame,
    texts: Callable[[pd.DataFrame], list[str]],
    hover: str,
    *,
    y: str = "value",
    names: tuple[str, str],
    legendgroups: tuple[str, str],
    showlegend: tuple[bool, bool],
    colour: str,
    markers: bool = True,
) -> list[go.Scatter]:
    """One line as two traces: registered (solid) and projected (dashed, from the last
    registered point: ``_split``); an empty part gives no trace.

    frame: rows with ``year``, ``kind`` and the column ``y``; texts: each point's hover text
    for a part (formatted in advance); hover: the hover line before that text, with «%{x}»
    for the year; names, legendgroups, showlegend: (registered, projected).
    """
    traces = []
    for part, name, group, legend, dash in zip(
        _split(frame), names, legendgroups, showlegend, ("solid", "dash"), strict=True
    ):
        if part.empty:
            continue
        traces.append(
            go.Scatter(
                x=part["year"],
                y=part[y],
                mode="lines+markers" if markers else "lines",
                name=name,
                legendgroup=group,
                showlegend=legend,
                line={"color": colour, "dash": dash, "width": 2.5},
                marker={"size": 5} if markers else None,
                customdata=texts(part),
                hovertemplate=f"{hover}%{{customdata}}<extra></extra>",
            )
        )
    return traces


def _mark_projection_start(fig: go.Figure, year: int | None) -> None:
    if year is None:
        return
    mark_vertical(
        fig,
        year + 0.5,
        " framskrevet →",
        line={"color": LINE_GREY, "dash": "dot", "width": 1},
        at_top=False,
        font={"size": 11, "color": NOTE_GREY},
    )


def age_groups_figure(frame: pd.DataFrame, name: str, index: bool = False) -> go.Figure:
    """Population by age group, registered (solid) and projected (dashed).

    index=False: one panel per age group with its own axis (counts); index=True: all groups in
    one chart as an index, last registered year = 100, which shows where growth is fastest.
    """
    base_year = last_registered_year(frame)
    if index:
        fig = go.Figure()
        for group in AGE_BANDS:
            sub = frame[frame["group"] == group]
            base = sub.loc[(sub["year"] == base_year) & (sub["kind"] == REGISTERED), "value"]
            if sub.empty or base.empty or not base.iloc[0]:
                continue
            indexed = sub.assign(index=sub["value"] / float(base.iloc[0]) * 100)
            fig.add_traces(
                _line_parts(
                    indexed,
                    lambda part: [
                        f"{formatting.number(i)} ({formatting.number(v)} personer, {k})"
                        for i, v, k in zip(part["index"], part["value"], part["kind"], strict=True)
                    ],
                    f"{GROUPS[group]} %{{x}}: indeks ",
                    y="index",
                    names=(GROUPS[group],) * 2,
                    legendgroups=(group,) * 2,
                    showlegend=(True, False),
                    colour=GROUP_COLOURS[group],
                )
            )
        fig.add_hline(y=100, line={"color": LINE_GREY, "width": 1})
        _mark_projection_start(fig, base_year)
        fig.update_yaxes(title_text=f"Indeks ({base_year} = 100)")
        return _years_on_x(_layout(fig, f"{name}: vekst per aldersgruppe, indeks {base_year} = 100"))

    fig = make_subplots(
        rows=2,
        cols=2,
        subplot_titles=[GROUPS[g] for g in AGE_BANDS],
        shared_xaxes=True,
        vertical_spacing=0.14,
        horizontal_spacing=0.1,
    )
    for position, group in enumerate(AGE_BANDS):
        row, col = position // 2 + 1, position % 2 + 1
        sub = frame[frame["group"] == group]
        traces = _line_parts(
            sub,
            lambda part: [
                f"{formatting.number(v)} personer ({k})"
                for v, k in zip(part["value"], part["kind"], strict=True)
            ],
            f"{GROUPS[group]} %{{x}}: ",
            names=(REGISTERED.capitalize(), PROJECTED.capitalize()),
            legendgroups=(REGISTERED, PROJECTED),
            showlegend=(position == 0,) * 2,
            colour=REGISTERED_COLOUR,
        )
        fig.add_traces(traces, rows=row, cols=col)
    fig.update_yaxes(rangemode="tozero", tickformat=",d")
    return _years_on_x(_layout(fig, f"{name}: befolkning etter aldersgruppe", height=560))


def elder_wave_figure(wave: pd.DataFrame, name: str) -> go.Figure:
    """Year by year: how many more aged 67–79 and 80+ than the year before, and their share."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.55, 0.45],
        vertical_spacing=0.12,
        subplot_titles=["Endring fra året før (personer)", "Andel av befolkningen (%)"],
    )
    rows = wave.dropna(subset=["change_80_plus"])
    patterns = [PROJECTED_PATTERN if k == PROJECTED else "" for k in rows["kind"]]
    for group in ("67_79", "80_plus"):
        if f"change_{group}" not in rows:
            continue
        fig.add_trace(
            go.Bar(
                x=rows["year"],
                y=rows[f"change_{group}"],
                name=GROUPS[group],
                legendgroup=group,
                marker={"color": GROUP_COLOURS[group], "pattern": {"shape": patterns}},
                customdata=[
                    f"{'+' if c >= 0 else '−'}{formatting.number(abs(c))} personer ({k})"
                    for c, k in zip(rows[f"change_{group}"], rows["kind"], strict=True)
                ],
                hovertemplate=f"{GROUPS[group]} %{{x}}: %{{customdata}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
        share = f"share_{group}"
        traces = _line_parts(
            wave,
            lambda part, share=share: [
                f"{formatting.percent(v)} ({k})" for v, k in zip(part[share], part["kind"], strict=True)
            ],
            f"Andel {GROUPS[group]} %{{x}}: ",
            y=share,
            names=(GROUPS[group],) * 2,
            legendgroups=(group,) * 2,
            showlegend=(False, False),
            colour=GROUP_COLOURS[group],
            markers=False,
        )
        fig.add_traces(traces, rows=2, cols=1)
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=",d", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", ticksuffix=" %", row=2, col=1)
    years = wave.loc[wave["kind"] == REGISTERED, "year"]
    _mark_projection_start(fig, int(years.max()) if len(years) else None)
    return _years_on_x(_layout(fig, f"{name}: eldrebølgen år for år", height=560))


def member_share_figure(overview: pd.DataFrame, name: str) -> go.Figure:
    """Share aged 80+ per member today and at the horizon, the largest share at the top."""
    ordered = overview.sort_values("share_80")
    base, year = int(ordered["base_year"].iloc[0]), int(ordered["year"].iloc[0])
    fig = go.Figure()
    for column, label, pattern, colour in (
        ("share_80_base", f"{base} (registrert)", "", BASE_YEAR_COLOUR),
        ("share_80", f"{year} (framskrevet)", PROJECTED_PATTERN, GROUP_COLOURS["80_plus"]),
    ):
        fig.add_trace(
            go.Bar(
                y=ordered["name"],
                x=ordered[column],
                orientation="h",
                name=label,
                marker={"color": colour, "pattern": {"shape": pattern}},
                text=[formatting.percent(v) for v in ordered[column]],
                textposition="outside",
                textfont={"size": 12},
                cliponaxis=False,
                hovertemplate="%{y}: %{text}<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(title_text="Andel av befolkningen 80 år og eldre", ticksuffix=" %", rangemode="tozero")
    height = max(HEIGHT, 90 + 34 * len(ordered))
    return _layout(fig, f"{name}: andel 80 år og eldre per kommune, {base} og {year}", height=height)


def demand_figure(demand: Demand, unit_id: str, name: str) -> go.Figure | None:
    """Today's count and the expected counts for one unit; None when its count is unknown or hidden."""
    rows = demand.rows.set_index("unit_id")
    if demand.empty or unit_id not in rows.index:
        return None
    row = rows.loc[unit_id]
    if not bool(row["known"]) or bool(row["hidden"]):
        return None
    labels = [f"{demand.base_year} (registrert)", *[f"{y} (forventet)" for y in demand.years]]
    values = [row["observed"], *[row[f"expected_{y}"] for y in demand.years]]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            marker={
                "color": GROUP_COLOURS["80_plus"] if demand.group == "80_plus" else GROUP_COLOURS["67_79"],
                "pattern": {"shape": ["", *[PROJECTED_PATTERN] * len(demand.years)]},
            },
            text=[formatting.number(v) for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{text}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_yaxes(title_text="Antall per år", rangemode="tozero", tickformat=",d")
    title = f"{name}: {demand.indicator.name.lower()}, uten endring i rate"
    if row["n_missing"]:
        title += f" ({int(row['n_units'] - row['n_missing'])} av {int(row['n_units'])} med tall)"
    return _layout(fig, title, height=400)
