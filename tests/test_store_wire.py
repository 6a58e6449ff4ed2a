"""Binary COPY's wire types (store_pg.wire_types) come from the schema itself (store.MIGRATIONS):
every column of facts and fact_history has one, and a column a migration adds gets one without
a second list."""

from __future__ import annotations

import pyarrow as pa
import pytest

from analytics import store, store_pg

pytestmark = pytest.mark.backend_free


@pytest.fixture
def fresh_wire_types():
    store_pg.wire_types.cache_clear()
    yield store_pg.wire_types
    store_pg.wire_types.cache_clear()


def test_every_facts_and_history_column_has_its_wire_type(fresh_wire_types):
    types = fresh_wire_types()
    written = [*store.FACT_COLUMNS, "upload_id", "replaced_by", "replaced_at"]
    assert set(written) <= set(types)
    # The types PostgreSQL's binary input of each column accepts (a wider one is refused).
    assert types["indicator"] == types["unit_id"] == types["grain"] == types["source"] == pa.string()
    assert types["period_start"] == pa.date32()
    assert types["value"] == types["numerator"] == types["denominator"] == pa.float64()
    assert types["suppressed"] == types["file_total"] == pa.bool_()
    assert types["upload_id"] == types["replaced_by"] == pa.int32()
    assert types["replaced_at"] == pa.timestamp("us")


def test_a_column_a_migration_adds_gets_its_type(fresh_wire_types, monkeypatch):
    later = {"duckdb": "ALTER TABLE facts ADD COLUMN checked_at TIMESTAMP;", "postgres": ""}
    monkeypatch.setitem(store_pg.MIGRATIONS, max(store_pg.MIGRATIONS) + 1, later)
    assert fresh_wire_types()["checked_at"] == pa.timestamp("us")


def test_a_type_without_a_wire_type_is_refused(fresh_wire_types, monkeypatch):
    later = {"duckdb": "ALTER TABLE fact_history ADD COLUMN weight DECIMAL(10, 2);", "postgres": ""}
    monkeypatch.setitem(store_pg.MIGRATIONS, max(store_pg.MIGRATIONS) + 1, later)
    with pytest.raises(KeyError):
        fresh_wire_types()


def test_read_from_the_schema_text_as_duckdb_reads_it(fresh_wire_types, monkeypatch):
    """The text's reading equals DuckDB's own of the migrated schema (DESCRIBE), column for
    column in order, and no database is opened to get it (it was one in-memory DuckDB per
    process)."""
    import duckdb

    con = duckdb.connect(":memory:")
    for version in sorted(store.MIGRATIONS):
        if store.MIGRATIONS[version]["duckdb"].strip():
            con.execute(store.MIGRATIONS[version]["duckdb"])
    described: dict[str, pa.DataType] = {}
    for table in ("facts", "fact_history"):
        for name, sql_type, *_ in con.execute(f"DESCRIBE {table}").fetchall():
            described.setdefault(name, store_pg._SQL_WIRE_TYPES[sql_type])
    con.close()

    def refused(*_args, **_kwargs):
        raise AssertionError("wire_types opened a database")

    monkeypatch.setattr(duckdb, "connect", refused)
    assert list(fresh_wire_types().items()) == list(described.items())


def test_a_migration_that_changes_a_binary_table_otherwise_is_refused(fresh_wire_types, monkeypatch):
    later = {"duckdb": "ALTER TABLE facts DROP COLUMN source;", "postgres": ""}
    monkeypatch.setitem(store_pg.MIGRATIONS, max(store_pg.MIGRATIONS) + 1, later)
    with pytest.raises(ValueError):
        fresh_wire_types()
