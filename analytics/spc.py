"""XmR (individuals) charts as in NHS England's "Making Data Count".

The rules follow the reference R package NHSRplotthedots (ptd_spc_standard,
ptd_calculate_point_type, ptd_calculate_assurance_type, geom_ptd_icon), so that a
chart here shows the same dots as the NHS tools for the same numbers:

* Limits: mean ± 2.66 × mean moving range (MR). With ``screen_outliers`` the moving
  ranges that are not below 3.267 × their mean are left out before the mean MR is
  taken again (as in the R package: ``mr < 3.267 * amr`` is kept).
* ``fix_after_n_points=N``: mean and limits come from the first N non-missing points
  and are held for the rest of the series (the rules still run over every point).
* Special cause, in this order of precedence (one label per point):
  1. a point above the upper or below the lower limit (strictly outside);
  2. a trend: 7 points each strictly higher (or lower) than the one before; a tie
     breaks the trend. All 7 points (and any longer continuation) are flagged;
  3. two of three points in a row beyond the near limit (mean ± 2/3 of the distance
     to the process limit) but still inside the limits, all three on the same side
     of the mean. The points in the band are flagged (both, not only the last); the
     third point of the window is not, since it is not near a limit;
  4. a run: 7 points in a row on the same side of the mean; a point exactly on the
     mean breaks the run. All 7 (and longer continuations) are flagged.
* The variation icon is taken from the last non-missing point; the assurance icon
  compares the target with the process limits.

Choices where this module differs from or adds to the R package:

* Missing values (None/NaN, e.g. suppressed small counts) are skipped, never read
  as zero. The rules run on the remaining points as if they were consecutive, so a
  moving range bridges the gap. Each input value still gets one output row, in
  order; a missing row has value NaN, point_type ``"missing"``, and carries the
  (constant) mean and limits so that lines in a chart are not broken.
* Fewer than 12 non-missing points: no limits at all (NaN), every point
  common_cause, ``enough_points`` False and a Norwegian message. (The R package
  still draws "trial limits" and only warns.)
* If every moving range is zero (a flat series) outlier screening is skipped;
  the R package would otherwise end with undefined limits.
* Assurance uses ``target <= lpl`` as a pass for "increase" (the R package uses a
  strict ``<``); see :func:`_assurance`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Improvement = Literal["increase", "decrease", "neutral"]

MIN_POINTS = 12
LIMIT = 2.66
# Near-limit band ("2 sigma"): 2/3 of the distance from the mean to the limit.
NEAR_LIMIT = 2 * (LIMIT / 3)
SCREEN_FACTOR = 3.267
RUN_LENGTH = 7

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
class SpcResult:
    """An XmR chart.

    points: one row per input value, in input order, with columns
        value, mean, lpl, upl, point_type. Missing input gives value NaN and
        point_type "missing".
    variation: icon for the last non-missing point (None if there is none).
    assurance: consistent_pass / consistent_fail / inconsistent, or None when there
        is no target, the direction is neutral or there are no limits.
    enough_points: at least 12 non-missing points, so limits were computed.
    message: Norwegian explanation when something is held back, else None.
    """

    points: pd.DataFrame
    variation: str | None
    assurance: str | None
    enough_points: bool
    message: str | None


def xmr(
    values: Sequence[float | None],
    improvement: Improvement = "increase",
    target: float | None = None,
    screen_outliers: bool = False,
    fix_after_n_points: int | None = None,
) -> SpcResult:
    """Compute an XmR chart with Making Data Count point types and icons."""
    if improvement not in ("increase", "decrease", "neutral"):
        raise ValueError(f"improvement må være 'increase', 'decrease' eller 'neutral', ikke {improvement!r}.")
    if fix_after_n_points is not None and (
        isinstance(fix_after_n_points, bool) or int(fix_after_n_points) < MIN_POINTS
    ):
        # Same rule as ptd_spc_options: limits from fewer points are not stable.
        raise ValueError(f"fix_after_n_points må være minst {MIN_POINTS}.")

    raw = _to_float_array(values)
    present = ~np.isnan(raw)
    y = raw[present]
    n = len(y)

    types = np.full(len(raw), "missing", dtype=object)
    mean = lpl = upl = math.nan

    if n == 0:
        return SpcResult(
            points=_frame(raw, mean, lpl, upl, types),
            variation=None,
            assurance=None,
            enough_points=False,
            message="Ingen datapunkter å vise.",
        )

    if n < MIN_POINTS:
        types[present] = "common_cause"
        return SpcResult(
            points=_frame(raw, mean, lpl, upl, types),
            variation="common_cause",
            assurance=None,
            enough_points=False,
            message=(f"For få datapunkter ({n}) til å beregne kontrollgrenser; minst {MIN_POINTS} trengs."),
        )

    baseline = y if fix_after_n_points is None else y[: int(fix_after_n_points)]
    mean, amr = _centre_and_mean_moving_range(baseline, screen_outliers)
    lpl = mean - LIMIT * amr
    upl = mean + LIMIT * amr
    nlpl = mean - NEAR_LIMIT * amr
    nupl = mean + NEAR_LIMIT * amr

    direction = _special_cause_direction(y, mean, lpl, upl, nlpl, nupl)
    types[present] = _point_types(direction, improvement)

    return SpcResult(
        points=_frame(raw, mean, lpl, upl, types),
        variation=_variation(str(types[present][-1]), improvement),
        assurance=_assurance(target, improvement, lpl, upl),
        enough_points=True,
        message=None,
    )


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


def _frame(raw: np.ndarray, mean: float, lpl: float, upl: float, types: np.ndarray) -> pd.DataFrame:
    n = len(raw)
    return pd.DataFrame(
        {
            "value": raw,
            "mean": np.full(n, mean),
            "lpl": np.full(n, lpl),
            "upl": np.full(n, upl),
            "point_type": types.tolist(),
        }
    )


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
    lpl: float,
    upl: float,
    nlpl: float,
    nupl: float,
) -> np.ndarray:
    """+1 (high/increasing), -1 (low/decreasing) or 0 for each point.

    Mirrors ptd_special_cause_type: outside limits beats a trend, a trend beats
    two-of-three, and two-of-three beats a run of 7 on one side.
    """
    n = len(y)
    side = np.sign(y - mean).astype(int)
    outside = (y > upl) | (y < lpl)
    close = ~outside & ((y < nlpl) | (y > nupl))

    trend_end = _trend_ends(y)
    in_trend = _spread_back(trend_end != 0)
    two_of_three = _two_in_three(close, side) & close
    run_end = np.zeros(n, dtype=bool)
    for i in range(RUN_LENGTH - 1, n):
        window = side[i - RUN_LENGTH + 1 : i + 1]
        run_end[i] = window[0] != 0 and bool(np.all(window == window[0]))
    in_run = _spread_back(run_end)

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


def _trend_ends(y: np.ndarray) -> np.ndarray:
    """+1/-1 at a point that ends 7 strictly rising/falling points, else 0."""
    n = len(y)
    out = np.zeros(n, dtype=int)
    for i in range(RUN_LENGTH - 1, n):
        d = np.sign(np.diff(y[i - RUN_LENGTH + 1 : i + 1]))
        if np.all(d == 1):
            out[i] = 1
        elif np.all(d == -1):
            out[i] = -1
    return out


def _spread_back(ends: np.ndarray) -> np.ndarray:
    """Mark the whole window of 7 that ends at each flagged point."""
    n = len(ends)
    out = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(ends):
        out[max(0, i - RUN_LENGTH + 1) : i + 1] = True
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
