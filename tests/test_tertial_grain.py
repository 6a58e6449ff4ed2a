"""A tertial indicator (registry `grain: tertial`, as the specialist health service reports
per tertial) is judged, protected and shown like the other grains.

The registry has allowed `tertial` since the loader learnt tertial periods, but several modules
kept their own grain tables without it (series, catalogue, hierarchy, power, population), so
judging such an indicator raised KeyError. The grains are now one table (analytics.periods:
GRAIN_MONTHS and GRAIN_CHAINS)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from analytics import config, hierarchy, periods
from analytics import series as S
from analytics.board import Board, open_board
from analytics.evaluate import evaluate_plan
from analytics.figures.style import time_ticks
from analytics.power import check_counts
from tests.support import copy_store, count_indicator
from tests.test_partial_periods import rows

TODAY = dt.date(2026, 11, 30)
ROOT = Path(__file__).resolve().parents[1]


def tertials(units: tuple[str, ...], years: range) -> list[tuple]:
    return [(u, f"{y}-{m:02d}-01", 10 + m) for u in units for y in years for m in (1, 5, 9)]


def test_the_grain_table_knows_tertials():
    assert periods.grain_chain("tertial") == ("tertial", "year")
    assert periods.grain_chain("month") == ("month", "quarter", "year")
    assert [periods.periods_per_year(g) for g in ("month", "quarter", "tertial", "year")] == [12, 4, 3, 1]
    with pytest.raises(ValueError):
        periods.grain_chain("3year")
    months = np.arange(0, 24, dtype=np.int64)  # 1970-01 … 1971-12
    assert set(periods.month_floor(months, "tertial") % 12) == {0, 4, 8}


@pytest.mark.parametrize("truncate", [S.truncate, hierarchy.truncate, hierarchy._truncated])
def test_truncating_to_a_tertial_finds_its_first_month(truncate):
    days = pd.Series(pd.to_datetime(["2024-01-31", "2024-04-30", "2024-05-01", "2024-08-15", "2024-12-31"]))
    arg = days.to_numpy().astype("datetime64[ns]") if truncate is hierarchy._truncated else days
    got = pd.to_datetime(pd.Series(np.asarray(truncate(arg, "tertial")))).dt.strftime("%Y-%m-%d").tolist()
    assert got == ["2024-01-01", "2024-01-01", "2024-05-01", "2024-05-01", "2024-09-01"]


def test_a_tertial_series_is_judged_at_its_grain_and_per_year():
    data = S.UnitRows(
        count_indicator(grain="tertial"), rows(tertials(("a", "b"), range(2023, 2026)), "tertial"), None
    )
    native = S.judged_series(data, None, TODAY)
    assert native["label"].tolist()[:3] == ["1. tertial 2023", "2. tertial 2023", "3. tertial 2023"]
    assert native["period_end"].dt.strftime("%m-%d").tolist()[:3] == ["04-30", "08-31", "12-31"]
    assert native["numerator"].tolist()[:3] == [22.0, 30.0, 38.0]  # two units, 11 + 11, 15 + 15, 19 + 19
    assert not native["partial"].any()
    yearly = S.judged_series(data, "year", TODAY)
    assert yearly["numerator"].tolist() == [90.0, 90.0, 90.0]
    assert not S.finer_or_equal("quarter", "tertial")  # a tertial is not made of quarters
    with pytest.raises(ValueError):
        S.judged_series(data, "quarter", TODAY)


def test_a_tertial_cube_protects_tertials_and_years():
    frame = pd.DataFrame(
        {
            "unit_id": ["a", "a", "a", "b", "b", "b"],
            "period_start": pd.to_datetime(["2024-01-01", "2024-05-01", "2024-09-01"] * 2),
            "numerator": [2.0, 30.0, 30.0, 40.0, 40.0, 40.0],
        }
    )
    cube = hierarchy.build_cube(frame, "tertial", limit=5)
    assert cube.is_hidden("a", "tertial", pd.Timestamp("2024-01-01")) is True  # 2 < 5
    # The year and the other tertials of a would give the 2 back: one more cell is hidden.
    others = [cube.is_hidden("a", "tertial", pd.Timestamp(d)) for d in ("2024-05-01", "2024-09-01")]
    assert cube.is_hidden("a", "year", pd.Timestamp("2024-01-01")) is not None
    assert any(others) or cube.is_hidden("a", "year", pd.Timestamp("2024-01-01"))


def test_the_power_check_counts_tertials():
    """Six baseline tertials of 5 events: 3 tertials make the 12-month window, and the reason
    speaks of events per tertial."""
    check = check_counts(30.0, 6, "tertial", -0.2)
    assert "per tertial" in check.reason
    assert check.per_period == 5.0


def test_chart_ticks_name_tertials():
    starts = [dt.date(2024, m, 1) for m in (1, 5, 9)] + [dt.date(2025, m, 1) for m in (1, 5, 9)]
    ticks, labels = time_ticks(starts, "tertial")
    assert labels == ["1. t. 2024", "2. t. 2024", "3. t. 2024", "1. t. 2025", "2. t. 2025", "3. t. 2025"]
    assert time_ticks(starts)[1] == labels  # the grain is read from the spacing too


def _tertial_registry(tmp_path: Path) -> Path:
    raw = yaml.safe_load(config.REGISTRY_FILE.read_text(encoding="utf-8"))
    for entry in raw["indicators"]:
        if entry["id"] == "hip_fractures":
            entry["grain"] = "tertial"
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_plan_with_a_tertial_indicator_is_judged(demo_duckdb: Path, tmp_path: Path, monkeypatch):
    """The demo's hip fractures (monthly facts) registered per tertial: the months add up to
    tertials, and the criterion gets the same kind of verdict as monthly (not an error)."""
    monkeypatch.setattr(config, "REGISTRY_FILE", _tertial_registry(tmp_path))
    store = copy_store(demo_duckdb, tmp_path / "store.duckdb")
    board = open_board(store)
    assert board.registry.get("hip_fractures").grain == "tertial"
    status = evaluate_plan(board, "ahus", TODAY)
    judged = status.criteria["m11-k3"]
    assert judged.status.value in {"Oppnådd", "På sporet", "Usikker", "Ikke på sporet", "Forsinket"}
    assert "hoftebrudd" in judged.reason
    data = S.load_rows(board, board.registry.get("hip_fractures"), board.member_ids("ahus"))
    series = S.judged_series(data, None, TODAY)
    assert series["label"].str.fullmatch(r"[123]\. tertial \d{4}").all()
    assert isinstance(board, Board)


def test_the_indicator_page_offers_tertial_and_year(demo_duckdb: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(config, "REGISTRY_FILE", _tertial_registry(tmp_path))
    store = copy_store(demo_duckdb, tmp_path / "page.duckdb")
    monkeypatch.setenv("BOARD_DB", str(store))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["indikator"] = "hip_fractures"
    at.run()
    at.switch_page("pages/indicator.py")
    at.run()
    assert not at.exception
    grains = next(s for s in at.selectbox if s.label == "Tidsoppløsning")
    assert list(grains.options) == ["Tertial", "År"]
