"""«Rader som mangler er 0» (issue 14): the analyst's choice, per file, for an extract that
leaves out a unit's month with no events. Absent rows of the file's grid are stored as 0,
suppressed cells stay suppressed, the choice and the count are in the upload log, undo removes
the zeros; other kinds than counts of events are refused in one sentence. Both backends."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import catalogue, series
from analytics.store import SCHEMA_VERSION, open_store
from loaders.__main__ import main
from loaders.ingest import Choices
from tests.conftest import export_lines, new_store, store_state, write_csv

UNITS = ("3205", "3222", "3207")  # Lillestrøm, Lørenskog, Nordre Follo (Ahus)
ABSENT = {("3222", 3), ("3207", 7)}  # (unit, month) rows the extract leaves out
SUPPRESSED = ("3205", 5)


def _extract(tmp_path, name: str = "npr_uten_nuller.csv"):
    """3 members × 12 months of 2024: 2 rows absent, 1 suppressed («..»), the rest counts."""
    lines = ["Kommune;Periode;Antall"]
    for unit in UNITS:
        for month in range(1, 13):
            if (unit, month) in ABSENT:
                continue
            value = ".." if (unit, month) == SUPPRESSED else str(5 + month)
            lines.append(f"{unit};2024M{month:02d};{value}")
    return write_csv(tmp_path / name, "\n".join(lines) + "\n")


def _stored(loader) -> dict[tuple[str, str], str]:
    """(unit, period) → the exported value ('' when suppressed) of hip_fractures."""
    rows = [line.split(",") for line in export_lines(loader, "hip_fractures")[1:]]
    return {(unit, period): value for _, unit, period, value, _ in rows}


def _short(loader) -> list:
    board = loader.board
    rows = series.load_rows(board, board.registry.get("hip_fractures"), list(UNITS))
    return series.short_starts(rows)


def test_with_the_choice_the_absent_rows_are_zero_and_the_months_are_judged(fresh_loader, tmp_path):
    report = fresh_loader.ingest(_extract(tmp_path), "hip_fractures", choices=Choices(missing_zero=True))
    assert report.ok and report.result is not None, (report.refused, report.problem_lines())
    assert report.stats.zero_filled == 2 and report.result.rows_in == 36
    stored = _stored(fresh_loader)
    assert stored[("3222", "2024M03")] == "0" and stored[("3207", "2024M07")] == "0"
    assert stored[("3205", "2024M05")] == ""  # suppressed stays missing, never 0
    assert stored[("3205", "2024M01")] == "6" and len(stored) == 36
    assert _short(fresh_loader) == []  # every partnership month has all three members
    assert "2 rader fylt inn som 0 (valgt ved opplasting)" in report.summary()
    row = fresh_loader.board.store.uploads().iloc[0]
    assert bool(row["missing_zero"]) and int(row["rows_zero_filled"]) == 2
    log = catalogue.upload_log(fresh_loader.board)
    assert log["Merknad"].tolist() == ["2 rader fylt inn som 0 (valgt ved opplasting)"]
    assert "2 rader fylt inn som 0 (valgt ved opplasting)" in fresh_loader.log_text()


def test_without_the_choice_absent_rows_stay_absent(fresh_loader, tmp_path):
    report = fresh_loader.ingest(_extract(tmp_path), "hip_fractures")
    assert report.ok and report.stats.zero_filled == 0 and report.result.rows_in == 34
    stored = _stored(fresh_loader)
    assert ("3222", "2024M03") not in stored and ("3207", "2024M07") not in stored
    assert [s.month for s in _short(fresh_loader)] == [3, 7]  # shown, not judged
    row = fresh_loader.board.store.uploads().iloc[0]
    assert not bool(row["missing_zero"]) and int(row["rows_zero_filled"]) == 0
    assert catalogue.upload_log(fresh_loader.board)["Merknad"].tolist() == [""]


def test_a_share_with_the_choice_is_refused_in_one_sentence_and_nothing_is_written(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "andel.csv", "Kommune;Periode;Andel\n3205;2024K1;50\n3222;2024K1;40\n")
    store = fresh_loader.board.store
    before = store_state(store)
    report = fresh_loader.ingest(path, "stemi_pci_120", choices=Choices(missing_zero=True))
    assert report.result is None and store_state(store) == before
    assert report.refused.count(".") == 1 and report.refused.endswith("ingenting er lagret.")
    assert "bare velges for antall hendelser" in report.refused and "er en andel" in report.refused
    assert fresh_loader.missing_zero_allowed("hip_fractures") is True
    assert fresh_loader.missing_zero_allowed("stemi_pci_120") is False
    assert fresh_loader.missing_zero_allowed("dho_active_patients") is False  # a stock
    assert fresh_loader.missing_zero_allowed(None) is False


def test_undo_removes_the_zeros_and_restores_what_they_replaced(fresh_loader, tmp_path):
    earlier = write_csv(tmp_path / "tidligere.csv", "Kommune;Periode;Antall\n3222;2024M03;4\n")
    first = fresh_loader.ingest(earlier, "hip_fractures")
    # a later extract for the same months leaves 3222's March out: with the choice it is 0
    second = fresh_loader.ingest(_extract(tmp_path), "hip_fractures", choices=Choices(missing_zero=True))
    assert second.result.replaced == 1 and _stored(fresh_loader)[("3222", "2024M03")] == "0"
    fresh_loader.undo(second.result.upload_id)
    assert _stored(fresh_loader) == {("3222", "2024M03"): "4"}
    fresh_loader.undo(first.result.upload_id)
    assert _stored(fresh_loader) == {} and fresh_loader.board.store.history_count() == 0


def test_the_grid_is_the_files_periods_first_to_last_and_a_leave_out_problem_is_not_zero(
    fresh_loader, tmp_path
):
    """Quarterly: a unit's quarter in the middle absent becomes 0; before the file's first
    and after its last quarter nothing is made; a row with a problem, left out by choice, is
    not made 0."""
    text = (
        "Kommune;Periode;Antall\n3205;2023K1;3\n3205;2023K3;4\n3222;2023K1;2\n3222;2023K2;x1\n3222;2023K3;1\n"
    )
    path = write_csv(tmp_path / "kvartal.csv", text)
    choices = Choices(missing_zero=True, leave_out_problems=True)
    report = fresh_loader.ingest(path, "iht_patients", choices=choices)
    assert report.ok and report.stats.zero_filled == 1, (report.refused, report.problem_lines())
    rows = [line.split(",") for line in export_lines(fresh_loader, "iht_patients")[1:]]
    assert {(u, p): v for _, u, p, v, _ in rows} == {
        ("3205", "2023K1"): "3",
        ("3205", "2023K2"): "0",
        ("3205", "2023K3"): "4",
        ("3222", "2023K1"): "2",
        ("3222", "2023K3"): "1",
    }


def test_the_cli_takes_missing_zero(tmp_path, monkeypatch, capsys, board_context):
    db = new_store(tmp_path, "cli")
    monkeypatch.setenv("BOARD_DB", str(db))
    assert main(["ingest", str(_extract(tmp_path)), "--indicator", "hip_fractures", "--missing-zero"]) == 0
    out = capsys.readouterr().out
    assert "36 rader lest" in out and "2 rader fylt inn som 0 (valgt ved opplasting)" in out
    share = write_csv(tmp_path / "andel.csv", "Kommune;Periode;Andel\n3205;2024K1;50\n")
    assert main(["ingest", str(share), "--indicator", "stemi_pci_120", "--missing-zero"]) == 2
    assert "kan bare velges for antall hendelser" in capsys.readouterr().err
    assert main(["log"]) == 0
    assert "2 rader fylt inn som 0 (valgt ved opplasting)" in capsys.readouterr().out
    store = open_store(db)
    try:
        assert store.schema_version() == SCHEMA_VERSION
    finally:
        store.close()


def test_a_national_file_fills_the_boards_municipalities_it_leaves_out(tmp_path, demo_db):
    """A national file (most of the country's municipalities) with the choice: a municipality
    of the partnership the file leaves out in a month becomes 0 too."""
    from analytics.reference import national_municipalities
    from loaders.service import Loader

    loader = Loader.open(new_store(tmp_path, "national", like=demo_db))
    try:
        today = national_municipalities()
        lines = ["Kommune;Periode;Antall"]
        lines += [
            f"{c} {n};2024K2;3" for c, n in zip(today["code"], today["name"], strict=True) if c != "3222"
        ]
        path = write_csv(tmp_path / "nasjonal.csv", "\n".join(lines) + "\n")
        report = loader.ingest(path, "iht_patients", choices=Choices(partnership="ahus", missing_zero=True))
        assert report.ok, (report.refused, report.problem_lines()[:3])
        assert report.stats.zero_filled == 1
        rows = [line.split(",") for line in export_lines(loader, "iht_patients")[1:]]
        assert ["iht_patients", "3222", "2024K2", "0", "false"] in rows
    finally:
        loader.board.store.close()


@pytest.mark.backend_free
def test_only_counts_of_events_allow_it_in_the_kinds_table():
    from analytics.registry import load_registry

    charts = load_registry().charts
    assert {k for k, rule in charts.items() if rule.zero_fill} == {"count", "rare_count"}


@pytest.mark.backend_free
def test_split_successors_are_filled_from_the_split_on():
    from loaders.ingest import _split_successors

    valid = _split_successors()
    assert valid["1806"] == dt.date(2020, 1, 1) and valid["1875"] == dt.date(2020, 1, 1)  # Tysfjord


def test_a_summed_dimension_fills_the_unit_months_no_member_has(fresh_loader, tmp_path):
    """--sum kjønn: a unit's month with no row for any sex is absent, and with the choice 0;
    one with a row for one sex is that row's sum, as without the choice."""
    text = (
        "Kommune;Kjønn;Periode;Antall\n"
        "3205;Menn;2024M01;2\n3205;Kvinner;2024M01;3\n3222;Menn;2024M01;1\n3222;Kvinner;2024M01;1\n"
        "3205;Menn;2024M02;4\n3205;Kvinner;2024M02;1\n"
        "3205;Menn;2024M03;1\n3222;Kvinner;2024M03;2\n"
    )
    path = write_csv(tmp_path / "kjonn.csv", text)
    report = fresh_loader.ingest(path, "hip_fractures", choices=Choices(sums=["Kjønn"], missing_zero=True))
    assert report.ok and report.stats.zero_filled == 1, (report.refused, report.problem_lines())
    stored = _stored(fresh_loader)
    assert stored[("3222", "2024M02")] == "0" and stored[("3222", "2024M03")] == "2"
    assert stored[("3205", "2024M02")] == "5" and len(stored) == 6


def test_the_spool_carries_the_choice(fresh_loader, tmp_path):
    """A scheduled `ingest --missing-zero` handed to a running board (loaders.spool) keeps it."""
    from loaders import spool

    outcome = spool.ingest(
        fresh_loader, _extract(tmp_path), {"indicator": "hip_fractures", "missing_zero": True}
    )
    assert outcome.code == 0 and "2 rader fylt inn som 0 (valgt ved opplasting)" in outcome.out[0]


def test_a_merged_municipalitys_absent_old_code_is_zero_with_the_choice(fresh_loader, tmp_path):
    """Old codes (2019: Skedsmo, Fet, Sørum → Lillestrøm 3205): without the choice a month
    lacking Sørum is refused (the parts are summed only when all are there); with it Sørum's
    absent month had no events, so Lillestrøm's month is the sum of the two present."""
    text = (
        "Kommune;Periode;Antall\n"
        "0231 Skedsmo;2019M01;5\n0227 Fet;2019M01;2\n0226 Sørum;2019M01;1\n"
        "0231 Skedsmo;2019M02;4\n0227 Fet;2019M02;3\n"
    )
    path = write_csv(tmp_path / "gamle_koder.csv", text)
    refused = fresh_loader.ingest(path, "hip_fractures", dry_run=True)
    assert refused.problem_count == 2 and "mangler Sørum" in refused.problem_lines()[0]
    report = fresh_loader.ingest(path, "hip_fractures", choices=Choices(missing_zero=True))
    assert report.ok, (report.refused, report.problem_lines())
    assert _stored(fresh_loader) == {("3205", "2019M01"): "8", ("3205", "2019M02"): "7"}
