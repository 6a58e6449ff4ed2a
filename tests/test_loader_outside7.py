"""Outside files of kinds the seventh try-out found wrong: one test per fault kind.

Each file is written here as an analyst receives it: a data warehouse's PERIODE as '202305',
KOSTRA's group rows («EAKUO Landet uten Oslo»), SSB statbank's long CSV whose value column is
named by its table («07459: Befolkning, etter region, alder, statistikkvariabel og år»).
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from analytics.store import open_store
from loaders.ingest import Choices
from loaders.normalise import parse_period
from tests.conftest import export_lines, store_state, write_csv
from tests.test_upload_page import board_db, open_upload  # noqa: F401 (board_db: a fixture)


def _lines(loader) -> list[str]:
    return sorted(export_lines(loader)[1:])


# -- periods: year and month run together ------------------------------------------------------


@pytest.mark.backend_free
@pytest.mark.parametrize(("text", "month"), [("202305", 5), ("202312", 12), ("199901", 1)])
def test_a_year_and_month_run_together_is_that_month(text, month):
    assert parse_period(text) == (dt.date(int(text[:4]), month, 1), "month")


@pytest.mark.backend_free
@pytest.mark.parametrize("text", ["202313", "202300", "030110", "460101", "2023051"])
def test_no_month_thirteen_and_no_bydel_code_as_a_month(text):
    assert parse_period(text) is None


def test_a_file_of_yyyymm_periods_loads_as_months(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "dvh.csv", "KOMMUNE_NR;PERIODE;ANTALL\n3205;202305;15\n3222;202305;8\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2023M05,15,false",
        "hip_fractures,3222,2023M05,8,false",
    ]


# -- units: KOSTRA's group codes ----------------------------------------------------------------


def test_kostra_group_rows_are_skipped_like_a_county(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "kostra.csv",
        '"region";"år";"Antall"\n"EAK Landet";"2023";"9100"\n"EAKUO Landet uten Oslo";"2023";"8500"\n'
        '"EKG13 Kostragruppe 13";"2023";"2000"\n"EAFK Alle fylkeskommuner";"2023";"9100"\n'
        '"3205 Lillestrøm";"2023";"151"\n',
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert report.stats.areas == 4
    assert _lines(fresh_loader) == ["hip_fractures,3205,2023,151,false"]


# -- columns: SSB's long CSV names the value column by its table ---------------------------------

SSB_LONG = (
    '"region";"alder";"statistikkvariabel";"år";"07459: Befolkning, etter region, alder, statistikkvariabel og år"\n'
    '"K-3205 Lillestrøm";"I alt";"Personer";"2023";91234\n'
    '"K-3222 Lørenskog";"I alt";"Personer";"2023";49123\n'
)


def test_ssb_long_csv_with_the_table_as_value_column_loads_without_a_profile(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "07459.csv", SSB_LONG.replace('"alder";', "").replace('"I alt";', ""))
    report = fresh_loader.ingest(path, "population_total")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "population_total,3205,2023,91234,false",
        "population_total,3222,2023,49123,false",
    ]


def test_ssb_long_csv_with_the_table_as_value_column_loads_with_the_profile(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "07459.csv", SSB_LONG)
    report = fresh_loader.ingest(path, "population_total", profile_id="ssb_07459")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "population_total,3205,2023,91234,false",
        "population_total,3222,2023,49123,false",
    ]


# -- Excel: a formula without a saved value refuses only a column the board uses ----------------


def _samdata(path, value_formula: bool):
    """A Samdata-style sheet written by a script (openpyxl saves no computed values): a title,
    a note, the table with an «Endring» column of formulas, a footnote."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Tabell 1. Innleggelser med hoftebrudd etter bostedskommune. Antall"
    ws.merge_cells("A1:D1")
    ws.append([])
    ws.append(["Kommune", "2017", "2018", "Endring"])
    ws.append(["Lillestrøm", "140", "=B4+6" if value_formula else "146", "=C4-B4"])
    ws.append(["Lørenskog", "77", "80", "=C5-B5"])
    ws.append([])
    ws.append(["Kilde: NPR"])
    wb.save(path)
    return path


def test_an_unsaved_formula_in_an_unused_column_refuses_nothing(fresh_loader, tmp_path):
    report = fresh_loader.ingest(_samdata(tmp_path / "samdata.xlsx", False), "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2017,140,false",
        "hip_fractures,3205,2018,146,false",
        "hip_fractures,3222,2017,77,false",
        "hip_fractures,3222,2018,80,false",
    ]


def test_an_unsaved_formula_in_a_value_column_is_still_refused_in_its_line(fresh_loader, tmp_path):
    report = fresh_loader.ingest(_samdata(tmp_path / "samdata.xlsx", True), "hip_fractures")
    assert not report.ok
    assert report.problem_lines() == [
        "Linje 4, kolonne «2018»: cellen har formelen «=B4+6», men ingen utregnet verdi er lagret i filen; "
        "åpne filen i Excel og lagre den på nytt (fil «samdata.xlsx»)"
    ]
    assert _lines(fresh_loader) == []


# -- event lists from municipal record systems: one sentence saying what to send ----------------


@pytest.mark.parametrize(
    "text",
    [
        "Hendelsesdato;Kommune;Bruker-ID;Hendelsestype\n03.01.2023;Lillestrøm;100234;Fall\n"
        "17.01.2023;Lillestrøm;100234;Fall\n",
        "Registrert;Kommune;Tiltak\n2023-01-03 14:22;Lillestrøm;Fallrisikovurdering\n",
        "Dato;Kommune;Bruker-ID\n03.01.2023;Lillestrøm;1\n",
    ],
)
def test_an_event_list_is_refused_with_what_to_send_instead(fresh_loader, tmp_path, text):
    report = fresh_loader.ingest(write_csv(tmp_path / "gerica.csv", text), "falls_registered")
    assert not report.ok
    said = report.refused
    assert said.startswith(
        "Filen «gerica.csv» ser ut som en liste med én rad per hendelse (datoer i kolonnen «"
    )
    assert said.endswith(
        "tell hendelsene per kommune og måned (f.eks. med en pivottabell i Excel) og last inn en fil med kolonnene Kommune, Måned og Antall."
    )
    assert _lines(fresh_loader) == []


def test_a_file_of_dates_with_a_count_is_no_event_list(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "dato.csv", "Dato;Kommune;Antall\n01.03.2023;Lillestrøm;4\n")
    report = fresh_loader.ingest(path, "falls_registered")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["falls_registered,3205,2023M03,4,false"]


# -- ages: a count of other ages than its indicator counts ---------------------------------------

FHI_STATBANK = (
    '"Geografi";"År";"Kjønn";"Alder";"Antall";"Rate per 1000";"Standardisert rate"\n'
    '"Hele landet";"2020-2022";"kjønn samlet";"{age}";"8900";"11,2";"11,0"\n'
    '"Lillestrøm";"2020-2022";"kjønn samlet";"{age}";"141";"10,1";"9,9"\n'
    '"Nittedal";"2020-2022";"kjønn samlet";"{age}";":";":";":"\n'
)


@pytest.mark.backend_free
@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("75 år +", (75, None)),
        ("75+ år", (75, None)),
        ("Alder: 67+ år", (67, None)),
        ("67 år og eldre", (67, None)),
        ("0-74 år", (0, 74)),
        ("Alder: 0-74 år", (0, 74)),
        ("65_120", (65, None)),
        ("0-120 år", (0, None)),
        ("alle aldre", (0, None)),
        ("I alt", (0, None)),
        ("Menn", None),
    ],
)
def test_the_ages_of_an_age_group_value(text, band):
    from loaders.dimensions import age_band

    assert age_band(text) == band


@pytest.mark.parametrize(
    ("age", "said"),
    [
        ("75 år +", "«75 år +» i kolonnen «Alder» (75 år og eldre)"),
        ("0-74 år", "«0-74 år» i kolonnen «Alder» (0–74 år)"),
        ("alle aldre", "«alle aldre» i kolonnen «Alder» (alle aldre)"),
    ],
)
def test_a_count_of_other_ages_than_the_indicator_counts_is_refused_in_one_sentence(
    fresh_loader, tmp_path, age, said
):
    path = write_csv(tmp_path / "fhi.csv", FHI_STATBANK.format(age=age))
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.refused == (
        f"Filen «fhi.csv» har bare aldersgruppen {said}, men «Antall hoftebrudd» teller 65 år og eldre: "
        "last inn tall for 65 år og eldre."
    )
    assert _lines(fresh_loader) == []


def test_a_count_of_the_indicators_ages_loads_with_three_year_periods_and_flags(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "fhi.csv", FHI_STATBANK.format(age="65 år +"))
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.refused
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2020–2022,141,false",
        "hip_fractures,3232,2020–2022,,true",
    ]


def test_an_age_group_chosen_among_several_is_checked_too(fresh_loader, tmp_path):
    text = FHI_STATBANK.format(age="0-74 år") + FHI_STATBANK.format(age="75 år +").split("\n", 1)[1]
    path = write_csv(tmp_path / "fhi.csv", text)
    report = fresh_loader.ingest(path, "hip_fractures", choices=Choices(where={"Alder": "75 år +"}))
    assert report.refused.startswith("Filen «fhi.csv» har bare aldersgruppen «75 år +» i kolonnen «Alder»")
    assert _lines(fresh_loader) == []


FILTERED = (
    "Hoftebrudd (B) - antall, rate per 1000\nKjønn: kjønn samlet\nAlder: {age}\n\n"
    "Geografi;År;Antall;Rate per 1000\nLillestrøm;2020-2022;41;1,2\nNittedal;2020-2022;:;:\n\n"
    "Kilde: Norsk pasientregister (NPR), FHI\n"
)


def test_an_age_group_in_a_filter_line_above_the_table_is_checked(fresh_loader, tmp_path):
    report = fresh_loader.ingest(
        write_csv(tmp_path / "fhi.csv", FILTERED.format(age="0-74 år")), "hip_fractures"
    )
    assert report.refused == (
        "Filen «fhi.csv» gjelder aldersgruppen 0–74 år (linjen «Alder: 0-74 år» over tabellen), men «Antall "
        "hoftebrudd» teller 65 år og eldre: last inn tall for 65 år og eldre."
    )
    assert _lines(fresh_loader) == []
    report = fresh_loader.ingest(
        write_csv(tmp_path / "fhi.csv", FILTERED.format(age="65+ år")), "hip_fractures"
    )
    assert report.ok, report.refused
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2020–2022,41,false",
        "hip_fractures,3232,2020–2022,,true",
    ]


def test_an_age_group_in_a_filter_row_above_an_excel_table_is_checked(fresh_loader, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Hoftebrudd (B)"])
    ws.append(["Alder: 75 år +"])
    ws.append([])
    ws.append(["Geografi", "År", "Antall"])
    ws.append(["Lillestrøm", "2020-2022", 41])
    wb.save(tmp_path / "fhi.xlsx")
    report = fresh_loader.ingest(tmp_path / "fhi.xlsx", "hip_fractures")
    assert report.refused == (
        "Filen «fhi.xlsx» gjelder aldersgruppen 75 år og eldre (linjen «Alder: 75 år +» over tabellen), men "
        "«Antall hoftebrudd» teller 65 år og eldre: last inn tall for 65 år og eldre."
    )
    assert _lines(fresh_loader) == []


# -- an Excel pivot table copied out: «Radetiketter», «Totalsum», «(tom)» --------------------------


@pytest.mark.parametrize(
    ("labels", "total", "blank"),
    [("Radetiketter", "Totalsum", "(tom)"), ("Row Labels", "Grand Total", "(blank)")],
)
def test_an_excel_pivot_table_loads_its_units_and_keeps_its_total_as_the_files_total(
    fresh_loader, tmp_path, labels, total, blank
):
    path = write_csv(
        tmp_path / "pivot.csv",
        f"Sum av Antall;Kolonneetiketter;;\n{labels};2017;2018;{total}\nLillestrøm;140;146;286\n"
        f"Lørenskog;77;80;157\n{blank};;;\n{total};217;226;443\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines() or report.refused
    assert report.stats.areas == 1  # the «(tom)» row
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2017,140,false",
        "hip_fractures,3205,2018,146,false",
        "hip_fractures,3222,2017,77,false",
        "hip_fractures,3222,2018,80,false",
        "hip_fractures,ahus,2017,217,false",
        "hip_fractures,ahus,2018,226,false",
    ]


# -- the upload page: the same sentences, nothing written, no traceback -------------------------


@pytest.mark.parametrize(
    ("indicator", "body", "said"),
    [
        (
            "falls_registered",
            "Hendelsesdato;Kommune;Bruker-ID;Hendelsestype\n03.01.2023;Lillestrøm;100234;Fall\n",
            "ser ut som en liste med én rad per hendelse (datoer i kolonnen «Hendelsesdato», ingen kolonne med antall)",
        ),
        (
            "hip_fractures",
            FHI_STATBANK.format(age="75 år +"),
            "men «Antall hoftebrudd» teller 65 år og eldre: last inn tall for 65 år og eldre",
        ),
    ],
)
def test_the_upload_page_refuses_an_event_list_and_other_ages_in_one_sentence(
    board_db,  # noqa: F811
    indicator,
    body,
    said,
):
    store = open_store(board_db)
    before = store_state(store)
    store.close()
    at = open_upload()
    at.selectbox(key="upload_indicator").set_value(indicator).run()
    at.file_uploader(key="upload_file").set_value(("fil.csv", body.encode(), "text/csv")).run()
    assert not at.exception, at.exception
    shown = " ".join(m.value.replace("\\", "") for m in [*at.markdown, *at.error])
    assert said in shown, shown
    assert not [b for b in at.button if b.label == "Last inn"]
    store = open_store(board_db)
    assert store_state(store) == before
    store.close()


def test_ssb_long_csv_loads_on_the_upload_page_with_the_table_as_the_value(board_db):  # noqa: F811
    body = SSB_LONG.replace('"alder";', "").replace('"I alt";', "").replace("2023", "2016")
    at = open_upload()
    at.selectbox(key="upload_indicator").set_value("population_total").run()
    at.file_uploader(key="upload_file").set_value(("07459.csv", body.encode(), "text/csv")).run()
    assert not at.exception, at.exception
    roles = {s.label: s.value for s in at.selectbox}
    assert roles["Verdi"] == "07459: Befolkning, etter region, alder, statistikkvariabel og år"
    at.button(key=[b.key for b in at.button if b.label == "Last inn"][0]).click().run()
    assert not at.exception, at.exception
    store = open_store(board_db)
    try:
        facts = store.facts(["population_total"])
        mine = facts[facts["period_start"].astype(str).str.startswith("2016")]
        assert sorted(zip(mine["unit_id"], mine["value"], strict=True)) == [
            ("3205", 91234.0),
            ("3222", 49123.0),
        ]
    finally:
        store.close()


# -- columns: «Enhetsnavn» and «Enhetsnummer» (Helsedirektoratet's reports) ---------------------


@pytest.mark.backend_free
@pytest.mark.parametrize("unit", ["Enhetsnavn", "Enhetsnummer", "Enhetsnr", "Enhetskode"])
def test_a_unit_named_enhets_something_is_the_unit_column(unit):
    from loaders.normalise import guess_roles

    assert guess_roles(["Nivå", unit, "År", "Antall"]).unit == unit


def test_a_file_with_enhetsnavn_and_enhetsnummer_loads(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "hdir.csv",
        "Nivå;Enhetsnavn;Enhetsnummer;År;Antall\nKommune;Lillestrøm;3205;2018;151\nKommune;Lørenskog;3222;2018;80\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.refused
    assert _lines(fresh_loader) == ["hip_fractures,3205,2018,151,false", "hip_fractures,3222,2018,80,false"]


# -- JSON-stat: a status that withholds a cell wins over a number beside it ----------------------


def _jsonstat(values: list, status: dict) -> str:
    return json.dumps(
        {
            "version": "2.0",
            "class": "dataset",
            "id": ["Region", "ContentsCode", "Tid"],
            "size": [2, 1, 1],
            "role": {"time": ["Tid"], "geo": ["Region"], "metric": ["ContentsCode"]},
            "dimension": {
                "Region": {
                    "label": "region",
                    "category": {
                        "index": {"K-3205": 0, "K-3232": 1},
                        "label": {"K-3205": "Lillestrøm", "K-3232": "Nittedal"},
                    },
                },
                "ContentsCode": {"label": "statistikkvariabel", "category": {"index": {"Antall": 0}}},
                "Tid": {"label": "år", "category": {"index": {"2017": 0}}},
            },
            "value": values,
            "status": status,
        },
        ensure_ascii=False,
    )


@pytest.mark.parametrize("mark", [":", "..", "."])
def test_a_jsonstat_zero_with_a_withholding_status_is_suppressed_never_zero(fresh_loader, tmp_path, mark):
    path = tmp_path / "ssb.json"
    path.write_text(_jsonstat([140, 0], {"1": mark}), encoding="utf-8")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["hip_fractures,3205,2017,140,false", "hip_fractures,3232,2017,,true"]


def test_a_jsonstat_number_with_another_status_keeps_its_number(fresh_loader, tmp_path):
    path = tmp_path / "ssb.json"
    path.write_text(_jsonstat([140, 0], {"0": "p"}), encoding="utf-8")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["hip_fractures,3205,2017,140,false", "hip_fractures,3232,2017,0,false"]


# -- Excel: a hidden column is read and said, like a hidden row --------------------------------


def test_a_hidden_year_column_is_read_and_said(fresh_loader, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kommune", "2015", "2016", "Merknad"])
    ws.append(["3205 Lillestrøm", 130, 135, None])
    ws.append(["3222 Lørenskog", 70, 74, None])
    ws.column_dimensions["B"].hidden = True
    ws.column_dimensions["D"].hidden = True  # hidden and empty: nothing to say
    wb.save(tmp_path / "skjult.xlsx")
    report = fresh_loader.ingest(tmp_path / "skjult.xlsx", "hip_fractures")
    assert report.ok, report.problem_lines()
    assert (
        "1 kolonne i tabellen er skjult i Excel («2015»); den er lest med som de andre kolonnene."
        in report.notes
    )
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2015,130,false",
        "hip_fractures,3205,2016,135,false",
        "hip_fractures,3222,2015,70,false",
        "hip_fractures,3222,2016,74,false",
    ]
