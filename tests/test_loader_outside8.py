"""Outside files of kinds the eighth try-out found wrong: one test per fault kind.

Each file is written here as an analyst receives it: numbers grouped with a thin space (Word,
typeset reports), «Kommune 3205» with a label before the code, municipalities named «Våler i
Østfold» or by their Sami name alone, Excel error cells (#DIV/0!, #N/A, #REF!), a JSON-stat 2.0
collection of one dataset and a status given as one string for every cell, and a zip of CSVs.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import openpyxl
import pytest

from analytics.store import open_store
from loaders.normalise import parse_period
from tests.conftest import export_lines, store_state, write_csv
from tests.test_upload_page import board_db, open_upload, plain  # noqa: F401 (board_db: a fixture)


def _lines(loader) -> list[str]:
    return sorted(export_lines(loader)[1:])


# -- numbers: thousands grouped with a thin or figure space -------------------------------------


@pytest.mark.parametrize(
    "space", ["\u2009", "\u2007", "\u202f", "\xa0"], ids=["thin", "figure", "narrow", "nbsp"]
)
def test_thousands_grouped_with_a_thin_or_figure_space_are_one_number(fresh_loader, tmp_path, space):
    path = write_csv(tmp_path / "befolkning.csv", f"Region;År;Personer\n3205 Lillestrøm;2024;93{space}453\n")
    report = fresh_loader.ingest(path, "population_total")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["population_total,3205,2024,93453,false"]


def test_a_thin_space_in_an_excel_text_cell_is_a_thousands_mark(fresh_loader, tmp_path):
    book = openpyxl.Workbook()
    for row in (["Region", "År", "Personer"], ["3222 Lørenskog", 2024, "48\u2009123"]):
        book.active.append(row)
    book.save(path := tmp_path / "befolkning.xlsx")
    report = fresh_loader.ingest(path, "population_total")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["population_total,3222,2024,48123,false"]


# -- units: a label before the code ---------------------------------------------------------------


@pytest.mark.parametrize(
    "label", ["Kommune 3205", "kommune 3205", "Kommunenr. 3205", "Knr: 3205", "Kommunenummer 3205"]
)
def test_a_code_with_a_label_before_it_is_that_unit(fresh_loader, tmp_path, label):
    path = write_csv(tmp_path / "npr.csv", f"Kommune;År;Antall\n{label};2023;20\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,20,false"]


def test_a_label_before_an_unknown_code_is_still_refused(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "npr.csv", "Kommune;År;Antall\nKommune 9876;2023;20\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert not report.ok
    assert report.problem_lines() == [
        "Linje 2, kolonne «Kommune»: «Kommune 9876» er ikke en kjent kommune, bydel eller region (fil «npr.csv»)"
    ]


# -- units: «X i Fylke» and Sami names ------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Våler i Østfold", "Våler i Innlandet", "Guovdageaidnu", "Kárášjohka-Karasjok", "Romsa", "Deatnu"],
)
def test_a_municipality_in_its_county_or_by_its_sami_name_elsewhere_is_skipped_as_outside(
    fresh_loader, tmp_path, name
):
    path = write_csv(tmp_path / "npr.csv", f"Kommune;År;Antall\n3205 Lillestrøm;2023;20\n{name};2023;3\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,20,false"]
    assert report.stats.outside == 1


@pytest.mark.parametrize("name", ["Nes i Akershus", "Lillestrøm i Akershus"])
def test_a_boards_municipality_with_its_county_after_i_is_that_unit(fresh_loader, tmp_path, name):
    path = write_csv(tmp_path / "npr.csv", f"Kommune;År;Antall\n{name};2023;5\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    unit = "3228" if name.startswith("Nes") else "3205"
    assert _lines(fresh_loader) == [f"hip_fractures,{unit},2023,5,false"]


def test_a_namesake_in_another_county_after_i_is_not_the_boards(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "npr.csv", "Kommune;År;Antall\n3205 Lillestrøm;2023;20\nNes i Buskerud;2023;5\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,20,false"]


def test_a_sami_name_of_a_partnerships_municipality_finds_it(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "lovesa.csv", "Kommune;År;Antall\nHábmer;2023;4\nFuossko;2023;6\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["hip_fractures,1841,2023,6,false", "hip_fractures,1875,2023,4,false"]


# -- Excel: error cells ---------------------------------------------------------------------------


def _error_book(tmp_path, errors: list[str], column: int = 3):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kommune", "Måned", "Antall", "Endring"])
    sheet.append(["3205 Lillestrøm", "2024-01", 12, 1])
    for k, error in enumerate(errors):
        sheet.append(["3222 Lørenskog", f"2024-0{k + 1}", 7, 2])
        sheet.cell(k + 3, column).value = error
        sheet.cell(k + 3, column).data_type = "e"
    book.save(path := tmp_path / "npr.xlsx")
    return path


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#REF!", "#VALUE!"])
def test_an_excel_error_in_a_value_cell_is_refused_in_its_line_never_suppressed(
    fresh_loader, tmp_path, error
):
    report = fresh_loader.ingest(_error_book(tmp_path, [error]), "hip_fractures")
    assert not report.ok
    assert report.problem_lines() == [
        f"Linje 3, kolonne «Antall»: «{error}» er ikke et tall (fil «npr.xlsx»)"
    ]
    assert _lines(fresh_loader) == []


def test_an_excel_error_in_a_column_the_board_does_not_use_stops_nothing(fresh_loader, tmp_path):
    report = fresh_loader.ingest(_error_book(tmp_path, ["#DIV/0!"], column=4), "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024M01,12,false",
        "hip_fractures,3222,2024M01,7,false",
    ]


# -- JSON-stat: a collection of one dataset, a status for every cell ------------------------------


def _dataset(values, status=None) -> dict:
    data = {
        "version": "2.0",
        "class": "dataset",
        "label": "Befolkning",
        "id": ["Region", "Tid"],
        "size": [2, 2],
        "dimension": {
            "Region": {
                "category": {"index": ["3205", "3222"], "label": {"3205": "Lillestrøm", "3222": "Lørenskog"}}
            },
            "Tid": {"category": {"index": ["2023", "2024"]}},
        },
        "role": {"geo": ["Region"], "time": ["Tid"]},
        "value": values,
    }
    if status is not None:
        data["status"] = status
    return data


@pytest.mark.parametrize(
    "status", ["p", "e", {"2": "p"}, ["p", "p", "p", "p"]], ids=["p", "e", "object", "list"]
)
def test_a_cell_without_a_value_is_missing_whatever_its_status(fresh_loader, tmp_path, status):
    path = tmp_path / "ssb.json"
    path.write_text(json.dumps(_dataset({"0": 93000, "1": 94000, "3": 48500}, status)), encoding="utf-8")
    report = fresh_loader.ingest(path, "population_total")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "population_total,3205,2023,93000,false",
        "population_total,3205,2024,94000,false",
        "population_total,3222,2023,,true",
        "population_total,3222,2024,48500,false",
    ]


def test_a_jsonstat_collection_of_one_dataset_loads(fresh_loader, tmp_path):
    path = tmp_path / "samling.json"
    collection = {"version": "2.0", "class": "collection", "link": {"item": [_dataset([1, 2, 3, 4])]}}
    path.write_text(json.dumps(collection), encoding="utf-8")
    report = fresh_loader.ingest(path, "population_total")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "population_total,3205,2023,1,false",
        "population_total,3205,2024,2,false",
        "population_total,3222,2023,3,false",
        "population_total,3222,2024,4,false",
    ]


@pytest.mark.parametrize(
    ("items", "said"),
    [
        (
            [{**_dataset([1, 2, 3, 4]), "label": "A"}, {**_dataset([1, 2, 3, 4]), "label": "B"}],
            "med 2 tabeller («A», «B»)",
        ),
        (
            [{"class": "dataset", "href": "https://data.ssb.no/api/v0/dataset/1.json", "label": "Folketall"}],
            "som lenker til 1 tabell («Folketall»)",
        ),
    ],
    ids=["two", "links"],
)
def test_a_jsonstat_collection_of_several_or_of_links_is_refused_naming_them(
    fresh_loader, tmp_path, items, said
):
    path = tmp_path / "samling.json"
    path.write_text(
        json.dumps({"version": "2.0", "class": "collection", "link": {"item": items}}), encoding="utf-8"
    )
    report = fresh_loader.ingest(path, "population_total")
    assert report.refused == (
        f"Filen «samling.json» er en JSON-stat-samling (class «collection») {said}; last ned én tabell om gangen."
    )


# -- a zip that is no spreadsheet -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["uttrekk.zip", "uttrekk.xlsx", "uttrekk"])
def test_a_zip_of_csv_files_is_refused_naming_them(fresh_loader, tmp_path, name):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("npr_2023.csv", "Kommune;År;Antall\n3205;2023;1\n")
        archive.writestr("npr_2024.csv", "Kommune;År;Antall\n3205;2024;1\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.refused == (
        f"Filen «{name}» er en zip-fil med 2 filer («npr_2023.csv», «npr_2024.csv»), ikke et regneark; "
        "pakk den ut og last inn én tabell om gangen."
    )


# -- PX: sparse DATA with KEYS ----------------------------------------------------------------------


def _px_keys(by: str, lines: list[str]) -> str:
    return (
        'CHARSET="ANSI";\nAXIS-VERSION="2013";\nCODEPAGE="utf-8";\nMATRIX="HB02";\nDECIMALS=0;\n'
        'CONTENTS="Hoftebrudd";\nUNITS="antall";\nSTUB="region";\nHEADING="år";\n'
        'VALUES("region")="3205 Lillestrøm","3222 Lørenskog","3228 Nes";\nVALUES("år")="2022","2023";\n'
        f'CODES("region")="3205","3222","3228";\nKEYS("region")={by};\nDATA=\n' + "\n".join(lines) + "\n;\n"
    )


@pytest.mark.parametrize(
    ("by", "keys"), [("CODES", ['"3205"', '"3228"']), ("VALUES", ['"3205 Lillestrøm"', '"3228 Nes"'])]
)
def test_px_data_with_keys_is_read_by_its_keys_and_a_line_left_out_is_missing(
    fresh_loader, tmp_path, by, keys
):
    path = write_csv(tmp_path / "hoftebrudd.px", _px_keys(by, [f"{keys[0]},20,21", f'{keys[1]},5,".."']))
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2022,20,false",
        "hip_fractures,3205,2023,21,false",
        "hip_fractures,3228,2022,5,false",
        "hip_fractures,3228,2023,,true",
    ]


def test_px_data_with_an_unknown_key_is_refused_naming_it(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "hoftebrudd.px", _px_keys("CODES", ['"3205",20,21', '"9999",5,6']))
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.refused == (
        "Filen «hoftebrudd.px» er en PX-fil med nøkkelen «9999» i DATA, som ikke er en verdi av «region»."
    )


# -- text: a second table with another header under a blank line ------------------------------------


def test_a_second_table_with_another_value_column_is_named_as_a_second_table(fresh_loader, tmp_path):
    text = "Kommune;Måned;Antall\n3205;2024-01;4\n3205;2024-02;5\n\nKommune;Måned;Andel\n3205;2024-01;45,0\n"
    report = fresh_loader.ingest(write_csv(tmp_path / "kpr.csv", text), "hip_fractures")
    assert report.refused == (
        "Filen «kpr.csv» har overskriftsraden («Kommune», «Måned», «Antall») igjen på linje 5: det ser ut som "
        "flere tabeller under hverandre; legg tabellen som skal lastes inn alene i en fil eller på et eget ark."
    )


def test_a_unit_named_like_the_header_alone_is_still_a_unit_problem(fresh_loader, tmp_path):
    text = "Kommune;Måned;Antall\n3205;2024-01;4\nKommune;2024-02;5\n"
    report = fresh_loader.ingest(write_csv(tmp_path / "kpr.csv", text), "hip_fractures")
    assert report.problem_lines() == [
        "Linje 3, kolonne «Kommune»: «Kommune» er ikke en kjent kommune, bydel eller region (fil «kpr.csv»)"
    ]


# -- one sentence ends once ---------------------------------------------------------------------------


def test_a_refusal_ending_in_a_question_gets_no_full_stop_after_it(fresh_loader, tmp_path):
    text = (
        "Kommune;"
        + ";".join(f"x{i}" for i in range(1500))
        + "\n3205;"
        + ";".join("1" for _ in range(1500))
        + "\n"
    )
    report = fresh_loader.ingest(write_csv(tmp_path / "bred.csv", text), "hip_fractures")
    assert report.refused == (
        "Filen «bred.csv» har 1 501 kolonner; en indikatortabell har langt færre (grensen er 1 000). Er det riktig fil?"
    )


# -- text saved with a workbook's name --------------------------------------------------------------


@pytest.mark.parametrize("name", ["rapport.xls", "rapport.xlsx", "rapport.ods"])
def test_a_csv_saved_with_a_workbooks_name_is_read_as_the_csv_it_is(fresh_loader, tmp_path, name):
    report = fresh_loader.ingest(
        write_csv(tmp_path / name, "Kommune;År;Antall\n3205;2023;20\n"), "hip_fractures"
    )
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,20,false"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "<html><body><table><tr><td>Kommune</td><td>År</td><td>Antall</td></tr>"
            "<tr><td>3205</td><td>2023</td><td>20</td></tr></table></body></html>",
            "er en nettside med en tabell (HTML), ikke en Excel-fil (rapportverktøy lagrer slike som .xls); "
            "åpne den i Excel og lagre den som .xlsx, eller last ned eksporten som CSV.",
        ),
        (
            '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
            '<Worksheet><Table><Row><Cell><Data ss:Type="String">Kommune</Data></Cell></Row></Table>'
            "</Worksheet></Workbook>",
            "er et XML-regneark (Excel 2003), ikke en .xlsx-fil; åpne det i Excel og lagre det som .xlsx.",
        ),
    ],
    ids=["html", "spreadsheetml"],
)
def test_an_html_table_or_excel_2003_xml_named_xls_is_refused_as_what_it_is(
    fresh_loader, tmp_path, text, said
):
    report = fresh_loader.ingest(write_csv(tmp_path / "rapport.xls", text), "hip_fractures")
    assert report.refused == f"Filen «rapport.xls» {said}"


def test_a_broken_workbook_is_still_called_broken(fresh_loader, tmp_path):
    path = tmp_path / "rapport.xlsx"
    path.write_bytes(b"\x01\x02\x00\x00garbage" * 20)
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.refused == "Filen «rapport.xlsx» er ikke en gyldig Excel-fil (.xlsx), eller den er skadet."


# -- the upload page: the same files, the same sentences --------------------------------------------


def _zip_of_csvs() -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", "Kommune;År;Antall\n3205;2023;1\n")
        archive.writestr("b.csv", "Kommune;År;Antall\n3205;2024;1\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "body", "said"),
    [
        ("uttrekk.zip", _zip_of_csvs(), "er en zip-fil med 2 filer («a.csv», «b.csv»), ikke et regneark"),
        (
            "rapport.xls",
            b"<html><body><table><tr><td>Kommune</td></tr></table></body></html>",
            "er en nettside med en tabell (HTML), ikke en Excel-fil",
        ),
    ],
    ids=["zip", "html"],
)
def test_the_upload_page_refuses_a_zip_or_an_html_xls_in_one_sentence(board_db, name, body, said):  # noqa: F811
    store = open_store(board_db)
    before = store_state(store)
    store.close()
    at = open_upload()
    at.selectbox(key="upload_indicator").set_value("hip_fractures").run()
    at.file_uploader(key="upload_file").set_value((name, body, "application/octet-stream")).run()
    assert not at.exception, at.exception
    errors = [plain(e.value) for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(f"Filen «{name}» {said}"), errors
    assert not [b for b in at.button if b.label == "Last inn"]
    store = open_store(board_db)
    assert store_state(store) == before
    store.close()


def test_the_upload_page_names_excel_error_cells_and_loads_nothing(board_db, tmp_path):  # noqa: F811
    body = _error_book(tmp_path, ["#DIV/0!", "#N/A"]).read_bytes()
    at = open_upload()
    at.selectbox(key="upload_indicator").set_value("hip_fractures").run()
    at.file_uploader(key="upload_file").set_value(("npr.xlsx", body, "application/octet-stream")).run()
    assert not at.exception, at.exception
    tables = " ".join(str(t.value.to_dict()) for t in at.dataframe)
    shown = " ".join(plain(m.value) for m in [*at.markdown, *at.error]) + tables
    assert "«#DIV/0!» er ikke et tall" in shown and "«#N/A» er ikke et tall" in shown, shown
    assert not [b for b in at.button if b.label == "Last inn"]


# -- Excel: a hidden sheet before the data ----------------------------------------------------------


def _hidden_first(tmp_path, state: str, formula: bool = False):
    book = openpyxl.Workbook()
    lookup = book.active
    lookup.title = "Oppslag"
    for row in (["Kommune", "År", "Antall"], ["3205", 2019, 999], ["3222", 2019, 999]):
        lookup.append(row)
    lookup.sheet_state = state
    data = book.create_sheet("Data")
    for row in (["Kommune", "År", "Antall"], ["3205 Lillestrøm", 2023, 20], ["3222 Lørenskog", 2023, 10]):
        data.append(row)
    if formula:
        lookup["C2"] = "=1+1"  # no saved value: would stop the file if the hidden sheet were inspected
    book.active = 1
    book.save(path := tmp_path / "mal.xlsx")
    return path


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_before_the_data_is_passed_over_and_said(fresh_loader, tmp_path, state):
    report = fresh_loader.ingest(_hidden_first(tmp_path, state, formula=True), "hip_fractures")
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,20,false", "hip_fractures,3222,2023,10,false"]
    assert "Arket «Oppslag» er skjult i Excel og ikke lest; velg arket om tabellen står der." in report.notes


def test_a_hidden_sheet_chosen_by_name_is_read_and_said(fresh_loader, tmp_path):
    report = fresh_loader.ingest(_hidden_first(tmp_path, "hidden"), "hip_fractures", sheet="Oppslag")
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == ["hip_fractures,3205,2019,999,false", "hip_fractures,3222,2019,999,false"]
    assert "Arket «Oppslag» er skjult i Excel; tabellen er lest derfra." in report.notes


# -- text: a pipe between the fields ----------------------------------------------------------------


@pytest.mark.parametrize("head", ["", "sep=|\n"], ids=["plain", "sep-line"])
def test_fields_separated_by_a_pipe_are_read(fresh_loader, tmp_path, head):
    text = head + "Kommune|År|Antall\n3205 Lillestrøm|2023|20\n3222 Lørenskog|2023|10\n"
    report = fresh_loader.ingest(write_csv(tmp_path / "dvh.txt", text), "hip_fractures")
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,20,false", "hip_fractures,3222,2023,10,false"]


def test_a_pipe_inside_a_semicolon_file_stays_text(fresh_loader, tmp_path):
    text = "Kommune;År;Antall\n3205 Lillestrøm | Skedsmo;2023;20\n3222 Lørenskog | Lørenskog;2023;10\n"
    report = fresh_loader.ingest(write_csv(tmp_path / "npr.csv", text), "hip_fractures")
    assert report.ok, (report.refused, report.problem_lines())
    assert report.guess.delimiter == ";"
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,20,false", "hip_fractures,3222,2023,10,false"]


# -- periods: months by name as a range, ordinal words ----------------------------------------------


@pytest.mark.backend_free
@pytest.mark.parametrize(
    ("text", "start", "grain"),
    [
        ("jan-mar 2024", dt.date(2024, 1, 1), "quarter"),
        ("januar–mars 2024", dt.date(2024, 1, 1), "quarter"),
        ("jan.–mar. 2024", dt.date(2024, 1, 1), "quarter"),
        ("januar til mars 2024", dt.date(2024, 1, 1), "quarter"),
        ("okt-des 2023", dt.date(2023, 10, 1), "quarter"),
        ("mai-aug 2024", dt.date(2024, 5, 1), "tertial"),
        ("jan-des 2024", dt.date(2024, 1, 1), "year"),
        ("Første kvartal 2024", dt.date(2024, 1, 1), "quarter"),
        ("fjerde kvartal 2024", dt.date(2024, 10, 1), "quarter"),
        ("andre tertial 2024", dt.date(2024, 5, 1), "tertial"),
    ],
)
def test_months_by_name_as_a_range_or_an_ordinal_word_are_that_period(text, start, grain):
    assert parse_period(text) == (start, grain)


@pytest.mark.backend_free
@pytest.mark.parametrize(
    "text", ["jan-aug 2024", "jan-jun 2024", "feb-apr 2024", "mar-jan 2024", "femte kvartal 2024"]
)
def test_a_year_to_date_or_an_odd_range_of_months_is_no_period_never_its_last_month(text):
    assert parse_period(text) is None


def test_a_file_of_month_ranges_loads_as_quarters_and_a_year_to_date_is_refused(fresh_loader, tmp_path):
    text = "Kommune;Periode;Antall\n3205 Lillestrøm;jan–mar 2024;4\n3205 Lillestrøm;apr–jun 2024;5\n"
    report = fresh_loader.ingest(write_csv(tmp_path / "npr.csv", text), "hip_fractures")
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == ["hip_fractures,3205,2024K1,4,false", "hip_fractures,3205,2024K2,5,false"]
    ytd = write_csv(tmp_path / "hittil.csv", "Kommune;Periode;Antall\n3205 Lillestrøm;jan–aug 2024;9\n")
    assert fresh_loader.ingest(ytd, "hip_fractures").problem_lines() == [
        "Linje 2, kolonne «Periode»: «jan–aug 2024» er ikke en gyldig periode (bruk f.eks. 2024, 2024K1, "
        "2024M01, 2024-01, jan 2024 eller 01.01.2024) (fil «hittil.csv»)"
    ]


@pytest.mark.backend_free
@pytest.mark.parametrize(
    ("text", "month"), [("2024-jan", 1), ("2024-des.", 12), ("2024/mai", 5), ("2024.okt", 10)]
)
def test_a_year_then_a_month_name_after_a_mark_is_that_month(text, month):
    assert parse_period(text) == (dt.date(2024, month, 1), "month")


@pytest.mark.parametrize("column", ["Skoleår", "Studieår", "Barnehageår", "Sesong"])
def test_a_school_year_column_is_named_as_periods_across_years(fresh_loader, tmp_path, column):
    path = write_csv(tmp_path / "skole.csv", f"Kommune;{column};Antall\n3205 Lillestrøm;2023-24;12\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.refused == (
        f"Filen «skole.csv» har kolonnen «{column}», perioder over et årsskifte (f.eks. 2023/2024); tavla regner i "
        "kalenderår og kan ikke dele dem (bruk kalenderår, f.eks. 2024)."
    )


def test_a_column_named_skole_is_no_school_year(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "skole.csv", "Kommune;Skole;Antall\n3205 Lillestrøm;Kjeller skole;12\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.refused == (
        "Filen «skole.csv» mangler en kolonne for periode (f.eks. «Periode», «År» eller én kolonne per år)."
    )


# -- units: a row of the file's average or median -------------------------------------------------


@pytest.mark.parametrize("name", ["Gjennomsnitt", "Median", "Snitt Ahus", "Landsgjennomsnitt", "Gj.snitt"])
def test_an_average_or_median_row_is_refused_by_what_it_is(fresh_loader, tmp_path, name):
    text = f"Kommune;År;Antall\n3205 Lillestrøm;2023;20\n3222 Lørenskog;2023;10\n{name};2023;15\n"
    report = fresh_loader.ingest(write_csv(tmp_path / "npr.csv", text), "hip_fractures")
    assert report.problem_lines() == [
        f"Linje 4, kolonne «Kommune»: «{name}» er et gjennomsnitt eller en median over enhetene i filen, ikke en "
        "enhet; ta raden bort (tavla regner ut helsefellesskapets tall selv) (fil «npr.csv»)"
    ]


# -- plain JSON records and Parquet ---------------------------------------------------------------


_RECORDS = [{"kommune": "3205", "år": 2023, "antall": 20}, {"kommune": "3222", "år": 2023, "antall": None}]


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("api.json", json.dumps(_RECORDS)),
        ("api_data.json", json.dumps({"data": _RECORDS, "total": 2})),
        ("api.jsonl", "\n".join(json.dumps(r) for r in _RECORDS) + "\n"),
    ],
    ids=["list", "wrapped", "lines"],
)
def test_plain_json_records_load_as_a_table_and_null_stays_missing(fresh_loader, tmp_path, name, body):
    report = fresh_loader.ingest(write_csv(tmp_path / name, body), "hip_fractures")
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,20,false", "hip_fractures,3222,2023,,true"]


def test_a_problem_in_a_json_record_is_named_by_the_records_number(fresh_loader, tmp_path):
    body = json.dumps(
        [{"kommune": "3205", "år": 2023, "antall": 20}, {"kommune": "9876", "år": 2023, "antall": 1}]
    )
    report = fresh_loader.ingest(write_csv(tmp_path / "api.json", body), "hip_fractures")
    assert report.problem_lines() == [
        "Linje 2, kolonne «kommune»: «9876» er ikke en kjent kommune, bydel eller region (fil «api.json»)"
    ]


def test_nested_json_is_still_refused_in_one_sentence(fresh_loader, tmp_path):
    body = json.dumps([{"kommune": {"kode": "3205"}, "år": 2023, "antall": 20}])
    report = fresh_loader.ingest(write_csv(tmp_path / "api.json", body), "hip_fractures")
    assert (
        report.refused == "Filen «api.json» er JSON, men ikke et JSON-stat 2.0-datasett; last ned én tabell."
    )


def _parquet(path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {"Kommune": ["3205 Lillestrøm", "3222 Lørenskog"], "År": [2023, 2023], "Antall": [20.0, None]}
    )
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("name", ["uttrekk.parquet", "uttrekk.csv", "uttrekk"])
def test_a_parquet_file_loads_whatever_its_name(fresh_loader, tmp_path, name):
    report = fresh_loader.ingest(_parquet(tmp_path / name), "hip_fractures")
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,20,false", "hip_fractures,3222,2023,,true"]


def test_a_broken_parquet_file_is_refused_in_one_sentence(fresh_loader, tmp_path):
    path = tmp_path / "uttrekk.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 40)
    report = fresh_loader.ingest(path, "hip_fractures")
    assert (
        report.refused
        == "Filen «uttrekk.parquet» ser ut som en Parquet-fil, men kan ikke leses (er den skadet?)."
    )


@pytest.mark.parametrize("kind", ["parquet", "json"])
def test_the_upload_page_loads_parquet_and_json_records(board_db, tmp_path, kind):  # noqa: F811
    records = [
        {"Kommune": "3205 Lillestrøm", "År": 2017, "Antall": 20.0},
        {"Kommune": "3222", "År": 2017, "Antall": 7.0},
    ]
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(records), path := tmp_path / "u.parquet")
        name, body = "uttrekk.parquet", path.read_bytes()
    else:
        name, body = "api.json", json.dumps(records).encode()
    at = open_upload()
    at.selectbox(key="upload_indicator").set_value("hip_fractures").run()
    at.file_uploader(key="upload_file").set_value((name, body, "application/octet-stream")).run()
    assert not at.exception, at.exception
    at.button(key=[b.key for b in at.button if b.label == "Last inn"][0]).click().run()
    assert not at.exception, at.exception
    store = open_store(board_db)
    try:
        facts = store.facts(["hip_fractures"])
        mine = facts[(facts["grain"] == "year") & (facts["period_start"].astype(str) == "2017-01-01")]
        assert sorted(zip(mine["unit_id"], mine["value"], strict=True)) == [("3205", 20.0), ("3222", 7.0)]
    finally:
        store.close()


# -- text: decomposed letters and invisible characters -------------------------------------------


def test_decomposed_letters_in_the_header_and_the_names_are_the_letters(fresh_loader, tmp_path):
    import unicodedata

    text = unicodedata.normalize("NFD", "Kommune;År;Antall\nÅs;2023;20\nLørenskog;2023;7\n")
    assert "Å" not in text  # written as A and a combining ring, as macOS and some scripts write it
    report = fresh_loader.ingest(write_csv(tmp_path / "mac.csv", text), "hip_fractures")
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == ["hip_fractures,3218,2023,20,false", "hip_fractures,3222,2023,7,false"]


@pytest.mark.parametrize("mark", ["\u200b", "\u200e", "\ufeff", "\u00ad", "\u2060"])
def test_invisible_characters_in_a_unit_a_period_or_a_number_are_no_part_of_it(fresh_loader, tmp_path, mark):
    text = f"Kommune;Måned;Antall\n{mark}3205 Lillestrøm;2024-01{mark};1{mark}2\n3222 Lørenskog{mark};2024-01;7\n"
    report = fresh_loader.ingest(write_csv(tmp_path / "kopiert.csv", text), "hip_fractures")
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024M01,12,false",
        "hip_fractures,3222,2024M01,7,false",
    ]


# -- units: an underscore or a bar after the code, Excel's text apostrophe before it ------------


@pytest.mark.parametrize(
    "text", ["3205_Lillestrøm", "3205|Lillestrøm", "'3205", "’3205 Lillestrøm", "'0231_Skedsmo"]
)
def test_a_code_joined_to_its_name_by_an_underscore_or_marked_as_text_is_that_unit(
    fresh_loader, tmp_path, text
):
    year = "2019" if "0231" in text else "2023"
    rows = f"{text};{year};20\n" + ("0227 Fet;2019;3\n0226 Sørum;2019;4\n" if year == "2019" else "")
    report = fresh_loader.ingest(
        write_csv(tmp_path / "dvh.csv", f"Kommune;År;Antall\n{rows}"), "hip_fractures"
    )
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == [f"hip_fractures,3205,{year},{27 if year == '2019' else 20},false"]


def test_an_underscore_after_a_code_elsewhere_in_norway_is_outside(fresh_loader, tmp_path):
    text = "Kommune;År;Antall\n3205_Lillestrøm;2023;20\n4601_Bergen;2023;9\n"
    report = fresh_loader.ingest(write_csv(tmp_path / "dvh.csv", text), "hip_fractures")
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,20,false"]
    assert report.stats.outside == 1
