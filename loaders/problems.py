"""Problems found in a file, worded in Norwegian for the analyst who must fix them."""

from __future__ import annotations

from dataclasses import dataclass

MAX_LISTED = 50


class FileRefused(Exception):
    """The file is not a usable table at all: one clear sentence."""

    def __init__(self, file_name: str, reason: str) -> None:
        self.file_name = file_name
        self.reason = reason
        super().__init__(f"Filen «{file_name}» {reason}.")


@dataclass(frozen=True)
class Problem:
    file_name: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"Fil «{self.file_name}»"]
        if self.line is not None:
            where.append(f"linje {self.line}")
        if self.column is not None:
            where.append(f"kolonne «{self.column}»")
        return f"{', '.join(where)}: {self.message}"


def summarise(problems: list[Problem], limit: int = MAX_LISTED) -> list[str]:
    """The first `limit` problems, then a count of the rest."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… og {len(problems) - limit} problemer til.")
    return lines
