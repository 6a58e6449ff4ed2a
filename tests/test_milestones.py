"""The milestones register: rows per milestone criterion, state from the store, overdue,
history, edit rules and the timeline figure."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import figures, milestones
from analytics.evaluate import evaluate_plan
from analytics.plan import CriterionKind
from analytics.status import Status

BEFORE = dt.date(2024, 6, 1)  # before every Ahus deadline
AFTER = dt.date(2026, 6, 1)  # after every Ahus deadline (2024 and 2025)


@pytest.fixture()
def board(empty_loader):
    return empty_loader.board


def milestone_ids(plan) -> list[str]:
    return [c.id for _, c in plan.criteria if c.kind is CriterionKind.milestone]


def test_register_lists_every_milestone_criterion_with_its_plan_facts(board):
    plan = board.plan("ahus")
    frame = milestones.register(plan, board.store.milestone_states("ahus"), BEFORE)
    assert frame["criterion_id"].tolist() == milestone_ids(plan)
    assert list(frame.columns) == milestones.REGISTER_COLUMNS
    row = frame.set_index("criterion_id").loc["m02-k1"]
    assert row["criterion"] == "Mandat er utarbeidet og fagråd er etablert og igangsatt"
    assert row["target_group"] == "Barn/unge" and row["responsible"] == "AU"
    assert row["deadline"] == "2024" and row["due"] == dt.date(2024, 12, 31)
    assert row["start"] == dt.date(2024, 1, 1)
    # Nothing recorded yet: no state, and the board says so.
    assert frame["state"].isna().all()
    assert set(frame["status"]) == {Status.no_data.value}
    assert not frame["overdue"].any()


def test_recorded_state_comment_and_evidence_show_and_overdue_follows_the_deadline(board):
    store = board.store
    store.record_milestone(
        "ahus", "m02-k1", "Oppnådd", "kari", dt.date(2024, 5, 2), "Vedtatt i AU", "AU-sak 12/24"
    )
    store.record_milestone("ahus", "m03-k1", "Pågår", "ola")
    plan = board.plan("ahus")
    early = milestones.register(plan, store.milestone_states("ahus"), BEFORE).set_index("criterion_id")
    assert early.loc["m02-k1", "state"] == "Oppnådd"
    assert early.loc["m02-k1", "done_date"] == dt.date(2024, 5, 2)
    assert (
        early.loc["m02-k1", "comment"] == "Vedtatt i AU" and early.loc["m02-k1", "evidence"] == "AU-sak 12/24"
    )
    assert early.loc["m03-k1", "status"] == Status.on_track.value
    late = milestones.register(plan, store.milestone_states("ahus"), AFTER).set_index("criterion_id")
    assert not late.loc["m02-k1", "overdue"]  # done is done, whenever you look
    assert late.loc["m03-k1", "overdue"] and late.loc["m03-k1", "status"] == Status.overdue.value
    assert late["overdue"].sum() == len(late) - 1


def test_continuous_milestones_are_never_overdue(board):
    plan = board.plan("lovesa")
    frame = milestones.register(plan, board.store.milestone_states("lovesa"), dt.date(2040, 1, 1))
    assert frame["deadline"].tolist() == ["Fortløpende"]
    assert not frame["overdue"].any()


def test_milestone_state_feeds_the_criterion_status(board):
    store = board.store
    store.record_milestone("ahus", "m05-k1", "Ikke startet", "kari")
    store.record_milestone("ahus", "m05-k1", "Oppnådd", "kari", dt.date(2024, 3, 1))
    store.record_milestone("ahus", "m12-k1", "Pågår", "kari")
    plan = board.plan("ahus")
    status = evaluate_plan(board, "ahus", BEFORE)
    frame = milestones.register(plan, store.milestone_states("ahus"), BEFORE)
    for row in frame.itertuples():
        assert status.criteria[row.criterion_id].status.value == row.status
    assert status.criteria["m05-k1"].status is Status.achieved
    assert status.criteria["m12-k1"].status is Status.on_track


def test_history_is_kept_newest_first_with_who_and_when(board):
    store = board.store
    store.record_milestone(
        "ahus", "m04-k1", "Ikke startet", "kari", changed_at=dt.datetime(2024, 1, 5, 9, 30)
    )
    store.record_milestone(
        "ahus", "m04-k1", "Pågår", "ola", comment="Møte holdt", changed_at=dt.datetime(2024, 2, 1, 14, 0)
    )
    history = milestones.history_table(store.milestone_history("ahus", "m04-k1"))
    assert history["Status"].tolist() == ["Pågår", "Ikke startet"]
    assert history["Av"].tolist() == ["ola", "kari"]
    assert history["Endret"].tolist() == ["01.02.2024 14:00", "05.01.2024 09:30"]
    assert history["Kommentar"].tolist() == ["Møte holdt", ""]


def test_edit_rules():
    today = dt.date(2025, 3, 1)
    assert milestones.validate_edit("Oppnådd", None, today) == "Oppgi datoen milepælen ble oppnådd."
    assert "fram i tid" in milestones.validate_edit("Oppnådd", dt.date(2025, 3, 2), today)
    assert "Ukjent status" in milestones.validate_edit("Ferdig", None, today)
    assert milestones.validate_edit("Pågår", None, today) is None
    assert milestones.validate_edit("Oppnådd", today, today) is None
    assert milestones.normalise_edit("Pågår", today) is None
    assert milestones.normalise_edit("Oppnådd", today) == today


def test_display_table_uses_norwegian_words_and_dates(board):
    board.store.record_milestone("ahus", "m02-k1", "Oppnådd", "kari", dt.date(2024, 12, 31))
    frame = milestones.register(board.plan("ahus"), board.store.milestone_states("ahus"), BEFORE)
    table = milestones.display_table(frame)
    assert list(table.columns) == [
        "Milepæl", "Tiltak", "Målgruppe", "Ansvarlig", "Frist", "Status",
        "Registrert", "Dato oppnådd", "Kommentar", "Dokumentasjon",
    ]  # fmt: skip
    first = table.iloc[0]
    assert first["Dato oppnådd"] == "31.12.2024" and first["Status"] == "✅ Oppnådd"
    assert table.iloc[1]["Registrert"] == milestones.NOT_RECORDED


def test_timeline_groups_by_target_group_and_marks_overdue(board):
    store = board.store
    store.record_milestone("ahus", "m02-k1", "Oppnådd", "kari", dt.date(2024, 5, 2))
    plan = board.plan("ahus")
    frame = milestones.register(plan, store.milestone_states("ahus"), AFTER)
    fig = figures.timeline_figure(frame, AFTER)
    bars = [t for t in fig.data if t.type == "bar"]
    assert {t.name for t in bars} == {"Oppnådd", "Forsinket"}
    overdue = next(t for t in bars if t.name == "Forsinket")
    assert set(overdue.text) == {"Forsinket"} and len(overdue.text) == frame["overdue"].sum()
    groups = {g for t in bars for g in t.y[0]}
    assert {g.replace("<br>", " ") for g in groups} == {
        plan.target_group(m.target_group).name for m, c in plan.criteria if c.kind is CriterionKind.milestone
    }
    assert sum(len(t.y[1]) for t in bars) == len(frame)
    done = [t for t in fig.data if t.type == "scatter"]
    assert len(done) == 1 and len(done[0].x) == 1
    # Norwegian month names on the time axis (plotly's own are English).
    labels = list(fig.layout.xaxis.ticktext)
    assert "januar 2024" in labels and "juli 2024" in labels
    assert not any(word in " ".join(labels) for word in ("Jan", "Jul"))


def test_timeline_of_an_empty_register_says_so(board):
    frame = pd.DataFrame(columns=milestones.REGISTER_COLUMNS)
    fig = figures.timeline_figure(frame)
    assert fig.layout.annotations[0].text == "Planen har ingen milepæler."
