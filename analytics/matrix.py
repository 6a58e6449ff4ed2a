"""«Hvor står vi?»: every member municipality against every measured criterion of a plan.

One cell per (municipality, criterion): the criterion's status judged over that municipality
alone (``evaluate_criterion`` with ``unit_scope([unit])``, the rule the Kommune page uses) and
the municipality's newest value, shown as everywhere else (a small count is hidden: see
``indicator_view.shown_value``). Milestones and monitored criteria have no municipal verdict
and are left out: the matrix answers "where are we off track, and in which municipalities".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pandas as pd

from analytics.board import Board
from analytics.evaluate import _Rows, evaluate_criterion, partnership_scope, unit_scope
from analytics.indicator_view import _recent, member_units
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
    indicator_id: str  # the indicator a click opens (the criterion's first)


@dataclass(frozen=True)
class StatusMatrix:
    """columns: in plan order. cells: one row per (unit_id, criterion_id) with columns
    unit_id, name, criterion_id, status (the Status word: pandas keeps it as text;
    `Status(cell)` gives the enum back), value (shown text, small counts hidden),
    period, reason, indicator_id."""

    partnership: str
    columns: list[MatrixColumn]
    cells: pd.DataFrame

    def link(self, unit_id: str, criterion_id: str) -> str:
        """The Indikator page for this municipality and the criterion's indicator (URL state)."""
        column = next(c for c in self.columns if c.criterion_id == criterion_id)
        query = {"hf": self.partnership, "indikator": column.indicator_id, "kommune": unit_id}
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
    partnership and cut per municipality, so the cost is the judging, not the reading.
    Raises KeyError for an unknown partnership.
    """
    today = today or dt.date.today()
    plan = board.plan(partnership)
    columns = matrix_columns(plan)
    units = member_units(board, partnership)
    rows = _Rows(board)
    whole = partnership_scope(board, partnership)
    milestones = board.store.milestone_states(board.partnership_id(partnership))
    criteria = {c.id: (m, c) for m, c in plan.criteria}
    for column in columns:
        for indicator_id in criteria[column.criterion_id][1].indicators:
            rows.load_all(board.registry.get(indicator_id), whole.unit_ids)
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
            indicator = board.registry.get(column.indicator_id)
            data = rows.get(indicator, own.unit_ids)
            if as_of is not None:
                data = replace(
                    data, rows=data.rows[data.rows["period_start"] <= pd.Timestamp(as_of)], judged={}
                )
            value, period = _recent(data, as_of or today)
            records.append(
                {
                    "unit_id": unit_id,
                    "name": name,
                    "criterion_id": column.criterion_id,
                    "status": result.judgement.status.value,
                    "value": value,
                    "period": period,
                    "reason": result.judgement.reason,
                    "indicator_id": column.indicator_id,
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
