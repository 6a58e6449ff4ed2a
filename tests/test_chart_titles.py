"""A chart's title and subtitle are page text above the chart (they wrap on a phone), not a
plotly title (one line, cut off at the right); the PNG keeps its title."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from analytics import figures

PAGE = "pages/indicator.py"


def _specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.mark.parametrize(
    ("partnership", "indicator"), [("lovesa", "sepsis_antibiotics_1h"), ("ahus", "hip_fractures")]
)
def test_chart_titles_are_page_text(app, partnership, indicator):
    at = app(PAGE, hf=partnership, indikator=indicator)
    assert not at.exception
    specs = _specs(at)
    assert specs
    for spec in specs:
        title = spec["layout"].get("title", {})
        assert not title.get("text") and not title.get("subtitle", {}).get("text")
    bold = [m.value for m in at.markdown if m.value.startswith("**")]
    assert any("– Helsefellesskapet" in b for b in bold), bold  # the SPC chart's title
    assert any("Variasjon" in c.value and "Mål" in c.value for c in at.caption), [
        c.value for c in at.caption
    ]  # its subtitle


def test_the_png_keeps_the_title():
    """show_chart takes the title off the copy it shows, not off the figure the PNG button
    renders (export.figure_png gets ``fig``)."""
    from ui.charts import show_chart

    fig = figures.board_layout(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), "En lang tittel")
    fig.update_layout(title_subtitle_text="Undertittel")
    show_chart(fig, key="t", title="En lang tittel", source="Kilde", demo=True)
    assert fig.layout.title.text == "En lang tittel"
    assert fig.layout.title.subtitle.text == "Undertittel"
