"""Command line for scheduled loads.

    python -m loaders ingest FILE --indicator ID [--db PATH] [--profile NAME] [--sheet NAME] [--dry-run]
                             [--where KOLONNE=VERDI ...] [--sum KOLONNE ...] [--missing-zero]
    python -m loaders export [--indicator ID] [--raw] [--db PATH]
    python -m loaders log [--db PATH]
    python -m loaders undo UPLOAD_ID [--db PATH]
    python -m loaders demo [--db PATH]        (make the synthetic demo files and load them)
    python -m loaders plan export|import|set|log|undo …   (the plan overlay: loaders/plan_cli.py)
    python -m loaders migrate [--db PATH]     (bring the store's schema up to date)
    python -m loaders copy --from STORE --to STORE   (move a store to another backend)

PATH (and STORE) is a DuckDB file or a postgresql://… connection string; default BOARD_DB.

Exit codes: 0 done; 2 the file was refused (problems on stderr, store unchanged); 1 any
other failure, in one sentence.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from analytics import clock, config
from analytics.plan import PlanError
from analytics.store import StoreError, open_store
from loaders import plan_cli, service, spool

REFUSED = 2


class _Parser(argparse.ArgumentParser):
    """Usage errors as one Norwegian sentence and exit code 1 (argparse would say 2: 'refused')."""

    def error(self, message: str) -> None:
        raise service.LoaderError(f"Feil i kommandoen: {message}. Se «python -m loaders --help».")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m loaders", description="Last inn indikatordata.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ingest = commands.add_parser("ingest", help="last inn én fil")
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--indicator")
    ingest.add_argument("--profile")
    ingest.add_argument("--sheet")
    ingest.add_argument("--dry-run", action="store_true")
    ingest.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="KOLONNE=VERDI",
        help='behold bare radene med denne verdien, f.eks. --where kjønn="Begge kjønn"',
    )
    ingest.add_argument(
        "--sum",
        action="append",
        default=[],
        metavar="KOLONNE",
        help="summer over kolonnen, f.eks. --sum kjønn",
    )
    ingest.add_argument(
        "--missing-zero",
        action="store_true",
        help="rader som mangler er 0: uttrekket utelater kommuner og perioder uten hendelser, så de "
        "lagres som 0 (bare for antall hendelser; skjulte celler forblir skjult)",
    )
    ingest.add_argument(
        "--partnership", help="helsefellesskapet filen lastes for; rader for andre kommuner hoppes over"
    )
    export = commands.add_parser("export", help="skriv fakta som CSV (UTF-8) til stdout")
    export.add_argument("--indicator")
    export.add_argument(
        "--raw",
        action="store_true",
        help="tallene slik de er lagret, også tall under 5 (bare for analytikere; ellers vernet som på sidene)",
    )
    commands.add_parser("log", help="vis opplastingsloggen")
    undo = commands.add_parser("undo", help="angre en opplasting")
    undo.add_argument("upload_id", type=int)
    commands.add_parser("demo", help="lag og last inn syntetiske demodata")
    commands.add_parser("migrate", help="oppdater databasens skjema til denne versjonen")
    for sub in commands.choices.values():
        sub.add_argument("--db", type=_target, default=None)
    copy = commands.add_parser("copy", help="kopier hele databasen til en ny, tom database")
    copy.add_argument("--from", dest="source", type=_target, required=True)
    copy.add_argument("--to", dest="target", type=_target, required=True)
    plan_cli.add_parser(commands, _Parser, _target)  # its sub-commands take --db themselves
    return parser


def _where(pairs: list[str]) -> dict[str, str]:
    """['kjønn=Begge kjønn'] → {'kjønn': 'Begge kjønn'} (quotes around the value dropped)."""
    chosen: dict[str, str] = {}
    for pair in pairs:
        column, sep, value = pair.partition("=")
        if not sep or not column.strip():
            raise service.LoaderError(f"Feil i kommandoen: --where «{pair}» må ha formen KOLONNE=VERDI.")
        chosen[column.strip()] = value.strip().strip('"').strip("'")
    return chosen


def _target(value: str) -> Path | str:
    """A store: a postgresql://… connection string as given, else a DuckDB file path."""
    return value if config.is_server_url(value) else Path(value)


def _user() -> str:
    try:
        return getpass.getuser() or "lokal"
    except Exception:  # no user name in some containers
        return "lokal"


def _request(args) -> dict:
    return {
        "indicator": args.indicator,
        "profile": args.profile,
        "sheet": args.sheet,
        "partnership": args.partnership,
        "where": _where(args.where),
        "sums": list(args.sum),
        "missing_zero": bool(args.missing_zero),
        "loaded_by": _user(),
    }


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "ingest":
        if not args.indicator and not args.profile:
            raise service.LoaderError("Oppgi --indicator ID eller --profile NAVN.")
        if not args.file.is_file():
            raise service.LoaderError(f"Finner ikke filen «{args.file}».")
    if args.command == "migrate":
        store = open_store(args.db or config.db_path(), migrate=True)
        before, after = store.migrated
        if before == after:
            print(f"«{store.describe()}» er allerede oppdatert (skjemaversjon {after}).")
        else:
            print(f"«{store.describe()}»: skjemaversjon {before} → {after}.")
        store.close()
        return 0
    if args.command == "copy":
        for line in service.copy_store(args.source, args.target):
            print(line)
        return 0
    try:
        loader = service.Loader.open(args.db)
    except StoreError:
        db = args.db or config.db_path()
        if args.command != "ingest" or args.dry_run or not spool.board_alive(db):
            raise
        # The running board holds the store: hand the file over and wait (loaders/spool.py).
        outcome = spool.submit(db, args.file, _request(args))
        return _emit(outcome)
    if args.command == "ingest":
        if args.indicator and args.indicator not in loader.board.registry:
            raise service.LoaderError(
                f"Ukjent indikator «{args.indicator}»; se data/indicators.yaml for gyldige id-er."
            )
        loader.profile(args.profile)  # an unknown profile is a usage error (exit 1), not a refusal
        if args.partnership and args.partnership not in loader.board.plans:
            known = ", ".join(sorted(loader.board.plans))
            raise service.LoaderError(f"Ukjent helsefellesskap «{args.partnership}» (finnes: {known}).")
        outcome = spool.ingest(loader, args.file, {**_request(args), "dry_run": args.dry_run})
        return _emit(outcome)
    if args.command == "export":
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(encoding="utf-8", newline="\n")
        if args.raw:
            print("Uten vern: tall under 5 skrives som de er. Bare for analytikere.", file=sys.stderr)
        loader.export_csv(sys.stdout, args.indicator, raw=args.raw)
        return 0
    if args.command == "log":
        print(loader.log_text())
        return 0
    if args.command == "undo":
        print(loader.undo(args.upload_id, undone_by=_user()))
        return 0
    if args.command == "plan":
        return plan_cli.run(args, loader.board, _user())
    if args.command == "demo":
        for line in loader.load_demo():
            print(line)
        return 0
    return 1


def _emit(outcome: spool.Outcome) -> int:
    """Print a load's lines (stdout and stderr, as the spool or the load gave them); its exit code."""
    for line in outcome.out:
        print(line)
    for line in outcome.err:
        print(line, file=sys.stderr)
    return outcome.code


def main(argv: list[str] | None = None) -> int:
    try:
        clock.today()  # a malformed BOARD_TODAY stops every command here, in its one sentence
        return run(sys.argv[1:] if argv is None else argv)
    except (PlanError, StoreError, service.LoaderError, clock.ClockError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader stopped (`loaders log | head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second complaint at exit
        return 0
    except OSError as exc:
        print(f"Kan ikke lese eller skrive «{exc.filename}»: {exc.strerror}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Avbrutt; ingenting er lagret.", file=sys.stderr)
        return 1
    except Exception as exc:  # the promise: one sentence, never a traceback
        print(f"Innlastingen feilet uventet ({type(exc).__name__}); ingenting er lagret.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
