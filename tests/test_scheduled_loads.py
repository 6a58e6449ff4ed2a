"""Scheduled loads while the board runs (loaders/spool.py): 20 CLI ingests in a loop while 10
sessions browse a real server. Every load lands or is refused for its content, no page shows an
error, and every upload is whole (all its rows or none)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests import ws_support as ws
from tests.browser_support import ROOT, start_server
from tests.conftest import new_store, query

PAGES = [
    ("", ""),
    ("indikator", "hf=ahus&indikator=hip_fractures&tid=month"),
    ("datakatalog", ""),
    ("kommune", ""),
]
UNITS = ["3205 Lillestrøm", "3222 Lørenskog", "3224 Rælingen"]


def _file(directory: Path, i: int) -> tuple[Path, int]:
    """Three rows for one month; every fifth file names a unit that does not exist (refused)."""
    path = directory / f"planlagt_{i:02d}.csv"
    year, month = 2020 + i // 12, i % 12 + 1
    units = [*UNITS[:2], "9999 Finnesikke"] if i % 5 == 4 else UNITS
    rows = [f"{u};{year}M{month:02d};{40 + i}" for u in units]
    path.write_text("Kommune;Periode;Antall\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path, 2 if i % 5 == 4 else 0


def test_twenty_cli_ingests_land_while_ten_sessions_browse(demo_db, tmp_path):
    db = new_store(tmp_path, "board", like=demo_db)
    uploads_before = query(db, "SELECT count(*) FROM uploads")[0][0]
    with start_server(db) as base:
        ws.run_script(base)  # the first run starts the board's spool thread
        stop = threading.Event()
        problems: list[str] = []
        runs = [0]

        def browse(n: int) -> None:
            k = n
            while not stop.is_set():
                page, query = PAGES[k % len(PAGES)]
                k += 1
                try:
                    text = ws.texts(ws.run_script(base, page=page, query=query))
                except Exception as exc:  # a dropped or failed session is a failure too
                    problems.append(f"{page}: {exc!r}")
                    continue
                runs[0] += 1
                if "EXCEPTION" in text or "låst" in text:
                    problems.append(f"{page}: {text[:300]}")

        sessions = [threading.Thread(target=browse, args=(n,)) for n in range(10)]
        for session in sessions:
            session.start()
        try:
            time.sleep(2)
            results = []
            for i in range(20):
                path, expected = _file(tmp_path, i)
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "loaders",
                        "ingest",
                        str(path),
                        "--indicator",
                        "hip_fractures",
                        "--db",
                        str(db),
                    ],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                results.append((i, expected, done.returncode, done.stdout + done.stderr))
        finally:
            stop.set()
            for session in sessions:
                session.join(timeout=300)
    wrong = [r for r in results if r[1] != r[2]]
    assert wrong == [], wrong
    assert all("9999" in out for _, expected, _, out in results if expected == 2)  # refused: says why
    assert problems == [], problems[:5]
    assert runs[0] >= 10
    uploads = query(db, "SELECT count(*) FROM uploads")[0][0]
    per_upload = query(
        db, "SELECT upload_id, count(*) FROM facts WHERE upload_id > ? GROUP BY upload_id", [uploads_before]
    )
    assert uploads - uploads_before == 16
    assert sorted(n for _, n in per_upload) == [3] * 16  # every upload whole
    print(f"\n20 CLI ingests (16 loaded, 4 refused) while 10 sessions ran {runs[0]} pages without an error")


@pytest.mark.duckdb_file("the spool hands a file to the board process that holds the DuckDB file's lock")
def test_a_board_busy_with_a_long_load_still_shows_alive(tmp_path, monkeypatch):
    """The heartbeat is its own thread: a load that outlasts ALIVE_SECONDS (a busy board, a big
    file) does not make a waiting CLI give up with «Tavla svarte ikke»."""
    from loaders import spool

    monkeypatch.setattr(spool, "ALIVE_SECONDS", 1.5)
    db = tmp_path / "store.duckdb"
    started = threading.Event()

    def slow(file, request):
        started.set()
        time.sleep(4)
        return spool.Outcome(0, ["lastet"], [])

    watcher = spool.Watcher(db, slow).start()
    try:
        source = tmp_path / "fil.csv"
        source.write_text("x\n", encoding="utf-8")
        outcome = spool.submit(db, source, {"indicator": "hip_fractures"}, timeout=60)
    finally:
        watcher.stop()
    assert started.is_set()
    assert outcome.code == 0 and outcome.out == ["lastet"], outcome
