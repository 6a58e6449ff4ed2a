"""Period labels ↔ start date + grain: `2024M01` (month), `2024K1` (quarter), `2024T1`
(tertial), `2024` (year), `2019–2021` (a multi-year period such as FHI's three-year means,
grain `3year`: never shown as one year).

A grain is data: its length in months (GRAIN_MONTHS, or `Nyear` for N whole years). A fact
keeps the grain its file gives; analytics builds coarser periods from finer ones.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

GRAIN_MONTHS = {"month": 1, "quarter": 3, "tertial": 4, "year": 12}
_MULTI_YEAR = re.compile(r"([2-9]|[1-9]\d)year")


def grain_months(grain: str) -> int:
    """Length of a grain in months: month 1, quarter 3, tertial 4, year 12, '3year' 36.

    Raises ValueError for a grain that is none of these.
    """
    if grain in GRAIN_MONTHS:
        return GRAIN_MONTHS[grain]
    if m := _MULTI_YEAR.fullmatch(grain or ""):
        return 12 * int(m[1])
    raise ValueError(f"unknown grain {grain!r}")


# The grains the board shows an indicator at, native grain first: the coarser ones are whole
# sums of it (a quarter is three months, a year four tertials; a tertial is not made of quarters).
# Monthly figures are not offered per tertial: the protection cubes (analytics.hierarchy) hold
# every grain a page can show, and this table is the one they and the pages read.
GRAIN_CHAINS = {
    "month": ("month", "quarter", "year"),
    "quarter": ("quarter", "year"),
    "tertial": ("tertial", "year"),
    "year": ("year",),
}


def grain_chain(native: str) -> tuple[str, ...]:
    """The grains an indicator of grain `native` is shown at, native first (GRAIN_CHAINS):
    'month' → ('month', 'quarter', 'year'), 'tertial' → ('tertial', 'year'). Raises ValueError
    for a grain that is not an indicator grain."""
    if native not in GRAIN_CHAINS:
        raise ValueError(f"unknown grain {native!r}")
    return GRAIN_CHAINS[native]


def periods_per_year(grain: str) -> int:
    """Periods of `grain` in a year: month 12, quarter 4, tertial 3, year 1 (ValueError for a
    multi-year grain, which has none)."""
    months = grain_months(grain)
    if months > 12:
        raise ValueError(f"no {grain!r} periods in a year")
    return 12 // months


def month_floor(months: np.ndarray, grain: str) -> np.ndarray:
    """Month numbers since 1970-01 (int64) moved to the first month of their period at `grain`:
    a year starts at a multiple of 12, a tertial of 4, a quarter of 3 (1970-01 starts all)."""
    step = grain_months(grain)
    return months - months % step


def multi_year(years: int) -> str:
    """The grain of a period of `years` whole years: 2 → '2year'."""
    return "year" if years == 1 else f"{years}year"


def grain_sql(column: str) -> str:
    """SQL for the length in months of the grain in `column` (a column name, never user text)."""
    cases = " ".join(f"WHEN '{g}' THEN {m}" for g, m in GRAIN_MONTHS.items())
    return (
        f"CASE {column} {cases} ELSE 12 * TRY_CAST(regexp_extract({column}, '^(\\d+)year$', 1) "
        "AS INTEGER) END"
    )


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
    """'2024M01', '2024K1', '2024T1', '2024', '2019–2021' (a multi-year period)."""
    if grain == "year":
        return f"{start.year}"
    if grain == "quarter":
        return f"{start.year}K{(start.month - 1) // 3 + 1}"
    if grain == "tertial":
        return f"{start.year}T{(start.month - 1) // 4 + 1}"
    if grain == "month":
        return f"{start.year}M{start.month:02d}"
    return f"{start.year}–{period_end(start, grain).year}"


def period_end(start: dt.date, grain: str) -> dt.date:
    """Last day of the period."""
    months = grain_months(grain)
    year, month = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)


def period_text(start: dt.date, grain: str) -> str:
    """Norwegian reading of a period: '2024', '1. kvartal 2024', '1. tertial 2024',
    'januar 2024', '2019–2021'."""
    if grain == "year":
        return str(start.year)
    if grain == "quarter":
        return f"{(start.month - 1) // 3 + 1}. kvartal {start.year}"
    if grain == "tertial":
        return f"{(start.month - 1) // 4 + 1}. tertial {start.year}"
    if grain == "month":
        return f"{MONTHS_NB[start.month - 1]} {start.year}"
    return period_label(start, grain)
