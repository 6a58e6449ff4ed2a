"""Suppression-aware aggregates (issue 13, case 5): file totals, ranges and a seeded simulation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import config
from analytics import series as S
from analytics.periods import period_end
from analytics.registry import Indicator
from tests.support import count_indicator

THRESHOLD = config.SUPPRESSION_THRESHOLD


def indicator(**changes) -> Indicator:
    return count_indicator(**changes)


def month_rows(cells: list[tuple[str, str, float | None, float]]) -> pd.DataFrame:
    """(unit, 'YYYY-MM-01', count or None for a suppressed cell, population)."""
    out = []
    for unit, start, value, population in cells:
        start = pd.Timestamp(start)
        end = pd.Timestamp(period_end(start.date(), "month"))
        out.append(
            {
                "unit_id": unit,
                "period_start": start,
                "period_end": end,
                "value": np.nan if value is None else float(value),
                "numerator": np.nan,
                "denominator": np.nan,
                "suppressed": value is None,
                "population": population,
                "person_years": population * ((end - start).days + 1) / 365,
            }
        )
    return pd.DataFrame(out)


def test_truncated_poisson_mean_matches_scipy():
    for lam in (0.2, 1.0, 3.0, 12.0):
        ks = np.arange(1, THRESHOLD)
        p = stats.poisson.pmf(ks, lam)
        assert S.truncated_poisson_mean(np.array([lam]))[0] == pytest.approx((ks * p).sum() / p.sum())
    assert S.truncated_poisson_mean(np.array([0.0]))[0] == 1.0  # the least a hidden cell can hold


def test_truncated_poisson_mean_keeps_the_bits_of_a_sum_over_a_k_axis():
    """Summed per k (for speed), the estimates are bit for bit those of the plain formula (a sum
    over a trailing k axis) for every threshold up to 8 (the board's is 5), so the verdicts built
    on them do not move; from threshold 9 (8 terms) numpy sums the axis pairwise, and the two agree to
    the last bits."""

    def plain(lam: np.ndarray, threshold: int) -> np.ndarray:
        ks = np.arange(1, threshold)
        logw = (ks - 1) * np.log(np.where(lam > 0, lam, 1.0)[..., None]) - np.cumsum(np.log(ks))
        w = np.exp(logw - logw.max(axis=-1, keepdims=True))
        return np.where(lam > 0, (w * ks).sum(axis=-1) / w.sum(axis=-1), 1.0)

    rng = np.random.default_rng(7)
    lams = [rng.exponential(2.0, 5000), rng.exponential(0.01, 500), rng.exponential(3.0, (40, 7))]
    for threshold in (3, 5, 8, 9, 11, 20):
        for lam in [*lams, np.array([0.0, 1e-300, 1e300, 4.0])]:
            mean, expected = S.truncated_poisson_mean(lam, threshold), plain(lam, threshold)
            if threshold <= 8:
                assert np.array_equal(mean, expected)
            else:
                np.testing.assert_allclose(mean, expected, rtol=1e-14, atol=0)


def test_the_files_own_total_resolves_hidden_cells_of_its_period():
    ind = indicator()
    rows = month_rows(
        [
            ("a", "2025-01-01", 20, 10000),
            ("b", "2025-01-01", None, 1000),
            ("c", "2025-01-01", None, 1000),
            ("a", "2025-02-01", 18, 10000),
            ("b", "2025-02-01", None, 1000),
            ("c", "2025-02-01", 0, 1000),
        ]
    )
    totals = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01"]), "value": [25.0]})
    out = S.aggregate(rows, ind, ["period_start"], totals=totals).set_index("period_start")
    january, february = out.iloc[0], out.iloc[1]
    assert january["numerator"] == 25 and january["lower"] == january["value"] == january["upper"]
    assert bool(january["from_total"]) and not bool(january["incomplete"])
    # February has no total: a range, with every inhabitant in the person-years
    assert not bool(february["from_total"]) and bool(february["incomplete"])
    assert february["lower"] < february["value"] < february["upper"]
    assert february["denominator"] == pytest.approx(12000 * 28 / 365)
    # Split by unit, the total is never used: a hidden cell cannot be derived from it
    by_unit = S.aggregate(rows, ind, ["unit_id"], totals=totals).set_index("unit_id")
    assert np.isnan(by_unit.loc["b", "value"])  # only hidden cells: missing, not 5 or 2.5
    assert not by_unit["from_total"].any()


def test_a_total_outside_the_possible_range_is_clipped_to_it():
    ind = indicator()
    rows = month_rows([("a", "2025-01-01", 20, 10000), ("b", "2025-01-01", None, 1000)])
    totals = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01"]), "value": [40.0]})
    out = S.aggregate(rows, ind, totals=totals).iloc[0]
    assert out["numerator"] == 20 + THRESHOLD - 1  # at most threshold − 1 can hide in one cell


def test_the_series_uses_totals_for_the_whole_and_never_per_unit():
    ind = indicator()
    rows = month_rows([("a", "2025-01-01", 20, 10000), ("b", "2025-01-01", None, 1000)])
    totals = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01"]), "value": [23.0]})
    data = S.UnitRows(ind, rows, None, totals=totals)
    whole = S.judged_series(data, today=dt.date(2026, 1, 1))
    assert whole["numerator"].iloc[0] == 23 and whole["judge_lower"].iloc[0] == whole["judge_upper"].iloc[0]
    per_unit = S.judged_series(data, today=dt.date(2026, 1, 1), by_unit=True).set_index("unit_id")
    assert np.isnan(per_unit.loc["b", "value"])  # still suppressed, not 3


def test_verdict_range_and_note_say_when_the_range_could_change_the_verdict():
    ind = indicator(population=None, numerator_age=None)
    rows = month_rows([("a", "2025-01-01", 3, 1), ("b", "2025-01-01", None, 1)])
    series = S.judged_series(S.UnitRows(ind, rows, None), today=dt.date(2026, 1, 1))

    def reached(s: pd.DataFrame) -> bool:  # a target of at most 5 events
        return bool(s["judge_value"].iloc[-1] <= 5)

    point, low, high = S.verdict_range(series, reached)
    assert (low, high) == (True, False)
    note = S.range_note(ind, series, changes_verdict=low != high)
    assert note.startswith("1 periode har skjulte celler (1–4 hver)")
    # the lower end is a small count: shown as «<5», never as the number
    assert "mellom <5 og 7" in note and "kan SPC-vurderingen bli en annen" in note
    assert S.range_note(ind, series.assign(n_hidden=0)) is None


def simulate(populations: np.ndarray, yearly_rate: float, seed: int, months: int = 36) -> pd.DataFrame:
    """Monthly Poisson counts per municipality: 24 months steady, then 12 months 20 % lower.

    Every count of 1 to threshold − 1 is suppressed, as NPR does. Returns the rows with the
    true count in ``true``.
    """
    rng = np.random.default_rng(seed)
    starts = pd.date_range("2022-01-01", periods=months, freq="MS")
    frames = []
    for i, start in enumerate(starts):
        end = start + pd.offsets.MonthEnd(0)
        person_years = populations * ((end - start).days + 1) / 365
        true = rng.poisson(person_years * yearly_rate / 1000 * (1.0 if i < 24 else 0.8))
        hidden = (true >= 1) & (true < THRESHOLD)
        frames.append(
            pd.DataFrame(
                {
                    "unit_id": [f"u{j}" for j in range(len(populations))],
                    "period_start": start,
                    "period_end": end,
                    "value": np.where(hidden, np.nan, true),
                    "numerator": np.nan,
                    "denominator": np.nan,
                    "suppressed": hidden,
                    "population": populations,
                    "person_years": person_years,
                    "true": true,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _fall(rate: pd.Series) -> float:
    return 1 - rate.iloc[24:].mean() / rate.iloc[:24].mean()


def test_simulated_partnership_rate_is_unbiased_and_the_range_holds_the_truth():
    """Municipalities sized like Ahus's 80+ groups (reference file 07459, 2024), 34 hip
    fractures per 1 000 a year: two thirds of the municipality-months are suppressed.

    Dropping them (the old rule) makes the rate too high and the 20 % fall look like 27 %;
    the new aggregate stays within a few per cent and its range always holds the truth.
    """
    raw = pd.read_csv(config.REFERENCE_DIR / "population_07459.csv", sep=";", encoding="cp1252", skiprows=1)
    raw = raw[raw["Personer"].notna()]
    raw["unit_id"] = raw["region"].str.split(" ").str[0]
    units = pd.read_csv(config.REFERENCE_DIR / "units.csv", dtype=str)
    ahus = units.loc[
        (units["partnership"] == "ahus") & units["kind"].isin(["municipality", "district"]), "unit_id"
    ]
    chosen = raw[(raw["alder"] == "80 år eller eldre") & (raw["år"] == 2024) & raw["unit_id"].isin(ahus)]
    populations = chosen["Personer"].astype(float).to_numpy()
    assert len(populations) == 25
    ind = indicator()
    bias_new, bias_old, fall_true, fall_new, fall_old = [], [], [], [], []
    for seed in range(8):
        rows = simulate(populations, 34.0, seed)
        truth = rows.groupby("period_start").apply(lambda g: g["true"].sum() / g["person_years"].sum() * 1000)
        kept = rows[~rows["suppressed"]].groupby("period_start")
        old = kept["value"].sum() / kept["person_years"].sum() * 1000
        rows["estimate"] = S.hidden_estimates(rows, ind)
        new = S.aggregate(rows, ind, ["period_start"]).set_index("period_start")
        assert ((new["lower"] <= truth + 1e-9) & (truth <= new["upper"] + 1e-9)).all()
        bias_new.append((new["value"] / truth - 1).mean())
        bias_old.append((old / truth - 1).mean())
        fall_true.append(_fall(truth))
        fall_new.append(_fall(new["value"]))
        fall_old.append(_fall(old))
    assert rows["suppressed"].mean() > 0.5  # the setting the issue describes: most cells hidden
    assert abs(np.mean(bias_new)) < 0.02
    assert abs(np.mean(fall_new) - np.mean(fall_true)) < 0.02
    # the old rule is measurably wrong in the same data (so this test catches a return to it)
    assert np.mean(bias_old) > 0.02 and np.mean(fall_old) - np.mean(fall_true) > 0.04


def test_a_period_hidden_on_its_own_is_named_not_given_a_range():
    ind = indicator()
    rows = month_rows([("b", "2025-01-01", None, 1000), ("b", "2025-02-01", 7, 1000)])
    series = S.judged_series(S.UnitRows(ind, rows, None), today=dt.date(2026, 1, 1))
    assert np.isnan(series["value"].iloc[0])
    assert S.range_note(ind, series) == "1 periode er skjult i kilden (1–4) og vises ikke."


def test_demo_page_notes_name_hidden_cells_and_the_missing_age_split(demo_board):
    from analytics.evaluate import scope_units
    from analytics.rates import definition_notes

    ind = demo_board.registry.get("hip_fractures")
    data = S.load_rows(demo_board, ind, scope_units(demo_board, "ahus"))
    series = S.judged_series(data, today=dt.date(2026, 11, 30))
    notes = definition_notes(demo_board, data, series)
    hidden = [n for n in notes if "skjulte celler (1–4 hver)" in n and "ligger verdien mellom" in n]
    # the SPC reading is checked at both ends of the range, and the note says the outcome
    assert hidden and hidden[0].endswith(
        ("kan SPC-vurderingen bli en annen.", "SPC-vurderingen er den samme i begge ender av spennet.")
    )
    assert notes[-1].startswith("Aldersstandardisert rate kan ikke regnes ut")


def test_file_totals_are_read_only_for_the_whole_unit_the_rows_make_up(demo_board):
    """The partnership's (or a region's) total is used when the rows are exactly its members."""
    from analytics.board import Board

    asked: list[tuple[str, str, str]] = []

    class Totals:
        def file_totals(self, indicator: str, unit_id: str, grain: str) -> pd.DataFrame:
            asked.append((indicator, unit_id, grain))
            return pd.DataFrame({"period_start": [pd.Timestamp("2025-01-01")], "value": [99.0]})

    board = Board(demo_board.registry, demo_board.plans, demo_board.units, Totals())
    ind = indicator()
    region = demo_board.regions("ahus")["unit_id"].iloc[0]
    members = S.members_of(demo_board.units, region)
    cells = [(m, "2025-01-01", None if i == 0 else 6, 1000) for i, m in enumerate(members)]
    totals = S._file_totals(board, ind, month_rows(cells))
    assert asked == [("x", region, "month")] and totals["value"].tolist() == [99.0]
    asked.clear()
    assert S._file_totals(board, ind, month_rows(cells[1:])) is None  # a subset: no total applies
    assert asked == []
    whole = [
        (m, "2025-01-01", None if i == 0 else 6, 1000) for i, m in enumerate(demo_board.member_ids("ahus"))
    ]
    S._file_totals(board, ind, month_rows(whole))
    assert asked == [("x", "ahus", "month")]


def test_a_stored_file_total_makes_the_region_sum_exact(empty_loader):
    """End to end: a total row kept by the loader (file_total) resolves the hidden cell."""
    from analytics.store import UploadMeta

    board = empty_loader.board
    region = board.regions("ahus")["unit_id"].iloc[0]
    members = S.members_of(board.units, region)
    hip = board.registry.get("hip_fractures")
    facts = [("population_65_plus", m, dt.date(2025, 1, 1), "year", 2000.0, False, False) for m in members]
    facts += [
        ("hip_fractures", m, dt.date(2025, 3, 1), "month", None if i == 0 else 6.0, i == 0, False)
        for i, m in enumerate(members)
    ]
    total = 6.0 * (len(members) - 1) + 3
    facts.append(("hip_fractures", region, dt.date(2025, 3, 1), "month", total, False, True))
    frame = pd.DataFrame(
        facts, columns=["indicator", "unit_id", "period_start", "grain", "value", "suppressed", "file_total"]
    ).assign(numerator=None, denominator=None, source="Test")
    board.store.ingest(frame, UploadMeta("npr.csv", "hash-npr"))
    data = S.load_rows(board, hip, [region, *members])
    assert region not in set(data.rows["unit_id"])  # the total is not a unit's value
    series = S.judged_series(data, today=dt.date(2026, 1, 1))
    row = series.iloc[0]
    assert row["numerator"] == total and bool(row["from_total"]) and not bool(row["incomplete"])
    assert row["lower"] == row["upper"] == row["value"]
    per_unit = S.judged_series(data, today=dt.date(2026, 1, 1), by_unit=True).set_index("unit_id")
    assert np.isnan(per_unit.loc[members[0], "value"])  # the hidden cell stays hidden
