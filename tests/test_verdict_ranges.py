"""Issue 13, suppression-aware aggregates: a verdict is judged over the hidden cells' range.

Hidden cells (1–4) of a region or partnership aggregate that no file total resolves are
tried at both ends (analytics.series.verdict_range); the status is kept when both ends agree
and is «Usikker» when they differ (analytics.status.judge_over_range).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import evaluate
from analytics import series as S
from analytics.status import Judgement, Status, judge_over_range
from analytics.store import UploadMeta

TODAY = dt.date(2025, 10, 1)  # before m11's deadline (2025): the trend is judged on all rows
MONTHS = [dt.date(2025, m, 1) for m in range(1, 7)]


def _region_store(board, total: bool = False) -> tuple[str, list[str]]:
    """Hip fractures for one region's members, Jan–Jun 2025; the first two members are
    hidden (suppressed) in June. total: the file's own region total for June is stored too."""
    region = board.regions("ahus")["unit_id"].iloc[0]
    members = S.members_of(board.units, region)
    facts = [("population_65_plus", m, dt.date(2025, 1, 1), "year", 2000.0, False, False) for m in members]
    for month in MONTHS:
        for i, m in enumerate(members):
            hidden = month == MONTHS[-1] and i < 2
            facts.append(("hip_fractures", m, month, "month", None if hidden else 6.0, hidden, False))
    if total:
        facts.append(
            ("hip_fractures", region, MONTHS[-1], "month", 6.0 * (len(members) - 2) + 5, False, True)
        )
    frame = pd.DataFrame(
        facts, columns=["indicator", "unit_id", "period_start", "grain", "value", "suppressed", "file_total"]
    ).assign(numerator=None, denominator=None, source="Test")
    board.store.ingest(frame, UploadMeta("npr.csv", "hash-npr"))
    return region, members


def _evaluate(board, members):
    plan = board.plan("ahus")
    measure, criterion = evaluate.criterion_by_id(plan, "m11-k3")
    scope = evaluate.unit_scope(board, members)
    return evaluate.evaluate_criterion(board, plan, measure, criterion, scope=scope, today=TODAY)


def test_same_status_at_both_ends_is_kept_with_a_note(empty_loader):
    board = empty_loader.board
    _, members = _region_store(board)
    result = _evaluate(board, members)
    series = result.parts[0].series
    june = series.iloc[-1]
    assert june["judge_lower"] < june["judge_value"] < june["judge_upper"]
    # Under 12 points and no baseline test: no change can be shown (README Statusregelen, last row).
    assert result.judgement.status is Status.too_little_data
    reason = result.judgement.reason
    assert "skjulte celler (2) endrer ikke vurderingen" in reason
    low, high = (
        evaluate.range_value(board.registry.get("hip_fractures"), june[c]) for c in ("lower", "upper")
    )
    assert f"juni 2025: mellom {low} og {high} avhengig av skjulte celler" in reason
    assert low.endswith("per 1 000") and low != high


def test_different_status_at_the_ends_is_uncertain_and_names_both(empty_loader, monkeypatch):
    board = empty_loader.board
    _, members = _region_store(board)
    series = _evaluate(board, members).parts[0].series
    june = series.iloc[-1]
    cut = (june["judge_value"] + june["judge_upper"]) / 2  # between the point and the upper end
    real_judge = evaluate.judge

    def by_latest(kind, evidence, due, today):  # a rule that reads the newest judged value
        status = Status.on_track if evidence.latest < cut else Status.off_track
        return Judgement(status, real_judge(kind, evidence, due, today).reason)

    monkeypatch.setattr(evaluate, "judge", by_latest)  # judged again (tests/conftest.py: RulePatch)
    result = _evaluate(board, members)
    assert result.judgement.status is Status.uncertain
    hip = board.registry.get("hip_fractures")
    low, high = (evaluate.range_value(hip, june[c]) for c in ("judge_lower", "judge_upper"))
    reason = result.judgement.reason
    assert reason.startswith(
        f"Skjulte celler (2) kan endre vurderingen: med hver skjult celle lik 1 (juni 2025 {low}) "
        f"blir den «På sporet», lik 4 (juni 2025 {high}) «Ikke på sporet»."
    )
    assert "Ved forventet verdi: " in reason


def test_a_file_total_leaves_no_range(empty_loader):
    board = empty_loader.board
    _, members = _region_store(board, total=True)
    result = _evaluate(board, members)
    june = result.parts[0].series.iloc[-1]
    assert bool(june["from_total"]) and june["judge_lower"] == june["judge_upper"]
    assert evaluate.open_range(result.parts[0].series).empty
    assert "skjulte celler" not in result.judgement.reason.lower()
    assert result.judgement.status is Status.too_little_data


def test_one_municipality_has_no_range(empty_loader):
    board = empty_loader.board
    _, members = _region_store(board)
    result = _evaluate(board, [members[0]])  # its June cell is hidden: missing, not a range
    assert "skjulte celler" not in result.judgement.reason.lower()


POINT = Judgement(Status.on_track, "Antall x 5,0 (juni 2025).")


@pytest.mark.parametrize(
    ("lower", "upper", "status"),
    [
        (Status.on_track, Status.on_track, Status.on_track),
        (Status.on_track, Status.overdue, Status.uncertain),  # not the worse end: Usikker
        (Status.achieved, Status.on_track, Status.uncertain),
    ],
)
def test_judge_over_range_rule(lower, upper, status):
    out = judge_over_range(
        POINT,
        Judgement(lower, "a."),
        Judgement(upper, "b."),
        3,
        "juni 2025",
        "4,9 per 1 000",
        "5,2 per 1 000",
    )
    assert out.status is status
    if status is POINT.status:
        assert out.reason == (
            "Antall x 5,0 (juni 2025); juni 2025: mellom 4,9 per 1 000 og 5,2 per 1 000 avhengig av "
            "skjulte celler; skjulte celler (3) endrer ikke vurderingen."
        )
    else:
        assert f"«{lower.value}»" in out.reason and f"«{upper.value}»" in out.reason
        assert "4,9 per 1 000" in out.reason and "5,2 per 1 000" in out.reason
        assert out.reason.endswith("Ved forventet verdi: Antall x 5,0 (juni 2025).")


def test_judge_over_range_keeps_monitor_and_only_adds_the_range():
    point = Judgement(Status.monitored, "Følges over tid.")
    out = judge_over_range(point, point, point, 1, "2025", "3", "6")
    assert out == Judgement(
        Status.monitored, "Følges over tid; 2025: mellom 3 og 6 avhengig av skjulte celler."
    )
