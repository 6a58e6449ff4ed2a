"""Reference data: units (municipalities, Oslo districts, regions, partnerships) and code history."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics import config


def read_units(path: Path | None = None) -> pd.DataFrame:
    """units.csv with codes kept as text (leading zeros matter: 030112)."""
    frame = pd.read_csv(path or config.REFERENCE_DIR / "units.csv", dtype=str, keep_default_na=False)
    return frame.replace({"": None})


def read_code_history(path: Path | None = None) -> pd.DataFrame:
    return pd.read_csv(path or config.REFERENCE_DIR / "code_history.csv", dtype=str, keep_default_na=False)


def resolve_code_chains(history: pd.DataFrame) -> pd.DataFrame:
    """Map every old code to the code(s) valid today, following chains (0231 → 3030 → 3205).

    A split (Tysfjord 1850 → 1875 and 1806) gives one row per successor, so a reader can see
    that the old code's counts cannot be assigned to one unit. Returns old_code, old_name,
    current_code, changed (date of the last change in the chain).
    """
    successors: dict[str, list[tuple[str, str]]] = {}
    for old, new, changed in zip(history["old_code"], history["new_code"], history["changed"], strict=True):
        successors.setdefault(old, []).append((new, changed))

    def ends(code: str, changed: str, seen: frozenset[str]) -> list[tuple[str, str]]:
        if code not in successors or code in seen:  # a loop would be a data error: stop
            return [(code, changed)]
        return [end for new, when in successors[code] for end in ends(new, when, seen | {code})]

    rows = []
    names = dict(zip(history["old_code"], history["old_name"], strict=True))
    for old_code in successors:
        for current, changed in dict.fromkeys(ends(old_code, "", frozenset())):
            rows.append((old_code, names[old_code], current, changed))
    return pd.DataFrame(rows, columns=["old_code", "old_name", "current_code", "changed"])


def national_municipalities(path: Path | None = None) -> pd.DataFrame:
    return pd.read_csv(
        path or config.REFERENCE_DIR / "municipalities_norway.csv", dtype=str, keep_default_na=False
    )
