"""The store: schema on first run, atomic and idempotent uploads, history and undo."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from analytics.store import Store, StoreError, UploadMeta, open_store
from tests.conftest import fact_rows, new_store, query


@pytest.fixture()
def store(store_target):
    """An empty store on each backend (DuckDB file, PostgreSQL schema)."""
    store = open_store(store_target)
    yield store
    store.close()


def test_schema_is_created_on_first_run(tmp_path):
    target = new_store(tmp_path / "new", "board")  # DuckDB: the folder is made too
    open_store(target).close()
    tables = {
        r[0]
        for r in query(
            target,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
        )
    }
    assert {"facts", "fact_history", "uploads", "units", "code_history", "milestone_events"} <= tables


def test_ingest_counts_added_replaced_unchanged(store):
    first = store.ingest(fact_rows({"3205": 4.0, "3222": 2.0}), UploadMeta("a.csv", "h1"))
    assert (first.added, first.replaced, first.unchanged) == (2, 0, 0)
    second = store.ingest(fact_rows({"3205": 5.0, "3222": 2.0, "3224": None}), UploadMeta("b.csv", "h2"))
    assert (second.added, second.replaced, second.unchanged) == (1, 1, 1)
    current = store.facts(["hip_fractures"]).set_index("unit_id")
    assert current.loc["3205", "value"] == 5.0
    assert bool(current.loc["3224", "suppressed"]) and pd.isna(current.loc["3224", "value"])
    assert store.history_count() == 1


def test_same_file_twice_changes_nothing(store):
    store.ingest(fact_rows({"3205": 4.0}), UploadMeta("a.csv", "same"))
    again = store.ingest(fact_rows({"3205": 4.0}), UploadMeta("a.csv", "same"))
    assert again.duplicate_of is not None and again.upload_id is None
    assert store.fact_count() == 1
    assert len(store.uploads()) == 1
    assert "allerede lastet inn" in again.summary


def test_undo_restores_replaced_values(store):
    store.ingest(fact_rows({"3205": 4.0, "3222": 2.0}), UploadMeta("a.csv", "h1"))
    second = store.ingest(fact_rows({"3205": 9.0, "3224": 1.0}), UploadMeta("b.csv", "h2"))
    store.undo(second.upload_id)
    current = store.facts(["hip_fractures"]).set_index("unit_id")["value"].to_dict()
    assert current == {"3205": 4.0, "3222": 2.0}
    assert store.history_count() == 0
    log = store.uploads().set_index("upload_id")
    assert pd.notna(log.loc[second.upload_id, "undone_at"])
    # an undone file may be loaded again
    assert store.ingest(fact_rows({"3205": 9.0, "3224": 1.0}), UploadMeta("b.csv", "h2")).added == 1


def test_undo_of_an_older_upload_keeps_newer_values(store):
    first = store.ingest(fact_rows({"3205": 1.0}), UploadMeta("a.csv", "h1"))
    second = store.ingest(fact_rows({"3205": 2.0}), UploadMeta("b.csv", "h2"))
    third = store.ingest(fact_rows({"3205": 3.0}), UploadMeta("c.csv", "h3"))
    store.undo(second.upload_id)
    assert store.facts()["value"].tolist() == [3.0]
    store.undo(third.upload_id)
    # with the second upload gone, undoing the third brings back the first upload's value
    assert store.facts()["value"].tolist() == [1.0]
    assert store.facts()["upload_id"].tolist() == [first.upload_id]


def test_failed_ingest_leaves_store_unchanged(store):
    store.ingest(fact_rows({"3205": 4.0}), UploadMeta("a.csv", "h1"))
    bad = fact_rows({"3222": 1.0})
    bad["period_start"] = "not a date"
    with pytest.raises(duckdb.Error):  # PostgreSQL too: the frame is staged in DuckDB first
        store.ingest(bad, UploadMeta("bad.csv", "h2"))
    assert store.fact_count() == 1
    assert len(store.uploads()) == 1


def test_series_sums_counts_and_pools_shares(store):
    rows = fact_rows({"3205": 4.0, "3222": None})
    store.ingest(rows, UploadMeta("a.csv", "h1"))
    series = store.series("hip_fractures", ["3205", "3222"], "count", "year")
    assert series["value"].tolist() == [4.0]
    assert series["n_suppressed"].tolist() == [1]  # the aggregate says it is incomplete
    share = fact_rows({"3205": 50.0, "3222": 10.0}, indicator="stemi_pci_120")
    share["numerator"] = [1.0, 9.0]
    share["denominator"] = [2.0, 90.0]
    store.ingest(share, UploadMeta("s.csv", "h2"))
    pooled = store.series("stemi_pci_120", ["3205", "3222"], "share", "year")
    assert pooled["value"].iloc[0] == pytest.approx(100 * 10 / 92)  # not the mean of 50 and 10


def test_data_version_changes_with_uploads_and_milestones(store):
    before = store.data_version()
    store.ingest(fact_rows({"3205": 4.0}), UploadMeta("a.csv", "h1"))
    middle = store.data_version()
    store.record_milestone("ahus", "m02-k1", "Pågår", "tester")
    assert len({before, middle, store.data_version()}) == 3


def test_milestone_states_keep_history(store):
    store.record_milestone("ahus", "m02-k1", "Pågår", "anne")
    store.record_milestone("ahus", "m02-k1", "Oppnådd", "per", done_date=dt.date(2024, 6, 1))
    states = store.milestone_states("ahus")
    assert states["status"].tolist() == ["Oppnådd"]
    assert store.milestone_history("ahus", "m02-k1")["changed_by"].tolist() == ["per", "anne"]


@pytest.mark.duckdb_file("a damaged DuckDB file")
def test_corrupt_file_gives_norwegian_message(tmp_path):
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="skadet|kan ikke åpnes"):
        Store(path)


def test_an_arrow_table_without_file_total_loads(store):
    """Store.ingest takes arrow as well as pandas (the national bench loads arrow); a missing
    file_total column means no file totals."""
    import pyarrow as pa

    result = store.ingest(
        pa.Table.from_pandas(fact_rows({"3205": 4.0, "3222": 2.0})), UploadMeta("a.csv", "h1")
    )
    assert result.added == 2
    assert not store.facts(file_totals=True)["file_total"].any()


def test_known_cells_are_the_shown_cells_of_one_grain(store):
    """What the protected cube is built from: not suppressed, not another grain or indicator,
    not a file total; sorted by unit and period (Store.known_cells)."""
    months = (dt.date(2024, 2, 1), dt.date(2024, 1, 1))
    store.ingest(fact_rows({"3222": 7.0, "3205": 4.0, "3030": None}, months), UploadMeta("a.csv", "h1"))
    store.ingest(fact_rows({"3205": 9.0}, indicator="falls_registered"), UploadMeta("b.csv", "h2"))
    cells = store.known_cells("hip_fractures", ["3205", "3222", "3030"], "month")
    got = [
        (u, p.date(), v) for u, p, v in cells[["unit_id", "period_start", "value"]].itertuples(index=False)
    ]
    assert got == [
        ("3205", dt.date(2024, 1, 1), 4.0),
        ("3205", dt.date(2024, 2, 1), 4.0),
        ("3222", dt.date(2024, 1, 1), 7.0),
        ("3222", dt.date(2024, 2, 1), 7.0),
    ]
    assert store.known_cells("hip_fractures", ["3205"], "quarter").empty


def test_sums_are_exact_so_they_do_not_depend_on_the_order_rows_are_added_in(store):
    """A quarter of months and a partnership of units are summed exactly (DECIMAL in DuckDB,
    numeric in PostgreSQL): added as doubles, 0.1 + 0.2 + 0.3 is 0.6000000000000001 and
    0.3 + 0.2 + 0.1 is 0.6, and DuckDB's threads add a national table's rows in no fixed order,
    so a figure on a threshold could be judged one way one day and the other the next."""
    months = [dt.date(2024, m, 1) for m in (1, 2, 3)]
    frame = pd.concat(
        [
            fact_rows({"3205": v, "3222": w}, months=(m,))
            for m, v, w in zip(months, (0.1, 0.2, 0.3), (0.3, 0.2, 0.1), strict=True)
        ],
        ignore_index=True,
    )
    store.ingest(frame, UploadMeta("brok.csv", "exact"))
    per_unit = store.unit_series("hip_fractures", ["3205", "3222"], "count", "quarter").set_index("unit_id")
    assert per_unit["value"].to_dict() == {"3205": 0.6, "3222": 0.6}
    whole = store.series("hip_fractures", ["3205", "3222"], "count", "quarter")
    assert whole["value"].tolist() == [1.2]


def test_a_nan_in_an_arrow_upload_is_stored_as_missing_and_the_sums_read_it(store):
    """Arrow keeps a float NaN (pandas' missing value) as NaN, not NULL. Stored as such, a
    share's exact sum (DECIMAL cast) refused the whole series: «Could not cast value nan»."""
    import numpy as np
    import pyarrow as pa

    frame = fact_rows({"3205": 80.0, "3222": 75.0}, indicator="hip_fractures")
    frame["numerator"] = [8.0, np.nan]
    frame["denominator"] = [10.0, np.nan]
    frame["suppressed"] = [False, True]
    frame["value"] = [80.0, np.nan]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name in ("numerator", "denominator", "value"):  # from_pandas makes NaN null; pa.array keeps it
        table = table.set_column(
            table.schema.get_field_index(name), name, pa.array(frame[name].to_numpy(), pa.float64())
        )
    assert pa.compute.is_nan(table["numerator"]).to_pylist()[1]  # a NaN, not a null, goes in
    store.ingest(table, UploadMeta("andel.parquet", "nan"))
    read = store.series("hip_fractures", ["3205", "3222"], "share", "month")
    assert read["value"].tolist() == [80.0]
    stored = store.facts(["hip_fractures"]).set_index("unit_id")
    assert pd.isna(stored.loc["3222", "numerator"]) and pd.isna(stored.loc["3222", "value"])
