"""The readers (loaders/formats) and the dimensions step, on the `formats` corpus block: each
good file through the CLI and the upload page to its export; each bad file refused with its
cause and the store unchanged; limits with flat memory; PX and JSON-stat details; periods read
from headers; single-year ages; dates keep their month."""

from __future__ import annotations

import functools
import io
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from analytics import config
from analytics.store import open_store
from loaders import formats
from loaders.dimensions import single_age, total_member
from loaders.formats import Limits, open_table
from loaders.ingest import Choices
from loaders.normalise import header_period, is_period_header
from loaders.problems import FileRefused
from tests import corpus_formats
from tests.conftest import CORPUS, ROOT, export_lines, new_store, run_cli, store_state
from tests.test_upload_page import board_db, open_upload  # noqa: F401 (board_db: a fixture)

MANIFEST = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["formats"]
GOOD, BAD = MANIFEST["good"], MANIFEST["bad"]


def _raw_lines(loader) -> list[str]:
    """What `python -m loaders export --raw` prints: the stored values, small ones too."""
    out = io.StringIO()
    loader.export_csv(out, None, raw=True)
    return out.getvalue().splitlines()


def _cli_args(case: dict) -> list[str]:
    args = []
    for key in ("indicator", "profile"):
        if case.get(key):
            args += [f"--{key}", case[key]]
    for column, value in (case.get("where") or {}).items():
        args += ["--where", f'{column}="{value}"']
    for column in case.get("sums") or []:
        args += ["--sum", column]
    return args


def _choices(case: dict) -> Choices:
    return Choices(where=dict(case.get("where") or {}), sums=list(case.get("sums") or []))


def test_the_formats_block_is_marked_and_every_file_is_listed():
    text = (CORPUS / "expected.yaml").read_text(encoding="utf-8")
    assert "# loader-formats" in text
    files = sorted(p.name for p in CORPUS.glob("f*"))
    assert files == sorted(c["file"] for c in GOOD + BAD) and len(files) >= 19


@pytest.mark.parametrize("case", GOOD, ids=[c["file"] for c in GOOD])
def test_every_good_file_loads_through_the_cli_to_its_export(case, tmp_path):
    db = new_store(tmp_path, "cli")
    done = run_cli("ingest", str(CORPUS / case["file"]), *_cli_args(case), "--db", str(db))
    assert done.returncode == 0, done.stderr
    exported = run_cli("export", "--raw", "--db", str(db))  # the stored values, small ones too
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.splitlines() == case["export"]


@pytest.mark.parametrize("case", GOOD, ids=[c["file"] for c in GOOD])
def test_every_good_file_loads_in_process_with_its_row_count(fresh_loader, case):
    report = fresh_loader.ingest(
        CORPUS / case["file"], case.get("indicator"), profile_id=case.get("profile"), choices=_choices(case)
    )
    assert report.ok, (report.refused, report.problem_lines())
    assert _raw_lines(fresh_loader) == case["export"]
    assert report.result.added == len(case["export"]) - 1


@pytest.mark.parametrize("case", BAD, ids=[c["file"] for c in BAD])
def test_every_bad_file_is_refused_with_its_cause_and_nothing_is_written(fresh_loader, case):
    store = fresh_loader.board.store
    fresh_loader.ingest(CORPUS / "g02_utf8_bom.csv", "hip_fractures")  # something to keep
    before = store_state(store)
    report = fresh_loader.ingest(
        CORPUS / case["file"], case.get("indicator"), profile_id=case.get("profile"), choices=_choices(case)
    )
    assert not report.ok and report.result is None
    said = [report.refused] if report.refused else report.problem_lines()
    assert any(case["message"] in line for line in said), said
    assert case["file"] in said[0]
    assert store_state(store) == before


def test_an_unchosen_dimension_is_named_by_the_cli_with_the_words_to_use(tmp_path):
    done = run_cli(
        "ingest",
        str(CORPUS / "f20_ssb_kjonn_uten_valg.csv"),
        "--profile",
        "ssb_07459",
        "--db",
        str(new_store(tmp_path, "x")),
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "Filen «f20_ssb_kjonn_uten_valg.csv» har kolonnen «kjønn» med verdiene Menn, Kvinner, Begge kjønn, "
        'der «Begge kjønn» er summen av de andre: velg totalen «Begge kjønn» (--where kjønn="Begge kjønn").'
    )
    assert "tidligere i filen" not in done.stderr


def test_a_where_value_the_file_lacks_and_an_unknown_column_are_named(fresh_loader):
    path = CORPUS / "f20_ssb_kjonn_uten_valg.csv"
    wrong = fresh_loader.ingest(path, None, profile_id="ssb_07459", choices=Choices(where={"kjønn": "Alle"}))
    assert (
        "har ikke verdien «Alle» i kolonnen «kjønn» (verdiene er Menn, Kvinner, Begge kjønn)" in wrong.refused
    )
    unknown = fresh_loader.ingest(path, None, profile_id="ssb_07459", choices=Choices(sums=["sex"]))
    assert "har ingen kolonne «sex»" in unknown.refused


def test_a_missing_single_age_leaves_its_bands_out_and_says_so(fresh_loader, tmp_path):
    lines = ["region;alder;år;Personer"] + [
        f"3205 Lillestrøm;{a} år;2021;10" for a in range(0, 90) if a != 70
    ]
    path = tmp_path / "hull.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = fresh_loader.ingest(path, None, profile_id="ssb_07459", dry_run=True)
    assert report.ok, report.summary()
    assert report.stats.indicators == ("population_0_17", "population_18_66")
    assert any(
        "67-79 år, 80 år eller eldre, 65 år eller eldre, I alt er ikke laget" in n for n in report.notes
    )


def test_a_band_with_a_suppressed_age_is_suppressed_not_smaller(fresh_loader, tmp_path):
    lines = ["region;alder;år;Personer"] + [
        f"3205 Lillestrøm;{a} år;2021;{'..' if a == 3 else 10}" for a in range(0, 18)
    ]
    path = tmp_path / "skjult.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = fresh_loader.ingest(path, None, profile_id="ssb_07459")
    assert report.ok, report.summary()
    assert _raw_lines(fresh_loader) == [
        "indicator,unit,period,value,suppressed",
        "population_0_17,3205,2021,,true",
    ]


def test_a_problem_in_a_summed_row_names_a_line_of_the_file(fresh_loader, tmp_path):
    lines = ["region;kjønn;år;Antall"] + [
        "3205 Lillestrøm;Menn;2021;4",
        "3205 Lillestrøm;Kvinner;2021;tolv",
    ]
    path = tmp_path / "tolv.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = fresh_loader.ingest(path, "population_total", choices=Choices(sums=["kjønn"]))
    assert report.problem_lines() == ["Linje 2, kolonne «Antall»: «tolv» er ikke et tall (fil «tolv.csv»)"]


def test_monthly_dates_for_a_quarterly_indicator_stay_months_in_preview_and_load(fresh_loader):
    path = CORPUS / "f12_excel_maanedsdatoer_kvartalsindikator.xlsx"
    report = fresh_loader.preview(path, "iht_patients")
    assert report.ok, report.problem_lines()
    assert set(report.parsed["Periode"]) <= {f"2016M{m:02d}" for m in range(1, 7)}
    assert not any("K" in p for p in report.parsed["Periode"])


@pytest.mark.parametrize(
    "header, period",
    [
        ("Persons 2021", "2021"),
        ("Personer 2021", "2021"),
        ("2021 Personer", "2021"),
        ("y2021", "2021"),
        ("2019_2021", "2019_2021"),
        ("Antall 2024K1", "2024K1"),
        ("2024-01", "2024-01"),
        ("Kommune 2024", None),
        ("region", None),
        ("01.01.2024", None),
    ],
)
def test_the_period_is_read_from_a_header(header, period):
    assert header_period(header) == period


def test_only_headers_with_a_known_period_are_period_columns():
    assert is_period_header("Persons 2021") and not is_period_header("Kommune 2024")


@pytest.mark.parametrize(
    "text, age",
    [
        ("0 år", (0, False)),
        ("1 year", (1, False)),
        ("17 years", (17, False)),
        ("105 år eller eldre", (105, True)),
        ("105 years or older", (105, True)),
        ("0-17 år", None),
        ("I alt", None),
        (None, None),
    ],
)
def test_single_ages(text, age):
    assert single_age(text) == age


# -- PX and JSON-stat details ----------------------------------------------------------------


def test_px_reads_codepage_multiline_values_markers_and_knows_its_roles(tmp_path):
    path = tmp_path / "t.px"
    path.write_bytes(
        (
            'CHARSET="ANSI";\r\nCODEPAGE="windows-1252";\r\nSTUB="region";\r\nHEADING="tid";\r\n'
            'VALUES("region")="Lillestrøm",\r\n"Lørenskog";\r\nVALUES("tid")="2021K1","2021K2";\r\n'
            'CODES("region")="3205","3222";\r\nTIMEVAL("tid")=TLIST(Q1),"2021K1","2021K2";\r\n'
            'NOTE="lang tekst "\r\n"over to linjer";\r\nDATA=\r\n1 2\r\n".." 4;\r\n'
        ).encode("cp1252")
    )
    with open_table(path) as table:
        guess = table.guess
        rows = table._rows
    assert (guess.format, guess.encoding) == ("px", "cp1252")
    assert guess.known_roles == {"value": "verdi", "unit": "region", "period": "tid"}
    assert rows == [
        ["3205 Lillestrøm", "2021K1", "1"],
        ["3205 Lillestrøm", "2021K2", "2"],
        ["3222 Lørenskog", "2021K1", ".."],
        ["3222 Lørenskog", "2021K2", "4"],
    ]


def test_px_with_too_few_numbers_is_refused(tmp_path):
    path = tmp_path / "kort.px"
    path.write_bytes(
        b'STUB="region";\r\nHEADING="tid";\r\nVALUES("region")="a","b";\r\nVALUES("tid")="2021";\r\nDATA=\r\n1;\r\n'
    )
    with pytest.raises(FileRefused, match="2 celler etter dimensjonene, men DATA har 1 tall"):
        open_table(path)


def test_jsonstat_sparse_values_and_status(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(
        '{"version":"2.0","class":"dataset","id":["r","t"],"size":[1,3],'
        '"dimension":{"r":{"label":"region","category":{"label":{"3205":"Lillestrøm"}}},'
        '"t":{"label":"år","category":{"index":["2021","2022","2023"]}}},'
        '"value":{"0":5,"2":7.5},"status":{"1":":"}}',
        encoding="utf-8",
    )
    with open_table(path) as table:
        assert table.guess.known_roles == {"value": "verdi", "unit": "region", "period": "år"}
        assert table._rows == [
            ["3205 Lillestrøm", "2021", "5"],
            ["3205 Lillestrøm", "2022", ":"],
            ["3205 Lillestrøm", "2023", "7.5"],
        ]


def test_jsonstat_1_is_named(tmp_path):
    path = tmp_path / "v1.json"
    path.write_text('{"dataset": {"dimension": {}}}', encoding="utf-8")
    with pytest.raises(FileRefused, match="er JSON-stat 1.0"):
        open_table(path)


# -- limits --------------------------------------------------------------------------------


def _peak_rss_mb(code: str) -> tuple[float, str]:
    """Run `code` in a child Python; the child's own peak RSS in MB and its stdout.

    The child reports its own high-water mark (VmHWM in /proc/self/status, in kB): ru_maxrss
    would not do, since RUSAGE_CHILDREN here is the largest child the whole session ever waited
    for, and a child's RUSAGE_SELF keeps the forking parent's peak across exec."""
    probe = (
        "\nprint('PEAK', next(line.split()[1] for line in open('/proc/self/status') "
        "if line.startswith('VmHWM:')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code + probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines = done.stdout.strip().splitlines()
    peak = next(float(line.split()[1]) for line in reversed(lines) if line.startswith("PEAK "))
    said = "\n".join(line for line in lines if not line.startswith("PEAK "))
    return peak / 1024, said


def test_a_zip_bomb_xlsx_is_refused_from_its_directory_with_flat_memory(tmp_path):
    path = tmp_path / "bombe.xlsx"
    corpus_formats.write_xlsx_bomb(path, 600 << 20)  # 600 MB of one cell, in about 600 KB
    assert path.stat().st_size < 2 << 20
    code = (
        "from pathlib import Path\nfrom loaders.formats import open_table\nfrom loaders.problems import FileRefused\n"
        f"try:\n    open_table(Path({str(path)!r}))\nexcept FileRefused as e:\n    print(e)\n"
    )
    peak, said = _peak_rss_mb(code)
    assert said.startswith("Filen «bombe.xlsx» pakker seg ut til 600.") and "grensen på 512 MB" in said
    assert peak < 400  # an interpreter with pandas and duckdb imported; the cell would be 600+


def test_a_huge_cell_under_the_unzipped_limit_is_refused_in_a_stream_with_flat_memory(tmp_path):
    path = tmp_path / "celle.xlsx"
    corpus_formats.write_xlsx_bomb(path, 200 << 20)
    code = (
        "from pathlib import Path\nfrom loaders.formats import open_table\nfrom loaders.problems import FileRefused\n"
        f"try:\n    open_table(Path({str(path)!r}))\nexcept FileRefused as e:\n    print(e)\n"
    )
    peak, said = _peak_rss_mb(code)
    assert "har en celle med mer enn 32 767 tegn" in said
    assert peak < 400


def test_too_many_rows_are_refused_from_the_sample_before_reading(fresh_loader, tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "Limits", functools.partial(Limits, rows=20_000))
    path = tmp_path / "rader.csv"
    corpus_formats.write_many_rows(path, 100_000)
    report = fresh_loader.ingest(path, "hip_fractures")
    assert (
        report.refused.startswith("Filen «rader.csv» har ")
        and "rader, mer enn grensen på 20 000" in report.refused
    )
    assert report.stats is None  # refused before DuckDB read it


def test_streamlit_upload_size_is_the_loaders_limit():
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"]["maxUploadSize"] == config.MAX_UPLOAD_MB == Limits().file_bytes // (1 << 20)


# -- the upload page -----------------------------------------------------------------------


def _page() -> AppTest:
    return open_upload()


def _upload(at: AppTest, case: dict) -> AppTest:
    if case.get("profile"):
        at.selectbox(key="upload_profile").set_value(case["profile"]).run()
    if case.get("indicator"):
        at.selectbox(key="upload_indicator").set_value(case["indicator"]).run()
    data = (CORPUS / case["file"]).read_bytes()
    at.file_uploader(key="upload_file").set_value((case["file"], data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def _facts(db: Path, case: dict) -> list[str]:
    """The store's rows for the units and periods the case names, as export lines."""
    wanted = {tuple(line.split(",")[:3]) for line in case["export"][1:]}
    store = open_store(db)
    try:
        facts = store.facts(sorted({w[0] for w in wanted}))
    finally:
        store.close()
    from analytics.periods import period_label
    from loaders.service import format_value

    lines = []
    for row in facts.itertuples(index=False):
        key = (row.indicator, row.unit_id, period_label(row.period_start, row.grain))
        if key in wanted:
            value = "" if row.suppressed else format_value(row.value)
            lines.append(f"{','.join(key)},{value},{'true' if row.suppressed else 'false'}")
    return case["export"][:1] + lines


@pytest.mark.parametrize("case", GOOD, ids=[c["file"] for c in GOOD])
def test_every_good_file_loads_through_the_upload_page(board_db, case):  # noqa: F811 (the fixture)
    at = _upload(_page(), case)
    dims = {
        **{k: v for k, v in (case.get("where") or {}).items()},
        **{k: "(summer alle)" for k in case.get("sums") or []},
    }
    if dims:  # the page asks, in the words the CLI uses, and offers a control per column
        said = [e.value.replace("\\", "") for e in at.error]
        assert any("(--where" in t and all(f"kolonnen «{c}»" in t for c in dims) for t in said), said
        for column, pick in dims.items():
            at.selectbox(key=next(s.key for s in at.selectbox if s.label == f"«{column}»")).set_value(
                pick
            ).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.button(key=next(b.key for b in at.button if b.label == "Last inn")).click().run()
    assert not at.exception
    assert at.success and at.success[0].value.startswith("Opplasting "), [e.value for e in at.error]
    assert _facts(board_db, case) == case["export"]


def test_a_refused_format_file_leaves_the_store_as_it_was_on_the_page(board_db):  # noqa: F811
    store = open_store(board_db)
    before = store_state(store)
    store.close()
    at = _upload(_page(), {"file": "f22_xlsx_kjempecelle.xlsx", "indicator": "hip_fractures"})
    assert any("har en celle med mer enn 32 767 tegn" in e.value.replace("\\", "") for e in at.error)
    assert not [b for b in at.button if b.label == "Last inn"]
    store = open_store(board_db)
    assert store_state(store) == before
    store.close()


def test_an_upload_over_the_limit_gets_a_norwegian_sentence(board_db, monkeypatch):  # noqa: F811
    monkeypatch.setattr(config, "MAX_UPLOAD_MB", 0.001)  # about 1 KB
    at = _upload(_page(), {"file": "f04_ssb_enkeltaar_norsk.csv", "profile": "ssb_07459"})
    assert [e.value.replace("\\", "") for e in at.error] == [
        "Filen «f04_ssb_enkeltaar_norsk.csv» er 0.0 MB, mer enn grensen på 0.001 MB. Del opp uttrekket "
        "eller last det inn med kommandolinjen på serveren."
    ]


# -- a dimension that holds its own total (tryout2) -------------------------------------------


def _sex_with_total(tmp_path):
    lines = ["Kommune;År;Kjønn;Antall"]
    for code, name in (("3205", "Lillestrøm"), ("3222", "Lørenskog")):
        lines += [
            f"{code} {name};2017;Begge kjønn;30",
            f"{code} {name};2017;Menn;10",
            f"{code} {name};2017;Kvinner;20",
        ]
    path = tmp_path / "kjonn.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_a_sum_over_a_column_with_its_own_total_is_refused_never_doubled(fresh_loader, tmp_path):
    path = _sex_with_total(tmp_path)
    report = fresh_loader.ingest(path, "hip_fractures", choices=Choices(sums=["Kjønn"]))
    assert report.refused == (
        "Filen «kjonn.csv» har totalen «Begge kjønn» i kolonnen «Kjønn» ved siden av delene, så en sum over "
        '«Kjønn» ville telle alt to ganger: velg totalen «Begge kjønn» (--where Kjønn="Begge kjønn").'
    )
    assert report.stats is None or not report.stats.added
    chosen = fresh_loader.preview(path, "hip_fractures", choices=Choices(where={"Kjønn": "Begge kjønn"}))
    assert chosen.ok, chosen.problem_lines()
    assert len(chosen.parsed) == 2 and (chosen.parsed.astype(str) == "30").any(axis=None), chosen.parsed


def test_an_age_total_beside_bands_is_named_as_the_one_to_choose(fresh_loader, tmp_path):
    path = tmp_path / "alder.csv"
    path.write_text(
        "region;alder;år;Antall\n3205 Lillestrøm;Alle aldre;2023;60\n3205 Lillestrøm;0-66 år;2023;10\n"
        "3205 Lillestrøm;67 år og over;2023;50\n",
        encoding="utf-8",
    )
    report = fresh_loader.ingest(path, "hip_fractures", dry_run=True)
    assert report.refused.endswith(
        'der «Alle aldre» er summen av de andre: velg totalen «Alle aldre» (--where alder="Alle aldre").'
    )
    assert "summer (--sum)" not in report.refused


@pytest.mark.parametrize(
    "values, total",
    [
        (["Begge kjønn", "Menn", "Kvinner"], "Begge kjønn"),
        (["Males", "Females", "Both sexes"], "Both sexes"),
        (["0-17 år", "Alder i alt"], "Alder i alt"),
        (["Kjønn samlet", "Menn", "Kvinner"], "Kjønn samlet"),  # FHI's statbank
        (["Menn", "Kvinner"], None),
        (["I alt"], None),
    ],
)
def test_total_member(values, total):
    assert total_member(values) == total


def test_the_upload_page_refuses_a_sum_over_a_total_and_loads_the_chosen_total(board_db, tmp_path):  # noqa: F811
    path = _sex_with_total(tmp_path)
    at = _upload(_page(), {"file": str(path), "indicator": "hip_fractures"})
    said = [e.value.replace("\\", "") for e in at.error]
    assert any("der «Begge kjønn» er summen av de andre" in t for t in said), said
    key = next(s.key for s in at.selectbox if s.label == "«Kjønn»")
    at.selectbox(key=key).set_value("(summer alle)").run()
    assert any("ville telle alt to ganger" in e.value.replace("\\", "") for e in at.error)
    assert not [b for b in at.button if b.label == "Last inn"] or not at.success
    at.selectbox(key=key).set_value("Begge kjønn").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.button(key=next(b.key for b in at.button if b.label == "Last inn")).click().run()
    assert at.success and at.success[0].value.startswith("Opplasting ")
    store = open_store(board_db)
    try:
        facts = store.facts(["hip_fractures"])
    finally:
        store.close()
    mine = facts[facts["period_start"].astype(str).str.startswith("2017")]
    assert sorted(mine["value"]) == [30.0, 30.0]


# -- an Excel workbook as an office sends it (tryout2) ----------------------------------------


def _office_workbook(path: Path) -> Path:
    """Sheet 1 about the table; sheet 2 the table under a title and a note, its header merged
    over two rows («Kommune» down, «Antall hoftebrudd» across the years), numbers as text with
    spaces, a suppressed cell and a footnote; sheet 3 notes."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Om tabellen"
    book.active["A1"] = "Hoftebrudd per kommune"
    sheet = book.create_sheet("Tabell")
    sheet["A1"] = "Tabell 3. Hoftebrudd etter kommune og år"
    sheet["A2"] = "Antall pasienter. Tall under 5 er skjult (:)"
    sheet["A4"], sheet["B4"] = "Kommune", "Antall hoftebrudd"
    sheet.merge_cells("A4:A5")
    sheet.merge_cells("B4:D4")
    sheet["B5"], sheet["C5"], sheet["D5"] = "2017", "2018", "2016"
    for row in (("3205 Lillestrøm", "1 234", "1 240", "1 301"), ("3222 Lørenskog", "412", ":", "398")):
        sheet.append(row)
    sheet["A9"] = "Kilde: Norsk pasientregister. : = skjult av personvernhensyn."
    book.create_sheet("Notater")["A1"] = "Ingen"
    book.save(path)
    return path


def test_an_office_workbook_loads_from_its_table_sheet_with_a_merged_header(fresh_loader, tmp_path):
    path = _office_workbook(tmp_path / "kontor.xlsx")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.refused or report.problem_lines()
    assert "Tabellen er lest fra arket «Tabell»; arket «Om tabellen» har ingen tabell." in report.notes
    assert export_lines(fresh_loader) == [
        "indicator,unit,period,value,suppressed",
        "hip_fractures,3205,2016,1301,false",
        "hip_fractures,3205,2017,1234,false",
        "hip_fractures,3205,2018,1240,false",
        "hip_fractures,3222,2016,398,false",
        "hip_fractures,3222,2017,412,false",
        "hip_fractures,3222,2018,,true",
    ]


def test_a_workbook_without_a_table_names_its_sheets(fresh_loader, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Forside"
    book.active["A1"] = "Ingen tall her"
    book.create_sheet("Notater")["A1"] = "Heller ikke her"
    book.save(tmp_path / "tom.xlsx")
    report = fresh_loader.ingest(tmp_path / "tom.xlsx", "hip_fractures")
    assert report.refused == "Filen «tom.xlsx» har ingen tabell på noen av arkene (Forside, Notater)."
    chosen = fresh_loader.ingest(tmp_path / "tom.xlsx", "hip_fractures", sheet="Notater")
    assert chosen.refused == "Filen «tom.xlsx» har ingen tabell på arket «Notater»."
