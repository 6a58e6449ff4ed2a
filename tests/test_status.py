"""The status rule by criterion kind, and the roll-up."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.status import Evidence, Status, judge, roll_up

pytestmark = pytest.mark.backend_free

DUE = dt.date(2025, 12, 31)
BEFORE = dt.date(2025, 6, 1)
AFTER = dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("state", "today", "expected"),
    [
        ("Oppnådd", AFTER, Status.achieved),
        ("Pågår", BEFORE, Status.on_track),
        ("Ikke startet", BEFORE, Status.uncertain),
        ("Pågår", AFTER, Status.overdue),
        (None, BEFORE, Status.no_data),
        (None, AFTER, Status.overdue),
    ],
)
def test_milestone(state, today, expected):
    assert judge("milestone", Evidence(milestone_state=state), DUE, today).status is expected


def test_target_reached_is_achieved_with_reason():
    result = judge("target", Evidence(latest=19, target=19, target_text="Antall kommuner"), DUE, BEFORE)
    assert result.status is Status.achieved
    assert "Antall kommuner 19 av 19" in result.reason


@pytest.mark.parametrize(
    ("in_time", "expected"), [(True, Status.on_track), (False, Status.off_track), (None, Status.uncertain)]
)
def test_target_uses_projection_before_deadline(in_time, expected):
    evidence = Evidence(latest=9, target=19, projected_in_time=in_time, projection_text="i dagens tempo …")
    assert judge("target", evidence, DUE, BEFORE).status is expected


def test_target_not_reached_after_deadline_is_overdue():
    assert judge("target", Evidence(latest=9, target=19), DUE, AFTER).status is Status.overdue


def test_target_lower_is_better():
    evidence = Evidence(latest=4, target=5, lower_is_better=True)
    assert judge("target", evidence, DUE, BEFORE).status is Status.achieved


def test_no_data():
    assert judge("target", Evidence(), DUE, BEFORE).status is Status.no_data
    assert judge("trend", Evidence(), DUE, BEFORE).status is Status.no_data


@pytest.mark.parametrize(
    ("improving", "worsening", "today", "expected"),
    [
        (True, False, BEFORE, Status.on_track),
        (True, False, AFTER, Status.achieved),
        (False, True, BEFORE, Status.off_track),
        (False, False, BEFORE, Status.uncertain),
        (False, False, AFTER, Status.overdue),
    ],
)
def test_trend(improving, worsening, today, expected):
    evidence = Evidence(latest=1.0, improving=improving, worsening=worsening)
    assert judge("trend", evidence, DUE, today).status is expected


def test_coverage_counts_units():
    assert (
        judge("coverage", Evidence(latest=1, units_with=5, units_in_scope=5), DUE, BEFORE).status
        is Status.achieved
    )
    assert (
        judge("coverage", Evidence(latest=1, units_with=3, units_in_scope=5), DUE, AFTER).status
        is Status.overdue
    )


def test_before_after_without_comparison_is_never_achieved():
    # Issue 13, case 3: DHO bed days 8,9 → 8,8 with no comparison group (regression to the mean).
    lower = Evidence(before=8.9, after=8.8, lower_is_better=True)
    result = judge("before_after", lower, DUE, BEFORE)
    assert result.status is Status.uncertain
    assert "ukontrollert før–etter" in result.reason
    higher = Evidence(before=6.0, after=9.0, lower_is_better=True)
    assert judge("before_after", higher, DUE, BEFORE).status is Status.off_track


@pytest.mark.parametrize(
    ("better", "expected"), [(True, Status.achieved), (False, Status.off_track), (None, Status.uncertain)]
)
def test_before_after_with_comparison_follows_the_test(better, expected):
    evidence = Evidence(
        before=8.9,
        after=6.0,
        lower_is_better=True,
        controlled=True,
        did_better=better,
        did_text="forskjell …",
    )
    assert judge("before_after", evidence, DUE, AFTER).status is expected


def test_monitor_is_followed_not_judged():
    assert judge("monitor", Evidence(latest=3), DUE, AFTER).status is Status.monitored


def test_continuous_deadline_never_overdue():
    assert judge("milestone", Evidence(milestone_state="Pågår"), None, AFTER).status is Status.on_track


def test_roll_up_worst_wins_and_missing_never_hides_red():
    assert roll_up([Status.achieved, Status.off_track, Status.no_data]) is Status.off_track
    assert roll_up([Status.achieved, Status.no_data]) is Status.no_data
    assert roll_up([Status.achieved, Status.on_track]) is Status.on_track
    assert roll_up([Status.overdue, Status.off_track]) is Status.overdue
    assert roll_up([Status.monitored, Status.achieved]) is Status.achieved
    assert roll_up([Status.monitored]) is Status.monitored
    assert roll_up([]) is Status.no_data
