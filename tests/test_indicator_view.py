"""Series (rates, roll-ups, windows, baselines) and the views behind the Indikator and Kommune pages."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import clock
from analytics import series as S
from analytics.evaluate import baseline_comparison
from analytics.indicator_view import (
    criterion_view,
    funnel_reading,
    indicator_view,
    municipality_view,
    plan_indicator_ids,
)
from analytics.periods import period_end
from analytics.plan import Baseline
from analytics.registry import Indicator
from tests.support import count_indicator

TODAY = dt.date(2026, 11, 24)
NOW = clock.today()  # the demo data end with the last whole month before the board's today


def indicator(**changes) -> Indicator:
    return count_indicator(**changes)


def rows(records: list[tuple], grain: str = "month") -> pd.DataFrame:
    """(unit, 'YYYY-MM-DD', value, population[, numerator, denominator, suppressed])."""
    out = []
    for rec in records:
        unit, start, value, population, *rest = rec
        numerator, denominator, suppressed = (rest + [None, None, False])[:3]
        start = pd.Timestamp(start)
        end = pd.Timestamp(period_end(start.date(), grain))
        days = (end - start).days + 1
        year_days = 366 if start.is_leap_year else 365
        out.append(
            {
                "unit_id": unit,
                "period_start": start,
                "period_end": end,
                "value": np.nan if suppressed else value,
                "numerator": numerator,
                "denominator": denominator,
                "suppressed": bool(suppressed),
                "population": population,
                "person_years": None if population is None else population * days / year_days,
            }
        )
    return pd.DataFrame(out, columns=S.ROW_COLUMNS)


# -- rates ------------------------------------------------------------------------------------------


def test_rate_is_summed_counts_over_summed_person_years_not_a_mean_of_rates():
    ind = indicator(grain="year")
    data = rows([("a", "2024-01-01", 10, 1000), ("b", "2024-01-01", 90, 9000 * 2)], grain="year")
    out = S.aggregate(data, ind).iloc[0]
    # 2024 is a leap year with 366 days: person-years equal the population for a whole year.
    assert out["numerator"] == 100
    assert out["denominator"] == pytest.approx(19000)
    assert out["value"] == pytest.approx(100 / 19000 * 1000)  # 5.263…
    mean_of_rates = (10 / 1000 * 1000 + 90 / 18000 * 1000) / 2  # 7.5
    assert abs(out["value"] - mean_of_rates) > 2


def test_month_rate_is_annualised_by_its_days():
    ind = indicator()
    data = rows([("a", "2025-02-01", 28, 1000)])
    out = S.aggregate(data, ind).iloc[0]
    # 28 events in February among 1 000 people = 28 / (1000 × 28/365) × 1000 = 365 per 1 000 per year.
    assert out["value"] == pytest.approx(365.0)


def test_suppressed_row_keeps_its_person_years_and_gives_a_range():
    """Issue 13 case 5: a suppressed cell (1–4 events) is not dropped from the person-years;
    the aggregate is a range over its possible values, with the expected value as the point."""
    ind = indicator()
    data = rows(
        [
            ("a", "2025-01-01", 10, 1000),
            ("b", "2025-01-01", None, 5000, None, None, True),
        ]
    )
    out = S.aggregate(data, ind).iloc[0]
    person_years = 6000 * 31 / 365
    assert out["denominator"] == pytest.approx(person_years)  # b's inhabitants are still there
    assert out["lower"] == pytest.approx(11 / person_years * 1000)  # b had at least 1
    assert out["upper"] == pytest.approx(14 / person_years * 1000)  # and at most 4
    assert 11 < out["numerator"] < 14 and out["lower"] < out["value"] < out["upper"]
    assert bool(out["incomplete"]) and out["n_suppressed"] == 1 and out["n_hidden"] == 1


def test_count_without_population_is_judged_with_its_range():
    ind = indicator(population=None)
    data = S.UnitRows(
        ind,
        rows([("a", "2025-01-01", 10, None), ("b", "2025-01-01", None, None, None, None, True)]),
        None,
    )
    series = S.judged_series(data, today=TODAY)
    row = series.iloc[0]
    assert 11 <= row["value"] <= 14 and row["judge_value"] == row["value"]
    assert (row["judge_lower"], row["judge_upper"]) == (11, 14)  # the verdict code checks both ends
    one = S.judged_series(S.UnitRows(ind, data.rows[data.rows["unit_id"] == "b"], None), today=TODAY)
    assert np.isnan(one["value"].iloc[0])  # a hidden cell on its own stays missing


def test_share_is_sum_over_sum_and_stock_is_last_value_and_score_is_mean():
    share = indicator(kind="share", population=None, unit="prosent")
    data = rows(
        [("a", "2025-01-01", 50.0, None, 1, 2), ("b", "2025-01-01", 90.0, None, 90, 100)],
        grain="quarter",
    )
    assert S.aggregate(data, share).iloc[0]["value"] == pytest.approx(100 * 91 / 102)

    stock = indicator(kind="stock", population=None, unit="kommuner", grain="quarter")
    data = rows(
        [("a", "2025-01-01", 0, None), ("a", "2025-04-01", 1, None), ("b", "2025-01-01", 1, None)],
        grain="quarter",
    )
    data["period"] = S.truncate(data["period_start"], "year")
    # a's last value in 2025 is 1 (second quarter); b's only value is 1.
    assert S.aggregate(data, stock, ["period"]).iloc[0]["value"] == 2

    score = indicator(kind="score", population=None, unit="dager", grain="year")
    data = rows([("a", "2025-01-01", 6.0, None), ("b", "2025-01-01", 8.0, None)], grain="year")
    assert S.aggregate(data, score).iloc[0]["value"] == 7.0


def test_year_in_progress_is_partial_and_compared_like_for_like():
    ind = indicator()
    records = [("a", f"2025-{m:02d}-01", 10, 1000) for m in range(1, 13)]
    records += [("a", f"2026-{m:02d}-01", 8, 1000) for m in range(1, 11)]  # January–October
    data = S.UnitRows(ind, rows(records), None)
    years = S.year_table(data, TODAY)
    current = years[years["year"] == 2026].iloc[0]
    assert current["partial"]
    assert current["label"] == "2026, delvis år (jan.–okt.)"
    assert current["previous_text"] == "jan.–okt. 2025"
    # Same scale: 80 events in 304 days (January–October) vs 100 in the same 304 days of 2025.
    assert current["value"] == pytest.approx(80 / (1000 * 304 / 365) * 1000)
    assert current["previous_same"] == pytest.approx(100 / (1000 * 304 / 365) * 1000)
    series = S.judged_series(data, "year", TODAY)
    assert np.isnan(series["judge_value"].iloc[-1])  # a partial year is not judged


def test_population_is_carried_forward_with_a_note():
    facts = rows([("a", "2026-03-01", 5, None)]).drop(columns=["population", "person_years"])
    population = pd.DataFrame({"unit_id": ["a"], "year": [2025], "value": [2000.0]})
    out, note = S.attach_population(facts, population)
    assert out["population"].iloc[0] == 2000
    assert note == "Befolkningstall for 2026 er ikke publisert, tallene for 2025 er brukt."


def test_population_is_carried_back_and_missing_units_stay_missing():
    facts = rows([("a", "2019-03-01", 5, None), ("b", "2024-01-01", 3, None)]).drop(
        columns=["population", "person_years"]
    )
    population = pd.DataFrame({"unit_id": ["a", "a"], "year": [2021, 2022], "value": [1500.0, 1600.0]})
    out, note = S.attach_population(facts, population)
    assert out["population"].iloc[0] == 1500  # the oldest published year for an earlier one
    assert np.isnan(out["population"].iloc[1])  # no population for b: missing, not carried
    assert note == "Befolkningstall for 2019 er ikke publisert, tallene for 2021 er brukt."


def test_population_found_by_integer_keys_is_what_the_joins_found(demo_board):
    """attach_population finds each row's population by integer keys (_population_lookup);
    it must give the four arrays the pandas joins gave (_population_joins), row for row: for
    a year published, a later and an earlier year carried, a gap carried back, a unit without
    population, and for every rated indicator's rows of the demo's members; a (unit, year)
    given twice is left to the joins."""
    facts = rows(
        [("a", "2019-03-01", 5, None), ("a", "2021-05-01", 5, None), ("a", "2023-01-01", 4, None)]
        + [("a", "2026-03-01", 5, None), ("b", "2024-01-01", 3, None), ("c", "2025-02-01", 1, None)]
    ).drop(columns=["population", "person_years"])
    population = pd.DataFrame(
        {
            "unit_id": ["a", "a", "a", "c"],
            "year": [2021, 2022, 2024, 2025],
            "value": [1.5e3, 1.6e3, 1.7e3, 90.0],
        }
    )
    cases = [(facts, population)]
    units = demo_board.member_ids("ahus")
    for indicator in demo_board.registry.indicators:
        if not S.rated(indicator) or indicator.grain not in ("month", "quarter", "year"):
            continue
        read = demo_board.store.unit_series(indicator.id, list(units), indicator.kind, indicator.grain)
        if read.empty:
            continue
        table = S.population_table(demo_board, indicator.population, tuple(sorted(read["unit_id"].unique())))
        cases.append((read.assign(period_start=pd.to_datetime(read["period_start"])), table))
    assert len(cases) > 3
    carried = 0
    for frame, table in cases:
        keyed = frame.assign(year=pd.to_datetime(frame["period_start"]).dt.year)
        pop = table.assign(year=table["year"].astype(int), value=table["value"].astype(float))
        found = S._population_lookup(pop, keyed["unit_id"], keyed["year"].to_numpy().astype(np.int64))
        assert found is not None
        for got, joined in zip(found, S._population_joins(pop, keyed), strict=True):
            np.testing.assert_array_equal(np.asarray(got, dtype=float), np.asarray(joined, dtype=float))
        carried += int(found[1].sum())
    assert carried >= 3  # the carried years were compared, not only published ones
    twice = pd.concat([population, population.iloc[:1]], ignore_index=True)
    keyed = facts.assign(year=pd.to_datetime(facts["period_start"]).dt.year)
    assert S._population_lookup(twice, keyed["unit_id"], keyed["year"].to_numpy().astype(np.int64)) is None


def test_region_population_counts_only_years_with_every_member(demo_board):
    units = demo_board.units
    region = units[units["kind"] == "region"]["unit_id"].iloc[0]
    members = units[units["region"] == region]["unit_id"].tolist()
    table = S.population_table(demo_board, "population_total", [region, *members])
    own = table[table["unit_id"].isin(members)].groupby("year")
    summed = own["value"].sum()[own["unit_id"].nunique() == len(members)]
    regional = table[table["unit_id"] == region].set_index("year")["value"]
    assert not regional.empty
    pd.testing.assert_series_equal(
        regional.sort_index(), summed.sort_index(), check_names=False, check_index_type=False
    )


BASELINE_2023 = Baseline.model_validate({"from": "2023-01", "to": "2023-12"})


def test_baseline_comparison_uses_exact_poisson_test():
    ind = indicator()
    records = [("a", f"2023-{m:02d}-01", 10, 1000) for m in range(1, 13)]
    records += [("a", f"2025-{m:02d}-01", 5, 1000) for m in range(1, 13)]
    data = S.UnitRows(ind, rows(records), None)
    result = baseline_comparison(data, BASELINE_2023, pd.Timestamp("2025-12-31"))
    assert result.recent_numerator == 60 and result.baseline_numerator == 120
    # Equal person-time in both years: under H0 the recent count is Binomial(180, 0.5).
    assert result.p_value == pytest.approx(stats.binomtest(60, 180, 0.5).pvalue)
    assert result.significant and result.direction() == -1
    assert result.recent_text == "siste 12 mnd (jan. 2025–des. 2025)"
    assert result.baseline_text == f"grunnlinje {BASELINE_2023.text}"


def test_share_comparison_uses_fisher():
    ind = indicator(kind="share", population=None, grain="year", unit="prosent")
    data = S.UnitRows(
        ind,
        rows([("a", "2023-01-01", 50.0, None, 50, 100), ("a", "2025-01-01", 70.0, None, 70, 100)], "year"),
        None,
    )
    result = baseline_comparison(data, BASELINE_2023, pd.Timestamp("2025-12-31"))
    assert result.p_value == pytest.approx(stats.fisher_exact([[70, 30], [50, 50]]).pvalue)
    assert result.test == "Fishers eksakte test"


# -- views on the demo data ------------------------------------------------------------------------


def test_plan_indicators_are_the_partnerships_own(demo_board):
    ahus = plan_indicator_ids(demo_board, "ahus")
    # hip_fractures counts patients 65+ and divides by the same band (registry numerator_age)
    assert "hip_fractures" in ahus and "population_65_plus" in ahus
    assert "stemi_pci_120" not in ahus
    assert "projection_80_plus" in plan_indicator_ids(demo_board, "lovesa")


def test_other_partnerships_units_and_indicators_are_refused(demo_board):
    with pytest.raises(KeyError):
        indicator_view(demo_board, "ahus", "stemi_pci_120", today=NOW)
    with pytest.raises(KeyError):
        indicator_view(demo_board, "ahus", "hip_fractures", unit_ids=["1804"], today=NOW)
    with pytest.raises(KeyError):
        municipality_view(demo_board, "ahus", "1804", today=NOW)


def test_hip_fractures_view_rates_spc_funnel_and_tables(demo_board):
    view = indicator_view(demo_board, "ahus", "hip_fractures", today=NOW)
    assert view.value_label == "Per 1 000 innbyggere 65 år og eldre per år"
    assert view.spc.enough_points and view.spc.variation == "improvement_low"
    assert view.funnel is not None and view.funnel.result.kind == "poisson"
    assert re.fullmatch(r"siste 12 mnd \(\w+\.? \d{4}–\w+\.? \d{4}\)", view.funnel.period_text)
    # The rate for a month equals its count over its person-years.
    row = view.series.iloc[-1]
    assert row["value"] == pytest.approx(row["numerator"] / row["denominator"] * 1000)
    assert "Gjennomsnitt" in view.table.columns and "Punkttype" in view.table.columns
    assert view.table_csv().decode("utf-8-sig").startswith("Periode;Antall;Personår;")
    last = view.year_table.iloc[-1]
    if "delvis år" in last["År"]:  # a year in progress is compared like for like
        assert last["Samme måneder året før"] and last["Endring"]
    assert view.criteria and view.criteria[0].criterion.id == "m11-k3"
    # 2026 is not published: SSB's projection stands in, and the notes say so
    assert "Befolkning 2026: SSBs framskriving (hovedalternativet)." in view.notes


def test_suppressed_and_small_counts_are_hidden_for_one_municipality(demo_board):
    view = indicator_view(demo_board, "ahus", "hip_fractures", unit_ids=["3242"], today=NOW)
    small = view.series["hidden"]
    assert small.any()
    assert view.points.loc[small, "value"].isna().all()  # never drawn
    assert set(view.points.loc[small, "display"]) == {"skjult (<5)"}
    assert "<5" in set(view.table["Antall"])
    suppressed = demo_board.store.facts(["hip_fractures"], ["030110"])
    assert suppressed["suppressed"].any()  # the demo has ":" cells
    district = indicator_view(demo_board, "ahus", "hip_fractures", unit_ids=["030110"], today=NOW)
    assert district.series["incomplete"].any()
    assert any("ufullstendig" in note for note in district.table["Merknad"])


def test_yearly_share_has_too_few_points(demo_board):
    view = indicator_view(demo_board, "ahus", "referral_quality_share", today=NOW)
    assert view.too_few_points
    assert view.spc.message.startswith("For få datapunkter (4)")
    assert view.funnel is not None and view.funnel.result.kind == "binomial"


def test_rollout_projection_is_clipped_to_members(demo_board):
    view = indicator_view(demo_board, "ahus", "iht_municipalities", today=NOW)
    assert view.rollout and view.target == 22
    assert view.projection is not None and view.projection.upper <= 22
    assert view.projection_figure is not None
    assert "i dagens tempo nås 22" in view.projection_text.lower()
    assert view.assurance_text.startswith("📈 Nås i dagens tempo")
    assert view.funnel is None  # a count of municipalities has no rate to compare


def test_criterion_view_gives_status_line_and_figure(demo_board):
    view = criterion_view(demo_board, "ahus", "m10-k1", today=NOW)
    assert re.match(r"⏰ Forsinket – Antall kommuner som deltar i IHT \d+ av 22 ", view.status_line)
    assert view.figure is not None
    trend = criterion_view(demo_board, "ahus", "m11-k3", today=NOW)
    assert trend.figure is not None and trend.judgement.status.value == "Oppnådd"
    milestone = criterion_view(demo_board, "ahus", "m02-k1", today=NOW)
    assert milestone.figure is None


def test_municipality_view(demo_board):
    view = municipality_view(demo_board, "ahus", "3205", today=NOW)
    assert view.name == "Lillestrøm" and view.region == "Nedre Romerike"
    plan = demo_board.plan("ahus")
    expected = sum(
        len(c.indicators) for _, c in plan.criteria if c.indicators and c.kind.value != "milestone"
    )
    assert len(view.table) == expected
    iht = view.table[view.table["Indikator"] == "Antall kommuner som deltar i IHT"].iloc[0]
    # judged at the plan's deadline (31.12.2025): the demo's random rollout decides whether
    # Lillestrøm had joined by then; the status follows its own figure either way
    joined = iht["Kommunen"] == "1"
    assert iht["Status i kommunen"] == ("✅ Oppnådd" if joined else "⏰ Forsinket")
    assert ("kommunen deltar ikke" in iht["Begrunnelse (kommunen)"]) != joined
    assert "kommunen deltar" in iht["Begrunnelse (kommunen)"]
    assert view.funnels and all(f.flag("3205") for f, _ in view.funnels)
    assert set(view.population["Gruppe"]) >= {"Folkemengde 80 år og eldre"}


def test_a_shared_partnership_comparison_gives_the_same_view_reading_only_the_municipality(demo_board):
    from analytics import datacache, evaluate
    from analytics.indicator_view import partnership_comparison

    alone = municipality_view(demo_board, "ahus", "3222", today=NOW)
    status = evaluate.evaluate_plan(demo_board, "ahus", NOW)
    comparison = partnership_comparison(demo_board, "ahus", NOW)
    read: list[tuple[str, ...]] = []
    load_rows = evaluate.load_rows

    def spy(board, indicator, units, *args, **kwargs):
        read.append(tuple(units))
        return load_rows(board, indicator, units, *args, **kwargs)

    # pytest's own monkeypatch: a spy changes no rule, so the kept values stay (conftest's
    # would forget them)
    with pytest.MonkeyPatch.context() as spying:
        spying.setattr(evaluate, "load_rows", spy)
        shared = municipality_view(
            demo_board, "ahus", "3222", today=NOW, plan_status=status, comparison=comparison
        )
        pd.testing.assert_frame_equal(shared.table, alone.table)
        pd.testing.assert_frame_equal(shared.population, alone.population)
        assert [fig.to_json() for _, fig in shared.funnels] == [fig.to_json() for _, fig in alone.funnels]
        # the municipality's own rows (with its region where a criterion asks), no other member's
        others = set(demo_board.member_ids("ahus")) - {"3222"}
        assert not [units for units in read if others & set(units)]  # all kept from the first view
        datacache.clear()  # as after a new upload: the shared comparison still spares the others' rows
        again = municipality_view(
            demo_board, "ahus", "3222", today=NOW, plan_status=status, comparison=comparison
        )
        pd.testing.assert_frame_equal(again.table, alone.table)
        assert ("3222",) in read and not [units for units in read if others & set(units)]


def test_funnel_reading_names_the_good_direction():
    assert funnel_reading("over 95 %", "decrease") == "over 95 % (uønsket retning)"
    assert funnel_reading("under 99,8 %", "decrease") == "under 99,8 % (ønsket retning)"
    assert funnel_reading("innenfor", "increase") == "innenfor"


def test_complementary_suppression_hides_a_second_unit_when_one_is_small():
    import pandas as pd

    from analytics.indicator_view import _complementary

    periods = pd.to_datetime(["2024-01-01", "2025-01-01"])
    per_unit = pd.DataFrame(
        {
            "unit_id": ["a", "b", "c", "a", "b", "c"],
            "period_start": [periods[0]] * 3 + [periods[1]] * 3,
            "numerator": [3.0, 20.0, 40.0, 10.0, 20.0, 40.0],
            "hidden": [True, False, False, False, False, False],
        }
    )
    whole = pd.DataFrame({"period_start": periods, "numerator": [63.0, 70.0], "hidden": [False, False]})
    protected, total = _complementary(per_unit, whole)
    first_year = protected[protected["period_start"] == periods[0]]
    # 63 − 20 − 40 would give the hidden 3 back: the next smallest part (20) is hidden too
    assert first_year["hidden"].tolist() == [True, True, False]
    assert not protected[protected["period_start"] == periods[1]]["hidden"].any()
    assert not total["hidden"].any()


WINDOW = re.compile(r"siste 12 mnd \(([^)]+)\) ([^ ;]+)")


def _window_end(period: str) -> tuple[int, int]:
    """(year, month) a shown period ends in: «jan. 2025–des. 2025», «4. kvartal 2025», «2025»."""
    last = period.split("–")[-1]
    year = int(last.split()[-1])
    if "kvartal" in last:
        return year, int(last.split(".")[0]) * 3
    if last.isdigit():
        return year, 12
    month = last.split()[0].rstrip(".")
    return year, next(
        i + 1 for i, m in enumerate(S.MONTHS_SHORT) if m.rstrip(".") == month[: len(m.rstrip("."))]
    )


@pytest.mark.parametrize(("partnership", "unit"), [("ahus", "3205"), ("ahus", "3242"), ("lovesa", "1860")])
def test_kommune_shows_the_value_and_period_each_status_rests_on(demo_board, partnership, unit):
    """After a passed deadline a status rests on the data up to the deadline («siste 12 mnd
    (jan. 2025–des. 2025) 10,1»); the row shows that window and value for the municipality,
    and the partnership's value over the same window, not the newest months."""
    from analytics import evaluate, protection
    from analytics.plan import CriterionKind
    from analytics.series import latest_end

    view = municipality_view(demo_board, partnership, unit, today=NOW)
    plan = demo_board.plan(partnership)
    whole = evaluate.evaluate_plan(demo_board, partnership, NOW)
    judged = [
        (m, c, i)
        for m, c in plan.criteria
        if c.indicators and c.kind is not CriterionKind.milestone
        for i in c.indicators
    ]
    table = view.table.to_dict("records")
    assert [r["Kriterium"] for r in table[: len(judged)]] == [c.title for _, c, _ in judged]
    windows = ends = cut = 0
    for row, (measure, criterion, indicator_id) in zip(table, judged, strict=False):
        # judged afresh (not the judgement analytics.datacache kept for the view)
        result = evaluate._evaluate_criterion(
            demo_board,
            plan,
            measure,
            criterion,
            evaluate.unit_scope(demo_board, [unit]),
            NOW,
            None,
            evaluate._Rows(demo_board),
            None,
        )
        part = next((p for p in result.parts if p.indicator.id == indicator_id), None)
        if part is None:  # coverage and before/after: judged on the data up to today
            assert result.data_until == NOW
            continue
        end = latest_end(part.series)
        if end is None:  # no figures for the municipality
            assert row["Kommunen"] == "–"
            continue
        cut += part.series["period_end"].max() < pd.Timestamp(NOW) - pd.DateOffset(months=6)
        assert _window_end(row["Periode"]) == (end.year, end.month), (criterion.id, row["Periode"], end)
        ends += 1
        named = WINDOW.findall(part.judgement.reason.split("etter fristen")[0])
        if named:
            period, value = named[0]
            assert row["Periode"] == period, (criterion.id, part.judgement.reason)
            if value[0].isdigit():  # «:»: hidden so a small neighbour cannot be worked out
                assert row["Kommunen"] in (value, protection.SECONDARY), (criterion.id, value)
            else:  # «færre enn 5»
                assert not row["Kommunen"][0].isdigit(), (criterion.id, row["Kommunen"])
            theirs = WINDOW.findall(whole.criteria[criterion.id].reason)
            if theirs and theirs[0][0] == row["Periode"] and row["Helsefellesskapet"][0].isdigit():
                assert theirs[0][1] == row["Helsefellesskapet"], (criterion.id, theirs[0])
            windows += 1
    assert ends >= 8 and windows >= 2 and (cut > 0 or partnership == "lovesa")
    for row in table[len(judged) :]:  # not in the plan: the newest 12 months
        assert row["Kriterium"] == "Ikke i planen (tallene følges)" and row["Periode"] != "–"


def test_the_variation_card_names_the_point_its_status_judged(demo_board):
    """After the deadline (31.12.2025) the trend is judged on the data up to it: the card
    beside «Siste verdi» names that point instead of passing for the newest point's."""
    hip = indicator_view(demo_board, "ahus", "hip_fractures", today=NOW, with_small_multiples=False)
    judged = hip.judged.series[hip.judged.series["judge_value"].notna()]
    assert judged["period_end"].iloc[-1] == pd.Timestamp(2025, 12, 31)
    assert hip.variation_label == "Variasjon (desember 2025, som statusen bygger på)"
    assert "(desember 2025)" not in hip.latest_text  # the newest value is later
    ongoing = indicator_view(
        demo_board, "lovesa", "sepsis_antibiotics_1h", today=NOW, with_small_multiples=False
    )
    assert ongoing.variation_label == "Variasjon (siste punkt)"  # judged up to the newest point


def test_kommune_names_the_partnerships_own_period_where_it_differs(demo_board):
    """Kommune has one «Periode» column for both values. Where the partnership's value rests on
    another window than the municipality's (the municipality's figures end earlier), the
    partnership's cell names its own period; where the municipality has no figures, the period
    shown is the partnership's (indicator_view.criterion_value), so nothing is bracketed."""
    import dataclasses

    from analytics import evaluate
    from analytics.indicator_view import beside, partnership_comparison

    status = evaluate.evaluate_plan(demo_board, "ahus", NOW)
    comparison = partnership_comparison(demo_board, "ahus", NOW)
    view = municipality_view(demo_board, "ahus", "3222", today=NOW, plan_status=status, comparison=comparison)
    later = "okt. 2030–sep. 2031"  # a partnership whose figures run on past the municipality's
    shifted = dataclasses.replace(
        comparison,
        judged={key: (value, later) for key, (value, _) in comparison.judged.items()},
        recent={key: (value, later) for key, (value, _) in comparison.recent.items()},
    )
    again = municipality_view(demo_board, "ahus", "3222", today=NOW, plan_status=status, comparison=shifted)
    bracketed = 0
    for (_, before), (_, after) in zip(view.table.iterrows(), again.table.iterrows(), strict=True):
        value = before["Helsefellesskapet"]
        if value in ("–", "") or after["Periode"] == later:  # no value, or no figures for the municipality
            assert after["Helsefellesskapet"] == value
        else:
            assert after["Periode"] == before["Periode"] != later
            assert after["Helsefellesskapet"] == f"{value} ({later})"
            bracketed += 1
    assert bracketed and (again.table["Periode"] == later).any()
    assert beside("jan. 2025–des. 2025", ("92", "jan. 2025–des. 2025")) == "92"
    assert beside("–", ("92", "jan. 2025–des. 2025")) == "92 (jan. 2025–des. 2025)"
    assert beside("2025", ("–", "–")) == "–"


def test_a_partnership_figure_from_some_members_says_which(fresh_loader, tmp_path):
    """A file for 3 of LoVeSa's 21 municipalities is summed over those 3: the partnership's
    Indikator view says so (coverage_text) and names them; a municipality's own view, and a
    partnership whose members all have figures, carry no such sentence."""
    from analytics.indicator_view import indicator_view
    from tests.conftest import write_csv

    rows = "Kommune;Måned;Antall\n" + "".join(
        f"{unit};2024-{m:02d};{20 + m}\n"
        for unit in ("1804 Bodø", "1860 Vestvågøy", "1870 Sortland")
        for m in range(1, 13)
    )
    assert fresh_loader.ingest(write_csv(tmp_path / "tre.csv", rows), "fall_risk_assessments").ok
    board = fresh_loader.board
    today = dt.date(2026, 11, 30)
    view = indicator_view(board, "lovesa", "fall_risk_assessments", today=today, with_small_multiples=False)
    assert view.coverage_text is not None
    assert "bygger på de 3 av 21 kommunene som har tall" in view.coverage_text
    assert view.coverage_text.endswith("Med tall: Vestvågøy, Sortland, Bodø.")
    one = indicator_view(
        board, "lovesa", "fall_risk_assessments", ["1804"], today=today, with_small_multiples=False
    )
    assert one.coverage_text is None
    members = board.member_units("ahus")
    every = "Kommune;Måned;Antall\n" + "".join(f"{u};2024-01;30\n" for u in members["unit_id"])
    assert fresh_loader.ingest(write_csv(tmp_path / "alle.csv", every), "fall_risk_assessments").ok
    assert (
        indicator_view(
            board, "ahus", "fall_risk_assessments", today=today, with_small_multiples=False
        ).coverage_text
        is None
    )


def test_one_units_cut_is_kept_and_equals_the_cut_made_afresh():
    """evaluate.cut_rows keeps one unit's cut per day (the table's value_until and the
    criterion's judging read one cut and one judged series); it is the same rows, judged the
    same, as a cut built afresh. A wider set's cut is not kept."""
    from analytics.evaluate import cut_rows
    from analytics.indicator_view import value_until

    ind = indicator()
    records = [("a", f"{y}-{m:02d}-01", 10 + m, 1000) for y in (2024, 2025, 2026) for m in range(1, 13)]
    data = S.UnitRows(ind, rows(records), None)
    until = dt.date(2025, 12, 31)
    value_until(data, until, TODAY)
    cut = cut_rows(data, until)
    assert cut is cut_rows(data, until)
    assert ("month", TODAY, False) in cut.judged  # judged once, for both
    fresh = S.UnitRows(ind, data.rows[data.rows["period_end"].dt.date <= until].reset_index(drop=True), None)
    pd.testing.assert_frame_equal(cut.rows, fresh.rows)
    pd.testing.assert_frame_equal(S.judged_series(cut, today=TODAY), S.judged_series(fresh, today=TODAY))
    assert value_until(data, until, TODAY) == value_until(fresh, None, TODAY)
    assert cut_rows(data, dt.date(2027, 1, 1)) is data  # nothing after the day: the rows themselves

    wide = S.UnitRows(ind, rows(records + [("b", r[1], 5, 500) for r in records]), None)
    wide_cut = cut_rows(wide, until)
    assert wide_cut is not cut_rows(wide, until)
    pd.testing.assert_frame_equal(
        wide_cut.rows, wide.rows[wide.rows["period_end"].dt.date <= until].reset_index(drop=True)
    )
