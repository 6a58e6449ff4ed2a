"""Grain as data: facts keep their file's grain; series are built up from the finest stored
grain; files at two grains are checked against each other; a year in progress is partial."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics.periods import grain_months, period_end, period_label, period_text
from analytics.store import Store, UploadMeta
from loaders import normalise
from tests.conftest import export_lines, write_csv


@pytest.fixture()
def store(tmp_path):
    store = Store(tmp_path / "g.duckdb")
    yield store
    store.close()


def facts(rows: list[tuple[str, str, str, float | None]], indicator: str = "hip_fractures") -> pd.DataFrame:
    """(unit, period start ISO, grain, value) → fact rows."""
    return pd.DataFrame(
        {
            "indicator": indicator,
            "unit_id": [r[0] for r in rows],
            "period_start": [dt.date.fromisoformat(r[1]) for r in rows],
            "grain": [r[2] for r in rows],
            "value": [r[3] for r in rows],
            "numerator": None,
            "denominator": None,
            "suppressed": [r[3] is None for r in rows],
            "source": "NPR",
        }
    )


def months(unit: str, year: int, values: list[float | None]) -> list[tuple]:
    return [(unit, f"{year}-{m + 1:02d}-01", "month", v) for m, v in enumerate(values)]


def test_periods_of_every_grain_are_labelled_and_never_shown_as_one_year():
    assert period_label(dt.date(2019, 1, 1), "3year") == "2019–2021"
    assert period_end(dt.date(2019, 1, 1), "3year") == dt.date(2021, 12, 31)
    assert period_label(dt.date(2024, 5, 1), "tertial") == "2024T2"
    assert period_text(dt.date(2024, 9, 1), "tertial") == "3. tertial 2024"
    assert grain_months("2year") == 24
    with pytest.raises(ValueError):
        grain_months("week")


def test_periods_are_read_at_the_grain_written_and_dates_never_truncated():
    parse = normalise.parse_period
    assert parse("2019_2021") == (dt.date(2019, 1, 1), "3year")
    assert parse("2019-2021") == (dt.date(2019, 1, 1), "3year")
    assert parse("2024T3") == (dt.date(2024, 9, 1), "tertial")
    assert parse("01.02.2024") == (dt.date(2024, 2, 1), "month")  # not the quarter it falls in
    assert parse("2024-05-17") == (dt.date(2024, 5, 1), "month")
    assert parse("2021_2019") is None


def test_a_year_is_built_from_its_months_and_a_coarser_grain_used_only_where_no_finer_exists(store):
    rows = months("3205", 2023, [1.0] * 12) + [
        ("3205", "2023-01-01", "year", 12.0),
        ("3205", "2022-01-01", "year", 30.0),
    ]
    rows += [("3205", "2019-01-01", "3year", 99.0), ("3222", "2023-01-01", "quarter", 5.0)]
    rows += [("3222", "2023-04-01", "quarter", 6.0), ("3222", "2023-07-01", "quarter", 7.0)]
    rows += [("3222", "2023-10-01", "quarter", 8.0)]
    store.ingest(facts(rows), UploadMeta("a.csv", "h1"))
    series = store.series("hip_fractures", ["3205", "3222"], "count", "year")
    got = {
        (period_label(s.date(), g), v, p)
        for s, g, v, p in series[["period_start", "grain", "value", "partial"]].itertuples(index=False)
    }
    assert got == {("2019–2021", 99.0, False), ("2022", 30.0, False), ("2023", 12.0 + 26.0, False)}
    per_unit = store.unit_series("hip_fractures", ["3205"], "count", "quarter")
    assert per_unit["value"].tolist() == [99.0, 30.0, 3.0, 3.0, 3.0, 3.0]  # the years stay years
    assert per_unit["source_grain"].tolist()[-1] == "month"


def test_a_year_in_progress_is_partial(store):
    store.ingest(facts(months("3205", 2024, [2.0] * 10)), UploadMeta("a.csv", "h1"))
    series = store.series("hip_fractures", ["3205"], "count", "year")
    assert series["value"].tolist() == [20.0]
    assert series["partial"].tolist() == [True]
    assert series["covered_until"].iloc[0].date() == dt.date(2024, 10, 31)


def test_the_finest_grain_that_fills_the_period_is_used(store):
    # a whole year and only two months of it: the year fills 2024, the months do not
    rows = [("3205", "2024-01-01", "year", 50.0)] + months("3205", 2024, [4.0, 5.0])
    store.ingest(facts(rows), UploadMeta("a.csv", "h1"))
    series = store.series("hip_fractures", ["3205"], "count", "year")
    assert (series["value"].tolist(), series["partial"].tolist()) == ([50.0], [False])


def test_stocks_take_the_last_period_and_shares_pool(store):
    stock = [("3205", "2024-01-01", "month", 10.0), ("3205", "2024-02-01", "month", 12.0)]
    stock += [("3205", "2024-03-01", "month", 11.0)]
    store.ingest(facts(stock, "iht_patients"), UploadMeta("s.csv", "h1"))
    assert store.series("iht_patients", ["3205"], "stock", "quarter")["value"].tolist() == [11.0]


def test_file_totals_are_kept_apart_from_series(store):
    rows = facts([("3205", "2024-01-01", "month", 4.0), ("ahus", "2024-01-01", "month", 9.0)])
    rows["file_total"] = [False, True]
    store.ingest(rows, UploadMeta("t.csv", "h1"))
    assert store.series("hip_fractures", ["3205", "ahus"], "count", "month")["value"].tolist() == [4.0]
    totals = store.file_totals("hip_fractures", "ahus", "month")
    assert totals["value"].tolist() == [9.0] and list(totals.columns) == [
        "period_start",
        "value",
        "numerator",
        "denominator",
        "suppressed",
    ]
    assert store.facts(["hip_fractures"])["unit_id"].tolist() == ["3205"]


# -- through the loader ---------------------------------------------------------------------


def test_a_yearly_file_and_a_monthly_file_that_agree_both_load(fresh_loader, tmp_path):
    monthly = "Kommune;Periode;Antall\n" + "".join(f"3205;2023M{m:02d};{m}\n" for m in range(1, 13))
    assert fresh_loader.ingest(write_csv(tmp_path / "m.csv", monthly), "hip_fractures").ok
    yearly = write_csv(tmp_path / "y.csv", "Kommune;År;Antall\n3205 Lillestrøm;2023;78\n")
    report = fresh_loader.ingest(yearly, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert "hip_fractures,3205,2023,78,false" in export_lines(fresh_loader)


def test_files_at_two_grains_that_disagree_are_refused_naming_both_files(fresh_loader, tmp_path):
    monthly = "Kommune;Periode;Antall\n" + "".join(f"3205;2023M{m:02d};{m}\n" for m in range(1, 13))
    fresh_loader.ingest(write_csv(tmp_path / "maaned.csv", monthly), "hip_fractures")
    yearly = write_csv(tmp_path / "aar.csv", "Kommune;År;Antall\n3205 Lillestrøm;2023;91\n")
    report = fresh_loader.ingest(yearly, "hip_fractures")
    assert not report.ok and report.result is None
    assert report.problem_lines() == [
        "Linje 2, kolonne «År»: 2023 er 91 her, men summen av månedene for samme periode er 78 i "
        "«maaned.csv»; tallene må stemme når ingen celle er skjult (fil «aar.csv»)"
    ]
    # the other way round: the months are checked against the stored year
    other = write_csv(tmp_path / "m2.csv", monthly.replace("3205;2023M01;1", "3205;2023M01;2"))
    fresh_loader.undo(1)
    fresh_loader.ingest(
        write_csv(tmp_path / "aar2.csv", "Kommune;År;Antall\n3205;2023;78\n"), "hip_fractures"
    )
    lines = fresh_loader.preview(other, "hip_fractures").problem_lines()
    assert lines and "summen av månedene for 2023 er 79 her, men «aar2.csv» har 78" in lines[0]


def test_a_suppressed_month_makes_no_conflict(fresh_loader, tmp_path):
    monthly = "Kommune;Periode;Antall\n" + "".join(
        f"3205;2023M{m:02d};{m if m > 1 else '..'}\n" for m in range(1, 13)
    )
    fresh_loader.ingest(write_csv(tmp_path / "m.csv", monthly), "hip_fractures")
    report = fresh_loader.ingest(
        write_csv(tmp_path / "y.csv", "Kommune;År;Antall\n3205;2023;91\n"), "hip_fractures"
    )
    assert report.ok, report.problem_lines()


def test_monthly_facts_feed_a_quarterly_indicator(fresh_loader, tmp_path):
    from analytics.series import load_rows

    path = write_csv(
        tmp_path / "k.csv",
        "Kommune;Tid;Antall\n3205;2024-01;3\n3205;2024-02;4\n3205;2024-03;5\n3205;2024-04;1\n",
    )
    assert fresh_loader.ingest(path, "iht_patients").ok
    board = fresh_loader.board
    rows = load_rows(board, board.registry.get("iht_patients"), ["3205"]).rows
    assert rows["value"].tolist() == [12.0, 1.0]  # the months summed into their quarters
    assert rows["period_end"].dt.date.tolist() == [dt.date(2024, 3, 31), dt.date(2024, 4, 30)]
