"""Directly age-standardised rates against the registry's standard population (ESP 2013)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import config
from analytics import rates as R
from analytics.board import Board
from analytics.registry import age_problem
from analytics.store import UploadMeta

BANDS = {"65-66": "hf_65_66", "67-79": "hf_67_79", "80+": "hf_80_plus"}


def test_esp2013_file_is_the_published_standard():
    standard = R.read_standard(config.REFERENCE_DIR / "standard_population_esp2013.csv")
    assert standard["weight"].sum() == 100_000 and len(standard) == 21
    assert standard.iloc[-1]["age_from"] == 95 and pd.isna(standard.iloc[-1]["age_to"])


def test_weights_split_standard_bands_by_years_of_age():
    standard = R.read_standard(config.REFERENCE_DIR / "standard_population_esp2013.csv")
    weights = R.standard_weights([(65, 66), (67, 79), (80, None)], standard)
    # 65–69 (5 500) is cut at 67: 2/5 and 3/5; 70–74 5 000 and 75–79 4 000; 80+ adds to 5 000
    assert list(weights) == pytest.approx([2200, 3300 + 5000 + 4000, 2500 + 1500 + 800 + 200])
    every = R.standard_weights([(0, 17), (18, 66), (67, 79), (80, None)], standard)
    assert every.sum() == pytest.approx(100_000)


def test_one_band_gives_the_exact_poisson_interval():
    rate, low, high = R.direct_standardised_rate([30], [10_000], [1])
    assert rate == pytest.approx(3.0)
    assert low == pytest.approx(stats.chi2.ppf(0.025, 60) / 2 / 10_000 * 1000)
    assert high == pytest.approx(stats.chi2.ppf(0.975, 62) / 2 / 10_000 * 1000)


def test_same_age_specific_rates_give_the_same_standardised_rate_whatever_the_age_structure():
    weights = [2200, 12300, 5000]
    specific = np.array([2.0, 6.0, 30.0]) / 1000  # per person-year
    young = np.array([4000.0, 12000.0, 2000.0])
    old = np.array([2000.0, 9000.0, 6000.0])
    young_rate, *_ = R.direct_standardised_rate(specific * young, young, weights)
    old_rate, *_ = R.direct_standardised_rate(specific * old, old, weights)
    assert young_rate == pytest.approx(old_rate)
    assert (specific * old).sum() / old.sum() > (
        specific * young
    ).sum() / young.sum()  # the crude rates differ


def test_demo_hip_fractures_say_why_there_is_no_standardised_rate(demo_board):
    result = R.age_standardised(
        demo_board,
        demo_board.registry.get("hip_fractures"),
        demo_board.member_ids("ahus"),
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )
    assert result.rate is None
    assert result.text == (
        "Aldersstandardisert rate kan ikke regnes ut: antallet leveres bare samlet for 65 år og eldre, "
        "ikke fordelt på aldersgrupper."
    )


def _board_with_split(empty_loader) -> Board:
    board = empty_loader.board
    hip = board.registry.get("hip_fractures").model_copy(update={"numerator_by_age": BANDS})
    bands = [
        hip.model_copy(
            update={"id": ident, "population": None, "numerator_age": band, "numerator_by_age": None}
        )
        for band, ident in BANDS.items()
    ]
    indicators = [hip if i.id == "hip_fractures" else i for i in board.registry.indicators]
    registry = board.registry.model_copy(update={"indicators": [*indicators, *bands]})
    assert age_problem(registry, hip) is None
    return Board(registry=registry, plans=board.plans, units=board.units, store=board.store)


def test_split_counts_give_a_standardised_rate_with_65_66_derived(empty_loader):
    board = _board_with_split(empty_loader)
    units = ["3205", "3207"]
    population = {"population_65_plus": 3000.0, "population_67_79": 2000.0, "population_80_plus": 600.0}
    facts = [
        (ident, unit, dt.date(2025, 1, 1), "year", value)
        for ident, value in population.items()
        for unit in units
    ]
    counts = {"hf_65_66": 1.0, "hf_67_79": 6.0, "hf_80_plus": 12.0}
    months = pd.date_range("2025-01-01", "2025-12-01", freq="MS")
    facts += [
        (ident, unit, m.date(), "month", value)
        for ident, value in counts.items()
        for unit in units
        for m in months
    ]
    frame = pd.DataFrame(facts, columns=["indicator", "unit_id", "period_start", "grain", "value"])
    frame = frame.assign(numerator=None, denominator=None, suppressed=False, source="Test")
    board.store.ingest(frame, UploadMeta("split.csv", "hash-split"))
    result = R.age_standardised(
        board, board.registry.get("hip_fractures"), units, dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    )
    assert result.reason is None and result.standard.startswith("Europeisk standardbefolkning 2013")
    bands = result.bands.set_index("band")
    # 65–66 = 65+ − 67–79 − 80+ = 400 per unit; a whole year of person-years
    assert bands.loc["65-66", "person_years"] == pytest.approx(800)
    per_1000 = [24 / 800 * 1000, 144 / 4000 * 1000, 288 / 1200 * 1000]
    expected = np.dot([2200, 12300, 5000], per_1000) / 19500
    assert result.rate == pytest.approx(expected)
    assert result.crude == pytest.approx((24 + 144 + 288) / 6000 * 1000)
    assert result.lower < result.rate < result.upper
    assert result.text.startswith("Aldersstandardisert rate ")
