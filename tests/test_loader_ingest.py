"""Loading: every good corpus file to known values, one transaction per upload, the same file
twice changes nothing, newer values replace older ones (kept in history), undo, and a process
killed inside the transaction leaves the store as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from analytics.store import open_store
from loaders.ingest import Choices
from tests.conftest import CORPUS, ROOT, export_lines, run_cli, store_state, write_csv

GOOD = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["good"]


@pytest.mark.parametrize("case", GOOD, ids=[c["file"] for c in GOOD])
def test_every_good_file_loads_to_its_known_values(fresh_loader, case):
    report = fresh_loader.ingest(
        CORPUS / case["file"], case.get("indicator"), profile_id=case.get("profile"), sheet=case.get("sheet")
    )
    assert report.ok, (report.refused, report.problem_lines())
    indicator = case["export"][1].split(",")[0]
    assert export_lines(fresh_loader, indicator) == case["export"]
    assert report.result.added == len(case["export"]) - 1


def test_the_corpus_has_at_least_thirty_files_good_and_bad():
    files = [p for p in CORPUS.iterdir() if p.name != "expected.yaml"]
    manifest = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    blocks = [manifest, *(b for b in manifest.values() if isinstance(b, dict))]  # e.g. «core»
    entries = [e for block in blocks for e in block.get("good", []) + block.get("bad", [])]
    assert len(files) >= 30 and len(files) == len(entries)


def test_the_same_file_twice_leaves_one_copy_and_says_so(fresh_loader):
    path = CORPUS / "g01_npr_cp1252_semikolon.csv"
    first = fresh_loader.ingest(path, "fall_injury_admissions")
    store = fresh_loader.board.store
    before = store_state(store)
    again = fresh_loader.ingest(path, "fall_injury_admissions")
    assert again.result.duplicate_of == first.result.upload_id and again.result.upload_id is None
    assert again.summary() == (
        f"Filen er allerede lastet inn (opplasting {first.result.upload_id}); ingenting er endret."
    )
    assert store_state(store) == before
    assert again.duplicate_of == first.result.upload_id  # the preview already knows


def test_a_newer_value_replaces_the_old_one_which_is_kept_and_undo_restores_it(fresh_loader, tmp_path):
    store = fresh_loader.board.store
    old = fresh_loader.ingest(
        write_csv(tmp_path / "jan.csv", "Kommune;Periode;Antall\n3205;2024M01;4\n3222;2024M01;2\n"),
        "hip_fractures",
    )
    new = fresh_loader.ingest(
        write_csv(
            tmp_path / "jan2.csv", "Kommune;Periode;Antall\n3205;2024M01;5\n3222;2024M01;2\n3224;2024M01;1\n"
        ),
        "hip_fractures",
    )
    assert (new.result.added, new.result.replaced, new.result.unchanged) == (1, 1, 1)
    assert export_lines(fresh_loader)[1] == "hip_fractures,3205,2024M01,5,false"
    history = store._frame("SELECT value, upload_id, replaced_by FROM fact_history")
    assert history.values.tolist() == [[4.0, old.result.upload_id, new.result.upload_id]]
    message = fresh_loader.undo(new.result.upload_id, undone_by="tester")
    assert message.startswith(f"Opplasting {new.result.upload_id} er angret: 2 verdier er fjernet")
    assert export_lines(fresh_loader)[1:] == [
        "hip_fractures,3205,2024M01,4,false",
        "hip_fractures,3222,2024M01,2,false",
    ]
    assert store.history_count() == 0
    assert (
        fresh_loader.undo(new.result.upload_id)
        == f"Opplasting {new.result.upload_id} var allerede angret; ingenting er endret."
    )


def test_every_upload_is_logged(fresh_loader):
    path = CORPUS / "g24_totalrader.csv"
    report = fresh_loader.ingest(path, "hip_fractures", loaded_by="kari@ahus.no")
    row = fresh_loader.board.store.uploads().iloc[0]
    assert row["loaded_by"] == "kari@ahus.no" and row["file_name"] == "g24_totalrader.csv"
    assert row["file_hash"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row["indicator"] == "hip_fractures" and row["source"] == "NPR"
    assert (
        row["rows_in"],
        row["rows_added"],
        row["rows_replaced"],
        row["rows_unchanged"],
        row["rows_refused"],
    ) == (3, 3, 0, 0, 0)  # two municipalities and the partnership's total («Hele Ahus», «Totalt»)
    assert (report.stats.file_totals, report.stats.totals) == (2, 1)  # «Sum» has no period
    assert "id  tidspunkt" in fresh_loader.log_text() and "kari@ahus.no" in fresh_loader.log_text()


def test_a_dry_run_and_a_preview_write_nothing(fresh_loader):
    store = fresh_loader.board.store
    before = store_state(store)
    report = fresh_loader.ingest(
        CORPUS / "g01_npr_cp1252_semikolon.csv", "fall_injury_admissions", dry_run=True
    )
    assert report.ok and report.result is None
    assert report.summary() == "Prøvekjøring: 9 verdier er gyldige; ingenting er lagret."
    fresh_loader.preview(CORPUS / "g10_excel_sammenslatt_tittel.xlsx", "fall_injury_admissions")
    assert store_state(store) == before


def test_roles_chosen_by_the_analyst_win_over_the_guess(fresh_loader, tmp_path):
    from loaders.normalise import ColumnRoles

    path = write_csv(tmp_path / "r.csv", "Sted;Når;Tall;Annet tall\n3205;2024M01;1;9\n")
    roles = ColumnRoles(unit="Sted", period="Når", value="Annet tall")
    report = fresh_loader.ingest(path, "hip_fractures", choices=Choices(roles=roles))
    assert report.ok and export_lines(fresh_loader)[1] == "hip_fractures,3205,2024M01,9,false"


def _wait_for(path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError("the ingest never reached the transaction")
        time.sleep(0.05)


def test_a_process_killed_inside_the_transaction_leaves_the_store_as_before(fresh_loader, tmp_path):
    """SIGKILL while the upload has written facts, history and the log but not committed."""
    fresh_loader.ingest(CORPUS / "g02_utf8_bom.csv", "hip_fractures")
    store = fresh_loader.board.store
    before = store_state(store)
    db = store.path
    store.close()  # one process may write a DuckDB file; the child takes it over
    # Changes every existing value and adds one: a half-done upload would show.
    changed = write_csv(
        tmp_path / "changed.csv",
        "Kommune;Periode;Antall\n"
        + "".join(
            f"{u};{p};{n + 10}\n"
            for n, (u, p) in enumerate(
                [(u, p) for u in ("3226", "3415", "3218") for p in ("2023M11", "2023M12")]
            )
        )
        + "3205;2023M12;1\n",
    )
    marker = tmp_path / "in-transaction"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "loaders",
            "ingest",
            str(changed),
            "--indicator",
            "hip_fractures",
            "--db",
            str(db),
        ],
        cwd=ROOT,
        env={**os.environ, "BOARD_TEST_PAUSE_IN_TRANSACTION": str(marker)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(marker)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    reopened = open_store(db)
    try:
        assert store_state(reopened) == before
    finally:
        reopened.close()
    # and the store works: the same upload, not killed this time, goes through
    done = run_cli("ingest", str(changed), "--indicator", "hip_fractures", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "1 nye, 6 erstattet, 0 uendret" in done.stdout
