"""The data catalogue's numbers: coverage cells, the per-indicator overview, the upload log."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import catalogue, figures
from analytics.figures import catalogue as catalogue_figures
from analytics.store import UploadMeta, undo_summary


def rows(
    indicator: str, cells: dict[tuple[str, dt.date], float | None], grain: str = "month"
) -> pd.DataFrame:
    """Facts for (unit, period start) → value; None is a suppressed cell."""
    return pd.DataFrame(
        [
            {
                "indicator": indicator,
                "unit_id": unit,
                "period_start": start,
                "grain": grain,
                "value": value,
                "numerator": None,
                "denominator": None,
                "suppressed": value is None,
                "source": "test",
            }
            for (unit, start), value in cells.items()
        ]
    )


def month(m: int, year: int = 2024) -> dt.date:
    return dt.date(year, m, 1)


@pytest.fixture()
def board(empty_loader):
    return empty_loader.board


def load(board, frame: pd.DataFrame, name: str, loaded_by: str = "test") -> int:
    indicator = frame["indicator"].iloc[0]
    meta = UploadMeta(name, f"hash-{name}", loaded_by=loaded_by, indicator=indicator)
    return board.store.ingest(frame, meta).upload_id


def states(cov: catalogue.Coverage) -> dict[tuple[str, str], str]:
    return {(r.unit_id, r.period): r.state for r in cov.cells.itertuples()}


def test_cells_are_data_suppressed_or_missing_for_every_member(board):
    load(
        board,
        rows("hip_fractures", {("3205", month(1)): 4, ("3205", month(3)): 6, ("3222", month(2)): None}),
        "a",
    )
    cov = catalogue.coverage(board, "hip_fractures", "ahus")
    members = board.member_ids("ahus")
    # every member is a row, periods run from the first to the last with data, no gaps
    assert set(cov.cells["unit_id"]) == set(members)
    assert sorted(cov.cells["period"].unique()) == ["2024M01", "2024M02", "2024M03"]
    assert len(cov.cells) == 3 * len(members)
    cells = states(cov)
    assert cells[("3205", "2024M01")] == "data"
    assert cells[("3205", "2024M02")] == "mangler"
    assert cells[("3222", "2024M02")] == "skjult"
    assert cells[("3224", "2024M01")] == "mangler"
    assert cov.counts() == {"data": 2, "skjult": 1, "mangler": 3 * len(members) - 3}
    assert cov.units_with_data() == 1
    # never another partnership's units
    assert not set(cov.cells["unit_id"]) & set(board.member_ids("lovesa"))


def test_finer_facts_roll_up_to_the_indicators_grain(board):
    # iht_patients is quarterly: monthly rows fill the quarter; one value is enough for "data"
    frame = rows("iht_patients", {("3205", month(1)): 1, ("3205", month(2)): None, ("3222", month(5)): None})
    load(board, frame, "q")
    cells = states(catalogue.coverage(board, "iht_patients", "ahus"))
    assert cells[("3205", "2024K1")] == "data"
    assert cells[("3222", "2024K2")] == "skjult"
    assert cells[("3205", "2024K2")] == "mangler"


def test_region_only_indicator_shows_the_reporting_units(board):
    load(board, rows("fact_young_teams", {("ahus-follo", month(1)): 1, ("ahus-oslo", month(4)): 1}), "r")
    cov = catalogue.coverage(board, "fact_young_teams", "ahus")
    assert set(cov.cells["unit_id"]) == {"ahus-follo", "ahus-oslo"}
    # members reported alongside a region: members first, then the region
    load(board, rows("fact_young_teams", {("3205", month(1)): 1}), "r2")
    order = list(dict.fromkeys(catalogue.coverage(board, "fact_young_teams", "ahus").cells["unit_id"]))
    assert order[-2:] == ["ahus-follo", "ahus-oslo"] and "3205" in order


def test_years_limit_the_periods(board):
    cells = {("3205", month(1, year)): 1 for year in range(2019, 2025)}
    load(board, rows("hip_fractures", cells), "y")
    cov = catalogue.coverage(board, "hip_fractures", "ahus", (2021, 2022))
    assert cov.cells["period_start"].min() == pd.Timestamp(2021, 1, 1)
    assert cov.cells["period_start"].max() == pd.Timestamp(2022, 1, 1)
    assert catalogue.coverage(board, "hip_fractures", "ahus", (2010, 2011)).empty


def test_unknown_text_as_indicator_is_data_not_sql(board):
    load(board, rows("hip_fractures", {("3205", month(1)): 1}), "a")
    assert board.store.coverage_cells("x' OR 1=1 --", ["3205"], 1).empty
    assert board.store.coverage_cells("hip_fractures", ["3205') OR ('1'='1"], 1).empty
    assert board.store.fact_count() == 1


def test_overview_counts_this_partnerships_units_and_dates(board):
    load(board, rows("hip_fractures", {("3205", month(1)): 4, ("3222", month(2)): None}), "a")
    load(board, rows("hip_fractures", {("1804", month(6)): 3}), "lovesa")  # Bodø: not Ahus
    summary = catalogue.overview(board, "ahus")
    table = summary.table.set_index("id")
    assert list(table.index) == [i.id for i in board.registry.indicators]
    hip = table.loc["hip_fractures"]
    assert (hip["Verdier"], hip["Skjulte"], hip["Enheter med data"]) == (1, 1, 2)
    assert (hip["Første periode"], hip["Nyeste periode"]) == ("2024M01", "2024M02")
    assert hip["Siste opplasting"] == catalogue._date(dt.date.today())
    assert (
        table.loc["stemi_pci_120", "Verdier"] == 0 and table.loc["stemi_pci_120", "Siste opplasting"] == "–"
    )
    assert summary.with_data == 1
    assert summary.newest_period == "2024M02"
    assert catalogue.overview(board, "lovesa").table.set_index("id").loc["hip_fractures", "Verdier"] == 1


def test_projections_do_not_count_as_the_newest_data(board):
    load(board, rows("hip_fractures", {("3205", month(1)): 4}), "a")
    load(board, rows("projection_total", {("3205", dt.date(2040, 1, 1)): 1000}, grain="year"), "p")
    assert catalogue.overview(board, "ahus").newest_period == "2024M01"


def test_upload_log_says_who_what_and_undone(board):
    first = load(board, rows("hip_fractures", {("3205", month(1)): 4}), "a.csv", loaded_by="kari")
    second = load(board, rows("hip_fractures", {("3205", month(1)): 5}), "b.csv", loaded_by="ola")
    removed = board.store.undo(second, undone_by="per")
    log = catalogue.upload_log(board).set_index("id")
    assert list(log.index) == [second, first]  # newest first
    assert log.loc[first, "Status"] == "Aktiv" and bool(log.loc[first, "active"])
    assert log.loc[second, "Status"].startswith("Angret") and log.loc[second, "Status"].endswith("av per")
    assert not log.loc[second, "active"]
    assert log.loc[second, "Indikator"] == "Antall hoftebrudd"
    assert (log.loc[second, "Erstattet"], log.loc[first, "Lastet inn av"]) == (1, "kari")
    assert undo_summary(second, removed) == (
        f"Opplasting {second} er angret: 1 verdi er fjernet og tidligere verdier gjenopprettet."
    )
    assert board.store.facts()["value"].tolist() == [4.0]


def test_figure_is_a_discrete_heat_map_with_words(board):
    load(board, rows("hip_fractures", {("3205", month(1)): 4, ("3222", month(2)): None}), "a")
    cov = catalogue.coverage(board, "hip_fractures", "ahus")
    fig = figures.coverage_figure(cov)
    heat = fig.data[0]
    assert heat.type == "heatmap"
    assert len(heat.y) == len(board.member_ids("ahus")) and list(heat.x) == ["2024M01", "2024M02"]
    assert list(heat.colorbar.ticktext) == ["Data", "Skjult (prikket)", "Mangler"]
    assert "Skjult (prikket)" in {c for row in heat.customdata for c in row}
    assert {"s", "–"} <= {t for row in heat.text for t in row}  # marks, not colour alone
    assert fig.layout.yaxis.autorange == "reversed"


def test_figure_labels_are_text_and_unique():
    cells = pd.DataFrame(
        {
            "unit_id": ["1515", "1818", "x"],
            "unit_name": ["Herøy", "Herøy", "<b>Fet</b>"],
            "period_start": [month(1)] * 3,
            "period": ["2024M01"] * 3,
            "state": ["data", "mangler", "skjult"],
        }
    )
    from analytics.registry import load_registry

    cov = catalogue.Coverage(load_registry().get("hip_fractures"), cells)
    labels = list(figures.coverage_figure(cov).data[0].y)
    assert labels == ["Herøy (1515)", "Herøy (1818)", "&lt;b&gt;Fet&lt;/b&gt;"]


def test_large_maps_drop_cell_marks(board, monkeypatch):
    monkeypatch.setattr(catalogue_figures, "MARK_LIMIT", 10)
    load(board, rows("hip_fractures", {("3205", month(m)): 1 for m in range(1, 13)}), "a")
    heat = figures.coverage_figure(catalogue.coverage(board, "hip_fractures", "ahus")).data[0]
    assert heat.text is None and heat.customdata is not None
