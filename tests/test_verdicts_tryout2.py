"""A statistician's second try-out of the verdicts (the «verdicts2» task): each test is a
scenario with a known right answer where the board gave a wrong KIND of verdict, figure or
text, small inline data, checked against the rule's source."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import evaluate, formatting, spc
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


BEFORE = [70, 72, 69, 71, 73, 70, 68, 71, 72, 70, 69, 71]  # a stable process around 70
AFTER = [84, 86, 85, 87, 84, 86, 85, 86]  # a sustained shift to about 85


@pytest.mark.backend_free
@pytest.mark.parametrize(
    ("improvement", "target", "old", "new"),
    [
        ("increase", 90.0, "consistent_fail", None),  # the better process may reach 90
        ("increase", 75.0, "inconsistent", None),  # 75 was inside the old limits
        ("decrease", 90.0, "consistent_pass", None),  # the worse process may breach 90
        ("increase", 60.0, "consistent_pass", "consistent_pass"),  # better still clears 60
        ("decrease", 60.0, "consistent_fail", "consistent_fail"),  # worse still misses 60
    ],
)
def test_assurance_is_withheld_when_the_newest_point_shows_the_limits_describe_an_old_process(
    improvement, target, old, new
):
    """Limits from 12 points around 70 (64,9 to 76,1), then 8 points around 85, every one above
    the upper limit: the newest point is a special cause, so the limits describe the process
    before the change. Whether a process can meet a target is read from the limits of a
    predictable process only (Wheeler and Chambers, Understanding Statistical Process Control;
    NHS England, Making Data Count: recalculate the limits once a change is sustained): «når
    ikke målet med dagens prosess» said of a target of 90 is not known. The assurance stands
    only where the change can only strengthen it. The board gave the old limits' answer."""
    result = spc.xmr(BEFORE + AFTER, improvement, target=target, baseline=12)
    assert result.variation != "common_cause"
    assert spc._assurance(target, improvement, result.phases[-1].lpl, result.phases[-1].upl) == old
    assert result.assurance == new
    assert (result.assurance_note is None) == (new is not None)


def test_a_level_target_is_not_off_track_on_limits_the_process_has_left(empty_loader):
    """LoVeSa l3-k3 «Andel sepsispasienter med antibiotika innen én time», target 90 %, no
    deadline (judged by SPC assurance, README «Statusregelen»): 2020–2022 about 70 % (the
    baseline's 12 quarters, limits about 58–83 %), then 15 quarters about 85 %, every one a
    special cause improvement. The board said «Ikke på sporet: SPC: når ikke målet med dagens
    prosess» from the 2020–2022 limits; the process of today is another one, so the verdict
    the data support is «Usikker», saying why."""
    board = empty_loader.board
    plan = board.plan("lovesa")
    measure, criterion = evaluate.criterion_by_id(plan, "l3-k3")
    unit = board.member_ids("lovesa")[0]
    numerators = BEFORE + [84, 86, 85, 87, 84, 86, 85, 86, 85, 84, 86, 87, 85, 86, 85]
    starts = list(pd.date_range("2020-01-01", periods=len(numerators), freq="QS").date)
    _ingest(board, "sepsis_antibiotics_1h", unit, starts, numerators, [100] * len(numerators))
    result = evaluate_criterion(
        board, plan, measure, criterion, scope=unit_scope(board, [unit]), today=dt.date(2026, 11, 30)
    )
    status, reason = result.judgement.status, result.judgement.reason
    assert result.parts[0].spc.variation == "improvement_high"
    assert status is not Status.off_track
    assert status is Status.uncertain
    assert "når ikke målet med dagens prosess" not in reason
    assert spc.ASSURANCE_WITHHELD in reason


def _as_target(plan, **target):
    """Ahus m07-k2 («Antall pasienter som er inkludert», FACT ung, a protected count) as a
    target criterion with the given target and baseline year 2023."""
    raw = plan.model_dump(by_alias=True)
    for measure in raw["measures"]:
        for criterion in measure["criteria"]:
            if criterion["id"] == "m07-k2":
                criterion.update(kind="target", target={"basis": "test", **target}, baseline_year=2023)
    return type(plan).model_validate(raw)


def test_a_relative_target_without_baseline_figures_says_which_data_is_missing(empty_loader):
    """«20 % flere enn i 2023» on a count that starts in 2024: the plan did quantify the target,
    but 2023 has no figure to start from, so it cannot be worked out. The board said «Siste
    verdi 2; målet er ikke tallfestet.»: a wrong reason (the target is quantified; the
    baseline year's figures are missing), and the raw newest value of a protected count below
    the suppression limit (2 < 5, FHI/SSB's rule for small numbers: «færre enn 5»). The reason
    must name the missing data and show the newest figure as the tables do."""
    board = empty_loader.board
    plan = _as_target(board.plan("ahus"), relative_change=0.2)
    measure, criterion = evaluate.criterion_by_id(plan, "m07-k2")
    unit = board.member_ids("ahus")[0]
    starts = list(pd.date_range("2024-01-01", periods=6, freq="QS").date)
    _ingest(board, "fact_young_patients", unit, starts, [6, 7, 5, 8, 6, 2])
    result = evaluate_criterion(
        board, plan, measure, criterion, scope=unit_scope(board, [unit]), today=dt.date(2025, 9, 1)
    )
    status, reason = result.judgement.status, result.judgement.reason
    assert status is Status.no_data
    assert "ikke tallfestet" not in reason
    assert "Siste verdi 2" not in reason
    assert "færre enn 5" in reason
    assert "ingen tall for grunnlinjeåret 2023" in reason
    assert "+20 % fra 2023" in reason


def _iht_count_target(plan):
    """Ahus with m10-k2 as «Minst 1 200 pasienter inkludert i IHT per år» (target 1 200)."""
    raw = plan.model_dump(by_alias=True)
    for measure in raw["measures"]:
        for criterion in measure["criteria"]:
            if criterion["id"] == "m10-k2":
                criterion.update(
                    kind="target",
                    text="Minst 1 200 pasienter inkludert i IHT per år",
                    target={"value": 1200, "basis": "test"},
                )
    return type(plan).model_validate(raw)


def test_a_count_target_per_year_on_a_rated_count_is_judged_on_the_count(demo_board):
    """«Minst 1 200 pasienter inkludert i IHT per år» (a target of 1 200 patients, a count) on
    IHT patients, which the board judges per 1 000 inhabitants 65+ per year (2,6 in 2025).
    The board compared 3,0 per 1 000 with «mål 1 200,0» (a rate against a count: out of reach
    by a factor of 400, whatever happened). Helsedirektoratet and FHI state a rate «per 1 000
    innbyggere»; a number of patients per year is a count, so 2025's 243 patients are held
    against 1 200, with their exact Poisson interval (Garwood): not reached by 31.12.2025."""
    plan = _iht_count_target(demo_board.plan("ahus"))
    measure, criterion = evaluate.criterion_by_id(plan, "m10-k2")
    result = evaluate_criterion(demo_board, plan, measure, criterion, today=dt.date(2026, 11, 30))
    reason = result.judgement.status, result.judgement.reason
    assert "per 1 000" not in reason[1]
    part = result.parts[0]
    year_2025 = part.series[part.series["label"] == "2025"]["judge_value"].item()
    assert year_2025 > 100  # a count of patients, not 2,6 per 1 000
    assert f"per år {formatting.number(year_2025)} (2025); mål {formatting.number(1200)}" in reason[1]
    assert "95 % KI" in reason[1]
    assert result.judgement.status is Status.overdue
    # A rate target on the same indicator stays a rate.
    assert (
        evaluate.count_target_grain(
            demo_board.registry.get("iht_patients"),
            criterion.model_copy(update={"text": "Minst 5 per 1 000 innbyggere 65 år og eldre per år"}),
        )
        is None
    )


@pytest.mark.parametrize("grain", ["quarter", "year"])
def test_a_count_target_is_not_drawn_over_rates(demo_board, monkeypatch, grain):
    """The IHT chart shows patients per 1 000 inhabitants 65+; a target of 1 200 patients per
    year drawn over it (at any grain, also per year) would read as a rate of 1 200 per 1 000.
    The board drew it over the yearly rates and called it «1 200,0» beside quarterly ones."""
    from analytics import indicator_view as IV

    changed = _iht_count_target(demo_board.plan("ahus"))
    monkeypatch.setattr(demo_board, "plan", lambda partnership: changed)
    view = IV.indicator_view(demo_board, "ahus", "iht_patients", grain=grain, today=dt.date(2026, 11, 30))
    assert not [s for s in view.spc_figure.data if (s.name or "").startswith("Mål")]
    note = (
        f"Målet {formatting.number(1200)} gjelder antallet per år, ikke raten per 1 000, så det er ikke "
        "tegnet; vurderingen bygger på antallet per år."
    )
    assert note in view.window_notes


def test_the_icon_overview_says_why_a_withheld_assurance_is_not_given(demo_board):
    """LoVeSa l3-k3 (sepsis, target 90 %): the assurance is withheld because the newest point is
    a special cause (spc._valid_assurance). The icon overview said «– Ikke vurdert», as for a
    target nobody assessed; it names the reason, as the verdict's reason does."""
    from analytics import icons

    status = evaluate.evaluate_plan(demo_board, "lovesa", dt.date(2026, 11, 30))
    icon = status.icons["l3-k3"]
    assert icon.assurance is None
    assert icon.assurance_text == icons.ASSURANCE_WITHHELD
    assert icon.assurance_text != "– Ikke vurdert"


def _no_increase_plan(plan):
    """Ahus m11-k2 as «Ingen økning i innleggelser med fallskade fra 2023» (relative change 0,
    lower is better), deadline 2025."""
    raw = plan.model_dump(by_alias=True)
    for measure in raw["measures"]:
        if measure["id"] == "m11":
            measure["deadline"] = "2025"
        for criterion in measure["criteria"]:
            if criterion["id"] == "m11-k2":
                criterion.update(
                    kind="target",
                    text="Ingen økning i innleggelser med fallskade fra 2023",
                    target={"relative_change": 0.0, "basis": "test"},
                    baseline_year=2023,
                )
    return type(plan).model_validate(raw)


@pytest.mark.parametrize(("rise", "expected"), [(1.0, Status.achieved), (1.6, Status.overdue)])
def test_no_increase_is_met_unless_an_increase_is_shown(empty_loader, rise, expected):
    """«Ingen økning fra 2023» on fall injuries (lower is better), 2022–2025 monthly, 30 a month
    in 20 000 inhabitants 65+, then from 2025 ``rise`` times that. The criterion fails only
    when the data show an increase: the 12 months' interval wholly above the 2023 level. A
    stable process (rise 1,0) has an interval around the 2023 level, and the power rule
    guards against «no increase shown» from too few events (Altman and Bland 1995, «Absence
    of evidence is not evidence of absence», BMJ 311:485). The board asked the interval to lie
    wholly below the 2023 level (a fall, which «ingen økning» does not ask for), so a stable
    process was «Forsinket: ikke nådd» (and «Oppnådd» in a lucky year); and it named the
    target «grunnlinje 2023 0 %»."""
    board = empty_loader.board
    plan = _no_increase_plan(board.plan("ahus"))
    measure, criterion = evaluate.criterion_by_id(plan, "m11-k2")
    unit = board.member_ids("ahus")[0]
    years = [dt.date(y, 1, 1) for y in range(2021, 2027)]
    _ingest(board, "population_65_plus", unit, years, [20000] * len(years), name="pop")
    starts = list(pd.date_range("2022-01-01", "2025-12-01", freq="MS").date)
    # The same 30 a month every month (no noise): the 2023 level is exact, 18,0 per 1 000.
    values = [30 * (rise if start.year == 2025 else 1.0) for start in starts]
    _ingest(board, "fall_injury_admissions", unit, starts, values)
    result = evaluate_criterion(
        board, plan, measure, criterion, scope=unit_scope(board, [unit]), today=dt.date(2026, 3, 1)
    )
    status, reason = result.judgement.status, result.judgement.reason
    assert status is expected, reason
    assert "0 %" not in reason
    assert "mål: ikke høyere enn i 2023" in reason


def test_coverage_is_counted_in_the_newest_period_every_unit_reports(empty_loader):
    """Ahus m07-k1 «Samarbeidsteam er etablert i hver region» (coverage over the 5 regions):
    1. quarter 2025 has all five regions (three with a team), 2. quarter only the two that
    just got one. The board counted the newest period alone: «2 av 5», as if the three teams
    of the quarter before were gone. A period that only some units report is shown but not
    judged (README «Statusregelen»: «en periode ... der noen enheter som har tall før perioden
    mangler i den ... er ikke tatt med i vurderingen»; NHS Making Data Count judges whole
    periods only): the count is 3 of 5 (1. quarter 2025), and the reason says why 2. quarter
    is left out."""
    board = empty_loader.board
    plan = board.plan("ahus")
    measure, criterion = evaluate.criterion_by_id(plan, "m07-k1")
    units = board.units
    regions = sorted(units[(units["partnership"] == "ahus") & (units["kind"] == "region")]["unit_id"])
    assert len(regions) == 5
    for unit, first, second in zip(regions, [1, 1, 1, 0, 0], [None, None, None, 1, 1], strict=True):
        starts, values = [dt.date(2025, 1, 1)], [first]
        if second is not None:
            starts, values = [*starts, dt.date(2025, 4, 1)], [*values, second]
        _ingest(board, "fact_young_teams", unit, starts, values, name=f"teams-{unit}")
    result = evaluate_criterion(board, plan, measure, criterion, today=dt.date(2025, 9, 1))
    reason = result.judgement.reason
    assert "2 av 5" not in reason.split(";")[0]
    assert reason.startswith("Enheter med tiltaket 3 av 5 (1. kvartal 2025)")
    assert "2. kvartal 2025 bygger på 2 av 5 enheter og er ikke tatt med i vurderingen" in reason
