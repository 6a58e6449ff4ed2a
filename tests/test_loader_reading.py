"""Reading files as exported: encodings, delimiters, header rows, Excel, periods, units, numbers."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.normalise import UnitMatch, guess_roles, parse_period, parse_subperiod
from loaders.reading import detect_encoding, open_table, sniff_delimiter
from tests.conftest import CORPUS, ROOT, export_lines, write_csv


@pytest.mark.parametrize(
    "name, encoding, delimiter, header_line",
    [
        ("g01_npr_cp1252_semikolon.csv", "cp1252", ";", 2),
        ("g02_utf8_bom.csv", "utf-8-sig", ";", 1),
        ("g03_utf16le_bom_tab.txt", "utf-16", "\t", 1),
        ("g04_utf16le_uten_bom.csv", "utf-16-le", ";", 1),
        ("g05_utf16be_bom.csv", "utf-16", ";", 1),
        ("g06_iso8859_1.csv", "cp1252", ";", 1),  # 8-bit without 0x80–0x9F: the same bytes
        ("g07_tabulator.tsv", "utf-8", "\t", 1),
        ("g08_komma_anforsel.csv", "utf-8", ",", 1),
        ("g09_tittel_og_fotnoter.csv", "utf-8", ";", 4),
    ],
)
def test_the_reader_guesses_encoding_delimiter_and_header(name, encoding, delimiter, header_line):
    with open_table(CORPUS / name) as table:
        guess = table.guess
    assert (guess.encoding, guess.delimiter, guess.header_line) == (encoding, delimiter, header_line)


@pytest.mark.parametrize(
    "name",
    ["g01_npr_cp1252_semikolon.csv", "g03_utf16le_bom_tab.txt", "g05_utf16be_bom.csv", "g06_iso8859_1.csv"],
)
def test_norwegian_letters_come_out_right_in_every_encoding(fresh_loader, name):
    indicator = "fall_injury_admissions" if name.startswith("g01") else "hip_fractures"
    report = fresh_loader.preview(CORPUS / name, indicator)
    assert report.ok, report.summary()
    units = " ".join(report.head.iloc[:, 0].astype(str))
    assert any(word in units for word in ("Lørenskog", "Rælingen", "Aurskog-Høland", "Sør-Odal"))
    assert "Ã" not in units and "\ufffd" not in units  # no UTF-8 read as Latin-1, no replacement chars


def test_windows_1252_with_dashes_is_transcoded_and_latin1_is_read_directly(fresh_loader):
    copied = fresh_loader.preview(CORPUS / "g01_npr_cp1252_semikolon.csv", "fall_injury_admissions")
    direct = fresh_loader.preview(CORPUS / "g06_iso8859_1.csv", "hip_fractures")
    assert any("gjort om til UTF-8" in note for note in copied.notes)
    assert not any("gjort om til UTF-8" in note for note in direct.notes)


def test_a_file_that_turns_out_not_to_be_utf8_after_the_sample(fresh_loader, tmp_path):
    """The first 256 KB are plain ASCII; a windows-1252 «ø» comes only further down."""
    codes = [u for u in fresh_loader.board.units["unit_id"] if u.isdigit() and len(u) == 4][:30]
    rows = [
        f"{code} kommune (testrad med lang tekst);{year}M{month:02d};{month}"
        for code in codes
        for year in range(2000, 2024)
        for month in range(1, 13)
    ]
    text = "Kommune;Periode;Antall\r\n" + "\r\n".join(rows) + "\r\nLørenskog;2024M01;5\r\n"
    path = tmp_path / "late.csv"
    path.write_bytes(text.encode("cp1252"))
    assert len(text) > 256 * 1024
    report = fresh_loader.preview(path, "hip_fractures")
    assert report.ok, report.summary()
    assert report.guess.encoding == "cp1252"
    assert report.stats.facts == len(rows) + 1


def test_detect_encoding_rules():
    assert detect_encoding("Kommune;Lørenskog".encode()) == "utf-8"
    assert detect_encoding("Kommune;Lørenskog".encode("cp1252")) == "cp1252"
    assert detect_encoding("Kommune;Antall".encode("utf-16-le")) == "utf-16-le"
    assert detect_encoding("Kommune;Antall".encode("utf-16-be")) == "utf-16-be"


def test_sniff_delimiter_is_not_fooled_by_decimal_commas():
    assert sniff_delimiter("Kommune;Periode;Andel\n3205;2024;1,5\n3222;2024;2,5\n") == ";"
    assert sniff_delimiter('Kommune,Periode,Andel\n3205,2024,"1,5"\n3222,2024,"2,5"\n') == ","
    assert sniff_delimiter("Kommune\tPeriode\tAndel\n3205\t2024\t1,5\n") == "\t"


def test_excel_reads_the_first_sheet_or_the_named_one(fresh_loader):
    with open_table(CORPUS / "g10_excel_sammenslatt_tittel.xlsx") as table:
        assert (table.guess.format, table.guess.header_line) == ("excel", 3)
        assert table.guess.columns == ["Kommune", "Periode", "Antall"]
    report = fresh_loader.preview(CORPUS / "g11_excel_ark.xlsx", "hip_fractures")
    # the first sheet is a note, not a table: the first sheet with a table is read, and named
    assert report.ok and report.stats.facts == 1
    assert "Tabellen er lest fra arket «Data»; arket «Om» har ingen tabell." in report.notes
    from loaders.ingest import Choices

    report = fresh_loader.preview(
        CORPUS / "g11_excel_ark.xlsx", "hip_fractures", choices=Choices(sheet="Data")
    )
    assert report.ok and report.stats.facts == 1
    report = fresh_loader.preview(
        CORPUS / "g11_excel_ark.xlsx", "hip_fractures", choices=Choices(sheet="Nei")
    )
    assert report.refused == "Filen «g11_excel_ark.xlsx» har ikke arket «Nei» (arkene heter Om, Data)."


def test_the_corpus_script_is_deterministic(tmp_path):
    """The committed files are exactly what tests/make_corpus.py writes."""
    subprocess.run(
        [sys.executable, str(ROOT / "tests" / "make_corpus.py"), "--out", str(tmp_path)], check=True, cwd=ROOT
    )
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in CORPUS.iterdir() if p.is_file())
    for name in made:
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024", (dt.date(2024, 1, 1), "year")),
        ("2024K1", (dt.date(2024, 1, 1), "quarter")),
        ("2024k4", (dt.date(2024, 10, 1), "quarter")),
        ("2. kvartal 2024", (dt.date(2024, 4, 1), "quarter")),
        ("2024M01", (dt.date(2024, 1, 1), "month")),
        ("2024-01", (dt.date(2024, 1, 1), "month")),
        ("jan 2024", (dt.date(2024, 1, 1), "month")),
        ("Desember 2023", (dt.date(2023, 12, 1), "month")),
        ("01.01.2024", (dt.date(2024, 1, 1), "month")),
        ("15.02.2024", (dt.date(2024, 2, 1), "month")),  # never truncated to a quarter
        ("2024-01-01", (dt.date(2024, 1, 1), "month")),
        ("2024-05-31 00:00:00", (dt.date(2024, 5, 1), "month")),
        ("2024M13", None),
        ("31.02.2024", None),
        ("i fjor", None),
        ("jan.25", (dt.date(2025, 1, 1), "month")),  # Excel's 'mmm.yy' in Norwegian
        ("des.24", (dt.date(2024, 12, 1), "month")),
        ("Jan-25", (dt.date(2025, 1, 1), "month")),
        ("25. jan", None),  # a day, not a month
        ("fjor.25", None),
        ("2025U05", None),
        ("2023/2024", None),
    ],
)
def test_period_formats(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "cell, said",
    [
        ("2025U05", "«2025U05» er en uke; tavla tar ikke ukestall"),
        ("2025-W05", "«2025-W05» er en uke; tavla tar ikke ukestall"),
        ("uke 5 2025", "«uke 5 2025» er en uke; tavla tar ikke ukestall"),
        ("2023/2024", "«2023/2024» er en periode over et årsskifte (f.eks. et skoleår)"),
        ("2023/24", "«2023/24» er en periode over et årsskifte (f.eks. et skoleår)"),
        ("", "en tom celle er ikke en gyldig periode"),
        ("i fjor", "«i fjor» er ikke en gyldig periode"),
    ],
)
def test_a_week_or_a_school_year_is_refused_as_what_it_is(fresh_loader, tmp_path, cell, said):
    path = write_csv(tmp_path / "p.csv", f"Kommune;Periode;Antall\n3205;{cell};7\n")
    lines = fresh_loader.ingest(path, "hip_fractures").problem_lines()
    assert len(lines) == 1 and lines[0].startswith(f"Linje 2, kolonne «Periode»: {said}"), lines


def test_year_and_quarter_or_month_in_two_columns():
    assert parse_subperiod("2024", "K2", "quarter") == (dt.date(2024, 4, 1), "quarter")
    assert parse_subperiod("2024", "3. kvartal", "quarter") == (dt.date(2024, 7, 1), "quarter")
    assert parse_subperiod("2024", "mar", "month") == (dt.date(2024, 3, 1), "month")
    assert parse_subperiod("2024", "13", "month") is None


@pytest.mark.parametrize(
    "text, unit_id, source, current",
    [
        ("3205", "3205", "3205", True),
        ("3205 Lillestrøm", "3205", "3205", True),
        ("K-3205", "3205", "3205", True),
        ("Lillestrøm", "3205", "3205", True),
        ("lillestrøm kommune", "3205", "3205", True),
        ("0231 Skedsmo", "3205", "0231", False),
        ("231", "3205", "0231", False),  # Excel dropped the leading zero
        ("Skedsmo", "3205", "0231", False),
        ("3030 Lillestrøm", "3205", "3030", False),
        ("Alna", "030112", "030112", True),
        ("Bydel Stovner", "030111", "030111", True),
        ("030110", "030110", "030110", True),
    ],
)
def test_units_by_code_name_and_code_history(fresh_loader, text, unit_id, source, current):
    assert fresh_loader.resolver.resolve(text) == UnitMatch(unit_id, source, current)


def test_totals_and_unknown_units(fresh_loader):
    resolver = fresh_loader.resolver
    for total in ("Hele Ahus", "Totalt", "Sum", "I alt", "Alle kommuner"):
        assert resolver.is_total(total)
    assert not resolver.is_total("Lillestrøm")
    assert resolver.resolve("9999 Atlantis") is None
    assert resolver.resolve("1850 Tysfjord") == "split"


def test_column_roles_are_guessed_from_names():
    roles = guess_roles(["Kommune", "År", "Kvartal", "Antall"])
    assert (roles.unit, roles.year, roles.subperiod, roles.value) == ("Kommune", "År", "Kvartal", "Antall")
    wide = guess_roles(["Kommune", "2019", "2020", "2021"])
    assert wide.wide == ["2019", "2020", "2021"] and wide.period is None
    fraction = guess_roles(["Bostedskommune", "Periode", "Teller", "Nevner"])
    assert (fraction.unit, fraction.numerator, fraction.denominator) == ("Bostedskommune", "Teller", "Nevner")


@pytest.mark.parametrize(
    "cell, value",
    [
        ("12", "12"),
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ('"1 234,5"', "1234.5"),
        ('"1\u00a0234,5"', "1234.5"),
        ('"1\u202f234"', "1234"),
        ("1.234,5", "1234.5"),
        ('"1,234.5"', "1234.5"),
        ("12 %", "12"),
        (" 7 ", "7"),
        ("0", "0"),
    ],
)
def test_numbers_as_sources_write_them(fresh_loader, tmp_path, cell, value):
    path = write_csv(tmp_path / "n.csv", f"Kommune;Periode;Antall\n3205;2024M01;{cell}\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert export_lines(fresh_loader)[1] == f"hip_fractures,3205,2024M01,{value},false"


@pytest.mark.parametrize(
    "first, other, value",
    [
        ("1.234", "2.345,0", "1234"),  # the file writes a decimal comma: '.' is its thousands mark
        ("1.234", "12,5", "1234"),
        ('"1,234"', "12.5", "1234"),  # a decimal point: ',' is the thousands mark
        ("1.234", "12.5", "1.234"),  # a decimal point elsewhere: 1.234 stays 1.234
        # no evidence in the file, but a count of whole cases: '.' separates thousands (tryout5)
        ("1.234", "12", "1234"),
        ("0.234", "12", "0.234"),  # a leading 0 is no thousands: a decimal mark (and a note)
        ("1.234.567", "12,5", "1234567"),
    ],
)
def test_a_thousands_mark_is_read_as_the_file_itself_shows_it(fresh_loader, tmp_path, first, other, value):
    path = write_csv(
        tmp_path / "t.csv", f"Kommune;Periode;Antall\n3205;2024M01;{first}\n3222;2024M01;{other}\n"
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert export_lines(fresh_loader)[1] == f"hip_fractures,3205,2024M01,{value},false"


@pytest.mark.parametrize("cell", ["..", ":", ".", "*", "-", "x", "X", "<5", "< 3", " : ", ""])
def test_suppressed_markers_are_missing_never_zero(fresh_loader, tmp_path, cell):
    path = write_csv(tmp_path / "s.csv", f"Kommune;Periode;Antall\n3205;2024M01;{cell}\n3222;2024M01;1\n")
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert export_lines(fresh_loader)[1] == "hip_fractures,3205,2024M01,,true"


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(fresh_loader, tmp_path):
    text = (
        "Tittel\r\n\r\nKommune;Periode;Antall\r\n"  # header on line 3
        "3205;2024M01;1\r\n\r\n"  # line 4, blank 5
        '"3222";"2024M01";"2"\r\n'  # line 6
        '"9999\r\nAtlantis";2024M01;3\r\n'  # lines 7–8: one row, an unknown unit
        "3232;2024M01;tolv\r\n"  # line 9
    )
    report = fresh_loader.preview(write_csv(tmp_path / "l.csv", text), "hip_fractures")
    assert [(p.line, p.column) for p in report.problems] == [(7, "Kommune"), (9, "Antall")]


def test_footnotes_below_the_table_are_skipped_and_said(fresh_loader):
    report = fresh_loader.preview(CORPUS / "g09_tittel_og_fotnoter.csv", "hip_fractures")
    assert report.ok
    assert any("2 rader med fotnoter" in n for n in report.notes)


def test_profile_names_columns_the_reader_cannot_guess(fresh_loader):
    path: Path = CORPUS / "g27_profil_npr_fallskade.csv"
    guessed = fresh_loader.preview(path, "fall_injury_admissions")
    assert guessed.refused and "mangler en kolonne for periode" in guessed.refused
    profiled = fresh_loader.preview(path, None, "npr_fallskade")
    assert profiled.ok and profiled.roles.period == "Utskrivingsmåned"


def test_excel_formulas_are_read_as_the_values_excel_saved_and_the_preview_says_so(fresh_loader):
    report = fresh_loader.preview(CORPUS / "g32_excel_formler_med_verdi.xlsx", "hip_fractures")
    assert report.ok, report.problem_lines()
    assert "2 celler i tabellen er formler; verdiene Excel sist regnet ut er lest." in report.notes
    plain = fresh_loader.preview(CORPUS / "g31_excel_datoer.xlsx", "hip_fractures")
    assert not [n for n in plain.notes if "formler" in n]  # a workbook without formulas: no note


def _workbook(path: Path, sheets: dict[str, str], prefix: str = "") -> Path:
    """The parts of an .xlsx that the formula search reads: workbook, its relations, sheets
    (`prefix` "x": sheets written as <x:worksheet>, as the OpenXML SDK does)."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    entries = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheets, 1))
    targets = "".join(
        f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1)
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{entries}</sheets></workbook>',
        )
        archive.writestr("xl/_rels/workbook.xml.rels", f"<Relationships>{targets}</Relationships>")
        for i, cells in enumerate(sheets.values(), 1):
            x, xmlns = (f"{prefix}:", f"xmlns:{prefix}") if prefix else ("", "xmlns")
            archive.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<{x}worksheet {xmlns}="{main}"><{x}sheetData>{cells}</{x}sheetData></{x}worksheet>',
            )
    return path


def testformula_cells_are_found_in_the_chosen_sheet_with_whether_a_value_was_saved(tmp_path):
    from loaders.reading import formula_cells

    book = _workbook(
        tmp_path / "formler.xlsx",
        {
            "Annet": '<row r="1"><c r="A1"><f>1+1</f><v></v></c></row>',
            "Tall": (
                '<row r="2"><c r="C2"><f>SUM(A1:B1)&gt;0</f><v>1</v></c>'  # saved
                '<c r="D2" t="str"><f>IF(A1,"","x")</f><v></v></c></row>'  # saved: an empty text
                '<row r="3"><c r="C3"><f t="shared" ref="C3:C4" si="0">A3*2</f></c>'  # none saved
                '<c r="AA3"><f t="shared" si="0"/><v>4</v></c></row>'  # shared, saved
            ),
        },
    )
    assert formula_cells(book, "Tall") == [
        (1, 2, "=SUM(A1:B1)>0", True),
        (1, 3, '=IF(A1,"","x")', True),
        (2, 2, "=A3*2", False),
        (2, 26, "(formel)", True),
    ]
    assert formula_cells(book, "Annet") == [(0, 0, "=1+1", False)]
    assert formula_cells(book, "Finnes ikke") == []


def testformula_cells_with_a_namespace_prefix_and_in_files_that_are_no_xlsx(tmp_path):
    from loaders.reading import formula_cells

    prefixed = _workbook(  # the SDK style: <x:c>, <x:f>
        tmp_path / "x.xlsx", {"Ark1": '<x:row r="5"><x:c r="B5"><x:f>2*3</x:f></x:c></x:row>'}, prefix="x"
    )
    assert formula_cells(prefixed, "Ark1") == [(4, 1, "=2*3", False)]
    not_zip = tmp_path / "gammel.xls"
    not_zip.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    assert formula_cells(not_zip, "Ark1") == []


# -- older municipality codes in national files (tryout2) -------------------------------------


def test_older_codes_of_municipalities_elsewhere_are_skipped_not_refused(fresh_loader, tmp_path):
    """A national 2023 file has Ålesund 1507 (split 2024 into Ålesund and Haram, neither on the
    board); a 2019 file has «1201 Bergen». Both are rows for somewhere else, skipped and counted.
    The board's own names with a code nobody knows stay a problem."""
    path = write_csv(
        tmp_path / "nasjonal.csv",
        "Kommune;År;Antall\n1507 Ålesund;2023;70\n1201 Bergen;2019;10\n3030 Lillestrøm;2023;88\n",
    )
    report = fresh_loader.ingest(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert report.stats.outside == 2
    assert export_lines(fresh_loader)[1:] == ["hip_fractures,3205,2023,88,false"]
    wrong = write_csv(tmp_path / "feil.csv", "Kommune;År;Antall\n9999 Lillestrøm;2019;10\n")
    refused = fresh_loader.ingest(wrong, "hip_fractures")
    assert refused.problem_lines() == [
        "Linje 2, kolonne «Kommune»: «9999 Lillestrøm» er ikke en kjent kommune, bydel eller region (fil «feil.csv»)"
    ]


def test_the_preview_of_a_wide_file_keeps_each_rows_periods_in_order(fresh_loader, tmp_path):
    years = [str(y) for y in range(2010, 2022)]
    path = write_csv(
        tmp_path / "bred.csv",
        "Kommune;"
        + ";".join(years)
        + "\n"
        + "".join(f"{c};" + ";".join("7" * len(years)) + "\n" for c in ("3205", "3222")),
    )
    report = fresh_loader.preview(path, "hip_fractures")
    assert report.ok, report.problem_lines()
    assert list(report.parsed["Periode"]) == (years * 2)[: len(report.parsed)]
    assert len(report.parsed) >= 10
