"""Scheduled loads while the board runs: the CLI hands its file to the running board.

DuckDB lets one process write a database file; the running board is that process. So when
`python -m loaders ingest` finds the store locked and a board is serving it, it does not fail:
it copies the file into the store's spool folder (`<db>.spool/inbox/<id>/`) with a request,
and the board's spool thread ingests it through the same `Loader.ingest` the upload page uses,
in one DuckDB transaction (a page sees the data before or after the load, never half), writes
the outcome next to it and the CLI prints it and exits as if it had loaded the file itself
(0 loaded, 2 refused for its content, 1 other errors). A board shows it is alive by touching
`<db>.spool/board.alive` every second from a heartbeat thread of its own (so a long load or a
busy board still shows alive); a CLI that sees no live board reports the lock as before.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ALIVE_SECONDS = 30.0  # a board under heavy load may miss a few beats; a dead one stops at once
POLL = 0.2


@dataclass
class Outcome:
    """What the CLI prints and returns: exit code, stdout lines, stderr lines."""

    code: int
    out: list[str]
    err: list[str]


def folder(db: Path) -> Path:
    return Path(str(db) + ".spool")


def board_alive(db: Path) -> bool:
    try:
        return time.time() - (folder(db) / "board.alive").stat().st_mtime < ALIVE_SECONDS
    except OSError:
        return False


def submit(db: Path, file: Path, request: dict, timeout: float = 900.0) -> Outcome:
    """Hand `file` to the board serving `db` and wait for its outcome (CLI side)."""
    job = folder(db) / "inbox" / uuid.uuid4().hex
    staging = job.with_name(job.name + ".part")
    staging.mkdir(parents=True)
    shutil.copy2(file, staging / "file")
    (staging / "request.json").write_text(json.dumps({**request, "file_name": file.name}), encoding="utf-8")
    staging.rename(job)  # the board sees a whole job or none
    result = job / "result.json"
    deadline = time.monotonic() + timeout
    while not result.exists():
        if time.monotonic() > deadline or not board_alive(db):
            return Outcome(
                1, [], ["Tavla svarte ikke på innlastingen; ingenting er lagret av denne kommandoen."]
            )
        time.sleep(POLL)
    outcome = Outcome(**json.loads(result.read_text(encoding="utf-8")))
    shutil.rmtree(job, ignore_errors=True)
    return outcome


class Watcher:
    """The board's side: one thread per process that ingests handed-over files in order."""

    def __init__(self, db: Path, handle: Callable[[Path, dict], Outcome]) -> None:
        self.db = db
        self.handle = handle
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="board-spool", daemon=True)
        self.heart = threading.Thread(target=self._beat, name="board-spool-alive", daemon=True)

    def start(self) -> Watcher:
        (folder(self.db) / "inbox").mkdir(parents=True, exist_ok=True)
        (folder(self.db) / "board.alive").touch()
        self.heart.start()
        self.thread.start()
        return self

    def _beat(self) -> None:
        """Touch board.alive every second, also while a handed-over file is being loaded."""
        alive = folder(self.db) / "board.alive"
        while not self._stop.is_set():
            alive.touch()
            self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            for job in sorted((folder(self.db) / "inbox").iterdir(), key=lambda p: p.stat().st_mtime):
                if job.name.endswith(".part") or (job / "result.json").exists() or not job.is_dir():
                    continue
                try:
                    request = json.loads((job / "request.json").read_text(encoding="utf-8"))
                    outcome = self.handle(job / "file", request)
                except Exception as exc:  # one sentence back to the CLI, never a traceback
                    outcome = Outcome(1, [], [f"Innlastingen feilet i tavla: {exc}"])
                partial = job / "result.json.part"
                partial.write_text(json.dumps(asdict(outcome)), encoding="utf-8")
                os.replace(partial, job / "result.json")
            self._stop.wait(POLL)


REFUSED = 2


def ingest(loader, path: Path, request: dict) -> Outcome:
    """Ingest one file as the CLI does and say what the CLI says (the CLI and the board's spool
    thread both call this: one write path). `loader`: a loaders.service.Loader."""
    from loaders.ingest import Choices

    report = loader.ingest(
        path,
        request.get("indicator"),
        loaded_by=request.get("loaded_by") or "lokal",
        profile_id=request.get("profile"),
        sheet=request.get("sheet"),
        dry_run=bool(request.get("dry_run")),
        file_name=request.get("file_name"),
        choices=Choices(
            where=dict(request.get("where") or {}),
            sums=list(request.get("sums") or []),
            partnership=request.get("partnership"),
            missing_zero=bool(request.get("missing_zero")),
        ),
    )
    if report.refused:
        return Outcome(REFUSED, [], [report.refused])
    if report.problem_count:
        err = [f"Filen «{report.file_name}» ble avvist; ingenting er lagret:"]
        return Outcome(REFUSED, [], err + [f"  {line}" for line in report.problem_lines()])
    # Rows skipped and counted, totals kept, unused columns.
    return Outcome(0, [report.summary(), *(f"  {note}" for note in report.notes)], [])


_WATCHERS: dict[str, Watcher] = {}
_LOCK = threading.Lock()


def serve(db: Path, handle: Callable[[Path, dict], Outcome]) -> Watcher:
    """Start the spool thread for `db` once per process (the board calls this on every run)."""
    with _LOCK:
        key = str(Path(db).resolve())
        if key not in _WATCHERS:
            _WATCHERS[key] = Watcher(Path(db), handle).start()
        return _WATCHERS[key]
