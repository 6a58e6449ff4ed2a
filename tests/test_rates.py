"""Rates per 1000 and like-for-like comparisons."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from analytics.rates import like_for_like, rate_per_1000

pytestmark = pytest.mark.backend_free


@pytest.fixture
def counts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": ["A", "B", "C", "A", "B", "C"],
            "region": ["nord", "nord", "sør", "nord", "nord", "sør"],
            "year": [2023, 2023, 2023, 2024, 2024, 2024],
            "value": [10.0, 90.0, 5.0, 12.0, math.nan, 6.0],
        }
    )


@pytest.fixture
def population() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": ["A", "B", "C", "A", "B", "C"],
            "year": [2023, 2023, 2023, 2024, 2024, 2024],
            "value": [1000, 30000, 2000, 1000, 30000, 2000],
        }
    )


def test_aggregate_is_sum_over_sum_not_mean_of_rates(counts, population) -> None:
    out = rate_per_1000(counts, population, by=["region"])
    nord = out[(out["region"] == "nord") & (out["year"] == 2023)].iloc[0]
    # A: 10 per 1000, B: 3 per 1000; pooled (10 + 90) / 31000 = 3.23 per 1000.
    assert nord["rate"] == pytest.approx(100 / 31000 * 1000)
    assert nord["rate"] != pytest.approx((10 + 3) / 2)
    assert nord["numerator"] == 100
    assert nord["denominator"] == 31000
    assert nord["n_units"] == 2
    assert not nord["incomplete"]


def test_suppressed_count_gives_incomplete_rate_from_known_units(counts, population) -> None:
    out = rate_per_1000(counts, population, by=["region"])
    nord = out[(out["region"] == "nord") & (out["year"] == 2024)].iloc[0]
    # B is suppressed: only A with its own population, never B as zero.
    assert nord["incomplete"]
    assert nord["n_suppressed"] == 1
    assert nord["numerator"] == 12
    assert nord["denominator"] == 1000
    assert nord["rate"] == pytest.approx(12.0)
    sor = out[(out["region"] == "sør") & (out["year"] == 2024)].iloc[0]
    assert not sor["incomplete"]
    assert sor["rate"] == pytest.approx(3.0)


def test_whole_partnership_per_year(counts, population) -> None:
    out = rate_per_1000(counts, population, by=[])
    assert list(out["year"]) == [2023, 2024]
    assert out["rate"].iloc[0] == pytest.approx(105 / 33000 * 1000)
    assert out["incomplete"].tolist() == [False, True]
    assert list(out.columns) == [
        "year",
        "numerator",
        "denominator",
        "rate",
        "n_units",
        "n_suppressed",
        "incomplete",
    ]


def test_per_unit_rates(counts, population) -> None:
    out = rate_per_1000(counts, population, by=["unit_id"])
    b_2024 = out[(out["unit_id"] == "B") & (out["year"] == 2024)].iloc[0]
    assert math.isnan(b_2024["rate"]) and math.isnan(b_2024["numerator"])
    assert b_2024["incomplete"]


def test_missing_population_is_treated_as_unknown(counts, population) -> None:
    out = rate_per_1000(counts, population[population["unit_id"] != "C"], by=[])
    row = out[out["year"] == 2023].iloc[0]
    assert row["incomplete"]
    assert row["rate"] == pytest.approx(100 / 31000 * 1000)


def test_duplicate_rows_are_refused(counts, population) -> None:
    with pytest.raises(ValueError):
        rate_per_1000(pd.concat([counts, counts.head(1)]), population, by=[])
    with pytest.raises(ValueError):
        rate_per_1000(counts, pd.concat([population, population.head(1)]), by=[])
    with pytest.raises(ValueError):
        rate_per_1000(counts, population, by=["kommune"])


@pytest.fixture
def monthly() -> pd.DataFrame:
    rows = []
    for unit in ("A", "B"):
        for year in (2024, 2025):
            for month in range(1, 13):
                if year == 2025 and month > 9:
                    continue  # not yet reported
                value = 10.0 if year == 2024 else 12.0
                rows.append(
                    {
                        "unit_id": unit,
                        "month": dt.date(year, month, 1),
                        "value": value,
                    }
                )
    return pd.DataFrame(rows)


def test_like_for_like_compares_same_months(monthly) -> None:
    out = like_for_like(monthly, dt.date(2025, 9, 30))
    row = out.iloc[0]
    assert len(out) == 1
    assert row["year"] == 2025 and row["previous_year"] == 2024
    assert row["months"] == 9
    # Nine months each: 2 units × 9 × 12 against 2 units × 9 × 10 (not 12 months).
    assert row["value"] == 216
    assert row["previous_value"] == 180
    assert row["change"] == 36
    assert row["change_pct"] == pytest.approx(20.0)
    assert row["partial"]
    assert row["label"] == "delvis år"
    assert row["period_label"] == "jan.–sep."
    assert not row["incomplete"]


def test_like_for_like_by_group(monthly) -> None:
    out = like_for_like(monthly, dt.date(2025, 3, 15), by=["unit_id"])
    assert out["unit_id"].tolist() == ["A", "B"]
    assert out["value"].tolist() == [36, 36]
    assert out["previous_value"].tolist() == [30, 30]
    assert out["period_label"].tolist() == ["jan.–mars"] * 2


def test_like_for_like_full_year(monthly) -> None:
    out = like_for_like(monthly, dt.date(2024, 12, 31))
    row = out.iloc[0]
    assert not row["partial"]
    assert row["label"] == "helt år"
    assert row["value"] == 240
    # No 2023 data at all: nothing to compare with.
    assert row["incomplete"]
    assert math.isnan(row["change"])


def test_like_for_like_suppressed_month_is_incomplete(monthly) -> None:
    idx = monthly[(monthly["unit_id"] == "A") & (monthly["month"] == dt.date(2024, 2, 1))].index
    monthly.loc[idx, "value"] = math.nan
    out = like_for_like(monthly, dt.date(2025, 9, 30), by=["unit_id"])
    a, b = out.iloc[0], out.iloc[1]
    assert a["incomplete"] and math.isnan(a["change"])
    assert a["previous_value"] == 80  # known months only
    assert not b["incomplete"] and b["change"] == 18
