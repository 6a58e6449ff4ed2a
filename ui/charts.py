"""A chart on a page: the interactive plotly figure and a button for a clean PNG."""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from analytics import export, figures
from ui.style import safe_md


def _file_name(title: str) -> str:
    slug = re.sub(r"[^a-z0-9æøå]+", "-", title.lower()).strip("-")
    return f"{slug or 'figur'}.png"


def show_chart(
    fig: figures.Figure, *, key: str, title: str, source: str, demo: bool, notes: Sequence[str] = ()
) -> None:
    """`notes` go into the PNG's footnote (e.g. that small counts are shown as "<5").

    The figure's title and subtitle are written above the chart as page text, which wraps at
    any width; in plotly a title is one line, cut off at the right on a phone (and a long one
    at 1280 px). The PNG keeps its own title (export.figure_png)."""
    figures.for_screen(fig)
    screen, heading, subtitle = figures.title_apart(fig)
    if heading:
        st.markdown(f"**{safe_md(heading)}**")
    if subtitle:
        st.caption(safe_md(subtitle))
    st.plotly_chart(screen, key=f"chart_{key}", config={"displaylogo": False, "locale": "no"})
    if export.browser_path() is None:  # kaleido needs chromium: say so instead of failing on click
        st.caption(f"🖼️ {export.NO_BROWSER}")
        return
    st.download_button(
        "Last ned som bilde (PNG)",
        data=lambda: export.figure_png(fig, title, source, demo, notes),  # made only when clicked
        file_name=_file_name(title),
        mime="image/png",
        key=f"png_{key}",
        on_click="ignore",
        icon="🖼️",
    )
