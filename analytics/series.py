"""The numbers a series is judged on: rows per unit, rates, roll-ups, windows, baselines.

From the store's long facts for one indicator and a set of units this module builds one
row per unit and native period (with person-time from the indicator's population group),
and aggregates such rows over any grouping (period, unit, a 12-month window) with one
rule per indicator kind:

* count with a population group: a rate per 1 000 inhabitants **per year**,
  Σ known counts / Σ person-years of the same rows × 1 000. A row's person-years are the
  1 January population of its year × days in the period / days in that year, so a month,
  a quarter and a year in progress (e.g. January–October) are all on the scale of a whole
  year and compare like for like. Summed numerators over summed denominators, never a mean
  of rates.
* count without a population group: Σ known counts. A sum over a suppressed cell is only a
  lower bound: it is shown as incomplete and not judged.
* stock: each unit's last value in the group, summed over units (per 1 000 of the
  population group, without person-time, when the registry names one).
* share: 100 × Σ numerators / Σ denominators of the known rows.
* score: the mean of the known values (no weights are delivered).

Suppressed cells (counts and stocks of 1 to threshold − 1, shown as «:» in the source)
are never read as zero, and never dropped from the person-years: a suppressed
municipality-month still had its inhabitants, and dropping it from both sides makes the
aggregate rate too high (the months left are disproportionately the zero months of small
units) and flattens a real change. Instead, an aggregate over several units

* uses the source file's own total row where one exists (``UnitRows.totals``, from
  ``Store.file_totals``): the hidden cells of that period then add up to the file total minus
  the known cells, kept within their possible range;
* otherwise gives the range over every possible hidden value: ``lower`` with each hidden cell
  at 1 and ``upper`` at threshold − 1, person-years always complete. ``value`` is the point
  in between: each hidden cell at its expected value given that it lies in 1..threshold − 1,
  under a Poisson count with the pooled rate of the same period (counts with a population)
  or the unit's own mean (others). That is the truncated-Poisson mean; the method is an
  EM-type imputation of interval-censored counts.

A single suppressed cell on its own stays missing (no value is shown for it). A row without
population is left out of both numerator and denominator and makes the aggregate
incomplete. Population for a year that is not published yet comes from SSB's projection
(the registry's ``projected_by``), else it is carried from the nearest year; the
``population_note`` says which. Pure pandas; the store is only read through
``Store.facts`` and ``Store.file_totals``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import numpy as np
import pandas as pd
from scipy import stats

from analytics import clock, config, datacache, formatting, hierarchy, protection
from analytics.board import Board
from analytics.periods import MONTHS_SHORT, grain_chain, grain_months, month_floor, period_label, period_text
from analytics.population import PROJECTED, REGISTERED, combine, members_of, sum_over_members
from analytics.registry import Indicator

PER = 1000
SIGNIFICANCE = 0.05
# Complete periods at the registry grain below which a series is judged per year (load_rows).
MIN_PERIODS = 12
GRAIN_WORDS = {"month": "måneder", "quarter": "kvartaler", "tertial": "tertialer"}
ROW_COLUMNS = [
    "unit_id",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "suppressed",
    "population",
    "person_years",
]


def rated(indicator: Indicator) -> bool:
    """Counts and stocks with a population group are judged per 1 000 inhabitants."""
    return bool(indicator.population) and indicator.kind in ("count", "stock")


def rate_unit(indicator: Indicator) -> str | None:
    """What one number of a rated series is (``rated``), in running text: a count with
    population «per 1 000 innbyggere 65 år og eldre per år» (events per person-year), a stock
    with population «per 1 000 innbyggere 65 år og eldre» (read at one period, not per year);
    None for any other indicator. value_label (the y-axis) and evaluate.figure_label (a
    reason's figure) both say it with these words."""
    if not rated(indicator):
        return None
    return f"{indicator.rate_label}" + (" per år" if indicator.kind == "count" else "")


def value_label(indicator: Indicator) -> str:
    """The y-axis text: what one number of the judged series means."""
    unit = rate_unit(indicator)
    if unit is not None:
        return unit.capitalize()
    if indicator.kind == "share":
        return "Prosent"
    if indicator.unit == "antall":
        return "Antall"
    if indicator.kind in ("count", "stock"):
        return f"Antall {indicator.unit}"
    return indicator.unit.capitalize()


def format_value(indicator: Indicator, value: float | None) -> str:
    """A judged value for people: rate and score with one decimal, share in per cent."""
    if formatting.is_missing(value):
        return "–"
    if rated(indicator) or indicator.kind == "score":
        return formatting.number(value, 1)
    if indicator.kind == "share":
        return formatting.percent(value, 1)
    return formatting.count(value, indicator.protect_small)


def format_target(indicator: Indicator, value: float | None) -> str:
    """A target for people, in the indicator's unit like ``format_value``, but never «<5»: a
    target is the plan's or the partnership's own number (public, and not a count of persons
    in a cell), so the small-count rule (analytics.protection, cells of 1–4 persons) does not
    apply to it. «mål <5» for a plan's «at most 3 per month» read as a hidden figure."""
    if formatting.is_missing(value):
        return "–"
    if indicator.kind in ("count", "stock") and not rated(indicator):
        return formatting.count(value, protect=False)
    return format_value(indicator, value)


def hidden_cells(indicator: Indicator, numerator: object, denominator: object = None) -> np.ndarray:
    """``hidden`` on whole columns: bool per cell (numerator, denominator: scalars or arrays of
    counts, NaN unknown), for the export and the judged series. The rule per kind is
    analytics.protection.small_parts; all False for an indicator that is not protected."""
    small = protection.small_parts(indicator.kind, numerator, denominator)
    return small & indicator.protect_small


def small_numerators(indicator: Indicator, numerator: object) -> np.ndarray:
    """``hidden_numerator`` on whole columns (bool per cell): the count itself is 1..threshold − 1
    (formatting.below_threshold's rule, protection.small_parts for a count)."""
    return protection.small_parts("count", numerator) & indicator.protect_small


def hidden(indicator: Indicator, numerator: float | None, denominator: float | None = None) -> bool:
    """A small count of persons, or a rate or share built on one, must not be shown.

    The rule per kind is analytics.protection.small_parts: a share is hidden when its
    numerator or its complement (denominator − numerator) is 1..threshold − 1. One cell of
    ``hidden_cells``.
    """
    return bool(hidden_cells(indicator, numerator, denominator)[0])


def hidden_numerator(indicator: Indicator, numerator: float | None) -> bool:
    """Hidden because the numerator itself is small (written «<5»); a cell hidden for its
    complement or denominator only is written «:» (its numerator may be large). One cell of
    ``small_numerators``."""
    return bool(small_numerators(indicator, numerator)[0])


def shown_hidden(
    indicator: Indicator, numerator: float | None, masked: bool, denominator: float | None = None
) -> bool:
    """Whether ``figure_shown`` writes the figure as «færre enn 5», «<5» or «:» rather than its
    value (the same arguments): its numerator is small, the cube hides it (``masked``), or a
    share's complement or denominator is small. The test a statistic printed beside it asks
    (protection.statistic_text), by the rule the text is written by, not by its text."""
    return hidden_numerator(indicator, numerator) or bool(masked) or hidden(indicator, numerator, denominator)


# -- rows -----------------------------------------------------------------------------


def population_table(board: Board, population_id: str, unit_ids: Sequence[str]) -> pd.DataFrame:
    """unit_id, year, value, kind: the population group per unit and year (1 January).

    kind is "registrert" (SSB 07459) or "framskrevet": a year after a member's last
    published year comes from the projection the registry names in ``projected_by``
    (SSB 13600, main alternative), as SSB's own projections are the best figure for a year
    not yet counted. A region or partnership unit gets the sum of its member municipalities
    and districts (only years where every member is known; "registrert" only when every
    member's figure is).
    """
    kinds = board.units.set_index("unit_id")["kind"]
    members = {
        unit: members_of(board.units, unit) if kinds.get(unit) in ("region", "partnership") else [unit]
        for unit in unit_ids
    }
    wanted = sorted({m for ms in members.values() for m in ms})
    projection = _projection_of(board, population_id)
    ids = [population_id, *([projection] if projection else [])]
    facts = board.store.facts(ids, wanted, grain="year")
    facts = facts[~facts["suppressed"] & facts["value"].notna()]
    base = pd.DataFrame(
        {
            "unit_id": facts["unit_id"].astype(str),
            "group": population_id,
            "year": pd.to_datetime(facts["period_start"]).dt.year,
            "value": facts["value"].astype(float),
        }
    )
    registered = facts["indicator"].to_numpy() == population_id
    base = combine(base[registered], base[~registered])
    summed = sum_over_members(
        base.assign(is_registered=base["kind"] == REGISTERED),
        members,
        ["year"],
        {"registered": ("is_registered", "min")},
    )
    if summed is None:
        return pd.DataFrame(columns=["unit_id", "year", "value", "kind"])
    summed["kind"] = np.where(summed["registered"].astype(bool), REGISTERED, PROJECTED)
    return summed[["unit_id", "year", "value", "kind"]]


def _projection_of(board: Board, population_id: str) -> str | None:
    """The projection indicator the registry names for a population group, if any."""
    try:
        return board.registry.get(population_id).projected_by
    except KeyError:
        return None


def _population_lookup(
    pop: pd.DataFrame, units: pd.Series, years: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """For rows of (unit, year): the population of that unit and year (NaN if none), whether
    another year stands in (the unit has some year, not this one), the year used then (the
    unit's newest for a later year, else its oldest; NaN for a unit without any) and that
    year's population. What attach_population's joins on (unit_id, year) gave, by integer keys
    (a national rated read has ~40 000 rows, and string joins were a tenth of Kommune's first
    view). None when ``pop`` holds a (unit, year) twice (then a join gives a row per match)."""
    codes, _ = pd.factorize(pd.concat([pop["unit_id"], units], ignore_index=True).astype(object))
    if (codes < 0).any():  # a unit without id: the joins decide (they match missing with missing)
        return None
    pop_code, row_code = codes[: len(pop)].astype(np.int64), codes[len(pop) :].astype(np.int64)
    pop_year = pop["year"].to_numpy().astype(np.int64)
    span = int(max(pop_year.max(initial=0), years.max(initial=0))) + 1
    index = pd.Index(pop_code * span + pop_year)
    if not index.is_unique:
        return None
    values = pop["value"].to_numpy(dtype=float)

    def at(keys: np.ndarray, usable: np.ndarray) -> np.ndarray:
        where = np.where(usable, index.get_indexer(keys), -1)
        return np.where(where >= 0, values[np.maximum(where, 0)], np.nan)

    exact = at(row_code * span + years, np.ones(len(years), dtype=bool))
    groups = int(codes.max(initial=-1)) + 1
    first = np.full(groups, np.inf)
    last = np.full(groups, -np.inf)
    np.minimum.at(first, pop_code, pop_year.astype(float))
    np.maximum.at(last, pop_code, pop_year.astype(float))
    has = np.isfinite(first)
    first, last = np.where(has, first, np.nan)[row_code], np.where(has, last, np.nan)[row_code]
    known = ~np.isnan(first) & np.isnan(exact)
    used = np.where(years > last, last, first)
    fallback = at(row_code * span + np.nan_to_num(used, nan=0).astype(np.int64), ~np.isnan(used))
    return exact, known, used, fallback


def _population_joins(
    pop: pd.DataFrame, rows: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """_population_lookup's four arrays by pandas joins on (unit_id, year) (rows: unit_id, year):
    how attach_population found them before, kept for what the lookup does not take."""
    bounds = pop.groupby("unit_id")["year"].agg(first="min", last="max")
    keyed = rows[["unit_id", "year"]].join(bounds, on="unit_id")
    exact = keyed[["unit_id", "year"]].merge(pop, on=["unit_id", "year"], how="left")["value"].to_numpy()
    known = keyed["first"].notna().to_numpy() & np.isnan(exact)
    used = np.where(keyed["year"] > keyed["last"], keyed["last"], keyed["first"])
    fallback = (
        pd.DataFrame({"unit_id": keyed["unit_id"].to_numpy(), "year": used})
        .merge(pop.assign(year=pop["year"].astype(float)), on=["unit_id", "year"], how="left")["value"]
        .to_numpy()
    )
    return exact, known, used, fallback


def attach_population(facts: pd.DataFrame, population: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Rows with population and person-years; years without population are carried.

    facts: unit_id, period_start, period_end, ... ; population: unit_id, year, value and
    optionally kind ("registrert"/"framskrevet", from `population_table`).
    Returns the rows and a Norwegian note naming projected and carried years (None if none),
    e.g. «Befolkning 2026: SSBs framskriving (hovedalternativet).»
    """
    rows = facts.copy()
    rows["year"] = pd.to_datetime(rows["period_start"]).dt.year
    if population.empty:
        rows["population"] = np.nan
        rows["person_years"] = np.nan
        return rows.drop(columns="year"), None
    pop = population.assign(year=population["year"].astype(int), value=population["value"].astype(float))
    year_of = rows["year"].to_numpy().astype(np.int64)
    # Nearest published year: the newest for later years, the oldest for earlier (and gaps).
    found = _population_lookup(pop, rows["unit_id"], year_of)
    exact, known, used, fallback = found if found is not None else _population_joins(pop, rows)
    rows["population"] = np.where(known, fallback, exact)
    carried = {(int(year), int(source)) for year, source in zip(year_of[known], used[known], strict=True)}
    start = pd.to_datetime(rows["period_start"])
    end = pd.to_datetime(rows["period_end"])
    days = (end - start).dt.days + 1
    year_days = np.where(start.dt.is_leap_year, 366, 365)
    rows["person_years"] = rows["population"] * days / year_days
    notes = []
    if "kind" in pop.columns:
        projected = set(pop.loc[pop["kind"] == PROJECTED, "year"].astype(int))
        used_years = set(year_of[~np.isnan(exact)].astype(int))
        used_years |= {source for _, source in carried}
        shown = sorted(used_years & projected)
        if shown:
            years = ", ".join(str(y) for y in shown)
            notes.append(f"Befolkning {years}: SSBs framskriving (hovedalternativet).")
    if carried:
        note = "; ".join(
            f"befolkningstall for {year} er ikke publisert, tallene for {used} er brukt"
            for year, used in sorted(carried)
        )
        notes.append(note[0].upper() + note[1:] + ".")
    return rows.drop(columns="year"), " ".join(notes) or None


def day_mask(stamps: pd.Series, first: dt.date | None = None, last: dt.date | None = None) -> np.ndarray:
    """``(stamps.dt.date >= first) & (stamps.dt.date <= last)`` as a bool array (either bound
    may be None: no bound), without a date object per row: a naive timestamp's day is on or
    after ``first`` when it is at or after that midnight, on or before ``last`` when it is
    before the next midnight. A missing stamp (NaT) is outside any bound, as its date
    compares False. Other columns (dates as objects, time zones) are read by their ``.dt.date``."""
    if not (isinstance(stamps.dtype, np.dtype) and stamps.dtype.kind == "M"):
        days = stamps.dt.date
        inside = np.ones(len(stamps), dtype=bool)
        if first is not None:
            inside &= (days >= first).to_numpy(dtype=bool)
        if last is not None:
            inside &= (days <= last).to_numpy(dtype=bool)
        return inside
    values = stamps.to_numpy()
    inside = np.ones(len(values), dtype=bool)
    if first is not None:
        inside &= values >= np.datetime64(first, "D")
    if last is not None:
        inside &= values < np.datetime64(last, "D") + np.timedelta64(1, "D")
    return inside


def period_end_of(start: pd.Timestamp, grain: str) -> pd.Timestamp:
    """``period_ends`` of one period start (a Timestamp, not NaT) as a Timestamp, without a
    Series: the last day of the month, quarter or year that starts at ``start``'s month."""
    first = np.datetime64(start.to_datetime64(), "M") + np.timedelta64(grain_months(grain), "M")
    return pd.Timestamp(first.astype("datetime64[D]") - np.timedelta64(1, "D"))


def period_ends(starts: pd.Series, grain: str) -> pd.Series:
    """Last day of each period (vectorised periods.period_end, for whole columns)."""
    first = starts.to_numpy().astype("datetime64[M]") + np.timedelta64(grain_months(grain), "M")
    return pd.Series(
        (first.astype("datetime64[D]") - np.timedelta64(1, "D")).astype(starts.dtype), index=starts.index
    )


@dataclass(frozen=True)
class UnitRows:
    """One indicator's rows for a set of units at its native grain."""

    indicator: Indicator
    rows: pd.DataFrame  # ROW_COLUMNS
    population_note: str | None
    # judged_series results by (grain, today, by_unit): several views judge the same rows.
    judged: dict = field(default_factory=dict, repr=False, compare=False)
    # The partnership's protected cube (analytics.hierarchy) for a protected count, else None.
    cube: hierarchy.Cube | None = field(default=None, repr=False, compare=False)

    @property
    def scope(self) -> str | None:
        """The cube scope of the whole set: ALL, one unit, or None (another set)."""
        if self.cube is None:
            return None
        return self.cube.scope_of(self.units)

    @property
    def units(self) -> tuple[str, ...]:
        # Kept beside the judged series (the rows are read-only): every judging asks for it.
        if ("units",) not in self.judged:
            self.judged[("units",)] = tuple(sorted(self.rows["unit_id"].astype(str).unique()))
        return self.judged[("units",)]

    # The source file's own total per native period (period_start, value) for exactly the
    # units in ``rows``; None when there is none (or the rows are a subset of it).
    totals: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    # Why the rows are at another grain than the registry's («Vurdert per år: …»), else None.
    grain_note: str | None = None

    @property
    def empty(self) -> bool:
        return self.rows.empty


Derived = TypeVar("Derived")


def derived(data: UnitRows, key: Hashable, compute: Callable[[], Derived]) -> Derived:
    """``compute()`` kept on ``data`` under ``key``: a value that depends only on these rows
    and ``key`` (a cut of the rows, a window's comparison), so the criteria that share an
    indicator and a scope compute it once per judging. Kept in ``data.judged`` beside the
    judged series (a UnitRows built with other rows starts with an empty one). The value is
    shared: callers treat it as read-only."""
    full = ("derived", key)
    if full not in data.judged:
        data.judged[full] = compute()
    return data.judged[full]


def native_read(board: Board, indicator_id: str, grain: str) -> bool:
    """Whether every stored row of the indicator is a whole period of ``grain`` (the check
    Store.unit_series makes before each read, Store.native_grains), kept in analytics.datacache
    per data version: it depends on the indicator's rows only, not on the units read."""
    return datacache.cached(
        datacache.board_key(board),
        ("native", indicator_id, grain),
        lambda: board.store.native_grains([(indicator_id, grain)])[(indicator_id, grain)],
    )


def check_native(board: Board, indicators: Sequence[Indicator]) -> None:
    """native_read for each indicator at its own grain (what load_rows and own_rows read
    first; a read per year, when there are too few periods, asks alone), the ones not kept yet
    asked in one statement (Store.native_grains) instead of one per read."""
    key = datacache.board_key(board)
    asked = {(i.id, i.grain): None for i in indicators if i.grain in ("month", "quarter", "tertial", "year")}
    missing = [pair for pair in asked if datacache.peek(key, ("native", *pair)) is None]
    if not missing:
        return
    for pair, native in board.store.native_grains(missing).items():
        datacache.cached(key, ("native", *pair), lambda native=native: native)


def read_series(board: Board, indicator: Indicator, unit_ids: Sequence[str], grain: str) -> pd.DataFrame:
    """Store.unit_series for ``indicator`` at ``grain``, given its native check from the data
    version's keep (native_read), so a read costs one statement, not two."""
    return board.store.unit_series(
        indicator.id, list(unit_ids), indicator.kind, grain, native_read(board, indicator.id, grain)
    )


def read_series_many(
    board: Board, indicators: Sequence[Indicator], unit_ids: Sequence[str]
) -> list[pd.DataFrame]:
    """read_series for each indicator at its own grain, for the same units, in two store
    statements instead of one per indicator (Store.unit_series_many): each frame is what
    ``read_series(board, indicator, unit_ids, indicator.grain)`` returns. The native checks are
    asked together first (check_native)."""
    check_native(board, indicators)
    asked = [(i.id, i.kind, i.grain, native_read(board, i.id, i.grain)) for i in indicators]
    return board.store.unit_series_many(asked, list(unit_ids))


def _unit_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """A series read's rows of one grain as the units' rows: a file's own total row (file_total)
    is not a unit's value and is left out; unit_id as text, period_start and period_end
    (from covered_until) as timestamps, suppressed as bool."""
    if "file_total" in facts.columns:
        total_rows = facts["file_total"].fillna(False).astype(bool).to_numpy()
        if total_rows.any():  # else every row is kept (assign below copies them anyway)
            facts = facts[~total_rows]
    facts = facts.assign(
        unit_id=facts["unit_id"].astype(str),
        period_start=pd.to_datetime(facts["period_start"]),
    )
    facts["period_end"] = pd.to_datetime(facts["covered_until"]).astype(facts["period_start"].dtype)
    facts["suppressed"] = facts["suppressed"].astype(bool)
    return facts


def load_rows(
    board: Board,
    indicator: Indicator,
    unit_ids: Sequence[str],
    populations: dict | None = None,
    read: Callable[[str], pd.DataFrame] | None = None,
) -> UnitRows:
    """Rows at the indicator's own grain for these units, with population attached.

    Each row is built by the store from the finest stored grain that fills the period
    (Store.unit_series: months summed into a quarter; a file's months are never truncated);
    a period only partly filled (a quarter in progress) ends where its data end, so its
    person-time is that of the months it holds and it is marked partial. Rows of a coarser
    grain than the indicator's (a year for a monthly indicator) are not rows of this series.

    Judging grain (issue 12, «grain as data»): the registry's grain when it has at least
    MIN_PERIODS complete periods for these units, or when no coarser data exist; else the
    rows are built per year (finer data summed into whole years where they fill them, a year
    in progress kept as partial and never judged as a whole year), and the returned
    ``indicator`` carries grain «year», and ``grain_note`` (also at the head of
    ``population_note``, which the pages show) says so («Vurdert per år: …»).
    The threshold follows NHS Making Data Count's rule of thumb that an SPC chart needs
    about 12 points before its limits mean much; fewer finer points are not worth more than
    the whole years the data do hold. Multi-year periods (FHI's 2019–2021) are not judged:
    when they are all there is, the rows are empty and ``grain_note`` says why
    (``multi_year_note``).
    populations: population tables already built, by (population id, units); filled in.
    read: the store's ``unit_series`` of these units at a grain, when the caller has read it
    already (load_rows_each); else it is read here.
    """
    if read is None:

        def read(grain: str) -> pd.DataFrame:
            return read_series(board, indicator, unit_ids, grain)

    facts = read(indicator.grain)
    grain_note = None
    at_grain = (facts["grain"] == indicator.grain).to_numpy(dtype=bool)  # one comparison, kept
    own = facts[at_grain]
    complete = own.loc[~own["partial"].astype(bool), "period_start"].nunique()
    if indicator.grain != "year" and complete < MIN_PERIODS and not at_grain.all():  # coarser rows too
        yearly = read("year")
        if (yearly["grain"] == "year").any():
            grain_note = (
                "Vurdert per år: det finnes bare årstall."
                if own.empty
                else f"Vurdert per år: færre enn {MIN_PERIODS} hele {GRAIN_WORDS[indicator.grain]}."
            )
            indicator = indicator.model_copy(update={"grain": "year"})
            facts = yearly
            at_grain = (facts["grain"] == indicator.grain).to_numpy(dtype=bool)
    read_rows = facts
    facts = facts[at_grain]
    if facts.empty:  # only multi-year periods, perhaps: the note says why nothing is judged
        # Per distinct grain, not per row (a national read has hundreds of thousands of rows).
        grains = read_rows["grain"]
        multi = read_rows[grains.isin([g for g in grains.unique() if is_multi_year(g)])]
        if not multi.empty:
            grain_note = multi_year_note(multi)
    facts = _unit_facts(facts)
    note = None
    if rated(indicator) and not facts.empty:
        units = tuple(sorted(facts["unit_id"].unique()))
        populations = {} if populations is None else populations
        if (indicator.population, units) not in populations:
            populations[(indicator.population, units)] = population_table(board, indicator.population, units)
        population = populations[(indicator.population, units)]
        facts, note = attach_population(facts, population)
    else:
        facts["population"] = np.nan
        facts["person_years"] = np.nan
    if grain_note:
        note = f"{grain_note} {note}" if note else grain_note
    rows = facts[ROW_COLUMNS].reset_index(drop=True)
    rows["estimate"] = hidden_estimates(rows, indicator)
    return UnitRows(
        indicator,
        rows,
        note,
        totals=_file_totals(board, indicator, rows),
        cube=cube_for(board, indicator, unit_ids),
        grain_note=grain_note,
    )


def load_rows_each(
    board: Board, indicator: Indicator, unit_ids: Sequence[str], populations: dict | None = None
) -> dict[str, UnitRows]:
    """``load_rows`` for each unit alone (its own judging grain, hidden-cell estimates and
    population note), with one store read per grain and one population table for all of them
    instead of a few reads per unit. Exact: the store builds each unit's series from that unit's
    facts only (Store.unit_series), and a municipality's population is its own (population_table),
    so each unit's part of the shared reads is what a read of the unit alone returns.

    Returns unit id → UnitRows for every unit in ``unit_ids``. populations: as for load_rows.
    """
    units = sorted({str(u) for u in unit_ids})
    populations = {} if populations is None else populations
    split: dict[str, tuple[dict[str, pd.DataFrame], pd.DataFrame]] = {}

    def part(unit: str, grain: str) -> pd.DataFrame:
        if grain not in split:
            frame = read_series(board, indicator, units, grain)
            parts = {str(u): rows.reset_index(drop=True) for u, rows in frame.groupby("unit_id", sort=False)}
            split[grain] = (parts, frame.iloc[0:0].reset_index(drop=True))
        parts, empty = split[grain]
        return parts.get(unit, empty)

    if rated(indicator) and units:
        table = population_table(board, indicator.population, units)
        for unit, rows in table.groupby("unit_id", sort=False):
            populations.setdefault((indicator.population, (str(unit),)), rows.reset_index(drop=True))
    return {
        unit: load_rows(
            board, indicator, [unit], populations, read=lambda grain, unit=unit: part(unit, grain)
        )
        for unit in units
    }


def judged_at_own_grain(indicator: Indicator, facts: pd.DataFrame) -> bool:
    """Whether a unit's read at the registry's grain (read_series) keeps that grain: yearly
    data, or at least MIN_PERIODS complete periods of it (else load_rows judges per year)."""
    if indicator.grain == "year":
        return True
    whole = (facts["grain"] == indicator.grain).to_numpy(dtype=bool) & ~facts["partial"].astype(
        bool
    ).to_numpy()
    starts = facts["period_start"].to_numpy()[whole]
    return len(np.unique(starts[~pd.isna(starts)])) >= MIN_PERIODS


def own_rows(
    board: Board,
    indicator: Indicator,
    unit_id: str,
    populations: dict | None = None,
    units: Sequence[str] | None = None,
    facts: pd.DataFrame | None = None,
) -> UnitRows | None:
    """One unit's rows, read alone, where they are exactly what evaluate._Rows gives for the
    unit once the wider set ``units`` is loaded (_Rows.get after load_all: the cut of the set's
    rows, _from_wider, or the unit read alone where the set's rows carry a population note);
    None where that cannot be known without the wider set's rows, so the caller reads those.
    Kommune's first view reads a municipality this way instead of its partnership's rows (~20
    ms against ~60-100 ms per national indicator).

    Exact because each row is built from the unit's own facts (Store.unit_series) and: at
    least MIN_PERIODS complete periods at the registry's grain (or yearly data), so neither set
    is judged per year instead (load_rows: a wider set has at least the unit's periods); rows
    there, with no grain note (a multi-year note is the set's own); and the wider set's file
    totals are not the unit's (totals None, as a cut has). A rated indicator (``units`` given,
    else None) also needs what only the set decides: see _rated_own.
    facts: the unit's read at the indicator's grain when the caller has it (read_series_many),
    else it is read here.
    """
    if rated(indicator) and units is None:
        return None
    if facts is None:
        facts = read_series(board, indicator, [unit_id], indicator.grain)
    if not judged_at_own_grain(indicator, facts):
        return None

    def read(grain: str) -> pd.DataFrame:
        if grain == indicator.grain:
            return facts
        return read_series(board, indicator, [unit_id], grain)

    populations = {} if populations is None else populations
    data = load_rows(board, indicator, [unit_id], populations, read=read)
    if data.empty or data.grain_note is not None:
        return None
    if rated(indicator):
        return _rated_own(board, indicator, unit_id, data, populations, units or ())
    if data.population_note is not None:
        return None
    return UnitRows(indicator, data.rows, None, cube=data.cube)


def _rated_own(
    board: Board, indicator: Indicator, unit_id: str, own: UnitRows, populations: dict, units: Sequence[str]
) -> UnitRows:
    """own_rows for a rated indicator: ``own`` (load_rows of the unit alone, at the registry's
    grain, no grain note), with the hidden cells' estimates the wider set ``units`` gives.

    What _Rows gives once the set is loaded: where the set's rows carry a population note, the
    unit read alone, which is ``own`` (a note of the unit alone is one of the set too: its years
    are among the set's); else the cut of the set's rows, which are ``own``'s rows (each built
    from the unit's facts and population) but for the estimates of hidden counts, pooled per
    period over every unit of the set (hidden_estimates). Those are worked out from the set's
    rows of the periods where the unit has a hidden cell only: each period's pooled rate uses
    that period's rows alone, summed in the same order, so they are the same numbers, bit for
    bit, without attaching population and estimating over every period of every unit. A stock's
    estimates are each unit's own, and a unit without hidden cells has none: ``own`` as it is.
    The set's population note is worked out from its (unit, year) pairs, as attach_population
    words it from them."""
    hidden = own.rows["suppressed"].to_numpy(dtype=bool)
    if own.population_note is not None or indicator.kind != "count" or not hidden.any():
        return own
    facts = read_series(board, indicator, units, indicator.grain)
    facts = _unit_facts(facts[facts["grain"] == indicator.grain])  # the set's rows as load_rows keeps them
    key = (indicator.population, tuple(sorted(facts["unit_id"].unique())))
    if key not in populations:
        populations[key] = population_table(board, indicator.population, key[1])
    population = populations[key]
    pairs = pd.DataFrame({"unit_id": facts["unit_id"], "year": facts["period_start"].dt.year})
    if pairs_population_note(facts[~pairs.duplicated().to_numpy()], population, populations, key) is not None:
        return own
    periods = own.rows.loc[hidden, "period_start"].unique()
    pooled, _ = attach_population(facts[facts["period_start"].isin(periods)], population)
    pooled = pooled[ROW_COLUMNS].reset_index(drop=True)
    estimates = hidden_estimates(pooled, indicator).to_numpy()
    mine = (pooled["unit_id"] == unit_id).to_numpy()
    by_period = dict(zip(pooled.loc[mine, "period_start"], estimates[mine], strict=True))
    rows = own.rows.copy()
    rows["estimate"] = [
        by_period[p] if h else e
        for p, h, e in zip(rows["period_start"], hidden, rows["estimate"], strict=True)
    ]
    return UnitRows(indicator, rows, None, cube=own.cube)


def pairs_population_note(
    rows: pd.DataFrame, population: pd.DataFrame, kept: dict, key: Hashable
) -> str | None:
    """attach_population(rows, population)[1], kept in ``kept`` (own_rows' ``populations``
    of one view) under ``key`` (the population's key there) and the rows' (unit_id, year)
    pairs. The note is worked out from those pairs alone (which years are projected, carried),
    so Kommune's rated indicators with one population and the same units and years (a
    national set: every municipality over the same years) ask once instead of once each.
    rows: unit_id, period_start, period_end (one row per pair, as _rated_own passes them)."""
    years = pd.to_datetime(rows["period_start"]).dt.year.tolist()
    full = ("pairs_population_note", key, frozenset(zip(rows["unit_id"].tolist(), years, strict=True)))
    if full not in kept:
        kept[full] = attach_population(rows, population)[1]
    return kept[full]


def is_multi_year(grain: str) -> bool:
    """A period of several whole years ('3year': FHI's three-year means), not a calendar year."""
    return bool(grain) and grain.endswith("year") and grain != "year"


def multi_year_note(facts: pd.DataFrame) -> str:
    """Why figures stored only as multi-year periods are not judged, in the reason's words.

    FHI publishes many indicators (Kommunehelsa, Folkehelsebarometeret) as three-year rolling
    means («glidende gjennomsnitt», 2019–2021, 2020–2022, …) to steady small numbers. Two
    neighbouring periods share two of their three years, so the points are not independent:
    an SPC chart of them would show runs and trends the overlap makes (NHS England, Making
    Data Count: no SPC on rolling averages), and a trend test would count the same events
    two or three times. So they are shown, not judged. Comparing periods that do not overlap
    (2017–2019 against 2020–2022) could be done with the exact tests of a baseline
    comparison; the board does not do it yet.
    facts: the multi-year rows (grain, period_start)."""
    newest = facts.sort_values("period_start").iloc[-1]
    label = period_label(pd.Timestamp(newest["period_start"]).date(), str(newest["grain"]))
    years = str(newest["grain"]).removesuffix("year")
    return (
        f"Tallene finnes bare som {years}-årsperioder (nyeste {label}), glidende gjennomsnitt som "
        "overlapper hverandre; de vurderes ikke: overlappende perioder er ikke uavhengige punkter, "
        "så de gir verken SPC eller trend."
    )


def _file_totals(board: Board, indicator: Indicator, rows: pd.DataFrame) -> pd.DataFrame | None:
    """The file's own totals for the unit the rows make up, when the rows are all its members.

    Only counts: a stock's total row is a different kind of number (the last value).
    """
    if indicator.kind != "count" or rows.empty or not rows["suppressed"].any():
        return None
    units = board.units
    present = set(rows["unit_id"].unique().tolist())
    for unit in units.loc[units["kind"].isin(["partnership", "region"]), "unit_id"]:
        members = members_of(units, unit)
        if len(members) >= len(present) and set(members) == present:
            totals = board.store.file_totals(indicator.id, unit, indicator.grain)
            if totals.empty:
                return None
            return pd.DataFrame(
                {
                    "period_start": pd.to_datetime(totals["period_start"]),
                    "value": totals["value"].astype(float),
                }
            )
    return None


def truncated_poisson_mean(lam: np.ndarray, threshold: int | None = None) -> np.ndarray:
    """E[X | 1 ≤ X ≤ threshold − 1] for X ~ Poisson(lam), elementwise (1 when lam = 0).

    The expected value of a suppressed count given only that it was suppressed.
    """
    threshold = threshold or config.SUPPRESSION_THRESHOLD
    lam = np.asarray(lam, dtype=float)
    ks = np.arange(1, threshold)
    log_lam = np.log(np.where(lam > 0, lam, 1.0))
    # Weights ∝ λ^k / k!, scaled by λ^1 so they stay finite for small λ. One array per k, summed
    # in k's order, without numpy's per-element overhead of reducing an axis of length
    # threshold − 1. Up to 7 terms (threshold ≤ 8; the board's is 5) these are the same
    # floating-point operations as a sum over a trailing k axis, bit for bit; from 8 terms
    # numpy sums an axis pairwise, so the two may differ in the last bits (tests/test_suppression).
    logw = [(k - 1) * log_lam - c for k, c in zip(ks.tolist(), np.cumsum(np.log(ks)).tolist(), strict=True)]
    top = np.maximum.reduce(logw)
    w = [np.exp(x - top) for x in logw]
    weighted, total = w[0] * ks[0], w[0]
    for k, x in zip(ks[1:].tolist(), w[1:], strict=True):
        weighted = weighted + x * k
        total = total + x
    return np.where(lam > 0, weighted / total, 1.0)


def hidden_estimates(rows: pd.DataFrame, indicator: Indicator, iterations: int = 25) -> pd.Series:
    """Expected value of each suppressed count or stock cell (NaN for every other row).

    Counts with person-years: λ = r̂ × person-years, r̂ the period's pooled rate over all the
    rows, found by fixed-point iteration (r̂ = (known + Σ expected hidden) / person-years,
    the EM estimate for interval-censored Poisson counts with a common rate). Others: λ =
    the unit's own mean over its rows, by the same iteration.
    """
    out = pd.Series(np.nan, index=rows.index)
    if indicator.kind not in ("count", "stock") or rows.empty:
        return out
    hidden = rows["suppressed"].astype(bool).to_numpy()
    if not hidden.any():
        return out
    value = rows["value"].to_numpy(dtype=float)
    known = ~hidden & ~np.isnan(value)
    if rated(indicator) and indicator.kind == "count":
        exposure = rows["person_years"].to_numpy(dtype=float)
        codes = pd.factorize(rows["period_start"])[0]
    else:
        exposure = np.ones(len(rows))
        codes = pd.factorize(rows["unit_id"])[0]
    usable = ~np.isnan(exposure) & (exposure > 0) & (known | hidden)
    exposure = np.where(usable, exposure, 0.0)
    groups = codes.max() + 1
    total_exposure = np.bincount(codes, weights=exposure, minlength=groups)
    known_sum = np.bincount(codes, weights=np.where(known & usable, value, 0.0), minlength=groups)
    in_hidden = hidden & usable
    rate = np.divide(
        known_sum + np.bincount(codes, weights=in_hidden * 1.0, minlength=groups),
        total_exposure,
        out=np.zeros(groups),
        where=total_exposure > 0,
    )
    # Only the hidden cells' expectations enter the sums (every other row adds 0.0, which
    # changes no float sum), so only they are computed: the same numbers, far fewer of them.
    at, exposure_hidden = codes[in_hidden], exposure[in_hidden]
    weights = np.zeros(len(rows))
    for _ in range(iterations):
        weights[in_hidden] = truncated_poisson_mean(rate[at] * exposure_hidden)
        hidden_sum = np.bincount(codes, weights=weights, minlength=groups)
        rate = np.divide(
            known_sum + hidden_sum, total_exposure, out=np.zeros(groups), where=total_exposure > 0
        )
    expected = np.full(len(rows), np.nan)
    expected[in_hidden] = truncated_poisson_mean(rate[at] * exposure_hidden)
    out[hidden] = expected[hidden]
    return out


def cube_for(board: Board, indicator: Indicator, unit_ids: Sequence[str], today: dt.date | None = None):
    """The protected cube of the partnership these units belong to (None: not a protected
    count, or units of several partnerships). Kept in analytics.datacache per store, data
    version and day (by the indicator's id: a series judged per year reads the same cube)."""
    if not _has_cube(indicator):
        return None
    partnership = _partnership_of(board, unit_ids)
    if partnership is None:
        return None
    today = today or clock.today()
    return datacache.cached(
        datacache.board_key(board),
        ("cube", indicator.id, partnership, today),
        lambda: _build_cube(board, indicator, partnership, today),
    )


def _has_cube(indicator: Indicator) -> bool:
    """Whether the indicator is protected by a cube (cube_for, cubes_for): a protected count or
    share. A stock's periods do not add up: each period's cell is protected alone."""
    return bool(indicator.protect_small) and indicator.kind in ("count", "share")


def _partnership_of(board: Board, unit_ids: Sequence[str]) -> str | None:
    """The one partnership these units belong to, else None."""
    units = board.units
    partnerships = set(units.loc[units["unit_id"].isin(list(unit_ids)), "partnership"].dropna())
    return partnerships.pop() if len(partnerships) == 1 else None


def _members(board: Board, partnership: str) -> list[str]:
    units = board.units
    return units.loc[units["partnership"] == partnership, "unit_id"].astype(str).tolist()


def cubes_for(
    board: Board, indicators: Sequence[Indicator], unit_ids: Sequence[str], today: dt.date | None = None
) -> None:
    """cube_for each indicator, kept in analytics.datacache as cube_for keeps them, the cells of
    those not kept yet read in one statement (Store.known_cells_many) instead of one each.
    Each cube is the one cube_for builds (the same cells read, the same build)."""
    partnership = _partnership_of(board, unit_ids)
    if partnership is None:
        return
    today = today or clock.today()
    key = datacache.board_key(board)
    missing = {
        i.id: i
        for i in indicators
        if _has_cube(i) and datacache.peek(key, ("cube", i.id, partnership, today)) is None
    }
    if len(missing) < 2:
        return  # cube_for builds it when asked
    members = _members(board, partnership)
    read = board.store.known_cells_many([(i.id, i.grain) for i in missing.values()], members)
    for indicator, facts in zip(missing.values(), read, strict=True):
        datacache.cached(
            key,
            ("cube", indicator.id, partnership, today),
            lambda indicator=indicator, facts=facts: _build_cube(board, indicator, partnership, today, facts),
        )


def _build_cube(
    board: Board, indicator: Indicator, partnership: str, today: dt.date, facts: pd.DataFrame | None = None
) -> hierarchy.Cube:
    """The protected cube of ``indicator`` over ``partnership``'s units; facts: the cells
    Store.known_cells gives for them (read here when None)."""
    if facts is None:
        facts = board.store.known_cells(indicator.id, _members(board, partnership), indicator.grain)
    facts = facts.assign(
        period_start=pd.to_datetime(facts["period_start"]),
        unit_id=facts["unit_id"].astype(str),
        numerator=facts["numerator"] if indicator.kind == "share" else facts["value"],
    )
    windows = _windows(facts, indicator, today)
    cube = hierarchy.build_cube(facts, indicator.grain, config.SUPPRESSION_THRESHOLD, windows)
    if indicator.kind != "share":
        return cube
    # A share's complement (who did not get it) is a count of persons too (protection.small_parts).
    rest = facts.assign(numerator=facts["denominator"] - facts["numerator"])
    return hierarchy.joint(
        cube, hierarchy.build_cube(rest, indicator.grain, config.SUPPRESSION_THRESHOLD, windows)
    )


def _windows(facts: pd.DataFrame, indicator: Indicator, today: dt.date) -> dict[str, list[pd.Timestamp]]:
    """The windows views show besides whole periods: the funnel's 12 months (as funnel_view picks
    them) and, for a year in progress, the same months of the year before (as year_table)."""
    if facts.empty or indicator.grain == "year":
        return {}
    starts = pd.Series(sorted(facts["period_start"].unique()))
    ends = period_ends(starts, indicator.grain)
    whole = ends if indicator.projection else ends[ends <= pd.Timestamp(today)]
    windows: dict[str, list[pd.Timestamp]] = {}
    if not whole.empty:
        end = whole.max()
        first = (end + pd.Timedelta(days=1)) - pd.DateOffset(months=12)
        windows[hierarchy.FUNNEL] = starts[(starts >= first) & (ends <= end)].tolist()
    covered = ends.max()
    if covered < pd.Timestamp(covered.year, 12, 31) or (
        not indicator.projection and pd.Timestamp(covered.year, 12, 31) > pd.Timestamp(today)
    ):
        before = covered - pd.DateOffset(years=1)
        windows[hierarchy.SAME_MONTHS] = starts[(starts.dt.year == before.year) & (ends <= before)].tolist()
    return windows


# -- aggregation ------------------------------------------------------------------------

AGG_COLUMNS = [
    "value",
    "numerator",
    "denominator",
    "n_units",
    "n_rows",
    "n_suppressed",
    "incomplete",
    "first_start",
    "last_end",
    "lower",
    "upper",
    "n_hidden",
    "from_total",
]


def aggregate(
    rows: pd.DataFrame,
    indicator: Indicator,
    keys: Sequence[str] = (),
    totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Aggregate rows over ``keys`` (columns of ``rows``) by the indicator's kind.

    totals: the source file's own total per native period (period_start, value) for
        exactly the units in ``rows`` (``UnitRows.totals``); used only when ``keys`` does
        not split by unit, so a hidden cell is never derivable from it.

    Returns *keys plus value, numerator (the count, stock or share numerator; with hidden
    cells at their expected value), denominator (person-years, population or share
    denominator; complete for hidden cells), n_units, n_rows, n_suppressed (rows suppressed
    or without population), incomplete (the value is not exact: a hidden cell not resolved
    by a file total, or a row left out), first_start, last_end, lower and upper (the value
    with every unresolved hidden cell at 1 and at threshold − 1; equal to value when
    nothing is hidden), n_hidden (suppressed cells counted in) and from_total (every hidden
    cell resolved by the file's total).
    """
    columns, length = _aggregate_columns(rows, indicator, keys, totals)
    return frame_of(columns, length)  # built in the order *keys, *AGG_COLUMNS


def aggregate_row(rows: pd.DataFrame, indicator: Indicator, totals: pd.DataFrame | None = None) -> pd.Series:
    """``aggregate(rows, indicator, totals=totals).iloc[0]`` (the one group's row: a window,
    a baseline) without building the one-row frame: the same Series (object dtype, named 0,
    index AGG_COLUMNS) holding the same values and scalar types (numpy scalars, Timestamp).
    rows: not empty (an empty frame aggregates to no row)."""
    columns, _ = _aggregate_columns(rows, indicator, (), totals)
    return pd.Series(
        [_first_item(value) for value in columns.values()],
        index=pd.Index(list(columns)),  # inferred as the frame's columns are (str)
        dtype=object,
        name=0,
    )


def _first_item(column: pd.Series | np.ndarray) -> object:
    """A column's first value as a frame's row holds it: a numpy scalar, or a Timestamp (NaT)
    for dates."""
    if isinstance(column, pd.Series):
        return column.array[0]
    if column.dtype.kind == "M":
        return pd.Timestamp(column[0])
    return column[0]


def _aggregate_columns(
    rows: pd.DataFrame,
    indicator: Indicator,
    keys: Sequence[str] = (),
    totals: pd.DataFrame | None = None,
) -> tuple[dict, int]:
    """aggregate's columns (arrays, or Series with a 0…n − 1 index) and their length n, before
    they are made a frame (judged_series reads them as they are)."""
    keys = list(keys)
    kind = indicator.kind
    with_rate = rated(indicator)
    df = rows  # read only: the reductions below are built in numpy beside it
    if kind == "stock":
        # Each unit's last row in the group stands for the group.
        df = df.sort_values("period_start").groupby([*keys, "unit_id"], as_index=False, sort=False).tail(1)
    parts = _parts(df, indicator, totals if "unit_id" not in keys else None)
    if keys or df.empty:
        order = _one_row_per_group(df, keys)
        if order is not None:
            out = _per_row(df, parts, keys, order)
        else:
            frame = df[[*dict.fromkeys([*keys, "unit_id", "period_start", "period_end"])]]
            out = _grouped(frame.assign(**parts, _key=0), keys)
    else:  # one group (a window, a baseline): the same sums without a groupby's overhead
        out = _one_group_columns(df, parts)
    return _finish_columns(out, keys, kind, with_rate)


def _floats(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype=float, na_value=np.nan)


def _parts(df: pd.DataFrame, indicator: Indicator, totals: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """aggregate's per-row terms, in numpy: _num (the numerator, a hidden cell at its expected
    value), _low/_high (a hidden cell at 1 and threshold − 1, or its share of a file total),
    _den (the denominator of the counted rows), _known, _counted, _hidden, _open (a hidden
    cell not resolved by a file total). NaN where a row is not counted."""
    kind = indicator.kind
    suppressed = df["suppressed"].to_numpy(dtype=bool)
    known = ~suppressed
    hidden = np.zeros(len(df), dtype=bool)
    if kind == "share":
        num, den = _floats(df["numerator"]), _floats(df["denominator"])
        with np.errstate(invalid="ignore"):
            known &= ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    else:
        num = _floats(df["value"])
        known &= ~np.isnan(num)
        if rated(indicator):
            den = _floats(df["person_years"] if kind == "count" else df["population"])
            with np.errstate(invalid="ignore"):
                has_den = ~np.isnan(den) & (den > 0)
            known &= has_den
        else:
            has_den = np.ones(len(df), dtype=bool)
            # A score's denominator is the persons its mean is over: not a weight (the mean
            # stays unweighted), but kept so that a mean of 1–4 persons is hidden
            # (protection.small_parts: the registry's rule for a score). Dropped, every score
            # aggregate had no denominator and «2,5» of two persons was shown.
            den = _floats(df["denominator"]) if kind == "score" else np.full(len(df), np.nan)
        if kind in ("count", "stock"):
            hidden = suppressed & has_den
    low, high = _hidden_bounds(df, hidden, known, num, totals)
    estimate = (
        _floats(df["estimate"]) if "estimate" in df.columns else _floats(hidden_estimates(df, indicator))
    )
    ranged = low != high
    point = np.where(ranged, estimate, low)  # a cell resolved by the file total is exact
    counted = known | hidden
    return {
        "_num": np.where(known, num, np.where(hidden, point, np.nan)),
        "_low": np.where(known, num, np.where(hidden, low, np.nan)),
        "_high": np.where(known, num, np.where(hidden, high, np.nan)),
        "_den": np.where(counted, den, np.nan),
        "_known": known,
        "_counted": counted,
        "_hidden": hidden,
        "_open": hidden & ranged,
    }


def _one_row_per_group(df: pd.DataFrame, keys: list[str]) -> np.ndarray | None:
    """The row order of the groups (sorted by the key, as groupby sorts) when ``keys`` is one
    column with one row per distinct, non-missing value; else None (group them)."""
    if len(keys) != 1 or df.empty:
        return None
    column = df[keys[0]]
    if column.hasnans or not column.is_unique:
        return None
    return np.argsort(column.to_numpy(), kind="stable")


def _per_row(df: pd.DataFrame, parts: dict[str, np.ndarray], keys: list[str], order: np.ndarray) -> dict:
    """_grouped(df, keys) when every group is one row: a sum over one value is the value
    (0.0 + x, as the grouped sum starts from 0.0: −0.0 becomes 0.0), over a missing one 0."""

    def total(name: str) -> np.ndarray:
        values = parts[name][order]
        return np.where(np.isnan(values), 0.0, values + 0.0)

    def present(name: str) -> np.ndarray:
        return (~np.isnan(parts[name][order])).astype(np.int64)

    def count(name: str) -> np.ndarray:
        return parts[name][order].astype(np.int64)

    def column(name: str) -> pd.Series:
        return df[name].iloc[order].reset_index(drop=True)

    return {
        **{key: column(key) for key in keys},
        "numerator": total("_num"),
        "low": total("_low"),
        "high": total("_high"),
        "n_numerator": present("_num"),
        "denominator": total("_den"),
        "n_denominator": present("_den"),
        "n_units": df["unit_id"].notna().to_numpy()[order].astype(np.int64),
        "n_rows": np.ones(len(order), dtype=np.int64),
        "n_known": count("_known"),
        "n_counted": count("_counted"),
        "n_hidden": count("_hidden"),
        "n_open": count("_open"),
        "first_start": column("period_start"),
        "last_end": column("period_end"),
        "mean": parts["_num"][order],
    }


def _finish(out: pd.DataFrame | dict, keys: list[str], kind: str, with_rate: bool) -> pd.DataFrame:
    """aggregate's columns from the reductions, in numpy, built as one frame (adding columns
    one by one costs more than the sums on the small frames judging makes)."""
    return frame_of(*_finish_columns(out, keys, kind, with_rate))


def _finish_columns(
    out: pd.DataFrame | dict, keys: list[str], kind: str, with_rate: bool
) -> tuple[dict, int]:
    """_finish's columns (by name, in the order *keys, *AGG_COLUMNS) and their length."""

    def floats(column: str) -> np.ndarray:
        return np.asarray(out[column], dtype=float)

    n_rows, n_known = np.asarray(out["n_rows"]), np.asarray(out["n_known"])
    n_hidden, n_open = np.asarray(out["n_hidden"]).astype(int), np.asarray(out["n_open"])
    # A sum over nothing known is unknown, not 0 (built-in sums are far faster than min_count).
    nothing = np.asarray(out["n_numerator"]) == 0
    numerator, low, high = (np.where(nothing, np.nan, floats(c)) for c in ("numerator", "low", "high"))
    denominator = np.where(np.asarray(out["n_denominator"]) == 0, np.nan, floats("denominator"))
    if kind == "score":
        value = floats("mean")
        numerator = np.full(len(n_rows), np.nan)
        lower = upper = value
    else:
        # value = numerator × scale: a share in per cent, a rate per 1 000, or the sum itself.
        with np.errstate(divide="ignore", invalid="ignore"):
            if kind == "share":
                scale = 100 / denominator
            elif with_rate:
                scale = PER / denominator
            else:
                scale = np.ones(len(n_rows))
        value, lower, upper = numerator * scale, low * scale, high * scale
    # Nothing known (only hidden cells): the aggregate stays missing, like the cell.
    none_known = n_known == 0
    columns = {key: out[key] for key in keys}
    columns.update(
        {
            "value": np.where(none_known, np.nan, value),
            "numerator": numerator,
            "denominator": denominator,
            "n_units": out["n_units"],
            "n_rows": out["n_rows"],
            "n_suppressed": (n_rows - n_known).astype(int),
            "incomplete": (n_open > 0) | (np.asarray(out["n_counted"]) < n_rows),
            "first_start": out["first_start"],
            "last_end": out["last_end"],
            "lower": np.where(none_known, np.nan, lower),
            "upper": np.where(none_known, np.nan, upper),
            "n_hidden": n_hidden,
            "from_total": (n_hidden > 0) & (n_open == 0),
        }
    )
    return columns, len(n_rows)  # in the order *keys, *AGG_COLUMNS


def frame_of(columns: dict, length: int) -> pd.DataFrame:
    """A frame with a 0…length − 1 index from columns of that length (arrays or Series with
    that index), built without aligning indexes: each Series' values keep their dtype."""
    return pd.DataFrame(
        {name: value.array if isinstance(value, pd.Series) else value for name, value in columns.items()},
        index=pd.RangeIndex(length),
    )


_SUMMED = ["_num", "_low", "_high", "_den", "_known", "_counted", "_hidden", "_open"]


def _grouped(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """aggregate's reductions per group of ``keys`` (one group when none)."""
    grouped = df.groupby(keys or ["_key"], sort=True, dropna=False)
    # One grouped call per reduction (not one per named column): the same cython kernels as
    # named aggregation, far less per-call overhead on the many small frames judging makes.
    sums = grouped[_SUMMED].sum()
    counts = grouped[["_num", "_den"]].count()
    return pd.DataFrame(
        {
            "numerator": sums["_num"],
            "low": sums["_low"],
            "high": sums["_high"],
            "n_numerator": counts["_num"],
            "denominator": sums["_den"],
            "n_denominator": counts["_den"],
            "n_units": grouped["unit_id"].nunique(),
            "n_rows": grouped.size(),
            "n_known": sums["_known"],
            "n_counted": sums["_counted"],
            "n_hidden": sums["_hidden"],
            "n_open": sums["_open"],
            "first_start": grouped["period_start"].min(),
            "last_end": grouped["period_end"].max(),
            "mean": grouped["_num"].mean(),
        }
    ).reset_index()


def _sum(values: np.ndarray) -> tuple[float, int]:
    """(sum of the non-missing values, their number). The sum is correctly rounded (math.fsum);
    the grouped sum it replaces may differ in the last bit, never in a shown or judged figure
    (tests/test_aggregate.py compares the two)."""
    known = values[~np.isnan(values)]
    return math.fsum(known.tolist()), int(known.size)


def _one_group(df: pd.DataFrame) -> pd.DataFrame:
    """_grouped(df, []) for a non-empty frame, in numpy: the same values and dtypes."""
    out = _one_group_columns(df, {column: df[column].to_numpy() for column in _SUMMED})
    return pd.DataFrame(out).assign(_key=np.array([0], dtype=df["_key"].dtype))[["_key", *_ONE_GROUP_COLUMNS]]


def _one_group_columns(df: pd.DataFrame, parts: dict[str, np.ndarray]) -> dict:
    """_one_group's columns (one value each) from the rows and their terms (see _parts)."""
    num, n_num = _sum(np.asarray(parts["_num"], dtype=float))
    low, _ = _sum(np.asarray(parts["_low"], dtype=float))
    high, _ = _sum(np.asarray(parts["_high"], dtype=float))
    den, n_den = _sum(np.asarray(parts["_den"], dtype=float))
    starts, ends = df["period_start"], df["period_end"]
    return {
        "numerator": np.array([num]),
        "low": np.array([low]),
        "high": np.array([high]),
        "n_numerator": np.array([n_num], dtype=np.int64),
        "denominator": np.array([den]),
        "n_denominator": np.array([n_den], dtype=np.int64),
        "n_units": np.array([df["unit_id"].nunique()], dtype=np.int64),
        "n_rows": np.array([len(df)], dtype=np.int64),
        **{
            name: np.array([int(np.asarray(parts[column], dtype=bool).sum())], dtype=np.int64)
            for name, column in (
                ("n_known", "_known"),
                ("n_counted", "_counted"),
                ("n_hidden", "_hidden"),
                ("n_open", "_open"),
            )
        },
        "first_start": _extreme(starts, first=True),
        "last_end": _extreme(ends, first=False),
        "mean": np.array([num / n_num if n_num else np.nan]),
    }


def _extreme(stamps: pd.Series, first: bool) -> pd.Series | np.ndarray:
    """``pd.Series([stamps.min()], dtype=stamps.dtype)`` (``max`` when not ``first``): the
    one group's first start or last end, NaT when none is known. A naive datetime64 column
    in numpy (an array of that dtype), without the Series' reductions."""
    if not (isinstance(stamps.dtype, np.dtype) and stamps.dtype.kind == "M"):
        return pd.Series([stamps.min() if first else stamps.max()], dtype=stamps.dtype)
    values = stamps.to_numpy()
    known = values[~np.isnat(values)]
    if not len(known):
        return np.array([np.datetime64("NaT")], dtype=values.dtype)
    return np.array([known.min() if first else known.max()], dtype=values.dtype)


_ONE_GROUP_COLUMNS = [
    "numerator",
    "low",
    "high",
    "n_numerator",
    "denominator",
    "n_denominator",
    "n_units",
    "n_rows",
    "n_known",
    "n_counted",
    "n_hidden",
    "n_open",
    "first_start",
    "last_end",
    "mean",
]


def _hidden_bounds(
    df: pd.DataFrame, hidden: np.ndarray, known: np.ndarray, num: np.ndarray, totals: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the least and the most a hidden cell can hold (1 and threshold − 1).

    Where the file's total covers the row's period, the period's hidden cells share the total
    minus the known cells (kept within their range), so low = high = that share.
    """
    low = np.full(len(df), 1.0)
    high = np.full(len(df), float(config.SUPPRESSION_THRESHOLD - 1))
    if totals is None or totals.empty or not hidden.any():
        return low, high
    period = pd.to_datetime(df["period_start"])
    per = pd.DataFrame(
        {
            "period_start": period,
            "known": np.nan_to_num(np.where(known, num, 0.0), nan=0.0),
            "hidden": hidden.astype(int),
        },
        index=df.index,
    )
    per = per.groupby("period_start").sum()
    total = pd.to_datetime(totals["period_start"]).to_frame().assign(total=totals["value"].to_numpy())
    per = per.join(total.set_index("period_start")["total"], how="left")
    with_total = per["total"].notna() & (per["hidden"] > 0)
    rest = (per["total"] - per["known"]).clip(per["hidden"], per["hidden"] * high[0])
    share = (rest / per["hidden"]).where(with_total)
    shared = period.map(share).to_numpy(dtype=float, na_value=np.nan)
    resolved = hidden & ~np.isnan(shared)
    return np.where(resolved, shared, low), np.where(resolved, shared, high)


SERIES_COLUMNS = [
    "period_start",
    *AGG_COLUMNS,
    "period_end",
    "label",
    "partial",
    "hidden",
    "judge_value",
    "judge_lower",
    "judge_upper",
    "partial_text",
    "short",
    "n_expected",
]


def truncate(stamps: pd.Series, grain: str) -> pd.Series:
    """Period start at a coarser grain: month → quarter, tertial or year (datetime64[us], NaT kept)."""
    months = pd.to_datetime(stamps).to_numpy().astype("datetime64[M]")
    index = months.astype(np.int64)  # months since 1970-01, where every grain's periods start
    months = np.where(np.isnat(months), months, month_floor(index, grain).astype("datetime64[M]"))
    return pd.Series(months.astype("datetime64[us]"), index=stamps.index)


def finer_or_equal(grain: str, native: str) -> bool:
    """Whether an indicator of grain `native` can be shown at `grain`: its own grain or one its
    periods add up to (periods.grain_chain; a tertial is not made of quarters)."""
    return grain in grain_chain(native)


def judged_series(
    data: UnitRows,
    grain: str | None = None,
    today: dt.date | None = None,
    by_unit: bool = False,
) -> pd.DataFrame:
    """The series at ``grain`` (native by default, only coarser allowed).

    One row per period (and unit, with ``by_unit``): period_start, period_end, label,
    the aggregate columns, partial (the period is not fully covered by data yet, has not
    ended where its kind's `charts:` row says it must (Indicator.rule.judged_before_end), or
    is short of members: see ``member_gaps``),
    short (some units that report before it have no row in it), n_expected (the units
    expected in it), hidden (a protected small count), and judge_value: the value used by
    SPC, projections, the newest value and the «siste 12 mnd» windows (NaN for partial
    periods and for incomplete sums). partial_text says why in Norwegian («delvis periode»,
    «tall fra 3 av 22 enheter»).
    """
    indicator = data.indicator
    grain = grain or indicator.grain
    if not finer_or_equal(grain, indicator.grain):
        raise ValueError(f"Kan ikke vise {indicator.grain}-tall per {grain}.")
    today = today or clock.today()
    key = (grain, today, by_unit)
    if key not in data.judged:
        data.judged[key] = _judged_series(data, grain, today, by_unit)
    return data.judged[key].copy()  # callers may add columns; the cached frame stays as it was


def _judged_series(data: UnitRows, grain: str, today: dt.date, by_unit: bool) -> pd.DataFrame:
    indicator = data.indicator
    keys = ["unit_id", "period"] if by_unit else ["period"]
    if data.empty:
        return pd.DataFrame(columns=[*SERIES_COLUMNS, *(["unit_id"] if by_unit else [])])
    rows = data.rows.assign(period=truncate(data.rows["period_start"], grain))
    # The aggregate's columns as they are (no frame in between: the series is one frame).
    out, length = _aggregate_columns(rows, indicator, keys, None if by_unit else data.totals)
    starts = pd.to_datetime(out["period"])
    ends = period_ends(starts, grain)
    covered = pd.to_datetime(out["last_end"])
    partial = (covered < ends).to_numpy()
    if not indicator.rule.judged_before_end:
        # A period that has not ended is in progress (projections are about the future).
        partial = partial | (ends > pd.Timestamp(today)).to_numpy()
    present = np.asarray(out["n_units"], dtype=np.int64)
    if by_unit:
        short, expected = np.zeros(length, dtype=bool), present
    else:
        short, expected = member_gaps(data.rows, grain, starts)
    partial = partial | short
    numerator = np.asarray(out["numerator"], dtype=float)
    denominator = np.asarray(out["denominator"], dtype=float) if "denominator" in out else None
    hidden = hidden_cells(indicator, numerator, denominator)
    scope = data.scope
    if data.cube is not None and (by_unit or scope is not None):
        # The partnership's one mask: the same cell is hidden in every view (analytics.hierarchy).
        scopes = out["unit_id"].astype(str).tolist() if by_unit else [scope] * length
        hidden = hidden | data.cube.mask(scopes, grain, starts.tolist())
    # Hidden cells: judged on the point value, with both ends of their range beside it, so a
    # verdict can be checked at each end (see `verdict_range`).
    judge_value = np.where(partial, np.nan, np.asarray(out["value"], dtype=float))
    judged = ~np.isnan(judge_value)
    columns = {name: value for name, value in out.items() if name != "period"}
    return frame_of(
        {
            **({"unit_id": columns.pop("unit_id")} if by_unit else {}),
            "period_start": starts,
            **columns,
            "period_end": ends,
            "label": period_labels(starts, grain),
            "partial": partial,
            "hidden": np.asarray(hidden, dtype=bool),
            "judge_value": judge_value,
            "judge_lower": np.where(judged, np.asarray(out["lower"], dtype=float), np.nan),
            "judge_upper": np.where(judged, np.asarray(out["upper"], dtype=float), np.nan),
            "partial_text": partial_texts(starts, covered, partial, short, present, expected, grain),
            "short": short,
            "n_expected": expected,
        },
        length,
    )


def period_labels(starts: pd.Series, grain: str) -> list[str]:
    """periods.period_text of each period start (timestamps at midnight, none missing), one
    call per distinct start: the judged series' ``label``. Read as calendar days in numpy, not
    as a Timestamp per row."""
    texts: dict[dt.date, str] = {}
    return [
        texts[day] if day in texts else texts.setdefault(day, period_text(day, grain))
        for day in starts.to_numpy().astype("datetime64[D]").tolist()
    ]


def partial_texts(
    starts: pd.Series,
    covered: pd.Series,
    partial: np.ndarray,
    short: np.ndarray,
    present: np.ndarray,
    expected: np.ndarray,
    grain: str,
) -> list[str]:
    """The judged series' ``partial_text`` per period: "" for a whole period, short_label for
    one short of units, else partial_label (its start, ``covered``: how far its data reach).
    Only the partial periods are read as Timestamps."""
    texts = [""] * len(partial)
    for i in np.flatnonzero(partial).tolist():
        texts[i] = (
            short_label(int(present[i]), int(expected[i]))
            if short[i]
            else partial_label(starts.iloc[i], covered.iloc[i], grain)
        )
    return texts


def member_gaps(rows: pd.DataFrame, grain: str, starts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which periods of an aggregate over several units are short of units, and how many units
    each expects: (short, n_expected), arrays aligned with ``starts`` (period starts at
    ``grain``, as judged_series builds them from ``rows``, a UnitRows' rows).

    Rule: a unit is expected in every native period from its first row on. A native period is
    short when fewer units have a row in it (a suppressed row is a row: it is hidden, not
    absent) than are expected; a coarser period is short when one of its native periods is. So
    a file with 3 of 22 members for the newest quarter makes that quarter short, and so does a
    member's gap in the middle of the series, or a member that stopped reporting. A summed count
    over the units present is lower by construction, and a rate or share over them is another
    population's; Making Data Count judges a series only on like-for-like points, so a short
    period is shown, marked, and left out of SPC, projections, the newest value and windows.
    n_expected at a coarser grain is the most units any of its native periods expects. Done
    once per series, vectorised (a units × periods table of booleans and one searchsorted).
    """
    n = len(starts)
    codes, units = pd.factorize(rows["unit_id"], sort=False)
    if len(units) < 2:
        return np.zeros(n, dtype=bool), np.full(n, len(units), dtype=np.int64)
    places, periods = pd.factorize(rows["period_start"], sort=True)
    has = np.zeros((len(units), len(periods)), dtype=bool)  # unit × native period: has a row
    has[codes, places] = True
    present = has.sum(axis=0)
    firsts = np.sort(has.argmax(axis=1))  # each unit's earliest period (every unit has one)
    expected = np.searchsorted(firsts, np.arange(len(periods)), side="right")
    short_native = present < expected
    # Native periods onto the judged ones (a coarser grain takes the any / the most).
    coarse = truncate(pd.Series(periods), grain).to_numpy().astype("datetime64[us]")
    at = pd.to_datetime(starts).to_numpy().astype("datetime64[us]")
    slot = np.searchsorted(at, coarse)
    found = (slot < n) & (at[np.minimum(slot, n - 1)] == coarse) if n else np.zeros(len(coarse), dtype=bool)
    short = np.zeros(n, dtype=bool)
    most = np.zeros(n, dtype=np.int64)
    np.logical_or.at(short, slot[found], short_native[found])
    np.maximum.at(most, slot[found], expected[found])
    return short, most


def short_starts(data: UnitRows) -> list[pd.Timestamp]:
    """The periods (starts at the indicator's grain) of ``data`` short of units by member_gaps'
    rule (a unit expected in every period from its first row on): the periods no window, no
    baseline and no comparison may sum over as if every unit were in them. Empty for one
    unit. Kept on ``data`` (series.derived)."""

    def compute() -> list[pd.Timestamp]:
        if data.empty or data.rows["unit_id"].nunique() < 2:
            return []
        starts = pd.Series(sorted(truncate(data.rows["period_start"], data.indicator.grain).unique()))
        short, _ = member_gaps(data.rows, data.indicator.grain, starts)
        return [pd.Timestamp(s) for s in starts[short]]

    return derived(data, ("short_starts",), compute)


def short_label(present: int, expected: int) -> str:
    """«tall fra 3 av 22 enheter»: a period short of units (see member_gaps)."""
    if present < expected:
        return f"tall fra {present} av {expected} enheter"
    return f"tall mangler for noen av de {expected} enhetene i deler av perioden"


Verdict = TypeVar("Verdict")


def verdict_range(
    series: pd.DataFrame, decide: Callable[[pd.DataFrame], Verdict]
) -> tuple[Verdict, Verdict, Verdict]:
    """A verdict on the point values and at both ends of the hidden cells' range.

    series: a judged series (judge_value, judge_lower, judge_upper); decide: any function
    of a judged series that reads ``judge_value`` (e.g. the SPC or target rule). Returns
    (at the point values, with every hidden cell at 1, with every hidden cell at
    threshold − 1). When the two ends differ the data cannot settle the verdict.
    """
    at_point = decide(series)
    at_lower = decide(series.assign(judge_value=series["judge_lower"]))
    at_upper = decide(series.assign(judge_value=series["judge_upper"]))
    return at_point, at_lower, at_upper


def range_note(indicator: Indicator, series: pd.DataFrame, changes_verdict: bool | None = None) -> str | None:
    """Norwegian note on hidden cells in a judged series; None when nothing is hidden.

    Names how many periods hold hidden cells, whether the file's own total resolved them, the
    newest period's range, and (when ``changes_verdict`` is given) whether that range could
    change the verdict.
    """
    if series.empty or "n_hidden" not in series or not (series["n_hidden"] > 0).any():
        return None
    low = config.SUPPRESSION_THRESHOLD - 1
    with_hidden = series[series["n_hidden"] > 0]
    resolved = with_hidden["from_total"].astype(bool)
    parts = []
    if resolved.any():
        parts.append(
            f"{_periods(int(resolved.sum()))} med skjulte celler er regnet med kildefilens egen totalsum"
        )
    open_rows = with_hidden[~resolved & with_hidden["lower"].notna()]
    alone = int((~resolved & with_hidden["lower"].isna()).sum())
    if alone:
        parts.append(f"{_periods(alone)} er skjult i kilden (1–{low}) og vises ikke")
    if not open_rows.empty:
        last = open_rows.iloc[-1]
        parts.append(
            f"{_periods(len(open_rows))} har skjulte celler (1–{low} hver), som er regnet med sin forventede "
            f"verdi; i {last['label'] if 'label' in last else 'siste periode'} ligger verdien mellom "
            f"{format_value(indicator, last['lower'])} og {format_value(indicator, last['upper'])}"
        )
        if changes_verdict is not None:
            parts.append(
                "innenfor spennet kan SPC-vurderingen bli en annen"
                if changes_verdict
                else "SPC-vurderingen er den samme i begge ender av spennet"
            )
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _periods(n: int) -> str:
    return "1 periode" if n == 1 else f"{n} perioder"


def partial_label(start: pd.Timestamp, covered_until: pd.Timestamp, grain: str) -> str:
    """'delvis år (jan.–okt.)' for a year in progress built from its months; 'året er ikke over'
    for a year whose own row (a yearly file delivered in November) claims the whole year before
    it has ended; 'delvis periode' for a shorter period."""
    if grain == "year" and pd.notna(covered_until) and covered_until.year == start.year:
        if covered_until.month == 12:
            return "året er ikke over"
        last = covered_until.month
        span = MONTHS_SHORT[0] if last == 1 else f"{MONTHS_SHORT[0]}–{MONTHS_SHORT[last - 1]}"
        return f"delvis år ({span})"
    return "delvis periode"


def filter_years(frame: pd.DataFrame, years: tuple[int, int] | None) -> pd.DataFrame:
    if not years or frame.empty:
        return frame
    year = pd.to_datetime(frame["period_start"]).dt.year
    return frame[(year >= years[0]) & (year <= years[1])].reset_index(drop=True)


# -- windows ----------------------------------------------------------------------------


def latest_end(series: pd.DataFrame, months: int = 0) -> pd.Timestamp | None:
    """End of the newest whole period with a value: the newest figure's period (``months=0``),
    or (``months=12``) the end of the newest «siste 12 mnd» window that has every one of its
    periods, none of them short of members. None when there is none.

    series: a judged_series frame (period_start, period_end, value, partial, short). A window
    sums the units' rows of its months (window_rows), so a member missing one month inside it
    (series.member_gaps: a *short* period) makes the partnership's 12-month count lower by
    construction and a rate over it another population's. Making Data Count compares only like
    with like (NHS England, «Making Data Count», 2019; NHSRplotthedots judges whole periods
    only), so the window moves back to the newest 12 months with every member in every period
    (and, the same fault for all units at once, with no period missing from the series);
    the window's text names its months, so the leader sees which 12 months were judged. A
    window reaching back before the series' first period is no window (None).
    """
    # In numpy on the series' columns (a few filtered frames and conversions per call cost
    # more than the windows tried); the same comparisons, the same Timestamp returned.
    usable = series["value"].notna().to_numpy(dtype=bool) & ~series["partial"].to_numpy(dtype=bool)
    if not usable.any():
        return None
    at = np.flatnonzero(usable)
    end_stamps = pd.to_datetime(series["period_end"])
    period_starts = pd.to_datetime(series["period_start"]).to_numpy(dtype="datetime64[ns]")
    period_ends_ = end_stamps.to_numpy(dtype="datetime64[ns]")
    last = at[-1]
    if months <= 0 or _covered(period_starts[[last]], period_ends_[[last]]) >= months:
        return pd.Timestamp(end_stamps.iloc[last])  # a year or a longer period is its own window
    short = series["short"].to_numpy(dtype=bool) if "short" in series else np.zeros(len(series), dtype=bool)
    short_at = period_starts[short]
    known = period_starts[~np.isnat(period_starts)]
    first = pd.Timestamp(known.min()) if len(known) else pd.NaT
    for i in at[::-1]:
        end = pd.Timestamp(end_stamps.iloc[i])
        start = (end + pd.Timedelta(days=1)) - pd.DateOffset(months=months)
        if start < first:  # a window reaching back before the series would sum fewer months
            return None
        inside = (period_starts >= start.to_datetime64()) & (period_ends_ <= end.to_datetime64())
        if _covered(period_starts[inside], period_ends_[inside]) < months:  # a period no unit has a row for
            continue
        if not ((short_at >= start.to_datetime64()) & (short_at <= end.to_datetime64())).any():
            return end
    return None


def covered_months(rows: pd.DataFrame) -> int:
    """How many calendar months the distinct periods of ``rows`` (period_start, period_end)
    cover: 12 for a whole year of months, quarters or one year; 11 when a month is missing."""
    if rows.empty:
        return 0
    # As integer months of the distinct (start, end) pairs, without a frame per call (latest_end
    # asks for every window it tries); a pair with a missing day counts nothing.
    starts = pd.to_datetime(rows["period_start"]).to_numpy(dtype="datetime64[ns]")
    ends = pd.to_datetime(rows["period_end"]).to_numpy(dtype="datetime64[ns]")
    return _covered(starts, ends)


def _covered(starts: np.ndarray, ends: np.ndarray) -> int:
    """covered_months of the rows whose period starts and ends (datetime64[ns]) are given."""
    if not len(starts):
        return 0
    known = ~(np.isnat(starts) | np.isnat(ends))
    pairs = np.unique(np.stack([starts[known].view(np.int64), ends[known].view(np.int64)]), axis=1)
    first, last = pairs.view("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    return int((last - first + 1).sum())


def recent_end(series: pd.DataFrame, indicator: Indicator) -> pd.Timestamp | None:
    """The end of «now» for ``indicator``: a stock's newest whole period (a stock is read at one
    date, so only that period counts); any other kind's newest «siste 12 mnd» window with every
    member in every period (latest_end with months=12). The end the comparisons with the
    baseline, the 95 % interval of the newest 12 months, the funnel and the age standardisation
    use, so they all name the same months."""
    return latest_end(series, 0 if indicator.kind == "stock" else 12)


def window_rows(rows: pd.DataFrame, end: pd.Timestamp, months: int = 12) -> pd.DataFrame:
    """Rows of the ``months`` months that end with ``end`` (a period end)."""
    start = (end + pd.Timedelta(days=1)) - pd.DateOffset(months=months)
    # The mask in numpy (a Series comparison per bound costs more than the filter on small rows).
    inside = (rows["period_start"].to_numpy() >= start.to_datetime64()) & (
        rows["period_end"].to_numpy() <= end.to_datetime64()
    )
    return rows[inside]


def window_of(data: UnitRows, end: pd.Timestamp, months: int = 12) -> pd.DataFrame:
    """``window_rows(data.rows, end, months)``, kept on one unit's rows per window (derived):
    the baseline comparison, the 12 months' interval and its text, and the table's value all
    sum the same window of a municipality. A wider set's window is not kept (its rows are the
    set's, see evaluate.cut_rows). Shared: callers treat it as read-only."""
    if len(data.units) != 1:
        return window_rows(data.rows, end, months)
    return derived(data, ("window_rows", end, months), lambda: window_rows(data.rows, end, months))


def window_total(data: UnitRows, end: pd.Timestamp, with_totals: bool = True, months: int = 12) -> pd.Series:
    """``aggregate_row(window_of(data, end, months), data.indicator, data.totals)`` (the file
    totals left out when not ``with_totals``, as a table's value sums the window), kept on
    ``data`` per window (derived). The window must have rows. Shared: read-only."""
    return derived(
        data,
        ("window_total", end, months, with_totals),
        lambda: aggregate_row(
            window_of(data, end, months), data.indicator, data.totals if with_totals else None
        ),
    )


def window_span(start: pd.Timestamp, end: pd.Timestamp, grain: str) -> str:
    """'apr. 2024–mars 2025', or '2024' for a yearly window."""
    if grain == "year":
        return str(start.year)
    return f"{MONTHS_SHORT[start.month - 1]} {start.year}–{MONTHS_SHORT[end.month - 1]} {end.year}"


def rows_hidden(data: UnitRows, rows: pd.DataFrame) -> bool:
    """Whether the figure summed over ``rows`` (native periods of ``data``'s units) is hidden by
    the partnership's protected cube (analytics.hierarchy), as every table shows that figure.

    The rows' span (first period start to last period end) is read as a cell of the cube when
    it is one: a whole month, quarter or year, or a named window (the funnel's 12 months, the
    same months a year before) covering exactly the native periods in the span; that cell's
    mask is the answer. Any other span (a 12-month window ending mid-year, a 24-month
    baseline) is no cell the cube protects, so its lines were never checked: it is hidden
    whenever a native period inside it is hidden, the conservative rule hierarchy.py applies
    to windows (rule 3b), since the span minus its shown periods would give the hidden ones
    away. False without a cube (not a protected count), for a set of units that is no scope
    of the cube, or for no rows. Primary small counts are the caller's (``hidden``).
    """
    cube, scope = data.cube, data.scope
    if cube is None or scope is None or rows.empty:
        return False
    first = pd.Timestamp(rows["period_start"].min())
    last = pd.Timestamp(rows["period_end"].max())
    # The answer depends on the span alone (and the cube and scope, which are data's): kept on
    # data per span (derived), as a window's and a baseline's are asked by several figures.
    return derived(data, ("rows_hidden", first, last), lambda: _span_hidden(cube, scope, first, last))


def _span_hidden(cube: hierarchy.Cube, scope: str, first: pd.Timestamp, last: pd.Timestamp) -> bool:
    """rows_hidden of rows spanning ``first`` (the first period start) to ``last`` (the last
    period end), for ``scope`` of ``cube``."""
    native = cube.native_starts
    inside = native[(native >= first.to_datetime64()) & (native <= last.to_datetime64())]
    for level in grain_chain(cube.native):
        start = pd.Timestamp(hierarchy.truncate(np.array([first.to_datetime64()]), level)[0])
        if start == first and period_end_of(start, level) == last:
            shown = cube.is_hidden(scope, level, start)
            if shown is not None:
                return shown
    wanted = set(pd.to_datetime(inside).tolist())
    for name, covered in cube.windows.items():
        if covered and cube.window_set(name) == wanted:
            shown = cube.is_hidden(scope, name, max(covered))
            if shown is not None:
                return shown
    return bool(cube.mask([scope] * len(inside), cube.native, list(inside)).any())


def figure_shown(
    indicator: Indicator,
    value: float | None,
    numerator: float | None,
    masked: bool,
    wording: Literal["sentence", "cell"] = "sentence",
    denominator: float | None = None,
) -> tuple[str, bool]:
    """One figure as shown, by one rule for every place (reasons, tables, tiles, hover, deck),
    and whether it is hidden: returns (text, hidden), so a caller asks the rule once.

    A small count of persons, or a rate or share built on one (``hidden``: below
    config.SUPPRESSION_THRESHOLD, 5), is never shown; a cell the cube hides besides
    (``masked``: ``rows_hidden``, or a judged series row's ``hidden``) reads «:», SSB's
    symbol for "not shown for confidentiality" (analytics.protection.SECONDARY); else the
    value (``format_value``). The rules and their sources: analytics.protection, hierarchy.

    wording: "sentence" (a status reason) writes a small count «færre enn 5» and a rate or
    share built on one «skjult (færre enn 5 tilfeller)»; "cell" (a table cell, a tile, a
    hover) writes «<5» for a count and «skjult (<5)» for a rate or share. A bare «færre enn
    5» or «<5» beside a rate would read as a rate below 5 («Andel … færre enn 5 (3. kvartal
    2026)» as a share under 5 %), not as the count it hides. A share
    hidden for its complement or denominator (``denominator`` given; protection.small_parts)
    reads «:» like a masked cell: its numerator is not small, so «færre enn 5» would mislead.
    """
    if not shown_hidden(indicator, numerator, masked, denominator):
        return format_value(indicator, value), False
    if hidden_numerator(indicator, numerator):
        plain_count = indicator.kind in ("count", "stock") and not rated(indicator)
        if wording == "sentence":
            fewer = protection.fewer_than()
            return (fewer if plain_count else f"skjult ({fewer} tilfeller)"), True
        small = protection.small_label()
        return (small if plain_count else f"skjult ({small})"), True
    return protection.SECONDARY, True


# -- baseline comparison -------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """The recent value against the baseline year, with a test where the kind allows one.

    recent is the last 12 months (stock: the latest period; yearly data: the latest
    year); baseline is the baseline year (stock: its last period). ``p_value`` comes
    from an exact test: counts with the conditional binomial test of two Poisson
    rates (exposure = person-years, or days without a population), shares with
    Fisher's exact test; None for stocks and scores.
    """

    recent: float | None
    recent_numerator: float | None
    recent_text: str
    baseline: float | None
    baseline_numerator: float | None
    baseline_text: str
    p_value: float | None
    test: str | None
    note: str | None = None  # e.g. "ingen tall for grunnlinjeåret 2023"
    # The cube hides the recent / baseline figure (``rows_hidden``): shown as «:».
    recent_masked: bool = False
    baseline_masked: bool = False

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < SIGNIFICANCE

    def direction(self) -> int:
        if self.recent is None or self.baseline is None:
            return 0
        return int(np.sign(self.recent - self.baseline))


def compare_rows(
    data: UnitRows,
    recent_rows: pd.DataFrame,
    base_rows: pd.DataFrame,
    recent_text: str,
    baseline_text: str,
    note: str | None = None,
    recent_total: pd.Series | None = None,
) -> Comparison:
    """A Comparison of two sets of the data's rows (file totals used where they exist),
    with the exact test when both have figures.

    A count without population is a number of events over a span of days. When the baseline
    spans more or fewer days than the recent rows (the board's default baseline is 24 months,
    the recent window 12), its figure is scaled to the recent span (events per day × the
    recent days) and its text says «omregnet til samme lengde». The direction of the change
    then follows the rates the exact test compares (conditional binomial test of two Poisson
    rates with exposure in days; Spiegelhalter 2005 on rates with exposure), not two sums over
    spans of different length: 18 885 in 12 months against 36 861 in 24 is no halving.
    ``baseline_numerator`` stays the baseline's own count (protection of small counts reads
    it). recent_total: ``aggregate_row(recent_rows, indicator, data.totals)`` when the caller
    has it (window_total)."""
    indicator = data.indicator
    if recent_total is None and not recent_rows.empty:
        recent_total = aggregate_row(recent_rows, indicator, data.totals)
    recent = recent_total if not recent_rows.empty else None
    base = aggregate_row(base_rows, indicator, data.totals) if not base_rows.empty else None

    def get(row: pd.Series | None, col: str) -> float | None:
        return None if row is None or pd.isna(row[col]) else float(row[col])

    p_value, test = None, None
    baseline = get(base, "value")
    if recent is not None and base is not None:
        p_value, test = _test(indicator, recent, base, recent_rows, base_rows)
        if indicator.kind == "count" and not rated(indicator) and baseline is not None:
            days_recent, days_base = _days(recent_rows), _days(base_rows)
            if days_base > 0 and covered_months(recent_rows) != covered_months(base_rows):
                baseline = baseline * days_recent / days_base
                baseline_text = f"{baseline_text}, omregnet til samme lengde"
    return Comparison(
        recent=get(recent, "value"),
        recent_numerator=get(recent, "numerator"),
        recent_text=recent_text,
        baseline=baseline,
        baseline_numerator=get(base, "numerator"),
        baseline_text=baseline_text,
        p_value=p_value,
        test=test,
        note=note,
        recent_masked=_total_hidden(data, recent_rows, recent),
        baseline_masked=_total_hidden(data, base_rows, base),
    )


def figure_hidden(data: UnitRows, rows: pd.DataFrame) -> bool:
    """Whether the figure summed over ``rows`` is shown as «:» or «færre enn 5»: the cube
    hides it (``rows_hidden``) or it rests on a small count (``hidden``). The same test as a
    Comparison's ``recent_masked`` / ``baseline_masked``; False for no rows."""
    if rows.empty:
        return False
    return _total_hidden(data, rows, aggregate_row(rows, data.indicator, data.totals))


def _total_hidden(data: UnitRows, rows: pd.DataFrame, total: pd.Series | None) -> bool:
    """``figure_hidden`` with the rows' aggregate ``total`` already made (None: no rows)."""
    if rows_hidden(data, rows):
        return True
    if total is None:
        return False

    def get(col: str) -> float | None:
        return None if pd.isna(total[col]) else float(total[col])

    return hidden(data.indicator, get("numerator"), get("denominator"))


def _test(
    indicator: Indicator,
    recent: pd.Series,
    base: pd.Series,
    recent_rows: pd.DataFrame,
    base_rows: pd.DataFrame,
) -> tuple[float | None, str | None]:
    x1, x0 = recent["numerator"], base["numerator"]
    if pd.isna(x1) or pd.isna(x0):
        return None, None
    if indicator.kind == "count":
        if rated(indicator):
            t1, t0 = float(recent["denominator"]), float(base["denominator"])
        else:
            t1, t0 = _days(recent_rows), _days(base_rows)
        total = int(round(x1 + x0))
        if total == 0 or t1 <= 0 or t0 <= 0:
            return None, None
        p = stats.binomtest(int(round(x1)), total, t1 / (t1 + t0)).pvalue
        return float(p), "eksakt test for to Poisson-rater (betinget binomialtest)"
    if indicator.kind == "share":
        n1, n0 = recent["denominator"], base["denominator"]
        if pd.isna(n1) or pd.isna(n0) or n1 <= 0 or n0 <= 0:
            return None, None
        table = [[round(x1), round(n1 - x1)], [round(x0), round(n0 - x0)]]
        return float(stats.fisher_exact(table).pvalue), "Fishers eksakte test"
    return None, None


def _days(rows: pd.DataFrame) -> float:
    """Days the rows' distinct periods span (each period start's first row: end − start + 1),
    in numpy; a period with a missing day counts nothing."""
    starts = rows["period_start"].to_numpy(dtype="datetime64[ns]")
    ends = rows["period_end"].to_numpy(dtype="datetime64[ns]")
    known = ~np.isnat(starts)
    _, first = np.unique(starts[known], return_index=True)
    starts, ends = starts[known][first], ends[known][first]
    counted = ~np.isnat(ends)
    days = (ends[counted] - starts[counted]) // np.timedelta64(1, "D") + 1
    return float(days.sum())


# -- years and like for like ------------------------------------------------------------------


def _same_months_hidden(data: UnitRows, same: pd.DataFrame) -> bool:
    """The same months of the year before are a cell of the cube too (hierarchy.SAME_MONTHS)."""
    if data.cube is None or data.scope is None:
        return False
    anchor = pd.Timestamp(same["period_start"].max())
    return bool(data.cube.is_hidden(data.scope, hierarchy.SAME_MONTHS, anchor))


def year_table(data: UnitRows, today: dt.date | None = None) -> pd.DataFrame:
    """One row per calendar year; a year in progress is marked and compared like for like.

    Columns: year, label ('2026, delvis år (jan.–okt.)'), value, numerator, denominator,
    incomplete, partial, previous_same (the same months of the year before, on the same
    scale), previous_text, change (value − previous_same). A year short of members
    (judged_series' ``short``: some units that report before it have no row in part of it) is
    labelled so and not compared: the same months of the year before hold every unit; nor is a
    year whose own row was delivered before it ended (its months are not known).
    """
    series = judged_series(data, "year", today)
    rows = data.rows
    out = []
    for _, row in series.iterrows():
        entry = {
            "year": row["period_start"].year,
            "label": str(row["period_start"].year) + (f", {row['partial_text']}" if row["partial"] else ""),
            "value": row["value"],
            "numerator": row["numerator"],
            "denominator": row["denominator"],
            "incomplete": bool(row["incomplete"]),
            "partial": bool(row["partial"]),
            "hidden": bool(row["hidden"]),
            "previous_same": np.nan,
            "previous_text": "",
            "change": np.nan,
        }
        # Like for like only where the months the year holds are known: a yearly row delivered
        # before the year ended covers «jan.–des.» on paper, but not in fact.
        if (
            row["partial"]
            and not row["short"]
            and pd.notna(row["last_end"])
            and pd.Timestamp(row["last_end"]) < pd.Timestamp(row["period_end"])
        ):
            covered = pd.Timestamp(row["last_end"])
            year = covered.year - 1
            same = rows[
                (rows["period_start"].dt.year == year)
                & (rows["period_end"] <= covered - pd.DateOffset(years=1))
            ]
            if not same.empty and not _same_months_hidden(data, same):
                previous = aggregate_row(same, data.indicator, data.totals)
                span = (
                    MONTHS_SHORT[0]
                    if covered.month == 1
                    else f"{MONTHS_SHORT[0]}–{MONTHS_SHORT[covered.month - 1]}"
                )
                entry["previous_same"] = previous["value"]
                entry["previous_text"] = f"{span} {year}"
                entry["change"] = row["value"] - previous["value"]
        out.append(entry)
    return pd.DataFrame(out)
