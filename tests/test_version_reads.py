"""The store's versions are read once per page run (dashboard.py pins them with
Store.versions_pinned), and a write on the pinning thread makes them be read again.

On PostgreSQL every reading of data_version() or plan_version() is a pooled connection and two
round trips to the server; before the pin one page run asked 40–70 times (the plan version for
every board.plan call), which under load (many board processes and loads on two cores) waits
for the server process to be scheduled each time (docs/scaling.md, section 4)."""

from __future__ import annotations

import threading

from analytics.store import Store, open_store
from tests.conftest import new_store


def _count_reads(monkeypatch) -> list[str]:
    reads: list[str] = []
    for name in ("_read_data_version", "_read_plan_version"):
        original = getattr(Store, name)

        def spy(self, _original=original, _name=name):
            if threading.current_thread() is not threading.main_thread():  # the script run's thread
                reads.append(_name)
            return _original(self)

        monkeypatch.setattr(Store, name, spy)
    return reads


def test_a_page_run_reads_the_store_versions_once(app, monkeypatch):
    """One run of Indikator and one of Kommune (after the first run of the board) each read the
    data version once and the plan version once, however often the pages' caches ask. (Counted
    on the run's own thread: AppTest formats the sidebar's choices afterwards on the test's.)"""
    reads = _count_reads(monkeypatch)
    at = app()
    for page in ("pages/indicator.py", "pages/municipality.py"):
        reads.clear()
        at.switch_page(page)
        at.run()
        assert not at.exception, page
        assert sorted(reads) == ["_read_data_version", "_read_plan_version"], (page, reads)


def test_a_write_inside_a_pinned_run_is_seen_by_the_rest_of_the_run(tmp_path):
    """Inside versions_pinned, a plan decision stored on the same thread changes the plan
    version and the data version the rest of the run sees (so its caches are not keyed on
    the store before its own write); without a write the pinned reading holds."""
    store = open_store(new_store(tmp_path, "pinned"))
    try:
        with store.versions_pinned():
            data, plan = store.data_version(), store.plan_version()
            assert (store.data_version(), store.plan_version()) == (data, plan)
            store.record_plan_decisions(
                [
                    {
                        "plan_id": "ahus",
                        "entry_id": "e1",
                        "field": "target",
                        "old_value": "1",
                        "new_value": "2",
                        "reference": "sak 1",
                        "decided_by": "test",
                    }
                ]
            )
            assert store.plan_version() != plan and store.data_version() != data
    finally:
        store.close()
