"""The store on a PostgreSQL server: the same contract as analytics.store.Store, for many servers.

BOARD_DB=postgresql://… puts facts, upload log, history, milestones and reference tables in
PostgreSQL (psycopg 3, a connection pool per process). Everything else is the DuckDB store's
code: the statements both dialects share are written once there with '?' placeholders (turned
into psycopg's '%s' here), the ones that differ are side by side in analytics.store._SQL.
The series reads (analytics.store._FACT_SQL) run in DuckDB in this process over the
indicator's rows fetched from the server (PostgresStore._indicator_frame).

A file is still read and checked in an in-memory DuckDB (staging_cursor); an accepted upload is
merged here in one transaction: COPY into a temporary table, then one merge, so readers see the
store before or after it, never half of it. Every write transaction first takes advisory
locks (PostgresStore._lock_writes): uploads of the same indicator (or the same file) from any
number of processes run one after another, so the later of two uploads of the same keys
replaces the earlier, with history; uploads of different indicators merge at the same time;
undos, reference syncs, milestones, plan writes and migrations wait for every other writer.
The merge itself is Store.merge_stage, shared with DuckDB; this class gives its hooks.

BOARD_READ_DB=postgresql://… (optional) names a read replica (a streaming standby): every read,
the data version included, goes there, every write to BOARD_DB (see PostgresStore.cursor).
"""

from __future__ import annotations

import functools
import io
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext

import duckdb
import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from pgpq import ArrowToPostgresBinaryEncoder
from psycopg_pool import ConnectionPool

from analytics.store import (
    _CLASSIFY,
    _FACT_LIST,
    _FACT_SQL,
    _HISTORY_LIST,
    FACT_COLUMNS,
    KEY,
    MIGRATIONS,
    SCHEMA_VERSION,
    STORE_TABLES,
    Store,
    StoreError,
    _table,
)

# One number for every writer of every board on this database (pg_advisory_xact_lock): an
# upload of given indicators takes it shared, every other writer (undo, milestones, plan,
# reference data, migrations, copies) exclusive.
WRITE_LOCK_KEY = 0x1D1C_A70E
# The two-key advisory locks (class, hashtext(name)) an upload takes exclusive after the shared
# one: one per indicator it writes, one for its file hash (PostgresStore._lock_writes).
INDICATOR_LOCK_CLASS = 0x1D1C_A70F
FILE_LOCK_CLASS = 0x1D1C_A710
# PostgreSQL result types → arrow, so a frame has the dtypes DuckDB's .df() gives (oid: type).
_ARROW_TYPES = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    700: pa.float32(),
    701: pa.float64(),
    1700: pa.float64(),
    25: pa.string(),
    1043: pa.string(),
    19: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
}
# The arrow type binary COPY must send for each SQL type of the schema (_Cursor.copy_in): the
# column type's own binary input (VARCHAR, DOUBLE PRECISION, DATE, BOOLEAN, INTEGER, TIMESTAMP).
_SQL_WIRE_TYPES = {
    "VARCHAR": pa.string(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
    "INTEGER": pa.int32(),
    "TIMESTAMP": pa.timestamp("us"),
}
# The tables written by binary COPY.
_BINARY_TABLES = ("facts", "fact_history")
_PASSWORD = re.compile(r"(://[^:/@]+):[^@]*@")


_local = threading.local()


# The schema's own words for a column (store.MIGRATIONS, DuckDB dialect): «name TYPE …» in a
# CREATE TABLE, «ALTER TABLE t ADD COLUMN [IF NOT EXISTS] name TYPE …». A type is a word, with
# its arguments where it has them («DECIMAL(10, 2)»).
_TYPE = r"[A-Za-z]+(?:\s*\([^)]*\))?"
_CREATE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\((.*)\)\s*$", re.S | re.I)
_COLUMN = re.compile(rf"^\s*(\w+)\s+({_TYPE})", re.I)
_ALTER = re.compile(r"ALTER\s+TABLE\s+(\w+)\s+(.*)$", re.S | re.I)
_ADD = re.compile(rf"^ADD\s+COLUMN\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s+({_TYPE})", re.I)


@functools.cache
def wire_types() -> dict[str, pa.DataType]:
    """The wire type of each column of facts and fact_history, derived from the schema text
    itself (store.MIGRATIONS' DuckDB statements, in version order; PostgreSQL's differ only in
    spelling DOUBLE, collation and indexes): each CREATE TABLE's columns and each ALTER TABLE
    … ADD COLUMN, their types mapped by ``_SQL_WIRE_TYPES``. A column added by a migration gets
    its type here without a second list; read once per process, with no database opened.

    Raises KeyError for a column type the map lacks (the schema writes DuckDB's own type
    names), ValueError when the two tables give one column two types or a migration alters a
    binary table other than by adding a column (a change this reading would miss)."""
    columns: dict[str, dict[str, str]] = {table: {} for table in _BINARY_TABLES}
    for version in sorted(MIGRATIONS):
        for statement in MIGRATIONS[version]["duckdb"].split(";"):
            created, altered = _CREATE.match(statement.strip()), _ALTER.match(statement.strip())
            if created and created.group(1) in columns:
                for line in created.group(2).split("\n"):
                    column = _COLUMN.match(line)
                    if column:
                        columns[created.group(1)].setdefault(column.group(1), column.group(2))
            elif altered and altered.group(1) in columns:
                added = _ADD.match(altered.group(2).strip())
                if added is None:
                    raise ValueError(f"{altered.group(1)}: only ADD COLUMN is read ({statement.strip()})")
                columns[altered.group(1)].setdefault(added.group(1), added.group(2))
    types: dict[str, pa.DataType] = {}
    for table in _BINARY_TABLES:
        for name, sql_type in columns[table].items():
            wire = _SQL_WIRE_TYPES[sql_type.upper()]
            if types.setdefault(name, wire) != wire:
                raise ValueError(f"column {name} has two types in {_BINARY_TABLES}")
    return types


def _hide_password(url: str) -> str:
    """A connection string for messages: the password as ***."""
    return _PASSWORD.sub(r"\1:***@", url)


def _placeholders(sql: str) -> str:
    """DuckDB's '?' placeholders as psycopg's '%s' (a literal '%' doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


def _duck() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB (a DuckDB connection refuses a second caller)."""
    if not hasattr(_local, "duck"):
        _local.duck = duckdb.connect(":memory:")
    return _local.duck


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas by DuckDB's own conversion, so both backends give the same dtypes."""
    return _duck().from_arrow(table).df()


# The facts of one indicator for a set of units, file totals left out, as stored and unsorted:
# what the statements of store._FACT_SQL read (PostgresStore._indicator_frame). The server
# does an index read and writes the rows; the grouping, the month arithmetic and the sorting
# run in DuckDB in the board's process. Measured against the same statements in PostgreSQL
# (national store, a 1M-row monthly indicator; docs/scaling.md, section 4).
_INDICATOR_FACTS = (
    "SELECT unit_id, period_start, grain, value, numerator, denominator, suppressed FROM facts "
    "WHERE indicator = ? AND unit_id = ANY(?::text[]) AND NOT file_total"
)
_INDICATOR_FACT_TYPES = {
    "unit_id": pa.string(),
    "period_start": pa.date32(),
    "grain": pa.string(),
    "value": pa.float64(),
    "numerator": pa.float64(),
    "denominator": pa.float64(),
    "suppressed": pa.bool_(),
}
# Settings of every pooled connection, given when it starts (libpq «options»), so RESET
# returns to them: JIT off. The board's statements are short index reads; JIT compiled the
# costlier ones (the coverage map's, 17–25 ms of 52–77 ms) for nothing (PostgreSQL «JIT
# Accelerated Operations»: JIT pays off for long-running, CPU-bound queries).
CONNECTION_SETTINGS = {"jit": "off"}
# Rows of _INDICATOR_FACTS kept per store object and data version (_indicator_rows), at most:
# about 40 bytes a row in arrow, so 2M rows are some 80 MB per board process.
INDICATOR_ROWS_KEPT = 2_000_000


def _with_settings(url: str) -> str:
    """`url` as a connection string with CONNECTION_SETTINGS added to its own «options»
    (a search_path given in the URL is kept)."""
    params = psycopg.conninfo.conninfo_to_dict(url)
    extra = " ".join(f"-c {name}={value}" for name, value in CONNECTION_SETTINGS.items())
    params["options"] = f"{params['options']} {extra}" if params.get("options") else extra
    return psycopg.conninfo.make_conninfo(**params)


# SQLSTATE classes a failed connection reports (PostgreSQL, Appendix A «Error codes»).
_CONNECT_PROBLEMS = {
    "28P01": "passordet ble ikke godtatt",
    "28000": "brukeren får ikke logge inn (ukjent bruker: lag den med «createuser --createdb» som "
    "brukeren postgres; eller pg_hba.conf stenger)",
    "3D000": "databasen finnes ikke på tjeneren (lag den med createdb)",
    "42501": "brukeren mangler rett til å koble til databasen",
    "53300": "tjeneren har ikke flere ledige tilkoblinger",
    "57P03": "databasetjeneren starter eller stopper akkurat nå",
}


def connect_problem(url: str, setting: str, exc: BaseException) -> str:
    """One Norwegian sentence for a failed connection to `url` (password hidden), by cause.

    The cause is read from the server's SQLSTATE when it answered (wrong password, unknown
    user, missing database …), else from the client's message (unknown host, nothing listening,
    time-out). `setting`: where the address came from (BOARD_DB, BOARD_READ_DB, --db)."""
    where = f"«{_hide_password(url)}» (fra {setting})"
    state = getattr(exc, "sqlstate", None)
    text = str(exc).lower()
    if state in _CONNECT_PROBLEMS:
        return f"Databasen {where} svarte, men {_CONNECT_PROBLEMS[state]}."
    if "password authentication failed" in text or "no password supplied" in text:
        return f"Databasen {where} svarte, men {_CONNECT_PROBLEMS['28P01']}."
    if "does not exist" in text and "database" in text:
        return f"Databasen {where} svarte, men {_CONNECT_PROBLEMS['3D000']}."
    if "role" in text and "does not exist" in text:
        return f"Databasen {where} svarte, men {_CONNECT_PROBLEMS['28000']}."
    if "translate host name" in text or "name or service not known" in text or "nodename" in text:
        return f"Finner ikke tjeneren i adressen {where}: sjekk vertsnavnet."
    if "timeout" in text or "timed out" in text:
        return f"Databasen {where} svarte ikke innen 10 sekunder: sjekk adressen, porten og brannmuren."
    return f"Får ikke kontakt med databasen {where}: sjekk adressen og at databasetjeneren kjører."


class _Cursor:
    """A pooled psycopg connection (autocommit: BEGIN/COMMIT are statements, as in DuckDB)
    behind the few DuckDB cursor methods the store uses: execute(sql, params) with '?'
    placeholders, fetchone, fetchall; frame() for DataFrames. Use it as a context manager."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self.connection = pool.getconn()
        self._cur = self.connection.cursor()

    def __enter__(self) -> _Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            self._cur.close()
            self._pool.putconn(self.connection)  # the pool rolls back an open transaction
            self.connection = None

    def execute(self, sql: str, params: Sequence | None = None) -> _Cursor:
        if params:
            self._cur.execute(_placeholders(sql), list(params))
        else:
            self._cur.execute(sql)
        return self

    def fetchone(self) -> tuple | None:
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall()

    @property
    def rowcount(self) -> int:
        """Rows the last statement changed (psycopg's rowcount)."""
        return self._cur.rowcount

    def arrow(
        self, sql: str, params: Sequence | dict | None = None, types: dict[str, pa.DataType] | None = None
    ) -> pa.Table:
        """A query's result as an arrow table, fast for many rows: the server writes it as CSV
        (COPY … TO STDOUT) and arrow parses that in C++, with the column types the server
        reports for the query (asked with LIMIT 0), instead of a Python object per cell.
        `types`: the result's columns and arrow types, in order, when the caller knows them
        (then nothing is asked first)."""
        if isinstance(params, dict):  # named: the statement is written for psycopg already
            query, args = sql, params
        else:
            query, args = (_placeholders(sql), list(params)) if params else (sql, None)
        if types is None:
            self._cur.execute(f"SELECT * FROM ({query}) AS q LIMIT 0", args)
            columns = self._cur.description or []
            types = {c.name: _ARROW_TYPES.get(c.type_code, pa.string()) for c in columns}
        names = list(types)
        buffer = io.BytesIO()
        with self._cur.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)", args) as copy:
            for block in copy:
                buffer.write(block)
        if not buffer.tell():
            return pa.table({n: pa.array([], type=types[n]) for n in names})
        buffer.seek(0)
        return pa_csv.read_csv(
            buffer,
            read_options=pa_csv.ReadOptions(column_names=[f"c{i}" for i in range(len(names))]),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"c{i}": types[n] for i, n in enumerate(names)},
                true_values=["t"],
                false_values=["f"],
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        ).rename_columns(names)

    def frame(self, sql: str, params: Sequence | dict | None = None) -> pd.DataFrame:
        """A query's result as a DataFrame with DuckDB's dtypes (see arrow)."""
        return _to_pandas(self.arrow(sql, params))

    def copy_in(self, table: str, frame: pa.Table, binary: bool = False) -> None:
        """COPY an arrow table into `table` (a store table or this transaction's temp table).

        binary=True sends PostgreSQL's binary COPY format (pgpq encodes arrow in Rust), so the
        server parses no text: 1M facts into an indexed table took 3.1–3.3 s against 3.7–3.9 s
        as CSV (three rounds each, same cluster). The server reads each field with the
        column type's binary input, so the arrow types must be the columns' own (string for
        VARCHAR, float64 for DOUBLE, date32, bool, int32 for INTEGER, timestamp[us] for
        TIMESTAMP): a wider one (int64 into INTEGER) is refused («incorrect binary data
        format»). So a binary frame is first cast to the columns' types (wire_types: facts and
        fact_history only; a value that does not fit raises); others go as CSV, which the
        server converts."""
        columns = ", ".join(f'"{c}"' for c in frame.column_names)
        if binary:
            frame = frame.cast(pa.schema([(c, wire_types()[c]) for c in frame.column_names]))
            encoder = ArrowToPostgresBinaryEncoder(frame.schema)
            with self._cur.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(encoder.write_header())
                for batch in frame.to_batches(max_chunksize=1 << 16):
                    copy.write(encoder.write_batch(batch))
                copy.write(encoder.finish())
            return
        buffer = io.BytesIO()
        pa_csv.write_csv(frame, buffer, pa_csv.WriteOptions(include_header=False))
        data = buffer.getbuffer()
        with self._cur.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])


# The move of replaced rows to history (PostgresStore._move_replaced): deleted by row address,
# inserted into fact_history from RETURNING, in one statement, run under _MOVE_SETTINGS so the
# planner reads the addresses' pages (Tid Scan) instead of every row of facts.
_MOVE = (
    f"WITH moved AS (DELETE FROM facts WHERE ctid = ANY(?::tid[]) RETURNING {_FACT_LIST}, upload_id) "
    f"INSERT INTO fact_history ({_HISTORY_LIST}) "
    f"SELECT {_FACT_LIST}, upload_id, ?, now()::TIMESTAMP FROM moved"
)
_MOVE_SETTINGS = ("enable_seqscan", "jit")
# Undo of at least this many values joins history and facts by hashing (_undo_settings).
UNDO_HASH_FROM = 10_000


class _Background:
    """fn(*args) on a thread of its own, started at once; join() waits, result() then raises
    what fn raised (the merge's move runs on the server while the caller works in DuckDB)."""

    def __init__(self, fn: Callable[..., None], *args: object) -> None:
        self._error: BaseException | None = None

        self.seconds = 0.0  # fn's own time, once joined

        def run() -> None:
            started = time.perf_counter()
            try:
                fn(*args)
            except BaseException as exc:  # handed to the caller by result()
                self._error = exc
            finally:
                self.seconds = time.perf_counter() - started

        self._thread = threading.Thread(target=run, name="merge-move")
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def result(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def _step(steps: dict[str, float], name: str, since: float) -> float:
    """Seconds since `since` added to steps[name] (PostgresStore.merge_steps); returns now."""
    now = time.perf_counter()
    steps[name] = steps.get(name, 0.0) + now - since
    return now


class PostgresStore(Store):
    """The Store contract on PostgreSQL; `url` is a libpq connection string (postgresql://…)."""

    dialect = "postgres"

    def __init__(
        self,
        url: str,
        migrate: bool = False,
        pool_size: int = 8,
        read_url: str | None = None,
        setting: str = "BOARD_DB eller --db",
    ) -> None:
        """`read_url` (BOARD_READ_DB): a read replica (a streaming standby of `url`) that every
        read goes to, the data version included; writes go to `url`. Raises StoreError (one
        Norwegian sentence, naming `setting`, where `url` came from) when a server cannot be
        reached or the schema does not fit."""
        self.path = url
        self.read_url = read_url
        self.read_only = False
        # Seconds per step of the last merge in this process (classify, move, copy; _merge) and
        # of the last expose_stored (fetch): for the bench, never for a decision.
        self.merge_steps: dict[str, float] = {}
        self.fetch_seconds = 0.0
        self._write_lock = (
            threading.Lock()
        )  # threads of this process for writes not keyed by indicator (_thread_lock)
        self._rows_lock = threading.Lock()  # _indicator_rows' tables, kept per data version
        self._rows_version: str | None = None
        self._rows: OrderedDict[tuple[str, frozenset[str]], pa.Table] = OrderedDict()
        self._pool = self._connect(url, pool_size, setting)
        self._read_pool = self._pool
        if read_url:
            try:
                self._read_pool = self._connect(read_url, pool_size, "BOARD_READ_DB")
            except StoreError:
                self._pool.close()
                raise
        with self._write_cursor() as cur:  # the primary's schema: a replica may lag behind it
            version = self.schema_version_in(cur)
        self.migrated = (version, version)  # (schema version found, version now)
        if version == 0 or migrate:
            self.migrated = self.migrate()  # a new, empty database gets the schema, as a DuckDB file
        elif version < SCHEMA_VERSION:
            self.close()
            raise StoreError(
                f"Databasen «{self.describe()}» har skjemaversjon {version}; denne versjonen av tavla "
                f"trenger {SCHEMA_VERSION}. Kjør «python -m loaders migrate --db …» først."
            )
        elif version > SCHEMA_VERSION:
            self.close()
            raise StoreError(self._newer_message(version))

    def _connect(self, url: str, pool_size: int, setting: str) -> ConnectionPool:
        """A pool of autocommit connections to `url`; StoreError naming `setting` if unreachable."""
        try:
            psycopg.connect(url, connect_timeout=10).close()  # fails fast, and quietly (the pool logs)
            pool = ConnectionPool(
                _with_settings(url), min_size=1, max_size=pool_size, kwargs={"autocommit": True}, open=False
            )
            pool.open(wait=True, timeout=10)
        except Exception as exc:
            raise StoreError(connect_problem(url, setting, exc)) from None
        return pool

    def describe(self) -> str:
        return _hide_password(self.path)

    # -- plumbing ---------------------------------------------------------------------

    def cursor(self) -> _Cursor:
        """A cursor for reading: on the read replica when there is one (BOARD_READ_DB).

        Every read, the data version included, comes from the same server, so a page's cache
        key and the numbers cached under it agree: a replica that lags shows the store as it
        was a moment ago, under that moment's version, and never caches old numbers under the
        new version (which a version read from the primary would do). Writes, and the reads
        inside a write, use _write_cursor."""
        return _Cursor(self._read_pool)

    def _write_cursor(self) -> _Cursor:
        return _Cursor(self._pool)

    def staging_cursor(self) -> duckdb.DuckDBPyConnection:
        """A file is read and checked in a private in-memory DuckDB (closed with the cursor)."""
        return duckdb.connect(":memory:")

    def close(self) -> None:
        self._pool.close()
        if self._read_pool is not self._pool:
            self._read_pool.close()

    def expose_stored(self, cur: duckdb.DuckDBPyConnection) -> None:
        """The stored facts of the file's indicators and units (and the upload names) copied
        into TEMP tables `facts` and `uploads` of the in-memory staging DuckDB, for the checks
        that compare a file with what is stored.

        Read from the primary in one REPEATABLE READ snapshot, with each row's address (tid)
        and the snapshot's stamp (_facts_stamp) in TEMP exposed_stamp: the merge reuses these
        rows when the stamp is unchanged under the write lock, instead of fetching them again."""
        indicators = [r[0] for r in cur.execute("SELECT DISTINCT indicator FROM stage_ind").fetchall()]
        units = [
            r[0]
            for r in cur.execute("SELECT DISTINCT unit_id FROM cells WHERE unit_id IS NOT NULL").fetchall()
        ]
        started = time.perf_counter()
        with self._write_cursor() as reader:  # arrow straight into DuckDB: no pandas frame in between
            reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            stamp = self._facts_stamp(reader, indicators)
            facts = reader.arrow(
                f"SELECT ctid::text AS tid, {', '.join(FACT_COLUMNS)}, upload_id FROM facts "
                "WHERE indicator = ANY(?::text[]) AND unit_id = ANY(?::text[])",
                [indicators, units],
            )
            ids = pc.unique(facts["upload_id"]).to_pylist()
            uploads = reader.arrow(
                "SELECT upload_id, file_name FROM uploads WHERE upload_id = ANY(?::integer[])", [ids]
            )
            reader.execute("COMMIT")
        for name, table in (("facts", facts), ("uploads", uploads)):
            cur.register(f"{name}_in", table)
            cur.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_in")
            cur.unregister(f"{name}_in")
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE exposed_stamp AS "
            "SELECT ?::VARCHAR AS stamp, ?::VARCHAR[] AS indicators, ?::VARCHAR[] AS units",
            [stamp, indicators, units],
        )
        self.fetch_seconds = time.perf_counter() - started

    @staticmethod
    def _facts_stamp(cur: _Cursor, indicators: Sequence[str], leave_out: int = 0) -> str:
        """Changes whenever the facts of `indicators` may have: (count, highest id, count undone)
        of the uploads that wrote facts of one of them (uploads.fact_indicators, schema version
        8; an upload logged before, NULL, counts for every indicator), and the file node of
        facts. Every write of facts logs an upload of its stage's indicators or undoes one
        (undo changes only the rows of the upload's own indicators: its values and the ones it
        replaced, of the same keys), uploads are never removed (a copy fills only an empty
        store) and their ids grow, so those numbers only grow; VACUUM FULL, CLUSTER or a
        migration that rewrites the table (moving its rows) gives it a new file node. An upload
        or undo of other indicators leaves the stamp as it was. `leave_out`: the upload being
        merged (logged already). One read of the upload log (a few thousand rows at most)."""
        row = cur.execute(
            "SELECT count(*), coalesce(max(upload_id), 0), count(undone_at), pg_relation_filenode('facts') "
            "FROM uploads WHERE upload_id <> ? AND (fact_indicators IS NULL OR EXISTS ("
            "SELECT 1 FROM json_array_elements_text(fact_indicators::json) AS x(name) "
            "WHERE x.name = ANY(?::text[])))",
            [leave_out, sorted(set(indicators))],
        ).fetchone()
        return "-".join(str(x) for x in row)

    @staticmethod
    def _exposed(staging: duckdb.DuckDBPyConnection) -> tuple[str, set[str], set[str]] | None:
        """What expose_stored left in `staging`: (stamp, indicators, units), or None."""
        if not staging.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'exposed_stamp'"
        ).fetchall()[0][0]:
            return None
        stamp, indicators, units = staging.execute("SELECT * FROM exposed_stamp").fetchall()[0]
        return stamp, set(indicators), set(units)

    def _frame(self, sql: str, params: Sequence | dict | None = None) -> pd.DataFrame:
        with self.cursor() as cur:
            return cur.frame(sql, params)

    def _indicator_frame(
        self, name: str, params: Sequence | dict, indicator: str, unit_ids: Sequence[str]
    ) -> pd.DataFrame:
        """Store._indicator_frame: the facts of `indicator` for `unit_ids` fetched as stored
        (_INDICATOR_FACTS: one index read, no sorting or grouping on the server), then the
        DuckDB statement _FACT_SQL[name] run over them in this thread's in-memory DuckDB, so
        the frame is the DuckDB file's for the same rows (same statement, same dtypes). The
        rows are kept per data version (_indicator_rows): the series, the native read and the
        protected cube of one indicator and scope fetch them once."""
        rows = self._indicator_rows(indicator, unit_ids)
        n = rows.num_rows
        rows = rows.append_column(
            "indicator",
            pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([indicator])),
        ).append_column("file_total", pa.array(np.zeros(n, np.bool_)))
        duck = _duck()
        duck.register("facts", rows)
        try:
            return duck.execute(_FACT_SQL[name], params).df()
        finally:
            duck.unregister("facts")

    def unit_series_many(
        self, asked: Sequence[tuple[str, str, str, bool]], unit_ids: Sequence[str]
    ) -> list[pd.DataFrame]:
        """Store.unit_series_many: each asked (indicator, kind, grain, native) read by
        unit_series from the indicator's rows kept per data version (_indicator_frame), so the
        frames are the DuckDB file's and the server is asked once per indicator and version,
        not for one batched grouping of thirty indicators."""
        return [self.unit_series(i, unit_ids, k, g, n) for i, k, g, n in asked]

    def known_cells_many(
        self, asked: Sequence[tuple[str, str]], unit_ids: Sequence[str]
    ) -> list[pd.DataFrame]:
        """Store.known_cells_many: each asked (indicator, grain) read by known_cells from the
        indicator's kept rows (see unit_series_many)."""
        return [self.known_cells(i, unit_ids, g) for i, g in asked]

    def _indicator_rows(self, indicator: str, unit_ids: Sequence[str]) -> pa.Table:
        """_INDICATOR_FACTS for `indicator` and `unit_ids` as an arrow table, or the rows kept
        for the indicator and a set of units that holds all of `unit_ids` (the statements of
        _FACT_SQL pick their units themselves, so more units' rows give the same answer): the
        Kommune page reads a 1M-row indicator for the partnership's 373 units (the protected
        cube), its 357 municipalities (the series) and one municipality, one fetch instead of
        three. Kept in this store object per data version while all kept tables hold at most
        INDICATOR_ROWS_KEPT rows together (the oldest dropped first; a larger one is not kept)."""
        units = frozenset(unit_ids)
        version = self.data_version()
        with self._rows_lock:
            if self._rows_version != version:
                self._rows_version, self._rows = version, OrderedDict()
            for (kept_indicator, kept_units), rows in self._rows.items():
                if kept_indicator == indicator and units <= kept_units:
                    return rows
        with self.cursor() as cur:
            rows = cur.arrow(_INDICATOR_FACTS, [indicator, sorted(units)], _INDICATOR_FACT_TYPES)
        with self._rows_lock:
            if self._rows_version == version and rows.num_rows <= INDICATOR_ROWS_KEPT:
                self._rows[(indicator, units)] = rows
                while sum(t.num_rows for t in self._rows.values()) > INDICATOR_ROWS_KEPT:
                    self._rows.popitem(last=False)
        return rows

    def _lock_writes(
        self, cur: _Cursor, indicators: Sequence[str] = (), file_hash: str | None = None
    ) -> None:
        """The advisory locks a write transaction takes (held until COMMIT or ROLLBACK); a
        standby (a read replica given as BOARD_DB) is refused with one sentence first.

        An upload of `indicators` (merge_stage) takes WRITE_LOCK_KEY shared, then exclusive one
        two-key lock per indicator (INDICATOR_LOCK_CLASS, hashtext(indicator)) and one for its
        `file_hash` (FILE_LOCK_CLASS), in ascending (class, key) order, so two uploads that
        share an indicator or a file take turns and never wait for each other in a circle
        (every uploader asks in the same order; PostgreSQL «Advisory Locks»). Uploads of
        different indicators hold the global lock side by side and merge at the same time: they
        touch disjoint rows of facts (the key starts with the indicator) and each its own row
        of uploads, and draw ids from upload_seq. Two names with the same hash only take turns.
        Every other writer (no `indicators`: undo, milestones, plan, reference data,
        migrations, copies) takes WRITE_LOCK_KEY exclusive and so waits for every upload under
        way, and they for it: undo reads the history of all indicators and its order."""
        if cur.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
            raise StoreError(
                f"Databasen «{self.describe()}» er en lesekopi og tar ikke imot endringer. Sett BOARD_DB "
                "til hoveddatabasen (og eventuelt BOARD_READ_DB til lesekopien)."
            )
        if not indicators:
            cur.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK_KEY])
            return
        cur.execute("SELECT pg_advisory_xact_lock_shared(?)", [WRITE_LOCK_KEY])
        names = sorted(set(indicators))
        hashes = cur.execute(
            "SELECT array(SELECT hashtext(n) FROM unnest(?::text[]) n), hashtext(?)", [names, file_hash or ""]
        ).fetchone()
        keys = {(INDICATOR_LOCK_CLASS, h) for h in hashes[0]}
        if file_hash is not None:
            keys.add((FILE_LOCK_CLASS, hashes[1]))
        for lock_class, key in sorted(keys):
            cur.execute("SELECT pg_advisory_xact_lock(?::integer, ?::integer)", [lock_class, key])

    def _thread_lock(self, indicators: Sequence[str] = ()) -> AbstractContextManager[object]:
        """Store._thread_lock: an upload of given indicators takes no lock of this process (its
        advisory locks order it against every other writer, this process's threads included,
        each on a pooled connection of its own); every other write takes _write_lock first."""
        return nullcontext() if indicators else self._write_lock

    def _insert_frame(self, cur: _Cursor, table: str, frame: object) -> None:
        arrow = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        cur.copy_in(_table(table), arrow)

    def _settle_after_load(self) -> None:
        """After a whole store is copied in (load_tables, `loaders copy`): VACUUM (ANALYZE) each
        table, so the planner has statistics for the new rows and their pages are marked
        all-visible before the first reader or upload meets them (PostgreSQL «Populating a
        Database»: run ANALYZE afterwards; «Routine Vacuuming»: the visibility map). Left to
        autovacuum, this work starts up to a minute later, in the middle of whatever runs then:
        in the bench, the first uploads' timings."""
        with self._write_cursor() as cur:
            for table in STORE_TABLES:
                cur.execute(f"VACUUM (ANALYZE) {_table(table)}")

    def _undo_settings(self, cur: _Cursor, rows: int) -> None:
        """An undo of at least UNDO_HASH_FROM values runs with enable_nestloop off (SET LOCAL:
        the undo's transaction only; PostgreSQL «Planner Method Configuration»). Its history
        rows were written by the upload, after the last ANALYZE, so the planner counts about
        one and joins them to facts by a nested loop over the (indicator, unit_id) index,
        reading every period of the unit per row: undo of 100 000 replaced values took 7.1 s
        (the INSERT … NOT EXISTS 6.4 s) against 1.05 s (0.7 s) as a hash anti join, and 0.18 s
        on the DuckDB file (national store, 1.34 M facts, load 4). A small undo keeps the
        nested loop, which is then the cheap plan (a hash join reads all of facts)."""
        if rows >= UNDO_HASH_FROM:
            cur.execute("SET LOCAL enable_nestloop = off")

    def _restart_sequence(self, cur: _Cursor, sequence: str, start: int) -> None:
        cur.execute("SELECT setval(?, ?, false)", [sequence, int(start)])

    # -- ingest: the hooks of Store.merge_stage ---------------------------------------

    def _merge_cursor(self, staging: duckdb.DuckDBPyConnection) -> None:
        return None  # a pooled connection to the server

    def _merge(
        self, staging: duckdb.DuckDBPyConnection, cur: _Cursor, upload_id: int, indicators: list[str]
    ) -> dict[str, int]:
        """Inside the merge's transaction, under the advisory locks of its indicators: the stage
        (in the staging DuckDB) into the server's facts. Returns rows per change.

        The stored facts the stage can meet (the file's indicators, units and period range) are
        fetched with their row address (ctid) into the staging DuckDB (or, when nothing was
        written since, the rows expose_stored fetched for the checks are used), and each staged
        row is classified there (_CLASSIFY, the same statement as the DuckDB store's). Then only
        what changes goes to the server: the replaced rows are moved from facts to fact_history
        by their row addresses in one statement on the server (_move_replaced), and the added
        and replaced rows' new values go by one binary COPY straight into facts, in key order.
        Unchanged rows never leave the staging DuckDB. The move runs on a thread of its own (the
        connection only waits for the server) while this thread sorts the new rows and makes
        their arrow table (_new_rows); the COPY waits for the move. With 1M replaced rows this
        hid 1.2–1.6 s of preparation behind a 3.4–4.8 s move (docs/scaling.md, section 4).
        merge_steps keeps each step's seconds for the bench.

        The fetched addresses stay valid until COMMIT: every other upload of these indicators
        waits for their advisory locks, undo (the only other writer of facts) for the global
        one, uploads of other indicators touch other rows only, and the lock on facts taken
        first (ROW EXCLUSIVE, as any DELETE takes; it blocks no reader or writer of rows, other
        merges included) shuts out VACUUM FULL, CLUSTER and table rewrites, the only things
        that move rows; they also change the file node, which the stamp compares. The stamp
        covers the uploads of the checked indicators only (_facts_stamp): an upload or undo of
        one of them between the checks and this merge makes it fetch the rows again; a load of
        another indicator committing meanwhile (two sources loading at once, each under its own
        indicators' locks) does not. A count that differs rolls everything back.
        Measured here (1M rows against 1.3M facts): classifying on the server with a join cost
        1.5–3 s; INSERT … SELECT of 958k added rows from a TEMP table 8 s, a COPY 4 s (PostgreSQL
        «Populating a Database»: COPY is the fastest way to load rows); 1M replaced rows by
        UPDATE from a TEMP table 12 s (7 s as HOT updates with fillfactor 50, which made adding
        new rows 1.5 × slower), by moving them to history and a COPY 6.1 s + 2.9 s as now (see
        _move_replaced)."""
        steps = self.merge_steps = {}
        clock = time.perf_counter()
        units, first, last = staging.execute(  # fetchall: DuckDB wants a result finished
            "SELECT list(DISTINCT unit_id), min(period_start), max(period_start) FROM stage"
        ).fetchall()[0]
        cur.execute("LOCK TABLE facts IN ROW EXCLUSIVE MODE")  # no rewrite moves a row until COMMIT
        exposed = self._exposed(staging)
        if (
            exposed is not None
            and exposed[0] == self._facts_stamp(cur, sorted(exposed[1]), upload_id)
            and set(indicators) <= exposed[1]
            and set(units or []) <= exposed[2]
        ):  # nothing written since the checks read the stored rows: they are still exact
            staging.execute(_CLASSIFY.format(stored="facts", kept=", b.tid"), [indicators])
        else:
            stored = cur.arrow(
                f"SELECT ctid::text AS tid, {', '.join(FACT_COLUMNS)}, upload_id FROM facts "
                "WHERE indicator = ANY(?::text[]) AND unit_id = ANY(?::text[]) AND period_start BETWEEN ? AND ?",
                [indicators, list(units or []), first, last],
            )
            staging.register("stored", stored)
            try:
                staging.execute(_CLASSIFY.format(stored="stored", kept=", b.tid"), [indicators])
            finally:
                staging.unregister("stored")
        counts = dict(staging.execute("SELECT change, count(*) FROM staged GROUP BY change").fetchall())
        clock = _step(steps, "classify", clock)
        moving = None
        if counts.get("replaced"):  # on the server, while this thread gets the new rows ready
            moving = _Background(
                self._move_replaced, cur, self._addresses(staging), upload_id, counts["replaced"]
            )
        try:
            new = (
                self._new_rows(staging, upload_id) if counts.get("added") or counts.get("replaced") else None
            )
            clock = _step(steps, "prepare", clock)
        finally:
            if moving is not None:
                moving.join()  # before anything else uses the connection, error or not
        if moving is not None:
            moving.result()  # the move's error, if any (after this thread's own)
            steps["move_server"] = moving.seconds
        clock = _step(steps, "move_wait", clock)
        if new is not None:
            cur.copy_in("facts", new, binary=True)
        _step(steps, "copy", clock)
        staging.execute("DROP TABLE staged")
        return counts

    @staticmethod
    def _new_rows(staging: duckdb.DuckDBPyConnection, upload_id: int) -> pa.Table:
        """The added and replaced rows of TEMP staged with `upload_id`, in key order (the index
        is written page by page), as the arrow types binary COPY sends (wire_types)."""
        new = staging.sql(
            f"SELECT {', '.join(FACT_COLUMNS)}, ?::INTEGER AS upload_id FROM staged "
            f"WHERE change <> 'unchanged' ORDER BY {', '.join(KEY)}",
            params=[upload_id],
        ).to_arrow_table()
        return new.cast(pa.schema([(c, wire_types()[c]) for c in new.column_names]))

    @staticmethod
    def _addresses(staging: duckdb.DuckDBPyConnection) -> str:
        """The replaced rows' addresses in TEMP staged as PostgreSQL's array input, one string
        ('{"(0,1)","(0,2)",…}'), for _move_replaced's tid[] parameter."""
        return staging.execute(
            "SELECT '{' || string_agg('\"' || tid || '\"', ',') || '}' FROM staged WHERE change = 'replaced'"
        ).fetchall()[0][0]

    def _move_replaced(self, cur: _Cursor, addresses: str, upload_id: int, n: int) -> None:
        """The `n` replaced rows at `addresses` (_addresses: TEMP staged's) moved from facts to
        fact_history in one statement: DELETE by row address … RETURNING the deleted rows,
        INSERT INTO fact_history from them (replaced by `upload_id`, at the transaction's
        start, as now() in SQL). StoreError (everything rolled back) when fewer or more rows
        than `n` are found where they were fetched.

        The history is therefore the stored rows themselves, never a copy sent back from the
        client, and the addresses go as one tid[] parameter: the server sorts them and reads
        each page once (a TID scan), with no temporary table, no join and no scan of facts.
        The planner does not pick the TID scan by itself for a large array: it costs each
        address like a random page read and chooses a sequential scan of facts with a hashed
        ANY() filter instead (measured: 1M addresses against 2.3M facts, DELETE 1.8-2.2 s
        as a Seq Scan, 1.1-1.2 s as a Tid Scan), and with the scan's high cost JIT compiles
        the statement. So the statement runs with _MOVE_SETTINGS (enable_seqscan and jit off,
        SET LOCAL, reset right after it; PostgreSQL «Planner Method Configuration»: the
        setting discourages a plan kind, here the one that reads every row of facts); the
        move went from 5.2-5.3 s to 4.5-4.9 s (same cluster, alternating, load 4.7).
        Measured with 1M replaced rows against 2.3M facts (same cluster, alternating with the
        old way): this statement 6.1 s at load 3.8 and 8.6 s at 4.9–5.8, against 7.0 s and
        9.6–10.5 s for a binary COPY of the old values into fact_history, a TEMP table of
        addresses and keys and a DELETE joined to it (PostgreSQL «Returning Data from Modified
        Rows» and «WITH Queries»: a data-modifying statement in WITH; a TID scan for
        ctid = ANY). work_mem stays the server's: 256 MB for this transaction (the WITH keeps
        the moved rows in a tuplestore) made the statement slower, 7.6 s against 6.7 s (two
        pairs, load 4.3–4.6)."""
        for setting in _MOVE_SETTINGS:
            cur.execute(f"SET LOCAL {setting} = off")
        cur.execute(_MOVE, [addresses, upload_id])
        moved = cur.rowcount
        for setting in _MOVE_SETTINGS:
            cur.execute(f"RESET {setting}")
        if moved != n:
            raise StoreError(
                f"Databasen «{self.describe()}» ble endret under innlastingen ({moved} av {n} "
                "erstattede rader funnet); ingenting er lagret. Last inn filen på nytt."
            )
