"""Files as an analyst receives them from FHI, NPR/Helsedirektoratet and the fagsystemer, of
kinds the corpus did not hold (found by loading outside files, /work/wt/tryout_files3): FHI's
kube export (GEO, TELLER beside RATE, GEO 0 for the country), periods written «Tertial 1 2024»,
«T1 2024», «Kvartal 1 2024», «1. kv. 2024», «K1 2024», «Q1 2024», and a «Tertial» column beside
«År». Each test fails on the code before the fix."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.store import open_store
from loaders.ingest import Choices
from loaders.normalise import guess_roles, parse_period, parse_subperiod
from tests.conftest import export_lines, store_state, write_csv
from tests.test_upload_page import board_db, open_upload  # noqa: F401 (board_db: a fixture)

HEADER = "indicator,unit,period,value,suppressed"


@pytest.mark.parametrize(
    ("text", "start", "grain"),
    [
        ("Tertial 1 2024", dt.date(2024, 1, 1), "tertial"),
        ("T2 2024", dt.date(2024, 5, 1), "tertial"),
        ("tertial 3 2023", dt.date(2023, 9, 1), "tertial"),
        ("Kvartal 1 2024", dt.date(2024, 1, 1), "quarter"),
        ("2. kv. 2024", dt.date(2024, 4, 1), "quarter"),
        ("3. kv 2024", dt.date(2024, 7, 1), "quarter"),
        ("K1 2024", dt.date(2024, 1, 1), "quarter"),
        ("Q4 2024", dt.date(2024, 10, 1), "quarter"),
    ],
)
@pytest.mark.backend_free
def test_npr_and_hdir_period_texts_are_read_at_their_grain(text, start, grain):
    assert parse_period(text) == (start, grain)


@pytest.mark.parametrize("text", ["T4 2024", "K5 2024", "Kvartal 0 2024", "tertial 2024", "T1 24"])
@pytest.mark.backend_free
def test_period_texts_out_of_range_are_no_period(text):
    assert parse_period(text) is None


@pytest.mark.backend_free
def test_a_tertial_column_beside_the_year_is_a_subperiod_of_tertials():
    roles = guess_roles(["Kommune", "År", "Tertial", "Antall"])
    assert (roles.year, roles.subperiod, roles.value) == ("År", "Tertial", "Antall")
    assert parse_subperiod("2024", "2", "tertial") == (dt.date(2024, 5, 1), "tertial")
    assert parse_subperiod("2024", "T3", "tertial") == (dt.date(2024, 9, 1), "tertial")


@pytest.mark.backend_free
def test_teller_without_nevner_is_the_count_for_a_count_but_not_for_a_share():
    columns = ["GEO", "AAR", "TELLER", "RATE", "MEIS"]
    count = guess_roles(columns, {"count"})
    assert (count.unit, count.period, count.value, count.numerator) == ("GEO", "AAR", "TELLER", None)
    share = guess_roles(columns, {"share"})
    assert (share.value, share.numerator) == ("RATE", "TELLER")


def test_fhi_kube_file_loads_its_counts_with_suppressed_cells_missing(fresh_loader, tmp_path):
    """FHI's kube export: GEO 0 (the country) and 32 (a county) are skipped, TELLER is the
    count (not RATE), an anonymised cell (SPVFLAGG 2, TELLER empty) is stored suppressed."""
    path = write_csv(
        tmp_path / "kube.csv",
        "GEO;AAR;KJONN;ALDER;TELLER;RATE;MEIS;SPVFLAGG\n"
        "0;2019_2021;0;65_120;9012;9.81;9.81;0\n"
        "32;2019_2021;0;65_120;1050;8.9;8.9;0\n"
        "3205;2019_2021;0;65_120;91;9.2;9.2;0\n"
        "3242;2019_2021;0;65_120;;;;2\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures", choices=Choices(partnership="ahus"))
    assert report.ok, report.problem_lines()
    assert export_lines(fresh_loader, "hip_fractures") == [
        HEADER,
        "hip_fractures,3205,2019–2021,91,false",
        "hip_fractures,3242,2019–2021,,true",
    ]
    assert report.stats.areas == 2


def test_npr_tertial_and_quarter_texts_load_through_the_loader(fresh_loader, tmp_path):
    tertials = write_csv(
        tmp_path / "tertial.csv",
        "Kommune;Tertial;Antall\n3205 Lillestrøm;Tertial 1 2024;31\n3205 Lillestrøm;T2 2024;<5\n",
    )
    assert fresh_loader.ingest(tertials, "fall_injury_admissions").ok
    split = write_csv(tmp_path / "aar_tertial.csv", "Kommune;År;Tertial;Antall\n3222 Lørenskog;2024;3;14\n")
    assert fresh_loader.ingest(split, "fall_injury_admissions").ok
    quarters = write_csv(
        tmp_path / "kvartal.csv",
        "Kommune;Periode;Antall pasienter\n3205 Lillestrøm;Kvartal 1 2024;12\n3205 Lillestrøm;2. kv. 2024;15\n",
    )
    assert fresh_loader.ingest(quarters, "iht_patients").ok
    assert export_lines(fresh_loader) == [
        HEADER,
        "fall_injury_admissions,3205,2024T1,31,false",
        "fall_injury_admissions,3205,2024T2,,true",
        "fall_injury_admissions,3222,2024T3,14,false",
        "iht_patients,3205,2024K1,12,false",
        "iht_patients,3205,2024K2,15,false",
    ]


def test_a_wide_files_total_row_is_checked_period_by_period(fresh_loader, tmp_path):
    """A «Totalt» row in a file with one column per month (a KPR report) holds one total per
    month; before, each was checked against the members' sum over every month (refused: «totalen
    for 2024M02 er 1759, mindre enn summen av enhetene som vises (5149)»)."""
    path = write_csv(
        tmp_path / "kpr.csv",
        "Kommune;2024M01;2024M02;Totalt\n"
        "Lillestrøm;1\xa0204;1\xa0180;2\xa0384\n"
        "Lørenskog;512;498;1\xa0010\n"
        "Totalt;1\xa0716;1\xa0678;3\xa0394\n",
    )
    report = fresh_loader.ingest(path, "falls_registered", choices=Choices(partnership="ahus"))
    assert report.ok, report.problem_lines()
    assert export_lines(fresh_loader, "falls_registered") == [
        HEADER,
        "falls_registered,3205,2024M01,1204,false",
        "falls_registered,3205,2024M02,1180,false",
        "falls_registered,3222,2024M01,512,false",
        "falls_registered,3222,2024M02,498,false",
        "falls_registered,ahus,2024M01,1716,false",
        "falls_registered,ahus,2024M02,1678,false",
    ]


def test_a_wide_files_total_row_below_its_members_is_refused_for_that_period(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "kpr.csv",
        "Kommune;2024M01;2024M02\nLillestrøm;1204;1180\nLørenskog;512;498\nTotalt;1716;1600\n",
    )
    report = fresh_loader.ingest(path, "falls_registered", choices=Choices(partnership="ahus"))
    assert [p.message for p in report.problems] == [
        "totalen for 2024M02 er 1600, mindre enn summen av enhetene som vises (1678)"
    ]
    assert export_lines(fresh_loader, "falls_registered") == [HEADER]


def test_a_second_table_under_the_first_is_refused_in_one_sentence(fresh_loader, tmp_path):
    """A KPR report with two tables on one sheet: before, the wide one was refused as if
    «Totalt» were a dimension to choose (--where Totalt="Totalt"), the long one with a problem
    per cell of the second table's header."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (
        ["[logo]"],
        ["Registrerte fall, rapport fra fagsystem"],
        [],
        ["Kommune", "2024M01", "2024M02", "Totalt"],
        ["Lillestrøm", "1\xa0204", "1\xa0180", "2\xa0384"],
        ["Lørenskog", "512", "498", "1\xa0010"],
        [],
        ["Kartlegginger av fallrisiko"],
        ["Kommune", "2024M01", "2024M02", "Totalt"],
        ["Lillestrøm", "40", "42", "82"],
    ):
        sheet.append(row)
    book.save(tmp_path / "kpr.xlsx")
    long = write_csv(
        tmp_path / "to.csv",
        "Kommune;Periode;Antall\n3205 Lillestrøm;2024M01;12\n\nKartlegginger\nkommune;Periode; Antall\n3205;2024M01;40\n",
    )
    wide = fresh_loader.ingest(tmp_path / "kpr.xlsx", "falls_registered", choices=Choices(partnership="ahus"))
    assert wide.refused == (
        "Filen «kpr.xlsx» har overskriftsraden («Kommune», «2024M01», «2024M02») igjen på linje 9: det ser "
        "ut som flere tabeller under hverandre; legg tabellen som skal lastes inn alene i en fil eller på et "
        "eget ark."
    )
    assert fresh_loader.ingest(long, "falls_registered").refused == (
        "Filen «to.csv» har overskriftsraden («Kommune», «Periode», «Antall») igjen på linje 5: det ser "
        "ut som flere tabeller under hverandre; legg tabellen som skal lastes inn alene i en fil eller på et "
        "eget ark."
    )
    assert export_lines(fresh_loader) == [HEADER]


KUBE_BY_SEX = (
    "GEO;AAR;KJONN;ALDER;TELLER;RATE;MEIS;SPVFLAGG\n"
    "3205;2022;0;65_120;91;9.2;9.2;0\n"
    "3205;2022;1;65_120;30;6.1;6.1;0\n"
    "3205;2022;2;65_120;61;12.3;12.3;0\n"
    "3222;2022;0;65_120;40;8.1;8.1;0\n"
    "3222;2022;1;65_120;;;;2\n"
    "3222;2022;2;65_120;36;14.0;14.0;0\n"
)


def test_fhi_kube_by_sex_asks_for_kjonn_0_and_not_for_its_rates_and_flags(fresh_loader, tmp_path):
    """KJONN 0 is FHI's «both sexes»: summing over KJONN counted every case twice (182 hip
    fractures stored for 91), and RATE, MEIS and SPVFLAGG were asked for as dimensions."""
    path = write_csv(tmp_path / "kube.csv", KUBE_BY_SEX)
    asked = fresh_loader.ingest(path, "hip_fractures")
    assert asked.refused == (
        "Filen «kube.csv» har kolonnen «KJONN» med verdiene 0, 1, 2, der «0» er summen av de andre: "
        'velg totalen «0» (--where KJONN="0").'
    )
    summed = fresh_loader.ingest(path, "hip_fractures", choices=Choices(sums=["KJONN"]))
    assert summed.refused.startswith(
        "Filen «kube.csv» har totalen «0» i kolonnen «KJONN» ved siden av delene"
    )
    assert export_lines(fresh_loader) == [HEADER]
    chosen = fresh_loader.ingest(path, "hip_fractures", choices=Choices(where={"KJONN": "0"}))
    assert chosen.ok, chosen.refused
    assert export_lines(fresh_loader) == [
        HEADER,
        "hip_fractures,3205,2022,91,false",
        "hip_fractures,3222,2022,40,false",
    ]


def test_fhi_kube_file_on_the_upload_page_shows_teller_as_the_value_and_loads(board_db):  # noqa: F811
    """The page offers GEO as the unit and TELLER as the value (before: no unit column, and
    RATE as the value), and stores the count."""
    body = (
        "GEO;AAR;KJONN;ALDER;TELLER;RATE;MEIS;SPVFLAGG\n"
        "0;2019_2021;0;65_120;9012;9.81;9.81;0\n"
        "3205;2019_2021;0;65_120;91;9.2;9.2;0\n"
        "3242;2019_2021;0;65_120;;;;2\n"
    )
    at = open_upload()
    at.selectbox(key="upload_indicator").set_value("hip_fractures").run()
    at.file_uploader(key="upload_file").set_value(("kube.csv", body.encode(), "text/csv")).run()
    assert not at.exception, at.exception
    roles = {s.label: s.value for s in at.selectbox}
    assert (roles["Enhet"], roles["Periode"], roles["Verdi"], roles["Teller"]) == (
        "GEO",
        "AAR",
        "TELLER",
        "(ingen)",
    )
    at.button(key=[b.key for b in at.button if b.label == "Last inn"][0]).click().run()
    assert not at.exception, at.exception
    store = open_store(board_db)
    try:
        facts = store.facts(["hip_fractures"])
        mine = facts[facts["period_start"].astype(str).str.startswith("2019") & (facts["grain"] == "3year")]
        assert sorted(zip(mine["unit_id"], mine["value"].fillna(-1), mine["suppressed"], strict=True)) == [
            ("3205", 91.0, False),
            ("3242", -1, True),
        ]
    finally:
        store.close()


def test_two_tables_on_the_upload_page_are_refused_and_nothing_is_written(board_db):  # noqa: F811
    store = open_store(board_db)
    before = store_state(store)
    store.close()
    body = "Kommune;Periode;Antall\n3205 Lillestrøm;2024M01;12\n\nKartlegginger\nKommune;Periode;Antall\n3205;2024M01;40\n"
    at = open_upload()
    at.selectbox(key="upload_indicator").set_value("falls_registered").run()
    at.file_uploader(key="upload_file").set_value(("to.csv", body.encode(), "text/csv")).run()
    said = " ".join(m.value.replace("\\", "") for m in [*at.markdown, *at.error])
    assert "har overskriftsraden («Kommune», «Periode», «Antall») igjen på linje 5" in said, said
    assert not [b for b in at.button if b.label == "Last inn"]
    store = open_store(board_db)
    assert store_state(store) == before
    store.close()


KUBE_BY_AGE_WITH_NEVNER = (
    "GEO;AAR;KJONN;ALDER;TELLER;NEVNER;RATE;SPVFLAGG\n"
    "3205;2022_2022;0;65_120;120;90000;133.3;0\n"
    "3205;2022_2022;0;65_79;20;70000;28.6;0\n"
    "3205;2022_2022;0;80_120;100;20000;500;0\n"
    "3222;2022_2022;0;65_120;;;;3\n"
    "3222;2022_2022;0;65_79;;;;3\n"
    "3222;2022_2022;0;80_120;;;;3\n"
    "3222;2023_2023;0;65_120;60;50000;120;0\n"
    "3222;2023_2023;0;65_79;10;40000;25;0\n"
    "3222;2023_2023;0;80_120;50;10000;500;0\n"
)


def test_fhi_kube_by_age_with_nevner_asks_for_its_total_group_and_stores_teller_per_year(
    fresh_loader, tmp_path
):
    """FHI's kube with age groups and NEVNER: ALDER 65_120 is the total of 65_79 and 80_120 (65+, the ages hip_fractures counts) (a sum
    over ALDER counted each case twice); AAR «2022_2022» is the year 2022 (was refused as no
    period); for a count, TELLER is the value (was RATE, the rate per 100 000, stored as a count)."""
    path = write_csv(tmp_path / "kube.csv", KUBE_BY_AGE_WITH_NEVNER)
    asked = fresh_loader.ingest(path, "hip_fractures")
    assert asked.refused == (
        "Filen «kube.csv» har kolonnen «ALDER» med verdiene 65_120, 65_79, 80_120, der «65_120» er summen "
        'av de andre: velg totalen «65_120» (--where ALDER="65_120").'
    )
    summed = fresh_loader.ingest(path, "hip_fractures", choices=Choices(sums=["ALDER"]))
    assert summed.refused.startswith(
        "Filen «kube.csv» har totalen «65_120» i kolonnen «ALDER» ved siden av delene"
    )
    assert export_lines(fresh_loader) == [HEADER]
    chosen = fresh_loader.ingest(path, "hip_fractures", choices=Choices(where={"ALDER": "65_120"}))
    assert chosen.ok, chosen.refused
    assert export_lines(fresh_loader) == [
        HEADER,
        "hip_fractures,3205,2022,120,false",
        "hip_fractures,3222,2022,,true",
        "hip_fractures,3222,2023,60,false",
    ]


@pytest.mark.parametrize(
    ("values", "total"),
    [
        (["0_120", "0_66", "67_120"], "0_120"),
        (["0_17", "18_66", "67_120", "0_120"], "0_120"),
        (["0-74 år", "75-120 år", "0-120 år"], "0-120 år"),  # the statbank's labels
        (["0_120", "65_120"], None),  # 0_64 missing: 0_120 is not the sum of the others
        (["0_120", "0_66", "50_120"], None),  # overlapping groups
        (["0_66", "67_120"], None),
        (["0_120", "Alle"], "Alle"),  # not all groups: the named total
    ],
)
def test_an_fhi_age_group_is_the_total_only_where_the_others_cover_it_exactly(values, total):
    from loaders.dimensions import total_member

    assert total_member(values, "ALDER") == total


def test_one_year_written_as_a_range_of_one_is_that_year():
    assert parse_period("2022_2022") == (dt.date(2022, 1, 1), "year")
    assert parse_period("2019_2021") == (dt.date(2019, 1, 1), "3year")
