"""Helpers that tests and the page benchmark share (no pytest here: the benchmark imports it)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dashboard_pages() -> list[tuple[str, str, str, str, bool]]:
    """dashboard.PAGES: (file, title, icon, url path, analysts only), read from the source
    (importing dashboard.py would run the app)."""
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [tuple(row) for row in ast.literal_eval(node.value)]
    raise AssertionError("dashboard.py has no PAGES list")


def copy_store(source: Path, target: Path) -> Path:
    """A DuckDB store file with its write-ahead log, if it has one (tests that change a store)."""
    shutil.copy(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target
