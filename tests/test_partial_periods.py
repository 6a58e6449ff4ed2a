"""Incomplete periods make no verdict (issue 14, «numbers are honest»): a partnership period
that only some members report, and a period that has not ended, are shown and marked but left
out of SPC, the newest value, projections and the «siste 12 mnd» windows; `as_of` judges only
periods complete by that day."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from analytics import series as S
from analytics.periods import period_end
from tests.support import count_indicator

LATER = dt.date(2027, 1, 15)  # 2026K4 is over


def rows(records: list[tuple], grain: str = "month", suppressed: tuple = ()) -> pd.DataFrame:
    """(unit, 'YYYY-MM-DD', value) at ``grain``, 1 000 inhabitants each; ``suppressed``: the
    (unit, start) cells hidden in the source (1–4)."""
    out = []
    for unit, start, value in records:
        start = pd.Timestamp(start)
        end = pd.Timestamp(period_end(start.date(), grain))
        hide = (unit, str(start.date())) in suppressed
        out.append(
            {
                "unit_id": unit,
                "period_start": start,
                "period_end": end,
                "value": np.nan if hide else value,
                "numerator": None,
                "denominator": None,
                "suppressed": hide,
                "population": 1000,
                "person_years": 1000 * ((end - start).days + 1) / 365,
            }
        )
    return pd.DataFrame(out, columns=S.ROW_COLUMNS)


def months(units: tuple[str, ...], first: int, last: int, year: int = 2025) -> list[tuple]:
    return [(u, f"{year}-{m:02d}-01", 10 + m) for u in units for m in range(first, last + 1)]


def test_a_period_only_some_members_report_is_marked_and_not_judged():
    """The newest month has rows for 1 of 3 units: shown with «tall fra 1 av 3 enheter», no
    judge value, and the newest whole period (the end of «siste 12 mnd») is the month before."""
    data = S.UnitRows(
        count_indicator(), rows(months(("a", "b", "c"), 1, 11) + [("a", "2025-12-01", 40)]), None
    )
    series = S.judged_series(data, "month", LATER)
    last = series.iloc[-1]
    assert last["short"] and last["partial"]
    assert (last["n_units"], last["n_expected"]) == (1, 3)
    assert np.isnan(last["judge_value"])
    assert last["partial_text"] == "tall fra 1 av 3 enheter"
    assert not series["short"].iloc[:-1].any()
    assert S.latest_end(series) == pd.Timestamp("2025-11-30")


def test_a_gap_in_the_middle_and_a_coarser_grain_are_short_but_a_later_start_and_a_hidden_cell_are_not():
    records = months(("a", "b"), 1, 12) + [
        (u, f"2025-{m:02d}-01", 5) for u in ("c",) for m in range(4, 13) if m != 8
    ]
    # c starts in April (not short before it), misses August (short), is hidden in October.
    data = S.UnitRows(count_indicator(), rows(records, suppressed=(("b", "2025-10-01"),)), None)
    monthly = S.judged_series(data, "month", LATER)
    short = dict(zip(monthly["period_start"].dt.month, monthly["short"], strict=True))
    assert [m for m, s in short.items() if s] == [8]
    assert (
        monthly.loc[monthly["period_start"].dt.month == 8, "partial_text"].item() == "tall fra 2 av 3 enheter"
    )
    quarterly = S.judged_series(data, "quarter", LATER)
    assert quarterly["short"].tolist() == [False, False, True, False]
    assert quarterly["partial_text"].iloc[2] == "tall mangler for noen av de 3 enhetene i deler av perioden"
    assert np.isnan(quarterly["judge_value"].iloc[2]) and not np.isnan(quarterly["judge_value"].iloc[3])
    per_unit = S.judged_series(data, "month", LATER, by_unit=True)
    assert not per_unit["short"].any()  # one unit's own series has no members to miss


def test_a_period_that_has_not_ended_is_not_judged_for_any_measured_kind():
    """A quarterly file's 2026K4 delivered on 30.11.2026 carries the whole quarter's person-time
    and a part of its count: partial for every measured kind, judged once the quarter is over."""
    records = [(u, f"2026-{m:02d}-01", 30) for u in ("a", "b") for m in (1, 4, 7, 10)]
    today = dt.date(2026, 11, 30)
    for kind in ("count", "stock", "share", "score"):
        ind = count_indicator(kind=kind, grain="quarter", population=None, numerator_age=None)
        frame = rows(records, "quarter").assign(numerator=30.0, denominator=60.0)
        series = S.judged_series(S.UnitRows(ind, frame, None), "quarter", today)
        assert series["partial"].tolist() == [False, False, False, True], kind
        assert series["partial_text"].iloc[-1] == "delvis periode"
        assert not np.isnan(
            S.judged_series(S.UnitRows(ind, frame, None), "quarter", LATER)["judge_value"].iloc[-1]
        )


def test_the_rule_for_periods_not_over_is_one_table_over_every_series_kind():
    from analytics.registry import load_registry

    charts = load_registry().charts  # the registry's `charts:` rows say it (judged_before_end)
    assert set(charts) == {"count", "rare_count", "stock", "rollout", "share", "score", "projection"}
    assert [k for k, rule in charts.items() if rule.judged_before_end] == ["projection"]
    ind = count_indicator(projection=True, population=None, numerator_age=None)
    data = S.UnitRows(ind, rows([("a", "2027-01-01", 5), ("a", "2028-01-01", 6)], "year"), None)
    assert not S.judged_series(data, "year", dt.date(2026, 11, 30))["partial"].any()


@pytest.fixture()
def three_members(demo_db, tmp_path):
    """A copy of the demo store (Ahus' IHT patients for its 22 municipalities) with the quarter
    after the demo's newest one loaded for 3 of them (as the integrator's tryout file
    t5_tre_kommuner_iht_pasienter.csv does for 2026K4). Returns (loader, that quarter's label,
    15 days after it ends, the demo's newest quarter, the store)."""
    from loaders.service import Loader
    from tests.conftest import new_store, write_csv

    target = new_store(tmp_path, "tre", like=demo_db)
    loader = Loader.open(target)
    board = loader.board
    before = board.store.unit_series("iht_patients", ["3205"], "count", "quarter")
    newest = pd.Timestamp(before["period_start"].max())
    start = newest + pd.DateOffset(months=3)
    quarter = f"{start.year}K{(start.month - 1) // 3 + 1}"
    after = period_end(start.date(), "quarter") + dt.timedelta(days=15)
    text = f"Kommune;Kvartal;Antall\n3205 Lillestrøm;{quarter};90\n3222 Lørenskog;{quarter};60\n3242 Hurdal;{quarter};9\n"
    assert loader.ingest(write_csv(tmp_path / "tre.csv", text), "iht_patients", today=after).ok
    yield loader, f"{(start.month - 1) // 3 + 1}. kvartal {start.year}", after, newest, target
    board.store.close()


def test_the_indicator_view_leaves_out_a_quarter_from_3_members_and_says_so(three_members):
    """On main the 3-member quarter was an SPC point (special cause, improvement: the three
    are the largest users) and the newest value; now it is missing to SPC and said."""
    from analytics.indicator_view import indicator_view
    from analytics.periods import MONTHS_SHORT

    loader, label, after, newest, _ = three_members
    view = indicator_view(loader.board, "ahus", "iht_patients", today=after, with_small_multiples=False)
    # The funnel's «siste 12 mnd» ends with the newest whole quarter, not the short one.
    end = pd.Timestamp(period_end(newest.date(), "quarter"))
    assert view.funnel is not None and view.funnel.period.endswith(
        f"{MONTHS_SHORT[end.month - 1]} {end.year}"
    )
    assert view.series["label"].iloc[-1] == label
    assert view.spc.points["point_type"].iloc[-1] == "missing"
    assert view.left_out_text == f"{label} bygger på 3 av 22 kommuner og er ikke tatt med i vurderingen."
    assert view.table["Merknad"].iloc[-1] == "tall fra 3 av 22 enheter"
    assert not view.latest_text.endswith(f"({label})")


def test_a_period_not_complete_by_as_of_is_not_judged(three_members, demo_board):
    """A meeting pack «per» a day inside the 3-member quarter: that quarter is not over by then
    (nor complete), so the cut rows end before it and its newest judged period is the one
    before; the partnership's verdicts are those of the store without the three rows."""
    from analytics import datacache
    from analytics.evaluate import _Rows, cut_rows, evaluate_plan, partnership_scope

    loader, _, after, newest, _ = three_members
    board = loader.board
    as_of = after - dt.timedelta(days=30)
    data = cut_rows(
        _Rows(board).get(board.registry.get("iht_patients"), partnership_scope(board, "ahus").unit_ids), as_of
    )
    assert data.rows["period_start"].max() == newest
    assert S.latest_end(S.judged_series(data, today=as_of)) == pd.Timestamp(
        period_end(newest.date(), "quarter")
    )
    datacache.clear()
    judged = evaluate_plan(board, "ahus", as_of=as_of)
    datacache.clear()
    without = evaluate_plan(demo_board, "ahus", as_of=as_of)
    assert {k: (j.status, j.reason) for k, j in judged.criteria.items()} == {
        k: (j.status, j.reason) for k, j in without.criteria.items()
    }


def test_a_year_short_of_members_is_labelled_and_not_compared_with_the_year_before():
    """Jan–Oct 2026 for a and b, but b misses October: 2026 is not compared with Jan–Oct 2025
    (which holds both), and its label says why; a year short only in time still is."""
    records = months(("a", "b"), 1, 12) + months(("a",), 1, 10, 2026) + months(("b",), 1, 9, 2026)
    table = S.year_table(S.UnitRows(count_indicator(), rows(records), None), dt.date(2026, 11, 30))
    current = table[table["year"] == 2026].iloc[0]
    assert current["label"] == "2026, tall mangler for noen av de 2 enhetene i deler av perioden"
    assert np.isnan(current["previous_same"]) and current["previous_text"] == ""
    whole = months(("a", "b"), 1, 12) + months(("a", "b"), 1, 10, 2026)
    table = S.year_table(S.UnitRows(count_indicator(), rows(whole), None), dt.date(2026, 11, 30))
    assert table[table["year"] == 2026].iloc[0]["previous_text"] == "jan.–okt. 2025"


def test_indikator_page_says_the_quarter_from_3_members_is_left_out(three_members, monkeypatch):
    """Indikator, as a leader opens it (AppTest): the sentence under the status, the quarter
    drawn as missing to SPC (no special-cause marker on it), and the table's remark."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT, visible_text

    _, label, _, newest, target = three_members
    monkeypatch.setenv("BOARD_DB", str(target))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params.update({"hf": "ahus", "indikator": "iht_patients"})
    at.run()
    at.switch_page("pages/indicator.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert f"{label} bygger på 3 av 22 kommuner og er ikke tatt med i vurderingen." in captions
    assert "tall fra 3 av 22 enheter" in visible_text(at)
    # The SPC chart: the quarter is an open grey point «ikke vurdert», in no other point trace.
    quarter = str((newest + pd.DateOffset(months=3)).date())
    spc = json.loads(at.get("plotly_chart")[0].proto.spec)
    holding = {
        t.get("name")
        for t in spc["data"]
        if t.get("mode") == "markers" and any(str(x).startswith(quarter) for x in t.get("x") or [])
    }
    assert holding == {"Delvis periode (ikke vurdert)"}, holding


def test_the_deck_chart_names_the_short_quarter_in_its_footnote(three_members):
    from analytics import deck

    loader, label, _, _, _ = three_members
    notes = deck.chart_notes(loader.board, "ahus", "iht_patients")
    assert f"{label} bygger på 3 av 22 kommuner og er ikke tatt med i vurderingen." in notes


def test_a_deck_as_of_a_day_before_the_short_quarter_names_no_short_quarter(three_members, monkeypatch):
    """A meeting pack «per 31.12.2025» is judged on the rows up to that day: the quarter from 3
    members came later, so neither a chart's footnote nor the numbers behind it name it; a pack
    made on the day after that quarter does (on main chart_notes judged as of today)."""
    from analytics import deck

    loader, label, after, _, _ = three_members
    board, as_of = loader.board, dt.date(2025, 12, 31)
    sentence = f"{label} bygger på 3 av 22 kommuner og er ikke tatt med i vurderingen."
    assert sentence in deck.chart_notes(board, "ahus", "iht_patients", today=after)
    notes = deck.chart_notes(board, "ahus", "iht_patients", today=after, as_of=as_of)
    assert not any("bygger på" in note for note in notes), notes
    # The deck's charts (m10's criterion m10-k2 charts IHT patients; its chart is m10-k1's).
    monkeypatch.setattr(deck, "chart_indicator", lambda measure: "iht_patients")
    measures = [board.plan("ahus").measure("m10")]
    for day, named in ((None, True), (as_of, False)):
        charts = deck._chart_requests(
            board, "ahus", measures, lambda m: object(), False, today=after, as_of=day
        )
        assert [sentence in request.notes for _, _, request in charts] == [named]
    _, series = deck.judged(board, "ahus", "iht_patients", today=after, as_of=as_of)
    assert series["period_end"].max().date() <= as_of and not series["short"].any()


def test_a_period_not_over_is_said_on_indikator_but_not_in_a_chart_footnote(demo_board):
    from analytics.indicator_view import left_out_note

    ind = count_indicator(grain="quarter")
    data = S.UnitRows(
        ind, rows([(u, f"2026-{m:02d}-01", 9) for u in ("a", "b") for m in (1, 4, 7, 10)], "quarter"), None
    )
    series = S.judged_series(data, "quarter", dt.date(2026, 11, 30))
    text = left_out_note(demo_board, data, series, dt.date(2026, 11, 30))
    assert text == "4. kvartal 2026 er ikke over før 31.12.2026 og er ikke tatt med i vurderingen."
    assert left_out_note(demo_board, data, series, dt.date(2026, 11, 30), running=False) is None


def test_a_funnel_window_the_cube_has_no_cell_for_is_hidden_where_any_of_its_periods_is():
    """The funnel's 12 months end with the newest whole period; when a newer period is left out
    (short of members) the cube's own funnel window differs, and a unit's figure over the shown
    window is hidden whenever one of its periods in it is (hierarchy rule 3b), never shown
    because the cube has no cell for that window."""
    from analytics import hierarchy
    from analytics.indicator_view import _window_masked

    quarters = ["2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01", "2026-01-01"]
    counts = {"a": [30, 31, 32, 33, 34], "b": [40, 41, 42, 43, 44], "c": [20, 2, 21, 22, 23]}
    facts = pd.DataFrame(
        [
            (u, pd.Timestamp(q), float(v))
            for u, vs in counts.items()
            for q, v in zip(quarters, vs, strict=True)
        ],
        columns=["unit_id", "period_start", "numerator"],
    )
    cube = hierarchy.build_cube(
        facts, "quarter", 5, {hierarchy.FUNNEL: [pd.Timestamp(q) for q in quarters[1:]]}
    )
    data = S.UnitRows(count_indicator(grain="quarter"), rows([], "quarter"), None, cube=cube)
    shown = pd.DataFrame({"period_start": [pd.Timestamp(q) for q in quarters[:4]]})
    masked = _window_masked(data, ["a", "b", "c"], shown)
    native = {u: cube.mask([u] * 4, "quarter", list(shown["period_start"])).any() for u in "abc"}
    assert masked[2] and masked == [bool(native[u]) for u in "abc"]
    own = pd.DataFrame({"period_start": [pd.Timestamp(q) for q in quarters[1:]]})  # the cube's window
    assert _window_masked(data, ["a", "b", "c"], own) == list(
        cube.mask(["a", "b", "c"], hierarchy.FUNNEL, [pd.Timestamp(quarters[-1])] * 3)
    )


def test_a_year_delivered_before_it_ends_is_not_compared_as_if_its_months_were_known():
    """A yearly file's 2026 delivered in November: not judged, labelled «året er ikke over»
    (not «delvis år (jan.–des.)»), and not set against jan.–des. 2025 as like for like."""
    ind = count_indicator(grain="year")
    data = S.UnitRows(
        ind, rows([(u, f"{y}-01-01", 100) for u in "ab" for y in (2024, 2025, 2026)], "year"), None
    )
    today = dt.date(2026, 11, 30)
    series = S.judged_series(data, "year", today)
    assert series["partial_text"].iloc[-1] == "året er ikke over" and np.isnan(series["judge_value"].iloc[-1])
    current = S.year_table(data, today).iloc[-1]
    assert current["label"] == "2026, året er ikke over"
    assert np.isnan(current["change"]) and current["previous_text"] == ""


def test_the_12_month_window_moves_back_past_a_member_missing_a_month_inside_it():
    """A member missing August 2025 makes August short; «siste 12 mnd» may not sum over it (the
    partnership's count would be lower by construction), so the window ends in July 2025, the
    newest 12 months with every member in every month. The newest figure's period (months=0)
    and a stock's «now» stay the newest whole month."""
    records = [
        (u, f"{y}-{m:02d}-01", 10) for u in ("a", "b", "c") for y in (2024, 2025) for m in range(1, 13)
    ]
    records = [r for r in records if not (r[0] == "c" and r[1] == "2025-08-01")]
    data = S.UnitRows(count_indicator(), rows(records), None)
    series = S.judged_series(data, "month", LATER)
    assert series.loc[series["short"], "period_start"].tolist() == [pd.Timestamp("2025-08-01")]
    assert S.latest_end(series) == pd.Timestamp("2025-12-31")
    assert S.latest_end(series, 12) == pd.Timestamp("2025-07-31")
    assert S.recent_end(series, count_indicator()) == pd.Timestamp("2025-07-31")
    assert S.recent_end(series, count_indicator(kind="stock")) == pd.Timestamp("2025-12-31")
    # the window it gives holds every unit in each of its 12 months
    window = S.window_rows(data.rows, S.recent_end(series, count_indicator()))
    assert window.groupby("period_start")["unit_id"].nunique().tolist() == [3] * 12
    # no window without a short month: none to judge
    gappy = [r for r in records if not (r[0] == "c" and r[1].endswith("-01-01") and r[1] > "2024-06")]
    gappy = [r for r in gappy if not (r[0] == "b" and r[1] in ("2024-07-01", "2025-01-01", "2025-07-01"))]
    every_half_year = S.judged_series(S.UnitRows(count_indicator(), rows(gappy), None), "month", LATER)
    assert S.latest_end(every_half_year, 12) is None


def test_the_funnel_compares_the_members_over_the_newest_12_months_every_member_reports(
    fresh_loader, tmp_path
):
    """A quarterly share (STEMI PCI within 120 minutes) for three of Ahus' members, one of which
    has no row for 2025K3: the funnel's «siste 12 mnd» is 2024K3–2025K2, not 2025K1–2025K4
    (which would compare that member over 9 months with the others over 12)."""
    from analytics.indicator_view import funnel_view
    from analytics.series import window_span
    from tests.conftest import write_csv

    lines = ["Kommune;Kvartal;Teller;Nevner"]
    for unit in ("3205", "3222", "3242"):
        for year in (2024, 2025):
            for quarter in (1, 2, 3, 4):
                if (unit, year, quarter) != ("3242", 2025, 3):
                    lines.append(f"{unit};{year}K{quarter};{30 + quarter};40")
    path = write_csv(tmp_path / "stemi.csv", "\n".join(lines) + "\n")
    today = dt.date(2026, 3, 1)
    assert fresh_loader.ingest(path, "stemi_pci_120", today=today).ok
    board = fresh_loader.board
    view = funnel_view(board, "ahus", board.registry.get("stemi_pci_120"), today=today)
    assert view is not None
    assert view.period == window_span(pd.Timestamp("2024-07-01"), pd.Timestamp("2025-06-30"), "quarter")
    assert sorted(view.unit_ids) == ["3205", "3222", "3242"]


def _three_units_two_years(drop: tuple = ()) -> S.UnitRows:
    """Units a, b, c monthly 2024–2025 (10 a month each), without the (unit, start) in ``drop``."""
    records = [
        (u, f"{y}-{m:02d}-01", 10) for u in ("a", "b", "c") for y in (2024, 2025) for m in range(1, 13)
    ]
    return S.UnitRows(count_indicator(), rows([r for r in records if (r[0], r[1]) not in drop]), None)


@pytest.mark.parametrize(
    ("drop", "says"),
    [
        # one member without March 2024: the baseline's sum is two members' for that month
        (
            (("c", "2024-03-01"),),
            "mangler tall fra noen av kommunene (mars 2024)",
        ),
        # March 2024 missing for every member: the baseline holds 11 months, not 12
        (
            (("a", "2024-03-01"), ("b", "2024-03-01"), ("c", "2024-03-01")),
            "mangler tall for 1 av 12 måneder etter de første tallene",
        ),
    ],
)
def test_a_baseline_with_a_missing_period_is_not_compared(drop, says):
    from analytics.evaluate import baseline_comparison
    from analytics.plan import Baseline

    baseline = Baseline.model_validate({"from": "2024-01", "to": "2024-12"})
    data = _three_units_two_years(drop)
    comparison = baseline_comparison(data, baseline, pd.Timestamp("2025-12-31"))
    assert comparison.baseline is None and comparison.p_value is None
    assert says in comparison.note
    # the same data whole: compared (10 a month in both windows: no change)
    whole = baseline_comparison(_three_units_two_years(), baseline, pd.Timestamp("2025-12-31"))
    assert whole.baseline is not None and whole.note is None


def test_data_that_start_inside_the_baseline_are_compared_from_their_first_month():
    """A service that starts in July 2024 (as the demo's IHT): its baseline is the months it has."""
    from analytics.evaluate import baseline_comparison
    from analytics.plan import Baseline

    late = [(f"2024-{m:02d}-01") for m in range(1, 7)]
    data = _three_units_two_years(tuple((u, s) for u in ("a", "b", "c") for s in late))
    baseline = Baseline.model_validate({"from": "2024-01", "to": "2024-12"})
    comparison = baseline_comparison(data, baseline, pd.Timestamp("2025-12-31"))
    assert comparison.baseline is not None and comparison.note is None


def test_the_12_month_window_moves_back_past_a_month_no_member_has():
    """March 2025 missing for all three units: no period of the series is short (every unit has
    every month the series has), but «siste 12 mnd» over Jan–Dec 2025 would sum 11 months."""
    data = _three_units_two_years(tuple((u, "2025-03-01") for u in ("a", "b", "c")))
    series = S.judged_series(data, "month", LATER)
    assert not series["short"].any()
    assert S.latest_end(series, 12) == pd.Timestamp("2025-02-28")
    assert S.covered_months(S.window_rows(data.rows, pd.Timestamp("2025-02-28"))) == 12
