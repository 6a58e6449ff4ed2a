"""The store: one class owns the DuckDB file and every SQL statement the board runs.

Facts are kept long (indicator, unit, period start + grain). An upload is one transaction;
a value that changes is moved to fact_history with the upload that replaced it, so any
upload can be undone. All SQL is parameterised; identifiers never come from user text.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from analytics.formatting import counted

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
]
KEY = ("indicator", "unit_id", "period_start", "grain")
_KEY_JOIN = " AND ".join(f"a.{k} = b.{k}" for k in KEY)
_SAME_VALUES = " AND ".join(
    f"a.{c} IS NOT DISTINCT FROM b.{c}" for c in ("value", "numerator", "denominator", "suppressed")
)

SCHEMA = """
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


class StoreError(Exception):
    """The store cannot be used (corrupt, locked, wrong file); message in Norwegian."""


@dataclass(frozen=True)
class UploadMeta:
    file_name: str
    file_hash: str
    loaded_by: str = "lokal"
    indicator: str | None = None
    source: str | None = None
    demo: bool = False
    rows_refused: int = 0


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


def undo_summary(upload_id: int, removed: int) -> str:
    """What undoing an upload did, in one sentence (the CLI and Datakatalog say the same)."""
    values = counted(removed, "verdi", "verdier")
    return f"Opplasting {upload_id} er angret: {values} er fjernet og tidligere verdier gjenopprettet."


# -- staging: one file on its way in ----------------------------------------------------
#
# A file's table is read straight into TEMP tables of one private cursor (nothing persistent),
# mapped and checked there in a few set-based passes, and only Staging.commit() writes, through
# Store._ingest_stage: one transaction. Columns are named c0, c1, ... by position, so a header
# from a file never becomes SQL; the loader maps names to positions. The rules that need a
# reading of free text (units, periods) run in Python over the *distinct* texts and come back
# as small map tables, joined on the cell text as written; the rules on every cell (numbers,
# suppression markers) are the macros below, the one place they are written.

_STAGE_MACROS = [
    # '1 234,5' → '1234,5': spaces, NBSP and narrow NBSP as thousands separators; '12 %' → '12'
    "CREATE OR REPLACE TEMP MACRO stage_clean(t) AS "
    "replace(replace(replace(replace(t, ' ', ''), chr(160), ''), chr(8239), ''), '%', '')",
    # with both marks the last one is the decimal mark: '1.234,5' and '1,234.5' are 1234.5
    "CREATE OR REPLACE TEMP MACRO stage_decimal(t) AS CASE "
    "WHEN contains(t, ',') AND contains(t, '.') THEN CASE "
    "WHEN instr(reverse(t), ',') < instr(reverse(t), '.') THEN replace(replace(t, '.', ''), ',', '.') "
    "ELSE replace(t, ',', '') END ELSE replace(t, ',', '.') END",
    # fast path first ('12', '12,5'); a leading '+' is formula-like and not a number ('=1+1'
    # and '@SUM(A1)' fail the cast anyway); 'inf' and 'nan' pass the cast and are caught by the
    # checks. Nothing is ever evaluated.
    "CREATE OR REPLACE TEMP MACRO stage_number(t) AS CASE "
    "WHEN t IS NULL OR starts_with(t, '+') THEN NULL "
    "ELSE coalesce(TRY_CAST(replace(t, ',', '.') AS DOUBLE), "
    "TRY_CAST(stage_decimal(stage_clean(t)) AS DOUBLE)) END",
    # missing (blank) or a suppression marker: '..', ':', '*', '<5', ...; only asked of cells
    # that are not numbers, so the trim here costs nothing on a clean file
    "CREATE OR REPLACE TEMP MACRO stage_marker(t, markers) AS "
    "t IS NULL OR trim(t) = '' OR list_contains(markers, trim(t)) "
    "OR regexp_full_match(trim(t), '<\\s*\\d+')",
]
_COLUMN_ID = re.compile(r"c\d{1,5}")


class StagingError(Exception):
    """DuckDB could not read the file as told; `reason` is 'encoding' or 'format'."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


@dataclass(frozen=True)
class StageSpec:
    """How a file's columns (by position: 'c0', 'c1', ...) become facts, as the loader decided."""

    unit: str
    period: str | None = None  # one period column, or the year when `subperiod` is set
    subperiod: str | None = None  # quarter or month, beside a year column
    wide: tuple[str, ...] = ()  # one column per period instead
    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    indicator: str | None = None  # a column whose values pick the indicator (profiles)

    def used(self) -> list[str]:
        named = [self.unit, self.period, self.subperiod, self.value, self.numerator, self.denominator]
        columns = [c for c in [*named, self.indicator] if c] + list(self.wide)
        for column in columns:
            if not _COLUMN_ID.fullmatch(column):
                raise ValueError(f"not a staging column id: {column!r}")
        return list(dict.fromkeys(columns))


@dataclass(frozen=True)
class StageStats:
    rows: int  # data rows read (after the header, before footnotes)
    facts: int  # facts ready to load
    units: int
    first_period: dt.date | None
    last_period: dt.date | None
    suppressed: int
    totals: int  # rows recognised as totals ("Totalt", "Hele Ahus") and left out
    refused: int  # rows left out because they had a problem (only when loading the rest)
    indicators: tuple[str, ...] = ()  # the indicators the facts are for
    grain: str | None = None  # the periods' grain, when they share one


_KEYED = "NOT is_total AND unit_id IS NOT NULL AND ind_no IS NOT NULL AND period_start IS NOT NULL"
_NON_NEGATIVE = "('count', 'stock', 'share')"


class Staging:
    """One file on its way in: TEMP tables on a private cursor; only commit() writes."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cur = store.cursor()
        self.columns: list[str] = []
        self._last_row = -1
        self._spec: StageSpec | None = None
        self._stage_kind: str | None = None
        for statement in _STAGE_MACROS:
            self._cur.execute(statement)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closing the cursor drops every TEMP table with it."""
        try:
            self._cur.close()
        except duckdb.Error:
            pass

    def _set_width(self, width: int) -> None:
        self.columns = [f"c{i}" for i in range(width)]

    # -- raw text in --------------------------------------------------------------------

    def read_csv(
        self, path: Path | str, encoding: str, delimiter: str, skip: int, width: int
    ) -> list[tuple[int, str]]:
        """The table body (after `skip` lines) into TEMP raw, every cell text, in file order.

        Returns lines DuckDB could not read as (line number, error type); they are not in raw.
        Raises StagingError when the file cannot be read in this encoding or at all.
        """
        self._set_width(width)
        columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in self.columns) + "}"
        sql = (
            "CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM read_csv(?, encoding = ?, delim = ?, "
            "quote = '\"', escape = '\"', header = false, skip = ?, auto_detect = false, "
            "null_padding = true, store_rejects = true, rejects_table = 'stage_rejects', "
            f"rejects_scan = 'stage_scans', parallel = ?, columns = {columns})"
        )
        drop = "DROP TABLE IF EXISTS stage_rejects; DROP TABLE IF EXISTS stage_scans"
        try:
            self._cur.execute(drop)
            try:
                self._cur.execute(sql, [str(path), encoding, delimiter, skip, True])
            except duckdb.Error as exc:
                # Quoted line breaks with short rows need the sequential reader.
                if "parallel=false" not in str(exc):
                    raise
                self._cur.execute(drop)
                self._cur.execute(sql, [str(path), encoding, delimiter, skip, False])
        except duckdb.InvalidInputException as exc:
            text = str(exc)
            reason = "encoding" if "encoded" in text or "unicode" in text.lower() else "format"
            raise StagingError(reason, text.splitlines()[0]) from None
        except duckdb.Error as exc:
            raise StagingError("format", str(exc).splitlines()[0]) from None
        rejects = self._cur.execute(
            "SELECT line, any_value(error_type) FROM stage_rejects GROUP BY line ORDER BY line"
        ).fetchall()
        self._last_row = self.raw_count() - 1
        return [(int(line), str(kind)) for line, kind in rejects]

    def load_rows(self, rows: list[list[str | None]], width: int) -> None:
        """Rows already read in Python (an Excel sheet's body) into TEMP raw, in order."""
        import pyarrow as pa

        self._set_width(width)
        table = pa.table(
            {
                name: pa.array([row[i] if i < len(row) else None for row in rows], pa.string())
                for i, name in enumerate(self.columns)
            }
        )
        self._cur.register("rows_in", table)
        self._cur.execute("CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM rows_in")
        self._cur.unregister("rows_in")
        self._last_row = len(rows) - 1

    def raw_count(self) -> int:
        return int(self._cur.execute("SELECT count(*) FROM raw").fetchone()[0])

    def head(self, n: int) -> list[tuple]:
        """The first rows as read: cells as text, row numbers 0, 1, ... in file order."""
        return self._cur.execute("SELECT * FROM raw ORDER BY rowid LIMIT ?", [n]).fetchall()

    def end_before_footnotes(self, used: Sequence[str]) -> int:
        """Set and return the last row with two or more filled cells among `used`.

        Rows below it (one cell: "Kilde: NPR", "«:» = skjult") are footnotes, not data.
        """
        StageSpec(unit=used[0], wide=tuple(used[1:])).used()  # ids checked before use
        filled = " + ".join(f"(nullif(trim({c}), '') IS NOT NULL)::INTEGER" for c in used)
        total = self.raw_count()
        last = None
        for lowest in (total - 1000, -1):  # the tail first: footnotes are at the end
            last = self._cur.execute(
                f"SELECT max(rowid) FROM raw WHERE rowid > ? AND ({filled}) >= 2", [lowest]
            ).fetchone()[0]
            if last is not None or lowest < 0:
                break
        self._last_row = -1 if last is None else int(last)
        return self._last_row

    def distinct(self, column: str) -> list[str]:
        """The column's distinct texts, exactly as written (the map tables join on them)."""
        StageSpec(unit=column).used()
        rows = self._cur.execute(
            f"SELECT DISTINCT {column} FROM raw WHERE rowid <= ? AND {column} IS NOT NULL", [self._last_row]
        ).fetchall()
        return [r[0] for r in rows]

    def distinct_pairs(self, first: str, second: str) -> list[tuple[str, str]]:
        StageSpec(unit=first, period=second).used()
        return self._cur.execute(
            f"SELECT DISTINCT coalesce({first}, ''), coalesce({second}, '') FROM raw WHERE rowid <= ?",
            [self._last_row],
        ).fetchall()

    def distinct_in_order(self, column: str) -> list[str]:
        """The column's distinct texts in the order they first appear in the file."""
        StageSpec(unit=column).used()
        rows = self._cur.execute(
            f"SELECT {column} FROM raw WHERE rowid <= ? AND {column} IS NOT NULL GROUP BY {column} "
            "ORDER BY min(rowid)",
            [self._last_row],
        ).fetchall()
        return [r[0] for r in rows]

    def varies(self, column: str, keys: Sequence[str]) -> bool:
        """Whether `column` holds more than one value for some key (unit, period, ...)."""
        StageSpec(unit=column, wide=tuple(keys)).used()
        group = ", ".join(keys) or "1"
        found = self._cur.execute(
            f"SELECT 1 FROM raw WHERE rowid <= ? GROUP BY {group} HAVING count(DISTINCT {column}) > 1 LIMIT 1",
            [self._last_row],
        ).fetchone()
        return found is not None

    def reshape(self, select_sql: str, params: dict, tables: dict[str, pd.DataFrame]) -> list[int]:
        """Replace raw by the rows of `select_sql` (loaders.dimensions: rows kept by a chosen
        value and summed over a dimension or into age bands). The query reads raw (rows up to
        $last) and the small `tables` (registered as TEMP stage_<name>), and gives c0, c1, ...
        and first_row. Returns, per new row, the raw row it stands for (its first), so a
        problem still names a line of the file."""
        for name, frame in tables.items():
            self._cur.register(f"{name}_in", frame)
            self._cur.execute(f"CREATE OR REPLACE TEMP TABLE stage_{name} AS SELECT * FROM {name}_in")
            self._cur.unregister(f"{name}_in")
        self._cur.execute(
            f"CREATE OR REPLACE TEMP TABLE raw_reshaped AS {select_sql}", {**params, "last": self._last_row}
        )
        origin = [
            int(r[0])
            for r in self._cur.execute("SELECT first_row FROM raw_reshaped ORDER BY rowid").fetchall()
        ]
        columns = ", ".join(self.columns)
        self._cur.execute(
            f"CREATE OR REPLACE TEMP TABLE raw AS SELECT {columns} FROM raw_reshaped ORDER BY rowid"
        )
        self._cur.execute("DROP TABLE raw_reshaped")
        self._last_row = len(origin) - 1
        return origin

    # -- map and check ------------------------------------------------------------------

    def map(
        self,
        spec: StageSpec,
        units: pd.DataFrame,
        periods: pd.DataFrame,
        indicators: pd.DataFrame,
        markers: Sequence[str],
    ) -> None:
        """Every value cell with its unit, period, indicator and numbers (TEMP cells).

        units: text, unit_id, source_code, is_current, is_total, reason, unit_no;
        periods: k1, k2, period_start, grain, period_no (k1 = period text, or year with k2 the
        quarter or month, or the column id of a wide column); indicators: k, indicator, grain,
        kind, projection, source, ind_no (k = '' when one indicator covers the file). The
        numbers make a key one integer. Cells hold ids and numbers only (cheap to write); the
        texts of the few cells with a problem are fetched from raw when they are reported.
        """
        used = spec.used()
        missing = [c for c in used if c not in self.columns]
        if missing:
            raise ValueError(f"no such staging columns: {missing}")
        self._spec = spec
        cur = self._cur
        for name, frame in (("units", units), ("periods", periods), ("indicators", indicators)):
            cur.register(f"{name}_in", frame)
            cur.execute(f"CREATE OR REPLACE TEMP TABLE stage_{name} AS SELECT * FROM {name}_in")
            cur.unregister(f"{name}_in")
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE stage_ind AS SELECT DISTINCT ind_no, indicator, grain, kind, "
            "coalesce(projection, false) AS projection, source FROM stage_indicators"
        )

        def col(column: str | None) -> str:
            return column or "NULL::VARCHAR"

        ind_key = f"coalesce({spec.indicator}, '')" if spec.indicator else "''"
        filled = f"coalesce({', '.join(used)}) IS NOT NULL"
        if spec.wide:
            wide = ", ".join(spec.wide)
            source = (
                "SELECT row_no, unit_text, ind_key, k1, '' AS k2, k1 AS col, value_text, "
                "NULL::VARCHAR AS num_text, NULL::VARCHAR AS den_text FROM ("
                f"SELECT rowid AS row_no, {spec.unit} AS unit_text, {ind_key} AS ind_key, {wide} "
                f"FROM raw WHERE rowid <= $last AND {filled}) "
                f"UNPIVOT INCLUDE NULLS (value_text FOR k1 IN ({wide}))"
            )
        else:
            source = (
                f"SELECT rowid AS row_no, {spec.unit} AS unit_text, {ind_key} AS ind_key, "
                f"coalesce({col(spec.period)}, '') AS k1, coalesce({col(spec.subperiod)}, '') AS k2, "
                f"{col(spec.value)} AS value_text, "
                f"{col(spec.numerator)} AS num_text, {col(spec.denominator)} AS den_text "
                f"FROM raw WHERE rowid <= $last AND {filled}"
            )
        if spec.value or spec.wide:
            value = "stage_number(value_text)"
        else:  # numerator and denominator: a share in per cent, a score as a mean
            n, d = "stage_number(num_text)", "stage_number(den_text)"
            value = (
                f"CASE WHEN i.kind = 'share' THEN 100 * {n} / nullif({d}, 0) "
                f"WHEN i.kind = 'score' THEN {n} / nullif({d}, 0) ELSE {n} END"
            )
        # A cell with text that is not a number and not a suppression marker. The marker test
        # runs only where the number did not parse, on the parsed number: written as a CASE,
        # which costs a third of the same test as an AND on 1M cells (0.02 s against 0.055 s).
        numbers = [("value_text", "value")] if spec.value or spec.wide else []
        numbers += [
            (f"{t}_text", n)
            for t, n, c in (("num", "numerator", spec.numerator), ("den", "denominator", spec.denominator))
            if c
        ]
        unreadable = (
            " OR ".join(
                f"CASE WHEN {number} IS NULL AND {text} IS NOT NULL "
                f"THEN NOT stage_marker({text}, $markers) ELSE false END"
                for text, number in numbers
            )
            or "false"
        )
        cur.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE cells AS
            WITH src AS ({source}), parsed AS (
                SELECT src.*, u.unit_id, u.source_code,
                       coalesce(u.is_current, false) AS is_current, coalesce(u.is_total, false) AS is_total,
                       p.period_start::DATE AS period_start, p.grain, i.ind_no,
                       (i.ind_no * $periods + p.period_no) * $units + u.unit_no AS key_no,
                       {value} AS value, stage_number(num_text) AS numerator,
                       stage_number(den_text) AS denominator
                FROM src
                LEFT JOIN stage_units u ON u.text = src.unit_text
                LEFT JOIN stage_periods p ON p.k1 = src.k1 AND p.k2 = src.k2
                LEFT JOIN stage_indicators i ON i.k = src.ind_key
            )
            SELECT row_no, {"col, " if spec.wide else ""}unit_id, source_code, is_current, is_total,
                   period_start, grain, ind_no, key_no, value, numerator, denominator,
                   {unreadable} AS unreadable
            FROM parsed
            """,
            {
                "last": self._last_row,
                "periods": len(periods) + 1,
                "units": len(units) + 1,
                "markers": list(markers),
            },
        )

    def check(self, today: dt.date, markers: Sequence[str]) -> int:
        """Find every problem (TEMP problems); returns how many.

        One row per problem: row_no, col (the column id it concerns), code, text (the cell as
        written, or the wanted grain), period_start and grain, other_row (the row it clashes
        with). Codes: unit, indicator, period, future, grain, number, negative, duplicate,
        mixed (today's code and older codes for one unit and period), merge (shares of merged
        municipalities without numerator and denominator). One pass over all cells picks the
        few that may have a problem (a missing value may be a suppression marker); the cell
        texts and the detailed checks are for those only.
        """
        spec = self._spec
        cur = self._cur
        if spec.wide:
            cases = " ".join(f"WHEN '{c}' THEN r.{c}" for c in spec.wide)
            value_text = f"CASE s.col {cases} END"
        else:
            value_text = f"r.{spec.value}" if spec.value else "NULL::VARCHAR"
        period_text = "NULL::VARCHAR"
        if not spec.wide:
            parts = ", ".join(f"nullif(r.{c}, '')" for c in (spec.period, spec.subperiod) if c)
            period_text = f"concat_ws(' ', {parts})"
        # Two steps, so the join with raw is built on the few suspects, not on raw.
        cur.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE stage_suspect_ids AS
                SELECT c.*, i.indicator, i.grain AS want_grain, i.kind, coalesce(i.projection, false) AS projection
                FROM cells c LEFT JOIN stage_ind i ON i.ind_no = c.ind_no
                WHERE NOT c.is_total AND (c.unit_id IS NULL OR c.ind_no IS NULL OR c.period_start IS NULL
                    OR (c.period_start > $today AND NOT coalesce(i.projection, false))
                    OR c.grain <> i.grain OR c.unreadable
                    OR NOT isfinite(c.value) OR NOT isfinite(c.numerator) OR NOT isfinite(c.denominator)
                    OR (i.kind IN {_NON_NEGATIVE} AND (c.value < 0 OR c.numerator < 0 OR c.denominator < 0)))
            """,
            {"today": today},
        )
        cur.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE stage_suspect AS
            SELECT s.*, r.{spec.unit} AS unit_text, u.reason AS unit_reason, {period_text} AS period_text,
                   {f"r.{spec.indicator}" if spec.indicator else "NULL::VARCHAR"} AS ind_text,
                   {value_text} AS value_text,
                   {f"r.{spec.numerator}" if spec.numerator else "NULL::VARCHAR"} AS num_text,
                   {f"r.{spec.denominator}" if spec.denominator else "NULL::VARCHAR"} AS den_text
            FROM stage_suspect_ids s JOIN raw r ON r.rowid = s.row_no
            LEFT JOIN stage_units u ON u.text = r.{spec.unit}
            """
        )
        unit_col, ind_col = f"'{spec.unit}'", f"'{spec.indicator or spec.unit}'"
        value_col = "col" if spec.wide else f"'{spec.value or spec.numerator or ''}'"
        period_col = "col" if spec.wide else f"'{spec.subperiod or spec.period or ''}'"
        head = "row_no, {col} AS col, '{code}' AS code, {text} AS text, {start} AS period_start, {grain} AS grain"
        checks = [
            (unit_col, "unit", "coalesce(unit_reason, unit_text)", "NULL", "NULL", "unit_id IS NULL"),
            (ind_col, "indicator", "ind_text", "NULL", "NULL", "ind_no IS NULL"),
            (period_col, "period", "period_text", "NULL", "NULL", "period_start IS NULL"),
            (
                period_col,
                "future",
                "NULL",
                "period_start",
                "grain",
                "period_start > $today AND NOT projection",
            ),
            (period_col, "grain", "want_grain", "period_start", "grain", "grain <> want_grain"),
        ]
        for text, number, column in (
            ("value_text", "value", value_col),
            ("num_text", "numerator", f"'{spec.numerator or ''}'"),
            ("den_text", "denominator", f"'{spec.denominator or ''}'"),
        ):
            # A cell that is not a number (and not a suppression marker), or inf/nan.
            unreadable = (
                f"({text} IS NOT NULL AND {number} IS NULL AND NOT stage_marker({text}, $markers)) "
                f"OR NOT isfinite({number})"
            )
            checks.append(
                (column, "number", f"coalesce({text}, {number}::VARCHAR)", "NULL", "NULL", unreadable)
            )
            checks.append(
                (
                    column,
                    "negative",
                    f"{number}::VARCHAR",
                    "NULL",
                    "NULL",
                    f"{number} < 0 AND kind IN {_NON_NEGATIVE}",
                )
            )
        if not (spec.value or spec.wide):  # a value made from numerator and denominator
            checks = [
                c
                for c in checks
                if not (c[1] in ("number", "negative") and c[0] == value_col and "value" in c[2])
            ]
        selects = [
            f"SELECT {head.format(col=c, code=code, text=t, start=s, grain=g)}, NULL::BIGINT AS other_row "
            f"FROM stage_suspect WHERE {where}"
            for c, code, t, s, g, where in checks
        ]
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE problems AS SELECT DISTINCT * FROM ("
            + " UNION ALL ".join(selects)
            + ")",
            {"today": today, "markers": list(markers)},
        )
        # Keys met more than once: a repeated row, a clash, or a merged municipality's parts.
        # Counting one integer is cheap; the details are worked out for those few keys only.
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE stage_keys AS SELECT key_no FROM cells "
            "WHERE key_no IS NOT NULL AND NOT is_total GROUP BY key_no HAVING count(*) > 1"
        )
        if cur.execute("SELECT count(*) FROM stage_keys").fetchone()[0]:
            key = "PARTITION BY c.key_no"
            cur.execute(
                f"""
                INSERT INTO problems
                WITH candidates AS (
                    SELECT c.*, i.kind, r.{spec.unit} AS unit_as_written,
                           count(DISTINCT c.source_code) OVER ({key}) AS n_codes,
                           bool_or(c.is_current) OVER ({key}) AS any_current,
                           bool_and(c.numerator IS NOT NULL AND c.denominator IS NOT NULL)
                               OVER ({key}) AS all_fractions
                    FROM cells c SEMI JOIN stage_keys k ON c.key_no = k.key_no
                    JOIN stage_ind i ON i.ind_no = c.ind_no
                    JOIN raw r ON r.rowid = c.row_no
                    WHERE NOT c.is_total
                ), clashes AS (
                    SELECT key_no, source_code, min(row_no) AS first_row
                    FROM candidates GROUP BY ALL
                    HAVING count(DISTINCT (value, numerator, denominator)) > 1
                )
                SELECT c.row_no, {unit_col}, 'duplicate', c.unit_as_written, c.period_start, c.grain,
                       d.first_row
                FROM candidates c JOIN clashes d ON c.key_no = d.key_no AND c.source_code = d.source_code
                WHERE c.row_no <> d.first_row
                UNION ALL
                SELECT row_no, {unit_col}, 'mixed', unit_as_written, period_start, grain,
                       min(row_no) FILTER (WHERE is_current) OVER (PARTITION BY key_no)
                FROM candidates WHERE any_current AND n_codes > 1
                QUALIFY NOT is_current
                UNION ALL
                SELECT row_no, {unit_col}, 'merge', unit_as_written, period_start, grain, NULL
                FROM candidates
                WHERE NOT any_current AND n_codes > 1 AND kind IN ('share', 'score') AND NOT all_fractions
                """
            )
        return int(cur.execute("SELECT count(*) FROM problems").fetchone()[0])

    def problems(self, limit: int) -> list[tuple]:
        """The first `limit` problems in file order (row, then column)."""
        return self._cur.execute(
            "SELECT row_no, col, code, text, period_start, grain, other_row FROM problems "
            "ORDER BY row_no, col, code LIMIT ?",
            [limit],
        ).fetchall()

    def finish(self, leave_out_problems: bool = False, detail: bool = True) -> StageStats:
        """The facts to load (TEMP stage, FACT_COLUMNS): repeats once, merged municipalities'
        parts summed into today's unit; rows with problems left out when asked. `detail`:
        also count units, periods and suppressed cells (for the preview)."""
        cur = self._cur
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE stage_out AS SELECT row_no FROM problems "
            "UNION SELECT other_row FROM problems WHERE other_row IS NOT NULL"
        )
        exclude = "AND row_no NOT IN (SELECT row_no FROM stage_out)" if leave_out_problems else ""
        if self._stage_kind == "view":
            cur.execute("DROP VIEW stage")
        elif self._stage_kind == "table":
            cur.execute("DROP TABLE stage")
        repeated = int(cur.execute("SELECT count(*) FROM stage_keys").fetchone()[0]) > 0
        if not repeated:  # the usual case: every key once, so the facts are a view on cells
            self._stage_kind = "view"
            cur.execute(
                "CREATE TEMP VIEW stage AS SELECT i.indicator, c.unit_id, c.period_start, c.grain, "
                "c.value, c.numerator, c.denominator, c.value IS NULL AS suppressed, i.source "
                f"FROM cells c JOIN stage_ind i USING (ind_no) WHERE {_KEYED} {exclude}"
            )
        else:
            self._stage_kind = "table"
            cur.execute(
                f"""
                CREATE TEMP TABLE stage AS
                WITH parts AS (
                    SELECT DISTINCT key_no, ind_no, unit_id, source_code, period_start, grain, value,
                           numerator, denominator
                    FROM cells WHERE {_KEYED} {exclude}
                ), merged AS (
                    SELECT key_no, any_value(ind_no) AS ind_no, any_value(unit_id) AS unit_id,
                           any_value(period_start) AS period_start, any_value(grain) AS grain,
                           count(*) AS n_parts, bool_or(value IS NULL) AS any_missing,
                           sum(value) AS value_sum, sum(numerator) AS numerator,
                           sum(denominator) AS denominator
                    FROM parts GROUP BY key_no
                ), valued AS (
                    SELECT m.*, i.indicator, i.source, CASE
                        WHEN any_missing THEN NULL
                        WHEN n_parts = 1 OR i.kind IN ('count', 'stock') THEN value_sum
                        WHEN i.kind = 'share' THEN 100 * m.numerator / nullif(m.denominator, 0)
                        ELSE m.numerator / nullif(m.denominator, 0) END AS value
                    FROM merged m JOIN stage_ind i ON i.ind_no = m.ind_no
                )
                SELECT indicator, unit_id, period_start, grain, value, numerator, denominator,
                       value IS NULL AS suppressed, source
                FROM valued
                """
            )
        if detail:  # for the preview: what the analyst is about to load
            facts, units, first, last, suppressed, grains = cur.execute(
                "SELECT count(*), count(DISTINCT unit_id), min(period_start), max(period_start), "
                "count(*) FILTER (WHERE suppressed), list(DISTINCT grain) FROM stage"
            ).fetchone()
        else:  # loading: the count is all the log needs
            facts, units, first, last, suppressed = (
                cur.execute("SELECT count(*) FROM stage").fetchone()[0],
                0,
                None,
                None,
                0,
            )
            grains = []
        named = [r[0] for r in cur.execute("SELECT indicator FROM stage_ind").fetchall()]
        if len(named) == 1:  # the usual file: one indicator, no need to look through the facts
            indicators = named if facts else []
        else:
            indicators = [
                r[0] for r in cur.execute("SELECT DISTINCT indicator FROM stage ORDER BY 1").fetchall()
            ]
        totals = cur.execute("SELECT count(DISTINCT row_no) FROM cells WHERE is_total").fetchone()[0]
        refused = 0
        if leave_out_problems:
            refused = cur.execute(
                "SELECT count(*) FROM stage_out o SEMI JOIN cells c ON c.row_no = o.row_no"
            ).fetchone()[0]
        return StageStats(
            rows=self._last_row + 1,
            facts=int(facts),
            units=int(units),
            first_period=first,
            last_period=last,
            suppressed=int(suppressed),
            totals=int(totals),
            refused=int(refused),
            indicators=tuple(indicators),
            grain=grains[0] if len(grains or []) == 1 else None,
        )

    def stage_head(self, n: int) -> pd.DataFrame:
        """The first facts, in file order when every key came once."""
        return self._cur.execute("SELECT * FROM stage LIMIT ?", [n]).df()

    def commit(self, meta: UploadMeta) -> UploadResult:
        """Load TEMP stage into the store: one transaction, all rows or none."""
        with self._store._write_lock:
            return self._store._ingest_stage(self._cur, meta)


class Store:
    """Owns one DuckDB connection per process; each call takes its own cursor (thread-safe)."""

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._write_lock = threading.Lock()
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._con = duckdb.connect(str(self.path), read_only=read_only)
            if not read_only:
                self._con.execute(SCHEMA)
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

    def close(self) -> None:
        self._con.close()

    def _frame(self, sql: str, params: Sequence | dict | None = None) -> pd.DataFrame:
        with self.cursor() as cur:
            return cur.execute(sql, params or []).df()

    def _scalar(self, sql: str, params: Sequence | None = None) -> object:
        with self.cursor() as cur:
            row = cur.execute(sql, params or []).fetchone()
        return row[0] if row else None

    # -- reference data ---------------------------------------------------------------

    def sync_reference(self, units: pd.DataFrame, code_map: pd.DataFrame) -> None:
        """Replace units and the old→current code map (both small) in one transaction."""
        with self._write_lock, self.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("DELETE FROM units")
            cur.register("units_in", units[["unit_id", "name", "kind", "region", "partnership"]])
            cur.execute("INSERT INTO units SELECT * FROM units_in")
            cur.execute("DELETE FROM code_history")
            cur.register("codes_in", code_map[["old_code", "old_name", "current_code", "changed"]])
            cur.execute(
                "INSERT INTO code_history SELECT old_code, old_name, current_code, "
                "CAST(changed AS DATE) FROM codes_in"
            )
            cur.execute("COMMIT")

    def units(self, partnership: str | None = None, kinds: Iterable[str] | None = None) -> pd.DataFrame:
        kinds = list(kinds or ["municipality", "district", "region", "partnership"])
        return self._frame(
            "SELECT * FROM units WHERE (? IS NULL OR partnership = ?) AND list_contains(?, kind) "
            "ORDER BY kind, unit_id",
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
        with self._write_lock, self.cursor() as cur:
            cur.register("incoming", facts)
            cur.execute(
                "CREATE OR REPLACE TEMP TABLE stage AS SELECT "
                "CAST(indicator AS VARCHAR) AS indicator, CAST(unit_id AS VARCHAR) AS unit_id, "
                "CAST(period_start AS DATE) AS period_start, CAST(grain AS VARCHAR) AS grain, "
                "CAST(value AS DOUBLE) AS value, CAST(numerator AS DOUBLE) AS numerator, "
                "CAST(denominator AS DOUBLE) AS denominator, CAST(suppressed AS BOOLEAN) AS suppressed, "
                "CAST(source AS VARCHAR) AS source FROM incoming"
            )
            cur.unregister("incoming")
            return self._ingest_stage(cur, meta)

    def staging(self) -> Staging:
        """A private staging area for one file (see Staging); use it as a context manager."""
        return Staging(self)

    def _ingest_stage(self, cur: duckdb.DuckDBPyConnection, meta: UploadMeta) -> UploadResult:
        """Merge TEMP stage (a table or a view) into facts; caller holds the write lock."""
        rows_in, indicators = cur.execute("SELECT count(*), list(DISTINCT indicator) FROM stage").fetchone()
        rows_in, indicators = int(rows_in), list(indicators or [])
        duplicate = self.find_upload_by_hash(meta.file_hash)
        if duplicate is not None:
            return UploadResult(None, rows_in, 0, 0, 0, duplicate_of=duplicate)
        cur.execute("BEGIN")
        try:
            upload_id = int(cur.execute("SELECT nextval('upload_seq')").fetchone()[0])
            cur.execute(
                "INSERT INTO uploads (upload_id, loaded_at, loaded_by, file_name, file_hash, "
                "indicator, source, demo, rows_in, rows_refused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ],
            )
            existing = cur.execute(
                "SELECT count(*) FROM facts WHERE list_contains(?, indicator)", [indicators]
            ).fetchone()[0]
            if not existing:  # the first values for these indicators: all added, nothing to compare
                cur.execute(f"INSERT INTO facts SELECT {', '.join(FACT_COLUMNS)}, ? FROM stage", [upload_id])
                counts = {"added": rows_in}
            else:
                cur.execute(
                    "CREATE OR REPLACE TEMP TABLE staged AS SELECT a.*, CASE "
                    "WHEN b.indicator IS NULL THEN 'added' "
                    f"WHEN {_SAME_VALUES} THEN 'unchanged' ELSE 'replaced' END AS change "
                    "FROM stage a LEFT JOIN (SELECT * FROM facts WHERE list_contains(?, indicator)) b "
                    f"ON {_KEY_JOIN}",
                    [indicators],
                )
                cur.execute(
                    "INSERT INTO fact_history SELECT b.*, ?, now() FROM facts b "
                    f"JOIN staged a ON {_KEY_JOIN} WHERE a.change = 'replaced'",
                    [upload_id],
                )
                cur.execute(f"DELETE FROM facts b USING staged a WHERE {_KEY_JOIN} AND a.change = 'replaced'")
                cur.execute(
                    f"INSERT INTO facts SELECT {', '.join(FACT_COLUMNS)}, ? FROM staged "
                    "WHERE change <> 'unchanged'",
                    [upload_id],
                )
                counts = dict(cur.execute("SELECT change, count(*) FROM staged GROUP BY change").fetchall())
            cur.execute(
                "UPDATE uploads SET rows_added = ?, rows_replaced = ?, rows_unchanged = ? "
                "WHERE upload_id = ?",
                [counts.get("added", 0), counts.get("replaced", 0), counts.get("unchanged", 0), upload_id],
            )
            # A test kills the process here (SIGKILL) to prove an upload is all or nothing.
            pause = os.environ.get("BOARD_TEST_PAUSE_IN_TRANSACTION")
            if pause:
                Path(pause).write_text(str(upload_id), encoding="utf-8")
                time.sleep(120)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        finally:
            cur.execute("DROP TABLE IF EXISTS staged")
        return UploadResult(
            upload_id,
            rows_in,
            counts.get("added", 0),
            counts.get("replaced", 0),
            counts.get("unchanged", 0),
        )

    def undo(self, upload_id: int, undone_by: str = "lokal") -> int:
        """Undo one upload: remove its values and restore what it replaced. Returns rows removed."""
        with self._write_lock, self.cursor() as cur:
            row = cur.execute("SELECT undone_at FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()
            if row is None:
                raise KeyError(upload_id)
            if row[0] is not None:
                return 0
            cur.execute("BEGIN")
            try:
                removed = int(
                    cur.execute("SELECT count(*) FROM facts WHERE upload_id = ?", [upload_id]).fetchone()[0]
                )
                cur.execute("DELETE FROM facts WHERE upload_id = ?", [upload_id])
                # Values this upload replaced come back where nothing newer has taken the key.
                cur.execute(
                    f"INSERT INTO facts SELECT {', '.join(FACT_COLUMNS)}, upload_id FROM fact_history a "
                    "WHERE a.replaced_by = ? AND NOT EXISTS "
                    f"(SELECT 1 FROM facts b WHERE {_KEY_JOIN})",
                    [upload_id],
                )
                cur.execute(
                    "DELETE FROM fact_history a WHERE a.replaced_by = ? AND NOT EXISTS "
                    f"(SELECT 1 FROM fact_history b WHERE b.upload_id = ? AND {_KEY_JOIN})",
                    [upload_id, upload_id],
                )
                # Where a later upload replaced this one's value, the older value now counts
                # as replaced by that later upload.
                cur.execute(
                    "UPDATE fact_history a SET replaced_by = b.replaced_by FROM fact_history b "
                    f"WHERE a.replaced_by = ? AND b.upload_id = ? AND {_KEY_JOIN}",
                    [upload_id, upload_id],
                )
                cur.execute("DELETE FROM fact_history WHERE upload_id = ?", [upload_id])
                cur.execute(
                    "UPDATE uploads SET undone_at = ?, undone_by = ? WHERE upload_id = ?",
                    [dt.datetime.now(), undone_by, upload_id],
                )
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return removed

    # -- reading ----------------------------------------------------------------------

    def data_version(self) -> str:
        """Changes whenever an upload lands, is undone, or a milestone is edited (cache key)."""
        with self.cursor() as cur:
            uploads = cur.execute(
                "SELECT count(*), coalesce(max(upload_id), 0), count(undone_at) FROM uploads"
            ).fetchone()
            events = cur.execute("SELECT coalesce(max(event_id), 0) FROM milestone_events").fetchone()
        return f"{uploads[0]}-{uploads[1]}-{uploads[2]}-{events[0]}"

    def uploads(self) -> pd.DataFrame:
        return self._frame("SELECT * FROM uploads ORDER BY upload_id DESC")

    def is_demo(self) -> bool:
        """True when any active upload came from the synthetic demo generator."""
        return bool(self._scalar("SELECT count(*) > 0 FROM uploads WHERE demo AND undone_at IS NULL"))

    def fact_count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM facts"))

    def history_count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM fact_history"))

    def facts(
        self,
        indicators: Sequence[str] | None = None,
        unit_ids: Sequence[str] | None = None,
        grain: str | None = None,
    ) -> pd.DataFrame:
        """Raw long facts, filtered; sorted by indicator, unit, period."""
        return self._frame(
            "SELECT indicator, unit_id, period_start, grain, value, numerator, denominator, "
            "suppressed, source, upload_id FROM facts "
            "WHERE (?::VARCHAR[] IS NULL OR list_contains(?, indicator)) "
            "AND (?::VARCHAR[] IS NULL OR list_contains(?, unit_id)) "
            "AND (?::VARCHAR IS NULL OR grain = ?) "
            "ORDER BY indicator, unit_id, period_start",
            [indicators, indicators, unit_ids, unit_ids, grain, grain],
        )

    def series(self, indicator: str, unit_ids: Sequence[str], kind: str, grain: str) -> pd.DataFrame:
        """One indicator over time, summed across units and rolled up to `grain`.

        count: sum over units and periods; stock: sum over units of each unit's last value in
        the period; share/score: summed numerators over summed denominators (never a mean
        of rates). `n_units` and `n_suppressed` say how complete each period is.
        """
        trunc = {"year": "year", "quarter": "quarter", "month": "month"}[grain]
        return self._frame(
            f"""
            WITH base AS (
                SELECT unit_id, date_trunc('{trunc}', period_start)::DATE AS period,
                       period_start, value, numerator, denominator, suppressed
                FROM facts WHERE indicator = ? AND list_contains(?, unit_id)
            ), per_unit AS (
                SELECT unit_id, period,
                       CASE WHEN ? = 'stock' THEN arg_max(value, period_start) ELSE sum(value) END AS value,
                       sum(numerator) AS numerator, sum(denominator) AS denominator,
                       bool_or(suppressed) AS suppressed, count(*) AS n_periods,
                       max(period_start) AS last_start
                FROM base GROUP BY unit_id, period
            )
            SELECT period AS period_start,
                   CASE WHEN ? = 'share' THEN 100 * sum(numerator) / nullif(sum(denominator), 0)
                        WHEN ? = 'score' THEN avg(value) ELSE sum(value) END AS value,
                   sum(numerator) AS numerator,
                   sum(denominator) AS denominator, count(DISTINCT unit_id) AS n_units,
                   count(*) FILTER (WHERE suppressed) AS n_suppressed,
                   max(n_periods) AS n_periods, max(last_start) AS last_start
            FROM per_unit GROUP BY period ORDER BY period
            """,
            [indicator, list(unit_ids), kind, kind, kind],
        )

    def coverage(self, indicator: str, unit_ids: Sequence[str]) -> pd.DataFrame:
        """Per unit: number of periods with a value, suppressed, and the newest period."""
        return self._frame(
            "SELECT unit_id, count(*) FILTER (WHERE NOT suppressed) AS n_values, "
            "count(*) FILTER (WHERE suppressed) AS n_suppressed, max(period_start) AS newest "
            "FROM facts WHERE indicator = ? AND list_contains(?, unit_id) GROUP BY unit_id",
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
        with self._write_lock, self.cursor() as cur:
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
            "SELECT * FROM milestone_events WHERE partnership = ? "
            "QUALIFY row_number() OVER (PARTITION BY criterion_id ORDER BY event_id DESC) = 1",
            [partnership],
        )

    def milestone_history(self, partnership: str, criterion_id: str) -> pd.DataFrame:
        return self._frame(
            "SELECT * FROM milestone_events WHERE partnership = ? AND criterion_id = ? "
            "ORDER BY event_id DESC",
            [partnership, criterion_id],
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
            """
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
            ), units AS (SELECT unnest(?::VARCHAR[]) AS unit_id)
            SELECT u.unit_id, p.period AS period_start,
                   CASE WHEN f.unit_id IS NULL THEN 'mangler'
                        WHEN f.all_suppressed THEN 'skjult' ELSE 'data' END AS state
            FROM units u CROSS JOIN periods p
            LEFT JOIN f ON f.unit_id = u.unit_id AND f.period = p.period
            ORDER BY u.unit_id, p.period
            """,
            [months, months, indicator, list(unit_ids), start, start, end, end, months, list(unit_ids)],
        )

    def indicator_catalogue(self, unit_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Per indicator with facts or uploads: counts and first/newest period within `unit_ids`
        (all units when None); `changed_upload_id`/`changed_at`: the newest upload whose values
        are in scope now; `last_upload_id`/`last_upload_at`: the newest active upload naming it."""
        return self._frame(
            """
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
            SELECT coalesce(f.indicator, u.indicator) AS indicator,
                   coalesce(f.n_values, 0) AS n_values, coalesce(f.n_suppressed, 0) AS n_suppressed,
                   coalesce(f.n_units, 0) AS n_units, f.first_period, f.newest_period,
                   f.newest_value_period, f.changed_upload_id, c.loaded_at AS changed_at,
                   u.last_upload_id, u.last_upload_at, coalesce(u.n_uploads, 0) AS n_uploads
            FROM f FULL OUTER JOIN u ON f.indicator = u.indicator
            LEFT JOIN uploads c ON c.upload_id = f.changed_upload_id
            ORDER BY indicator
            """,
            [None if unit_ids is None else list(unit_ids)] * 2,
        )

    # -- population -------------------------------------------------------------------

    def fact_sources(self, indicators: Sequence[str]) -> pd.DataFrame:
        """The uploads whose values for `indicators` are in the store now: file name and hash
        (so the board can tell the shipped, approximate population files from real exports)."""
        return self._frame(
            "SELECT u.upload_id, u.file_name, u.file_hash, u.loaded_at, u.demo, count(*) AS n_facts "
            "FROM facts f JOIN uploads u ON u.upload_id = f.upload_id "
            "WHERE list_contains(?, f.indicator) "
            "GROUP BY u.upload_id, u.file_name, u.file_hash, u.loaded_at, u.demo ORDER BY u.upload_id",
            [list(indicators)],
        )
