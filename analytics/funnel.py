"""Funnel plots for comparing units (municipalities) on a rate or a share.

Method (Spiegelhalter 2005, "Funnel plots for comparing institutional performance",
Stat Med 24:1185, and "Handling over-dispersion of performance indicators",
Qual Saf Health Care 14:347; the over-dispersion steps as in the R package
chrismainey/FunnelPlotR, od_adjustment.R and od_limits.R):

* Target θ₀ = pooled rate = Σ numerators / Σ denominators (never a mean of rates).
* ``kind="poisson"``: counts over a population (rate per person; multiply by 1000
  for display). ``kind="binomial"``: a share, numerator ≤ denominator.
* Flags come from exact tail probabilities, not from the drawn limits: with
  X ~ Poisson(θ₀·nᵢ) or Binomial(nᵢ, θ₀), p_above = P(X ≥ Oᵢ) and
  p_below = P(X ≤ Oᵢ). "over 99,8 %" when p_above < 0.001, "over 95 %" when
  p_above < 0.025 (and the same below). So 1 of 1 at a pooled 70 % (p_above = 0.70)
  is never flagged, however the interpolated curve runs at n = 1.
* The drawn limits are exact quantiles of the same distributions with
  Spiegelhalter's interpolation between integer counts (appendix A.1.1 of the
  Stat Med paper) so the curves are smooth; lower limits are cut at 0 and shares
  at 1. Two-sided 95 % (p = 0.025/0.975) and 99.8 % (p = 0.001/0.999). They are
  for drawing only.
* z-scores are on a variance-stabilising scale, as in the QSHC paper and
  FunnelPlotR: yᵢ = arcsin √rateᵢ for shares (FunnelPlotR "PR"), yᵢ = √rateᵢ for
  rates (FunnelPlotR "SR" with sr_method "CQC"), sᵢ = 1/(2√nᵢ), zᵢ = (yᵢ − y₀)/sᵢ.
* Over-dispersion is tested, not assumed: the z-scores are winsorised (the lowest
  and highest ``winsor`` share, default 10 %, pulled in to those percentiles),
  φ̂ = (1/I) Σ z², and I·φ̂ is compared with χ² on I − 1 degrees of freedom (the
  QSHC paper's test). Only when that test rejects at 5 % (``od_alpha``) are the
  limits widened; φ̂ > 1 alone is not enough. Then, on the transformed scale:
  - additive (random effects, the default; DerSimonian–Laird as in the paper and
    FunnelPlotR tau_func): τ̂² = (Iφ̂ − (I − 1)) / (Σwᵢ − Σwᵢ²/Σwᵢ), wᵢ = 1/sᵢ²;
    limits y₀ ± z·√(s(n)² + τ̂²), transformed back;
  - multiplicative: y₀ ± z·√φ̂·s(n), transformed back.
  An adjusted unit is flagged only when its exact tail probability and its
  adjusted z, (yᵢ − y₀)/√(sᵢ² + τ̂²) (or /(√φ̂·sᵢ)), both pass the level; the
  exact check keeps the smallest units from being flagged on one or two cases.
* A unit whose denominator is below ``small_denominator`` (default 20) is flagged
  only at the 99.8 % level (exact tail probability below 0.001). This is the
  board's own rule, not the references': across many small municipalities a 95 %
  flag on a handful of cases is mostly chance (issue 13 asks for it).
* Units with a missing (suppressed) numerator or a missing or non-positive
  denominator are left out of θ₀ and φ̂ and get the flag "mangler data".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from analytics import protection

Kind = Literal["poisson", "binomial"]
Overdispersion = Literal["multiplicative", "additive"] | None

# Two-sided limits: name -> (lower p, upper p).
LEVELS = {"95": (0.025, 0.975), "998": (0.001, 0.999)}
GRID_POINTS = 200
OD_ALPHA = 0.05

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
        numerator, denominator, rate, z (transformed scale, unadjusted),
        lower_95, upper_95, lower_998, upper_998 (drawn limits at the unit's
        denominator), p_above = P(X ≥ O), p_below = P(X ≤ O) (exact), flag.
    limits: limit curves over a denominator grid (columns denominator and the four
        limit columns), for drawing the funnel.
    phi: winsorised dispersion estimate φ̂ (NaN if it cannot be estimated).
    od_p: p-value of the over-dispersion test (I·φ̂ against χ² with I − 1 df;
        NaN if not computed).
    tau2: between-unit variance τ̂² on the transformed scale (0.0 unless the
        additive adjustment is used).
    adjusted: the adjustment actually applied, or None.
    method: Norwegian description of how the limits were made, including
        whether over-dispersion was tested and found.
    """

    target: float
    kind: str
    units: pd.DataFrame
    limits: pd.DataFrame
    phi: float
    tau2: float
    adjusted: str | None
    method: str
    od_p: float = math.nan


def funnel_limits(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    kind: Kind = "poisson",
    overdispersion: Overdispersion = "additive",
    winsor: float = 0.1,
    od_alpha: float = OD_ALPHA,
    small_denominator: float = 20,
    hidden: Sequence[bool] | None = None,
) -> FunnelResult:
    """Pooled target, exact flags, tested over-dispersion and 95 %/99.8 % funnel limits.

    ``hidden``: per unit, whether its figure is shown hidden («:», «<5»). Where any is, the
    method text says what the over-dispersion test found but prints neither φ, its p nor τ²:
    φ is a sum of every unit's squared z, and with the shown units' z it gives a hidden one's
    back (protection.statistic_text's rule).

    numerators, denominators: one value per unit (counts; person-years or
    persons). kind: "poisson" (rate per person) or "binomial" (share).
    overdispersion: "additive" (default), "multiplicative" or None (never adjust);
    an adjustment is made only when the χ² test rejects at ``od_alpha``.
    winsor: share winsorised at each end before φ̂. small_denominator: units with a
    smaller denominator are flagged only at 99.8 %. Raises ValueError (Norwegian)
    for bad input. Sources: Spiegelhalter 2005 (Stat Med; QSHC), FunnelPlotR.
    """
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
    phi = od_p = math.nan
    tau2 = 0.0
    adjusted: str | None = None
    if not degenerate:
        z[used] = (_transform(rate[used], kind) - _transform(target, kind)) / _trans_se(den[used])
        phi = _phi(z[used], winsor)
        od_p = _od_test(phi, int(used.sum()))
        if overdispersion is not None and od_p < od_alpha:
            adjusted = overdispersion
            if overdispersion == "additive":
                tau2 = _tau2(phi, _trans_se(den[used]))

    def limits_at(n: np.ndarray) -> dict[str, np.ndarray]:
        return _limits(n, target, kind, adjusted, phi, tau2, degenerate)

    unit_limits = limits_at(np.where(used, den, 1.0))
    p_above, p_below = _tails(num, den, used, target, kind)
    units = pd.DataFrame(
        {
            "numerator": num,
            "denominator": den,
            "rate": rate,
            "z": z,
            **{c: np.where(used, unit_limits[c], math.nan) for c in LIMIT_COLUMNS},
            "p_above": p_above,
            "p_below": p_below,
        },
        index=index,
    )
    adjusted_z = _adjusted_z(z, den, adjusted, phi, tau2)
    units["flag"] = [
        _flag(pa, pb, az, only_998=bool(n < small_denominator)) if ok else FLAG_MISSING
        for pa, pb, az, n, ok in zip(p_above, p_below, adjusted_z, den, used, strict=True)
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
        method=_method_text(
            kind, overdispersion, adjusted, phi, od_p, tau2, winsor, hidden is not None and any(hidden)
        ),
        od_p=od_p,
    )


def _transform(rate: np.ndarray | float, kind: Kind) -> np.ndarray:
    """arcsin √p for shares, √rate for rates (variance 1/(4n) on either scale)."""
    r = np.clip(np.asarray(rate, dtype=float), 0.0, None)
    return np.arcsin(np.sqrt(np.clip(r, 0.0, 1.0))) if kind == "binomial" else np.sqrt(r)


def _back(y: np.ndarray, kind: Kind) -> np.ndarray:
    if kind == "binomial":
        return np.sin(np.clip(y, 0.0, math.pi / 2)) ** 2
    return np.clip(y, 0.0, None) ** 2


def _trans_se(n: np.ndarray) -> np.ndarray:
    return 1 / (2 * np.sqrt(np.asarray(n, dtype=float)))


def _phi(z: np.ndarray, winsor: float) -> float:
    if len(z) == 0:
        return math.nan
    if winsor > 0:
        # numpy's default "linear" quantile is R's type 7, as in FunnelPlotR.
        lo, hi = np.quantile(z, [winsor, 1 - winsor])
        z = np.clip(z, lo, hi)
    return float(np.mean(z**2))


def _od_test(phi: float, units: int) -> float:
    """P(χ²(I − 1) ≥ I·φ̂): small means more spread than chance allows (QSHC 2005)."""
    if math.isnan(phi) or units < 2:
        return math.nan
    return float(stats.chi2.sf(units * phi, units - 1))


def _tau2(phi: float, se: np.ndarray) -> float:
    i = len(se)
    w = 1 / se**2
    denom = float(w.sum() - (w**2).sum() / w.sum())
    if i * phi <= i - 1 or denom <= 0:
        return 0.0
    return max(0.0, (i * phi - (i - 1)) / denom)


def _tails(
    num: np.ndarray, den: np.ndarray, used: np.ndarray, target: float, kind: Kind
) -> tuple[np.ndarray, np.ndarray]:
    """Exact P(X ≥ O) and P(X ≤ O) under the pooled rate (NaN where unused)."""
    above = np.full(len(num), math.nan)
    below = np.full(len(num), math.nan)
    o = np.round(num[used])
    if kind == "poisson":
        dist = stats.poisson(target * den[used])
    else:
        dist = stats.binom(np.round(den[used]), target)
    above[used] = dist.sf(o - 1)
    below[used] = dist.cdf(o)
    return above, below


def _adjusted_z(z: np.ndarray, den: np.ndarray, adjusted: str | None, phi: float, tau2: float) -> np.ndarray:
    """z on the transformed scale with the over-dispersion allowed for (NaN if not adjusted)."""
    if adjusted == "multiplicative":
        return z / math.sqrt(phi)
    if adjusted == "additive":
        with np.errstate(invalid="ignore", divide="ignore"):
            se = _trans_se(den)
            return z * se / np.sqrt(se**2 + tau2)
    return np.full(len(z), math.nan)


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
    """Limits to draw: interpolated exact quantiles, or adjusted ones on the transformed scale."""
    n = np.asarray(n, dtype=float)
    if degenerate:
        return {c: np.full(len(n), target) for c in LIMIT_COLUMNS}
    upper_cap = 1.0 if kind == "binomial" else math.inf
    out: dict[str, np.ndarray] = {}
    if adjusted is not None:
        se = _trans_se(n)
        spread = math.sqrt(phi) * se if adjusted == "multiplicative" else np.sqrt(se**2 + tau2)
        centre = _transform(target, kind)
    for name, (p_low, p_high) in LEVELS.items():
        for col, p in ((f"lower_{name}", p_low), (f"upper_{name}", p_high)):
            if adjusted is None:
                limit = _exact_limit(p, n, target, kind)
            else:
                limit = _back(centre + stats.norm.ppf(p) * spread, kind)
            out[col] = np.clip(limit, 0.0, upper_cap)
    return out


# (tail probability, its normal quantile, flags): the 99.8 % level first. The quantiles are
# computed once here, not per unit (a scipy call per unit and level cost 1 s per national funnel set).
_LEVELS = [
    (p, float(stats.norm.isf(p)), over, under)
    for p, over, under in ((0.001, FLAG_OVER_998, FLAG_UNDER_998), (0.025, FLAG_OVER_95, FLAG_UNDER_95))
]


def _flag(p_above: float, p_below: float, adjusted_z: float, only_998: bool = False) -> str:
    """Exact tail probability below the level; when adjusted, the adjusted z must agree."""
    for p, z, over, under in _LEVELS[:1] if only_998 else _LEVELS:
        if p_above < p and (math.isnan(adjusted_z) or adjusted_z > z):
            return over
        if p_below < p and (math.isnan(adjusted_z) or adjusted_z < -z):
            return under
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


def _method_text(
    kind: Kind,
    requested: str | None,
    adjusted: str | None,
    phi: float,
    od_p: float,
    tau2: float,
    winsor: float,
    masked: bool = False,
) -> str:
    dist = "Poisson-fordelingen" if kind == "poisson" else "binomialfordelingen"
    base = (
        f"Samlet rate (sum tellere / sum nevnere). Kommunene markeres ut fra eksakt sannsynlighet i {dist} "
        "(under 2,5 % i én retning: utenfor 95 %; under 0,1 %: utenfor 99,8 %; kommuner med nevner under "
        "20 bare ved 99,8 %); de tegnede grensene er bare til visning."
    )
    phi_text = "ikke beregnet" if math.isnan(phi) else _comma(phi, 2)
    if math.isnan(od_p):
        return (
            base
            + " "
            + protection.statistic_text("Overspredning kunne ikke testes", f"φ = {phi_text}", masked)
            + "."
        )
    scale = "arcsin-√-skala" if kind == "binomial" else "√-skala"
    # With a hidden unit φ, p and τ² rest on its figure: the words stay, the numbers go.
    test = protection.statistic_text(
        f"Overspredning testet med z-verdier på {scale}, winsorisert {winsor * 100:.0f} % i hver ende",
        f"φ = {phi_text}, I·φ mot χ² med I − 1 frihetsgrader gir p = {_comma(od_p, 3)}",
        masked,
    )
    if adjusted == "additive":
        widened = protection.statistic_text("grensene er utvidet additivt", f"τ² = {_comma(tau2, 3)}", masked)
        return base + f" {test}: overspredning funnet, {widened}."
    if adjusted == "multiplicative":
        return base + f" {test}: overspredning funnet, grensene er utvidet multiplikativt med √φ."
    if od_p < OD_ALPHA:
        return base + f" {test}: overspredning funnet, men ikke justert for (valgt bort)."
    return base + f" {test}: ingen påvist overspredning. Ikke justert for overspredning."


def _comma(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}g}".replace(".", ",") if digits == 3 else f"{x:.{digits}f}".replace(".", ",")
