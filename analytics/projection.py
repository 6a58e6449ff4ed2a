"""Will the current pace reach the target by the deadline?

A straight line (ordinary least squares) is fitted to the last ``window`` points that
have a value, with time measured in days so that uneven spacing is handled. The line
is extended to the deadline with an 80 % prediction interval from the t-distribution
(n − 2 degrees of freedom). For a rollout toward N member municipalities the caller
passes ``target=N``.

Rules:
* Fewer than 4 points with a value (or fewer than 4 distinct dates): no projection,
  ``reaches_target`` None.
* ``reaches_target`` compares the trend line at the deadline with the target
  (>= for "increase", <= for "decrease"). The status does not rest on the line alone:
  analytics.evaluate.projection_band reads the 80 % interval (all of it reaches the
  target: «På sporet»; it straddles the target: «Usikker»).
* ``expected_date`` is the day the trend line crosses the target while moving in
  the right direction; None if it is flat, moving away or would take more than
  100 years. The date may lie in the past when the line is already beyond target.
* direction "neutral": there is no good or bad side, so nothing is judged.
* A point the line is fitted on that is hidden (a protected small count): the caller sets
  ``rests_on_hidden``; the reason is then shown without the crossing month
  (``Projection.shown_reason``) and no line, projection or interval is drawn or printed
  (``hidden_fit_note`` says why). The fit itself, and so the status, uses every point.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal
from scipy import stats

from analytics import protection

MIN_POINTS = 4
LEVEL = 0.80
# Beyond this a crossing date is meaningless for planning (and may overflow date).
MAX_YEARS_AHEAD = 100


@dataclass(frozen=True)
class Projection:
    """Trend projection to a deadline; values are None when it cannot be made."""

    projected: float | None
    lower: float | None
    upper: float | None
    reaches_target: bool | None
    expected_date: dt.date | None
    reason: str
    method: str
    n_points: int
    slope_per_year: float | None
    # The reason without the figures computed from the data (the crossing month); None: the
    # reason holds none. Set by project_to_deadline.
    words: str | None = None
    # A point the line was fitted on is hidden (a protected small count): set by the caller,
    # which knows the series (analytics.evaluate._project).
    rests_on_hidden: bool = False

    @property
    def shown_reason(self) -> str:
        """The reason as shown: without the crossing month when a fitted point is hidden
        (protection.figures_or_words; slope, intercept and the shown points give a hidden
        point back)."""
        return protection.figures_or_words(self.reason, self.words or self.reason, self.rests_on_hidden)


def project_to_deadline(
    periods: Sequence[dt.date],
    values: Sequence[float | None],
    deadline: dt.date,
    target: float,
    direction: str,
    window: int = 12,
) -> Projection:
    """Project a linear trend over the last ``window`` known points to ``deadline``."""
    if len(periods) != len(values):
        raise ValueError("periods og values må ha like mange elementer.")
    if direction not in ("increase", "decrease", "neutral"):
        raise ValueError(f"direction må være 'increase', 'decrease' eller 'neutral', ikke {direction!r}.")
    if window < 2:
        raise ValueError("window må være minst 2.")
    deadline = _as_date(deadline)

    pairs = sorted(
        (_as_date(p), float(v))
        for p, v in zip(periods, values, strict=True)
        if v is not None and not pd.isna(v)
    )
    pairs = pairs[-window:]
    n = len(pairs)
    method = (
        f"Lineær trend (minste kvadraters metode) over de {n} siste punktene med "
        f"verdi (vindu på {window}), forlenget til fristen med 80 % "
        f"prediksjonsintervall (t-fordeling)."
    )
    target_text = _number(target)
    deadline_text = _day(deadline)

    if n < MIN_POINTS or len({p for p, _ in pairs}) < MIN_POINTS:
        return Projection(
            projected=None,
            lower=None,
            upper=None,
            reaches_target=None,
            expected_date=None,
            reason=(f"For få datapunkter ({n}) til å framskrive; minst {MIN_POINTS} trengs."),
            method=method,
            n_points=n,
            slope_per_year=None,
        )

    origin = pairs[0][0]
    x = np.array([(p - origin).days for p, _ in pairs], dtype=float)
    y = np.array([v for _, v in pairs], dtype=float)
    x_mean = x.mean()
    sxx = float(np.sum((x - x_mean) ** 2))
    slope = float(np.sum((x - x_mean) * (y - y.mean())) / sxx)
    intercept = float(y.mean() - slope * x_mean)

    x0 = float((deadline - origin).days)
    projected = intercept + slope * x0
    resid = y - (intercept + slope * x)
    s = math.sqrt(float(np.sum(resid**2)) / (n - 2))
    se_pred = s * math.sqrt(1 + 1 / n + (x0 - x_mean) ** 2 / sxx)
    t = float(stats.t.ppf(0.5 + LEVEL / 2, n - 2))
    lower, upper = projected - t * se_pred, projected + t * se_pred

    common = {
        "projected": projected,
        "lower": lower,
        "upper": upper,
        "method": method,
        "n_points": n,
        "slope_per_year": slope * 365.25,
    }

    if direction == "neutral":
        return Projection(
            reaches_target=None,
            expected_date=None,
            reason=("Indikatoren har ingen ønsket retning, så framskrivingen vurderes ikke mot målet."),
            **common,
        )

    sign = 1.0 if direction == "increase" else -1.0
    toward = sign * slope > 0
    last_seen = pairs[-1][0]

    expected: dt.date | None = None
    if toward:
        days = (target - intercept) / slope
        if days - x[-1] <= MAX_YEARS_AHEAD * 365.25:
            expected = origin + dt.timedelta(days=math.ceil(days - 1e-9))
        # Judge by the crossing day so that flag and sentence always agree.
        reaches = expected is not None and expected <= deadline
    else:
        # Flat or moving away: met only if the line is already on the right side.
        reaches = bool(sign * (projected - target) >= 0)

    words = None
    if expected is not None:
        when = _month(expected)
        if expected > deadline and expected <= last_seen:
            # The deadline has passed and the line crossed only afterwards.
            reason = f"Trendlinjen nådde {target_text} i {when}, etter fristen {deadline_text}."
            words = f"Trendlinjen nådde {target_text} etter fristen {deadline_text}."
        elif expected > deadline:
            reason = f"I dagens tempo nås {target_text} i {when}, etter fristen {deadline_text}."
            words = f"I dagens tempo nås {target_text} etter fristen {deadline_text}."
        elif expected <= last_seen:
            reason = f"Trendlinjen har allerede nådd {target_text} (i {when}) og går i riktig retning."
            words = f"Trendlinjen har allerede nådd {target_text} og går i riktig retning."
        else:
            reason = f"I dagens tempo nås {target_text} i {when}, innen fristen {deadline_text}."
            words = f"I dagens tempo nås {target_text} innen fristen {deadline_text}."
    elif reaches and slope == 0:
        reason = f"Trenden er flat og ligger på eller forbi målet {target_text}."
    elif reaches:
        reason = (
            f"Trendlinjen ligger på eller forbi målet {target_text} ved fristen "
            f"{deadline_text}, men utviklingen går ikke i riktig retning."
        )
    else:
        reason = f"Målet {target_text} nås ikke i dagens tempo innen fristen {deadline_text}."

    return Projection(reaches_target=reaches, expected_date=expected, reason=reason, words=words, **common)


def hidden_fit_note(hidden: int, fitted: int) -> str:
    """Why a trend line is not drawn: ``hidden`` of the ``fitted`` points it rests on are hidden.

    A straight line through n points, one of them hidden, gives the hidden one back from its
    slope, intercept and the shown points; so the line, its projection and interval are left
    out (protection.figures_or_words), the status still uses every figure."""
    return (
        f"{hidden} av {fitted} punkter trendlinjen bygger på er skjult for å verne små tall, så "
        "trendlinjen, framskrivingen og intervallet vises ikke: de kunne gitt de skjulte tallene "
        "tilbake. Statusen bygger på alle tallene."
    )


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def _month(d: dt.date) -> str:
    return format_date(d, "MMMM yyyy", locale="nb")


def _day(d: dt.date) -> str:
    return format_date(d, "dd.MM.yyyy", locale="nb")


def _number(x: float) -> str:
    return format_decimal(x, locale="nb")
