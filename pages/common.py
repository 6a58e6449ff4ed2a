"""What every page shares: the cached board, filters kept in the URL, status badges, labels.

Layout helpers only; every number comes from analytics.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import streamlit as st

from analytics import config
from analytics.board import Board, open_board
from analytics.evaluate import PlanStatus, evaluate_plan
from analytics.plan import PlanError
from analytics.status import STATUS_STYLE, Status
from analytics.store import StoreError
from safety import params


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
def _plan_status(
    partnership: str, data_version: str, today: dt.date, db_path: str, as_of: dt.date | None = None
) -> PlanStatus:
    return evaluate_plan(_board(db_path), partnership, today, as_of=as_of)


def plan_status(partnership: str, as_of: dt.date | None = None) -> PlanStatus:
    """Cached per data version: a new upload or milestone edit is visible at once.

    as_of: the status as it stood that day, on the data up to it (e.g. the plan period's end)."""
    current = board()
    return _plan_status(
        partnership, current.store.data_version(), dt.date.today(), str(config.db_path()), as_of
    )


def query_value(key: str, allowed: list[str], default: str) -> str:
    """The URL parameter `key` if it is one of `allowed`, else `default` (safety.params)."""
    return params.choice(st.query_params.get(key), allowed, default)


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
    last = dt.date.today().year
    years = list(range(FIRST_YEAR, last + 1))

    chosen = params.years_between(st.query_params.get("fra"), st.query_params.get("til"), years, (2019, last))
    start, end = container.select_slider("Periode (år)", options=years, value=chosen, key="url_years")
    st.query_params["fra"], st.query_params["til"] = str(start), str(end)
    return start, end


def year_range() -> tuple[int, int]:
    """The period chosen in the sidebar, for pages that filter by it."""
    return st.session_state.get("url_years", (2019, dt.date.today().year))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:$=])")


def safe_md(text: object) -> str:
    """Text from a file, a user or a name, for st.markdown/st.caption: shown, never rendered.

    HTML is escaped to entities and every Markdown (and Streamlit directive: `:red[...]`,
    `$math$`) character gets a backslash, so `<script>`, `**x**` and `[a](b)` appear as typed.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


# -- shareable views and presentation mode (meeting pack) -------------------------------------


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


# -- indicator and municipality pages (cached per data version) ------------------------------------


@st.cache_data(show_spinner="Regner ut …", max_entries=64)
def _indicator_view(
    partnership: str,
    indicator_id: str,
    unit_ids: tuple[str, ...],
    years: tuple[int, int],
    grain: str,
    data_version: str,
    today: dt.date,
    db_path: str,
):
    from analytics.indicator_view import indicator_view

    return indicator_view(
        _board(db_path),
        partnership,
        indicator_id,
        list(unit_ids) or None,
        years,
        grain=grain,
        today=today,
        with_small_multiples=False,  # built when «Per kommune» is opened (small_multiples)
    )


@st.cache_data(show_spinner="Tegner én figur per kommune …", max_entries=16)
def _small_multiples(
    partnership: str,
    indicator_id: str,
    years: tuple[int, int],
    data_version: str,
    today: dt.date,
    db_path: str,
):
    from analytics.indicator_view import small_multiples

    return small_multiples(_board(db_path), partnership, indicator_id, years, today)


def small_multiples(partnership: str, indicator_id: str, years: tuple[int, int]):
    """analytics.indicator_view.small_multiples, cached per data version."""
    current = board()
    return _small_multiples(
        partnership,
        indicator_id,
        tuple(years),
        current.store.data_version(),
        dt.date.today(),
        str(config.db_path()),
    )


def indicator_view(
    partnership: str, indicator_id: str, unit_ids: list[str], years: tuple[int, int], grain: str
):
    """analytics.indicator_view.indicator_view, cached until the next upload or undo."""
    current = board()
    return _indicator_view(
        partnership,
        indicator_id,
        tuple(unit_ids),
        tuple(years),
        grain,
        current.store.data_version(),
        dt.date.today(),
        str(config.db_path()),
    )


@st.cache_data(show_spinner="Regner ut …", max_entries=8)
def _partnership_comparison(partnership: str, data_version: str, today: dt.date, db_path: str):
    from analytics.indicator_view import partnership_comparison

    return partnership_comparison(_board(db_path), partnership, today)


@st.cache_data(show_spinner="Regner ut …", max_entries=64)
def _municipality_view(partnership: str, unit_id: str, data_version: str, today: dt.date, db_path: str):
    from analytics.indicator_view import municipality_view

    # The plan's status and the funnels are the partnership's: worked out once per data
    # version, so moving to another municipality only reads and judges that one.
    status = _plan_status(partnership, data_version, today, db_path)
    comparison = _partnership_comparison(partnership, data_version, today, db_path)
    return municipality_view(
        _board(db_path), partnership, unit_id, today=today, plan_status=status, comparison=comparison
    )


def municipality_view(partnership: str, unit_id: str):
    """analytics.indicator_view.municipality_view, cached until the next upload or undo."""
    current = board()
    return _municipality_view(
        partnership, unit_id, current.store.data_version(), dt.date.today(), str(config.db_path())
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _population_view(partnership: str, alternative: str, data_version: str, db_path: str) -> tuple:
    from analytics import population  # local: this block is appended to a shared module

    current = _board(db_path)
    frame = population.population(current, partnership, alternative)
    members = frame[frame["unit_id"].isin(current.member_ids(partnership))]
    demands = [
        population.expected_demand(current, partnership, indicator, population_frame=members)
        for indicator in population.DEMAND_INDICATORS
        if indicator in current.registry
    ]
    return frame, demands


def population_view(partnership: str, alternative: str) -> tuple:
    """Befolkning's population frame and expected demand, cached per data version."""
    current = board()
    return _population_view(partnership, alternative, current.store.data_version(), str(config.db_path()))


@st.cache_data(show_spinner="Vurderer hver kommune …", max_entries=8)
def _status_matrix(
    partnership: str, data_version: str, today: dt.date, db_path: str, as_of: dt.date | None = None
):
    from analytics.matrix import status_matrix

    return status_matrix(_board(db_path), partnership, today, as_of=as_of)


def status_matrix(partnership: str, as_of: dt.date | None = None):
    """analytics.matrix.status_matrix, cached per data version (a new upload is seen at once)."""
    current = board()
    return _status_matrix(
        partnership, current.store.data_version(), dt.date.today(), str(config.db_path()), as_of
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def _population_page(partnership: str, alternative: str, unit: str, data_version: str, db_path: str) -> dict:
    from analytics import population as pop
    from analytics import population_figures as figures

    current = _board(db_path)
    frame, demands = _population_view(partnership, alternative, data_version, db_path)
    name = current.unit_name(unit)
    own = pop.of_unit(frame, unit)
    page: dict = {"own": own}
    if own.empty:
        return page
    page["sentence"] = pop.headline(own, name)
    page["growth"] = pop.growth(own)
    page["age_figures"] = {
        index: figures.age_groups_figure(own, name, index=index) for index in (False, True)
    }
    page["age_table"] = pop.age_table(own)
    wave = pop.elder_wave(own)
    page["wave"] = None if wave.empty else (figures.elder_wave_figure(wave, name), pop.wave_table(wave))
    members = pop.members_of(current.units, unit)
    page["members"] = None
    if len(members) > 1:
        overview = pop.member_overview(frame, current.units, members, pop.HORIZON[-1])
        if not overview.empty:
            page["members"] = (figures.member_share_figure(overview, name), pop.overview_table(overview))
    page["demands"] = [
        (d, None, None, None)
        if d.empty
        else (d, figures.demand_figure(d, unit, name), *pop.demand_table(d, unit, current.units))
        for d in demands
    ]
    page["method"] = pop.method_text(demands)
    return page


def population_page(partnership: str, alternative: str, unit: str) -> dict:
    """Everything Befolkning shows for one unit (frames, tables and figures), built once per
    data version: a rerun (another radio choice, a widget) only lays it out again. Kept as a
    resource, not pickled per run (the figures are the cost)."""
    current = board()
    return _population_page(
        partnership, alternative, unit, current.store.data_version(), str(config.db_path())
    )
