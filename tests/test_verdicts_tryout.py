"""A statistician's try-out of the verdicts on data with a known right answer (the «verdicts»
task): each test is a scenario where the board gave a wrong KIND of figure or verdict, small
inline data, checked against the rule's source."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analytics import evaluate as E
from analytics import series as S
from analytics.periods import period_end
from analytics.plan import Baseline, Criterion, Target
from analytics.status import Status
from tests.support import count_indicator

LATER = dt.date(2027, 1, 15)


def fraction_rows(
    records: list[tuple], grain: str = "month", population: float | None = None
) -> pd.DataFrame:
    """(unit, 'YYYY-MM-DD', numerator, denominator) at ``grain``; a share's value in per cent,
    or with ``population`` a count whose denominator is the period's person-years."""
    out = []
    for unit, start, numerator, denominator in records:
        start = pd.Timestamp(start)
        end = pd.Timestamp(period_end(start.date(), grain))
        years = None if population is None else population * ((end - start).days + 1) / 365
        out.append(
            {
                "unit_id": unit,
                "period_start": start,
                "period_end": end,
                "value": 100 * numerator / denominator if population is None else numerator,
                "numerator": float(numerator),
                "denominator": float(denominator) if population is None else None,
                "suppressed": False,
                "population": population,
                "person_years": years,
            }
        )
    return pd.DataFrame(out, columns=S.ROW_COLUMNS)


def relative_target(change: float, year: int | None = 2023) -> Criterion:
    basis = "test"
    return Criterion(
        id="k",
        text="k",
        kind="target",
        indicators=["x"],
        baseline_year=year,
        target=Target(relative_change=change, basis=basis),
    )


@pytest.mark.backend_free
def test_a_relative_target_on_a_share_starts_from_the_pooled_share_of_the_baseline_year():
    """«50 % higher than in 2023» on a share: the 2023 level is all the year's numerators over all
    its denominators (as every level on the board, README «Statusregelen»: «summerte tellere over
    summerte personår, aldri snitt av rater»), not the mean of 12 monthly shares. Eleven months of
    1 of 10 and one of 90 of 100 is 101 of 210 = 48,1 % (the mean of the monthly shares is 16,7 %),
    so the target is 72,1 %, not 25 %."""
    ind = count_indicator(kind="share", population=None, numerator_age=None, direction="increase")
    records = [("a", f"2023-{m:02d}-01", 1, 10) for m in range(1, 12)] + [("a", "2023-12-01", 90, 100)]
    records += [("a", f"2024-{m:02d}-01", 40, 100) for m in range(1, 13)]
    series = S.judged_series(S.UnitRows(ind, fraction_rows(records), None), "month", LATER)
    target, note = E._target(None, relative_target(0.5), ind, series, E.Scope(("a",), 1))
    assert target == pytest.approx(1.5 * 100 * 101 / 210)
    assert note == "mål: 50 % over grunnlinjen 2023"


@pytest.mark.backend_free
def test_a_relative_target_on_a_rate_starts_from_summed_events_over_summed_person_years():
    """A count per 1 000 per year with a population that halves in the last quarter of the
    baseline year (a municipality split): the 2023 rate is 2023's events over 2023's
    person-years, not the mean of four quarterly rates."""
    ind = count_indicator(grain="quarter", direction="decrease")
    big = fraction_rows([("a", f"2023-{m:02d}-01", 30, 0) for m in (1, 4, 7)], "quarter", population=4000)
    small = fraction_rows([("a", "2023-10-01", 30, 0)], "quarter", population=1000)
    later = fraction_rows([("a", f"2024-{m:02d}-01", 10, 0) for m in (1, 4, 7, 10)], "quarter", 1000)
    series = S.judged_series(S.UnitRows(ind, pd.concat([big, small, later]), None), "quarter", LATER)
    first = series[series["period_start"].dt.year == 2023]
    pooled = 1000 * first["numerator"].sum() / first["denominator"].sum()
    assert not np.isclose(pooled, first["value"].mean())  # the scenario tells the two apart
    target, _ = E._target(None, relative_target(-0.2), ind, series, E.Scope(("a",), 1))
    assert target == pytest.approx(0.8 * pooled)


def flat_count(first_b: tuple[int, int]) -> S.UnitRows:
    """Two units with 10 events every month to December 2025 (a count without population): a
    from January 2022, b from ``first_b`` (year, month)."""
    ind = count_indicator(population=None, numerator_age=None, direction="increase", protect_small=False)
    months = [(y, m) for y in (2022, 2023, 2024, 2025) for m in range(1, 13)]
    records = [("a", f"{y}-{m:02d}-01", 10, 1) for y, m in months]
    records += [("b", f"{y}-{m:02d}-01", 10, 1) for y, m in months if (y, m) >= first_b]
    rows = fraction_rows(records).assign(denominator=np.nan, value=lambda d: d["numerator"])
    return S.UnitRows(ind, rows, None)


BASELINE = Baseline(**{"from": "2022-01", "to": "2023-12"})
END = pd.Timestamp("2025-12-31")


@pytest.mark.backend_free
def test_a_count_without_population_is_not_compared_with_a_baseline_some_units_started_inside():
    """Flat in every unit, but b reports from July 2023: the baseline's sum (300 in 24 months,
    150 per 12) against 240 was a «statistically sure» rise (p < 0,001) that is only b's
    arrival. Like with like, the comparison (and with it «forbedring» by the test) is refused
    and the reason says why; from January 2022 in both units there is no change."""
    late = E.baseline_comparison(flat_count((2023, 7)), BASELINE, END)
    assert late.baseline is None and late.p_value is None
    assert late.note.startswith("1 av 2 enheter har tall først fra juli 2023, etter starten av grunnlinjen")
    same = E.baseline_comparison(flat_count((2022, 1)), BASELINE, END)
    assert same.baseline == pytest.approx(240, rel=0.01) and not same.significant


@pytest.mark.parametrize(("value", "expected"), [(80.0, Status.overdue), (120.0, Status.achieved)])
def test_a_target_on_a_neutral_indicator_is_judged_in_the_direction_the_target_asks_for(
    demo_board, value, expected
):
    """Registered falls per 1 000 aged 65+ (neutral in the registry: more may mean better
    reporting) with a decided target «lavere enn» a value: the demo's 2025 is 100,0 (95 % KI
    98,0 til 102,1). «Under 80» is not reached (it was «Oppnådd»: read as «at least 80»), and
    «under 120» is (it was «Forsinket»)."""
    plan = demo_board.plan("ahus")
    measure = plan.measure("m11")
    criterion = Criterion(
        id=f"m11-falls-under-{value:.0f}",
        text="Registrerte fall",
        kind="target",
        indicators=["falls_registered"],
        target=Target(value=value, direction="decrease", basis="test"),
    )
    result = E.evaluate_criterion(demo_board, plan, measure, criterion, today=dt.date(2026, 11, 30))
    assert result.judgement.status is expected, result.judgement.reason


@pytest.mark.backend_free
def test_units_that_start_reporting_a_count_without_population_start_new_spc_limits():
    """The same flat data as above: the sum steps from 10 to 20 a month in July 2023, which the
    XmR chart read as a special cause («Forbedring»: a run of 7 above the mean) though no unit
    changed. From July 2023 the sum is over another set of units, so new limits start there
    (NHSRplotthedots ``rebase``), and the step is no improvement. A rate is not split."""
    data = flat_count((2023, 7))
    series = S.judged_series(data, "month", LATER)
    limits = E.limits_for(series, BASELINE, None, data)
    july = int(np.flatnonzero(series["period_start"] == pd.Timestamp("2023-07-01"))[0])
    assert limits.breaks == (july - limits.start,)
    assert "nye grenser fra juli 2023, da flere enheter begynte å rapportere" in limits.note
    spc = E.judged_spc(series, "increase", None, limits)
    assert spc.variation is None or not spc.variation.startswith("improvement")
    assert not (spc.points["point_type"] == "special_cause_improvement").any()
    rate = count_indicator(direction="increase")
    assert E.limits_for(series, BASELINE, None, S.UnitRows(rate, data.rows, None)).breaks == ()


@pytest.mark.backend_free
def test_a_relative_target_without_a_baseline_year_starts_from_the_baseline_window():
    """«50 % higher than the baseline» with no ``baseline_year``: the criterion's baseline window
    (here 2022–2023) is the baseline, pooled as above. It was «målet er ikke tallfestet» (no
    target, so «Mangler data») with two years of figures in the window."""
    ind = count_indicator(kind="share", population=None, numerator_age=None, direction="increase")
    records = [("a", f"{y}-{m:02d}-01", 2, 10) for y in (2022, 2023) for m in range(1, 13)]
    records += [("a", f"2024-{m:02d}-01", 40, 100) for m in range(1, 13)]
    series = S.judged_series(S.UnitRows(ind, fraction_rows(records), None), "month", LATER)
    criterion = relative_target(0.5, year=None)
    target, note = E._target(None, criterion, ind, series, E.Scope(("a",), 1), BASELINE)
    assert target == pytest.approx(30.0)
    assert note == f"mål: 50 % over grunnlinjen {BASELINE.text}"


def test_a_relative_target_without_a_baseline_year_is_judged_on_loaded_data(demo_board):
    """Hip fractures per 1 000 aged 65+ «10 % lower than the baseline», no baseline_year: judged
    against the default baseline window's rate, not «Mangler data»."""
    plan = demo_board.plan("ahus")
    measure = plan.measure("m11")
    criterion = Criterion(
        id="m11-hip-minus-10",
        text="Hoftebrudd",
        kind="target",
        indicators=["hip_fractures"],
        target=Target(relative_change=-0.1, basis="test"),
    )
    result = E.evaluate_criterion(demo_board, plan, measure, criterion, today=dt.date(2026, 11, 30))
    assert result.judgement.status is not Status.no_data, result.judgement.reason
    assert result.parts[0].target_note.startswith("mål: 10 % under grunnlinjen ")


def test_a_target_on_a_rate_names_the_figure_as_a_rate(demo_board):
    """The reason of a target on hip fractures per 1 000 aged 65+ began «Antall hoftebrudd 5,9
    (desember 2025)», which reads as 5,9 fractures; the figure is a rate, and the reason says so
    as a trend's does («… per 1 000 innbyggere 65 år og eldre per år»)."""
    plan = demo_board.plan("ahus")
    measure = plan.measure("m11")
    criterion = Criterion(
        id="m11-hip-under-7",
        text="Hoftebrudd",
        kind="target",
        indicators=["hip_fractures"],
        target=Target(value=7.0, direction="decrease", basis="test"),
    )
    result = E.evaluate_criterion(demo_board, plan, measure, criterion, today=dt.date(2026, 11, 30))
    indicator = demo_board.registry.get("hip_fractures")
    assert result.judgement.reason.startswith(f"{indicator.name} {indicator.rate_label} per år ")
