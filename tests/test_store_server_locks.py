"""PostgreSQL, several uploads at once (issue 16): uploads of different indicators merge at the
same time (each takes the shared write lock and its own indicators' locks), while two uploads
of the same indicator, or of the same file, still take turns and the later wins with history;
undo waits for every upload under way and restores exactly what one upload replaced.

One upload is held open inside its merge's transaction (after its rows are written, its
locks held) while another runs; whether that other one waits is read from pg_locks (an
advisory lock not granted), never from a clock."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import psycopg
import pytest

from analytics.store import UploadMeta, open_store
from tests.conftest import fact_rows

pytestmark = pytest.mark.own_backends

X, Y = "ind_x", "ind_y"
UNITS = [f"u{i:03d}" for i in range(50)]
MONTHS = [dt.date(2024, m, 1) for m in range(1, 13)]


def rows(indicator: str, value: float):
    return fact_rows(dict.fromkeys(UNITS, value), MONTHS, indicator)


class Held:
    """Uploads of `indicator` through `store` stop inside their merge's transaction (rows
    written, locks held) until release(); `inside` is set when one gets there."""

    def __init__(self, store, indicator: str) -> None:
        self.inside = threading.Event()
        self._release = threading.Event()
        original = store._merge

        def merge(staging, cur, upload_id, indicators):
            counts = original(staging, cur, upload_id, indicators)
            if indicator in indicators:
                self.inside.set()
                self._release.wait()
            return counts

        store._merge = merge

    def release(self) -> None:
        self._release.set()


class Upload(threading.Thread):
    """store.ingest(frame, meta) on a thread of its own; `result` or `error` once joined."""

    def __init__(self, store, frame, meta: UploadMeta) -> None:
        super().__init__()
        self.store, self.frame, self.meta = store, frame, meta
        self.result = self.error = None
        self.start()

    def run(self) -> None:
        try:
            self.result = self.store.ingest(self.frame, self.meta)
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            self.error = exc


def waits_for_a_lock(cluster, worker: Upload | threading.Thread, held_store=None) -> bool:
    """Until `worker` ends (False) or waits for a lock (True): some session waits for an
    advisory lock (the tests run one at a time, so it is the worker's), or, when the worker
    writes through `held_store` (the store whose upload is held open), that store's lock for
    this process's writers is held (by the held upload, so the worker cannot have it)."""
    with psycopg.connect(cluster.url(), autocommit=True) as con:
        while worker.is_alive():
            if held_store is not None and held_store._write_lock.locked():
                return True
            if con.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()[0]:
                return True
            worker.join(0.01)
    return False


def stored(store) -> dict[str, set[tuple[float, int]]]:
    """(value, upload id) pairs stored per indicator."""
    facts = store.facts()
    return {
        i: set(zip(g["value"].astype(float), g["upload_id"].astype(int), strict=True))
        for i, g in facts.groupby("indicator")
    }


@pytest.fixture()
def url(pg_cluster) -> str:
    return pg_cluster.new_schema()


@pytest.mark.parametrize("servers", [1, 2], ids=["one-server", "two-servers"])
def test_uploads_of_different_indicators_merge_at_the_same_time(pg_cluster, url, servers):
    """An upload of X is held open inside its transaction; an upload of Y (the same board
    server's other thread, or another server) merges and commits meanwhile, and the data
    version names each committed state: before, Y only, both."""
    stores = [open_store(url) for _ in range(servers)]
    first, second = stores[0], stores[-1]
    reader = open_store(url)
    try:
        held = Held(first, X)
        before = reader.data_version()
        x = Upload(first, rows(X, 1.0), UploadMeta("x.csv", "hx", indicator=X))
        held.inside.wait()
        y = Upload(second, rows(Y, 2.0), UploadMeta("y.csv", "hy", indicator=Y))
        try:
            waited = waits_for_a_lock(pg_cluster, y, first if servers == 1 else None)
            meanwhile = (stored(reader), reader.data_version())
        finally:
            held.release()
            x.join()
            y.join()
        assert x.error is None and y.error is None, x.error or y.error
        assert not waited, "the upload of Y waited for the upload of X"
        assert meanwhile[0] == {Y: {(2.0, y.result.upload_id)}}  # Y committed, X not yet
        assert y.result.upload_id > x.result.upload_id  # Y drew its id later and committed first
        after = reader.data_version()
        assert len({before, meanwhile[1], after}) == 3
        assert stored(reader) == {X: {(1.0, x.result.upload_id)}, Y: {(2.0, y.result.upload_id)}}
    finally:
        for store in {*stores, reader}:
            store.close()


def test_two_uploads_of_the_same_indicator_still_take_turns_and_the_later_wins(pg_cluster, url):
    """Two servers load the same keys of X: the second waits for the first's COMMIT, then
    replaces every value, with the first's values in history; undo of it brings them back."""
    one, two = open_store(url), open_store(url)
    try:
        held = Held(one, X)
        first = Upload(one, rows(X, 1.0), UploadMeta("1.csv", "h1", indicator=X))
        held.inside.wait()
        second = Upload(two, rows(X, 2.0), UploadMeta("2.csv", "h2", indicator=X))
        try:
            waited = waits_for_a_lock(pg_cluster, second)
        finally:
            held.release()
            first.join()
            second.join()
        assert first.error is None and second.error is None, first.error or second.error
        assert waited
        n = len(UNITS) * len(MONTHS)
        assert (first.result.added, second.result.replaced) == (n, n)
        assert second.result.upload_id > first.result.upload_id
        assert stored(one) == {X: {(2.0, second.result.upload_id)}}
        history = one.read_table("fact_history")
        assert len(history) == n
        assert set(zip(history["value"], history["upload_id"], history["replaced_by"], strict=True)) == {
            (1.0, first.result.upload_id, second.result.upload_id)
        }
        two.undo(second.result.upload_id)
        assert stored(one) == {X: {(1.0, first.result.upload_id)}} and one.history_count() == 0
    finally:
        one.close()
        two.close()


def test_the_same_file_as_two_indicators_at_once_lands_once(pg_cluster, url):
    """The file hash is locked too: the same file read as X by one server and as Y by another
    lands once, as when one came after the other."""
    one, two = open_store(url), open_store(url)
    try:
        held = Held(one, X)
        first = Upload(one, rows(X, 1.0), UploadMeta("f.csv", "same", indicator=X))
        held.inside.wait()
        second = Upload(two, rows(Y, 1.0), UploadMeta("f.csv", "same", indicator=Y))
        try:
            waited = waits_for_a_lock(pg_cluster, second)
        finally:
            held.release()
            first.join()
            second.join()
        assert waited
        assert second.result.duplicate_of == first.result.upload_id
        assert set(stored(one)) == {X}
    finally:
        one.close()
        two.close()


def test_undo_after_uploads_at_once_restores_exactly_what_each_replaced(pg_cluster, url):
    """A base upload of X and Y; X replaced by one server (held open) while Y is replaced by
    another and committed; an undo of Y asked meanwhile waits for the upload under way. Then
    a third upload replaces both; undoing X's upload and then the third brings back the base
    exactly (values and upload ids), with nothing left in history."""
    store, other = open_store(url), open_store(url)
    try:
        base = store.ingest(pd.concat([rows(X, 1.0), rows(Y, 1.0)]), UploadMeta("base.csv", "h0"))
        at_base = stored(store)
        held = Held(store, X)
        x = Upload(store, rows(X, 2.0), UploadMeta("x.csv", "hx", indicator=X))
        held.inside.wait()
        y = Upload(other, rows(Y, 3.0), UploadMeta("y.csv", "hy", indicator=Y))
        undo = None
        try:
            waited_y = waits_for_a_lock(pg_cluster, y)
            if not waited_y and y.error is None:
                undo = threading.Thread(target=other.undo, args=(y.result.upload_id,))
                undo.start()
                waited_undo = waits_for_a_lock(pg_cluster, undo)
        finally:
            held.release()
            x.join()
            y.join()
            if undo is not None:
                undo.join()
        assert x.error is None and y.error is None, x.error or y.error
        assert not waited_y and undo is not None and waited_undo  # Y beside X; undo waited for X
        assert stored(store) == {X: {(2.0, x.result.upload_id)}, Y: {(1.0, base.upload_id)}}
        both = other.ingest(pd.concat([rows(X, 4.0), rows(Y, 5.0)]), UploadMeta("both.csv", "h3"))
        store.undo(x.result.upload_id)
        assert stored(store) == {X: {(4.0, both.upload_id)}, Y: {(5.0, both.upload_id)}}
        store.undo(both.upload_id)
        assert stored(store) == at_base == {X: {(1.0, base.upload_id)}, Y: {(1.0, base.upload_id)}}
        assert store.fact_count() == 2 * len(UNITS) * len(MONTHS) and store.history_count() == 0
    finally:
        store.close()
        other.close()


def test_opening_with_the_stored_reference_data_does_not_wait_for_an_upload(pg_cluster, url, board_context):
    """Every process syncs the reference data on opening (open_board). With the same rows
    stored, the sync writes nothing and so does not wait for an upload under way (a loader
    starting beside another's merge); with other rows it replaces them, after the upload."""
    _, _, units, code_map = board_context
    one, two = open_store(url), open_store(url)
    try:
        one.sync_reference(units, code_map)
        held = Held(one, X)
        upload = Upload(one, rows(X, 1.0), UploadMeta("x.csv", "hx", indicator=X))
        held.inside.wait()
        same = threading.Thread(target=two.sync_reference, args=(units, code_map))
        same.start()
        renamed = units.assign(name=units["name"].where(units.index != 0, "Nytt navn"))
        other = None
        try:
            waited_same = waits_for_a_lock(pg_cluster, same)
            if not waited_same:
                other = threading.Thread(target=two.sync_reference, args=(renamed, code_map))
                other.start()
                waited_other = waits_for_a_lock(pg_cluster, other)
        finally:
            held.release()
            upload.join()
            same.join()
            if other is not None:
                other.join()
        assert not waited_same and other is not None and waited_other
        assert "Nytt navn" in set(two.read_table("units")["name"])
        assert len(two.read_table("code_history")) == len(code_map)
    finally:
        one.close()
        two.close()
