"""Outside files of kinds the fifth try-out found wrong: one test per fault kind.

Each file is written here as an analyst receives it (NPR/KPR report exports with months as
'01.2024' or '1/2024', KPR's footnote stars after numbers and «Alle tjenester» beside the
services, a residence column with «Utlandet», SSB's aggregate region codes, two files with a
byte order mark each run together).
"""

from __future__ import annotations

import datetime as dt

import pytest

from loaders.dimensions import total_member
from loaders.normalise import parse_period
from tests.conftest import export_lines, write_csv


def _lines(loader) -> list[str]:
    return sorted(export_lines(loader)[1:])


# -- periods: a month before its year in digits ----------------------------------------------


@pytest.mark.backend_free
@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("01.2024", 1),
        ("1/2024", 1),
        ("12/2024", 12),
        ("02-2024", 2),
        ("3.2024", 3),
        ("2024/01", 1),
        ("2024.11", 11),
        ("2024 januar", 1),
        ("2024 des.", 12),
    ],
)
def test_a_month_before_its_year_in_digits_is_that_month(text, month):
    assert parse_period(text) == (dt.date(2024, month, 1), "month")


@pytest.mark.backend_free
@pytest.mark.parametrize("text", ["13.2024", "0/2024", "01.01.2024x", "2024/13", "2024 foo", "2023/2024"])
def test_no_month_thirteen_or_zero(text):
    assert parse_period(text) is None


@pytest.mark.backend_free
def test_a_full_date_and_a_year_range_keep_their_meaning():
    assert parse_period("15.03.2024") == (dt.date(2024, 3, 1), "month")
    assert parse_period("2019-2021") == (dt.date(2019, 1, 1), "3year")


@pytest.mark.parametrize("months", [("01.2024", "02.2024"), ("1/2024", "2/2024")])
def test_a_file_with_months_before_years_loads(fresh_loader, tmp_path, months):
    path = write_csv(
        tmp_path / "maaned.csv",
        f"Kommune;Måned;Antall\nLillestrøm;{months[0]};14\nLillestrøm;{months[1]};11\nLørenskog;{months[0]};7\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024M01,14,false",
        "hip_fractures,3205,2024M02,11,false",
        "hip_fractures,3222,2024M01,7,false",
    ]


# -- values: a footnote star after a number -----------------------------------------------------


def test_a_footnote_star_after_a_number_is_no_part_of_it_and_a_lone_star_stays_suppressed(
    fresh_loader, tmp_path
):
    path = write_csv(
        tmp_path / "kpr.csv",
        "Kommune;År;Antall\nLillestrøm;2023;88*\nLørenskog;2023;39 *\nHurdal;2023;*\nNes;2023;1 204**\n"
        "\n* Foreløpige tall\n",
    )
    report = fresh_loader.ingest(path, "dho_bed_days_before")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "dho_bed_days_before,3205,2023,88,false",
        "dho_bed_days_before,3222,2023,39,false",
        "dho_bed_days_before,3228,2023,1204,false",
        "dho_bed_days_before,3242,2023,,true",
    ]


def test_a_star_between_digits_is_still_no_number(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "kpr.csv", "Kommune;År;Antall\nLillestrøm;2023;8*8\n")
    report = fresh_loader.ingest(path, "dho_bed_days_before")
    assert not report.ok
    assert any("«8*8» er ikke et tall" in line for line in report.problem_lines()), report.problem_lines()
    assert export_lines(fresh_loader)[1:] == []


# -- units: residence abroad and SSB's aggregate codes -------------------------------------------


def test_residence_abroad_is_skipped_like_unknown_residence(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "bosted.csv",
        "Bostedskommune;Måned;Antall\n3205 Lillestrøm;2024-01;14\n3222 Lørenskog;2024-01;7\nUkjent;2024-01;2\n"
        "Utlandet;2024-01;3\nBosatt i utlandet;2024-01;1\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert report.stats.areas == 3
    assert _lines(fresh_loader) == [
        "hip_fractures,3205,2024M01,14,false",
        "hip_fractures,3222,2024M01,7,false",
    ]


def test_ssb_aggregate_region_codes_are_skipped_like_a_county(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "ssb.csv",
        'region;år;Personer\n"EAK Landet";2024;5550203\n"EKA32 Akershus";2024;727000\n'
        '"EKG3202 Lillestrøm";2024;150000\n"K-3205 Lillestrøm";2024;92419\n',
    )
    report = fresh_loader.ingest(path, "population_total")
    assert report.ok, report.problem_lines()
    assert report.stats.areas == 3
    assert _lines(fresh_loader) == ["population_total,3205,2024,92419,false"]


@pytest.mark.backend_free
def test_a_municipality_named_in_capitals_is_no_ssb_code():
    from loaders.normalise import SSB_AGGREGATE_CODE

    assert not SSB_AGGREGATE_CODE.match("EIDSKOG")
    assert not SSB_AGGREGATE_CODE.match("Eid")
    assert SSB_AGGREGATE_CODE.match("EKA32 Akershus")


# -- dimensions: «Alle <noun>» is the column's total --------------------------------------------


@pytest.mark.backend_free
def test_alle_with_a_noun_is_a_total_but_alle_andre_is_a_part():
    assert total_member(["Hjemmesykepleie", "Korttidsopphold", "Alle tjenester"]) == "Alle tjenester"
    assert total_member(["Hjemmesykepleie", "Alle andre tjenester"]) is None
    assert total_member(["Hjemmesykepleie", "Alle øvrige"]) is None


def test_a_service_total_is_named_as_the_one_to_choose_not_summed(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "kpr.csv",
        "Kommune;Tjenestetype;År;Antall\nLillestrøm;Hjemmesykepleie;2023;50\nLillestrøm;Korttidsopphold;2023;38\n"
        "Lillestrøm;Alle tjenester;2023;88\n",
    )
    report = fresh_loader.ingest(path, "dho_bed_days_before")
    assert report.refused.endswith(
        "der «Alle tjenester» er summen av de andre: velg totalen «Alle tjenester» "
        '(--where Tjenestetype="Alle tjenester").'
    ), report.refused
    assert "summer (--sum)" not in report.refused
    assert export_lines(fresh_loader)[1:] == []


# -- two files with a byte order mark each, run together ----------------------------------------


def test_a_repeated_header_after_a_byte_order_mark_is_named_as_a_second_table(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "to_filer.csv",
        "\ufeffKommune;Måned;Antall\r\nLillestrøm;2024-01;14\r\n\ufeffKommune;Måned;Antall\r\nLørenskog;2024-01;7\r\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert not report.ok
    assert "har overskriftsraden («Kommune», «Måned», «Antall») igjen på linje 3" in report.refused, (
        report.refused,
        report.problem_lines(),
    )
    assert export_lines(fresh_loader)[1:] == []


# -- values: a scale named in the value column's header ------------------------------------------


@pytest.mark.parametrize(
    ("header", "indicator", "said"),
    [
        (
            "Antall per 100 000 innbyggere",
            "hip_fractures",
            "som er en rate, men «Antall hoftebrudd» er et antall",
        ),
        ("Rate per 1000", "hip_fractures", "som er en rate, men «Antall hoftebrudd» er et antall"),
        (
            "Folkemengde (1 000 personer)",
            "population_total",
            "som er oppgitt i tusen, men «Folkemengde» er et antall",
        ),
        ("Personer (1 000)", "population_total", "som er oppgitt i tusen"),
        ("Andel (‰)", "referral_quality_share", "som er i promille eller per innbyggere"),
    ],
)
def test_a_value_column_in_another_scale_is_refused_in_one_sentence(
    fresh_loader, tmp_path, header, indicator, said
):
    path = write_csv(
        tmp_path / "skala.csv", f"Kommune;År;{header}\n3205 Lillestrøm;2023;92,4\n3222 Lørenskog;2023;50\n"
    )
    report = fresh_loader.ingest(path, indicator)
    assert not report.ok
    assert (
        report.refused
        == f"Filen «skala.csv» har verdikolonnen «{header}», {said}" + report.refused.split(said)[1]
    )
    assert report.refused.replace("skala.csv", "").count(".") == 1 and report.refused.endswith("."), (
        report.refused
    )
    assert export_lines(fresh_loader)[1:] == []


@pytest.mark.backend_free
def test_per_1000_in_a_header_is_no_year():
    from loaders.normalise import guess_roles

    roles = guess_roles(["Kommune", "Måned", "Rate per 1000"])
    assert roles.value == "Rate per 1000" and roles.wide == []


def test_a_rate_beside_the_count_is_left_unused_not_refused(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "rate.csv", "Kommune;Måned;Antall;Rate per 1000\nLillestrøm;2024-01;14;0,15\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.refused
    assert _lines(fresh_loader) == ["hip_fractures,3205,2024M01,14,false"]


def test_dots_between_thousands_in_a_count_file_are_thousands_marks(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "folk.csv",
        "Kommune;År;Personer\n3205 Lillestrøm;2024;92.419\n3222 Lørenskog;2024;50.102\n3242 Hurdal;2024;2870\n",
    )
    report = fresh_loader.ingest(path, "population_total")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == [
        "population_total,3205,2024,92419,false",
        "population_total,3222,2024,50102,false",
        "population_total,3242,2024,2870,false",
    ]
    assert not any("hele tall" in n for n in report.notes), report.notes
    assert any("Punktum i tallene er lest som tusenskille" in n for n in report.notes), report.notes


def test_a_dot_that_is_no_thousands_mark_keeps_a_count_file_as_before(fresh_loader, tmp_path):
    path = write_csv(
        tmp_path / "folk.csv", "Kommune;År;Personer\n3205 Lillestrøm;2024;92.419\n3222 Lørenskog;2024;50.5\n"
    )
    report = fresh_loader.ingest(path, "population_total")
    assert _lines(fresh_loader) == [
        "population_total,3205,2024,92.419,false",
        "population_total,3222,2024,50.5,false",
    ]
    assert any("hele tall" in n for n in report.notes), report.notes


def test_dots_in_a_share_file_stay_decimal_points(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "andel.csv", "Kommune;År;Andel\nLillestrøm;2023;81.500\n")
    report = fresh_loader.ingest(path, "referral_quality_share")
    assert report.ok, report.problem_lines()
    assert _lines(fresh_loader) == ["referral_quality_share,3205,2023,81.5,false"]


def test_the_unicode_minus_sign_is_a_minus(fresh_loader, tmp_path):
    path = write_csv(tmp_path / "minus.csv", "Kommune;År;Andel (%)\nLillestrøm;2023;\u22123,5\n")
    report = fresh_loader.ingest(path, "referral_quality_share")
    lines = report.problem_lines()
    assert len(lines) == 1 and "er negativt" in lines[0], lines


@pytest.mark.backend_free
def test_a_year_label_before_the_year_is_no_part_of_it():
    assert parse_period("År 2023") == (dt.date(2023, 1, 1), "year")
    assert parse_period("Year 2023") == (dt.date(2023, 1, 1), "year")
    assert parse_period("År") is None
