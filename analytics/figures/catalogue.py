"""The data catalogue's heat map: which cells hold data, which are suppressed, which are missing.

The cells come from analytics.catalogue.coverage; every state has a word in the hover text and,
on small maps, a mark in the cell, so colour is never alone.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.catalogue import STATE_LABELS, STATES, Coverage
from analytics.figures.style import INK, STATE_COLOURS
from analytics.registry import GRAIN_LABELS

STATE_CODES = {"mangler": 0, "skjult": 1, "data": 2}
STATE_MARKS = {"data": "", "skjult": "s", "mangler": "–"}
# Above this many cells the map drops per-cell marks and hover words (the browser slows).
MARK_LIMIT = 2_000
HOVER_LIMIT = 20_000


def coverage_figure(cov: Coverage) -> go.Figure:
    """A discrete heat map: rows units (first member at the top), columns periods."""
    cells = cov.cells
    unit_ids = list(dict.fromkeys(cells["unit_id"]))
    units = _row_labels(cells.drop_duplicates("unit_id").set_index("unit_id")["unit_name"], unit_ids)
    periods = sorted(cells["period"].unique())
    # Place each cell's state code by position (vectorised: 40 000+ cells nationally).
    rows = pd.Categorical(cells["unit_id"], categories=unit_ids).codes
    columns = pd.Categorical(cells["period"], categories=periods).codes
    codes = np.full((len(unit_ids), len(periods)), -1)
    codes[rows, columns] = cells["state"].map(STATE_CODES).to_numpy()
    z = np.where(codes >= 0, codes, np.nan)
    n = len(STATES) - 1
    colourscale = []
    for state, code in sorted(STATE_CODES.items(), key=lambda item: item[1]):
        colourscale += [[code / (n + 1), STATE_COLOURS[state]], [(code + 1) / (n + 1), STATE_COLOURS[state]]]
    heat = go.Heatmap(
        z=z,
        x=periods,
        y=[_plain(u) for u in units],
        zmin=-0.5,
        zmax=n + 0.5,
        colorscale=colourscale,
        xgap=1,
        ygap=1,
        colorbar={
            "tickvals": [STATE_CODES[s] for s in STATES],
            "ticktext": [STATE_LABELS[s] for s in STATES],
            "title": {"text": "Celle"},
        },
    )
    by_code = sorted(STATES, key=STATE_CODES.get)
    if codes.size <= HOVER_LIMIT:
        heat.customdata = np.array([STATE_LABELS[s] for s in by_code] + [""])[codes]
        heat.hovertemplate = "%{y}<br>%{x}: %{customdata}<extra></extra>"
    else:
        heat.hoverinfo = "x+y"
    if codes.size <= MARK_LIMIT:
        heat.text = np.array([STATE_MARKS[s] for s in by_code] + [""])[codes]
        heat.texttemplate = "%{text}"
        heat.textfont = {"color": INK, "size": 11}
    fig = go.Figure(heat)
    fig.update_layout(
        height=max(260, 110 + 18 * len(units)),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": {"text": f"Periode ({GRAIN_LABELS[cov.indicator.grain]})"}, "type": "category"},
        yaxis={"autorange": "reversed", "type": "category"},
        plot_bgcolor="white",
    )
    return fig


def _row_labels(names: pd.Series, unit_ids: list[str]) -> list[str]:
    """Unit names, with the code where a name repeats (Herøy, Våler): category axes merge equals."""
    counts = names.value_counts()
    return [f"{names[u]} ({u})" if counts[names[u]] > 1 else str(names[u]) for u in unit_ids]


def _plain(text: str) -> str:
    """plotly renders a subset of HTML in labels; a name is shown as text, never markup."""
    return html.escape(text, quote=False)
