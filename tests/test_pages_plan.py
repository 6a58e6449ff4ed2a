"""Oversikt and Handlingsplan, run as a user opens them (AppTest)."""

from __future__ import annotations

import pytest

from analytics import config
from analytics.icons import NO_SPC
from analytics.plan import load_plan
from analytics.registry import load_registry
from analytics.status import STATUS_STYLE, Status
from tests.support import html_table_of

ICONS = "".join(icon for icon, _ in STATUS_STYLE.values())

DEMO_LABEL = config.DEMO_LABEL


def plan(partnership: str):
    registry = load_registry()
    name = {"ahus": "ahus-2024-2025.yaml", "lovesa": "lovesa-2022.yaml"}[partnership]
    return load_plan(config.PLAN_DIR / name, registry.ids())


def all_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [s.value for s in at.subheader] + [w.value for w in at.warning]
    return "\n".join(parts)


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_overview_shows_plan_and_demo_label(app, partnership):
    at = app(hf=partnership)
    assert not at.exception
    expected = plan(partnership)
    assert at.title[0].value == expected.partnership.name
    text = all_text(at)
    assert DEMO_LABEL in text
    for measure in expected.leaf_measures:
        assert measure.text in text
    for goal in expected.goals:
        assert goal.text in text
    # the counts of measures by status add up to the number of measures
    assert sum(int(m.value) for m in at.metric) == len(expected.leaf_measures)


def test_overview_icon_and_word_never_colour_alone(app):
    at = app()
    badges = [
        m.value
        for m in at.markdown
        if "**" in m.value
        and any(
            w in m.value
            for w in (
                "Oppnådd",
                "Forsinket",
                "På sporet",
                "Usikker",
                "Ikke på sporet",
                "Mangler data",
                "Følges",
            )
        )
    ]
    assert badges
    assert all(any(icon in b for icon in ICONS) for b in badges)


def test_plan_page_shows_every_measure_and_criterion(app):
    at = app("pages/plan.py")
    assert not at.exception
    expected = plan("ahus")
    assert len(at.expander) == len(expected.leaf_measures)
    criteria_tables = at.dataframe[1:]
    assert len(criteria_tables) == len(expected.leaf_measures)
    shown = sum(len(t.value) for t in criteria_tables)
    assert shown == sum(len(m.criteria) for m in expected.measures)
    assert len(at.dataframe[0].value) == len(expected.leaf_measures)
    assert DEMO_LABEL in all_text(at)


def test_plan_page_exact_phrases(app):
    at = app("pages/plan.py")
    cells = "\n".join(t.value.to_csv() for t in at.dataframe)
    for phrase in [
        "Mandat er utarbeidet og fagråd er etablert og igangsatt",
        "Tydliggjøre representasjon, mandat og oppgaver for LSF voksen",
        "Antall hoftebrudd",
        "Ungdata-rapporter",
        "Pilotprosjekt igangsatt og evaluert",
        "Følger revisjonsplan for avtaler, retningslinjer og pakkeforløp",
    ]:
        assert phrase in cells


def test_plan_page_filters_by_target_group(app):
    ahus = plan("ahus")
    group = next(g.id for g in ahus.target_groups if g.name == "Barn/unge")
    at = app("pages/plan.py")
    at.multiselect(key="url_malgruppe").set_value([group]).run()
    expected = [m for m in ahus.leaf_measures if m.target_group == group]
    assert len(at.dataframe[0].value) == len(expected) < len(plan("ahus").leaf_measures)
    assert len(at.expander) == len(expected)


def test_lovesa_plan_marks_proposed_criteria(app):
    at = app("pages/plan.py", hf="lovesa")
    assert not at.exception
    criteria = "\n".join(t.value.to_csv() for t in at.dataframe[1:])
    assert "Forslag:" in criteria
    assert "Lillestrøm" not in criteria and "Ahus" not in at.title[0].value


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_overview_icon_summary_one_row_per_measure(app, partnership):
    at = app(hf=partnership)
    assert not at.exception
    summary = html_table_of(at, "icon-summary")
    expected = plan(partnership)
    end = f"Status 31.12.{expected.partnership.period_end}"  # both demo plans' periods are over
    assert list(summary.columns) == ["Tiltak", "Status", end, "Variasjon", "Mål", "Indikator"]
    assert len(summary) == len(expected.leaf_measures)
    words = [s.value for s in Status]
    for cell in summary["Status"]:
        icon, word = cell.split(" ", 1)
        assert icon in ICONS and word in words
    # Icons always come with words.
    judged = summary[summary["Variasjon"] != "–"]
    assert len(judged) > 0
    for cell in [*judged["Variasjon"], *judged["Mål"]]:
        assert len(cell.split(" ", 1)) == 2 and cell.split(" ", 1)[1].strip()


def test_overview_icon_summary_ahus_values(app):
    at = app()
    summary = html_table_of(at, "icon-summary")
    iht = summary[summary["Indikator"] == "Antall kommuner som deltar i IHT"].iloc[0]
    assert iht["Variasjon"] == NO_SPC  # a rollout gets no SPC (issue 13, case 9)
    assert iht["Mål"].startswith("📈 Nås i dagens tempo:")
    assert iht["Status"] == "⏰ Forsinket"


def test_a_status_set_by_a_milestone_names_the_milestone_not_a_series(app):
    """Fallforebygging is «Forsinket» because its milestone «NPR-data vurdert» is not registered,
    while both its series are fine: the row names the milestone, and shows no series' icons."""
    at = app()
    summary = html_table_of(at, "icon-summary")
    falls = summary[summary["Tiltak"] == plan("ahus").measure("m11").title].iloc[0]
    assert falls["Status"] == "⏰ Forsinket"
    assert falls["Indikator"].startswith("Milepæl: ")
    assert falls["Variasjon"] == "–" and falls["Mål"] == "–"


def test_overview_uses_short_titles_with_the_plans_words_on_hover(app):
    at = app()
    summary = html_table_of(at, "icon-summary")
    ahus = plan("ahus")
    assert list(summary["Tiltak"]) == [m.short for m in ahus.leaf_measures]
    # No row repeats its parent's lead-in (the first four read «Styrke og videreutvikle …» before).
    assert not any(cell.startswith("Styrke og videreutvikle") for cell in summary["Tiltak"])
    body = next(h.proto.body for h in at.get("html") if 'id="icon-summary"' in h.proto.body)
    measure = ahus.measure("m05")
    assert f'title="{" ".join(measure.text.split())}"' in " ".join(body.split())


def test_every_measure_and_criterion_has_a_short_title():
    for name in ("ahus", "lovesa"):
        for measure in plan(name).measures:
            assert measure.short and len(measure.short) <= 50, measure.id
            for criterion in measure.criteria:
                assert criterion.short and len(criterion.short) <= 40, criterion.id


def test_overview_says_the_plan_period_is_over_and_shows_status_at_its_end(app, demo_board):
    import datetime as dt

    from analytics.evaluate import evaluate_plan

    at = app()
    assert any("Planperioden er over" in i.value and "31.12.2025" in i.value for i in at.info)
    summary = html_table_of(at, "icon-summary")
    at_end = evaluate_plan(demo_board, "ahus", as_of=dt.date(2025, 12, 31))
    ahus = plan("ahus")
    expected = [at_end.measures[m.id].value for m in ahus.leaf_measures]
    assert [cell.split(" ", 1)[1] for cell in summary["Status 31.12.2025"]] == expected
    now = [cell.split(" ", 1)[1] for cell in summary["Status"]]
    assert now != expected  # something happened after the deadline in the demo data
