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


def test_a_chart_of_loaded_figures_only_is_not_labelled_synthetic(demo_db, tmp_path):
    """catalogue.synthetic_figures: on a demo store, a chart of an indicator whose every figure
    a loaded file replaced carries no demo label (on the page's PNG and the deck's chart); an
    indicator with demo figures keeps it."""
    db = new_store(tmp_path, "mixed", like=demo_db)
    board = open_board(db)
    names = {
        "ahus-kongsvinger": "Kongsvingerregionen",
        "ahus-nedre-romerike": "Nedre Romerike",
        "ahus-oslo": "Oslo-bydelene",
        "ahus-follo": "Follo",
        "ahus-ovre-romerike": "Øvre Romerike",
    }
    stored = board.store.facts(["fact_young_teams"])
    assert stored["unit_id"].nunique() == 5 and len(stored) == 55
    # every value differs from the demo's (0 or 1), so every figure is the file's: an unchanged
    # row would keep its demo upload
    rows = "".join(
        f"{names[r.unit_id]};{r.period_start.year}K{(r.period_start.month - 1) // 3 + 1};{1 - int(r.value)}\n"
        for r in stored.itertuples()
    )
    report = Loader.for_board(board).ingest(
        write_csv(tmp_path / "team.csv", f"Region;Kvartal;Antall\n{rows}"), "fact_young_teams"
    )
    assert report.ok, report.problem_lines()
    assert report.result.replaced == 55
    from analytics import catalogue

    assert catalogue.loaded_only(board) == ["fact_young_teams"]
    assert not catalogue.synthetic_figures(board, ["fact_young_teams"])
    assert catalogue.synthetic_figures(board, ["hip_fractures"])  # all demo
    assert catalogue.synthetic_figures(board, ["fact_young_teams", "hip_fractures"])
    board.store.close()


def test_the_deck_labels_each_chart_by_its_figures(demo_board, monkeypatch):
    """The deck asks catalogue.synthetic_figures per chart: m07's chart (FACT ung patients) as if
    a file had replaced all its figures, m11's (fall injuries) all demo."""
    from analytics import catalogue, deck

    monkeypatch.setattr(catalogue, "loaded_only", lambda board: ["fact_young_patients"])
    measures = [m for m in demo_board.plan("ahus").measures if m.id in ("m07", "m11")]
    charts = deck._chart_requests(demo_board, "ahus", measures, lambda m: object(), True)
    labels = {indicator.id: request.demo for _, indicator, request in charts}
    assert labels == {"fact_young_patients": False, "fall_injury_admissions": True}
    charts = deck._chart_requests(demo_board, "ahus", measures, lambda m: object(), False)
    assert not any(request.demo for _, _, request in charts)


def test_no_label_without_demo_data(fresh_loader):
    from analytics import catalogue

    assert not catalogue.synthetic_figures(fresh_loader.board, ["hip_fractures"])
