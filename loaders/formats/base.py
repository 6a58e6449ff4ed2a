"""What every file format's reader gives the loader: a raw table and what the reader knows.

A reader (loaders.formats.text, .excel, .px, .jsonstat) turns a file into a TableFile: the
guess (format, header line, column names; for PX and JSON-stat also which column is the unit,
the period and the value, so nothing is guessed) and a way to put the body into the staging
area as text cells. The limits below are checked by each reader BEFORE it reads the whole
file, so a file made to fill memory (a zip bomb, a huge cell, millions of columns) is refused
with one Norwegian sentence and flat memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import config
from loaders.problems import FileRefused, Problem

if TYPE_CHECKING:
    from loaders.staging import Staging

MB = 1024 * 1024


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


@dataclass(frozen=True)
class Limits:
    """Hard limits on one file; each has one sentence in LIMIT_REASONS.

    file_bytes: the upload size (config.MAX_UPLOAD_MB, the same as Streamlit's
    server.maxUploadSize). unzipped_bytes: all parts of an .xlsx/.ods together, as the zip
    directory declares them and as they really inflate. cells: rows × columns of the table a
    reader builds in memory (Excel, PX, JSON-stat; a text file is read by DuckDB, see rows).
    cell_chars: 32 767, Excel's own limit on a cell. rows: data rows of a text file, estimated
    from the first 256 KB before reading and counted after.
    """

    file_bytes: int = field(default_factory=lambda: int(config.MAX_UPLOAD_MB * MB))
    unzipped_bytes: int = 512 * MB
    cells: int = 10_000_000
    columns: int = 1000
    cell_chars: int = 32_767
    rows: int = 5_000_000
    json_bytes: int = 64 * MB


LIMIT_REASONS = {
    "file_bytes": "er {size} MB, mer enn grensen på {limit} MB",
    "unzipped_bytes": (
        "pakker seg ut til {size} MB, mer enn grensen på {limit} MB; "
        "en Excel-fil med så mye innhold er skadet eller laget for å fylle minnet"
    ),
    "cells": "har {n} celler, mer enn grensen på {limit}; del opp uttrekket eller lagre det som CSV",
    "columns": (
        "har {n} kolonner; en indikatortabell har langt færre (grensen er {limit}). Er det riktig fil?"
    ),
    "cell_chars": "har en celle med mer enn {limit} tegn, som er grensen (den samme som i Excel)",
    "rows": "har {n} rader, mer enn grensen på {limit}; del opp uttrekket",
    "json_bytes": "er {size} MB; JSON-stat-filer over {limit} MB leses ikke, last ned som CSV i stedet",
}


def over_limit(file_name: str, limit: str, found: int, limits: Limits) -> FileRefused:
    """The one sentence for a file over `limit` (a field of Limits), naming the file."""
    allowed = getattr(limits, limit)
    if limit.endswith("_bytes"):
        reason = LIMIT_REASONS[limit].format(size=f"{found / MB:.1f}", limit=_count(allowed // MB))
    else:
        reason = LIMIT_REASONS[limit].format(n=_count(found), limit=_count(allowed))
    return FileRefused(file_name, reason)


@dataclass
class ReadChoices:
    """The analyst's corrections (or a profile's); None means: let the reader guess."""

    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    sheet: str | None = None


ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 med BOM",
    "cp1252": "windows-1252",
    "latin-1": "ISO-8859-1",
    "utf-16": "UTF-16 med BOM",
    "utf-16-le": "UTF-16 LE uten BOM",
    "utf-16-be": "UTF-16 BE uten BOM",
}
DELIMITERS = {";": "semikolon (;)", ",": "komma (,)", "\t": "tabulator", "|": "loddrett strek (|)"}
FORMAT_LABELS = {
    "csv": "Tekst (CSV)",
    "excel": "Excel",
    "px": "PC-Axis (PX)",
    "jsonstat": "JSON-stat 2.0",
    "json": "JSON (poster)",
    "parquet": "Parquet",
}
# Formats whose files carry their own columns (no encoding, delimiter or sheet to choose)
SELF_DESCRIBED = ("px", "jsonstat", "json", "parquet")


@dataclass
class ReadGuess:
    """How the file was read; shown on the upload page, where each part can be changed.

    `known_roles` (role → column name) and `dimensions` (column → its values) come from
    formats that carry their own metadata (PX, JSON-stat): the loader uses them instead of
    guessing from column names.
    """

    format: str  # "csv", "excel", "px", "jsonstat", "json" or "parquet"
    encoding: str
    delimiter: str
    header_line: int  # 1-based line (or sheet row) of the header
    columns: list[str]
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    known_roles: dict[str, str] = field(default_factory=dict)
    dimensions: dict[str, list[str]] = field(default_factory=dict)
    header_width: int | None = None  # fields in the header row (rows may have more: ragged)
    body_line: int | None = None  # 1-based line (or sheet row) the body starts on; None: the next
    # the non-empty lines above the header, each as its cells' text: a title, and the filters a
    # statbank writes there («Kjønn: kjønn samlet», «Alder: 0-74 år», FHI Statistikkbank)
    above: list[str] = field(default_factory=list)

    @property
    def first_body_line(self) -> int:
        """The line (or sheet row) of the first row under the header (and its units row, if any)."""
        return self.body_line or self.header_line + 1

    @property
    def encoding_label(self) -> str:
        return ENCODINGS.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return DELIMITERS.get(self.delimiter, repr(self.delimiter))

    def describe(self) -> dict[str, str]:
        if self.format == "excel":
            return {"Format": "Excel", "Ark": self.sheet or "", "Overskrift på rad": str(self.header_line)}
        if self.format in SELF_DESCRIBED:
            described = {"Format": FORMAT_LABELS[self.format]}
            if self.encoding:
                described["Tegnsett"] = self.encoding_label
            return described
        return {
            "Format": "Tekst (CSV)",
            "Tegnsett": self.encoding_label,
            "Skilletegn": self.delimiter_label,
            "Overskrift på linje": str(self.header_line),
        }


class TableFile:
    """One file, read or sniffed: the guess, and how to put its body into a staging area.

    Subclasses: text.TextTable (DuckDB reads the file itself) and RowsTable (rows already read
    in Python: Excel, PX, JSON-stat).
    """

    def __init__(self, path: Path, file_name: str, guess: ReadGuess) -> None:
        self.path = path
        self.file_name = file_name
        self.guess = guess
        self.file_hash = ""
        # Problems in one column's cells that matter only when the column is used (a value, unit
        # or period, or a dimension to choose or sum): a formula without a saved value in a
        # column the board leaves unused («Endring») refuses nothing.
        self.column_problems: list[Problem] = []

    def __enter__(self) -> TableFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove any temporary copy (the default has none)."""

    def load(self, staging: Staging) -> list[Problem]:
        """Put the table body into the staging area; returns lines that could not be read."""
        raise NotImplementedError

    def lines(self, row_nos: Iterable[int | None]) -> dict[int, int]:
        """Line (or sheet row) numbers for row numbers (0 = the first row under the header)."""
        wanted = sorted({r for r in row_nos if r is not None})
        return {r: self.guess.first_body_line + r for r in wanted}


class RowsTable(TableFile):
    """A table already read in Python: each row a list of text cells (None = empty)."""

    def __init__(
        self,
        path: Path,
        file_name: str,
        guess: ReadGuess,
        rows: list[list[str | None]],
        problems: list[Problem] | None = None,
        column_problems: list[Problem] | None = None,
    ) -> None:
        super().__init__(path, file_name, guess)
        self._rows = rows
        self._problems = problems or []
        self.column_problems = column_problems or []

    def load(self, staging: Staging) -> list[Problem]:
        from loaders.formats.text import scan

        self.file_hash = scan(self.path, check_nul=False)[0]
        staging.load_rows(self._rows, len(self.guess.columns))
        self._rows = []  # the staging area holds them now
        return list(self._problems)


# A units row under the header, as report tools write it: «(antall)», «Antall», «%», «Enhet: antall»,
# «per 1 000 innbyggere», in the value columns, with nothing in the unit column (or the label).
_UNIT_LABEL = re.compile(
    r"\(\s*[^()]{1,40}\s*\)|(?:enhet|eining|måleenhet|unit)\s*:.{0,40}|%|‰|"
    r"(?:antall|ant\.|prosent|andel|personer|pasienter|tilfeller|innbyggere|rate|promille|kroner|kr\.?|"
    r"døgn|dager|liggedøgn|count|number|percent|persons)"
    r"(?:\s*(?:per|pr\.?)\s*[\d\s.]+(?:\s*[a-zæøå]+)?)?|(?:per|pr\.?)\s*[\d\s.]+(?:\s*[a-zæøå]+)?",
    re.IGNORECASE,
)


def units_row(header: list[str], row: list[str | None]) -> str | None:
    """The row's text when `row` (the one under the header) names the columns' units rather than
    holding data: every filled cell a unit label (`_UNIT_LABEL`), and the first column (the unit's
    names) empty or a label itself. None otherwise (a data row, or an empty row)."""
    cells = [("" if c is None else " ".join(str(c).split())) for c in row]
    filled = [c for c in cells if c]
    if not filled or len(filled) > len(header):
        return None
    if not all(_UNIT_LABEL.fullmatch(c) for c in filled):
        return None
    return "; ".join(filled)


def units_row_note(line: int, text: str) -> str:
    """The note for a units row left out of the data (line: 1-based)."""
    return f"Linje {line} («{text}») er lest som måleenhet for kolonnene under overskriften, ikke som data."


def plain_text(text: str) -> str:
    """See loaders.normalise.plain_text (imported late: normalise imports the formats' modules)."""
    from loaders.normalise import plain_text as plain

    return plain(text)


def column_names(header: list[str], width: int) -> list[str]:
    """Header cells as names: blanks become «kolonne N», repeats get «(2)»."""
    names: list[str] = []
    for index in range(width):
        name = (header[index] if index < len(header) else "") or ""
        # composed letters (NFC) and no invisible characters, so «År» written decomposed is «År»
        name = " ".join(plain_text(str(name)).split()) or f"kolonne {index + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names
