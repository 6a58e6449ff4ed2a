"""Kommune, run as a user opens it (AppTest): one municipality across the plan's indicators."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics import clock
from analytics.indicator_view import data_indicator_ids
from analytics.periods import MONTHS_SHORT
from analytics.plan import CriterionKind
from analytics.status import Status

PAGE = "pages/municipality.py"
STATUS_WORDS = tuple(s.value for s in Status)


def indicator_table(at):
    return next(d.value for d in at.dataframe if "Status i kommunen" in d.value.columns)


@pytest.mark.parametrize(
    ("partnership", "unit", "name"),
    [("ahus", "3205", "Lillestrøm"), ("ahus", "3242", "Hurdal"), ("lovesa", "1804", "Bodø")],
)
def test_municipality_page(app, demo_board, partnership, unit, name):
    at = app(PAGE, hf=partnership, kommune=unit)
    assert not at.exception
    assert at.header[0].value == name
    assert at.selectbox(key="url_kommune").value == unit
    table = indicator_table(at)
    plan = demo_board.plan(partnership)
    expected = sum(
        len(c.indicators) for _, c in plan.criteria if c.indicators and c.kind is not CriterionKind.milestone
    )
    assert len(table) == expected + len(data_indicator_ids(demo_board, partnership))
    # Every status has its icon and its word, never colour alone.
    for column in ("Status i kommunen", "Status i helsefellesskapet"):
        for cell in table[column]:
            if cell:  # an indicator outside the plan has no status
                icon, word = cell.split(" ", 1)
                assert icon and word in STATUS_WORDS
    assert {"Kommunen", "Helsefellesskapet", "Plassering i trakt"} <= set(table.columns)
    assert [m.label for m in at.metric], "population groups are shown"


def test_funnels_mark_the_municipality(app, demo_board):
    at = app(PAGE, kommune="3224")
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert any(label.startswith("Antall hoftebrudd: ") for label in labels)
    # Closed boxes build no figure; opening one (its expanded state) draws that funnel only.
    assert not at.get("plotly_chart")
    at.session_state["trakt_hip_fractures"] = True
    at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1
    for indicator in demo_board.registry.indicators:  # open every box
        at.session_state[f"trakt_{indicator.id}"] = True
    at.run()
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) == len(labels)  # every funnel drawn
    marked = [t for spec in specs for t in spec["data"] if t.get("name") == "Rælingen"]
    assert marked and marked[0]["text"] == ["Rælingen"]


def test_small_counts_stay_hidden(app, demo_board):
    at = app(PAGE, kommune="3242")  # Hurdal: a small municipality
    table = indicator_table(at)
    names = {i.name: i for i in demo_board.registry.indicators}
    protected = table[[names[n].protect_small for n in table["Indikator"]]]
    assert "<5" in set(protected["Kommunen"])  # e.g. DHO patients in Hurdal
    assert not set(protected["Kommunen"]) & {"1", "2", "3", "4"}


def test_another_partnerships_municipality_is_not_shown(app):
    at = app(PAGE, kommune="1804")  # Bodø (LoVeSa) asked for under Ahus
    assert not at.exception
    assert at.header[0].value != "Bodø"
    assert "Bodø" not in at.selectbox(key="url_kommune").options


def test_lovesa_falls_and_hip_fractures_on_the_municipality_page(app):
    at = app(PAGE, hf="lovesa", kommune="1804")
    table = indicator_table(at)
    assert {"Antall hoftebrudd", "Antall innleggelser i sengepost med fallskade"} <= set(table["Indikator"])
    row = table[table["Indikator"] == "Antall hoftebrudd"].iloc[0]
    assert row["Kommunen"] not in ("", "–") and row["Status i kommunen"] == ""


OWN_COLUMNS = ["Kriterium", "Status i kommunen", "Kommunen", "Måles som", "Periode", "Begrunnelse (kommunen)"]
SIDE_COLUMNS = ["Helsefellesskapet", "Plassering i trakt", "Status i helsefellesskapet"]


def test_a_large_partnership_shows_the_municipality_first_and_fills_in_its_own_side(
    app, demo_board, monkeypatch
):
    """From config.DEFER_PARTNERSHIP_FROM members, the first view after new data shows the
    municipality's own columns (the same as when everything is worked out first) and says
    «beregnes …» in the partnership's columns; they fill in after the background job."""
    from analytics import config, datacache
    from analytics.indicator_view import PENDING, municipality_view

    full = app(PAGE, kommune="3224")
    expected = indicator_table(full)
    assert PENDING not in set(expected[SIDE_COLUMNS].to_numpy().ravel())  # small: worked out first
    monkeypatch.setattr(config, "DEFER_PARTNERSHIP_FROM", 1)
    datacache.clear()
    import streamlit as st

    st.cache_data.clear()
    at = app(PAGE, kommune="3224")
    assert not at.exception
    first = indicator_table(at)
    pd.testing.assert_frame_equal(first[OWN_COLUMNS], expected[OWN_COLUMNS])
    statuses = [c for c in first["Status i helsefellesskapet"] if c]
    assert statuses and set(statuses) == {PENDING}  # never blank or a guess
    assert set(first["Plassering i trakt"]) == {PENDING}
    assert any("regnes ut" in i.value for i in at.info)
    datacache.wait()
    at.run()
    pd.testing.assert_frame_equal(indicator_table(at), expected)
    assert any(e.label.startswith("Antall hoftebrudd: ") for e in at.expander)
    # analytics alone: the waiting view is the full one with the side left out
    view = municipality_view(demo_board, "ahus", "3224", wait=False)
    assert not view.pending and view.table.equals(municipality_view(demo_board, "ahus", "3224").table)


def test_a_placement_of_another_window_is_named_and_readable(app):
    """Bodø's quarterly targets: «Plassering i trakt» names the funnel's 12 months beside the
    value's quarter, and its column is wide enough to read it (large), with the rule on hover."""
    at = app(PAGE, hf="lovesa", kommune="1804")
    assert not at.exception
    table = indicator_table(at)
    stemi = table[table["Kriterium"] == "STEMI: PCI innen 120 min"].iloc[0]
    # the demo's last whole quarter before the board's day (3. kvartal 2026 as of 2026-11-30)
    quarter = pd.Period(pd.Period(clock.today(), "M") - 1 - 2, "Q")
    first, last = (quarter - 3).start_time, quarter.end_time
    window = f"{MONTHS_SHORT[first.month - 1]} {first.year}–{MONTHS_SHORT[last.month - 1]} {last.year}"
    assert (stemi["Periode"], stemi["Plassering i trakt"]) == (
        f"{quarter.quarter}. kvartal {quarter.year}",
        f"innenfor ({window})",
    )
    # Each funnel's box names its window too.
    assert f"Andel STEMI-pasienter med PCI innen 120 minutter: innenfor ({window})" in [
        e.label for e in at.expander
    ]
    grid = next(d for d in at.dataframe if "Status i kommunen" in d.value.columns)
    column = json.loads(grid.proto.columns)["Plassering i trakt"]
    assert column["width"] == "large" and "traktens egen periode" in column["help"]
