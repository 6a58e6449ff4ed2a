"""Shareable views: every filter lives in the URL; opening the URL restores the view (AppTest).

For each page: open it with query parameters → the widgets show them and the URL still holds
them (what the browser would bookmark); change a widget → the URL follows; open a new
session with that URL → the same view.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.indicator_view import member_units, plan_indicator_ids

ROOT = Path(__file__).resolve().parent.parent


def query_value(at, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def widget(at, key: str):
    """The widget with this session-state key (url_<param>), whatever its type."""
    for kind in ("multiselect", "selectbox", "select_slider"):
        for element in getattr(at, kind):
            if element.key == key:
                return element
    raise KeyError(key)


def views(board) -> list[tuple[str, dict[str, str], dict[str, object]]]:
    """(page, query, expected widget values) for every page that has filters."""
    indicators = plan_indicator_ids(board, "ahus")
    municipality = member_units(board, "ahus")["unit_id"].iloc[1]
    cases = [
        (
            "pages/overview.py",
            {"hf": "lovesa", "fra": "2020", "til": "2024"},
            {"url_hf": "lovesa", "url_years": (2020, 2024)},
        ),
        (
            "pages/plan.py",
            {
                "malgruppe": "eldre,rop",
                "prioritet": "1",
                "status": "forsinket",
                "ansvarlig": "AU",
                "frist": "2025",
            },
            {
                "url_malgruppe": ["eldre", "rop"],
                "url_prioritet": ["1"],
                "url_status": ["forsinket"],
                "url_ansvarlig": ["AU"],
                "url_frist": ["2025"],
            },
        ),
        (
            "pages/milestones.py",
            {"malgruppe": "barn-unge", "status": "oppnadd", "ansvarlig": "LSF barn/unge"},
            {"url_malgruppe": ["barn-unge"], "url_status": ["oppnadd"], "url_ansvarlig": ["LSF barn/unge"]},
        ),
        (
            "pages/meeting.py",
            {"mal": "g2", "malgruppe": "eldre", "tiltak": "m21"},
            {"url_mal": ["g2"], "url_malgruppe": ["eldre"], "url_tiltak": ["m21"]},
        ),
        (
            "pages/indicator.py",
            {"indikator": indicators[2], "kommune": municipality, "tid": "year"},
            {"url_indikator": indicators[2], "url_kommune": municipality, "url_tid": "year"},
        ),
        ("pages/municipality.py", {"kommune": municipality}, {"url_kommune": municipality}),
        ("pages/catalogue.py", {"indikator": indicators[1]}, {"url_indikator": indicators[1]}),
        (
            "pages/population.py",
            {"niva": "kommune", "enhet": municipality},
            {"url_niva": "kommune", "url_enhet": municipality},
        ),
    ]
    return [c for c in cases if (ROOT / c[0]).exists()]


@pytest.fixture(scope="module")
def cases(demo_board):
    return views(demo_board)


def test_every_page_with_filters_is_covered(cases):
    pages = {c[0] for c in cases}
    assert {"pages/plan.py", "pages/milestones.py", "pages/meeting.py"} <= pages


@pytest.mark.parametrize("index", range(8))
def test_opening_a_shared_url_restores_the_view(app, cases, index):
    if index >= len(cases):
        pytest.skip("page not present")
    page, query, expected = cases[index]
    at = app(page, **query)
    assert not at.exception, page
    for key, value in expected.items():
        assert widget(at, key).value == value, (page, key)
    # The URL after the run still names the view (what a bookmark or an e-mail carries).
    for key, value in query.items():
        assert query_value(at, key) == value, (page, key)
    # A second person opening that URL sees the same.
    again = app(page, **{k: query_value(at, k) for k in query})
    for key, value in expected.items():
        assert widget(again, key).value == value, (page, key)


def test_changing_a_filter_writes_the_url_and_the_url_reopens_it(app):
    at = app("pages/plan.py")
    assert "malgruppe" not in at.query_params
    at.multiselect(key="url_malgruppe").set_value(["eldre", "barn-unge"]).run()
    assert query_value(at, "malgruppe") == "eldre,barn-unge"
    shown = len(at.dataframe[0].value)
    reopened = app(
        "pages/plan.py", **{"malgruppe": query_value(at, "malgruppe"), "hf": query_value(at, "hf")}
    )
    assert reopened.multiselect(key="url_malgruppe").value == ["eldre", "barn-unge"]
    assert len(reopened.dataframe[0].value) == shown
    at.multiselect(key="url_malgruppe").set_value([]).run()
    assert "malgruppe" not in at.query_params  # an unfiltered view has a short URL


def test_unknown_values_in_a_url_are_dropped_not_fatal(app):
    at = app("pages/plan.py", malgruppe="finnes-ikke,eldre", status="<script>")
    assert not at.exception
    assert at.multiselect(key="url_malgruppe").value == ["eldre"]
    assert at.multiselect(key="url_status").value == []


def test_presentation_mode_from_the_url_and_back(app):
    at = app("pages/overview.py", presentasjon="1")
    assert not at.exception
    keys = [b.key for b in at.button]
    assert "leave_presentation" in keys and "enter_presentation" not in keys
    at.button(key="leave_presentation").click().run()
    assert "presentasjon" not in at.query_params
    assert "enter_presentation" in [b.key for b in at.button]
    # AppTest gives the widgets of the run that follows st.rerun() other ids than the browser
    # does (the browser path is in test_browser_share); one plain run settles them.
    at.run()
    at.button(key="enter_presentation").click().run()
    assert query_value(at, "presentasjon") == "1"
