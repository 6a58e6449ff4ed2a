"""Command line for scheduled loads.

    python -m loaders ingest FILE --indicator ID [--db PATH] [--profile NAME] [--sheet NAME] [--dry-run]
    python -m loaders export [--indicator ID] [--db PATH]
    python -m loaders log [--db PATH]
    python -m loaders undo UPLOAD_ID [--db PATH]
    python -m loaders demo [--db PATH]        (make the synthetic demo files and load them)

Exit codes: 0 done; 2 the file was refused (problems on stderr, store unchanged); 1 any
other failure, in one sentence.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from analytics.plan import PlanError
from analytics.store import StoreError
from loaders import service
from loaders.problems import summarise


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loaders", description="Last inn indikatordata.")
    commands = parser.add_subparsers(dest="command", required=True)
    ingest = commands.add_parser("ingest", help="last inn én fil")
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--indicator")
    ingest.add_argument("--profile")
    ingest.add_argument("--sheet")
    ingest.add_argument("--dry-run", action="store_true")
    export = commands.add_parser("export", help="skriv fakta som CSV til stdout")
    export.add_argument("--indicator")
    commands.add_parser("log", help="vis opplastingsloggen")
    undo = commands.add_parser("undo", help="angre en opplasting")
    undo.add_argument("upload_id", type=int)
    commands.add_parser("demo", help="lag og last inn syntetiske demodata")
    for sub in commands.choices.values():
        sub.add_argument("--db", type=Path, default=None)
    return parser


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "lokal"


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    loader = service.Loader.open(args.db)
    if args.command == "ingest":
        if not args.indicator and not args.profile:
            print("Oppgi --indicator ID eller --profile NAVN.", file=sys.stderr)
            return 1
        report = loader.ingest(
            args.file,
            args.indicator,
            loaded_by=_user(),
            profile_id=args.profile,
            sheet=args.sheet,
            dry_run=args.dry_run,
        )
        if report.refused:
            print(report.refused, file=sys.stderr)
            return 2
        if report.problems:
            print(f"Filen «{report.file_name}» ble avvist; ingenting er lagret:", file=sys.stderr)
            for line in summarise(report.problems):
                print(f"  {line}", file=sys.stderr)
            return 2
        if report.dry_run:
            print(f"Prøvekjøring: {report.rows} rader er gyldige; ingenting er lagret.")
        else:
            print(report.result.summary)
        return 0
    if args.command == "export":
        loader.export_csv(sys.stdout, args.indicator)
        return 0
    if args.command == "log":
        print(loader.log_text())
        return 0
    if args.command == "undo":
        try:
            removed = loader.board.store.undo(args.upload_id, undone_by=_user())
        except KeyError:
            print(f"Fant ingen opplasting {args.upload_id}.", file=sys.stderr)
            return 1
        print(
            f"Opplasting {args.upload_id} er angret; {removed} verdier fjernet og tidligere verdier gjenopprettet."
        )
        return 0
    if args.command == "demo":
        for line in loader.load_demo():
            print(line)
        return 0
    return 1


def main(argv: list[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except (PlanError, StoreError, service.LoaderError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Kan ikke lese eller skrive «{exc.filename}»: {exc.strerror}.", file=sys.stderr)
        return 1
    except Exception as exc:  # the promise: one sentence, never a traceback
        print(f"Innlastingen feilet uventet ({type(exc).__name__}); ingenting er lagret.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
