"""Small-count protection over the hierarchy: one mask for every view a user can reach.

The rule (README «Små tall», analytics/protection.py):

A partnership's counts for one indicator form a cube: units (its municipalities, districts,
regions and the partnership itself as reporting units, plus ALL, their sum) × periods (the
indicator's own grain, every coarser grain up to the year, and the windows the board shows: the
funnel's 12 months and, for a year in progress, the same months of the year before). Every
figure the board shows for a count is one cell of this cube, whatever the page, filter, grain or
export; so protection is decided once, on the whole cube, and every view reads its cells' mask.

1. Primary: a cell with 0 < count < threshold is hidden ("<5").
2. Lines: each total with its parts — every coarser period with the finer periods in it
   (months → quarter, months → year, quarters → year, months → window) for every unit and for
   ALL, and ALL with its units for every period. A user can combine any shown cells of a line.
3. Complementary: in every line (total and parts alike) the hidden cells are 0 or at least 2,
   and when the total is shown the hidden parts' sum (total − shown parts) is neither a small
   count nor so small or so large that only primary cells could make it (each is 1..threshold−1).
   Otherwise the smallest positive shown part is hidden as well (":"; the total when no part is
   left), and all lines are checked again until none changes (Cox 1980, «Suppression
   methodology and statistical disclosure control», JASA 75: the line-by-line heuristic for
   hierarchical tables; SSB and Eurostat use the same idea).
3b. Windows (the funnel's 12 months, the same months a year before) cross quarter and year
   boundaries, so beside the periods they overlap they could close a chain of lines: a window
   is hidden whenever a period inside it is hidden, and the lines are checked again. Spans a
   status reason names that are no cell (12 months ending mid-year, a 24-month baseline) are
   read by the same rule: hidden when a native period inside is (series.rows_hidden), so a
   reason prints «:» where the tables do.
4. Lines and means: a hidden cell is missing data to every statistic drawn on the page: the SPC
   centre line and limits are computed without it (NHSRplotthedots drops missing values), so no
   line drawn from the shown values carries a hidden one.

tests/test_protection_search.py proves it by search on the demo store and on a store built to
have small counts: it collects every figure every view shows and solves the linear system
total = Σ parts over all of them, asserting that no hidden small count is determined.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.periods import GRAIN_MONTHS, grain_chain, month_floor

ALL = "*"
GRAINS = tuple(GRAIN_MONTHS)  # the level names that are periods (the others are windows)
FUNNEL = "funnel"  # the 12 months the funnel compares
SAME_MONTHS = "same_months"  # a year in progress's months, a year earlier


def truncate(starts: pd.Series | Sequence[pd.Timestamp], grain: str) -> np.ndarray:
    """Period starts at a coarser grain (datetime64[ns]): month → quarter, tertial or year."""
    if isinstance(starts, np.ndarray) and starts.dtype.kind == "M":  # no round trip through pandas
        months = starts.astype("datetime64[M]")
    elif isinstance(starts, pd.Series) and isinstance(starts.dtype, np.dtype) and starts.dtype.kind == "M":
        months = starts.to_numpy().astype("datetime64[M]")
    else:
        months = np.asarray(pd.to_datetime(pd.Series(starts)).to_numpy(), dtype="datetime64[M]")
    months = month_floor(months.astype(np.int64), grain).astype("datetime64[M]")
    return months.astype("datetime64[ns]")


_DAY_NS = 86_400_000_000_000


def _month_numbers(stamps: np.ndarray) -> np.ndarray:
    """Months since 1970-01 (int64) of datetime64 values, as ``astype("datetime64[M]")`` gives
    them. numpy's calendar conversion costs about 35 ns a value; a cube's starts are a few
    hundred distinct days, so the days are ranked (_unique_ints) and only those converted."""
    stamps = np.asarray(stamps)
    if stamps.dtype != np.dtype("datetime64[ns]") or not len(stamps) or np.isnat(stamps).any():
        return stamps.astype("datetime64[M]").astype(np.int64)
    days, at = _unique_ints(stamps.view(np.int64) // _DAY_NS)
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)[at]


def _month_starts(months: np.ndarray) -> np.ndarray:
    """The first instants (datetime64[ns]) of months numbered since 1970-01 (int64), as
    ``astype("datetime64[M]").astype("datetime64[ns]")``, converting each distinct month once."""
    months = np.asarray(months, dtype=np.int64)
    if not len(months):
        return months.astype("datetime64[M]").astype("datetime64[ns]")
    distinct, at = _unique_ints(months)
    return distinct.astype("datetime64[M]").astype("datetime64[ns]")[at]


def _truncated(starts: np.ndarray, grain: str) -> np.ndarray:
    """truncate for datetime64[ns] arrays, by _month_numbers and _month_starts: the same
    period starts (a year starts at a month number that is a multiple of 12, a quarter of 3)."""
    return _month_starts(month_floor(_month_numbers(starts), grain))


@dataclass(frozen=True)
class Lines:
    """The cube's lines (rule 2) as flat arrays: line i is total ``totals[i]`` with the parts
    ``parts[starts[i]:starts[i + 1]]`` (cell indices). Iterating gives (total, parts) pairs."""

    totals: np.ndarray  # int64, one per line
    starts: np.ndarray  # int64, len(totals) + 1 offsets into parts
    parts: np.ndarray  # int64, every line's parts end to end

    def __len__(self) -> int:
        return len(self.totals)

    def __iter__(self):
        for i, total in enumerate(self.totals.tolist()):
            yield total, self.parts_of(i)

    def parts_of(self, line: int) -> np.ndarray:
        return self.parts[self.starts[line] : self.starts[line + 1]]

    def any_hidden_part(self, hidden: np.ndarray) -> np.ndarray:
        """Per line: whether one of its parts is hidden."""
        if not len(self):
            return np.zeros(0, dtype=bool)
        return np.add.reduceat(hidden[self.parts].astype(np.int64), self.starts[:-1]) > 0


@dataclass
class Cube:
    """Cells (unit or ALL, level, period start) with their counts and the protection decided.

    One cell per position of `scopes` (unit id or ALL), `levels` (a grain from the native one
    up, or a window name) and `starts` (datetime64[ns]). `lines`: (total, parts) cell indices
    (`Lines`).
    `hidden`/`primary`: bool per cell. `keys` and `index` give the cells as (scope, level,
    Timestamp) tuples, built when first asked for (lookups use the cells' own arrays).
    """

    scopes: np.ndarray
    levels: np.ndarray
    starts: np.ndarray
    values: np.ndarray
    primary: np.ndarray
    hidden: np.ndarray
    lines: Lines
    limit: int
    windows: dict[str, list[pd.Timestamp]] = field(default_factory=dict)  # name → native starts
    native: str = "month"
    # The scopes as (codes, names): scopes == names[codes]; build_cube has them, so the first
    # lookup of a scope (_scope_cells, units) need not hash every cell's string again.
    scope_codes: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def _scope_coded(self) -> tuple[np.ndarray, np.ndarray]:
        """(codes, names) with scopes == names[codes]: as build_cube gave them, else factorized."""
        if self.scope_codes is not None:
            return self.scope_codes
        codes, names = pd.factorize(self.scopes)
        return np.asarray(codes, dtype=np.int64), np.asarray(names, dtype=object)

    @property
    def keys(self) -> list[tuple[str, str, pd.Timestamp]]:
        if not hasattr(self, "_keys"):
            stamps = [pd.Timestamp(t) for t in self.starts]
            self._keys = list(zip(self.scopes.tolist(), self.levels.tolist(), stamps, strict=True))
        return self._keys

    @property
    def index(self) -> dict[tuple[str, str, pd.Timestamp], int]:
        if not hasattr(self, "_index"):
            self._index = {k: i for i, k in enumerate(self.keys)}
        return self._index

    @property
    def native_starts(self) -> np.ndarray:
        """The distinct starts of the native level's cells, sorted (datetime64[ns])."""
        if not hasattr(self, "_native_starts"):
            self._native_starts = np.unique(self.starts[self.levels == self.native])
        return self._native_starts

    def window_set(self, name: str) -> set[pd.Timestamp]:
        """The native period starts of window ``name`` as a set of Timestamps (a copy)."""
        if not hasattr(self, "_window_sets"):
            self._window_sets = {}
        if name not in self._window_sets:
            self._window_sets[name] = frozenset(pd.to_datetime(self.windows[name]).tolist())
        return set(self._window_sets[name])

    @property
    def units(self) -> frozenset[str]:
        if not hasattr(self, "_units"):
            codes, names = self._scope_coded()
            present = names[np.unique(codes)] if len(codes) else names[:0]
            self._units = frozenset(name for name in present.tolist() if name != ALL)
        return self._units

    def scope_of(self, unit_ids: Sequence[str]) -> str | None:
        """ALL for the partnership's whole set of units, the unit for one unit, else None."""
        wanted = set(unit_ids)
        units = self.units
        if wanted and wanted >= units:
            return ALL
        if len(wanted) == 1 and wanted <= units:
            return next(iter(wanted))
        return None

    # A lookup of a few scopes (one municipality, the partnership) goes through a small dict per
    # scope, made when the scope is first asked for; a lookup over many units (a funnel, a series
    # per unit) through one index of all cells. A dict of every cell of a national cube took
    # about 6 MB; the index keeps integer codes (about 1 MB) but costs ~40 µs per single lookup.
    FEW_SCOPES = 8

    def _scope_cells(self, scope: str) -> dict[tuple[str, int], int]:
        """(level, start in ns) → position, for the cells of one scope."""
        if not hasattr(self, "_by_scope"):
            codes, names = self._scope_coded()
            # A stable sort of 16-bit codes is a radix sort: the same order, less work.
            order = np.argsort(codes.astype(np.int16) if len(names) < 2**15 else codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
            self._groups = {name: order[bounds[i] : bounds[i + 1]] for i, name in enumerate(names)}
            self._by_scope = {}
        found = self._by_scope.get(scope)
        if found is None:
            at = self._groups.get(scope, np.zeros(0, dtype=np.int64))
            nanos = self.starts[at].astype("datetime64[ns]").view("int64").tolist()
            found = dict(zip(zip(self.levels[at].tolist(), nanos, strict=True), at.tolist(), strict=True))
            self._by_scope[scope] = found
        return found

    def _cells(self) -> pd.MultiIndex:
        """The cells as a unique (scope, level, start) index, made on first use."""
        if not hasattr(self, "_multi"):
            self._multi = pd.MultiIndex.from_arrays(
                [self.scopes, self.levels, self.starts.astype("datetime64[ns]")]
            )
        return self._multi

    def _at(self, scope: str, level: str, start: object) -> int | None:
        """The cell's position; None when the cube lacks it."""
        return self._scope_cells(scope).get((level, pd.Timestamp(start).as_unit("ns").value))

    def is_hidden(self, scope: str, level: str, start: pd.Timestamp) -> bool | None:
        """The mask of one cell; None when the cube has no such cell."""
        at = self._at(scope, level, start)
        return None if at is None else bool(self.hidden[at])

    def mask(self, scopes: Sequence[str], level: str, starts: Sequence[pd.Timestamp]) -> np.ndarray:
        """Hidden per (scope, start) pair; cells the cube lacks are not hidden by it."""
        if len(scopes) != len(starts):
            raise ValueError("one start per scope")
        if not len(scopes) or not len(self.hidden):
            return np.zeros(len(scopes), dtype=bool)
        if len(set(scopes)) <= self.FEW_SCOPES:
            return np.array(
                [bool(self.is_hidden(s, level, t)) for s, t in zip(scopes, starts, strict=True)], dtype=bool
            )
        wanted = pd.MultiIndex.from_arrays(
            [list(scopes), [level] * len(scopes), pd.to_datetime(list(starts)).as_unit("ns")]
        )
        at = self._cells().get_indexer(wanted)
        return np.where(at >= 0, self.hidden[np.maximum(at, 0)], False).astype(bool)


def _empty_cube(native: str, limit: int) -> Cube:
    """The cube of no rows: no cells, no lines, no windows (what build_cube's steps give for
    none, without them)."""
    none = np.zeros(0, dtype=np.int64)
    return Cube(
        np.zeros(0, dtype=object),
        np.zeros(0, dtype=object),
        np.zeros(0, dtype="datetime64[ns]"),
        np.zeros(0, dtype=float),
        np.zeros(0, dtype=bool),
        np.zeros(0, dtype=bool),
        Lines(none, np.zeros(1, dtype=np.int64), none.copy()),
        limit,
        {},
        native,
    )


def build_cube(
    rows: pd.DataFrame,
    native: str,
    limit: int,
    windows: dict[str, list[pd.Timestamp]] | None = None,
) -> Cube:
    """The protected cube of one partnership's counts.

    `rows`: unit_id, period_start (the native grain), numerator (a count; NaN/suppressed rows
    count as 0: the board shows nothing for them either). `native`: 'month', 'quarter',
    'tertial' or 'year' (the cube holds every grain of periods.grain_chain(native)). `windows`: name → the native period starts it covers (each a cell per unit and ALL).
    """
    frame = rows[["unit_id", "period_start", "numerator"]].copy()
    if frame.empty:  # no cells, no lines (a partnership without figures for the indicator)
        return _empty_cube(native, limit)
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["numerator"] = pd.to_numeric(frame["numerator"], errors="coerce").fillna(0.0)
    levels = list(grain_chain(native))
    values = frame["numerator"].to_numpy(dtype=float)
    whole_counts = bool(np.array_equal(values, np.floor(values)) and np.abs(values).sum() < 2.0**52)
    # The cells' scope and level as integer codes: the lines are found by joins on them, and
    # joins on integers are several times cheaper than on strings (same rows, same order).
    # Whole counts: the codes as the cells are made (_counted_cells); else by factorize.
    if whole_counts:
        scope_codes, scope_names, level_codes, level_names, start_of, array, members = _counted_cells(
            frame, levels, windows or {}
        )
    else:
        scope_of, level_of, start_of, array, members = _cells_grouped(frame, levels, windows or {})
        scope_codes, scope_names = pd.factorize(scope_of)
        level_codes, level_names = pd.factorize(level_of)
    levels += list(dict.fromkeys(name for name, _ in members))
    level_code = {name: i for i, name in enumerate(level_names)}
    all_code = next((i for i, name in enumerate(scope_names) if name == ALL), -1)
    # One string object per unit and per level, not one per cell (a national monthly cube has
    # ~37 000 cells).
    scope_of = np.asarray(list(scope_names), dtype=object)[scope_codes]
    level_of = np.asarray(list(level_names), dtype=object)[level_codes]
    # The cells as flat arrays (cell i: scope_codes[i], level_codes[i], start_of[i]); each
    # level's cells are picked by position, not by filtering a frame per line kind.
    scope_codes = np.asarray(scope_codes, dtype=np.int64)
    level_codes = np.asarray(level_codes, dtype=np.int64)
    line_totals: list[np.ndarray] = []
    line_sizes: list[np.ndarray] = []
    line_parts: list[np.ndarray] = []

    def add(
        part_keys: list[np.ndarray], part_at: np.ndarray, total_keys: list[np.ndarray], total_at: np.ndarray
    ) -> None:
        """A line per total: the parts (cells ``part_at``) whose keys match the total's (cells
        ``total_at``, each key one cell, so unique)."""
        # An inner join on the keys: the matched parts in row order, each with its total
        # (_match, numpy, as the pandas merge did it before).
        hit, total_row = _match(part_keys, total_keys)
        found, sizes, order = _group_runs(total_at[total_row])
        line_totals.append(found)
        line_sizes.append(sizes)
        line_parts.append(part_at[hit] if order is None else part_at[hit][order])

    def at_level(name: str) -> np.ndarray:
        return np.flatnonzero(level_codes == level_code.get(name, -1))

    grains = [g for g in levels if g in GRAINS]
    # Time: every coarser period with the periods of every finer grain inside it (each unit, ALL).
    for fine_i, fine in enumerate(grains):
        fine_at = at_level(fine)
        for coarse in grains[fine_i + 1 :]:
            parent = _truncated(start_of[fine_at], coarse)
            total_at = at_level(coarse)
            add(
                [scope_codes[fine_at], parent], fine_at, [scope_codes[total_at], start_of[total_at]], total_at
            )
    # Windows: the window with the native periods in it.
    native_at = at_level(native)
    for name in levels[len(grains) :]:
        window_at = at_level(name)
        for anchor in pd.unique(start_of[window_at]):
            covered = np.array(sorted(members[(name, pd.Timestamp(anchor))]), dtype="datetime64[ns]")
            part_at = native_at[_among(start_of[native_at], covered)]
            total_at = window_at[start_of[window_at] == anchor]
            add([scope_codes[part_at]], part_at, [scope_codes[total_at]], total_at)
    # Space: ALL with its units, for every period of every level.
    unit_at = np.flatnonzero(scope_codes != all_code)
    total_at = np.flatnonzero(scope_codes == all_code)
    add(
        [level_codes[unit_at], start_of[unit_at]],
        unit_at,
        [level_codes[total_at], start_of[total_at]],
        total_at,
    )

    def flat(pieces: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)

    sizes = flat(line_sizes)
    lines = Lines(
        flat(line_totals), np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64), flat(line_parts)
    )
    primary = (array > 0) & (array < limit)
    # Windows cross the quarter and year boundaries, so a window beside the periods it overlaps
    # could close a chain of lines (window − shown months = a hidden month whose quarter then
    # gives away its neighbour): a window is hidden whenever a period inside it is (rule 3b).
    hidden = _settle([(array, primary)], primary.copy(), lines, level_of, limit)
    covered = {name: list(starts) for (name, _), starts in members.items()}
    coded = (scope_codes, np.asarray(list(scope_names), dtype=object))
    return Cube(scope_of, level_of, start_of, array, primary, hidden, lines, limit, covered, native, coded)


_Cells = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[tuple[str, pd.Timestamp], list[pd.Timestamp]]
]


def _filled(name: str, n: int) -> np.ndarray:
    """``np.full(n, name, dtype=object)``: n references to the one string. Filling an empty
    object array takes about 1 ns a cell; np.full with a string and dtype=object about 35."""
    out = np.empty(n, dtype=object)
    out[:] = name
    return out


class _CellList:
    """The cells as columns, collected piece by piece: per level each unit's periods (sorted),
    then ALL's; then each window's units and ALL."""

    def __init__(self) -> None:
        self.scopes: list[np.ndarray] = []
        self.names: list[np.ndarray] = []
        self.stamps: list[np.ndarray] = []
        self.sums: list[np.ndarray] = []

    def put(self, scope: object, level: str, start: object, value: object) -> None:
        value = np.asarray(value, dtype=float)
        self.scopes.append(np.asarray(scope, dtype=object))
        self.names.append(_filled(level, len(value)))
        self.stamps.append(np.asarray(start, dtype="datetime64[ns]"))
        self.sums.append(value)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(scope, level, start, value) per cell."""
        if not self.scopes:
            empty = np.array([], dtype=object)
            return empty, empty.copy(), np.array([], dtype="datetime64[ns]"), np.array([], dtype=float)
        return (
            np.concatenate(self.scopes),
            np.concatenate(self.names),
            np.concatenate(self.stamps),
            np.concatenate(self.sums),
        )


def _cells_grouped(frame: pd.DataFrame, levels: list[str], windows: dict[str, list[pd.Timestamp]]) -> _Cells:
    """build_cube's cells by pandas grouping: (scope, level, start, value) per cell and the
    windows' native periods by (name, anchor). For any counts (build_cube takes _cells_counted
    for whole numbers, which gives the same cells faster)."""
    atoms = frame.groupby(["unit_id", "period_start"], as_index=False)["numerator"].sum()
    cells = _CellList()
    members: dict[tuple[str, pd.Timestamp], list[pd.Timestamp]] = {}
    # Units as integer codes in the units' sorted order (as grouping by the names sorts them):
    # the same groups, in the same order, summed in the same row order, without string keys.
    # (atoms has no row without a unit: the grouping above leaves such rows out.)
    unit_codes, unit_names = pd.factorize(atoms["unit_id"], sort=True)
    unit_names = np.asarray(unit_names.astype(str), dtype=object)
    for level in levels:
        framed = atoms.assign(start=truncate(atoms["period_start"], level), unit=unit_codes)
        grouped = framed.groupby(["unit", "start"])["numerator"].sum()
        units = unit_names[grouped.index.get_level_values(0).to_numpy()]
        cells.put(units, level, grouped.index.get_level_values(1), grouped.to_numpy())
        whole = framed.groupby("start")["numerator"].sum()
        cells.put([ALL] * len(whole), level, whole.index, whole.to_numpy())
    for name, starts in windows.items():
        wanted = set(pd.to_datetime(list(starts)))
        inside = atoms[atoms["period_start"].isin(wanted)]
        if inside.empty:
            continue
        anchor = max(wanted)
        grouped = inside.groupby("unit_id")["numerator"].sum()
        cells.put(grouped.index.astype(str), name, [anchor] * len(grouped), grouped.to_numpy())
        cells.put([ALL], name, [anchor], [float(inside["numerator"].sum())])
        members[(name, anchor)] = sorted(wanted)
    return (*cells.columns(), members)


def _cells_counted(frame: pd.DataFrame, levels: list[str], windows: dict[str, list[pd.Timestamp]]) -> _Cells:
    """_cells_grouped's cells, in the same order, for whole-number counts (below 2**52 in all):
    _counted_cells with the scopes and levels as names."""
    scope_codes, scope_names, level_codes, level_names, starts, values, members = _counted_cells(
        frame, levels, windows
    )
    return scope_names[scope_codes], level_names[level_codes], starts, values, members


def _counted_cells(
    frame: pd.DataFrame, levels: list[str], windows: dict[str, list[pd.Timestamp]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
    """_cells_grouped's cells, in the same order, for whole-number counts (below 2**52 in all),
    with each cell's scope and level as an integer code: (scope codes, scope names (the units
    sorted, then ALL; object), level codes, level names (object), starts (datetime64[ns]),
    values, the windows' native periods by (name, anchor)).

    The groups are found by sorted integer keys and summed by np.bincount instead of pandas
    groupings (about 4 times fewer calls into pandas per cube). Exact: every partial sum of
    whole numbers below 2**53 is a whole number a double holds, so the sums do not depend on
    the order or method of adding (pandas' compensated sum gives the same numbers). The codes
    spare build_cube hashing ~40 000 strings twice per national cube to find them again."""
    known = frame["unit_id"].notna().to_numpy() & frame["period_start"].notna().to_numpy()
    frame = frame[known]
    unit_codes, unit_names = pd.factorize(frame["unit_id"], sort=True)
    unit_codes = np.asarray(unit_codes, dtype=np.int64)
    all_code = len(unit_names)
    scope_names = np.concatenate(
        [np.asarray(unit_names.astype(str), dtype=object), np.array([ALL], dtype=object)]
    )
    stamps = np.asarray(frame["period_start"].to_numpy(), dtype="datetime64[ns]")
    months = _month_numbers(stamps)  # months since 1970-01
    values = frame["numerator"].to_numpy(dtype=float)
    scopes: list[np.ndarray] = []
    level_of: list[np.ndarray] = []
    level_names: list[str] = []
    starts_of: list[np.ndarray] = []
    sums_of: list[np.ndarray] = []
    members: dict[tuple[str, pd.Timestamp], list[pd.Timestamp]] = {}

    def put(scope: np.ndarray, level: str, start: np.ndarray, value: np.ndarray) -> None:
        if level not in level_names:
            level_names.append(level)
        scopes.append(np.asarray(scope, dtype=np.int64))
        level_of.append(np.full(len(scope), level_names.index(level), dtype=np.int64))
        starts_of.append(np.asarray(start, dtype="datetime64[ns]"))
        sums_of.append(np.asarray(value, dtype=float))

    if len(values):
        for level in levels:
            # truncate's periods as month numbers (a quarter or year starts at a multiple of 3 or 12)
            first_months, at_start = _unique_ints(month_floor(months, level))
            starts = first_months.astype("datetime64[M]").astype("datetime64[ns]")
            keys, at_key = _unique_ints(unit_codes * len(starts) + at_start)
            put(keys // len(starts), level, starts[keys % len(starts)], np.bincount(at_key, weights=values))
            whole = np.bincount(at_start, weights=values, minlength=len(starts))
            put(np.full(len(starts), all_code, dtype=np.int64), level, starts, whole)
    for name, window in windows.items():
        wanted = set(pd.to_datetime(list(window)))
        inside = _among(stamps, np.array(sorted(wanted), dtype="datetime64[ns]"))
        if not inside.any():
            continue
        anchor = max(wanted)
        present = np.unique(unit_codes[inside])
        sums = np.bincount(unit_codes[inside], weights=values[inside], minlength=len(unit_names))[present]
        # The anchor once per unit as a datetime64 array, not a list of Timestamps to convert.
        stamp = np.datetime64(anchor.to_datetime64(), "ns")
        put(present, name, np.full(len(present), stamp), sums)
        put(np.array([all_code]), name, np.array([stamp]), np.array([float(values[inside].sum())]))
        members[(name, anchor)] = sorted(wanted)

    def flat(pieces: list[np.ndarray], dtype: str) -> np.ndarray:
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=dtype)

    return (
        flat(scopes, "int64"),
        scope_names,
        flat(level_of, "int64"),
        np.asarray(level_names, dtype=object),
        flat(starts_of, "datetime64[ns]"),
        flat(sums_of, "float64"),
        members,
    )


def _among(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``np.isin(values, wanted)`` for datetime64[ns] values without NaT and ``wanted`` sorted
    and distinct (a window's dozen periods): each value looked up by a sorted search, not by
    sorting all values with the wanted ones."""
    if not len(wanted):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(wanted, values), len(wanted) - 1)
    return wanted[at] == values


def _unique_ints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(values, return_inverse=True) for an int64 array, without sorting when the
    values span a range not much longer than the array (months, unit × period keys): marked in
    a table of the range, ranked by a running count. The same sorted uniques and inverse."""
    values = np.asarray(values, dtype=np.int64)
    if not len(values):
        return np.unique(values, return_inverse=True)
    low = int(values.min())
    span = int(values.max()) - low + 1
    if span > 4 * len(values) + 4096:
        return np.unique(values, return_inverse=True)
    offset = values - low
    present = np.zeros(span, dtype=bool)
    present[offset] = True
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present).astype(np.int64) + low, rank[offset]


def _group_runs(at_total: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The lines of matched parts, given each part's total (cell index, int64, in the parts'
    row order): (totals in order of first appearance, parts per total, the order that puts the
    parts total by total, keeping row order within a total; None when they already are).

    As ``pd.factorize`` then a stable argsort of the codes (groupby(sort=False)). Totals that
    never decrease (the time and window lines: parts and totals are both sorted by scope and
    start) are runs, found without hashing or sorting; the others are ranked by factorize and
    put in order by a stable sort of codes as 16-bit integers where they fit (numpy sorts
    those by radix, the same order as any stable sort)."""
    at_total = np.asarray(at_total, dtype=np.int64)
    if not len(at_total) or bool((at_total[1:] >= at_total[:-1]).all()):
        edges = np.flatnonzero(at_total[1:] != at_total[:-1]) + 1
        bounds = np.concatenate([[0], edges, [len(at_total)]]).astype(np.int64) if len(at_total) else edges
        return at_total[bounds[:-1]] if len(at_total) else at_total, np.diff(bounds), None
    codes, found = pd.factorize(at_total)
    small = codes.astype(np.int16) if len(found) < 2**15 else codes
    order = np.argsort(small, kind="stable")
    sizes = np.bincount(codes, minlength=len(found)).astype(np.int64)
    return np.asarray(found, dtype=np.int64), sizes, order


def _dense_column(part: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """One key column of _match as small non-negative integers: (part codes, total codes, the
    codes' bound). Integer columns and datetimes at month starts (the cube's periods) are their
    offset from the least value (months for datetimes); anything else is ranked by np.unique.
    Equal values get equal codes and different values different ones, which is all a join needs."""
    both = np.concatenate([part, total])
    if both.dtype == np.dtype("datetime64[ns]") and len(both) and not np.isnat(both).any():
        days = both.view(np.int64) // _DAY_NS
        if np.array_equal(days * _DAY_NS, both.view(np.int64)):  # whole days: ranked by day
            both = _unique_ints(days)[1]
    if both.dtype.kind in "iu" and len(both):
        low = int(both.min())
        span = int(both.max()) - low + 1
        if span <= 4 * len(both) + 4096:
            codes = both.astype(np.int64) - low
            return codes[: len(part)], codes[len(part) :], span
    uniques, inverse = np.unique(both, return_inverse=True)
    inverse = inverse.astype(np.int64)
    return inverse[: len(part)], inverse[len(part) :], max(len(uniques), 1)


def _match(parts: list[np.ndarray], totals: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """An inner join of parts on totals by their key columns, when each total's key is unique:
    (positions of the parts that have a total, in row order; the row of each one's total).
    The keys are made small integers per column (_dense_column) and combined into one; a total
    is found through a table indexed by the key when the keys' range is small (the cube's
    units × months), else by a sorted search: the rows and order of ``merge(how="inner")`` on
    a unique right key."""
    n_parts, n_totals = len(parts[0]), len(totals[0])
    part_key = np.zeros(n_parts, dtype=np.int64)
    total_key = np.zeros(n_totals, dtype=np.int64)
    bound = 1
    for part, total in zip(parts, totals, strict=True):
        part_codes, total_codes, span = _dense_column(np.asarray(part), np.asarray(total))
        if bound * span >= 2**62:  # too wide to combine: rank the keys so far
            _, inverse = np.unique(np.concatenate([part_key, total_key]), return_inverse=True)
            part_key, total_key = inverse[:n_parts].astype(np.int64), inverse[n_parts:].astype(np.int64)
            bound = n_parts + n_totals
        part_key = part_key * span + part_codes
        total_key = total_key * span + total_codes
        bound *= span
    if not n_parts or not n_totals:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if bound <= 4 * (n_parts + n_totals) + 65536:
        table = np.full(bound, -1, dtype=np.int64)
        table[total_key] = np.arange(n_totals, dtype=np.int64)
        row = table[part_key]
        hit = np.flatnonzero(row >= 0)
        return hit, row[hit]
    by_key = np.argsort(total_key, kind="stable")
    sorted_keys = total_key[by_key]
    found = np.minimum(np.searchsorted(sorted_keys, part_key), len(sorted_keys) - 1)
    hit = np.flatnonzero(sorted_keys[found] == part_key)
    return hit, by_key[found[hit]]


def _settle(
    counts: list[tuple[np.ndarray, np.ndarray]],
    hidden: np.ndarray,
    lines: Lines,
    level_of: np.ndarray,
    limit: int,
) -> np.ndarray:
    """Rules 3 and 3b until nothing changes, for every (values, primary) pair of counts the
    cells hold (one for a count; a share's numerator and complement, see `joint`).

    Nothing hidden at the start (no small count): every line has no hidden cell, so rule 3
    hides nothing and rule 3b has no hidden period; the mask is returned as it came."""
    if not hidden.any():
        return hidden
    window_line = (
        ~np.isin(level_of[lines.totals], GRAINS) & np.isin(level_of[lines.parts[lines.starts[:-1]]], GRAINS)
        if len(lines)
        else np.zeros(0, dtype=bool)
    )
    while True:
        before = hidden.copy() if len(counts) > 1 else None  # one count: its sweep is final
        for values, primary in counts:
            hidden = _sweep(values, hidden, primary, lines, limit)
        more = lines.totals[window_line & ~hidden[lines.totals] & lines.any_hidden_part(hidden)]
        hidden[more] = True
        if not len(more) and (before is None or np.array_equal(before, hidden)):
            return hidden


def joint(first: Cube, *others: Cube) -> Cube:
    """One mask for cells holding several counts of persons at once: a share's numerator and
    its complement (denominator − numerator; analytics.protection.small_parts), each a cube
    built by `build_cube` from the same rows (same cells and lines).

    A cell is primary when any of its counts is small, and rules 3 and 3b are applied to
    every count against the common mask until none changes, so no line of any of the counts
    can be solved for a hidden cell. `values` stays the first cube's.
    """
    primary = first.primary.copy()
    for other in others:
        if len(other.values) != len(first.values) or not np.array_equal(other.levels, first.levels):
            raise ValueError("joint: the cubes do not have the same cells")
        primary |= other.primary
    counts = [(cube.values, cube.primary) for cube in (first, *others)]
    hidden = _settle(counts, primary.copy(), first.lines, first.levels, first.limit)
    return dataclasses.replace(first, primary=primary, hidden=hidden)


def _needs_more(
    values: np.ndarray, hidden: np.ndarray, primary: np.ndarray, total: int, parts: np.ndarray, limit: int
) -> bool:
    hidden_parts = parts[hidden[parts]]
    count = len(hidden_parts) + int(hidden[total])
    if count == 0:
        return False
    if count == 1:
        return True
    if hidden[total]:
        return False
    derived = values[total] - values[parts[~hidden[parts]]].sum()
    if 0 < derived < limit:
        return True
    if len(hidden_parts) and primary[hidden_parts].all():
        # Each primary part is 1..limit-1: a sum at either end gives every part away.
        return derived <= len(hidden_parts) or derived >= (limit - 1) * len(hidden_parts)
    return False


def _sweep(
    values: np.ndarray,
    hidden: np.ndarray,
    primary: np.ndarray,
    lines: Lines,
    limit: int,
) -> np.ndarray:
    """Rule 3, line by line in order, again and again until a pass changes nothing (Cox 1980).

    The same picks as checking every line on every pass, with less work: a line is looked at
    only when it can need more, i.e. when the check at the pass's start says so (`_needy`, all
    lines at once) or one of its cells was hidden since. Within a pass a line after the one
    being worked on is looked at in the same pass, one before it in the next, as a full pass
    would. A line whose cells did not change gives the same answer, so skipping it is exact.
    """
    if not len(lines):
        return hidden
    totals, flat = lines.totals, lines.parts
    sizes = np.diff(lines.starts)
    due = np.flatnonzero(_needy(values, hidden, primary, totals, sizes, flat, limit))
    if not len(due):  # no line needs more: the owners below are never asked for
        return hidden
    # Which lines hold each cell (as total or part), to know whom a newly hidden cell concerns.
    cells = np.concatenate([totals, flat])
    owners = np.concatenate([np.arange(len(lines)), np.repeat(np.arange(len(lines)), sizes)])
    order = np.argsort(cells, kind="stable")
    cells, owners = cells[order], owners[order]
    queued = np.zeros(len(lines), dtype=bool)
    while len(due):
        queued[:] = False
        queued[due] = True
        heap = due.tolist()  # sorted: a valid heap
        later: set[int] = set()
        changed = False
        while heap:
            at = heapq.heappop(heap)
            queued[at] = False
            total, parts = int(totals[at]), lines.parts_of(at)
            while _needs_more(values, hidden, primary, total, parts, limit):
                pick = _pick(values, hidden, total, parts)
                if pick is None:
                    break
                hidden[pick] = True
                changed = True
                lo, hi = np.searchsorted(cells, [pick, pick + 1])
                for other in owners[lo:hi].tolist():
                    if other > at and not queued[other]:
                        queued[other] = True
                        heapq.heappush(heap, other)
                    elif other < at:
                        later.add(other)
        if not changed:
            break
        due = np.array(sorted(later), dtype=np.int64)
    return hidden


def _pick(values: np.ndarray, hidden: np.ndarray, total: int, parts: np.ndarray) -> int | None:
    """The cell rule 3 hides next in a line: its smallest positive shown part, else the total
    when shown, else its first shown part; None when nothing is left to hide."""
    shown = parts[~hidden[parts]]
    positive = shown[values[shown] > 0]
    if len(positive):
        return positive[np.argsort(values[positive], kind="stable")[0]]
    if not hidden[total]:
        return total
    if len(shown):
        return shown[0]
    return None


def _needy(
    values: np.ndarray,
    hidden: np.ndarray,
    primary: np.ndarray,
    totals: np.ndarray,
    sizes: np.ndarray,
    flat: np.ndarray,
    limit: int,
) -> np.ndarray:
    """`_needs_more` for every line at once (lines as totals, part counts and their parts laid
    end to end). Sums of whole counts are exact in any order; with a value that is not a whole
    number every line is said to need a look (then `_needs_more` decides, as before)."""
    if not len(sizes) or (sizes == 0).any() or not np.array_equal(values, np.floor(values)):
        return np.ones(len(sizes), dtype=bool)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    part_hidden = hidden[flat]
    n_hidden = np.add.reduceat(part_hidden.astype(np.int64), starts)
    total_hidden = hidden[totals]
    count = n_hidden + total_hidden
    derived = values[totals] - np.add.reduceat(np.where(part_hidden, 0.0, values[flat]), starts)
    all_primary = (n_hidden > 0) & (
        np.add.reduceat((part_hidden & ~primary[flat]).astype(np.int64), starts) == 0
    )
    small = (derived > 0) & (derived < limit)
    extreme = all_primary & ((derived <= n_hidden) | (derived >= (limit - 1) * n_hidden))
    return (count == 1) | ((count >= 2) & ~total_hidden & (small | extreme))
