"""One clock for the board (analytics.clock): BOARD_TODAY runs the board as of a day, a malformed
value is one Norwegian sentence, nothing judges by the machine's date behind the clock's back,
and the demo ends with the last whole month before the clock's day."""

from __future__ import annotations

import ast
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import catalogue, clock
from loaders.service import Loader
from tests.conftest import ROOT, new_store, write_csv

SENTENCE = "BOARD_TODAY må være en dato på formen ÅÅÅÅ-MM-DD (for eksempel 2026-11-30), ikke «30.11.2026»."


@pytest.mark.backend_free
def test_the_suite_runs_as_of_one_day():
    assert os.environ["BOARD_TODAY"] == os.environ.get("BOARD_TEST_TODAY", "2026-11-30")
    assert clock.today() == dt.date.fromisoformat(os.environ["BOARD_TODAY"])


@pytest.mark.backend_free
def test_board_today_sets_the_day(monkeypatch):
    monkeypatch.setenv("BOARD_TODAY", "2026-06-15")
    assert clock.today() == dt.date(2026, 6, 15)
    monkeypatch.setenv("BOARD_TODAY", " 2027-01-05 ")
    assert clock.today() == dt.date(2027, 1, 5)


@pytest.mark.backend_free
@pytest.mark.parametrize("value", [None, "", "  "])
def test_without_board_today_the_day_is_the_machines(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("BOARD_TODAY")
    else:
        monkeypatch.setenv("BOARD_TODAY", value)
    before = dt.date.today()
    day = clock.today()
    assert day in {before, dt.date.today()}  # midnight may pass between the two readings


@pytest.mark.backend_free
@pytest.mark.parametrize("value", ["30.11.2026", "2026-02-30", "i går", "2026-13-01"])
def test_a_malformed_board_today_is_one_norwegian_sentence(monkeypatch, value):
    monkeypatch.setenv("BOARD_TODAY", value)
    with pytest.raises(ValueError) as raised:
        clock.today()
    assert isinstance(raised.value, clock.ClockError)
    assert str(raised.value) == SENTENCE.replace("30.11.2026", value)


def _child(args: list[str], board_today: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BOARD_TODAY": board_today}
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.backend_free
@pytest.mark.parametrize("args", [["-m", "loaders", "log"], ["-m", "loaders", "demo"], ["dashboard.py"]])
def test_the_cli_and_the_board_say_the_sentence_without_traceback(args):
    done = _child(args, "30.11.2026")
    assert done.returncode == 1
    noise = ("nanobind", " WARNING streamlit.")  # streamlit's own start-up warnings (python dashboard.py)
    lines = [line for line in done.stderr.splitlines() if line.strip() and not any(n in line for n in noise)]
    assert lines == [SENTENCE], done.stderr
    assert done.stdout == ""


@pytest.mark.backend_free
def test_the_board_page_shows_the_sentence(monkeypatch):
    monkeypatch.setenv("BOARD_TODAY", "30.11.2026")
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [SENTENCE]


def test_a_day_set_by_board_today_is_named_on_every_page(app, monkeypatch):
    """Run as of another day, the board says so in the sidebar; as of the machine's date (or
    without BOARD_TODAY), it says nothing."""
    other = dt.date.today() - dt.timedelta(days=40)
    monkeypatch.setenv("BOARD_TODAY", other.isoformat())
    assert clock.fixed_day() == other
    shown = [c.value for c in app("pages/plan.py").sidebar.caption]
    assert any(other.strftime("%d.%m.%Y") in text and "BOARD_TODAY" in text for text in shown), shown
    monkeypatch.setenv("BOARD_TODAY", dt.date.today().isoformat())
    assert clock.fixed_day() is None
    monkeypatch.delenv("BOARD_TODAY")
    assert clock.fixed_day() is None
    assert not any("BOARD_TODAY" in c.value for c in app("pages/plan.py").sidebar.caption)


# -- the guard: nothing reads the machine's date as "today" behind the clock -----------------

GUARDED = ["analytics", "loaders", "pages", "ui", "safety", "dashboard.py", "data/sample/make_demo.py"]
# (file, function) -> why its call of the machine's clock is a real timestamp, not "today".
REAL_TIME = {
    ("analytics/clock.py", "today"): "the clock itself: the machine's date when BOARD_TODAY is not set",
    ("analytics/clock.py", "fixed_day"): "compares BOARD_TODAY with the machine's date, to say it differs",
    ("analytics/plan_overlay.py", "next_period"): "created_at: when the new plan period was made",
    ("analytics/store.py", "Store._log_upload"): "uploaded_at: when the file was loaded",
    ("analytics/store.py", "Store.undo"): "undone_at: when the upload was undone",
    ("analytics/store.py", "Store.record_milestone"): "changed_at: when the milestone was recorded",
    ("analytics/store.py", "Store.record_plan_decisions"): "decided_at: when the plan decision was made",
    ("analytics/store.py", "Store.undo_plan_decision"): "undone_at: when the decision was undone",
    ("analytics/store.py", "Store.save_plan_document"): "saved_at: when the plan document was saved",
    ("analytics/store.py", "Store.remove_plan_document"): "removed_at: when the plan document was removed",
}
CLOCK_CALLS = {"today", "now", "utcnow"}


def clock_calls(source: str) -> list[tuple[str, int, str]]:
    """(enclosing function, line, call) for each `X.today()`, `X.now()` or `X.utcnow()` in the
    source that is not `clock.today()` (date.today, datetime.now, Timestamp.today, …)."""
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, scope: tuple[str, ...]) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            scope = (*scope, node.name)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CLOCK_CALLS
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "clock")
        ):
            found.append((".".join(scope), node.lineno, ast.unparse(node)))
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    visit(ast.parse(source), ())
    return found


def guarded_files() -> list[Path]:
    files: list[Path] = []
    for name in GUARDED:
        path = ROOT / name
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


@pytest.mark.backend_free
def test_the_guard_finds_the_machines_date():
    source = (
        "import datetime as dt\nfrom datetime import date\nimport pandas as pd\n"
        "def f():\n    return dt.date.today()\n"
        "def g():\n    return date.today(), pd.Timestamp.today(), dt.datetime.now().date()\n"
        "def h():\n    return clock.today()\n"
    )
    assert [(scope, call) for scope, _, call in clock_calls(source)] == [
        ("f", "dt.date.today()"),
        ("g", "date.today()"),
        ("g", "pd.Timestamp.today()"),
        ("g", "dt.datetime.now()"),
    ]


@pytest.mark.backend_free
def test_only_the_clock_says_what_day_it_is():
    unexplained, used = [], set()
    for path in guarded_files():
        relative = path.relative_to(ROOT).as_posix()
        for scope, line, call in clock_calls(path.read_text(encoding="utf-8")):
            if (relative, scope) in REAL_TIME:
                used.add((relative, scope))
            else:
                unexplained.append(f"{relative}:{line} {call} (in {scope or 'the module'})")
    assert not unexplained, "use analytics.clock.today() for the board's day: " + "; ".join(unexplained)
    assert set(REAL_TIME) == used, f"allow-list entries that match nothing: {set(REAL_TIME) - used}"


# -- the day reaches the demo and the loader -------------------------------------------------


def test_the_demo_made_as_of_a_day_ends_with_the_month_before_it(tmp_path, monkeypatch):
    monkeypatch.setenv("BOARD_TODAY", "2026-06-15")
    loader = Loader.open(new_store(tmp_path, "demo"))
    try:
        loader.load_demo(tmp_path / "files")
        table = catalogue.overview(loader.board, "ahus").table.set_index("id")
    finally:
        loader.board.store.close()
    assert table.loc["hip_fractures", "Nyeste periode"] == "2026M05"
    assert table.loc["falls_registered", "Nyeste periode"] == "2026M05"
    assert table.loc["iht_patients", "Nyeste periode"] == "2026K1"  # the last whole quarter


def test_a_period_after_the_clocks_day_is_in_the_future(fresh_loader, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "h.csv", "kommune;periode;antall\n3205;2026M07;4\n")
    monkeypatch.setenv("BOARD_TODAY", "2026-06-15")
    problems = fresh_loader.preview(path, "hip_fractures").problem_lines()
    assert any("fram i tid" in line for line in problems), problems
    monkeypatch.setenv("BOARD_TODAY", "2026-08-15")
    assert fresh_loader.preview(path, "hip_fractures").ok
