"""Corpus for the readers (loader-formats): statbank layouts, PX, JSON-stat, Excel dates, limits.

Called from tests/make_corpus.py. Every expected value is worked out here by hand from the rows
written (ages summed into bands with Python's sum), not by running the loader. Files are
tests/files/f*; their expectations are the `formats` block of tests/files/expected.yaml.
Files that would be large (a zip bomb, millions of rows) are made at test time instead, by
the functions at the end (tests/test_loader_formats.py).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field

UNITS = [("3205", "Lillestrøm"), ("3222", "Lørenskog")]
BANDS = {  # as in loaders/profiles/ssb_07459.yaml: label → (from, to), None = or older
    "population_0_17": (0, 17),
    "population_18_66": (18, 66),
    "population_67_79": (67, 79),
    "population_80_plus": (80, None),
    "population_65_plus": (65, None),
    "population_total": (0, None),
}
BAND_LABELS = {
    "population_0_17": ("0-17 år", "0-17 years"),
    "population_18_66": ("18-66 år", "18-66 years"),
    "population_67_79": ("67-79 år", "67-79 years"),
    "population_80_plus": ("80 år eller eldre", "80 years or older"),
    "population_65_plus": ("65 år eller eldre", "65 years or older"),
    "population_total": ("I alt", "Total"),
}
TOP = 105
XLSX: dict = {}  # make_corpus.xlsx (deterministic .xlsx bytes), handed over by write()


@dataclass
class FormatCase:
    """A corpus file (as make_corpus.Case) with the analyst's --where/--sum choices; its rows
    name their indicator, since a statbank file loads several (one per age band)."""

    file: str
    about: str
    data: bytes
    indicator: str | None = None
    profile: str | None = None
    where: dict[str, str] = field(default_factory=dict)
    sums: list[str] = field(default_factory=list)
    rows: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # ind, unit, period, value
    message: str | None = None


def _csv(lines: list[list[str]], delimiter: str = ";", quote: bool = True) -> str:
    def cell(c: str) -> str:
        return f'"{c}"' if quote and not c.replace(",", "").isdigit() else c

    return "\r\n".join(delimiter.join(cell(c) for c in line) for line in lines) + "\r\n"


def people(code: str, age: int, year: int, sex: int = 0) -> int:
    """A made-up head count per unit, single year of age, year and sex (1 or 2; 0 = both)."""
    base = 300 - 2 * age if age < 100 else 3
    both = max(base, 1) + int(code[-2:]) + (year - 2020)
    return both if sex == 0 else (both // 2 if sex == 1 else both - both // 2)


def band_sum(code: str, year: int, band: str, sex: int = 0) -> int:
    low, high = BANDS[band]
    return sum(people(code, a, year, sex) for a in range(low, (high if high is not None else TOP) + 1))


def age_label(age: int, english: bool) -> str:
    if english:
        return f"{age} years or older" if age == TOP else ("1 year" if age == 1 else f"{age} years")
    return f"{age} år eller eldre" if age == TOP else f"{age} år"


def _band_rows(years: list[int], sex: int = 0) -> list[tuple[str, str, str, str]]:
    return [
        (band, code, str(year), str(band_sum(code, year, band, sex)))
        for band in BANDS
        for code, _ in UNITS
        for year in years
    ]


def ready_bands(code: str, year: int) -> dict[str, int]:
    """Ready-made bands as SSB publishes them: the same sums."""
    return {band: band_sum(code, year, band) for band in BANDS}


def good_cases() -> list[FormatCase]:
    cases = []
    # 1. English statbank CSV, the year in the value column's header, ready-made bands
    lines = [["region", "age", "Persons 2021"]]
    lines += [
        [f"{c} {n}", BAND_LABELS[b][1], str(v)] for c, n in UNITS for b, v in ready_bands(c, 2021).items()
    ]
    cases.append(
        FormatCase(
            "f01_ssb_engelsk_aar_i_overskrift.csv",
            "SSB statistikkbanken på engelsk: «region»;«age»;«Persons 2021», ferdige aldersgrupper",
            _csv(lines).encode("utf-8"),
            profile="ssb_07459",
            rows=_band_rows([2021]),
        )
    )
    # 2. Norwegian, windows-1252, «Personer 2021», title line above
    lines = [["region", "alder", "Personer 2021"]]
    lines += [
        [f"{c} {n}", BAND_LABELS[b][0], str(v)] for c, n in UNITS for b, v in ready_bands(c, 2021).items()
    ]
    title = "07459: Befolkning, etter region, alder og år\r\n"
    cases.append(
        FormatCase(
            "f02_ssb_norsk_aar_i_overskrift.csv",
            "SSB på norsk (windows-1252) med tittellinje: «region»;«alder»;«Personer 2021»",
            (title + _csv(lines)).encode("cp1252"),
            profile="ssb_07459",
            rows=_band_rows([2021]),
        )
    )
    # 3. wide: Persons 2005 … Persons 2009
    years = list(range(2005, 2010))
    lines = [["region", "age", *[f"Persons {y}" for y in years]]]
    lines += [
        [f"{c} {n}", BAND_LABELS[b][1], *[str(band_sum(c, y, b)) for y in years]]
        for c, n in UNITS
        for b in BANDS
    ]
    cases.append(
        FormatCase(
            "f03_ssb_bred_aar_i_overskrift.csv",
            "SSB bred: «Persons 2005» … «Persons 2009», én kolonne per år",
            _csv(lines).encode("utf-8"),
            profile="ssb_07459",
            rows=_band_rows(years),
        )
    )
    # 4. single-year ages, Norwegian, long with år
    lines = [["region", "alder", "statistikkvariabel", "år", "Personer"]]
    lines += [
        [f"{c} {n}", age_label(a, False), "Personer", str(y), str(people(c, a, y))]
        for c, n in UNITS
        for a in range(TOP + 1)
        for y in (2022, 2023)
    ]
    cases.append(
        FormatCase(
            "f04_ssb_enkeltaar_norsk.csv",
            "SSB med enkeltår «0 år» … «105 år eller eldre», summert til aldersgruppene",
            _csv(lines).encode("cp1252"),
            profile="ssb_07459",
            rows=_band_rows([2022, 2023]),
        )
    )
    # 5. single-year ages and sex, English, summed over sex
    lines = [["region", "sex", "age", "year", "Persons"]]
    lines += [
        [f"{c} {n}", s, age_label(a, True), "2023", str(people(c, a, 2023, k))]
        for c, n in UNITS
        for k, s in ((1, "Males"), (2, "Females"))
        for a in range(TOP + 1)
    ]
    sex_file = _csv(lines).encode("utf-8")
    cases.append(
        FormatCase(
            "f05_ssb_enkeltaar_kjonn_engelsk_sum.csv",
            "SSB på engelsk med «Males»/«Females» og enkeltår; --sum sex",
            sex_file,
            profile="ssb_07459",
            sums=["sex"],
            rows=_band_rows([2023]),
        )
    )
    # 6. the same with one sex chosen
    cases.append(
        FormatCase(
            "f06_ssb_enkeltaar_kjonn_engelsk_where.csv",
            "Som f05, men bare «Females» (--where sex=Females)",
            sex_file + b"\r\n",
            profile="ssb_07459",
            where={"sex": "Females"},
            rows=[(b, c, "2023", str(band_sum(c, 2023, b, 2))) for b in BANDS for c, _ in UNITS],
        )
    )
    # 7. the older word «tid» for the period, ready-made bands
    lines = [["region", "alder", "tid", "Personer"]]
    lines += [
        [f"{c} {n}", BAND_LABELS[b][0], "2020", str(v)]
        for c, n in UNITS
        for b, v in ready_bands(c, 2020).items()
    ]
    cases.append(
        FormatCase(
            "f07_ssb_tid.csv",
            "SSB med den eldre kolonnen «tid» for året",
            _csv(lines).encode("utf-8"),
            profile="ssb_07459",
            rows=_band_rows([2020]),
        )
    )
    # 8. PX (PC-Axis), windows-1252, single-year ages and sex, summed over sex
    cases.append(
        FormatCase(
            "f08_px_07459_enkeltaar.px",
            "PC-Axis fra statistikkbanken (windows-1252, CHARSET=ANSI): enkeltår og kjønn; --sum kjønn",
            px_file(),
            profile="ssb_07459",
            sums=["kjønn"],
            rows=_band_rows([2021, 2022]),
        )
    )
    # 9. JSON-stat 2.0 with ready-made bands (English labels, K-codes, a suppressed cell)
    data, rows = jsonstat_file()
    cases.append(
        FormatCase(
            "f09_jsonstat_07459.json",
            "JSON-stat 2.0 fra SSBs API: dimensjoner med koder, roller for tid og geografi",
            data,
            profile="ssb_07459",
            rows=rows,
        )
    )
    # 10. Excel with real dates, one per month, for a monthly indicator
    cases.append(
        FormatCase(
            "f10_excel_maanedsdatoer.xlsx",
            "Excel med ekte datoer, én per måned (01.01.2024, 01.02.2024, …), månedlig indikator",
            excel_months(),
            indicator="hip_fractures",
            rows=[
                ("hip_fractures", c, f"2024M{m:02d}", str(m + i))
                for i, (c, _) in enumerate(UNITS)
                for m in range(1, 7)
            ],
        )
    )
    # 11. a sex column chosen, Norwegian
    cases.append(
        FormatCase(
            "f11_ssb_kjonn_where_norsk.csv",
            'SSB med «kjønn» (Menn, Kvinner, Begge kjønn); --where kjønn="Begge kjønn"',
            sex_choice_file(),
            profile="ssb_07459",
            where={"kjønn": "Begge kjønn"},
            rows=[(b, c, "2021", str(v)) for c, _ in UNITS for b, v in ready_bands(c, 2021).items()],
        )
    )
    # 12. the same months for the quarterly «iht_patients»: kept as months, never cut to quarters
    cases.append(
        FormatCase(
            "f12_excel_maanedsdatoer_kvartalsindikator.xlsx",
            "Excel med én dato per måned for den kvartalsvise «iht_patients»: lagret som måneder",
            excel_months("Pasienter", 2016),  # before the demo data: no quarter to check against
            indicator="iht_patients",
            rows=[
                ("iht_patients", c, f"2016M{m:02d}", str(m + i))
                for i, (c, _) in enumerate(UNITS)
                for m in range(1, 7)
            ],
        )
    )
    return cases


def sex_choice_file() -> bytes:
    lines = [["region", "kjønn", "alder", "år", "Personer"]]
    for c, n in UNITS:
        for b, v in ready_bands(c, 2021).items():
            for sex, value in (("Menn", v // 2), ("Kvinner", v - v // 2), ("Begge kjønn", v)):
                lines.append([f"{c} {n}", sex, BAND_LABELS[b][0], "2021", str(value)])
    return _csv(lines).encode("utf-8")


def px_file() -> bytes:
    """A PX file as SSB writes one: STUB region, kjønn, alder; HEADING statistikkvariabel, år."""
    ages = [age_label(a, False) for a in range(TOP + 1)]
    years = [2021, 2022]

    def quoted(values: list[str], per_line: int = 8) -> str:
        chunks = [
            ",".join(f'"{v}"' for v in values[i : i + per_line]) for i in range(0, len(values), per_line)
        ]
        return ",\r\n".join(chunks)

    head = [
        'CHARSET="ANSI";',
        'AXIS-VERSION="2013";',
        'CODEPAGE="iso-8859-1";',
        'LANGUAGE="no";',
        'CREATION-DATE="20240220 08:00";',
        "DECIMALS=0;",
        'MATRIX="07459";',
        'SUBJECT-AREA="Befolkning";',
        'TITLE="07459: Befolkning, etter region, kjønn, alder, statistikkvariabel og år";',
        'CONTENTS="07459: Befolkning,";',
        'UNITS="personer";',
        'STUB="region","kjønn","alder";',
        'HEADING="statistikkvariabel","år";',
        'VALUES("region")=' + quoted([n for _, n in UNITS]) + ";",
        'VALUES("kjønn")="Menn","Kvinner";',
        'VALUES("alder")=' + quoted(ages) + ";",
        'VALUES("statistikkvariabel")="Personer";',
        'VALUES("år")="2021","2022";',
        'TIMEVAL("år")=TLIST(A1),"2021","2022";',
        'CODES("region")=' + quoted([c for c, _ in UNITS]) + ";",
        'CODES("kjønn")="1","2";',
        'CODES("alder")=' + quoted([f"{a:03d}" for a in range(TOP + 1)]) + ";",
        'CODES("år")="2021","2022";',
        'VALUES[en]("region")="Lillestrøm","Lørenskog";',
        'SOURCE="Statistisk sentralbyrå";',
        "DATA=",
    ]
    data = []
    for code, _ in UNITS:
        for sex in (1, 2):
            for a in range(TOP + 1):
                data.append(" ".join(str(people(code, a, y, sex)) for y in years))
    return ("\r\n".join(head) + "\r\n" + "\r\n".join(data) + ";\r\n").encode("cp1252")


def jsonstat_file() -> tuple[bytes, list[tuple[str, str, str, str | None]]]:
    """A JSON-stat 2.0 dataset as SSB's API returns one (ready-made bands, one cell '..')."""
    bands = list(BANDS)
    years = ["2022", "2023"]
    values, status, rows = [], {}, []
    for code, _ in UNITS:
        for band in bands:
            for year in years:
                index = len(values)
                if code == "3222" and band == "population_67_79" and year == "2023":
                    values.append(None)
                    status[str(index)] = ".."
                    rows.append((band, code, year, None))
                else:
                    value = band_sum(code, int(year), band)
                    values.append(value)
                    rows.append((band, code, year, str(value)))
    dataset = {
        "version": "2.0",
        "class": "dataset",
        "label": "07459: Population, by region, age, contents and year",
        "source": "Statistics Norway",
        "id": ["Region", "Alder", "ContentsCode", "Tid"],
        "size": [len(UNITS), len(bands), 1, len(years)],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {
                    "index": {f"K-{c}": i for i, (c, _) in enumerate(UNITS)},
                    "label": {f"K-{c}": n for c, n in UNITS},
                },
            },
            "Alder": {
                "label": "age",
                "category": {
                    "index": [f"A{i}" for i in range(len(bands))],
                    "label": {f"A{i}": BAND_LABELS[b][1] for i, b in enumerate(bands)},
                },
            },
            "ContentsCode": {
                "label": "contents",
                "category": {"index": {"Personer1": 0}, "label": {"Personer1": "Persons"}},
            },
            "Tid": {
                "label": "year",
                "category": {"index": {y: i for i, y in enumerate(years)}, "label": {y: y for y in years}},
            },
        },
        "role": {"time": ["Tid"], "geo": ["Region"], "metric": ["ContentsCode"]},
        "value": values,
        "status": status,
    }
    return json.dumps(dataset, ensure_ascii=False, indent=1).encode("utf-8"), rows


def excel_months(sheet: str = "Ark1", year: int = 2024) -> bytes:
    rows: list[list[object]] = [["Kommune", "Dato", "Antall"]]
    for i, (code, name) in enumerate(UNITS):
        for month in range(1, 7):
            rows.append([f"{code} {name}", dt.datetime(year, month, 1), month + i])
    return XLSX["writer"]({sheet: rows})


def bad_cases() -> list[FormatCase]:
    return [
        FormatCase(
            "f20_ssb_kjonn_uten_valg.csv",
            "SSB med «kjønn» og ingen --where/--sum: filen sier hva som må velges",
            sex_choice_file() + b"\r\n\r\n",
            profile="ssb_07459",
            message=(
                "har kolonnen «kjønn» med verdiene Menn, Kvinner, Begge kjønn, der «Begge kjønn» er summen "
                'av de andre: velg totalen «Begge kjønn» (--where kjønn="Begge kjønn")'
            ),
        ),
        FormatCase(
            "f22_xlsx_kjempecelle.xlsx",
            "xlsx der én celle pakker seg ut til 20 MB tekst (liten i repoet): avvist i en strøm",
            xlsx_with_cell(20 << 20),
            indicator="hip_fractures",
            message="har en celle med mer enn 32 767 tegn",
        ),
        FormatCase(
            "f23_xlsx_for_mange_kolonner.xlsx",
            "xlsx med en celle i kolonne ALM (1 001 kolonner)",
            xlsx_raw(
                '<row r="1"><c r="A1" t="inlineStr"><is><t>Kommune</t></is></c><c r="ALM1"><v>1</v></c></row>'
            ),
            indicator="hip_fractures",
            message="har 1 001 kolonner",
        ),
        FormatCase(
            "f24_xlsx_celle_i_rad_en_million.xlsx",
            "xlsx med én celle i Z1048576: et rutenett på 27 millioner celler",
            xlsx_raw('<row r="1048576"><c r="Z1048576"><v>1</v></c></row>'),
            indicator="hip_fractures",
            message="har 27 262 976 celler, mer enn grensen på 10 000 000",
        ),
        FormatCase(
            "f25_csv_lang_celle.csv",
            "CSV med en celle på 40 000 tegn",
            ("Kommune;Periode;Antall\r\n3205 Lillestrøm;2024M01;" + "9" * 40_000 + "\r\n").encode(),
            indicator="hip_fractures",
            message="har en celle med mer enn 32 767 tegn",
        ),
        FormatCase(
            "f26_px_for_mange_celler.px",
            "PX-fil som lover 2 000 × 2 000 verdier (12 millioner celler)",
            px_too_big(),
            profile="ssb_07459",
            message="celler, mer enn grensen på 10 000 000",
        ),
        FormatCase(
            "f27_jsonstat_ikke_datasett.json",
            "JSON-stat-samling (class «collection»), ikke ett datasett",
            json.dumps({"version": "2.0", "class": "collection", "link": {"item": []}}).encode(),
            profile="ssb_07459",
            message="er en JSON-stat-samling (class «collection») uten tabeller",
        ),
    ]


def px_too_big() -> bytes:
    values = ",".join(f'"{i}"' for i in range(2_000))
    return (
        'CHARSET="ANSI";\r\nSTUB="region";\r\nHEADING="år";\r\n'
        f'VALUES("region")={values};\r\nVALUES("år")={values};\r\nDATA=\r\n1 2 3;\r\n'
    ).encode()


def xlsx_raw(sheet_data: str, shared: str | None = None, fixed: bool = True) -> bytes:
    """A minimal .xlsx written by hand: one sheet «Ark1» with `sheet_data` (and shared strings)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            + (
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                if shared is not None
                else ""
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            + (
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                if shared is not None
                else ""
            )
            + "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{sheet_data}</sheetData></worksheet>'
        ),
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


def write_xlsx_bomb(path, cell_bytes: int) -> None:
    """An .xlsx whose one shared string is `cell_bytes` of 'A' (a zip bomb: 1.5 GB in ~1.5 MB),
    written in a stream so making it takes no memory either."""
    small = xlsx_raw('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c></row>', shared="")
    with (
        zipfile.ZipFile(io.BytesIO(small)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename == "xl/sharedStrings.xml":
                continue
            target.writestr(item, source.read(item.filename))
        info = zipfile.ZipInfo("xl/sharedStrings.xml", date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as out:
            out.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
            )
            block = b"A" * (1 << 20)
            left = cell_bytes
            while left > 0:
                out.write(block[: min(left, len(block))])
                left -= len(block)
            out.write(b"</t></si></sst>")


def xlsx_with_cell(cell_bytes: int) -> bytes:
    """Like write_xlsx_bomb, in memory, for a small cell (the committed corpus file)."""
    buffer = io.BytesIO()
    write_xlsx_bomb(buffer, cell_bytes)
    return buffer.getvalue()


def write_many_rows(path, rows: int) -> None:
    """A CSV of `rows` tiny rows (4 bytes each), written in blocks."""
    with open(path, "wb") as out:
        out.write(b"Kommune;Periode;Antall\n")
        block = b"3205;2024M01;1\n" * 100_000
        for _ in range(rows // 100_000):
            out.write(block)


def manifest(good: list[FormatCase], bad: list[FormatCase]) -> dict:
    def entry(case: FormatCase, ok: bool) -> dict:
        item: dict = {"file": case.file, "about": case.about}
        for key in ("indicator", "profile", "where", "sums"):
            if getattr(case, key):
                item[key] = getattr(case, key)
        if ok:
            lines = ["indicator,unit,period,value,suppressed"]
            for ind, unit, period, value in sorted(case.rows, key=lambda r: (r[0], r[1], r[2])):
                lines.append(f"{ind},{unit},{period},{value or ''},{'true' if value is None else 'false'}")
            item["export"] = lines
        else:
            item["message"] = case.message
        return item

    return {"good": [entry(c, True) for c in good], "bad": [entry(c, False) for c in bad]}


def write(out, xlsx) -> str:
    """Write the files into `out` (`xlsx`: make_corpus's .xlsx writer); returns the YAML block
    for expected.yaml, marked «# loader-formats»."""
    import yaml

    XLSX["writer"] = xlsx
    good, bad = good_cases(), bad_cases()
    for case in [*good, *bad]:
        (out / case.file).write_bytes(case.data)
    block = yaml.safe_dump({"formats": manifest(good, bad)}, allow_unicode=True, sort_keys=False, width=120)
    return "# loader-formats: the readers' corpus (tests/corpus_formats.py)\n" + block
