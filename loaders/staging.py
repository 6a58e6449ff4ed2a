"""Staging: one file on its way in, in TEMP tables of one private cursor; only commit() writes.

A file's table is read straight into TEMP tables of one private cursor (nothing persistent),
mapped and checked there in a few set-based passes, and only Staging.commit() writes, through
Store.merge_stage: one transaction. Columns are named c0, c1, ... by position, so a header
from a file never becomes SQL; the loader maps names to positions. The rules that need a
reading of free text (units, periods) run in Python over the *distinct* texts and come back
as small map tables, joined on the cell text as written; the rules on every cell (numbers,
suppression markers) are the macros below, the one place they are written. The checks are
rows of one table (loaders.checks).

A reader hands staging a raw table (read_csv, or load_rows for rows read in Python); the
loader then maps it (map), checks it (check) and makes the facts (finish).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from analytics.periods import GRAIN_MONTHS
from analytics.registry import CellRole
from analytics.store import Store, UploadMeta, UploadResult
from loaders import checks as check_table

# The numbers of a cell a kind may count in whole cases (the registry's `charts:` rows,
# ChartRule.whole_cases): stage_ind holds one boolean column per role, whole_<role>.
WHOLE_ROLES: tuple[CellRole, ...] = typing.get_args(CellRole)

_STAGE_MACROS = [
    # '1 234,5' → '1234,5': spaces, NBSP, narrow NBSP, thin space and figure space (Word's and
    # typeset reports' marks between thousands) as thousands separators; '12 %' → '12'
    # a footnote mark after a number ('12*', '39 *': KPR's and NPR's «foreløpige tall») is no
    # part of it; a lone '*' stays a suppression marker (it has no digit before it)
    # the minus sign U+2212 that SSB's and FHI's tables print ('−3,5') is a minus
    # invisible characters copied with a number from a web page or an e-mail (zero-width space,
    # joiners, direction marks, a byte order mark, soft hyphen) are no part of it
    # (an ASCII cell, nearly every one, skips the search for the other characters: strlen counts
    # bytes, length characters)
    "CREATE OR REPLACE TEMP MACRO stage_clean(t) AS regexp_replace(CASE WHEN strlen(t) = length(t) "
    "THEN replace(replace(t, ' ', ''), '%', '') ELSE replace(regexp_replace(t, "
    "'[ %\u00a0\u202f\u2009\u2007\u200b-\u200f\u2060\ufeff\u00ad]', '', 'g'), chr(8722), '-') END, "
    "'(\\d)\\*+$', '\\1')",
    # with both marks the last one is the decimal mark: '1.234,5' and '1,234.5' are 1234.5
    "CREATE OR REPLACE TEMP MACRO stage_decimal(t) AS CASE "
    "WHEN contains(t, ',') AND contains(t, '.') THEN CASE "
    "WHEN instr(reverse(t), ',') < instr(reverse(t), '.') THEN replace(replace(t, '.', ''), ',', '.') "
    "ELSE replace(t, ',', '') END ELSE replace(t, ',', '.') END",
    # a cell's text as a number: the one place that decides what '.' and ',' mean.
    # mark: a thousands mark the file itself shows to be one (Staging._thousands_mark; NULL
    # without such evidence): '1.234' in a file whose other cells read '2.345,0' or '12,5' is
    # 1234, not 1.234 (and ',' the other way). Else the fast path ('12', '12,5'), then spaces
    # (stage_clean) and both marks (stage_decimal). A leading '+' is formula-like and not a
    # number ('=1+1' and '@SUM(A1)' fail the cast anyway); 'inf' and 'nan' pass the cast and
    # are caught by the checks. Nothing is ever evaluated.
    "CREATE OR REPLACE TEMP MACRO stage_number(t, mark := NULL) AS CASE "
    "WHEN t IS NULL OR starts_with(t, '+') THEN NULL "
    "WHEN mark = '.' AND regexp_full_match(trim(t), '-?\\d{1,3}(\\.\\d{3})+') "
    "THEN TRY_CAST(replace(t, '.', '') AS DOUBLE) "
    "WHEN mark = ',' AND regexp_full_match(trim(t), '-?\\d{1,3}(,\\d{3})+') "
    "THEN TRY_CAST(replace(t, ',', '') AS DOUBLE) "
    "ELSE coalesce(TRY_CAST(replace(t, ',', '.') AS DOUBLE), "
    "TRY_CAST(stage_decimal(stage_clean(t)) AS DOUBLE)) END",
    # missing (blank) or a suppression marker: '..', ':', '*', '<5', ...; only asked of cells
    # that are not numbers, so the trim here costs nothing on a clean file
    "CREATE OR REPLACE TEMP MACRO stage_marker(t, markers) AS "
    "t IS NULL OR trim(t) = '' OR list_contains(markers, trim(t)) "
    "OR regexp_full_match(trim(t), '<\\s*\\d+')",
]
_COLUMN_ID = re.compile(r"c\d{1,5}")


# DuckDB's memory while files are staged (see Staging._limit_memory); a constant, never user text.
STAGING_MEMORY = "256MB"
_MEMORY_LOCK = threading.Lock()
_MEMORY_USERS: list = []  # the setting before the first staging, then one id per staging


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
    totals: int  # total rows ("Totalt", "Hele Ahus") left out: no partnership to hold them
    refused: int  # rows left out because they had a problem (only when loading the rest)
    indicators: tuple[str, ...] = ()  # the indicators the facts are for
    grain: str | None = None  # the periods' grain, when they share one
    outside: int = 0  # rows for known units outside the partnership, left out
    areas: int = 0  # rows for counties, the whole country, SSB's residual rows, left out
    file_totals: int = 0  # total rows stored as the partnership's or region's value
    # Cells holding a fraction where their kind counts whole cases (ChartRule.whole_cases: a
    # count's or a stock's value, a share's numerator or denominator; a score's numerator is a
    # sum of values and need not be whole): how many, the first few row numbers (file order),
    # and the roles holding them ("value", "numerator", "denominator"). Not a problem, since
    # decimals are how some sources write counts («12,0»), but worth a note: «1.234» may be a
    # misread thousands mark, or a rate in a count's place.
    fractions: int = 0
    fraction_rows: tuple[int, ...] = ()
    fraction_roles: tuple[str, ...] = ()
    # Absent rows stored as 0 by the analyst's choice «rader som mangler er 0» (among `facts`;
    # Staging.fill_missing_zero).
    zero_filled: int = 0
    # Rows repeating an earlier row exactly (same unit as written, period and numbers): kept
    # once, never summed, and said in a note (a repeat with another value is a problem).
    repeated: int = 0


_EMPTY_MERGERS = pd.DataFrame(
    {
        "source_code": pd.Series(dtype="object"),
        "merge_group": pd.Series(dtype="object"),
        "changed": pd.Series(dtype="datetime64[s]"),
        "n_parts": pd.Series(dtype="int64"),
        "part_name": pd.Series(dtype="object"),
        "whole_name": pd.Series(dtype="object"),
        "all_parts": pd.Series(dtype="object"),
    }
)
_EMPTY_WHOLES = pd.DataFrame(
    {
        "whole_id": pd.Series(dtype="object"),
        "member_id": pd.Series(dtype="object"),
        "n_members": pd.Series(dtype="int64"),
    }
)
_KEYED = "skip IS NULL AND unit_id IS NOT NULL AND ind_no IS NOT NULL AND period_start IS NOT NULL"


class Staging:
    """One file on its way in: TEMP tables on a private cursor; only commit() writes."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cur = store.staging_cursor()
        self.columns: list[str] = []
        self._last_row = -1
        self._spec: StageSpec | None = None
        self._stage_kind: str | None = None
        self._limited = False
        # True when '.' was read as a thousands mark because the indicator counts whole cases
        # (not because the file shows it): the loader says so in a note
        self.dots_as_thousands = False
        self.commas_as_thousands = False  # the same for ',' ('1,204' persons = 1 204)
        for statement in _STAGE_MACROS:
            self._cur.execute(statement)
        self._limit_memory()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closing the cursor drops every TEMP table with it."""
        try:
            self._release_memory()
            self._cur.close()
        except duckdb.Error:
            pass

    def _limit_memory(self) -> None:
        """Cap DuckDB's memory while a file is staged: a bigger file spills its TEMP tables to
        disk (the store's .tmp folder) instead of growing the process (3 000 000 rows: peak
        RSS 893 MB without the cap, see `python -m loaders.bench`). The setting is the
        database's, so the first staging sets it and the last one out puts it back."""
        with _MEMORY_LOCK:
            if not _MEMORY_USERS:
                _MEMORY_USERS.append(
                    self._cur.execute("SELECT current_setting('memory_limit')").fetchone()[0]
                )
            _MEMORY_USERS.append(id(self))
            self._cur.execute(f"SET memory_limit = '{STAGING_MEMORY}'")
        self._limited = True

    def _release_memory(self) -> None:
        if not self._limited:
            return
        self._limited = False
        with _MEMORY_LOCK:
            _MEMORY_USERS.remove(id(self))
            if len(_MEMORY_USERS) == 1:
                self._cur.execute(f"SET memory_limit = '{_MEMORY_USERS.pop()}'")

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

    def header_again(self, header: dict[str, str], limit: int) -> list[int]:
        """Row numbers (file order, at most `limit`, up to the last data row) whose cells in the
        columns of `header` (staging id → the header's text, the first one the unit's) repeat
        the header's texts (case and surrounding space aside): a second table under the first
        one. The unit's column and at least one other must repeat, so a second table with
        another value column («Kommune;Måned;Andel» under «Kommune;Måned;Antall») is one too."""
        StageSpec(unit=next(iter(header)), wide=tuple(header)).used()  # ids checked before use
        first, texts = next(iter(header)), [t.strip().lower() for t in header.values()]
        # a byte order mark before the repeated header: two files saved with one, run together
        cells = [f"coalesce(lower(trim(replace({c}, chr(65279), ''))) = ?, false)" for c in header]
        same = f"{cells[0]} AND ({' OR '.join(cells[1:])})"
        # the length test first (up to 8 spaces around the header's text): it rules out nearly
        # every row before any text is lowered (1 M rows: 29 → 17 ms)
        rows = self._cur.execute(
            f"SELECT rowid FROM raw WHERE rowid <= ? AND length({first}) BETWEEN ? AND ? AND {same} "
            "ORDER BY rowid LIMIT ?",
            [self._last_row, len(texts[0]), len(texts[0]) + 8, *texts, limit],
        ).fetchall()
        return [int(r[0]) for r in rows]

    def filled_rows(self, columns: Sequence[str], limit: int) -> list[int]:
        """Row numbers (file order, at most `limit`) with a non-empty cell in any of `columns`."""
        StageSpec(unit=columns[0], wide=tuple(columns[1:])).used()  # ids checked before use
        filled = " OR ".join(f"nullif(trim({c}), '') IS NOT NULL" for c in columns)
        rows = self._cur.execute(
            f"SELECT rowid FROM raw WHERE {filled} ORDER BY rowid LIMIT ?", [limit]
        ).fetchall()
        return [int(r[0]) for r in rows]

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
            f"SELECT 1 FROM raw WHERE rowid <= ? GROUP BY {group} HAVING min(hash({column})) <> max(hash({column})) LIMIT 1",
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
        mergers: pd.DataFrame | None = None,
        wholes: pd.DataFrame | None = None,
    ) -> None:
        """Every value cell with its unit, period, indicator and numbers (TEMP cells).

        units: text, unit_id, source_code, is_current, file_total, skip, reason, unit_no
        (normalise.unit_map; skip: a row recognised and left out, counted by why);
        mergers: source_code, merge_group, changed, n_parts, part_name, whole_name, all_parts
        (old codes that must all be present to be summed); wholes: whole_id, member_id,
        n_members (the members of the regions and partnerships a file's total rows are for);
        periods: k1, k2, period_start, grain, period_no (k1 = period text, or year with k2 the
        quarter or month, or the column id of a wide column); indicators: k, indicator, grain,
        kind, projection, source, whole_value, whole_numerator, whole_denominator (the numbers
        its kind counts in whole cases, normalise.indicator_frame), ind_no (k = '' when one
        indicator covers the file). The
        numbers make a key one integer. Cells hold ids and numbers only (cheap to write); the
        texts of the few cells with a problem are fetched from raw when they are reported.
        """
        used = spec.used()
        missing = [c for c in used if c not in self.columns]
        if missing:
            raise ValueError(f"no such staging columns: {missing}")
        self._spec = spec
        cur = self._cur
        if mergers is None or mergers.empty:
            mergers = _EMPTY_MERGERS
        if wholes is None or wholes.empty:
            wholes = _EMPTY_WHOLES
        tables = (
            ("units", units),
            ("periods", periods),
            ("indicators", indicators),
            ("mergers", mergers),
            ("wholes", wholes),
        )
        for name, frame in tables:
            cur.register(f"{name}_in", frame)
            cur.execute(f"CREATE OR REPLACE TEMP TABLE stage_{name} AS SELECT * FROM {name}_in")
            cur.unregister(f"{name}_in")
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE stage_ind AS SELECT DISTINCT ind_no, indicator, grain, kind, "
            "coalesce(projection, false) AS projection, source, unit_max, "
            + ", ".join(f"coalesce(whole_{r}, false) AS whole_{r}" for r in WHOLE_ROLES)
            + " FROM stage_indicators"
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
        mark, by_kind = self._thousands_mark(cur, source, self._last_row)
        self.dots_as_thousands = by_kind and mark == "."
        self.commas_as_thousands = by_kind and mark == ","

        def number(text: str) -> str:
            return f"stage_number({text}, '{mark}')" if mark else f"stage_number({text})"

        if spec.value or spec.wide:
            value = number("value_text")
        else:  # numerator and denominator: a share in per cent, a score as a mean
            n, d = number("num_text"), number("den_text")
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
                       coalesce(u.is_current, false) AS is_current,
                       coalesce(u.file_total, false) AS file_total,
                       -- a total row without a period ("Sum" under the table) is left out
                       CASE WHEN u.file_total AND p.period_start IS NULL THEN 'total' ELSE u.skip END AS skip,
                       p.period_start::DATE AS period_start, p.grain, i.ind_no,
                       (i.ind_no * $periods + p.period_no) * $units + u.unit_no AS key_no,
                       {value} AS value, {number("num_text")} AS numerator,
                       {number("den_text")} AS denominator
                FROM src
                LEFT JOIN stage_units u ON u.text = src.unit_text
                LEFT JOIN stage_periods p ON p.k1 = src.k1 AND p.k2 = src.k2
                LEFT JOIN stage_indicators i ON i.k = src.ind_key
            )
            SELECT row_no, {"col, " if spec.wide else ""}unit_id, source_code, is_current, file_total, skip,
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
        self._own_values(cur)

    @staticmethod
    def _thousands_mark(cur, source: str, last: int) -> tuple[str | None, bool]:
        """'.' or ',' when the file's own numbers show that mark to separate thousands, else None;
        with True when '.' was chosen for the indicator's kind alone (below), for a note.

        In a file of counts in whole cases (stage_ind.whole_value) with dots and no commas, the
        dot is the thousands mark when every dotted number reads as thousands ('92.419').

        '1.234' alone may be 1.234 or 1 234. A file that elsewhere writes a decimal comma
        ('12,5', '2.345,0') uses '.' for thousands, so its '1.234' is 1234; a file with a decimal
        point ('12.5', '2,345.0') likewise reads '1,234' as 1234. Without such evidence, or with
        both, a lone mark stays a decimal mark, as before. A cheap scan first: only a file with
        both marks in its numbers needs the regular expressions.
        """
        texts = ("value_text", "num_text", "den_text")
        dot_in = " OR ".join(f"contains({t}, '.')" for t in texts)
        comma_in = " OR ".join(f"contains({t}, ',')" for t in texts)
        dots, commas = cur.execute(
            f"SELECT coalesce(bool_or({dot_in}), false), coalesce(bool_or({comma_in}), false) FROM ({source})",
            {"last": last},
        ).fetchone()
        if dots != commas and Staging._counts_whole_values(cur):
            # counts in whole cases (population, admissions) written with '.' (or, in an English
            # export, ',') for thousands ('92.419', '1,204'): when every such number has three
            # digits after each mark, the mark separates thousands; 92.419 persons is no reading
            # of a count
            mark = "." if dots else ","
            odd = " OR ".join(
                f"(contains({t}, '{mark}') AND NOT regexp_full_match(trim({t}), "
                f"'-?[1-9]\\d{{0,2}}(\\{mark}\\d{{3}})+'))"
                for t in texts
            )
            # the first number that is no thousands group ends the search (LIMIT 1): a file of
            # decimal commas ('12,5') stops at once
            if not cur.execute(f"SELECT 1 FROM ({source}) WHERE {odd} LIMIT 1", {"last": last}).fetchall():
                return mark, True
        if not (dots and commas):
            return None, False

        def evidence(pattern: str) -> str:
            return " OR ".join(f"regexp_matches(trim({t}), '{pattern}')" for t in texts)

        # a decimal comma: ',' then 1–2 or 4+ digits at the end, or '.ddd,' (1.234,5)
        comma = evidence(r"\d,(\d{1,2}|\d{4,})$|\.\d{3},\d")
        dot = evidence(r"\d\.(\d{1,2}|\d{4,})$|,\d{3}\.\d")
        decimal_comma, decimal_dot = cur.execute(
            f"SELECT coalesce(bool_or({comma}), false), coalesce(bool_or({dot}), false) FROM ({source})",
            {"last": last},
        ).fetchone()
        if decimal_comma and not decimal_dot:
            return ".", False
        if decimal_dot and not decimal_comma:
            return ",", False
        return None, False

    @staticmethod
    def _counts_whole_values(cur) -> bool:
        """True when every indicator the file is staged for counts its value in whole cases."""
        return bool(cur.execute("SELECT coalesce(bool_and(whole_value), false) FROM stage_ind").fetchone()[0])

    @staticmethod
    def _own_values(cur) -> None:
        """A region's or partnership's row is its own value, not a file total, when the file
        has no member rows for the same indicator and period (data delivered per region, such
        as FACT ung's teams). Beside member rows it stays the file's total (issue 12)."""
        if not cur.execute("SELECT coalesce(bool_or(file_total), false) FROM cells").fetchone()[0]:
            return
        cur.execute(
            f"""
            UPDATE cells SET file_total = false
            FROM (SELECT ind_no, period_start, grain FROM cells WHERE {_KEYED}
                  GROUP BY ALL HAVING NOT bool_or(NOT file_total)) lone
            WHERE cells.file_total AND cells.ind_no = lone.ind_no
              AND cells.period_start = lone.period_start AND cells.grain = lone.grain
            """
        )

    def check(self, today: dt.date, markers: Sequence[str], file_name: str = "") -> int:
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
        self._store.expose_stored(cur)  # the stored facts some checks compare with (grains)
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
                SELECT c.*, i.indicator, i.kind, coalesce(i.projection, false) AS projection,
                       i.unit_max IS NOT NULL AND c.value > i.unit_max AND NOT c.file_total
                           AND c.unit_id IS NOT NULL
                           AND c.unit_id NOT IN (SELECT whole_id FROM stage_wholes) AS above_unit_max,
                       i.unit_max
                FROM cells c LEFT JOIN stage_ind i ON i.ind_no = c.ind_no
                WHERE c.skip IS NULL AND (c.unit_id IS NULL OR c.ind_no IS NULL OR c.period_start IS NULL
                    OR (c.period_start > $today AND NOT coalesce(i.projection, false))
                    OR c.unreadable
                    OR NOT isfinite(c.value) OR NOT isfinite(c.numerator) OR NOT isfinite(c.denominator)
                    OR (i.kind IN {check_table.NON_NEGATIVE} AND (c.value < 0 OR c.numerator < 0 OR c.denominator < 0))
                    OR (i.kind = 'share' AND c.value > 100 + 1e-9)
                    OR (i.unit_max IS NOT NULL AND c.value > i.unit_max AND NOT c.file_total
                        AND c.unit_id IS NOT NULL AND c.unit_id NOT IN (SELECT whole_id FROM stage_wholes)))
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
        columns = {
            "unit": f"'{spec.unit}'",
            "indicator": f"'{spec.indicator or spec.unit}'",
            "period": "col" if spec.wide else f"'{spec.subperiod or spec.period or ''}'",
            # a value made from numerator and denominator is reported in the numerator's column
            "value": "col" if spec.wide else f"'{spec.value or spec.numerator or ''}'",
            "numerator": f"'{spec.numerator}'",
            "denominator": f"'{spec.denominator}'",
        }
        numbers = {}
        if spec.value or spec.wide:  # else the value is made from numerator and denominator
            numbers["value"] = ("value_text", "value")
        if spec.numerator:
            numbers["numerator"] = ("num_text", "numerator")
        if spec.denominator:
            numbers["denominator"] = ("den_text", "denominator")
        selects = [
            f"SELECT row_no, {columns[role]} AS col, '{check.code}' AS code, {report} AS text, "
            f"{'period_start' if check.dated else 'NULL'} AS period_start, "
            f"{'grain' if check.dated else 'NULL'} AS grain, NULL::BIGINT AS other_row "
            f"FROM stage_suspect WHERE {where}"
            for check, role, where, report in check_table.cell_checks(numbers)
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
            "WHERE key_no IS NOT NULL AND skip IS NULL GROUP BY key_no HAVING count(*) > 1"
        )
        if cur.execute("SELECT count(*) FROM stage_keys").fetchone()[0]:
            key = "PARTITION BY c.key_no"
            # a wide table's period is a column header, not a cell of the candidates
            key_columns = {**columns, "period": "NULL::VARCHAR"} if spec.wide else columns
            selects = [
                f"SELECT row_no, {key_columns[check.column]}, '{check.code}', * EXCLUDE (row_no) "
                f"FROM ({check.sql}) AS found(row_no, text, period_start, grain, other_row)"
                for check in check_table.key_checks()
            ]
            cur.execute(
                f"""
                INSERT INTO problems
                WITH candidates AS (
                    SELECT c.*, i.kind, r.{spec.unit} AS unit_as_written,
                           {f"r.{spec.period}" if spec.period else "NULL::VARCHAR"} AS period_as_written,
                           count(DISTINCT c.source_code) OVER ({key}) AS n_codes,
                           count(DISTINCT {f"r.{spec.period}" if spec.period else "NULL"})
                               FILTER (WHERE regexp_full_match(trim(
                                   {f"r.{spec.period}" if spec.period else "NULL"}), $day))
                               OVER ({key}) AS n_days,
                           bool_or(c.is_current) OVER ({key}) AS any_current,
                           bool_and(c.numerator IS NOT NULL AND c.denominator IS NOT NULL)
                               OVER ({key}) AS all_fractions
                    FROM cells c SEMI JOIN stage_keys k ON c.key_no = k.key_no
                    JOIN stage_ind i ON i.ind_no = c.ind_no
                    JOIN raw r ON r.rowid = c.row_no
                    WHERE c.skip IS NULL
                )
                {" UNION ALL ".join(selects)}
                """,
                {"day": check_table.DAY},
            )
        if spec.wide:  # the file checks work on cells' keys, not on one cell's column
            columns["period"] = columns["value"] = "NULL::VARCHAR"
        elif not spec.value:  # a value made from numerator and denominator: name the numerator
            columns["value"] = columns["numerator"]
        for check in check_table.file_checks():
            if check.when and not cur.execute(check.when).fetchone()[0]:
                continue
            cur.execute(
                f"INSERT INTO problems SELECT row_no, {columns[check.column]}, '{check.code}', * "
                f"EXCLUDE (row_no) FROM ({check.sql}) AS found(row_no, text, period_start, grain, other_row)",
                {"file_name": file_name} if "$file_name" in check.sql else None,
            )
        return int(cur.execute("SELECT count(*) FROM problems").fetchone()[0])

    def marked_numbers(self) -> tuple[int, int, str] | None:
        """(how many rows, the first, its text) of the number cells with a mark after the number
        ('12*', '39 *': KPR's and NPR's «foreløpige tall» or a footnote), which stage_clean
        drops; None when there are none. A lone '*' is a suppression marker, not counted."""
        spec = self._spec
        texts = [c for c in (*spec.wide, spec.value, spec.numerator, spec.denominator) if c]
        if not texts:
            return None
        # contains() first: it rules out nearly every cell before any regular expression runs
        marked = " OR ".join(
            f"(contains({c}, '*') AND regexp_matches({c}, '\\d\\s*\\*+\\s*$'))" for c in texts
        )
        first = " , ".join(f"CASE WHEN regexp_matches({c}, '\\d\\s*\\*+\\s*$') THEN {c} END" for c in texts)
        count, row, text = self._cur.execute(
            f"SELECT count(*), min(rowid), arg_min(coalesce({first}), rowid) FROM raw "
            f"WHERE rowid <= ? AND ({marked})",
            [self._last_row],
        ).fetchone()
        return (int(count), int(row), str(text)) if count else None

    def shares_as_fractions(self) -> tuple[int, float] | None:
        """(row, value) of the first share when every share the file gives in a value column is
        from 0 to 1 and one lies strictly between (0,125 for 12,5 %: a fraction where the board
        keeps percent), else None. Numbers written with «%» are percent, whatever their size;
        shares made from numerator and denominator are percent by construction (not asked)."""
        spec = self._spec
        if not (spec.value or spec.wide):
            return None
        if spec.wide:
            percent = " OR ".join(f"contains(r.{c}, '%')" for c in spec.wide)
        else:
            percent = f"contains(r.{spec.value}, '%')"
        cur = self._cur
        if not cur.execute("SELECT coalesce(bool_or(kind = 'share'), false) FROM stage_ind").fetchone()[0]:
            return None
        first, value, most, between = cur.execute(
            """
            SELECT min(c.row_no), arg_min(c.value, c.row_no), max(c.value), bool_or(c.value > 0 AND c.value < 1)
            FROM cells c JOIN stage_ind i USING (ind_no)
            WHERE i.kind = 'share' AND c.skip IS NULL AND c.value IS NOT NULL
            """
        ).fetchone()
        if first is None or not between or most > 1:
            return None
        marked = cur.execute(
            f"SELECT coalesce(bool_or({percent}), false) FROM raw r WHERE rowid <= ?", [self._last_row]
        )
        return None if marked.fetchone()[0] else (int(first), float(value))

    def problems(self, limit: int) -> list[tuple]:
        """The first `limit` problems in file order (row, then column)."""
        return self._cur.execute(
            "SELECT row_no, col, code, text, period_start, grain, other_row FROM problems "
            "ORDER BY row_no, col, code LIMIT ?",
            [limit],
        ).fetchall()

    def finish(
        self, leave_out_problems: bool = False, detail: bool = True, fraction_rows: int = 5
    ) -> StageStats:
        """The facts to load (TEMP stage, FACT_COLUMNS): repeats once, merged municipalities'
        parts summed into today's unit; rows with problems left out when asked. `detail`:
        also count units, periods and suppressed cells (for the preview). The cells holding
        fractions where whole cases are counted (StageStats.fractions, the first
        ``fraction_rows`` of them) are counted in the same pass over the cells as the file's
        total rows."""
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
        same_rows = 0
        if repeated:
            same_rows = int(
                cur.execute(
                    "SELECT count(*) - count(DISTINCT (key_no, source_code, value, numerator, denominator)) "
                    f"FROM cells WHERE {_KEYED} {exclude}"
                ).fetchone()[0]
            )
        if not repeated:  # the usual case: every key once, so the facts are a view on cells
            self._stage_kind = "view"
            cur.execute(
                "CREATE TEMP VIEW stage AS SELECT i.indicator, c.unit_id, c.period_start, c.grain, "
                "c.value, c.numerator, c.denominator, c.value IS NULL AS suppressed, i.source, "
                "c.file_total, c.row_no "
                f"FROM cells c JOIN stage_ind i USING (ind_no) WHERE {_KEYED} {exclude}"
            )
        else:
            self._stage_kind = "table"
            cur.execute(
                f"""
                CREATE TEMP TABLE stage AS
                WITH parts AS (
                    SELECT key_no, ind_no, unit_id, source_code, period_start, grain, value,
                           numerator, denominator, bool_or(file_total) AS file_total, min(row_no) AS row_no
                    FROM cells WHERE {_KEYED} {exclude} GROUP BY ALL
                ), merged AS (
                    SELECT key_no, any_value(ind_no) AS ind_no, any_value(unit_id) AS unit_id,
                           any_value(period_start) AS period_start, any_value(grain) AS grain,
                           count(*) AS n_parts, bool_or(value IS NULL) AS any_missing,
                           sum(value) AS value_sum, sum(numerator) AS numerator,
                           sum(denominator) AS denominator, bool_or(file_total) AS file_total,
                           min(row_no) AS row_no
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
                       value IS NULL AS suppressed, source, file_total, row_no
                FROM valued ORDER BY row_no
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
        skipped = dict(
            cur.execute(
                "SELECT skip, count(DISTINCT row_no) FROM cells WHERE skip IS NOT NULL GROUP BY skip"
            ).fetchall()
        )
        file_totals, fractions, fraction_list, *in_roles = cur.execute(
            f"""
            WITH f AS (
                SELECT c.row_no, c.file_total,
                       i.whole_value AND c.value <> round(c.value) AS in_value,
                       i.whole_numerator AND c.numerator <> round(c.numerator) AS in_numerator,
                       i.whole_denominator AND c.denominator <> round(c.denominator) AS in_denominator
                FROM cells c JOIN stage_ind i USING (ind_no) WHERE {_KEYED}
            )
            -- count(DISTINCT ...) FILTER and a sorted list cost three times this on 1M cells;
            -- min(row_no, n) keeps the n first rows only
            SELECT count(DISTINCT CASE WHEN file_total THEN row_no END),
                   count(*) FILTER (WHERE in_value OR in_numerator OR in_denominator),
                   min(row_no, $limit) FILTER (WHERE in_value OR in_numerator OR in_denominator),
                   bool_or(in_value), bool_or(in_numerator), bool_or(in_denominator)
            FROM f
            """,
            {"limit": fraction_rows},
        ).fetchone()
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
            totals=int(skipped.get("total", 0)),
            refused=int(refused),
            outside=int(skipped.get("outside", 0)),
            areas=int(skipped.get("area", 0)),
            file_totals=int(file_totals),
            fractions=int(fractions),
            fraction_rows=tuple(fraction_list or ()),
            fraction_roles=tuple(r for r, hit in zip(WHOLE_ROLES, in_roles, strict=True) if hit),
            indicators=tuple(indicators),
            grain=grains[0] if len(grains or []) == 1 else None,
            repeated=same_rows,
        )

    # -- «rader som mangler er 0» -------------------------------------------------------------

    def fill_missing_zero(
        self,
        indicators: Sequence[str],
        extra_units: Sequence[str] = (),
        valid_from: dict[str, dt.date] | None = None,
    ) -> int:
        """Add a 0 to the stage for every absent row of the grid; returns how many (after
        finish(), before commit()). The analyst's choice for an extract that leaves out a
        unit's period with no events (loaders.ingest.Choices.missing_zero).

        The grid, per indicator of `indicators` in the stage (a profile's members, one
        indicator each) and per grain of month, quarter, tertial or year: every period from the
        file's first to its last of that grain, over all those indicators (a multi-year grain
        such as FHI's rolling 2019–2021 is not filled), times the units of
        the file's own rows (not its total rows) and `extra_units` (the board's
        municipalities, for a national file). A unit in `valid_from` (a municipality that got
        part of a split one) is filled from that date only. A key the file has any row for
        stays as the file gives it: a suppressed or blank cell stays suppressed, a row with a
        problem is not made 0. Zeros have value 0, no numerator or denominator, and are not
        suppressed, the stage's source of that indicator."""
        cur = self._cur
        wanted = list(indicators)
        if not wanted:
            return 0
        own = [
            r[0]
            for r in cur.execute(
                "SELECT DISTINCT unit_id FROM stage WHERE NOT file_total AND list_contains(?, indicator)",
                [wanted],
            ).fetchall()
        ]
        units = sorted(set(own) | set(extra_units))
        valid_from = valid_from or {}
        grid_units = pd.DataFrame(
            {
                "unit_id": pd.Series(units, dtype="object"),
                "valid_from": pd.Series([valid_from.get(u) for u in units], dtype="object"),
            }
        )
        cur.register("zero_units_in", grid_units)
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE stage_zero_units AS "
            "SELECT unit_id::VARCHAR AS unit_id, valid_from::DATE AS valid_from FROM zero_units_in"
        )
        cur.unregister("zero_units_in")
        steps = " ".join(f"WHEN '{g}' THEN {m}" for g, m in GRAIN_MONTHS.items())
        cur.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE stage_zero AS
            WITH filled AS (
                SELECT indicator, grain, period_start, source FROM stage
                WHERE list_contains($indicators, indicator) AND list_contains($grains, grain)
            ), spans AS (
                SELECT grain, min(period_start) AS first, max(period_start) AS last,
                       CASE grain {steps} END AS months
                FROM filled GROUP BY grain
            ), members AS (
                SELECT indicator, grain, any_value(source) AS source FROM filled GROUP BY indicator, grain
            ), periods AS (
                SELECT m.indicator, m.grain, m.source,
                       unnest(generate_series(s.first::TIMESTAMP, s.last::TIMESTAMP, to_months(s.months)))::DATE
                           AS period_start
                FROM members m JOIN spans s USING (grain)
            ), present AS (
                SELECT DISTINCT i.indicator, c.unit_id, c.period_start, c.grain
                FROM cells c JOIN stage_ind i USING (ind_no) WHERE c.unit_id IS NOT NULL
            )
            SELECT p.indicator, u.unit_id, p.period_start, p.grain, 0.0::DOUBLE AS value,
                   NULL::DOUBLE AS numerator, NULL::DOUBLE AS denominator, false AS suppressed,
                   p.source, false AS file_total, NULL::BIGINT AS row_no
            FROM periods p CROSS JOIN stage_zero_units u
            WHERE (u.valid_from IS NULL OR p.period_start >= u.valid_from)
              AND NOT EXISTS (SELECT 1 FROM present s WHERE s.indicator = p.indicator
                  AND s.unit_id = u.unit_id AND s.period_start = p.period_start AND s.grain = p.grain)
            """,
            {"indicators": wanted, "grains": list(GRAIN_MONTHS)},
        )
        filled = int(cur.execute("SELECT count(*) FROM stage_zero").fetchone()[0])
        if filled:
            cur.execute(
                "CREATE OR REPLACE TEMP TABLE stage_filled AS "
                "SELECT * FROM stage UNION ALL BY NAME SELECT * FROM stage_zero"
            )
            cur.execute("DROP VIEW stage" if self._stage_kind == "view" else "DROP TABLE stage")
            cur.execute("ALTER TABLE stage_filled RENAME TO stage")
            self._stage_kind = "table"
        cur.execute("DROP TABLE stage_zero")
        return filled

    def stage_head(self, n: int) -> pd.DataFrame:
        """The first facts in file order (FACT_COLUMNS and row_no); a wide row's periods in time order."""
        return self._cur.execute(
            "SELECT * FROM stage ORDER BY row_no, period_start, indicator LIMIT ?", [n]
        ).df()

    def commit(self, meta: UploadMeta) -> UploadResult:
        """Load TEMP stage into the store: one transaction, all rows or none."""
        return self._store.merge_stage(self._cur, meta)
