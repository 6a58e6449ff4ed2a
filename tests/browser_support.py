"""Browser tests: run the board in its own process and drive Debian's chromium (Playwright).

`start_server(db_path, env)` starts `python dashboard.py` (as `make run` does) on a free port against a
store and yields the base URL; `launch_browser()` yields a Playwright chromium that uses
/usr/bin/chromium (never a downloaded browser). Both clean up after themselves.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


ANALYST_PASSWORD = "hemmelig"
TIMEOUT = 90_000  # ms: the first page of a fresh server opens the store and evaluates the plan


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def start_server(
    db_path: Path | str,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
    script: Path | str | None = None,
) -> Iterator[str]:
    """The board on http://localhost:<port>, on the given store; stopped (its process group) after.

    script: another Streamlit script to serve the same way (e.g. an empty page, as a floor)."""
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / f"server-{port}.log").open("w")
    process_env = {**os.environ, "BOARD_DB": str(db_path), **(env or {})}
    process = subprocess.Popen(
        [
            sys.executable,
            *(["-m", "streamlit", "run", str(script)] if script else ["dashboard.py"]),  # as `make run`
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],  # fmt: skip
        cwd=ROOT,
        env=process_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stopping it stops its children
    )
    base = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit stopped (exit {process.returncode}); see {log.name}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer within {timeout} s; see {log.name}")
            time.sleep(0.3)
        yield base
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=5)
        log.close()


@contextmanager
def launch_browser():
    """A headless Playwright chromium on Debian's /usr/bin/chromium."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():  # a failure, not a skip: the browser path must be proven
        raise RuntimeError(f"Debians chromium mangler ({CHROMIUM}): kjør «apt-get install chromium».")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
