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
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ALL = "*"
GRAINS = ("month", "quarter", "year")
FUNNEL = "funnel"  # the 12 months the funnel compares
SAME_MONTHS = "same_months"  # a year in progress's months, a year earlier


def truncate(starts: pd.Series | Sequence[pd.Timestamp], grain: str) -> np.ndarray:
    """Period starts at a coarser grain (datetime64[ns]): month → quarter → year."""
    months = np.asarray(pd.to_datetime(pd.Series(starts)).to_numpy(), dtype="datetime64[M]")
    if grain == "year":
        months = months.astype("datetime64[Y]").astype("datetime64[M]")
    elif grain == "quarter":
        number = months.astype(int)
        months = (number - number % 3).astype("datetime64[M]")
    return months.astype("datetime64[ns]")


@dataclass
class Cube:
    """Cells (unit or ALL, level, period start) with their counts and the protection decided.

    One cell per position of `scopes` (unit id or ALL), `levels` (a grain from the native one
    up, or a window name) and `starts` (datetime64[ns]). `lines`: (total, parts) cell indices.
    `hidden`/`primary`: bool per cell. `keys` and `index` give the cells as (scope, level,
    Timestamp) tuples, built when first asked for (lookups use the cells' own arrays).
    """

    scopes: np.ndarray
    levels: np.ndarray
    starts: np.ndarray
    values: np.ndarray
    primary: np.ndarray
    hidden: np.ndarray
    lines: list[tuple[int, np.ndarray]]
    limit: int
    windows: dict[str, list[pd.Timestamp]] = field(default_factory=dict)  # name → native starts
    native: str = "month"

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
    def units(self) -> frozenset[str]:
        if not hasattr(self, "_units"):
            self._units = frozenset(self.scopes[self.scopes != ALL].tolist())
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

    def _at(self, scope: str, level: str, start: object) -> int | None:
        """The cell's position: a dict on (scope, level, nanoseconds), made on first use."""
        if not hasattr(self, "_positions"):
            nanos = self.starts.astype("datetime64[ns]").view("int64").tolist()
            cells = zip(self.scopes.tolist(), self.levels.tolist(), nanos, strict=True)
            self._positions = {cell: i for i, cell in enumerate(cells)}
        return self._positions.get((scope, level, pd.Timestamp(start).as_unit("ns").value))

    def is_hidden(self, scope: str, level: str, start: pd.Timestamp) -> bool | None:
        """The mask of one cell; None when the cube has no such cell."""
        at = self._at(scope, level, start)
        return None if at is None else bool(self.hidden[at])

    def mask(self, scopes: Sequence[str], level: str, starts: Sequence[pd.Timestamp]) -> np.ndarray:
        """Hidden per (scope, start) pair; cells the cube lacks are not hidden by it."""
        return np.array(
            [bool(self.is_hidden(s, level, t)) for s, t in zip(scopes, starts, strict=True)], dtype=bool
        )


def build_cube(
    rows: pd.DataFrame,
    native: str,
    limit: int,
    windows: dict[str, list[pd.Timestamp]] | None = None,
) -> Cube:
    """The protected cube of one partnership's counts.

    `rows`: unit_id, period_start (the native grain), numerator (a count; NaN/suppressed rows
    count as 0: the board shows nothing for them either). `native`: 'month', 'quarter' or
    'year'. `windows`: name → the native period starts it covers (each a cell per unit and ALL).
    """
    frame = rows[["unit_id", "period_start", "numerator"]].copy()
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["numerator"] = pd.to_numeric(frame["numerator"], errors="coerce").fillna(0.0)
    atoms = frame.groupby(["unit_id", "period_start"], as_index=False)["numerator"].sum()
    levels = list(GRAINS[GRAINS.index(native) :])
    # The cells, as columns: per level each unit's periods (sorted), then ALL's.
    scopes: list[np.ndarray] = []
    names: list[np.ndarray] = []
    stamps: list[np.ndarray] = []
    sums: list[np.ndarray] = []

    def put(scope: object, level: str, start: object, value: object) -> None:
        value = np.asarray(value, dtype=float)
        scopes.append(np.asarray(scope, dtype=object))
        names.append(np.full(len(value), level, dtype=object))
        stamps.append(np.asarray(start, dtype="datetime64[ns]"))
        sums.append(value)

    members: dict[tuple[str, pd.Timestamp], list[pd.Timestamp]] = {}
    for level in levels:
        framed = atoms.assign(start=truncate(atoms["period_start"], level))
        grouped = framed.groupby(["unit_id", "start"])["numerator"].sum()
        units = grouped.index.get_level_values(0).astype(str)
        put(units, level, grouped.index.get_level_values(1), grouped.to_numpy())
        whole = framed.groupby("start")["numerator"].sum()
        put([ALL] * len(whole), level, whole.index, whole.to_numpy())
    for name, starts in (windows or {}).items():
        wanted = set(pd.to_datetime(list(starts)))
        inside = atoms[atoms["period_start"].isin(wanted)]
        if inside.empty:
            continue
        anchor = max(wanted)
        grouped = inside.groupby("unit_id")["numerator"].sum()
        put(grouped.index.astype(str), name, [anchor] * len(grouped), grouped.to_numpy())
        put([ALL], name, [anchor], [float(inside["numerator"].sum())])
        levels.append(name)
        members[(name, anchor)] = sorted(wanted)

    scope_of = np.concatenate(scopes) if scopes else np.array([], dtype=object)
    level_of = np.concatenate(names) if names else np.array([], dtype=object)
    start_of = np.concatenate(stamps) if stamps else np.array([], dtype="datetime64[ns]")
    array = np.concatenate(sums) if sums else np.array([], dtype=float)
    cells = pd.DataFrame({"scope": scope_of, "level": level_of, "start": start_of})
    cells["at"] = np.arange(len(cells))
    lines: list[tuple[int, np.ndarray]] = []

    def add(parts: pd.DataFrame, totals: pd.DataFrame, on: list[str]) -> None:
        """A line per total: the parts whose `on` columns match it."""
        matched = parts.merge(totals, on=on, suffixes=("", "_total"))
        # Totals in order of first appearance, parts in row order (as groupby(sort=False)):
        # one stable sort and a split, not a Python loop over pandas groups.
        codes, found = pd.factorize(matched["at_total"])
        order = np.argsort(codes, kind="stable")
        ats = matched["at"].to_numpy()[order]
        bounds = [0, *(np.flatnonzero(np.diff(codes[order])) + 1).tolist(), len(ats)]
        groups = [ats[a:b] for a, b in itertools.pairwise(bounds)] if len(ats) else []
        lines.extend(zip(found.tolist(), groups, strict=True))

    grains = [g for g in levels if g in GRAINS]
    # Time: every coarser period with the periods of every finer grain inside it (each unit, ALL).
    for fine_i, fine in enumerate(grains):
        fine_cells = cells[cells["level"] == fine]
        for coarse in grains[fine_i + 1 :]:
            parts = fine_cells.assign(parent=truncate(fine_cells["start"], coarse))
            totals = cells[cells["level"] == coarse].rename(columns={"start": "parent"})
            add(parts[["scope", "parent", "at"]], totals[["scope", "parent", "at"]], ["scope", "parent"])
    # Windows: the window with the native periods in it.
    for name in levels[len(grains) :]:
        for anchor in cells.loc[cells["level"] == name, "start"].unique():
            covered = set(members[(name, pd.Timestamp(anchor))])
            native_cells = cells[(cells["level"] == native) & cells["start"].isin(covered)]
            totals = cells[(cells["level"] == name) & (cells["start"] == anchor)]
            add(native_cells[["scope", "at"]], totals[["scope", "at"]], ["scope"])
    # Space: ALL with its units, for every period of every level.
    unit_cells = cells[cells["scope"] != ALL]
    totals = cells[cells["scope"] == ALL]
    add(unit_cells[["level", "start", "at"]], totals[["level", "start", "at"]], ["level", "start"])

    primary = (array > 0) & (array < limit)
    # Windows cross the quarter and year boundaries, so a window beside the periods it overlaps
    # could close a chain of lines (window − shown months = a hidden month whose quarter then
    # gives away its neighbour): a window is hidden whenever a period inside it is (rule 3b).
    hidden = _settle([(array, primary)], primary.copy(), lines, level_of, limit)
    covered = {name: list(starts) for (name, _), starts in members.items()}
    return Cube(scope_of, level_of, start_of, array, primary, hidden, lines, limit, covered, native)


def _settle(
    counts: list[tuple[np.ndarray, np.ndarray]],
    hidden: np.ndarray,
    lines: list[tuple[int, np.ndarray]],
    level_of: np.ndarray,
    limit: int,
) -> np.ndarray:
    """Rules 3 and 3b until nothing changes, for every (values, primary) pair of counts the
    cells hold (one for a count; a share's numerator and complement, see `joint`)."""
    window_lines = (
        [(t, p) for t, p in lines if level_of[t] not in GRAINS and level_of[p[0]] in GRAINS] if lines else []
    )
    while True:
        before = hidden.copy() if len(counts) > 1 else None  # one count: its sweep is final
        for values, primary in counts:
            hidden = _sweep(values, hidden, primary, lines, limit)
        more = [t for t, parts in window_lines if not hidden[t] and hidden[parts].any()]
        hidden[more] = True
        if not more and (before is None or np.array_equal(before, hidden)):
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
    lines: list[tuple[int, np.ndarray]],
    limit: int,
) -> np.ndarray:
    changed = True
    while changed:
        changed = False
        for total, parts in lines:
            while _needs_more(values, hidden, primary, total, parts, limit):
                shown = parts[~hidden[parts]]
                positive = shown[values[shown] > 0]
                if len(positive):
                    pick = positive[np.argsort(values[positive], kind="stable")[0]]
                elif not hidden[total]:
                    pick = total
                elif len(shown):
                    pick = shown[0]
                else:
                    break
                hidden[pick] = True
                changed = True
    return hidden
