"""Store.per_version: a whole-store read (the catalogue, the demo label's figure sources) runs
once per data version and store object, on both backends (the plan's judging and the
Datakatalog page asked for the same catalogue in one page view: two passes over facts)."""

from __future__ import annotations

import datetime as dt

from analytics.store import Store, UploadMeta, open_store
from tests.conftest import fact_rows


def _counting(monkeypatch) -> list[str]:
    """The statements Store._frame runs (both backends' _frame), in order."""
    sent: list[str] = []
    originals = {cls: cls._frame for cls in _store_classes()}

    def counted(self, sql, params=None):
        sent.append(sql)
        return originals[type(self)](self, sql, params)

    for cls in originals:
        monkeypatch.setattr(cls, "_frame", counted)
    return sent


def _store_classes() -> list[type]:
    from analytics.store_pg import PostgresStore

    return [Store, PostgresStore]


def test_the_catalogue_is_read_once_per_data_version(store_target, board_context, monkeypatch) -> None:
    """Two calls with the same units: one statement; other units: one more; after an upload
    (a new data version) read again, with the upload in it. The frames handed out are copies:
    a caller that changes one does not change the next caller's."""
    _, _, units, code_map = board_context
    store = open_store(store_target)
    try:
        store.sync_reference(units, code_map)
        codes = units.query("kind == 'municipality'")["unit_id"].iloc[:3].tolist()
        store.ingest(fact_rows(dict.fromkeys(codes, 1.0)), UploadMeta("first.csv", "h1"))
        sent = _counting(monkeypatch)
        first = store.indicator_catalogue(codes)
        first.loc[:, "n_values"] = -1  # a caller's own change
        second = store.indicator_catalogue(codes)
        assert len(sent) == 1
        assert second["n_values"].tolist() == [3]
        store.indicator_catalogue(codes[:1])
        assert len(sent) == 2
        store.ingest(
            fact_rows(dict.fromkeys(codes, 2.0), months=[dt.date(2024, 2, 1)]), UploadMeta("second.csv", "h2")
        )
        after = store.indicator_catalogue(codes)
        assert len(sent) == 3
        assert after["n_values"].tolist() == [6]
        sources = [store.figure_sources() for _ in range(2)]
        assert len(sent) == 4
        assert sources[0].equals(sources[1])
    finally:
        store.close()
