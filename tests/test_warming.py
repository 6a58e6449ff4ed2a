"""Warming on new data (analytics.warming) and the one-computation-per-entry rule of
analytics.datacache.cached it relies on."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
import streamlit as st

from analytics import clock, config, datacache, evaluate, warming
from analytics.indicator_view import PENDING, partnership_side_kept, side_job

PAGE = "pages/municipality.py"
KEY = ("store", "v1", "context")


@pytest.fixture(autouse=True)
def _empty_caches():
    datacache.clear()
    st.cache_data.clear()
    yield
    datacache.clear()


def _until(condition, seconds: float = 30) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass (a hang fails instead of blocking)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# -- datacache: one computation per entry ------------------------------------------------------


def test_a_second_thread_waits_for_the_entry_being_computed_instead_of_computing_it():
    started, release, calls = threading.Event(), threading.Event(), []

    def slow():
        calls.append(1)
        started.set()
        release.wait(30)
        return "value"

    got = []
    first = threading.Thread(target=lambda: got.append(datacache.cached(KEY, "entry", slow)))
    first.start()
    started.wait(30)
    second = threading.Thread(
        target=lambda: got.append(datacache.cached(KEY, "entry", lambda: calls.append(2)))
    )
    second.start()
    assert _until(lambda: second.ident in datacache._WAITING)  # it waits now
    release.set()
    first.join(30)
    second.join(30)
    assert calls == [1] and got == ["value", "value"]


def test_a_failed_computation_is_computed_again_by_the_thread_that_waited():
    started, release = threading.Event(), threading.Event()

    def failing():
        started.set()
        release.wait(30)
        raise RuntimeError("broken")

    errors, got = [], []

    def first_run():
        try:
            datacache.cached(KEY, "entry", failing)
        except RuntimeError as exc:
            errors.append(exc)

    first = threading.Thread(target=first_run)
    first.start()
    started.wait(30)
    second = threading.Thread(target=lambda: got.append(datacache.cached(KEY, "entry", lambda: "again")))
    second.start()
    assert _until(lambda: second.ident in datacache._WAITING)
    release.set()
    first.join(30)
    second.join(30)
    assert len(errors) == 1 and got == ["again"]
    assert datacache.peek(KEY, "entry") == "again"


def test_two_threads_each_needing_the_others_entry_do_not_wait_for_ever():
    """A computes a and then needs b; B computes b and then needs a: one of them computes the
    other's entry itself (datacache._circular) rather than both waiting."""
    both = threading.Barrier(2)

    def outer(mine: str, theirs: str):
        def compute():
            both.wait(30)  # each holds its own entry now
            if mine == "b":
                _until(lambda: bool(datacache._WAITING))  # let A wait for b first
            return mine + datacache.cached(KEY, theirs, lambda: theirs.upper())

        return datacache.cached(KEY, mine, compute)

    got = {}
    threads = [
        threading.Thread(target=lambda m=m, t=t: got.__setitem__(m, outer(m, t)))
        for m, t in (("a", "b"), ("b", "a"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads)
    assert got["a"].startswith("a") and got["b"].startswith("b")


# -- the watcher -------------------------------------------------------------------------------


def test_a_new_data_version_is_warmed_once(monkeypatch):
    store = SimpleNamespace(version="v1")
    board = SimpleNamespace(store=SimpleNamespace(data_version=lambda: store.version))
    warmed = []
    monkeypatch.setattr(warming, "warm", lambda b: warmed.append(b.store.data_version()))
    watcher = warming.Watcher(lambda: board, seconds=60)
    assert watcher.check() and warmed == ["v1"]  # the version found at start
    assert not watcher.check() and warmed == ["v1"]  # nothing new
    store.version = "v2"  # an upload, a CLI load, another server's write
    assert watcher.check() and warmed == ["v1", "v2"]


def test_the_watcher_thread_warms_and_survives_an_error(monkeypatch):
    versions = iter(["v1", "v1", "v2"])
    seen = []

    def version():
        value = next(versions, "v2")
        if not seen:
            seen.append("error")
            raise RuntimeError("store busy")  # logged; read again next round
        return value

    board = SimpleNamespace(store=SimpleNamespace(data_version=version))
    monkeypatch.setattr(warming, "warm", lambda b: seen.append("warmed"))
    watcher = warming.Watcher(lambda: board, seconds=0.01).start()
    _until(lambda: watcher.rounds >= 2)
    watcher.stop(30)
    assert seen[:3] == ["error", "warmed", "warmed"] and watcher.warmed == "v2"


def test_warming_is_off_at_zero(monkeypatch):
    monkeypatch.setattr(warming, "_WATCHER", [])
    assert warming.start(lambda: None, 0) is None and warming._WATCHER == []
    monkeypatch.setenv("BOARD_WARM_SECONDS", "0")
    assert config.warm_seconds() == 0


def test_warming_keeps_each_partnerships_side(demo_board):
    today = clock.today()
    assert not partnership_side_kept(demo_board, "ahus", today)
    assert warming.warm(demo_board, today) == []
    for partnership in warming.partnerships(demo_board):
        assert partnership_side_kept(demo_board, partnership, today)


# -- the page after warming --------------------------------------------------------------------


def _count_reads(monkeypatch) -> list[tuple[str, int]]:
    """(indicator, number of units) of every series read from the store through evaluate._Rows.
    (The suite's monkeypatch forgets analytics.datacache when it patches analytics: patch first.)"""
    reads: list[tuple[str, int]] = []
    original = evaluate.load_rows

    def counted(board, indicator, units, *args, **kwargs):
        reads.append((indicator.id, len(set(units))))
        return original(board, indicator, units, *args, **kwargs)

    monkeypatch.setattr(evaluate, "load_rows", counted)
    return reads


def test_kommune_after_warming_is_complete_at_once_and_reads_only_its_own_rows(app, demo_board, monkeypatch):
    monkeypatch.setattr(config, "DEFER_PARTNERSHIP_FROM", 1)  # as a large partnership
    reads = _count_reads(monkeypatch)
    assert warming.warm(demo_board) == []
    assert any(units > 1 for _, units in reads)  # warming read the partnerships' rows
    reads.clear()
    at = app(PAGE, kommune="3224")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Status i kommunen" in d.value.columns)
    assert PENDING not in set(table.to_numpy().ravel())  # the partnership's side is there at once
    assert not any(i.value and "regnes ut" in i.value for i in at.info)
    assert all(units == 1 for _, units in reads)  # no partnership-wide read: warming did them
    # the head's population groups are cut from the members' rows warming read
    assert not [i for i, _ in reads if i.startswith("population_")]


def test_kommune_without_warming_reads_the_partnerships_rows(app, monkeypatch):
    """The counterpart of the test above: the spy sees partnership-wide reads when nothing is warm."""
    monkeypatch.setattr(config, "DEFER_PARTNERSHIP_FROM", 1)
    reads = _count_reads(monkeypatch)
    at = app(PAGE, kommune="3224")
    assert not at.exception
    assert any(units > 1 for _, units in reads)
    datacache.wait()


def test_an_error_in_warming_does_not_reach_the_page(app, demo_board, monkeypatch):
    monkeypatch.setattr(config, "DEFER_PARTNERSHIP_FROM", 1)

    def broken(*args, **kwargs):
        raise RuntimeError("warming broke")

    monkeypatch.setattr(warming, "work_out_partnership_side", broken)
    assert "ahus" in warming.warm(demo_board)
    assert not datacache.failed(side_job(demo_board, "ahus", clock.today()))  # not the page's failure
    at = app(PAGE, kommune="3224")
    assert not at.exception and not at.error
    datacache.wait()  # the page's own background job works the side out
    at.run()
    table = next(d.value for d in at.dataframe if "Status i kommunen" in d.value.columns)
    assert PENDING not in set(table.to_numpy().ravel())


def test_the_board_starts_one_watcher_per_process(app, monkeypatch):
    """dashboard.py starts the watcher (BOARD_WARM_SECONDS > 0) once, on the pages' board."""
    from ui import cache

    monkeypatch.setattr(warming, "_WATCHER", [])
    warmed = []
    monkeypatch.setattr(warming, "warm", lambda board: warmed.append(str(board.store.path)))
    assert not app().exception  # the pages' board is opened and kept (st.cache_resource)

    class _Stale:  # a board another store opened later in this process (as in the suite)
        class store:
            path = "/elsewhere/board.duckdb"

    monkeypatch.setattr(cache, "_OPENED", [_Stale])
    monkeypatch.setenv("BOARD_WARM_SECONDS", "3600")
    at = app()
    assert not at.exception
    at.run()  # a second run, or another session, starts none
    assert len(warming._WATCHER) == 1
    watcher = warming._WATCHER[0]
    assert _until(lambda: watcher.rounds == 1)  # the version found at start is warmed
    watcher.stop(30)
    assert warmed == [str(config.db_path())]


# -- a process that ends while a job runs ----------------------------------------------------

_ENDS_DURING_JOB = """
import sys, duckdb
from analytics import datacache
connection = duckdb.connect()
def work():
    connection.execute("SELECT sum(i) FROM range(300000000) t(i)").fetchall()
    print("job done", flush=True)
datacache.in_background("job", work)
print("leaving", flush=True)
"""


def test_a_process_that_ends_during_a_background_job_lets_it_finish_and_exits_cleanly():
    """A daemon thread inside DuckDB at shutdown aborts the process («FATAL: exception not
    rethrown», exit code 134); datacache waits for its jobs at exit instead."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", _ENDS_DURING_JOB], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == ["leaving", "job", "done"]


def test_no_background_job_starts_once_the_process_is_ending(monkeypatch):
    """After exit has begun a job is not started but recorded as failed, so its caller works
    the value out in the open instead of waiting for a thread that never runs."""
    closing = threading.Event()
    closing.set()
    monkeypatch.setattr(datacache, "_CLOSING", closing)
    ran = []
    datacache.in_background(("late", 1), lambda: ran.append(1))
    datacache.wait(("late", 1))
    assert ran == []
    assert datacache.failed(("late", 1))


def test_the_watcher_is_stopped_when_the_process_ends(monkeypatch):
    """warming.start registers the watcher's stop with atexit (run before datacache's wait)."""
    registered = []
    monkeypatch.setattr(warming, "_WATCHER", [])
    monkeypatch.setattr(warming.atexit, "register", lambda f, *a: registered.append((f, a)))
    monkeypatch.setattr(warming, "warm", lambda board: None)

    class _Board:
        class store:
            @staticmethod
            def data_version() -> str:
                return "v1"

    watcher = warming.start(lambda: _Board, 3600)
    assert registered == [(watcher.stop, (datacache.EXIT_WAIT_SECONDS,))]
    watcher.stop(30)
    assert not watcher._thread.is_alive()


def test_the_matrix_is_shown_at_once_after_warming(app, demo_board):
    """Below DEFER_PARTNERSHIP_FROM members the watcher judges the matrix too, so «Hvor står
    vi?» shows it without asking first (counterpart: test_pages_matrix's first visit asks)."""
    from analytics.matrix import matrix_kept

    assert not matrix_kept(demo_board, "ahus")
    assert warming.warm(demo_board) == []
    assert matrix_kept(demo_board, "ahus")
    at = app("pages/matrix.py")
    assert not at.exception
    assert "matrix_start_button" not in [b.key for b in at.button]
    assert any("Hvor står vi" in t.value for t in at.title)
    assert any("hver kommune mot hvert målbare suksesskriterium" in c.value for c in at.caption)


# -- `python dashboard.py` (as `make run`) warms before the first visitor ----------------------


def test_the_server_warms_before_its_first_visitor(tmp_path):
    """Started as `make run` starts it, the board opens its store and warms the current data
    version at once: the watcher's line is in the server's log without any page having been
    visited (under `streamlit run` it waits for the first session)."""
    from tests.browser_support import ARTIFACTS, start_server
    from tests.conftest import new_store

    store = new_store(tmp_path, "start")
    with start_server(store, {"BOARD_WARM_SECONDS": "1"}) as url:
        log = ARTIFACTS / f"server-{url.rsplit(':', 1)[1]}.log"
        assert _until(lambda: "er varmet på" in log.read_text(), seconds=120), log.read_text()[-2000:]
        assert "Traceback" not in log.read_text()


def test_the_board_opened_at_start_is_the_one_the_pages_use(app, monkeypatch):
    """ui.cache.warm_from_start opens the board through the pages' st.cache_resource, so the
    watcher started before the server and the first page's run share one board (one
    connection) and one set of cached results."""
    from ui import cache

    started = []
    monkeypatch.setattr(warming, "start", lambda board_of, seconds: started.append(board_of))
    monkeypatch.setenv("BOARD_WARM_SECONDS", "3600")
    cache.warm_from_start()
    assert len(started) == 1
    opened = started[0]()
    monkeypatch.setenv("BOARD_WARM_SECONDS", "0")
    assert not app().exception
    assert cache._OPENED[0] is opened
    assert cache.board() is opened


def test_warming_from_start_is_off_at_zero(monkeypatch):
    from ui import cache

    started = []
    monkeypatch.setattr(warming, "start", lambda board_of, seconds: started.append(board_of))
    monkeypatch.setenv("BOARD_WARM_SECONDS", "0")
    cache.warm_from_start()
    assert started == []
