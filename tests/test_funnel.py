"""Funnel limits, over-dispersion and flags."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.funnel import funnel_limits

pytestmark = pytest.mark.backend_free

LIMITS = ["lower_95", "upper_95", "lower_998", "upper_998"]


@pytest.fixture
def shares_with_outlier() -> tuple[list[int], list[int]]:
    """20 units of 500 close to 10 %, and one unit of 500 at 24 %."""
    deviations = [0, 2, -2, 3, -3, 1, -1, 4, -4, 0, 2, -2, 1, -1, 3, -3, 0, 1, -1, 0]
    numerators = [50 + d for d in deviations] + [120]
    return numerators, [500] * 21


@pytest.fixture
def overdispersed() -> tuple[list[int], list[int]]:
    """Rates per person spread far more than Poisson noise allows (φ ≫ 1)."""
    rates_per_1000 = [3, 4, 5, 6, 7, 8, 4.5, 5.5, 6.5, 3.5, 7.5, 5, 6, 4, 8, 3]
    populations = [20_000] * len(rates_per_1000)
    numerators = [round(r * 20) for r in rates_per_1000]
    return numerators, populations


def test_target_is_pooled_not_mean_of_rates() -> None:
    r = funnel_limits([1, 90], [10, 1000], kind="binomial", overdispersion=None)
    assert r.target == pytest.approx(91 / 1010)
    assert r.target != pytest.approx((0.1 + 0.09) / 2)


def test_clear_outlier_is_flagged(shares_with_outlier) -> None:
    num, den = shares_with_outlier
    for od in (None, "multiplicative", "additive"):
        r = funnel_limits(num, den, kind="binomial", overdispersion=od)
        flags = r.units["flag"].tolist()
        assert flags[-1] == "over 99,8 %", od
        assert set(flags[:-1]) == {"innenfor"}, od


def test_low_outlier_is_flagged_under() -> None:
    num = [50] * 15 + [5]
    r = funnel_limits(num, [500] * 16, kind="binomial", overdispersion=None)
    assert r.units["flag"].iloc[-1] == "under 99,8 %"


def test_no_overdispersion_leaves_limits_alone() -> None:
    # Every unit exactly on the target: all z = 0, so φ = 0 and nothing is widened.
    num, den = [5, 10, 20, 40], [1000, 2000, 4000, 8000]
    plain = funnel_limits(num, den, overdispersion=None)
    adjusted = funnel_limits(num, den, overdispersion="multiplicative")
    assert adjusted.phi == pytest.approx(0.0)
    assert adjusted.adjusted is None
    pd.testing.assert_frame_equal(plain.limits, adjusted.limits)
    assert "Ikke justert for overspredning" in adjusted.method


def test_overdispersion_widens_limits(overdispersed) -> None:
    num, den = overdispersed
    plain = funnel_limits(num, den, overdispersion=None)
    mult = funnel_limits(num, den, overdispersion="multiplicative")
    add = funnel_limits(num, den, overdispersion="additive")
    assert plain.adjusted is None
    assert mult.phi > 1 and mult.adjusted == "multiplicative"
    assert add.adjusted == "additive" and add.tau2 > 0

    for wider in (mult, add):
        assert (wider.limits["upper_998"] > plain.limits["upper_998"]).all()
        assert (wider.limits["lower_998"] <= plain.limits["lower_998"]).all()
        assert (wider.units["upper_95"] > plain.units["upper_95"]).all()
    # Multiplicative: on the √ scale the distance to the target is 3.09 × √φ × 1/(2√n).
    gap_mult = np.sqrt(mult.limits["upper_998"]) - math.sqrt(mult.target)
    se = 1 / (2 * np.sqrt(mult.limits["denominator"]))
    np.testing.assert_allclose(gap_mult, stats.norm.ppf(0.999) * math.sqrt(mult.phi) * se)
    # Fewer units fall outside once the spread between units is allowed for.
    out_plain = (plain.units["flag"] != "innenfor").sum()
    out_mult = (mult.units["flag"] != "innenfor").sum()
    assert out_plain > out_mult
    assert "multiplikativt" in mult.method and "φ = " in mult.method


def test_phi_and_tau2_follow_spiegelhalter(overdispersed) -> None:
    num, den = overdispersed
    r = funnel_limits(num, den, overdispersion="additive", winsor=0.1)
    # On the square-root scale (FunnelPlotR "SR"/"CQC"): y = √rate, s = 1/(2√n).
    n = np.array(den, dtype=float)
    theta = sum(num) / sum(den)
    se = 1 / (2 * np.sqrt(n))
    z = (np.sqrt(np.array(num) / n) - math.sqrt(theta)) / se
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    w = 1 / se**2
    tau2 = (len(z) * phi - (len(z) - 1)) / (w.sum() - (w**2).sum() / w.sum())
    assert r.phi == pytest.approx(phi)
    assert r.tau2 == pytest.approx(tau2)
    np.testing.assert_allclose(r.units["z"], z)


def test_winsorising_damps_an_outlier(shares_with_outlier) -> None:
    num, den = shares_with_outlier
    raw = funnel_limits(num, den, kind="binomial", winsor=0.0)
    damped = funnel_limits(num, den, kind="binomial", winsor=0.1)
    assert raw.phi > damped.phi


def test_small_unit_with_extreme_rate_by_chance_is_not_flagged_at_998() -> None:
    # 5 per 1000 everywhere; a village of 200 expects 1 case and has 4 (20 per 1000).
    num = [50] * 10 + [4]
    den = [10_000] * 10 + [200]
    r = funnel_limits(num, den, kind="poisson", overdispersion=None)
    small = r.units.iloc[-1]
    assert small["rate"] == pytest.approx(0.02)
    assert small["flag"] == "over 95 %"  # P(X >= 4 | mean ~1) is about 2 %
    assert small["rate"] < small["upper_998"]

    # A share: 2 of 5 (40 %) against about 10 % passes the interpolated 95 % limit
    # (1.78 of 5), but the exact chance of 2 or more is 8 %: not flagged. The
    # interpolated limits are only drawn.
    num = [100] * 10 + [2, 1]
    den = [1000] * 10 + [5, 3]
    r = funnel_limits(num, den, kind="binomial", overdispersion=None)
    assert r.units["rate"].iloc[-2] > r.units["upper_95"].iloc[-2]
    assert r.units["p_above"].iloc[-2] == pytest.approx(stats.binom.sf(1, 5, r.target))
    assert r.units["flag"].iloc[-2:].tolist() == ["innenfor", "innenfor"]


def test_exact_limits_are_between_neighbouring_counts() -> None:
    r = funnel_limits([30, 70], [10_000, 10_000], overdispersion=None)
    lam = r.target * 10_000
    for col, p in [("upper_998", 0.999), ("lower_95", 0.025)]:
        q = stats.poisson.ppf(p, lam)
        limit = r.units[col].iloc[0]
        assert (q - 1) / 10_000 <= limit <= q / 10_000


def test_exact_limits_approach_normal_for_large_denominators() -> None:
    n = 10_000_000
    r = funnel_limits([100_000, 100_000], [n, n], kind="binomial", overdispersion=None)
    se = math.sqrt(r.target * (1 - r.target) / n)
    row = r.units.iloc[0]
    assert row["upper_998"] == pytest.approx(r.target + 3.0902 * se, rel=1e-4)
    assert row["lower_95"] == pytest.approx(r.target - 1.96 * se, rel=1e-4)


def test_limit_curves_shape(shares_with_outlier) -> None:
    num, den = shares_with_outlier
    r = funnel_limits(num, den, kind="binomial", overdispersion=None)
    curve = r.limits
    assert list(curve.columns) == ["denominator", *LIMITS]
    assert curve["denominator"].is_monotonic_increasing
    assert 500 in set(curve["denominator"])
    assert (curve["upper_998"] >= curve["upper_95"]).all()
    assert (curve["upper_95"] >= r.target).all()
    assert (curve["lower_95"] <= r.target).all()
    assert (curve["lower_998"] <= curve["lower_95"]).all()
    assert (curve[LIMITS] >= 0).all().all() and (curve[LIMITS] <= 1).all().all()
    # The funnel narrows as the denominator grows.
    first, last = curve.iloc[0], curve.iloc[-1]
    assert last["upper_998"] - last["lower_998"] < first["upper_998"] - first["lower_998"]


def test_missing_numerator_is_left_out() -> None:
    num = pd.Series([10, None, 30], index=["0301", "3201", "3203"])
    r = funnel_limits(num, [1000, 1000, 3000], overdispersion=None)
    assert r.target == pytest.approx(40 / 4000)
    assert list(r.units.index) == ["0301", "3201", "3203"]
    assert r.units.loc["3201", "flag"] == "mangler data"
    assert r.units.loc["3201", LIMITS].isna().all()
    assert list(r.units.columns) == [
        "numerator",
        "denominator",
        "rate",
        "z",
        *LIMITS,
        "p_above",
        "p_below",
        "flag",
    ]


def test_all_zero_counts_do_not_crash() -> None:
    r = funnel_limits([0, 0, 0], [100, 200, 300])
    assert r.target == 0
    assert math.isnan(r.phi)
    assert set(r.units["flag"]) == {"innenfor"}


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        funnel_limits([6], [5], kind="binomial")
    with pytest.raises(ValueError):
        funnel_limits([1, 2], [5])
    with pytest.raises(ValueError):
        funnel_limits([1], [5], kind="normal")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        funnel_limits([None], [5])


@pytest.mark.parametrize("k", [1, 3, 5, 10, 15])
def test_all_of_a_few_patients_is_judged_by_its_exact_chance(k: int) -> None:
    # Issue 13 case 4: 1 of 1 against a pooled 70 % has an exact chance of 0.70.
    r = funnel_limits([k, 700], [k, 1000], kind="binomial", overdispersion=None)
    unit = r.units.iloc[0]
    assert unit["p_above"] == pytest.approx(r.target**k)
    # Below 20 in the denominator only the 99.8 % level flags (p < 0.001): none of these.
    assert unit["flag"] == "innenfor"
    # Without that rule the exact 95 % test alone decides: only 15 of 15 (p ≈ 0.005) passes it.
    exact = funnel_limits([k, 700], [k, 1000], kind="binomial", overdispersion=None, small_denominator=0)
    expected = "over 95 %" if r.target**k < 0.025 else "innenfor"
    assert exact.units["flag"].iloc[0] == expected
    assert (k == 15) is (expected == "over 95 %")


def test_small_unit_is_flagged_when_its_exact_chance_is_below_0_001() -> None:
    # 12 of 12 against a pooled 30 %: P = 0.3^12, far below 0.001.
    r = funnel_limits([12, 300], [12, 1000], kind="binomial", overdispersion=None)
    assert r.units["p_above"].iloc[0] < 0.001
    assert r.units["flag"].iloc[0] == "over 99,8 %"


def test_poisson_flags_follow_exact_tails() -> None:
    # 5 per 1000 everywhere; 25 cases where 10 are expected: P(X >= 25) < 0.001.
    num = [50] * 10 + [25, 0]
    den = [10_000] * 10 + [2_000, 2_000]
    r = funnel_limits(num, den, kind="poisson", overdispersion=None)
    lam = r.target * 2_000
    assert r.units["p_above"].iloc[-2] == pytest.approx(stats.poisson.sf(24, lam))
    assert r.units["flag"].iloc[-2] == "over 99,8 %"
    # 0 where about 10 are expected: P(X = 0) = e^-10.
    assert r.units["p_below"].iloc[-1] == pytest.approx(math.exp(-lam))
    assert r.units["flag"].iloc[-1] == "under 99,8 %"


def test_overdispersion_is_added_only_when_the_test_rejects() -> None:
    # Binomial noise around 10 % in 30 units of 400: φ near 1, the χ² test does not reject.
    rng = np.random.default_rng(3)
    den = [400] * 30
    num = rng.binomial(400, 0.1, 30).tolist()
    r = funnel_limits(num, den, kind="binomial")
    assert r.od_p == pytest.approx(stats.chi2.sf(30 * r.phi, 29))
    assert r.od_p >= 0.05 and r.adjusted is None and r.tau2 == 0
    assert "ingen påvist overspredning" in r.method
    plain = funnel_limits(num, den, kind="binomial", overdispersion=None)
    pd.testing.assert_frame_equal(r.limits, plain.limits)
    # A φ slightly above 1 is not enough on its own.
    tried = [funnel_limits(rng.binomial(400, 0.1, 30).tolist(), den, kind="binomial") for _ in range(20)]
    slightly = [t for t in tried if 1 < t.phi and t.od_p >= 0.05]
    assert slightly and all(t.adjusted is None for t in slightly)
    # Real spread between units (true shares 5-15 %): the test rejects and τ² > 0.
    shares = np.linspace(0.05, 0.15, 30)
    spread = funnel_limits((shares * 400).round().tolist(), den, kind="binomial")
    assert spread.od_p < 0.05 and spread.adjusted == "additive" and spread.tau2 > 0
    assert "overspredning funnet" in spread.method and "additivt" in spread.method


def test_additive_limits_on_the_arcsine_scale() -> None:
    shares = np.linspace(0.05, 0.15, 30)
    den = np.array([200, 400, 800] * 10, dtype=float)
    r = funnel_limits((shares * den).round().tolist(), den.tolist(), kind="binomial")
    assert r.adjusted == "additive"
    y0 = math.asin(math.sqrt(r.target))
    se = 1 / (2 * np.sqrt(r.limits["denominator"]))
    expected = np.sin(y0 + stats.norm.ppf(0.999) * np.sqrt(se**2 + r.tau2)) ** 2
    np.testing.assert_allclose(r.limits["upper_998"], expected)


def test_the_method_text_gives_no_dispersion_number_over_a_hidden_unit() -> None:
    """φ is a sum over every unit's squared z: printed beside a funnel with a hidden unit, it
    and the shown units' z give the hidden unit's back. With a hidden unit the method says
    what the test found (the words) without φ, its p or τ²; the result itself is the same."""
    shares = np.linspace(0.05, 0.15, 30)
    num, den = (shares * 400).round().tolist(), [400] * 30
    shown = funnel_limits(num, den, kind="binomial")
    masked = funnel_limits(num, den, kind="binomial", hidden=[True] + [False] * 29)
    assert "φ = " in shown.method and "τ² = " in shown.method and "p = " in shown.method
    assert "φ" not in masked.method and "τ²" not in masked.method and "p = " not in masked.method
    assert "overspredning funnet" in masked.method and "grensene er utvidet additivt" in masked.method
    assert masked.phi == shown.phi and masked.units.equals(shown.units)
    assert "φ" in funnel_limits(num, den, kind="binomial", hidden=[False] * 30).method
