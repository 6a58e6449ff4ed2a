"""The meeting deck: a 16:9 PowerPoint (python-pptx) built from the plan, its status and charts.

Slides: a title slide; the icons-only summary (a table: status, SPC variation, assurance per
measure; split over several slides when long); one slide per chosen measure with its chart
(a print-ready PNG from analytics.export), status icon and word, and the one-line reason;
a sources slide. Which figure a measure gets is a parameter (`figure_for`); the default is
the board's own chart for the measure's chart criterion (analytics.indicator_view). Small
counts: the charts and the numbers behind them come from the board's protected series
("<5"), each chart's footnote says so, and a reason quoting a protected count has small
numbers masked (analytics.protection).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from analytics import config, export, formatting, protection
from analytics.board import Board
from analytics.evaluate import PlanStatus, scope_units
from analytics.indicator_view import criterion_view, shown_value
from analytics.plan import Criterion, CriterionKind, Measure, Plan
from analytics.registry import Indicator
from analytics.series import judged_series, load_rows, value_label
from analytics.status import STATUS_STYLE, Status
from analytics.summary import icon_summary

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
SUMMARY_ROWS_PER_SLIDE = 12
# The chart fills about 8,5 of the slide's 13,3 inches: larger text keeps it readable (~10 pt).
SLIDE_FONT_SCALE = 1.7
TITLE_SIZE, BODY_SIZE, SMALL_SIZE = Pt(26), Pt(16), Pt(11)
GREY = RGBColor(0x57, 0x60, 0x6A)
# Kinds whose indicator makes the best chart for a measure, best first.
CHART_KINDS = (
    CriterionKind.target,
    CriterionKind.trend,
    CriterionKind.coverage,
    CriterionKind.before_after,
    CriterionKind.monitor,
)

FigureFor = Callable[[Measure], go.Figure | None]


# -- choosing what goes in ---------------------------------------------------------------


def select_measures(
    plan: Plan,
    goals: Iterable[str] = (),
    target_groups: Iterable[str] = (),
    measures: Iterable[str] = (),
) -> list[Measure]:
    """Leaf measures under any chosen goal or target group, or chosen by id (a parent id
    brings its sub-measures); nothing chosen means the whole plan. Plan order."""
    goals, groups, chosen = set(goals), set(target_groups), set(measures)
    if not (goals or groups or chosen):
        return list(plan.leaf_measures)
    return [
        m
        for m in plan.leaf_measures
        if m.goal in goals or m.target_group in groups or m.id in chosen or m.parent in chosen
    ]


def chart_criterion(measure: Measure) -> Criterion | None:
    """The criterion whose chart stands for the measure on its slide (None: milestones only)."""
    for kind in CHART_KINDS:
        for criterion in measure.criteria:
            if criterion.kind is kind and criterion.indicators:
                return criterion
    return None


def chart_indicator(measure: Measure) -> str | None:
    criterion = chart_criterion(measure)
    return criterion.indicators[0] if criterion else None


# -- the numbers behind the charts ---------------------------------------------------------------


def judged(board: Board, partnership: str, indicator_id: str) -> pd.DataFrame:
    """The indicator's series as the board judges and draws it (analytics.series), with a
    `hidden` flag on protected small counts."""
    indicator = board.registry.get(indicator_id)
    return judged_series(load_rows(board, indicator, scope_units(board, partnership)))


def chart_notes(board: Board, partnership: str, indicator_id: str | None) -> tuple[str, ...]:
    """The protection footnote for a chart whose series hides small counts (else none)."""
    if indicator_id is None:
        return ()
    series = judged(board, partnership, indicator_id)
    return (protection.primary_note(protection.threshold()),) if series["hidden"].any() else ()


# -- text the deck shows -------------------------------------------------------------------


def short_text(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def status_label(status: Status) -> str:
    return f"{STATUS_STYLE[status][0]} {status.value}"


def measure_reason(board: Board, plan: Plan, status: PlanStatus, measure: Measure) -> str:
    """The one-line reason; small numbers masked when it is about a protected count.

    The reason is that of the criterion that sets the measure's status; only when that
    criterion measures a protected indicator (registry `protect_small`) is it masked.
    """
    reason = status.measure_reason(plan, measure)
    source = next(
        (c for c in measure.criteria if c.id in status.criteria and status.criteria[c.id].reason == reason),
        None,
    )
    indicators = source.indicators if source else [i for c in measure.criteria for i in c.indicators]
    if any(board.registry.get(i).protect_small for i in indicators):
        return protection.mask_small_numbers(reason)
    return reason


def summary_table(plan: Plan, status: PlanStatus, measures: Sequence[Measure]) -> pd.DataFrame:
    """The icons-only summary (analytics.summary, as on Oversikt) for the chosen measures."""
    table = icon_summary(plan, status)
    chosen = {m.id for m in measures}
    keep = [m.id in chosen for m in plan.leaf_measures]
    table = table[keep].reset_index(drop=True)
    table["Tiltak"] = table["Tiltak"].map(lambda text: short_text(text, 90))
    return table


# -- slide building --------------------------------------------------------------------------


def _text_box(slide, left, top, width, height, lines, size=BODY_SIZE, bold=False, colour=None):
    """A text box; `lines` are paragraphs (str) or (str, size, bold, colour) tuples."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        text, line_size, line_bold, line_colour = (
            line if isinstance(line, tuple) else (line, size, bold, colour)
        )
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size = line_size
        run.font.bold = line_bold
        if line_colour is not None:
            run.font.color.rgb = line_colour
    return box


def _title(slide, text: str, size=TITLE_SIZE) -> None:
    """Fill the layout's title placeholder (so slide.shapes.title works) and place it 16:9."""
    title = slide.shapes.title
    title.left, title.top = Inches(0.5), Inches(0.3)
    title.width, title.height = SLIDE_WIDTH - Inches(1.0), Inches(1.1)
    title.text = text
    frame = title.text_frame
    frame.word_wrap = True
    for paragraph in frame.paragraphs:
        paragraph.alignment = 1  # left
        for run in paragraph.runs:
            run.font.size = size
            run.font.bold = True


def _footer(slide, text: str, number: int, total: int) -> None:
    """Source line and slide number as n/N (no bare small number in the deck's text)."""
    _text_box(
        slide,
        Inches(0.5),
        SLIDE_HEIGHT - Inches(0.45),
        SLIDE_WIDTH - Inches(1.0),
        Inches(0.35),
        [f"{text} · {number}/{total}"],
        size=SMALL_SIZE,
        colour=GREY,
    )


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


@dataclass(frozen=True)
class DeckInfo:
    """What every slide says about where the numbers come from."""

    title: str
    subtitle: str
    footer: str
    fetched: dt.date
    demo: bool
    slides: int


def _summary_slides(prs, info: DeckInfo, table: pd.DataFrame, number: int) -> int:
    chunks = [
        table.iloc[i : i + SUMMARY_ROWS_PER_SLIDE] for i in range(0, len(table), SUMMARY_ROWS_PER_SLIDE)
    ]
    # Measure text and indicator name get room; the icon columns share the rest of 12,3 in.
    fixed = {"Tiltak": Inches(4.6), "Indikator": Inches(2.6)}
    rest = (Inches(12.33) - sum((fixed.get(c, 0) for c in table.columns), Emu(0))) // max(
        1, sum(c not in fixed for c in table.columns)
    )
    widths = [Emu(int(fixed.get(c, rest))) for c in table.columns]
    for index, chunk in enumerate(chunks or [table]):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        part = f" ({index + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        _title(slide, f"Oppsummering{part}")
        rows, cols = len(chunk) + 1, len(table.columns)
        shape = slide.shapes.add_table(
            rows, cols, Inches(0.5), Inches(1.4), sum(widths, Emu(0)), Inches(0.4) * rows
        )
        grid = shape.table
        for col, width in enumerate(widths):
            grid.columns[col].width = width
        for col, name in enumerate(table.columns):
            grid.cell(0, col).text = name
        for row, values in enumerate(chunk.itertuples(index=False), start=1):
            for col, value in enumerate(values):
                grid.cell(row, col).text = str(value)
        for row in range(rows):
            for col in range(cols):
                for paragraph in grid.cell(row, col).text_frame.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(12) if row else Pt(13)
        _footer(slide, info.footer, number, info.slides)
        number += 1
    return number


def _measure_slide(
    prs,
    info: DeckInfo,
    board: Board,
    plan: Plan,
    status: PlanStatus,
    measure: Measure,
    png: bytes | None,
    number: int,
) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    parent = plan.parent_of(measure)
    _title(slide, short_text(measure.text, 120), size=Pt(20))
    state = status.measures[measure.id]
    reason = measure_reason(board, plan, status, measure)
    _text_box(
        slide,
        Inches(0.5),
        Inches(1.4),
        SLIDE_WIDTH - Inches(1.0),
        Inches(0.8),
        [
            (status_label(state), Pt(20), True, _rgb(STATUS_STYLE[state][1])),
            (short_text(reason, 220), Pt(14), False, None),
        ],
    )
    chart_left, chart_top, chart_width = Inches(0.5), Inches(2.25), Inches(8.5)
    if png is not None:
        slide.shapes.add_picture(io.BytesIO(png), chart_left, chart_top, width=chart_width)
    else:
        _text_box(
            slide,
            chart_left,
            chart_top,
            chart_width,
            Inches(1.0),
            ["Ingen figur: tiltaket måles med milepæler (se kriteriene til høyre)."],
            size=Pt(14),
            colour=GREY,
        )
    deadline = plan.effective_deadline(measure)
    responsible = measure.responsible or (parent.responsible if parent else [])
    lines: list = [("Suksesskriterier", Pt(14), True, None)]
    for criterion in measure.criteria:
        judgement = status.criteria.get(criterion.id)
        label = status_label(judgement.status) if judgement else ""
        lines.append((f"{label} – {short_text(criterion.text, 90)}", Pt(12), False, None))
    lines.append(("", Pt(8), False, None))
    lines.append((f"Målgruppe: {plan.target_group(measure.target_group).name}", Pt(12), False, GREY))
    lines.append((f"Ansvarlig: {', '.join(responsible) or '–'}", Pt(12), False, GREY))
    lines.append((f"Frist: {deadline.text if deadline else '–'}", Pt(12), False, GREY))
    if parent:
        lines.append((f"Del av: {short_text(parent.text, 120)}", Pt(11), False, GREY))
    _text_box(slide, Inches(9.4), chart_top, Inches(3.45), Inches(4.6), lines)
    _footer(slide, info.footer, number, info.slides)


def _sources_slide(
    prs, info: DeckInfo, board: Board, plan: Plan, measures: Sequence[Measure], number: int
) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _title(slide, "Kilder og merknader")
    lines: list = [
        (
            f"Handlingsplan: {plan.partnership.plan_title} (kilde: {plan.partnership.source_document}).",
            Pt(13),
            False,
            None,
        )
    ]
    seen: list[str] = []
    for measure in measures:
        for criterion in measure.criteria:
            for indicator_id in criterion.indicators:
                if indicator_id not in seen:
                    seen.append(indicator_id)
    for indicator_id in seen:
        indicator = board.registry.get(indicator_id)
        lines.append(
            (f"{indicator.name}: {indicator.source} – {indicator.source_detail}", Pt(12), False, None)
        )
    limit = protection.threshold()
    lines += [
        ("", Pt(8), False, None),
        (f"Tallene er hentet {formatting.date(info.fetched)}.", Pt(12), False, GREY),
        (
            f"Små tall: antall under {limit} vises som «<{limit}», og andeler bygget på dem vises ikke. "
            "Der en sum ellers ville avsløre et skjult tall, er også neste minste tall skjult («:»).",
            Pt(12),
            False,
            GREY,
        ),
        (
            "Status følger regelen i handlingsplanens statusregel (ikon og ord); variasjon og måloppnåelse "
            "er SPC etter NHS England «Making Data Count».",
            Pt(12),
            False,
            GREY,
        ),
    ]
    if info.demo:
        lines.append(
            (f"{config.DEMO_LABEL}: tallene beskriver ingen virkelige pasienter.", Pt(13), True, None)
        )
    _text_box(slide, Inches(0.5), Inches(1.4), SLIDE_WIDTH - Inches(1.0), Inches(5.4), lines)
    _footer(slide, info.footer, number, info.slides)


def build_deck(
    board: Board,
    partnership: str,
    status: PlanStatus,
    measures: Sequence[Measure],
    figure_for: FigureFor,
    *,
    fetched: dt.date | None = None,
    title: str | None = None,
) -> bytes:
    """The whole deck as .pptx bytes. Charts for all measures render in one browser."""
    plan = board.plan(partnership)
    fetched = fetched or dt.date.today()
    demo = board.store.is_demo()
    info = DeckInfo(
        title=title or plan.partnership.name,
        subtitle=f"Status for {plan.partnership.plan_title}",
        footer=f"{plan.partnership.short_name} · hentet {formatting.date(fetched)}"
        + (f" · {config.DEMO_LABEL}" if demo else ""),
        fetched=fetched,
        demo=demo,
        slides=slide_count(measures),
    )
    charts = _chart_requests(board, partnership, measures, figure_for, demo, SLIDE_FONT_SCALE)
    pngs = export.figures_png([request for _, _, request in charts], fetched)
    images = {measure.id: png for (measure, _, _), png in zip(charts, pngs, strict=True)}

    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = info.title
    slide.shapes.title.left, slide.shapes.title.top = Inches(0.8), Inches(2.0)
    slide.shapes.title.width, slide.shapes.title.height = SLIDE_WIDTH - Inches(1.6), Inches(1.6)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top = Inches(0.8), Inches(3.8)
    subtitle.width, subtitle.height = SLIDE_WIDTH - Inches(1.6), Inches(1.8)
    subtitle.text = info.subtitle
    extra = f"Hentet {formatting.date(fetched)}"
    if demo:
        extra += f" · {config.DEMO_LABEL}"
    subtitle.text_frame.add_paragraph().text = extra
    number = _summary_slides(prs, info, summary_table(plan, status, measures), 2)
    for measure in measures:
        _measure_slide(prs, info, board, plan, status, measure, images.get(measure.id), number)
        number += 1
    _sources_slide(prs, info, board, plan, measures, number)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def chart_images(
    board: Board, partnership: str, measures: Sequence[Measure], figure_for: FigureFor
) -> dict[str, bytes]:
    """File name → PNG for each measure's chart (for a zip of images), in one browser."""
    charts = _chart_requests(board, partnership, measures, figure_for, board.store.is_demo())
    pngs = export.figures_png([request for _, _, request in charts])
    return {
        f"{measure.id}-{indicator.id}.png": png
        for (measure, indicator, _), png in zip(charts, pngs, strict=True)
    }


def _chart_requests(
    board: Board,
    partnership: str,
    measures: Sequence[Measure],
    figure_for: FigureFor,
    demo: bool,
    font_scale: float = 1.0,
) -> list[tuple[Measure, Indicator, export.PngRequest]]:
    """The measures that have a chart, each with its indicator and what to render."""
    charts = []
    for measure in measures:
        indicator_id = chart_indicator(measure)
        figure = figure_for(measure)
        if figure is None or indicator_id is None:
            continue
        indicator = board.registry.get(indicator_id)
        notes = chart_notes(board, partnership, indicator_id)
        request = export.PngRequest(figure, indicator.name, indicator.source, demo, notes, font_scale)
        charts.append((measure, indicator, request))
    return charts


SOURCE_COLUMNS = ["Tiltak", "Indikator", "Periode", "Verdi", "Måleenhet", "Merknad", "Kilde"]


def source_table(
    board: Board, partnership: str, measures: Sequence[Measure]
) -> tuple[pd.DataFrame, list[str]]:
    """The numbers behind the measures' criteria, as shown (small counts "<5"), and footnotes.

    One row per measure, indicator and period, for every indicator a chosen measure's
    criteria use.
    """
    rows, hidden_any = [], False
    for measure in measures:
        indicator_ids = list(dict.fromkeys(i for c in measure.criteria for i in c.indicators))
        for indicator_id in indicator_ids:
            indicator = board.registry.get(indicator_id)
            series = judged(board, partnership, indicator_id)
            hidden_any |= bool(series["hidden"].any())
            for row in series.itertuples(index=False):
                rows.append(
                    {
                        "Tiltak": measure.id,
                        "Indikator": indicator.name,
                        "Periode": row.label,
                        "Verdi": shown_value(indicator, row.value, row.numerator),
                        "Måleenhet": value_label(indicator),
                        "Merknad": row.partial_text or "",
                        "Kilde": indicator.source,
                    }
                )
    notes = [protection.primary_note(protection.threshold())] if hidden_any else []
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS), notes


def default_figure_for(board: Board, partnership: str) -> FigureFor:
    """The chart each measure gets: the board's own chart for its chart criterion
    (analytics.indicator_view.criterion_view: SPC or projection, small counts shown as "<5")."""

    def figure_for(measure: Measure) -> go.Figure | None:
        criterion = chart_criterion(measure)
        if criterion is None:
            return None
        return criterion_view(board, partnership, criterion.id).figure

    return figure_for


def slide_count(measures: Sequence[Measure]) -> int:
    """Title, summary (one per SUMMARY_ROWS_PER_SLIDE measures), one per measure, sources."""
    summaries = max(1, -(-len(measures) // SUMMARY_ROWS_PER_SLIDE))
    return 1 + summaries + len(measures) + 1
