"""Warming on new data: the work no viewer chooses, done once a server sees a new data version.

Every page judges against its partnership: the plan's status, the partnership's newest values
and funnels (indicator_view.work_out_partnership_side), which read every member's rows and
build the protection cubes. At national scale that takes seconds, and it is the same for
every viewer. A watcher thread (one per process, started by dashboard.py) reads the store's
``data_version()`` every few seconds; when it changes (an upload or undo on this server, a
CLI load, another server's write to a shared PostgreSQL store, or this process starting), it
works that out for each partnership, into analytics.datacache under the keys the pages read.
A leader's first Kommune view then judges only the municipality itself.

Rules it keeps: it only reads (no write to the store); it never holds up a page (its own
thread; a page asking for an entry it is computing waits for that one entry, datacache.cached,
rather than computing it twice); each partnership's work runs under the page's own background
job key (indicator_view.side_job), so a page never starts the same work beside it; an error is
logged and swallowed (the page then works the side out itself and shows any error as usual),
and the next data version is warmed again.

Settings: env BOARD_WARM_SECONDS (config.warm_seconds), how often the version is read; 0 = off
(the test suite's default).
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from analytics import clock, datacache
from analytics.board import Board
from analytics.indicator_view import defers_partnership, side_job, work_out_partnership_side
from analytics.matrix import status_matrix

LOG = logging.getLogger(__name__)


def partnerships(board: Board) -> list[str]:
    """The partnerships warmed: each one's plan in force, in file order (the sidebar's list)."""
    return [key for key in board.plan_keys() if board.is_current(key)]


def warm(board: Board, today: dt.date | None = None) -> list[str]:
    """Work out each partnership's side (its status today, newest values, funnels, and the
    rows and cubes they read) for the store's current data version, in analytics.datacache;
    and, below indicator_view.defers_partnership's size (config.DEFER_PARTNERSHIP_FROM members),
    its matrix «Hvor står vi?» (analytics.matrix.status_matrix, today), so the page shows it
    at once instead of asking first (a national matrix, 357 × ~0,75 s of CPU, is not warmed).

    Blocks until done; runs each partnership under its page job key (datacache.in_background
    with indicator_view.side_job), so a page that asks meanwhile finds it running. Never
    raises: a partnership whose work fails is logged and left for the page to work out.
    Returns the partnerships that failed (empty when all are kept)."""
    today = today or clock.today()
    failed: list[str] = []
    for partnership in partnerships(board):
        key = side_job(board, partnership, today)

        def work(partnership: str = partnership) -> None:
            try:
                work_out_partnership_side(board, partnership, today)
                if not defers_partnership(board, partnership):
                    status_matrix(board, partnership, today)
            except Exception:  # the page works it out itself and shows the error as usual
                LOG.exception("Oppvarming av %s feilet; siden regner det ut selv.", partnership)
                failed.append(partnership)

        datacache.in_background(key, work)
        datacache.wait(key)
    return failed


class Watcher:
    """Reads ``board_of().store.data_version()`` every ``seconds`` and warms (``warm``) each new
    version once, in a daemon thread; the first version seen is warmed at once.

    board_of: the board the pages use (called each time, so a reopened board is followed);
    an error reading the version or warming is logged and the loop goes on (a failed version
    is not tried again: the next one is)."""

    def __init__(self, board_of: Callable[[], Board], seconds: float) -> None:
        self.board_of = board_of
        self.seconds = seconds
        self.warmed: str | None = None  # the last data version warmed (or tried)
        self.rounds = 0  # versions warmed (or tried) so far
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="warming", daemon=True)

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def check(self) -> bool:
        """Warm when the data version differs from the last one warmed; True when it did."""
        board = self.board_of()
        version = board.store.data_version()
        if version == self.warmed:
            return False
        self.warmed = version
        started = time.perf_counter()
        failed = warm(board)
        self.rounds += 1
        LOG.info(
            "Dataversjon %s er varmet på %.1f s%s.",
            version,
            time.perf_counter() - started,
            f" (feilet: {', '.join(failed)})" if failed else "",
        )
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # the store may be busy or gone for a moment: try again later
                LOG.exception("Oppvarmingen kunne ikke lese dataversjonen; prøver igjen.")
            self._stop.wait(self.seconds)


_LOCK = threading.Lock()
_WATCHER: list[Watcher] = []  # the process's watcher, once started


def start(board_of: Callable[[], Board], seconds: float) -> Watcher | None:
    """The process's watcher, started on the first call (later calls return it); None when
    ``seconds`` is 0 or less (warming off). When the process ends the watcher is stopped and
    waited for (atexit, before datacache lets its jobs finish): a thread left inside DuckDB at
    shutdown aborts the process (see datacache._wait_at_exit)."""
    if seconds <= 0:
        return None
    with _LOCK:
        if not _WATCHER:
            watcher = Watcher(board_of, seconds).start()
            atexit.register(watcher.stop, datacache.EXIT_WAIT_SECONDS)
            _WATCHER.append(watcher)
        return _WATCHER[0]
