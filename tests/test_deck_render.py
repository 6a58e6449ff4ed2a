"""The deck as a meeting room's PC shows it: rendered by LibreOffice (Debian's libreoffice-impress,
headless) to PDF and PNG (poppler-utils), then checked for text that leaves its slide or its box
and for status icons that are glyphs instead of shapes."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu

from analytics import deck, slidetext
from analytics.evaluate import evaluate_plan
from analytics.matrix import status_matrix
from analytics.status import STATUS_STYLE

FETCHED = dt.date(2026, 1, 15)
EMOJI = re.compile("[\u2190-\u2bff\u2600-\u27bf\U0001f000-\U0001faff\ufe0f]")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:  # a failure, not a skip: `make test` installs them (Makefile: deck-tools)
        raise RuntimeError(f"{name} mangler: kjør «apt-get install libreoffice-impress poppler-utils».")
    return path


@pytest.fixture(scope="module")
def rendered(demo_board, tmp_path_factory):
    """A deck with every kind of slide (summary, matrix, a chart, milestones, sources), its pptx
    and LibreOffice's PDF and PNG pages."""
    plan = demo_board.plan("ahus")
    status = evaluate_plan(demo_board, "ahus")
    charted = [m for m in plan.leaf_measures if deck.chart_criterion(m) is not None]
    milestones = [m for m in plan.leaf_measures if deck.chart_criterion(m) is None]
    measures = [*milestones[:5], charted[0], *charted[4:6]]  # plan order is kept by the deck below
    measures = [m for m in plan.leaf_measures if m in measures]
    figure_for = deck.default_figure_for(demo_board, "ahus")
    matrix = status_matrix(demo_board, "ahus")
    data = deck.build_deck(
        demo_board,
        "ahus",
        status,
        measures,
        lambda m: figure_for(m) if m.id == charted[0].id else None,
        fetched=FETCHED,
        matrix=matrix,
    )
    out = tmp_path_factory.mktemp("deck")
    (out / "deck.pptx").write_bytes(data)
    profile = (out / "profile").as_uri()  # its own LibreOffice profile: tests may run side by side
    subprocess.run(
        [_tool("soffice"), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(out), str(out / "deck.pptx")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    subprocess.run([_tool("pdftoppm"), "-r", "40", "-png", str(out / "deck.pdf"), str(out / "s")], check=True)
    return {"prs": Presentation(io.BytesIO(data)), "dir": out, "measures": measures, "matrix": matrix}


def test_libreoffice_renders_every_slide(rendered):
    pages = sorted(rendered["dir"].glob("s-*.png"))
    expected = deck.slide_count(rendered["measures"], rendered["matrix"])
    assert len(pages) == len(rendered["prs"].slides) == expected
    for page in pages:
        image = Image.open(page).convert("L")
        assert image.getextrema()[0] < 100, f"{page.name} is blank"


def test_no_shape_leaves_its_slide(rendered):
    prs = rendered["prs"]
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= prs.slide_width, (number, shape.name)
            assert shape.top + shape.height <= prs.slide_height, (number, shape.name)


def test_text_fits_its_box_by_font_metrics(rendered):
    for number, slide in enumerate(rendered["prs"].slides, start=1):
        for shape in slide.shapes:
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            frame = shape.text_frame
            lines = [
                slidetext.Line(
                    "".join(r.text for r in p.runs),
                    max((Emu(r.font.size).pt for r in p.runs if r.font.size), default=18),
                    any(r.font.bold for r in p.runs),
                )
                for p in frame.paragraphs
            ]
            if frame.word_wrap is False:  # one-line cells: measured against their width
                width = Emu(shape.width).pt - Emu(frame.margin_left + frame.margin_right).pt
                assert all(
                    slidetext.text_width(line.text, line.size, line.bold) <= width + 0.5 for line in lines
                ), (
                    number,
                    frame.text,
                )
                continue
            assert slidetext.fits(lines, shape.width, shape.height), (number, frame.text[:80])


def test_no_word_in_the_pdf_lies_outside_its_page(rendered):
    pdf = rendered["dir"] / "deck.pdf"
    html = subprocess.run(
        [_tool("pdftotext"), "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)
    assert len(pages) == len(rendered["prs"].slides)
    word = re.compile(
        r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>'
    )
    for number, (width, height, body) in enumerate(pages, start=1):
        for x0, y0, x1, y1, text in word.findall(body):
            assert float(x0) >= 0 and float(y0) >= 0, (number, text)
            assert float(x1) <= float(width) + 1 and float(y1) <= float(height) + 1, (number, text)


def test_icons_are_shapes_and_no_text_is_an_emoji(rendered):
    marks = 0
    for slide in rendered["prs"].slides:
        for shape in slide.shapes:
            if shape.name.startswith("Status: "):
                assert shape.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE
                marks += 1
            texts = [shape.text_frame.text] if shape.has_text_frame else []
            if shape.has_table:
                texts += [c.text for row in shape.table.rows for c in row.cells]
            for text in texts:
                assert not EMOJI.search(text), text
                assert not any(icon in text for icon, _ in STATUS_STYLE.values()), text
    assert marks > 100  # summary rows, measure slides and every matrix cell
