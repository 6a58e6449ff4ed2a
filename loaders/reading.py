"""Reading a file as exported: what it is, its encoding, delimiter and header row; never a traceback.

Only a sample (the first 256 KB) is decoded in Python, to guess the layout and show the guess.
The table itself is parsed by DuckDB (loaders.staging.Staging) straight from the file when
DuckDB can decode it: UTF-8, UTF-16 LE, and 8-bit files without bytes 0x80–0x9F, where
windows-1252 and ISO-8859-1 are the same. DuckDB has no windows-1252 without an extension
that cannot be installed offline, so a file with such bytes (– “ ” €) is copied to UTF-8 in a
stream first: about 0.07 s per 30 MB (see `python -m loaders.bench`). The file's hash is
computed in the same pass, or beside DuckDB in a thread when no copy is needed.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import html
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from analytics import config
from loaders.problems import FileRefused, Problem, reject_message
from loaders.staging import Staging, StagingError

SAMPLE_BYTES = 256 * 1024
SNIFF_ROWS = 60
MAX_COLUMNS = 1000
CHUNK = 4 << 20
THREAD_BYTES = 8 << 20

ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 med BOM",
    "cp1252": "windows-1252",
    "latin-1": "ISO-8859-1",
    "utf-16": "UTF-16 med BOM",
    "utf-16-le": "UTF-16 LE uten BOM",
    "utf-16-be": "UTF-16 BE uten BOM",
}
DELIMITERS = {";": "semikolon (;)", ",": "komma (,)", "\t": "tabulator"}
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
PICTURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF", b"II*\x00", b"MM\x00*")
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
C1_BYTES = re.compile(rb"[\x80-\x9f]")
# Cells in a sheet's XML (SpreadsheetML), with or without a namespace prefix ("x:c").
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
CELL_START = re.compile(rb"<(?:\w+:)?c[\s>]")
CELL_END = re.compile(rb"</(?:\w+:)?c>")
CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f[^>]*>([^<]*)<")
CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)<")
HEADER_WORDS = re.compile(
    r"kommune|region|bydel|enhet|periode|år|aar|tid|kvartal|måned|dato|antall|verdi|teller|nevner|"
    r"alder|personer|andel|statistikkvariabel|value|year|period|unit",
    re.IGNORECASE,
)


@dataclass
class ReadChoices:
    """The analyst's corrections (or a profile's); None means: let the reader guess."""

    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    sheet: str | None = None


@dataclass
class ReadGuess:
    """How the file was read; shown on the upload page, where each part can be changed."""

    format: str  # "csv" or "excel"
    encoding: str
    delimiter: str
    header_line: int  # 1-based line (or sheet row) of the header
    columns: list[str]
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    header_width: int | None = None  # fields in the header row (rows may have more: ragged)

    @property
    def encoding_label(self) -> str:
        return ENCODINGS.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return DELIMITERS.get(self.delimiter, repr(self.delimiter))

    def describe(self) -> dict[str, str]:
        if self.format == "excel":
            return {"Format": "Excel", "Ark": self.sheet or "", "Overskrift på rad": str(self.header_line)}
        return {
            "Format": "Tekst (CSV)",
            "Tegnsett": self.encoding_label,
            "Skilletegn": self.delimiter_label,
            "Overskrift på linje": str(self.header_line),
        }


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


# -- what is this file? --------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    """BOMs first, then UTF-16 by its NUL pattern, then strict UTF-8, else windows-1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = sample[:4000]
    even, odd = head[0::2], head[1::2]
    if len(head) >= 4 and odd.count(0) > len(odd) // 3 and even.count(0) < len(even) // 10:
        return "utf-16-le"
    if len(head) >= 4 and even.count(0) > len(even) // 3 and odd.count(0) < len(odd) // 10:
        return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _duckdb_encoding(encoding: str, sample: bytes) -> str | None:
    """The encoding DuckDB can read this file in directly, or None: copy to UTF-8 first."""
    if encoding in ("utf-8", "utf-8-sig"):
        return "utf-8"
    if encoding == "utf-16-le" or (encoding == "utf-16" and sample.startswith(codecs.BOM_UTF16_LE)):
        return "utf-16"
    if encoding in ("cp1252", "latin-1") and not C1_BYTES.search(sample):
        return "latin-1"  # identical to windows-1252 without bytes 0x80–0x9F
    return None


def _looks_like_markup(text: str) -> str | None:
    head = text[:2048].lower()
    if head.startswith("<?xml"):
        return "er XML, ikke en tabell; lagre den som CSV eller Excel (.xlsx)"
    if head.startswith(("<!doctype html", "<html")) or any(t in head for t in ("<html", "<head>", "<body")):
        return (
            "er en nettside (HTML), ikke en tabell – kanskje en innloggingsside. "
            "Last ned eksporten på nytt og velg CSV eller Excel"
        )
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits most rows into the same number (2+) of fields."""
    best, best_key = ";", (-1, -1, 0)
    for priority, delimiter in enumerate((";", "\t", ",")):
        widths = [len(r) for _, r in _records(text, delimiter, SNIFF_ROWS) if any(c.strip() for c in r)]
        counts: dict[int, int] = {}
        for width in widths:
            if width >= 2:
                counts[width] = counts.get(width, 0) + 1
        if not counts:
            continue
        width, rows = max(counts.items(), key=lambda item: (item[1], item[0]))
        key = (rows, width, -priority)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _records(text: str, delimiter: str, limit: int) -> list[tuple[int, list[str]]]:
    """The first `limit` records with the line each starts on (quoted line breaks allowed)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for record in reader:
            records.append((previous + 1, record))
            previous = reader.line_num
            if len(records) >= limit:
                break
    except csv.Error:  # an open quote or a huge field in the sample: judge what we have
        pass
    return records


def find_header(rows: list[list[str]]) -> int:
    """Index of the header: the first row as wide as the table that names its columns."""
    filled = [sum(1 for c in row if c and c.strip()) for row in rows]
    counts: dict[int, int] = {}
    for width in filled:
        if width >= 2:
            counts[width] = counts.get(width, 0) + 1
    if not counts:
        return 0
    width = max(counts.items(), key=lambda item: (item[1], item[0]))[0]
    wide_enough = [i for i, n in enumerate(filled) if n >= max(2, width - 1)]
    for index in wide_enough:
        if any(c and HEADER_WORDS.search(c) for c in rows[index]):
            return index
    return wide_enough[0] if wide_enough else 0


def _table_width(header: int, rows: list[int]) -> int:
    """The header's width, or wider when most rows are (a trailing delimiter on every row).

    A single row wider than the header is not absorbed: DuckDB refuses it, and the analyst
    hears which line has too many fields (often a decimal comma in a comma-delimited file).
    """
    if not rows:
        return header
    common = max(set(rows), key=lambda w: (rows.count(w), w))
    return max(header, common) if rows.count(common) * 2 > len(rows) else header


def column_names(header: list[str], width: int) -> list[str]:
    """Header cells as names: blanks become «kolonne N», repeats get «(2)»."""
    names: list[str] = []
    for index in range(width):
        name = (header[index] if index < len(header) else "") or ""
        name = " ".join(str(name).split()) or f"kolonne {index + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


# -- a sniffed file ------------------------------------------------------------------------


class TableFile:
    """One file, sniffed: the guess, and how to get its body into a staging area."""

    def __init__(
        self,
        path: Path,
        file_name: str,
        guess: ReadGuess,
        sample: bytes = b"",
        chosen_encoding: bool = False,
        excel_rows: list[list[str | None]] | None = None,
        unsaved_formulas: list[tuple[int, str, str]] | None = None,
    ) -> None:
        self.path = path
        self.file_name = file_name
        self.guess = guess
        self.file_hash = ""
        self._sample = sample
        self._chosen_encoding = chosen_encoding
        self._excel_rows = excel_rows
        self._unsaved_formulas = unsaved_formulas or []
        self._codec = guess.encoding  # what Python decodes with (for line numbers)
        self._copy: Path | None = None

    def __enter__(self) -> TableFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._copy is not None:
            self._copy.unlink(missing_ok=True)
            self._copy = None

    def load(self, staging: Staging) -> list[Problem]:
        """Put the table body into the staging area; returns lines that could not be read."""
        width = len(self.guess.columns)
        if self._excel_rows is not None:
            self.file_hash = _scan(self.path, check_nul=False)[0]
            staging.load_rows(self._excel_rows, width)
            return [
                Problem(
                    self.file_name,
                    line,
                    column,
                    f"cellen har formelen «{formula}», men ingen utregnet verdi er lagret i filen; "
                    "åpne filen i Excel og lagre den på nytt",
                )
                for line, column, formula in self._unsaved_formulas
            ]
        native = _duckdb_encoding(self.guess.encoding, self._sample)
        if native is None:
            return self._load_copy(staging, width)
        check_nul = not self.guess.encoding.startswith("utf-16")
        # A big file is hashed in a thread while DuckDB reads it; a small one is not worth it.
        with ThreadPoolExecutor(max_workers=1) as pool:
            big = self.path.stat().st_size > THREAD_BYTES
            scan = pool.submit(_scan, self.path, check_nul) if big else None
            try:
                rejects = staging.read_csv(
                    self.path, native, self.guess.delimiter, self.guess.header_line, width
                )
            except StagingError as exc:
                if scan is not None:
                    scan.result()
                if exc.reason == "encoding" and self.guess.encoding in ("cp1252", "latin-1"):
                    return self._load_copy(staging, width)  # 0x80–0x9F later in the file
                raise self._unreadable(exc) from None
            self.file_hash, nul = scan.result() if scan is not None else _scan(self.path, check_nul)
        if nul:
            raise FileRefused(
                self.file_name, "inneholder NUL-tegn (binære data) og er ikke en tekstfil med en tabell"
            )
        if any(kind == "INVALID ENCODING" for _, kind in rejects):
            if self._chosen_encoding or self.guess.encoding != "utf-8":
                raise self._wrong_encoding()
            # The sample was UTF-8 (or plain ASCII); later bytes are not: windows-1252 after all.
            self.guess.encoding = self._codec = "cp1252"
            return self._load_copy(staging, width)
        return self._reject_problems(rejects)

    def _load_copy(self, staging: Staging, width: int) -> list[Problem]:
        """Copy the file to UTF-8 in a stream (a new temp file), then let DuckDB read the copy."""
        handle, name = tempfile.mkstemp(prefix="board-upload-", suffix=".csv")
        os.close(handle)
        self._copy = Path(name)
        codec = self.guess.encoding
        try:
            self.file_hash, nul = _transcode(self.path, codec, self._copy)
        except UnicodeDecodeError:
            if codec != "cp1252" or self._chosen_encoding:
                raise self._wrong_encoding() from None
            # Bytes windows-1252 leaves undefined (0x81, 0x8D, ...): ISO-8859-1 reads every byte.
            codec = self.guess.encoding = "latin-1"
            self.file_hash, nul = _transcode(self.path, codec, self._copy)
        self._codec = codec
        if nul:
            raise FileRefused(
                self.file_name, "inneholder NUL-tegn (binære data) og er ikke en tekstfil med en tabell"
            )
        self.guess.notes.append(
            f"Tegnsettet {self.guess.encoding_label} er gjort om til UTF-8 før innlesing."
        )
        try:
            rejects = staging.read_csv(
                self._copy, "utf-8", self.guess.delimiter, self.guess.header_line, width
            )
        except StagingError as exc:
            raise self._unreadable(exc) from None
        if any(kind == "INVALID ENCODING" for _, kind in rejects):
            raise self._wrong_encoding()
        return self._reject_problems(rejects)

    def _wrong_encoding(self) -> FileRefused:
        return FileRefused(
            self.file_name,
            f"kan ikke leses med tegnsettet {self.guess.encoding_label}; velg et annet tegnsett",
        )

    def _unreadable(self, exc: StagingError) -> FileRefused:
        if exc.reason == "encoding":
            return self._wrong_encoding()
        return FileRefused(self.file_name, "kan ikke leses som en tabell (CSV); er det riktig fil?")

    def _reject_problems(self, rejects: list[tuple[int, str]]) -> list[Problem]:
        label = self.guess.encoding_label
        return [Problem(self.file_name, line, None, reject_message(kind, label)) for line, kind in rejects]

    def lines(self, row_nos: Iterable[int | None]) -> dict[int, int]:
        """Line numbers for row numbers (0 = the first row under the header).

        Excel rows map one to one. For text, DuckDB skips blank lines and a quoted cell may
        span lines, so the file is walked once with Python's csv reader (same quoting rules),
        only when problems are reported, and only as far as the last row asked for.
        """
        wanted = sorted({r for r in row_nos if r is not None})
        if not wanted:
            return {}
        header = self.guess.header_line
        if self._excel_rows is not None:
            return {r: header + 1 + r for r in wanted}
        found: dict[int, int] = {}
        targets = set(wanted)
        with open(self.path, encoding=self._codec, errors="replace", newline="") as handle:
            for _ in range(header):
                handle.readline()
            reader = csv.reader(handle, delimiter=self.guess.delimiter)
            row, previous = 0, 0
            try:
                for record in reader:
                    start, previous = header + previous + 1, reader.line_num
                    if not record:
                        continue  # a blank line: DuckDB skips it too
                    if row in targets:
                        found[row] = start
                    row += 1
                    if row > wanted[-1]:
                        break
            except csv.Error:
                pass
        # Whatever the walk could not place keeps the simple count.
        return {r: found.get(r, header + 1 + r) for r in wanted}


def _scan(path: Path, check_nul: bool) -> tuple[str, bool]:
    """sha256 of the file and whether it holds NUL bytes, in one pass."""
    digest, nul = hashlib.sha256(), False
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            nul = nul or (check_nul and b"\x00" in chunk)
    return digest.hexdigest(), nul


def _transcode(path: Path, encoding: str, target: Path) -> tuple[str, bool]:
    """Copy `path` as UTF-8 into `target`, chunk by chunk; returns (sha256, saw NUL)."""
    digest, nul = hashlib.sha256(), False
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    with open(path, "rb") as source, open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            text = decoder.decode(chunk)
            nul = nul or "\x00" in text
            out.write(text.encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return digest.hexdigest(), nul


# -- opening -------------------------------------------------------------------------------


def open_table(path: Path, file_name: str | None = None, choices: ReadChoices | None = None) -> TableFile:
    """Sniff a CSV/TSV/TXT or Excel file; FileRefused (one Norwegian sentence) if it is no table."""
    file_name = file_name or path.name
    choices = choices or ReadChoices()
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
    except OSError:
        raise FileRefused(file_name, "kan ikke åpnes") from None
    if size == 0:
        raise FileRefused(file_name, "er tom")
    limit = config.MAX_UPLOAD_MB * 1024 * 1024
    if size > limit:
        raise FileRefused(
            file_name, f"er {size / 1024 / 1024:.1f} MB, mer enn grensen på {config.MAX_UPLOAD_MB} MB"
        )
    if sample.startswith(PICTURES):
        raise FileRefused(
            file_name, "er et bilde eller en PDF, ikke en tabell; last opp en CSV- eller Excel-fil"
        )
    if sample.startswith((ZIP, OLE)) or path.suffix.lower() in EXCEL_SUFFIXES:
        return _open_excel(path, file_name, choices)
    return _open_text(path, file_name, sample, size, choices)


def _open_text(path: Path, file_name: str, sample: bytes, size: int, choices: ReadChoices) -> TableFile:
    encoding = choices.encoding or detect_encoding(sample)
    if encoding not in ENCODINGS:
        raise FileRefused(file_name, f"kan ikke leses med tegnsettet «{encoding}»")
    whole = len(sample) == size
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(sample, final=whole)
    except UnicodeDecodeError:
        if choices.encoding is None and encoding == "cp1252":
            encoding, text = "latin-1", sample.decode("latin-1")
        else:
            raise FileRefused(
                file_name, f"kan ikke leses med tegnsettet {ENCODINGS[encoding]}; velg et annet tegnsett"
            ) from None
    if "\x00" in text:
        raise FileRefused(file_name, "inneholder NUL-tegn (binære data) og er ikke en tekstfil med en tabell")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise FileRefused(file_name, "er tom")
    if markup := _looks_like_markup(text.lstrip()):
        raise FileRefused(file_name, markup)
    if not whole and "\n" in text:
        text = text[: text.rfind("\n") + 1]  # the sample ends inside a line
    delimiter = choices.delimiter or sniff_delimiter(text)
    records = _records(text, delimiter, 10_000 if choices.header_line else SNIFF_ROWS)
    if not records:
        raise FileRefused(file_name, "har ingen rader som kan leses")
    too_wide = max(len(r) for _, r in records)
    if too_wide > MAX_COLUMNS:
        raise FileRefused(
            file_name,
            f"har {_count(too_wide)} kolonner; en indikatortabell har langt færre "
            f"(grensen er {_count(MAX_COLUMNS)}). Er det riktig fil?",
        )
    if choices.header_line:
        starts = [line for line, _ in records]
        if choices.header_line not in starts:
            raise FileRefused(file_name, f"har ingen rad som begynner på linje {choices.header_line}")
        index = starts.index(choices.header_line)
    else:
        index = find_header([r for _, r in records])
    header_line, header = records[index]
    width = _table_width(len(header), [len(r) for _, r in records[index + 1 :] if any(c.strip() for c in r)])
    if len([c for c in header if c.strip()]) < 2:
        raise FileRefused(
            file_name, "har ikke en overskriftsrad med minst to kolonner; er skilletegnet riktig?"
        )
    guess = ReadGuess(
        "csv", encoding, delimiter, header_line, column_names(header, width), header_width=len(header)
    )
    return TableFile(path, file_name, guess, sample=sample, chosen_encoding=choices.encoding is not None)


def _open_excel(path: Path, file_name: str, choices: ReadChoices) -> TableFile:
    from python_calamine import CalamineWorkbook

    broken = FileRefused(file_name, "er ikke en gyldig Excel-fil (.xlsx), eller den er skadet")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = list(workbook.sheet_names)
    except Exception:  # calamine raises many kinds for a broken zip; all mean the same here
        raise broken from None
    if not sheets:
        raise FileRefused(file_name, "har ingen ark")
    if choices.sheet and choices.sheet not in sheets:
        raise FileRefused(file_name, f"har ikke arket «{choices.sheet}» (arkene heter {', '.join(sheets)})")
    sheet = choices.sheet or sheets[0]
    try:
        values = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception:
        raise broken from None
    rows = [[_excel_cell(v) for v in row] for row in values]
    width = max((max((i + 1 for i, c in enumerate(r) if c is not None), default=0) for r in rows), default=0)
    if width > MAX_COLUMNS:
        raise FileRefused(
            file_name,
            f"har {_count(width)} kolonner; en indikatortabell har langt færre "
            f"(grensen er {_count(MAX_COLUMNS)}). Er det riktig fil?",
        )
    if width < 2 or not rows:
        raise FileRefused(file_name, f"har ingen tabell på arket «{sheet}»")
    if choices.header_line:
        index = choices.header_line - 1
        if not 0 <= index < len(rows):
            raise FileRefused(file_name, f"har ingen rad {choices.header_line} på arket «{sheet}»")
    else:
        index = find_header([[c or "" for c in r] for r in rows[:SNIFF_ROWS]])
    header = [c or "" for c in rows[index][:width]]
    if len([c for c in header if c.strip()]) < 2:
        raise FileRefused(file_name, "har ikke en overskriftsrad med minst to kolonner")
    body = [r[:width] for r in rows[index + 1 :]]
    columns = column_names(header, width)
    guess = ReadGuess("excel", "", "", index + 1, columns, sheet=sheet, sheets=sheets)
    # Formula cells in the table (below the header): calamine gives the value Excel saved.
    formulas = [cell for cell in _formula_cells(path, sheet) if cell[0] > index and cell[1] < width]
    unsaved = [(r + 1, columns[c], f) for r, c, f, saved in formulas if not saved]
    if len(formulas) > len(unsaved):
        guess.notes.append(
            f"{_count(len(formulas) - len(unsaved))} celler i tabellen er formler; "
            "verdiene Excel sist regnet ut er lest."
        )
    return TableFile(path, file_name, guess, excel_rows=body, unsaved_formulas=unsaved)


def _formula_cells(path: Path, sheet: str) -> list[tuple[int, int, str, bool]]:
    """(row, column, formula, value saved), 0-based, of the sheet's formula cells.

    calamine reads a formula cell as the value saved with it, and as empty when none was saved
    (a file written by a program and never opened in Excel). That empty cell must not pass for
    a suppressed one, so the sheet's XML is searched for formulas: a few regex scans, fast on a
    sheet of any size ([] for .xls, .ods and anything unreadable here: calamine has read it).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet)
            xml = archive.read(part) if part else b""
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ElementTree.ParseError):
        return []
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


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the sheet named `sheet` (workbook.xml and its relationships)."""
    names = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    ids = [s.get(relation) for s in workbook.iterfind("m:sheets/m:sheet", names) if s.get("name") == sheet]
    if not ids:
        return None
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
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


def _excel_cell(value: object) -> str | None:
    """An Excel cell as the text a CSV export would have (dates as ISO, 12.0 as 12)."""
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
