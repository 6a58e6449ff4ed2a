"""Filters kept in the URL (?hf=…&indikator=…), so a view can be bookmarked and sent, and
presentation mode (?presentasjon=1)."""

from __future__ import annotations

import re

import streamlit as st

from analytics import clock
from safety import params
from ui.cache import board
from ui.style import _PRESENTATION_CSS, PRESENTATION_KEY


def query_value(key: str, allowed: list[str], default: str) -> str:
    """The URL parameter `key` if it is one of `allowed`, else `default` (safety.params)."""
    return params.choice(st.query_params.get(key), allowed, default)


def partnership_ids() -> list[str]:
    """One entry per partnership (its plan in force), in file order."""
    current = board()
    return [key for key in current.plan_keys() if current.is_current(key)]


def period_token(plan) -> str:
    """The period as the URL keeps it: '2024-2025' (?periode=2024-2025)."""
    return plan.period_id.removeprefix(f"{plan.id}-")


def partnership() -> str:
    """The plan chosen in the sidebar: ?hf=ahus is the partnership's plan in force, and
    ?hf=ahus&periode=2024-2025 an earlier period (its key, 'ahus-2024-2025')."""
    current = board()
    ids = partnership_ids()
    chosen = query_value("hf", ids, ids[0])
    tokens = [period_token(p) for p in current.plan_periods(chosen)]
    period = params.choice(st.query_params.get("periode"), tokens, None)
    if period:
        key = current.key_for_period(f"{chosen}-{period}")
        if key is not None and current.plan(key).id == chosen:
            return key
    return chosen


def period_banner() -> None:
    """A closed plan period says so on every page: read-only, status at the end of the period."""
    from ui.cache import period_end

    key = partnership()
    end = period_end(key)
    if end is not None:
        plan = board().plan(key)
        st.info(
            f"**Avsluttet planperiode {plan.period_text}.** Planen kan bare leses; statusene er "
            f"vurdert per {end.strftime('%d.%m.%Y')} (periodens slutt).",
            icon="🗄️",
        )


def url_select(label: str, key: str, options: list[str], format_func=str, container=None) -> str:
    """A selectbox whose value lives in the URL (?key=value), so a view can be bookmarked."""
    container = container or st.sidebar
    state_key = f"url_{key}"
    if state_key not in st.session_state or st.session_state[state_key] not in options:
        st.session_state[state_key] = query_value(key, options, options[0])
    choice = container.selectbox(label, options, format_func=format_func, key=state_key, placeholder="Velg")
    st.query_params[key] = choice
    return choice


def url_radio(label: str, key: str, options: list[str], format_func=str, container=None) -> str:
    """A row of choices (st.radio, horizontal) whose value lives in the URL (?key=value).

    For views where only the chosen one should be built (st.tabs runs every tab's code)."""
    container = container or st
    state_key = f"url_{key}"
    if state_key not in st.session_state or st.session_state[state_key] not in options:
        st.session_state[state_key] = query_value(key, options, options[0])
    choice = container.radio(label, options, format_func=format_func, key=state_key, horizontal=True)
    if choice == options[0]:
        st.query_params.pop(key, None)  # the default view keeps the URL short
    else:
        st.query_params[key] = choice
    return choice


FIRST_YEAR = 2018


def url_year_range(container=None) -> tuple[int, int]:
    """The period filter (?fra=2019&til=2026): the years charts and tables show."""
    container = container or st.sidebar
    last = clock.today().year
    years = list(range(FIRST_YEAR, last + 1))

    chosen = params.years_between(st.query_params.get("fra"), st.query_params.get("til"), years, (2019, last))
    start, end = container.select_slider("Periode (år)", options=years, value=chosen, key="url_years")
    st.query_params["fra"], st.query_params["til"] = str(start), str(end)
    return start, end


def year_range() -> tuple[int, int]:
    """The period chosen in the sidebar, for pages that filter by it."""
    return st.session_state.get("url_years", (2019, clock.today().year))


def url_multiselect(
    label: str,
    key: str,
    options: list[str],
    format_func=str,
    container=None,
    placeholder: str = "Alle",
) -> list[str]:
    """A multiselect whose choices live in the URL as ?key=a,b (ids, comma-separated).

    Opening a URL restores the choices (unknown values are dropped); clearing the widget
    removes the key, so an unfiltered view has a short URL.
    """
    container = container or st
    state_key = f"url_{key}"
    if not isinstance(st.session_state.get(state_key), list):
        st.session_state[state_key] = params.choices(st.query_params.get(key), options)
    else:  # options can change (another partnership): keep only what still exists
        st.session_state[state_key] = [v for v in st.session_state[state_key] if v in options]
    chosen = container.multiselect(
        label, options, format_func=format_func, key=state_key, placeholder=placeholder
    )
    if chosen:
        st.query_params[key] = ",".join(chosen)
    elif key in st.query_params:
        del st.query_params[key]
    return chosen


def slug(text: str) -> str:
    """A URL-friendly key for a Norwegian word: 'Ikke på sporet' → 'ikke-pa-sporet'."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")


def presentation_mode() -> bool:
    """?presentasjon=1: wide, larger fonts, no sidebar, for showing the board on a screen.

    The mode stays on while the session moves between pages; a button at the top leaves it,
    and a button in the sidebar enters it. Returns whether it is on.
    """
    if st.query_params.get(PRESENTATION_KEY) == "1":
        st.session_state["presentation"] = True
    on = bool(st.session_state.get("presentation"))
    if on:
        st.query_params[PRESENTATION_KEY] = "1"
        st.html(_PRESENTATION_CSS)
        if st.button("Avslutt presentasjonsmodus", icon="✖️", key="leave_presentation", type="tertiary"):
            st.session_state["presentation"] = False
            del st.query_params[PRESENTATION_KEY]
            st.rerun()
    elif st.sidebar.button(
        "Presentasjonsmodus",
        icon="🖥️",
        key="enter_presentation",
        help="Bred visning med større skrift og uten sidepanel, for å vise tavla på en skjerm. "
        "Lenken med ?presentasjon=1 åpner tavla slik.",
    ):
        st.session_state["presentation"] = True
        st.query_params[PRESENTATION_KEY] = "1"
        st.rerun()
    return on
