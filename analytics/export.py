"""Images for the meeting: a plotly figure as a clean PNG (kaleido driving Debian's chromium)."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import plotly.graph_objects as go
import plotly.io as pio

from analytics import config, formatting

PNG_WIDTH, PNG_HEIGHT, PNG_SCALE = 1600, 900, 2


def _browser_path() -> None:
    """kaleido finds a browser through BROWSER_PATH; point it at Debian's chromium."""
    if "BROWSER_PATH" not in os.environ:
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if found:
            os.environ["BROWSER_PATH"] = found


def print_ready(
    fig: go.Figure, title: str, source: str, demo: bool, fetched: dt.date | None = None
) -> go.Figure:
    """A copy of the figure for print: white background, Norwegian title, source footnote."""
    fetched = fetched or dt.date.today()
    note = f"Kilde: {source}. Hentet {formatting.date(fetched)}."
    if demo:
        note += f" {config.DEMO_LABEL}."
    copy = go.Figure(fig)
    copy.update_layout(
        title={"text": title, "x": 0.02, "font": {"size": 26}},
        template="plotly_white",
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"size": 16},
        separators=formatting.PLOTLY_SEPARATORS,
        margin={"t": 90, "b": 110, "l": 80, "r": 40},
    )
    copy.add_annotation(
        text=note,
        xref="paper",
        yref="paper",
        x=0,
        y=-0.16,
        showarrow=False,
        xanchor="left",
        font={"size": 13},
    )
    return copy


def figure_png(fig: go.Figure, title: str, source: str, demo: bool) -> bytes:
    """1600×900 at 2× scale, ready for a slide."""
    _browser_path()
    ready = print_ready(fig, title, source, demo)
    return pio.to_image(ready, format="png", width=PNG_WIDTH, height=PNG_HEIGHT, scale=PNG_SCALE)
