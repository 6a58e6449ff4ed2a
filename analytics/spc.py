"""XmR (individuals) charts as in NHS England's "Making Data Count".

The rules follow the reference R package NHSRplotthedots (ptd_spc_standard,
ptd_calculate_point_type, ptd_calculate_assurance_type, geom_ptd_icon), so that a
chart here shows the same dots as the NHS tools for the same numbers:

* Limits: mean ± 2.66 × mean moving range (MR). Outlier screening is on by default,
  as ``screen_outliers = TRUE`` is the R package's default (ptd_spc): moving ranges
  that are not below 3.267 × their mean are left out before the mean MR is taken
  again (``mr < 3.267 * amr`` is kept).
* ``baseline=N`` (alias ``fix_after_n_points``, the R package's name): mean and
  limits come from the first N non-missing points of each phase and are held for
  the rest of that phase (the rules still run over every point). At least 12, as
  ptd_spc_options demands.
* ``breaks`` (the R package's ``rebase``): positions where a new phase starts with
  its own mean and limits, computed from that phase alone; the rules run within
  each phase (ptd_spc_standard and ptd_calculate_point_type group by
  ``rebase_group``). A break is a known change date from the plan, never found
  automatically.
* Special cause, in this order of precedence (one label per point):
  1. a point above the upper or below the lower limit (strictly outside);
  2. a trend: ``run_length`` points each strictly higher (or lower) than the one
     before; a tie breaks the trend. All of them (and any longer continuation)
     are flagged;
  3. two of three points in a row beyond the near limit (mean ± 2/3 of the
     distance to the process limit), all three on the same side of the mean. The
     points beyond the near limit are flagged, not the third one. Whether a point
     beyond the process limit counts here depends on the rule set (below);
  4. a run: ``run_length`` points in a row on the same side of the mean; a point
     exactly on the mean breaks the run. All of them are flagged.
* The variation icon is taken from the last non-missing point; the assurance icon
  compares the target with the process limits of the last phase (as the R
  package's summary gives assurance for the last rebase group only).

Rule sets (``rules``; the board's default is ``config.SPC_RULES``, env
``BOARD_SPC_RULES``, "mdc2023"):

* ``"mdc2023"``: the Making Data Count tools since November 2023: in "two of three"
  every point beyond the near (2σ) limit counts, also one beyond the process
  (3σ) limit (announced by the MDC team in NHSRplotthedots issue #194); runs and
  trends of 7.
* ``"mdc2023_6"``: as mdc2023 with runs and trends of 6, the option the MDC Excel
  tool offers (NHSRplotthedots issue #202).
* ``"ptd2022"``: NHSRplotthedots 0.2 as coded (ptd_spc_standard:
  ``close_to_limits = !outside_limits & ...``): only points between 2σ and 3σ
  count in "two of three"; runs and trends of 7.

Choices where this module differs from or adds to the R package:

* Missing values (None/NaN, e.g. suppressed small counts) are skipped, never read
  as zero. The rules run on the remaining points as if they were consecutive, so a
  moving range bridges the gap. Each input value still gets one output row, in
  order; a missing row has value NaN, point_type ``"missing"``, and carries the
  mean and limits of its phase so that lines in a chart are not broken.
* A phase with fewer than 12 non-missing points gets no limits at all (NaN) and
  every point in it is common_cause; ``enough_points`` is False when the last
  phase is that short, with a Norwegian message. (The R package still draws
  "trial limits" and only warns.)
* If every moving range is zero (a flat series) outlier screening is skipped;
  the R package would otherwise end with undefined limits.
* Assurance uses ``target <= lpl`` as a pass for "increase" (the R package uses a
  strict ``<``); see :func:`_assurance`.
* Assurance is withheld (None, with ``assurance_note``) when the newest point is a
  special cause that undermines it: the limits then describe the process before the
  change, and whether a process can meet a target (its capability) can only be read
  from the limits of a predictable process (Wheeler and Chambers, Understanding
  Statistical Process Control: "is the process predictable?" before "is it capable?";
  NHS England, Making Data Count: the limits are recalculated once a sustained change
  is established). A
  change that can only strengthen the answer keeps it: a pass with special cause
  improvement (the better process clears the target still more), a fail with special
  cause concern. The R package gives the assurance of the last rebase group whatever
  its newest point shows; see :func:`_valid_assurance`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analytics import config

Improvement = Literal["increase", "decrease", "neutral"]

MIN_POINTS = 12
LIMIT = 2.66
# Near-limit band ("2 sigma"): 2/3 of the distance from the mean to the limit.
NEAR_LIMIT = 2 * (LIMIT / 3)
SCREEN_FACTOR = 3.267
RUN_LENGTH = 7


@dataclass(frozen=True)
class RuleSet:
    """A Making Data Count rule version: run/trend length and the 2-of-3 rule."""

    name: str
    run_length: int
    two_of_three_counts_outside: bool
    label: str  # Norwegian, for method texts


RULE_SETS = {
    "mdc2023": RuleSet(
        "mdc2023",
        7,
        True,
        "Making Data Count fra november 2023 (7 punkter; «to av tre» teller også punkter utenfor grensene)",
    ),
    "mdc2023_6": RuleSet(
        "mdc2023_6",
        6,
        True,
        "Making Data Count fra november 2023 med 6 punkter for trend og serie",
    ),
    "ptd2022": RuleSet(
        "ptd2022",
        7,
        False,
        "NHSRplotthedots 0.2 (7 punkter; «to av tre» bare mellom 2σ og 3σ)",
    ),
}

POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
    "missing",
)
VARIATION_TYPES = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_TYPES = ("consistent_pass", "consistent_fail", "inconsistent")


@dataclass(frozen=True)
class Phase:
    """One stretch of an XmR chart with its own mean and limits.

    start, stop: input positions (stop exclusive) of the phase.
    points: non-missing points in the phase; limit_points: how many of them the
    mean and limits were computed from (the baseline); mean/lpl/upl are NaN when
    the phase has fewer than 12 points. For a u chart, whose limits vary with the
    exposure, lpl/upl are those at the phase's last point (the points frame has
    them per point).
    """

    start: int
    stop: int
    points: int
    limit_points: int
    mean: float
    lpl: float
    upl: float


@dataclass(frozen=True)
class SpcResult:
    """An XmR chart.

    points: one row per input value, in input order, with columns
        value, mean, lpl, upl, point_type. Mean and limits are those of the
        point's phase. Missing input gives value NaN and point_type "missing".
    variation: icon for the last non-missing point (None if there is none).
    assurance: consistent_pass / consistent_fail / inconsistent, or None when there
        is no target, the direction is neutral or there are no limits.
    enough_points: the last phase has at least 12 non-missing points, so its limits
        were computed.
    message: Norwegian explanation when something is held back, else None.
    phases: one Phase per stretch between breaks (one when there are no breaks).
    rules: name of the rule set used (a key of RULE_SETS).
    assurance_note: Norwegian, why the assurance is withheld although there are limits
        and a target (the newest point is a special cause that undermines it,
        ``_valid_assurance``), else None.
    """

    points: pd.DataFrame
    variation: str | None
    assurance: str | None
    enough_points: bool
    message: str | None
    phases: tuple[Phase, ...] = ()
    rules: str = "mdc2023"
    assurance_note: str | None = None


def rule_set(rules: str | None = None) -> RuleSet:
    """The RuleSet called ``rules`` (default: config.SPC_RULES); ValueError if unknown."""
    name = config.SPC_RULES if rules is None else rules
    if name not in RULE_SETS:
        raise ValueError(f"Ukjent regelsett for SPC «{name}»; gyldige er {', '.join(RULE_SETS)}.")
    return RULE_SETS[name]


def break_positions(periods: Sequence[dt.date], change_dates: Sequence[dt.date]) -> list[int]:
    """Positions for ``breaks``: the first period starting on or after each change date.

    periods: period start dates in order; change_dates: known changes from the plan
    (e.g. a measure's start). A change inside a period starts the new phase with
    the next whole period, so no period mixes the old and the new process. Changes
    before the second period or after the last are left out (there is nothing to
    split). NHSRplotthedots' ptd_rebase instead needs the exact date of a period.
    """
    starts = [pd.Timestamp(p) for p in periods]
    out: list[int] = []
    for change in sorted(pd.Timestamp(c) for c in change_dates):
        pos = next((i for i, start in enumerate(starts) if start >= change), None)
        if pos is not None and 0 < pos and pos not in out:
            out.append(pos)
    return out


def xmr(
    values: Sequence[float | None],
    improvement: Improvement = "increase",
    target: float | None = None,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    *,
    baseline: int | None = None,
    breaks: Sequence[int] = (),
    rules: str | None = None,
) -> SpcResult:
    """Compute an XmR chart with Making Data Count point types and icons.

    values: the series in time order (None/NaN = missing). improvement: which
    direction is better. target: for the assurance icon. screen_outliers: leave out
    moving ranges ≥ 3.267 × mean MR (R default: on). baseline (or its R name
    fix_after_n_points): limits from the first N ≥ 12 non-missing points of each
    phase. breaks: input positions (0 < b < len(values), increasing) where a new
    phase starts (a known change, e.g. a measure's start date from the plan).
    rules: rule set name (see RULE_SETS), default config.SPC_RULES.
    Raises ValueError (Norwegian) for a bad direction, baseline, break or rule set.
    Source: NHSRplotthedots (ptd_spc, ptd_spc_standard, ptd_rebase,
    ptd_calculate_point_type); module docstring lists where it differs.
    """

    def limits(y: np.ndarray, _e: np.ndarray, base: int) -> _Limits:
        mean, amr = _centre_and_mean_moving_range(y[:base], screen_outliers)
        return _Limits(mean, mean, LIMIT * amr, NEAR_LIMIT * amr)

    fixed = _fixed(baseline, fix_after_n_points)
    raw = _to_float_array(values)
    return _chart(raw, np.ones(len(raw)), improvement, target, fixed, breaks, rules, limits)


def u_chart(
    counts: Sequence[float | None],
    exposure: Sequence[float | None],
    improvement: Improvement = "decrease",
    target: float | None = None,
    *,
    baseline: int | None = None,
    breaks: Sequence[int] = (),
    rules: str | None = None,
) -> SpcResult:
    """u chart (Poisson limits) for counts with an exposure, e.g. events per person-year.

    counts: events per period (None/NaN = missing or suppressed); exposure: the
    denominator per period (person-years, persons), > 0. Values charted are
    rates cᵢ/nᵢ; centre ū = Σc/Σn over the phase's baseline points; limits
    ū ± 3√(ū/nᵢ) (near limits ± 2√(ū/nᵢ)), the lower cut at 0, so they vary
    with the exposure. The Making Data Count rules (``rules``) run on the rates.
    Used where an XmR chart's moving range is dominated by Poisson noise (few
    events). Source: Montgomery, Introduction to Statistical Quality Control,
    u chart; NHS England, Making Data Count, "Strengthening your decisions"
    (choosing a chart). Raises ValueError for negative counts or exposure ≤ 0.
    """
    c = _to_float_array(counts)
    e = _to_float_array(exposure)
    if len(c) != len(e):
        raise ValueError("counts og exposure må ha like mange elementer.")
    if np.any(c[~np.isnan(c)] < 0):
        raise ValueError("Antall hendelser kan ikke være negativt.")
    known = ~np.isnan(c) & ~np.isnan(e)
    if np.any(e[known] <= 0):
        raise ValueError("Eksponeringen (nevneren) må være større enn null.")
    rate = np.where(known, c / np.where(known, e, 1.0), math.nan)

    def limits(y: np.ndarray, n: np.ndarray, base: int) -> _Limits:
        u_bar = float(np.sum(y[:base] * n[:base]) / np.sum(n[:base]))
        sigma = np.sqrt(u_bar / n)
        return _Limits(u_bar, u_bar, 3 * sigma, 2 * sigma)

    exposure_filled = np.where(known, e, 1.0)
    return _chart(
        rate,
        exposure_filled,
        improvement,
        target,
        _fixed(baseline, None),
        breaks,
        rules,
        limits,
        lower_bound=0.0,
    )


def g_chart(
    between: Sequence[float | None],
    improvement: Improvement = "increase",
    *,
    baseline: int | None = None,
    breaks: Sequence[int] = (),
    rules: str | None = None,
) -> SpcResult:
    """g chart for very rare events: the number of cases (or opportunities) between events.

    between: one value per event, in event order, ≥ 0. Longer gaps are better for
    an adverse event, hence improvement "increase" by default. Centre ḡ = mean
    over the baseline; limits ḡ ± 3√(ḡ(ḡ + 1)) (the geometric distribution's
    standard deviation), the lower cut at 0; near limits at 2σ. The run rule
    counts sides of the median, as the geometric distribution is skewed
    (qicharts2 draws the median as the g chart's centre line).
    Source: Benneyan 2001, "Number-between g-type statistical quality control
    charts for monitoring adverse events", Health Care Manag Sci 4:305–318; NHS
    England, Making Data Count, rare events. Raises ValueError for negative values.
    """
    g = _to_float_array(between)
    if np.any(g[~np.isnan(g)] < 0):
        raise ValueError("Antall mellom hendelser kan ikke være negativt.")

    def limits(y: np.ndarray, _e: np.ndarray, base: int) -> _Limits:
        g_bar = float(np.mean(y[:base]))
        sigma = math.sqrt(g_bar * (g_bar + 1))
        return _Limits(g_bar, float(np.median(y[:base])), 3 * sigma, 2 * sigma)

    return _chart(g, np.ones(len(g)), improvement, None, _fixed(baseline, None), breaks, rules, limits, 0.0)


def t_chart(
    days_between: Sequence[float | None],
    improvement: Improvement = "increase",
    *,
    baseline: int | None = None,
    breaks: Sequence[int] = (),
    rules: str | None = None,
) -> SpcResult:
    """t chart for very rare events: time between events (days), one value per event, > 0.

    The times are transformed by y = t^(1/3.6), which makes exponential times
    nearly normal (Nelson 1994, J Qual Technol 26:239), charted as an XmR chart
    (screened moving ranges, the same rules), and the mean and limits are
    transformed back (the lower limit cut at 0) for the points frame; value keeps
    the days. Source: Montgomery, Introduction to Statistical Quality Control
    (t chart); NHS England, Making Data Count, rare events; qicharts2 "t" chart.
    Raises ValueError for values ≤ 0.
    """
    t = _to_float_array(days_between)
    if np.any(t[~np.isnan(t)] <= 0):
        raise ValueError("Tid mellom hendelser må være større enn null.")
    result = xmr(t ** (1 / 3.6), improvement, baseline=baseline, breaks=breaks, rules=rules)
    points = result.points.copy()
    points["value"] = t
    for col in ("mean", "lpl", "upl"):
        points[col] = np.clip(points[col], 0.0, None) ** 3.6
    phases = tuple(
        Phase(
            p.start, p.stop, p.points, p.limit_points, *(max(v, 0.0) ** 3.6 for v in (p.mean, p.lpl, p.upl))
        )
        for p in result.phases
    )
    return SpcResult(
        points, result.variation, None, result.enough_points, result.message, phases, result.rules
    )


@dataclass(frozen=True)
class _Limits:
    """Centre line, centre for the run rule, and half-widths (scalars or per point)."""

    mean: float
    side_centre: float
    half: float | np.ndarray
    near_half: float | np.ndarray


def _fixed(baseline: int | None, fix_after_n_points: int | None) -> int | None:
    if baseline is not None and fix_after_n_points is not None and baseline != fix_after_n_points:
        raise ValueError("Oppgi enten baseline eller fix_after_n_points, ikke to ulike verdier.")
    fixed = baseline if baseline is not None else fix_after_n_points
    if fixed is not None and (isinstance(fixed, bool) or int(fixed) < MIN_POINTS):
        # Same rule as ptd_spc_options: limits from fewer points are not stable.
        raise ValueError(f"baseline (fix_after_n_points) må være minst {MIN_POINTS}.")
    return None if fixed is None else int(fixed)


def _chart(
    raw: np.ndarray,
    exposure: np.ndarray,
    improvement: Improvement,
    target: float | None,
    fixed: int | None,
    breaks: Sequence[int],
    rules: str | None,
    limits: Callable[[np.ndarray, np.ndarray, int], _Limits],
    lower_bound: float = -math.inf,
) -> SpcResult:
    """The phase engine shared by every chart: limits per phase, rules per phase, icons."""
    if improvement not in ("increase", "decrease", "neutral"):
        raise ValueError(f"improvement må være 'increase', 'decrease' eller 'neutral', ikke {improvement!r}.")
    ruleset = rule_set(rules)
    types = np.full(len(raw), "missing", dtype=object)
    means, lpls, upls = (np.full(len(raw), math.nan) for _ in range(3))
    phases: list[Phase] = []
    for start, stop in _phase_bounds(breaks, len(raw)):
        part = raw[start:stop]
        present = ~np.isnan(part)
        y, e = part[present], exposure[start:stop][present]
        positions = np.arange(start, stop)[present]
        n = len(y)
        if n < MIN_POINTS:
            types[positions] = "common_cause"
            phases.append(Phase(start, stop, n, 0, math.nan, math.nan, math.nan))
            continue
        base = n if fixed is None else min(fixed, n)
        lim = limits(y, e, base)
        lpl = np.maximum(lim.mean - lim.half + np.zeros(n), lower_bound)
        upl = lim.mean + lim.half + np.zeros(n)
        direction = _special_cause_direction(
            y, lim.side_centre, lpl, upl, lim.mean - lim.near_half, lim.mean + lim.near_half, ruleset
        )
        types[positions] = _point_types(direction, improvement)
        means[start:stop] = lim.mean
        # Missing rows carry the limits at the phase's last known exposure (constant for XmR).
        lpls[start:stop], upls[start:stop] = lpl[-1], upl[-1]
        lpls[positions], upls[positions] = lpl, upl
        phases.append(Phase(start, stop, n, base, lim.mean, float(lpl[-1]), float(upl[-1])))

    frame = pd.DataFrame(
        {"value": raw, "mean": means, "lpl": lpls, "upl": upls, "point_type": types.tolist()}
    )
    present = ~np.isnan(raw)
    n = int(present.sum())
    last = phases[-1]
    common = {"points": frame, "phases": tuple(phases), "rules": ruleset.name}
    if n == 0:
        return SpcResult(
            variation=None, assurance=None, enough_points=False, message="Ingen datapunkter å vise.", **common
        )
    variation = _variation(str(types[present][-1]), improvement)
    if last.points < MIN_POINTS:
        if len(phases) == 1:
            message = f"For få datapunkter ({n}) til å beregne kontrollgrenser; minst {MIN_POINTS} trengs."
        else:
            message = (
                f"For få datapunkter etter endringen ({last.points}) til å beregne nye kontrollgrenser; "
                f"minst {MIN_POINTS} trengs."
            )
        return SpcResult(variation=variation, assurance=None, enough_points=False, message=message, **common)
    assurance, note = _valid_assurance(_assurance(target, improvement, last.lpl, last.upl), variation)
    return SpcResult(
        variation=variation,
        assurance=assurance,
        enough_points=True,
        message=None,
        assurance_note=note,
        **common,
    )


def _phase_bounds(breaks: Sequence[int], length: int) -> list[tuple[int, int]]:
    cuts = [int(b) for b in breaks]
    for b in cuts:
        if not 0 < b < length:
            raise ValueError(f"Bruddpunktet {b} er utenfor serien (1–{max(length - 1, 1)}).")
    if any(b >= c for b, c in zip(cuts, cuts[1:], strict=False)):
        raise ValueError("Bruddpunktene må stå i stigende rekkefølge uten gjentakelser.")
    edges = [0, *cuts, length]
    return [(a, b) for a, b in zip(edges, edges[1:], strict=False) if b > a] or [(0, 0)]


def _to_float_array(values: Sequence[float | None]) -> np.ndarray:
    out = np.empty(len(values), dtype=float)
    for i, v in enumerate(values):
        # pd.isna covers None, NaN, pd.NA and NaT alike.
        if v is None or pd.isna(v):
            out[i] = math.nan
        else:
            out[i] = float(v)
            if math.isinf(out[i]):
                raise ValueError(f"Verdi nr. {i + 1} er uendelig.")
    return out


def _centre_and_mean_moving_range(baseline: np.ndarray, screen_outliers: bool) -> tuple[float, float]:
    mean = float(np.mean(baseline))
    mr = np.abs(np.diff(baseline))
    amr = float(np.mean(mr))
    if screen_outliers and amr > 0:
        kept = mr[mr < SCREEN_FACTOR * amr]
        amr = float(np.mean(kept))
    return mean, amr


def _special_cause_direction(
    y: np.ndarray,
    mean: float,
    lpl: float | np.ndarray,
    upl: float | np.ndarray,
    nlpl: float | np.ndarray,
    nupl: float | np.ndarray,
    ruleset: RuleSet | None = None,
) -> np.ndarray:
    """+1 (high/increasing), -1 (low/decreasing) or 0 for each point.

    Mirrors ptd_special_cause_type: outside limits beats a trend, a trend beats
    two-of-three, and two-of-three beats a run on one side.
    """
    ruleset = ruleset or RULE_SETS["mdc2023"]
    length = ruleset.run_length
    n = len(y)
    side = np.sign(y - mean).astype(int)
    outside = (y > upl) | (y < lpl)
    close = (y < nlpl) | (y > nupl)
    if not ruleset.two_of_three_counts_outside:
        close = close & ~outside

    trend_end = _trend_ends(y, length)
    in_trend = _spread_back(trend_end != 0, length)
    two_of_three = _two_in_three(close, side) & close
    run_end = np.zeros(n, dtype=bool)
    for i in range(length - 1, n):
        window = side[i - length + 1 : i + 1]
        run_end[i] = window[0] != 0 and bool(np.all(window == window[0]))
    in_run = _spread_back(run_end, length)

    # Direction of a trend point: the step to the right if the next point is also
    # in a trend, else the step from the left (as in the R package).
    steps = np.sign(np.diff(y)).astype(int)
    right = np.append(steps, steps[-1] if n > 1 else 0)
    left = np.insert(steps, 0, 0)
    next_in_trend = np.append(in_trend[1:], False)
    trend_dir = np.where(next_in_trend & in_trend, right, left)
    trend_dir = np.where(trend_dir == 1, 1, -1)

    out = np.zeros(n, dtype=int)
    for i in range(n):
        if outside[i]:
            out[i] = 1 if side[i] == 1 else -1
        elif in_trend[i]:
            out[i] = trend_dir[i]
        elif two_of_three[i] or in_run[i]:
            out[i] = 1 if side[i] > 0 else -1
    return out


def _trend_ends(y: np.ndarray, length: int = RUN_LENGTH) -> np.ndarray:
    """+1/-1 at a point that ends ``length`` strictly rising/falling points, else 0."""
    n = len(y)
    out = np.zeros(n, dtype=int)
    for i in range(length - 1, n):
        d = np.sign(np.diff(y[i - length + 1 : i + 1]))
        if np.all(d == 1):
            out[i] = 1
        elif np.all(d == -1):
            out[i] = -1
    return out


def _spread_back(ends: np.ndarray, length: int = RUN_LENGTH) -> np.ndarray:
    """Mark the whole window of ``length`` that ends at each flagged point."""
    n = len(ends)
    out = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(ends):
        out[max(0, i - length + 1) : i + 1] = True
    return out


def _two_in_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """True for points in any window of 3 with >= 2 near-limit points on one side."""
    n = len(close)
    out = np.zeros(n, dtype=bool)
    for start in range(n - 2):
        c = close[start : start + 3]
        s = side[start : start + 3]
        if c.sum() >= 2 and abs(int(s.sum())) == 3:
            out[start : start + 3] = True
    return out


def _point_types(direction: np.ndarray, improvement: Improvement) -> list[str]:
    if improvement == "neutral":
        names = {
            1: "special_cause_neutral_high",
            -1: "special_cause_neutral_low",
            0: "common_cause",
        }
        return [names[int(d)] for d in direction]
    sign = 1 if improvement == "increase" else -1
    names = {
        1: "special_cause_improvement",
        -1: "special_cause_concern",
        0: "common_cause",
    }
    return [names[int(d) * sign] for d in direction]


def _variation(point_type: str, improvement: Improvement) -> str:
    # Same mapping as ptd_get_icons in geom_ptd_icon.R.
    high = improvement == "increase"
    return {
        "common_cause": "common_cause",
        "special_cause_neutral_high": "neutral_high",
        "special_cause_neutral_low": "neutral_low",
        "special_cause_improvement": "improvement_high" if high else "improvement_low",
        "special_cause_concern": "concern_low" if high else "concern_high",
    }[point_type]


# The newest point's variation that leaves an assurance standing: the change can only
# strengthen it (a better process still passes, a worse one still fails).
_KEPT_UNDER_CHANGE = {
    "consistent_pass": ("improvement_high", "improvement_low"),
    "consistent_fail": ("concern_high", "concern_low"),
}
ASSURANCE_WITHHELD = (
    "SPC: prosessen har endret seg siden grensene ble beregnet (siste punkt er spesiell årsak); "
    "grensene sier ikke om dagens prosess når målet"
)


def _valid_assurance(assurance: str | None, variation: str | None) -> tuple[str | None, str | None]:
    """The assurance, or None and ``ASSURANCE_WITHHELD`` when the newest point is a special
    cause (variation other than common_cause) that undermines it: the limits describe the
    process before the change, and capability is read from a predictable process only
    (Wheeler and Chambers, Understanding Statistical Process Control; NHS England, Making
    Data Count). A pass with special
    cause improvement and a fail with special cause concern are kept (``_KEPT_UNDER_CHANGE``);
    an "inconsistent" (target within the limits) is withheld under any special cause."""
    if assurance is None or variation in (None, "common_cause"):
        return assurance, None
    if variation in _KEPT_UNDER_CHANGE.get(assurance, ()):
        return assurance, None
    return None, ASSURANCE_WITHHELD


def _assurance(target: float | None, improvement: Improvement, lpl: float, upl: float) -> str | None:
    """Can the process be relied on to meet the target?

    increase: target <= lpl -> consistent_pass, target > upl -> consistent_fail;
    decrease: target >= upl -> consistent_pass, target < lpl -> consistent_fail;
    otherwise inconsistent. A target exactly on a limit counts as met because
    every value the process produces is then on the right side of it.
    """
    if target is None or improvement == "neutral" or math.isnan(float(target)):
        return None
    if math.isnan(lpl) or math.isnan(upl):
        return None
    t = float(target)
    if improvement == "increase":
        if t <= lpl:
            return "consistent_pass"
        if t > upl:
            return "consistent_fail"
    else:
        if t >= upl:
            return "consistent_pass"
        if t < lpl:
            return "consistent_fail"
    return "inconsistent"
