"""Population, projections and expected demand: the arithmetic, on small frames and the demo store."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analytics import population as pop
from analytics.board import Board
from analytics.store import UploadMeta


def rows(values: dict[tuple[str, str, int], float]) -> pd.DataFrame:
    """(unit, group, year) → value as a frame."""
    return pd.DataFrame(
        [{"unit_id": u, "group": g, "year": y, "value": v} for (u, g, y), v in values.items()]
    )


def units_frame() -> pd.DataFrame:
    """A partnership p with region r1 (a, b, c) and region r2 (d)."""
    return pd.DataFrame(
        [
            ("p", "P", "partnership", None, "p"),
            ("r1", "R1", "region", None, "p"),
            ("r2", "R2", "region", None, "p"),
            ("a", "A", "municipality", "r1", "p"),
            ("b", "B", "municipality", "r1", "p"),
            ("c", "C", "municipality", "r1", "p"),
            ("d", "D", "municipality", "r2", "p"),
            ("x", "X", "municipality", "rx", "other"),
        ],
        columns=["unit_id", "name", "kind", "region", "partnership"],
    )


# -- registered and projected ---------------------------------------------------------------


def test_registered_wins_where_both_exist_and_projection_continues_after():
    registered = rows({("a", "80_plus", 2024): 100, ("a", "80_plus", 2025): 110})
    projected = rows({("a", "80_plus", 2025): 999, ("a", "80_plus", 2026): 120, ("b", "80_plus", 2025): 50})
    frame = pop.combine(registered, projected).set_index(["unit_id", "year"])
    assert frame.loc[("a", 2025), "value"] == 110 and frame.loc[("a", 2025), "kind"] == pop.REGISTERED
    assert frame.loc[("a", 2026), "kind"] == pop.PROJECTED
    assert len(frame.loc["a"]) == 3  # 2024, 2025 registered; 2026 projected; no second 2025
    assert frame.loc[("b", 2025), "kind"] == pop.PROJECTED  # nothing registered: the projection stands


def test_a_newly_registered_year_replaces_its_projection():
    registered = rows({("a", "total", 2025): 1000, ("a", "total", 2026): 1012})
    projected = rows({("a", "total", y): 1000 + y - 2025 for y in range(2025, 2029)})
    frame = pop.combine(registered, projected)
    assert frame.groupby("year")["kind"].first().to_dict() == {
        2025: pop.REGISTERED,
        2026: pop.REGISTERED,
        2027: pop.PROJECTED,
        2028: pop.PROJECTED,
    }


def test_aggregate_sums_members_only_in_years_where_all_are_known():
    members = pop.combine(
        rows({("a", "80_plus", 2025): 10, ("b", "80_plus", 2025): 20, ("a", "80_plus", 2024): 9}),
        rows({("a", "80_plus", 2026): 12, ("b", "80_plus", 2026): 25}),
    )
    total = pop.aggregate(members, {"r": ["a", "b"]}).set_index("year")
    assert total.loc[2025, "value"] == 30 and total.loc[2025, "kind"] == pop.REGISTERED
    assert total.loc[2026, "value"] == 37 and total.loc[2026, "kind"] == pop.PROJECTED
    assert 2024 not in total.index  # b is missing in 2024: no partial sum


def test_aggregate_year_is_projected_when_any_member_is():
    members = pop.combine(rows({("a", "total", 2025): 10}), rows({("b", "total", 2025): 5}))
    total = pop.aggregate(members, {"r": ["a", "b"]})
    assert total["value"].tolist() == [15] and total["kind"].tolist() == [pop.PROJECTED]


# -- growth and the eldrebølge ------------------------------------------------------------


def one_unit() -> pd.DataFrame:
    registered = {("u", "80_plus", y): v for y, v in {2024: 90, 2025: 100}.items()}
    registered |= {("u", "67_79", y): v for y, v in {2024: 190, 2025: 200}.items()}
    registered |= {("u", "total", y): 1000 for y in (2024, 2025)}
    projected = {("u", "80_plus", y): v for y, v in {2025: 1, 2030: 130, 2040: 200}.items()}
    projected |= {("u", "67_79", y): v for y, v in {2030: 190, 2040: 260}.items()}
    projected |= {("u", "total", y): 1000 for y in (2030, 2040)}
    return pop.combine(rows(registered), rows(projected))


def test_growth_from_the_last_registered_year():
    grown = pop.growth(one_unit()).set_index(["group", "year"])
    assert grown.loc[("80_plus", 2030), "base_year"] == 2025
    assert grown.loc[("80_plus", 2030), "change"] == 30
    assert grown.loc[("80_plus", 2040), "change_pct"] == pytest.approx(100.0)
    assert grown.loc[("67_79", 2030), "change"] == -10  # a fall is a fall
    assert grown.loc[("67_79", 2040), "change_pct"] == pytest.approx(30.0)


def test_growth_without_a_horizon_year_is_missing_not_zero():
    grown = pop.growth(one_unit(), ["80_plus"], [2035]).iloc[0]
    assert np.isnan(grown["value"]) and np.isnan(grown["change"])


def test_elder_wave_year_by_year_with_gaps_and_shares():
    wave = pop.elder_wave(one_unit()).set_index("year")
    assert wave.loc[2025, "change_80_plus"] == 10
    assert wave.loc[2025, "change_pct_80_plus"] == pytest.approx(100 / 9)
    assert wave.loc[2025, "share_80_plus"] == pytest.approx(10.0)
    assert wave.loc[2040, "share_80_plus"] == pytest.approx(20.0)
    assert wave.loc[2025, "kind"] == pop.REGISTERED and wave.loc[2030, "kind"] == pop.PROJECTED
    # 2029 is not in the data: 2030's change is unknown rather than five years' change
    assert np.isnan(wave.loc[2030, "change_80_plus"])
    assert 2029 not in wave.index


# -- expected demand --------------------------------------------------------------------------


def demand_population() -> pd.DataFrame:
    """80+ in 2025 (registered) and 2030/2040 (projected) for a, b, c, d."""
    registered = {("a", "80_plus", 2025): 1000, ("b", "80_plus", 2025): 100}
    registered |= {("c", "80_plus", 2025): 400, ("d", "80_plus", 2025): 200}
    projected = {("a", "80_plus", 2030): 1500, ("b", "80_plus", 2030): 110}
    projected |= {("c", "80_plus", 2030): 400, ("d", "80_plus", 2030): 300}
    projected |= {(u, "80_plus", 2040): 2 * v for (u, _, _), v in registered.items()}
    return pop.combine(rows(registered), rows(projected))


def observed(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": list(values), "observed": list(values.values())})


def test_expected_demand_sums_numerators_and_denominators_not_rates():
    result = pop.demand_rows(
        observed({"a": 30, "b": 10, "c": 20, "d": 8}),
        demand_population(),
        units_frame(),
        "p",
        "80_plus",
        2025,
        (2030, 2040),
    ).set_index("unit_id")
    assert result.loc["a", "rate"] == pytest.approx(30.0)
    assert result.loc["b", "rate"] == pytest.approx(100.0)
    assert result.loc["a", "expected_2030"] == pytest.approx(45.0)
    assert result.loc["b", "expected_2030"] == pytest.approx(11.0)
    # region r1: (30 + 10 + 20) / (1000 + 100 + 400) × 1 000 = 40, not the mean of rates (55)
    assert result.loc["r1", "rate"] == pytest.approx(40.0)
    assert result.loc["r1", "rate"] != pytest.approx(np.mean([30.0, 100.0, 50.0]))
    # expected for the region is the sum of the members' (45 + 11 + 20), not rate × population
    assert result.loc["r1", "expected_2030"] == pytest.approx(76.0)
    assert result.loc["r1", "expected_2030"] != pytest.approx(40.0 * (1500 + 110 + 400) / 1000)
    assert result.loc["p", "observed"] == 68 and result.loc["p", "population"] == 1700
    assert result.loc["p", "expected_2040"] == pytest.approx(2 * 68)  # populations double: so do counts
    assert result.loc["p", "n_missing"] == 0
    assert "x" not in result.index  # another partnership's unit never enters


def test_unknown_count_is_left_out_and_counted_missing():
    result = pop.demand_rows(
        observed({"a": 30, "b": np.nan, "c": 20, "d": 8}),
        demand_population(),
        units_frame(),
        "p",
        "80_plus",
        2025,
    ).set_index("unit_id")
    assert np.isnan(result.loc["b", "rate"]) and np.isnan(result.loc["b", "expected_2030"])
    assert result.loc["r1", "observed"] == 50 and result.loc["r1", "population"] == 1400
    assert result.loc["r1", "n_missing"] == 1 and result.loc["p", "n_missing"] == 1
    assert result.loc["r1", "expected_2030"] == pytest.approx(45 + 20)


def test_small_counts_hide_count_rate_and_expected_and_one_more_in_the_line():
    result = pop.demand_rows(
        observed({"a": 30, "b": 3, "c": 20, "d": 8}), demand_population(), units_frame(), "p", "80_plus", 2025
    )
    flags = result.set_index("unit_id")
    assert flags.loc["b", "primary"] and flags.loc["b", "hidden"]
    # r1 = a + b + c is shown, so one more part of r1 must go: the smallest shown (c, 20)
    assert flags.loc["c", "hidden"] and not flags.loc["c", "primary"]
    assert not flags.loc["a", "hidden"] and not flags.loc["d", "hidden"]
    table, notes = pop.demand_table(
        pop.Demand(indicator=None, group="80_plus", base_year=2025, years=(2030, 2040), rows=result),
        "r1",
        units_frame(),
    )
    table = table.set_index("Enhet")
    assert list(table.index) == ["Sum R1", "A", "B", "C"]  # the total first
    assert table.loc["B", "Hendelser 2025"] == "<5"
    assert table.loc["B", "Rate per 1 000 i 2025"] == ":" and table.loc["B", "Forventet 2030"] == ":"
    assert table.loc["C", "Hendelser 2025"] == ":" and table.loc["C", "Forventet 2040"] == ":"
    assert table.loc["A", "Hendelser 2025"] == "30" and table.loc["A", "Rate per 1 000 i 2025"] == "30,0"
    assert table.loc["Sum R1", "Hendelser 2025"] == "53"
    assert table.loc["A", "Endring 2025–2040"] == "+100\u00a0%"
    assert any("<5" in n for n in notes) and any("skjult i tillegg" in n for n in notes)


def test_a_small_total_is_hidden_too():
    result = pop.demand_rows(
        observed({"a": 1, "b": 0, "c": 2, "d": 0}), demand_population(), units_frame(), "p", "80_plus", 2025
    ).set_index("unit_id")
    assert result.loc["r1", "primary"] and result.loc["p", "hidden"]
    assert not result.loc["d", "primary"]  # a zero is not small: nobody is identified by none


def facts(periods: list[tuple[str, dt.date, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": [u for u, _, _ in periods],
            "period_start": [pd.Timestamp(d) for _, d, _ in periods],
            "value": [v for _, _, v in periods],
            "suppressed": [v is None for _, _, v in periods],
        }
    )


def test_last_complete_year_ignores_a_year_in_progress():
    months = [("a", dt.date(2025, m, 1), 1.0) for m in range(1, 13)]
    assert pop.last_complete_year(facts(months), "month") == 2025
    assert pop.last_complete_year(facts([*months, ("a", dt.date(2026, 10, 1), 1.0)]), "month") == 2025
    assert pop.last_complete_year(facts(months[:11]), "month") == 2024
    assert pop.last_complete_year(facts([("a", dt.date(2025, 10, 1), 1.0)]), "quarter") == 2025
    assert pop.last_complete_year(facts([]), "month") is None


def test_observed_counts_need_every_period_shown():
    full = [("a", dt.date(2025, m, 1), 2.0) for m in range(1, 13)]
    gap = [("b", dt.date(2025, m, 1), 2.0) for m in range(1, 12)]
    hidden = [("c", dt.date(2025, m, 1), None if m == 5 else 2.0) for m in range(1, 13)]
    other_year = [("a", dt.date(2024, 12, 1), 50.0)]
    counts = pop.observed_counts(facts(full + gap + hidden + other_year), 2025, "month", ["a", "b", "c", "d"])
    counts = counts.set_index("unit_id")
    assert counts.loc["a", "observed"] == 24 and counts.loc["a", "state"] == "data"
    assert counts.loc["b", "state"] == "mangler" and np.isnan(counts.loc["b", "observed"])
    assert counts.loc["c", "state"] == "skjult" and np.isnan(counts.loc["c", "observed"])
    assert counts.loc["d", "state"] == "mangler"


# -- names ------------------------------------------------------------------------------------


def test_alternatives_are_other_indicators():
    ids = ["population_80_plus", "projection_80_plus", "projection_total", "projection_80_plus_llml"]
    assert pop.alternatives(ids) == ["MMMM", "LLML"]
    assert pop.alternatives(["population_total"]) == []
    assert pop.projection_id("80_plus") == "projection_80_plus"
    assert pop.projection_id("80_plus", "LLML") == "projection_80_plus_llml"
    assert pop.group_of("population_65_plus") == "65_plus"
    with pytest.raises(ValueError):
        pop.group_of("hip_fractures")


def test_norwegian_order():
    assert sorted(["Ås", "Øksnes", "Ærøy", "Alna", "Vågan"], key=pop.name_key) == [
        "Alna",
        "Vågan",
        "Ærøy",
        "Øksnes",
        "Ås",
    ]


# -- on the demo store --------------------------------------------------------------------------


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_demo_partnership_is_the_sum_of_its_members(demo_board, partnership):
    frame = pop.population(demo_board, partnership)
    members = demo_board.member_ids(partnership)
    assert set(frame["unit_id"]) == set(members) | {partnership} | set(
        demo_board.regions(partnership)["unit_id"]
    )
    for year in (2018, 2025, 2040):
        part = frame[(frame["group"] == "80_plus") & (frame["year"] == year)]
        total = part.loc[part["unit_id"] == partnership, "value"].item()
        assert total == part.loc[part["unit_id"].isin(members), "value"].sum()
    own = pop.of_unit(frame, partnership)
    assert pop.last_registered_year(own) == 2025
    assert own.groupby("year")["kind"].nunique().max() == 1  # 2025 once, registered
    bands = own[own["group"].isin(pop.AGE_BANDS)].groupby("year")["value"].sum()
    assert (bands == own[own["group"] == "total"].set_index("year")["value"]).all()


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_demo_expected_demand(demo_board, partnership):
    demand = pop.expected_demand(demo_board, partnership, "hip_fractures")
    # The count is of patients 65+, so the rate and its projection use 65+ (registry numerator_age).
    assert not demand.empty and demand.group == "65_plus"
    assert demand.base_year == pop.last_complete_year(
        demo_board.store.facts(["hip_fractures"], demo_board.member_ids(partnership)), "month"
    )
    result = demand.rows.set_index("unit_id")
    members = result.loc[demo_board.member_ids(partnership)]
    known = members[members["known"].astype(bool)]
    assert result.loc[partnership, "expected_2040"] == pytest.approx(known["expected_2040"].sum())
    assert result.loc[partnership, "rate"] == pytest.approx(
        known["observed"].sum() / known["population"].sum() * 1000
    )
    # 65+ grows everywhere in the demo projection, so the same rate means more fractures
    assert result.loc[partnership, "expected_2040"] > result.loc[partnership, "expected_2030"]
    assert result.loc[partnership, "expected_2030"] > result.loc[partnership, "observed"]


def test_demo_population_is_flagged_approximate(demo_board):
    source = pop.population_source(demo_board)
    assert source.approximate
    assert set(source.files) == set(pop.POPULATION_FILES)
    sources = demo_board.store.fact_sources(["population_total", "projection_total"])
    assert sources["n_facts"].sum() == 46 * (8 + 16)


def test_another_alternative_loads_as_indicators(empty_loader):
    """A second projection alternative needs a registry entry and data, no code."""
    board = empty_loader.board
    base = board.registry.get("projection_80_plus")
    extra = [base.model_copy(update={"id": pop.projection_id(group, "LLML")}) for group in pop.GROUPS]
    registry = board.registry.model_copy(update={"indicators": [*board.registry.indicators, *extra]})
    board = Board(registry=registry, plans=board.plans, units=board.units, store=board.store)
    members = board.member_ids("lovesa")
    data = []
    for unit in members:
        data.append(("population_80_plus", unit, dt.date(2025, 1, 1), 100.0))
        data.append(("projection_80_plus", unit, dt.date(2040, 1, 1), 170.0))
        data.append(("projection_80_plus_llml", unit, dt.date(2040, 1, 1), 150.0))
    frame = pd.DataFrame(data, columns=["indicator", "unit_id", "period_start", "value"])
    frame = frame.assign(grain="year", numerator=None, denominator=None, suppressed=False, source="SSB")
    board.store.ingest(frame, UploadMeta("alt.csv", "hash-alt", indicator="projection_80_plus_llml"))
    assert pop.loaded_alternatives(board) == ["MMMM", "LLML"]
    main = pop.of_unit(pop.population(board, "lovesa"), "lovesa").set_index(["group", "year"])
    low = pop.of_unit(pop.population(board, "lovesa", "LLML"), "lovesa").set_index(["group", "year"])
    assert main.loc[("80_plus", 2040), "value"] == 170 * len(members)
    assert low.loc[("80_plus", 2040), "value"] == 150 * len(members)
    assert low.loc[("80_plus", 2025), "kind"] == pop.REGISTERED


def test_display_texts():
    frame = one_unit()
    grown = pop.growth(frame).set_index(["group", "year"])
    assert pop.metric_delta(grown.loc[("80_plus", 2040)]) == "+100 (+100\u00a0%) fra 2025"
    assert (
        pop.metric_delta(grown.loc[("67_79", 2030)]) == "-10 (-5\u00a0%) fra 2025"
    )  # ASCII minus: arrow down
    assert pop.headline(frame, "Røst") == (
        "Ifølge framskrivingen blir det 100 flere innbyggere 80 år og eldre i Røst fra 2025 til 2040 "
        "(+100\u00a0%). Andelen går fra 10,0\u00a0% til 20,0\u00a0% av befolkningen."
    )
    table = pop.age_table(frame).set_index("År")
    assert table.loc["2025", "Tall"] == pop.REGISTERED and table.loc["2040", "Tall"] == pop.PROJECTED
    assert table.loc["2040", "I alt"] == "1\u00a0000"
    wave = pop.wave_table(pop.elder_wave(frame)).set_index("År")
    assert wave.loc["2025", "Endring 80 år og eldre"] == "+10"
    assert wave.loc["2030", "Endring 80 år og eldre"] == "–"


def test_member_overview_on_the_demo(demo_board):
    frame = pop.population(demo_board, "lovesa")
    members = demo_board.member_ids("lovesa")
    overview = pop.member_overview(frame, demo_board.units, members, 2040).set_index("unit_id")
    assert set(overview.index) == set(members)
    bodo = pop.growth(pop.of_unit(frame, "1804"), ["80_plus"], [2040]).iloc[0]
    assert overview.loc["1804", "growth_80_pct"] == pytest.approx(bodo["change_pct"])
    table = pop.overview_table(overview.reset_index())
    assert table.columns[0] == "Kommune" and len(table) == len(members)
