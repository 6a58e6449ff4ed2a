"""Simulated detection power and false-signal rate of the board's control charts (`make bench`).

The case of issue 13: a monthly count with a steady Poisson mean for 24 months, then
12 months 21 % lower. For each event level (0.3, 1, 3, 9, 30 a month) and chart:

* power: how often the newest point, and any point in the last 12 months, shows
  special cause improvement after the fall;
* false signals: with no change at all, how often the newest point, and any point
  in the last 12 months, shows special cause of either kind.

Charts: XmR with limits from all 36 points (what a chart without a baseline does),
XmR with a 24-month baseline, u chart (Poisson limits, constant exposure) with the
same baseline, and t chart (days between events, baseline = the events of the first
24 months; only for the rare levels, where it is meant to be used). The rule set is
config.SPC_RULES. Run: ``python -m analytics.bench_stats [simulations]``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analytics import spc

LEVELS = (0.3, 1.0, 3.0, 9.0, 30.0)
BASELINE_MONTHS = 24
AFTER_MONTHS = 12
FALL = 0.21
DAYS_PER_MONTH = 365.25 / 12
T_CHART_MAX_LEVEL = 9.0
SIMULATIONS = 400


@dataclass(frozen=True)
class Rates:
    """Shares of simulations (0–1) for one chart at one level; None where not applicable."""

    chart: str
    level: float
    power_newest: float | None
    power_any: float | None
    false_newest: float | None
    false_any: float | None


def _monthly(rng: np.random.Generator, level: float, fall: float) -> np.ndarray:
    months = BASELINE_MONTHS + AFTER_MONTHS
    means = np.full(months, level)
    means[BASELINE_MONTHS:] *= 1 - fall
    return rng.poisson(means).astype(float)


def _signals(types: list[str], in_last: np.ndarray, wanted: set[str]) -> tuple[bool, bool]:
    hits = np.array([t in wanted for t in types])
    newest = bool(hits[-1]) if len(hits) else False
    return newest, bool((hits & in_last).any())


def _count_chart(name: str) -> Callable[[np.ndarray], list[str]]:
    def run(counts: np.ndarray) -> list[str]:
        if name == "xmr":
            result = spc.xmr(counts, improvement="decrease")
        elif name == "xmr_baseline":
            result = spc.xmr(counts, improvement="decrease", baseline=BASELINE_MONTHS)
        else:
            result = spc.u_chart(
                counts, np.ones(len(counts)), improvement="decrease", baseline=BASELINE_MONTHS
            )
        return result.points["point_type"].tolist()

    return run


def _events(rng: np.random.Generator, level: float, fall: float) -> np.ndarray:
    """Event times in days over 36 months (a Poisson process, rate lower after month 24)."""
    cut = BASELINE_MONTHS * DAYS_PER_MONTH
    end = (BASELINE_MONTHS + AFTER_MONTHS) * DAYS_PER_MONTH
    first = np.cumsum(rng.exponential(DAYS_PER_MONTH / level, int(level * BASELINE_MONTHS * 3) + 30))
    first = first[first < cut]
    after_rate = level * (1 - fall)
    second = cut + np.cumsum(rng.exponential(DAYS_PER_MONTH / after_rate, int(level * AFTER_MONTHS * 3) + 30))
    return np.concatenate([first, second[second < end]])


def _t_chart_signals(times: np.ndarray, wanted: set[str]) -> tuple[bool, bool]:
    cut = BASELINE_MONTHS * DAYS_PER_MONTH
    gaps = np.diff(np.concatenate([[0.0], times]))
    base = int((times < cut).sum())
    if base < spc.MIN_POINTS or len(gaps) == base:
        return False, False
    result = spc.t_chart(gaps, improvement="increase", baseline=base)
    return _signals(result.points["point_type"].tolist(), times >= cut, wanted)


def simulate(simulations: int = SIMULATIONS, seed: int = 2026) -> list[Rates]:
    """Power and false-signal rates per chart and level (see the module docstring)."""
    rng = np.random.default_rng(seed)
    improvement = {"special_cause_improvement"}
    special = {"special_cause_improvement", "special_cause_concern"}
    last = np.arange(BASELINE_MONTHS + AFTER_MONTHS) >= BASELINE_MONTHS
    out: list[Rates] = []
    for level in LEVELS:
        for name in ("xmr", "xmr_baseline", "u"):
            run = _count_chart(name)
            power = np.array(
                [_signals(run(_monthly(rng, level, FALL)), last, improvement) for _ in range(simulations)]
            )
            false = np.array(
                [_signals(run(_monthly(rng, level, 0.0)), last, special) for _ in range(simulations)]
            )
            out.append(Rates(name, level, *power.mean(axis=0), *false.mean(axis=0)))
        if level <= T_CHART_MAX_LEVEL:
            power = np.array(
                [_t_chart_signals(_events(rng, level, FALL), improvement) for _ in range(simulations)]
            )
            false = np.array(
                [_t_chart_signals(_events(rng, level, 0.0), special) for _ in range(simulations)]
            )
            out.append(Rates("t", level, *power.mean(axis=0), *false.mean(axis=0)))
        else:
            out.append(Rates("t", level, None, None, None, None))
    return out


def report(rows: list[Rates], simulations: int) -> str:
    """A plain-text table of the rates, in per cent."""

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.0f} %"

    lines = [
        f"SPC power and false signals, {simulations} simulations per cell, rule set {spc.rule_set().name}",
        f"{BASELINE_MONTHS} months at a Poisson mean, then {AFTER_MONTHS} months {FALL:.0%} lower",
        f"{'mean/month':>10} {'chart':<13} {'power newest':>13} {'power any 12':>13} "
        f"{'false newest':>13} {'false any 12':>13}",
    ]
    for r in rows:
        lines.append(
            f"{r.level:>10g} {r.chart:<13} {pct(r.power_newest):>13} {pct(r.power_any):>13} "
            f"{pct(r.false_newest):>13} {pct(r.false_any):>13}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    simulations = int(args[0]) if args else SIMULATIONS
    print(report(simulate(simulations), simulations))


if __name__ == "__main__":
    main()
