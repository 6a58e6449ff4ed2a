"""Write APPROXIMATE population files in the layout of SSB tables 07459 and 13600.

    python data/reference/make_population.py [OUTPUT_DIR]

Writes population_07459.csv (1 January 2018-2025) and projection_13600.csv
(1 January 2025-2040, main alternative) next to this script, or into OUTPUT_DIR.
The output is deterministic: no randomness, so a rerun gives identical bytes.

THE NUMBERS ARE NOT SSB FIGURES. No download was possible when these files were
made, so they are built from a rounded 2024 total per unit (TOTALS_2024 below), a
typical age structure for the kind of place, and smooth growth rates. They are good
enough to exercise the board (rates per 1 000, sums over regions, trends), not for
analysis or publication. Replace them with real exports from statbank (same layout:
"semikolonseparert med overskrift", windows-1252) and they load the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

AGE_GROUPS = ["0-17 år", "18-66 år", "67-79 år", "80 år eller eldre"]
AGE_65_PLUS = "65 år eller eldre"
AGE_TOTAL = "I alt"
ALL_AGES = [*AGE_GROUPS, AGE_65_PLUS, AGE_TOTAL]

HISTORY_YEARS = list(range(2018, 2026))
PROJECTION_YEARS = list(range(2025, 2041))
BASE_YEAR = 2024
PROJECTION_BASE = 2025

# Age profiles by kind of place.
#   shares: 0-17, 18-66, 67-79, 80+ as parts of the total in 2024 (sum 1)
#   share_65_66: persons aged 65-66 as part of the total (for "65 år eller eldre")
#   trend: g_ref, the typical yearly growth of such places, used to scale the
#          unit's own growth into the young groups of the projection
#   factor_2040: growth of each group from 2025 to 2040 in the main alternative
PROFILES: dict[str, dict] = {
    # Oslo east (Grorud, Stovner, Alna): young, many families, few very old.
    "oslo_east": {
        "shares": (0.235, 0.655, 0.080, 0.030),
        "share_65_66": 0.020,
        "g_ref": 0.005,
        "factor_2040": (1.00, 1.06, 1.30, 1.55),
    },
    # Growing Akershus suburbs.
    "suburb": {
        "shares": (0.225, 0.635, 0.105, 0.035),
        "share_65_66": 0.022,
        "g_ref": 0.012,
        "factor_2040": (1.05, 1.10, 1.30, 1.80),
    },
    # Semi-rural Akershus and the town of Kongsvinger.
    "semi_rural": {
        "shares": (0.205, 0.615, 0.130, 0.050),
        "share_65_66": 0.025,
        "g_ref": 0.008,
        "factor_2040": (0.97, 1.02, 1.20, 1.70),
    },
    # Rural inland (Eidskog, Grue, Nord-Odal, Hurdal): older, slowly shrinking.
    "rural_inland": {
        "shares": (0.165, 0.585, 0.175, 0.075),
        "share_65_66": 0.030,
        "g_ref": -0.003,
        "factor_2040": (0.85, 0.90, 1.05, 1.55),
    },
    # Bodø: regional city, university and hospital.
    "nordland_city": {
        "shares": (0.215, 0.640, 0.105, 0.040),
        "share_65_66": 0.022,
        "g_ref": 0.008,
        "factor_2040": (1.00, 1.04, 1.25, 1.65),
    },
    # Nordland regional towns (Sortland, Vestvågøy, Vågan, Fauske ...).
    "nordland_town": {
        "shares": (0.195, 0.610, 0.135, 0.060),
        "share_65_66": 0.027,
        "g_ref": 0.002,
        "factor_2040": (0.90, 0.94, 1.10, 1.70),
    },
    # Small rural and island municipalities in Nordland: oldest, shrinking.
    "nordland_rural": {
        "shares": (0.160, 0.580, 0.175, 0.085),
        "share_65_66": 0.030,
        "g_ref": -0.008,
        "factor_2040": (0.82, 0.85, 1.02, 1.75),
    },
}

# Extra yearly growth of each age group relative to the unit's total, used for the
# years before and after 2024 in the history (ageing: the old grow, children fall).
HISTORY_DRIFT = (-0.008, -0.002, 0.012, 0.030)

# Origin of TOTALS_2024: the author's recollection of SSB's published population on
# 1 January 2024 (table 07459; Oslo's districts from the bydel statistics), rounded
# to the nearest 50-100 persons for small units and 100-500 for large ones. They
# were NOT looked up when written and may be off by a few per cent. The age
# profiles (and the share overrides below) are typical values, not unit figures.
#
# code, name, total on 1 Jan 2024, profile, yearly growth 2018-2025, share override
TOTALS_2024: list[tuple[str, str, int, str, float, tuple | None]] = [
    # Helsefellesskapet Ahus: Nedre Romerike
    ("3205", "Lillestrøm", 91100, "suburb", 0.014, None),
    ("3222", "Lørenskog", 48600, "suburb", 0.014, None),
    ("3224", "Rælingen", 19600, "suburb", 0.008, None),
    ("3232", "Nittedal", 25300, "suburb", 0.010, None),
    ("3226", "Aurskog-Høland", 18000, "semi_rural", 0.008, None),
    # Øvre Romerike
    ("3209", "Ullensaker", 41800, "suburb", 0.020, (0.245, 0.650, 0.078, 0.027)),
    ("3228", "Nes", 24300, "semi_rural", 0.010, None),
    ("3240", "Eidsvoll", 26400, "semi_rural", 0.012, None),
    ("3238", "Nannestad", 15300, "suburb", 0.015, None),
    ("3242", "Hurdal", 2900, "rural_inland", 0.003, None),
    ("3230", "Gjerdrum", 7300, "suburb", 0.012, None),
    # Follo
    ("3207", "Nordre Follo", 62600, "suburb", 0.012, None),
    ("3218", "Ås", 21700, "suburb", 0.015, None),
    ("3214", "Frogn", 16200, "suburb", 0.006, (0.215, 0.605, 0.135, 0.045)),
    ("3212", "Nesodden", 20300, "suburb", 0.007, (0.220, 0.605, 0.130, 0.045)),
    ("3216", "Vestby", 18900, "suburb", 0.015, None),
    ("3220", "Enebakk", 11300, "semi_rural", 0.008, None),
    # Kongsvingerregionen
    ("3401", "Kongsvinger", 18100, "semi_rural", 0.002, (0.185, 0.605, 0.145, 0.065)),
    ("3416", "Eidskog", 6100, "rural_inland", -0.002, None),
    ("3417", "Grue", 4600, "rural_inland", -0.006, None),
    ("3414", "Nord-Odal", 5000, "rural_inland", -0.003, None),
    ("3415", "Sør-Odal", 7900, "semi_rural", 0.002, None),
    # Oslo, the districts in Ahus' catchment area
    ("030110", "Grorud", 27800, "oslo_east", 0.004, None),
    ("030111", "Stovner", 33700, "oslo_east", 0.003, (0.230, 0.640, 0.095, 0.035)),
    ("030112", "Alna", 50000, "oslo_east", 0.006, None),
    # Helsefellesskapet LoVeSa: Lofoten
    ("1859", "Flakstad", 1250, "nordland_rural", -0.005, None),
    ("1874", "Moskenes", 1000, "nordland_rural", -0.010, None),
    ("1856", "Røst", 450, "nordland_rural", -0.012, None),
    ("1860", "Vestvågøy", 11500, "nordland_town", 0.003, None),
    ("1865", "Vågan", 9700, "nordland_town", 0.004, None),
    ("1857", "Værøy", 700, "nordland_rural", -0.005, None),
    # Vesterålen
    ("1871", "Andøy", 4500, "nordland_town", -0.008, None),
    ("1867", "Bø", 2500, "nordland_rural", -0.010, None),
    ("1866", "Hadsel", 8000, "nordland_town", -0.001, None),
    ("1851", "Lødingen", 2050, "nordland_rural", -0.008, None),
    ("1870", "Sortland", 10700, "nordland_town", 0.005, None),
    ("1868", "Øksnes", 4400, "nordland_town", -0.002, None),
    # Salten
    ("1839", "Beiarn", 1000, "nordland_rural", -0.010, None),
    ("1804", "Bodø", 53500, "nordland_city", 0.008, None),
    ("1841", "Fauske", 9900, "nordland_town", 0.000, None),
    ("1838", "Gildeskål", 1950, "nordland_rural", -0.008, None),
    ("1875", "Hamarøy", 2700, "nordland_rural", -0.005, None),
    ("1837", "Meløy", 6200, "nordland_town", -0.006, None),
    ("1840", "Saltdal", 4600, "nordland_town", -0.006, None),
    ("1848", "Steigen", 2500, "nordland_rural", -0.008, None),
    ("1845", "Sørfold", 1900, "nordland_rural", -0.008, None),
]

HISTORY_TITLE = "07459: Befolkning, etter region, alder, statistikkvariabel og år"
PROJECTION_TITLE = "13600: Framskrevet folkemengde 1. januar, etter region, alder, statistikkvariabel og år"
HEADER = '"region";"alder";"statistikkvariabel";"år";"Personer"'
HISTORY_VARIABLE = "Personer"
PROJECTION_VARIABLE = "Hovedalternativet (MMMM)"

HISTORY_NOTES = [
    (
        "Merknad: TILNÆRMEDE TALL laget for demonstrasjon av make_population.py, "
        "ikke hentet fra SSB. Erstatt med en ekte eksport av tabell 07459 "
        "i samme format."
    ),
    (
        "Befolkning per 1. januar. Regioner med 2024-kommunenummer. "
        "Bydelene i Oslo (0301xx) er tatt med i samme fil."
    ),
]
PROJECTION_NOTES = [
    (
        "Merknad: TILNÆRMEDE TALL laget for demonstrasjon av make_population.py, "
        "ikke SSBs befolkningsframskrivinger. "
        "Erstatt med en ekte eksport av tabell 13600 i samme format."
    ),
    (
        "Framskrevet folkemengde per 1. januar, hovedalternativet (MMMM). "
        "Startåret 2025 er satt lik tallene i population_07459.csv."
    ),
]


def _base_groups(total: int, shares: tuple[float, ...]) -> list[float]:
    return [total * s for s in shares]


def history(unit: tuple) -> dict[int, list[float]]:
    """Unrounded 0-17, 18-66, 67-79, 80+ for each history year."""
    _code, _name, total, profile, growth, override = unit
    shares = override or PROFILES[profile]["shares"]
    base = _base_groups(total, shares)
    out = {}
    for year in HISTORY_YEARS:
        t = year - BASE_YEAR
        out[year] = [b * (1 + growth + d) ** t for b, d in zip(base, HISTORY_DRIFT, strict=True)]
    return out


def projection(unit: tuple, start: list[float]) -> dict[int, list[float]]:
    """Unrounded groups for each projection year, geometric paths from 2025."""
    _code, _name, _total, profile, growth, _override = unit
    prof = PROFILES[profile]
    # Scale the young groups by how much faster or slower this unit has grown than
    # the profile's typical place (keeps Ullensaker growing faster than Rælingen).
    rel = ((1 + growth) / (1 + prof["g_ref"])) ** (PROJECTION_YEARS[-1] - 2025)
    factors = list(prof["factor_2040"])
    factors[0] *= rel
    factors[1] *= rel
    span = PROJECTION_YEARS[-1] - PROJECTION_BASE
    out = {}
    for year in PROJECTION_YEARS:
        k = (year - PROJECTION_BASE) / span
        out[year] = [s * f**k for s, f in zip(start, factors, strict=True)]
    return out


def _rows(unit: tuple, groups_by_year: dict[int, list[float]], variable: str):
    code, name, _total, profile, _growth, _override = unit
    share_65_66 = PROFILES[profile]["share_65_66"]
    values: dict[tuple[str, int], int] = {}
    for year, groups in groups_by_year.items():
        rounded = [round(g) for g in groups]
        total = sum(rounded)
        for age, value in zip(AGE_GROUPS, rounded, strict=True):
            values[(age, year)] = value
        values[(AGE_65_PLUS, year)] = round(total * share_65_66) + sum(rounded[2:])
        values[(AGE_TOTAL, year)] = total
    region = f"{code} {name}"
    # SSB order: region, then age, then variable, then year.
    for age in ALL_AGES:
        for year in groups_by_year:
            yield f'"{region}";"{age}";"{variable}";"{year}";{values[(age, year)]}'


def _write(path: Path, title: str, lines: list[str], notes: list[str]) -> None:
    text = "\n".join([title, HEADER, *lines, "", *(f'"{n}"' for n in notes)]) + "\n"
    path.write_bytes(text.encode("cp1252"))


def _check_tables() -> None:
    shares = [p["shares"] for p in PROFILES.values()]
    shares += [u[5] for u in TOTALS_2024 if u[5] is not None]
    for s in shares:
        if abs(sum(s) - 1) > 1e-9:
            raise ValueError(f"age shares must sum to 1: {s}")


def build(out_dir: Path = HERE) -> tuple[Path, Path]:
    _check_tables()
    hist_lines: list[str] = []
    proj_lines: list[str] = []
    for unit in TOTALS_2024:
        hist = history(unit)
        hist_lines.extend(_rows(unit, hist, HISTORY_VARIABLE))
        proj = projection(unit, hist[PROJECTION_BASE])
        proj_lines.extend(_rows(unit, proj, PROJECTION_VARIABLE))
    out_dir.mkdir(parents=True, exist_ok=True)
    hist_path = out_dir / "population_07459.csv"
    proj_path = out_dir / "projection_13600.csv"
    _write(hist_path, HISTORY_TITLE, hist_lines, HISTORY_NOTES)
    _write(proj_path, PROJECTION_TITLE, proj_lines, PROJECTION_NOTES)
    return hist_path, proj_path


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else HERE
    for path in build(out_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
