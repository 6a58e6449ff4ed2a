"""Every page on both backends: the demo store as a DuckDB file and the same store copied into
PostgreSQL (`loaders copy`) show the same text on every page of dashboard.PAGES, and judge both
plans the same (issue 16: pages and analytics do not know which backend they run on)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import clock
from analytics.board import open_board
from analytics.evaluate import evaluate_plan
from loaders.service import copy_store
from tests import support
from tests.conftest import visible_text

ROOT = Path(__file__).resolve().parent.parent
PAGES = [path for path, *_ in support.dashboard_pages()]
TODAY = clock.today()
pytestmark = pytest.mark.own_backends  # compares a DuckDB file with its copy on the test cluster


@pytest.fixture(scope="module")
def stores(demo_duckdb: Path, pg_cluster, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The demo store: a private DuckDB copy (the session's board holds the original open) and
    the same copied into a fresh PostgreSQL schema."""
    duck = support.copy_store(demo_duckdb, tmp_path_factory.mktemp("backends") / "demo.duckdb")
    url = pg_cluster.new_schema()
    copy_store(duck, url)
    return {"duckdb": str(duck), "postgres": url}


def rendered(page: str, db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The page's visible text on the store `db`, with the store's own name (a file path or a
    server address, which some pages show) written as «<database>»."""
    monkeypatch.setenv("BOARD_DB", db)
    monkeypatch.delenv("BOARD_READ_DB", raising=False)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, f"{page} on {db}: {at.exception}"
    return visible_text(at).replace(db, "<database>")


@pytest.mark.parametrize("page", PAGES)
def test_a_page_shows_the_same_on_both_backends(page, stores, monkeypatch):
    duck = rendered(page, stores["duckdb"], monkeypatch)
    postgres = rendered(page, stores["postgres"], monkeypatch)
    assert duck.strip(), f"{page} shows nothing"
    assert postgres.splitlines() == duck.splitlines()


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_both_plans_are_judged_the_same_on_both_backends(partnership, stores):
    boards = {name: open_board(db) for name, db in stores.items()}
    try:
        judged = {name: evaluate_plan(board, partnership, TODAY) for name, board in boards.items()}
    finally:
        for board in boards.values():
            board.store.close()
    assert judged["duckdb"].criteria, "the demo plan has criteria to judge"
    assert judged["postgres"] == judged["duckdb"]
