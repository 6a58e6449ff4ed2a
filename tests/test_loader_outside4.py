"""Outside files of kinds the fourth try-out found wrong: one test per fault kind.

Each file is written here as an analyst receives it (nynorsk headers, a week or day column,
half-years, '2021–23', a health trust's row, name variants, other cities' bydeler, a JSON-stat
1.0 bundle, Excel day numbers, hidden rows and percent-formatted cells).
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from loaders.normalise import guess_roles, parse_period
from loaders.reading import open_table
from tests.conftest import export_lines, write_csv


def _lines(loader) -> list[str]:
    return sorted(export_lines(loader)[1:])


# -- column names ---------------------------------------------------------------------------


@pytest.mark.backend_free
def test_nynorsk_column_names_are_read():
    roles = guess_roles(["Kommunenamn", "Månad", "Tal på pasientar"])
    assert (roles.unit, roles.period, roles.value) == ("Kommunenamn", "Månad", "Tal på pasientar")
    roles = guess_roles(["Eining", "Årstal", "Innleggingar"])
    assert (roles.unit, roles.period, roles.value) == ("Eining", "Årstal", "Innleggingar")


def test_a_nynorsk_file_loads(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "nynorsk.csv",
        "Kommunenamn;Månad;Tal på pasientar\r\nLillestrøm;januar 2024;14\r\nLørenskog;januar 2024;7\r\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.summary()
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024M01,14,false",
        "hip_fractures,3222,2024M01,7,false",
    ]


def test_a_week_column_is_refused_as_weeks_in_one_sentence(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "uker.csv",
        "Kommune;Uke;Antall\nLillestrøm;2024-U05;3\nLillestrøm;Uke 6 2024;4\nLørenskog;2024-U05;1\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert not report.ok
    lines = report.problem_lines()
    assert len(lines) == 1, lines
    assert "Linje 2–4 (3 rader), kolonne «Uke»: periodene er uker (første: «2024-U05»)" in lines[0]
    assert export_lines(fresh_loader)[1:] == []


# -- periods --------------------------------------------------------------------------------


def test_half_years_are_refused_as_half_years_in_one_sentence(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "halvaar.csv",
        "Kommune;Periode;Antall\nLillestrøm;1. halvår 2024;40\nLillestrøm;2. halvår 2024;44\nLørenskog;2024H1;2\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    lines = report.problem_lines()
    assert len(lines) == 1, lines
    assert "kolonne «Periode»: periodene er halvår (første: «1. halvår 2024»)" in lines[0]
    assert "tavla tar ikke halvårstall" in lines[0]


@pytest.mark.parametrize("values", [(1, 2), (1, 1)])
def test_several_days_of_one_month_are_refused_as_daily_figures(fresh_loader, tmp_path, values):
    """Dates are read as their month: two days of January were one month's repeated row, kept
    once when the values were equal (a day's count lost) or called a clash when not."""
    path = write_csv(
        tmp_path / "dager.csv",
        f"Kommune;Dato;Innleggelser\nLillestrøm;2024-01-02;{values[0]}\nLillestrøm;2024-01-03;{values[1]}\n"
        "Lørenskog;2024-01-02;1\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert not report.ok
    lines = report.problem_lines()
    assert len(lines) == 1, lines
    assert (
        "Linje 3, kolonne «Dato»: «2024-01-03» er en dag, og filen har flere dager i 2024M01 (linje 2)"
        in (lines[0])
    )
    assert export_lines(fresh_loader)[1:] == []


def test_monthly_dates_on_the_first_still_load(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "maaneder.csv", "Kommune;Dato;Antall\nLillestrøm;01.01.2024;3\nLillestrøm;01.02.2024;4\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024M01,3,false",
        "hip_fractures,3205,2024M02,4,false",
    ]


@pytest.mark.backend_free
def test_short_multi_year_periods_keep_their_years():
    assert parse_period("2021–23") == (dt.date(2021, 1, 1), "3year")
    assert parse_period("2019—21") == (dt.date(2019, 1, 1), "3year")
    assert parse_period("2098–02") is None  # backwards in the century: no period
    assert parse_period("2021-12") == (dt.date(2021, 12, 1), "month")  # a hyphen is year-month


# -- units ----------------------------------------------------------------------------------


def test_a_health_trust_row_is_skipped_like_a_county(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "hf.csv",
        "Enhet;År;Antall\nAkershus universitetssykehus HF;2023;1200\nHelse Sør-Øst RHF;2023;9000\n"
        "Lillestrøm;2023;300\nLørenskog;2023;150\n",
    )
    report = fresh_loader.ingest(path, "dho_bed_days_before")
    assert report.ok, report.problem_lines()
    assert report.stats.areas == 2
    assert _lines(fresh_loader) == [
        "dho_bed_days_before,3205,2023,300,false",
        "dho_bed_days_before,3222,2023,150,false",
    ]


def test_name_variants_and_dual_names_find_their_municipality(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "navn.csv",
        "Kommune;År;Antall\nAurskog Høland;2023;30\nNordre-Follo;2023;55\nLillestrøm – Lillestrøm;2023;9\n",
    )
    report = fresh_loader.ingest(path, "dho_bed_days_before")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "dho_bed_days_before,3205,2023,9,false",
        "dho_bed_days_before,3207,2023,55,false",
        "dho_bed_days_before,3226,2023,30,false",
    ]
    dual = write_csv(
        tmp_path / "samisk.csv", "Kommune;År;Antall\nHamarøy - Hábmer;2023;12\nHábmer / Hamarøy;2022;11\n"
    )
    report = fresh_loader.ingest(dual, "dho_bed_days_before")
    assert report.ok, report.problem_lines()
    assert [line for line in _lines(fresh_loader) if ",1875," in line] == [
        "dho_bed_days_before,1875,2022,11,false",
        "dho_bed_days_before,1875,2023,12,false",
    ]


def test_other_cities_bydeler_are_rows_for_somewhere_else(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "bydeler.csv",
        "Område;År;Antall\nÅrstad (Bergen);2023;40\nBergenhus;2023;35\n460101 Arna;2023;3\n"
        "Bydel Frogner;2023;5\nLillestrøm;2023;88\n",
    )
    report = fresh_loader.ingest(path, "dho_bed_days_before")
    assert report.ok, report.problem_lines()
    assert report.stats.outside == 4
    assert _lines(fresh_loader) == ["dho_bed_days_before,3205,2023,88,false"]


# -- JSON-stat 1.0 --------------------------------------------------------------------------


def _v1(label: str, values: list) -> dict:
    return {
        "label": label,
        "dimension": {
            "id": ["Region", "ContentsCode", "Tid"],
            "size": [2, 1, 2],
            "role": {"geo": ["Region"], "time": ["Tid"], "metric": ["ContentsCode"]},
            "Region": {
                "label": "region",
                "category": {
                    "index": {"3205": 0, "3222": 1},
                    "label": {"3205": "Lillestrøm", "3222": "Lørenskog"},
                },
            },
            "ContentsCode": {"label": "statistikkvariabel", "category": {"label": {"Personer1": "Personer"}}},
            "Tid": {"label": "år", "category": {"index": {"2023": 0, "2024": 1}}},
        },
        "value": values,
        "status": {"1": ".."},
    }


def test_a_jsonstat_1_bundle_of_one_dataset_loads(fresh_loader, tmp_path):
    path = tmp_path / "v1.json"
    path.write_text(json.dumps({"dataset": _v1("07459", [90023, None, 49210, 50102])}), encoding="utf-8")
    report = fresh_loader.ingest(path, "population_total")
    assert report.ok, report.summary()
    assert _lines(fresh_loader) == [
        "population_total,3205,2023,90023,false",
        "population_total,3205,2024,,true",
        "population_total,3222,2023,49210,false",
        "population_total,3222,2024,50102,false",
    ]


def test_a_jsonstat_1_bundle_of_several_datasets_is_refused_naming_them(fresh_loader, tmp_path):
    path = tmp_path / "v1to.json"
    path.write_text(json.dumps({"a": _v1("A", [1, 2, 3, 4]), "b": _v1("B", [1, 2, 3, 4])}), encoding="utf-8")
    report = fresh_loader.ingest(path, "population_total")
    assert report.refused == (
        "Filen «v1to.json» er en JSON-stat 1.0-bunt med 2 datasett («a», «b»); last ned én tabell om gangen."
    )


# -- Excel ----------------------------------------------------------------------------------


def _book(tmp_path, name, rows, formats=None, hidden=()):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for (r, c), number_format in (formats or {}).items():
        sheet.cell(r, c).number_format = number_format
    for r in hidden:
        sheet.row_dimensions[r].hidden = True
    path = tmp_path / name
    book.save(path)
    return path


def test_excel_day_numbers_in_a_date_column_are_dates(fresh_loader, tmp_path):
    path = _book(
        tmp_path,
        "serier.xlsx",
        [["Kommune", "Dato", "Antall"], ["Lillestrøm", 45292, 12], ["Lillestrøm", 45323, 10]],
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert any("Excels datonumre" in note and "45292 = 01.01.2024" in note for note in report.notes)
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024M01,12,false",
        "hip_fractures,3205,2024M02,10,false",
    ]


@pytest.mark.backend_free
def test_numbers_in_a_column_not_named_as_a_date_stay_numbers(tmp_path):
    path = _book(tmp_path, "tall.xlsx", [["Kommune", "År", "Antall"], ["Lillestrøm", 2024, 45292]])
    with open_table(path) as table:
        assert table._rows == [["Lillestrøm", "2024", "45292"]]


def test_rows_hidden_in_excel_are_read_and_said(fresh_loader, tmp_path):
    path = _book(
        tmp_path,
        "skjult.xlsx",
        [["Kommune", "Periode", "Antall"], ["Lillestrøm", "2023-12", 9], ["Lillestrøm", "2024-01", 12]],
        hidden=[2],
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert "1 rad i tabellen er skjult i Excel (linje 2); de er lest med som de andre radene." in report.notes
    assert len(_lines(fresh_loader)) == 2


@pytest.mark.parametrize("number_format", ["0.0%", "0%", "0.00%"])
def test_excel_percent_cells_are_read_as_the_percent_shown(fresh_loader, tmp_path, number_format):
    path = _book(
        tmp_path,
        "prosent.xlsx",
        [["Kommune", "År", "Andel"], ["Lillestrøm", 2023, 0.815], ["Lørenskog", 2023, 0.7725]],
        formats={(2, 3): number_format, (3, 3): number_format},
    )
    report = fresh_loader.ingest(path, "referral_quality_share")
    assert report.ok, report.problem_lines()
    assert any("formatert som prosent i regnearket (0,815 vises som 81,5 %)" in note for note in report.notes)
    assert _lines(fresh_loader) == [
        "referral_quality_share,3205,2023,81.5,false",
        "referral_quality_share,3222,2023,77.25,false",
    ]


@pytest.mark.backend_free
def test_a_percent_sign_inside_quotes_is_no_percent_format(tmp_path):
    path = _book(
        tmp_path,
        "tekst.xlsx",
        [["Kommune", "År", "Andel"], ["Lillestrøm", 2023, 81.5]],
        formats={(2, 3): '0.0" %"'},
    )
    with open_table(path) as table:
        assert table._rows == [["Lillestrøm", "2023", "81.5"]]


def test_a_provisional_mark_after_the_period_is_no_part_of_it(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "forelopig.csv",
        "Kommune;År;Antall\nLillestrøm;2023;88\nLillestrøm;2024*;90\nLørenskog;2024 (foreløpige tall);41\n"
        "Lørenskog;2023¹;39\n",
    )
    report = fresh_loader.ingest(path, "dho_bed_days_before")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "dho_bed_days_before,3205,2023,88,false",
        "dho_bed_days_before,3205,2024,90,false",
        "dho_bed_days_before,3222,2023,39,false",
        "dho_bed_days_before,3222,2024,41,false",
    ]
    assert parse_period("*") is None and parse_period("2024K1*") == (dt.date(2024, 1, 1), "quarter")


# -- wide tables with two measures per period -----------------------------------------------

TWO_MEASURES = (
    "Kommune;Antall 2022;Andel 2022;Antall 2023;Andel 2023\nLillestrøm;80;11;88;12\nLørenskog;35;9;39;10\n"
)


def test_a_wide_table_of_two_measures_keeps_the_indicators_own(fresh_loader, tmp_path):
    """Both columns of a year went to one key: every value was stored as suppressed."""
    path = write_csv(tmp_path / "to_maal.csv", TWO_MEASURES)
    report = fresh_loader.ingest(path, "referral_quality_share")
    assert report.ok, report.summary()
    assert "Kolonner som ikke brukes: Antall 2022, Antall 2023." in report.notes
    assert _lines(fresh_loader) == [
        "referral_quality_share,3205,2022,11,false",
        "referral_quality_share,3205,2023,12,false",
        "referral_quality_share,3222,2022,9,false",
        "referral_quality_share,3222,2023,10,false",
    ]


def test_a_wide_table_of_two_measures_neither_fitting_is_refused(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "to_maal.csv", TWO_MEASURES)
    report = fresh_loader.ingest(path, "dho_bed_days_before")
    assert report.refused == (
        "Filen «to_maal.csv» har flere kolonner for samme periode («Antall 2022», «Andel 2022», «Antall 2023» "
        "og «Andel 2023»), trolig to mål (f.eks. antall og andel); velg kolonnene for ett mål under "
        "«Kolonner», eller del filen."
    )
    assert export_lines(fresh_loader)[1:] == []


def test_excel_periods_merged_over_measures_name_the_columns_below(fresh_loader, tmp_path):
    """Two header rows: «2022» merged over «Antall» and «Andel» (the file had no period column)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["B1"], sheet["D1"] = "Kommune", 2022, 2023
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    sheet.merge_cells("D1:E1")
    sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"] = "Antall", "Andel", "Antall", "Andel"
    sheet.append(["Lillestrøm", 80, 0.11, 88, 0.12])
    sheet.append(["Lørenskog", 35, 0.09, 39, 0.1])
    path = tmp_path / "to_rader.xlsx"
    book.save(path)
    report = fresh_loader.ingest(path, "population_total")
    assert report.ok, report.summary()
    assert "Kolonner som ikke brukes: Andel 2022, Andel 2023." in report.notes
    assert _lines(fresh_loader) == [
        "population_total,3205,2022,80,false",
        "population_total,3205,2023,88,false",
        "population_total,3222,2022,35,false",
        "population_total,3222,2023,39,false",
    ]


def _ods(tmp_path, rows: list[str]) -> object:
    """A small .ods (as LibreOffice writes one) with the given <table:table-row> elements."""
    import zipfile

    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Ark1">'
        + "".join(rows)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "andel.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )
        archive.writestr("content.xml", content)
    return path


def test_ods_percentage_cells_are_read_as_the_percent_shown(fresh_loader, tmp_path):
    def text(value: str) -> str:
        return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'

    def share(value: float, repeat: int = 1) -> str:
        return (
            f'<table:table-cell table:number-columns-repeated="{repeat}" office:value-type="percentage" '
            f'office:value="{value}"><text:p>{value * 100} %</text:p></table:table-cell>'
        )

    row = "<table:table-row>{}</table:table-row>".format
    path = _ods(
        tmp_path,
        [
            row(text("Kommune") + text("År") + text("Andel")),
            row(
                text("Lillestrøm")
                + '<table:table-cell office:value-type="float" office:value="2023"/>'
                + share(0.815)
            ),
            row(
                text("Lørenskog")
                + '<table:table-cell office:value-type="float" office:value="2023"/>'
                + share(0.25)
            ),
        ],
    )
    report = fresh_loader.ingest(path, "referral_quality_share")
    assert report.ok, report.summary()
    assert _lines(fresh_loader) == [
        "referral_quality_share,3205,2023,81.5,false",
        "referral_quality_share,3222,2023,25,false",
    ]
