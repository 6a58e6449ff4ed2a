"""Text tables (CSV, TSV, TXT) in any dialect and encoding.

Only a sample (the first 256 KB) is decoded in Python, to guess the layout and show the guess.
The table itself is parsed by DuckDB (the staging area) straight from the file when
DuckDB can decode it: UTF-8, UTF-16 LE, and 8-bit files without bytes 0x80–0x9F, where
windows-1252 and ISO-8859-1 are the same. DuckDB has no windows-1252 without an extension
that cannot be installed offline, so a file with such bytes (– “ ” €) is copied to UTF-8 in a
stream first: about 0.07 s per 30 MB (see `python -m loaders.bench`). The file's hash is
computed in the same pass, or beside DuckDB in a thread when no copy is needed.

Limits: the number of rows is estimated from the sample before DuckDB reads anything (a file
of tiny rows is refused at once) and counted after; columns and cell length are checked in
the sample; DuckDB refuses lines over its line size, which bounds any cell.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from loaders.formats.base import (
    ENCODINGS,
    Limits,
    ReadChoices,
    ReadGuess,
    TableFile,
    column_names,
    over_limit,
    units_row,
    units_row_note,
)
from loaders.problems import FileRefused, Problem, reject_message
from loaders.staging import StagingError

if TYPE_CHECKING:
    from loaders.staging import Staging

SAMPLE_BYTES = 256 * 1024
SNIFF_ROWS = 60
CHUNK = 4 << 20
THREAD_BYTES = 8 << 20
C1_BYTES = re.compile(rb"[\x80-\x9f]")
HEADER_WORDS = re.compile(
    r"kommune|region|bydel|enhet|periode|år|aar|tid|kvartal|måned|dato|antall|verdi|teller|nevner|"
    r"alder|personer|andel|statistikkvariabel|value|year|period|unit|persons|age|sex|kjønn|contents",
    re.IGNORECASE,
)


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
    if "urn:schemas-microsoft-com:office:spreadsheet" in text[:8192]:
        # Excel 2003's XML workbook, which report tools still save with the name .xls
        return "er et XML-regneark (Excel 2003), ikke en .xlsx-fil; åpne det i Excel og lagre det som .xlsx"
    if head.startswith("<?xml"):
        return "er XML, ikke en tabell; lagre den som CSV eller Excel (.xlsx)"
    html = head.startswith(("<!doctype html", "<html")) or any(
        t in head for t in ("<html", "<head>", "<body")
    )
    if (html or head.startswith("<table")) and "<table" in text[:65536].lower():
        # «Eksporter til Excel» in many web report tools: an HTML table saved as .xls
        return (
            "er en nettside med en tabell (HTML), ikke en Excel-fil (rapportverktøy lagrer slike som .xls); "
            "åpne den i Excel og lagre den som .xlsx, eller last ned eksporten som CSV"
        )
    if html:
        return (
            "er en nettside (HTML), ikke en tabell – kanskje en innloggingsside. "
            "Last ned eksporten på nytt og velg CSV eller Excel"
        )
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits most rows into the same number (2+) of fields."""
    best, best_key = ";", (-1, -1, 0)
    for priority, delimiter in enumerate((";", "\t", ",", "|")):  # «|»: data warehouses' exports
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


# -- a sniffed file ------------------------------------------------------------------------


class TextTable(TableFile):
    """A text file, sniffed: DuckDB reads its body into the staging area."""

    def __init__(
        self,
        path: Path,
        file_name: str,
        guess: ReadGuess,
        sample: bytes = b"",
        chosen_encoding: bool = False,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(path, file_name, guess)
        self._sample = sample
        self._chosen_encoding = chosen_encoding
        self._limits = limits or Limits()
        self._codec = guess.encoding  # what Python decodes with (for line numbers)
        self._copy: Path | None = None

    def close(self) -> None:
        if self._copy is not None:
            self._copy.unlink(missing_ok=True)
            self._copy = None

    def load(self, staging: Staging) -> list[Problem]:
        """Put the table body into the staging area; returns lines that could not be read."""
        problems = self._load(staging)
        rows = staging.raw_count()
        if rows > self._limits.rows:
            raise over_limit(self.file_name, "rows", rows, self._limits)
        return problems

    def _load(self, staging: Staging) -> list[Problem]:
        width = len(self.guess.columns)
        native = _duckdb_encoding(self.guess.encoding, self._sample)
        if native is None:
            return self._load_copy(staging, width)
        check_nul = not self.guess.encoding.startswith("utf-16")
        # A big file is hashed in a thread while DuckDB reads it; a small one is not worth it.
        with ThreadPoolExecutor(max_workers=1) as pool:
            big = self.path.stat().st_size > THREAD_BYTES
            hashing = pool.submit(scan, self.path, check_nul) if big else None
            try:
                rejects = staging.read_csv(
                    self.path, native, self.guess.delimiter, self.guess.first_body_line - 1, width
                )
            except StagingError as exc:
                if hashing is not None:
                    hashing.result()
                if exc.reason == "encoding" and self.guess.encoding in ("cp1252", "latin-1"):
                    return self._load_copy(staging, width)  # 0x80–0x9F later in the file
                raise self._unreadable(exc) from None
            self.file_hash, nul = hashing.result() if hashing is not None else scan(self.path, check_nul)
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
                self._copy, "utf-8", self.guess.delimiter, self.guess.first_body_line - 1, width
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
        huge = [line for line, kind in rejects if kind == "LINE SIZE OVER MAXIMUM"]
        if huge:  # a cell of megabytes: not a table, whatever else is wrong
            raise FileRefused(
                self.file_name,
                f"har en linje over 2 MB (linje {huge[0]}); en celle kan ha høyst "
                f"{self._limits.cell_chars:,} tegn".replace(",", " "),
            )
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
        header = self.guess.first_body_line - 1  # the lines above the body
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


def scan(path: Path, check_nul: bool) -> tuple[str, bool]:
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


def open_text(
    path: Path, file_name: str, sample: bytes, size: int, choices: ReadChoices, limits: Limits
) -> TextTable:
    """Sniff a text table from its first 256 KB; FileRefused when it is not one or is too big."""
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
    elif not whole:  # 256 KB without a line break: one cell (or line) is far too long
        raise over_limit(file_name, "cell_chars", len(text), limits)
    delimiter = choices.delimiter or sniff_delimiter(text)
    records = _records(text, delimiter, 10_000 if choices.header_line else SNIFF_ROWS)
    if not records:
        raise FileRefused(file_name, "har ingen rader som kan leses")
    too_wide = max(len(r) for _, r in records)
    if too_wide > limits.columns:
        raise over_limit(file_name, "columns", too_wide, limits)
    longest = max((len(c) for _, r in records for c in r), default=0)
    if longest > limits.cell_chars:
        raise over_limit(file_name, "cell_chars", longest, limits)
    if not whole:  # rows estimated from the sample's line length, before DuckDB reads anything
        estimate = int(size / max(1, len(sample)) * max(1, text.count("\n")))
        if estimate > limits.rows * 1.2:
            raise over_limit(file_name, "rows", estimate, limits)
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
    guess.above = [" ".join(c.strip() for c in r if c.strip()) for _, r in records[:index]]
    guess.above = [line for line in guess.above if line]
    # a units row under the header («;(antall);(antall)», «Enhet: antall»): part of the header
    below = [(line, r) for line, r in records[index + 1 :] if any(c.strip() for c in r)]
    if below and (units := units_row(header, below[0][1])):
        guess.body_line = below[1][0] if len(below) > 1 else below[0][0] + 1
        guess.notes.append(units_row_note(below[0][0], units))
    return TextTable(
        path, file_name, guess, sample=sample, chosen_encoding=choices.encoding is not None, limits=limits
    )
