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
    """Map every old code to the code valid today, following chains (0231 → 3030 → 3205).

    Returns old_code, old_name, current_code, changed (date of the last change in the chain).
    """
    next_code = dict(zip(history["old_code"], history["new_code"], strict=True))
    changed = dict(zip(history["old_code"], history["changed"], strict=True))
    rows = []
    for old_code, old_name in zip(history["old_code"], history["old_name"], strict=True):
        code, last_change, seen = old_code, changed[old_code], {old_code}
        while code in next_code:
            last_change = changed[code]
            code = next_code[code]
            if code in seen:  # a loop would be a data error; stop rather than spin
                break
            seen.add(code)
        rows.append((old_code, old_name, code, last_change))
    return pd.DataFrame(rows, columns=["old_code", "old_name", "current_code", "changed"])


def national_municipalities(path: Path | None = None) -> pd.DataFrame:
    return pd.read_csv(
        path or config.REFERENCE_DIR / "municipalities_norway.csv", dtype=str, keep_default_na=False
    )
