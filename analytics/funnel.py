"""Funnel plots for comparing units (municipalities) on a rate or a share.

Method (Spiegelhalter 2005, "Funnel plots for comparing institutional performance",
Stat Med 24:1185, and "Handling over-dispersion of performance indicators",
Qual Saf Health Care 14:347):

* Target θ₀ = pooled rate = Σ numerators / Σ denominators (never a mean of rates).
* ``kind="poisson"``: counts over a population (rate per person; multiply by 1000
  for display). ``kind="binomial"``: a share, numerator ≤ denominator.
* Limits are exact: the p-quantile of Poisson(θ₀·n) or Binomial(n, θ₀) from scipy,
  with Spiegelhalter's interpolation between integer counts (appendix A.1.1 of the
  Stat Med paper) so the curves are smooth; lower limits are cut at 0 and shares
  at 1. Two-sided 95 % (p = 0.025/0.975) and 99.8 % (p = 0.001/0.999).
* z-scores are (rateᵢ − θ₀)/sᵢ with the null standard error sᵢ = √(θ₀/nᵢ) (Poisson)
  or √(θ₀(1 − θ₀)/nᵢ) (binomial), without transformation.
* Over-dispersion: the z-scores are winsorised (the lowest and highest ``winsor``
  share are pulled in to those percentiles) and φ̂ = (1/I) Σ z². Limits are widened
  only when φ̂ > 1:
  - multiplicative: the distance from θ₀ to each exact limit is multiplied by √φ̂;
  - additive (random effects, DerSimonian–Laird as in the paper):
    τ̂² = (Iφ̂ − (I − 1)) / (Σwᵢ − Σwᵢ²/Σwᵢ), wᵢ = 1/sᵢ², and the distance is
    multiplied by √(1 + τ̂²/s(n)²).
  For a normal limit θ₀ ± z·s these are exactly θ₀ ± z·√φ̂·s and θ₀ ± z·√(s² + τ̂²),
  the paper's formulas; scaling the exact limit keeps their skewness for small n.
* A unit's flag compares its rate with the limits at its own denominator (strictly
  outside counts). Units with a missing (suppressed) numerator or a missing or
  non-positive denominator are left out of θ₀ and φ̂ and get the flag
  "mangler data".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

Kind = Literal["poisson", "binomial"]
Overdispersion = Literal["multiplicative", "additive"] | None

# Two-sided limits: name -> (lower p, upper p).
LEVELS = {"95": (0.025, 0.975), "998": (0.001, 0.999)}
GRID_POINTS = 200

FLAG_INSIDE = "innenfor"
FLAG_OVER_95 = "over 95 %"
FLAG_OVER_998 = "over 99,8 %"
FLAG_UNDER_95 = "under 95 %"
FLAG_UNDER_998 = "under 99,8 %"
FLAG_MISSING = "mangler data"
LIMIT_COLUMNS = ["lower_95", "upper_95", "lower_998", "upper_998"]


@dataclass(frozen=True)
class FunnelResult:
    """Funnel limits and per-unit flags.

    target: pooled rate θ₀.
    units: one row per input unit (index kept from a pandas Series input) with
        numerator, denominator, rate, z, lower_95, upper_95, lower_998, upper_998,
        flag.
    limits: limit curves over a denominator grid (columns denominator and the four
        limit columns), for drawing the funnel.
    phi: winsorised dispersion estimate φ̂ (NaN if it cannot be estimated).
    tau2: between-unit variance τ̂² (0.0 unless the additive adjustment is used).
    adjusted: the adjustment actually applied, or None.
    method: Norwegian description of how the limits were made.
    """

    target: float
    kind: str
    units: pd.DataFrame
    limits: pd.DataFrame
    phi: float
    tau2: float
    adjusted: str | None
    method: str


def funnel_limits(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    kind: Kind = "poisson",
    overdispersion: Overdispersion = "multiplicative",
    winsor: float = 0.1,
) -> FunnelResult:
    """Pooled target, z-scores, over-dispersion and 95 %/99.8 % funnel limits."""
    if kind not in ("poisson", "binomial"):
        raise ValueError(f"kind må være 'poisson' eller 'binomial', ikke {kind!r}.")
    if overdispersion not in ("multiplicative", "additive", None):
        raise ValueError(
            f"overdispersion må være 'multiplicative', 'additive' eller None, ikke {overdispersion!r}."
        )
    if not 0 <= winsor < 0.5:
        raise ValueError("winsor må være minst 0 og under 0,5.")
    if len(numerators) != len(denominators):
        raise ValueError("numerators og denominators må ha like mange elementer.")

    index = numerators.index if isinstance(numerators, pd.Series) else None
    num = pd.to_numeric(pd.Series(list(numerators), dtype=object)).to_numpy(float)
    den = pd.to_numeric(pd.Series(list(denominators), dtype=object)).to_numpy(float)
    used = ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    if np.any(num[used] < 0):
        raise ValueError("Tellere kan ikke være negative.")
    if kind == "binomial" and np.any(num[used] > den[used]):
        raise ValueError("For andeler kan telleren ikke være større enn nevneren.")
    if not used.any():
        raise ValueError("Ingen enheter har både teller og nevner.")

    target = float(num[used].sum() / den[used].sum())
    rate = np.where(used, num / np.where(den > 0, den, np.nan), np.nan)
    degenerate = target == 0 or (kind == "binomial" and target == 1)

    z = np.full(len(num), math.nan)
    phi = math.nan
    tau2 = 0.0
    adjusted: str | None = None
    if not degenerate:
        z[used] = (rate[used] - target) / _null_se(target, den[used], kind)
        phi = _phi(z[used], winsor)
        if overdispersion is not None and phi > 1:
            adjusted = overdispersion
            if overdispersion == "additive":
                tau2 = _tau2(phi, _null_se(target, den[used], kind))

    def limits_at(n: np.ndarray) -> dict[str, np.ndarray]:
        return _limits(n, target, kind, adjusted, phi, tau2, degenerate)

    unit_limits = limits_at(np.where(used, den, 1.0))
    units = pd.DataFrame(
        {
            "numerator": num,
            "denominator": den,
            "rate": rate,
            "z": z,
            **{c: np.where(used, unit_limits[c], math.nan) for c in LIMIT_COLUMNS},
        },
        index=index,
    )
    units["flag"] = [
        _flag(r, row) if ok else FLAG_MISSING
        for r, row, ok in zip(rate, units[LIMIT_COLUMNS].to_dict("records"), used, strict=True)
    ]

    grid = _grid(den[used], kind)
    curve = pd.DataFrame({"denominator": grid, **limits_at(grid)})

    return FunnelResult(
        target=target,
        kind=kind,
        units=units,
        limits=curve,
        phi=phi,
        tau2=tau2,
        adjusted=adjusted,
        method=_method_text(kind, adjusted, phi, tau2, winsor),
    )


def _null_se(target: float, n: np.ndarray, kind: Kind) -> np.ndarray:
    var = target if kind == "poisson" else target * (1 - target)
    return np.sqrt(var / n)


def _phi(z: np.ndarray, winsor: float) -> float:
    if len(z) == 0:
        return math.nan
    if winsor > 0:
        # numpy's default "linear" quantile is R's type 7, as in FunnelPlotR.
        lo, hi = np.quantile(z, [winsor, 1 - winsor])
        z = np.clip(z, lo, hi)
    return float(np.mean(z**2))


def _tau2(phi: float, se: np.ndarray) -> float:
    i = len(se)
    w = 1 / se**2
    denom = float(w.sum() - (w**2).sum() / w.sum())
    if i * phi <= i - 1 or denom <= 0:
        return 0.0
    return max(0.0, (i * phi - (i - 1)) / denom)


def _exact_limit(p: float, n: np.ndarray, target: float, kind: Kind) -> np.ndarray:
    """Interpolated exact p-quantile of the rate (Spiegelhalter 2005, A.1.1)."""
    if kind == "poisson":
        dist = stats.poisson(target * n)
    else:
        n = np.maximum(np.round(n), 1)
        dist = stats.binom(n, target)
    r = dist.ppf(p)
    f_r = dist.cdf(r)
    alpha = (f_r - p) / (f_r - dist.cdf(r - 1))
    return (r - alpha) / n


def _limits(
    n: np.ndarray,
    target: float,
    kind: Kind,
    adjusted: str | None,
    phi: float,
    tau2: float,
    degenerate: bool,
) -> dict[str, np.ndarray]:
    n = np.asarray(n, dtype=float)
    if degenerate:
        return {c: np.full(len(n), target) for c in LIMIT_COLUMNS}
    if adjusted == "multiplicative":
        factor = np.full(len(n), math.sqrt(phi))
    elif adjusted == "additive":
        factor = np.sqrt(1 + tau2 / _null_se(target, n, kind) ** 2)
    else:
        factor = np.ones(len(n))
    upper_cap = 1.0 if kind == "binomial" else math.inf
    out: dict[str, np.ndarray] = {}
    for name, (p_low, p_high) in LEVELS.items():
        for col, p in ((f"lower_{name}", p_low), (f"upper_{name}", p_high)):
            exact = _exact_limit(p, n, target, kind)
            out[col] = np.clip(target + factor * (exact - target), 0.0, upper_cap)
    return out


def _flag(rate: float, limits: dict[str, float]) -> str:
    if rate > limits["upper_998"]:
        return FLAG_OVER_998
    if rate > limits["upper_95"]:
        return FLAG_OVER_95
    if rate < limits["lower_998"]:
        return FLAG_UNDER_998
    if rate < limits["lower_95"]:
        return FLAG_UNDER_95
    return FLAG_INSIDE


def _grid(den: np.ndarray, kind: Kind) -> np.ndarray:
    low = max(float(den.min()) / 2, 1.0)
    high = float(den.max()) * 1.1
    grid = np.geomspace(low, high, GRID_POINTS)
    # Include each unit's own denominator so the curve passes exactly by its dot.
    grid = np.concatenate([grid, den])
    if kind == "binomial":
        grid = np.round(grid)
    return np.unique(grid)


def _method_text(kind: Kind, adjusted: str | None, phi: float, tau2: float, winsor: float) -> str:
    base = (
        "Eksakte grenser fra "
        + ("Poisson-fordelingen" if kind == "poisson" else "binomialfordelingen")
        + " rundt samlet rate (sum tellere / sum nevnere), 95 % og 99,8 %."
    )
    phi_text = "ikke beregnet" if math.isnan(phi) else f"{phi:.2f}".replace(".", ",")
    share = f"{winsor * 100:.0f} %"
    if adjusted == "multiplicative":
        extra = (
            f" Justert for overspredning (multiplikativt): φ = {phi_text} "
            f"(winsorisert {share} i hver ende), grensene er utvidet med √φ."
        )
    elif adjusted == "additive":
        extra = (
            f" Justert for overspredning (additivt, tilfeldige effekter): "
            f"φ = {phi_text}, τ² = {_comma(tau2)}."
        )
    else:
        extra = f" Ikke justert for overspredning (φ = {phi_text})."
    return base + extra


def _comma(x: float) -> str:
    return f"{x:.3g}".replace(".", ",")
