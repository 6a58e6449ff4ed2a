"""Many readers while uploads commit: one DuckDB connection per process, a cursor per call and
thread, and every reader sees the data before or after an upload, never half of one.

AppTest is not thread-safe (each run installs and tears down a process-global Runtime, so two
at once fail with "Runtime hasn't been created!"). So 20 reader *threads* make the calls the
pages make (Store.series, Store.facts, the catalogue), and one more thread renders real pages
with AppTest, one after another, all while the main thread uploads and undoes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import catalogue
from analytics.evaluate import scope_units
from analytics.store import UploadMeta
from loaders.service import Loader
from tests.conftest import fact_rows
from ui import common

ROOT = Path(__file__).resolve().parent.parent
INDICATOR = "falls_registered"
NAME = "Antall registrerte fall i tjenestene"
READERS = 20
TOGGLES = 12
# (facts, sum of values): before the upload 100 values of 1; after it those 100 are 2 and
# 100 more keys are added with 2.
BEFORE, AFTER = (100, 100.0), (200, 400.0)


@pytest.fixture()
def shared_board(store_target, monkeypatch):
    """The process-wide board the pages use (common._board), on a store with 100 known facts;
    once on a DuckDB file, once on PostgreSQL (where a read is one statement: one snapshot)."""
    db = store_target
    Loader.open(db).board.store.close()  # schema and reference data
    monkeypatch.setenv("BOARD_DB", str(db))
    monkeypatch.delenv("BOARD_ANALYST_PASSWORD", raising=False)
    monkeypatch.chdir(ROOT)
    board = common._board(str(db))  # the same cached object (and connection) AppTest gets
    members = board.member_ids("ahus")[:10]
    months = [dt.date(2024, m, 1) for m in range(1, 11)]
    later = [dt.date(2025, m, 1) for m in range(1, 11)]
    board.store.ingest(
        fact_rows(dict.fromkeys(members, 1.0), months, INDICATOR, "test"),
        UploadMeta("base.csv", "base", indicator=INDICATOR),
    )
    upload = pd.concat(
        [
            fact_rows(dict.fromkeys(members, 2.0), months, INDICATOR, "test"),
            fact_rows(dict.fromkeys(members, 2.0), later, INDICATOR, "test"),
        ],
        ignore_index=True,
    )
    yield board, upload
    common._board.clear()
    board.store.close()


def read_all(board, scope: list[str]) -> list[tuple[int, float]]:
    """What the pages read, each one query (one snapshot): (number of facts, sum of values)."""
    store = board.store
    series = store.series(INDICATOR, scope, "count", "month")
    raw = store.facts([INDICATOR], scope)
    summary = store.indicator_catalogue(scope).set_index("indicator").loc[INDICATOR]
    cells = catalogue.coverage(board, INDICATOR, "ahus")
    return [
        (int(series["n_units"].sum()), float(series["value"].sum())),
        (len(raw), float(raw["value"].sum())),
        (int(summary["n_values"]), None),
        (int((cells.cells["state"] == "data").sum()), None),
    ]


def test_readers_see_before_or_after_never_half(shared_board):
    board, upload = shared_board
    scope = scope_units(board, "ahus")
    stop = threading.Event()
    seen: list[tuple[int, float | None]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def reader() -> None:
        try:
            while not stop.is_set():
                found = read_all(board, scope)
                with lock:
                    seen.extend(found)
                time.sleep(0.002)  # 20 tight loops would starve the writer and the pages on 2 cores
        except BaseException as exc:  # noqa: BLE001 - any failure in a reader fails the test
            errors.append(exc)

    pages: list[AppTest] = []

    def render_pages() -> None:
        try:
            for page in ["pages/catalogue.py", "pages/overview.py"]:
                at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
                at.query_params["indikator"] = INDICATOR
                at.run()
                at.switch_page(page)
                at.run()
                pages.append(at)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    # Warm the imports and compiled page scripts first, as a running server has them.
    warm = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    warm.run()
    warm.switch_page("pages/catalogue.py").run()

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    apptests = threading.Thread(target=render_pages)
    for thread in threads:
        thread.start()
    apptests.start()
    toggles = 0
    while toggles < TOGGLES or apptests.is_alive():
        result = board.store.ingest(upload, UploadMeta("ny.csv", "ny", indicator=INDICATOR))
        time.sleep(0.005)
        board.store.undo(result.upload_id, undone_by="test")
        time.sleep(0.005)
        toggles += 1
    final = board.store.ingest(upload, UploadMeta("ny.csv", "ny", indicator=INDICATOR))
    time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    apptests.join()

    assert not errors, errors[0]
    counts = {n for n, _ in seen}
    sums = {s for _, s in seen if s is not None}
    assert counts <= {BEFORE[0], AFTER[0]}, f"half an upload seen: {sorted(counts)}"
    assert sums <= {BEFORE[1], AFTER[1]}, f"half an upload seen: {sorted(sums)}"
    assert counts == {BEFORE[0], AFTER[0]}  # the readers really overlapped the commits
    assert len(seen) > READERS * 4
    print(f"{len(seen)} reads by {READERS} threads across {toggles} uploads and undos + 1 upload")

    # Real pages rendered during the writes: no error, and each showed one state or the other.
    assert len(pages) == 2
    for at in pages:
        assert not at.exception and not at.error
    at = pages[0]
    assert int(at.dataframe[0].value.set_index("Indikator").loc[NAME, "Verdier"]) in {BEFORE[0], AFTER[0]}

    # The upload is visible at once: a warm session re-run shows the final state, not a cache.
    at.run()
    assert int(at.dataframe[0].value.set_index("Indikator").loc[NAME, "Verdier"]) == AFTER[0]
    assert final.upload_id is not None
