"""What the pages read, cached per data version: the board (one DuckDB connection per process),
the plan's status, and the views of Indikator, Kommune, Befolkning and «Hvor står vi?».

Every number comes from analytics; a new upload or undo changes the data version, so it shows at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

import streamlit as st
from streamlit import runtime

from analytics import clock, config
from analytics.board import Board, open_board
from analytics.evaluate import PlanStatus, evaluate_plan
from analytics.plan import PlanError
from analytics.store import StoreError

_OPENED: list[Board] = []  # the board _board opened last (analytics.warming follows it)

# `python dashboard.py` (make run) imports this module once before Streamlit's runtime exists,
# to warm the caches below: each st.cache_data would log «No runtime found» then. Quiet while
# they are made (the level is given back at the end of this module).
_CACHE_LOG = logging.getLogger("streamlit.runtime.caching.cache_data_api")
_CACHE_LEVEL = _CACHE_LOG.level
if not runtime.exists():
    _CACHE_LOG.setLevel(logging.ERROR)


@st.cache_resource(show_spinner=False)
def _board(db_path: str) -> Board:
    # The read replica (BOARD_READ_DB) is the process's setting, like the store it copies.
    opened = open_board(db_path, read_db=config.read_db())
    _OPENED[:] = [opened]
    return opened


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


@st.cache_data(show_spinner=False, max_entries=8)
def _loaded_beside_demo(data_version: str, db_path: str) -> list[str]:
    from analytics.catalogue import loaded_beside_demo as work_out

    return work_out(_board(db_path))


def loaded_beside_demo() -> list[str]:
    """analytics.catalogue.loaded_beside_demo, cached per data version (the demo label asks
    on every page, and only on a demo store)."""
    return _loaded_beside_demo(board().store.data_version(), str(config.db_path()))


@st.cache_data(show_spinner=False, max_entries=8)
def _loaded_only(data_version: str, db_path: str) -> list[str]:
    from analytics.catalogue import loaded_only as work_out

    return work_out(_board(db_path))


def synthetic(indicator_ids: Sequence[str]) -> bool:
    """analytics.catalogue.synthetic_figures for a chart of these indicators, with the list of
    indicators whose figures are all loaded cached per data version."""
    current = board()
    if not current.store.is_demo():
        return False
    from analytics.catalogue import synthetic_figures

    loaded = _loaded_only(current.store.data_version(), str(config.db_path()))
    return synthetic_figures(current, indicator_ids, loaded)


def period_end(partnership: str) -> dt.date | None:
    """The last day of a closed plan period (its end-of-period report is judged then);
    None for the period in force."""
    current = board()
    if current.is_current(partnership):
        return None
    return dt.date(current.plan(partnership).partnership.period_end, 12, 31)


def plan_status(partnership: str, as_of: dt.date | None = None) -> PlanStatus:
    """Cached per data version (uploads, milestones and plan decisions change it): a new upload,
    milestone edit or decision is visible at once.

    as_of: the status as it stood that day, on the data up to it (e.g. the plan period's end);
    a closed plan period is judged at its end unless another day is asked for."""
    current = board()
    return _plan_status(
        partnership,
        current.store.data_version(),
        clock.today(),
        str(config.db_path()),
        as_of or period_end(partnership),
    )


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
        clock.today(),
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
        clock.today(),
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


@st.cache_data(show_spinner="Regner ut …", max_entries=16)
def _first_municipality_view(partnership: str, unit_id: str, data_version: str, today: dt.date, db_path: str):
    from analytics.indicator_view import municipality_view

    return municipality_view(_board(db_path), partnership, unit_id, today=today, wait=False)


def municipality_view(partnership: str, unit_id: str):
    """analytics.indicator_view.municipality_view, cached until the next upload or undo.

    In a large partnership (indicator_view.defers_partnership) a municipality is shown before
    the partnership's side (its status, newest values, funnels) is worked out: that is done in
    the background after the first view (the view's ``pending`` says so; see
    partnership_side_ready), unless it is kept already (analytics.warming works it out when the
    data changes) or the background job failed (then it is worked out here, and an error shows
    as usual)."""
    from analytics import datacache
    from analytics.indicator_view import defers_partnership, partnership_side_kept, side_job

    current = board()
    key = (partnership, current.store.data_version(), clock.today(), str(config.db_path()))
    if (
        defers_partnership(current, partnership)
        and not partnership_side_kept(current, partnership, key[2])
        and not datacache.failed(side_job(current, partnership, key[2]))
    ):
        view = _first_municipality_view(partnership, unit_id, *key[1:])
        start_partnership_side(partnership)
        return view
    return _municipality_view(partnership, unit_id, *key[1:])


def start_partnership_side(partnership: str) -> None:
    """Work out the partnership's side of Kommune in the background (once per data version;
    not beside analytics.warming's job for it, which runs under the same key)."""
    from analytics import datacache
    from analytics.indicator_view import side_job, work_out_partnership_side

    current = board()
    today = clock.today()
    datacache.in_background(
        side_job(current, partnership, today), lambda: work_out_partnership_side(current, partnership, today)
    )


def partnership_side_ready(partnership: str) -> bool:
    """Whether the partnership's side of Kommune can be shown now (worked out, or failed: then
    municipality_view works it out in the open and shows the error)."""
    from analytics import datacache
    from analytics.indicator_view import partnership_side_kept, side_job

    current = board()
    today = clock.today()
    return partnership_side_kept(current, partnership, today) or datacache.failed(
        side_job(current, partnership, today)
    )


def _log_warming() -> None:
    """The watcher's line per version warmed («Dataversjon … er varmet på 7,1 s») goes to the
    server's log (stderr) at INFO, whichever way the server was started; once per process."""
    from analytics import warming

    log = logging.getLogger(warming.__name__)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def warm_from_start() -> None:
    """`python dashboard.py` (as `make run`): open the pages' board and start the watcher
    (analytics.warming) before the server takes its first visitor, so the first leader after a
    restart finds the shared work done (under `streamlit run` it starts with the first
    session instead). Off when env BOARD_WARM_SECONDS is 0; a plan or store that cannot be
    opened is left for the first page to show."""
    from analytics import warming

    seconds = config.warm_seconds()
    if seconds <= 0:
        return
    _log_warming()
    try:
        _board(str(config.db_path()))  # kept by st.cache_resource for the pages' runs
    except (PlanError, StoreError):
        return
    warming.start(lambda: _OPENED[0], seconds)


def start_warming() -> None:
    """Start the process's watcher (analytics.warming): each new data version's shared work is
    done in the background for every partnership, before a leader asks for it. Once per
    process; off when env BOARD_WARM_SECONDS is 0. It follows the board the pages use."""
    from analytics import warming

    # The board this run uses (st.cache_resource may hand out one opened earlier, without
    # running _board): the watcher warms that one, not whichever board was opened last.
    _OPENED[:] = [board()]
    _log_warming()
    warming.start(lambda: _OPENED[0], config.warm_seconds())


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
    today = clock.today()
    return _status_matrix(partnership, board().store.data_version(), today, str(config.db_path()), as_of)


def status_matrix_ready(partnership: str, as_of: dt.date | None = None) -> bool:
    """Whether the matrix for the current data is already judged (showing it is then instant):
    kept in analytics.datacache, where every judging of it lands (this page's, the deck's,
    analytics.warming's; analytics.matrix.matrix_kept). One record, no set of our own: should
    datacache drop it (its bound) while Streamlit's cache still holds it, the page asks once
    more and the click shows it at once, never a long judging unasked."""
    from analytics.matrix import matrix_kept

    return matrix_kept(board(), partnership, clock.today(), as_of)


@st.cache_resource(show_spinner=False, max_entries=64)
def _population_page(partnership: str, alternative: str, unit: str, data_version: str, db_path: str) -> dict:
    from analytics import figures
    from analytics import population as pop

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


_CACHE_LOG.setLevel(_CACHE_LEVEL)
