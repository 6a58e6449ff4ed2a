"""Møtepakke as a leader uses it (AppTest): choose measures, get a deck and the images."""

from __future__ import annotations

import io
import zipfile

from PIL import Image
from pptx import Presentation

from analytics import deck

PAGE = "pages/meeting.py"


def test_choices_from_the_url_and_a_deck_is_produced(app, demo_board):
    at = app(PAGE, tiltak="m10,m11", malgruppe="rop")
    assert not at.exception
    assert at.toggle(key="deck_matrix").value  # the matrix comes along by default
    at.toggle(key="deck_matrix").set_value(False).run()
    assert at.title[0].value == "Møtepakke"
    assert at.multiselect(key="url_tiltak").value == ["m10", "m11"]
    assert at.multiselect(key="url_malgruppe").value == ["rop"]
    plan = demo_board.plan("ahus")
    expected = [m for m in plan.leaf_measures if m.id in ("m10", "m11") or m.target_group == "rop"]
    summary = next(m.value for m in at.markdown if "tiltak** blir med" in m.value)
    assert summary.startswith(f"**{len(expected)} tiltak**")
    slides = deck.slide_count(expected)
    assert f"presentasjonen får {slides} lysbilder" in summary

    at.button(key="make_deck").click().run()
    assert not at.exception and not at.error
    signature, data, seconds = at.session_state["meeting_deck"]
    assert signature[1] == tuple(m.id for m in expected)
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == slides
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[0] == plan.partnership.name and titles[1] == "Oppsummering"
    assert titles[-1] == "Kilder og merknader"
    assert any(s.value.startswith("Presentasjonen er klar") for s in at.success)
    downloads = at.get("download_button")
    assert any("presentasjon" in d.proto.label.lower() for d in downloads)


def test_chart_images_come_as_a_zip_of_print_pngs(app):
    at = app(PAGE, tiltak="m10")
    at.button(key="make_pngs").click().run()
    assert not at.exception
    _, data = at.session_state["meeting_pngs"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == ["m10-iht_municipalities.png"]
        image = Image.open(io.BytesIO(archive.read(names[0])))
        assert image.size == (3200, 1800)


def test_no_choice_means_the_whole_plan(app, demo_board):
    at = app(PAGE)
    leaves = demo_board.plan("ahus").leaf_measures
    summary = next(m.value for m in at.markdown if "tiltak** blir med" in m.value)
    assert summary.startswith(f"**{len(leaves)} tiltak**")
    assert "tiltak" not in at.query_params and "mal" not in at.query_params


def test_a_deck_per_the_end_of_the_plan_period(app, demo_board):
    import datetime as dt

    from analytics.evaluate import evaluate_plan

    at = app(PAGE, tiltak="m10,m19", per="slutt")
    assert not at.exception
    assert at.radio(key="url_per").value == "slutt"
    at.toggle(key="deck_matrix").set_value(False).run()
    at.button(key="make_deck").click().run()
    signature, data, _ = at.session_state["meeting_deck"]
    assert dt.date(2025, 12, 31) in signature
    prs = Presentation(io.BytesIO(data))
    assert prs.slides[0].shapes.title.text.endswith("status per 31.12.2025")
    at_end = evaluate_plan(demo_board, "ahus", as_of=dt.date(2025, 12, 31))
    table = next(s for s in prs.slides[1].shapes if s.has_table).table
    shown = [table.cell(row, 1).text for row in range(1, len(table.rows))]
    assert shown == [at_end.measures[m].value for m in ("m10", "m19")]
