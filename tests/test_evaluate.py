"""Judging criteria: the rule table, projection + SPC assurance, rates for trends, and the roll-up."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from analytics import clock
from analytics.evaluate import (
    clipped,
    evaluate_criterion,
    evaluate_plan,
    partnership_scope,
    unit_scope,
)
from analytics.icons import NO_SPC
from analytics.plan import Target
from analytics.projection import project_to_deadline
from analytics.spc import xmr
from analytics.status import Evidence, Status, judge, roll_up
from analytics.store import UploadMeta

TODAY = dt.date(2026, 11, 24)
# The demo data run up to the last whole month before the day they are made, so tests on
# them judge "today" and check the wording, not numbers that move with the calendar.
NOW = clock.today()
DUE = dt.date(2025, 12, 31)
BEFORE = dt.date(2025, 6, 1)
FLAT = [50.0, 52.0, 49.0, 51.0, 50.0, 48.0, 52.0, 50.0, 49.0, 51.0, 50.0, 52.0, 48.0, 50.0]


# -- the rule table -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected_assurance", "expected_status"),
    [
        (80.0, "consistent_fail", Status.off_track),  # target above the upper limit, higher is better
        (40.0, "consistent_pass", Status.on_track),  # target below the lower limit
        (51.0, "inconsistent", Status.uncertain),  # target between the limits: hit and miss
    ],
)
def test_continuous_level_target_is_judged_by_assurance(target, expected_assurance, expected_status):
    spc = xmr(FLAT, improvement="increase", target=target)
    assert spc.assurance == expected_assurance
    evidence = Evidence(latest=FLAT[-1], target=target, assurance=spc.assurance, hold_level=True)
    result = judge("target", evidence, None, TODAY)
    assert result.status is expected_status
    assert "SPC" in result.reason


def test_assurance_decrease_direction():
    assert xmr(FLAT, improvement="decrease", target=80.0).assurance == "consistent_pass"
    assert xmr(FLAT, improvement="decrease", target=40.0).assurance == "consistent_fail"


def test_level_target_reached_once_is_not_achieved_without_assurance():
    # Fortløpende: a single good quarter with hit-and-miss limits is «Usikker», not «Oppnådd».
    evidence = Evidence(latest=62.5, target=50, assurance="inconsistent", hold_level=True)
    assert judge("target", evidence, None, TODAY).status is Status.uncertain
    # Too few points for limits: one good quarter is not enough, the 12 months' interval is.
    few = Evidence(latest=62.5, target=50, hold_level=True)
    assert judge("target", few, None, TODAY).status is Status.uncertain
    held = Evidence(
        latest=62.5, target=50, hold_level=True, process_reached=True, process_text="KI 55 til 70"
    )
    result = judge("target", held, None, TODAY)
    assert result.status is Status.on_track and "for få punkter" in result.reason


def test_target_with_deadline_prefers_projection_over_assurance():
    evidence = Evidence(latest=9, target=19, projected_in_time=True, assurance="consistent_fail")
    assert judge("target", evidence, DUE, BEFORE).status is Status.on_track
    no_projection = Evidence(latest=9, target=19, assurance="consistent_fail")
    assert judge("target", no_projection, DUE, BEFORE).status is Status.off_track


def test_continuous_rollout_is_judged_by_pace():
    evidence = Evidence(
        latest=15, target=21, projected_in_time=True, projection_text="i dagens tempo nås 21 i august 2029"
    )
    result = judge("target", evidence, None, TODAY)
    assert result.status is Status.on_track
    assert result.reason.endswith("i dagens tempo nås 21 i august 2029.")


def test_overdue_reason_gives_the_pace():
    evidence = Evidence(
        latest=9,
        target=19,
        target_text="Antall kommuner",
        projection_text="i dagens tempo nås 19 i mars 2026, etter fristen 31.12.2025",
    )
    result = judge("target", evidence, DUE, TODAY)
    assert result.status is Status.overdue
    assert result.reason == (
        "Antall kommuner 9 av 19; ikke nådd innen fristen 31.12.2025; "
        "i dagens tempo nås 19 i mars 2026, etter fristen 31.12.2025."
    )


def test_one_municipality_in_a_more_municipalities_target_is_followed():
    evidence = Evidence(latest=0, target=1, head="Kommunen deltar ikke", shared_target=True)
    assert judge("target", evidence, DUE, TODAY).status is Status.monitored


def test_trend_reason_is_one_sentence():
    evidence = Evidence(latest=1.0, trend_text="Antall brudd: siste 12 mnd 3", improving=False)
    result = judge("trend", evidence, DUE, TODAY)
    assert result.status is Status.overdue
    assert result.reason == "Antall brudd: siste 12 mnd 3; ingen påvist forbedring innen fristen 31.12.2025."


def test_roll_up_missing_data_never_hides_red():
    assert roll_up([Status.no_data, Status.off_track, Status.achieved]) is Status.off_track
    assert roll_up([Status.overdue, Status.no_data]) is Status.overdue
    assert roll_up([Status.monitored, Status.no_data]) is Status.no_data


def test_ties_do_not_make_a_trend():
    # Seven rising points, one of them equal to the one before: no trend, common cause.
    base = [8.0, 12.0, 9.0, 11.0, 8.5, 11.5, 9.0, 12.0]
    tie = xmr([*base, 9.0, 9.5, 10.0, 10.0, 10.5, 11.0, 11.5], improvement="increase")
    assert tie.points["point_type"].iloc[-7:].eq("common_cause").all()
    assert tie.variation == "common_cause"
    # The same seven points strictly rising are a trend: all seven flagged.
    strict = xmr([*base, 9.0, 9.5, 10.0, 10.2, 10.5, 11.0, 11.5], improvement="increase")
    assert strict.points["point_type"].iloc[-7:].eq("special_cause_improvement").all()
    assert strict.variation == "improvement_high"


def test_projection_clipped_to_members():
    periods = [dt.date(2024, m, 28) for m in (3, 6, 9, 12)] + [dt.date(2025, m, 28) for m in (3, 6)]
    projection = project_to_deadline(periods, [10, 14, 18, 22, 26, 30], DUE, 22, "increase")
    assert projection.projected > 22
    shown = clipped(projection, 22)
    assert shown.projected == 22 and shown.upper == 22 and shown.lower <= 22


def test_min_increase_must_be_a_positive_whole_number():
    assert Target(min_increase=1, basis="tavla").min_increase == 1
    with pytest.raises(ValueError):
        Target(min_increase=0, basis="tavla")


# -- the demo plan, today (late 2026) --------------------------------------------------------------


@pytest.fixture(scope="module")
def ahus(demo_board):
    return evaluate_plan(demo_board, "ahus", NOW)


@pytest.fixture(scope="module")
def lovesa(demo_board):
    return evaluate_plan(demo_board, "lovesa", NOW)


def test_rollouts_past_their_deadline_are_overdue_with_pace(ahus):
    result = ahus.criteria["m10-k1"]
    assert result.status is Status.overdue
    assert re.match(
        r"Antall kommuner som deltar i IHT \d+ av 22 \(4\. kvartal 2025\); data til fristen 31\.12\.2025;",
        result.reason,
    )
    assert "i dagens tempo nås 22 i" in result.reason and "etter fristen 31.12.2025" in result.reason


def test_more_municipalities_targets_use_the_baseline(ahus, demo_files):
    fact = ahus.criteria["m14-k1"]
    # The demo's join quarters move with the day it is made: the figures come from its file.
    joined = pd.read_csv(demo_files / "fact_rop_kommuner.csv", sep=";").sum(numeric_only=True)
    baseline, at_deadline = int(joined["2023K4"]), int(joined["2025K4"])
    assert f"mål: flere enn {baseline} (utgangen av 2023)" in fact.reason
    assert f" {at_deadline} (4. kvartal 2025)" in fact.reason
    assert (fact.status is Status.achieved) == (at_deadline > baseline), fact.reason
    dialogue = ahus.criteria["m18-k1"]
    assert dialogue.status is Status.achieved
    assert "første tall; ingen tall for 2023" in dialogue.reason


def test_count_trends_are_judged_as_rates(ahus):
    hip = ahus.criteria["m11-k3"]
    assert hip.status is Status.achieved
    assert re.match(
        r"Antall hoftebrudd per 1 000 innbyggere 65 år og eldre per år: siste 12 mnd \([^)]+\) \d+,\d "
        r"\(95 % KI \d+,\d til \d+,\d\) "  # the exact interval, hidden cells as a range
        r"\(grunnlinje januar 2022–desember 2023 \(tavlas egen verdi\): \d+,\d\)",
        hip.reason,
    )
    assert "SPC: ⬇️ Forbedring (lav)" in hip.reason


def test_share_trend_is_not_summed(lovesa):
    reason = lovesa.criteria["l4-k2"].reason
    # A share of the last 12 months (one number up to 100 %), not a sum of four quarters.
    share = re.search(r"siste 12 mnd \([^)]+\) (\d+),\d\u00a0%", reason)
    assert share and int(share.group(1)) <= 100


def test_too_few_points_fall_back_to_an_exact_test(ahus):
    result = ahus.criteria["m06-k1"]
    assert result.status is Status.achieved
    assert "statistisk sikker endring mot grunnlinjen (p < 0,001); for få datapunkter (4)" in result.reason


def test_continuous_lovesa_targets_use_assurance_and_pace(lovesa):
    for cid in ("l3-k1", "l3-k3"):
        reason = lovesa.criteria[cid].reason
        assert "SPC:" in reason
        # the target against the process limits (assurance) decides: out of reach, or not told
        expected = Status.off_track if "når ikke målet" in reason else Status.uncertain
        assert lovesa.criteria[cid].status is expected, reason
    # Stroke: too few patients to tell 41 % from the target 50 %.
    assert lovesa.criteria["l3-k2"].status is Status.too_little_data
    assert "styrke til å skille" in lovesa.criteria["l3-k2"].reason
    assert lovesa.criteria["l1-k2"].status is Status.on_track
    assert "i dagens tempo nås 21 i" in lovesa.criteria["l1-k2"].reason


def test_two_indicators_in_one_criterion_each_have_their_say(demo_board, lovesa):
    reason = lovesa.criteria["l1-k1"].reason
    assert "Antall inkluderte DHO-pasienter" in reason and "Antall aktive DHO-pasienter" in reason
    plan = demo_board.plan("lovesa")
    measure = plan.measure("l1")
    result = evaluate_criterion(demo_board, plan, measure, measure.criteria[0], today=NOW)
    assert len(result.parts) == 2
    assert result.judgement.status is roll_up([p.judgement.status for p in result.parts])  # the worse


def test_roll_up_of_the_demo_plan(demo_board, ahus):
    plan = demo_board.plan("ahus")
    for measure in plan.leaf_measures:
        assert ahus.measures[measure.id] is roll_up([ahus.criteria[c.id].status for c in measure.criteria])
    assert ahus.measures["m01"] is roll_up([ahus.measures[m] for m in ("m02", "m03", "m04", "m05")])
    assert ahus.goals["g1"] is Status.overdue
    icons = ahus.measure_icons(plan.measure("m10"))
    assert icons.variation_text == NO_SPC  # a rollout: no SPC
    assert icons.assurance_text.startswith("📈 Nås i dagens tempo")


def test_before_the_deadline_projection_decides(empty_loader):
    """A rollout on pace for all 22 by 31.12.2025 is «På sporet» in mid-2025; a slow one is not."""
    board = empty_loader.board
    members = board.member_units("ahus")
    municipalities = members.loc[members["kind"] == "municipality", "unit_id"].tolist()
    quarters = pd.date_range("2023-01-01", "2025-04-01", freq="QS")

    def load(per_quarter: float, name: str) -> None:
        rows = []
        for q, start in enumerate(quarters):
            joined = min(len(municipalities), int(round(per_quarter * (q + 1))))
            for i, unit in enumerate(municipalities):
                rows.append(
                    {
                        "indicator": "iht_municipalities",
                        "unit_id": unit,
                        "period_start": start.date(),
                        "grain": "quarter",
                        "value": 1.0 if i < joined else 0.0,
                        "numerator": None,
                        "denominator": None,
                        "suppressed": False,
                        "source": "test",
                    }
                )
        board.store.ingest(pd.DataFrame(rows), UploadMeta(file_name=name, file_hash=name))

    plan = board.plan("ahus")
    measure = plan.measure("m10")
    criterion = next(c for c in measure.criteria if c.id == "m10-k1")
    today = dt.date(2025, 7, 15)

    load(1.0, "slow")  # 10 of 22 by mid-2025, one more a quarter: 22 only in 2028
    slow = evaluate_criterion(board, plan, measure, criterion, today=today)
    assert slow.judgement.status is Status.off_track
    assert "etter fristen 31.12.2025" in slow.judgement.reason

    load(2.0, "fast")  # two a quarter: 20 by mid-2025, 22 before the deadline
    fast = evaluate_criterion(board, plan, measure, criterion, today=today)
    assert fast.judgement.status is Status.on_track
    assert "innen fristen 31.12.2025" in fast.judgement.reason
    part = fast.parts[0]
    assert clipped(part.projection, part.clip_max).upper <= 22

    one = evaluate_criterion(
        board, plan, measure, criterion, scope=unit_scope(board, [municipalities[0]]), today=today
    )
    assert one.judgement.status is Status.achieved and "kommunen deltar" in one.judgement.reason
    assert partnership_scope(board, "ahus").municipalities == 22


def test_a_unit_without_figures_that_others_have_is_named_in_the_reason(demo_board):
    from analytics import evaluate
    from analytics.status import NO_FIGURES

    plan = demo_board.plan("ahus")

    def reason(unit: str, criterion_id: str) -> str:
        measure, criterion = evaluate.criterion_by_id(plan, criterion_id)
        scope = evaluate.unit_scope(demo_board, [unit])
        return evaluate_criterion(
            demo_board, plan, measure, criterion, scope=scope, today=NOW
        ).judgement.reason

    # Grorud (a district in Oslo) has no referral figures; other members have.
    assert (
        reason("030110", "m06-k1")
        == "Ingen tall for bydelen for indikatoren (andre i helsefellesskapet har tall)."
    )
    # Lillestrøm has included DHO patients but no active ones: the second indicator says so.
    assert "Ingen tall for kommunen for indikatoren (andre i helsefellesskapet har tall)." in reason(
        "3205", "m19-k1"
    )
    # Nobody in the partnership has figures (an indicator only LoVeSa uploads): the plain reason.
    only_lovesa = next(
        demo_board.registry.get(i)
        for i in evaluate.indicators_with_values(demo_board, "lovesa")
        if i not in evaluate.indicators_with_values(demo_board, "ahus")
    )
    one = evaluate.unit_scope(demo_board, ["3205"])
    assert evaluate.no_data_text(demo_board, "ahus", only_lovesa, one) is None
    assert judge("target", Evidence(no_data_text=None), None, NOW).reason == NO_FIGURES
    # The partnership as a whole: never «for kommunen».
    whole = evaluate.partnership_scope(demo_board, "ahus")
    assert (
        evaluate.no_data_text(demo_board, "ahus", demo_board.registry.get("referral_quality_share"), whole)
        is None
    )


def test_three_year_means_are_not_judged_and_the_reason_says_why(empty_loader):
    """FHI's rolling three-year means (2021–2023, 2022–2024, …) overlap, so they are not
    independent points: no SPC, no trend. With only such figures the criterion says so,
    instead of «Ingen tall er lastet inn» (the figures are loaded)."""
    board = empty_loader.board
    members = board.member_units("ahus")
    units = members.loc[members["kind"] == "municipality", "unit_id"].tolist()
    rows = [
        {
            "indicator": "referral_quality_share",
            "unit_id": unit,
            "period_start": dt.date(start, 1, 1),
            "grain": "3year",
            "value": 70.0,
            "numerator": 70.0,
            "denominator": 100.0,
            "suppressed": False,
            "source": "test",
        }
        for start in range(2017, 2024)
        for unit in units
    ]
    board.store.ingest(pd.DataFrame(rows), UploadMeta(file_name="fhi", file_hash="fhi"))
    plan = board.plan("ahus")
    measure, criterion = next((m, c) for m, c in plan.criteria if c.id == "m06-k1")  # a trend
    expected = (
        "Tallene finnes bare som 3-årsperioder (nyeste 2023–2025), glidende gjennomsnitt som overlapper "
        "hverandre; de vurderes ikke: overlappende perioder er ikke uavhengige punkter, så de gir "
        "verken SPC eller trend."
    )
    for scope in (None, unit_scope(board, [units[0]])):
        result = evaluate_criterion(board, plan, measure, criterion, scope=scope, today=NOW)
        assert result.judgement.status is Status.no_data
        assert result.judgement.reason == expected
        assert result.parts[0].data.population_note == expected  # the pages show the note too


def test_judging_one_unit_looks_its_kind_up_without_rebuilding_the_units_index(demo_board, monkeypatch):
    """no_data_text (asked for every criterion of a municipality) and unit_scope find a unit's
    kind in a lookup built once per units frame (Board.unit_kind), not by indexing the units
    frame on every call."""
    import pandas as pd

    from analytics.evaluate import no_data_text, unit_scope

    indicator = demo_board.registry.get("hip_fractures")
    scope = unit_scope(demo_board, ["3205"])
    assert scope.municipalities == 1
    first = no_data_text(demo_board, "ahus", indicator, scope)
    assert first is not None and "for kommunen" in first
    calls = []
    set_index = pd.DataFrame.set_index

    def spy(frame, keys, *args, **kwargs):
        calls.append(keys)
        return set_index(frame, keys, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "set_index", spy)
    for _ in range(3):
        assert no_data_text(demo_board, "ahus", indicator, unit_scope(demo_board, ["3205"])) == first
    assert "unit_id" not in calls
    region = demo_board.regions("ahus")["unit_id"].iloc[0]
    assert "for regionen" in no_data_text(demo_board, "ahus", indicator, unit_scope(demo_board, [region]))


@pytest.mark.parametrize("as_of", [None, DUE])
def test_a_projection_reason_says_where_the_projection_goes_naming_each_year_once(demo_board, as_of):
    """A monitored projection (LoVeSa l2-k2, SSB's projected 80+ population) is followed, not
    judged: its reason names the projection's first and last year with their figures. Its
    years after the day judged are the projection, not later data: cut at the day, a
    projection starting this year read «2025 8 081, 2025 8 081», one year twice."""
    plan = demo_board.plan("lovesa")
    status = evaluate_plan(demo_board, "lovesa", NOW, as_of=as_of)
    checked = 0
    for _, criterion in plan.criteria:
        projected = [i for i in criterion.indicators if demo_board.registry.get(i).projection]
        if not projected:
            continue
        facts = demo_board.store.facts(projected, demo_board.member_ids("lovesa"))
        first, last = facts["period_start"].min().year, facts["period_start"].max().year
        assert first < last
        reason = status.criteria[criterion.id].reason
        name = demo_board.registry.get(projected[0]).name
        match = re.search(rf"{re.escape(name)}: {first} ([\d\u00a0 ]+), {last} ([\d\u00a0 ]+)\.", reason)
        assert match, reason
        assert reason.count(f" {first} ") == 1 and reason.count(f" {last} ") == 1
        checked += 1
    assert checked


def test_unit_kind_follows_a_new_units_frame_even_where_the_old_ones_id_is_reused(demo_board, monkeypatch):
    """Board.unit_kind's lookup is tied to the units frame itself (held, compared by identity),
    not to its id(), which CPython hands to a new object once the old one is freed. The reuse
    is forced here: every object gets the same id while the kinds are looked up, and each new
    frame's kinds must still be its own."""
    import builtins

    from analytics.board import Board

    base = demo_board.units
    frames = {kind: base.assign(kind=kind) for kind in ("district", "region", "municipality", "partnership")}
    board = Board(registry=demo_board.registry, plans=demo_board.plans, units=base, store=demo_board.store)
    assert board.unit_kind("3205") == "municipality"
    assert board.unit_kind("no such unit") is None
    for kind, frame in [*frames.items(), ("district", frames["district"])]:
        board.units = frame
        with monkeypatch.context() as patched:
            patched.setattr(builtins, "id", lambda obj: 1)
            found = board.unit_kind("3205")
        assert found == kind
