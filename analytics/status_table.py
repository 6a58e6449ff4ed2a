"""Every criterion's status on a store: the partnership and each member, counted by status word.

    python -m analytics.status_table [--db PATH] [--today YYYY-MM-DD] [--as-of YYYY-MM-DD]

Without ``--db`` a demo store is built in a temporary folder (as ``make demo`` builds it).
One line per criterion: the partnership's status, then how many member municipalities and
districts get each status word. The last lines total each status word over all criteria.
Used to compare the verdicts before and after a change to the status rule.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path

from analytics import clock, evaluate
from analytics.board import Board, open_board
from analytics.status import Status


def _evaluate(board: Board, plan, measure, criterion, scope, today, milestones, rows, as_of):
    kwargs = {"scope": scope, "today": today, "milestones": milestones, "rows": rows}
    if as_of is not None:
        kwargs["as_of"] = as_of
    return evaluate.evaluate_criterion(board, plan, measure, criterion, **kwargs).judgement.status


def status_rows(board: Board, partnership: str, today: dt.date, as_of: dt.date | None = None) -> list[dict]:
    """One dict per criterion: id, kind, the partnership's status and a Counter over members."""
    plan = board.plan(partnership)
    milestones = board.store.milestone_states(board.partnership_id(partnership))
    rows = evaluate._Rows(board)
    whole = evaluate.partnership_scope(board, partnership)
    members = board.member_ids(partnership)
    out = []
    for measure, criterion in plan.criteria:
        status = _evaluate(board, plan, measure, criterion, whole, today, milestones, rows, as_of)
        counts: Counter = Counter()
        if criterion.indicators and criterion.kind.value != "milestone":
            for unit in members:
                scope = evaluate.unit_scope(board, [unit])
                counts[_evaluate(board, plan, measure, criterion, scope, today, milestones, rows, as_of)] += 1
        out.append({"id": criterion.id, "kind": criterion.kind.value, "whole": status, "members": counts})
    return out


def _counts_text(counts: Counter) -> str:
    return ", ".join(f"{s.value} {counts[s]}" for s in Status if counts[s]) or "–"


def render(board: Board, partnerships: list[str], today: dt.date, as_of: dt.date | None = None) -> str:
    lines = []
    for partnership in partnerships:
        rows = status_rows(board, partnership, today, as_of)
        lines.append(f"## {partnership} (i dag {today:%d.%m.%Y}{f', per {as_of:%d.%m.%Y}' if as_of else ''})")
        lines.append("| kriterium | type | helsefellesskapet | kommuner/bydeler |")
        lines.append("|---|---|---|---|")
        whole: Counter = Counter()
        members: Counter = Counter()
        for row in rows:
            whole[row["whole"]] += 1
            members.update(row["members"])
            lines.append(
                f"| {row['id']} | {row['kind']} | {row['whole'].value} | {_counts_text(row['members'])} |"
            )
        lines.append(f"| sum | | {_counts_text(whole)} | {_counts_text(members)} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="store to read (default: a fresh demo store)")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=clock.today())
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    if args.db is None:
        from loaders.service import Loader

        folder = Path(tempfile.mkdtemp(prefix="status-table-"))
        loader = Loader.open(folder / "demo.duckdb")
        loader.load_demo(folder / "files")
        board = loader.board
    else:
        board = open_board(args.db)
    print(render(board, list(board.plans), args.today, args.as_of))


if __name__ == "__main__":
    main()
