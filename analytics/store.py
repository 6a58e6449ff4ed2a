"""The store: one class owns the DuckDB file and every SQL statement the board runs.

Facts are kept long (indicator, unit, period start + grain). An upload is one transaction;
a value that changes is moved to fact_history with the upload that replaced it, so any
upload can be undone. All SQL is parameterised; identifiers never come from user text.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from analytics import config
from analytics.formatting import counted
from analytics.periods import grain_months, grain_sql

FACT_COLUMNS = [
    "indicator",
    "unit_id",
    "period_start",
    "grain",
    "value",
    "numerator",
    "denominator",
    "suppressed",
    "source",
    "file_total",
]
KEY = ("indicator", "unit_id", "period_start", "grain")
_VALUE_COLUMNS = [*(c for c in FACT_COLUMNS if c not in KEY), "upload_id"]
# The classification of a stage (staged) keeps each replaced row's values as old_<column>
# (the comma first: it follows the `change` column).
_OLD_VALUES = "".join(f", b.{c} AS old_{c}" for c in _VALUE_COLUMNS)
_KEY_JOIN = " AND ".join(f"a.{k} = b.{k}" for k in KEY)
_SAME_VALUES = " AND ".join(
    f"a.{c} IS NOT DISTINCT FROM b.{c}"
    for c in ("value", "numerator", "denominator", "suppressed", "file_total")
)
_FACT_LIST = ", ".join(FACT_COLUMNS)
_HISTORY_LIST = f"{_FACT_LIST}, upload_id, replaced_by, replaced_at"

_SCHEMA_V1 = """
CREATE SEQUENCE IF NOT EXISTS upload_seq START 1;
CREATE SEQUENCE IF NOT EXISTS milestone_seq START 1;
CREATE TABLE IF NOT EXISTS uploads (
    upload_id INTEGER PRIMARY KEY,
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    indicator VARCHAR,
    source VARCHAR,
    demo BOOLEAN NOT NULL DEFAULT FALSE,
    rows_in INTEGER NOT NULL DEFAULT 0,
    rows_added INTEGER NOT NULL DEFAULT 0,
    rows_replaced INTEGER NOT NULL DEFAULT 0,
    rows_unchanged INTEGER NOT NULL DEFAULT 0,
    rows_refused INTEGER NOT NULL DEFAULT 0,
    undone_at TIMESTAMP,
    undone_by VARCHAR
);
CREATE TABLE IF NOT EXISTS facts (
    indicator VARCHAR NOT NULL,
    unit_id VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    grain VARCHAR NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    suppressed BOOLEAN NOT NULL,
    source VARCHAR,
    upload_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fact_history (
    indicator VARCHAR NOT NULL,
    unit_id VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    grain VARCHAR NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    suppressed BOOLEAN NOT NULL,
    source VARCHAR,
    upload_id INTEGER NOT NULL,
    replaced_by INTEGER NOT NULL,
    replaced_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS units (
    unit_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    region VARCHAR,
    partnership VARCHAR
);
CREATE TABLE IF NOT EXISTS code_history (
    old_code VARCHAR NOT NULL,
    old_name VARCHAR,
    current_code VARCHAR NOT NULL,
    changed DATE
);
CREATE TABLE IF NOT EXISTS milestone_events (
    event_id INTEGER PRIMARY KEY,
    partnership VARCHAR NOT NULL,
    criterion_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    done_date DATE,
    comment VARCHAR,
    evidence VARCHAR,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
"""
# Version 2: file_total, the value is a file's own total row («Totalt», «Hele Ahus»), stored for
# the partnership or region, kept out of series (IF NOT EXISTS: files that got the column before
# versions). The same statements in both dialects.
_FILE_TOTAL = """
ALTER TABLE facts ADD COLUMN IF NOT EXISTS file_total BOOLEAN DEFAULT FALSE;
ALTER TABLE fact_history ADD COLUMN IF NOT EXISTS file_total BOOLEAN DEFAULT FALSE;
"""

_MISSING_ZERO = """
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS missing_zero BOOLEAN DEFAULT FALSE;
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS rows_zero_filled INTEGER DEFAULT 0;
"""

_FACT_INDICATORS = "ALTER TABLE uploads ADD COLUMN IF NOT EXISTS fact_indicators VARCHAR"

# Version 3: the partnership's decisions on its plan and the plan periods made in the board
# (Planoppsett, analytics.plan_overlay). The same statements in both dialects.
_PLAN_TABLES = """
CREATE SEQUENCE IF NOT EXISTS plan_decision_seq START 1;
CREATE TABLE IF NOT EXISTS plan_decisions (
    decision_id INTEGER PRIMARY KEY,
    plan_id VARCHAR NOT NULL,
    entry_id VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    old_value VARCHAR,
    new_value VARCHAR,
    reference VARCHAR,
    decided_by VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    undone_at TIMESTAMP,
    undone_by VARCHAR
);
CREATE SEQUENCE IF NOT EXISTS plan_document_seq START 1;
CREATE TABLE IF NOT EXISTS plan_documents (
    document_id INTEGER PRIMARY KEY,
    plan_id VARCHAR NOT NULL,
    partnership VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    file_name VARCHAR,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    removed_at TIMESTAMP,
    removed_by VARCHAR
);
"""


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in FACT_COLUMNS)


def _sum(column: str) -> str:
    """An exact sum of a DOUBLE column in DuckDB: summed as DECIMAL(38,10), so the result does
    not depend on the order DuckDB's threads add the rows in (a DOUBLE sum over a national
    table differed in its last bits from run to run, and a verdict at a threshold could follow).
    Inputs keep ten decimals; counts, person-years and scores need fewer."""
    return f"sum({column}::DECIMAL(38,10))::DOUBLE"


_MONTH_NO = "(year(period_start) * 12 + month(period_start) - 1)"
# One indicator's rows per unit at a grain of `$months` months (see Store.unit_series).
_UNIT_SERIES = f"""
    WITH f AS (
        SELECT unit_id, period_start, grain, {grain_sql("grain")} AS months, {_MONTH_NO} AS m0,
               value, numerator, denominator, suppressed
        FROM facts WHERE indicator = $indicator AND list_contains($units, unit_id) AND NOT file_total
    ), fine AS (
        SELECT *, m0 // $months * $months AS bucket FROM f WHERE months <= $months
    ), grains AS (  -- per unit and bucket: how much of it each stored grain fills
        SELECT unit_id, bucket, months, sum(months) >= $months AS fills
        FROM fine GROUP BY ALL
    ), chosen AS (
        SELECT unit_id, bucket, arg_min(months, CASE WHEN fills THEN months ELSE 1000 + months END) AS months
        FROM grains GROUP BY ALL
    ), used AS (
        SELECT fine.* FROM fine JOIN chosen USING (unit_id, bucket, months)
    ), built AS (
        SELECT unit_id, make_date((bucket // 12)::INTEGER, (bucket % 12 + 1)::INTEGER, 1) AS period_start,
               $grain AS grain,
               CASE WHEN count(*) = 1 THEN any_value(value)
                    WHEN $kind = 'stock' THEN arg_max(value, period_start)
                    WHEN $kind = 'share' THEN 100 * {_sum("numerator")} / nullif({_sum("denominator")}, 0)
                    WHEN $kind = 'score' THEN {_sum("value")} / count(value) ELSE {_sum("value")} END AS value,
               {_sum("numerator")} AS numerator, {_sum("denominator")} AS denominator,
               bool_or(suppressed) AS suppressed, count(*) AS n_periods,
               any_value(grain) AS source_grain, max(period_start) AS last_start,
               max(m0) + any_value(months) AS end_month, sum(months) < $months AS partial
        FROM used GROUP BY unit_id, bucket
    ), coarse AS (  -- coarser rows, only where no finer row of the unit falls inside them
        SELECT c.unit_id, c.period_start, c.grain, c.value, c.numerator, c.denominator, c.suppressed,
               1 AS n_periods, c.grain AS source_grain, c.period_start AS last_start,
               c.m0 + c.months AS end_month, false AS partial
        FROM f c WHERE c.months > $months AND NOT EXISTS (
            SELECT 1 FROM fine WHERE fine.unit_id = c.unit_id
              AND fine.m0 >= c.m0 AND fine.m0 < c.m0 + c.months)
    )
    SELECT * EXCLUDE (end_month),
           make_date((end_month // 12)::INTEGER, (end_month % 12 + 1)::INTEGER, 1) - 1 AS covered_until
    FROM (SELECT * FROM built UNION ALL BY NAME SELECT * FROM coarse)
    ORDER BY unit_id, period_start, grain
"""
# PostgreSQL's month number of period_start (the native checks; DuckDB's is _MONTH_NO). Its
# extract() is numeric arithmetic per row: the checks skip it for a month, which every month
# start fills (PostgreSQL evaluates AND/OR left to right and stops when the answer is known),
# so checking a 1M-row monthly indicator reads the rows and compares the grain only.
_MONTH_NO_PG = (
    "(extract(year FROM period_start)::INTEGER * 12 + extract(month FROM period_start)::INTEGER - 1)"
)

# The common case of Store.unit_series: every row of the indicator is already a whole period of
# the asked grain (a monthly file read per month; _NATIVE_CHECKS says so). Each row is then its
# own period, so the result is the rows themselves, with the columns _UNIT_SERIES would give
# them (n_periods 1, not partial, covered to the period's last day).
_UNIT_SERIES_NATIVE = f"""
    SELECT unit_id, period_start, value, numerator, denominator, suppressed,
           1::BIGINT AS n_periods, period_start AS last_start, false AS partial,
           make_date(((m0 + $months) // 12)::INTEGER, ((m0 + $months) % 12 + 1)::INTEGER, 1) - 1
               AS covered_until
    FROM (SELECT *, {_MONTH_NO} AS m0 FROM facts
          WHERE indicator = $indicator AND grain = $grain AND list_contains($units, unit_id)
                AND NOT file_total)
    ORDER BY unit_id, period_start, grain
"""
# DuckDB's statement leaves out grain and source_grain, which are the asked grain on every row
# (_NATIVE_CHECKS; so "grain = $grain" holds for every row it reads): a string per row made by
# the database cost a third of a national read's conversion to pandas. Store.unit_series adds
# them (_native_grains) as the database gave them. On PostgreSQL it runs in DuckDB too
# (_FACT_SQL, PostgresStore._indicator_frame).

# Whether every stored row of the indicator is a whole period of the asked grain (then so are
# those of any set of units), for many (indicator, grain) pairs in one scan (Store.native_grains;
# unit_series asks it for its one pair when not told): grouped by the pair asked; a pair
# without rows is native (coalesce).
_NATIVE_CHECKS = f"""
    WITH asked AS (
        SELECT unnest($indicators) AS indicator, unnest($grains) AS asked, unnest($months) AS months
    )
    SELECT a.indicator, a.asked AS grain,
           coalesce(bool_and(f.grain = a.asked AND {_MONTH_NO} % a.months = 0), true) AS native
    FROM asked a LEFT JOIN facts f ON f.indicator = a.indicator AND NOT f.file_total
    GROUP BY a.indicator, a.asked
"""
_NATIVE_CHECKS_PG = f"""
    WITH asked AS (
        SELECT * FROM unnest(%(indicators)s::text[], %(grains)s::text[], %(months)s::INTEGER[])
            AS a(indicator, asked, months)
    )
    SELECT a.indicator, a.asked AS grain,
           coalesce(bool_and(f.grain = a.asked AND (a.months = 1 OR mod({_MONTH_NO_PG}, a.months) = 0)), true)
               AS native
    FROM asked a LEFT JOIN facts f ON f.indicator = a.indicator AND NOT f.file_total
    GROUP BY a.indicator, a.asked
"""

# Store.unit_series_many: _UNIT_SERIES and _UNIT_SERIES_NATIVE for several (indicator, kind, grain)
# asked at once for the same units (Kommune reads ~30 indicators of one municipality), in one
# statement each instead of one per indicator. Each asked pair is a partition of its own (`ask`,
# its position), so every group, sum and choice is the one the single statement makes: the same
# CTEs with `ask` added to every key, $months/$kind/$grain taken from the asked row.
_ASKED = """
    asked AS (
        SELECT unnest($asks) AS ask, unnest($indicators) AS indicator, unnest($kinds) AS kind,
               unnest($grains) AS asked_grain, unnest($months) AS want
    )"""
_UNIT_SERIES_MANY = f"""
    WITH {_ASKED}, f AS (
        SELECT a.ask, a.kind, a.asked_grain, a.want, x.unit_id, x.period_start, x.grain,
               {grain_sql("x.grain")} AS months, {_MONTH_NO} AS m0,
               x.value, x.numerator, x.denominator, x.suppressed
        FROM facts x JOIN asked a ON x.indicator = a.indicator
        WHERE list_contains($units, x.unit_id) AND NOT x.file_total
    ), fine AS (
        SELECT *, m0 // want * want AS bucket FROM f WHERE months <= want
    ), grains AS (
        SELECT ask, unit_id, bucket, months, sum(months) >= any_value(want) AS fills
        FROM fine GROUP BY ask, unit_id, bucket, months
    ), chosen AS (
        SELECT ask, unit_id, bucket,
               arg_min(months, CASE WHEN fills THEN months ELSE 1000 + months END) AS months
        FROM grains GROUP BY ask, unit_id, bucket
    ), used AS (
        SELECT fine.* FROM fine JOIN chosen USING (ask, unit_id, bucket, months)
    ), built AS (
        SELECT ask, unit_id, make_date((bucket // 12)::INTEGER, (bucket % 12 + 1)::INTEGER, 1) AS period_start,
               any_value(asked_grain) AS grain,
               CASE WHEN count(*) = 1 THEN any_value(value)
                    WHEN any_value(kind) = 'stock' THEN arg_max(value, period_start)
                    WHEN any_value(kind) = 'share' THEN 100 * {_sum("numerator")} / nullif({_sum("denominator")}, 0)
                    WHEN any_value(kind) = 'score' THEN {_sum("value")} / count(value) ELSE {_sum("value")} END AS value,
               {_sum("numerator")} AS numerator, {_sum("denominator")} AS denominator,
               bool_or(suppressed) AS suppressed, count(*) AS n_periods,
               any_value(grain) AS source_grain, max(period_start) AS last_start,
               max(m0) + any_value(months) AS end_month, sum(months) < any_value(want) AS partial
        FROM used GROUP BY ask, unit_id, bucket
    ), coarse AS (
        SELECT c.ask, c.unit_id, c.period_start, c.grain, c.value, c.numerator, c.denominator, c.suppressed,
               1 AS n_periods, c.grain AS source_grain, c.period_start AS last_start,
               c.m0 + c.months AS end_month, false AS partial
        FROM f c WHERE c.months > c.want AND NOT EXISTS (
            SELECT 1 FROM fine WHERE fine.ask = c.ask AND fine.unit_id = c.unit_id
              AND fine.m0 >= c.m0 AND fine.m0 < c.m0 + c.months)
    )
    SELECT * EXCLUDE (end_month),
           make_date((end_month // 12)::INTEGER, (end_month % 12 + 1)::INTEGER, 1) - 1 AS covered_until
    FROM (SELECT * FROM built UNION ALL BY NAME SELECT * FROM coarse)
    ORDER BY ask, unit_id, period_start, grain
"""
_UNIT_SERIES_NATIVE_MANY = f"""
    WITH {_ASKED}
    SELECT a.ask, x.unit_id, x.period_start, x.value, x.numerator, x.denominator, x.suppressed,
           1::BIGINT AS n_periods, x.period_start AS last_start, false AS partial,
           make_date(((x.m0 + a.want) // 12)::INTEGER, ((x.m0 + a.want) % 12 + 1)::INTEGER, 1) - 1
               AS covered_until
    FROM (SELECT *, {_MONTH_NO} AS m0 FROM facts
          WHERE list_contains($units, unit_id) AND NOT file_total) x
    JOIN asked a ON x.indicator = a.indicator AND x.grain = a.asked_grain
    ORDER BY a.ask, x.unit_id, x.period_start, x.grain
"""
# known_cells for several (indicator, grain) pairs of the same units (Store.known_cells_many).
# Each row's unit as its position in $units (1-based): Store.known_cells_many puts the names
# back from the units read once, instead of ~200 000 strings converted one by one.
_KNOWN_CELLS_MANY = (
    "WITH asked AS (SELECT unnest($asks) AS ask, unnest($indicators) AS indicator, "
    "unnest($grains) AS grain) "
    "SELECT a.ask, list_position($units, f.unit_id)::INTEGER AS unit_at, f.period_start, f.value, "
    "f.numerator, f.denominator "
    "FROM facts f JOIN asked a ON f.indicator = a.indicator AND f.grain = a.grain "
    "WHERE list_contains($units, f.unit_id) AND NOT f.file_total AND NOT f.suppressed "
    "ORDER BY a.ask, f.unit_id, f.period_start"
)
# The batched reads run on the DuckDB file only: PostgresStore answers each asked pair from the
# indicator's rows it keeps per data version (_indicator_frame), one server read per indicator.
_MANY_SQL: dict[str, str] = {
    "unit_series_many": _UNIT_SERIES_MANY,
    "unit_series_native_many": _UNIT_SERIES_NATIVE_MANY,
    "known_cells_many": _KNOWN_CELLS_MANY,
}


# Schema versions. The store records its version in schema_info; MIGRATIONS[n] takes a store
# from version n-1 to n, one statement list per dialect, side by side. A DuckDB file made before
# versioning has the tables and no schema_info: it is version 1. `python -m loaders migrate`
# applies what is missing (Store.migrate); a DuckDB file is also brought up to date when it is
# opened (one process owns it), a PostgreSQL store only by `migrate` (many servers share it).
MIGRATIONS: dict[int, dict[str, str]] = {
    1: {
        "duckdb": _SCHEMA_V1,
        # PostgreSQL calls DOUBLE "DOUBLE PRECISION"; it gets the indexes its merge, undo and
        # page reads use (DuckDB scans its columns instead and needs none).
        "postgres": _SCHEMA_V1.replace(" DOUBLE,", " DOUBLE PRECISION,")
        + """
CREATE INDEX IF NOT EXISTS facts_key ON facts (indicator, unit_id, period_start, grain);
CREATE INDEX IF NOT EXISTS history_upload ON fact_history (upload_id);
CREATE INDEX IF NOT EXISTS history_replaced_by ON fact_history (replaced_by);
CREATE INDEX IF NOT EXISTS uploads_hash ON uploads (file_hash);
""",
    },
    2: {"duckdb": _FILE_TOTAL, "postgres": _FILE_TOTAL},
    3: {"duckdb": _PLAN_TABLES, "postgres": _PLAN_TABLES},
    # Version 4 (PostgreSQL only): the key's text columns compare bytes (COLLATE "C"), as DuckDB
    # does. The merge's join and sort and the key index's inserts then skip the locale's
    # strcoll (about 20 % of a million-row merge measured here), and ORDER BY gives DuckDB's order
    # under any server locale. Codes and indicator names are ASCII: nothing else changes.
    4: {
        "duckdb": "",
        "postgres": 'ALTER TABLE facts ALTER COLUMN indicator TYPE VARCHAR COLLATE "C", '
        'ALTER COLUMN unit_id TYPE VARCHAR COLLATE "C", ALTER COLUMN grain TYPE VARCHAR COLLATE "C"',
    },
    # Version 5 (PostgreSQL only): facts are indexed by (indicator, unit_id), the two columns
    # every page's read and the merge's fetch select on, instead of the whole key. The merge
    # finds replaced rows by row address, not by the index; a unit's periods of one indicator
    # are a few hundred rows, read together. The smaller index (posting lists of one
    # indicator and unit, about 1/8 of the size) makes writing 958k added rows by COPY 2.2 s
    # instead of 4.7 s measured here (PostgreSQL «B-Tree Indexes», deduplication).
    5: {
        "duckdb": "",
        "postgres": "DROP INDEX IF EXISTS facts_key; "
        "CREATE INDEX IF NOT EXISTS facts_unit ON facts (indicator, unit_id)",
    },
    # Version 6 (PostgreSQL only): fact_history has one index, (replaced_by, upload_id), instead
    # of one on each column. Every merge that replaces rows writes an entry per moved row in
    # each index; the new entries all carry the newest replaced_by, so this one grows at its
    # right edge. Undo finds an upload's own old values (upload_id = X) in it through
    # replaced_by > X: a value is only ever replaced by a later upload (ids from upload_seq),
    # so that bound leaves out nothing (Store.undo). Measured: docs/scaling.md §3.
    6: {
        "duckdb": "",
        "postgres": "DROP INDEX IF EXISTS history_upload; DROP INDEX IF EXISTS history_replaced_by; "
        "CREATE INDEX IF NOT EXISTS history_replaced ON fact_history (replaced_by, upload_id)",
    },
    # Version 7: the upload log says whether the analyst chose «rader som mangler er 0» for the
    # file (loaders.ingest.Choices.missing_zero) and how many absent rows became 0 by it. The
    # same statements in both dialects; older uploads read as not chosen, none filled.
    7: {"duckdb": _MISSING_ZERO, "postgres": _MISSING_ZERO},
    # Version 8: the upload log says which indicators' facts each upload wrote
    # (fact_indicators: a JSON array of their names, sorted, as merge_stage found them in the
    # stage; `indicator` is the caller's label and may be missing). PostgreSQL's merge compares
    # a stamp of only these uploads (PostgresStore._facts_stamp), so a load of another indicator
    # in between does not make it fetch the stored rows again. Uploads logged before (NULL)
    # count for every indicator. The same statement in both dialects.
    8: {"duckdb": _FACT_INDICATORS, "postgres": _FACT_INDICATORS},
}
SCHEMA_VERSION = max(MIGRATIONS)
STORE_TABLES = (
    "units",
    "code_history",
    "uploads",
    "facts",
    "fact_history",
    "milestone_events",
    "plan_decisions",
    "plan_documents",
)
SEQUENCES = {
    "upload_seq": ("uploads", "upload_id"),
    "milestone_seq": ("milestone_events", "event_id"),
    "plan_decision_seq": ("plan_decisions", "decision_id"),
    "plan_document_seq": ("plan_documents", "document_id"),
}


# Statements whose text differs between DuckDB and PostgreSQL: both versions side by side, the
# same '?' parameters in the same order (PostgresStore turns '?' into psycopg's '%s'). DuckDB's
# list_contains is PostgreSQL's = ANY(array); arg_max is the first of an ordered array_agg;
# QUALIFY is DISTINCT ON. tests/test_store.py runs every reading method on both backends.
# The coverage map's last step, the same in both dialects: every unit × period, with its state.
_CELLS_JOIN = """
            SELECT u.unit_id, p.period AS period_start,
                   CASE WHEN f.unit_id IS NULL THEN 'mangler'
                        WHEN f.all_suppressed THEN 'skjult' ELSE 'data' END AS state
            FROM units u CROSS JOIN periods p
            LEFT JOIN f ON f.unit_id = u.unit_id AND f.period = p.period
            ORDER BY u.unit_id, p.period
            """
# The catalogue's last step, the same in both dialects (f: facts per indicator, u: uploads).
_CATALOGUE_JOIN = """
            SELECT coalesce(f.indicator, u.indicator) AS indicator,
                   coalesce(f.n_values, 0) AS n_values, coalesce(f.n_suppressed, 0) AS n_suppressed,
                   coalesce(f.n_units, 0) AS n_units, f.first_period, f.newest_period,
                   f.newest_value_period, f.changed_upload_id, c.loaded_at AS changed_at,
                   u.last_upload_id, u.last_upload_at, coalesce(u.n_uploads, 0) AS n_uploads
            FROM f FULL OUTER JOIN u ON f.indicator = u.indicator
            LEFT JOIN uploads c ON c.upload_id = f.changed_upload_id
            ORDER BY indicator
            """
# Each staged row against the stored facts of the file's indicators ({stored}: facts in the
# DuckDB file, or the rows PostgresStore fetched into the staging DuckDB): added, unchanged, or
# replaced. {kept}: what staged keeps of the stored row, each replaced row's old values
# (_OLD_VALUES) for the DuckDB file's history, or only its address (", b.tid") for PostgreSQL,
# whose history is moved on the server (six columns fewer to write; this statement 2.1 s → 1.5 s
# for 1M replaced rows, one run each at load 3.9).
# Run in DuckDB on both backends; '?' is the list of indicators.
_CLASSIFY = (
    "CREATE OR REPLACE TEMP TABLE staged AS "
    "SELECT a.*, CASE WHEN b.indicator IS NULL THEN 'added' "
    f"WHEN {_SAME_VALUES} THEN 'unchanged' ELSE 'replaced' END AS change {{kept}} "
    "FROM stage a LEFT JOIN (SELECT * FROM {stored} WHERE list_contains(?, indicator)) b "
    f"ON {_KEY_JOIN}"
)
_SQL: dict[str, dict[str, str]] = {
    "tables": {
        "duckdb": "SELECT table_name FROM duckdb_tables() WHERE NOT temporary",
        "postgres": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
    },
    "units": {
        "duckdb": "SELECT * FROM units WHERE (? IS NULL OR partnership = ?) AND list_contains(?, kind) "
        "ORDER BY kind, unit_id",
        "postgres": "SELECT * FROM units WHERE (?::text IS NULL OR partnership = ?) AND kind = ANY(?::text[]) "
        "ORDER BY kind, unit_id",
    },
    "facts": {
        "duckdb": "SELECT indicator, unit_id, period_start, grain, value, numerator, denominator, "
        "suppressed, source, upload_id, file_total FROM facts "
        "WHERE (?::VARCHAR[] IS NULL OR list_contains(?, indicator)) "
        "AND (?::VARCHAR[] IS NULL OR list_contains(?, unit_id)) "
        "AND (?::VARCHAR IS NULL OR grain = ?) AND (? OR NOT file_total) "
        "ORDER BY indicator, unit_id, period_start, grain",
        "postgres": "SELECT indicator, unit_id, period_start, grain, value, numerator, denominator, "
        "suppressed, source, upload_id, file_total FROM facts "
        "WHERE (?::text[] IS NULL OR indicator = ANY(?::text[])) "
        "AND (?::text[] IS NULL OR unit_id = ANY(?::text[])) "
        "AND (?::text IS NULL OR grain = ?) AND (?::BOOLEAN OR NOT file_total) "
        "ORDER BY indicator, unit_id, period_start, grain",
    },
    # Named parameters: DuckDB's $name, psycopg's %(name)s (so '%' is mod() there).
    "native_checks": {"duckdb": _NATIVE_CHECKS, "postgres": _NATIVE_CHECKS_PG},
    # The indicators with a value (a row not suppressed) in the units: indicator_catalogue's
    # n_values > 0, without the catalogue's other counts (Store.indicators_with_values).
    "indicators_with_values": {
        "duckdb": "SELECT DISTINCT indicator FROM facts WHERE list_contains(?, unit_id) AND NOT suppressed "
        "ORDER BY indicator",
        "postgres": "SELECT DISTINCT indicator FROM facts WHERE unit_id = ANY(?::text[]) AND NOT suppressed "
        "ORDER BY indicator",
    },
    "coverage": {
        "duckdb": "SELECT unit_id, count(*) FILTER (WHERE NOT suppressed) AS n_values, "
        "count(*) FILTER (WHERE suppressed) AS n_suppressed, max(period_start) AS newest "
        "FROM facts WHERE indicator = ? AND list_contains(?, unit_id) GROUP BY unit_id",
        "postgres": "SELECT unit_id, count(*) FILTER (WHERE NOT suppressed) AS n_values, "
        "count(*) FILTER (WHERE suppressed) AS n_suppressed, max(period_start) AS newest "
        "FROM facts WHERE indicator = ? AND unit_id = ANY(?::text[]) GROUP BY unit_id",
    },
    "milestone_states": {
        "duckdb": "SELECT * FROM milestone_events WHERE partnership = ? "
        "QUALIFY row_number() OVER (PARTITION BY criterion_id ORDER BY event_id DESC) = 1",
        "postgres": "SELECT DISTINCT ON (criterion_id) * FROM milestone_events WHERE partnership = ? "
        "ORDER BY criterion_id, event_id DESC",
    },
    "coverage_cells": {
        "duckdb": """
            WITH f AS (
                SELECT unit_id,
                       make_date(year(period_start),
                                 ((month(period_start) - 1) // ? * ? + 1)::INTEGER, 1) AS period,
                       bool_and(suppressed) AS all_suppressed
                FROM facts
                WHERE indicator = ? AND list_contains(?, unit_id)
                  AND (?::DATE IS NULL OR period_start >= ?::DATE)
                  AND (?::DATE IS NULL OR period_start <= ?::DATE)
                GROUP BY ALL
            ), periods AS (
                SELECT unnest(generate_series(min(period)::TIMESTAMP, max(period)::TIMESTAMP,
                                              to_months(?)))::DATE AS period
                FROM f HAVING count(*) > 0
            ), units AS (SELECT unnest(?::VARCHAR[]) AS unit_id)"""
        + _CELLS_JOIN,
        "postgres": """
            WITH f AS (
                SELECT unit_id,
                       make_date(extract(year FROM period_start)::INTEGER,
                                 (extract(month FROM period_start)::INTEGER - 1) / ?::INTEGER * ?::INTEGER + 1,
                                 1) AS period,
                       bool_and(suppressed) AS all_suppressed
                FROM facts
                WHERE indicator = ? AND unit_id = ANY(?::text[])
                  AND (?::DATE IS NULL OR period_start >= ?::DATE)
                  AND (?::DATE IS NULL OR period_start <= ?::DATE)
                GROUP BY 1, 2
            ), periods AS (
                SELECT generate_series(min(period)::TIMESTAMP, max(period)::TIMESTAMP,
                                       make_interval(months => ?::INTEGER))::DATE AS period
                FROM f HAVING count(*) > 0
            ), units AS (SELECT unnest(?::text[]) AS unit_id)"""
        + _CELLS_JOIN,
    },
    "indicator_catalogue": {
        "duckdb": """
            WITH f AS (
                SELECT indicator,
                       count(*) FILTER (WHERE NOT suppressed) AS n_values,
                       count(*) FILTER (WHERE suppressed) AS n_suppressed,
                       count(DISTINCT unit_id) AS n_units,
                       min(period_start) AS first_period,
                       max(period_start) AS newest_period,
                       max(period_start) FILTER (WHERE NOT suppressed) AS newest_value_period,
                       max(upload_id) AS changed_upload_id
                FROM facts
                WHERE ?::VARCHAR[] IS NULL OR list_contains(?, unit_id)
                GROUP BY indicator
            ), named AS (
                SELECT trim(unnest(string_split(indicator, ','))) AS indicator, upload_id, loaded_at
                FROM uploads WHERE undone_at IS NULL AND indicator IS NOT NULL
            ), u AS (
                SELECT indicator, max(loaded_at) AS last_upload_at,
                       arg_max(upload_id, loaded_at) AS last_upload_id, count(*) AS n_uploads
                FROM named GROUP BY indicator
            )
            """
        + _CATALOGUE_JOIN,
        "postgres": """
            WITH per_unit AS (  -- two hash aggregations: PostgreSQL sorts for count(DISTINCT)
                SELECT indicator, unit_id,
                       count(*) FILTER (WHERE NOT suppressed) AS n_values,
                       count(*) FILTER (WHERE suppressed) AS n_suppressed,
                       min(period_start) AS first_period,
                       max(period_start) AS newest_period,
                       max(period_start) FILTER (WHERE NOT suppressed) AS newest_value_period,
                       max(upload_id) AS changed_upload_id
                FROM facts
                WHERE ?::text[] IS NULL OR unit_id = ANY(?::text[])
                GROUP BY indicator, unit_id
            ), f AS (
                SELECT indicator, sum(n_values)::BIGINT AS n_values,
                       sum(n_suppressed)::BIGINT AS n_suppressed, count(*) AS n_units,
                       min(first_period) AS first_period, max(newest_period) AS newest_period,
                       max(newest_value_period) AS newest_value_period,
                       max(changed_upload_id) AS changed_upload_id
                FROM per_unit GROUP BY indicator
            ), named AS (
                SELECT trim(x.name) AS indicator, p.upload_id, p.loaded_at
                FROM uploads p, unnest(string_to_array(p.indicator, ',')) AS x(name)
                WHERE p.undone_at IS NULL AND p.indicator IS NOT NULL
            ), u AS (
                SELECT indicator, max(loaded_at) AS last_upload_at,
                       (array_agg(upload_id ORDER BY loaded_at DESC))[1] AS last_upload_id,
                       count(*) AS n_uploads
                FROM named GROUP BY indicator
            )
            """
        + _CATALOGUE_JOIN,
    },
    "fact_sources": {
        "duckdb": "SELECT u.upload_id, u.file_name, u.file_hash, u.loaded_at, u.demo, count(*) AS n_facts "
        "FROM facts f JOIN uploads u ON u.upload_id = f.upload_id "
        "WHERE list_contains(?, f.indicator) "
        "GROUP BY u.upload_id, u.file_name, u.file_hash, u.loaded_at, u.demo ORDER BY u.upload_id",
        "postgres": "SELECT u.upload_id, u.file_name, u.file_hash, u.loaded_at, u.demo, count(*) AS n_facts "
        "FROM facts f JOIN uploads u ON u.upload_id = f.upload_id "
        "WHERE f.indicator = ANY(?::text[]) "
        "GROUP BY u.upload_id, u.file_name, u.file_hash, u.loaded_at, u.demo ORDER BY u.upload_id",
    },
}


# Statements over the facts of one indicator and a set of units (file totals left out),
# written once, in DuckDB's dialect, and run in DuckDB on both backends: on the file directly,
# and in PostgresStore over the indicator's rows fetched from the server as they are stored
# (store_pg._INDICATOR_FACTS: an index read, no sorting, grouping or per-row arithmetic on the
# server), so the answers are the same on both by construction (Store._indicator_frame).
# Measured on the national store with a 1M-row indicator (docs/scaling.md, section 4): the
# server's share of a page view was mostly these statements run in PostgreSQL.
_FACT_SQL: dict[str, str] = {
    "known_cells": "SELECT unit_id, period_start, value, numerator, denominator FROM facts "
    "WHERE indicator = ? AND list_contains(?, unit_id) AND grain = ? AND NOT file_total "
    "AND NOT suppressed ORDER BY unit_id, period_start",
    # Named parameters ($name).
    "unit_series": _UNIT_SERIES,
    "unit_series_native": _UNIT_SERIES_NATIVE,
    "series": f"""
            WITH per_unit AS ({_UNIT_SERIES})
            SELECT period_start, grain,
                   CASE WHEN $kind = 'share' THEN 100 * {_sum("numerator")} / nullif({_sum("denominator")}, 0)
                        WHEN $kind = 'score' THEN {_sum("value")} / count(value) ELSE {_sum("value")} END AS value,
                   {_sum("numerator")} AS numerator, {_sum("denominator")} AS denominator,
                   count(DISTINCT unit_id) AS n_units, count(*) FILTER (WHERE suppressed) AS n_suppressed,
                   max(n_periods) AS n_periods, max(last_start) AS last_start,
                   max(covered_until) AS covered_until, bool_or(partial) AS partial
            FROM per_unit GROUP BY period_start, grain ORDER BY period_start, grain
            """,
}


def _table(name: str) -> str:
    """A store table's name for SQL, checked against the fixed list (never from user text)."""
    if name not in (*STORE_TABLES, "schema_info"):
        raise ValueError(f"not a store table: {name!r}")
    return name


def _as_text(rows: Iterable[Sequence[object]]) -> list[tuple[str | None, ...]]:
    """Rows as sorted tuples of text (a missing value None), to compare rows read from either
    backend with a frame's (sync_reference): dates as ISO dates, numbers and text as str."""

    def text(value: object) -> str | None:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    return sorted(
        (tuple(text(v) for v in row) for row in rows), key=lambda r: [(v is None, v or "") for v in r]
    )


def _native_grains(rows: pd.DataFrame, grain: str) -> pd.DataFrame:
    """The native statement's rows with grain and source_grain, both ``grain`` on every row,
    where the statement leaves them out (DuckDB's, see _UNIT_SERIES_NATIVE): as DuckDB gives
    a text column (pandas' str dtype; object when there are no rows), in its place."""
    if "grain" in rows.columns:
        return rows
    dtype = object if rows.empty else pd.StringDtype(na_value=float("nan"))
    for position, name in ((2, "grain"), (8, "source_grain")):
        rows.insert(position, name, pd.array([grain] * len(rows), dtype=dtype))
    return rows


def _repeated_periods(rows: pd.DataFrame) -> bool:
    """Whether rows sorted by unit and period hold a unit's period twice (two stored grains)."""
    units, starts = rows["unit_id"].to_numpy(), rows["period_start"].to_numpy()
    return bool(((units[1:] == units[:-1]) & (starts[1:] == starts[:-1])).any())


def _frame_columns(frame: object) -> list[str]:
    """Column names of a pandas DataFrame or an arrow table."""
    return [str(c) for c in (frame.columns if isinstance(frame, pd.DataFrame) else frame.column_names)]


def _figure_or_null(column: str) -> str:
    """DuckDB SQL for an upload's figure column (a constant name) as DOUBLE, a float NaN as
    NULL: arrow keeps a NaN (pandas may), and a NaN is a missing figure to every read and to
    the exact sums (DECIMAL casts refuse NaN: «Could not cast value nan»)."""
    figure = f"CAST({column} AS DOUBLE)"
    return f"CASE WHEN isnan({figure}) THEN NULL ELSE {figure} END AS {column}"


# The staged figures of Store.ingest, each with the NaN guard.
_FIGURES_STAGED = ", ".join(_figure_or_null(c) for c in ("value", "numerator", "denominator"))

# Store.per_version: values kept per store object until its data version changes.
Kept = TypeVar("Kept")
PER_VERSION_ENTRIES = 64
_PER_VERSION_LOCK = threading.Lock()


class StoreError(Exception):
    """The store cannot be used (corrupt, locked, wrong file); message in Norwegian."""


def fact_indicators_json(indicators: Iterable[str]) -> str:
    """uploads.fact_indicators for an upload that writes facts of `indicators`: a JSON array of
    the distinct names, sorted (exact for any name, commas included; schema version 8)."""
    return json.dumps(sorted(set(indicators)), ensure_ascii=False)


@dataclass(frozen=True)
class UploadMeta:
    file_name: str
    file_hash: str
    loaded_by: str = "lokal"
    indicator: str | None = None
    source: str | None = None
    demo: bool = False
    rows_refused: int = 0
    missing_zero: bool = False  # the analyst chose «rader som mangler er 0» for this file
    rows_zero_filled: int = 0  # absent rows stored as 0 by that choice (among the rows in)


@dataclass(frozen=True)
class UploadResult:
    upload_id: int | None
    rows_in: int
    added: int
    replaced: int
    unchanged: int
    duplicate_of: int | None = None  # the same file was loaded before (by hash)

    @property
    def summary(self) -> str:
        if self.duplicate_of is not None:
            return f"Filen er allerede lastet inn (opplasting {self.duplicate_of}); ingenting er endret."
        return (
            f"Opplasting {self.upload_id}: {counted(self.rows_in, 'rad', 'rader')} lest, {self.added} nye, "
            f"{self.replaced} erstattet, {self.unchanged} uendret."
        )


def pause_in_transaction(upload_id: int) -> None:
    """A test kills the process here (SIGKILL), inside an upload's transaction, to prove an
    upload is all or nothing: with BOARD_TEST_PAUSE_IN_TRANSACTION set, say so in that file
    and wait."""
    pause = os.environ.get("BOARD_TEST_PAUSE_IN_TRANSACTION")
    if pause:
        Path(pause).write_text(str(upload_id), encoding="utf-8")
        time.sleep(120)


def undo_summary(upload_id: int, removed: int) -> str:
    """What undoing an upload did, in one sentence (the CLI and Datakatalog say the same)."""
    values = counted(removed, "verdi", "verdier")
    return f"Opplasting {upload_id} er angret: {values} er fjernet og tidligere verdier gjenopprettet."


def zero_filled_text(rows: int) -> str:
    """«N rader fylt inn som 0 (valgt ved opplasting)»: the rows an upload stored as 0 by the
    analyst's choice «rader som mangler er 0» (the CLI, the upload page and the Datakatalog's
    upload log say the same)."""
    return f"{counted(rows, 'rad', 'rader')} fylt inn som 0 (valgt ved opplasting)"


def open_store(
    target: Path | str,
    read_only: bool = False,
    migrate: bool = False,
    read_target: str | None = None,
    setting: str = "BOARD_DB eller --db",
) -> Store:
    """The store at `target`: a DuckDB file's path, or a postgresql://… connection string.

    Both backends keep one contract (this class's methods); pages and analytics never ask which
    one they have. `migrate` brings an older PostgreSQL schema up to date (a DuckDB file always
    is, on opening). `read_target` (BOARD_READ_DB) is a read replica of a PostgreSQL `target`:
    reads go there, writes to `target`. Raises StoreError with one Norwegian sentence when it
    cannot be used (a read replica of a DuckDB file included); `setting` names where a server
    address came from in that sentence («--from», «--to» for `loaders copy`).
    """
    if read_target and not config.is_server_url(read_target):
        raise StoreError(f"BOARD_READ_DB «{read_target}» er ingen postgresql://-adresse.")
    if config.is_server_url(target):
        from analytics.store_pg import PostgresStore

        return PostgresStore(str(target), migrate=migrate, read_url=read_target, setting=setting)
    if read_target:
        raise StoreError(
            "BOARD_READ_DB (en lesekopi) virker bare når BOARD_DB er en PostgreSQL-database "
            f"(postgresql://…), ikke filen «{target}»."
        )
    return Store(target, read_only=read_only)


# Per thread: store id → its versions read while pinned (Store.versions_pinned).
_PINNED = threading.local()


class Store:
    """Owns one DuckDB connection per process; each call takes its own cursor (thread-safe).

    The PostgreSQL backend (analytics.store_pg.PostgresStore) is a subclass: the statements
    both dialects share are written once here with '?' placeholders, the ones that differ are
    in _SQL, one version per dialect side by side, picked by `self.dialect`.
    """

    dialect = "duckdb"

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._write_lock = threading.Lock()
        if read_only and not self.path.exists():  # DuckDB would say only that it cannot open it
            raise StoreError(
                f"Databasefilen «{self.path}» finnes ikke. Kjør «make demo» for å lage demolageret, "
                "eller oppgi stien til lageret."
            )
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = duckdb.connect(str(self.path), read_only=read_only)
            self.migrated = (0, 0)  # (schema version found, version now) when opened
            if not read_only:
                self.migrated = self.migrate()
            elif self.schema_version() > SCHEMA_VERSION:
                raise StoreError(self._newer_message(self.schema_version()))
            self._verify()
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise StoreError(
                    f"Databasefilen «{self.path}» er låst av en annen prosess. "
                    "Lukk det andre programmet (f.eks. en innlasting som pågår) og prøv igjen."
                ) from None
            raise StoreError(
                f"Databasefilen «{self.path}» kan ikke åpnes. Slett den og kjør «make demo» "
                "(eller last inn dataene på nytt) for å lage den på nytt."
            ) from None
        except duckdb.Error:
            raise StoreError(
                f"Databasefilen «{self.path}» er skadet eller ikke en DuckDB-fil. Flytt den bort "
                "og kjør «make demo» for å lage en ny."
            ) from None

    # -- plumbing ---------------------------------------------------------------------

    def _verify(self) -> None:
        """A file damaged inside its blocks opens fine and fails in the middle of a page; read
        every column and look up each primary-key index once (checksums; ~50 ms nationally),
        so it fails here, at start-up, with one message. Names come from the catalogue."""
        tables = self._con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
        for (table,) in tables:
            self._con.execute(f'SELECT bit_xor(hash(COLUMNS(*))) FROM "{table}"').fetchall()
        keys = self._con.execute(
            "SELECT table_name, constraint_column_names[1] FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY'"
        ).fetchall()
        for table, column in keys:
            first = self._con.execute(f'SELECT min("{column}") FROM "{table}"').fetchone()[0]
            if first is not None:
                self._con.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?', [first]).fetchall()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._con.cursor()

    def _write_cursor(self) -> duckdb.DuckDBPyConnection:
        """The cursor writes go through (PostgreSQL: on the primary, not the read replica)."""
        return self._con.cursor()

    def staging_cursor(self) -> duckdb.DuckDBPyConnection:
        """Where a file is read and checked: a cursor on this file (PostgreSQL: in memory)."""
        return self._con.cursor()

    def expose_stored(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Make the stored facts and upload names that a file's checks compare with readable
        as `facts` and `uploads` on the staging cursor `cur`. A cursor on the file sees them."""

    def _q(self, name: str) -> str:
        """The statement `name` in this store's dialect (see _SQL)."""
        return _SQL[name][self.dialect]

    def _lock_writes(self, cur: object, indicators: Sequence[str] = (), file_hash: str | None = None) -> None:
        """Inside a write transaction: wait for the writers this one must follow. DuckDB: one
        process owns the file and _write_lock serialises its threads (nothing to do here).
        PostgreSQL takes advisory locks: an upload of `indicators` (with its `file_hash`) waits
        only for writers of the same indicators or file, every other write for all writers."""

    def _thread_lock(self, indicators: Sequence[str] = ()) -> AbstractContextManager[object]:
        """What this process's threads take before a write transaction (_transaction): the
        DuckDB file's _write_lock for every write (one connection, one writer at a time);
        PostgresStore leaves uploads of given indicators to its advisory locks."""
        return self._write_lock

    def _insert_frame(self, cur: duckdb.DuckDBPyConnection, table: str, frame: object) -> None:
        """Append a pandas or arrow frame (columns named as in `table`) inside `cur`'s transaction."""
        cur.register("frame_in", frame)
        columns = ", ".join(f'"{c}"' for c in _frame_columns(frame))
        cur.execute(f"INSERT INTO {_table(table)} ({columns}) SELECT {columns} FROM frame_in")
        cur.unregister("frame_in")

    @contextmanager
    def _transaction(
        self, cur: object | None = None, indicators: Sequence[str] = (), file_hash: str | None = None
    ) -> Iterator[object]:
        """One write transaction: yields a cursor (`cur`, left open, or a new one, closed after)
        inside BEGIN … COMMIT, ROLLBACK on any exception. Every write of the store goes through
        here: this process's threads take turns on _thread_lock, processes on _lock_writes
        (PostgreSQL's advisory locks), so what is read inside is not changed by another writer
        of the same things. `indicators` (and `file_hash`): an upload that writes facts of
        these indicators only; on PostgreSQL it waits only for writers of the same indicators
        or file (and for every writer not keyed by indicator), so loads of different
        indicators merge at the same time. Without them the write waits for every writer.
        Returning early commits what was done (nothing, for a check that finds no work).
        After COMMIT this thread's pinned versions (versions_pinned) are read again when next
        asked: a page run that writes (a plan decision, an upload) then sees its own write."""
        with (
            self._thread_lock(indicators),
            nullcontext(cur) if cur is not None else self._write_cursor() as cur,
        ):
            cur.execute("BEGIN")
            try:
                self._lock_writes(cur, indicators, file_hash)
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
            _PINNED.__dict__.get("stores", {}).get(id(self), {}).clear()

    # -- schema versions --------------------------------------------------------------

    def schema_version(self) -> int:
        """The version recorded in the store: 0 empty, 1 before versioning (tables, no record)."""
        with self.cursor() as cur:
            return self.schema_version_in(cur)

    def _newer_message(self, version: int) -> str:
        return (
            f"Databasen «{self.describe()}» er laget av en nyere versjon av tavla "
            f"(skjemaversjon {version}, denne versjonen kjenner {SCHEMA_VERSION}). "
            "Oppdater programmet."
        )

    def migrate(self) -> tuple[int, int]:
        """Apply the missing MIGRATIONS in one transaction; returns (version before, after).

        Raises StoreError when the store is newer than this program."""
        with self._transaction() as cur:
            before = self.schema_version_in(cur)
            if before > SCHEMA_VERSION:
                raise StoreError(self._newer_message(before))
            for version in range(before + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version][self.dialect].split(";"):
                    if statement.strip():
                        cur.execute(statement)
            cur.execute("CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL)")
            cur.execute("DELETE FROM schema_info")
            cur.execute("INSERT INTO schema_info VALUES (?)", [max(before, SCHEMA_VERSION)])
        return before, max(before, SCHEMA_VERSION)

    def schema_version_in(self, cur: object) -> int:
        tables = {r[0] for r in cur.execute(self._q("tables")).fetchall()}
        if "schema_info" in tables:
            return int(cur.execute("SELECT max(version) FROM schema_info").fetchone()[0] or 0)
        return 1 if "facts" in tables else 0

    def describe(self) -> str:
        """The store's name for messages: the file path, or the server URL without a password."""
        return str(self.path)

    # -- whole tables (python -m loaders copy) ----------------------------------------

    def table_counts(self) -> dict[str, int]:
        """Rows per table (STORE_TABLES), for the count check after a copy."""
        with self.cursor() as cur:
            return {
                t: int(cur.execute(f"SELECT count(*) FROM {_table(t)}").fetchone()[0]) for t in STORE_TABLES
            }

    def read_table(self, table: str) -> pd.DataFrame:
        """Every row of one of STORE_TABLES, in a stable order."""
        return self._frame(
            f"SELECT * FROM {_table(table)} ORDER BY ALL"
            if self.dialect == "duckdb"
            else f"SELECT * FROM {_table(table)}"
        )

    def load_tables(self, tables: dict[str, pd.DataFrame]) -> dict[str, int]:
        """Fill an empty store with whole tables in one transaction; sequences continue after
        the highest ids. Returns the counts as read back inside the transaction; raises
        StoreError (nothing written) when the store is not empty or a count differs."""
        with self._transaction() as cur:
            busy = [
                t
                for t in ("uploads", "facts", "fact_history", "milestone_events")
                if cur.execute(f"SELECT count(*) FROM {_table(t)}").fetchone()[0]
            ]
            if busy:
                raise StoreError(
                    f"Måldatabasen «{self.describe()}» er ikke tom ({', '.join(busy)}); "
                    "kopier bare til en ny database."
                )
            counts = {}
            for table in STORE_TABLES:
                cur.execute(f"DELETE FROM {_table(table)}")
                frame = tables[table]
                if len(frame):
                    self._insert_frame(cur, table, frame)
                counts[table] = int(cur.execute(f"SELECT count(*) FROM {_table(table)}").fetchone()[0])
                if counts[table] != len(frame):
                    raise StoreError(
                        f"Kopieringen stemmer ikke for {table}: {len(frame)} rader lest, "
                        f"{counts[table]} skrevet; ingenting er lagret."
                    )
            for sequence, (table, column) in SEQUENCES.items():
                top = int(
                    cur.execute(f"SELECT coalesce(max({column}), 0) FROM {_table(table)}").fetchone()[0]
                )
                self._restart_sequence(cur, sequence, top + 1)
        self._settle_after_load()
        return counts

    def _settle_after_load(self) -> None:
        """After load_tables has committed: nothing to do for a DuckDB file (PostgresStore
        vacuums and analyses the copied tables)."""

    def _undo_settings(self, cur: duckdb.DuckDBPyConnection, rows: int) -> None:
        """Before undo's joins of history with facts, for an upload of `rows` values: nothing
        for a DuckDB file (its planner hashes these joins; PostgresStore may say so)."""

    def _restart_sequence(self, cur: duckdb.DuckDBPyConnection, sequence: str, start: int) -> None:
        """DuckDB cannot ALTER a sequence: drop and create it starting at `start`."""
        if sequence not in SEQUENCES:
            raise ValueError(sequence)
        cur.execute(f"DROP SEQUENCE {sequence}")
        cur.execute(f"CREATE SEQUENCE {sequence} START {int(start)}")

    def close(self) -> None:
        self._con.close()

    def _frame(self, sql: str, params: Sequence | dict | None = None) -> pd.DataFrame:
        with self.cursor() as cur:
            return cur.execute(sql, params or []).df()

    def _indicator_frame(
        self, name: str, params: Sequence | dict, indicator: str, unit_ids: Sequence[str]
    ) -> pd.DataFrame:
        """The statement _FACT_SQL[name] (DuckDB's dialect, `params` as it takes them) as a
        DataFrame. It reads only the facts of `indicator` for `unit_ids` (file totals left out):
        here it runs on the file; PostgresStore runs it in DuckDB over those rows fetched from
        the server, so both backends give the same frame from the same statement."""
        return self._frame(_FACT_SQL[name], params)

    def per_version(self, key: Hashable, compute: Callable[[], Kept]) -> Kept:
        """compute() kept in this store object (this process) under `key` until data_version()
        changes: a whole-store read that several callers make per page view (the catalogue,
        whose two callers read it for the same units) runs once per version. At most
        PER_VERSION_ENTRIES values are kept, oldest dropped first; a value computed while the
        version changed is kept under the version read before it, which the next call (reading
        the new version) does not use. Values are shared: callers treat them as read-only."""
        version = self.data_version()
        with _PER_VERSION_LOCK:
            kept = self.__dict__.setdefault("_per_version", {"version": None, "values": OrderedDict()})
            if kept["version"] != version:
                kept["version"], kept["values"] = version, OrderedDict()
            if key in kept["values"]:
                return kept["values"][key]
        value = compute()
        with _PER_VERSION_LOCK:
            if kept["version"] == version:
                kept["values"][key] = value
                while len(kept["values"]) > PER_VERSION_ENTRIES:
                    kept["values"].popitem(last=False)
        return value

    def _scalar(self, sql: str, params: Sequence | None = None) -> object:
        with self.cursor() as cur:
            row = cur.execute(sql, params or []).fetchone()
        return row[0] if row else None

    # -- reference data ---------------------------------------------------------------

    def sync_reference(self, units: pd.DataFrame, code_map: pd.DataFrame) -> None:
        """Replace units and the old→current code map (both small) in one transaction, unless
        the store holds exactly these rows already (read first, on the primary, without the
        write lock). Every board and loader process syncs on opening (open_board), and the
        write takes the lock every writer waits for: on PostgreSQL it waits for every upload
        under way, so a loader starting while another merges would wait for that merge before
        reading its file. A process whose rows are already stored skips the write; the same
        outcome as if it had synced just before a sync that changed them."""
        units = units[["unit_id", "name", "kind", "region", "partnership"]]
        codes = code_map[["old_code", "old_name", "current_code", "changed"]].copy()
        codes["changed"] = pd.to_datetime(codes["changed"]).dt.date
        with self._write_cursor() as cur:
            stored = [
                cur.execute(f"SELECT {', '.join(frame.columns)} FROM {table}").fetchall()
                for table, frame in (("units", units), ("code_history", codes))
            ]
        if _as_text(stored[0]) == _as_text(units.itertuples(index=False)) and _as_text(stored[1]) == _as_text(
            codes.itertuples(index=False)
        ):
            return
        with self._transaction() as cur:
            cur.execute("DELETE FROM units")
            self._insert_frame(cur, "units", units)
            cur.execute("DELETE FROM code_history")
            self._insert_frame(cur, "code_history", codes)

    def units(self, partnership: str | None = None, kinds: Iterable[str] | None = None) -> pd.DataFrame:
        kinds = list(kinds or ["municipality", "district", "region", "partnership"])
        return self._frame(
            self._q("units"),
            [partnership, partnership, kinds],
        )

    # -- ingest -----------------------------------------------------------------------

    def find_upload_by_hash(self, file_hash: str) -> int | None:
        value = self._scalar(
            "SELECT max(upload_id) FROM uploads WHERE file_hash = ? AND undone_at IS NULL",
            [file_hash],
        )
        return int(value) if value is not None else None

    def ingest(self, facts: pd.DataFrame | object, meta: UploadMeta) -> UploadResult:
        """Load one upload's facts (pandas or arrow, FACT_COLUMNS) atomically."""
        if "file_total" not in _frame_columns(facts):  # pandas or arrow without the column
            if isinstance(facts, pd.DataFrame):
                facts = facts.assign(file_total=False)
            else:
                import pyarrow as pa

                facts = facts.append_column("file_total", pa.array([False] * facts.num_rows, pa.bool_()))
        with self.staging_cursor() as cur:
            cur.register("incoming", facts)
            cur.execute(
                "CREATE OR REPLACE TEMP TABLE stage AS SELECT "
                "CAST(indicator AS VARCHAR) AS indicator, CAST(unit_id AS VARCHAR) AS unit_id, "
                "CAST(period_start AS DATE) AS period_start, CAST(grain AS VARCHAR) AS grain, "
                f"{_FIGURES_STAGED}, CAST(suppressed AS BOOLEAN) AS suppressed, "
                "CAST(source AS VARCHAR) AS source, coalesce(CAST(file_total AS BOOLEAN), false) AS file_total "
                "FROM incoming"
            )
            cur.unregister("incoming")
            return self.merge_stage(cur, meta)

    # The merge's dialect hooks (PostgresStore overrides them; see merge_stage).

    def _merge_cursor(self, staging: duckdb.DuckDBPyConnection) -> object | None:
        """The cursor the merge writes with: DuckDB the staging cursor itself (its TEMP stage
        is on the file's connection); None for a new one (PostgreSQL)."""
        return staging

    def _merge(
        self, staging: duckdb.DuckDBPyConnection, cur: object, upload_id: int, indicators: list[str]
    ) -> dict[str, int]:
        """Inside the merge's transaction: the stage into facts; returns rows per change (added,
        replaced, unchanged). DuckDB: `cur` is `staging`, stage and facts are on one connection.
        The first values of the file's indicators are all added, without a join; otherwise the
        stage is classified against the stored facts (_CLASSIFY) and applied (_apply_staged)."""
        if not cur.execute(
            "SELECT count(*) > 0 FROM facts WHERE list_contains(?, indicator)", [indicators]
        ).fetchone()[0]:
            cur.execute(
                f"INSERT INTO facts ({_FACT_LIST}, upload_id) SELECT {_FACT_LIST}, ? FROM stage",
                [upload_id],
            )
            return {"added": int(cur.execute("SELECT count(*) FROM stage").fetchone()[0])}
        cur.execute(_CLASSIFY.format(stored="facts", kept=_OLD_VALUES), [indicators])
        counts = self._apply_staged(cur, upload_id)
        cur.execute("DROP TABLE staged")
        return counts

    @staticmethod
    def _apply_staged(cur: duckdb.DuckDBPyConnection, upload_id: int) -> dict[str, int]:
        """TEMP staged (the stage with a `change` per row: added, replaced, unchanged, and each
        replaced row's old values) into the DuckDB file's facts: the old values to fact_history,
        replaced rows updated in place, added rows inserted. Returns rows per change."""
        cur.execute(  # the replaced values came along in staged: no second join with facts
            f"INSERT INTO fact_history ({_HISTORY_LIST}) SELECT {', '.join(KEY)}, "
            f"{', '.join(f'old_{c}' for c in _VALUE_COLUMNS)}, ?, now() FROM staged WHERE change = 'replaced'",
            [upload_id],
        )
        new_values = ", ".join(f"{c} = a.{c}" for c in _VALUE_COLUMNS if c != "upload_id")
        cur.execute(
            f"UPDATE facts b SET {new_values}, upload_id = ? FROM staged a "
            f"WHERE {_KEY_JOIN} AND a.change = 'replaced'",
            [upload_id],
        )
        cur.execute(
            f"INSERT INTO facts ({_FACT_LIST}, upload_id) SELECT {_FACT_LIST}, ? FROM staged "
            "WHERE change = 'added'",
            [upload_id],
        )
        return dict(cur.execute("SELECT change, count(*) FROM staged GROUP BY change").fetchall())

    @staticmethod
    def _record_counts(cur: duckdb.DuckDBPyConnection, upload_id: int, counts: dict[str, int]) -> None:
        cur.execute(
            "UPDATE uploads SET rows_added = ?, rows_replaced = ?, rows_unchanged = ? WHERE upload_id = ?",
            [counts.get("added", 0), counts.get("replaced", 0), counts.get("unchanged", 0), upload_id],
        )

    @staticmethod
    def _log_upload(
        cur: duckdb.DuckDBPyConnection,
        upload_id: int,
        meta: UploadMeta,
        rows_in: int,
        indicators: Sequence[str],
    ) -> None:
        """The upload's row in the log, inside the merge's transaction (counts follow).
        `indicators`: the stage's indicators, the only ones whose facts the upload writes (and
        its undo changes), kept as fact_indicators (fact_indicators_json)."""
        cur.execute(
            "INSERT INTO uploads (upload_id, loaded_at, loaded_by, file_name, file_hash, "
            "indicator, source, demo, rows_in, rows_refused, missing_zero, rows_zero_filled, "
            "fact_indicators) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                upload_id,
                dt.datetime.now(),
                meta.loaded_by,
                meta.file_name,
                meta.file_hash,
                meta.indicator,
                meta.source,
                meta.demo,
                rows_in,
                meta.rows_refused,
                meta.missing_zero,
                meta.rows_zero_filled,
                fact_indicators_json(indicators),
            ],
        )

    def merge_stage(self, staging: duckdb.DuckDBPyConnection, meta: UploadMeta) -> UploadResult:
        """Merge the staging cursor's TEMP stage (a table or a view of FACT_COLUMNS) into facts
        in one transaction: all rows or none; replaced values go to fact_history (for undo).
        The loader (loaders.staging) builds the stage; this is the only way facts are written.

        One skeleton for both backends (_merge differs): under the write lock (on PostgreSQL
        the locks of the stage's indicators and the file hash: _transaction), the file hash is
        checked again (the same file loaded by two processes at once lands once), the upload is
        logged, the stage is merged (classified against the stored facts of its indicators,
        applied) and the counts recorded. The upload id is drawn under those locks, so of two
        uploads that write one key the later to merge has the higher id (undo relies on it)."""
        rows_in, indicators = staging.execute(
            "SELECT count(*), list(DISTINCT indicator) FROM stage"
        ).fetchone()
        rows_in, indicators = int(rows_in), list(indicators or [])
        with self._transaction(self._merge_cursor(staging), indicators, meta.file_hash) as cur:
            duplicate = cur.execute(
                "SELECT max(upload_id) FROM uploads WHERE file_hash = ? AND undone_at IS NULL",
                [meta.file_hash],
            ).fetchone()[0]
            if duplicate is not None:
                return UploadResult(None, rows_in, 0, 0, 0, duplicate_of=int(duplicate))
            upload_id = int(cur.execute("SELECT nextval('upload_seq')").fetchone()[0])
            self._log_upload(cur, upload_id, meta, rows_in, indicators)
            counts = self._merge(staging, cur, upload_id, indicators)
            self._record_counts(cur, upload_id, counts)
            pause_in_transaction(upload_id)
        return UploadResult(
            upload_id,
            rows_in,
            counts.get("added", 0),
            counts.get("replaced", 0),
            counts.get("unchanged", 0),
        )

    def undo(self, upload_id: int, undone_by: str = "lokal") -> int:
        """Undo one upload: remove its values and restore what it replaced. Returns rows removed."""
        with self._transaction() as cur:  # asked under the lock: two undos of one upload undo it once
            row = cur.execute("SELECT undone_at FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()
            if row is None:
                raise KeyError(upload_id)
            if row[0] is not None:
                return 0
            removed = int(
                cur.execute("SELECT count(*) FROM facts WHERE upload_id = ?", [upload_id]).fetchone()[0]
            )
            cur.execute("DELETE FROM facts WHERE upload_id = ?", [upload_id])
            self._undo_settings(cur, removed)
            # Values this upload replaced come back where nothing newer has taken the key.
            cur.execute(
                f"INSERT INTO facts ({_FACT_LIST}, upload_id) SELECT {_prefixed('a')}, a.upload_id "
                "FROM fact_history a "
                "WHERE a.replaced_by = ? AND NOT EXISTS "
                f"(SELECT 1 FROM facts b WHERE {_KEY_JOIN})",
                [upload_id],
            )
            # This upload's own values in history (upload_id = X) were replaced by later
            # uploads: replaced_by > X always holds for them (upload ids grow), and says so to
            # PostgreSQL, whose one history index starts with replaced_by (schema version 6).
            cur.execute(
                "DELETE FROM fact_history a WHERE a.replaced_by = ? AND NOT EXISTS "
                f"(SELECT 1 FROM fact_history b WHERE b.replaced_by > ? AND b.upload_id = ? AND {_KEY_JOIN})",
                [upload_id, upload_id, upload_id],
            )
            # Where a later upload replaced this one's value, the older value now counts
            # as replaced by that later upload.
            cur.execute(
                "UPDATE fact_history a SET replaced_by = b.replaced_by FROM fact_history b "
                f"WHERE a.replaced_by = ? AND b.replaced_by > ? AND b.upload_id = ? AND {_KEY_JOIN}",
                [upload_id, upload_id, upload_id],
            )
            cur.execute(
                "DELETE FROM fact_history WHERE replaced_by > ? AND upload_id = ?", [upload_id, upload_id]
            )
            cur.execute(
                "UPDATE uploads SET undone_at = ?, undone_by = ? WHERE upload_id = ?",
                [dt.datetime.now(), undone_by, upload_id],
            )
        return removed

    # -- reading ----------------------------------------------------------------------

    @contextmanager
    def versions_pinned(self) -> Iterator[None]:
        """Inside: data_version() and plan_version() are read once on this thread and then
        answered from that reading, so one piece of work (a municipality's view asks for them
        some hundred times, ~1 ms each) sees one version throughout. Other threads (a page
        beside the warming watcher) are not affected; nested use keeps the outer reading.
        dashboard.py pins each page run: on PostgreSQL every reading is a pooled connection
        and two round trips to the server, and a run asked 40–70 times (the plan version for
        every board.plan call). A write on this thread (_transaction) drops the readings, so
        the run sees its own write; a version that changes elsewhere during the run is seen
        by the next run (values computed meanwhile are kept under the older version, which
        the next run no longer asks for)."""
        pins = _PINNED.__dict__.setdefault("stores", {})
        if id(self) in pins:
            yield
            return
        pins[id(self)] = {}
        try:
            yield
        finally:
            del pins[id(self)]

    def _pinned(self, name: str, read: Callable[[], str]) -> str:
        """``read()``, or its pinned reading on this thread (versions_pinned)."""
        pinned = _PINNED.__dict__.get("stores", {}).get(id(self))
        if pinned is None:
            return read()
        if name not in pinned:
            pinned[name] = read()
        return pinned[name]

    def data_version(self) -> str:
        """Changes whenever an upload lands, is undone, a milestone is edited, or a plan decision
        or plan period is stored or undone (cache key). Pinned inside versions_pinned."""
        return self._pinned("data", self._read_data_version)

    def _read_data_version(self) -> str:
        with self.cursor() as cur:
            uploads = cur.execute(
                "SELECT count(*), coalesce(max(upload_id), 0), count(undone_at) FROM uploads"
            ).fetchone()
            events = cur.execute(
                "SELECT count(*), coalesce(max(event_id), 0) FROM milestone_events"
            ).fetchone()
        return f"{uploads[0]}-{uploads[1]}-{uploads[2]}-{events[0]}-{events[1]}-{self.plan_version()}"

    def uploads(self) -> pd.DataFrame:
        return self._frame("SELECT * FROM uploads ORDER BY upload_id DESC")

    def is_demo(self) -> bool:
        """True when any active upload came from the synthetic demo generator."""
        return bool(self._scalar("SELECT count(*) > 0 FROM uploads WHERE demo AND undone_at IS NULL"))

    def figure_sources(self) -> pd.DataFrame:
        """Per indicator with stored facts, whether any come from the synthetic demo generator
        (``demo``) and whether any from a loaded file (``loaded``): one row per indicator,
        sorted. For the demo label on a demo store someone loaded files into (a full pass over
        facts: call it on a demo store only); read once per data version (per_version)."""
        return self.per_version(
            ("figure_sources",),
            lambda: self._frame(
                "SELECT f.indicator, bool_or(u.demo) AS demo, bool_or(NOT u.demo) AS loaded "
                "FROM facts f JOIN uploads u ON u.upload_id = f.upload_id GROUP BY f.indicator ORDER BY 1"
            ),
        ).copy()

    def fact_count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM facts"))

    def history_count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM fact_history"))

    def facts(
        self,
        indicators: Sequence[str] | None = None,
        unit_ids: Sequence[str] | None = None,
        grain: str | None = None,
        file_totals: bool = False,
    ) -> pd.DataFrame:
        """Raw long facts, filtered; sorted by indicator, unit, period. A file's own total rows
        (file_total) are left out unless `file_totals` (the export keeps them)."""
        return self._frame(
            self._q("facts"),
            [indicators, indicators, unit_ids, unit_ids, grain, grain, file_totals],
        )

    def known_cells(self, indicator: str, unit_ids: Sequence[str], grain: str) -> pd.DataFrame:
        """The stored cells of one indicator at one grain that are not suppressed (file totals
        left out): unit_id, period_start, value, numerator, denominator, sorted by unit and period. What the
        protected cube is built from (analytics.hierarchy), read without the other columns."""
        return self._indicator_frame("known_cells", [indicator, list(unit_ids), grain], indicator, unit_ids)

    def known_cells_many(
        self, asked: Sequence[tuple[str, str]], unit_ids: Sequence[str]
    ) -> list[pd.DataFrame]:
        """known_cells for several (indicator, grain) pairs of the same units in one statement:
        one frame per pair, in order, each what ``known_cells(indicator, unit_ids, grain)``
        returns (rows, columns, types, order). A pair without cells (whose frame's types the
        database gives only when it is read alone) is read alone."""
        asked = [(str(i), str(g)) for i, g in asked]
        found: dict[int, pd.DataFrame] = {}
        if asked:
            frame = self._frame(
                _MANY_SQL["known_cells_many"],
                {
                    "asks": list(range(len(asked))),
                    "indicators": [i for i, _ in asked],
                    "grains": [g for _, g in asked],
                    "units": list(unit_ids),
                },
            )
            # The units' names as the database gives a text column (its values and type), each
            # row's taken by position: the frame known_cells reads, ~20 % less work for 200 000 rows.
            # (No rows: every pair is read alone below.)
            at = frame.pop("unit_at").to_numpy(dtype="int64") - 1
            if len(frame):
                names = self._frame("SELECT unnest($units) AS unit_id", {"units": list(unit_ids)})["unit_id"]
                frame.insert(1, "unit_id", pd.Series(names.array.take(at), index=frame.index))
            for ask, rows in frame.groupby("ask", sort=False):
                found[int(ask)] = rows.drop(columns="ask").reset_index(drop=True)
        empty: pd.DataFrame | None = None  # every pair's frame without cells is alike
        for n, (indicator, grain) in enumerate(asked):
            if n not in found:
                found[n] = self.known_cells(indicator, unit_ids, grain) if empty is None else empty.copy()
                empty = found[n] if found[n].empty else empty
        return [found[n] for n in range(len(asked))]

    def native_grains(self, asked: Sequence[tuple[str, str]]) -> dict[tuple[str, str], bool]:
        """For each (indicator, grain) asked: whether every stored row of the indicator (file
        totals left out) is a whole period of the grain, as unit_series checks it before a read
        (_NATIVE_CHECKS), for all of them in one statement (a page that reads thirty indicators
        asked thirty times). An indicator without rows is native. Grains as unit_series takes
        them (month, quarter, tertial, year); raises ValueError for another."""
        pairs = list(dict.fromkeys((str(i), str(g)) for i, g in asked))
        if not pairs:
            return {}
        months = [grain_months(g) for _, g in pairs]
        if any(m > 12 or 12 % m for m in months):
            raise ValueError(f"a series is built per month, quarter, tertial or year, not {pairs}")
        frame = self._frame(
            self._q("native_checks"),
            {"indicators": [i for i, _ in pairs], "grains": [g for _, g in pairs], "months": months},
        )
        found = {
            (str(i), str(g)): bool(n)
            for i, g, n in zip(frame["indicator"], frame["grain"], frame["native"], strict=True)
        }
        return {pair: found[pair] for pair in pairs}

    def unit_series(
        self, indicator: str, unit_ids: Sequence[str], kind: str, grain: str, native: bool | None = None
    ) -> pd.DataFrame:
        """Per unit, the indicator at `grain` built from the finest stored grain that covers it.

        Facts keep the grain their file gave (month, quarter, tertial, year, '3year', ...).
        For each unit and period of `grain` (month, quarter, tertial or year) the rows used are
        those of the finest stored grain that fills the period (all its months); when no grain
        fills it, the finest there is (the period is then `partial`: a year in progress). Rows
        of a coarser grain (a year for a monthly series, FHI's 2019–2021) are used only where
        no finer row of the unit falls inside them; they keep their own period and grain.
        Kinds: count sums; stock takes the last row; share sums numerator and denominator
        (100 × Σnum / Σden); score is the mean. Suppressed cells are missing, never zero.

        Returns unit_id, period_start, grain (the period's own grain), value, numerator,
        denominator, suppressed (any part suppressed), n_periods (rows used), source_grain,
        covered_until (last day with data), partial. File totals are left out.
        native: the answer of the native check (native_grains) when the caller has it; else it
        is asked here (one statement more per read).
        """
        months = grain_months(grain)
        if months > 12 or 12 % months:
            raise ValueError(f"a series is built per month, quarter, tertial or year, not {grain!r}")
        # Most series are stored at the grain they are read at: then each row is its own period
        # and the rows are the answer (a plain read, twice as fast as the grouping).
        check = {"indicator": indicator, "grain": grain, "months": months}
        if native is None:
            native = self.native_grains([(indicator, grain)])[(indicator, grain)]
        if native:
            rows = _native_grains(
                self._indicator_frame(
                    "unit_series_native", {**check, "units": list(unit_ids)}, indicator, unit_ids
                ),
                grain,
            )
            if not _repeated_periods(rows):
                return rows
        return self.unit_series_general(indicator, unit_ids, kind, grain)

    def unit_series_general(
        self, indicator: str, unit_ids: Sequence[str], kind: str, grain: str
    ) -> pd.DataFrame:
        """unit_series by the general statement (periods built from any stored grain); what
        unit_series returns when not every row is a whole period of `grain`."""
        params = {"indicator": indicator, "units": list(unit_ids), "kind": kind, "grain": grain}
        return self._indicator_frame(
            "unit_series", {**params, "months": grain_months(grain)}, indicator, unit_ids
        )

    def unit_series_many(
        self, asked: Sequence[tuple[str, str, str, bool]], unit_ids: Sequence[str]
    ) -> list[pd.DataFrame]:
        """unit_series for several series of the same units at once: ``asked`` is a list of
        (indicator, kind, grain, native), native being the answer of native_grains for
        (indicator, grain); returns one frame per asked series, in order, each what
        ``unit_series(indicator, unit_ids, kind, grain, native)`` returns (same rows, columns,
        types and order). Kommune reads thirty indicators of one municipality: two statements
        (the native reads together, the built ones together) instead of thirty.

        Each asked series is a partition of its own in the statements (_UNIT_SERIES_MANY), so
        its groups and sums are the single statement's. A native read that holds a period twice,
        and a series without rows (whose frame's types the database gives only when it is read
        alone), are read alone. Raises ValueError for a grain unit_series does not take."""
        asked = [(str(i), str(k), str(g), bool(n)) for i, k, g, n in asked]
        for _, _, grain, _ in asked:
            months = grain_months(grain)
            if months > 12 or 12 % months:
                raise ValueError(f"a series is built per month, quarter, tertial or year, not {grain!r}")
        units = list(unit_ids)
        found: dict[int, pd.DataFrame] = {}
        repeated: set[int] = set()
        for native in (True, False):
            picked = [n for n, item in enumerate(asked) if item[3] is native]
            if not picked:
                continue
            params = {
                "asks": picked,
                "indicators": [asked[n][0] for n in picked],
                "kinds": [asked[n][1] for n in picked],
                "grains": [asked[n][2] for n in picked],
                "months": [grain_months(asked[n][2]) for n in picked],
                "units": units,
            }
            frame = self._frame(
                _MANY_SQL["unit_series_native_many" if native else "unit_series_many"], params
            )
            for ask, rows in frame.groupby("ask", sort=False):
                rows = rows.drop(columns="ask").reset_index(drop=True)
                if native:
                    rows = _native_grains(rows, asked[int(ask)][2])
                    if _repeated_periods(rows):
                        repeated.add(int(ask))
                        continue  # read alone below: the general statement builds it
                found[int(ask)] = rows
        # A series without rows: read alone once per statement, the others alike (no rows, and
        # each statement's columns and types do not depend on the series asked).
        empty: dict[bool, pd.DataFrame] = {}
        for n, (indicator, kind, grain, native) in enumerate(asked):
            if n in found:
                continue
            if n not in repeated and native in empty:
                found[n] = empty[native].copy()
                continue
            found[n] = self.unit_series(indicator, units, kind, grain, native)
            if n not in repeated and found[n].empty:
                empty[native] = found[n]
        return [found[n] for n in range(len(asked))]

    def series(self, indicator: str, unit_ids: Sequence[str], kind: str, grain: str) -> pd.DataFrame:
        """One indicator over time, summed across units, at `grain` (see unit_series for how
        each unit's periods are built from the finest stored grain).

        count: sum over units; stock: sum over units of each unit's last value in the period;
        share: summed numerators over summed denominators (never a mean of rates); score: the
        mean. Returns period_start, grain, value, numerator, denominator, n_units, n_suppressed,
        n_periods, last_start, covered_until and partial (some unit's period is not filled,
        e.g. a year in progress).
        """
        months = grain_months(grain)
        if months > 12 or 12 % months:
            raise ValueError(f"a series is built per month, quarter, tertial or year, not {grain!r}")
        return self._indicator_frame(
            "series",
            {"indicator": indicator, "units": list(unit_ids), "kind": kind, "grain": grain, "months": months},
            indicator,
            unit_ids,
        )

    def file_totals(self, indicator: str, unit_id: str, grain: str) -> pd.DataFrame:
        """A file's own total rows («Totalt», «Hele Ahus») stored for `unit_id` (a partnership
        or region) at `grain`: period_start, value, numerator, denominator, suppressed.

        The total a source publishes counts the suppressed cells too, so a partnership's rate
        built on it is not biased the way a sum around suppressed cells is.
        """
        return self._frame(
            "SELECT period_start, value, numerator, denominator, suppressed FROM facts "
            "WHERE file_total AND indicator = ? AND unit_id = ? AND grain = ? ORDER BY period_start",
            [indicator, unit_id, grain],
        )

    def coverage(self, indicator: str, unit_ids: Sequence[str]) -> pd.DataFrame:
        """Per unit: number of periods with a value, suppressed, and the newest period."""
        return self._frame(
            self._q("coverage"),
            [indicator, list(unit_ids)],
        )

    def indicator_summary(self) -> pd.DataFrame:
        return self._frame(
            "SELECT indicator, count(*) AS n_facts, count(DISTINCT unit_id) AS n_units, "
            "min(period_start) AS first_period, max(period_start) AS last_period "
            "FROM facts GROUP BY indicator ORDER BY indicator"
        )

    def current_code_map(self) -> pd.DataFrame:
        return self._frame("SELECT * FROM code_history")

    # -- milestones -------------------------------------------------------------------

    def record_milestone(
        self,
        partnership: str,
        criterion_id: str,
        status: str,
        changed_by: str,
        done_date: dt.date | None = None,
        comment: str | None = None,
        evidence: str | None = None,
        changed_at: dt.datetime | None = None,
    ) -> int:
        with self._transaction() as cur:
            event_id = int(cur.execute("SELECT nextval('milestone_seq')").fetchone()[0])
            cur.execute(
                "INSERT INTO milestone_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    event_id,
                    partnership,
                    criterion_id,
                    status,
                    done_date,
                    comment,
                    evidence,
                    changed_by,
                    changed_at or dt.datetime.now(),
                ],
            )
        return event_id

    def milestone_states(self, partnership: str) -> pd.DataFrame:
        """The latest recorded state of each milestone criterion."""
        return self._frame(
            self._q("milestone_states"),
            [partnership],
        )

    def milestone_history(self, partnership: str, criterion_id: str) -> pd.DataFrame:
        return self._frame(
            "SELECT * FROM milestone_events WHERE partnership = ? AND criterion_id = ? "
            "ORDER BY event_id DESC",
            [partnership, criterion_id],
        )

    # -- plan decisions and plan documents (Planoppsett) ------------------------------

    def plan_version(self) -> str:
        """Changes whenever a plan decision is made or undone, or a plan document is stored.
        Pinned inside versions_pinned."""
        return self._pinned("plan", self._read_plan_version)

    def _read_plan_version(self) -> str:
        with self.cursor() as cur:
            d = cur.execute(
                "SELECT count(*), coalesce(max(decision_id), 0), count(undone_at) FROM plan_decisions"
            ).fetchone()
            p = cur.execute(
                "SELECT count(*), coalesce(max(document_id), 0), count(removed_at) FROM plan_documents"
            ).fetchone()
        return f"d{d[0]}.{d[1]}.{d[2]}p{p[0]}.{p[1]}.{p[2]}"

    def record_plan_decisions(self, rows: Sequence[dict]) -> list[int]:
        """Store decisions (plan_id, entry_id, field, old_value, new_value: JSON text,
        reference, decided_by) in one transaction; returns their ids."""
        ids: list[int] = []
        with self._transaction() as cur:
            for row in rows:
                decision_id = int(cur.execute("SELECT nextval('plan_decision_seq')").fetchone()[0])
                cur.execute(
                    "INSERT INTO plan_decisions (decision_id, plan_id, entry_id, field, old_value, "
                    "new_value, reference, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        decision_id,
                        row["plan_id"],
                        row["entry_id"],
                        row["field"],
                        row["old_value"],
                        row["new_value"],
                        row.get("reference"),
                        row["decided_by"],
                        row.get("decided_at") or dt.datetime.now(),
                    ],
                )
                ids.append(decision_id)
        return ids

    def undo_plan_decision(self, decision_id: int, undone_by: str) -> bool:
        """Mark one decision undone (kept in the history); False if it already was."""
        with self._transaction() as cur:
            row = cur.execute(
                "SELECT undone_at FROM plan_decisions WHERE decision_id = ?", [decision_id]
            ).fetchone()
            if row is None:
                raise KeyError(decision_id)
            if row[0] is not None:
                return False
            cur.execute(
                "UPDATE plan_decisions SET undone_at = ?, undone_by = ? WHERE decision_id = ?",
                [dt.datetime.now(), undone_by, decision_id],
            )
        return True

    def plan_decisions(self, plan_id: str | None = None) -> pd.DataFrame:
        """Every decision (active and undone), oldest first; one plan period or all."""
        return self._frame(
            "SELECT * FROM plan_decisions WHERE (?::VARCHAR IS NULL OR plan_id = ?) ORDER BY decision_id",
            [plan_id, plan_id],
        )

    def save_plan_document(
        self,
        plan_id: str,
        partnership: str,
        body: str,
        origin: str,
        file_name: str | None,
        created_by: str,
    ) -> int:
        """Store a plan period's YAML (a new period or an imported file); an earlier document
        for the same period is marked removed in the same transaction."""
        with self._transaction() as cur:
            now = dt.datetime.now()
            cur.execute(
                "UPDATE plan_documents SET removed_at = ?, removed_by = ? "
                "WHERE plan_id = ? AND removed_at IS NULL",
                [now, created_by, plan_id],
            )
            document_id = int(cur.execute("SELECT nextval('plan_document_seq')").fetchone()[0])
            cur.execute(
                "INSERT INTO plan_documents (document_id, plan_id, partnership, body, origin, "
                "file_name, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [document_id, plan_id, partnership, body, origin, file_name, created_by, now],
            )
        return document_id

    def remove_plan_document(self, plan_id: str, removed_by: str) -> bool:
        """Take a stored plan period off the board (kept in the history); False if none."""
        with self._transaction() as cur:
            found = cur.execute(
                "SELECT count(*) FROM plan_documents WHERE plan_id = ? AND removed_at IS NULL", [plan_id]
            ).fetchone()[0]
            cur.execute(
                "UPDATE plan_documents SET removed_at = ?, removed_by = ? "
                "WHERE plan_id = ? AND removed_at IS NULL",
                [dt.datetime.now(), removed_by, plan_id],
            )
        return bool(found)

    def plan_documents(self, active: bool = True) -> pd.DataFrame:
        """Stored plan documents, oldest first (only those on the board when `active`)."""
        return self._frame(
            "SELECT * FROM plan_documents WHERE NOT ? OR removed_at IS NULL ORDER BY document_id", [active]
        )

    # -- catalogue --------------------------------------------------------------------

    def coverage_cells(
        self,
        indicator: str,
        unit_ids: Sequence[str],
        months: int,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> pd.DataFrame:
        """Every unit × period (periods of `months` months, first to last period with facts):
        state 'data' (a value), 'skjult' (only suppressed cells) or 'mangler' (no row).

        Finer facts roll up into the period: one value in it makes the cell 'data'.
        """
        return self._frame(
            self._q("coverage_cells"),
            [months, months, indicator, list(unit_ids), start, start, end, end, months, list(unit_ids)],
        )

    def indicator_catalogue(self, unit_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Per indicator with facts or uploads: counts and first/newest period within `unit_ids`
        (all units when None); `changed_upload_id`/`changed_at`: the newest upload whose values
        are in scope now; `last_upload_id`/`last_upload_at`: the newest active upload naming it.
        A pass over facts, read once per data version and set of units (per_version: the plan's
        judging and the Datakatalog page both ask for it)."""
        units = None if unit_ids is None else list(unit_ids)
        return self.per_version(
            ("indicator_catalogue", None if units is None else tuple(units)),
            lambda: self._frame(self._q("indicator_catalogue"), [units] * 2),
        ).copy()

    def indicators_with_values(self, unit_ids: Sequence[str]) -> list[str]:
        """The indicators with at least one value (a row not suppressed, file totals included)
        in `unit_ids`, sorted: those whose indicator_catalogue(unit_ids) row has n_values > 0,
        read without the catalogue's other counts (one scan, no distinct units per indicator),
        once per data version and set of units (per_version)."""
        units = list(unit_ids)
        found = self.per_version(
            ("indicators_with_values", tuple(units)),
            lambda: self._frame(self._q("indicators_with_values"), [units])["indicator"].astype(str).tolist(),
        )
        return list(found)

    # -- population -------------------------------------------------------------------

    def fact_sources(self, indicators: Sequence[str]) -> pd.DataFrame:
        """The uploads whose values for `indicators` are in the store now: file name and hash
        (so the board can tell the shipped, approximate population files from real exports)."""
        return self._frame(
            self._q("fact_sources"),
            [list(indicators)],
        )
