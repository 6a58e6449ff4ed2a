"""Reading a file as exported: the formats live in loaders.formats (text, Excel, PX, JSON-stat).

This module keeps the names the rest of the loader and the tests import.
"""

from __future__ import annotations

# ruff: noqa: F401 (names kept for the modules and tests that import them from here)
from loaders.formats import DELIMITERS, ENCODINGS, Limits, ReadChoices, ReadGuess, TableFile, open_table
from loaders.formats.excel import formula_cells
from loaders.formats.text import detect_encoding, find_header, sniff_delimiter
