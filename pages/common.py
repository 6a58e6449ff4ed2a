"""What every page shares: the cached board, filters kept in the URL, status badges, labels.

Layout helpers only; every number comes from analytics.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics import config
from analytics.board import Board, open_board
from analytics.evaluate import PlanStatus, evaluate_plan
from analytics.plan import PlanError
from analytics.status import STATUS_STYLE, Status
from analytics.store import StoreError


@st.cache_resource(show_spinner=False)
def _board(db_path: str) -> Board:
    return open_board(db_path)


def board() -> Board:
    """The process-wide board (one DuckDB connection); a bad plan or store stops the page politely."""
    try:
        return _board(str(config.db_path()))
    except (PlanError, StoreError) as exc:
        st.error(str(exc))
        st.stop()


@st.cache_data(show_spinner=False, max_entries=32)
def _plan_status(partnership: str, data_version: str, today: dt.date, db_path: str) -> PlanStatus:
    return evaluate_plan(_board(db_path), partnership, today)


def plan_status(partnership: str) -> PlanStatus:
    """Cached per data version: a new upload or milestone edit is visible at once."""
    current = board()
    return _plan_status(partnership, current.store.data_version(), dt.date.today(), str(config.db_path()))


def query_value(key: str, allowed: list[str], default: str) -> str:
    value = st.query_params.get(key)
    return value if value in allowed else default


def partnership() -> str:
    """The partnership chosen in the sidebar (kept in the URL as ?hf=...)."""
    plans = board().plans
    return query_value("hf", list(plans), next(iter(plans)))


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
    if board().store.is_demo():
        st.warning(
            f"**{config.DEMO_LABEL}.** Tallene er laget av et skript og beskriver ingen virkelige pasienter.",
            icon="🧪",
        )


def url_select(label: str, key: str, options: list[str], format_func=str, container=None) -> str:
    """A selectbox whose value lives in the URL (?key=value), so a view can be bookmarked."""
    container = container or st.sidebar
    state_key = f"url_{key}"
    if state_key not in st.session_state or st.session_state[state_key] not in options:
        st.session_state[state_key] = query_value(key, options, options[0])
    choice = container.selectbox(label, options, format_func=format_func, key=state_key)
    st.query_params[key] = choice
    return choice


FIRST_YEAR = 2018


def url_year_range(container=None) -> tuple[int, int]:
    """The period filter (?fra=2019&til=2026): the years charts and tables show."""
    container = container or st.sidebar
    last = dt.date.today().year
    years = list(range(FIRST_YEAR, last + 1))

    def year(key: str, default: int) -> int:
        value = st.query_params.get(key)
        return int(value) if value and value.isdigit() and int(value) in years else default

    chosen = (year("fra", 2019), year("til", last))
    start, end = container.select_slider("Periode (år)", options=years, value=chosen, key="url_years")
    st.query_params["fra"], st.query_params["til"] = str(start), str(end)
    return start, end


def year_range() -> tuple[int, int]:
    """The period chosen in the sidebar, for pages that filter by it."""
    return st.session_state.get("url_years", (2019, dt.date.today().year))
