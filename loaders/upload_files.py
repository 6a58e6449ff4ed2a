"""Uploaded files on disk while an analyst looks at them (the loader reads files, not bytes).

One folder per upload in the system temp folder. The page removes it when the analyst moves on
(another file, or none), and every new upload sweeps away folders that sessions closed without
moving on left behind, once they are older than a working day.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from safety import params

PREFIX = "board-page-upload-"
STALE_SECONDS = 12 * 3600


def save(data: bytes, name: str) -> Path:
    """The upload as a file in a new folder of its own; its name as the analyst's file had it."""
    sweep()
    directory = Path(tempfile.mkdtemp(prefix=PREFIX))
    path = directory / params.safe_name(name)  # not "..", no folders, at most 255 bytes
    path.write_bytes(data)
    return path


def remove(path: Path) -> None:
    """Remove a saved upload and its folder (only a folder this module made)."""
    if path.parent.name.startswith(PREFIX):
        shutil.rmtree(path.parent, ignore_errors=True)


def sweep(root: Path | None = None, older_than: float = STALE_SECONDS, now: float | None = None) -> int:
    """Remove upload folders not touched for `older_than` seconds; returns how many."""
    root = root or Path(tempfile.gettempdir())
    now = time.time() if now is None else now
    removed = 0
    for folder in root.glob(f"{PREFIX}*"):
        try:
            stale = folder.is_dir() and now - folder.stat().st_mtime > older_than
        except OSError:  # another process removed it first
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
