"""Issue 13: verdicts a statistician would sign. One test (or more) per case of the issue."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import clock, evaluate, power
from analytics.evaluate import (
    Limits,
    difference_in_differences,
    evaluate_criterion,
    evaluate_plan,
    interval_text,
    judged_spc,
    limits_for,
    projection_band,
    unit_scope,
)
from analytics.icons import NO_SPC
from analytics.plan import Baseline, ComparisonGroup, Plan, PlanError, load_plan
from analytics.projection import project_to_deadline
from analytics.status import SEVERITY, STATUS_STYLE, Evidence, Status, judge
from analytics.store import UploadMeta

ROOT = Path(__file__).resolve().parent.parent
NOW = clock.today()


def _with(plan: Plan, measure_id: str, criterion_id: str, **changes) -> Plan:
    """A copy of the plan with one criterion (and its measure's deadline) changed."""
    raw = plan.model_dump(by_alias=True)
    for measure in raw["measures"]:
        if measure["id"] == measure_id:
            measure["deadline"] = changes.pop("deadline", measure["deadline"])
            for criterion in measure["criteria"]:
                if criterion["id"] == criterion_id:
                    criterion.update(changes)
    return Plan.model_validate(raw)


def _ingest(board, indicator: str, unit: str, starts, values, numerators=None, denominators=None, name="t"):
    rows = [
        {
            "indicator": indicator,
            "unit_id": unit,
            "period_start": start,
            "grain": board.registry.get(indicator).grain,
            "value": float(v),
            "numerator": None if numerators is None else float(numerators[i]),
            "denominator": None if denominators is None else float(denominators[i]),
            "suppressed": False,
            "source": "test",
        }
        for i, (start, v) in enumerate(zip(starts, values, strict=True))
    ]
    board.store.ingest(pd.DataFrame(rows), UploadMeta(file_name=name, file_hash=name))


# -- case 1: enough data, or say so ------------------------------------------------------------


def test_power_rule_follows_the_events_per_period():
    # 24 months baseline, 12 months window, a 20 % fall: rare events cannot show it.
    assert power.count_power(2.0, 24, 12, -0.2) < 0.3
    assert power.count_power(60.0, 24, 12, -0.2) > 0.95
    check = power.check_counts(2.0 * 24, 24, "month", -0.2, single_unit=True)
    assert not check.enough
    assert "helsefellesskapet samlet i stedet for kommunen" in check.reason
    assert check.needed_per_period and 20 < check.needed_per_period < 30
    # The solved level gives the promised power.
    assert power.count_power(check.needed_per_period, 24, 12, -0.2) == pytest.approx(power.POWER, abs=1e-6)
    assert power.check_counts(60.0 * 24, 24, "month", -0.2).enough


def test_a_wait_longer_than_ten_years_is_not_offered():
    """«80 % krever … en periode på 1996 måneder (166,3 år)» is no advice: past ten years the
    longer wait is left out, and the other ways remain."""
    slow = power.check_counts(8.0 * 24, 24, "month", -0.2)  # 138 months after the baseline
    assert slow.window_periods == 138
    assert "en periode etter grunnlinjen" not in slow.reason and "en lengre grunnlinje" in slow.reason
    near = power.check_counts(10.0 * 24, 24, "month", -0.2)  # 58 months: a way worth naming
    assert near.window_periods == 58
    assert "en periode etter grunnlinjen på 58 måneder (4,8 år)" in near.reason


def test_case1_hip_fractures_per_municipality_are_too_little_data_not_overdue(demo_board):
    plan = demo_board.plan("ahus")
    measure, criterion = evaluate.criterion_by_id(plan, "m11-k3")
    statuses = {}
    rows = evaluate._Rows(demo_board)
    for unit in demo_board.member_ids("ahus"):
        result = evaluate_criterion(
            demo_board, plan, measure, criterion, scope=unit_scope(demo_board, [unit]), today=NOW, rows=rows
        )
        part = result.parts[0]
        statuses[unit] = result.judgement.status
        if part.power is not None and not part.power.enough and not part.comparison.significant:
            # Where the rule says the series cannot show a 20 % fall: never failed, never reached.
            assert result.judgement.status is Status.too_little_data, unit
            assert "styrke til å påvise 20 % nedgang" in result.judgement.reason
    assert Status.overdue not in statuses.values()
    assert sum(s is Status.too_little_data for s in statuses.values()) >= len(statuses) // 2
    # The partnership as a whole has the events to judge.
    whole = evaluate_criterion(demo_board, plan, measure, criterion, today=NOW)
    assert whole.judgement.status is not Status.too_little_data
    assert whole.parts[0].power.enough


# -- case 2: uncertainty in every verdict -------------------------------------------------------


def test_case2_one_good_quarter_does_not_reach_a_level_target(empty_loader):
    board = empty_loader.board
    plan = _with(board.plan("lovesa"), "l3", "l3-k3", deadline="2026")
    measure, criterion = evaluate.criterion_by_id(plan, "l3-k3")
    unit = board.member_ids("lovesa")[0]
    rng = np.random.default_rng(13)
    shares = list(np.clip(85 + rng.normal(0, 3, 23), 75, 89.5)) + [90.5]
    starts = list(pd.date_range("2020-01-01", periods=24, freq="QS").date)
    denominators = [400] * 24
    numerators = [round(s * 4) for s in shares]
    values = [n / d * 100 for n, d in zip(numerators, denominators, strict=True)]
    _ingest(board, "sepsis_antibiotics_1h", unit, starts, values, numerators, denominators)
    result = evaluate_criterion(
        board, plan, measure, criterion, scope=unit_scope(board, [unit]), today=dt.date(2026, 2, 15)
    )
    assert values[-1] >= 90
    assert result.judgement.status is not Status.achieved
    assert result.judgement.status in (Status.off_track, Status.uncertain)
    assert "95 % KI" in result.judgement.reason


def test_case2b_a_projection_that_straddles_the_target_is_uncertain():
    periods = [dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 9, 30), dt.date(2025, 12, 31)]
    projection = project_to_deadline(periods, [10, 30, 12, 35], dt.date(2027, 12, 31), 40, "increase")
    assert projection.reaches_target  # the line alone says «på sporet … juni 2026»
    band = projection_band(projection, 40, "increase")
    assert band == "straddles"

    class _Count:
        kind, unit, protect_small, population = "count", "antall", False, None

    text = interval_text(_Count(), projection, dt.date(2027, 12, 31))
    assert re.search(r"80 % prediksjonsintervall −28 til 179 ved 31\.12\.2027", text)
    evidence = Evidence(latest=35, target=40, projection_band=band, projection_text="i dagens tempo …")
    result = judge(
        "target", Evidence(**{**evidence.__dict__, "interval_text": text}), periods[-1], periods[0]
    )
    assert result.status is Status.uncertain
    assert "prediksjonsintervall −28 til 179" in result.reason


@pytest.mark.parametrize(
    ("lower", "upper", "direction", "band"),
    [(41, 60, "increase", "reaches"), (20, 39, "increase", "misses"), (20, 30, "decrease", "reaches")],
)
def test_projection_band_reads_the_right_bound(lower, upper, direction, band):
    projection = project_to_deadline(
        [dt.date(2025, m, 28) for m in (1, 2, 3, 4)], [1, 2, 3, 4], dt.date(2026, 1, 1), 40, "increase"
    )
    shown = evaluate.replace(projection, lower=lower, upper=upper)
    assert projection_band(shown, 40 if direction == "increase" else 35, direction) == band


# -- case 3: before/after needs a comparison ----------------------------------------------------


def test_case3_no_dho_before_after_is_achieved_without_a_comparison(demo_board):
    plan = demo_board.plan("ahus")
    measure, criterion = evaluate.criterion_by_id(plan, "m19-k3")
    assert criterion.comparison is None
    rows = evaluate._Rows(demo_board)
    scopes = [None] + [unit_scope(demo_board, [u]) for u in demo_board.member_ids("ahus")]
    for scope in scopes:
        result = evaluate_criterion(demo_board, plan, measure, criterion, scope=scope, today=NOW, rows=rows)
        assert result.judgement.status is not Status.achieved
        if result.judgement.status is not Status.no_data:
            assert "ukontrollert før–etter" in result.judgement.reason


def test_before_after_with_a_comparison_group_is_a_difference_in_differences(demo_board):
    plan = demo_board.plan("ahus")
    members = demo_board.member_ids("ahus")
    comparison = {"units": members[1:6], "source": "board", "note": "test"}
    changed = _with(plan, "m19", "m19-k3", comparison=comparison)
    measure, criterion = evaluate.criterion_by_id(changed, "m19-k3")
    result = evaluate_criterion(
        demo_board, changed, measure, criterion, scope=unit_scope(demo_board, [members[0]]), today=NOW
    )
    # Means without counts: the difference is given, but no test, so no «Oppnådd».
    assert "forskjell i forskjeller" in result.judgement.reason
    assert result.judgement.status in (Status.uncertain, Status.no_data)


def test_difference_in_differences_test_with_counts():
    def pair(after, before, n_after, n_before):
        return pd.Series(
            {
                "judge_value_after": after / n_after,
                "judge_value_before": before / n_before,
                "numerator_after": after,
                "numerator_before": before,
            }
        )

    # Treated: 8,9 → 6,0 bed days per patient; comparison: 8,9 → 8,8 (both with 500 patients).
    better, text = difference_in_differences(pair(3000, 4450, 500, 500), pair(4400, 4450, 500, 500), True)
    assert better is True and "95 % KI" in text and "p < 0,001" in text
    same, text = difference_in_differences(pair(44, 45, 5, 5), pair(44, 45, 5, 5), True)
    assert same is None and "ingen statistisk sikker forskjell" in text
    evidence = Evidence(before=8.9, after=6.0, lower_is_better=True, controlled=True, did_better=better)
    assert judge("before_after", evidence, None, NOW).status is Status.achieved


def test_comparison_group_needs_units_or_two_indicators():
    assert ComparisonGroup(units=["3205"]).units == ["3205"]
    with pytest.raises(ValueError):
        ComparisonGroup(indicators=["dho_bed_days_after"])


# -- case 7: deadline-bounded verdicts ---------------------------------------------------------------


def test_case7_lovesa_l4k2_is_judged_on_data_up_to_the_deadline(demo_board):
    plan = demo_board.plan("lovesa")
    measure, criterion = evaluate.criterion_by_id(plan, "l4-k2")
    result = evaluate_criterion(demo_board, plan, measure, criterion, today=NOW)
    assert result.judgement.status is not Status.achieved
    assert "des. 2022)" in result.judgement.reason  # the 12 months end at the deadline
    assert result.parts[0].series["period_end"].max() <= pd.Timestamp("2022-12-31")


def test_after_the_deadline_later_improvement_is_said_not_counted():
    evidence = Evidence(
        latest=1.0,
        improving=False,
        trend_text="Andel",
        after_deadline_text="forbedring etter fristen, påvist X",
    )
    result = judge("trend", evidence, dt.date(2022, 12, 31), NOW)
    assert result.status is Status.overdue
    assert "forbedring etter fristen" in result.reason


def test_as_of_judges_with_data_up_to_that_day(demo_board):
    plan = demo_board.plan("ahus")
    measure, criterion = evaluate.criterion_by_id(plan, "m10-k1")
    at = evaluate_criterion(demo_board, plan, measure, criterion, today=NOW, as_of=dt.date(2024, 6, 30))
    assert "(2. kvartal 2024)" in at.judgement.reason
    assert at.parts[0].series["period_end"].max() <= pd.Timestamp("2024-06-30")
    assert at.judgement.status is not Status.overdue  # the deadline 31.12.2025 had not passed
    whole = evaluate_plan(demo_board, "ahus", NOW, as_of=dt.date(2025, 12, 31))
    assert "(4. kvartal 2025)" in whole.criteria["m10-k1"].reason
    assert whole.criteria["m10-k1"].status is not Status.overdue  # judged on the day itself


# -- case 9: no SPC on cumulative counts ----------------------------------------------------------


def test_case9_a_rollout_never_gets_spc_or_concern(demo_board):
    plan = demo_board.plan("ahus")
    for cid in ("m10-k1", "m19-k4", "m08-k1"):
        measure, criterion = evaluate.criterion_by_id(plan, cid)
        result = evaluate_criterion(demo_board, plan, measure, criterion, today=NOW)
        assert result.parts[0].spc is None
        assert "Bekymring" not in result.icons.variation_text
        assert "bekymring" not in result.judgement.reason.lower()


# -- case 10: limits from the baseline, new limits only from a change date ---------------------------


def _monthly(values: list[float], start: str = "2021-01-01") -> pd.DataFrame:
    starts = pd.date_range(start, periods=len(values), freq="MS")
    return pd.DataFrame(
        {"period_start": starts, "period_end": starts + pd.offsets.MonthEnd(0), "judge_value": values}
    )


def test_case10_limits_come_from_the_baseline():
    rng = np.random.default_rng(10)
    before = list(10 + rng.normal(0, 1, 12))  # 2021: before the baseline, shown only
    baseline = list(10 + rng.normal(0, 1, 24))  # 2022–2023
    after = list(13 + rng.normal(0, 1, 12))  # 2024: the plan's change
    series = _monthly(before + baseline + after)
    window = Baseline(start=dt.date(2022, 1, 1), end=dt.date(2023, 12, 1), source="default")
    limits = limits_for(series, window, None)
    assert limits.start == 12 and limits.points == 24 and "grunnlinjen" in limits.note
    spc = judged_spc(series, "increase", None, limits)
    assert len(spc.points) == len(series)
    assert spc.points["mean"].iloc[-1] == pytest.approx(np.mean(baseline))
    assert spc.variation == "improvement_high"
    assert spc.phases[0].start == 0 and spc.phases[-1].stop == len(series)  # drawn over the whole series
    # Limits over the whole history would have taken in the shift.
    everything = judged_spc(series, "increase", None, Limits(0, None, (), ""))
    assert everything.points["mean"].iloc[-1] > np.mean(baseline) + 0.5


def test_a_change_date_starts_new_limits_only_when_the_plan_gives_it():
    series = _monthly([10.0 + (i % 3) for i in range(24)] + [20.0 + (i % 3) for i in range(24)], "2022-01-01")
    window = Baseline(start=dt.date(2022, 1, 1), end=dt.date(2023, 12, 1), source="default")
    assert limits_for(series, window, None).breaks == ()
    limits = limits_for(series, window, dt.date(2024, 1, 1))
    assert limits.breaks == (24,) and "nye grenser fra endringen" in limits.note
    spc = judged_spc(series, "increase", None, limits)
    assert spc.points["mean"].iloc[-1] == pytest.approx(21.0, abs=0.1)
    assert spc.points["mean"].iloc[0] == pytest.approx(11.0, abs=0.1)
    assert [p.start for p in spc.phases] == [0, 24]


def test_default_baseline_is_the_24_months_before_the_plan(demo_board):
    plan = demo_board.plan("ahus")
    _, criterion = evaluate.criterion_by_id(plan, "m10-k2")
    default = plan.baseline_for(criterion)
    assert (default.start, default.end, default.source) == (
        dt.date(2022, 1, 1),
        dt.date(2023, 12, 1),
        "default",
    )
    _, hip = evaluate.criterion_by_id(plan, "m11-k3")
    assert hip.baseline is not None and hip.baseline.source == "board"


def test_plan_file_refuses_a_baseline_that_ends_before_it_starts(tmp_path, board_context):
    registry, _, units, _ = board_context
    text = (ROOT / "data" / "plan" / "ahus-2024-2025.yaml").read_text(encoding="utf-8")
    bad = text.replace("baseline: {from: 2022-01, to: 2023-12", "baseline: {from: 2023-12, to: 2022-01", 1)
    assert bad != text
    path = tmp_path / "plan.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(PlanError, match="grunnlinjen starter etter at den slutter"):
        load_plan(path, registry.ids(), set(units["unit_id"]))


# -- the rule in one place ------------------------------------------------------------------------------


def test_readme_status_rule_and_status_module_use_the_same_words():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Statusregelen", 1)[1].split("\n## ", 1)[0]
    for status, (icon, _) in STATUS_STYLE.items():
        assert f"{icon} {status.value}" in section, status
    order = ", ".join(s.value for s in SEVERITY)
    assert order in " ".join(section.split())
    from analytics import status as module

    assert order in " ".join(module.__doc__.split())


# -- case 8: one judged series per view --------------------------------------------------------------


def test_case8_year_filter_changes_the_window_not_the_verdict(demo_board):
    from analytics.indicator_view import indicator_view

    whole = indicator_view(demo_board, "ahus", "hip_fractures", today=NOW)
    shown = indicator_view(demo_board, "ahus", "hip_fractures", years=(2024, 2026), today=NOW)
    status = shown.criteria[0].judgement
    assert status == whole.criteria[0].judgement
    # The card, the chart's limits and the status line come from the same computation.
    judged = shown.criteria[0].parts[0].spc
    assert shown.variation_text == whole.variation_text
    assert shown.variation_text.split(" ", 1)[1] in status.reason
    assert shown.spc.points["mean"].iloc[-1] == pytest.approx(judged.points["mean"].iloc[-1])
    assert shown.series["period_start"].dt.year.min() == 2024
    assert any(note.startswith("Viser 2024–2026") for note in shown.window_notes)


def test_case8_another_grain_draws_values_only_and_says_so(demo_board):
    from analytics.indicator_view import indicator_view

    monthly = indicator_view(demo_board, "ahus", "hip_fractures", today=NOW)
    yearly = indicator_view(demo_board, "ahus", "hip_fractures", grain="year", today=NOW)
    assert yearly.variation_text == monthly.variation_text  # not «For få punkter»
    assert not yearly.spc.enough_points
    assert "vises uten kontrollgrenser og gir ingen egen vurdering" in yearly.spc.message


def test_case8_the_page_shows_one_verdict_for_a_filtered_window(app):
    at = app("pages/indicator.py", indikator="hip_fractures", fra="2024")
    assert not at.exception
    body = "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]).replace("\\", "")
    status = next(m for m in body.split("\n") if "SPC:" in m)
    word = status.split("SPC: ", 1)[1].split(";")[0].rstrip(".")
    assert f"**{word}**" in body  # the variation card says what the status line says
    assert "Viser 2024" in body


# -- case 9: the right chart per kind ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("partnership", "indicator"), [("lovesa", "projection_80_plus"), ("ahus", "iht_municipalities")]
)
def test_case9_no_spc_on_projections_or_rollouts(demo_board, partnership, indicator):
    from analytics.indicator_view import indicator_view

    view = indicator_view(demo_board, partnership, indicator, today=NOW)
    assert not view.spc.enough_points
    assert set(view.spc.points["point_type"]) <= {"common_cause", "missing"}
    assert view.variation_text == NO_SPC
    assert "uten SPC" in view.spc.message


def test_plan_file_refuses_an_unknown_comparison_indicator(tmp_path, board_context):
    registry, _, units, _ = board_context
    text = (ROOT / "data" / "plan" / "ahus-2024-2025.yaml").read_text(encoding="utf-8")
    anchor = "        indicators: [dho_bed_days_after, dho_bed_days_before]\n"
    bad = text.replace(anchor, anchor + "        comparison: {indicators: [nope_after, nope_before]}\n", 1)
    assert bad != text
    path = tmp_path / "plan.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(PlanError, match="sammenligningsgruppe: ukjent indikator «nope_after»"):
        load_plan(path, registry.ids(), set(units["unit_id"]))


def test_every_status_has_its_own_icon_and_deck_shape():
    from analytics.deck import STATUS_SHAPES

    assert set(STATUS_SHAPES) == set(Status)
    icons = [icon for icon, _ in STATUS_STYLE.values()]
    assert len(set(icons)) == len(icons) == len(Status)
    assert STATUS_STYLE[Status.too_little_data][1] != STATUS_STYLE[Status.no_data][1]


def test_difference_in_differences_prints_no_number_over_a_hidden_figure():
    """The difference, the ratio, its interval and p rest on the four figures: with one of them
    hidden (the judged series' ``hidden``) the sentence keeps its words and the verdict, not
    the numbers (protection.statistic_text)."""

    def pair(after: float, before: float, hidden_after: bool = False) -> pd.Series:
        return pd.Series(
            {
                "judge_value_after": after,
                "judge_value_before": before,
                "numerator_after": after,
                "numerator_before": before,
                "hidden_after": hidden_after,
                "hidden_before": False,
            }
        )

    shown_better, shown = evaluate.difference_in_differences(pair(40, 80), pair(300, 310), True)
    assert shown_better is True and "95 % KI 0,34 til 0,78, p = 0,002" in shown
    better, masked = evaluate.difference_in_differences(pair(40, 80, True), pair(300, 310), True)
    assert better is True  # the verdict stands
    assert masked == "forskjell i forskjeller mot sammenligningsgruppen"
    no_counts = pair(40, 80, True)
    no_counts["numerator_after"] = float("nan")
    _, untested = evaluate.difference_in_differences(no_counts, pair(300, 310), True)
    assert not re.search(r"\d", untested) and "ingen test" in untested
