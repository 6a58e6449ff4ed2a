"""A criterion with several indicators where the unit has no figures for one of them
(status.roll_up_parts): LoVeSa's l1-k1 «Antall inkluderte og aktive DHO-pasienter» in Bodø
(1804), which reports included patients (a real 0, too few to judge) and no active ones.
Before, the missing part made the whole criterion «Mangler data» beside the value 0."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from analytics import datacache
from analytics.evaluate import criterion_by_id, evaluate_criterion, judge_parts, unit_scope, without_figures
from analytics.indicator_view import municipality_view
from analytics.matrix import status_matrix
from analytics.status import Judgement, Status, roll_up, roll_up_parts

TODAY = dt.date(2026, 11, 30)
S = Status


@pytest.mark.parametrize(
    ("statuses", "bare", "expected", "capped"),
    [
        ([S.too_little_data, S.no_data], [False, True], S.too_little_data, False),
        ([S.no_data, S.off_track], [True, False], S.off_track, False),
        ([S.on_track, S.no_data], [False, True], S.uncertain, True),
        ([S.achieved, S.achieved, S.no_data], [False, False, True], S.uncertain, True),
        ([S.uncertain, S.no_data], [False, True], S.uncertain, False),
        ([S.overdue, S.no_data], [False, True], S.overdue, False),
        # Every part has figures, or none: the plain roll-up (worst wins; none: Mangler data).
        ([S.on_track, S.no_data], [False, False], S.no_data, False),
        ([S.no_data, S.no_data], [True, True], S.no_data, False),
        ([S.on_track, S.too_little_data], [False, False], S.too_little_data, False),
    ],
)
def test_a_part_without_figures_is_no_evidence_either_way(statuses, bare, expected, capped):
    assert roll_up_parts(statuses, bare) == (expected, capped)


def test_every_part_with_figures_rolls_up_as_before():
    for statuses in ([S.on_track, S.off_track], [S.no_data, S.achieved], [S.monitored, S.monitored]):
        assert roll_up_parts(statuses, [False] * len(statuses)) == (roll_up(statuses), False)
    with pytest.raises(ValueError):
        roll_up_parts([S.on_track], [])


def test_bodo_dho_patients_status_value_and_reason_agree(demo_board):
    """Status «For lite data» (the included count's own verdict), the value 0 of that count,
    and the reason naming both: the 0 and why it cannot be judged, and no figures for the
    active patients. Matrix and Kommune alike."""
    plan = demo_board.plan("lovesa")
    measure, criterion = criterion_by_id(plan, "l1-k1")
    result = evaluate_criterion(
        demo_board, plan, measure, criterion, scope=unit_scope(demo_board, ["1804"]), today=TODAY
    )
    assert result.judgement.status is Status.too_little_data
    assert result.deciding == "dho_included_patients"
    assert "siste 12 mnd (okt. 2025–sep. 2026) 0 " in result.judgement.reason
    assert "for lite data til å vurdere endringen" in result.judgement.reason
    assert "Antall aktive DHO-pasienter: Ingen tall for kommunen" in result.judgement.reason

    datacache.clear()
    cells = status_matrix(demo_board, "lovesa", today=TODAY).cells
    cell = cells[(cells["unit_id"] == "1804") & (cells["criterion_id"] == "l1-k1")].iloc[0]
    assert (cell["status"], cell["value"], cell["indicator_id"]) == (
        Status.too_little_data.value,
        "0",
        "dho_included_patients",
    )
    # No cell reads «Mangler data» while its criterion has figures for the municipality.
    for row in cells[cells["status"] == Status.no_data.value].itertuples():
        assert row.value in ("–", ""), (row.unit_id, row.criterion_id, row.value)

    table = municipality_view(demo_board, "lovesa", "1804", today=TODAY).table
    rows = table[table["Kriterium"] == "DHO-pasienter"]
    assert set(rows["Status i kommunen"]) == {"🔍 For lite data"}
    assert rows["Kommunen"].tolist() == ["0", "–"]


def test_the_matrix_cell_shows_the_deciding_indicator(demo_board):
    """With several indicators the cell's value is the part that set the status (the worst
    with figures), and its click opens that indicator."""
    datacache.clear()
    matrix = status_matrix(demo_board, "lovesa", today=TODAY)
    cells = matrix.cells[matrix.cells["criterion_id"] == "l1-k1"]
    plan = demo_board.plan("lovesa")
    measure, criterion = criterion_by_id(plan, "l1-k1")
    checked = set()
    for cell in cells.itertuples():
        result = evaluate_criterion(
            demo_board, plan, measure, criterion, scope=unit_scope(demo_board, [cell.unit_id]), today=TODAY
        )
        assert cell.indicator_id == result.deciding
        part = next(p for p in result.parts if p.indicator.id == cell.indicator_id)
        known = [p.judgement.status.value for p in result.parts if not without_figures(p)]
        if cell.status in known:  # the part that set the status (not a «Usikker» for a missing part)
            assert part.judgement.status.value == cell.status
        assert not without_figures(part)
        assert f"indikator={cell.indicator_id}" in matrix.link(cell.unit_id, "l1-k1", cell.indicator_id)
        checked.add(cell.indicator_id)
    assert checked == {"dho_included_patients", "dho_active_patients"}


def test_a_good_verdict_with_a_part_missing_is_uncertain_and_says_why(demo_board):
    """Were Bodø's included patients «På sporet», the criterion would still not be: its active
    patients have no figures, and the reason's last sentence names them."""
    plan = demo_board.plan("lovesa")
    measure, criterion = criterion_by_id(plan, "l1-k1")
    result = evaluate_criterion(
        demo_board, plan, measure, criterion, scope=unit_scope(demo_board, ["1804"]), today=TODAY
    )
    included, active = result.parts
    assert not without_figures(included) and without_figures(active)
    good = replace(included, judgement=Judgement(Status.on_track, "Antall inkluderte DHO-pasienter: økning."))
    judged = judge_parts([good, active])
    assert judged.status is Status.uncertain
    assert judged.reason.startswith("Antall inkluderte DHO-pasienter: økning. Antall aktive DHO-pasienter: ")
    assert judged.reason.endswith(
        "Uten tall for Antall aktive DHO-pasienter kan kriteriet ikke vurderes som bedre enn usikkert."
    )
    # Both parts with figures: the plain roll-up, no such sentence.
    both = judge_parts(
        [good, replace(active, judgement=Judgement(Status.achieved, "x"), series=included.series)]
    )
    assert both.status is Status.on_track and "Uten tall" not in both.reason
    assert judge_parts([included]) is included.judgement
