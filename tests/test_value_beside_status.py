"""The value beside a status is the figure the status rests on: the value cell's period is the
period the status reason names for that indicator's figure (evaluate.LEAD_FIGURE), in the
matrix («Hvor står vi?», members), on Kommune (the municipality's and the partnership's
columns) and for the partnership's own status, for every criterion of both demo plans.

Before this rule a level target such as LoVeSa's l3-k1 (STEMI PCI within 120 minutes, a
quarterly share) read «71,8 % (3. kvartal 2026); mål 80,0 %; SPC: treffer og bommer» while its
value column showed the 12 months okt. 2025–sep. 2026."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pandas as pd
import pytest

from analytics import datacache
from analytics.evaluate import LEAD_FIGURE, criterion_by_id, evaluate_criterion, evaluate_plan, lead_figure
from analytics.indicator_view import criterion_value, member_units, municipality_view, value_until
from analytics.matrix import status_matrix
from analytics.plan import CriterionKind
from analytics.status import Evidence, Status, judge

TODAY = dt.date(2026, 11, 30)
MONTHS = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
SHORT = r"[a-zæøå]{3,4}\.?"
# A period as the board writes it (periods.period_text, series.window_span): a 12-month
# window «okt. 2025–sep. 2026», a quarter «3. kvartal 2026», a month «desember 2025», a year.
PERIOD = re.compile(
    rf"(?:{SHORT}|{MONTHS}) \d{{4}}–(?:{SHORT}|{MONTHS}) \d{{4}}"
    rf"|\d\. kvartal \d{{4}}|(?:{MONTHS}) \d{{4}}|\b(?:19|20)\d{{2}}\b"
)


# A level target judged by its newest 12 months' interval (status._judge_target): the reason
# names the newest period first, then «siste 12 mnd (…)», on which the status rests.
BY_PROCESS = re.compile(r"målet er nådd|ikke nådd innen|konfidensintervallet ligger på riktig side")
PROCESS = re.compile(r"siste 12 mnd \(([^()]*)\)")


def named_period(reason: str, indicator_name: str) -> str | None:
    """The period of the figure the status rests on, as the reason names it for the indicator:
    the first period after the indicator's name, or the 12 months' window where a level target
    is judged by it; in the verdict at the expected value when hidden cells split it; None
    when the reason names none."""
    reason = reason.split("Ved forventet verdi: ", 1)[-1]
    at = reason.find(indicator_name)
    if at < 0:
        return None
    own = reason[at + len(indicator_name) :]
    window = PROCESS.search(own)
    if window and BY_PROCESS.search(own) and not own.startswith(":"):  # a target's head, not a trend
        return window.group(1)
    found = PERIOD.search(own)
    return found.group(0) if found else None


def partnership_period(cell: str, period: str) -> str:
    """Kommune's «Helsefellesskapet» cell names its own period in brackets where it differs
    (indicator_view.beside); else it is the row's «Periode»."""
    bracket = re.search(r"\(([^()]*)\)$", cell)
    return bracket.group(1) if bracket and PERIOD.fullmatch(bracket.group(1)) else period


def test_named_period_reads_the_figure_after_the_indicator():
    reason = (
        "Andel STEMI-pasienter med PCI innen 120 minutter 71,8 % (3. kvartal 2026); mål 80,0 %; "
        "siste 12 mnd (okt. 2025–sep. 2026) 70,1 %"
    )
    assert named_period(reason, "Andel STEMI-pasienter med PCI innen 120 minutter") == "3. kvartal 2026"
    trend = "Antall DHO: siste 12 mnd (jan. 2025–des. 2025) 126 (grunnlinje januar 2022–desember 2023: 5)"
    assert named_period(trend, "Antall DHO") == "jan. 2025–des. 2025"
    assert named_period("Registrert som oppnådd 15.08.2024.", "Antall DHO") is None
    reached = (
        "Andel X 78,0 % (3. kvartal 2026); målet er nådd; siste 12 mnd (okt. 2025–sep. 2026) 82,0 % "
        "(95 % KI 80,1 % til 83,8 %)"
    )
    assert named_period(reached, "Andel X") == "okt. 2025–sep. 2026"
    assert partnership_period("71,8 % (3. kvartal 2026)", "okt. 2025–sep. 2026") == "3. kvartal 2026"
    assert partnership_period("71,8 %", "3. kvartal 2026") == "3. kvartal 2026"


def test_every_kind_has_a_lead_figure():
    assert set(LEAD_FIGURE) == set(CriterionKind)
    assert set(LEAD_FIGURE.values()) <= {"newest", "recent"}


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_value_period_is_the_period_the_status_reason_names(demo_board, partnership):
    board = demo_board
    names = {i: board.registry.get(i).name for i in board.registry.ids()}
    mismatches: list[str] = []
    compared = 0

    def check(where: str, reason: str, indicator_name: str, period: str) -> None:
        nonlocal compared
        named = named_period(reason, indicator_name)
        if named is None or period in ("", "–"):
            return
        compared += 1
        if named != period:
            mismatches.append(f"{where}: verdi for {period}, begrunnelsen nevner {named}")

    datacache.clear()
    matrix = status_matrix(board, partnership, today=TODAY)
    for cell in matrix.cells.itertuples(index=False):
        check(
            f"matrise {cell.unit_id} {cell.criterion_id}", cell.reason, names[cell.indicator_id], cell.period
        )

    status = evaluate_plan(board, partnership, today=TODAY)
    plan = board.plan(partnership)
    titles = {c.title: c for _, c in plan.criteria}
    unit = member_units(board, partnership)["unit_id"].iloc[0]
    table = municipality_view(board, partnership, unit, today=TODAY).table
    for row in table.to_dict("records"):
        criterion = titles.get(row["Kriterium"])
        if criterion is None:  # «Ikke i planen»: no status beside it
            continue
        check(
            f"Kommune {unit} {criterion.id}", row["Begrunnelse (kommunen)"], row["Indikator"], row["Periode"]
        )
        theirs = partnership_period(row["Helsefellesskapet"], row["Periode"])
        check(
            f"helsefellesskapet {criterion.id}",
            status.criteria[criterion.id].reason,
            row["Indikator"],
            theirs,
        )
    assert not mismatches, "\n".join(mismatches)
    # Every member's cells and the partnership's rows were compared, not a handful.
    assert compared >= len(pd.unique(matrix.cells["unit_id"])) * 2


DUE = dt.date(2026, 12, 31)


def _level(**changes) -> Evidence:
    """A level target (a share) with its newest quarter below the target."""
    base = {
        "latest": 78.0,
        "target": 80.0,
        "head": "Andel X 78,0 % (3. kvartal 2026); mål 80,0 %",
        "hold_level": True,
        "process_text": "siste 12 mnd (okt. 2025–sep. 2026) 82,0 % (95 % KI 80,1 % til 83,8 %)",
    }
    return Evidence(**{**base, **changes})


def test_a_level_target_judged_by_its_12_months_rests_on_them():
    reached = judge("target", _level(process_reached=True), DUE, TODAY)
    assert reached.status is Status.achieved and reached.rests_on == "recent"
    missed = judge("target", _level(process_reached=False), dt.date(2026, 6, 30), TODAY)
    assert missed.status is Status.overdue and missed.rests_on == "recent"
    held = judge("target", _level(process_reached=True), None, TODAY)
    assert held.status is Status.on_track and held.rests_on == "recent"
    # Judged by SPC on the newest point, or reached by SPC without an interval: the newest period.
    spc = judge("target", _level(process_reached=False, assurance="inconsistent"), DUE, TODAY)
    assert spc.status is Status.uncertain and spc.rests_on is None
    no_interval = judge("target", _level(process_reached=True, process_text=None), DUE, TODAY)
    assert no_interval.status is Status.achieved and no_interval.rests_on is None
    count = judge("target", _level(hold_level=False, latest=81.0), DUE, TODAY)
    assert count.status is Status.achieved and count.rests_on is None
    assert lead_figure(CriterionKind.target, reached) == "recent"
    assert lead_figure(CriterionKind.target, spc) == lead_figure(CriterionKind.target) == "newest"
    assert lead_figure(CriterionKind.trend, None) == "recent"


def test_the_value_beside_a_status_follows_what_it_rests_on(demo_board):
    """criterion_value shows the 12 months where the judgement rests on them, else the newest
    period (LoVeSa's STEMI share, a level target judged by SPC on its newest quarter)."""
    plan = demo_board.plan("lovesa")
    measure, criterion = criterion_by_id(plan, "l3-k1")
    result = evaluate_criterion(demo_board, plan, measure, criterion, today=TODAY)
    part = result.parts[0]
    assert result.figure(part.indicator.id) == "newest"
    newest = criterion_value(result, part.data, TODAY)
    recent = value_until(part.data, result.data_until, TODAY, "recent")
    assert newest[1] == "3. kvartal 2026" and recent[1] == "okt. 2025–sep. 2026"
    by_process = replace(result, parts=[replace(part, judgement=replace(part.judgement, rests_on="recent"))])
    assert by_process.figure(part.indicator.id) == "recent"
    assert criterion_value(by_process, part.data, TODAY) == recent


def test_a_placement_over_another_window_names_it(demo_board):
    """«Plassering i trakt» comes from the funnel's 12 months; beside a quarterly target's value
    («3. kvartal 2026») it names that window, as the partnership's value does (``beside``), so
    a row never reads as one period when it holds two. Where the windows agree it is bare."""
    view = municipality_view(demo_board, "lovesa", "1804", today=TODAY)
    funnels = {f.indicator.name: f for f in view.funnel_views}
    placed = view.table[view.table["Indikator"].isin(funnels)]
    differ = agree = 0
    for row in placed.to_dict("records"):
        funnel = funnels[row["Indikator"]]
        flag = funnel.flag("1804")
        assert funnel.period and funnel.period in funnel.period_text
        if funnel.period == row["Periode"]:
            agree += 1
            assert row["Plassering i trakt"] == flag, row
        else:
            differ += 1
            assert row["Plassering i trakt"] == f"{flag} ({funnel.period})", row
    stemi = placed[placed["Kriterium"] == "STEMI: PCI innen 120 min"].iloc[0]
    assert stemi["Periode"] == "3. kvartal 2026"
    assert stemi["Plassering i trakt"] == "innenfor (okt. 2025–sep. 2026)"
    assert differ >= 3 and agree >= 1
