"""Period labels: `2024` (year), `2024K1` (quarter), `2024M01` (month) ↔ start date + grain."""

from __future__ import annotations

import datetime as dt

# Short month names as Norwegian tables write them in a span ("jan.–okt.").
MONTHS_SHORT = (
    "jan.",
    "feb.",
    "mars",
    "apr.",
    "mai",
    "juni",
    "juli",
    "aug.",
    "sep.",
    "okt.",
    "nov.",
    "des.",
)
MONTHS_NB = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]


def period_label(start: dt.date, grain: str) -> str:
    if grain == "year":
        return f"{start.year}"
    if grain == "quarter":
        return f"{start.year}K{(start.month - 1) // 3 + 1}"
    return f"{start.year}M{start.month:02d}"


def period_end(start: dt.date, grain: str) -> dt.date:
    """Last day of the period."""
    months = {"year": 12, "quarter": 3, "month": 1}[grain]
    year, month = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)


def period_text(start: dt.date, grain: str) -> str:
    """Norwegian reading of a period: '2024', '1. kvartal 2024', 'januar 2024'."""
    if grain == "year":
        return str(start.year)
    if grain == "quarter":
        return f"{(start.month - 1) // 3 + 1}. kvartal {start.year}"
    return f"{MONTHS_NB[start.month - 1]} {start.year}"
