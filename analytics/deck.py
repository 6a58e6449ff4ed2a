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
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Emu, Inches, Pt

from analytics import catalogue, clock, config, datacache, export, figures, formatting, protection
from analytics.board import Board
from analytics.evaluate import PlanStatus, cut_rows, scope_units
from analytics.indicator_view import criterion_view, left_out_note
from analytics.matrix import MatrixColumn, StatusMatrix
from analytics.plan import Criterion, CriterionKind, Measure, Plan
from analytics.registry import Indicator
from analytics.series import UnitRows, figure_shown, judged_series, load_rows, value_label
from analytics.slidetext import Line, fit_scale, shorten
from analytics.status import STATUS_STYLE, Status
from analytics.summary import icon_summary

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
SUMMARY_ROWS_PER_SLIDE = 10
MARK_SIZE = Inches(0.28)  # a status shape beside its word
MILESTONES_PER_SLIDE = 4  # measures judged by milestones only, two by two on a slide
MATRIX_ROWS_PER_SLIDE, MATRIX_COLUMNS_PER_SLIDE = 21, 8
# The chart fills about 8,5 of the slide's 13,3 inches: 16 px × 1,9 on a 1 600 px wide image
# is 12,3 pt on the slide (and a chart's subtitle gets the body size: never below 12 pt).
SLIDE_FONT_SCALE = 1.9
# Status icons are drawn shapes (an emoji glyph is a blank gap on a PC without an emoji font);
# the shape differs per status as well as the colour, and the word always stands beside it.
STATUS_SHAPES = {
    Status.achieved: MSO_SHAPE.OVAL,
    Status.on_track: MSO_SHAPE.OVAL,
    Status.uncertain: MSO_SHAPE.ISOSCELES_TRIANGLE,
    Status.off_track: MSO_SHAPE.DIAMOND,
    Status.overdue: MSO_SHAPE.OCTAGON,
    Status.no_data: MSO_SHAPE.DONUT,
    Status.too_little_data: MSO_SHAPE.REGULAR_PENTAGON,
    Status.monitored: MSO_SHAPE.ROUNDED_RECTANGLE,
}
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

FigureFor = Callable[[Measure], figures.Figure | None]


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


def judged(
    board: Board,
    partnership: str,
    indicator_id: str,
    *,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> tuple[UnitRows, pd.DataFrame]:
    """The indicator's rows for the partnership and their series as the board judges and
    draws it (analytics.series.judged_series), with a `hidden` flag on protected small counts:
    (rows, series), the one load and judgement per chart that the deck's numbers
    (``source_table``) and its chart footnotes (``chart_notes``) read.

    as_of: the day the deck is made as of (a meeting pack «per 31.12.2025»): rows of periods
    that end after it are cut (evaluate.cut_rows, as the plan's status per that day is judged),
    and the series is judged on it. Else judged on ``today`` (None: the day it runs).
    Kept per data version (analytics.datacache), so a deck's footnotes and numbers load and
    judge each chart once; the series returned is the caller's own copy."""
    day = as_of or today or clock.today()

    def compute() -> tuple[UnitRows, pd.DataFrame]:
        indicator = board.registry.get(indicator_id)
        data = cut_rows(load_rows(board, indicator, scope_units(board, partnership)), as_of)
        return data, judged_series(data, today=day)

    data, series = datacache.cached(
        datacache.board_key(board), ("deck_judged", partnership, indicator_id, day, as_of), compute
    )
    return data, series.copy()


def chart_notes(
    board: Board,
    partnership: str,
    indicator_id: str | None,
    *,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> tuple[str, ...]:
    """A chart's footnotes: the protection note when its series hides small counts, and the
    periods it shows short of members (indicator_view.left_out_note: «4. kvartal 2026 bygger
    på 3 av 22 kommuner og er ikke tatt med i vurderingen.»), as on Indikator; a period not
    over is marked in the chart's legend.

    as_of: the day the deck is made as of (else ``today``, else the day it is made): a pack
    «per 31.12.2025» judges the rows up to that day only (``judged``), so it names no
    short period that came after it."""
    if indicator_id is None:
        return ()
    today = today or clock.today()
    data, series = judged(board, partnership, indicator_id, today=today, as_of=as_of)
    notes = [protection.primary_note(protection.threshold())] if series["hidden"].any() else []
    left_out = left_out_note(board, data, series, as_of or today, running=False)
    return (*notes, *([left_out] if left_out else []))


# -- text the deck shows -------------------------------------------------------------------


def short_text(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def status_label(status: Status) -> str:
    """The status in words (the icon beside it is a drawn shape, see status_mark)."""
    return status.value


def words_only(text: str) -> str:
    """Text without a leading icon glyph ('⬆️ Forbedring (høy)' → 'Forbedring (høy)')."""
    head, _, rest = text.partition(" ")
    return rest if rest and not any(ch.isalnum() for ch in head) else text


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
    for column in ("Status", "Variasjon", "Mål"):
        table[column] = table[column].map(words_only)
    return table


# -- slide building --------------------------------------------------------------------------


def _text_box(slide, left, top, width, height, lines, size=BODY_SIZE, bold=False, colour=None):
    """A text box; `lines` are paragraphs (str) or (str, size, bold, colour) tuples.

    The text is measured (analytics.slidetext) and shrunk as one, to at most 60 %, until it
    fits the box; callers that may have more text than that split it first."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    parts = [line if isinstance(line, tuple) else (line, size, bold, colour) for line in lines]
    measured = [Line(text, Emu(line_size).pt, bool(line_bold)) for text, line_size, line_bold, _ in parts]
    scale = fit_scale(measured, width, height) or 0.6
    for index, (text, line_size, line_bold, line_colour) in enumerate(parts):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(round(Emu(line_size).pt * scale, 1))
        run.font.bold = line_bold
        if line_colour is not None:
            run.font.color.rgb = line_colour
    return box


def status_mark(slide, left, top, status: Status, size=MARK_SIZE):
    """The status icon as a drawn shape (named «Status: <word>»), filled with its colour."""
    shape = slide.shapes.add_shape(STATUS_SHAPES.get(status, MSO_SHAPE.OVAL), left, top, size, size)
    shape.name = f"Status: {status.value}"
    colour = _rgb(STATUS_STYLE[status][1])
    shape.fill.solid()
    shape.fill.fore_color.rgb = colour
    shape.line.color.rgb = colour
    shape.shadow.inherit = False
    return shape


def _title(slide, text: str, size=TITLE_SIZE) -> None:
    """Fill the layout's title placeholder (so slide.shapes.title works) and place it 16:9."""
    title = slide.shapes.title
    title.left, title.top = Inches(0.5), Inches(0.3)
    title.width, title.height = SLIDE_WIDTH - Inches(1.0), Inches(1.1)
    title.text = text
    frame = title.text_frame
    frame.word_wrap = True
    scale = fit_scale([Line(text, Emu(size).pt, True)], title.width, title.height) or 0.6
    for paragraph in frame.paragraphs:
        paragraph.alignment = 1  # left
        for run in paragraph.runs:
            run.font.size = Pt(round(Emu(size).pt * scale, 1))
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


def _two_lines(text: str, width_emu: int, size_pt: float) -> str:
    """At most two lines in a cell `width_emu` wide (cell margins 0,1 in each side)."""
    inner = width_emu / 12700 - 14.4
    from analytics.slidetext import wrap

    lines = wrap(str(text), inner, size_pt)
    if len(lines) <= 2:
        return str(text)
    return f"{lines[0]} {shorten(' '.join(lines[1:]), inner, size_pt)}"


SUMMARY_ROW_HEIGHT, SUMMARY_TOP = Inches(0.5), Inches(1.4)


def _summary_slides(prs, info: DeckInfo, table: pd.DataFrame, statuses: list[Status], number: int) -> int:
    """The summary table, SUMMARY_ROWS_PER_SLIDE rows a slide; each cell is measured to at most
    two lines, so every row keeps its height and the status shapes sit on their rows."""
    chunks = [
        (table.iloc[i : i + SUMMARY_ROWS_PER_SLIDE], statuses[i : i + SUMMARY_ROWS_PER_SLIDE])
        for i in range(0, len(table), SUMMARY_ROWS_PER_SLIDE)
    ]
    # Measure text and indicator name get room; the icon columns share the rest of 12,3 in.
    fixed = {"Tiltak": Inches(3.6), "Indikator": Inches(3.0), "Status": Inches(1.9)}
    rest = (Inches(12.33) - sum((fixed.get(c, 0) for c in table.columns), Emu(0))) // max(
        1, sum(c not in fixed for c in table.columns)
    )
    widths = [Emu(int(fixed.get(c, rest))) for c in table.columns]
    status_col = list(table.columns).index("Status")
    status_left = Inches(0.5) + sum(widths[:status_col], Emu(0))
    for index, (chunk, chunk_statuses) in enumerate(chunks or [(table, statuses)]):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        part = f" ({index + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        _title(slide, f"Oppsummering{part}")
        rows, cols = len(chunk) + 1, len(table.columns)
        shape = slide.shapes.add_table(
            rows, cols, Inches(0.5), SUMMARY_TOP, sum(widths, Emu(0)), SUMMARY_ROW_HEIGHT * rows
        )
        grid = shape.table
        for col, width in enumerate(widths):
            grid.columns[col].width = width
        for row in range(rows):
            grid.rows[row].height = SUMMARY_ROW_HEIGHT
        for col, name in enumerate(table.columns):
            grid.cell(0, col).text = name
        for row, values in enumerate(chunk.itertuples(index=False), start=1):
            for col, value in enumerate(values):
                grid.cell(row, col).text = _two_lines(str(value), widths[col], 12)
            grid.cell(row, status_col).margin_left = Inches(0.45)  # room for the drawn icon
            status_mark(
                slide,
                status_left + Inches(0.1),
                SUMMARY_TOP + SUMMARY_ROW_HEIGHT * row + Inches(0.11),
                chunk_statuses[row - 1],
            )
        for row in range(rows):
            for col in range(cols):
                for paragraph in grid.cell(row, col).text_frame.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(12) if row else Pt(13)
        _footer(slide, info.footer, number, info.slides)
        number += 1
    return number


def _criteria_lines(plan: Plan, status: PlanStatus, measure: Measure) -> list:
    """Each criterion as «status word – short title», then target group, responsible, deadline."""
    parent = plan.parent_of(measure)
    deadline = plan.effective_deadline(measure)
    responsible = measure.responsible or (parent.responsible if parent else [])
    lines: list = []
    for criterion in measure.criteria:
        judgement = status.criteria.get(criterion.id)
        label = status_label(judgement.status) if judgement else ""
        lines.append((f"{label} – {criterion.title}", Pt(12), False, None))
    lines.append(("", Pt(6), False, None))
    lines.append((f"Målgruppe: {plan.target_group(measure.target_group).name}", Pt(12), False, GREY))
    lines.append((f"Ansvarlig: {', '.join(responsible) or '–'}", Pt(12), False, GREY))
    lines.append((f"Frist: {deadline.text if deadline else '–'}", Pt(12), False, GREY))
    if parent:
        lines.append((f"Del av: {parent.title}", Pt(12), False, GREY))
    return lines


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
    _title(slide, measure.title, size=Pt(24))
    state = status.measures[measure.id]
    reason = measure_reason(board, plan, status, measure)
    status_mark(slide, Inches(0.5), Inches(1.45), state, Inches(0.32))
    _text_box(
        slide,
        Inches(0.9),
        Inches(1.35),
        SLIDE_WIDTH - Inches(1.4),
        Inches(0.9),
        [
            (status_label(state), Pt(20), True, _rgb(STATUS_STYLE[state][1])),
            (reason, Pt(13), False, None),
        ],
    )
    chart_left, chart_top, chart_width = Inches(0.5), Inches(2.3), Inches(8.3)
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
    lines = [("Suksesskriterier", Pt(14), True, None), *_criteria_lines(plan, status, measure)]
    _text_box(slide, Inches(9.2), chart_top, Inches(3.65), Inches(4.6), lines)
    _footer(slide, info.footer, number, info.slides)


def _milestone_slide(
    prs, info: DeckInfo, plan: Plan, status: PlanStatus, measures: Sequence[Measure], number: int
) -> None:
    """Up to MILESTONES_PER_SLIDE measures judged by milestones only, two by two."""
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _title(slide, "Tiltak som måles med milepæler")
    width, height = Inches(6.0), Inches(2.65)
    for index, measure in enumerate(measures):
        left = Inches(0.5) + (width + Inches(0.33)) * (index % 2)
        top = Inches(1.4) + (height + Inches(0.15)) * (index // 2)
        state = status.measures[measure.id]
        status_mark(slide, left, top + Inches(0.08), state, Inches(0.3))
        _text_box(
            slide,
            left + Inches(0.4),
            top,
            width - Inches(0.4),
            height,
            [
                (measure.title, Pt(16), True, None),
                (status_label(state), Pt(14), True, _rgb(STATUS_STYLE[state][1])),
                *_criteria_lines(plan, status, measure),
            ],
        )
    _footer(slide, info.footer, number, info.slides)


def _matrix_pages(matrix: StatusMatrix) -> list[tuple[list, list[str]]]:
    return matrix_pages(matrix.columns, list(dict.fromkeys(matrix.cells["unit_id"])))


def matrix_pages(columns: Sequence[MatrixColumn], units: Sequence[str]) -> list[tuple[list, list[str]]]:
    """(columns, unit ids) per slide: whole target groups packed up to MATRIX_COLUMNS_PER_SLIDE
    columns (a larger group is cut), municipalities MATRIX_ROWS_PER_SLIDE at a time (balanced).
    Needs only the plan's columns and the units, so a page can count slides before judging."""
    all_columns = list(columns)
    column_pages: list[list] = []
    for column in all_columns:
        page = column_pages[-1] if column_pages else None
        same_group = page and page[-1].target_group == column.target_group
        if page is None or len(page) >= MATRIX_COLUMNS_PER_SLIDE:
            column_pages.append([column])
        elif same_group or len(page) + sum(c.target_group == column.target_group for c in all_columns) <= (
            MATRIX_COLUMNS_PER_SLIDE
        ):
            page.append(column)
        else:
            column_pages.append([column])
    units = list(units)
    per_slide = -(-len(units) // max(1, -(-len(units) // MATRIX_ROWS_PER_SLIDE)))  # balanced: 25 → 13 + 12
    unit_pages = [units[i : i + per_slide] for i in range(0, len(units), per_slide)]
    return [(page, unit_ids) for page in column_pages for unit_ids in unit_pages]


def _matrix_slides(prs, info: DeckInfo, matrix: StatusMatrix, number: int) -> int:
    """«Hvor står vi?»: municipalities × criteria, each cell a drawn status shape and its word."""
    pages = _matrix_pages(matrix)
    cells = matrix.cells.set_index(["unit_id", "criterion_id"])
    names = dict(zip(matrix.cells["unit_id"], matrix.cells["name"], strict=False))
    name_width, top, header = Inches(2.1), Inches(1.3), Inches(0.75)
    row_height = Inches(0.215)
    for index, (columns, unit_ids) in enumerate(pages):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        part = f" ({index + 1}/{len(pages)})" if len(pages) > 1 else ""
        _title(slide, f"Hvor står vi? Status per kommune{part}")
        width = (SLIDE_WIDTH - Inches(1.0) - name_width) // max(1, len(columns))
        for col, column in enumerate(columns):
            _text_box(
                slide,
                Inches(0.5) + name_width + width * col,
                top,
                width,
                header,
                [(column.title, Pt(11), True, None), (column.target_group, Pt(9), False, GREY)],
            )
        for row, unit_id in enumerate(unit_ids):
            y = top + header + row_height * row
            _cell_text(slide, Inches(0.5), y, name_width, row_height, names[unit_id], bold=True)
            for col, column in enumerate(columns):
                state = Status(cells.loc[(unit_id, column.criterion_id), "status"])
                x = Inches(0.5) + name_width + width * col
                status_mark(slide, x + Inches(0.08), y + Inches(0.035), state, Inches(0.15))
                _cell_text(slide, x + Inches(0.28), y, width - Inches(0.3), row_height, state.value)
        _text_box(
            slide,
            Inches(0.5),
            SLIDE_HEIGHT - Inches(0.85),
            SLIDE_WIDTH - Inches(1.0),
            Inches(0.35),
            [
                "Status for kommunen alene, med samme regel som for helsefellesskapet. "
                "Milepæler og kriterier som bare følges, er ikke med."
            ],
            size=Pt(10),
            colour=GREY,
        )
        _footer(slide, info.footer, number, info.slides)
        number += 1
    return number


def _cell_text(slide, left, top, width, height, text: str, bold: bool = False) -> None:
    """One line of 9 pt text without inner margins, cut with «…» to the width."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    frame.word_wrap = False
    run = frame.paragraphs[0].add_run()
    run.text = shorten(text, Emu(width).pt, 9, bold)
    run.font.size = Pt(9)
    run.font.bold = bold


def _sources_slide(
    prs, info: DeckInfo, board: Board, plan: Plan, measures: Sequence[Measure], number: int
) -> None:
    """The plan by its title, each indicator's source, the date and the rules, in two columns
    measured to fit (a very long list is cut with a count of what is left out)."""
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _title(slide, "Kilder og merknader")
    seen: list[str] = []
    for measure in measures:
        for criterion in measure.criteria:
            for indicator_id in criterion.indicators:
                if indicator_id not in seen:
                    seen.append(indicator_id)
    indicators = [
        (
            f"{board.registry.get(i).name}: {board.registry.get(i).source} – {board.registry.get(i).source_detail}",
            Pt(12),
            False,
            None,
        )
        for i in seen
    ]
    limit = protection.threshold()
    notes: list = [
        (f"Handlingsplan: {plan.partnership.plan_title}.", Pt(13), True, None),
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
        notes.append(
            (f"{config.DEMO_LABEL}: tallene beskriver ingen virkelige pasienter.", Pt(13), True, None)
        )
    column_width, column_height = (SLIDE_WIDTH - Inches(1.3)) // 2, Inches(5.4)
    measured = [Line(text, Emu(size).pt, bold) for text, size, bold, _ in indicators]
    shown = len(indicators)
    while shown and fit_scale(measured[:shown], column_width, column_height, smallest=0.85) is None:
        shown -= 1
    left_lines = [("Indikatorer og kilder", Pt(13), True, None), *indicators[:shown]]
    if shown < len(indicators):
        left_lines.append((f"… og {len(indicators) - shown} til (se Datakatalog).", Pt(12), False, GREY))
    _text_box(slide, Inches(0.5), Inches(1.4), column_width, column_height, left_lines)
    _text_box(slide, Inches(0.8) + column_width, Inches(1.4), column_width, column_height, notes)
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
    matrix: StatusMatrix | None = None,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> bytes:
    """The whole deck as .pptx bytes. Charts for all measures render in one browser.

    as_of: the day the deck is made as of («status per 31.12.2025»; ``status`` and ``matrix``
    judged on it): the charts' footnotes judge the rows up to it only (``chart_notes``).
    today: the day it is made (default: today); fetched: the day its data were fetched
    (default: today).

    Order: title, summary, «Hvor står vi?» (when `matrix` is given: analytics.matrix), one
    slide per measure with a chart criterion, the milestone-only measures MILESTONES_PER_SLIDE
    to a slide, sources."""
    plan = board.plan(partnership)
    today = today or clock.today()
    fetched = fetched or today
    demo = board.store.is_demo()
    info = DeckInfo(
        title=title or plan.partnership.name,
        subtitle=f"Status for {plan.partnership.plan_title}",
        footer=f"{plan.partnership.short_name} · hentet {formatting.date(fetched)}"
        + (f" · {config.DEMO_LABEL}" if demo else ""),
        fetched=fetched,
        demo=demo,
        slides=slide_count(measures, matrix),
    )
    charts = _chart_requests(
        board, partnership, measures, figure_for, demo, SLIDE_FONT_SCALE, today=today, as_of=as_of
    )
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
    statuses = [status.measures[m.id] for m in measures]
    number = _summary_slides(prs, info, summary_table(plan, status, measures), statuses, 2)
    if matrix is not None:
        number = _matrix_slides(prs, info, matrix, number)
    charted, milestones_only = _split_measures(measures)
    for measure in charted:
        _measure_slide(prs, info, board, plan, status, measure, images.get(measure.id), number)
        number += 1
    for start in range(0, len(milestones_only), MILESTONES_PER_SLIDE):
        _milestone_slide(
            prs, info, plan, status, milestones_only[start : start + MILESTONES_PER_SLIDE], number
        )
        number += 1
    _sources_slide(prs, info, board, plan, measures, number)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def chart_images(
    board: Board,
    partnership: str,
    measures: Sequence[Measure],
    figure_for: FigureFor,
    *,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> dict[str, bytes]:
    """File name → PNG for each measure's chart (for a zip of images), in one browser.
    today, as_of: as for build_deck."""
    demo = board.store.is_demo()
    charts = _chart_requests(board, partnership, measures, figure_for, demo, today=today, as_of=as_of)
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
    *,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> list[tuple[Measure, Indicator, export.PngRequest]]:
    """The measures that have a chart, each with its indicator and what to render. On a demo
    store (``demo``) a chart of an indicator whose figures all come from loaded files is not
    labelled synthetic (catalogue.synthetic_figures). Footnotes as of ``as_of``, else
    ``today`` (chart_notes)."""
    charts = []
    loaded = catalogue.loaded_only(board) if demo else []
    for measure in measures:
        indicator_id = chart_indicator(measure)
        figure = figure_for(measure)
        if figure is None or indicator_id is None:
            continue
        indicator = board.registry.get(indicator_id)
        notes = chart_notes(board, partnership, indicator_id, today=today, as_of=as_of)
        synthetic = demo and catalogue.synthetic_figures(board, [indicator_id], loaded)
        request = export.PngRequest(figure, indicator.name, indicator.source, synthetic, notes, font_scale)
        charts.append((measure, indicator, request))
    return charts


SOURCE_COLUMNS = ["Tiltak", "Indikator", "Periode", "Verdi", "Måleenhet", "Merknad", "Kilde"]


def source_table(
    board: Board,
    partnership: str,
    measures: Sequence[Measure],
    *,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The numbers behind the measures' criteria, as shown (small counts "<5"), and footnotes.

    One row per measure, indicator and period, for every indicator a chosen measure's
    criteria use; as of ``as_of`` (periods ended by then), else ``today`` (``judged``).
    """
    rows, hidden_any = [], False
    for measure in measures:
        indicator_ids = list(dict.fromkeys(i for c in measure.criteria for i in c.indicators))
        for indicator_id in indicator_ids:
            indicator = board.registry.get(indicator_id)
            _, series = judged(board, partnership, indicator_id, today=today, as_of=as_of)
            hidden_any |= bool(series["hidden"].any())
            for row in series.itertuples(index=False):
                rows.append(
                    {
                        "Tiltak": measure.id,
                        "Indikator": indicator.name,
                        "Periode": row.label,
                        "Verdi": figure_shown(indicator, row.value, row.numerator, bool(row.hidden), "cell")[
                            0
                        ],
                        "Måleenhet": value_label(indicator),
                        "Merknad": row.partial_text or "",
                        "Kilde": indicator.source,
                    }
                )
    notes = [protection.primary_note(protection.threshold())] if hidden_any else []
    if any(row["Verdi"] == protection.SECONDARY for row in rows):
        notes.append(protection.SECONDARY_NOTE)
    return pd.DataFrame(rows, columns=SOURCE_COLUMNS), notes


def default_figure_for(board: Board, partnership: str, as_of: dt.date | None = None) -> FigureFor:
    """The chart each measure gets: the board's own chart for its chart criterion
    (analytics.indicator_view.criterion_view: SPC or projection, small counts shown as "<5"),
    judged on ``as_of`` (rows up to that day: evaluate.evaluate_criterion), else today."""

    def figure_for(measure: Measure) -> figures.Figure | None:
        criterion = chart_criterion(measure)
        if criterion is None:
            return None
        return criterion_view(board, partnership, criterion.id, today=as_of).figure

    return figure_for


def _split_measures(measures: Sequence[Measure]) -> tuple[list[Measure], list[Measure]]:
    """(measures with a chart criterion, measures judged by milestones only), plan order."""
    charted = [m for m in measures if chart_criterion(m) is not None]
    return charted, [m for m in measures if chart_criterion(m) is None]


def slide_count(measures: Sequence[Measure], matrix: StatusMatrix | int | None = None) -> int:
    """Title, summary (one per SUMMARY_ROWS_PER_SLIDE measures), the matrix's slides, one per
    measure with a chart criterion, one per MILESTONES_PER_SLIDE milestone-only measures, sources.

    matrix: the StatusMatrix the deck gets, or the number of its slides (matrix_pages)."""
    summaries = max(1, -(-len(measures) // SUMMARY_ROWS_PER_SLIDE))
    charted, milestones_only = _split_measures(measures)
    if isinstance(matrix, int):
        matrix_slides = matrix
    else:
        matrix_slides = len(_matrix_pages(matrix)) if matrix is not None else 0
    return 1 + summaries + matrix_slides + len(charted) + -(-len(milestones_only) // MILESTONES_PER_SLIDE) + 1
