"""Matching definitions: age bands of counts and populations, projections for unpublished years."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analytics import config
from analytics import series as S
from analytics.plan import PlanError
from analytics.registry import age_text, load_registry, parse_age, tiles


def _write_registry(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(config.REGISTRY_FILE.read_text(encoding="utf-8"))
    change({i["id"]: i for i in raw["indicators"]}, raw)
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_every_rate_divides_by_the_band_it_counts():
    registry = load_registry()
    checked = 0
    for indicator in registry.indicators:
        if indicator.kind == "count" and indicator.population:
            population = registry.get(indicator.population)
            assert indicator.numerator_age, indicator.id
            assert parse_age(indicator.numerator_age) == parse_age(population.age), indicator.id
            checked += 1
    assert checked >= 5
    assert registry.get("hip_fractures").population == "population_65_plus"
    assert registry.get("iht_patients").population == "population_65_plus"
    # FACT ung counts 12–24 year olds: no population band fits, so no rate at all
    assert registry.get("fact_young_patients").population is None


@pytest.mark.parametrize(
    ("ident", "population", "words"),
    [
        (
            "hip_fractures",
            "population_80_plus",
            "65 år og eldre, men raten deles på befolkningen 80 år og eldre",
        ),
        ("iht_patients", "population_67_79", "65 år og eldre, men raten deles på befolkningen 67–79 år"),
    ],
)
def test_a_count_divided_by_another_band_is_refused(tmp_path, ident, population, words):
    def change(entries, _raw):
        entries[ident]["population"] = population

    with pytest.raises(PlanError) as caught:
        load_registry(_write_registry(tmp_path, change))
    assert ident in str(caught.value) and words in str(caught.value)


def test_a_count_without_its_band_is_refused(tmp_path):
    def change(entries, _raw):
        del entries["fall_injury_admissions"]["numerator_age"]

    with pytest.raises(PlanError, match="numerator_age"):
        load_registry(_write_registry(tmp_path, change))


def test_a_projection_of_another_band_is_refused(tmp_path):
    def change(entries, _raw):
        entries["population_65_plus"]["projected_by"] = "projection_80_plus"

    with pytest.raises(PlanError, match="samme aldersgruppe"):
        load_registry(_write_registry(tmp_path, change))


def test_age_bands_parse_and_tile():
    assert (
        parse_age("65+") == (65, None) and parse_age("67–79") == (67, 79) and parse_age("alle") == (0, None)
    )
    assert age_text((67, 79)) == "67–79 år" and age_text((80, None)) == "80 år og eldre"
    with pytest.raises(ValueError, match="65 år"):
        parse_age("65 år")
    assert tiles([(65, 66), (67, 79), (80, None)], (65, None))
    assert not tiles([(65, 66), (80, None)], (65, None))  # a gap
    assert not tiles([(65, 79), (67, 79), (80, None)], (65, None))  # an overlap


def test_unpublished_years_use_ssbs_projection(demo_board):
    members = demo_board.member_ids("ahus")
    table = S.population_table(demo_board, "population_65_plus", ["ahus", *members])
    ahus = table[table["unit_id"] == "ahus"].set_index("year")
    assert ahus.loc[2025, "kind"] == "registrert" and ahus.loc[2026, "kind"] == "framskrevet"
    projected = demo_board.store.facts(["projection_65_plus"], members, grain="year")
    in_2026 = projected[pd.to_datetime(projected["period_start"]).dt.year == 2026]["value"].sum()
    assert ahus.loc[2026, "value"] == pytest.approx(in_2026)
    assert ahus.loc[2026, "value"] != ahus.loc[2025, "value"]  # no longer the 2025 figure carried


def test_projected_years_are_named_in_the_note():
    facts = pd.DataFrame(
        {
            "unit_id": ["a", "a"],
            "period_start": pd.to_datetime(["2025-06-01", "2026-06-01"]),
            "period_end": pd.to_datetime(["2025-06-30", "2026-06-30"]),
        }
    )
    population = pd.DataFrame(
        {
            "unit_id": ["a", "a"],
            "year": [2025, 2026],
            "value": [1000.0, 1030.0],
            "kind": ["registrert", "framskrevet"],
        }
    )
    out, note = S.attach_population(facts, population)
    assert list(out["population"]) == [1000.0, 1030.0]
    assert note == "Befolkning 2026: SSBs framskriving (hovedalternativet)."
