"""One write path each: undo and milestone edits are checked and worded the same everywhere."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import writes
from analytics.store import UploadMeta, open_store
from loaders.service import LoaderError
from tests.conftest import fact_rows, new_store


@pytest.fixture()
def store(tmp_path):
    store = open_store(new_store(tmp_path, "w"))
    yield store
    store.close()


def test_undo_says_what_happened_and_refuses_an_unknown_upload(store):
    upload = store.ingest(fact_rows({"3205": 4.0}), UploadMeta("a.csv", "h1")).upload_id
    assert writes.undo_upload(store, upload, "kari") == (
        f"Opplasting {upload} er angret: 1 verdi er fjernet og tidligere verdier gjenopprettet."
    )
    assert writes.undo_upload(store, upload, "kari") == (
        f"Opplasting {upload} var allerede angret; ingenting er endret."
    )
    with pytest.raises(writes.WriteRefused, match="Fant ingen opplasting 99"):
        writes.undo_upload(store, 99, "kari")


def test_a_milestone_edit_is_checked_before_it_is_stored(store):
    today = dt.date(2024, 6, 1)
    with pytest.raises(writes.WriteRefused, match="Oppgi datoen"):
        writes.record_milestone(store, "ahus", "m02-k1", "Oppnådd", "per", today=today)
    with pytest.raises(writes.WriteRefused, match="Ukjent status"):
        writes.record_milestone(store, "ahus", "m02-k1", "Ferdig", "per", today=today)
    assert store.milestone_states("ahus").empty
    writes.record_milestone(store, "ahus", "m02-k1", "Pågår", "per", dt.date(2024, 1, 1), "  ", None, today)
    state = store.milestone_states("ahus").iloc[0]
    # only «Oppnådd» keeps a date; a blank comment is stored as none
    assert state["status"] == "Pågår" and pd.isna(state["done_date"]) and pd.isna(state["comment"])


def test_the_demo_loader_refuses_a_milestone_the_page_would_refuse(fresh_loader, tmp_path):
    register = tmp_path / "milepaeler.csv"
    register.write_text(
        "partnerskap;kriterium;status;dato;kommentar\nahus;m02-k1;Oppnådd;;\n", encoding="utf-8"
    )
    with pytest.raises(LoaderError, match="Oppgi datoen"):
        fresh_loader._load_demo_milestones(register)
    assert fresh_loader.board.store.milestone_states("ahus").empty
