"""The store on a PostgreSQL server, as several servers and loads share it: the same answers as
the DuckDB file, uploads that serialise, kills that leave nothing behind, a page on one server
that sees another's upload, schema versions, and the copy between backends."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import SCHEMA_VERSION, STORE_TABLES, StoreError, UploadMeta, open_store
from loaders.service import copy_store
from tests import support
from tests.conftest import fact_rows, run_cli
from tests.test_faults import BIG_INGEST

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


@pytest.fixture(scope="module")
def demo_file(demo_duckdb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo store: the session's shared board keeps the original open in
    this process, and DuckDB refuses a second connection to it with another configuration."""
    return support.copy_store(demo_duckdb, tmp_path_factory.mktemp("server") / "demo.duckdb")


@pytest.fixture(scope="module")
def pg_demo(pg_cluster, demo_file: Path) -> str:
    """The demo store copied to a schema on the test cluster (by `loaders copy`), read-only use."""
    url = pg_cluster.new_schema()
    copy_store(demo_file, url)
    return url


def demo_copy(pg_cluster, demo_file: Path) -> str:
    url = pg_cluster.new_schema()
    copy_store(demo_file, url)
    return url


def content(store) -> dict[str, list]:
    """Every table, as sorted rows of text (ids and times included)."""
    return {t: sorted(map(tuple, store.read_table(t).astype(str).to_numpy().tolist())) for t in STORE_TABLES}


# -- the same answers on both backends ------------------------------------------------------


@pytest.mark.own_backends
def test_every_reading_gives_the_same_frame_on_both_backends(demo_file, pg_demo, board_context):
    duck, pg = open_store(demo_file, read_only=True), open_store(pg_demo)
    try:
        ahus = duck.units("ahus")["unit_id"].tolist()
        reads = {
            "units": lambda s: s.units("ahus"),
            "facts": lambda s: s.facts(["hip_fractures", "falls_registered"], ahus[:12], "month"),
            "all_facts": lambda s: s.facts(),
            "series_count": lambda s: s.series("hip_fractures", ahus, "count", "quarter"),
            "unit_series_native": lambda s: s.unit_series("hip_fractures", ahus, "count", "month"),
            "unit_series_quarter": lambda s: s.unit_series("hip_fractures", ahus, "count", "quarter"),
            "unit_series_general": lambda s: s.unit_series_general("hip_fractures", ahus, "count", "month"),
            "known_cells": lambda s: s.known_cells("hip_fractures", ahus, "month"),
            "coverage": lambda s: s.coverage("hip_fractures", ahus).sort_values("unit_id", ignore_index=True),
            "summary": lambda s: s.indicator_summary(),
            "catalogue": lambda s: s.indicator_catalogue(ahus),
            "catalogue_all": lambda s: s.indicator_catalogue(),
            "cells": lambda s: s.coverage_cells("hip_fractures", ahus, 3),
            "cells_window": lambda s: s.coverage_cells(
                "hip_fractures", ahus[:5], 12, dt.date(2021, 1, 1), dt.date(2023, 12, 31)
            ),
            "sources": lambda s: s.fact_sources(["hip_fractures", "population"]),
            "milestones": lambda s: s.milestone_states("ahus").sort_values("criterion_id", ignore_index=True),
            "uploads": lambda s: s.uploads(),
            "codes": lambda s: s.current_code_map().sort_values(
                ["old_code", "current_code"], ignore_index=True
            ),
        }
        facts = duck.facts()
        with_facts = set(facts["indicator"])
        for kind in ("count", "share", "stock"):  # one indicator of each kind with facts
            indicator = next(
                i.id for i in board_context[0].indicators if i.kind == kind and i.id in with_facts
            )
            units = sorted(set(facts.loc[facts["indicator"] == indicator, "unit_id"]))
            reads[f"series_{kind}"] = lambda s, i=indicator, u=units, k=kind: s.series(i, u, k, "year")
        for name, read in reads.items():
            expected, found = read(duck), read(pg)
            assert len(expected), name  # a comparison of two empty frames would prove nothing
            pd.testing.assert_frame_equal(found, expected, check_exact=False, obj=name)
        assert duck.data_version() == pg.data_version()
        assert (duck.is_demo(), duck.fact_count(), duck.history_count()) == (
            pg.is_demo(),
            pg.fact_count(),
            pg.history_count(),
        )
    finally:
        duck.close()
        pg.close()


@pytest.mark.own_backends
def test_series_reads_ask_the_server_only_for_the_indicators_stored_rows(demo_file, pg_demo, monkeypatch):
    """PostgreSQL (_indicator_frame): unit_series (native and general), series and known_cells
    send the server one statement, the index read of the indicator's rows for the units
    (_INDICATOR_FACTS: no grouping, month arithmetic or sorting there), and the next reads of
    the same rows, or of some of their units, in the same data version send none
    (_indicator_rows); each statement runs
    in DuckDB in this process, so the frames are the DuckDB file's."""
    from analytics import store_pg

    duck, pg = open_store(demo_file, read_only=True), open_store(pg_demo)
    sent: list[str] = []
    arrow, execute = store_pg._Cursor.arrow, store_pg._Cursor.execute

    def spy_arrow(self, sql, params=None, types=None):
        sent.append(sql)
        return arrow(self, sql, params, types)

    def spy_execute(self, sql, params=None):
        sent.append(sql)
        return execute(self, sql, params)

    try:
        ahus = duck.units("ahus")["unit_id"].tolist()
        reads = {
            "native": lambda s: s.unit_series("hip_fractures", ahus, "count", "month", native=True),
            "general": lambda s: s.unit_series("hip_fractures", ahus, "count", "quarter", native=False),
            "series": lambda s: s.series("hip_fractures", ahus, "count", "year"),
            "cells": lambda s: s.known_cells("hip_fractures", ahus, "month"),
            # fewer units, in another order: answered from the rows of all of them
            "some_units": lambda s: s.unit_series(
                "hip_fractures", ahus[:5][::-1], "count", "month", native=True
            ),
        }
        expected = {name: read(duck) for name, read in reads.items()}
        with pg.versions_pinned():
            pg.data_version()
            monkeypatch.setattr(store_pg._Cursor, "arrow", spy_arrow)
            monkeypatch.setattr(store_pg._Cursor, "execute", spy_execute)
            for i, (name, read) in enumerate(reads.items()):
                sent.clear()
                found = read(pg)
                assert sent == ([store_pg._INDICATOR_FACTS] if i == 0 else []), name
                assert len(found), name
                pd.testing.assert_frame_equal(found, expected[name], obj=name)
    finally:
        duck.close()
        pg.close()


@pytest.mark.own_backends
def test_an_indicators_rows_are_fetched_again_when_the_data_version_changes(pg_cluster, board_context):
    """PostgreSQL (_indicator_rows): rows kept for one data version are not used in the next;
    a series read after an upload has the upload's values."""
    _, _, units, code_map = board_context
    store = open_store(pg_cluster.new_schema())
    try:
        store.sync_reference(units, code_map)
        codes = units.query("kind == 'municipality'")["unit_id"].iloc[:3].tolist()
        store.ingest(fact_rows(dict.fromkeys(codes, 1.0)), UploadMeta("first.csv", "h1"))
        indicator = store.facts()["indicator"].iloc[0]
        before = store.unit_series(indicator, codes, "count", "month")
        assert set(before["value"]) == {1.0}
        store.ingest(fact_rows(dict.fromkeys(codes, 2.0)), UploadMeta("second.csv", "h2"))
        assert set(store.unit_series(indicator, codes, "count", "month")["value"]) == {2.0}
        assert set(store.known_cells(indicator, codes, "month")["value"]) == {2.0}
    finally:
        store.close()


@pytest.mark.own_backends
def test_pooled_connections_run_without_jit_even_after_a_merge(pg_cluster, board_context):
    """Every pooled connection starts with jit off (CONNECTION_SETTINGS, as a libpq option, so
    the search_path in the URL is kept), and keeps it after a merge that replaces rows (the
    move's RESET returns to the connection's own setting, not the server's jit = on)."""
    _, _, units, code_map = board_context
    url = pg_cluster.new_schema()
    store = open_store(url)
    try:
        store.sync_reference(units, code_map)
        codes = units.query("kind == 'municipality'")["unit_id"].iloc[:3]
        store.ingest(fact_rows(dict.fromkeys(codes, 1.0)), UploadMeta("first.csv", "h1"))
        replaced = store.ingest(fact_rows(dict.fromkeys(codes, 2.0)), UploadMeta("second.csv", "h2"))
        assert replaced.replaced > 0
        schema = psycopg.conninfo.conninfo_to_dict(url)["options"].split("=")[-1]
        for cursor in (store.cursor, store._write_cursor):
            with cursor() as cur:
                assert cur.execute("SHOW jit").fetchone()[0] == "off"
                assert cur.execute("SELECT current_schema()").fetchone()[0] == schema
    finally:
        store.close()


@pytest.mark.own_backends
def test_copy_to_postgresql_and_back_keeps_every_row(demo_file, pg_demo, tmp_path):
    back = tmp_path / "back.duckdb"
    done = run_cli("copy", "--from", pg_demo, "--to", str(back))
    assert done.returncode == 0, done.stderr
    assert "facts:" in done.stdout and "kontrollert" in done.stdout
    origin, copy, server = open_store(demo_file, read_only=True), open_store(back), open_store(pg_demo)
    try:
        assert content(copy) == content(origin) == content(server)
        # ids go on after the copied ones
        new = copy.ingest(fact_rows({"3205": 1.0}, indicator="falls_registered"), UploadMeta("n.csv", "n"))
        assert new.upload_id == int(origin.uploads()["upload_id"].max()) + 1
    finally:
        for store in (origin, copy, server):
            store.close()


@pytest.mark.own_backends
def test_a_copy_into_postgresql_is_vacuumed_and_analysed(pg_demo):
    """`loaders copy` to PostgreSQL leaves every table vacuumed and analysed (statistics and the
    visibility map ready), not waiting for autovacuum to get there during the first uploads."""
    with psycopg.connect(pg_demo) as con:
        rows = con.execute(
            "SELECT relname, last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema()"
        ).fetchall()
    done = {name: (vacuumed, analysed) for name, vacuumed, analysed in rows}
    assert {t: done.get(t) for t in STORE_TABLES} == dict.fromkeys(STORE_TABLES, (True, True))


@pytest.mark.own_backends
def test_copy_refuses_a_target_that_is_not_empty(pg_demo, demo_file):
    done = run_cli("copy", "--from", str(demo_file), "--to", pg_demo)
    assert done.returncode == 1
    assert "ikke tom" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.own_backends
def test_copy_names_the_side_it_cannot_reach(demo_file, tmp_path):
    """`loaders copy`: a server that does not answer is named by the option that gave it
    («--to», «--from»), not by BOARD_DB, which the command does not read."""
    nowhere = "postgresql://tavle@127.0.0.1:1/tavle"
    to = run_cli("copy", "--from", str(demo_file), "--to", nowhere)
    back = run_cli("copy", "--from", nowhere, "--to", str(tmp_path / "tilbake.duckdb"))
    for done, option in ((to, "--to"), (back, "--from")):
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert f"(fra {option})" in done.stderr and "BOARD_DB" not in done.stderr, done.stderr


@pytest.mark.own_backends
def test_copy_from_a_file_that_does_not_exist_says_so(tmp_path):
    """A new user who has not run `make demo` copies data/indicators.duckdb: the file is said
    to be missing (not «delete it», not created empty), and nothing is written anywhere."""
    missing, target = tmp_path / "indicators.duckdb", tmp_path / "kopi.duckdb"
    done = run_cli("copy", "--from", str(missing), "--to", str(target))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"«{missing}» finnes ikke" in done.stderr and "make demo" in done.stderr, done.stderr
    assert "Slett" not in done.stderr
    assert not missing.exists() and not target.exists()


# -- schema versions ------------------------------------------------------------------------


def test_a_new_store_records_the_schema_version(store_target):
    store = open_store(store_target)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.migrate() == (SCHEMA_VERSION, SCHEMA_VERSION)  # up to date: nothing to do
    finally:
        store.close()


def test_a_version_6_store_migrates_to_the_upload_logs_missing_zero_columns(store_target, monkeypatch):
    """Schema version 7 (both backends): `python -m loaders migrate` gives a version-6 store's
    upload log the columns of «rader som mangler er 0»; an older upload reads as not chosen,
    none filled, and a new upload records its choice."""
    from analytics import store as store_module
    from analytics import store_pg
    from loaders.__main__ import main

    with monkeypatch.context() as old:  # a store as version 6 made it, with one upload logged
        for version in range(7, SCHEMA_VERSION + 1):
            old.delitem(store_module.MIGRATIONS, version)
        for module in (store_module, store_pg):
            old.setattr(module, "SCHEMA_VERSION", 6)
        store = open_store(store_target)
        with store.cursor() as cur:
            cur.execute(
                "INSERT INTO uploads (upload_id, loaded_at, loaded_by, file_name, file_hash) "
                "VALUES (nextval('upload_seq'), ?, 'kari', 'gammel.csv', 'h1')",
                [dt.datetime(2026, 1, 5)],
            )
        assert store.schema_version() == 6
        store.close()
    assert main(["migrate", "--db", store_target]) == 0
    store = open_store(store_target)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        meta = UploadMeta("ny.csv", "h2", missing_zero=True, rows_zero_filled=3)
        store.ingest(fact_rows({"3205": 1.0}), meta)
        log = store.uploads().sort_values("upload_id")
        assert [bool(v) for v in log["missing_zero"]] == [False, True]
        assert [int(v) for v in log["rows_zero_filled"]] == [0, 3]
    finally:
        store.close()


def test_a_version_7_store_migrates_to_the_upload_logs_indicators(store_target, monkeypatch):
    """Schema version 8 (both backends): `python -m loaders migrate` gives a version-7 store's
    upload log the column fact_indicators; an upload logged before reads NULL (PostgreSQL's
    merge stamp then counts it for every indicator), a new one records the indicators its
    stage wrote, as a JSON array of the names sorted (whatever its `indicator` label says)."""
    from analytics import store as store_module
    from analytics import store_pg
    from loaders.__main__ import main

    with monkeypatch.context() as old:  # a store as version 7 made it, with one upload logged
        for version in range(8, SCHEMA_VERSION + 1):
            old.delitem(store_module.MIGRATIONS, version)
        for module in (store_module, store_pg):
            old.setattr(module, "SCHEMA_VERSION", 7)
        store = open_store(store_target)
        with store.cursor() as cur:
            cur.execute(
                "INSERT INTO uploads (upload_id, loaded_at, loaded_by, file_name, file_hash, indicator) "
                "VALUES (nextval('upload_seq'), ?, 'kari', 'gammel.csv', 'h1', 'hip_fractures')",
                [dt.datetime(2026, 1, 5)],
            )
        assert store.schema_version() == 7
        store.close()
    assert main(["migrate", "--db", store_target]) == 0
    store = open_store(store_target)
    try:
        assert store.schema_version() == SCHEMA_VERSION >= 8
        both = pd.concat([fact_rows({"3205": 1.0}, indicator="falls, registered"), fact_rows({"3205": 2.0})])
        store.ingest(both, UploadMeta("ny.csv", "h2", indicator="merkelapp"))
        log = store.uploads().sort_values("upload_id")
        assert log["fact_indicators"].isna().tolist() == [True, False]
        assert log["fact_indicators"].iloc[1] == '["falls, registered", "hip_fractures"]'
    finally:
        store.close()


@pytest.mark.own_backends
def test_an_older_server_store_is_refused_until_migrate(pg_cluster, monkeypatch, capsys):
    """A program one schema version ahead (a test migration adds a table) meets a store made
    by this one: it refuses to run on it until `python -m loaders migrate` brings it up."""
    from analytics import store as store_module
    from analytics import store_pg
    from loaders.__main__ import main

    url = pg_cluster.new_schema()
    open_store(url).close()
    newer = SCHEMA_VERSION + 1
    step = "CREATE TABLE probe (x INTEGER); INSERT INTO probe VALUES (1)"
    monkeypatch.setitem(store_module.MIGRATIONS, newer, {"duckdb": step, "postgres": step})
    for module in (store_module, store_pg):
        monkeypatch.setattr(module, "SCHEMA_VERSION", newer)
    with pytest.raises(StoreError, match="loaders migrate"):
        open_store(url)
    assert main(["migrate", "--db", url]) == 0
    assert f"{SCHEMA_VERSION} → {newer}" in capsys.readouterr().out
    assert main(["migrate", "--db", url]) == 0  # a second time: nothing to do, and it says so
    assert f"er allerede oppdatert (skjemaversjon {newer})" in capsys.readouterr().out
    store = open_store(url)
    with store.cursor() as cur:
        assert cur.execute("SELECT x FROM probe").fetchall() == [(1,)]
    assert store.schema_version() == newer
    store.close()


@pytest.mark.own_backends
def test_history_has_one_index_and_undo_finds_its_rows_through_it(pg_cluster, board_context, monkeypatch):
    """PostgreSQL, schema version 6: fact_history's two indexes become one, (replaced_by,
    upload_id), when a version-5 store is migrated; every lookup of undo in fact_history then
    has a bound on replaced_by, so it reads a range of that index (an upload's own old values
    through replaced_by > its id), never all of history; undo still restores the older value."""
    from analytics import store as store_module
    from analytics import store_pg
    from loaders.__main__ import main

    _, _, units, code_map = board_context
    url = pg_cluster.new_schema()
    with monkeypatch.context() as old:  # a store as version 5 made it
        old.delitem(store_module.MIGRATIONS, 6)
        for module in (store_module, store_pg):
            old.setattr(module, "SCHEMA_VERSION", 5)
        open_store(url).close()

    def indexes() -> dict[str, str]:
        with psycopg.connect(url) as con:
            rows = con.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = 'fact_history' AND schemaname = current_schema()"
            ).fetchall()
        return dict(rows)

    assert set(indexes()) == {"history_upload", "history_replaced_by"}
    assert main(["migrate", "--db", url]) == 0
    assert [d.split(" USING btree ")[1] for d in indexes().values()] == ["(replaced_by, upload_id)"]
    store = open_store(url)
    store.sync_reference(units, code_map)
    a = units.query("kind == 'municipality'")["unit_id"].iloc[0]
    ids = [
        store.ingest(fact_rows({a: v}), UploadMeta(f"{v}.csv", f"h{v}")).upload_id for v in (1.0, 2.0, 3.0)
    ]
    plans = []
    execute = store_pg._Cursor.execute

    def spy(self, sql, params=None):
        if "fact_history" in sql and "upload_id = ?" in sql:
            self.execute("SET LOCAL enable_seqscan = off")  # small tables: ask whether the index fits
            plans.append("\n".join(r[0] for r in execute(self, "EXPLAIN " + sql, params).fetchall()))
            self.execute("RESET enable_seqscan")
        return execute(self, sql, params)

    monkeypatch.setattr(store_pg._Cursor, "execute", spy)
    store.undo(ids[1])  # the middle one: its own value (2.0) is in history, replaced by the third
    monkeypatch.undo()
    assert len(plans) == 3
    for plan in plans:
        assert "Seq Scan on fact_history" not in plan, plan
        conds = [line for line in plan.splitlines() if "Index Cond" in line]
        assert conds and all("replaced_by >" in c for c in conds if "upload_id" in c), plan
    store.undo(ids[2])
    assert store.read_table("facts")["value"].tolist() == [1.0]
    store.close()


@pytest.mark.duckdb_file("a DuckDB file made before schema versions")
def test_a_duckdb_file_from_before_versions_is_version_one_and_migrates_on_opening(tmp_path, monkeypatch):
    from analytics import store as store_module

    path = tmp_path / "old.duckdb"
    store = open_store(path)
    with store.cursor() as cur:
        cur.execute("DROP TABLE schema_info")  # as the files made before versions
    store.close()
    step = "CREATE TABLE probe (x INTEGER)"
    monkeypatch.setitem(store_module.MIGRATIONS, 2, {"duckdb": step, "postgres": step})
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 2)
    store = open_store(path)
    assert store.schema_version() == 2
    with store.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM probe").fetchone() == (0,)
    store.close()


def test_a_store_from_a_newer_program_is_refused(store_target):
    store = open_store(store_target)
    with store.cursor() as cur:
        cur.execute("UPDATE schema_info SET version = ?", [SCHEMA_VERSION + 1])
    store.close()
    with pytest.raises(StoreError, match="nyere versjon"):
        open_store(store_target)


@pytest.mark.own_backends
def test_a_server_that_does_not_answer_gives_one_sentence(pg_cluster):
    done = run_cli("log", "--db", f"postgresql://{pg_cluster.user}:hemmelig@127.0.0.1:1/finnes_ikke")
    assert done.returncode == 1
    assert done.stderr.startswith("Får ikke kontakt med databasen") and "hemmelig" not in done.stderr
    assert "sjekk adressen og at databasetjeneren kjører" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("dbname", "svarte, men databasen finnes ikke på tjeneren"),
        ("user", "svarte, men brukeren får ikke logge inn"),
        ("host", "Finner ikke tjeneren i adressen"),
    ],
)
@pytest.mark.own_backends
def test_each_connection_problem_gets_its_own_sentence(pg_cluster, where, says):
    """A missing database or an unknown user is not «is the server running?» (it answered)."""
    url = {
        "dbname": pg_cluster.url(dbname="finnes_ikke"),
        "user": pg_cluster.url().replace(f"//{pg_cluster.user}@", "//ingen_slik_bruker@"),
        "host": "postgresql://tavle@ingen-slik-vert.invalid/tavle",
    }[where]
    done = run_cli("log", "--db", url)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert says in done.stderr and "(fra BOARD_DB eller --db)" in done.stderr, done.stderr
    if where == "user":  # a new server knows only the user postgres: how to make one
        assert "createuser --createdb" in done.stderr


def test_a_refused_password_is_named_as_such():
    from analytics.store_pg import connect_problem

    class Refused(Exception):
        sqlstate = "28P01"

    text = connect_problem("postgresql://kari:hemmelig@db.example/tavle", "BOARD_DB", Refused("x"))
    assert text == (
        "Databasen «postgresql://kari:***@db.example/tavle» (fra BOARD_DB) svarte, men passordet ble ikke godtatt."
    )


# -- several writers at once ----------------------------------------------------------------


@pytest.mark.own_backends
def test_two_uploads_of_the_same_keys_at_once_serialise(pg_cluster, board_context):
    """Two servers (own connection pools) load 20 000 facts with the same keys at the same time:
    one lands first, the other replaces every value of it, with history; never a mix."""
    url = pg_cluster.new_schema()
    units = [f"u{i:04d}" for i in range(1000)]
    months = [dt.date(2020 + m // 12, m % 12 + 1, 1) for m in range(20)]
    frames = {v: fact_rows(dict.fromkeys(units, float(v)), months) for v in (1, 2)}
    servers = [open_store(url), open_store(url)]
    results: dict[int, object] = {}
    start = threading.Barrier(2)

    def load(value: int) -> None:
        start.wait()
        results[value] = servers[value - 1].ingest(frames[value], UploadMeta(f"{value}.csv", f"h{value}"))

    threads = [threading.Thread(target=load, args=(v,)) for v in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = sorted(results.values(), key=lambda r: r.upload_id)
    assert (first.added, first.replaced) == (20_000, 0)
    assert (second.added, second.replaced) == (0, 20_000)
    later_value = next(v for v, r in results.items() if r is second)
    facts = servers[0].facts()
    assert len(facts) == 20_000
    assert set(facts["value"]) == {float(later_value)} and set(facts["upload_id"]) == {second.upload_id}
    assert servers[0].history_count() == 20_000
    # undo of the later one brings back exactly the earlier one's values
    servers[1].undo(second.upload_id)
    facts = servers[0].facts()
    assert set(facts["value"]) == {float(3 - later_value)} and set(facts["upload_id"]) == {first.upload_id}
    for server in servers:
        server.close()


@pytest.mark.own_backends
def test_the_same_file_from_two_servers_at_once_lands_once(pg_cluster):
    url = pg_cluster.new_schema()
    frame = fact_rows({f"u{i}": 1.0 for i in range(2000)}, [dt.date(2024, m, 1) for m in range(1, 13)])
    servers = [open_store(url), open_store(url)]
    start = threading.Barrier(2)
    results = []

    def load(store) -> None:
        start.wait()
        results.append(store.ingest(frame, UploadMeta("same.csv", "same-hash")))

    threads = [threading.Thread(target=load, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.duplicate_of is None for r in results) == [False, True]
    assert len(servers[0].uploads()) == 1 and servers[0].fact_count() == 24_000
    for server in servers:
        server.close()


@pytest.mark.own_backends
@pytest.mark.parametrize("delay", [0.0, 0.3, 0.8])
def test_kill_during_a_big_server_ingest_leaves_before_or_after(pg_cluster, demo_file, delay):
    url = demo_copy(pg_cluster, demo_file)
    store = open_store(url)
    before = content(store)
    child = subprocess.Popen(
        [PY, "-c", BIG_INGEST, url, "240000"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout.readline().strip() == "ready"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    # the server ends the dead client's transaction; wait until its connection is gone
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _other_sessions(pg_cluster):
        time.sleep(0.1)
    after = content(store)
    if after != before:  # it had committed: then all of it is there
        assert store.fact_count() == len(before["facts"]) + 240_000
        assert "hash-stor" in set(store.uploads()["file_hash"])
    else:
        assert "hash-stor" not in set(store.uploads()["file_hash"])
    store.close()


def _other_sessions(pg_cluster) -> int:
    with psycopg.connect(pg_cluster.url(), autocommit=True) as con:
        return con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' "
            "OR (state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend')"
        ).fetchone()[0]


# -- one server sees another's upload -------------------------------------------------------


def catalogue_page(monkeypatch, url: str, read_url: str | None = None) -> tuple[AppTest, int]:
    """Datakatalog as an analyst sees it on the store `url` (reading `read_url` when given),
    and the number of hip-fracture values it shows."""
    monkeypatch.setenv("BOARD_DB", url)
    if read_url:
        monkeypatch.setenv("BOARD_READ_DB", read_url)
    monkeypatch.setenv("BOARD_ANALYST_PASSWORD", "hemmelig")
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.session_state["analyst_ok"] = True
    at.session_state["analyst_name"] = "Kari"
    at.run()
    at.switch_page("pages/catalogue.py")
    at.run()
    assert not at.exception
    return at, at.dataframe[0].value.set_index("Indikator").loc["Antall hoftebrudd", "Verdier"]


@pytest.mark.own_backends
def test_a_page_on_one_server_sees_an_upload_made_on_another(pg_cluster, demo_file, tmp_path, monkeypatch):
    """Server B renders the catalogue; server A (another process: the CLI) loads a file into the
    same database; B's next run shows it: its caches are keyed on the version in the database."""
    url = demo_copy(pg_cluster, demo_file)
    at, values = catalogue_page(monkeypatch, url)
    assert "hoftebrudd_ny.csv" not in set(at.dataframe[1].value["Fil"])
    new_file = tmp_path / "hoftebrudd_ny.csv"
    new_file.write_text("Kommune;Periode;Antall\n3205;2005M01;7\n3222;2005M01;9\n", encoding="utf-8")
    done = run_cli("ingest", str(new_file), "--indicator", "hip_fractures", "--db", url)
    assert done.returncode == 0, done.stderr
    at.run()
    assert not at.exception
    assert "hoftebrudd_ny.csv" in set(at.dataframe[1].value["Fil"])
    assert at.dataframe[0].value.set_index("Indikator").loc["Antall hoftebrudd", "Verdier"] == values + 2


# -- a read replica (BOARD_READ_DB) ---------------------------------------------------------


@pytest.fixture(scope="module")
def standby(pg_cluster):
    """A streaming standby of the session's cluster (pg_basebackup -R), on its own port."""
    replica = pg_cluster.standby()
    yield replica
    replica.stop()


def _on(standby, url: str) -> str:
    """The same database and schema on the standby (only the port differs)."""
    port = url.split("@127.0.0.1:")[1].split("/")[0]
    return url.replace(f"127.0.0.1:{port}/", f"127.0.0.1:{standby.port}/")


def _replayed(primary_url: str, replica_url: str) -> None:
    """Wait until the standby has replayed everything the primary has written (no timing is
    asserted: a replica that never catches up fails the test after a minute)."""
    with psycopg.connect(primary_url, autocommit=True) as con:
        target = con.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with psycopg.connect(replica_url, autocommit=True) as con:
        for _ in range(600):
            if con.execute(
                "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn".replace("?", "%s"), [target]
            ).fetchone()[0]:
                return
            time.sleep(0.1)
    raise AssertionError("the standby did not replay the primary's WAL within a minute")


def _replay(replica_url: str, on: bool) -> None:
    with psycopg.connect(replica_url, autocommit=True) as con:
        con.execute("SELECT pg_wal_replay_resume()" if on else "SELECT pg_wal_replay_pause()")


@pytest.mark.own_backends
def test_a_page_reading_a_replica_shows_a_primary_upload_once_replayed(
    pg_cluster, standby, demo_file, tmp_path, monkeypatch
):
    """BOARD_READ_DB: the page reads the standby, the CLI loads into the primary. While the
    standby's replay is paused the page shows the store as the standby has it (its version and
    its numbers agree: nothing stale is cached as new); once replayed, the next run shows the
    upload."""
    url = demo_copy(pg_cluster, demo_file)
    replica = _on(standby, url)
    _replayed(url, replica)
    at, values = catalogue_page(monkeypatch, url, replica)
    new_file = tmp_path / "hoftebrudd_replika.csv"
    new_file.write_text("Kommune;Periode;Antall\n3205;2005M01;7\n3222;2005M01;9\n", encoding="utf-8")
    _replay(replica, on=False)
    try:
        done = run_cli("ingest", str(new_file), "--indicator", "hip_fractures", "--db", url)
        assert done.returncode == 0, done.stderr
        at.run()  # the standby has not replayed the upload: the page reads the standby
        assert not at.exception
        assert "hoftebrudd_replika.csv" not in set(at.dataframe[1].value["Fil"])
        assert at.dataframe[0].value.set_index("Indikator").loc["Antall hoftebrudd", "Verdier"] == values
    finally:
        _replay(replica, on=True)
    _replayed(url, replica)
    at.run()
    assert not at.exception
    assert "hoftebrudd_replika.csv" in set(at.dataframe[1].value["Fil"])
    assert at.dataframe[0].value.set_index("Indikator").loc["Antall hoftebrudd", "Verdier"] == values + 2


@pytest.mark.own_backends
def test_with_a_read_replica_writes_go_to_the_primary(pg_cluster, standby):
    """A store with BOARD_READ_DB writes (ingest, undo) on the primary and reads the standby."""
    url = pg_cluster.new_schema()
    open_store(url).close()
    replica = _on(standby, url)
    _replayed(url, replica)
    store = open_store(url, read_target=replica)
    try:
        result = store.ingest(fact_rows({"a": 1.0}, [dt.date(2024, 1, 1)]), UploadMeta("a.csv", "ha"))
        assert result.added == 1
        with psycopg.connect(url, autocommit=True) as con:
            assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == 1
        with store.cursor() as cur:  # reads are the standby's
            assert cur.execute("SELECT pg_is_in_recovery()").fetchone()[0] is True
        _replayed(url, replica)
        assert store.fact_count() == 1
        assert store.undo(result.upload_id) == 1
        _replayed(url, replica)
        assert store.fact_count() == 0
    finally:
        store.close()


@pytest.mark.own_backends
def test_a_replica_as_the_only_store_refuses_writes_in_one_sentence(pg_cluster, standby, tmp_path):
    """BOARD_DB pointing at the standby: reads work, a write is refused with one sentence and
    nothing is written; BOARD_READ_DB beside a DuckDB file is refused when the store opens."""
    url = pg_cluster.new_schema()
    open_store(url).close()
    replica = _on(standby, url)
    _replayed(url, replica)
    store = open_store(replica)
    try:
        assert store.fact_count() == 0
        with pytest.raises(StoreError, match="er en lesekopi og tar ikke imot endringer"):
            store.ingest(fact_rows({"a": 1.0}, [dt.date(2024, 1, 1)]), UploadMeta("a.csv", "ha"))
        with psycopg.connect(url, autocommit=True) as con:
            assert con.execute("SELECT count(*) FROM uploads").fetchone()[0] == 0
    finally:
        store.close()
    with pytest.raises(StoreError, match="virker bare når BOARD_DB er en PostgreSQL-database"):
        open_store(tmp_path / "fil.duckdb", read_target=replica)


# -- the merge reads the stored rows the checks read, unless something was written since --------


def _file_and_units(loader, tmp_path: Path) -> tuple[Path, list[str]]:
    """A count file of two municipalities: A January 13 and March 14, B February 20."""
    units = loader.board.units.query("kind == 'municipality'")["unit_id"].tolist()[:2]
    path = tmp_path / "hofte.csv"
    path.write_text(
        f"Kommune;Periode;Antall\n{units[0]};2024M01;13\n{units[0]};2024M03;14\n{units[1]};2024M02;20\n",
        encoding="utf-8",
    )
    return path, units


def _stored(store) -> list[tuple]:
    facts = store.facts(["hip_fractures"])
    return sorted(zip(facts["unit_id"], facts["period_start"].astype(str), facts["value"], strict=True))


def test_an_upload_between_the_checks_and_the_merge_is_merged_against(fresh_loader, tmp_path, monkeypatch):
    """The checks read the stored rows before the write lock; another upload lands before the
    merge takes it (adding A's March, replacing A's January). The merge must compare with the
    store as it is then: March is replaced, not added a second time, with both old values in
    history."""
    store = fresh_loader.board.store
    path, (a, b) = _file_and_units(fresh_loader, tmp_path)
    jan, feb, mar = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
    store.ingest(fact_rows({a: 10.0, b: 20.0}, months=[jan, feb]), UploadMeta("first.csv", "h1"))
    original = type(store).expose_stored

    def checks_then_another_upload(self, cur):
        original(self, cur)
        store.ingest(
            pd.concat([fact_rows({a: 12.0}, months=[jan]), fact_rows({a: 11.0}, months=[mar])]),
            UploadMeta("between.csv", "h2"),
        )

    monkeypatch.setattr(type(store), "expose_stored", checks_then_another_upload)
    report = fresh_loader.ingest(path, "hip_fractures")
    result = report.result
    assert (result.added, result.replaced, result.unchanged) == (0, 2, 1), report.summary()
    assert _stored(store) == [
        (a, "2024-01-01", 13.0),
        (a, "2024-02-01", 10.0),
        (a, "2024-03-01", 14.0),
        (b, "2024-01-01", 20.0),
        (b, "2024-02-01", 20.0),
    ]
    history = store.read_table("fact_history").query("replaced_by == @result.upload_id")
    assert sorted(history["value"]) == [11.0, 12.0]
    store.undo(result.upload_id)
    assert _stored(store)[0] == (a, "2024-01-01", 12.0) and _stored(store)[2] == (a, "2024-03-01", 11.0)


def _pg_loader(pg_cluster, board_context):
    """A loader on a new schema of the test cluster, with only the reference data."""
    from analytics.board import Board
    from loaders.service import Loader

    registry, plans, units, code_map = board_context
    store = open_store(pg_cluster.new_schema())
    store.sync_reference(units, code_map)
    return Loader.for_board(Board(registry=registry, plans=plans, units=units, store=store))


def _count_fetches(monkeypatch) -> list[tuple[str, object]]:
    """The statements (and parameters) read as arrow tables, as they are sent: the list grows
    while the test runs (see _fetched)."""
    from analytics import store_pg

    fetches = []
    arrow = store_pg._Cursor.arrow

    def counted(self, sql, params=None):
        fetches.append((sql, params))
        return arrow(self, sql, params)

    monkeypatch.setattr(store_pg._Cursor, "arrow", counted)
    return fetches


def _fetched(fetches: list[tuple[str, object]], indicator: str = "hip_fractures") -> int:
    """How many of `fetches` read stored facts of `indicator` with their row addresses (the
    checks' and the merges')."""
    return sum("ctid" in sql and indicator in params[0] for sql, params in fetches)


def _between_checks_and_merge(monkeypatch, store, write, fetches: list) -> None:
    """`write()` runs once, after the next load's checks read the stored rows, before its merge;
    then `fetches` (_count_fetches) is emptied: what it holds after the load is the merge's."""
    original = type(store).expose_stored

    def checks_then_write(self, cur):
        original(self, cur)
        monkeypatch.setattr(type(store), "expose_stored", original)
        write()
        fetches.clear()

    monkeypatch.setattr(type(store), "expose_stored", checks_then_write)


@pytest.mark.own_backends
def test_the_merge_reuses_the_rows_the_checks_fetched(pg_cluster, board_context, tmp_path, monkeypatch):
    """PostgreSQL: with nothing written between the checks and the merge, the stored rows are
    fetched once (by the checks), and the merge's result is the same as with a fetch."""
    loader = _pg_loader(pg_cluster, board_context)
    store = loader.board.store
    path, (a, b) = _file_and_units(loader, tmp_path)
    jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    store.ingest(fact_rows({a: 10.0, b: 20.0}, months=[jan, feb]), UploadMeta("first.csv", "h1"))
    fetches = _count_fetches(monkeypatch)
    result = loader.ingest(path, "hip_fractures").result
    store.close()
    assert _fetched(fetches) == 1
    assert (result.added, result.replaced, result.unchanged) == (1, 1, 1)


@pytest.mark.own_backends
def test_a_load_of_another_indicator_in_between_does_not_fetch_the_rows_again(
    pg_cluster, board_context, tmp_path, monkeypatch
):
    """PostgreSQL: two sources load at once, each under its own indicators' locks. An upload of
    another indicator, and an undo of one, committing between this load's checks and its merge
    leave its stamp as it was (_facts_stamp covers the uploads of its indicators only): the
    merge uses the rows the checks fetched, and is exact."""
    loader = _pg_loader(pg_cluster, board_context)
    store = loader.board.store
    path, (a, b) = _file_and_units(loader, tmp_path)
    jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    store.ingest(fact_rows({a: 10.0, b: 20.0}, months=[jan, feb]), UploadMeta("first.csv", "h1"))
    other = store.ingest(fact_rows({a: 1.0}, indicator="falls_registered"), UploadMeta("o1.csv", "o1"))

    def another_indicator():
        store.ingest(fact_rows({a: 2.0, b: 3.0}, indicator="falls_registered"), UploadMeta("o2.csv", "o2"))
        store.undo(other.upload_id)

    fetches = _count_fetches(monkeypatch)
    _between_checks_and_merge(monkeypatch, store, another_indicator, fetches)
    result = loader.ingest(path, "hip_fractures").result
    try:
        assert _fetched(fetches) == 0  # the merge used the checks' rows
        assert (result.added, result.replaced, result.unchanged) == (1, 1, 1)
        assert _stored(store) == [
            (a, "2024-01-01", 13.0),
            (a, "2024-02-01", 10.0),
            (a, "2024-03-01", 14.0),
            (b, "2024-01-01", 20.0),
            (b, "2024-02-01", 20.0),
        ]
        falls = store.facts(["falls_registered"])
        assert sorted(zip(falls["unit_id"], falls["value"], strict=True)) == [(a, 2.0), (b, 3.0)]
    finally:
        store.close()


@pytest.mark.own_backends
@pytest.mark.parametrize("between", ["upload", "undo", "undo_before_version_8"])
def test_a_write_of_the_same_indicator_in_between_fetches_the_rows_again(
    pg_cluster, board_context, tmp_path, monkeypatch, between
):
    """PostgreSQL: an upload or an undo of the loaded indicator committing between the checks
    and the merge changes the stamp: the merge fetches the rows again and is exact (history,
    undo). So does an undo of an upload logged before schema version 8 (fact_indicators NULL:
    it counts for every indicator), even one of another indicator."""
    loader = _pg_loader(pg_cluster, board_context)
    store = loader.board.store
    path, (a, b) = _file_and_units(loader, tmp_path)
    jan, feb, mar = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
    store.ingest(fact_rows({a: 10.0, b: 20.0}, months=[jan, feb]), UploadMeta("first.csv", "h1"))
    second = store.ingest(fact_rows({a: 12.0}, months=[jan]), UploadMeta("second.csv", "h2"))
    old = store.ingest(fact_rows({a: 1.0}, indicator="falls_registered"), UploadMeta("o1.csv", "o1"))
    if between == "undo_before_version_8":  # as logged by a program before version 8
        with store._write_cursor() as cur:
            cur.execute("UPDATE uploads SET fact_indicators = NULL WHERE upload_id = ?", [old.upload_id])
    writes = {
        "upload": lambda: store.ingest(
            pd.concat([fact_rows({a: 15.0}, months=[jan]), fact_rows({a: 11.0}, months=[mar])]),
            UploadMeta("between.csv", "h3"),
        ),
        "undo": lambda: store.undo(second.upload_id),
        "undo_before_version_8": lambda: store.undo(old.upload_id),
    }
    fetches = _count_fetches(monkeypatch)
    _between_checks_and_merge(monkeypatch, store, writes[between], fetches)
    result = loader.ingest(path, "hip_fractures").result
    try:
        assert _fetched(fetches) == 1  # the merge fetched the rows again
        assert (result.added, result.replaced, result.unchanged) == (
            (0, 2, 1) if between == "upload" else (1, 1, 1)
        )
        assert _stored(store) == [
            (a, "2024-01-01", 13.0),
            (a, "2024-02-01", 10.0),
            (a, "2024-03-01", 14.0),
            (b, "2024-01-01", 20.0),
            (b, "2024-02-01", 20.0),
        ]
        history = store.read_table("fact_history").query("replaced_by == @result.upload_id")
        assert sorted(history["value"]) == {"upload": [11.0, 15.0], "undo": [10.0]}.get(between, [12.0])
        store.undo(result.upload_id)
        before = {"upload": 15.0, "undo": 10.0, "undo_before_version_8": 12.0}[between]
        assert _stored(store)[0] == (a, "2024-01-01", before)
    finally:
        store.close()


@pytest.mark.own_backends
def test_the_merge_sends_new_and_old_values_by_binary_copy_exactly(pg_cluster, board_context, monkeypatch):
    """PostgreSQL: a replacing upload's new rows (facts) go by binary COPY (pgpq; faster than
    CSV, see _Cursor.copy_in), cast to the columns' own types; the old values are moved to
    fact_history on the server (_move_replaced), never sent from the client. Both arrive
    exactly: NULLs, suppressed cells, dates, sources, ids; undo restores them."""
    from analytics import store_pg

    _, _, units, code_map = board_context
    store = open_store(pg_cluster.new_schema())
    store.sync_reference(units, code_map)
    a, b = units.query("kind == 'municipality'")["unit_id"].iloc[:2]
    jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    first = store.ingest(fact_rows({a: 10.25, b: None}, months=[jan, feb]), UploadMeta("first.csv", "h1"))
    sent = []
    copy_in = store_pg._Cursor.copy_in

    def spy(self, table, frame, binary=False):
        sent.append((table, binary))
        return copy_in(self, table, frame, binary)

    monkeypatch.setattr(store_pg._Cursor, "copy_in", spy)
    second = store.ingest(
        fact_rows({a: 11.5, b: 3.0}, months=[feb], source="KPR"), UploadMeta("second.csv", "h2")
    )
    assert (second.added, second.replaced) == (0, 2)
    assert ("facts", True) in sent and not [t for t, _ in sent if t == "fact_history"]
    facts = store.read_table("facts").sort_values(["unit_id", "period_start"])
    now = facts[facts["period_start"] == pd.Timestamp(feb)].set_index("unit_id")
    assert now.loc[a, "value"] == 11.5 and now.loc[b, "value"] == 3.0 and not now["suppressed"].any()
    assert set(now["source"]) == {"KPR"} and set(now["upload_id"]) == {second.upload_id}
    history = store.read_table("fact_history").set_index("unit_id")
    assert (
        history.loc[a, "value"] == 10.25 and pd.isna(history.loc[b, "value"]) and history.loc[b, "suppressed"]
    )
    assert set(history["upload_id"]) == {first.upload_id} and set(history["replaced_by"]) == {
        second.upload_id
    }
    assert set(history["period_start"]) == {pd.Timestamp(feb)} and set(history["source"]) == {"NPR"}
    assert history["replaced_at"].notna().all()
    store.undo(second.upload_id)
    back = store.read_table("facts").set_index(["unit_id", "period_start"])
    assert back.loc[(a, pd.Timestamp(feb)), "value"] == 10.25 and pd.isna(
        back.loc[(b, pd.Timestamp(feb)), "value"]
    )
    store.close()


@pytest.mark.own_backends
def test_the_move_to_history_runs_on_the_server_while_the_new_rows_are_prepared(
    pg_cluster, board_context, monkeypatch
):
    """PostgreSQL (_merge): the replaced rows' move to fact_history (_move_replaced, a server
    statement) runs on a thread of its own while the merging thread gets the new rows ready in
    DuckDB (_new_rows: the sort and arrow table the COPY sends); the COPY waits for the move.
    Here the move does not finish until the new rows are ready (it would wait forever if the
    two ran one after the other), and the upload lands exactly: new values in facts, the old
    ones in history; the step times are kept for the bench (merge_steps)."""
    from analytics import store_pg

    _, _, units, code_map = board_context
    store = open_store(pg_cluster.new_schema())
    store.sync_reference(units, code_map)
    codes = units.query("kind == 'municipality'")["unit_id"].iloc[:5].tolist()
    months = [dt.date(2024, m, 1) for m in range(1, 4)]
    first = store.ingest(fact_rows(dict.fromkeys(codes, 1.0), months=months), UploadMeta("first.csv", "h1"))
    prepared, order = threading.Event(), []
    move, new_rows = store_pg.PostgresStore._move_replaced, store_pg.PostgresStore._new_rows

    def slow_move(self, cur, addresses, upload_id, n):
        order.append(("move waits", prepared.wait(timeout=120)))
        move(self, cur, addresses, upload_id, n)
        order.append("moved")

    def spied_new_rows(staging, upload_id):
        rows = new_rows(staging, upload_id)
        order.append("prepared")
        prepared.set()
        return rows

    monkeypatch.setattr(store_pg.PostgresStore, "_move_replaced", slow_move)
    monkeypatch.setattr(store_pg.PostgresStore, "_new_rows", staticmethod(spied_new_rows))
    later = pd.concat(
        [
            fact_rows(dict.fromkeys(codes, 2.0), months=months[1:]),
            fact_rows({codes[0]: 3.0}, [dt.date(2024, 4, 1)]),
        ]
    )
    second = store.ingest(later, UploadMeta("second.csv", "h2"))
    assert order == ["prepared", ("move waits", True), "moved"]
    assert (second.added, second.replaced, second.unchanged) == (1, 10, 0)
    facts = store.read_table("facts")
    assert {k: sorted(v) for k, v in facts.groupby("upload_id")["value"].agg(list).items()} == {
        first.upload_id: [1.0] * 5,
        second.upload_id: [2.0] * 10 + [3.0],
    }
    history = store.read_table("fact_history")
    assert (
        len(history) == 10
        and set(history["value"]) == {1.0}
        and set(history["replaced_by"]) == {second.upload_id}
    )
    assert {"classify", "prepare", "move_server", "move_wait", "copy"} <= set(store.merge_steps)
    store.close()


@pytest.mark.own_backends
def test_replaced_rows_are_found_by_their_addresses_not_by_reading_all_facts(
    pg_cluster, board_context, monkeypatch
):
    """PostgreSQL: the move of replaced rows (_move_replaced) reads the pages of their
    addresses (Tid Scan), not every row of facts: left to itself the planner scans facts
    with a hashed ANY() filter when many rows are replaced (slower, measured in
    _move_replaced's docstring). The plan is asked on the merge's own cursor, in its
    transaction, right before the statement runs; after it the setting is back."""
    from analytics import store_pg

    _, _, units, code_map = board_context
    store = open_store(pg_cluster.new_schema())
    store.sync_reference(units, code_map)
    codes = units.query("kind == 'municipality'")["unit_id"].iloc[:40]
    months = [dt.date(2024, m, 1) for m in range(1, 13)]
    store.ingest(fact_rows(dict.fromkeys(codes, 1.0), months=months), UploadMeta("first.csv", "h1"))
    plans, later = [], []
    execute = store_pg._Cursor.execute

    def spy(self, sql, params=None):
        if sql == store_pg._MOVE:
            plans.append("\n".join(r[0] for r in execute(self, "EXPLAIN " + sql, params).fetchall()))
        elif sql.startswith("UPDATE uploads SET rows_added"):  # the merge's last statement
            later.append(execute(self, "SHOW enable_seqscan").fetchone()[0])
        return execute(self, sql, params)

    monkeypatch.setattr(store_pg._Cursor, "execute", spy)
    second = store.ingest(fact_rows(dict.fromkeys(codes, 2.0), months=months), UploadMeta("second.csv", "h2"))
    assert second.replaced == 40 * 12
    assert len(plans) == 1 and "Tid Scan on facts" in plans[0] and "Seq Scan" not in plans[0], plans
    with store._write_cursor() as cur:  # the same statement without the settings: the planner's own choice
        cur.execute("BEGIN")
        tids = "{" + ",".join(f'"{r[0]}"' for r in cur.execute("SELECT ctid FROM facts").fetchall()) + "}"
        own = "\n".join(r[0] for r in cur.execute("EXPLAIN " + store_pg._MOVE, [tids, 0]).fetchall())
        cur.execute("ROLLBACK")
    assert "Seq Scan on facts" in own, own
    assert later == ["on"]


@pytest.mark.own_backends
def test_a_replaced_row_not_where_it_was_fetched_rolls_the_upload_back(
    pg_cluster, board_context, monkeypatch
):
    """PostgreSQL: the merge moves replaced rows to fact_history by the row addresses it
    fetched (_move_replaced). When one of them is gone by then (deleted here behind the
    board's back, which no board writer does), the count differs: one Norwegian sentence, and
    nothing of the upload is written (no facts, no history, no log row)."""
    from analytics import store_pg

    _, _, units, code_map = board_context
    url = pg_cluster.new_schema()
    store = open_store(url)
    store.sync_reference(units, code_map)
    a, b = units.query("kind == 'municipality'")["unit_id"].iloc[:2]
    jan = dt.date(2024, 1, 1)
    first = store.ingest(fact_rows({a: 10.0, b: 20.0}, months=[jan]), UploadMeta("first.csv", "h1"))
    move = store_pg.PostgresStore._move_replaced

    def one_row_gone_first(self, cur, addresses, upload_id, n):
        with psycopg.connect(url, autocommit=True) as other:
            other.execute("DELETE FROM facts WHERE unit_id = %s", [a])
        return move(self, cur, addresses, upload_id, n)

    monkeypatch.setattr(store_pg.PostgresStore, "_move_replaced", one_row_gone_first)
    with pytest.raises(StoreError, match=r"ble endret under innlastingen \(1 av 2 erstattede rader funnet\)"):
        store.ingest(fact_rows({a: 11.0, b: 21.0}, months=[jan]), UploadMeta("second.csv", "h2"))
    facts = store.read_table("facts")
    assert list(zip(facts["unit_id"], facts["value"], facts["upload_id"], strict=True)) == [
        (b, 20.0, first.upload_id)
    ]
    assert store.history_count() == 0 and list(store.uploads()["upload_id"]) == [first.upload_id]
    store.close()


@pytest.mark.own_backends
@pytest.mark.parametrize("hash_from", [1, 10**9])
def test_a_large_undo_joins_history_and_facts_by_hashing(pg_cluster, board_context, monkeypatch, hash_from):
    """PostgreSQL (_undo_settings): an undo of at least UNDO_HASH_FROM values brings the values
    it replaced back with a hash anti join; the planner, counting about one fresh history row,
    would loop over facts' (indicator, unit_id) index per row (100 000 values: 7.1 s against
    1.05 s). A smaller undo keeps the planner's own choice. Either way undo restores the values."""
    from analytics import store_pg

    _, _, units, code_map = board_context
    store = open_store(pg_cluster.new_schema())
    store.sync_reference(units, code_map)
    codes = units.query("kind == 'municipality'")["unit_id"].iloc[:20]
    months = [dt.date(2024, m, 1) for m in range(1, 13)]
    store.ingest(fact_rows(dict.fromkeys(codes, 1.0), months=months), UploadMeta("first.csv", "h1"))
    second = store.ingest(fact_rows(dict.fromkeys(codes, 2.0), months=months), UploadMeta("second.csv", "h2"))
    plans = []
    execute = store_pg._Cursor.execute

    def spy(self, sql, params=None):
        if sql.startswith("INSERT INTO facts") and "NOT EXISTS" in sql:
            plans.append("\n".join(r[0] for r in execute(self, "EXPLAIN " + sql, params).fetchall()))
        return execute(self, sql, params)

    monkeypatch.setattr(store_pg, "UNDO_HASH_FROM", hash_from)
    monkeypatch.setattr(store_pg._Cursor, "execute", spy)
    assert store.undo(second.upload_id) == 20 * 12
    assert len(plans) == 1
    assert ("Hash Anti Join" in plans[0]) == (hash_from == 1), plans[0]
    assert ("Nested Loop" in plans[0]) == (hash_from != 1), plans[0]
    assert set(store.facts()["value"]) == {1.0}
    store.close()
