"""«Hvor står vi?»: every member municipality against every measured criterion of a plan.

One cell per (municipality, criterion): the criterion's status judged over that municipality
alone (``evaluate_criterion`` with ``unit_scope([unit])``, the rule the Kommune page uses) and
the value and window that status rests on (``indicator_view.criterion_value``, as on Kommune),
shown as everywhere else (a small count is hidden: see ``series.figure_shown``). Milestones and monitored criteria have no municipal verdict
and are left out: the matrix answers "where are we off track, and in which municipalities".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

from analytics import clock, datacache
from analytics.board import Board
from analytics.evaluate import _Rows, evaluate_criterion, partnership_scope, unit_scope
from analytics.indicator_view import criterion_value, member_units
from analytics.plan import CriterionKind, Plan
from analytics.status import SEVERITY, STATUS_STYLE, Status

# Criteria kinds with a verdict per municipality (a milestone is the partnership's; a
# monitored series is followed without a verdict).
JUDGED_KINDS = (CriterionKind.target, CriterionKind.trend, CriterionKind.coverage, CriterionKind.before_after)


@dataclass(frozen=True)
class MatrixColumn:
    """One criterion: its short title, the plan's own words, and where it sits in the plan."""

    criterion_id: str
    measure_id: str
    title: str  # the board's short title (criterion), for the column head
    measure_title: str  # the board's short title of the measure
    text: str  # the plan's own words, for hover
    goal: str  # the goal's text
    target_group: str  # the target group's name
    indicator_id: str  # the criterion's first indicator (a cell's own: cells["indicator_id"])


@dataclass(frozen=True)
class StatusMatrix:
    """columns: in plan order. cells: one row per (unit_id, criterion_id) with columns
    unit_id, name, criterion_id, status (the Status word: pandas keeps it as text;
    `Status(cell)` gives the enum back), value (shown text, small counts hidden),
    period, reason, indicator_id."""

    partnership: str
    columns: list[MatrixColumn]
    cells: pd.DataFrame

    def link(self, unit_id: str, criterion_id: str, indicator_id: str | None = None) -> str:
        """The Indikator page for this municipality and the cell's indicator (URL state):
        ``indicator_id``, the cell's (the one its value is of), else the criterion's first."""
        if indicator_id is None:
            indicator_id = next(c for c in self.columns if c.criterion_id == criterion_id).indicator_id
        query = {"hf": self.partnership, "indikator": indicator_id, "kommune": unit_id}
        return f"/indikator?{urlencode(query)}"

    def status_of(self, unit_id: str, criterion_id: str) -> Status:
        row = self.cells[(self.cells["unit_id"] == unit_id) & (self.cells["criterion_id"] == criterion_id)]
        return Status(row["status"].iloc[0])


def matrix_columns(plan: Plan) -> list[MatrixColumn]:
    """The plan's judged numeric criteria, in plan order (grouped by goal and target group)."""
    goals = {g.id: g.text for g in plan.goals}
    groups = {g.id: g.name for g in plan.target_groups}
    columns = []
    for measure, criterion in plan.criteria:
        if not criterion.indicators or criterion.kind not in JUDGED_KINDS:
            continue
        columns.append(
            MatrixColumn(
                criterion.id,
                measure.id,
                criterion.title,
                measure.title,
                criterion.text,
                goals.get(measure.goal, ""),
                groups.get(measure.target_group, ""),
                criterion.indicators[0],
            )
        )
    order = {g.id: i for i, g in enumerate(plan.target_groups)}
    measure_group = {m.id: m.target_group for m in plan.measures}
    return sorted(columns, key=lambda c: order.get(measure_group[c.measure_id], len(order)))


def status_matrix(
    board: Board, partnership: str, today: dt.date | None = None, as_of: dt.date | None = None
) -> StatusMatrix:
    """Judge every judged numeric criterion of the plan in every member municipality.

    as_of: the status as it stood that day (evaluate_criterion's as_of: data up to that day),
    with the values shown as of then too.

    Returns a StatusMatrix (see its fields). Rows are read once per indicator for the whole
    partnership and cut per municipality, so the cost is the judging, not the reading. Kept
    per data version, plan and day (analytics.datacache): the page, the deck and
    ``analytics.status_table`` share one judging. Raises KeyError for an unknown partnership.
    """
    return datacache.judged_plan(board, _status_matrix, partnership, today or clock.today(), as_of)


def matrix_kept(
    board: Board, partnership: str, today: dt.date | None = None, as_of: dt.date | None = None
) -> bool:
    """Whether ``status_matrix`` with these arguments is kept for the store's current data
    (by a page, the deck or analytics.warming): then showing it is instant. Computes nothing."""
    kept = datacache.kept_judged_plan(board, _status_matrix, partnership, today or clock.today(), as_of)
    return kept is not None


def _status_matrix(
    board: Board, partnership: str, plan: Plan, today: dt.date, as_of: dt.date | None
) -> StatusMatrix:
    columns = matrix_columns(plan)
    units = member_units(board, partnership)
    rows = _Rows(board)
    whole = partnership_scope(board, partnership)
    milestones = board.store.milestone_states(board.partnership_id(partnership))
    criteria = {c.id: (m, c) for m, c in plan.criteria}
    for column in columns:
        for indicator_id in criteria[column.criterion_id][1].indicators:
            rows.load_all(board.registry.get(indicator_id), whole.unit_ids)
            # Each member's rows: cut from the partnership's, or (when they cannot be) read
            # for all members at once rather than a few reads per municipality.
            rows.load_each(board.registry.get(indicator_id), tuple(units["unit_id"]))
    records = []
    for unit_id, name in zip(units["unit_id"], units["name"], strict=True):
        own = unit_scope(board, [unit_id])
        for column in columns:
            measure, criterion = criteria[column.criterion_id]
            result = evaluate_criterion(
                board,
                plan,
                measure,
                criterion,
                scope=own,
                today=today,
                milestones=milestones,
                rows=rows,
                as_of=as_of,
            )
            # The value beside the status is the deciding indicator's (with several, the worst
            # part with figures: CriterionResult.deciding), and a click opens that indicator.
            indicator = board.registry.get(result.deciding or column.indicator_id)
            # The shown value is the one the status rests on: after a passed deadline, the data
            # up to the deadline (as the reason says), not the newest months.
            value, period = criterion_value(result, rows.get(indicator, own.unit_ids), as_of or today)
            records.append(
                {
                    "unit_id": unit_id,
                    "name": name,
                    "criterion_id": column.criterion_id,
                    "status": result.judgement.status.value,
                    "value": value,
                    "period": period,
                    "reason": result.judgement.reason,
                    "indicator_id": indicator.id,
                }
            )
    return StatusMatrix(partnership, columns, pd.DataFrame(records))


SORT_ORDER = [*SEVERITY, Status.monitored]


def status_rank(status: Status | str) -> int:
    """Worst first: Forsinket, Ikke på sporet, … Oppnådd (analytics.status.SEVERITY)."""
    status = Status(status)
    return SORT_ORDER.index(status) if status in SORT_ORDER else len(SORT_ORDER)


def status_icon(status: Status) -> str:
    return STATUS_STYLE[status][0]


# Sort keys of ``matrix_view`` besides a criterion id.
SORT_WORST = "verst"
SORT_NAME = "navn"


@dataclass(frozen=True)
class MatrixView:
    """The matrix as shown: the chosen columns, the municipalities kept by the status filter in
    display order, and the count of each status word over exactly the cells shown.

    cells: (unit_id, criterion_id) → the cell's record (status, value, period, reason, …);
    counts: status → number of shown cells (statuses in ``SORT_ORDER``, worst first, only
    those present); shown_units / all_units: rows shown and municipalities in the matrix.
    """

    columns: list[MatrixColumn]
    units: list[str]
    names: dict[str, str]
    cells: dict[tuple[str, str], dict]
    counts: dict[Status, int]
    all_units: int


def chosen_columns(matrix: StatusMatrix, groups: list[str] | None = None) -> list[MatrixColumn]:
    """The columns of the chosen target groups (by name), in plan order; all when none."""
    return [c for c in matrix.columns if not groups or c.target_group in groups]


def column_groups(columns: list[MatrixColumn]) -> list[tuple[str, int]]:
    """(target group, number of adjacent columns) for the table's grouped header."""
    groups: list[tuple[str, int]] = []
    for column in columns:
        if groups and groups[-1][0] == column.target_group:
            groups[-1] = (column.target_group, groups[-1][1] + 1)
        else:
            groups.append((column.target_group, 1))
    return groups


def present_statuses(matrix: StatusMatrix) -> list[Status]:
    """The status words that occur in the matrix, worst first (the status filter's choices)."""
    return sorted({Status(s) for s in matrix.cells["status"]}, key=status_rank)


def matrix_view(
    matrix: StatusMatrix,
    groups: list[str] | None = None,
    statuses: set[Status] | None = None,
    sort: str = SORT_WORST,
) -> MatrixView:
    """Columns of the chosen target groups (all when none), the municipalities with at least
    one shown cell of a chosen status (all when none), sorted by ``sort``: SORT_WORST (the
    most severe statuses first, analytics.status.SEVERITY), SORT_NAME, or a criterion id
    (that column's status, worst first; then by name).

    Raises KeyError when ``sort`` names a criterion that is not among the shown columns.
    """
    columns = chosen_columns(matrix, groups)
    shown_ids = [c.criterion_id for c in columns]
    records = matrix.cells[matrix.cells["criterion_id"].isin(shown_ids)].to_dict("records")
    cells = {(r["unit_id"], r["criterion_id"]): r for r in records}
    names = dict(zip(matrix.cells["unit_id"], matrix.cells["name"], strict=False))
    order = list(dict.fromkeys(r["unit_id"] for r in records))
    wanted = {s.value for s in statuses or ()}

    def row_statuses(unit: str) -> list[str]:
        return [cells[(unit, c)]["status"] for c in shown_ids if (unit, c) in cells]

    units = [u for u in order if not wanted or wanted & set(row_statuses(u))]
    if sort == SORT_NAME:
        units.sort(key=lambda u: names[u])
    elif sort == SORT_WORST:
        units.sort(key=lambda u: (*sorted(status_rank(s) for s in row_statuses(u)), names[u]))
    else:
        if sort not in shown_ids:
            raise KeyError(sort)
        units.sort(key=lambda u: (status_rank(cells[(u, sort)]["status"]), names[u]))
    shown = [Status(cells[(u, c)]["status"]) for u in units for c in shown_ids if (u, c) in cells]
    counts = {s: shown.count(s) for s in sorted(set(shown), key=status_rank)}
    return MatrixView(columns, units, names, cells, counts, len(order))
