"""Write the loader's test corpus: tests/files/* and the manifest tests/files/expected.yaml.

Every file is made here from rows written out by hand, so what each good file must load to (its
rows in `python -m loaders export`) and what each bad file must be refused with are known
without running the loader. Deterministic: the same bytes on every run, .xlsx files included
(fixed document dates and zip timestamps), so the committed files can be checked against it.

Run: python tests/make_corpus.py [--out DIR]
"""

from __future__ import annotations

import argparse
import codecs
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "files"
FIXED = (2024, 1, 1, 0, 0, 0)


@dataclass
class Case:
    file: str
    about: str
    data: bytes
    indicator: str | None = None
    profile: str | None = None
    sheet: str | None = None
    rows: list[tuple[str, str, str | None]] = field(default_factory=list)  # unit, period, value
    message: str | None = None  # refused: a fragment of the (first) message
    problems: int | None = None  # refused: how many problems in all


def text(lines: list[list[str]], delimiter: str = ";", title: list[str] = (), footer: list[str] = ()) -> str:
    """Rows as an export writes them (CRLF), with title lines above and footnotes below."""
    body = [delimiter.join(cells) for cells in lines]
    return "\r\n".join([*title, *body, *footer]) + "\r\n"


def xlsx(
    sheets: dict[str, list[list[object]]],
    merge: dict[str, str] | None = None,
    saved: dict[str, str] | None = None,
) -> bytes:
    """An .xlsx written with openpyxl, then re-zipped with fixed timestamps (same bytes each run).

    openpyxl saves a formula (a cell "=10+2") without its value, as a program does; `saved`
    (formula → value) writes the value beside it, as Excel does when it saves the file.
    """
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if merge and name in merge:
            sheet.merge_cells(merge[name])
    book.properties.created = book.properties.modified = dt.datetime(2024, 1, 1)
    raw = io.BytesIO()
    book.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", content)
            for formula, value in (saved or {}).items():
                empty = f"<f>{formula.lstrip('=')}</f><v></v>".encode()
                content = content.replace(empty, f"<f>{formula.lstrip('=')}</f><v>{value}</v>".encode())
            target.writestr(info, content)
    return fixed.getvalue()


MONTHS = ["2024M01", "2024M02", "2024M03"]
NPR_TITLE = ["NPR-uttrekk – innleggelser med fallskade, Ahus (testfil)"]
NPR_FOOTER = ["", "Kilde: Norsk pasientregister – testdata. «:» = skjult (færre enn 5)."]


def good_cases() -> list[Case]:
    cases = []
    # 1. NPR as exported: windows-1252 (a «–» forces the transcoding path), ; and decimal comma
    rows = [
        ("3205 Lillestrøm", "2024M01", "12"),
        ("3205 Lillestrøm", "2024M02", "14"),
        ("3205 Lillestrøm", "2024M03", ":"),
        ("3222 Lørenskog", "2024M01", "7"),
        ("3222 Lørenskog", "2024M02", "8,5"),
        ("3222 Lørenskog", "2024M03", "9"),
        ("3224 Rælingen", "2024M01", "3"),
        ("3224 Rælingen", "2024M02", "0"),
        ("3224 Rælingen", "2024M03", "5"),
    ]
    cases.append(
        Case(
            "g01_npr_cp1252_semikolon.csv",
            "NPR: windows-1252 med «–», semikolon, desimalkomma, tittel og fotnote",
            text(
                [["Kommune", "Periode", "Antall"], *[list(r) for r in rows]],
                title=NPR_TITLE,
                footer=NPR_FOOTER,
            ).encode("cp1252"),
            indicator="fall_injury_admissions",
            rows=[
                ("3205", "2024M01", "12"),
                ("3205", "2024M02", "14"),
                ("3205", "2024M03", None),
                ("3222", "2024M01", "7"),
                ("3222", "2024M02", "8.5"),
                ("3222", "2024M03", "9"),
                ("3224", "2024M01", "3"),
                ("3224", "2024M02", "0"),
                ("3224", "2024M03", "5"),
            ],
        )
    )
    names = [("3226 Aurskog-Høland", "3226"), ("3415 Sør-Odal", "3415"), ("3218 Ås", "3218")]
    plain = [
        [n, p, str(i + j)] for i, (n, _) in enumerate(names) for j, p in enumerate(["2023M11", "2023M12"])
    ]
    expected = [
        (c, p, str(i + j)) for i, (_, c) in enumerate(names) for j, p in enumerate(["2023M11", "2023M12"])
    ]
    body = text([["Kommune", "Periode", "Antall"], *plain])
    cases.append(
        Case(
            "g02_utf8_bom.csv",
            "UTF-8 med BOM, æøå i navn",
            codecs.BOM_UTF8 + body.encode("utf-8"),
            indicator="hip_fractures",
            rows=expected,
        )
    )
    tab = text([["Kommune", "Periode", "Antall"], *plain], delimiter="\t")
    cases.append(
        Case(
            "g03_utf16le_bom_tab.txt",
            "UTF-16 LE med BOM og tabulator (Excels «Unicode-tekst»)",
            codecs.BOM_UTF16_LE + tab.encode("utf-16-le"),
            indicator="hip_fractures",
            rows=expected,
        )
    )
    cases.append(
        Case(
            "g04_utf16le_uten_bom.csv",
            "UTF-16 LE uten BOM",
            body.encode("utf-16-le"),
            indicator="hip_fractures",
            rows=expected,
        )
    )
    cases.append(
        Case(
            "g05_utf16be_bom.csv",
            "UTF-16 BE med BOM (kopieres til UTF-8)",
            codecs.BOM_UTF16_BE + body.encode("utf-16-be"),
            indicator="hip_fractures",
            rows=expected,
        )
    )
    cases.append(
        Case(
            "g06_iso8859_1.csv",
            "ISO-8859-1 (ingen byte 0x80–0x9F: leses direkte)",
            body.encode("latin-1"),
            indicator="hip_fractures",
            rows=expected,
        )
    )
    cases.append(
        Case(
            "g07_tabulator.tsv",
            "UTF-8 med tabulator",
            tab.encode("utf-8"),
            indicator="hip_fractures",
            rows=expected,
        )
    )
    # 8. comma-delimited with quoted decimal commas and thousands separators (space and NBSP)
    quoted = (
        "Kommune,År,Liggedøgn per pasient\r\n"
        '"3205 Lillestrøm","2022","1 234,5"\r\n'
        '"3205 Lillestrøm","2023","2\u00a0345,5"\r\n'
        '"3222 Lørenskog","2022","1.234,25"\r\n'
        '"3222 Lørenskog","2023","9,75"\r\n'
    )
    cases.append(
        Case(
            "g08_komma_anforsel.csv",
            "komma som skilletegn, «1 234,5» i anførselstegn, NBSP og punktum som tusenskille",
            quoted.encode("utf-8"),
            indicator="dho_bed_days_before",
            rows=[
                ("3205", "2022", "1234.5"),
                ("3205", "2023", "2345.5"),
                ("3222", "2022", "1234.25"),
                ("3222", "2023", "9.75"),
            ],
        )
    )
    # 9. title and note rows above, notes below (with a blank line inside the table)
    lines = [
        "Rapport: hoftebrudd per måned",
        "Uttrekksdato: 15.04.2024;;",
        "",
        "Kommune;Periode;Antall",
        "3205 Lillestrøm;2024M01;4",
        "",
        "3205 Lillestrøm;2024M02;6",
        "3222 Lørenskog;2024M01;2",
        "",
        "Merknad: tall under 5 er ikke skjult i denne testfilen.",
        "Kilde: NPR",
    ]
    cases.append(
        Case(
            "g09_tittel_og_fotnoter.csv",
            "tittellinjer over og fotnoter under tabellen, blank linje inni",
            ("\r\n".join(lines) + "\r\n").encode("utf-8"),
            indicator="hip_fractures",
            rows=[("3205", "2024M01", "4"), ("3205", "2024M02", "6"), ("3222", "2024M01", "2")],
        )
    )
    # 10. Excel with a merged title cell above the header
    cases.append(
        Case(
            "g10_excel_sammenslatt_tittel.xlsx",
            "Excel (.xlsx) med sammenslått tittelcelle, tall som tall",
            xlsx(
                {
                    "Fallskader": [
                        ["Innleggelser med fallskade 2024 – testfil", None, None],
                        [None, None, None],
                        ["Kommune", "Periode", "Antall"],
                        ["3205 Lillestrøm", "2024M01", 12],
                        ["3205 Lillestrøm", "2024M02", 13.5],
                        ["3232 Nittedal", "2024M01", 4],
                        ["3232 Nittedal", "2024M02", ":"],
                    ]
                },
                merge={"Fallskader": "A1:C1"},
            ),
            indicator="fall_injury_admissions",
            rows=[
                ("3205", "2024M01", "12"),
                ("3205", "2024M02", "13.5"),
                ("3232", "2024M01", "4"),
                ("3232", "2024M02", None),
            ],
        )
    )
    cases.append(
        Case(
            "g11_excel_ark.xlsx",
            "Excel med tabellen på ark nummer to (--sheet Data)",
            xlsx(
                {
                    "Om": [["Om uttrekket"], ["Testfil for arkvalg"]],
                    "Data": [["Kommune", "Periode", "Antall"], ["3209 Ullensaker", "2024M01", 5]],
                }
            ),
            indicator="hip_fractures",
            sheet="Data",
            rows=[("3209", "2024M01", "5")],
        )
    )
    # 12–14. wide: one column per year, quarter, month
    cases.append(
        Case(
            "g12_bred_aar.csv",
            "bred tabell, én kolonne per år (andel i prosent)",
            text(
                [
                    ["Kommune", "2021", "2022", "2023"],
                    ["3205 Lillestrøm", "55", "62,5", "70"],
                    ["3228 Nes", "40", "..", "48,2"],
                ]
            ).encode("utf-8"),
            indicator="referral_quality_share",
            rows=[
                ("3205", "2021", "55"),
                ("3205", "2022", "62.5"),
                ("3205", "2023", "70"),
                ("3228", "2021", "40"),
                ("3228", "2022", None),
                ("3228", "2023", "48.2"),
            ],
        )
    )
    cases.append(
        Case(
            "g13_bred_kvartal.csv",
            "bred tabell, én kolonne per kvartal",
            text(
                [
                    ["Kommune", "2023K3", "2023K4", "2024K1"],
                    ["3240 Eidsvoll", "1", "3", "4"],
                    ["3238 Nannestad", "0", "2", "6"],
                ]
            ).encode("utf-8"),
            indicator="iht_patients",
            rows=[
                ("3238", "2023K3", "0"),
                ("3238", "2023K4", "2"),
                ("3238", "2024K1", "6"),
                ("3240", "2023K3", "1"),
                ("3240", "2023K4", "3"),
                ("3240", "2024K1", "4"),
            ],
        )
    )
    cases.append(
        Case(
            "g14_bred_maaned.csv",
            "bred tabell, én kolonne per måned",
            text([["Kommune", "2023M01", "2023M02", "2023M03"], ["3242 Hurdal", "10", "11", "12"]]).encode(
                "utf-8"
            ),
            indicator="dho_active_patients",
            rows=[("3242", "2023M01", "10"), ("3242", "2023M02", "11"), ("3242", "2023M03", "12")],
        )
    )
    # 15–16. period split over two columns
    cases.append(
        Case(
            "g15_aar_og_kvartal.csv",
            "År og Kvartal i hver sin kolonne (1, K2, 3. kvartal)",
            text(
                [
                    ["År", "Kvartal", "Kommune", "Antall"],
                    ["2024", "1", "3230 Gjerdrum", "2"],
                    ["2024", "K2", "3230 Gjerdrum", "3"],
                    ["2024", "3. kvartal", "3230 Gjerdrum", "1"],
                ]
            ).encode("utf-8"),
            indicator="iht_pathways",
            rows=[("3230", "2024K1", "2"), ("3230", "2024K2", "3"), ("3230", "2024K3", "1")],
        )
    )
    cases.append(
        Case(
            "g16_aar_og_maaned.csv",
            "År og Måned i hver sin kolonne (1, 02, mar, april)",
            text(
                [
                    ["Kommunenr", "År", "Måned", "Antall"],
                    ["3207", "2024", "1", "20"],
                    ["3207", "2024", "02", "21"],
                    ["3207", "2024", "mar", "22"],
                    ["3207", "2024", "april", "23"],
                ]
            ).encode("cp1252"),
            indicator="falls_registered",
            rows=[
                ("3207", "2024M01", "20"),
                ("3207", "2024M02", "21"),
                ("3207", "2024M03", "22"),
                ("3207", "2024M04", "23"),
            ],
        )
    )
    # 17–20. period formats
    formats = [
        (
            "g17_periode_2024-01.csv",
            "perioder som 2024-01",
            ["2024-01", "2024-02"],
            "hip_fractures",
            ["2024M01", "2024M02"],
        ),
        (
            "g18_periode_jan_2024.csv",
            "perioder som «jan 2024», «feb. 2024», «mars 2024»",
            ["jan 2024", "feb. 2024", "mars 2024"],
            "hip_fractures",
            ["2024M01", "2024M02", "2024M03"],
        ),
        (
            "g19_periode_dato.csv",
            "perioder som 01.01.2024",
            ["01.01.2024", "01.02.2024"],
            "hip_fractures",
            ["2024M01", "2024M02"],
        ),
        (
            "g20_periode_iso_dato.csv",
            "ISO-datoer for en kvartalsindikator: lagres som måneder, aldri avkortet til kvartal",
            ["2024-01-01", "2024-04-01"],
            "iht_patients",
            ["2024M01", "2024M04"],
        ),
    ]
    for name, about, periods, indicator, labels in formats:
        cases.append(
            Case(
                name,
                about,
                text(
                    [
                        ["Kommune", "Periode", "Antall"],
                        *[["3214 Frogn", p, str(i + 1)] for i, p in enumerate(periods)],
                    ]
                ).encode("utf-8"),
                indicator=indicator,
                rows=[("3214", label, str(i + 1)) for i, label in enumerate(labels)],
            )
        )
    # 21. units written every way
    cases.append(
        Case(
            "g21_enheter_k_kode_navn.csv",
            "enheter som «K-3205», «3222», «Rælingen», «Nittedal kommune», «3216 - Vestby»",
            text(
                [
                    ["Kommune", "Periode", "Antall"],
                    ["K-3205", "2024M01", "1"],
                    ["3222", "2024M01", "2"],
                    ["Rælingen", "2024M01", "3"],
                    ["Nittedal kommune", "2024M01", "4"],
                    ["3216 - Vestby", "2024M01", "5"],
                ]
            ).encode("utf-8"),
            indicator="hip_fractures",
            rows=[
                ("3205", "2024M01", "1"),
                ("3216", "2024M01", "5"),
                ("3222", "2024M01", "2"),
                ("3224", "2024M01", "3"),
                ("3232", "2024M01", "4"),
            ],
        )
    )
    # 22. old codes: Skedsmo, Fet and Sørum in 2019 are summed into today's Lillestrøm
    cases.append(
        Case(
            "g22_gamle_koder_sammenslatt.csv",
            "gamle kommunenummer (0231+0227+0226 → 3205, 0230 → 3222, 3030 → 3205) summert",
            text(
                [
                    ["Kommune", "Periode", "Antall"],
                    ["0231 Skedsmo", "2019M01", "3"],
                    ["0227 Fet", "2019M01", "1"],
                    ["0226 Sørum", "2019M01", "2"],
                    ["0231 Skedsmo", "2019M02", ":"],
                    ["0227 Fet", "2019M02", "1"],
                    ["0226 Sørum", "2019M02", "2"],
                    ["0230 Lørenskog", "2019M01", "4"],
                    ["3030 Lillestrøm", "2020M01", "7"],
                    ["3205 Lillestrøm", "2024M01", "8"],
                ]
            ).encode("cp1252"),
            indicator="hip_fractures",
            rows=[
                ("3205", "2019M01", "6"),
                ("3205", "2019M02", None),
                ("3205", "2020M01", "7"),
                ("3205", "2024M01", "8"),
                ("3222", "2019M01", "4"),
            ],
        )
    )
    cases.append(
        Case(
            "g23_oslo_bydeler.csv",
            "Oslo-bydeler ved navn (Alna, Bydel Grorud, Stovner)",
            text(
                [
                    ["Bydel", "Periode", "Antall"],
                    ["Alna", "2024M01", "9"],
                    ["Bydel Grorud", "2024M01", "5"],
                    ["Stovner", "2024M01", "6"],
                ]
            ).encode("utf-8"),
            indicator="hip_fractures",
            rows=[("030110", "2024M01", "5"), ("030111", "2024M01", "6"), ("030112", "2024M01", "9")],
        )
    )
    cases.append(
        Case(
            "g24_totalrader.csv",
            "totalrader («Hele Ahus», «Totalt») lagres som helsefellesskapets verdi; «Sum» uten periode "
            "hoppes over",
            text(
                [
                    ["Kommune", "Periode", "Antall"],
                    ["Hele Ahus", "2024M01", "100"],
                    ["3205 Lillestrøm", "2024M01", "60"],
                    ["3222 Lørenskog", "2024M01", "40"],
                    ["Totalt", "2024M01", "100"],
                    ["Sum", "", "100"],
                ]
            ).encode("utf-8"),
            indicator="hip_fractures",
            rows=[("3205", "2024M01", "60"), ("3222", "2024M01", "40"), ("ahus", "2024M01", "100")],
        )
    )
    cases.append(
        Case(
            "g25_teller_nevner.csv",
            "teller og nevner: andelen regnes ut (0/0 er tom)",
            text(
                [
                    ["Kommune", "Periode", "Teller", "Nevner"],
                    ["1804 Bodø", "2024K1", "9", "12"],
                    ["1804 Bodø", "2024K2", "1", "8"],
                    ["1841 Fauske", "2024K1", "0", "0"],
                ]
            ).encode("cp1252"),
            indicator="stemi_pci_120",
            rows=[("1804", "2024K1", "75"), ("1804", "2024K2", "12.5"), ("1841", "2024K1", None)],
        )
    )
    markers = ["..", ":", ".", "*", "-", "<5", "x", ""]
    cases.append(
        Case(
            "g26_skjulte_celler.csv",
            "skjulte celler: .. : . * - <5 x og tom celle er skjult, aldri null",
            text(
                [
                    ["Kommune", "Periode", "Antall"],
                    *[["3401 Kongsvinger", f"2024M{i + 1:02d}", m] for i, m in enumerate(markers)],
                    ["3401 Kongsvinger", "2024M09", "0"],
                ]
            ).encode("utf-8"),
            indicator="hip_fractures",
            rows=[
                *[("3401", f"2024M{i + 1:02d}", None) for i in range(len(markers))],
                ("3401", "2024M09", "0"),
            ],
        )
    )
    # 27–29. profiles
    npr = text(
        [
            ["Bostedskommune", "Utskrivingsmåned", "Innleggelser med fallskade"],
            ["3205 Lillestrøm", "2024M01", "11"],
            ["3209 Ullensaker", "2024M01", "6"],
        ],
        title=["Fallskaderapport NPR – testfil"],
    )
    cases.append(
        Case(
            "g27_profil_npr_fallskade.csv",
            "profilen npr_fallskade: kolonnenavn leseren ikke gjetter",
            npr.encode("cp1252"),
            profile="npr_fallskade",
            rows=[("3205", "2024M01", "11"), ("3209", "2024M01", "6")],
        )
    )
    cases.append(
        Case(
            "g28_profil_kpr.csv",
            "profilen kpr_fall: kommunenummer, årstall og måned",
            text(
                [
                    ["Kommunenummer", "Årstall", "Måned", "Antall registrerte fall"],
                    ["3220", "2024", "1", "17"],
                    ["3220", "2024", "2", "19"],
                ]
            ).encode("cp1252"),
            profile="kpr_fall",
            rows=[("3220", "2024M01", "17"), ("3220", "2024M02", "19")],
        )
    )
    cases.append(
        Case(
            "g29_profil_iht_status.xlsx",
            "profilen iht_status: Excel, arket «Pasienter», bred per kvartal",
            xlsx(
                {
                    "Forside": [["Statusrapport IHT"]],
                    "Pasienter": [
                        ["Nye pasienter i IHT", None, None],
                        ["Kommune", "2024K1", "2024K2"],
                        ["3401 Kongsvinger", 3, 5],
                        ["3414 Nord-Odal", 1, None],
                    ],
                },
                merge={"Pasienter": "A1:C1"},
            ),
            profile="iht_status",
            rows=[
                ("3401", "2024K1", "3"),
                ("3401", "2024K2", "5"),
                ("3414", "2024K1", "1"),
                ("3414", "2024K2", None),
            ],
        )
    )
    cases.append(
        Case(
            "g30_andel_prosent.csv",
            "rate som verdi: «Andel (%)» med desimalkomma",
            text(
                [
                    ["Kommune", "Periode", "Andel (%)"],
                    ["1860 Vestvågøy", "2024K1", "62,5"],
                    ["1865 Vågan", "2024K1", "40"],
                ]
            ).encode("utf-8"),
            indicator="stroke_thrombolysis_30",
            rows=[("1860", "2024K1", "62.5"), ("1865", "2024K1", "40")],
        )
    )
    import datetime as dt

    cases.append(
        Case(
            "g31_excel_datoer.xlsx",
            "Excel med ekte datoceller som perioder",
            xlsx(
                {
                    "Ark1": [
                        ["Kommune", "Dato", "Antall"],
                        ["3212 Nesodden", dt.datetime(2024, 1, 1), 2],
                        ["3212 Nesodden", dt.datetime(2024, 2, 1), 3.0],
                    ]
                }
            ),
            indicator="hip_fractures",
            rows=[("3212", "2024M01", "2"), ("3212", "2024M02", "3")],
        )
    )
    cases.append(
        Case(
            "g32_excel_formler_med_verdi.xlsx",
            "Excel med formler som Excel har regnet ut og lagret verdien for",
            xlsx(
                {
                    "Ark1": [
                        ["Kommune", "Periode", "Antall"],
                        ["3216 Vestby", "2024M01", "=10+2"],
                        ["3216 Vestby", "2024M02", "=B9*0"],
                        ["3216 Vestby", "2024M03", 4],
                    ]
                },
                saved={"=10+2": "12", "=B9*0": "0"},
            ),
            indicator="hip_fractures",
            rows=[("3216", "2024M01", "12"), ("3216", "2024M02", "0"), ("3216", "2024M03", "4")],
        )
    )
    return cases


def bad_cases() -> list[Case]:
    header = ["Kommune", "Periode", "Antall"]

    def npr(rows: list[list[str]]) -> bytes:
        return text([header, *rows]).encode("utf-8")

    good = [["3205 Lillestrøm", "2024M01", "4"], ["3222 Lørenskog", "2024M01", "2"]]
    # the example: «tolv» on line 14
    tolv = [["3205 Lillestrøm", f"2023M{m:02d}", str(m)] for m in range(1, 13)] + [
        ["3205 Lillestrøm", "2024M01", "tolv"]
    ]
    cases = [
        Case(
            "b01_ukjent_enhet.csv",
            "ukjent enhet",
            npr([*good, ["9999 Atlantis", "2024M01", "3"]]),
            indicator="hip_fractures",
            message="Linje 4, kolonne «Kommune»: «9999 Atlantis» er ikke en kjent kommune, bydel eller region",
        ),
        Case(
            "b02_framtidig_periode.csv",
            "periode fram i tid",
            npr([*good, ["3205 Lillestrøm", "2099M01", "3"]]),
            indicator="hip_fractures",
            message="Linje 4, kolonne «Periode»: perioden 2099M01 er fram i tid",
        ),
        Case(
            "b03_tolv.csv",
            "«tolv» i Antall (linje 14)",
            npr(tolv),
            indicator="hip_fractures",
            message="Linje 14, kolonne «Antall»: «tolv» er ikke et tall",
        ),
        Case(
            "b04_negativt_antall.csv",
            "negativt antall",
            npr([*good, ["3224 Rælingen", "2024M01", "-3"]]),
            indicator="hip_fractures",
            message="Linje 4, kolonne «Antall»: «-3» er negativt",
        ),
        Case(
            "b05_dobbel_nokkel.csv",
            "samme enhet og periode med to ulike verdier",
            npr([*good, ["3205 Lillestrøm", "2024M01", "5"]]),
            indicator="hip_fractures",
            message="Linje 4, kolonne «Kommune»: «3205 Lillestrøm» har en annen verdi for 2024M01 tidligere i filen (linje 2)",
        ),
        Case(
            "b06_ingen_verdikolonne.csv",
            "ingen verdikolonne",
            text([["Kommune", "Periode", "Merknad"], ["3205 Lillestrøm", "2024M01", "ok"]]).encode("utf-8"),
            indicator="hip_fractures",
            message="mangler en verdikolonne",
        ),
        Case("b07_tom.csv", "tom fil", b"", indicator="hip_fractures", message="Filen «b07_tom.csv» er tom."),
        Case(
            "b08_bilde.png",
            "et bilde",
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
            indicator="hip_fractures",
            message="er et bilde eller en PDF",
        ),
        Case(
            "b09_innloggingsside.csv",
            "en HTML-innloggingsside lagret som .csv",
            b"<!DOCTYPE html>\n<html><head><title>Logg inn</title></head><body><form>Brukernavn</form></body></html>\n",
            indicator="hip_fractures",
            message="er en nettside (HTML)",
        ),
        Case(
            "b10_skadet.xlsx",
            "en avkuttet .xlsx",
            xlsx({"Ark1": [header, ["3205", "2024M01", 1]]})[:300],
            indicator="hip_fractures",
            message="er ikke en gyldig Excel-fil",
        ),
        Case(
            "b24_excel_formel_uten_verdi.xlsx",
            "Excel laget av et program: en formel uten lagret verdi (ikke et skjult tall)",
            xlsx({"Ark1": [header, ["3205", "2024M01", 1], ["3205", "2024M02", "=10+2"]]}),
            indicator="hip_fractures",
            message="Linje 3, kolonne «Antall»: cellen har formelen «=10+2», men ingen utregnet verdi",
            problems=1,
        ),
        Case(
            "b11_nul_tegn.csv",
            "NUL-tegn (binære data)",
            b"Kommune;Periode;Antall\r\n3205\x00\x00;2024M01;\x00\x01\r\n",
            indicator="hip_fractures",
            message="inneholder NUL-tegn",
        ),
        Case(
            "b12_10000_kolonner.csv",
            "10 000 kolonner",
            (
                ";".join(f"k{i}" for i in range(10_000))
                + "\r\n"
                + ";".join("1" for _ in range(10_000))
                + "\r\n"
            ).encode(),
            indicator="hip_fractures",
            message="har 10 000 kolonner",
        ),
        Case(
            "b13_for_stor.csv",
            "større enn grensen (testen setter grensen lavt)",
            npr(good * 50),
            indicator="hip_fractures",
            message="mer enn grensen på",
        ),
        Case(
            "b14_formel_antall.csv",
            "formel «=1+1» i Antall",
            npr([*good, ["3224 Rælingen", "2024M01", "=1+1"]]),
            indicator="hip_fractures",
            message="Linje 4, kolonne «Antall»: «=1+1» er ikke et tall",
        ),
        Case(
            "b15_formel_enhet.csv",
            "formel i kommunenavnet",
            npr([*good, ['"=HYPERLINK(""http://x"")"', "2024M01", "1"], ["@SUM(A1)", "2024M01", "2"]]),
            indicator="hip_fractures",
            message='Linje 4, kolonne «Kommune»: «=HYPERLINK("http://x")» er ikke en kjent kommune',
        ),
        Case(
            "b16_seksti_feil.csv",
            "60 ulike feil: 50 vises, så «… og 10 problemer til»",
            npr(
                [
                    ["3205 Lillestrøm", f"{2019 + i // 12}M{i % 12 + 1:02d}", f"mange{i + 1}"]
                    for i in range(60)
                ]
            ),
            indicator="hip_fractures",
            message="… og 10 problemer til.",
            problems=60,
        ),
        Case(
            "b18_dagens_og_gammel_kode.csv",
            "dagens kode og en gammel kode for samme periode",
            npr([["3205 Lillestrøm", "2024M01", "4"], ["0231 Skedsmo", "2024M01", "2"]]),
            indicator="hip_fractures",
            message="«0231 Skedsmo» er en tidligere kode for en kommune som også står med dagens kode",
        ),
        Case(
            "b19_apent_anforselstegn.csv",
            "et anførselstegn som ikke lukkes",
            b'Kommune;Periode;Antall\r\n3205;2024M01;4\r\n"3222;2024M01;2\r\n3224;2024M01;1\r\n',
            indicator="hip_fractures",
            message="et anførselstegn",
        ),
        Case(
            "b20_for_mange_felt.csv",
            "en rad med flere felt enn overskriften",
            b"Kommune;Periode;Antall\r\n3205;2024M01;4\r\n3222;2024M01;2;7;8\r\n",
            indicator="hip_fractures",
            message="Linje 3: raden har flere felt enn overskriften",
        ),
        Case(
            "b21_ingen_enhetskolonne.csv",
            "ingen kolonne for kommune",
            text([["Periode", "Antall"], ["2024M01", "4"]]).encode("utf-8"),
            indicator="hip_fractures",
            message="mangler en kolonne for kommune/enhet",
        ),
        Case(
            "b22_delt_kommune.csv",
            "en kommune som ble delt (Tysfjord 2020)",
            npr([["1850 Tysfjord", "2019M01", "1"]]),
            indicator="hip_fractures",
            message="ble delt mellom flere kommuner",
        ),
        Case(
            "b23_ugyldig_periode.csv",
            "en periode som ikke finnes",
            npr([*good, ["3205 Lillestrøm", "2024M13", "3"]]),
            indicator="hip_fractures",
            message="Linje 4, kolonne «Periode»: «2024M13» er ikke en gyldig periode",
        ),
    ]
    return cases


def manifest_entry(case: Case, good: bool) -> dict:
    entry: dict = {"file": case.file, "about": case.about}
    for key in ("indicator", "profile", "sheet"):
        if getattr(case, key):
            entry[key] = getattr(case, key)
    if good:
        indicator = (
            case.indicator
            or {
                "npr_fallskade": "fall_injury_admissions",
                "kpr_fall": "falls_registered",
                "iht_status": "iht_patients",
            }[case.profile]
        )
        lines = ["indicator,unit,period,value,suppressed"]
        for unit, period, value in sorted(case.rows):
            lines.append(f"{indicator},{unit},{period},{value or ''},{'true' if value is None else 'false'}")
        entry["export"] = lines
    else:
        entry["message"] = case.message
        if case.problems is not None:
            entry["problems"] = case.problems
    return entry


def _sibling(name: str):
    """A module beside this file, by path: this file runs as a script and as tests.make_corpus."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    good, bad = good_cases(), bad_cases()
    for case in [*good, *bad]:
        (out / case.file).write_bytes(case.data)
    manifest = {
        "about": "Laget av tests/make_corpus.py; ikke rediger for hånd.",
        "good": [manifest_entry(c, True) for c in good],
        "bad": [manifest_entry(c, False) for c in bad],
    }
    (out / "expected.yaml").write_text(
        yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=120)
        + _sibling("corpus_core").write(out)
        + _sibling("corpus_formats").write(out, xlsx),  # loader-formats: f*.*, block «formats»
        encoding="utf-8",
    )
    return out


if __name__ == "__main__":
    print(f"Skrev testfilene til {main()}")
