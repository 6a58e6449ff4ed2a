"""Values computed from the store, kept until its data version changes (one object per process).

Judging reads the same series many times: the plan's evaluation, the Kommune page, the matrix
«Hvor står vi?» and the deck each read every (indicator, units) series of a plan, and the
pages' own caches (Streamlit's) are per function and cleared with them. This cache sits in
analytics, under every caller, and is keyed by what the value depends on:

* the store (its path) and its ``data_version()`` (an upload, an undo, a milestone edit, a
  plan decision or period changes it, and then every entry of that store is dropped);
* the board's reference units, registry and plan as given (a fingerprint of each), so a
  board with another plan or registry over the same store never sees another's values.

Values are shared, not copied: callers treat them as read-only (UnitRows' own series cache
hands out copies). Bounded: at most ``MAX_ENTRIES`` per store, oldest dropped first.
Thread-safe for Streamlit's session threads and analytics.warming's: an entry being computed
is waited for, not computed twice (see cached).
"""

from __future__ import annotations

import atexit
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

if TYPE_CHECKING:
    from analytics.board import Board

MAX_ENTRIES = 4096

Value = TypeVar("Value")

_LOCK = threading.Lock()
_STORES: dict[str, tuple[str, OrderedDict]] = {}  # store path → (data version, entries)
_FINGERPRINTS: dict[int, tuple[object, str]] = {}  # id(object) → (the object, its digest)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def fingerprint(value: object) -> str:
    """A short digest of a plan, a registry, an indicator or a units frame (kept per object)."""
    cached = _FINGERPRINTS.get(id(value))
    if cached is not None and cached[0] is value:
        return cached[1]
    if isinstance(value, pd.DataFrame):
        text = value.to_csv(index=False)
    else:
        text = value.model_dump_json()  # pydantic models: Plan, Registry, Indicator
    digest = _digest(text)
    with _LOCK:
        if len(_FINGERPRINTS) > 1024:
            _FINGERPRINTS.clear()
        _FINGERPRINTS[id(value)] = (value, digest)
    return digest


def board_key(board: Board) -> tuple[str, str, str]:
    """(store path, data version, units and registry fingerprint): what every entry depends on."""
    units = fingerprint(board.units)
    registry = fingerprint(board.registry)
    return str(board.store.path), board.store.data_version(), f"{units}:{registry}"


def cached(key: tuple[str, str, str], name: Hashable, compute: Callable[[], Value]) -> Value:
    """The value stored under ``name`` for ``key`` (see board_key), computing it when absent.

    A new data version for the store drops every entry of the old one first. One computation
    per entry at a time: a thread that asks for a value another thread is computing waits for
    it (e.g. a page's first view for the rows analytics.warming is reading) instead of
    computing it again, unless that wait could close a circle of threads waiting on each
    other; if the other computation raises, the waiting thread computes it itself.
    """
    path, version, context = key
    full = (context, name)
    flight = (path, version, full)
    me = threading.get_ident()
    while True:
        with _LOCK:
            held = _STORES.get(path)
            if held is None or held[0] != version:
                held = (version, OrderedDict())
                _STORES[path] = held
            entries = held[1]
            if full in entries:
                entries.move_to_end(full)
                return entries[full]
            running = _FLIGHTS.get(flight)
            if running is None or _circular(flight, me):
                done = threading.Event()
                if running is None:
                    _FLIGHTS[flight] = (me, done)
                break
            _WAITING[me] = flight
        try:
            running[1].wait()
        finally:
            with _LOCK:
                _WAITING.pop(me, None)
    try:
        value = compute()
        with _LOCK:
            held = _STORES.get(path)
            if held is not None and held[0] == version:
                held[1][full] = value
                while len(held[1]) > MAX_ENTRIES:
                    held[1].popitem(last=False)
    finally:
        with _LOCK:
            if _FLIGHTS.get(flight, (None,))[0] == me and _FLIGHTS[flight][1] is done:
                del _FLIGHTS[flight]
        done.set()
    return value


# (store path, data version, entry) being computed → (the computing thread, set when it ends)
_FLIGHTS: dict[tuple, tuple[int, threading.Event]] = {}
_WAITING: dict[int, tuple] = {}  # thread → the entry it waits for


def _circular(flight: tuple, me: int) -> bool:
    """Whether waiting for ``flight`` could wait for ``me`` in the end (its computing thread
    waits, through others, for an entry ``me`` computes): then ``me`` computes it too. Under _LOCK."""
    seen: set[int] = set()
    while flight in _FLIGHTS:
        owner = _FLIGHTS[flight][0]
        if owner == me or owner in seen:
            return True
        seen.add(owner)
        flight = _WAITING.get(owner)
        if flight is None:
            return False
    return False


def judged_plan(board: Board, compute: Callable[..., Value], partnership: str, *args: Hashable) -> Value:
    """``compute(board, partnership, plan, *args)`` for the partnership's plan as the board
    shows it, kept under ``_plan_key``: the function's name, the plan's fingerprint and the
    arguments (the day, and as_of where the function takes one) for this board's store and
    data version (analytics.evaluate's plan status, analytics.matrix's matrix,
    indicator_view's partnership comparison)."""
    plan = board.plan(partnership)
    return cached(
        *_plan_key(board, compute, partnership, args), lambda: compute(board, partnership, plan, *args)
    )


def kept_judged_plan(board: Board, compute: Callable, partnership: str, *args: Hashable) -> object | None:
    """What ``judged_plan`` keeps under the same arguments, or None (nothing is computed)."""
    return peek(*_plan_key(board, compute, partnership, args))


def _plan_key(
    board: Board, compute: Callable, partnership: str, args: tuple[Hashable, ...]
) -> tuple[tuple[str, str, str], Hashable]:
    """(board_key, name): where ``judged_plan`` keeps ``compute``'s value and ``kept_judged_plan``
    looks for it."""
    what = f"{compute.__module__}.{compute.__name__}"
    return board_key(board), (what, fingerprint(board.plan(partnership)), partnership, *args)


_JOBS: dict[Hashable, threading.Thread] = {}
_FAILED: set[Hashable] = set()
EXIT_WAIT_SECONDS = 120.0  # how long a process that ends waits for its background jobs
_CLOSING = threading.Event()  # set when the process ends: no new background job starts


def in_background(key: Hashable, work: Callable[[], object]) -> None:
    """Run ``work()`` in a daemon thread, once per ``key`` while it runs (its values land in this
    cache). A job that raised is recorded (``failed``), so a caller can compute in the open and
    show the error as usual instead of waiting. Once the process is ending (``_wait_at_exit``)
    no job starts; it is recorded as failed, so the caller computes in the open."""

    def run() -> None:
        try:
            work()
        except Exception:  # recorded; the caller computes again and shows the error
            with _LOCK:
                _FAILED.add(key)

    with _LOCK:
        if _CLOSING.is_set():
            _FAILED.add(key)
            return
        running = _JOBS.get(key)
        if running is not None and running.is_alive():
            return
        for done in [k for k, t in _JOBS.items() if not t.is_alive()]:  # one per key and day: prune
            del _JOBS[done]
        _FAILED.discard(key)
        thread = threading.Thread(target=run, name=f"datacache-{key}", daemon=True)
        _JOBS[key] = thread
    thread.start()


@atexit.register
def _wait_at_exit() -> None:
    """When the process ends, let running background jobs finish (at most EXIT_WAIT_SECONDS).

    The jobs are daemon threads, so Python does not wait for them; one still inside DuckDB when
    the interpreter shuts down aborts the whole process («FATAL: exception not rethrown», exit
    code 134) as it tries to take the GIL back. A server stopped, or a script that ends, right
    after an upload would then die instead of ending. analytics.warming stops its watcher
    before this runs (atexit runs handlers last registered first)."""
    _CLOSING.set()
    wait(timeout=EXIT_WAIT_SECONDS)


def failed(key: Hashable) -> bool:
    """Whether the last background job under ``key`` raised."""
    with _LOCK:
        return key in _FAILED


def wait(key: Hashable | None = None, timeout: float | None = None) -> None:
    """Wait for the background job under ``key`` (None: every job) to end; tests and the bench."""
    with _LOCK:
        threads = list(_JOBS.values()) if key is None else [t for t in [_JOBS.get(key)] if t is not None]
    for thread in threads:
        thread.join(timeout)


def peek(key: tuple[str, str, str], name: Hashable) -> object | None:
    """The value stored under ``name`` for ``key``, or None (nothing is computed)."""
    path, version, context = key
    with _LOCK:
        held = _STORES.get(path)
        if held is None or held[0] != version:
            return None
        return held[1].get((context, name))


def clear() -> None:
    """Forget everything (tests; a process that changed its store behind the data version).
    Background jobs still running are let finish first, so none refills the cache after it."""
    wait()
    with _LOCK:
        _STORES.clear()
        _FINGERPRINTS.clear()
