"""File formats behind one interface: `open_table(path) -> TableFile`.

Each format is a module with `matches(path, sample)` and an opener that returns a TableFile
(loaders.formats.base): the raw table as text cells plus what the reader knows (header row;
for PX and JSON-stat the dimensions and which column is the unit, the period and the value).
The order below decides a file that could be several things; text is the fallback. Limits
(base.Limits) are checked by each reader before it reads the whole file. As frictionless-py's
and dlt's readers do, the rest of the loader never asks which format a table came from.
"""

from __future__ import annotations

from pathlib import Path

from loaders.formats import excel, jsonstat, parquet, px, text
from loaders.formats.base import (
    DELIMITERS,
    ENCODINGS,
    Limits,
    ReadChoices,
    ReadGuess,
    RowsTable,
    TableFile,
)
from loaders.problems import FileRefused

__all__ = [
    "DELIMITERS",
    "ENCODINGS",
    "Limits",
    "ReadChoices",
    "ReadGuess",
    "RowsTable",
    "TableFile",
    "open_table",
]

PICTURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF", b"II*\x00", b"MM\x00*")


def open_table(
    path: Path,
    file_name: str | None = None,
    choices: ReadChoices | None = None,
    limits: Limits | None = None,
) -> TableFile:
    """Sniff or read a file as a table; FileRefused (one Norwegian sentence) if it is none.

    Text (CSV/TSV/TXT), Excel (.xlsx and what calamine reads), PX, JSON-stat 2.0, plain JSON
    records and Parquet.
    """
    file_name = file_name or path.name
    choices = choices or ReadChoices()
    limits = limits or Limits()
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            sample = handle.read(text.SAMPLE_BYTES)
    except OSError:
        raise FileRefused(file_name, "kan ikke åpnes") from None
    if size == 0:
        raise FileRefused(file_name, "er tom")
    if size > limits.file_bytes:
        from loaders.formats.base import over_limit

        raise over_limit(file_name, "file_bytes", size, limits)
    if sample.startswith(PICTURES):
        raise FileRefused(
            file_name, "er et bilde eller en PDF, ikke en tabell; last opp en CSV- eller Excel-fil"
        )
    if parquet.matches(path, sample):
        return parquet.open_parquet(path, file_name, choices, limits)
    if excel.matches(path, sample):
        return excel.open_excel(path, file_name, choices, limits)
    if px.matches(path, sample):
        return px.open_px(path, file_name, choices, limits)
    if jsonstat.matches(path, sample):
        return jsonstat.open_jsonstat(path, file_name, choices, limits)
    return text.open_text(path, file_name, sample, size, choices, limits)
