"""`python -m loaders plan …`: the plan overlay from the command line (same path as Planoppsett).

    plan export --partnership ID [--period 2024-2025] [--out FILE]   the plan with decisions, as YAML
    plan import FILE                                                 store a new plan file (validated)
    plan set --partnership ID --entry ID --field FIELD --value V [--reference TEXT]
    plan log [--partnership ID]                                      the decisions, newest first
    plan undo DECISION_ID                                            undo one decision

Exit codes as for ingest: 0 done; 2 refused (one Norwegian sentence per problem on stderr,
nothing stored); 1 other failures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analytics import plan_overlay as overlay
from analytics.board import Board

REFUSED = 2


def add_parser(commands, parser_class, db_type=Path) -> None:
    """Add `plan` and its sub-commands to the loader's command parsers (`db_type` reads --db)."""
    plan = commands.add_parser("plan", help="planoppsett: eksporter, importer, endre og angre")
    sub = plan.add_subparsers(dest="plan_command", required=True, parser_class=parser_class)
    export = sub.add_parser("export", help="skriv planen med vedtak som YAML")
    export.add_argument("--partnership", required=True)
    export.add_argument("--period", help="planperioden, f.eks. 2024-2025 (standard: den gjeldende)")
    export.add_argument("--out", type=Path)
    imported = sub.add_parser("import", help="last inn en ny planfil (kontrolleres først)")
    imported.add_argument("file", type=Path)
    setter = sub.add_parser("set", help="endre én verdi (et vedtak)")
    setter.add_argument("--partnership", required=True)
    setter.add_argument("--entry", required=True, help="kriterium- eller tiltak-id, f.eks. m10-k1")
    setter.add_argument("--field", required=True, choices=sorted(overlay.FIELDS))
    setter.add_argument("--value", required=True, help="verdien; grunnlinje og lister som JSON")
    setter.add_argument("--reference", help="vedtaket, f.eks. «Vedtatt i AU 12.03.2026»")
    log = sub.add_parser("log", help="vis vedtakene")
    log.add_argument("--partnership")
    undo = sub.add_parser("undo", help="angre ett vedtak")
    undo.add_argument("decision_id", type=int)
    for command in sub.choices.values():
        command.add_argument("--db", type=db_type, default=None)


def _key(board: Board, partnership: str, period: str | None = None) -> str:
    key = board.key_for_period(f"{partnership}-{period}") if period else partnership
    if key is None or key not in board.plan_keys():
        known = ", ".join(sorted({board.plan(k).period_id for k in board.plan_keys()}))
        raise overlay.DecisionRefused(
            f"Ukjent plan «{partnership}{'-' + period if period else ''}» (finnes: {known})."
        )
    return key


def _value(field: str, text: str) -> object:
    if field in ("baseline", "comparison_units"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise overlay.DecisionRefused(
                f"Verdien for «{field}» må være JSON, f.eks. "
                + ('{"from": "2022-01", "to": "2023-12"}' if field == "baseline" else '["3205", "3222"]')
                + "."
            ) from None
    return text


def run(args: argparse.Namespace, board: Board, user: str) -> int:
    """Run one `plan` sub-command; messages to stdout, refusals to stderr."""
    try:
        if args.plan_command == "export":
            key = _key(board, args.partnership, args.period)
            text = overlay.plan_yaml(board.plan(key))
            if args.out:
                args.out.write_text(text, encoding="utf-8")
                print(f"Planen {board.plan(key).period_id} er skrevet til «{args.out}».")
            else:
                sys.stdout.write(text)
            return 0
        if args.plan_command == "import":
            plan = overlay.import_plan(board, args.file, user)
            print(f"Planen {plan.period_id} ({plan.partnership.plan_title}) er lastet inn.")
            return 0
        if args.plan_command == "set":
            key = _key(board, args.partnership)
            ids = overlay.decide(
                board, key, args.entry, {args.field: _value(args.field, args.value)}, user, args.reference
            )
            print(
                f"Lagret som vedtak nr. {ids[0]}."
                if ids
                else "Verdien var allerede slik; ingenting er endret."
            )
            return 0
        if args.plan_command == "log":
            keys = [_key(board, args.partnership)] if args.partnership else board.plan_keys()
            for key in keys:
                for row in overlay.decision_rows(board, key):
                    undone = f" (angret av {row['Angret']})" if row["Angret"] else ""
                    print(
                        f"{row['Nr.']}\t{row['Når']:%d.%m.%Y %H:%M}\t{row['Hvem']}\t{board.plan(key).period_id}\t"
                        f"{row['Gjelder']}\t{row['Verdi']}: {row['Før']} → {row['Etter']}\t{row['Vedtak']}{undone}"
                    )
            return 0
        if args.plan_command == "undo":
            print(overlay.undo_decision(board, args.decision_id, user))
            return 0
    except overlay.DecisionRefused as exc:
        print(str(exc), file=sys.stderr)
        return REFUSED
    except overlay.PlanProblems as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return REFUSED
    return 1
