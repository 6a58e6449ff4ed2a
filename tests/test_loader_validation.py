"""The strict validator: bad files are refused with a Norwegian message naming file, line and
column, nothing is written, files that are not tables get one sentence, quickly."""

from __future__ import annotations

import re
import time

import pytest
import yaml

from analytics import clock, config
from analytics.export import neutralise
from analytics.store import UploadMeta
from loaders.ingest import Choices
from loaders.problems import MAX_LISTED
from tests.conftest import CORPUS, export_lines, fact_rows, new_store, run_cli, store_state, write_csv

ROW_PROBLEM = re.compile(r"^Linje \d+(, kolonne «[^»]+»)?: .+ \(fil «[^»]+»\)$")


BAD = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["bad"]


@pytest.mark.parametrize("case", BAD, ids=[c["file"] for c in BAD])
def test_every_bad_file_is_refused_with_its_message_and_nothing_is_written(fresh_loader, monkeypatch, case):
    if case["file"] == "b13_for_stor.csv":  # a low limit instead of a huge file
        monkeypatch.setattr(config, "MAX_UPLOAD_MB", 0.001)
    store = fresh_loader.board.store
    fresh_loader.ingest(CORPUS / "g02_utf8_bom.csv", "hip_fractures")  # something to keep
    before = store_state(store)
    start = time.perf_counter()
    report = fresh_loader.ingest(CORPUS / case["file"], case.get("indicator"))
    assert time.perf_counter() - start < 10  # quickly, even the 10 000 columns
    assert not report.ok and report.result is None
    said = [report.refused] if report.refused else report.problem_lines()
    assert any(case["message"] in line for line in said), said
    if "problems" in case:
        assert report.problem_count == case["problems"]
    assert store_state(store) == before


def test_a_refusal_of_a_non_table_is_one_sentence(fresh_loader):
    sentences = {
        "b07_tom.csv": "Filen «b07_tom.csv» er tom.",
        "b08_bilde.png": (
            "Filen «b08_bilde.png» er et bilde eller en PDF, ikke en tabell; last opp en CSV- eller Excel-fil."
        ),
        "b11_nul_tegn.csv": (
            "Filen «b11_nul_tegn.csv» inneholder NUL-tegn (binære data) og er ikke en tekstfil med en tabell."
        ),
    }
    for name, sentence in sentences.items():
        report = fresh_loader.preview(CORPUS / name, "hip_fractures")
        assert report.refused == sentence and not report.problems


def test_row_problems_name_file_line_and_column(fresh_loader):
    report = fresh_loader.preview(CORPUS / "b03_tolv.csv", "hip_fractures")
    assert report.problem_lines() == [
        "Linje 14, kolonne «Antall»: «tolv» er ikke et tall (fil «b03_tolv.csv»)"
    ]
    report = fresh_loader.preview(CORPUS / "b15_formel_enhet.csv", "hip_fractures")
    assert all(ROW_PROBLEM.match(line) for line in report.problem_lines())
    assert [p.line for p in report.problems] == [4, 5]


def test_fifty_problems_are_listed_then_a_count_of_the_rest(fresh_loader):
    report = fresh_loader.preview(CORPUS / "b16_seksti_feil.csv", "hip_fractures")
    lines = report.problem_lines()
    assert report.problem_count == 60 and len(lines) == MAX_LISTED + 1
    assert lines[-1] == "… og 10 problemer til."
    assert [p.line for p in report.problems[:3]] == [2, 3, 4]


def test_cli_refusal_exits_2_with_the_problems_on_stderr_and_no_traceback(tmp_path):
    db = new_store(tmp_path, "cli")
    for name in ("b03_tolv.csv", "b08_bilde.png", "b10_skadet.xlsx", "b12_10000_kolonner.csv"):
        result = run_cli("ingest", str(CORPUS / name), "--indicator", "hip_fractures", "--db", str(db))
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert (
        "Linje 14, kolonne «Antall»: «tolv» er ikke et tall"
        in run_cli(
            "ingest", str(CORPUS / "b03_tolv.csv"), "--indicator", "hip_fractures", "--db", str(db)
        ).stderr
    )
    assert run_cli("log", "--db", str(db)).stdout.strip() == "Ingen opplastinger ennå."


def test_a_fact_keeps_the_grain_its_file_gives(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "q.csv", "Kommune;Periode;Antall\n3205;2024K1;4\n3205;2019_2021;9\n")
    report = fresh_loader.ingest(path, "hip_fractures")  # a monthly indicator
    assert report.ok, report.problem_lines()
    assert export_lines(fresh_loader)[1:] == [
        "hip_fractures,3205,2019–2021,9,false",
        "hip_fractures,3205,2024K1,4,false",
    ]


def test_projections_may_be_in_the_future(fresh_loader, tmp_path):
    future = clock.today().year + 5
    path = write_csv(tmp_path / "p.csv", f"Kommune;År;Personer\n3205;{future};90000\n")
    assert fresh_loader.preview(path, "projection_total").ok
    assert "fram i tid" in fresh_loader.preview(path, "population_total").problem_lines()[0]


def test_the_same_key_twice_with_the_same_value_is_one_fact(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "d.csv", "Kommune;Periode;Antall\n3205;2024M01;4\n3205 Lillestrøm;2024M01;4\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok and report.result.added == 1


def test_infinity_and_nan_are_not_numbers(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "i.csv", "Kommune;Periode;Antall\n3205;2024M01;inf\n3222;2024M01;NaN\n")
    lines = fresh_loader.preview(path, "hip_fractures").problem_lines()
    assert [line.split(":")[0] for line in lines] == [
        "Linje 2, kolonne «Antall»",
        "Linje 3, kolonne «Antall»",
    ]


def test_shares_of_merged_municipalities_need_numerator_and_denominator(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "s.csv", "Kommune;År;Andel\n0231;2019;50\n0227;2019;60\n0226;2019;10\n")
    lines = fresh_loader.preview(path, "referral_quality_share").problem_lines()
    assert len(lines) == 3 and "andeler kan bare legges sammen med teller og nevner" in lines[0]
    path = write_csv(
        tmp_path / "t.csv", "Kommune;År;Teller;Nevner\n0231;2019;5;10\n0227;2019;9;10\n0226;2019;7;20\n"
    )
    report = fresh_loader.ingest(path, "referral_quality_share")
    assert report.ok and export_lines(fresh_loader)[1] == "referral_quality_share,3205,2019,52.5,false"


def test_the_clean_rows_can_be_loaded_and_the_rest_counted_as_refused(fresh_loader):
    path = CORPUS / "b01_ukjent_enhet.csv"
    report = fresh_loader.ingest(path, "hip_fractures", choices=Choices(leave_out_problems=True))
    assert report.ok and report.result.added == 2
    log = fresh_loader.board.store.uploads()
    assert (int(log["rows_added"].iloc[0]), int(log["rows_refused"].iloc[0])) == (2, 1)
    assert "1 rad med problemer ble ikke lastet inn" in report.summary()


def test_clashing_rows_are_both_left_out(fresh_loader):
    report = fresh_loader.ingest(
        CORPUS / "b05_dobbel_nokkel.csv", "hip_fractures", choices=Choices(leave_out_problems=True)
    )
    assert report.result.added == 1  # only Lørenskog; both Lillestrøm rows are refused
    assert export_lines(fresh_loader)[1:] == ["hip_fractures,3222,2024M01,2,false"]


def test_formula_cells_are_data_and_neutralised_in_every_csv_the_board_writes(fresh_loader):
    assert [neutralise(c) for c in ("=1+1", "+47", "-3", "@SUM(A1)", "3205")] == [
        "'=1+1",
        "'+47",
        "'-3",
        "'@SUM(A1)",
        "3205",
    ]
    # Even a unit id that looks like a formula (only possible outside the loader) is neutralised.
    facts = fact_rows({"=cmd|' /C calc'!A0": 1.0})
    fresh_loader.board.store.ingest(facts, UploadMeta("x.csv", "h"))
    assert export_lines(fresh_loader)[1] == "hip_fractures,'=cmd|' /C calc'!A0,2024M01,1,false"


@pytest.mark.parametrize(
    ("indicator", "header", "cell", "column"),
    [
        ("hip_fractures", "Antall", "3,5", "Antall"),  # a count
        # a stock (a dot between thousands, «1.234», is read as 1234 in a count: test_loader_outside5)
        ("dho_active_patients", "Antall", "1.5", "Antall"),
        ("referral_quality_share", "Teller;Nevner", "12,5;40", "Teller"),  # a share's numerator
        ("referral_quality_share", "Teller;Nevner", "12;40,5", "Nevner"),  # and its denominator
    ],
)
def test_a_fraction_where_whole_cases_are_counted_gets_a_note(
    fresh_loader, tmp_path, indicator, header, cell, column
):
    """StageStats.fractions: a count, a stock, or a share's numerator or denominator is a number of
    whole cases; a fraction there (a misread thousands mark, a rate in a count's place) is told
    in a note naming the line and column. Not refused: sources write counts as «12,0»."""
    path = write_csv(
        tmp_path / "brok.csv",
        f"Kommune;Periode;{header}\n3205 Lillestrøm;2024M01;{cell}\n"
        f"3222 Lørenskog;2024M01;{'7;40' if ';' in cell else '7'}\n",
    )
    report = fresh_loader.ingest(path, indicator, dry_run=True)
    assert report.ok, report.problem_lines()
    notes = [n for n in report.notes if "helt tall" in n]
    name = fresh_loader.board.registry.get(indicator).name
    assert notes == [
        f"1 verdi i kolonne «{column}» er ikke et helt tall (linje 2), men «{name}» bygger på antall hele "
        "tilfeller: sjekk at tusenskille og desimaltegn er lest riktig, og at tallene er antall, ikke "
        "rater eller andeler."
    ]


@pytest.mark.parametrize(
    ("indicator", "header", "cell"),
    [
        ("referral_quality_share", "Andel", "45,3"),  # a share given as per cent
        ("dho_bed_days_after", "Liggedøgn", "3,75"),  # a score is a mean
        ("hip_fractures", "Antall", "12,0"),  # whole, written with a decimal
    ],
)
def test_fractions_where_they_belong_get_no_note(fresh_loader, tmp_path, indicator, header, cell):
    grain = "2024" if indicator == "dho_bed_days_after" else "2024M01"
    path = write_csv(tmp_path / "ok.csv", f"Kommune;Periode;{header}\n3205 Lillestrøm;{grain};{cell}\n")
    report = fresh_loader.ingest(path, indicator, dry_run=True)
    assert report.ok, report.problem_lines()
    assert not [n for n in report.notes if "hele tall" in n or "helt tall" in n]


def test_a_kind_the_registry_marks_as_whole_cases_gets_the_fractions_note(fresh_loader, tmp_path):
    """Which numbers are whole cases is the registry's `charts:` row (whole_cases), not SQL in
    the loader: with the score row saying its value is whole, a score of 3,75 gets the note."""
    import dataclasses

    from analytics.registry import Registry
    from loaders.service import Loader

    raw = yaml.safe_load(config.REGISTRY_FILE.read_text(encoding="utf-8"))
    raw["charts"]["score"]["whole_cases"] = ["value"]
    board = dataclasses.replace(fresh_loader.board, registry=Registry.model_validate(raw))
    path = write_csv(tmp_path / "snitt.csv", "Kommune;Periode;Liggedøgn\n3205 Lillestrøm;2024;3,75\n")
    report = Loader.for_board(board).ingest(path, "dho_bed_days_after", dry_run=True)
    assert report.ok, report.problem_lines()
    assert [n for n in report.notes if "helt tall" in n] == [
        "1 verdi i kolonne «Liggedøgn» er ikke et helt tall (linje 2), men «"
        + board.registry.get("dho_bed_days_after").name
        + "» bygger på antall hele tilfeller: sjekk at tusenskille og desimaltegn er lest riktig, og at "
        "tallene er antall, ikke rater eller andeler."
    ]


def test_an_empty_trailing_column_is_not_named_as_unused(fresh_loader, tmp_path):
    """A «;» at the end of every line makes a column with no value: no note for it; a column
    with values that no role uses is still named."""
    empty = write_csv(tmp_path / "tom.csv", "Kommune;Periode;Antall;\n3205;2024M01;12;\n3222;2024M01;7;\n")
    report = fresh_loader.ingest(empty, "hip_fractures", dry_run=True)
    assert report.ok and not [n for n in report.notes if "ikke brukes" in n], report.notes
    named = write_csv(
        tmp_path / "merknad.csv", "Kommune;Periode;Antall;Merknad\n3205;2024M01;12;ok\n3222;2024M01;7;\n"
    )
    report = fresh_loader.ingest(named, "hip_fractures", dry_run=True)
    assert "Kolonner som ikke brukes: Merknad." in report.notes
