"""The review's «noted, not mended» items (issue 14): one rule where there were two, and the
verdict faults found beside them. Each test pins the shared behaviour or the mended verdict."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import evaluate as E
from analytics import indicator_view as IV
from analytics import series as S
from analytics.plan import Criterion, Target
from analytics.projection import Projection
from tests.support import count_indicator

TODAY = dt.date(2026, 11, 30)
LATER = dt.date(2027, 1, 15)


def test_the_judged_part_carries_the_direction_its_status_and_chart_are_judged_in(demo_board):
    """A neutral indicator (registered falls) with a target «lavere enn 80» is judged downwards,
    a trend on it in no direction; the part says which once (evaluate._numeric_part), and the
    indicator page's chart draws its SPC in that direction (it worked the direction out again,
    beside the verdict's)."""
    plan = demo_board.plan("ahus")
    measure = plan.measure("m11")
    target = Criterion(
        id="m11-falls-under-80",
        text="Registrerte fall",
        kind="target",
        indicators=["falls_registered"],
        target=Target(value=80.0, direction="decrease", basis="test"),
    )
    trend = Criterion(id="m11-falls-trend", text="Fall", kind="trend", indicators=["falls_registered"])
    result = E.evaluate_criterion(demo_board, plan, measure, target, today=TODAY)
    part = result.parts[0]
    assert part.direction == "decrease"
    followed = E.evaluate_criterion(demo_board, plan, measure, trend, today=TODAY)
    assert followed.parts[0].direction == "neutral"
    indicator = part.indicator
    spc, _ = IV._display_spc(
        demo_board, plan, [result], part, indicator, part.series, indicator.grain, part.target, part.data
    )
    # Assessed against the target: an assurance, or one withheld with its reason (the newest
    # point is a special cause: spc._valid_assurance); the chart says the same as the verdict.
    assert part.spc.assurance is not None or part.spc.assurance_note is not None
    assert (spc.assurance, spc.assurance_note) == (part.spc.assurance, part.spc.assurance_note)
    assert spc.points["point_type"].tolist() == part.spc.points["point_type"].tolist()


def _count_rows(spans: dict[str, tuple[str, str]]) -> S.UnitRows:
    """A count without population, 10 events a month in each unit over its (first, last) month."""
    ind = count_indicator(population=None, numerator_age=None, direction="increase", protect_small=False)
    records = []
    for unit, (first, last) in spans.items():
        for start in pd.date_range(first, last, freq="MS"):
            records.append(
                {
                    "unit_id": unit,
                    "period_start": start,
                    "period_end": start + pd.offsets.MonthEnd(0),
                    "value": 10.0,
                    "numerator": 10.0,
                    "denominator": None,
                    "suppressed": False,
                    "population": None,
                    "person_years": None,
                }
            )
    return S.UnitRows(ind, pd.DataFrame(records, columns=S.ROW_COLUMNS), None)


@pytest.mark.backend_free
@pytest.mark.parametrize(
    ("spans", "joined"),
    [
        ({"a": ("2022-01", "2025-12"), "b": ("2023-07", "2025-12")}, ["juli 2023"]),
        ({"a": ("2022-01", "2025-12"), "b": ("2022-01", "2025-12")}, []),
        # a stops when b starts: as many units report, but the sum is over another one.
        ({"a": ("2022-01", "2023-06"), "b": ("2023-07", "2025-12")}, ["juli 2023"]),
        (
            {"a": ("2022-01", "2025-12"), "b": ("2022-09", "2025-12"), "c": ("2024-02", "2025-12")},
            ["september 2022", "februar 2024"],
        ),
    ],
)
def test_units_that_start_reporting_are_found_by_one_rule_for_the_limits_and_the_baseline(spans, joined):
    """The SPC rebase (joined_periods) and the baseline refusal (_late_units) read one source,
    each unit's first row (first_starts): the periods where the limits start again are the
    periods the late units start in, and a unit that starts while another stops is a new set
    of units to both (the rebase read the number of units reporting, and missed it)."""
    data = _count_rows(spans)
    series = S.judged_series(data, "month", LATER)
    assert [str(series["label"].iloc[i]) for i in E.joined_periods(series, data)] == joined
    late = E._late_units(data, dt.date(2022, 1, 1))
    if joined:
        assert late == f"{len(joined)} av {len(spans)} enheter har tall først fra {joined[0]}"
    else:
        assert late is None


@pytest.mark.backend_free
@pytest.mark.parametrize(
    ("changes", "unit"),
    [
        ({}, "per 1 000 innbyggere 65 år og eldre per år"),
        ({"kind": "stock"}, "per 1 000 innbyggere 65 år og eldre"),
        ({"population": None, "numerator_age": None}, None),
    ],
)
def test_a_rate_is_named_with_the_same_words_on_the_axis_and_in_the_reason(changes, unit):
    """evaluate.figure_label (the figure a reason names) was a near-copy of value_label's rate
    text; both now say series.rate_unit's words: «… per 1 000 innbyggere 65 år og eldre per år»
    for a count with population, without «per år» for a stock, and the name alone otherwise."""
    indicator = count_indicator(**changes)
    assert S.rate_unit(indicator) == unit
    if unit is None:
        assert E.figure_label(indicator) == indicator.name
        assert S.value_label(indicator) == "Antall"
    else:
        assert E.figure_label(indicator) == f"{indicator.name} {unit}"
        assert S.value_label(indicator) == unit.capitalize()


def test_the_power_check_asks_for_the_change_in_the_direction_the_target_is_judged_in(demo_board):
    """Registered falls are neutral in the registry; a target «lavere enn 80» asks for a fall.
    The power check read the indicator's own direction and so gave none (no «styrke» in the
    reason, no «for lite data» possible); it now asks whether the series can show a 20 % fall,
    as the verdict is judged downwards. A trend on the same neutral indicator still has none."""
    plan = demo_board.plan("ahus")
    measure = plan.measure("m11")
    target = Criterion(
        id="m11-falls-power-under-80",
        text="Registrerte fall",
        kind="target",
        indicators=["falls_registered"],
        target=Target(value=80.0, direction="decrease", basis="test"),
    )
    check = E.evaluate_criterion(demo_board, plan, measure, target, today=TODAY).parts[0].power
    assert check is not None
    assert check.change < 0 and "nedgang" in check.reason
    trend = Criterion(id="m11-falls-power-trend", text="Fall", kind="trend", indicators=["falls_registered"])
    assert E.evaluate_criterion(demo_board, plan, measure, trend, today=TODAY).parts[0].power is None


def test_a_rollout_interval_wholly_at_the_cap_is_said_plainly(demo_board):
    """LoVeSa l1-k2 (DHO in 15 of 21 municipalities, projected five years on): the 80 %
    interval is clipped at the members at both ends, and the reason read «80 %
    prediksjonsintervall 21 til 21», a forecast of exactly 21; it now says the interval
    reaches the cap. An interval below the cap keeps its figures."""
    plan = demo_board.plan("lovesa")
    measure, criterion = E.criterion_by_id(plan, "l1-k2")
    reason = E.evaluate_criterion(demo_board, plan, measure, criterion, today=TODAY).judgement.reason
    assert "80 % prediksjonsintervall når taket på 21 kommuner ved " in reason
    assert "21 til 21" not in reason
    line = {"reaches_target": True, "expected_date": None, "reason": "", "method": "", "n_points": 8}
    capped = Projection(projected=21.0, lower=21.0, upper=21.0, slope_per_year=1.5, **line)
    below = Projection(projected=20.0, lower=18.0, upper=21.0, slope_per_year=1.5, **line)
    indicator = count_indicator(population=None, numerator_age=None, protect_small=False)
    when = dt.date(2031, 9, 28)
    assert E.interval_text(indicator, capped, when, 21.0) == (
        "80 % prediksjonsintervall når taket på 21 kommuner ved 28.09.2031"
    )
    assert (
        E.interval_text(indicator, below, when, 21.0) == "80 % prediksjonsintervall 18 til 21 ved 28.09.2031"
    )
    # The indicator page's projection line says the same, not «(80 %-intervall 21–21)».
    text = IV.indicator_view(demo_board, "lovesa", "dho_municipalities", today=TODAY).projection_text
    assert "Framskrevet ved horisont (5 år): 21, som er taket (hele 80 %-intervallet ligger der)." in text
    assert "21–21" not in text


@pytest.mark.parametrize(
    ("text", "per"),
    [("Minst 100 tjenesteforløp i IHT per år", "år"), ("Tjenesteforløp i IHT", "kvartal")],
)
def test_a_target_on_a_count_without_population_says_per_what_and_a_yearly_one_sums_the_year(
    demo_board, text, per
):
    """IHT pathways are counted per quarter, with no population. A target «100» was compared
    with one quarter's count whatever the plan meant, and the reason («… 77 av 100 (4. kvartal
    2025)») did not say per what. A criterion that says «per år» is now judged on the year's
    sum (2025: the four quarters), and the reason names the period: «… per år 287 (2025);
    mål 100», or «per kvartal» when the plan says nothing."""
    plan = demo_board.plan("ahus")
    measure = plan.measure("m10")
    criterion = Criterion(
        id=f"m10-pathways-per-{per}",
        text=text,
        kind="target",
        indicators=["iht_pathways"],
        target=Target(value=100.0, basis="test"),
    )
    result = E.evaluate_criterion(demo_board, plan, measure, criterion, today=TODAY)
    part = result.parts[0]
    quarters = S.judged_series(part.data, "quarter", TODAY)
    in_2025 = quarters[quarters["period_start"].dt.year == 2025]
    latest = E.latest_row(part.series)
    if per == "år":
        assert latest["label"] == "2025"
        assert latest["judge_value"] == pytest.approx(in_2025["judge_value"].sum())
    else:
        assert latest["label"] == "4. kvartal 2025"
        assert latest["judge_value"] == pytest.approx(in_2025["judge_value"].iloc[-1])
    shown = S.format_value(part.indicator, latest["judge_value"])
    assert result.judgement.reason.startswith(
        f"Antall tjenesteforløp i IHT per {per} {shown} ({latest['label']}); mål 100"
    )


def test_a_yearly_count_target_is_not_drawn_over_quarterly_counts(demo_board, monkeypatch):
    """The indicator chart shows IHT pathways per quarter. A target «minst 100 per år» is judged
    on the year's sum (evaluate.count_target_grain); a line at 100 over quarterly counts of ~75
    would read as far off, so the chart leaves it out and says why. Without «per år» the target
    is per quarter and is drawn."""
    import copy

    plan = demo_board.plan("ahus")
    measure = plan.measure("m10")

    def with_target(text: str) -> object:
        criterion = Criterion(
            id="m10-k3",
            text=text,
            kind="target",
            indicators=["iht_pathways"],
            target=Target(value=100.0, basis="test"),
        )
        changed = copy.copy(plan)
        changed.__dict__["criteria"] = [(m, c) for m, c in plan.criteria if c.id != "m10-k3"] + [
            (measure, criterion)
        ]
        return changed

    for text, drawn in (("Minst 100 tjenesteforløp i IHT per år", False), ("Minst 100 tjenesteforløp", True)):
        changed = with_target(text)
        monkeypatch.setattr(demo_board, "plan", lambda partnership, changed=changed: changed)
        view = IV.indicator_view(demo_board, "ahus", "iht_pathways", today=TODAY)
        assert view.grain == "quarter" and view.target == 100
        lines = [s for s in view.spc_figure.data if (s.name or "").startswith("Mål")]
        assert bool(lines) is drawn, text
        note = "Målet 100 gjelder summen per år, så det er ikke tegnet over tallene per kvartal; se tabellen per år."
        assert (note in view.window_notes) is not drawn
