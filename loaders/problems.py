"""Problems found in a file, worded in Norwegian for the analyst who must fix them.

Two kinds: a file that is not a usable table at all (FileRefused: one sentence), and problems
in rows (Problem: file, line, column and what is wrong). The wording of every row problem is
in the checks table (loaders.checks) or here, so the CLI, the upload page and the tests say the same thing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from analytics.formatting import counted
from analytics.periods import period_label
from loaders.checks import BY_CODE

MAX_LISTED = 50


class FileRefused(Exception):
    """The file is not a usable table at all: one clear sentence."""

    def __init__(self, file_name: str, reason: str) -> None:
        self.file_name = file_name
        self.reason = reason
        # one sentence: its own stop when the reason ends with a question («Er det riktig fil?»)
        super().__init__(f"Filen «{file_name}» {reason}" + ("" if reason.endswith(("?", "!", ".")) else "."))


@dataclass(frozen=True)
class Problem:
    file_name: str
    line: int | None
    column: str | None
    message: str
    # One cause over rows whose messages differ only in each row's own figures (Check.cause):
    # the key that makes them one, and the sentence said once for all of them.
    cause: str | None = None
    many: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"Linje {self.line}")
        if self.column is not None:
            where.append(f"kolonne «{self.column}»")
        place = ", ".join(where)
        place = place[:1].upper() + place[1:]
        return f"{place}: {self.message} (fil «{self.file_name}»)" if place else self.message


def summarise(problems: list[Problem], total: int | None = None, limit: int = MAX_LISTED) -> list[str]:
    """One sentence per cause: the problems with the same message in the same column and file
    become one line with their line ranges and a count («Linje 2–97 (96 rader), kolonne
    «Kvartal»: …»); so do problems of one cause whose messages differ only in each row's own
    figures (``Problem.cause``: a year file that disagrees with the stored months on many
    rows), said once with the first row as example. The first `limit` such lines, then a
    count of the problems not listed ("… og 10 problemer til.")."""
    total = len(problems) if total is None else total
    groups: dict[tuple, list[Problem]] = {}
    for problem in problems:
        key = problem.cause or problem.message
        groups.setdefault((problem.file_name, problem.column, key), []).append(problem)
    listed = list(groups.values())[:limit]
    lines = [_grouped(group) for group in listed]
    rest = total - sum(len(group) for group in listed)
    if rest > 0:
        lines.append(f"… og {counted(rest, 'problem', 'problemer')} til.")
    return lines


def _grouped(group: list[Problem]) -> str:
    first = group[0]
    numbers = sorted({p.line for p in group if p.line is not None})
    if len(group) == 1 or not numbers:
        return str(first)
    where = [f"Linje {line_ranges(numbers)} ({counted(len(numbers), 'rad', 'rader')})"]
    if first.column is not None:
        where.append(f"kolonne «{first.column}»")
    said = first.many if first.many and len({p.message for p in group}) > 1 else first.message
    return f"{', '.join(where)}: {said} (fil «{first.file_name}»)"


def line_ranges(numbers: list[int]) -> str:
    """[2, 3, 4, 9, 12, 13] → '2–4, 9, 12–13' (sorted line numbers)."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _period(start: dt.date | None, grain: str | None) -> str:
    return period_label(start, grain) if start is not None and grain else "?"


def _number(text: str | None) -> str:
    """-4.0 as -4, -2.5 as -2,5: a number read from a cell, shown the Norwegian way."""
    try:
        number = float(text or "")
    except ValueError:
        return str(text)
    shown = str(int(number)) if number.is_integer() else repr(number)
    return shown.replace(".", ",")


def _quoted(text: object) -> str:
    return f"«{text}»" if text not in (None, "") else "en tom celle"


def message(
    code: str,
    text: str | None,
    start: dt.date | None,
    grain: str | None,
    other_line: int | None,
    indicator_name: str,
) -> str:
    """The Norwegian sentence for one problem found by the staging checks (loaders.checks)."""
    check = BY_CODE.get(code)
    if check is None:
        return f"{_quoted(text)}: ukjent feil ({code})"
    return check.template.format(**_fields(text, start, grain, other_line, indicator_name))


def cause(
    code: str, text: str | None, start: dt.date | None, grain: str | None, indicator_name: str
) -> tuple[str | None, str | None]:
    """(key, sentence) of the cause one problem shares with other rows (Check.cause and
    Check.many), or (None, None) when each row's message is its own cause."""
    check = BY_CODE.get(code)
    if check is None or not check.cause or not check.many:
        return None, None
    fields = _fields(text, start, grain, None, indicator_name)
    key = "|".join([code, *(str(fields[name]) for name in check.cause.split(","))])
    return key, check.many.format(**fields)


def _fields(
    text: str | None, start: dt.date | None, grain: str | None, other_line: int | None, indicator_name: str
) -> dict[str, object]:
    fields = {
        "text": text,
        "quoted": _quoted(text),
        "name": re.sub(r"^(split|area_total|summary_row):", "", text or ""),
        "number": _number(text),
        "period": _period(start, grain),
        "indicator": indicator_name,
        "also": f" (linje {other_line})" if other_line is not None else "",
    }
    for i, part in enumerate((text or "").split("|")):
        fields[f"t{i}"] = part
        fields[f"n{i}"] = _number(part)
        fields[f"g{i}"] = GRAIN_PLURAL.get(part, part)
        fields[f"l{i}"] = and_list([p for p in part.split(",") if p])
    return fields


GRAIN_PLURAL = {"month": "månedene", "quarter": "kvartalene", "tertial": "tertialene", "year": "årene"}


def and_list(items: list[str]) -> str:
    """'Fet', 'Fet og Sørum', 'Fet, Sørum og Skedsmo'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} og {items[-1]}"


REJECTS = {
    "TOO MANY COLUMNS": "raden har flere felt enn overskriften; står skilletegnet inne i en verdi uten anførselstegn?",
    "UNQUOTED VALUE": 'et anførselstegn («"») er ikke lukket',
    "INVALID ENCODING": "har tegn som ikke kan leses med tegnsettet {encoding}",
    "LINE SIZE OVER MAXIMUM": "linjen er for lang til å være en tabellrad",
}


def reject_message(kind: str, encoding: str) -> str:
    """A line DuckDB could not read, in words."""
    return REJECTS.get(kind, "raden kan ikke leses som en tabellrad").format(encoding=encoding)
