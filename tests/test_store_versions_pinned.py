"""Store.versions_pinned: one reading of the store's versions for one piece of work (Kommune's
view asked for them some hundred times, each a query)."""

from __future__ import annotations

import threading

from analytics import clock
from analytics.indicator_view import municipality_view
from analytics.store import Store, open_store


def _counting(monkeypatch) -> list[int]:
    reads = [0]
    original = Store._read_data_version

    def counted(self: Store) -> str:
        reads[0] += 1
        return original(self)

    monkeypatch.setattr(Store, "_read_data_version", counted)
    return reads


def test_pinned_versions_are_read_once_and_only_on_the_pinning_thread(store_target, monkeypatch) -> None:
    """Pinned: read once on this thread, kept through nested use; another thread is not pinned.
    A write on the pinning thread drops the reading (Store._transaction), so the run that
    wrote sees its own write (a page that saves a milestone shows it) and then holds again."""
    store = open_store(store_target)
    try:
        reads = _counting(monkeypatch)
        before = store.data_version()
        seen_elsewhere: list[str] = []
        with store.versions_pinned():
            first = store.data_version()
            assert store.data_version() == first
            store.record_milestone("ahus", "m1-k1", "Pågår", "test")
            with store.versions_pinned():  # nested: the outer pin holds, read again after the write
                written = store.data_version()
            assert written != first
            assert store.data_version() == written
            assert store.plan_version() == store.plan_version()
            other = threading.Thread(target=lambda: seen_elsewhere.append(store.data_version()))
            other.start()
            other.join()
        assert first == before
        assert reads[0] == 4  # before, once pinned, again after the write, the other thread
        assert seen_elsewhere == [written]  # another thread is not pinned: it reads for itself
        assert store.data_version() == written  # read again once unpinned
    finally:
        store.close()


def test_a_municipality_view_reads_the_data_version_once(demo_board, monkeypatch) -> None:
    reads = _counting(monkeypatch)
    view = municipality_view(demo_board, "ahus", "3222", today=clock.today())
    assert not view.table.empty
    assert reads[0] == 1
