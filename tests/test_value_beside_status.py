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

import pandas as pd
import pytest

from analytics import datacache
from analytics.evaluate import LEAD_FIGURE, evaluate_plan
from analytics.indicator_view import member_units, municipality_view
from analytics.matrix import status_matrix
from analytics.plan import CriterionKind

TODAY = dt.date(2026, 11, 30)
MONTHS = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
SHORT = r"[a-zæøå]{3,4}\.?"
# A period as the board writes it (periods.period_text, series.window_span): a 12-month
# window «okt. 2025–sep. 2026», a quarter «3. kvartal 2026», a month «desember 2025», a year.
PERIOD = re.compile(
    rf"(?:{SHORT}|{MONTHS}) \d{{4}}–(?:{SHORT}|{MONTHS}) \d{{4}}"
    rf"|\d\. kvartal \d{{4}}|(?:{MONTHS}) \d{{4}}|\b(?:19|20)\d{{2}}\b"
)


def named_period(reason: str, indicator_name: str) -> str | None:
    """The first period the reason names after the indicator's name (its figure's period), in
    the verdict at the expected value when hidden cells split it; None when it names none."""
    reason = reason.split("Ved forventet verdi: ", 1)[-1]
    at = reason.find(indicator_name)
    if at < 0:
        return None
    found = PERIOD.search(reason, at + len(indicator_name))
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
