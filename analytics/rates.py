"""Rates and like-for-like sums, in plain pandas.

Aggregation rule: a group's rate is its summed numerators over its summed
denominators, never a mean of the units' rates (a mean of rates gives a small
municipality as much weight as a large one).

Suppressed counts (NaN) are never read as zero. A group with a suppressed count is
computed from the units whose counts are known, each with its own population, and
is flagged ``incomplete``; the number of units left out is in ``n_suppressed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analytics.periods import MONTHS_SHORT

PER = 1000
PARTIAL_LABEL = "delvis år"
FULL_LABEL = "helt år"


def rate_per_1000(counts: pd.DataFrame, population: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rate per 1000 inhabitants for each group in ``by`` and each year.

    counts: unit_id, year, value (NaN = suppressed) and the grouping columns named
        in ``by`` (e.g. a unit → region mapping column). ``year`` is always a key;
        ``by=[]`` gives the whole partnership per year.
    population: unit_id, year, value.

    Returns one row per group and year with the columns of ``by``, year,
    numerator, denominator, rate (per 1000), n_units (all units in the group,
    suppressed ones too), n_suppressed, incomplete.
    A unit-year without a population row is treated like a suppressed count
    (left out, group flagged incomplete). A group where no count is known has
    numerator and rate NaN.
    """
    _require(counts, ["unit_id", "year", "value", *by], "counts")
    _require(population, ["unit_id", "year", "value"], "population")
    # One count per unit and year, otherwise its population would be summed twice.
    if counts.duplicated(["unit_id", "year"]).any():
        raise ValueError("counts har flere rader for samme enhet og år.")
    if population.duplicated(["unit_id", "year"]).any():
        raise ValueError("population har flere rader for samme enhet og år.")
    keys = [*by] + ([] if "year" in by else ["year"])

    pop = population[["unit_id", "year", "value"]].rename(columns={"value": "pop"})
    df = counts[[*dict.fromkeys(["unit_id", "year", *by, "value"])]].merge(
        pop, on=["unit_id", "year"], how="left", validate="many_to_one"
    )
    df["known"] = df["value"].notna() & df["pop"].notna() & (df["pop"] > 0)
    df["num"] = df["value"].where(df["known"])
    df["den"] = df["pop"].where(df["known"])

    grouped = df.groupby(keys, dropna=False, sort=True)
    out = grouped.agg(
        numerator=("num", lambda s: s.sum(min_count=1)),
        denominator=("den", lambda s: s.sum(min_count=1)),
        n_units=("unit_id", "nunique"),
        n_known=("known", "sum"),
        n_rows=("known", "size"),
    ).reset_index()
    out["n_suppressed"] = (out["n_rows"] - out["n_known"]).astype(int)
    out["incomplete"] = out["n_suppressed"] > 0
    out["rate"] = out["numerator"] / out["denominator"] * PER
    return out[
        [
            *keys,
            "numerator",
            "denominator",
            "rate",
            "n_units",
            "n_suppressed",
            "incomplete",
        ]
    ]


def like_for_like(monthly: pd.DataFrame, latest_complete: dt.date, by: Sequence[str] = ()) -> pd.DataFrame:
    """Compare the months so far this year with the same months of the year before.

    monthly: a ``month`` column (any date within the month) and ``value`` (counts,
        which can be summed; NaN = suppressed), plus any columns named in ``by``.
    latest_complete: a date in the last complete month; that month and the ones
        before it in the same year are compared (1 January – end of that month).

    Returns one row per group with: the columns of ``by``, year, previous_year,
    months (how many months are compared), value, previous_value, change,
    change_pct, partial (fewer than 12 months), label ("delvis år"/"helt år"),
    period_label (e.g. "jan.–sep."), incomplete. A month that is missing or
    suppressed in either year makes the row incomplete: the sums are of the known
    months, and change/change_pct are NaN because the two sums are not like for
    like.
    """
    _require(monthly, ["month", "value", *by], "monthly")
    latest = pd.Timestamp(latest_complete)
    year, months = latest.year, latest.month
    df = monthly.copy()
    stamp = pd.to_datetime(df["month"])
    df["_year"] = stamp.dt.year
    df["_month"] = stamp.dt.month
    df = df[df["_year"].isin([year, year - 1]) & (df["_month"] <= months)]

    # Sum per group, year and month first, so duplicate rows for one month add up
    # and a month with any suppressed row counts as unknown.
    keys = list(by)
    per_month = (
        df.groupby([*keys, "_year", "_month"], dropna=False)["value"]
        .agg(lambda s: s.sum() if s.notna().all() else np.nan)
        .reset_index()
    )

    grouped = per_month.groupby(keys, dropna=False, sort=True) if keys else [((), per_month)]
    rows = []
    for key, sub in grouped:
        key = key if isinstance(key, tuple) else (key,)
        current, cur_known = _sum_months(sub, year, months)
        previous, prev_known = _sum_months(sub, year - 1, months)
        incomplete = not (cur_known and prev_known)
        change = np.nan if incomplete else current - previous
        change_pct = change / previous * 100 if not incomplete and previous else np.nan
        partial = months < 12
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "year": year,
                "previous_year": year - 1,
                "months": months,
                "value": current,
                "previous_value": previous,
                "change": change,
                "change_pct": change_pct,
                "partial": partial,
                "label": PARTIAL_LABEL if partial else FULL_LABEL,
                "period_label": _period_label(months),
                "incomplete": incomplete,
            }
        )
    columns = [
        *keys,
        "year",
        "previous_year",
        "months",
        "value",
        "previous_value",
        "change",
        "change_pct",
        "partial",
        "label",
        "period_label",
        "incomplete",
    ]
    return pd.DataFrame(rows, columns=columns)


def _sum_months(sub: pd.DataFrame, year: int, months: int) -> tuple[float, bool]:
    """Sum of the known months 1..months of ``year`` and whether all were known."""
    rows = sub[sub["_year"] == year]
    known = rows.dropna(subset=["value"])
    complete = set(known["_month"]) >= set(range(1, months + 1))
    total = float(known["value"].sum()) if len(known) else np.nan
    return total, complete


def _period_label(months: int) -> str:
    if months == 12:
        return "hele året"
    if months == 1:
        return MONTHS_SHORT[0]
    return f"{MONTHS_SHORT[0]}–{MONTHS_SHORT[months - 1]}"


def _require(df: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name} mangler kolonnene: {', '.join(missing)}.")
