"""The synthetic-data label when a demo store also holds loaded files (ui.style.demo_banner,
Store.demo_indicators): the label names the indicators whose figures are synthetic, instead
of calling every figure synthetic."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics import config
from analytics.board import open_board
from loaders.service import Loader
from tests.conftest import ROOT, new_store, write_csv


def _banner(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning if config.DEMO_LABEL in w.value)


def test_a_demo_store_is_all_synthetic(demo_board, app):
    """The demo's population tables are loaded as files but made up for the demo: not «loaded»."""
    sources = demo_board.store.figure_sources()
    assert demo_board.store.is_demo() and sources["loaded"].any()
    loaded = set(sources.loc[sources["loaded"], "indicator"])
    assert {demo_board.registry.get(i).counts for i in loaded} == {"population"}
    banner = _banner(app())
    assert "Tallene er laget av et skript" in banner and "blandet" not in banner


def test_a_demo_store_with_a_loaded_file_names_what_is_synthetic(demo_db, tmp_path, monkeypatch):
    db = new_store(tmp_path, "mixed", like=demo_db)
    board = open_board(db)
    rows = "".join(f"3205;2026M{m:02d};{m + 10}\n" for m in range(1, 4))
    report = Loader.for_board(board).ingest(
        write_csv(tmp_path / "ekte.csv", f"Kommune;Periode;Antall\n{rows}"), "hip_fractures"
    )
    assert report.ok, report.problem_lines()
    sources = board.store.figure_sources().set_index("indicator")
    # the loaded file replaced three of hip_fractures' demo cells; its other cells are still demo
    assert sources.loc["hip_fractures", "loaded"] and sources.loc["hip_fractures", "demo"]
    assert not sources.loc["fall_injury_admissions", "loaded"]
    board.store.close()

    monkeypatch.setenv("BOARD_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    assert not at.exception
    banner = _banner(at)
    assert "blandet med innlastede tall" in banner
    assert (
        "innlastede filer finnes for «Antall hoftebrudd»; resten av tallene er laget av et skript" in banner
    )
    assert "Folkemengde" not in banner  # the demo's made-up population tables are not «loaded»


@pytest.mark.parametrize("undo", [False, True])
def test_figure_sources_follow_uploads_and_undo(fresh_loader, tmp_path, undo):
    rows = "".join(f"3205;2026M{m:02d};{m + 10}\n" for m in range(1, 4))
    report = fresh_loader.ingest(
        write_csv(tmp_path / "ekte.csv", f"Kommune;Periode;Antall\n{rows}"), "hip_fractures"
    )
    assert report.ok
    if undo:
        fresh_loader.undo(report.result.upload_id)
    sources = fresh_loader.board.store.figure_sources()
    assert sources.to_dict("records") == (
        [] if undo else [{"indicator": "hip_fractures", "demo": False, "loaded": True}]
    )
