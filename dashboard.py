"""Indikatortavle for helsefellesskap: `streamlit run dashboard.py`.

Entry point: page setup, navigation and the sidebar filters that every page shares.
"""

from __future__ import annotations

import streamlit as st

from pages import access, common

st.set_page_config(page_title="Indikatortavle for helsefellesskap", page_icon="📊", layout="wide")
common.presentation_mode()

# (file, title, icon, url path, analysts only). Pages for analysts are not registered for
# leaders at all, so they cannot be reached by URL either.
PAGES = [
    ("pages/overview.py", "Oversikt", "🏠", "oversikt", False),
    ("pages/plan.py", "Handlingsplan", "📋", "handlingsplan", False),
    ("pages/population.py", "Befolkning", "👥", "befolkning", False),
    ("pages/indicator.py", "Indikator", "📈", "indikator", False),
    ("pages/municipality.py", "Kommune", "🏘️", "kommune", False),
    ("pages/catalogue.py", "Datakatalog", "🗃️", "datakatalog", False),
    ("pages/milestones.py", "Milepæler", "🏁", "milepaeler", False),
    ("pages/meeting.py", "Møtepakke", "🗂️", "motepakke", False),
    ("pages/upload.py", "Last opp data", "⬆️", "last-opp", True),
]

board = common.board()
plans = board.plans
with st.sidebar:
    st.markdown("### Helsefellesskap")
    partnership = common.url_select(
        "Helsefellesskap", "hf", list(plans), format_func=lambda p: plans[p].partnership.name
    )
    common.url_year_range()
access.sidebar_login()
analyst = access.is_analyst()
navigation = st.navigation(
    [
        st.Page(path, title=title, icon=icon, url_path=url, default=index == 0)
        for index, (path, title, icon, url, analysts_only) in enumerate(PAGES)
        if analyst or not analysts_only
    ]
)
common.demo_banner()
navigation.run()
