"""`make bench`'s loader part runs and prints every figure the closing notes quote."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# backend_free: the bench makes its own DuckDB stores in a child process, whatever the pass.
pytestmark = pytest.mark.backend_free

ROWS = 3000


def test_loader_bench_prints_each_measurement_and_the_ratios():
    done = subprocess.run(
        [sys.executable, "-m", "loaders.bench", "--rows", f"{ROWS},{2 * ROWS}", "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout

    def seconds(label: str) -> float:
        found = re.search(rf"{re.escape(label)}[^\n]*?(\d+\.\d+) s", out)
        assert found, f"no figure for «{label}» in:\n{out}"
        return float(found[1])

    assert seconds("ours   ingest") > 0  # a file of 3 000 rows still takes a few milliseconds
    for label in (
        "ours   ingest",
        "bare   DuckDB read_csv",
        "pandas read_csv + insert",
        "transcoding",
        "read into memory",
        "finished facts into the store",
    ):
        assert seconds(label) >= 0  # printed, as a number (a tiny file may round to 0.00)
    # ours loaded every row of the generated file, not a refusal or a part of it
    assert f"({ROWS:,} facts)" in out and f"({2 * ROWS:,} facts)" in out, out
    # at each size: ours as a ratio to the floor measured in the same run, and the peak RSS
    for size in ("0.003", "0.006"):
        assert re.search(rf"{size} M rows: ours [\d.]+× the floor \(goal ≤ 1\.5×\), peak RSS \d+ MB", out), (
            out
        )
    assert re.search(r"peak RSS grows -?\d+ MB per million rows", out)
    assert re.search(r"ours / bare DuckDB = [\d.]+×; pandas / ours = [\d.]+×", out)


def test_the_server_bench_says_how_long_two_merges_wrote_at_once_and_the_later_waited():
    """bench_servers.merge_overlap: from the loads' wall-clock moments (write locks asked for,
    held, committed), the seconds both merges held their locks and the later one's wait."""
    from tests.bench_servers import merge_overlap

    one = {"merge": {"asked": 10.0, "locked": 10.5, "done": 16.0}}
    turns = {"merge": {"asked": 11.0, "locked": 16.0, "done": 20.0}}  # waited for `one`
    beside = {"merge": {"asked": 11.0, "locked": 11.25, "done": 14.0}}
    assert merge_overlap([turns, one]) == (0.0, 5.0)
    assert merge_overlap([one, beside]) == (2.75, 0.25)
    assert merge_overlap([one]) is None and merge_overlap([one, {"seconds": 1.0}]) is None
