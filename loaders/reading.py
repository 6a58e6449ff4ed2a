"""Reading a file as exported: encoding, delimiter, header row; never a traceback.

The result is a table of text cells with the line number each row had in the file, plus
the reader's guesses, so the upload page can show them and let the analyst correct them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from loaders.problems import FileRefused

MAX_COLUMNS = 1000
SNIFF_LINES = 60
HEADER_WORDS = re.compile(
    r"kommune|region|bydel|enhet|periode|år|aar|tid|kvartal|måned|dato|antall|verdi|teller|nevner|"
    r"alder|personer|andel|statistikkvariabel|value|year|period|unit",
    re.IGNORECASE,
)


@dataclass
class ReadGuess:
    encoding: str
    delimiter: str
    header_line: int  # 1-based line number of the header in the file
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class RawTable:
    """Text cells as read; `lines` holds each row's 1-based line number in the file."""

    frame: pd.DataFrame
    lines: list[int]
    guess: ReadGuess


def detect_encoding(data: bytes) -> str:
    """BOMs first, then strict UTF-8, then windows-1252 (a superset of Latin-1's letters)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4000]
    # UTF-16 without BOM: every other byte is NUL in mostly-ASCII text.
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4 and sample[1::2].count(0) == 0:
        return "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def decode(data: bytes, encoding: str, file_name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        if encoding == "cp1252":  # bytes cp1252 leaves undefined: fall back to Latin-1
            return data.decode("latin-1")
        raise FileRefused(file_name, f"kan ikke leses som tegnsett {encoding}") from None


def _looks_like_binary(text: str) -> bool:
    return "\x00" in text


def sniff_delimiter(lines: list[str]) -> str:
    counts = {d: sum(line.count(d) for line in lines) for d in (";", "\t", ",")}
    # Decimal commas inflate the comma count; prefer ; or tab whenever they are present.
    for delimiter in (";", "\t"):
        if counts[delimiter] >= max(1, len([ln for ln in lines if ln.strip()]) // 2):
            return delimiter
    return "," if counts[","] else ";"


def find_header(rows: list[list[str]]) -> int:
    """Index of the header row: the first row that is as wide as the table and names columns."""
    widths = [len([c for c in row if c.strip()]) for row in rows]
    if not widths:
        return 0
    table_width = max(widths)
    for index, row in enumerate(rows):
        cells = [c.strip() for c in row if c.strip()]
        if len(cells) >= max(2, table_width - 1) and any(HEADER_WORDS.search(c) for c in cells):
            return index
    for index, width in enumerate(widths):
        if width >= max(2, table_width - 1):
            return index
    return 0


def read_text_table(
    text: str,
    file_name: str,
    encoding: str,
    delimiter: str | None = None,
    header_line: int | None = None,
) -> RawTable:
    if _looks_like_binary(text):
        raise FileRefused(file_name, "ser ut som en binærfil (inneholder NUL-tegn), ikke en tabell")
    stripped = text.lstrip()
    if not stripped:
        raise FileRefused(file_name, "er tom")
    if stripped[:200].lower().startswith(("<!doctype html", "<html")):
        raise FileRefused(file_name, "er en nettside (HTML), ikke en tabell. Last ned eksporten på nytt")
    lines = text.splitlines()
    delimiter = delimiter or sniff_delimiter(lines[:SNIFF_LINES])
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise FileRefused(file_name, f"kan ikke tolkes som CSV ({exc})") from None
    if max((len(r) for r in rows), default=0) > MAX_COLUMNS:
        raise FileRefused(file_name, f"har mer enn {MAX_COLUMNS} kolonner; det er ikke en indikatortabell")
    header_index = header_line - 1 if header_line else find_header(rows[:SNIFF_LINES])
    return _table_from_rows(rows, header_index, file_name, ReadGuess(encoding, delimiter, header_index + 1))


def _table_from_rows(rows: list[list[str]], header_index: int, file_name: str, guess: ReadGuess) -> RawTable:
    if header_index >= len(rows):
        raise FileRefused(file_name, "har ingen overskriftsrad")
    header = [h.strip() for h in rows[header_index]]
    while header and not header[-1]:
        header.pop()
    if len(header) < 2:
        raise FileRefused(file_name, "har ikke minst to kolonner; er skilletegnet riktig?")
    names = [h or f"kolonne {i + 1}" for i, h in enumerate(header)]
    body, line_numbers = [], []
    width = len(names)
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        filled = [c for c in cells if c]
        # Footnotes: one filled cell in a wide table, after the data ("Kilde: ...").
        if len(filled) == 1 and width > 2 and not cells[0][:1].isdigit():
            continue
        cells = (cells + [""] * width)[:width]
        body.append(cells)
        line_numbers.append(offset)
    frame = pd.DataFrame(body, columns=names, dtype="string") if body else pd.DataFrame(columns=names)
    return RawTable(frame=frame, lines=line_numbers, guess=guess)


def read_excel_table(path: Path, file_name: str, sheet: str | None, header_line: int | None) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        if sheet is not None and sheet not in names:
            raise FileRefused(file_name, f"har ikke arket «{sheet}» (arkene heter {', '.join(names)})")
        sheet_name = sheet or names[0]
        values = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except FileRefused:
        raise
    except Exception:
        raise FileRefused(file_name, "er ikke en gyldig Excel-fil (.xlsx) eller er skadet") from None
    rows = [["" if v is None else _excel_cell(v) for v in row] for row in values]
    if max((len(r) for r in rows), default=0) > MAX_COLUMNS:
        raise FileRefused(file_name, f"har mer enn {MAX_COLUMNS} kolonner; det er ikke en indikatortabell")
    header_index = header_line - 1 if header_line else find_header(rows[:SNIFF_LINES])
    guess = ReadGuess("xlsx", "", header_index + 1, sheet=sheet_name)
    return _table_from_rows(rows, header_index, file_name, guess)


def _excel_cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def read_table(
    path: Path,
    file_name: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_line: int | None = None,
    sheet: str | None = None,
) -> RawTable:
    """Read a CSV/TSV/TXT or .xlsx file into text cells; FileRefused with a Norwegian reason."""
    file_name = file_name or path.name
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_excel_table(path, file_name, sheet, header_line)
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF")):
        raise FileRefused(file_name, "er et bilde eller en PDF, ikke en tabell")
    data = path.read_bytes()
    encoding = encoding or detect_encoding(data)
    return read_text_table(decode(data, encoding, file_name), file_name, encoding, delimiter, header_line)
