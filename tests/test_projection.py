"""Trend projection to a deadline."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.projection import project_to_deadline

pytestmark = pytest.mark.backend_free

START = dt.date(2024, 1, 1)


def every_30_days(n: int, start: dt.date = START) -> list[dt.date]:
    return [start + dt.timedelta(days=30 * k) for k in range(n)]


@pytest.fixture
def rollout() -> tuple[list[dt.date], list[float]]:
    """One more municipality every 30 days: value 1 + k on day 30k (exact line)."""
    periods = every_30_days(15)
    return periods, [1.0 + k for k in range(15)]


def test_exact_line_reaches_target_after_deadline(rollout) -> None:
    periods, values = rollout
    p = project_to_deadline(periods, values, dt.date(2025, 3, 31), 19, "increase")
    # 19 is reached on day 540 = 2025-06-24.
    assert p.expected_date == dt.date(2025, 6, 24)
    assert p.reaches_target is False
    assert p.reason == "I dagens tempo nås 19 i juni 2025, etter fristen 31.03.2025."
    days = (dt.date(2025, 3, 31) - START).days
    assert p.projected == pytest.approx(1 + days / 30)
    # A perfect fit has no residual spread, so the interval collapses.
    assert p.lower == pytest.approx(p.projected)
    assert p.upper == pytest.approx(p.projected)
    assert p.slope_per_year == pytest.approx(365.25 / 30)


def test_exact_line_reaches_target_within_deadline(rollout) -> None:
    periods, values = rollout
    p = project_to_deadline(periods, values, dt.date(2025, 12, 31), 19, "increase")
    assert p.reaches_target is True
    assert p.reason == "I dagens tempo nås 19 i juni 2025, innen fristen 31.12.2025."


def test_example_sentence_with_norwegian_month() -> None:
    # One more every 30 days from 2024-10-01 (value 1): 19 on day 540 = 2026-03-25.
    periods = every_30_days(12, dt.date(2024, 10, 1))
    values = [1.0 + k for k in range(12)]
    p = project_to_deadline(periods, values, dt.date(2025, 12, 31), 19, "increase")
    assert p.expected_date == dt.date(2026, 3, 25)
    assert p.reason == "I dagens tempo nås 19 i mars 2026, etter fristen 31.12.2025."


def test_moving_away_never_reaches() -> None:
    periods = every_30_days(12)
    values = [10.0 - 0.5 * k for k in range(12)]
    p = project_to_deadline(periods, values, dt.date(2025, 12, 31), 19, "increase")
    assert p.reaches_target is False
    assert p.expected_date is None
    assert p.reason == "Målet 19 nås ikke i dagens tempo innen fristen 31.12.2025."


def test_flat_at_target_is_met() -> None:
    periods = every_30_days(8)
    p = project_to_deadline(periods, [19.0] * 8, dt.date(2025, 12, 31), 19, "increase")
    assert p.reaches_target is True
    assert p.expected_date is None
    assert "flat" in p.reason


def test_decrease_direction() -> None:
    periods = every_30_days(12)
    values = [30.0 - k for k in range(12)]  # 1 down per 30 days
    p = project_to_deadline(periods, values, dt.date(2025, 12, 31), 5, "decrease")
    # 5 is reached on day 750 = 2026-01-20: just after the deadline.
    assert p.expected_date == dt.date(2026, 1, 20)
    assert p.reaches_target is False
    assert "etter fristen 31.12.2025" in p.reason
    later = project_to_deadline(periods, values, dt.date(2026, 6, 30), 5, "decrease")
    assert later.reaches_target is True


def test_trend_line_already_past_target(rollout) -> None:
    periods, values = rollout
    p = project_to_deadline(periods, values, dt.date(2025, 12, 31), 10, "increase")
    assert p.reaches_target is True
    assert p.expected_date is not None and p.expected_date <= periods[-1]
    assert p.reason.startswith("Trendlinjen har allerede nådd 10")


def test_too_few_points_gives_none() -> None:
    periods = every_30_days(6)
    values = [1.0, None, 2.0, float("nan"), 3.0, None]
    p = project_to_deadline(periods, values, dt.date(2025, 12, 31), 19, "increase")
    assert p.reaches_target is None
    assert p.projected is None and p.lower is None and p.upper is None
    assert p.expected_date is None
    assert p.n_points == 3
    assert p.reason == "For få datapunkter (3) til å framskrive; minst 4 trengs."


def test_four_points_is_enough() -> None:
    periods = every_30_days(4)
    p = project_to_deadline(periods, [1, 2, 4, 5], dt.date(2025, 12, 31), 19, "increase")
    assert p.reaches_target is not None


def test_only_last_window_points_are_used() -> None:
    periods = every_30_days(20)
    # Eight old points rising steeply, then twelve flat ones.
    values = [float(10 * k) for k in range(8)] + [70.0] * 12
    p = project_to_deadline(periods, values, dt.date(2026, 12, 31), 100, "increase")
    assert p.n_points == 12
    assert p.slope_per_year == pytest.approx(0.0, abs=1e-9)
    assert p.reaches_target is False
    assert "12 siste punktene" in p.method
    assert "minste kvadraters metode" in p.method
    assert "80 % prediksjonsintervall" in p.method
    wide = project_to_deadline(periods, values, dt.date(2026, 12, 31), 100, "increase", window=20)
    assert wide.n_points == 20 and wide.slope_per_year > 0


def test_prediction_interval_matches_textbook_formula() -> None:
    rng = np.random.default_rng(1)
    periods = every_30_days(12)
    values = [5 + 0.4 * k + float(rng.normal(0, 1)) for k in range(12)]
    deadline = dt.date(2025, 12, 31)
    p = project_to_deadline(periods, values, deadline, 19, "increase")

    x = np.array([(d - START).days for d in periods], dtype=float)
    y = np.array(values)
    slope, intercept = np.polyfit(x, y, 1)
    x0 = (deadline - START).days
    fit = intercept + slope * x0
    s = np.sqrt(np.sum((y - (intercept + slope * x)) ** 2) / 10)
    se = s * np.sqrt(1 + 1 / 12 + (x0 - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2))
    t = stats.t.ppf(0.9, 10)
    assert p.projected == pytest.approx(fit)
    assert p.lower == pytest.approx(fit - t * se)
    assert p.upper == pytest.approx(fit + t * se)
    assert p.lower < p.projected < p.upper


def test_unsorted_input_and_timestamps(rollout) -> None:
    periods, values = rollout
    shuffled = list(zip(periods, values, strict=True))[::-1]
    stamps = [pd.Timestamp(d) for d, _ in shuffled]
    p = project_to_deadline(stamps, [v for _, v in shuffled], dt.date(2025, 3, 31), 19, "increase")
    assert p.expected_date == dt.date(2025, 6, 24)


def test_neutral_direction_is_not_judged(rollout) -> None:
    periods, values = rollout
    p = project_to_deadline(periods, values, dt.date(2025, 12, 31), 19, "neutral")
    assert p.reaches_target is None
    assert p.projected is not None


def test_decimal_target_uses_norwegian_format() -> None:
    periods = every_30_days(12)
    values = [0.5 + 0.01 * k for k in range(12)]
    p = project_to_deadline(periods, values, dt.date(2030, 1, 1), 0.75, "increase")
    assert "0,75" in p.reason


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        project_to_deadline([START], [1.0, 2.0], START, 1, "increase")
    with pytest.raises(ValueError):
        project_to_deadline([START], [1.0], START, 1, "up")


def test_reason_over_a_hidden_point_keeps_its_words_without_the_crossing_month(rollout) -> None:
    """Projection.shown_reason: the crossing month is computed from the fitted points, so it
    goes where one of them is hidden (protection.figures_or_words); the words stay."""
    periods, values = rollout
    for deadline, words in (
        (dt.date(2025, 3, 31), "I dagens tempo nås 19 etter fristen 31.03.2025."),
        (dt.date(2025, 12, 31), "I dagens tempo nås 19 innen fristen 31.12.2025."),
    ):
        p = project_to_deadline(periods, values, deadline, 19, "increase")
        assert p.shown_reason == p.reason and "juni 2025" in p.reason
        assert dataclasses.replace(p, rests_on_hidden=True).shown_reason == words
    passed = project_to_deadline(periods, values, dt.date(2024, 12, 31), 5, "increase")
    assert "(i " in passed.reason  # «har allerede nådd 5 (i februar 2024)»
    hidden = dataclasses.replace(passed, rests_on_hidden=True).shown_reason
    assert hidden == "Trendlinjen har allerede nådd 5 og går i riktig retning."
