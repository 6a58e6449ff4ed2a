"""Milepæler as leaders and analysts open it (AppTest): read-only for leaders; analysts edit,
and every change is stored with who and when and shows in the history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analytics import clock, config
from analytics.plan import CriterionKind, load_plan
from analytics.registry import load_registry
from tests.conftest import new_store

PAGE = "pages/milestones.py"


def ahus_milestones() -> list[str]:
    plan = load_plan(config.PLAN_DIR / "ahus-2024-2025.yaml", load_registry().ids())
    return [c.id for _, c in plan.criteria if c.kind is CriterionKind.milestone]


@pytest.fixture()
def editable_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo store, so edits do not leak into other tests."""
    return new_store(tmp_path, "edit", like=demo_db)


def texts(at) -> str:
    parts = (
        [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.label for e in at.main.expander]
    )
    return "\n".join(parts)


def history(at, criterion_text: str):
    """The history table inside the milestone's expander (None when nothing is recorded)."""
    expander = next(e for e in at.main.expander if criterion_text in e.label)
    return expander.dataframe[0].value if len(expander.dataframe) else None


def test_leader_reads_every_milestone_with_timeline_and_history(app, monkeypatch):
    monkeypatch.setenv("BOARD_ANALYST_PASSWORD", "hemmelig")  # password mode, not signed in
    at = app(PAGE)
    assert not at.exception
    assert at.title[0].value == "Milepæler"
    assert len(at.main.expander) == len(ahus_milestones()) == 15
    assert "Mandat er utarbeidet og fagråd er etablert og igangsatt" in texts(at)
    assert "Bare analytikere kan endre" in texts(at)
    # No edit form for a leader.
    assert not [b for b in at.button if str(b.key).startswith("ms_save_")]
    assert not [s for s in at.selectbox if str(s.key).startswith("ms_state_")]
    assert not at.main.date_input and not at.main.text_input
    # The timeline chart with its PNG button, the register table and the history of each.
    assert at.get("plotly_chart")
    first = history(at, "Mandat er utarbeidet og fagråd er etablert og igangsatt")
    assert {"Endret", "Av", "Status"} <= set(first.columns) and first.iloc[0]["Av"] == "demo"
    metrics = {m.label: int(m.value) for m in at.metric}
    assert sum(metrics.values()) == 15 and metrics["⏰ Forsinket"] >= 1


def test_analyst_edits_a_milestone_and_the_change_is_stored_with_who(app, editable_db, monkeypatch):
    monkeypatch.setenv("BOARD_ANALYST_PASSWORD", "hemmelig")
    monkeypatch.setenv("BOARD_DB", str(editable_db))
    at = app(PAGE)
    at.session_state["analyst_ok"] = True
    at.session_state["analyst_name"] = "Kari Nordmann"
    at.run()
    assert not at.exception
    before = {m.label: int(m.value) for m in at.metric}
    done = clock.today() - dt.timedelta(days=10)
    at.selectbox(key="ms_state_m06-k3").set_value("Oppnådd")
    at.date_input(key="ms_date_m06-k3").set_value(done)
    at.text_input(key="ms_comment_m06-k3").input("Rutiner og sjekklister sendt til alle henvisere")
    at.text_input(key="ms_evidence_m06-k3").input("https://example.org/au-sak-31-25")
    at.button(key="ms_save_m06-k3").click().run()
    assert not at.exception and not at.error
    table = history(at, "Henvisningsinstanser er kjent med rutiner")
    newest = table.iloc[0]
    assert newest["Av"] == "Kari Nordmann" and newest["Status"] == "Oppnådd"
    assert newest["Dato oppnådd"] == done.strftime("%d.%m.%Y")
    assert newest["Kommentar"] == "Rutiner og sjekklister sendt til alle henvisere"
    assert newest["Endret"].startswith(dt.date.today().strftime("%d.%m.%Y"))
    assert len(table) >= 2  # the demo state is kept below it
    # The milestone feeds the criterion status: one fewer overdue, one more achieved.
    after = {m.label: int(m.value) for m in at.metric}
    assert after["⏰ Forsinket"] == before["⏰ Forsinket"] - 1
    assert after["✅ Oppnådd"] == before["✅ Oppnådd"] + 1
    # And the plan page (same session, same store) sees it too.
    at.switch_page("pages/plan.py").run()
    assert not at.exception
    criteria = "\n".join(t.value.to_csv() for t in at.dataframe[1:])
    line = next(row for row in criteria.splitlines() if "Henvisningsinstanser er kjent med rutiner" in row)
    assert "Oppnådd" in line


def test_achieved_without_a_date_is_refused_and_nothing_is_stored(app, editable_db, monkeypatch):
    monkeypatch.setenv("BOARD_DB", str(editable_db))  # local mode: analyst on localhost
    at = app(PAGE)
    criterion = "Kriterier og prosedyrer er utarbeidet og implementert"
    before = history(at, criterion)
    at.selectbox(key="ms_state_m13-k1").set_value("Oppnådd")
    at.button(key="ms_save_m13-k1").click().run()
    assert [e.value for e in at.error] == ["Oppgi datoen milepælen ble oppnådd."]
    after = history(at, criterion)
    assert (before is None and after is None) or len(after) == len(before)


def test_filters_come_from_the_url(app):
    at = app(PAGE, malgruppe="eldre", status="forsinket")
    assert not at.exception
    assert at.multiselect(key="url_malgruppe").value == ["eldre"]
    assert at.multiselect(key="url_status").value == ["forsinket"]
    labels = [e.label for e in at.main.expander]
    assert labels and all(label.startswith("⏰") for label in labels)
    assert any("Vurdere relevante NPR-data" in label for label in labels)
    assert at.query_params["malgruppe"] in ("eldre", ["eldre"])
