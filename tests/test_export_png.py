"""PNG export for the meeting: real kaleido driving Debian's chromium (not mocked)."""

from __future__ import annotations

import datetime as dt
import io
import time

import plotly.graph_objects as go
import pytest
from PIL import Image

from analytics import config, export, figures

pytestmark = pytest.mark.backend_free

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def figure(title: str = "Antall hoftebrudd") -> go.Figure:
    fig = go.Figure(go.Scatter(x=["2023", "2024", "2025"], y=[1234.5, 1302.25, 1190.0], name="Verdi"))
    fig.update_layout(title=title, paper_bgcolor="#f0f2f6")  # screen colours; print must be white
    return fig


@pytest.fixture(scope="module")
def rendered() -> dict:
    """One PNG alone and a batch of three in one browser (the deck's way), with timings."""
    started = time.perf_counter()
    single = export.figure_png(figure(), "Antall hoftebrudd", "NPR", demo=True)
    single_seconds = time.perf_counter() - started
    started = time.perf_counter()
    batch = export.figures_png(
        [export.PngRequest(figure(), f"Figur {i}", "NPR", demo=False) for i in range(3)]
    )
    return {
        "single": single,
        "single_seconds": single_seconds,
        "batch": batch,
        "batch_seconds": time.perf_counter() - started,
    }


def test_png_is_3200_by_1800_with_white_background(rendered):
    data = rendered["single"]
    assert data.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert (
        image.size
        == (export.PNG_WIDTH * export.PNG_SCALE, export.PNG_HEIGHT * export.PNG_SCALE)
        == (3200, 1800)
    )
    for corner in [(5, 5), (3190, 5), (5, 1790), (3190, 1790)]:
        assert image.getpixel(corner) == (255, 255, 255)
    # Something is drawn (title, line, footnote), not a blank page.
    assert len(set(image.resize((320, 180)).getdata())) > 5


def test_batch_renders_every_figure_in_order(rendered):
    batch = rendered["batch"]
    assert len(batch) == 3 and all(b.startswith(PNG_MAGIC) for b in batch)
    assert len(set(batch)) == 3  # different titles, different images
    # One browser for the batch: three images cost less than three single exports would
    # (~1,5 s to start chromium, ~0,2 s per image); generous, as the machine may be busy.
    assert rendered["batch_seconds"] < 3 * rendered["single_seconds"] + 2


def test_print_ready_has_norwegian_title_source_date_and_demo_label():
    ready = figures.print_ready(
        figure(),
        "Antall hoftebrudd",
        "NPR",
        demo=True,
        fetched=dt.date(2025, 12, 31),
        notes=["«<5» betyr færre enn 5."],
    )
    assert ready.layout.title.text == "Antall hoftebrudd"
    assert ready.layout.paper_bgcolor == "white" and ready.layout.plot_bgcolor == "white"
    assert ready.layout.separators == ", "
    note = ready.layout.annotations[-1].text.replace("<br>", " ")
    assert "Kilde: NPR." in note and "Hentet 31.12.2025." in note
    assert config.DEMO_LABEL in note and "«<5» betyr færre enn 5." in note
    plain = figures.print_ready(figure(), "T", "NPR", demo=False)
    assert config.DEMO_LABEL not in plain.layout.annotations[-1].text


def test_print_ready_leaves_the_screen_figure_alone():
    original = figure()
    figures.print_ready(original, "T", "NPR", demo=False)
    assert original.layout.paper_bgcolor == "#f0f2f6" and not original.layout.annotations


def test_print_has_words_only_no_emoji():
    """The PNG and the slide are drawn by the server's chromium: an emoji without an emoji font
    there is baked in as an empty box. Print keeps the words («Variasjon: Vanlig variasjon»)."""
    import json

    from tests.conftest import _strings

    screen = figure()
    screen.update_layout(title_subtitle_text="Variasjon: 〰️ Vanlig variasjon · Mål: ⬆️ 8,1 → 7,0 📈")
    screen.add_annotation(text="⚠️ Bekymring", x=1, y=1)
    screen.data[0].name = "✔️ Når målet"
    ready = figures.print_ready(screen, "T", "NPR", demo=False)
    texts = _strings(json.loads(ready.to_json()))
    assert not [t for t in texts if figures.EMOJI.search(t)]
    assert ready.layout.title.subtitle.text == "Variasjon: Vanlig variasjon · Mål: 8,1 → 7,0"
    assert ready.data[0].name == "Når målet" and "Bekymring" in [a.text for a in ready.layout.annotations]


def test_csv_is_semicolon_separated_utf8_with_bom_and_notes():
    import pandas as pd

    data = export.csv_bytes(
        pd.DataFrame({"Kommune": ["Lørenskog"], "Antall": ["<5"]}), ["«<5» betyr færre enn 5."]
    )
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines()[:2] == ["Kommune;Antall", "Lørenskog;<5"]
    assert text.rstrip().endswith("Merknad: «<5» betyr færre enn 5.")
