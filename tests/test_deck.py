"""The meeting deck: opened again with python-pptx, as a user's PowerPoint would open it."""

from __future__ import annotations

import datetime as dt
import io
import re
import time

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

from analytics import config, deck
from analytics.evaluate import evaluate_plan
from analytics.matrix import status_matrix
from analytics.status import STATUS_STYLE
from analytics.summary import COLUMNS as summary_columns

FETCHED = dt.date(2026, 1, 15)


def slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def ten_slides(demo_board):
    """A 10-slide deck: title, summary, seven measures with charts, sources (timed)."""
    plan = demo_board.plan("ahus")
    status = evaluate_plan(demo_board, "ahus")
    measures = [m for m in plan.leaf_measures if deck.chart_criterion(m) is not None][:7]
    started = time.perf_counter()
    data = deck.build_deck(
        demo_board, "ahus", status, measures, deck.default_figure_for(demo_board, "ahus"), fetched=FETCHED
    )
    seconds = time.perf_counter() - started
    print(f"\n10-slide deck built in {seconds:.1f} s, {len(data)} bytes")
    return {"data": data, "measures": measures, "status": status, "plan": plan, "seconds": seconds}


def test_deck_has_title_summary_one_slide_per_measure_and_sources(ten_slides):
    prs = Presentation(io.BytesIO(ten_slides["data"]))
    measures, plan = ten_slides["measures"], ten_slides["plan"]
    assert len(prs.slides) == deck.slide_count(measures) == 10
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))  # 16:9
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[0] == plan.partnership.name
    assert titles[1] == "Oppsummering"
    for measure, title in zip(measures, titles[2:-1], strict=True):
        assert title == measure.title  # the board's short title
    assert titles[-1] == "Kilder og merknader"


def test_every_measure_slide_embeds_its_chart_as_a_print_png(ten_slides):
    prs = Presentation(io.BytesIO(ten_slides["data"]))
    for slide in list(prs.slides)[2:-1]:
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        blob = pictures[0].image.blob
        assert pictures[0].image.content_type == "image/png"
        assert Image.open(io.BytesIO(blob)).size == (3200, 1800)


def test_measure_slides_show_status_icon_word_and_reason(ten_slides):
    prs = Presentation(io.BytesIO(ten_slides["data"]))
    status, plan = ten_slides["status"], ten_slides["plan"]
    for measure, slide in zip(ten_slides["measures"], list(prs.slides)[2:-1], strict=True):
        text = slide_text(slide)
        state = status.measures[measure.id]
        assert state.value in text and STATUS_STYLE[state][0] not in text  # the word, no emoji glyph
        marks = [s for s in slide.shapes if s.name == f"Status: {state.value}"]
        assert len(marks) == 1 and marks[0].shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE
        reason = status.measure_reason(plan, measure)
        assert deck.short_text(reason, 220)[:40] in text or "<5" in text
        assert f"Frist: {plan.effective_deadline(measure).text}" in text


def test_summary_is_the_icons_only_table_and_sources_name_every_indicator(ten_slides, demo_board):
    prs = Presentation(io.BytesIO(ten_slides["data"]))
    slides = list(prs.slides)
    summary = next(s for s in slides[1].shapes if s.has_table).table
    assert [c.text for c in summary.rows[0].cells] == summary_columns
    assert len(summary.rows) == 1 + len(ten_slides["measures"])
    sources = slide_text(slides[-1])
    names = {
        demo_board.registry.get(indicator_id).name
        for measure in ten_slides["measures"]
        for criterion in measure.criteria
        for indicator_id in criterion.indicators
    }
    # Every indicator is named, or (when the column is full) counted in «… og N til»: the slide
    # shrinks its text to fit and never lets it run past the slide.
    named = {name for name in names if name in sources}
    rest = re.search(r"… og (\d+) til \(se Datakatalog\)", sources)
    assert len(named) + (int(rest.group(1)) if rest else 0) == len(names)
    assert len(named) >= len(names) // 2
    assert "15.01.2026" in sources and config.DEMO_LABEL in sources
    assert "«<5»" in sources


def test_every_slide_carries_the_demo_label_and_date(ten_slides):
    prs = Presentation(io.BytesIO(ten_slides["data"]))
    for number, slide in enumerate(list(prs.slides)[1:], start=2):
        text = slide_text(slide)
        assert config.DEMO_LABEL in text and "hentet 15.01.2026" in text and f"{number}/10" in text


def test_ten_slide_deck_builds_in_reasonable_time(ten_slides):
    # One browser renders all seven charts; ~2 s per chart would be 14 s.
    assert ten_slides["seconds"] < 30


def test_select_measures_by_goal_group_or_id(demo_board):
    plan = demo_board.plan("ahus")
    assert deck.select_measures(plan) == list(plan.leaf_measures)
    elderly = deck.select_measures(plan, target_groups=["eldre"])
    assert elderly and all(m.target_group == "eldre" for m in elderly)
    by_goal = deck.select_measures(plan, goals=["g2"])
    assert by_goal and all(m.goal == "g2" for m in by_goal)
    both = deck.select_measures(plan, target_groups=["eldre"], measures=["m21"])
    assert [m.id for m in both] == [
        m.id for m in plan.leaf_measures if m.target_group == "eldre" or m.id == "m21"
    ]
    # A parent measure brings its sub-measures.
    children = deck.select_measures(plan, measures=["m01"])
    assert children and all(m.parent == "m01" for m in children)


def test_a_deck_made_as_of_a_day_draws_its_charts_on_the_rows_up_to_that_day(demo_board):
    """default_figure_for(as_of): a pack «per 30.06.2025» charts fall injuries (m11, monthly)
    up to June 2025, as its status is judged; made on the day it runs, the chart goes on."""
    measure = demo_board.plan("ahus").measure("m11")
    as_of = dt.date(2025, 6, 30)

    def last_point(figure) -> dt.date:
        return max(dt.datetime.fromisoformat(str(x)).date() for x in figure.to_dict()["data"][0]["x"])

    assert last_point(deck.default_figure_for(demo_board, "ahus", as_of)(measure)) <= as_of
    assert last_point(deck.default_figure_for(demo_board, "ahus")(measure)) > as_of


def test_long_selection_splits_the_summary_and_combines_milestone_measures(demo_board):
    plan = demo_board.plan("ahus")
    status = evaluate_plan(demo_board, "ahus")
    measures = list(plan.leaf_measures)
    data = deck.build_deck(demo_board, "ahus", status, measures, lambda m: None, fetched=FETCHED)
    prs = Presentation(io.BytesIO(data))
    charted = [m for m in measures if deck.chart_criterion(m) is not None]
    milestones_only = [m for m in measures if deck.chart_criterion(m) is None]
    assert len(milestones_only) > deck.MILESTONES_PER_SLIDE
    combined = -(-len(milestones_only) // deck.MILESTONES_PER_SLIDE)
    summaries = -(-len(measures) // deck.SUMMARY_ROWS_PER_SLIDE)
    assert summaries == 2
    assert len(prs.slides) == deck.slide_count(measures) == 1 + summaries + len(charted) + combined + 1
    assert [prs.slides[i].shapes.title.text for i in (1, 2)] == ["Oppsummering (1/2)", "Oppsummering (2/2)"]
    assert "Ingen figur" in slide_text(prs.slides[3])  # a charted measure whose figure is missing
    milestone_slides = [s for s in prs.slides if s.shapes.title.text == "Tiltak som måles med milepæler"]
    assert len(milestone_slides) == combined
    first = slide_text(milestone_slides[0])
    assert all(m.title in first for m in milestones_only[: deck.MILESTONES_PER_SLIDE])


def test_sources_name_the_plan_document_not_a_file_id(ten_slides):
    prs = Presentation(io.BytesIO(ten_slides["data"]))
    sources = slide_text(list(prs.slides)[-1])
    assert ten_slides["plan"].partnership.plan_title in sources
    assert ".txt" not in sources and "000_" not in sources


def test_matrix_slides_show_each_cell_as_a_shape_and_word(demo_board):
    plan = demo_board.plan("lovesa")
    status = evaluate_plan(demo_board, "lovesa")
    matrix = status_matrix(demo_board, "lovesa")
    measures = list(plan.leaf_measures)[:1]
    data = deck.build_deck(
        demo_board, "lovesa", status, measures, lambda m: None, fetched=FETCHED, matrix=matrix
    )
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == deck.slide_count(measures, matrix)
    slides = [s for s in prs.slides if s.shapes.title.text.startswith("Hvor står vi?")]
    assert slides
    marks = [s for slide in slides for s in slide.shapes if s.name.startswith("Status: ")]
    assert len(marks) == len(matrix.cells)
    assert {m.name.removeprefix("Status: ") for m in marks} == set(matrix.cells["status"])
    assert all(m.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE for m in marks)
