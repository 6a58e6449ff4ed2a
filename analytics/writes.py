"""The one path for each write besides an upload: undoing an upload and recording a milestone.

The CLI (`python -m loaders undo`), the Datakatalog page, the Milepæler page and the demo
loader all call these, so a change is checked and worded the same way wherever it is made.
An upload's own path is loaders.ingest.process → Store.merge_stage.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import milestones
from analytics.store import Store, undo_summary


class WriteRefused(Exception):
    """The change cannot be made; the message is one Norwegian sentence."""


def undo_upload(store: Store, upload_id: int, undone_by: str) -> str:
    """Undo one upload (its values out, what it replaced back; Store.undo) and say what happened.

    Raises WriteRefused when there is no such upload. An upload already undone changes nothing.
    """
    log = store.uploads().set_index("upload_id")
    if upload_id not in log.index:
        raise WriteRefused(f"Fant ingen opplasting {upload_id}.")
    if pd.notna(log.loc[upload_id, "undone_at"]):
        return f"Opplasting {upload_id} var allerede angret; ingenting er endret."
    removed = store.undo(upload_id, undone_by=undone_by)
    return undo_summary(upload_id, removed)


def record_milestone(
    store: Store,
    partnership: str,
    criterion_id: str,
    state: str,
    changed_by: str,
    done_date: dt.date | None = None,
    comment: str | None = None,
    evidence: str | None = None,
    today: dt.date | None = None,
) -> int:
    """Check a milestone edit (milestones.validate_edit) and record it; returns the event id.

    Only «Oppnådd» keeps a done date; blank comment and evidence are stored as none.
    Raises WriteRefused with the page's sentence when the edit cannot be stored.
    """
    problem = milestones.validate_edit(state, done_date, today)
    if problem:
        raise WriteRefused(problem)
    return store.record_milestone(
        partnership,
        criterion_id,
        state,
        changed_by,
        milestones.normalise_edit(state, done_date),
        (comment or "").strip() or None,
        (evidence or "").strip() or None,
    )
