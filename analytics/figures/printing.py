"""A figure made ready for print (PNG, slide): white, Norwegian title, source footnote.

analytics.export renders the result to PNG with kaleido; this module only lays it out.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go

from analytics import clock, config, formatting, slidetext
from analytics.figures.style import TEMPLATE, on_paper, thousands

PNG_WIDTH, PNG_HEIGHT, PNG_SCALE = 1600, 900, 2


def source_note(source: str, demo: bool, fetched: dt.date | None = None, notes: Sequence[str] = ()) -> str:
    """'Kilde: NPR. Hentet 31.12.2025. Demodata – syntetiske tall.' plus protection notes."""
    fetched = fetched or clock.today()
    text = f"Kilde: {source}. Hentet {formatting.date(fetched)}."
    if demo:
        text += f" {config.DEMO_LABEL}."
    return " ".join([text, *notes])


EMOJI = re.compile("[\u2300-\u23ff\u3030\u303d\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f\u200d]")


def without_emoji(text: str) -> str:
    """The text without emoji (pictographs, ⬆️, 〰️, the variation selector), spaces tidied; «→» stays."""
    return re.sub(r"\s{2,}", " ", EMOJI.sub("", text)).strip()


# A wrapped axis title's extra line takes this many font sizes of margin beside the axis.
TITLE_LINE = 1.3
# The share of an axis's height its title may fill: room for the rounding of the measure.
TITLE_FILL = 0.9


def _fit_y_titles(fig: go.Figure, plot_height: float, size: float) -> tuple[int, int]:
    """Wrap each y-axis title that is longer than its axis is high, at word boundaries.

    A vertical title runs along the axis from its middle; one longer than the axis (at a
    slide's font size «Per 1 000 innbyggere 65 år og eldre per år» is) runs past the plot
    into the title and subtitle above. Widths are measured with a real font
    (analytics.slidetext: DejaVu Sans, wider than the fonts the PNG is drawn with, so a title
    measured to fit fits). Changes ``fig`` in place; titles that fit are left as they are.
    Returns the extra margin (px) the added lines need on the left and on the right.
    """
    extra = {"left": 0, "right": 0}

    def fit(axis) -> None:
        text = axis.title.text
        if not text:
            return
        font = (axis.title.font.size if axis.title.font else None) or size
        low, high = axis.domain or (0.0, 1.0)
        lines = slidetext.wrap(text.replace("<br>", " "), plot_height * (high - low) * TITLE_FILL, font)
        if len(lines) > text.count("<br>") + 1:
            axis.update(title_text="<br>".join(lines))
            side = "right" if axis.side == "right" else "left"
            extra[side] = max(extra[side], round((len(lines) - 1) * font * TITLE_LINE))

    fig.for_each_yaxis(fit)
    return extra["left"], extra["right"]


def print_ready(
    fig: go.Figure,
    title: str,
    source: str,
    demo: bool,
    fetched: dt.date | None = None,
    notes: Sequence[str] = (),
    font_scale: float = 1.0,
) -> go.Figure:
    """A copy of the figure for print: white background, Norwegian title, source footnote.

    The footnote sits in the bottom margin, below any legend under the plot. `font_scale`
    enlarges every text for a chart that is shown smaller (on a slide next to text); a y-axis
    title longer than its axis is then wrapped, with room beside it (`_fit_y_titles`).
    """
    size = 16 * font_scale
    note_size = 13 * font_scale
    top, bottom = round(90 * font_scale), round(125 * font_scale)
    # Wrap the footnote to the image width (about 0,55 em per character).
    note = "<br>".join(
        textwrap.wrap(source_note(source, demo, fetched, notes), int(1500 / (0.55 * note_size)))
    )
    lines = note.count("<br>") + 1
    bottom += round((lines - 1) * note_size * 1.3)
    plot_height = PNG_HEIGHT - top - bottom
    copy = on_paper(go.Figure(fig))
    copy.update_layout(
        title={"text": title, "x": 0.02, "font": {"size": 26 * font_scale}},
        template=TEMPLATE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"size": size},
        separators=formatting.PLOTLY_SEPARATORS,
        margin={"t": top, "b": bottom, "l": round(80 * font_scale), "r": 40},
        height=None,
        width=None,
    )
    if copy.layout.title.subtitle and copy.layout.title.subtitle.text:
        # A chart's subtitle (e.g. the SPC caption) at the body size: 13 px was 4 pt on a slide.
        copy.update_layout(
            title_subtitle_font_size=size, title_subtitle_text=without_emoji(copy.layout.title.subtitle.text)
        )
    # Print has words only: the image is drawn by the server's chromium, and an emoji without an
    # emoji font there is baked into the PNG and the slide as an empty box. Every icon has its word.
    copy.for_each_trace(lambda t: t.update(name=without_emoji(t.name)) if t.name else None)
    copy.for_each_annotation(lambda a: a.update(text=without_emoji(a.text)) if a.text else None)
    thousands(copy)
    left, right = _fit_y_titles(copy, PNG_HEIGHT - top - bottom, size)
    if left or right:
        copy.update_layout(margin={"l": copy.layout.margin.l + left, "r": copy.layout.margin.r + right})
    copy.add_annotation(
        text=note,
        xref="paper",
        yref="paper",
        x=0,
        y=-(bottom - 12) / plot_height,
        yanchor="bottom",
        showarrow=False,
        xanchor="left",
        align="left",
        font={"size": note_size},
    )
    return copy
