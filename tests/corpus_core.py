"""Corpus files for the loader's core (issue 12): grains, national files, ward codes, mergers,
file totals, ragged rows and files at two grains. Called by tests/make_corpus.py; writes
tests/files/c*.* and returns the `core` block of tests/files/expected.yaml (marked
`# loader-core`). Every file is written out by hand here, so what a good file loads to and
what a bad file is refused with are known without running the loader.

An entry: file, about, indicator, partnership (the file is loaded for it), after (a file
loaded first), export (good: the lines `python -m loaders export --indicator` prints),
notes (good: fragments of the notes), message (bad: a fragment of the first problem).
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parent / "data" / "reference"
HEADER = "indicator,unit,period,value,suppressed"


def _table(rows: list[list[str]]) -> str:
    """Semicolon rows with CRLF, as Norwegian exports write them."""
    return "\r\n".join(";".join(r) for r in rows) + "\r\n"


def _export(indicator: str, rows: list[tuple[str, str, str | None]]) -> list[str]:
    """Export lines in the store's order: unit, then period start (given in that order here)."""
    return [HEADER] + [
        f"{indicator},{u},{p},{v or ''},{'true' if v is None else 'false'}" for u, p, v in rows
    ]


def _national() -> tuple[str, list[str], int]:
    """All 357 municipalities (value: the code's last two digits + 1), counties, the country
    and SSB's residual rows; returns the file, the export lines for Ahus and the rows outside."""
    with (REFERENCE / "municipalities_norway.csv").open(encoding="utf-8") as handle:
        national = list(csv.DictReader(handle))
    with (REFERENCE / "units.csv").open(encoding="utf-8") as handle:
        ahus = sorted(
            r["unit_id"]
            for r in csv.DictReader(handle)
            if r["kind"] == "municipality" and r["partnership"] == "ahus"
        )
    rows = [["region", "år", "Antall"], ["0 Hele landet", "2023", "5000"], ["32 Akershus", "2023", "900"]]
    rows += [["02 Akershus (-2019)", "2023", "800"]]
    rows += [[f"K-{m['code']} {m['name']}", "2023", str(int(m["code"][-2:]) + 1)] for m in national]
    rows += [["K-Rest Akershus", "2023", "3"], ["Uoppgitt", "2023", "2"], ["9999", "2023", "1"]]
    export = _export("hip_fractures", [(code, "2023", str(int(code[-2:]) + 1)) for code in ahus])
    return _table(rows), export, len(national) - len(ahus)


def cases() -> tuple[list[dict], list[dict], dict[str, str]]:
    """(good entries, bad entries, file name → text)."""
    files: dict[str, str] = {}
    good: list[dict] = []
    bad: list[dict] = []

    def add(entries: list[dict], name: str, body: str, **entry: object) -> None:
        files[name] = body
        entries.append({"file": name, **entry})

    add(
        good,
        "c01_aar_for_maanedsindikator.csv",
        _table(
            [["Kommune", "År", "Antall"], ["3205 Lillestrøm", "2023", "91"], ["3222 Lørenskog", "2023", "40"]]
        ),
        about="årstall (FHI/SSB) for en månedsindikator lagres per år",
        indicator="hip_fractures",
        export=_export("hip_fractures", [("3205", "2023", "91"), ("3222", "2023", "40")]),
    )
    add(
        good,
        "c02_npr_aar_kvartal.csv",
        _table(
            [
                ["År", "Kvartal", "Kommune", "Antall"],
                ["2024", "K1", "3205 Lillestrøm", "12"],
                ["2024", "K2", "3205 Lillestrøm", "9"],
                ["2024", "K1", "3222 Lørenskog", "7"],
            ]
        ),
        about="kvartalsvis NPR (År;Kvartal) for en månedsindikator lagres per kvartal",
        indicator="fall_injury_admissions",
        export=_export(
            "fall_injury_admissions",
            [("3205", "2024K1", "12"), ("3205", "2024K2", "9"), ("3222", "2024K1", "7")],
        ),
    )
    add(
        good,
        "c03_kpr_maaned.csv",
        _table(
            [
                ["Kommune", "Tid", "Antall"],
                ["3214 Frogn", "2024-01", "3"],
                ["3214 Frogn", "2024-02", "4"],
                ["3214 Frogn", "2024-03", "2"],
            ]
        ),
        about="månedlig KPR (Tid = 2024-01) for en kvartalsindikator lagres per måned, aldri avkortet",
        indicator="iht_patients",
        export=_export(
            "iht_patients", [("3214", "2024M01", "3"), ("3214", "2024M02", "4"), ("3214", "2024M03", "2")]
        ),
    )
    add(
        good,
        "c04_fhi_treaarsperioder.csv",
        _table(
            [
                ["Sted", "År", "Antall"],
                ["Lillestrøm", "2019_2021", "250"],
                ["Lillestrøm", "2020_2022", "262"],
                ["Lørenskog", "2019_2021", "110"],
            ]
        ),
        about="FHIs treårsperioder (2019_2021) lagres som perioder, aldri som ett år",
        indicator="hip_fractures",
        export=_export(
            "hip_fractures",
            [("3205", "2019–2021", "250"), ("3205", "2020–2022", "262"), ("3222", "2019–2021", "110")],
        ),
    )
    national, export, outside = _national()
    add(
        good,
        "c05_nasjonalt_uttrekk.csv",
        national,
        about="nasjonalt uttrekk: alle 357 kommuner, fylker, hele landet og restrader; bare Ahus lastes",
        indicator="hip_fractures",
        partnership="ahus",
        export=export,
        notes=[
            f"{outside} rader for kommuner utenfor helsefellesskapet ble ikke lastet inn",
            "6 rader for fylker, hele landet og restkategorier",
        ],
    )
    add(
        bad,
        "c06_sammenslaaing_delvis.csv",
        _table(
            [["Kommune", "År", "Antall"], ["0231 Skedsmo", "2019", "241"], ["3222 Lørenskog", "2019", "40"]]
        ),
        about="en del av en sammenslåing (Skedsmo uten Fet og Sørum) lagres ikke som hele Lillestrøm",
        indicator="hip_fractures",
        message="Lillestrøm 2019: filen har Skedsmo, mangler Fet og Sørum",
    )
    add(
        good,
        "c07_sammenslaaing_hel.csv",
        _table(
            [
                ["Kommune", "År", "Antall"],
                ["0231 Skedsmo", "2019", "241"],
                ["0227 Fet", "2019", "30"],
                ["0226 Sørum", "2019", "50"],
                ["0230 Lørenskog", "2019", "38"],
            ]
        ),
        about="alle delene av en sammenslåing summeres til dagens kommune",
        indicator="hip_fractures",
        export=_export("hip_fractures", [("3205", "2019", "321"), ("3222", "2019", "38")]),
    )
    add(
        good,
        "c08_ssb_bydelskoder.csv",
        _table(
            [
                ["region", "år", "Antall"],
                ["030100aa Oslo i alt", "2023", "400"],
                ["030101a Gamle Oslo", "2023", "30"],
                ["030110a Grorud", "2023", "5"],
                ["030111a Stovner", "2023", "6"],
                ["030112a Alna", "2023", "9"],
            ]
        ),
        about="SSBs bydelskoder (030110a Grorud) gir tavlas bydeler; Oslo i alt og andre bydeler hoppes over",
        indicator="hip_fractures",
        partnership="ahus",
        export=_export(
            "hip_fractures", [("030110", "2023", "5"), ("030111", "2023", "6"), ("030112", "2023", "9")]
        ),
        notes=["2 rader for kommuner utenfor helsefellesskapet"],
    )
    add(
        good,
        "c09_totalrad.csv",
        _table(
            [
                ["Kommune", "Periode", "Antall"],
                ["3205 Lillestrøm", "2024M01", "60"],
                ["3222 Lørenskog", "2024M01", "40"],
                ["3228", "2024M01", ":"],
                ["I alt", "2024M01", "103"],
            ]
        ),
        about="filens totalrad («I alt») lagres som helsefellesskapets verdi (merket som filens total)",
        indicator="hip_fractures",
        export=_export(
            "hip_fractures",
            [
                ("3205", "2024M01", "60"),
                ("3222", "2024M01", "40"),
                ("3228", "2024M01", None),
                ("ahus", "2024M01", "103"),
            ],
        ),
        notes=["1 rad med filens egne totaler"],
    )
    add(
        bad,
        "c10_totalrad_for_liten.csv",
        _table(
            [
                ["Kommune", "Periode", "Antall"],
                ["3205 Lillestrøm", "2024M01", "60"],
                ["3222 Lørenskog", "2024M01", "40"],
                ["Totalt", "2024M01", "90"],
            ]
        ),
        about="en totalrad mindre enn summen av enhetene er en feil",
        indicator="hip_fractures",
        message="totalen for 2024M01 er 90, mindre enn summen av enhetene som vises (100)",
    )
    add(
        bad,
        "c11_ujevne_rader.csv",
        _table(
            [
                ["Kommune", "Antall"],
                ["3205", "2024M01", "4"],
                ["3222", "2024M01", "5"],
                ["3228", "2024M01", "6"],
            ]
        ),
        about="rader med flere felt enn overskriften kalles det de er",
        indicator="hip_fractures",
        message="Linje 2–4 (3 rader): raden har flere felt enn overskriften (2)",
    )
    monthly = [["Kommune", "Periode", "Antall"]] + [
        ["3205 Lillestrøm", f"2023M{m:02d}", str(m)] for m in range(1, 13)
    ]
    add(
        good,
        "c12_maaneder_2023.csv",
        _table(monthly),
        about="måneder for 2023 (summen er 78), lastes før årsfilen c13",
        indicator="hip_fractures",
        export=_export("hip_fractures", [("3205", f"2023M{m:02d}", str(m)) for m in range(1, 13)]),
    )
    add(
        bad,
        "c13_aar_2023_i_strid.csv",
        _table([["Kommune", "År", "Antall"], ["3205 Lillestrøm", "2023", "91"]]),
        about="et årstall som ikke er summen av månedene som er lagret: begge filene nevnes",
        indicator="hip_fractures",
        after="c12_maaneder_2023.csv",
        message="2023 er 91 her, men summen av månedene for samme periode er 78 i «c12_maaneder_2023.csv»",
    )
    add(
        bad,
        "c14_gjentatt_feil.csv",
        _table([["Kommune", "År", "Kvartal", "Antall"]] + [["3205", "2024", "5", str(n)] for n in range(96)]),
        about="samme feil på 96 linjer blir én setning med linjeområde og antall",
        indicator="fall_injury_admissions",
        message="Linje 2–97 (96 rader), kolonne «Kvartal»: «2024 5» er ikke en gyldig periode",
    )
    return good, bad, files


def write(out: Path) -> str:
    """Write the files into `out`; return the manifest block (YAML text, marked)."""
    good, bad, files = cases()
    for name, body in files.items():
        (out / name).write_bytes(body.encode("utf-8"))
    block = {"core": {"good": good, "bad": bad}}
    return "# loader-core\n" + yaml.safe_dump(block, allow_unicode=True, sort_keys=False, width=120)
