"""series.aggregate's one-group path (a 12-month window, a baseline) gives what the grouped path
gives: the same counts, dtypes and dates, and sums equal to the last bit or within 1e-12."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.series import _grouped, _one_group


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
