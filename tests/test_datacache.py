"""analytics.datacache: values kept per store and data version, shared across boards, dropped
when the data change, and never shared between boards with another plan."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import datacache, evaluate
from analytics.board import open_board
from analytics.matrix import status_matrix

TODAY = dt.date(2026, 11, 30)


class _Store:
    def __init__(self, path: str) -> None:
        self.path = path
        self.version = "1"

    def data_version(self) -> str:
        return self.version


class _Board:
    def __init__(self, store: _Store, units) -> None:
        import pandas as pd

        from analytics.registry import load_registry

        self.store = store
        self.units = pd.DataFrame({"unit_id": units})
        self.registry = load_registry()


@pytest.fixture(autouse=True)
def _fresh():
    datacache.clear()
    yield
    datacache.clear()


def test_a_value_is_computed_once_per_data_version():
    board = _Board(_Store("/tmp/a.duckdb"), ["0301"])
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert datacache.cached(datacache.board_key(board), "x", compute) == 1
    assert datacache.cached(datacache.board_key(board), "x", compute) == 1
    board.store.version = "2"  # an upload, undo, milestone or decision
    assert datacache.cached(datacache.board_key(board), "x", compute) == 2
    assert len(calls) == 2


def test_boards_with_other_units_or_stores_do_not_share():
    first = _Board(_Store("/tmp/a.duckdb"), ["0301"])
    other_units = _Board(_Store("/tmp/a.duckdb"), ["0301", "3201"])
    other_store = _Board(_Store("/tmp/b.duckdb"), ["0301"])
    datacache.cached(datacache.board_key(first), "x", lambda: "first")
    assert datacache.cached(datacache.board_key(other_units), "x", lambda: "units") == "units"
    assert datacache.cached(datacache.board_key(other_store), "x", lambda: "store") == "store"
    assert datacache.cached(datacache.board_key(first), "x", lambda: "again") == "first"


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(datacache, "MAX_ENTRIES", 3)
    board = _Board(_Store("/tmp/a.duckdb"), ["0301"])
    key = datacache.board_key(board)
    for i in range(5):
        datacache.cached(key, i, lambda i=i: i)
    assert datacache.cached(key, 0, lambda: "recomputed") == "recomputed"
    assert datacache.cached(key, 4, lambda: "recomputed") == 4


def test_a_second_board_on_the_same_store_reuses_the_evaluation(demo_db, demo_board):
    first = evaluate.evaluate_plan(demo_board, "lovesa", TODAY)
    again = open_board(demo_db)  # as after Streamlit's caches are cleared
    assert evaluate.evaluate_plan(again, "lovesa", TODAY) is first
    # The series read for it are shared too: a new evaluation object reads nothing again.
    rows = evaluate._Rows(again)
    indicator = demo_board.registry.get("hip_fractures")
    units = tuple(demo_board.member_ids("lovesa"))
    assert rows.get(indicator, units) is evaluate._Rows(demo_board).get(indicator, units)


def test_another_plan_on_the_same_store_is_judged_anew(demo_db, demo_board):
    matrix = status_matrix(demo_board, "lovesa", TODAY)
    other = open_board(demo_db)
    plan = other.plan("lovesa")
    measure, criterion = next((m, c) for m, c in plan.criteria if c.kind.value == "trend" and c.indicators)
    changed = plan.model_copy(deep=True)
    changed_criterion = next(c for m, c in changed.criteria if c.id == criterion.id)
    object.__setattr__(changed_criterion, "text", "Endret tekst")
    other.plan = lambda partnership: changed  # a board whose plan differs (e.g. a decision in memory)
    again = status_matrix(other, "lovesa", TODAY)
    assert again is not matrix
    assert "Endret tekst" in [c.text for c in again.columns]


def test_replacing_an_analytics_rule_in_a_test_forgets_the_kept_judgements(monkeypatch):
    """tests/conftest.py's monkeypatch: a test that replaces something in analytics never
    reads a value kept before it, and leaves none behind; other patches keep the cache."""
    from analytics import config

    board = _Board(_Store("/tmp/a.duckdb"), ["0301"])
    key = datacache.board_key(board)
    datacache.cached(key, "x", lambda: "kept")
    monkeypatch.setenv("BOARD_TEST_SOMETHING", "1")
    monkeypatch.setattr("os.sep", "/")
    assert datacache.peek(key, "x") == "kept"
    monkeypatch.setattr(config, "SUPPRESSION_THRESHOLD", 10)
    assert datacache.peek(key, "x") is None
    datacache.cached(key, "x", lambda: "under the replaced rule")
    monkeypatch.undo()
    assert config.SUPPRESSION_THRESHOLD != 10 and datacache.peek(datacache.board_key(board), "x") is None
    datacache.cached(key, "x", lambda: "kept")
    monkeypatch.setattr(evaluate.judge, "__doc__", "x")  # an object from an analytics module
    assert datacache.peek(key, "x") is None


def test_rows_read_for_all_members_at_once_equal_each_members_own_read(demo_board):
    """series.load_rows_each (the matrix's one read per indicator) gives each municipality what
    load_rows gives it alone: rows, judging grain, population note and file totals."""
    import pandas as pd

    from analytics import series

    units = demo_board.member_ids("ahus")
    checked = 0
    for indicator_id in ("falls_registered", "hip_fractures", "dho_included_patients", "iht_patients"):
        indicator = demo_board.registry.get(indicator_id)
        together = series.load_rows_each(demo_board, indicator, units)
        assert sorted(together) == sorted(units)
        for unit in units:
            alone = series.load_rows(demo_board, indicator, [unit])
            mine = together[unit]
            pd.testing.assert_frame_equal(mine.rows, alone.rows)
            assert (mine.indicator.grain, mine.population_note, mine.grain_note) == (
                alone.indicator.grain,
                alone.population_note,
                alone.grain_note,
            )
            assert (mine.totals is None) == (alone.totals is None)
            checked += int(alone.population_note is not None)
    assert checked  # some members' rows carry a population note (those are not cut from the partnership's)


def test_the_matrix_reads_each_indicator_for_all_members_together(demo_db, monkeypatch):
    """Not a few reads per municipality: the Ahus matrix once read rated rows 119 times."""
    from collections import Counter

    from analytics.store import Store

    board = open_board(demo_db)
    reads = []
    original = Store.unit_series

    def counted(self, indicator, unit_ids, kind, grain, native=None):
        reads.append((indicator, len(unit_ids), grain))
        return original(self, indicator, unit_ids, kind, grain, native)

    monkeypatch.setattr(Store, "unit_series", counted)
    matrix = status_matrix(board, "ahus", TODAY)
    members = len(board.member_ids("ahus"))
    per_indicator = Counter(r[0] for r in reads)
    assert len(matrix.cells) and per_indicator
    # Per indicator: the partnership's read and the members' read, at its grain and per year.
    assert max(per_indicator.values()) <= 4 < members


class _Plan:
    def __init__(self, text: str) -> None:
        self.text = text

    def model_dump_json(self) -> str:
        return self.text


def _judge(board, partnership, plan, today):  # a plan judgement that takes no as_of
    return (partnership, plan.text, today)


def test_a_plan_judgement_is_kept_under_its_own_arguments_and_found_by_the_same_key(monkeypatch):
    """judged_plan passes the arguments after the partnership through (a function that takes
    no as_of is not given one) and keeps the value under them; kept_judged_plan finds it under
    the same ones only. Both build the key with one helper (datacache._plan_key)."""
    board = _Board(_Store("/tmp/a.duckdb"), ["0301"])
    board.plan = lambda partnership: _Plan(f"plan of {partnership}")
    keys = []
    plan_key = datacache._plan_key

    def spy(*args):
        keys.append(plan_key(*args))
        return keys[-1]

    monkeypatch.setattr(datacache, "_plan_key", spy)
    value = datacache.judged_plan(board, _judge, "ahus", TODAY)
    assert value == ("ahus", "plan of ahus", TODAY)
    assert datacache.kept_judged_plan(board, _judge, "ahus", TODAY) is value
    assert keys[0] == keys[1]  # one key, built in one place
    assert datacache.kept_judged_plan(board, _judge, "ahus", TODAY - dt.timedelta(days=1)) is None
    assert datacache.kept_judged_plan(board, _judge, "lovesa", TODAY) is None
    board.plan = lambda partnership: _Plan("another plan")  # e.g. a decision: not the kept value
    assert datacache.kept_judged_plan(board, _judge, "ahus", TODAY) is None


def test_finished_background_jobs_are_pruned_and_a_failure_stays_known():
    """One job per partnership and day: finished ones are dropped when the next one starts (the
    table would grow for months), while «failed» still answers for a job that raised."""

    def fail():
        raise RuntimeError("x")

    datacache.in_background(("job", 1), lambda: None)
    datacache.in_background(("job", 2), fail)
    datacache.wait()
    datacache.in_background(("job", 3), lambda: None)
    datacache.wait()
    assert set(datacache._JOBS) == {("job", 3)}
    assert datacache.failed(("job", 2)) and not datacache.failed(("job", 1))


def test_native_checks_kept_per_data_version_are_asked_once_and_answer_as_the_store(demo_board, monkeypatch):
    """series.check_native asks the store once for every indicator's native check (Kommune's
    first view read thirty indicators, each asking alone); series.native_read then answers from
    the cache, each as the store's own check asked alone (Store.native_grains of one pair)."""
    from analytics import series

    datacache.clear()
    indicators = [i for i in demo_board.registry.indicators if i.grain in ("month", "quarter", "year")]
    assert len(indicators) > 5
    asked: list[list[tuple[str, str]]] = []
    ask = type(demo_board.store).native_grains
    monkeypatch.setattr(
        type(demo_board.store),
        "native_grains",
        lambda self, pairs: asked.append(list(pairs)) or ask(self, pairs),
    )
    series.check_native(demo_board, indicators)
    assert len(asked) == 1 and len(asked[0]) == len({i.id for i in indicators})
    answers = {i.id: series.native_read(demo_board, i.id, i.grain) for i in indicators}
    assert len(asked) == 1  # kept: nothing asked again
    series.check_native(demo_board, indicators)
    assert len(asked) == 1
    for indicator in indicators:
        assert (
            answers[indicator.id]
            == ask(demo_board.store, [(indicator.id, indicator.grain)])[(indicator.id, indicator.grain)]
        )
    # A grain not asked together is asked alone when read (a monthly series read per quarter).
    assert series.native_read(demo_board, "hip_fractures", "quarter") is False
    assert asked[1:] == [[("hip_fractures", "quarter")]]
    datacache.clear()
