"""How status and text look on a page: status badges (icon and word, never colour alone),
Markdown-safe text, the demo banner and the presentation-mode style."""

from __future__ import annotations

import html
import re

import streamlit as st

from analytics import config
from analytics.status import STATUS_STYLE, Status
from ui.cache import board, loaded_beside_demo


def status_badge(status: Status) -> str:
    icon, colour = STATUS_STYLE[status]
    return f"{icon} :{_streamlit_colour(colour)}[**{status.value}**]"


def _streamlit_colour(hex_colour: str) -> str:
    """Nearest Markdown colour name; the icon and the word carry the meaning anyway."""
    return {
        "#1a7f37": "green",
        "#2da44e": "green",
        "#bf8700": "orange",
        "#cf222e": "red",
        "#8c1d18": "red",
        "#6e7781": "gray",
        "#0969da": "blue",
    }.get(hex_colour, "gray")


def status_text(status: Status) -> str:
    return f"{STATUS_STYLE[status][0]} {status.value}"


def demo_banner() -> None:
    """The synthetic-data label on every page. On a demo store someone loaded files into it
    names the indicators with loaded figures (ui.cache.loaded_beside_demo), so the label
    neither calls real figures synthetic nor lets synthetic ones pass as real."""
    current = board()
    if not current.store.is_demo():
        return
    loaded = loaded_beside_demo()
    if loaded:
        shown = ", ".join(f"«{safe_md(current.registry.get(i).name)}»" for i in loaded)
        st.warning(
            f"**{config.DEMO_LABEL} blandet med innlastede tall.** Tall fra innlastede filer finnes for "
            f"{shown}; resten av tallene er laget av et skript og beskriver ingen virkelige pasienter.",
            icon="🧪",
        )
        return
    st.warning(
        f"**{config.DEMO_LABEL}.** Tallene er laget av et skript og beskriver ingen virkelige pasienter.",
        icon="🧪",
    )


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:$=])")


def safe_md(text: object) -> str:
    """Text from a file, a user or a name, for st.markdown/st.caption: shown, never rendered.

    HTML is escaped to entities and every Markdown (and Streamlit directive: `:red[...]`,
    `$math$`) character gets a backslash, so `<script>`, `**x**` and `[a](b)` appear as typed.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


PRESENTATION_KEY = "presentasjon"


_PRESENTATION_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"],
header[data-testid="stHeader"] { display: none !important; }
html { font-size: 20px; }
[data-testid="stMainBlockContainer"], .block-container {
  max-width: 100% !important; padding: 1rem 2.5rem 2rem 2.5rem !important;
}
</style>
"""
