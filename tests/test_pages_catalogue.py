"""Datakatalog as people open it (AppTest): coverage for everyone, log and undo for analysts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics import config
from tests.conftest import new_store
from tests.support import dashboard_pages

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/catalogue.py"


def run_page(db: Path, monkeypatch, analyst: bool | None = None, **query: str) -> AppTest:
    """The catalogue on `db`; analyst=None: no login configured (local), else password mode."""
    monkeypatch.setenv("BOARD_DB", str(db))
    monkeypatch.chdir(ROOT)
    if analyst is None:
        monkeypatch.delenv("BOARD_ANALYST_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("BOARD_ANALYST_PASSWORD", "hemmelig")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    if analyst:
        at.session_state["analyst_ok"] = True
        at.session_state["analyst_name"] = "Kari Analytiker"
    at.run()
    at.switch_page(PAGE)
    at.run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def heat_map(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert charts, "no chart on the page"
    return json.loads(charts[0].proto.spec)["data"][0]


def test_everyone_sees_coverage_and_dates(app):
    at = app(PAGE)
    assert not at.exception
    assert at.title[0].value == "Datakatalog"
    shown = metrics(at)
    assert shown["Nyeste periode med data"] != "–" and shown["Siste opplasting"] != "–"
    table = at.dataframe[0].value
    assert "Antall hoftebrudd" in set(table["Indikator"])
    assert {"Verdier", "Skjulte", "Nyeste periode", "Siste opplasting"} <= set(table.columns)
    heat = heat_map(at)
    assert heat["type"] == "heatmap"
    assert "Lillestrøm" in heat["y"] and "Bodø" not in heat["y"]
    assert any("Demodata" in w.value for w in at.warning)
    assert [d for d in at.get("download_button") if "PNG" in d.proto.label]


def test_indicator_comes_from_the_url_and_bad_values_fall_back(app):
    at = app(PAGE, indikator="stemi_pci_120", hf="lovesa")
    assert at.selectbox(key="url_indikator").value == "stemi_pci_120"
    heat = heat_map(at)
    assert "Bodø" in heat["y"] and "Lillestrøm" not in heat["y"]
    assert metrics(at)["Skjult (prikket)"].split()[0] != "0"  # the demo suppresses small counts
    at = app(PAGE, indikator="x' OR 1=1 --")
    assert not at.exception
    assert at.selectbox(key="url_indikator").value == "hip_fractures"


def test_no_data_says_so(app):
    at = app(PAGE, indikator="stemi_pci_120")  # a LoVeSa indicator: nothing for Ahus
    assert not at.exception
    assert any("Ingen tall" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_leaders_see_neither_log_nor_undo(demo_db, monkeypatch):
    at = run_page(demo_db, monkeypatch, analyst=False)
    assert not at.exception
    assert len(at.dataframe) == 1  # the indicator table only
    assert not [b for b in at.button if b.key == "undo_button"]
    assert any("for analytikere" in i.value for i in at.info)


def test_analyst_undoes_an_upload_and_sees_it_at_once(demo_db, tmp_path, monkeypatch):
    db = new_store(tmp_path, "copy", like=demo_db)
    at = run_page(db, monkeypatch, analyst=True)
    assert not at.exception
    log = at.dataframe[1].value
    hip_upload = int(log.loc[log["Fil"] == "npr_hoftebrudd.csv", "Nr."].iloc[0])
    before = at.dataframe[0].value.set_index("Indikator").loc["Antall hoftebrudd", "Verdier"]
    assert before > 0
    at.selectbox(key="undo_choice").set_value(hip_upload).run()
    assert at.button(key="undo_button").disabled  # nothing happens without the confirmation
    at.checkbox(key=f"undo_confirm_{hip_upload}").check().run()
    at.button(key="undo_button").click().run()
    assert not at.exception
    assert any(f"Opplasting {hip_upload} er angret" in s.value for s in at.success)
    assert at.dataframe[0].value.set_index("Indikator").loc["Antall hoftebrudd", "Verdier"] == 0
    log = at.dataframe[1].value.set_index("Nr.")
    assert log.loc[hip_upload, "Status"].endswith("av Kari Analytiker")
    still_undoable = at.selectbox(key="undo_choice").options
    assert not [label for label in still_undoable if label.startswith(f"{hip_upload} ·")]


@pytest.mark.parametrize("name", ["<b>Fet</b> **x**", "<script>alert(1)</script>"])
def test_file_names_in_the_log_are_data(demo_db, tmp_path, monkeypatch, name):
    from analytics.store import UploadMeta, open_store

    db = new_store(tmp_path, "names", like=demo_db)
    store = open_store(db)
    frame = store.facts(["hip_fractures"]).head(1).drop(columns="upload_id")
    frame["value"] = frame["value"] + 1
    store.ingest(frame, UploadMeta(name, "h-name", loaded_by=name, indicator="hip_fractures"))
    store.close()
    at = run_page(db, monkeypatch, analyst=True)
    assert not at.exception
    log = at.dataframe[1].value
    assert name in set(log["Fil"]) and name in set(log["Lastet inn av"])  # a dataframe cell is text
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any(name in text for text in rendered)


def test_catalogue_is_registered_for_everyone():
    rows = dashboard_pages()
    assert ("pages/catalogue.py", "Datakatalog", "🗃️", "datakatalog", False) in rows
    assert config.db_path()  # the page reads the same store as every other page
