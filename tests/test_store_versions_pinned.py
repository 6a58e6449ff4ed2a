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
    store = open_store(store_target)
    try:
        reads = _counting(monkeypatch)
        before = store.data_version()
        seen_elsewhere: list[str] = []
        with store.versions_pinned():
            first = store.data_version()
            store.record_milestone("ahus", "m1-k1", "Pågår", "test")
            with store.versions_pinned():  # nested: the outer reading holds
                assert store.data_version() == first
            assert store.data_version() == first
            assert store.plan_version() == store.plan_version()
            other = threading.Thread(target=lambda: seen_elsewhere.append(store.data_version()))
            other.start()
            other.join()
        assert first == before
        assert reads[0] == 3  # before, once pinned, the other thread
        assert seen_elsewhere and seen_elsewhere[0] != first  # another thread is not pinned
        assert store.data_version() == seen_elsewhere[0] != first  # read again once unpinned
    finally:
        store.close()


def test_a_municipality_view_reads_the_data_version_once(demo_board, monkeypatch) -> None:
    reads = _counting(monkeypatch)
    view = municipality_view(demo_board, "ahus", "3222", today=clock.today())
    assert not view.table.empty
    assert reads[0] == 1
