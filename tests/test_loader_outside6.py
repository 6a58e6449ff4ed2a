"""Outside files of kinds the sixth try-out found wrong: one test per fault kind.

Each file is written here as an analyst receives it: dates with slashes ('31/01/2024'),
periods written as their first and last day (NPR's and Helsedirektoratet's reports), years
a spreadsheet wrote as decimals ('2024.0'), a units row under the header, the partnership's
total under another name, provisional years, half-years as column headers, and shares
above 100 %.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from loaders.normalise import parse_period
from tests.conftest import export_lines, write_csv


def _lines(loader) -> list[str]:
    return sorted(export_lines(loader)[1:])


# -- periods: a day with slashes or dashes, day first ------------------------------------------


@pytest.mark.backend_free
@pytest.mark.parametrize("text", ["31/01/2024", "31-01-2024", "1/1/2024", "31.01.2024", "2024-01-31"])
def test_a_day_first_date_with_slashes_or_dashes_is_its_month(text):
    assert parse_period(text) == (dt.date(2024, 1, 1), "month")


@pytest.mark.backend_free
@pytest.mark.parametrize("text", ["31/01-2024", "32/01/2024", "31/13/2024", "30/02/2024"])
def test_no_mixed_separators_and_no_impossible_day(text):
    assert parse_period(text) is None


def test_two_days_of_one_month_with_slashes_are_refused_as_daily_figures(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "dager.csv", "Kommune;Dato;Antall\nLillestrøm;03/01/2024;1\nLillestrøm;04/01/2024;2\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert not report.ok
    assert "er en dag, og filen har flere dager i 2024M01" in " ".join(report.problem_lines())
    assert _lines(fresh_loader) == []


# -- periods: a period written as its first and last day ---------------------------------------


@pytest.mark.backend_free
@pytest.mark.parametrize(
    ("text", "start", "grain"),
    [
        ("01.01.2024-31.03.2024", dt.date(2024, 1, 1), "quarter"),
        ("01.04.2024 - 30.06.2024", dt.date(2024, 4, 1), "quarter"),
        ("01.01.2024–31.01.2024", dt.date(2024, 1, 1), "month"),
        ("2024-05-01–2024-08-31", dt.date(2024, 5, 1), "tertial"),
        ("01.01.2024-31.12.2024", dt.date(2024, 1, 1), "year"),
        ("01.01.2024 til 31.03.2024", dt.date(2024, 1, 1), "quarter"),
        ("01/01/2022-31/12/2024", dt.date(2022, 1, 1), "3year"),
    ],
)
def test_a_period_written_as_its_first_and_last_day_is_that_period(text, start, grain):
    assert parse_period(text) == (start, grain)


@pytest.mark.backend_free
@pytest.mark.parametrize(
    "text",
    ["01.01.2024-15.03.2024", "02.01.2024-31.03.2024", "01.02.2024-30.04.2024", "01.04.2024-31.03.2024"],
)
def test_a_range_that_is_no_whole_period_is_no_period(text):
    assert parse_period(text) is None


def test_a_file_of_date_ranges_loads_as_quarters(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "npr_kvartal.csv",
        "Kommune;Periode;Antall\nLillestrøm;01.01.2024-31.03.2024;14\nLillestrøm;01.04.2024-30.06.2024;11\n",
    )
    report = fresh_loader.ingest(path, "iht_patients")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["iht_patients,3205,2024K1,14,false", "iht_patients,3205,2024K2,11,false"]


# -- periods: a year written as a decimal ------------------------------------------------------


@pytest.mark.backend_free
@pytest.mark.parametrize("text", ["2024.0", "2024.00"])
def test_a_year_written_as_a_decimal_is_the_year(text):
    assert parse_period(text) == (dt.date(2024, 1, 1), "year")


@pytest.mark.backend_free
def test_a_month_after_a_dot_stays_a_month():
    assert parse_period("2024.10") == (dt.date(2024, 10, 1), "month")
    assert parse_period("2024.01") == (dt.date(2024, 1, 1), "month")


# -- values: a share above 100 % -----------------------------------------------------------------


def test_a_share_above_100_percent_is_refused_in_its_column(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "andel.csv", "Kommune;År;Andel\nLillestrøm;2024;112,5\nLørenskog;2024;80\n")
    report = fresh_loader.ingest(path, "referral_quality_share")
    assert not report.ok
    (line,) = report.problem_lines()
    assert line.startswith("Linje 2, kolonne «Andel»: andelen 112,5 % er over 100 %")
    assert _lines(fresh_loader) == []


def test_a_numerator_above_its_denominator_is_refused_in_the_numerators_column(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "teller.csv", "Kommune;År;Teller;Nevner\nLillestrøm;2024;45;40\nLørenskog;2024;20;50\n"
    )
    report = fresh_loader.ingest(path, "referral_quality_share")
    assert not report.ok
    (line,) = report.problem_lines()
    assert line.startswith("Linje 2, kolonne «Teller»: andelen 112,5 % er over 100 %")


def test_a_share_of_exactly_100_percent_loads(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "andel.csv", "Kommune;År;Teller;Nevner\nLillestrøm;2024;40;40\n")
    report = fresh_loader.ingest(path, "referral_quality_share")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["referral_quality_share,3205,2024,100,false"]


# -- a units row under the header -----------------------------------------------------------------


@pytest.mark.parametrize(
    "units", [";(antall);(antall)", "Enhet: antall;;", ";Antall;Antall", ";per 1 000 innbyggere;%"]
)
def test_a_units_row_under_the_header_is_no_data_and_is_said(fresh_loader, tmp_path, units):
    path = write_csv(
        tmp_path / "enhetsrad.csv", f"Kommune;2024;2025\n{units}\nLillestrøm;14;12\nLørenskog;7;..\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert any(note.startswith("Linje 2 («") and "måleenhet" in note for note in report.notes)
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024,14,false",
        "hip_fractures,3205,2025,12,false",
        "hip_fractures,3222,2024,7,false",
        "hip_fractures,3222,2025,,true",
    ]


def test_lines_are_counted_from_the_file_after_a_units_row(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "enhetsrad.csv",
        "Kommune;2024;2025\n;(antall);(antall)\nLillestrøm;14;12\nLørenskog;7;abc\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.problem_lines()[0].startswith("Linje 4, kolonne «2025»: «abc» er ikke et tall")


def test_an_excel_units_row_under_the_header_is_no_data(fresh_loader, tmp_path):
    book = openpyxl.Workbook()
    for row in [
        ["Kommune", 2024, 2025],
        [None, "(antall)", "(antall)"],
        ["Lillestrøm", 14, 12],
        ["Lørenskog", 7, "abc"],
    ]:
        book.active.append(row)
    book.save(tmp_path / "enhetsrad.xlsx")
    report = fresh_loader.ingest(tmp_path / "enhetsrad.xlsx", "hip_fractures")
    assert report.problem_lines()[0].startswith("Linje 4, kolonne «2025»: «abc» er ikke et tall")
    assert len(report.problem_lines()) == 1


@pytest.mark.backend_free
@pytest.mark.parametrize(
    "row",
    [["Lillestrøm", "14", "12"], ["", "..", ".."], ["Sum", "21", "15"], ["", "(antall)", "12"], ["", "", ""]],
)
def test_a_data_row_is_no_units_row(row):
    from loaders.formats.base import units_row

    assert units_row(["Kommune", "2024", "2025"], row) is None


# -- the partnership's total under another name ---------------------------------------------------


@pytest.mark.parametrize(
    "alias",
    [
        "Ahus",
        "Helsefellesskapet Ahus",
        "Ahus-området",
        "Opptaksområdet Ahus",
        "Ahus totalt",
        "Helsefellesskapet",
    ],
)
def test_the_partnerships_total_under_a_name_its_plan_gives_is_its_total_row(fresh_loader, tmp_path, alias):
    path = write_csv(
        tmp_path / "alias.csv", f"Kommune;År;Antall\nLillestrøm;2024;14\nLørenskog;2024;7\n{alias};2024;400\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert report.stats.file_totals == 1
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024,14,false",
        "hip_fractures,3222,2024,7,false",
        "hip_fractures,ahus,2024,400,false",
    ]


@pytest.mark.parametrize("alias", ["HF totalt", "Sykehusområdet i alt", "Ahus HF totalt"])
def test_an_area_total_the_board_cannot_place_is_refused_in_one_sentence(fresh_loader, tmp_path, alias):
    path = write_csv(
        tmp_path / "alias.csv", f"Kommune;År;Antall\nLillestrøm;2024;14\nLørenskog;2024;7\n{alias};2024;400\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert not report.ok
    (line,) = report.problem_lines()
    assert line.startswith(f"Linje 4, kolonne «Kommune»: «{alias}» ser ut som totalen for et sykehus- eller")
    assert _lines(fresh_loader) == []


def test_a_hospital_name_alone_is_refused_and_a_trusts_own_row_still_skipped(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "lovisenberg.csv", "Kommune;År;Antall\nLillestrøm;2024;14\nLovisenberg;2024;40\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.problem_lines() == [
        "Linje 3, kolonne «Kommune»: «Lovisenberg» er ikke en kjent kommune, bydel eller region "
        "(fil «lovisenberg.csv»)"
    ]
    path = write_csv(
        tmp_path / "hf.csv",
        "Kommune;År;Antall\nLillestrøm;2024;14\nAkershus universitetssykehus HF;2024;40\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert report.stats.areas == 1


# -- a provisional period: kept, and said -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Kommune;2023;2024*\nLillestrøm;14;12\n", "Perioden «2024*» er merket som foreløpig"),
        (
            "Kommune;2023;2024 (foreløpige tall)\nLillestrøm;14;12\n",
            "Perioden «2024 (foreløpige tall)» er merket",
        ),
        (
            "Kommune;År;Antall\nLillestrøm;2023;14\nLillestrøm;2024 (foreløpig);12\n",
            "Perioden «2024 (foreløpig)» er merket som foreløpig",
        ),
        (
            "Kommune;Måned;Antall\nLillestrøm;2024M01*;14\nLillestrøm;2024M02*;12\n",
            "Periodene «2024M01*» og «2024M02*» er merket som foreløpige",
        ),
    ],
)
def test_a_provisional_period_is_kept_and_told(fresh_loader, tmp_path, text, said):
    path = write_csv(tmp_path / "forelopig.csv", text)
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert any(note.startswith(said) for note in report.notes), report.notes
    assert len(_lines(fresh_loader)) == 2


def test_a_period_without_a_mark_gets_no_such_note(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "endelig.csv", "Kommune;2023;2024\nLillestrøm;14;12\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert not any("foreløpig" in note for note in report.notes)


# -- weeks and half-years as column headers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "said"),
    [
        ("Kommune;2024H1;2024H2", "har halvår som kolonner («2024H1» …); tavla tar ikke halvårstall"),
        ("Kommune;Antall 1. halvår 2024", "har halvår som kolonner («Antall 1. halvår 2024» …)"),
        ("Kommune;Antall 1. halvår 2024;Antall 2. halvår 2024", "har halvår som kolonner"),
        ("Kommune;2024U05;2024U06", "har uker som kolonner («2024U05» …); tavla tar ikke ukestall"),
        ("Kommune;Uke 5 2024", "har uker som kolonner («Uke 5 2024» …)"),
    ],
)
def test_weeks_or_half_years_as_columns_are_refused_by_name_never_read_as_years(
    fresh_loader, tmp_path, header, said
):
    width = header.count(";")
    path = write_csv(tmp_path / "halvaar.csv", f"{header}\nLillestrøm{';3' * width}\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert not report.ok
    assert said in report.refused, report.refused
    assert _lines(fresh_loader) == []


# -- Excel's day numbers in a text file -----------------------------------------------------------


def test_excel_day_numbers_in_a_csv_date_column_are_dates_and_said(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "dato.csv", "Kommune;Dato;Antall\nLillestrøm;45292;14\nLillestrøm;45323;11\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert (
        "Kolonnen «Dato» har Excels datonumre (f.eks. 45292); de er lest som datoer (45292 = 01.01.2024)."
        in (report.notes)
    )
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024M01,14,false",
        "hip_fractures,3205,2024M02,11,false",
    ]


def test_excel_day_numbers_of_one_month_are_not_run_together(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "dato.csv", "Kommune;Dato;Antall\nLillestrøm;45292;14\nLillestrøm;45293;11\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert not report.ok
    assert _lines(fresh_loader) == []


# -- quarters and tertials: year first with a slash, or a two-digit year -----------------------------


@pytest.mark.backend_free
@pytest.mark.parametrize(
    ("text", "start", "grain"),
    [
        ("2024/Q1", dt.date(2024, 1, 1), "quarter"),
        ("2024.K2", dt.date(2024, 4, 1), "quarter"),
        ("2024 1. kvartal", dt.date(2024, 1, 1), "quarter"),
        ("2024 - 4. kv.", dt.date(2024, 10, 1), "quarter"),
        ("K1-24", dt.date(2024, 1, 1), "quarter"),
        ("1. kv. 24", dt.date(2024, 1, 1), "quarter"),
        ("1. kvartal 24", dt.date(2024, 1, 1), "quarter"),
        ("2024/T2", dt.date(2024, 5, 1), "tertial"),
        ("2024 2. tertial", dt.date(2024, 5, 1), "tertial"),
        ("T3-24", dt.date(2024, 9, 1), "tertial"),
    ],
)
def test_a_quarter_or_tertial_with_the_year_first_or_in_two_digits(text, start, grain):
    assert parse_period(text) == (start, grain)


@pytest.mark.backend_free
@pytest.mark.parametrize("text", ["K5-24", "2024/Q5", "2024 4. tertial", "T4-24", "Q124"])
def test_no_fifth_quarter_nor_fourth_tertial(text):
    assert parse_period(text) is None


# -- a comma as thousands mark in whole-case counts --------------------------------------------------


def test_a_comma_as_thousands_mark_in_whole_case_counts_is_read_and_said(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "folketall.csv",
        'Kommune,År,Personer\nLillestrøm,2024,"92,419"\nLørenskog,2024,"1,204,300"\nHurdal,2024,2870\n',
    )
    report = fresh_loader.ingest(path, "population_total")
    assert report.ok, report.problem_lines()
    assert any(note.startswith("Komma i tallene er lest som tusenskille") for note in report.notes)
    assert _lines(fresh_loader) == [
        "population_total,3205,2024,92419,false",
        "population_total,3222,2024,1204300,false",
        "population_total,3242,2024,2870,false",
    ]


def test_a_decimal_comma_that_is_no_thousands_group_stays_a_decimal(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "antall.csv", "Kommune;År;Personer\nLillestrøm;2024;92,4\nLørenskog;2024;1,204\n"
    )
    report = fresh_loader.ingest(path, "population_total")
    assert not any(note.startswith("Komma i tallene") for note in report.notes)
    assert "population_total,3205,2024,92.4,false" in _lines(fresh_loader)


# -- shares written as fractions --------------------------------------------------------------------


def test_shares_written_as_fractions_are_refused_never_stored_a_hundred_times_too_small(
    fresh_loader, tmp_path
):
    path = write_csv(tmp_path / "andel.csv", "Kommune;År;Andel\nLillestrøm;2024;0,125\nLørenskog;2024;0,08\n")
    report = fresh_loader.ingest(path, "referral_quality_share")
    assert not report.ok
    assert report.refused.startswith(
        "Filen «andel.csv» har bare andeler fra 0 til 1 i kolonnen «Andel» (f.eks. 0,125 på linje 2)"
    ), report.refused
    assert _lines(fresh_loader) == []


@pytest.mark.parametrize(
    "text",
    [
        "Kommune;År;Andel\nLillestrøm;2024;0,5 %\nLørenskog;2024;0,8 %\n",  # small percentages, marked
        "Kommune;År;Andel\nLillestrøm;2024;0,5\nLørenskog;2024;12\n",  # one above 1: percent
        "Kommune;År;Teller;Nevner\nLillestrøm;2024;1;200\n",  # made from numerator and denominator
    ],
)
def test_small_percentages_load_as_written(fresh_loader, tmp_path, text):
    report = fresh_loader.ingest(write_csv(tmp_path / "andel.csv", text), "referral_quality_share")
    assert report.ok, (report.refused, report.problem_lines())


# -- names without æ, ø, å ---------------------------------------------------------------------------


def test_names_spelt_without_norwegian_letters_find_their_unit(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "ascii.csv",
        "Kommune;År;Antall\nLorenskog;2024;3\nAas;2024;2\nLillestrom;2024;14\nRaelingen;2024;4\nBydel Grorud;2024;5\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "hip_fractures,030110,2024,5,false",
        "hip_fractures,3205,2024,14,false",
        "hip_fractures,3218,2024,2,false",
        "hip_fractures,3222,2024,3,false",
        "hip_fractures,3224,2024,4,false",
    ]


def test_a_name_without_norwegian_letters_elsewhere_in_norway_is_skipped_as_outside(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "ascii.csv", "Kommune;År;Antall\nLillestrom;2024;14\nTromso;2024;30\nBaerum;2024;9\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert report.stats.outside == 2


# -- a name with its county in brackets ---------------------------------------------------------------


def test_a_name_with_its_county_finds_the_unit_there_and_skips_a_namesake_elsewhere(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "nes.csv",
        "Kommune;År;Antall\nNes (Akershus);2024;7\nNes (Buskerud);2024;3\nLillestrøm;2024;4\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert report.stats.outside == 1
    assert _lines(fresh_loader) == ["hip_fractures,3205,2024,4,false", "hip_fractures,3228,2024,7,false"]


def test_an_unknown_name_with_a_county_is_still_refused(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "nes.csv", "Kommune;År;Antall\nLillestrøm;2024;4\nFoo (Akershus);2024;1\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.problem_lines() == [
        "Linje 3, kolonne «Kommune»: «Foo (Akershus)» er ikke en kjent kommune, bydel eller region (fil «nes.csv»)"
    ]


# -- a star after a number: kept, and said --------------------------------------------------------


def test_a_star_after_a_number_is_said_and_a_lone_star_stays_suppressed(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "kpr.csv", "Kommune;År;Antall\nLillestrøm;2024;14*\nLørenskog;2024;*\nHurdal;2024;3 *\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert "2 rader har tall med en stjerne etter (f.eks. «14*» på linje 2)" in " ".join(report.notes)
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024,14,false",
        "hip_fractures,3222,2024,,true",
        "hip_fractures,3242,2024,3,false",
    ]


# -- a row repeated exactly ---------------------------------------------------------------------------


def test_a_row_repeated_exactly_is_kept_once_and_said(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "dobbel.csv",
        "Kommune;År;Antall\nLillestrøm;2024;14\nLillestrøm;2024;14\nLørenskog;2024;7\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert any(note.startswith("1 rad gjentar en rad over") for note in report.notes), report.notes
    assert _lines(fresh_loader) == ["hip_fractures,3205,2024,14,false", "hip_fractures,3222,2024,7,false"]


def test_old_codes_summed_into_one_unit_are_no_repeats(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "gamle.csv",
        "Kommune;År;Antall\n0231 Skedsmo;2019;10\n0227 Fet;2019;10\n0226 Sørum;2019;10\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert not any("gjentar" in note for note in report.notes)
    assert _lines(fresh_loader) == ["hip_fractures,3205,2019,30,false"]


# -- dates in UTC, and the names report tools give the period and the value ----------------------------


@pytest.mark.backend_free
@pytest.mark.parametrize(
    ("text", "month"),
    [("2024-01-31T00:00:00.000Z", 1), ("2024-02-29T00:00:00Z", 2), ("2024-03-01T00:00:00+01:00", 3)],
)
def test_a_utc_date_at_midnight_is_its_month(text, month):
    assert parse_period(text) == (dt.date(2024, month, 1), "month")


@pytest.mark.backend_free
def test_a_utc_time_that_may_be_the_next_day_locally_is_no_period():
    assert parse_period("2024-01-31T23:00:00Z") is None


@pytest.mark.parametrize(
    ("header", "indicator", "stored"),
    [
        ("Kommune;Rapporteringsperiode;Antall", "hip_fractures", "hip_fractures,3205,2024,14,false"),
        ("Kommune;Tidsperiode;Antall", "hip_fractures", "hip_fractures,3205,2024,14,false"),
        ("Kommune;År;Resultat", "referral_quality_share", "referral_quality_share,3205,2024,14,false"),
        ("Enhet;År;Indikatorverdi", "referral_quality_share", "referral_quality_share,3205,2024,14,false"),
    ],
)
def test_report_tools_names_for_the_period_and_the_value_are_known(
    fresh_loader, tmp_path, header, indicator, stored
):
    path = write_csv(tmp_path / "hdir.csv", f"{header}\nLillestrøm;2024;14\n")
    report = fresh_loader.ingest(path, indicator)
    assert report.ok, (report.refused, report.problem_lines())
    assert _lines(fresh_loader) == [stored]


# -- a pivot table's blanks under a unit ---------------------------------------------------------------


def test_a_unit_on_the_first_row_of_its_group_only_is_refused_with_the_way_out(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "pivot.csv", "Kommune;År;Antall\nLillestrøm;2023;14\n;2024;12\nLørenskog;2023;7\n;2024;5\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.problem_lines() == [
        "Linje 3, 5 (2 rader), kolonne «Kommune»: kommune/enhet mangler; står kommunen bare på første rad i "
        "hver gruppe (som i en pivottabell), må den skrives på hver rad, og er raden en sum, ta den bort "
        "(fil «pivot.csv»)"
    ]
    assert _lines(fresh_loader) == []
