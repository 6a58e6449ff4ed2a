"""Faults: an ingest killed (SIGKILL) at several points leaves the store whole and the log honest;
a corrupt or locked store at start-up gives one clear Norwegian message, never a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import Store, open_store
from tests.conftest import new_store, query, run_cli, store_state
from tests.support import copy_store

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

# A child that loads one large upload straight through Store.ingest (the same transaction the
# loader uses), announcing on stdout when it starts, so the parent can kill it mid-write.
BIG_INGEST = r"""
import sys, numpy as np, pandas as pd
from analytics.store import UploadMeta, open_store
db, rows = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(7)
units = np.array([f"u{i:05d}" for i in range(rows // 120)])
periods = pd.date_range("2015-01-01", periods=120, freq="MS").values.astype("datetime64[D]")
frame = pd.DataFrame({
    "indicator": "hip_fractures",
    "unit_id": np.repeat(units, 120),
    "period_start": np.tile(periods, len(units)),
    "grain": "month",
    "value": rng.poisson(20, len(units) * 120).astype(float),
    "numerator": np.nan, "denominator": np.nan, "suppressed": False, "source": "test",
})
store = open_store(db)  # a DuckDB file, or a PostgreSQL URL (tests/test_store_server.py)
print("ready", flush=True)
result = store.ingest(frame, UploadMeta("stor.csv", "hash-stor", loaded_by="test", indicator="hip_fractures"))
print("done", result.upload_id, flush=True)
store.close()
"""
BIG_ROWS = 240_000  # 2 000 units × 120 months


def fingerprint(db: Path) -> dict:
    """Facts and history as a few numbers (order-free), plus the upload log, read-only."""
    with duckdb.connect(str(db), read_only=True) as con:
        facts = con.execute(
            "SELECT count(*), coalesce(sum(value), 0), "
            "coalesce(bit_xor(hash(indicator, unit_id, period_start, grain, value, suppressed, upload_id)), 0) "
            "FROM facts"
        ).fetchone()
        history = con.execute(
            "SELECT count(*), coalesce(bit_xor(hash(indicator, unit_id, period_start, value, replaced_by)), 0) "
            "FROM fact_history"
        ).fetchone()
        uploads = con.execute(
            "SELECT upload_id, file_hash, undone_at IS NULL FROM uploads ORDER BY 1"
        ).fetchall()
    return {"facts": facts, "history": history, "uploads": uploads}


def assert_consistent(db: Path | str) -> None:
    """Every fact and every history row points at a logged, active upload; no key twice.
    Either backend (the statements are plain SQL, read through the Store contract)."""
    counts = query(
        db,
        "SELECT (SELECT count(*) FROM facts f LEFT JOIN uploads u USING (upload_id) "
        "        WHERE u.upload_id IS NULL OR u.undone_at IS NOT NULL), "
        "(SELECT count(*) FROM fact_history h LEFT JOIN uploads u ON u.upload_id = h.replaced_by "
        "        WHERE u.upload_id IS NULL OR u.undone_at IS NOT NULL), "
        "(SELECT count(*) FROM (SELECT indicator, unit_id, period_start, grain FROM facts "
        "        GROUP BY indicator, unit_id, period_start, grain HAVING count(*) > 1) AS twice), "
        "(SELECT count(*) FROM uploads u WHERE undone_at IS NULL AND rows_added + rows_replaced > 0 "
        "        AND NOT EXISTS (SELECT 1 FROM facts f WHERE f.upload_id = u.upload_id) "
        "        AND NOT EXISTS (SELECT 1 FROM fact_history h WHERE h.replaced_by = u.upload_id))",
    )[0]
    assert tuple(counts) == (0, 0, 0, 0)


def state(db: Path | str) -> tuple:
    """Facts, history and upload log as sorted rows of text, either backend (store_state)."""
    store = open_store(db)
    try:
        return store_state(store)
    finally:
        store.close()


def env(**extra: str) -> dict[str, str]:
    values = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    values.pop("BOARD_TEST_PAUSE_IN_TRANSACTION", None)
    values.update(extra)
    return values


@pytest.fixture(scope="module")
def big_states(demo_duckdb: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """The demo store (before) and the same store after the big upload ran to the end (after)."""
    directory = tmp_path_factory.mktemp("faults")
    before = copy_store(demo_duckdb, directory / "before.duckdb")
    with duckdb.connect(str(before)) as con:  # fold any WAL in, so copies are plain files
        con.execute("CHECKPOINT")
    after = copy_store(before, directory / "after.duckdb")
    done = subprocess.run(
        [PY, "-c", BIG_INGEST, str(after), str(BIG_ROWS)], env=env(), capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return before, fingerprint(before), fingerprint(after)


# (line the child printed, seconds after it): the ingest takes ~0.1 s after "ready"; "done"
# is printed after COMMIT, so a kill then must keep the upload (durable), before or during
# the checkpoint that closing the store runs.
KILL_POINTS = [
    ("ready", 0.0),
    ("ready", 0.03),
    ("ready", 0.06),
    ("ready", 0.1),
    ("done", 0.0),
    ("done", 0.02),
]


@pytest.mark.duckdb_file(
    "kill -9 during a write to the DuckDB file and its WAL (PostgreSQL: test_store_server)"
)
@pytest.mark.parametrize(("after_line", "delay"), KILL_POINTS)
def test_kill_during_a_big_ingest_leaves_before_or_after(big_states, tmp_path, after_line, delay):
    before, old, new = big_states
    db = copy_store(before, tmp_path / "store.duckdb")
    child = subprocess.Popen(
        [PY, "-c", BIG_INGEST, str(db), str(BIG_ROWS)],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout.readline().strip() == "ready"
    if after_line == "done":
        assert child.stdout.readline().startswith("done")
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    Store(db).close()  # opens (replays or drops the WAL) without an error
    state = fingerprint(db)
    assert state in (old, new), f"half an upload after a kill {delay} s after «{after_line}»"
    if after_line == "done":
        assert state == new  # committed means kept
    if state == old:
        assert "hash-stor" not in {u[1] for u in state["uploads"]}  # no log row for what never landed
    assert_consistent(db)


@pytest.fixture()
def upload_file(demo_files: Path, tmp_path: Path) -> Path:
    """The demo hip fracture extract with every count one higher: every row replaces a value."""
    source = demo_files / "npr_hoftebrudd.csv"
    lines = source.read_text(encoding="cp1252").splitlines()
    out = []
    for line in lines:
        parts = line.split(";")
        if len(parts) == 3 and parts[2].isdigit():
            parts[2] = str(int(parts[2]) + 1)
        out.append(";".join(parts))
    target = tmp_path / "hoftebrudd_rettet.csv"
    target.write_text("\n".join(out) + "\n", encoding="cp1252")
    return target


def test_kill_inside_the_loader_transaction_logs_nothing(demo_db, upload_file, tmp_path):
    """On either backend: the loader is killed inside its write transaction (DuckDB drops the
    WAL's open transaction on opening; PostgreSQL rolls back the dead connection's)."""
    db = new_store(tmp_path, "store", like=demo_db)
    old = state(db)
    marker = tmp_path / "in_transaction"
    child = subprocess.Popen(
        [PY, "-m", "loaders", "ingest", str(upload_file), "--indicator", "hip_fractures", "--db", str(db)],
        env=env(BOARD_TEST_PAUSE_IN_TRANSACTION=str(marker)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the loader never reached its transaction"
    pending = int(marker.read_text(encoding="utf-8"))
    child.send_signal(signal.SIGKILL)
    child.wait()
    killed = state(db)
    assert killed == old
    assert pending not in {int(u[0]) for u in query(db, "SELECT upload_id FROM uploads")}
    assert_consistent(db)
    # the store works afterwards: the same file loads in full, and the log says so
    done = run_cli("ingest", str(upload_file), "--indicator", "hip_fractures", "--db", str(db), timeout=300)
    assert done.returncode == 0, done.stderr
    after = state(db)
    facts, history, uploads = 0, 1, 2
    assert after[facts] != old[facts] and len(after[history]) > len(old[history])
    assert len(after[uploads]) == len(old[uploads]) + 1
    assert_consistent(db)
    log = run_cli("log", "--db", str(db), timeout=300)
    assert log.returncode == 0 and upload_file.name in log.stdout


# -- start-up with a bad store --------------------------------------------------------------


HEADER_BYTES = 3 * 4096  # DuckDB's file header and two database headers come before block 0


def damaged_copies(demo_db: Path, directory: Path) -> dict[str, Path]:
    """Ways a store file goes bad: not a database, a torn header, a damaged or a cut-off block
    (a block the facts table uses, so the damage is never in free space)."""
    base = copy_store(demo_db, directory / "base.duckdb")
    with duckdb.connect(str(base)) as con:
        con.execute("CHECKPOINT")
        block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
        block = con.execute(
            "SELECT min(block_id) FROM pragma_storage_info('facts') WHERE block_id >= 0"
        ).fetchone()[0]
    used = HEADER_BYTES + block * block_size  # where that block starts in the file
    files = {}
    files["not_a_database"] = directory / "text.duckdb"
    files["not_a_database"].write_bytes(b"kommune;periode;antall\n" * 500)
    for name in ("header", "blocks", "truncated"):
        files[name] = shutil.copy(base, directory / f"{name}.duckdb")
    with open(files["header"], "r+b") as handle:
        handle.write(b"\x00" * 4096)
    with open(files["blocks"], "r+b") as handle:
        handle.seek(used + 512)
        handle.write(os.urandom(64 * 1024))
    with open(files["truncated"], "r+b") as handle:
        handle.truncate(used + 1024)
    return {name: Path(path) for name, path in files.items()}


@pytest.fixture(scope="module")
def damaged(demo_duckdb: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return damaged_copies(demo_duckdb, tmp_path_factory.mktemp("damaged"))


def start_board(db: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("BOARD_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    return at


@pytest.mark.duckdb_file("a damaged DuckDB file")
@pytest.mark.parametrize("kind", ["not_a_database", "header", "blocks", "truncated"])
def test_corrupt_store_at_start_up_gives_one_message(damaged, kind, monkeypatch):
    at = start_board(damaged[kind], monkeypatch)
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert damaged[kind].name in message
    assert "skadet" in message or "kan ikke åpnes" in message
    assert "make demo" in message  # what to do, not only what is wrong
    assert not at.title  # nothing else is drawn


@pytest.mark.duckdb_file("a damaged DuckDB file")
@pytest.mark.parametrize("kind", ["not_a_database", "blocks"])
def test_cli_with_a_corrupt_store_says_one_sentence(damaged, kind):
    done = run_cli("log", "--db", str(damaged[kind]), timeout=300)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert damaged[kind].name in lines[0]


@pytest.fixture()
def locked_store(demo_duckdb: Path, tmp_path: Path):
    """Another process holds a read-write connection (as a running board or loader does)."""
    db = copy_store(demo_duckdb, tmp_path / "locked.duckdb")
    holder = subprocess.Popen(
        [
            PY,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
            "time.sleep(300)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    yield db
    holder.kill()
    holder.wait()


@pytest.mark.duckdb_file("the DuckDB file's lock, held by another process")
def test_locked_store_at_start_up_gives_one_message(locked_store, monkeypatch):
    at = start_board(locked_store, monkeypatch)
    assert not at.exception
    assert len(at.error) == 1
    assert "låst av en annen prosess" in at.error[0].value and "prøv igjen" in at.error[0].value
    done = run_cli("log", "--db", str(locked_store), timeout=300)
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "låst" in done.stderr
