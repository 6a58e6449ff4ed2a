"""Excel workbooks (.xlsx, .xlsm; .xls, .xlsb and .ods through calamine), read once.

Before calamine reads anything, an .xlsx (a zip of XML parts) is inspected: the zip
directory's declared sizes against Limits.unzipped_bytes (a 1.5 MB file whose one cell unzips
to 1.5 GB is refused at once), then every part is inflated in a stream, in 1 MB chunks, to
check that it really is the size declared (zipfile stops at the declared size and checks the
CRC, so a lying directory is a damaged file) and, for the chosen sheet and the shared strings,
to find the sheet's extent (calamine holds a sheet as a dense grid: one cell at XFD1048576
would be 17 billion cells), the longest cell and the formula cells, in the same pass. Memory
stays flat whatever the file holds. Then calamine (python-calamine) reads the sheet once.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from loaders.formats.base import (
    Limits,
    ReadChoices,
    ReadGuess,
    RowsTable,
    column_names,
    over_limit,
    units_row,
    units_row_note,
)
from loaders.formats.text import SNIFF_ROWS, find_header
from loaders.problems import FileRefused, Problem, counted, line_ranges

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
STREAM_CHUNK = 1 << 20
# Cells in a sheet's XML (SpreadsheetML), with or without a namespace prefix ("x:c").
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
CELL_START = re.compile(rb"<(?:\w+:)?c[\s>]")
CELL_END = re.compile(rb"</(?:\w+:)?c>")
CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
CELL_COLUMN = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})\d')
ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
CELL_TAG = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")
CELL_STYLE = re.compile(rb'\bs="(\d+)"')
# Excel's built-in percent formats (ECMA-376 §18.8.30: 9 is «0%», 10 is «0.00%»).
PERCENT_FORMATS = {9, 10}
ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
COL_TAG = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
COL_SPAN = re.compile(rb'\bmin="(\d+)"[^>]*?\bmax="(\d+)"|\bmax="(\d+)"[^>]*?\bmin="(\d+)"')
FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f[^>]*>([^<]*)<")
CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)<")
# A cell holding an Excel error (#DIV/0!, #N/A, #REF!: type «e», ECMA-376 §18.18.11): calamine
# reads it as an empty cell, which would pass for a suppressed one.
ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*\bt="e"[^>/]*)>(.*?)</(?:\w+:)?c>', re.DOTALL)
# A date column whose cells are formatted «Standard»/«General» holds Excel's day numbers
# (45292 is 2024-01-01: days since 1899-12-30, the 1900 date system). Read as dates only in a
# column named as a date or period, and only when every cell is such a number from 1990 to 2100.
DATE_HEADER = re.compile(
    r"^(dato|date|periode|period|måned|maaned|month|tid|time|dag|day)($|[^a-zæøå])", re.I
)
SERIAL = re.compile(r"^\d{5}$")
SERIAL_RANGE = (32874, 73415)  # 1990-01-01 … 2100-12-31
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATION = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def matches(path: Path, sample: bytes) -> bool:
    """A zip or OLE2 file, or a file named as a workbook unless it is text: a CSV, an HTML
    table or Excel 2003 XML saved as .xls (as report tools do) is read, or refused, as what
    it is (loaders.formats.text), never as a broken workbook."""
    if sample.startswith((ZIP, OLE)):
        return True
    return path.suffix.lower() in SUFFIXES and not _is_text(sample)


def _is_text(sample: bytes) -> bool:
    """No NUL byte (UTF-16 with its byte order mark aside) and not empty."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return bool(sample.strip()) and b"\x00" not in sample


class SheetScan:
    """What one streamed pass over a sheet's XML found (0-based rows and columns)."""

    def __init__(self) -> None:
        self.rows = 0  # the highest row number seen (1-based), i.e. the grid's height
        self.columns = 0  # the widest column seen (1-based)
        self.formulas: list[tuple[int, int, str, bool]] = []  # row, column, formula, value saved
        self.hidden: list[int] = []  # rows hidden in Excel (1-based, as Excel numbers them)
        self.hidden_columns: list[int] = []  # columns hidden in Excel (1-based: A is 1)
        self.percent_styles: set[int] = set()  # cell styles (xf index) that show a percent
        self.percent: list[tuple[int, int]] = []  # row, column of cells shown as a percent
        self.errors: list[tuple[int, int, str]] = []  # row, column, error text (#DIV/0!) of error cells


def open_excel(path: Path, file_name: str, choices: ReadChoices, limits: Limits) -> RowsTable:
    """Inspect, then read the chosen sheet once; FileRefused (one sentence) when it cannot be.

    With no sheet chosen, the first sheet that holds a table is read: a workbook often opens
    with a sheet about the table («Om tabellen», «Innhold») and has the data on the next one.
    The guess names the sheet read, and the page offers the others.
    """
    from python_calamine import CalamineWorkbook

    names = _xlsx_sheets(path, file_name, limits) if zipfile.is_zipfile(path) else None
    if names is None and zipfile.is_zipfile(path):
        _refuse_other_zip(path, file_name)
    # an .xlsx: the chosen sheet (and every part's real size) is inspected before calamine reads
    scan = (
        _inspect(path, file_name, _chosen(file_name, names, choices), limits) if names is not None else None
    )
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = list(workbook.sheet_names)
    except Exception:  # calamine raises many kinds for a broken zip; all mean the same here
        raise _broken(file_name) from None
    if not sheets:
        raise FileRefused(file_name, "har ingen ark")
    hidden = _hidden_sheets(workbook)
    # A sheet hidden in Excel (a template's lookup lists, last year's data) is tried only after
    # every visible one, and only when chosen or when no visible sheet holds a table.
    shown_first = [s for s in sheets if s not in hidden] + [s for s in sheets if s in hidden]
    first = _chosen(file_name, shown_first, choices)
    tried = [first] if choices.sheet else [first, *[s for s in shown_first if s != first]]
    ods = names is None and zipfile.is_zipfile(path)
    for number, sheet in enumerate(tried):
        if number and names is not None:
            scan = _inspect(path, file_name, sheet, limits)
        elif ods:
            scan = _ods_scan(path, file_name, sheet)
        try:
            table = _open_sheet(path, file_name, workbook, sheet, sheets, scan, choices, limits)
        except NoTable:
            if number + 1 < len(tried):
                continue
            raise FileRefused(
                file_name,
                f"har ingen tabell på arket «{first}»"
                if len(sheets) == 1 or choices.sheet
                else f"har ingen tabell på noen av arkene ({', '.join(sheets)})",
            ) from None
        if sheet != first:
            table.guess.notes.append(
                f"Tabellen er lest fra arket «{sheet}»; arket «{first}» har ingen tabell."
            )
        if sheet in hidden:
            table.guess.notes.append(f"Arket «{sheet}» er skjult i Excel; tabellen er lest derfra.")
        elif not choices.sheet and (passed := [h for h in sheets if h in hidden]):
            table.guess.notes.append(
                f"{'Arket' if len(passed) == 1 else 'Arkene'} {', '.join(f'«{h}»' for h in passed)} er skjult i "
                "Excel og ikke lest; velg arket om tabellen står der."
            )
        return table
    raise _broken(file_name)  # not reached: the loop returns or raises


def _refuse_other_zip(path: Path, file_name: str) -> None:
    """FileRefused naming the files inside a zip that is no spreadsheet (no .xlsx workbook, no
    OpenDocument content.xml): a zip of CSV exports is unpacked by the analyst, one table at a time."""
    try:
        with zipfile.ZipFile(path) as archive:
            inside = [i.filename for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError):
        raise _broken(file_name) from None
    if "content.xml" in inside:
        return
    shown = ", ".join(f"«{n}»" for n in inside[:5]) + (" …" if len(inside) > 5 else "")
    raise FileRefused(
        file_name,
        f"er en zip-fil med {counted(len(inside), 'fil', 'filer')} ({shown or 'ingen'}), ikke et regneark; "
        "pakk den ut og last inn én tabell om gangen",
    )


def _hidden_sheets(workbook) -> set[str]:
    """The names of the sheets hidden (or very hidden) in the workbook, as calamine reads them."""
    try:
        return {m.name for m in workbook.sheets_metadata if str(m.visible).rsplit(".", 1)[-1] != "Visible"}
    except Exception:  # an older calamine or a format without the flag: every sheet counts as shown
        return set()


def _broken(file_name: str) -> FileRefused:
    return FileRefused(file_name, "er ikke en gyldig Excel-fil (.xlsx), eller den er skadet")


class NoTable(Exception):
    """A sheet with no table on it (fewer than two filled columns)."""


def _open_sheet(
    path: Path,
    file_name: str,
    workbook,
    sheet: str,
    sheets: list[str],
    scan: SheetScan | None,
    choices: ReadChoices,
    limits: Limits,
) -> RowsTable:
    """One sheet as a table (NoTable when it holds none); `scan` is its inspection, for an .xlsx."""
    try:
        grid = workbook.get_sheet_by_name(sheet)
        values = grid.to_python(skip_empty_area=False)
        merged = grid.merged_cell_ranges or []
    except Exception:
        raise _broken(file_name) from None
    rows = [[_excel_cell(v) for v in row] for row in values]
    del values
    # an error cell is its error text, as in a CSV saved from the sheet, so the checks name it
    # in its line and column (in a column the board uses) instead of reading it as empty
    for r, c, text in scan.errors if scan is not None else []:
        if r < len(rows) and c < len(rows[r]) and rows[r][c] is None:
            rows[r][c] = text
    _fill_merged(rows, merged)
    width = max((max((i + 1 for i, c in enumerate(r) if c is not None), default=0) for r in rows), default=0)
    if width > limits.columns:
        raise over_limit(file_name, "columns", width, limits)
    longest = max((len(c) for r in rows for c in r if c is not None), default=0)
    if longest > limits.cell_chars:
        raise over_limit(file_name, "cell_chars", longest, limits)
    if width < 2 or not rows:
        raise NoTable(sheet)
    if choices.header_line:
        index = choices.header_line - 1
        if not 0 <= index < len(rows):
            raise FileRefused(file_name, f"har ingen rad {choices.header_line} på arket «{sheet}»")
    else:
        index = find_header([[c or "" for c in r] for r in rows[:SNIFF_ROWS]])
    header = [c or "" for c in rows[index][:width]]
    grouped = _periods_above(rows, index, width, merged)
    if grouped:
        header = [f"{name} {grouped[k]}" if grouped.get(k) else name for k, name in enumerate(header)]
    if len([c for c in header if c.strip()]) < 2:
        raise FileRefused(file_name, "har ikke en overskriftsrad med minst to kolonner")
    percent_notes = _percent_cells(rows, scan.percent if scan is not None else [], index, width)
    # a units row under the header («(antall)», «Enhet: antall»): part of the header, not data
    start, units = index + 1, None
    if start < len(rows) and (units := units_row(header, rows[start][:width])):
        start += 1
    body = [r[:width] for r in rows[start:]]
    columns = column_names(header, width)
    guess = ReadGuess("excel", "", "", index + 1, columns, sheet=sheet, sheets=sheets, body_line=start + 1)
    above = [" ".join(str(c).strip() for c in r if c is not None and str(c).strip()) for r in rows[:index]]
    guess.above = [line for line in above if line]
    if units:
        guess.notes.append(units_row_note(start, units))
    guess.notes.extend(percent_notes)
    guess.notes.extend(_date_serials(body, columns))
    # Rows hidden in Excel are data like the rest: read, and said, so nothing is loaded unseen.
    hidden = [n for n in (scan.hidden if scan is not None else []) if n > index + 1 and n - 1 < len(rows)]
    hidden = [n for n in hidden if any(c is not None and str(c).strip() for c in rows[n - 1])]
    if hidden:
        guess.notes.append(
            f"{counted(len(hidden), 'rad', 'rader')} i tabellen er skjult i Excel (linje {line_ranges(hidden)}); "
            "de er lest med som de andre radene."
        )
    # Columns hidden in Excel likewise: a hidden year column is loaded, so it is said.
    shown_columns = [
        columns[n - 1]
        for n in (scan.hidden_columns if scan is not None else [])
        if n - 1 < width
        and any(r[n - 1] is not None and str(r[n - 1]).strip() for r in body if n - 1 < len(r))
    ]
    if shown_columns:
        guess.notes.append(
            f"{counted(len(shown_columns), 'kolonne', 'kolonner')} i tabellen er skjult i Excel "
            f"({', '.join(f'«{c}»' for c in shown_columns)}); "
            f"{'den' if len(shown_columns) == 1 else 'de'} er lest med som de andre kolonnene."
        )
    # Formula cells in the table (below the header): calamine gives the value Excel saved.
    found = scan.formulas if scan is not None else []
    formulas = [cell for cell in found if cell[0] > index and cell[1] < width]
    unsaved = [
        Problem(
            file_name,
            r + 1,
            columns[c],
            f"cellen har formelen «{f}», men ingen utregnet verdi er lagret i filen; "
            "åpne filen i Excel og lagre den på nytt",
        )
        for r, c, f, saved in formulas
        if not saved
    ]
    if len(formulas) > len(unsaved):
        guess.notes.append(
            f"{len(formulas) - len(unsaved):,} celler i tabellen er formler; ".replace(",", " ")
            + "verdiene Excel sist regnet ut er lest."
        )
    return RowsTable(path, file_name, guess, body, column_problems=unsaved)


def _chosen(file_name: str, sheets: list[str], choices: ReadChoices) -> str:
    if not sheets:
        raise FileRefused(file_name, "har ingen ark")
    if choices.sheet and choices.sheet not in sheets:
        raise FileRefused(file_name, f"har ikke arket «{choices.sheet}» (arkene heter {', '.join(sheets)})")
    return choices.sheet or sheets[0]


def _xlsx_sheets(path: Path, file_name: str, limits: Limits) -> list[str] | None:
    """The sheet names of an .xlsx (the visible ones first), after the declared sizes are
    checked; None for .ods etc."""
    broken = FileRefused(file_name, "er ikke en gyldig Excel-fil (.xlsx), eller den er skadet")
    try:
        with zipfile.ZipFile(path) as archive:
            declared = sum(item.file_size for item in archive.infolist())
            if declared > limits.unzipped_bytes:
                raise over_limit(file_name, "unzipped_bytes", declared, limits)
            if "xl/workbook.xml" not in archive.namelist():
                return None
            workbook = ElementTree.fromstring(_read_small(archive, "xl/workbook.xml", file_name))
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ElementTree.ParseError, EOFError):
        raise broken from None
    # the visible sheets first: the one inspected before calamine reads is the one read first
    sheets = list(workbook.iterfind(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet"))
    ordered = [s for s in sheets if s.get("state", "visible") == "visible"] + [
        s for s in sheets if s.get("state", "visible") != "visible"
    ]
    return [s.get("name", "") for s in ordered]


ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _ods_scan(path: Path, file_name: str, sheet: str) -> SheetScan:
    """An OpenDocument sheet's cells of value type «percentage» (0.815 shown as 81,5 %), in one
    streamed pass over content.xml (OpenDocument 1.2 §19.385: office:value-type); repeated rows
    and columns (table:number-rows-repeated, -columns-repeated) are counted, not expanded."""
    scan = SheetScan()
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
            inside, row, column = False, -1, 0
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                tag = element.tag
                if tag == f"{ODS_TABLE}table":
                    if event == "start":
                        inside, row = element.get(f"{ODS_TABLE}name") == sheet, -1
                    elif inside:
                        break
                elif inside and tag == f"{ODS_TABLE}table-row":
                    if event == "start":
                        row, column = row + 1, 0
                    else:
                        row += int(element.get(f"{ODS_TABLE}number-rows-repeated", "1")) - 1
                elif inside and tag in (f"{ODS_TABLE}table-cell", f"{ODS_TABLE}covered-table-cell"):
                    if event == "end":
                        repeat = int(element.get(f"{ODS_TABLE}number-columns-repeated", "1"))
                        if element.get(f"{ODS_OFFICE}value-type") == "percentage" and repeat <= 16384:
                            scan.percent.extend((row, column + k) for k in range(repeat))
                        column += repeat
                if event == "end" and tag.startswith(ODS_TABLE) and tag != f"{ODS_TABLE}table":
                    element.clear()
    except (
        zipfile.BadZipFile,
        OSError,
        KeyError,
        RuntimeError,
        ElementTree.ParseError,
        EOFError,
        ValueError,
    ):
        raise _broken(file_name) from None
    return scan


def _percent_styles(archive: zipfile.ZipFile, file_name: str) -> set[int]:
    """The cell styles (index in styles.xml's cellXfs) whose number format shows a percent."""
    name = next((n for n in archive.namelist() if n.lower() == "xl/styles.xml"), None)
    if name is None:
        return set()
    styles = ElementTree.fromstring(_read_small(archive, name, file_name))
    percent = set(PERCENT_FORMATS)
    for fmt in styles.iterfind(f"{{{MAIN}}}numFmts/{{{MAIN}}}numFmt"):
        code = re.sub(r'"[^"]*"|\\.', "", fmt.get("formatCode", ""))  # a quoted or escaped % is text
        if "%" in code:
            percent.add(int(fmt.get("numFmtId", "-1")))
    return {
        index
        for index, xf in enumerate(styles.iterfind(f"{{{MAIN}}}cellXfs/{{{MAIN}}}xf"))
        if int(xf.get("numFmtId", "0")) in percent
    }


def _read_small(archive: zipfile.ZipFile, name: str, file_name: str) -> bytes:
    """A small part (workbook.xml, its relationships), read whole only if it is small."""
    if archive.getinfo(name).file_size > 16 * STREAM_CHUNK:
        raise FileRefused(file_name, f"har en uvanlig stor del «{name}» og er trolig skadet")
    return archive.read(name)


def _inspect(path: Path, file_name: str, sheet: str, limits: Limits) -> SheetScan:
    """Inflate every part in a stream: real sizes, the sheet's extent, long cells, formulas."""
    broken = FileRefused(file_name, "er ikke en gyldig Excel-fil (.xlsx), eller den er skadet")
    longest_run = 4 * limits.cell_chars + 64  # bytes of text between two tags (UTF-8, entities)
    scan = SheetScan()
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet, file_name)
            scan.percent_styles = _percent_styles(archive, file_name)
            total = 0
            for item in archive.infolist():
                checked = item.filename == part or item.filename.endswith("sharedStrings.xml")
                with archive.open(item) as stream:
                    carry = b""
                    while chunk := stream.read(STREAM_CHUNK):
                        total += len(chunk)
                        if total > limits.unzipped_bytes:
                            raise over_limit(file_name, "unzipped_bytes", total, limits)
                        if not checked:
                            continue
                        buffer = carry + chunk
                        if max(map(len, buffer.split(b"<"))) > longest_run:
                            raise over_limit(file_name, "cell_chars", longest_run // 4, limits)
                        # Whole cells only: the rest waits for the next chunk.
                        cut = _last_boundary(buffer) if item.filename == part else buffer.rfind(b"<")
                        cut = max(cut, 0)
                        if item.filename == part:
                            _scan_cells(buffer[:cut], scan, limits, file_name)
                        carry = buffer[cut:]
                        if len(carry) > longest_run + STREAM_CHUNK:
                            raise over_limit(file_name, "cell_chars", longest_run // 4, limits)
                    if item.filename == part and carry:
                        _scan_cells(carry, scan, limits, file_name)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ElementTree.ParseError, EOFError):
        raise broken from None
    return scan


def _last_boundary(buffer: bytes) -> int:
    """Where the last complete cell (or row) ends in the buffer, or 0."""
    ends = [buffer.rfind(tag) for tag in (b"</c>", b"</row>")]
    position = max(ends)
    if position < 0:
        return 0
    return buffer.index(b">", position) + 1


def _scan_cells(xml: bytes, scan: SheetScan, limits: Limits, file_name: str) -> None:
    """Extent, cell count and formula cells of a run of whole cells."""
    rows = ROW_REF.findall(xml)
    if rows:
        scan.rows = max(scan.rows, int(rows[-1]), int(max(rows, key=int)))
    columns = set(CELL_COLUMN.findall(xml))
    if columns:
        scan.columns = max(scan.columns, max(_column_index(c.decode()) + 1 for c in columns))
    if scan.columns > limits.columns:
        raise over_limit(file_name, "columns", scan.columns, limits)
    if scan.rows * max(scan.columns, 1) > limits.cells:
        raise over_limit(file_name, "cells", scan.rows * scan.columns, limits)
    if FORMULA_TAG.search(xml):
        scan.formulas.extend(_formula_cells(xml))
    if b't="e"' in xml:
        for attributes, inner in ERROR_CELL.findall(xml):
            if ref := CELL_REF.search(attributes):
                value = CELL_VALUE.search(inner)
                text = html.unescape(value[1].decode("utf-8", "replace")) if value and value[1] else "#FEIL"
                scan.errors.append((int(ref[2]) - 1, _column_index(ref[1].decode()), text))
    if scan.percent_styles and b' s="' in xml:
        for attributes in CELL_TAG.findall(xml):
            style = CELL_STYLE.search(attributes)
            if style and int(style[1]) in scan.percent_styles and (ref := CELL_REF.search(attributes)):
                scan.percent.append((int(ref[2]) - 1, _column_index(ref[1].decode())))
    if b"hidden" in xml:
        for attributes in ROW_TAG.findall(xml):
            if HIDDEN.search(attributes) and (ref := ROW_REF.match(b"<row " + attributes)):
                scan.hidden.append(int(ref[1]))
        for attributes in COL_TAG.findall(xml):  # <cols><col min="2" max="2" hidden="1"/>: before the cells
            if HIDDEN.search(attributes) and (span := COL_SPAN.search(attributes)):
                first, last = (int(span[1]), int(span[2])) if span[1] else (int(span[4]), int(span[3]))
                scan.hidden_columns.extend(range(first, min(last, limits.columns) + 1))


def _formula_cells(xml: bytes) -> list[tuple[int, int, str, bool]]:
    """(row, column, formula, value saved), 0-based, of the formula cells in a run of cells.

    calamine reads a formula cell as the value saved with it, and as empty when none was saved
    (a file written by a program and never opened in Excel). That empty cell must not pass for
    a suppressed one, so the sheet's XML is searched for formulas: a few regex scans.
    """
    found = []
    for match in FORMULA_TAG.finditer(xml):
        # The formula's cell: the last cell opened before it, up to the cell's end tag.
        starts = list(CELL_START.finditer(xml, max(0, match.start() - 400), match.start()))
        end = CELL_END.search(xml, match.start())
        if not starts or end is None:
            continue
        cell = xml[starts[-1].start() : end.start()]
        head = cell[: cell.find(b">")]
        reference = CELL_REF.search(head)
        if reference is None:
            continue
        formula = FORMULA_TEXT.search(cell)
        value = CELL_VALUE.search(cell)
        # Excel saves an empty text result as <v></v> in a cell of type "str".
        saved = value is not None and (value[1] != b"" or b't="str"' in head)
        text = (
            "=" + html.unescape(formula[1].decode("utf-8", "replace"))
            if formula and formula[1]
            else "(formel)"
        )
        found.append((int(reference[2]) - 1, _column_index(reference[1].decode()), text, saved))
    return found


def formula_cells(path: Path, sheet: str) -> list[tuple[int, int, str, bool]]:
    """The formula cells of one sheet of an .xlsx ([] when it is not one)."""
    try:
        return _inspect(path, path.name, sheet, Limits()).formulas
    except FileRefused:
        return []


def _sheet_part(archive: zipfile.ZipFile, sheet: str, file_name: str) -> str | None:
    """The zip member holding the sheet named `sheet` (workbook.xml and its relationships)."""
    workbook = ElementTree.fromstring(_read_small(archive, "xl/workbook.xml", file_name))
    ids = [
        s.get(RELATION)
        for s in workbook.iterfind(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet")
        if s.get("name") == sheet
    ]
    if not ids:
        return None
    relations = ElementTree.fromstring(_read_small(archive, "xl/_rels/workbook.xml.rels", file_name))
    for relation_element in relations:
        if relation_element.get("Id") == ids[0]:
            target = relation_element.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _column_index(letters: str) -> int:
    """'A' → 0, 'Z' → 25, 'AA' → 26."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _periods_above(rows: list[list[str | None]], index: int, width: int, merged: list) -> dict[int, str]:
    """column → the period written above its header cell in a cell merged across a group of
    columns («2022» over «Antall» and «Andel»): two header rows, periods over measures.

    Only when at least two header cells below such a merged period are labels (not periods):
    each becomes «Antall 2022», a wide column of its period (loaders.normalise.header_period).
    """
    from loaders.normalise import parse_period

    if index == 0:
        return {}
    above: dict[int, str] = {}
    for (top, left), (_bottom, right) in merged:
        if top != index - 1 or right <= left or left >= len(rows[top]) or rows[top][left] is None:
            continue
        text = str(rows[top][left]).strip()
        if parse_period(text) is None:
            continue
        for k in range(left, min(right, width - 1) + 1):
            below = rows[index][k] if k < len(rows[index]) else None
            if below is not None and str(below).strip() and parse_period(str(below)) is None:
                above[k] = text
    return above if len(above) >= 2 else {}


def _percent_cells(
    rows: list[list[str | None]], cells: list[tuple[int, int]], header: int, width: int
) -> list[str]:
    """Numbers Excel shows as a percent (0.815 shown as «81,5 %») → the percent shown, in place.

    A CSV exported from the same sheet holds «81,5 %», read as 81.5; the board keeps shares in
    percent, so the cell is read as Excel shows it, never as the fraction it stores.
    """
    changed, example = 0, ""
    for r, c in cells:
        if r <= header or c >= width or r >= len(rows) or c >= len(rows[r]) or rows[r][c] is None:
            continue
        try:
            number = float(rows[r][c])
        except ValueError:
            continue
        percent = round(number * 100, 10)
        shown = str(int(percent)) if percent.is_integer() else repr(percent)
        example = example or f"{rows[r][c]} vises som {shown} %".replace(".", ",")
        rows[r][c] = shown
        changed += 1
    if not changed:
        return []
    return [
        f"{counted(changed, 'celle', 'celler')} er formatert som prosent i regnearket ({example}); "
        "de er lest som prosenten regnearket viser."
    ]


def _date_serials(body: list[list[str | None]], columns: list[str]) -> list[str]:
    """Excel day numbers in a date column (DATE_HEADER) → ISO dates, in place; a note per column.

    Only when every filled cell of the column is a day number from 1990 to 2100: a column with
    anything else is left as it is, and the checks name its cells.
    """
    notes = []
    for k, name in enumerate(columns):
        if not DATE_HEADER.match(name.strip()):
            continue
        cells = [row[k] for row in body if k < len(row) and row[k] is not None and row[k].strip()]
        if not cells or not all(
            SERIAL.match(c.strip()) and SERIAL_RANGE[0] <= int(c) <= SERIAL_RANGE[1] for c in cells
        ):
            continue
        first = cells[0].strip()
        for row in body:
            if k < len(row) and row[k] is not None and row[k].strip():
                row[k] = (EXCEL_EPOCH + dt.timedelta(days=int(row[k]))).isoformat()
        shown = (EXCEL_EPOCH + dt.timedelta(days=int(first))).strftime("%d.%m.%Y")
        notes.append(
            f"Kolonnen «{name}» har Excels datonumre (f.eks. {first}); de er lest som datoer "
            f"({first} = {shown})."
        )
    return notes


def _fill_merged(rows: list[list[str | None]], merged: list) -> None:
    """Give the cells under a vertically merged cell its text, in place.

    calamine reads a merged cell's text into its first cell only. A header cell merged over
    two header rows («Kommune» over «Kommune» and the row of years beside it) or a unit merged
    down over its years would otherwise leave the column nameless or its rows without a unit.
    Only the first column of a range is filled: a label spread across columns («Antall
    hoftebrudd» over 2022–2024) names those columns as a group, not each of them.
    """
    for (top, left), (bottom, _right) in merged:
        if not 0 <= top < len(rows) or left >= len(rows[top]) or rows[top][left] is None:
            continue
        for row in rows[top + 1 : bottom + 1]:
            if left < len(row) and row[left] is None:
                row[left] = rows[top][left]


def _excel_cell(value: object) -> str | None:
    """An Excel cell as the text a CSV export would have (dates as ISO, 12.0 as 12).

    A date keeps the day it has: 2024-02-01 stays 2024-02-01, read later as its month
    (loaders.normalise.parse_period); nothing is truncated to a coarser grain here.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
