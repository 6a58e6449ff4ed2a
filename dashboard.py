"""Indikatortavle for helsefellesskap: `streamlit run dashboard.py`.

Entry point: page setup, navigation and the sidebar filters that every page shares.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from streamlit import runtime
from streamlit.runtime.pages_manager import PagesManager

from analytics import clock
from loaders import spool
from loaders.service import Loader
from safety import server
from ui import access, common

# No session may empty the caches every user shares (safety/server.py).
server.refuse_clear_cache()

# Streamlit takes a `pages/` folder next to the entry script for an old-style multipage app and
# wraps each run in a navigation of its own, built from the file names: a new visitor's
# /indikator is then "Page not found", /upload runs that file without this script, and
# /common shows the module list. The navigation below is the only one; turn the old one off.
# (A Streamlit internal, checked by tests/test_browser_share.py for the pinned version.)
PagesManager.uses_pages_directory = False

try:  # a malformed BOARD_TODAY (analytics.clock): its one sentence, no traceback, nothing judged
    clock.today()
except clock.ClockError as exc:
    if __name__ == "__main__" and not runtime.exists():
        sys.exit(str(exc))
    st.error(str(exc))
    st.stop()

if __name__ == "__main__" and not runtime.exists():
    # `python dashboard.py [--server.port …]`: start the server with the flag set before the
    # first visitor's run (under `streamlit run` it takes effect from the second run on).
    from streamlit.web import cli

    common.warm_from_start()
    sys.exit(cli.main(["run", __file__, *sys.argv[1:]]))

st.set_page_config(page_title="Indikatortavle for helsefellesskap", page_icon="📊", layout="wide")
common.presentation_mode()

# (file, title, icon, url path, analysts only). Pages for analysts are not registered for
# leaders at all, so they cannot be reached by URL either.
PAGES = [
    ("pages/overview.py", "Oversikt", "🏠", "oversikt", False),
    ("pages/plan.py", "Handlingsplan", "📋", "handlingsplan", False),
    ("pages/matrix.py", "Hvor står vi?", "🧭", "hvor-star-vi", False),
    ("pages/population.py", "Befolkning", "👥", "befolkning", False),
    ("pages/indicator.py", "Indikator", "📈", "indikator", False),
    ("pages/municipality.py", "Kommune", "🏘️", "kommune", False),
    ("pages/catalogue.py", "Datakatalog", "🗃️", "datakatalog", False),
    ("pages/milestones.py", "Milepæler", "🏁", "milepaeler", False),
    ("pages/meeting.py", "Møtepakke", "🗂️", "motepakke", False),
    ("pages/upload.py", "Last opp data", "⬆️", "last-opp", True),
    ("pages/plan_setup.py", "Planoppsett", "⚙️", "planoppsett", False),
]

board = common.board()
# Scheduled `python -m loaders ingest` runs hand their files to this board (loaders/spool.py).
# Only a DuckDB file is held by one process; a PostgreSQL store takes the CLI's writes itself.
if isinstance(board.store.path, Path):
    spool.serve(board.store.path, lambda path, request: spool.ingest(Loader.for_board(board), path, request))
# Each new data version's shared work (every partnership's status, values and funnels) is
# done in the background as soon as this server sees it (analytics.warming; BOARD_WARM_SECONDS).
common.start_warming()
# One reading of the store's versions per run (Store.versions_pinned): every cache key of the
# run and every board.plan() asks for them, on PostgreSQL each a round trip to the server.
with board.store.versions_pinned():
    with st.sidebar:
        st.markdown("### Helsefellesskap")
        partnership = common.url_select(
            "Helsefellesskap",
            "hf",
            common.partnership_ids(),
            format_func=lambda p: board.plan(p).partnership.name,
        )
        periods = board.plan_periods(partnership)
        if len(periods) > 1:  # the plan in force first, then the closed periods (read-only)
            by_token = {common.period_token(p): p for p in periods}
            common.url_select(
                "Planperiode",
                "periode",
                list(by_token),
                format_func=lambda t: (
                    by_token[t].period_text
                    + (" (gjeldende)" if by_token[t] is periods[0] else " (avsluttet)")
                ),
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
    if (day := clock.fixed_day()) is not None:  # the operator set BOARD_TODAY: never pass it off as today
        st.sidebar.caption(
            f"🕰️ Tavla vurderer alt per **{day.strftime('%d.%m.%Y')}** ({clock.ENV} er satt), ikke dagens dato."
        )
    common.period_banner()
    navigation.run()
