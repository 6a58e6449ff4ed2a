"""XmR charts checked against NHSRplotthedots (values from its test snapshots)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from analytics import config, spc
from analytics.spc import xmr

pytestmark = pytest.mark.backend_free

# R: set.seed(123); rnorm(20)
RNORM_20 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]

# Twelve points alternating around 11 (the last one below it), moving range 2:
# mean 11, limits 11 ± 5.32, near limits 11 ± 3.5467. Used with fix_after_n_points=12
# so that the points added after them are judged against known, fixed limits.
BASE = [12.0, 10.0] * 6


@pytest.fixture
def rnorm_20() -> list[float]:
    return list(RNORM_20)


def only_limits(result: spc.SpcResult) -> tuple[float, float, float]:
    row = result.points.iloc[0]
    return row["mean"], row["lpl"], row["upl"]


# Limits -------------------------------------------------------------------------


@pytest.mark.parametrize("screen", [True, False])
def test_golden_rnorm_limits(rnorm_20: list[float], screen: bool) -> None:
    result = xmr(rnorm_20, screen_outliers=screen)
    mean, lpl, upl = only_limits(result)
    assert mean == pytest.approx(0.1416238, abs=1e-5)
    assert lpl == pytest.approx(-3.01138, abs=1e-5)
    assert upl == pytest.approx(3.294627, abs=1e-5)
    assert result.enough_points is True
    assert result.message is None
    assert (result.points["point_type"] == "common_cause").all()
    assert result.variation == "common_cause"


def test_golden_outlier_screening(rnorm_20: list[float]) -> None:
    # ptd_spc_standard snapshot r2/r3: y[15] <- 10 in R (1-based).
    rnorm_20[14] = 10.0
    mean, lpl, upl = only_limits(xmr(rnorm_20, screen_outliers=True))
    assert mean == pytest.approx(0.6694159, abs=1e-5)
    assert lpl == pytest.approx(-2.383666, abs=1e-5)
    assert upl == pytest.approx(3.722497, abs=1e-5)
    mean, lpl, upl = only_limits(xmr(rnorm_20, screen_outliers=False))
    assert lpl == pytest.approx(-4.596625, abs=1e-5)
    assert upl == pytest.approx(5.935457, abs=1e-5)


def test_outlier_is_special_cause_after_screening(rnorm_20: list[float]) -> None:
    rnorm_20[14] = 10.0
    types = xmr(rnorm_20, screen_outliers=True).points["point_type"]
    assert types[14] == "special_cause_improvement"
    assert (types.drop(14) == "common_cause").all()


def test_output_shape_and_columns(rnorm_20: list[float]) -> None:
    points = xmr(rnorm_20).points
    assert list(points.columns) == ["value", "mean", "lpl", "upl", "point_type"]
    assert len(points) == 20
    assert points["value"].tolist() == pytest.approx(rnorm_20)


def test_fix_after_n_points_holds_baseline_limits(rnorm_20: list[float]) -> None:
    fixed = xmr(rnorm_20, fix_after_n_points=12)
    first_12 = xmr(rnorm_20[:12])
    assert only_limits(fixed) == pytest.approx(only_limits(first_12))
    assert only_limits(fixed) != pytest.approx(only_limits(xmr(rnorm_20)))
    # Held for every row, including those after the baseline.
    assert fixed.points["upl"].nunique() == 1


def test_fix_after_n_points_flags_a_later_shift() -> None:
    result = xmr([*BASE, 30.0], fix_after_n_points=12)
    assert result.points["mean"].iloc[-1] == pytest.approx(11.0)
    assert result.points["point_type"].iloc[-1] == "special_cause_improvement"


def test_fix_after_n_points_below_12_is_refused() -> None:
    with pytest.raises(ValueError):
        xmr(RNORM_20, fix_after_n_points=6)


def test_flat_series_with_screening_has_finite_limits() -> None:
    result = xmr([5.0] * 14, screen_outliers=True)
    mean, lpl, upl = only_limits(result)
    assert (mean, lpl, upl) == (5.0, 5.0, 5.0)
    assert (result.points["point_type"] == "common_cause").all()


# Rules --------------------------------------------------------------------------


def test_run_of_seven_flags_all_seven() -> None:
    values = [*BASE, *[11.5] * 7]
    types = xmr(values).points["point_type"].tolist()
    assert types[:12] == ["common_cause"] * 12
    assert types[12:] == ["special_cause_improvement"] * 7


def test_run_of_six_is_not_flagged() -> None:
    values = [*BASE, *[11.5] * 6]
    types = xmr(values, fix_after_n_points=12).points["point_type"]
    assert (types == "common_cause").all()


def test_run_below_mean_is_concern_for_increase() -> None:
    values = [*BASE, *[10.5] * 7]
    types = xmr(values, fix_after_n_points=12).points["point_type"].tolist()
    assert types[12:] == ["special_cause_concern"] * 7


def test_point_on_mean_breaks_run() -> None:
    values = [*BASE, *[11.5] * 3, 11.0, *[11.5] * 3]
    types = xmr(values, fix_after_n_points=12).points["point_type"]
    assert (types == "common_cause").all()


def test_longer_run_flags_every_point() -> None:
    values = [*BASE, *[11.5] * 9]
    types = xmr(values, fix_after_n_points=12).points["point_type"].tolist()
    assert types[12:] == ["special_cause_improvement"] * 9


def test_trend_of_seven_flags_all_seven() -> None:
    # Rising through the mean, so it is no run; all inside the near limits.
    trend = [8.0, 9.0, 10.0, 10.5, 11.5, 12.0, 13.0]
    types = xmr([*BASE, *trend], fix_after_n_points=12).points["point_type"]
    assert types[:12].tolist() == ["common_cause"] * 12
    assert types[12:].tolist() == ["special_cause_improvement"] * 7


def test_falling_trend_is_concern_for_increase_and_improvement_for_decrease() -> None:
    trend = [13.0, 12.0, 11.5, 10.5, 10.0, 9.0, 8.0]
    up = xmr([*BASE, *trend], fix_after_n_points=12)
    down = xmr([*BASE, *trend], improvement="decrease", fix_after_n_points=12)
    assert up.points["point_type"][12:].tolist() == ["special_cause_concern"] * 7
    assert down.points["point_type"][12:].tolist() == (["special_cause_improvement"] * 7)


def test_trend_with_a_tie_is_not_flagged() -> None:
    trend = [8.0, 9.0, 10.0, 10.0, 11.5, 12.0, 13.0]
    types = xmr([*BASE, *trend], fix_after_n_points=12).points["point_type"]
    assert (types == "common_cause").all()


def test_six_rising_points_are_not_a_trend() -> None:
    trend = [9.0, 10.0, 10.5, 11.5, 12.0, 13.0]
    types = xmr([*BASE, *trend], fix_after_n_points=12).points["point_type"]
    assert (types == "common_cause").all()


def test_two_of_three_near_upper_limit() -> None:
    # 15 is beyond the near limit (14.55) but inside the limit (16.32).
    values = [*BASE, 15.0, 12.0, 15.0, 10.0, 12.0]
    types = xmr(values, fix_after_n_points=12).points["point_type"].tolist()
    assert types[12:] == [
        "special_cause_improvement",
        "common_cause",  # same side, but not near the limit
        "special_cause_improvement",
        "common_cause",
        "common_cause",
    ]


def test_two_of_three_near_lower_limit_for_decrease() -> None:
    values = [*BASE, 7.0, 6.9, 12.0]
    types = xmr(values, improvement="decrease", fix_after_n_points=12)
    assert types.points["point_type"][12:].tolist() == [
        "special_cause_improvement",
        "special_cause_improvement",
        "common_cause",
    ]


def test_two_of_three_on_opposite_sides_is_common_cause() -> None:
    values = [*BASE, 15.0, 10.0, 15.0]
    types = xmr(values, fix_after_n_points=12).points["point_type"]
    assert (types == "common_cause").all()
    # The test from ptd_spc_standard: near-limit points on both sides of the mean.
    data = [1.0, -1.0] * 8
    data[14], data[15] = 5.5, -5.5
    assert xmr(data).points["point_type"].tolist()[-2:] == ["common_cause"] * 2


def test_outside_limits_by_direction() -> None:
    values = [*BASE, 20.0]
    for improvement, expected in [
        ("increase", "special_cause_improvement"),
        ("decrease", "special_cause_concern"),
        ("neutral", "special_cause_neutral_high"),
    ]:
        result = xmr(values, improvement=improvement, fix_after_n_points=12)
        assert result.points["point_type"].iloc[-1] == expected


@pytest.mark.parametrize(
    ("last", "improvement", "icon"),
    [
        (20.0, "increase", "improvement_high"),
        (2.0, "increase", "concern_low"),
        (20.0, "decrease", "concern_high"),
        (2.0, "decrease", "improvement_low"),
        (20.0, "neutral", "neutral_high"),
        (2.0, "neutral", "neutral_low"),
        (11.5, "increase", "common_cause"),
    ],
)
def test_variation_icon_from_last_point(last: float, improvement: str, icon: str) -> None:
    result = xmr([*BASE, last], improvement=improvement, fix_after_n_points=12)
    assert result.variation == icon


def test_neutral_direction_has_only_neutral_types() -> None:
    values = [*BASE, *[11.5] * 7, 2.0]
    types = set(xmr(values, improvement="neutral", fix_after_n_points=12).points["point_type"])
    assert types == {
        "common_cause",
        "special_cause_neutral_high",
        "special_cause_neutral_low",
    }


def test_rule_helpers_match_r_package_tests() -> None:
    # Cases from NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R.
    assert spc._trend_ends(np.array([1, 2, 3, 3, 4, 5, 6.0]))[-1] == 0
    assert spc._trend_ends(np.arange(1, 8.0)).tolist() == [0] * 6 + [1]
    assert spc._trend_ends(np.array([2, *range(1, 8), 3.0])).tolist() == ([0] * 7 + [1, 0])
    assert spc._trend_ends(np.arange(7, 0, -1.0)).tolist() == [0] * 6 + [-1]
    ones = np.ones(7, dtype=int)
    close = np.array([0, 0, 1, 0, 1, 0, 0], dtype=bool)
    assert spc._two_in_three(close, ones).astype(int).tolist() == [0, 0, 1, 1, 1, 0, 0]
    close = np.array([0, 0, 1, 1, 0, 0, 0], dtype=bool)
    assert spc._two_in_three(close, ones).astype(int).tolist() == [0, 1, 1, 1, 1, 0, 0]
    close = np.array([1, 0, 0, 1, 1], dtype=bool)
    flagged = spc._two_in_three(close, np.ones(5, dtype=int)) & close
    assert flagged.astype(int).tolist() == [0, 0, 0, 1, 1]


# Assurance ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        ("increase", -4.0, "consistent_pass"),
        ("increase", 4.0, "consistent_fail"),
        ("increase", 0.0, "inconsistent"),
        ("increase", 3.0, "inconsistent"),
        ("decrease", 4.0, "consistent_pass"),
        ("decrease", -4.0, "consistent_fail"),
        ("decrease", 0.0, "inconsistent"),
        ("decrease", -3.0, "inconsistent"),
        ("neutral", 4.0, None),
        ("increase", None, None),
    ],
)
def test_assurance_table(
    rnorm_20: list[float], improvement: str, target: float | None, expected: str
) -> None:
    # Limits here: -3.011 to 3.295.
    assert xmr(rnorm_20, improvement=improvement, target=target).assurance == expected


def test_assurance_target_on_a_limit_counts_as_met(rnorm_20: list[float]) -> None:
    _, lpl, upl = only_limits(xmr(rnorm_20))
    assert xmr(rnorm_20, target=lpl).assurance == "consistent_pass"
    assert xmr(rnorm_20, target=upl).assurance == "inconsistent"
    assert xmr(rnorm_20, "decrease", target=upl).assurance == "consistent_pass"
    assert xmr(rnorm_20, "decrease", target=lpl).assurance == "inconsistent"


def test_assurance_follows_the_r_package_cases() -> None:
    # ptd_calculate_assurance_type tests: limits (1,3), (5,7), (1,5), target 4.
    cases = [(1.0, 3.0), (5.0, 7.0), (1.0, 5.0)]
    up = [spc._assurance(4.0, "increase", lo, hi) for lo, hi in cases]
    down = [spc._assurance(4.0, "decrease", lo, hi) for lo, hi in cases]
    assert up == ["consistent_fail", "consistent_pass", "inconsistent"]
    assert down == ["consistent_pass", "consistent_fail", "inconsistent"]


# Missing values and short series --------------------------------------------------


def test_missing_values_are_skipped_not_zero(rnorm_20: list[float]) -> None:
    with_gaps: list[float | None] = list(rnorm_20)
    with_gaps.insert(5, None)
    with_gaps.insert(10, math.nan)
    result = xmr(with_gaps, screen_outliers=True)
    assert len(result.points) == 22
    assert result.points["point_type"][[5, 10]].tolist() == ["missing", "missing"]
    assert result.points["value"][[5, 10]].isna().all()
    # Limits are those of the 20 known values (moving ranges bridge the gaps) ...
    mean, lpl, upl = only_limits(result)
    assert mean == pytest.approx(0.1416238, abs=1e-5)
    assert lpl == pytest.approx(-3.01138, abs=1e-5)
    assert upl == pytest.approx(3.294627, abs=1e-5)
    # ... and not what zeros would give.
    zeros = [0.0 if v is None or math.isnan(v) else v for v in with_gaps]
    assert only_limits(xmr(zeros))[0] != pytest.approx(mean)
    known = result.points[result.points["point_type"] != "missing"]
    assert (known["point_type"] == "common_cause").all()


def test_missing_last_value_uses_last_known_point_for_icon() -> None:
    result = xmr([*BASE, 20.0, None], fix_after_n_points=12)
    assert result.points["point_type"].iloc[-1] == "missing"
    assert result.variation == "improvement_high"


def test_missing_does_not_break_a_run() -> None:
    values = [*BASE, *[11.5] * 3, None, *[11.5] * 4]
    types = xmr(values, fix_after_n_points=12).points["point_type"].tolist()
    assert types[12:] == ["special_cause_improvement"] * 3 + ["missing"] + ["special_cause_improvement"] * 4


def test_fewer_than_12_points(rnorm_20: list[float]) -> None:
    result = xmr(rnorm_20[:8], target=0.0)
    assert result.enough_points is False
    assert result.message == ("For få datapunkter (8) til å beregne kontrollgrenser; minst 12 trengs.")
    assert result.points[["mean", "lpl", "upl"]].isna().all().all()
    assert (result.points["point_type"] == "common_cause").all()
    assert result.variation == "common_cause"
    assert result.assurance is None


def test_missing_values_do_not_count_towards_12(rnorm_20: list[float]) -> None:
    values = [*rnorm_20[:11], None, None]
    result = xmr(values)
    assert result.enough_points is False
    assert "(11)" in (result.message or "")
    assert result.points["point_type"].tolist()[-2:] == ["missing", "missing"]


def test_exactly_12_points_is_enough(rnorm_20: list[float]) -> None:
    assert xmr(rnorm_20[:12]).enough_points is True


def test_no_values_at_all() -> None:
    result = xmr([None, None])
    assert result.variation is None
    assert result.enough_points is False
    assert result.points["point_type"].tolist() == ["missing", "missing"]
    assert xmr([]).points.empty


def test_bad_direction_is_refused() -> None:
    with pytest.raises(ValueError):
        xmr(RNORM_20, improvement="up")  # type: ignore[arg-type]


# Baseline, breaks (rebase) and rule sets -------------------------------------------


def test_baseline_is_the_documented_name_of_fix_after_n_points(rnorm_20: list[float]) -> None:
    by_name = xmr(rnorm_20, baseline=12)
    by_r_name = xmr(rnorm_20, fix_after_n_points=12)
    pd.testing.assert_frame_equal(by_name.points, by_r_name.points)
    assert by_name.phases[0].limit_points == 12
    with pytest.raises(ValueError):
        xmr(rnorm_20, baseline=12, fix_after_n_points=14)
    with pytest.raises(ValueError):
        xmr(rnorm_20, baseline=11)


def test_breaks_give_each_phase_its_own_limits() -> None:
    rng = np.random.default_rng(7)
    before = list(rng.normal(20, 2, 24))
    after = list(rng.normal(15, 1, 15))
    result = xmr([*before, *after], improvement="decrease", breaks=[24])
    assert [(p.start, p.stop) for p in result.phases] == [(0, 24), (24, 39)]
    for part, rows in ((before, slice(0, 24)), (after, slice(24, 39))):
        alone = xmr(part, improvement="decrease")
        mine = result.points.iloc[rows].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.points)
        # Independent computation: mean and 2.66 × mean moving range (screened).
        mr = np.abs(np.diff(part))
        amr = mr[mr < 3.267 * mr.mean()].mean()
        assert mine["mean"].iloc[0] == pytest.approx(np.mean(part))
        assert mine["upl"].iloc[0] == pytest.approx(np.mean(part) + 2.66 * amr)
        assert mine["lpl"].iloc[0] == pytest.approx(np.mean(part) - 2.66 * amr)
    # Without the break the fall is a signal; with it the new process is judged on its own.
    assert (xmr([*before, *after], improvement="decrease").points["point_type"][24:] != "common_cause").any()


def test_baseline_applies_within_each_phase() -> None:
    values = [*BASE, 30.0, *[11.0, 13.0] * 7, 40.0]
    result = xmr(values, baseline=12, breaks=[13])
    second = result.phases[1]
    assert second.limit_points == 12
    assert second.mean == pytest.approx(12.0)
    assert result.points["point_type"].iloc[-1] == "special_cause_improvement"


def test_rules_do_not_run_across_a_break() -> None:
    # Seven points above the mean: a run, unless a break falls inside it.
    values = [*BASE, *[11.5] * 7, *[12.0, 10.0] * 6]
    joined = xmr(values, baseline=12)
    split = xmr(values, baseline=12, breaks=[16])
    assert joined.points["point_type"][12:19].tolist() == ["special_cause_improvement"] * 7
    assert (split.points["point_type"] == "common_cause").all()


def test_short_last_phase_gives_no_limits_and_says_so() -> None:
    result = xmr([*BASE, *BASE, 11.0, 12.0, 13.0], breaks=[24])
    assert result.enough_points is False
    assert result.points[["mean", "lpl", "upl"]].iloc[24:].isna().all().all()
    assert result.points["mean"].iloc[0] == pytest.approx(11.0)
    assert "etter endringen (3)" in (result.message or "")
    assert result.assurance is None


@pytest.mark.parametrize("bad", [[0], [40], [5, 5], [10, 5]])
def test_bad_breaks_are_refused(bad: list[int]) -> None:
    with pytest.raises(ValueError):
        xmr([*BASE, *BASE], breaks=bad)


def test_screening_is_on_by_default_as_in_the_r_package(rnorm_20: list[float]) -> None:
    rnorm_20[14] = 10.0
    assert only_limits(xmr(rnorm_20)) == pytest.approx(only_limits(xmr(rnorm_20, screen_outliers=True)))
    assert only_limits(xmr(rnorm_20)) != pytest.approx(only_limits(xmr(rnorm_20, screen_outliers=False)))


def test_default_rule_set_is_mdc2023_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.SPC_RULES == "mdc2023"
    assert xmr(BASE).rules == "mdc2023"
    monkeypatch.setattr(config, "SPC_RULES", "ptd2022")
    assert xmr(BASE).rules == "ptd2022"
    with pytest.raises(ValueError, match="Ukjent regelsett"):
        xmr(BASE, rules="western_electric")


def test_two_of_three_counts_a_point_beyond_the_limit_since_2023() -> None:
    # 15 is between 2σ (14.55) and 3σ (16.32); 20 is beyond 3σ.
    values = [*BASE, 15.0, 20.0, 12.0]
    new = xmr(values, baseline=12).points["point_type"].tolist()
    old = xmr(values, baseline=12, rules="ptd2022").points["point_type"].tolist()
    assert new[12:] == ["special_cause_improvement", "special_cause_improvement", "common_cause"]
    assert old[12:] == ["common_cause", "special_cause_improvement", "common_cause"]


def test_six_point_rule_set_flags_runs_and_trends_of_six() -> None:
    run = [*BASE, *[11.5] * 6]
    trend = [*BASE, 9.0, 10.0, 10.5, 11.5, 12.0, 13.0]
    for values in (run, trend):
        assert (xmr(values, baseline=12).points["point_type"] == "common_cause").all()
        six = xmr(values, baseline=12, rules="mdc2023_6").points["point_type"].tolist()
        assert six[12:] == ["special_cause_improvement"] * 6


# Charts for rare events -------------------------------------------------------------


def test_u_chart_limits_follow_the_exposure() -> None:
    counts = [3, 5, 2, 4, 6, 3, 1, 4, 5, 2, 3, 4, 30]
    exposure = [1000, 1200, 800, 1000, 1500, 900, 500, 1000, 1100, 700, 1000, 1000, 1000]
    result = spc.u_chart(counts, exposure, baseline=12)
    u_bar = sum(counts[:12]) / sum(exposure[:12])
    points = result.points
    assert points["mean"].iloc[0] == pytest.approx(u_bar)
    expected_upper = [u_bar + 3 * math.sqrt(u_bar / n) for n in exposure]
    np.testing.assert_allclose(points["upl"], expected_upper)
    np.testing.assert_allclose(points["lpl"], [max(0.0, u_bar - 3 * math.sqrt(u_bar / n)) for n in exposure])
    assert points["value"].tolist() == pytest.approx([c / n for c, n in zip(counts, exposure, strict=True)])
    # 30 per 1000 against about 3.3: concern when lower is better.
    assert points["point_type"].iloc[-1] == "special_cause_concern"
    assert (points["point_type"].iloc[:12] == "common_cause").all()


def test_u_chart_skips_suppressed_counts_and_refuses_bad_exposure() -> None:
    counts = [3, None, 2, 4, 6, 3, 1, 4, 5, 2, 3, 4, 3]
    result = spc.u_chart(counts, [1000] * 13)
    assert result.points["point_type"].iloc[1] == "missing"
    assert result.points["mean"].iloc[0] == pytest.approx(40 / 12_000)
    with pytest.raises(ValueError):
        spc.u_chart([1, 2], [100, 0])


def test_g_chart_follows_benneyan() -> None:
    gaps = [12, 30, 5, 44, 18, 9, 25, 60, 3, 15, 22, 37, 400]
    result = spc.g_chart(gaps, baseline=12)
    g_bar = float(np.mean(gaps[:12]))
    assert result.points["mean"].iloc[0] == pytest.approx(g_bar)
    assert result.points["upl"].iloc[0] == pytest.approx(g_bar + 3 * math.sqrt(g_bar * (g_bar + 1)))
    assert result.points["lpl"].iloc[0] == 0.0
    # A long gap between adverse events is an improvement.
    assert result.points["point_type"].iloc[-1] == "special_cause_improvement"
    assert result.variation == "improvement_high"


def test_t_chart_is_an_xmr_chart_of_transformed_times() -> None:
    days = [10.0, 25, 7, 40, 16, 12, 30, 55, 5, 14, 20, 33, 21]
    result = spc.t_chart(days)
    inner = xmr([d ** (1 / 3.6) for d in days])
    assert result.points["value"].tolist() == pytest.approx(days)
    assert result.points["mean"].iloc[0] == pytest.approx(inner.points["mean"].iloc[0] ** 3.6)
    assert result.points["upl"].iloc[0] == pytest.approx(inner.points["upl"].iloc[0] ** 3.6)
    assert result.points["point_type"].tolist() == inner.points["point_type"].tolist()
    with pytest.raises(ValueError):
        spc.t_chart([0.0, 5.0])


def test_break_positions_start_the_phase_with_the_first_whole_period() -> None:
    months = [dt.date(2024, m, 1) for m in range(1, 13)]
    changes = [dt.date(2024, 3, 15), dt.date(2024, 6, 1), dt.date(2023, 5, 1), dt.date(2025, 2, 1)]
    assert spc.break_positions(months, changes) == [3, 5]
    assert spc.break_positions(months, [dt.date(2024, 3, 2), dt.date(2024, 3, 20)]) == [3]
    assert spc.break_positions(months, []) == []
