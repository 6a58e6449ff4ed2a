"""Shared fixtures: a demo store built once per test session, fresh stores, page runners."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import datacache
from analytics.board import Board, open_board
from loaders.service import Loader

ROOT = Path(__file__).resolve().parent.parent


class RulePatch(pytest.MonkeyPatch):
    """pytest's monkeypatch that also empties analytics.datacache (judgements and series kept
    per process and data version) when a test replaces anything in an ``analytics`` module (a
    rule, a threshold, a reader), and again when the test ends: no test reads a judgement
    computed under another test's rules, and none leaves its own behind. Environment, paths
    and other modules are patched as before, and the cache is kept."""

    replaced_analytics = False

    def setattr(self, target, *args, **kwargs) -> None:
        super().setattr(target, *args, **kwargs)
        self._forget_if_analytics(target)

    def delattr(self, target, *args, **kwargs) -> None:
        super().delattr(target, *args, **kwargs)
        self._forget_if_analytics(target)

    def undo(self) -> None:
        super().undo()
        if self.replaced_analytics:
            datacache.clear()
            self.replaced_analytics = False

    def _forget_if_analytics(self, target: object) -> None:
        if isinstance(target, str):
            module = target
        elif isinstance(target, ModuleType):
            module = target.__name__
        else:
            module = getattr(target, "__module__", None) or type(target).__module__
        if module == "analytics" or module.startswith("analytics."):
            datacache.clear()
            self.replaced_analytics = True


@pytest.fixture
def monkeypatch():
    """RulePatch in place of pytest's own (every test and fixture that asks for it)."""
    patch = RulePatch()
    yield patch
    patch.undo()


# No test may touch the user's own store (data/indicators.duckdb): anything that opens the
# default store, here or in a subprocess, gets an empty file of its own instead.
os.environ["BOARD_DB"] = str(Path(tempfile.mkdtemp(prefix="board-tests-")) / "default.duckdb")
# One day for the whole suite (analytics.clock): the demo ends with the last whole month before
# it and every verdict is judged as of it, here and in the processes tests start (the board in a
# browser test, the loaders CLI), so the suite gives the same results on every day it runs.
# 2026-11-30 is the day the suite's expectations were last confirmed. BOARD_TEST_TODAY runs the
# suite as of another day, to see which expectations rest on the day before moving this one.
TODAY = "2026-11-30"
os.environ["BOARD_TODAY"] = os.environ.get("BOARD_TEST_TODAY") or TODAY
# No background warming (analytics.warming) unless a test turns it on: it would fill the caches
# a test counts, and keep the processor busy beside it.
os.environ["BOARD_WARM_SECONDS"] = "0"


# -- the backend a pass runs on ------------------------------------------------------------
#
# `make test` runs the suite twice: on DuckDB files (the default), then with
# BOARD_TEST_BACKEND=postgres, where every store a test makes through `new_store` (and the
# fixtures below) is a fresh schema on one throwaway cluster. Three markers say which tests
# the PostgreSQL pass leaves out (`-m "not backend_free and not duckdb_file and not
# own_backends"`, see the Makefile):
#   backend_free  the test (as a rule its whole module, by pytestmark) never opens a store:
#                 pure statistics, file reading, formatting; running it twice proves nothing.
#                 Checked: in the DuckDB pass such a test fails if it opens a Store (see
#                 _backend_free_check; tests/test_pass_markers.py).
#   duckdb_file("reason")  the test is about the DuckDB file itself (read-only opening, the
#                 file lock, a damaged file, `copy --from x.duckdb`): DuckDB only.
#   own_backends  the test makes the stores it is about itself on the test cluster (pg_cluster:
#                 replicas, copies, migrations, a DuckDB file beside its PostgreSQL copy), so
#                 it runs once, in the DuckDB pass. Checked: a test that takes pg_cluster
#                 without it is a collection error.

BACKEND = os.environ.get("BOARD_TEST_BACKEND", "duckdb")
if BACKEND not in ("duckdb", "postgres"):
    raise RuntimeError(f"BOARD_TEST_BACKEND={BACKEND!r}: use duckdb or postgres")

_cluster = None


def cluster():
    """The session's throwaway PostgreSQL cluster (tests/pg_cluster.py), started on first use
    and stopped when the session ends; never skipped: `.ci/run` and `make test` install the
    server when it is missing."""
    global _cluster
    if _cluster is None:
        from tests.pg_cluster import Cluster

        _cluster = Cluster().start()
    return _cluster


def pytest_sessionfinish(session, exitstatus) -> None:
    if _cluster is not None:
        _cluster.stop()


def pytest_configure(config) -> None:
    if BACKEND == "postgres":  # the default store (BOARD_DB, above) is on the pass's backend too
        os.environ["BOARD_DB"] = cluster().new_schema()
    config.addinivalue_line(
        "markers", "backend_free: the test never opens a store; the PostgreSQL pass leaves it out"
    )
    config.addinivalue_line(
        "markers", "duckdb_file(reason): the test is about the DuckDB file itself; DuckDB pass only"
    )
    config.addinivalue_line(
        "markers", "own_backends: the test makes its PostgreSQL stores itself (pg_cluster); DuckDB pass only"
    )


def pytest_collection_modifyitems(config, items) -> None:
    unmarked = [
        item.nodeid
        for item in items
        if "pg_cluster" in getattr(item, "fixturenames", ())
        and item.get_closest_marker("own_backends") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "These tests take pg_cluster without @pytest.mark.own_backends (they would run in both "
            "passes; a test of the pass's own backend takes store_target or new_store): "
            + ", ".join(unmarked)
        )


def new_store(tmp_path: Path, name: str, like: Path | str | None = None) -> Path | str:
    """A new store for one test, on the pass's backend: the DuckDB file `tmp_path/<name>.duckdb`,
    or (BOARD_TEST_BACKEND=postgres) a fresh schema's postgresql:// URL on the session cluster.
    With `like` (a store of the same backend, e.g. demo_db), the new store is a copy of it,
    which the test may change. Both kinds work as BOARD_DB, open_board, Loader.open."""
    if BACKEND == "duckdb":
        path = tmp_path / f"{name}.duckdb"
        if like is not None:
            from tests.support import copy_store

            copy_store(Path(like), path)
        return path
    url = cluster().new_schema()
    if like is not None:
        from loaders.service import copy_store

        copy_store(like, url)
    return url


def query(target: Path | str, sql: str, params: Sequence = ()) -> list[tuple]:
    """The rows of one SELECT ('?' placeholders) on the store `target`, either backend, through
    the Store contract's cursor; the store is closed again (a DuckDB file is free after)."""
    from analytics.store import open_store

    store = open_store(target)
    try:
        with store.cursor() as cur:
            return cur.execute(sql, list(params)).fetchall()
    finally:
        store.close()


@pytest.fixture(autouse=True)
def _backend_free_check(request, monkeypatch):
    """A test in a `backend_free` module must not open a store: the PostgreSQL pass leaves it
    out, so a store it opened would be tested on DuckDB only. Every Store made (either
    backend, by open_store or directly) is recorded, and the test fails if there was one."""
    if request.node.get_closest_marker("backend_free") is None:
        yield
        return
    from analytics.store import Store
    from analytics.store_pg import PostgresStore

    opened: list[str] = []
    for cls in (Store, PostgresStore):
        original = cls.__init__

        def recording(self, target, *args, _original=original, **kwargs):
            opened.append(str(target))
            _original(self, target, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", recording)
    yield
    if opened:
        pytest.fail(f"backend_free, men testen åpnet et lager: {', '.join(opened)}", pytrace=False)


@pytest.fixture(scope="session")
def pg_cluster():
    """The session's PostgreSQL cluster (see `cluster`), for the tests about PostgreSQL itself."""
    return cluster()


@pytest.fixture
def store_target(tmp_path: Path) -> str:
    """A new, empty store on the pass's backend: a DuckDB file, or a fresh schema on the test
    cluster (BOARD_TEST_BACKEND=postgres). `make test` runs both passes, so what a test that
    takes it checks holds on both."""
    return str(new_store(tmp_path, "store"))


@pytest.fixture(scope="session")
def demo_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store as a DuckDB file, exactly as `make run` fills it (built once per session);
    the demo's files are in its folder's `files`."""
    directory = tmp_path_factory.mktemp("demo")
    db = directory / "demo.duckdb"
    loader = Loader.open(db)
    loader.load_demo(directory / "files")
    loader.board.store.close()
    return db


@pytest.fixture(scope="session")
def demo_db(demo_duckdb: Path) -> Path | str:
    """The demo store on the pass's backend: the DuckDB file, or (postgres) one copy of it in a
    schema of its own, made once per session. Tests that change it copy it first:
    new_store(tmp_path, name, like=demo_db)."""
    if BACKEND == "duckdb":
        return demo_duckdb
    from loaders.service import copy_store

    url = cluster().new_schema()
    copy_store(demo_duckdb, url)
    return url


@pytest.fixture(scope="session")
def demo_board(demo_db: Path | str) -> Board:
    return open_board(demo_db)


@pytest.fixture(scope="session")
def demo_files(demo_duckdb: Path) -> Path:
    return demo_duckdb.parent / "files"


@pytest.fixture()
def empty_loader(tmp_path: Path) -> Loader:
    """A new, empty store with the reference data loaded."""
    loader = Loader.open(new_store(tmp_path, "empty"))
    yield loader
    loader.board.store.close()


@pytest.fixture()
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    """Run the board (dashboard.py) against the demo store, optionally on one page."""
    monkeypatch.setenv("BOARD_DB", str(demo_db))
    monkeypatch.chdir(ROOT)

    def run(page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        return at

    return run


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _strings(value: object) -> list[str]:
    """Every string inside a JSON-like value (a plotly figure spec)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def visible_text(at: AppTest, skip_keys: tuple[str, ...] = ()) -> str:
    """All text a person can see on a run page, main area and sidebar, one item per line.

    Titles, headers, Markdown, captions, alerts, metrics, tables (column names and cells),
    widget labels and options, expander and tab labels, buttons, and every string in the
    plotly charts (titles, trace names, axis labels, hover texts). Widgets whose key is in
    `skip_keys` are left out (e.g. the partnership switcher, which lists every partnership).
    """
    import json  # local: this helper is appended to the fixtures module as-is

    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "code", "latex"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for kind in ("info", "warning", "error", "success", "exception"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for metric in at.metric:
        parts += [str(metric.label), str(metric.value), str(metric.delta or "")]
    for frame in [*at.dataframe, *at.table]:
        value = frame.value
        parts += [str(c) for c in value.columns] + value.astype(str).to_numpy().ravel().tolist()
    for kind in ("selectbox", "multiselect", "radio", "select_slider"):
        for widget in getattr(at, kind):
            if widget.key in skip_keys:
                continue
            parts += [str(widget.label), *[str(o) for o in widget.options]]
    for kind in ("text_input", "text_area", "number_input", "date_input", "checkbox", "toggle"):
        parts += [str(w.label) for w in getattr(at, kind) if w.key not in skip_keys]
    parts += [str(e.label) for e in [*at.expander, *at.tabs]]
    parts += [str(b.label) for b in at.button if b.key not in skip_keys]
    parts += [str(b.proto.label) for b in at.get("download_button")]
    for chart in at.get("plotly_chart"):
        parts += _strings(json.loads(chart.proto.spec))
    return "\n".join(parts)


# -- loader fixtures (files in: reading, checking, loading) ----------------------------------

CORPUS = ROOT / "tests" / "files"


@pytest.fixture(scope="session")
def corpus() -> dict:
    """tests/files/expected.yaml: each corpus file with its export rows or its refusal."""
    import yaml  # local: appended to the shared fixtures as-is

    return yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def board_context():
    """Registry, plans, units and code map, read once per session."""
    from analytics.board import load_context

    return load_context()


@pytest.fixture()
def fresh_loader(board_context, store_target: str) -> Loader:
    """A new store (each backend) with only the reference data, without reading the plans again."""
    from analytics.board import Board
    from analytics.store import open_store

    registry, plans, units, code_map = board_context
    store = open_store(store_target)
    store.sync_reference(units, code_map)
    loader = Loader.for_board(Board(registry=registry, plans=plans, units=units, store=store))
    yield loader
    store.close()


def export_lines(loader: Loader, indicator: str | None = None) -> list[str]:
    """What `python -m loaders export --raw` prints (the numbers as stored), as lines."""
    import io

    out = io.StringIO()
    loader.export_csv(out, indicator, raw=True)
    return out.getvalue().splitlines()


def store_state(store) -> tuple:
    """Everything an upload can change (facts, history, log), to prove nothing did."""
    tables = ("facts", "fact_history", "uploads")
    return tuple(
        tuple(sorted(map(tuple, store.read_table(t).astype(str).to_numpy().tolist()))) for t in tables
    )


def fact_rows(
    values: dict[str, float | None],
    months: Sequence[dt.date] = (dt.date(2024, 1, 1),),
    indicator: str = "hip_fractures",
    source: str = "NPR",
) -> pd.DataFrame:
    """Facts as Store.ingest takes them: one row per unit and month; None is a suppressed cell."""
    return pd.DataFrame(
        [
            {
                "indicator": indicator,
                "unit_id": unit,
                "period_start": month,
                "grain": "month",
                "value": value,
                "numerator": None,
                "denominator": None,
                "suppressed": value is None,
                "source": source,
            }
            for unit, value in values.items()
            for month in months
        ]
    )


def run_cli(*args: str, env: dict | None = None, timeout: float = 120):
    """`python -m loaders ...` in a child process, as a scheduled job runs it."""
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "loaders", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# -- the real server and a browser (tests/test_browser_*.py) ---------------------------------


@pytest.fixture(scope="module")
def board_url(demo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """The board in its own process, on a copy of the demo store (the test process holds the
    original open, and DuckDB lets one process write a file), with an analyst password."""
    from tests.browser_support import ANALYST_PASSWORD, start_server

    copy = new_store(tmp_path_factory.mktemp("browser"), "board", like=demo_db)
    with start_server(copy, {"BOARD_ANALYST_PASSWORD": ANALYST_PASSWORD}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from tests.browser_support import launch_browser

    with launch_browser() as browser:
        yield browser


@pytest.fixture()
def page(browser):
    from tests.browser_support import TIMEOUT

    context = browser.new_context(
        viewport={"width": 1500, "height": 1100}, accept_downloads=True, locale="nb-NO"
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    yield page
    context.close()
