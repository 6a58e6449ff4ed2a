"""Enough data, or say so: can a series show the change a criterion asks for?

Before a trend or target verdict the board asks whether the numbers could show the change
at all. The rule (deterministic, analytical, no simulation at run time):

* The question: would a change of ``change`` (relative, default 20 %, the plan's
  ``detect_change``; for a share with a target: from the baseline level to the target)
  in the improving direction be found by a two-sided test at α = 0,05 comparing the
  baseline with a 12-month window, with power of at least 80 %?
* Counts (events, with or without a population): the normal approximation to the log
  of the ratio of two Poisson rates, se = √(1/E₀ + 1/E₁), with E₀ the baseline's events
  and E₁ = E₀/n₀ · (1 ± change) · n₁ the events the window would have after the change
  (Breslow & Day 1987, *Statistical Methods in Cancer Research* vol. II, ch. 7; the same
  approximation as Rothman, Greenland & Lash, *Modern Epidemiology*). Exposure (person-
  years) is about the same in both, so events decide.
* Shares: the two-proportion normal approximation with the baseline's and the window's
  denominators, p₁ = p₀ · (1 ± change) kept inside 1 … 99 % (Fleiss, Levin & Paik 2003,
  *Statistical Methods for Rates and Proportions*, ch. 4).
* Power = Φ(|effect| / se − z₀,₉₇₅). Below ``POWER`` (0,80) the status is «For lite data».
* A suppressed cell (1–4 events) counts as 2,5, the middle of what it may hold.
* Stocks (e.g. municipalities taking part) and scores are not samples of events: the
  rule does not apply (``None``).

The reason says what would be needed: how many events per period (or per 12 months),
how long a window would do, or to judge the region or the partnership instead of the
municipality. The simulation behind the issue (24 months at a steady Poisson mean, then
12 months 21 % lower) showed the newest SPC point flagging improvement only 3–8 % of the
time at 1–9 events a month: the same events-per-period scale this rule uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from analytics import formatting, protection
from analytics.periods import periods_per_year

ALPHA = 0.05
POWER = 0.80
WINDOW_MONTHS = 12
SUPPRESSED_GUESS = 2.5  # a hidden cell holds 1–4 events: the middle
Z = float(stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(POWER))
METHOD = (
    "Nok data: styrke (power) minst 80 % til å påvise endringen kriteriet spør etter (standard 20 %) "
    "mellom grunnlinjen og 12 måneder, tosidig test med α = 0,05; antall: normaltilnærming til "
    "log-rateforholdet (Breslow & Day 1987), andeler: to andeler (Fleiss, Levin & Paik 2003)."
)
MAX_YEARS_AFTER = 10  # a longer wait than this is not offered as a way to enough data
UNIT_WORDS = {
    "month": ("måned", "måneder"),
    "quarter": ("kvartal", "kvartaler"),
    "tertial": ("tertial", "tertialer"),
    "year": ("år", "år"),
}


@dataclass(frozen=True)
class PowerCheck:
    """Whether a series can show a change of ``change`` (relative) in the improving direction.

    power: 0 … 1; per_period: events (count) or denominator (share) per baseline period;
    needed_per_period: what would give ``POWER`` with the same windows; window_periods:
    how many periods after the baseline would give it at today's level (None: no length
    would, the baseline itself is too small); reason: Norwegian, for the status line.
    """

    enough: bool
    power: float
    per_period: float
    needed_per_period: float | None
    window_periods: int | None
    change: float
    reason: str


def _phi(x: float) -> float:
    return float(stats.norm.cdf(x))


def count_power(events_per_period: float, baseline_periods: int, window_periods: int, change: float) -> float:
    """Power to find a relative change in a Poisson rate (log rate ratio, normal approximation).

    events_per_period: the baseline's mean; baseline_periods, window_periods: how many
    periods each side has; change: relative, signed (−0,2 for a 20 % fall).
    """
    if events_per_period <= 0 or baseline_periods <= 0 or window_periods <= 0:
        return 0.0
    e0 = events_per_period * baseline_periods
    e1 = events_per_period * (1 + change) * window_periods
    if e1 <= 0:
        return 0.0
    se = math.sqrt(1 / e0 + 1 / e1)
    return _phi(abs(math.log1p(change)) / se - stats.norm.ppf(1 - ALPHA / 2))


def share_power(p0: float, p1: float, n0: float, n1: float) -> float:
    """Power to tell p1 from p0 with n0 and n1 in the denominators (two proportions)."""
    if n0 <= 0 or n1 <= 0 or p0 == p1:
        return 0.0
    se = math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
    if se == 0:
        return 1.0
    return _phi(abs(p1 - p0) / se - stats.norm.ppf(1 - ALPHA / 2))


def _needed_events(baseline_periods: int, window_periods: int, change: float) -> float:
    """Events per period that give POWER with these windows (solve the count formula)."""
    effect = math.log1p(change) ** 2
    return (1 / baseline_periods + 1 / ((1 + change) * window_periods)) * Z**2 / effect


def _needed_window(events_per_period: float, baseline_periods: int, change: float) -> int | None:
    """Periods after the baseline that give POWER at this level; None if none would."""
    room = math.log1p(change) ** 2 / Z**2 - 1 / (events_per_period * baseline_periods)
    if room <= 0:
        return None
    return math.ceil(1 / (events_per_period * (1 + change) * room))


def _power_words(power: float, hide_level: bool) -> str:
    """«23 %», or where the level it is computed from is hidden only which side of 80 % it is
    on (protection.statistic_text's rule: the words stay, the number goes)."""
    if hide_level:
        return f"{'minst' if power >= POWER else 'under'} {formatting.number(POWER * 100, 0)} %"
    return f"{formatting.number(power * 100, 0)} %"


def check_counts(
    baseline_events: float,
    baseline_periods: int,
    grain: str,
    change: float,
    single_unit: bool = False,
    hide_level: bool = False,
) -> PowerCheck:
    """The rule for counts. baseline_events: the baseline's total (hidden cells as 2,5).

    change: relative and signed in the improving direction (−0,2: a 20 % fall is wanted).
    ``hide_level``: the baseline figure is hidden (shown «:» or «færre enn 5»; decided by the
    caller, series.figure_hidden). Then the reason names neither the events per period nor
    what is computed from them (the power, the longer window), since with the baseline's
    length they give the level back; it says «under 80 %» / «minst 80 %» and the events a
    period would need (which rest on the windows' lengths and the change alone).
    """
    per_year = periods_per_year(grain)
    window = max(1, WINDOW_MONTHS * per_year // 12)
    per_period = baseline_events / baseline_periods if baseline_periods else 0.0
    power = count_power(per_period, baseline_periods, window, change)
    needed = _needed_events(baseline_periods, window, change) if baseline_periods else None
    longer = _needed_window(per_period, baseline_periods, change) if per_period > 0 else None
    one, many = UNIT_WORDS[grain]
    word = "nedgang" if change < 0 else "økning"
    enough = power >= POWER
    level = (
        "grunnlinjen"
        if hide_level
        else f"ca. {formatting.number(per_period, 1)} hendelser per {one} i grunnlinjen"
    )
    head = (
        f"{level} gir {_power_words(power, hide_level)} styrke til å påvise "
        f"{formatting.number(abs(change) * 100, 0)} % {word}"
    )
    if enough:
        return PowerCheck(True, power, per_period, needed, longer, change, head)
    ways = []
    if needed is not None:
        ways.append(f"minst ca. {formatting.number(math.ceil(needed))} per {one}")
    if not hide_level and longer is not None and window < longer <= MAX_YEARS_AFTER * per_year:
        years = formatting.number(longer / per_year, 1)
        ways.append(f"en periode etter grunnlinjen på {longer} {many} ({years} år)")
    # Longer than MAX_YEARS_AFTER is no way for a plan period («1996 måneder (166,3 år)»): not offered.
    ways.append(
        "regionen eller helsefellesskapet samlet i stedet for kommunen"
        if single_unit
        else "en lengre grunnlinje"
    )
    reason = f"{head}; 80 % krever {', eller '.join(ways)}"
    return PowerCheck(False, power, per_period, needed, longer, change, reason)


def check_share(
    p0: float,
    baseline_denominator: float,
    window_denominator: float,
    change: float,
    target: float | None = None,
    single_unit: bool = False,
    protected: tuple[bool, bool] = (False, False),
) -> PowerCheck:
    """The rule for shares (p0 and target as fractions 0 … 1; denominators as counts).

    With a target the change asked for is from p0 to the target; else p0 · (1 + change).
    ``protected``: (the baseline level rests on a small count of persons, the window's
    denominator is one; analytics.protection.small_parts, decided by the caller): then the
    reason names neither p0 (nor p1 derived from it, the power, or the denominator needed,
    which with the shown denominators give p0 back) nor the denominator, only «færre enn 5».
    """
    p1 = target if target is not None and abs(target - p0) > 1e-9 else p0 * (1 + change)
    p1 = min(max(p1, 0.01), 0.99)
    power = share_power(p0, p1, baseline_denominator, window_denominator)
    hide_level, hide_window = protected
    shown = f"{formatting.number(p0 * 100, 0)} % til {formatting.number(p1 * 100, 0)} %"
    if hide_level:
        shown = "grunnlinjens nivå fra " + (
            f"målet {formatting.number(p1 * 100, 0)} %"
            if target is not None
            else "den endringen planen ber om"
        )
    denominator = protection.fewer_than() if hide_window else formatting.number(window_denominator)
    head = f"nevneren {denominator} på 12 måneder gir {_power_words(power, hide_level or hide_window)} styrke til å skille {shown}"
    if power >= POWER:
        return PowerCheck(True, power, window_denominator, None, None, p1 / p0 - 1 if p0 else change, head)
    # Denominator per 12 months that would do, with the baseline twice as long (24 months).
    spread = p0 * (1 - p0) / 2 + p1 * (1 - p1)
    needed = math.ceil(spread * Z**2 / (p1 - p0) ** 2) if p1 != p0 else None
    ways = (
        [f"minst ca. {formatting.number(needed)} i nevneren per 12 måneder"]
        if needed and not hide_level
        else []
    )
    ways.append(
        "regionen eller helsefellesskapet samlet i stedet for kommunen"
        if single_unit
        else "en lengre periode"
    )
    reason = f"{head}; 80 % krever {', eller '.join(ways)}"
    return PowerCheck(False, power, window_denominator, needed, None, p1 / p0 - 1 if p0 else change, reason)


def share_interval(x: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper–Pearson) interval for x of n, as fractions."""
    a = (1 - level) / 2
    low = 0.0 if x == 0 else float(stats.beta.ppf(a, x, n - x + 1))
    high = 1.0 if x == n else float(stats.beta.ppf(1 - a, x + 1, n - x))
    return low, high


def poisson_interval(x: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood 1936) interval for a Poisson count x, in events."""
    a = (1 - level) / 2
    k = int(round(x))
    low = 0.0 if k == 0 else float(stats.chi2.ppf(a, 2 * k) / 2)
    high = float(stats.chi2.ppf(1 - a, 2 * k + 2) / 2)
    return low, high
