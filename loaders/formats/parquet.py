"""Apache Parquet files, as data warehouses and analysts' own scripts (pandas, R arrow) write
them: one table with named, typed columns.

Read with pyarrow (already the board's columnar library): the footer's row and column counts are
checked against Limits before a single column is read, then each cell becomes the text a CSV
export would hold (loaders.formats.excel._excel_cell: 12.0 as 12, dates as ISO), and the loader
guesses the columns' roles as for any table.
"""

from __future__ import annotations

from pathlib import Path

from loaders.formats.base import Limits, ReadChoices, ReadGuess, RowsTable, column_names, over_limit
from loaders.problems import FileRefused

MAGIC = b"PAR1"


def matches(path: Path, sample: bytes) -> bool:
    return sample.startswith(MAGIC)


def open_parquet(path: Path, file_name: str, choices: ReadChoices, limits: Limits) -> RowsTable:
    """Read a Parquet file into rows of text cells; FileRefused (one sentence) when it cannot be."""
    import pyarrow.parquet as pq

    from loaders.formats.excel import _excel_cell

    try:
        parquet = pq.ParquetFile(path)
        height, width = parquet.metadata.num_rows, parquet.metadata.num_columns
    except Exception:  # pyarrow raises several kinds for a broken footer; all mean the same here
        raise FileRefused(
            file_name, "ser ut som en Parquet-fil, men kan ikke leses (er den skadet?)"
        ) from None
    if width > limits.columns:
        raise over_limit(file_name, "columns", width, limits)
    if height * width > limits.cells:
        raise over_limit(file_name, "cells", height * width, limits)
    try:
        table = parquet.read()
    except Exception:
        raise FileRefused(
            file_name, "ser ut som en Parquet-fil, men kan ikke leses (er den skadet?)"
        ) from None
    if len(table.column_names) < 2:
        raise FileRefused(file_name, "har ikke en tabell med minst to kolonner")
    cells = [[_excel_cell(v) for v in column.to_pylist()] for column in table.columns]
    rows = [list(row) for row in zip(*cells, strict=True)]
    guess = ReadGuess("parquet", "", "", 1, column_names([str(c) for c in table.column_names], width))
    return RowsTable(path, file_name, guess, rows)
