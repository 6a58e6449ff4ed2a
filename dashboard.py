"""Indikatortavla for helsefellesskap: `streamlit run dashboard.py`.

Entry point: page setup, navigation and the sidebar filters that every page shares.
"""

from __future__ import annotations

import streamlit as st

from pages import common

st.set_page_config(page_title="Indikatortavle for helsefellesskap", page_icon="📊", layout="wide")

board = common.board()
plans = board.plans
with st.sidebar:
    st.markdown("### Helsefellesskap")
    partnership = common.url_select(
        "Helsefellesskap", "hf", list(plans), format_func=lambda p: plans[p].partnership.name
    )

PAGES = [
    st.Page("pages/overview.py", title="Oversikt", icon="🏠", url_path="oversikt", default=True),
    st.Page("pages/plan.py", title="Handlingsplan", icon="📋", url_path="handlingsplan"),
]
navigation = st.navigation(PAGES)
common.demo_banner()
navigation.run()
