"""series.aggregate's one-group path (a 12-month window, a baseline) gives what the grouped path
gives: the same counts, dtypes and dates, and sums equal to the last bit or within 1e-12."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.series import _grouped, _one_group

pytestmark = pytest.mark.backend_free


def _frame(rng: np.random.Generator, n: int, missing: float) -> pd.DataFrame:
    starts = pd.date_range("2020-01-01", periods=n, freq="MS")
    values = rng.random(n) * rng.choice([1.0, 1_000.0, 1e6])
    values[rng.random(n) < missing] = np.nan
    known = rng.random(n) > 0.2
    hidden = ~known & (rng.random(n) > 0.5)
    return pd.DataFrame(
        {
            "unit_id": pd.array(rng.choice(["0301", "3201", "3203"], n), dtype="string"),
            "period_start": starts,
            "period_end": starts + pd.offsets.MonthEnd(0),
            "_num": values,
            "_low": values - 0.5,
            "_high": values + 0.5,
            "_den": np.where(rng.random(n) < missing, np.nan, rng.random(n) * 5_000),
            "_known": known,
            "_counted": known | hidden,
            "_hidden": hidden,
            "_open": hidden & (rng.random(n) > 0.5),
            "_key": 0,
        }
    )


@pytest.mark.parametrize("missing", [0.0, 0.3, 1.0])
def test_one_group_equals_the_grouped_reduction(missing):
    rng = np.random.default_rng(14)
    for n in (1, 2, 5, 12, 24, 400, 4_300):
        df = _frame(rng, n, missing)
        fast, grouped = _one_group(df), _grouped(df, [])
        assert list(fast.columns) == list(grouped.columns)
        assert list(fast.dtypes) == list(grouped.dtypes), n
        exact = [c for c in fast.columns if not pd.api.types.is_float_dtype(fast[c])]
        pd.testing.assert_frame_equal(fast[exact], grouped[exact], check_exact=True)
        floats = [c for c in fast.columns if c not in exact]
        pd.testing.assert_frame_equal(fast[floats], grouped[floats], check_exact=False, rtol=1e-12, atol=0)


def _rows(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Rows of one unit, one per month: missing and suppressed values, -0.0, missing population."""
    starts = pd.date_range("2021-01-01", periods=n, freq="MS")
    value = rng.integers(0, 40, n).astype(float)
    value[rng.random(n) < 0.2] = np.nan
    value[rng.random(n) < 0.1] = -0.0
    population = rng.random(n) * 9_000
    population[rng.random(n) < 0.15] = np.nan
    return pd.DataFrame(
        {
            "unit_id": pd.array(["3201"] * n, dtype="string"),
            "period_start": starts,
            "period_end": starts + pd.offsets.MonthEnd(0),
            "value": value,
            "numerator": value,
            "denominator": rng.random(n) * 50,
            "suppressed": rng.random(n) < 0.3,
            "population": population,
            "person_years": population / 12,
            "estimate": rng.random(n) * 4 + 0.5,
        }
    ).sample(frac=1.0, random_state=3)  # unsorted: the groups come back in key order


@pytest.mark.parametrize("kind", ["count", "share", "score"])
@pytest.mark.parametrize("population", ["population_65_plus", None])
def test_one_row_groups_equal_the_grouped_reduction(kind, population):
    """aggregate's path for one row per group (a municipality's own series) gives exactly what
    the grouped sums give: values to the last bit, dtypes, key order."""
    from analytics.series import AGG_COLUMNS, _finish, _one_row_per_group, _parts, _per_row
    from tests.support import count_indicator

    indicator = count_indicator(kind=kind, population=population)
    rng = np.random.default_rng(7)
    for n in (1, 3, 40):
        rows = _rows(rng, n)
        keys = ["period_start"]
        parts = _parts(rows, indicator, None)
        order = _one_row_per_group(rows, keys)
        assert order is not None
        fast = _finish(_per_row(rows, parts, keys, order), keys, kind, bool(population))
        frame = rows[["unit_id", "period_start", "period_end"]].assign(**parts, _key=0)
        grouped = _finish(_grouped(frame, keys), keys, kind, bool(population))
        assert list(fast.columns) == ["period_start", *AGG_COLUMNS]
        pd.testing.assert_frame_equal(fast, grouped, check_exact=True)
        assert (np.signbit(fast["numerator"].dropna()) == np.signbit(grouped["numerator"].dropna())).all()


def test_one_row_per_group_only_for_distinct_keys():
    from analytics.series import _one_row_per_group

    rows = pd.DataFrame({"period": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-03-01"])})
    assert _one_row_per_group(rows, ["period"]) is None
    assert _one_row_per_group(rows.iloc[:2], ["period"]).tolist() == [1, 0]
    assert _one_row_per_group(rows.iloc[:2].assign(unit_id="1"), ["unit_id", "period"]) is None
    assert _one_row_per_group(pd.DataFrame({"period": [pd.NaT]}), ["period"]) is None


@pytest.mark.parametrize("grain", ["month", "quarter", "year"])
def test_truncate_equals_the_calendar_reading(grain):
    """series.truncate in numpy gives the period starts pandas' calendar fields give."""
    from analytics.series import truncate

    stamps = pd.Series(
        pd.to_datetime(["1969-11-30", "2024-02-29", "2024-03-31", "2024-04-01", "2025-12-31", None]),
        index=[4, 5, 6, 7, 8, 9],
    ).astype("datetime64[ns]")
    month = {"month": stamps.dt.month, "quarter": (stamps.dt.month - 1) // 3 * 3 + 1, "year": 1}[grain]
    expected = pd.to_datetime({"year": stamps.dt.year, "month": month, "day": 1})
    pd.testing.assert_series_equal(truncate(stamps, grain), expected, check_exact=True)
