"""Checks on the reference data in data/reference (units, codes, population)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from analytics.reference import national_municipalities
from tests.support import national_codes

pytestmark = pytest.mark.backend_free

REF = Path(__file__).resolve().parents[1] / "data" / "reference"

AGE_GROUPS = ["0-17 år", "18-66 år", "67-79 år", "80 år eller eldre"]
AGE_65_PLUS = "65 år eller eldre"
AGE_TOTAL = "I alt"
ALL_AGES = {*AGE_GROUPS, AGE_65_PLUS, AGE_TOTAL}
KINDS = {"municipality", "district", "region", "partnership"}
COUNTY_PREFIX = {
    "Oslo": "03",
    "Rogaland": "11",
    "Møre og Romsdal": "15",
    "Nordland": "18",
    "Østfold": "31",
    "Akershus": "32",
    "Buskerud": "33",
    "Innlandet": "34",
    "Vestfold": "39",
    "Telemark": "40",
    "Agder": "42",
    "Vestland": "46",
    "Trøndelag": "50",
    "Troms": "55",
    "Finnmark": "56",
}


def _read_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name, dtype=str, keep_default_na=False, encoding="utf-8")


def read_ssb(name: str) -> pd.DataFrame:
    """Read an SSB "semikolonseparert med overskrift" export: title line, header,
    data, a blank line, then quoted footnotes (which land in the first column with
    nothing after them, so they are dropped on the empty value column)."""
    df = pd.read_csv(
        REF / name,
        sep=";",
        encoding="cp1252",
        skiprows=1,
        dtype={"region": str, "alder": str, "statistikkvariabel": str, "år": str},
    )
    notes = df[df["Personer"].isna()]
    assert notes["region"].str.startswith(("Merknad", "Befolkning", "Framskrevet")).all()
    df = df[df["Personer"].notna()].copy()
    assert (df["Personer"] % 1 == 0).all()
    df["Personer"] = df["Personer"].astype("int64")
    df["år"] = df["år"].astype(int)
    return df


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return _read_csv("units.csv")


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return national_municipalities(REF / "municipalities_norway.csv")


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return _read_csv("code_history.csv")


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return read_ssb("population_07459.csv")


@pytest.fixture(scope="module")
def projection() -> pd.DataFrame:
    return read_ssb("projection_13600.csv")


def _leaf_units(units: pd.DataFrame) -> pd.DataFrame:
    return units[units["kind"].isin(["municipality", "district"])]


def _wide(df: pd.DataFrame) -> pd.DataFrame:
    return df.pivot_table(index=["region", "år"], columns="alder", values="Personer", aggfunc="sum")


# --- units.csv ---------------------------------------------------------------


def test_units_columns_and_ids(units: pd.DataFrame) -> None:
    assert list(units.columns) == ["unit_id", "name", "kind", "region", "partnership"]
    assert units["unit_id"].is_unique
    assert set(units["kind"]) <= KINDS
    assert (units["name"] != "").all()


def test_units_hierarchy(units: pd.DataFrame) -> None:
    by_id = units.set_index("unit_id")
    partnerships = set(units.loc[units["kind"] == "partnership", "unit_id"])
    regions = set(units.loc[units["kind"] == "region", "unit_id"])
    assert partnerships == {"ahus", "lovesa"}
    for row in units.itertuples():
        assert row.partnership in partnerships, row
        if row.kind == "partnership":
            assert row.region == "" and row.partnership == row.unit_id
        elif row.kind == "region":
            assert row.region == ""
        else:
            assert row.region in regions, row
            # a unit's partnership is its region's partnership
            assert by_id.loc[row.region, "partnership"] == row.partnership


def test_unit_codes(units: pd.DataFrame) -> None:
    leaves = _leaf_units(units)
    munis = leaves[leaves["kind"] == "municipality"]["unit_id"]
    districts = leaves[leaves["kind"] == "district"]["unit_id"]
    assert munis.str.fullmatch(r"\d{4}").all()
    assert districts.str.fullmatch(r"0301\d{2}").all()
    assert set(districts) == {"030110", "030111", "030112"}  # leading zero kept
    counts = leaves.groupby("partnership").size().to_dict()
    assert counts == {"ahus": 25, "lovesa": 21}


# --- municipalities_norway.csv -------------------------------------------------


def test_national_list(national: pd.DataFrame) -> None:
    assert list(national.columns) == ["code", "name", "county"]
    assert len(national) == 357
    assert national["code"].is_unique
    assert national["code"].str.fullmatch(r"\d{4}").all()
    assert (national["name"] != "").all()
    assert set(national["county"]) == set(COUNTY_PREFIX)
    for row in national.itertuples():
        assert row.code[:2] == COUNTY_PREFIX[row.county], row


def test_unit_municipalities_are_national(units: pd.DataFrame, national: pd.DataFrame) -> None:
    names = dict(zip(national["code"], national["name"], strict=True))
    munis = units[units["kind"] == "municipality"]
    for row in munis.itertuples():
        assert row.unit_id in names, row
        assert names[row.unit_id] == row.name, row


# --- code_history.csv --------------------------------------------------------


def test_code_history_values(history: pd.DataFrame, national: pd.DataFrame) -> None:
    assert list(history.columns) == [
        "old_code",
        "old_name",
        "new_code",
        "new_name",
        "changed",
        "change",
    ]
    assert set(history["changed"]) <= {"2018-01-01", "2019-01-01", "2020-01-01", "2024-01-01"}
    assert set(history["change"]) <= {"merge", "split", "renumber"}
    assert history["old_code"].str.fullmatch(r"\d{4}").all()
    assert history["new_code"].str.fullmatch(r"\d{4}").all()
    assert not history.duplicated(["old_code", "new_code", "changed"]).any()
    # an old code is gone after its change
    assert not set(history["old_code"]) & set(national["code"])


def test_code_history_chains_end_in_current_codes(history: pd.DataFrame, national: pd.DataFrame) -> None:
    current = set(national["code"])
    for row in history.itertuples():
        if row.new_code in current:
            continue
        later = history[(history["old_code"] == row.new_code) & (history["changed"] > row.changed)]
        assert not later.empty, f"{row.old_code} -> {row.new_code} ends nowhere"


def _resolve(history: pd.DataFrame, code: str) -> set[str]:
    """All current codes an old code leads to (a split gives several)."""
    nxt = history[history["old_code"] == code]["new_code"].tolist()
    if not nxt:
        return {code}
    return set().union(*(_resolve(history, c) for c in nxt))


def test_code_history_known_chains(history: pd.DataFrame) -> None:
    assert _resolve(history, "0231") == {"3205"}  # Skedsmo -> Lillestrøm
    assert _resolve(history, "0121") == {"3226"}  # Rømskog -> Aurskog-Høland
    assert _resolve(history, "0217") == {"3207"}  # Oppegård -> Nordre Follo
    assert _resolve(history, "0402") == {"3401"}  # Kongsvinger
    assert _resolve(history, "1850") == {"1875", "1806"}  # Tysfjord split


def test_code_history_is_national(history: pd.DataFrame) -> None:
    """Every code of the 2019 and the 2020–2023 map has a row, also outside the board."""
    assert _resolve(history, "0136") == {"3103"}  # Rygge -> Moss 3002 (2020) -> 3103 (2024)
    assert _resolve(history, "5012") == {"5055", "5056", "5059"}  # Snillfjord split (2020)
    assert _resolve(history, "1507") == {"1508", "1580"}  # Ålesund split (2024)
    assert _resolve(history, "1534") == {"1580"}  # Haram before 2020 is Haram today
    assert _resolve(history, "1504") == {"1508"}
    assert _resolve(history, "5030") == {"5001"}  # Klæbu -> Trondheim
    assert _resolve(history, "1567") == {"5061"}  # Rindal moved county in 2019
    assert _resolve(history, "0709") == {"3909"}  # Larvik 2017 -> 0712 (2018) -> 3805 -> 3909
    assert _resolve(history, "1624") == {"5054"}  # Rissa -> Indre Fosen (2018)
    assert _resolve(history, "1613") == {"5055", "5056", "5059"}  # Snillfjord 2017 -> 5012 -> split
    assert _resolve(history, "0706") == {"0706"}  # Sandefjord before 2017: not covered (ended 2016)
    assert _resolve(history, "5444") == {"5605"}  # Sør-Varanger 2020-2023
    assert _resolve(history, "0301") == {"0301"}
    assert len(national_codes(2019)) == 422  # SSB: 422 municipalities in 2019
    assert len(national_codes(2022)) == 356  # and 356 in 2020-2023
    assert {"0136", "1850", "5012", "1534", "5061", "5004"} <= set(national_codes(2019))
    assert "5006" not in national_codes(2019)  # Steinkjer 5004 + Verran 5039 → 5006 in 2020
    assert {"3002", "1507", "5444"} <= set(national_codes(2022))


def test_code_history_names_match(history: pd.DataFrame, national: pd.DataFrame) -> None:
    """A step to today's code carries today's name; a step to an intermediate code carries the
    name of that code's own next row. Names have no Sami parallel name or county suffix."""
    today = dict(zip(national["code"], national["name"], strict=True))
    later_names = history.groupby("old_code")["old_name"].agg(set)
    for row in history.itertuples():
        expected = {today[row.new_code]} if row.new_code in today else later_names[row.new_code]
        assert row.new_name in expected, row
    names = pd.concat([history["old_name"], history["new_name"]])
    assert not names.str.contains(r" - |\(").any()


def test_code_history_steps_match_the_change(history: pd.DataFrame) -> None:
    """A merge has several old codes (or a code kept, as Trondheim) per new code and date; a
    split has several new codes per old code; a renumbering one of each."""
    per_old = history.groupby("old_code")["new_code"].transform("size")
    splits = history["change"] == "split"
    assert (per_old[splits] > 1).all() and (per_old[~splits] == 1).all()
    whole = history[~splits]  # the part of a split (Ålesund 1507 → Haram 1580) is no old code's whole
    per_new = whole.groupby(["new_code", "changed"])["old_code"].transform("size")
    assert (per_new[whole["change"] == "renumber"] == 1).all()
    single_merges = set(whole.loc[(whole["change"] == "merge") & (per_new == 1), "new_code"])
    # kept their code (Trondheim), or took a part of a split besides (Hamarøy, Hitra)
    assert single_merges == {"5001", "1875", "5056"}


def test_renumbered_units_have_predecessors(units: pd.DataFrame, history: pd.DataFrame) -> None:
    """Every Akershus and Innlandet unit had another code in 2018."""
    finals = {c for old in history["old_code"] for c in _resolve(history, old)}
    munis = set(units.loc[units["kind"] == "municipality", "unit_id"])
    renumbered = {c for c in munis if c[:2] in {"32", "34"}} | {"1875"}
    assert renumbered <= finals, renumbered - finals


# --- population_07459.csv and projection_13600.csv ---------------------------


def test_population_files_are_cp1252() -> None:
    for name in ("population_07459.csv", "projection_13600.csv"):
        raw = (REF / name).read_bytes()
        assert raw.decode("cp1252").splitlines()[0][:6] in {"07459:", "13600:"}
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")  # ø as one cp1252 byte is not UTF-8


def _check_layout(df: pd.DataFrame, units: pd.DataFrame, years: set[int]) -> None:
    assert list(df.columns) == [
        "region",
        "alder",
        "statistikkvariabel",
        "år",
        "Personer",
    ]
    expected = {f"{r.unit_id} {r.name}" for r in _leaf_units(units).itertuples()}
    assert set(df["region"]) == expected
    assert set(df["alder"]) == ALL_AGES
    assert set(df["år"]) == years
    assert len(df) == len(expected) * len(ALL_AGES) * len(years)
    assert not df.duplicated(["region", "alder", "år"]).any()
    assert (df["Personer"] >= 0).all()
    wide = _wide(df)
    assert (wide[AGE_GROUPS].sum(axis=1) == wide[AGE_TOTAL]).all()
    assert (wide[AGE_65_PLUS] >= wide["67-79 år"] + wide["80 år eller eldre"]).all()
    assert (wide[AGE_65_PLUS] <= wide[AGE_TOTAL]).all()


def test_population_layout(population: pd.DataFrame, units: pd.DataFrame) -> None:
    _check_layout(population, units, set(range(2018, 2026)))
    assert set(population["statistikkvariabel"]) == {"Personer"}


def test_population_is_plausible(population: pd.DataFrame) -> None:
    wide = _wide(population)[AGE_TOTAL].unstack("år")
    assert 80_000 < wide.loc["3205 Lillestrøm", 2024] < 100_000
    assert 48_000 < wide.loc["1804 Bodø", 2024] < 58_000
    assert 300 < wide.loc["1856 Røst", 2024] < 600
    # smooth: no unit moves more than 5 % in a year
    change = wide.pct_change(axis=1).iloc[:, 1:].abs()
    assert (change < 0.05).all().all()


def test_projection_layout(projection: pd.DataFrame, units: pd.DataFrame) -> None:
    _check_layout(projection, units, set(range(2025, 2041)))
    assert set(projection["statistikkvariabel"]) == {"Hovedalternativet (MMMM)"}


def test_projection_ageing(projection: pd.DataFrame) -> None:
    old = _wide(projection)["80 år eller eldre"].unstack("år")
    growth = old[2040] / old[2025]
    assert (growth > 1.4).all() and (growth < 2.0).all()
    assert (old.diff(axis=1).iloc[:, 1:] >= 0).all().all()  # 80+ never falls


def test_projection_starts_at_population(population: pd.DataFrame, projection: pd.DataFrame) -> None:
    key = ["region", "alder"]
    pop = population[population["år"] == 2025].set_index(key)["Personer"]
    proj = projection[projection["år"] == 2025].set_index(key)["Personer"]
    pd.testing.assert_series_equal(pop.sort_index(), proj.sort_index())


def test_generator_is_deterministic(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_population", REF / "make_population.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.build(tmp_path):
        assert path.read_bytes() == (REF / path.name).read_bytes(), path.name


def test_code_chains_resolve_to_todays_codes_and_keep_splits():
    from analytics.reference import read_code_history, resolve_code_chains

    resolved = resolve_code_chains(read_code_history())
    current = dict(zip(resolved["old_code"], resolved["current_code"], strict=False))
    assert current["0231"] == "3205"  # Skedsmo → Lillestrøm (2020) → 3205 (2024)
    assert current["0230"] == "3222"  # Lørenskog → 3029 → 3222
    tysfjord = set(resolved.loc[resolved["old_code"] == "1850", "current_code"])
    assert tysfjord == {"1875", "1806"}
