"""series.covered_months (how many calendar months the distinct periods of some rows cover)
counts as the frame-based version did: latest_end asks it for every «siste 12 mnd» window it
tries, and the baseline comparison for its baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import series as S


def _covered_months_by_frame(frame: pd.DataFrame) -> int:
    """covered_months as it was written with pandas (distinct pairs, calendar months summed)."""
    if frame.empty:
        return 0
    periods = frame[["period_start", "period_end"]].drop_duplicates()
    starts, ends = pd.to_datetime(periods["period_start"]), pd.to_datetime(periods["period_end"])
    months = (ends.dt.year - starts.dt.year) * 12 + ends.dt.month - starts.dt.month + 1
    return int(months.sum())


def test_covered_months_counts_the_distinct_periods_months_as_the_frame_did() -> None:
    rng = np.random.default_rng(14)
    for case in range(200):
        n = int(rng.integers(1, 30))
        starts = (
            (pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 2000, n), unit="D"))
            .to_period("M")
            .to_timestamp()
        )
        ends = starts + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
        frame = pd.DataFrame({"period_start": starts, "period_end": ends})
        if case % 3 == 0:  # the same period on several units' rows
            frame = pd.concat([frame, frame.iloc[: n // 2]])
        if case % 5 == 0:  # a missing day counts nothing
            frame.loc[frame.index[0], "period_end"] = pd.NaT
        if case % 7 == 0:
            frame = frame.astype({"period_start": "datetime64[us]", "period_end": "datetime64[us]"})
        assert S.covered_months(frame) == _covered_months_by_frame(frame)
    year = pd.DataFrame(
        {"period_start": [pd.Timestamp("2025-01-01")] * 3, "period_end": [pd.Timestamp("2025-12-31")] * 3}
    )
    assert S.covered_months(year) == 12
