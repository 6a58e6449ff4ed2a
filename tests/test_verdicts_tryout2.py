"""A statistician's second try-out of the verdicts (the «verdicts2» task): each test is a
scenario with a known right answer where the board gave a wrong KIND of verdict, figure or
text, small inline data, checked against the rule's source."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import evaluate
from analytics.evaluate import evaluate_criterion, unit_scope
from analytics.status import Status
from analytics.store import UploadMeta


def _ingest(board, indicator: str, unit: str, starts, values, denominators=None, name: str = "t") -> None:
    """Rows for one unit; with ``denominators`` the values are numerators of a share (per cent)."""
    rows = [
        {
            "indicator": indicator,
            "unit_id": unit,
            "period_start": start,
            "grain": board.registry.get(indicator).grain,
            "value": float(v) if denominators is None else 100 * v / denominators[i],
            "numerator": None if denominators is None else float(v),
            "denominator": None if denominators is None else float(denominators[i]),
            "suppressed": False,
            "source": "test",
        }
        for i, (start, v) in enumerate(zip(starts, values, strict=True))
    ]
    board.store.ingest(pd.DataFrame(rows), UploadMeta(file_name=name, file_hash=name))


@pytest.mark.parametrize(
    ("today", "old"),
    [(dt.date(2026, 3, 1), Status.overdue), (dt.date(2025, 10, 15), Status.uncertain)],
)
def test_a_trend_without_baseline_figures_and_under_12_points_is_too_little_data(empty_loader, today, old):
    """«Antall pasienter som er inkludert» (Ahus m07-k2, trend, frist 2025) on a count that
    starts in 2024: no figure in the baseline (2022–2023), so the exact test against the
    baseline cannot be made, and 7 quarters are fewer than the 12 points an XmR chart needs
    (NHS Making Data Count; NHSRplotthedots warns below 12). Nothing in the data could have
    shown an improvement, so «ingen påvist forbedring» is no finding: README «Statusregelen»,
    last row: «For lite data» when the series cannot show the change asked for, never
    «Forsinket» (and not «Usikker» before the deadline). The reason names the missing data.
    The board said «Forsinket» after the deadline and «Usikker» before it."""
    board = empty_loader.board
    plan = board.plan("ahus")
    measure, criterion = evaluate.criterion_by_id(plan, "m07-k2")
    unit = board.member_ids("ahus")[0]
    starts = list(pd.date_range("2024-04-01", periods=7, freq="QS").date)
    _ingest(board, "fact_young_patients", unit, starts, [10, 12, 15, 14, 18, 20, 22])
    result = evaluate_criterion(board, plan, measure, criterion, scope=unit_scope(board, [unit]), today=today)
    status, reason = result.judgement.status, result.judgement.reason
    assert status is not old
    assert status is Status.too_little_data
    assert "ingen tall for grunnlinjen" in reason
    assert "minst 12" in reason
