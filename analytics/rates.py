"""Rates and like-for-like sums, in plain pandas, and directly age-standardised rates.

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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from analytics import config, formatting, series
from analytics.board import Board
from analytics.periods import MONTHS_SHORT
from analytics.registry import AgeBand, Indicator, age_text, parse_age
from analytics.spc import xmr

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


# -- direct age standardisation ---------------------------------------------------------------


def read_standard(path: Path) -> pd.DataFrame:
    """A standard population file: age_from, age_to (empty = open-ended), weight.

    Raises ValueError (Norwegian, naming the file) when a column is missing or a weight is
    not a positive number.
    """
    frame = pd.read_csv(path, dtype={"age_from": "Int64", "age_to": "Int64"})
    missing = {"age_from", "age_to", "weight"} - set(frame.columns)
    if missing:
        raise ValueError(
            f"Standardbefolkningen «{path.name}» mangler kolonnene: {', '.join(sorted(missing))}."
        )
    if not (pd.to_numeric(frame["weight"], errors="coerce") > 0).all():
        raise ValueError(f"Standardbefolkningen «{path.name}»: hver vekt må være et positivt tall.")
    return frame


OPEN_BAND_YEARS = 5  # an open standard band (e.g. 95+) counts as this many years when split


def standard_weights(bands: Sequence[AgeBand], standard: pd.DataFrame) -> np.ndarray:
    """The standard population's weight in each of ``bands`` (the board's age bands).

    A standard band that a board band cuts is split in proportion to its years of age
    (uniform within the band: ESP 2013's 65–69 gives 2/5 to 65–66 and 3/5 to 67–69). An
    open standard band (95+) is split as if it were ``OPEN_BAND_YEARS`` years wide.
    """
    out = np.zeros(len(bands))
    for _, row in standard.iterrows():
        s_first = int(row["age_from"])
        s_last = s_first + OPEN_BAND_YEARS - 1 if pd.isna(row["age_to"]) else int(row["age_to"])
        width = s_last - s_first + 1
        for i, (first, last) in enumerate(bands):
            top = s_last if last is None else min(last, s_last)
            overlap = top - max(first, s_first) + 1
            if overlap > 0:
                out[i] += float(row["weight"]) * overlap / width
    return out


def direct_standardised_rate(
    counts: Sequence[float], person_years: Sequence[float], weights: Sequence[float], alpha: float = 0.05
) -> tuple[float, float, float]:
    """Directly age-standardised rate per 1 000 person-years, with its confidence interval.

    counts, person_years, weights: one entry per age band. DSR = Σ wᵢ·dᵢ/nᵢ / Σ wᵢ × 1 000.
    Interval by Dobson et al. (1991, Stat Med 10:457–62), as Public Health England's
    PHEindicatormethods (phe_dsr) computes it: the exact Poisson interval of the total count
    O, scaled to the DSR with var(DSR) = Σ (wᵢ/Σw)²·dᵢ/nᵢ². Returns (rate, lower, upper);
    NaN bounds when no event is counted. Raises ValueError when a band has no person-years.
    """
    d = np.asarray(counts, dtype=float)
    n = np.asarray(person_years, dtype=float)
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    if (n <= 0).any() or np.isnan(n).any():
        raise ValueError("Hver aldersgruppe trenger personår for en aldersstandardisert rate.")
    dsr = float(np.sum(w * d / n))
    total = float(d.sum())
    if total <= 0:
        return dsr * PER, np.nan, np.nan
    var = float(np.sum(w**2 * d / n**2))
    low_o = stats.chi2.ppf(alpha / 2, 2 * total) / 2
    high_o = stats.chi2.ppf(1 - alpha / 2, 2 * total + 2) / 2
    scale = np.sqrt(var / total)
    return dsr * PER, (dsr + scale * (low_o - total)) * PER, (dsr + scale * (high_o - total)) * PER


@dataclass(frozen=True)
class Standardised:
    """The crude rate of a window and, where the bands allow it, the age-standardised one.

    rate/lower/upper are per 1 000 person-years (None when not computed; ``reason`` says why
    in Norwegian). crude is the count over the person-years of its whole band.
    """

    crude: float | None
    rate: float | None
    lower: float | None
    upper: float | None
    standard: str | None
    reason: str | None
    bands: pd.DataFrame  # band, count, person_years, rate, weight (empty when not computed)

    @property
    def text(self) -> str:
        """One Norwegian line for a page or a table note."""
        if self.rate is None:
            return str(self.reason)
        return (
            f"Aldersstandardisert rate {formatting.number(self.rate, 1)} per 1 000 per år "
            f"(95 % KI {formatting.number(self.lower, 1)}–{formatting.number(self.upper, 1)}), "
            f"standard: {self.standard}."
        )


def age_standardised(
    board: Board, indicator: Indicator, unit_ids: Sequence[str], start: dt.date, end: dt.date
) -> Standardised:
    """The indicator's directly age-standardised rate over [start, end] for these units.

    Needs the count split by age (registry ``numerator_by_age``), a standard population
    (registry ``standard_population``) and person-years per band: a population group whose
    ``age`` is the band, or, for one band at most, the count's own band minus the others
    (65–66 = 65+ − 67–79 − 80+). Hidden cells count at their expected value (see
    `series.aggregate`). Where something is missing the result says so and computes nothing.
    """
    empty = pd.DataFrame(columns=["band", "count", "person_years", "rate", "weight"])
    standard = board.registry.standard_population
    if not indicator.numerator_by_age:
        band = age_text(parse_age(indicator.numerator_age)) if indicator.numerator_age else "aldersgrupper"
        return Standardised(
            None, None, None, None, None,
            f"Aldersstandardisert rate kan ikke regnes ut: antallet leveres bare samlet for {band}, "
            "ikke fordelt på aldersgrupper.",
            empty,
        )  # fmt: skip
    if standard is None:
        reason = "Aldersstandardisert rate kan ikke regnes ut: registeret navngir ingen standardbefolkning."
        return Standardised(None, None, None, None, None, reason, empty)
    populations = _band_populations(board, indicator, unit_ids)
    if isinstance(populations, str):
        return Standardised(None, None, None, None, standard.name, populations, empty)
    weights = standard_weights(
        [parse_age(b) for b in indicator.numerator_by_age],
        read_standard(config.REFERENCE_DIR / standard.file),
    )
    records = []
    for (band, count_id), weight in zip(indicator.numerator_by_age.items(), weights, strict=True):
        band_indicator = board.registry.get(count_id).model_copy(update={"population": "band"})
        facts = board.store.facts([count_id], list(unit_ids), grain=band_indicator.grain)
        facts = facts.assign(
            unit_id=facts["unit_id"].astype(str), period_start=pd.to_datetime(facts["period_start"])
        )
        facts = facts[
            (facts["period_start"] >= pd.Timestamp(start)) & (facts["period_start"] <= pd.Timestamp(end))
        ]
        if facts.empty:
            reason = f"Aldersstandardisert rate kan ikke regnes ut: ingen tall for aldersgruppen {band} i perioden."
            return Standardised(None, None, None, None, standard.name, reason, empty)
        facts["period_end"] = series.period_ends(facts["period_start"], band_indicator.grain)
        facts["suppressed"] = facts["suppressed"].astype(bool)
        rows, _ = series.attach_population(facts, populations[band])
        rows["estimate"] = series.hidden_estimates(rows, band_indicator)
        total = series.aggregate(rows, band_indicator).iloc[0]
        if not total["denominator"] > 0 or pd.isna(total["numerator"]):
            reason = (
                f"Aldersstandardisert rate kan ikke regnes ut: mangler befolkning for aldersgruppen {band}."
            )
            return Standardised(None, None, None, None, standard.name, reason, empty)
        records.append(
            {
                "band": band,
                "count": float(total["numerator"]),
                "person_years": float(total["denominator"]),
                "rate": float(total["numerator"]) / float(total["denominator"]) * PER,
                "weight": float(weight),
            }
        )
    bands = pd.DataFrame(records)
    rate, lower, upper = direct_standardised_rate(bands["count"], bands["person_years"], bands["weight"])
    crude = bands["count"].sum() / bands["person_years"].sum() * PER
    return Standardised(float(crude), rate, lower, upper, standard.name, None, bands)


def _band_populations(
    board: Board, indicator: Indicator, unit_ids: Sequence[str]
) -> dict[str, pd.DataFrame] | str:
    """Population (unit_id, year, value, kind) per band of the split, or why there is none."""
    groups = {
        parse_age(i.age): i.id
        for i in board.registry.indicators
        if i.age and not i.projection and i.id.startswith("population")
    }
    bands = list(indicator.numerator_by_age or {})
    direct = {b: groups.get(parse_age(b)) for b in bands}
    lacking = [b for b, ident in direct.items() if ident is None]
    whole = groups.get(parse_age(indicator.numerator_age or ""))
    if len(lacking) > 1 or (lacking and whole is None):
        names = ", ".join(lacking)
        return (
            f"Aldersstandardisert rate kan ikke regnes ut: ingen befolkningstall for aldersgruppene {names}."
        )
    out = {b: series.population_table(board, ident, unit_ids) for b, ident in direct.items() if ident}
    if lacking:
        rest = series.population_table(board, whole, unit_ids).set_index(["unit_id", "year"])
        for table in out.values():
            other = table.set_index(["unit_id", "year"])["value"]
            rest["value"] = rest["value"] - other.reindex(rest.index)
        out[lacking[0]] = rest[rest["value"].notna()].reset_index()
    return out


def definition_notes(board: Board, data: series.UnitRows, judged: pd.DataFrame) -> list[str]:
    """Notes for a page under a judged series: hidden cells and the age-standardised rate.

    judged: the series as shown (`series.judged_series`). Hidden cells: their range, and
    whether the SPC reading (XmR on the shown points, as the page draws it) is the same at
    both ends of it. For a count per 1 000: the standardised rate of the newest 12 months,
    or the sentence saying why there is none.
    """
    indicator = data.indicator
    notes = []
    changes = None
    if indicator.direction != "neutral" and "judge_lower" in judged and (judged["n_hidden"] > 0).any():

        def reading(s: pd.DataFrame) -> str | None:
            return xmr(s["judge_value"].astype(float).tolist(), improvement=indicator.direction).variation

        _, at_lower, at_upper = series.verdict_range(judged, reading)
        changes = at_lower != at_upper
    hidden = series.range_note(indicator, judged, changes)
    if hidden:
        notes.append(hidden)
    if series.rated(indicator) and indicator.kind == "count" and not data.empty:
        end = series.recent_end(judged, indicator)
        if end is not None:
            start = (end + pd.Timedelta(days=1)) - pd.DateOffset(months=12)
            units = sorted(set(data.rows["unit_id"]))
            result = age_standardised(board, indicator, units, start.date(), end.date())
            notes.append(result.text)
    return notes
