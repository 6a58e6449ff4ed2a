"""`make run` starts the board with `python dashboard.py`: its terminal shows Streamlit's
address and the warming, not a warning per cache or a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.browser_support import _free_port
from tests.support import copy_store

ROOT = Path(__file__).resolve().parents[1]


def test_python_dashboard_starts_without_warnings(demo_duckdb: Path, tmp_path: Path):
    store = copy_store(demo_duckdb, tmp_path / "start.duckdb")
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "dashboard.py", "--server.port", str(port), "--server.headless", "true"],
            cwd=ROOT,
            env={**os.environ, "BOARD_DB": str(store), "BOARD_WARM_SECONDS": "0"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            healthy = False
            while not healthy and time.monotonic() < deadline and process.poll() is None:
                try:
                    with urllib.request.urlopen(
                        f"http://localhost:{port}/_stcore/health", timeout=2
                    ) as answer:
                        healthy = answer.read().strip() == b"ok"
                except OSError:
                    time.sleep(0.3)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    text = log.read_text(encoding="utf-8")
    assert healthy, text
    assert "Local URL" in text
    assert "No runtime found" not in text
    assert "Traceback" not in text
