"""Befolkning as people open it (AppTest): both partnerships, levels, units and the URL."""

from __future__ import annotations

import json

import pytest

from analytics import config
from analytics.reference import read_units
from tests.conftest import visible_text

PAGE = "pages/population.py"
UNITS = read_units()


def names(partnership: str, kinds=("municipality", "district")) -> set[str]:
    own = UNITS[(UNITS["partnership"] == partnership) & UNITS["kind"].isin(kinds)]
    return set(own["name"])


def chart_specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.mark.parametrize(("partnership", "other"), [("ahus", "lovesa"), ("lovesa", "ahus")])
def test_page_for_each_partnership(app, partnership, other):
    at = app(PAGE, hf=partnership)
    assert not at.exception and not at.error
    assert at.title[0].value == "Befolkning og framskrivinger"
    text = visible_text(at, ("url_hf",))
    assert config.DEMO_LABEL in text
    assert "Tilnærmede befolkningstall" in text  # the shipped population files say so
    assert "uten endring i rate" in text and "Slik er tallene regnet ut" in text
    assert "projection_80_plus_llml" in text  # how other projection alternatives get in
    # headline: 67–79 and 80+ in 2030 and 2040, each with its change from the last registered year
    labels = [m.label for m in at.metric]
    assert labels == ["67–79 år i 2030", "67–79 år i 2040", "80 år og eldre i 2030", "80 år og eldre i 2040"]
    assert all("fra 2025" in m.delta for m in at.metric)
    # every member shows in the comparison and in the demand tables, nobody else's
    own, foreign = names(partnership), names(other)
    comparison = at.dataframe[-3]
    assert set(comparison.value["Kommune"]) == own
    for table in at.dataframe[-2:]:
        listed = set(table.value["Enhet"])
        assert own <= listed and not (foreign & listed)
        assert table.value["Enhet"].iloc[0].startswith("Sum ")  # the total first
    # charts: age groups, eldrebølge, members, and the two demand charts
    specs = chart_specs(at)
    assert len(specs) == 5
    assert all(s["layout"]["separators"] == ", " for s in specs)
    dashed = [t for t in specs[0]["data"] if t.get("line", {}).get("dash") == "dash"]
    assert dashed and all(t["name"] == "Framskrevet" for t in dashed)


def test_small_counts_never_show_and_hide_what_would_give_them_away(app):
    at = app(PAGE, hf="lovesa")  # small Lofoten municipalities have few hip fractures
    shown_small = 0
    for table in at.dataframe[-2:]:
        frame = table.value
        count = next(c for c in frame.columns if c.startswith("Hendelser"))
        rate = next(c for c in frame.columns if c.startswith("Rate"))
        small = frame[frame[count] == "<5"]
        shown_small += len(small)
        assert (small[rate] == ":").all()
        assert not frame[count].isin([str(n) for n in range(1, 5)]).any()
    assert shown_small  # the demo has some, so the rule was exercised


def test_level_and_unit_round_trip_through_the_url(app):
    at = app(PAGE, hf="lovesa", niva="kommune", enhet="1804")
    assert not at.exception
    assert at.selectbox(key="url_niva").value == "kommune"
    assert at.selectbox(key="url_enhet").value == "1804"
    assert at.query_params["niva"] == "kommune" and at.query_params["enhet"] == "1804"
    assert "Eldre i Bodø" in [s.value for s in at.subheader]
    assert len(at.dataframe[-1].value) == 1  # one municipality: one row, no members table
    at.selectbox(key="url_niva").set_value("region").run()
    options = at.selectbox(key="url_enhet").options
    assert options == ["Lofoten", "Vesterålen", "Salten"]
    at.selectbox(key="url_enhet").set_value("lovesa-salten").run()
    assert at.query_params["niva"] == "region" and at.query_params["enhet"] == "lovesa-salten"
    assert "Sammenligning av kommunene i Salten" in [s.value for s in at.subheader]
    salten = names("lovesa") & set(UNITS.loc[UNITS["region"] == "lovesa-salten", "name"])
    assert set(at.dataframe[-3].value["Kommune"]) == salten
    # the same link opened fresh gives the same view
    again = app(PAGE, hf="lovesa", niva="region", enhet="lovesa-salten")
    assert [m.value for m in again.metric] == [m.value for m in at.metric]


def test_a_unit_of_the_other_partnership_in_the_url_falls_back(app):
    at = app(PAGE, hf="lovesa", niva="kommune", enhet="3205")  # Lillestrøm is Ahus'
    assert not at.exception
    assert at.selectbox(key="url_enhet").value in set(UNITS.loc[UNITS["partnership"] == "lovesa", "unit_id"])
    assert "Lillestrøm" not in visible_text(at, ("url_hf",))
    at = app(PAGE, hf="ahus", niva="bogus", enhet="x' OR 1=1")
    assert not at.exception and at.selectbox(key="url_niva").value == "helsefellesskap"


def test_index_view(app):
    at = app(PAGE, hf="ahus")
    at.radio(key="pop_view").set_value("Indeks").run()
    spec = chart_specs(at)[0]
    assert "Indeks (2025 = 100)" in spec["layout"]["yaxis"]["title"]["text"]
    assert {t["name"] for t in spec["data"]} >= {"0–17 år", "18–66 år", "67–79 år", "80 år og eldre"}
