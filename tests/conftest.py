"""Shared fixtures: a demo store built once per test session, fresh stores, page runners."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.board import Board, open_board
from loaders.service import Loader

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store filled with the synthetic demo data, exactly as `make run` fills it."""
    directory = tmp_path_factory.mktemp("demo")
    db = directory / "demo.duckdb"
    loader = Loader.open(db)
    loader.load_demo(directory / "files")
    loader.board.store.close()
    return db


@pytest.fixture(scope="session")
def demo_board(demo_db: Path) -> Board:
    return open_board(demo_db)


@pytest.fixture(scope="session")
def demo_files(demo_db: Path) -> Path:
    return demo_db.parent / "files"


@pytest.fixture()
def empty_loader(tmp_path: Path) -> Loader:
    """A new, empty store with the reference data loaded."""
    loader = Loader.open(tmp_path / "empty.duckdb")
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
