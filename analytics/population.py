"""Population and projections: the partnership's shared knowledge base ("felles kunnskapsgrunnlag").

Registered population (SSB table 07459, indicators ``population_<group>``) and projected
population (SSB table 13600, indicators ``projection_<group>``: the main alternative MMMM) come
out as one tidy frame per partnership: unit_id, group, year, value and ``kind`` ("registrert"
or "framskrevet"), for every member municipality or district, every region and the partnership.
Regions and the partnership are sums of their members, only for years where every member is known.

Overlap: where both exist for the same unit, group and year (2025 in the shipped files) the
registered figure wins. A projection is used only for years after the last registered year of
that unit and group, so a newly loaded year of 07459 replaces the projected one at once.

Other projection alternatives are other indicators: ``projection_<group>_<code>`` (for example
``projection_80_plus_llml`` for SSB's alternative LLML), each with a registry entry and a loader
profile like ``ssb_13600``. `alternatives` finds them; no code changes.

Expected demand "uten endring i rate": see `expected_demand`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import config, formatting, protection
from analytics.board import Board
from analytics.periods import period_end, periods_per_year
from analytics.registry import Indicator

GROUPS: dict[str, str] = {
    "0_17": "0–17 år",
    "18_66": "18–66 år",
    "67_79": "67–79 år",
    "80_plus": "80 år og eldre",
    "65_plus": "65 år og eldre",
    "total": "I alt",
}
AGE_BANDS = ("0_17", "18_66", "67_79", "80_plus")  # disjoint: they add up to "total"
HEADLINE_GROUPS = ("67_79", "80_plus")
REGISTERED = "registrert"
PROJECTED = "framskrevet"
MAIN_ALTERNATIVE = "MMMM"
HORIZON = (2030, 2040)
DEMAND_INDICATORS = ("hip_fractures", "fall_injury_admissions")
PER = 1000
MEMBER_KINDS = ("municipality", "district")
# URL value → (label, unit kinds at that level)
LEVELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "helsefellesskap": ("Helsefellesskap", ("partnership",)),
    "region": ("Region", ("region",)),
    "kommune": ("Kommune", MEMBER_KINDS),
}
POPULATION_FILES = ("population_07459.csv", "projection_13600.csv")
APPROXIMATE_NOTE = (
    "**Tilnærmede befolkningstall.** Befolkningen og framskrivingene på denne siden er laget av "
    "skriptet `data/reference/make_population.py` i samme format som SSB-tabellene 07459 og 13600, "
    "ikke lastet ned fra SSB. Størrelse og retning er riktige, men tallene er ikke SSBs: bruk dem "
    "ikke i rapporter. Last inn eksporter fra SSBs statistikkbank for å få de ekte tallene "
    "(se `data/reference/README.md`)."
)
ALTERNATIVES_NOTE = (
    "Bare SSBs hovedalternativ (MMMM) er lastet inn. Andre alternativer fra tabell 13600 lastes inn "
    "som egne indikatorer, for eksempel `projection_80_plus_llml` for lav nasjonal vekst (LLML), "
    "med en oppføring i `data/indicators.yaml` og en innlastingsprofil som `ssb_13600`; da kan de "
    "velges her."
)


# -- names and units ----------------------------------------------------------------------


def registered_id(group: str) -> str:
    return f"population_{group}"


def projection_id(group: str, alternative: str = MAIN_ALTERNATIVE) -> str:
    suffix = "" if alternative == MAIN_ALTERNATIVE else f"_{alternative.lower()}"
    return f"projection_{group}{suffix}"


def group_of(indicator_id: str) -> str:
    """'population_80_plus' (or 'projection_80_plus') → '80_plus'."""
    for prefix in ("population_", "projection_"):
        rest = indicator_id.removeprefix(prefix)
        if rest != indicator_id and rest in GROUPS:
            return rest
    raise ValueError(f"«{indicator_id}» er ikke en befolkningsgruppe.")


def alternatives(indicator_ids: Iterable[str]) -> list[str]:
    """Projection alternatives among these indicator ids, the main alternative first."""
    found: set[str] = set()
    for ident in indicator_ids:
        rest = ident.removeprefix("projection_")
        if rest == ident:
            continue
        if rest in GROUPS:
            found.add(MAIN_ALTERNATIVE)
            continue
        for group in GROUPS:
            if rest.startswith(f"{group}_"):
                found.add(rest[len(group) + 1 :].upper())
    return sorted(found, key=lambda code: (code != MAIN_ALTERNATIVE, code))


def loaded_alternatives(board: Board) -> list[str]:
    """Alternatives that are in the registry and have values in the store."""
    with_facts = set(board.store.indicator_summary()["indicator"])
    return alternatives(i for i in board.registry.ids() if i in with_facts)


def alternative_label(code: str) -> str:
    return "hovedalternativet (MMMM)" if code == MAIN_ALTERNATIVE else f"alternativ {code}"


def name_key(name: str) -> str:
    """Norwegian alphabetical order: Æ, Ø, Å come after Z."""
    return name.lower().translate(str.maketrans({"æ": "{", "ø": "|", "å": "}"}))


def level_label(board: Board, partnership: str, level: str) -> str:
    if level == "kommune" and (board.member_units(partnership)["kind"] == "district").any():
        return "Kommune/bydel"
    return LEVELS[level][0]


def members_label(board: Board, partnership: str) -> str:
    """'kommunene og bydelene' or 'kommunene', for headings."""
    has_districts = (board.member_units(partnership)["kind"] == "district").any()
    return "kommunene og bydelene" if has_districts else "kommunene"


def level_units(board: Board, partnership: str, level: str) -> list[str]:
    """The units a user can pick at a level, within one partnership (members alphabetically)."""
    units = board.units
    chosen = units[(units["partnership"] == partnership) & units["kind"].isin(LEVELS[level][1])]
    if level == "kommune":
        chosen = chosen.sort_values("name", key=lambda names: names.map(name_key))
    return chosen["unit_id"].tolist()


# id(units frame) → (the frame, {unit id → its members}): judging asks for the same units'
# members many times (a matrix: every municipality × every rated indicator).
_MEMBERS: dict[int, tuple[pd.DataFrame, dict[str, tuple[str, ...]]]] = {}


def members_of(units: pd.DataFrame, unit_id: str) -> list[str]:
    """The municipalities and districts a unit is made of (a member is made of itself).

    Kept per units frame (the frames a board holds are not changed in place)."""
    held = _MEMBERS.get(id(units))
    if held is None or held[0] is not units:
        if len(_MEMBERS) > 64:
            _MEMBERS.clear()
        held = (units, {})
        _MEMBERS[id(units)] = held
    known = held[1]
    if unit_id not in known:
        known[unit_id] = tuple(_members_of(units, unit_id))
    return list(known[unit_id])


def _members_of(units: pd.DataFrame, unit_id: str) -> list[str]:
    kind = units.loc[units["unit_id"] == unit_id, "kind"]
    kind = kind.iloc[0] if len(kind) else None
    members = units[units["kind"].isin(MEMBER_KINDS)]
    if kind == "partnership":
        members = members[members["partnership"] == unit_id]
    elif kind == "region":
        members = members[members["region"] == unit_id]
    else:
        return [unit_id]
    return members.sort_values("name", key=lambda names: names.map(name_key))["unit_id"].tolist()


def _aggregates(units: pd.DataFrame, partnership: str) -> dict[str, list[str]]:
    """Region and partnership ids → their members."""
    ids = units[(units["partnership"] == partnership) & units["kind"].isin(["region", "partnership"])]
    return {unit: members_of(units, unit) for unit in ids["unit_id"]}


# -- population frame ----------------------------------------------------------------------

FRAME_COLUMNS = ["unit_id", "group", "year", "value", "kind"]


def combine(registered: pd.DataFrame, projected: pd.DataFrame) -> pd.DataFrame:
    """Registered and projected rows (unit_id, group, year, value) as one frame with `kind`.

    Registered wins where both exist; a projection counts only after the last registered year
    of its unit and group.
    """
    reg = registered[["unit_id", "group", "year", "value"]].assign(kind=REGISTERED)
    proj = projected[["unit_id", "group", "year", "value"]].assign(kind=PROJECTED)
    last = reg.groupby(["unit_id", "group"])["year"].max().rename("last_registered").reset_index()
    proj = proj.merge(last, on=["unit_id", "group"], how="left")
    proj = proj[proj["last_registered"].isna() | (proj["year"] > proj["last_registered"])]
    frame = pd.concat([reg, proj[FRAME_COLUMNS]], ignore_index=True)
    return frame.sort_values(["unit_id", "group", "year"], ignore_index=True)


def sum_over_members(
    rows: pd.DataFrame, groups: dict[str, list[str]], keys: list[str], also: dict | None = None
) -> pd.DataFrame | None:
    """Sum rows (unit_id, *keys, value) into each group id, only where every member is known,
    so a region's or partnership's total is whole. ``also``: more named aggregations.

    Returns unit_id (the group), *keys, value and the ``also`` columns; None when nothing sums.
    """
    mapping = pd.DataFrame(
        [(group, member) for group, ids in groups.items() for member in ids], columns=["_group", "unit_id"]
    )
    if rows.empty or mapping.empty:
        return None
    size = mapping.groupby("_group").size().rename("_size")
    summed = (
        rows.merge(mapping, on="unit_id")
        .groupby(["_group", *keys], as_index=False)
        .agg(value=("value", "sum"), _n=("unit_id", "nunique"), **(also or {}))
        .join(size, on="_group")
    )
    summed = summed[summed["_n"] == summed["_size"]].drop(columns=["_n", "_size"])
    return summed.rename(columns={"_group": "unit_id"}).reset_index(drop=True)


def aggregate(members: pd.DataFrame, groups: dict[str, list[str]]) -> pd.DataFrame:
    """Sum member rows into each aggregate unit, only in years where all its members are known.

    A year is "registrert" for the aggregate only when it is registered for every member.
    """
    summed = sum_over_members(
        members.assign(is_registered=members["kind"] == REGISTERED),
        groups,
        ["group", "year"],
        {"registered": ("is_registered", "min")},
    )
    if summed is None:
        return pd.DataFrame(columns=FRAME_COLUMNS)
    summed["kind"] = np.where(summed["registered"].astype(bool), REGISTERED, PROJECTED)
    return summed[FRAME_COLUMNS]


def member_population(
    board: Board, unit_ids: Sequence[str], alternative: str = MAIN_ALTERNATIVE
) -> pd.DataFrame:
    """The combined frame (FRAME_COLUMNS) for these municipalities/districts, from the store."""
    wanted = {registered_id(g): (g, REGISTERED) for g in GROUPS}
    wanted |= {projection_id(g, alternative): (g, PROJECTED) for g in GROUPS}
    facts = board.store.facts(list(wanted), list(unit_ids), grain="year")
    facts = facts[~facts["suppressed"].astype(bool) & facts["value"].notna()]
    frame = pd.DataFrame(
        {
            "unit_id": facts["unit_id"].astype(str),
            "group": facts["indicator"].map(lambda i: wanted[i][0]),
            "year": pd.to_datetime(facts["period_start"]).dt.year.astype(int),
            "value": facts["value"].astype(float),
            "source": facts["indicator"].map(lambda i: wanted[i][1]),
        }
    )
    return combine(frame[frame["source"] == REGISTERED], frame[frame["source"] == PROJECTED])


def population(board: Board, partnership: str, alternative: str = MAIN_ALTERNATIVE) -> pd.DataFrame:
    """Tidy frame (FRAME_COLUMNS) for every member, region and the partnership itself."""
    members = member_population(board, board.member_ids(partnership), alternative)
    totals = aggregate(members, _aggregates(board.units, partnership))
    return pd.concat([members, totals], ignore_index=True)


def of_unit(frame: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    return frame[frame["unit_id"] == unit_id].reset_index(drop=True)


def last_registered_year(frame: pd.DataFrame) -> int | None:
    years = frame.loc[frame["kind"] == REGISTERED, "year"]
    return int(years.max()) if len(years) else None


# -- growth and the eldrebølge -------------------------------------------------------------

GROWTH_COLUMNS = ["group", "label", "base_year", "base", "year", "value", "kind", "change", "change_pct"]


def growth(
    frame: pd.DataFrame, groups: Sequence[str] = HEADLINE_GROUPS, years: Sequence[int] = HORIZON
) -> pd.DataFrame:
    """One unit's growth per group from its last registered year to each of `years`.

    frame: one unit's rows (group, year, value, kind). change = value − base; change_pct in %.
    """
    rows = []
    for group in groups:
        sub = frame[frame["group"] == group].set_index("year")
        registered = sub[sub["kind"] == REGISTERED]
        if registered.empty:
            continue
        base_year = int(registered.index.max())
        base = float(registered.loc[base_year, "value"])
        for year in years:
            value = float(sub.loc[year, "value"]) if year in sub.index else np.nan
            change = value - base
            rows.append(
                {
                    "group": group,
                    "label": GROUPS[group],
                    "base_year": base_year,
                    "base": base,
                    "year": year,
                    "value": value,
                    "kind": sub.loc[year, "kind"] if year in sub.index else None,
                    "change": change,
                    "change_pct": change / base * 100 if base else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=GROWTH_COLUMNS)


def elder_wave(frame: pd.DataFrame) -> pd.DataFrame:
    """The eldrebølge year by year for one unit.

    Per year: kind, and for 67–79 and 80+ the persons, the change from the year before
    (NaN when that year is missing) and the share of the whole population in per cent.
    """
    wide = frame.pivot_table(index="year", columns="group", values="value", aggfunc="sum")
    if wide.empty or "total" not in wide or "80_plus" not in wide:
        return pd.DataFrame()
    wide = wide.reindex(range(int(wide.index.min()), int(wide.index.max()) + 1))
    kinds = frame[frame["group"] == "80_plus"].set_index("year")["kind"]
    out = pd.DataFrame(index=wide.index)
    out["kind"] = kinds.reindex(wide.index)
    for group in ("67_79", "80_plus"):
        if group not in wide:
            continue
        persons = wide[group]
        out[f"persons_{group}"] = persons
        out[f"change_{group}"] = persons.diff()
        out[f"change_pct_{group}"] = persons.pct_change(fill_method=None) * 100
        out[f"share_{group}"] = persons / wide["total"] * 100
    return out.dropna(subset=["kind"]).rename_axis("year").reset_index()


def member_overview(
    frame: pd.DataFrame, units: pd.DataFrame, member_ids: Sequence[str], year: int
) -> pd.DataFrame:
    """Per member: 80+ in its last registered year and in `year`, growth of 67–79 and 80+ in %,
    and the share of 80+ in both years (one pass over the frame, not one per member)."""
    sub = frame[frame["unit_id"].isin(member_ids)]
    base_years = sub[sub["kind"] == REGISTERED].groupby("unit_id")["year"].max().rename("base_year")
    if base_years.empty:
        return pd.DataFrame()
    values = sub.set_index(["unit_id", "group", "year"])["value"]

    def at(group: str, years: pd.Series) -> pd.Series:
        keys = list(zip(years.index, [group] * len(years), years, strict=True))
        return pd.Series(values.reindex(keys).to_numpy(), index=years.index)

    horizon = pd.Series(year, index=base_years.index)
    out = pd.DataFrame({"base_year": base_years, "year": year})
    out["persons_80_base"] = at("80_plus", base_years)
    out["persons_80"] = at("80_plus", horizon)
    out["growth_80_pct"] = (out["persons_80"] / out["persons_80_base"] - 1) * 100
    out["growth_67_79_pct"] = (at("67_79", horizon) / at("67_79", base_years) - 1) * 100
    out["share_80_base"] = out["persons_80_base"] / at("total", base_years) * 100
    out["share_80"] = out["persons_80"] / at("total", horizon) * 100
    out["name"] = out.index.map(units.set_index("unit_id")["name"])
    out = out.dropna(subset=["persons_80_base"]).rename_axis("unit_id").reset_index()
    columns = ["unit_id", "name", "base_year", "year", "persons_80_base", "persons_80", "growth_80_pct"]
    return out[[*columns, "growth_67_79_pct", "share_80_base", "share_80"]]


# -- expected demand -----------------------------------------------------------------------


def last_complete_year(facts: pd.DataFrame, grain: str) -> int | None:
    """The newest calendar year the data reach the end of (a year in progress is not used)."""
    if facts.empty:
        return None
    newest = pd.to_datetime(facts["period_start"]).max().date()
    end = period_end(newest, grain)
    return end.year if (end.month, end.day) == (12, 31) else end.year - 1


def observed_counts(facts: pd.DataFrame, year: int, grain: str, unit_ids: Sequence[str]) -> pd.DataFrame:
    """Each unit's count in `year`: known only when every period of the year is there and shown.

    Returns unit_id, observed (NaN unless known), state: "data", "skjult" (a suppressed
    period) or "mangler" (a period missing).
    """
    rows = facts.assign(unit_id=facts["unit_id"].astype(str))
    rows = rows[pd.to_datetime(rows["period_start"]).dt.year == year]
    per_unit = (
        rows.assign(hidden=rows["suppressed"].astype(bool) | rows["value"].isna())
        .groupby("unit_id")
        .agg(hidden=("hidden", "any"), periods=("period_start", "nunique"), total=("value", "sum"))
        .reindex(list(unit_ids))
    )
    hidden = per_unit["hidden"].fillna(False).astype(bool)
    complete = per_unit["periods"].fillna(0) >= periods_per_year(grain)
    state = np.where(hidden, "skjult", np.where(complete, "data", "mangler"))
    return pd.DataFrame(
        {
            "unit_id": list(unit_ids),
            "observed": np.where(state == "data", per_unit["total"].astype(float), np.nan),
            "state": state,
        },
        columns=["unit_id", "observed", "state"],
    )


def _expected_columns(years: Sequence[int]) -> list[str]:
    return [c for y in years for c in (f"population_{y}", f"expected_{y}")]


def demand_rows(
    observed: pd.DataFrame,
    population_frame: pd.DataFrame,
    units: pd.DataFrame,
    partnership: str,
    group: str,
    base_year: int,
    years: Sequence[int] = HORIZON,
) -> pd.DataFrame:
    """Today's rate and the expected counts, per member and summed per region and partnership.

    observed: unit_id, observed (NaN = unknown). population_frame: the members' combined frame.
    Member: rate = observed / population(base_year) × 1 000, expected_y = rate × population(y).
    Region and partnership: rate = Σ observed / Σ population (never a mean of rates) and
    expected_y = Σ members' expected_y, both over the members whose count is known;
    n_missing counts the others. `primary` and `hidden` carry small-number protection.
    """
    pop = population_frame[population_frame["group"] == group]
    pop = pop.pivot_table(index="unit_id", columns="year", values="value", aggfunc="sum")
    members = observed[["unit_id", "observed"]].copy()
    members["population"] = members["unit_id"].map(pop[base_year] if base_year in pop else {})
    for year in years:
        members[f"population_{year}"] = members["unit_id"].map(pop[year] if year in pop else {})
    pop_columns = ["population", *[f"population_{y}" for y in years]]
    members["known"] = (
        members["observed"].notna() & (members["population"] > 0) & members[pop_columns].notna().all(axis=1)
    )
    members["rate"] = (members["observed"] / members["population"] * PER).where(members["known"])
    for year in years:
        members[f"expected_{year}"] = members["rate"] * members[f"population_{year}"] / PER
    members["n_units"] = 1
    members["n_missing"] = (~members["known"]).astype(int)

    info = units.set_index("unit_id")
    members["kind"] = members["unit_id"].map(info["kind"])
    members["parent"] = members["unit_id"].map(info["region"]).fillna(partnership)
    total_rows = []
    for unit, ids in _aggregates(units, partnership).items():
        sub = members[members["unit_id"].isin(ids)]
        known = sub[sub["known"]]
        row = {
            "unit_id": unit,
            "observed": known["observed"].sum(min_count=1),
            "population": known["population"].sum(min_count=1),
            "n_units": len(sub),
            "n_missing": int((~sub["known"]).sum()),
            "known": not known.empty,
            "kind": info["kind"].get(unit),
            "parent": partnership if unit != partnership else None,
        }
        for year in years:
            row[f"population_{year}"] = known[f"population_{year}"].sum(min_count=1)
            row[f"expected_{year}"] = known[f"expected_{year}"].sum(min_count=1)
        row["rate"] = row["observed"] / row["population"] * PER if row["known"] else np.nan
        total_rows.append(row)
    rows = pd.concat([members, pd.DataFrame(total_rows)], ignore_index=True)
    rows["name"] = rows["unit_id"].map(info["name"])
    rows = _protect(rows, partnership)
    columns = ["unit_id", "name", "kind", "parent", "observed", "population", "rate"]
    columns += _expected_columns(years) + ["n_units", "n_missing", "known", "primary", "hidden"]
    return rows[columns]


def _protect(rows: pd.DataFrame, partnership: str) -> pd.DataFrame:
    """Small counts: primary "<5"; complementary cells so no hidden count can be subtracted out.

    Lines are each region (members + region total) and the partnership (regions + total), so the
    same cells are hidden whichever level a user looks at. A hidden count hides its rate and
    expected counts too: with the population shown beside them they would give it back.
    """
    table = rows.set_index("unit_id")
    primary = pd.Series(False, index=table.index)
    hidden = pd.Series(False, index=table.index)
    lines = [
        (p, table.index[table["parent"] == p].tolist())
        for p in table.index
        if table.loc[p, "kind"] == "region"
    ]
    lines.append((partnership, table.index[table["parent"] == partnership].tolist()))
    for total, parts in lines:
        if total not in table.index or not parts:
            continue
        line = table.loc[[*parts, total], ["observed"]]
        result = protection.protect_counts(line, count_columns=["observed"], total_row=total)
        flagged = result.primary["observed"]
        primary.loc[flagged.index] = primary.loc[flagged.index] | flagged
        flagged = result.hidden["observed"]
        hidden.loc[flagged.index] = hidden.loc[flagged.index] | flagged
    # A member's own small count hides it, even outside any line.
    small = table["observed"].map(formatting.below_threshold).astype(bool)
    primary |= small
    hidden |= small
    return rows.assign(primary=rows["unit_id"].map(primary).values, hidden=rows["unit_id"].map(hidden).values)


@dataclass(frozen=True)
class Demand:
    """Expected demand for one indicator in one partnership."""

    indicator: Indicator
    group: str
    base_year: int | None
    years: tuple[int, ...]
    rows: pd.DataFrame  # demand_rows columns; empty when there is no data
    base_projected: bool = False  # the base year's population is projected (not yet registered)

    @property
    def empty(self) -> bool:
        return self.base_year is None or self.rows.empty or not self.rows["known"].any()


def expected_demand(
    board: Board,
    partnership: str,
    indicator_id: str,
    years: Sequence[int] = HORIZON,
    population_frame: pd.DataFrame | None = None,
) -> Demand:
    """Today's rate × the projected population of the indicator's population group.

    Today's rate: the last complete year of data, per member (see `demand_rows`).
    `population_frame`: the members' combined frame, if already read.
    """
    indicator = board.registry.get(indicator_id)
    if not indicator.population:
        raise ValueError(f"Indikatoren «{indicator_id}» har ingen befolkningsgruppe.")
    group = group_of(indicator.population)
    member_ids = board.member_ids(partnership)
    facts = board.store.facts([indicator_id], member_ids, grain=indicator.grain)
    base_year = last_complete_year(facts, indicator.grain)
    if base_year is None:
        return Demand(indicator, group, None, tuple(years), pd.DataFrame())
    if population_frame is None:
        population_frame = member_population(board, member_ids)
    members = population_frame[population_frame["unit_id"].isin(member_ids)]
    observed = observed_counts(facts, base_year, indicator.grain, member_ids)
    rows = demand_rows(observed, members, board.units, partnership, group, base_year, years)
    base = members[(members["group"] == group) & (members["year"] == base_year)]
    projected = bool(len(base)) and bool((base["kind"] == PROJECTED).any())
    return Demand(indicator, group, base_year, tuple(years), rows, projected)


def demand_table(demand: Demand, unit_id: str, units: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table a person reads: the unit's members, then the unit's own total; display text.

    Returns the frame (Norwegian column names) and its footnotes.
    """
    rows = demand.rows.set_index("unit_id")
    members = [m for m in members_of(units, unit_id) if m in rows.index]
    # The unit's own total first: it is what most readers look for.
    order = [unit_id] + [m for m in members if m != unit_id]
    age = GROUPS[demand.group]
    base, last = demand.base_year, demand.years[-1]
    out = []
    for unit in order:
        row = rows.loc[unit]
        is_total = unit == unit_id and len(order) > 1
        name = f"Sum {row['name']}" if is_total else str(row["name"])
        if is_total and row["n_missing"]:
            name += f" ({int(row['n_units'] - row['n_missing'])} av {int(row['n_units'])} med tall)"
        known = bool(row["known"])
        if not known:
            observed = "–"
        elif row["primary"]:
            observed = protection.small_label()
        elif row["hidden"]:
            observed = protection.SECONDARY
        else:
            observed = formatting.number(row["observed"])
        record = {
            "Enhet": name,
            f"Hendelser {base}": observed,
            f"Innbyggere {age} {base}": formatting.number(row["population"]),
            f"Rate per 1 000 i {base}": _shown(row, row["rate"], 1),
        }
        for year in demand.years:
            record[f"Forventet {year}"] = _shown(row, row[f"expected_{year}"], 0)
        change = (
            (row[f"population_{last}"] / row["population"] - 1) * 100
            if known and row["population"]
            else np.nan
        )
        record[f"Endring {base}–{last}"] = "–" if formatting.is_missing(change) else _signed_percent(change)
        out.append(record)
    notes = []
    shown = rows.loc[order]
    if shown["primary"].any():
        notes.append(protection.primary_note(config.SUPPRESSION_THRESHOLD))
    if (shown["hidden"] & ~shown["primary"]).any():
        notes.append(protection.SECONDARY_NOTE)
    if shown["hidden"].any():
        notes.append("Rate og forventet antall vises ikke der antallet er skjult, men er med i summen.")
    missing = shown[~shown["known"].astype(bool)]
    if len(missing):
        notes.append(
            f"«–»: antallet for {base} mangler eller er skjult i kilden for minst én periode; "
            "enheten er ikke med i summen."
        )
    total = rows.loc[unit_id]
    if len(order) > 1 and total["n_missing"]:
        notes.append(f"Summen er ufullstendig: {int(total['n_missing'])} av {int(total['n_units'])} mangler.")
    return pd.DataFrame(out), notes


def _shown(row: pd.Series, value: float, decimals: int) -> str:
    if not bool(row["known"]):
        return "–"
    if bool(row["hidden"]):
        return protection.SECONDARY
    return formatting.number(value, decimals)


def _signed_percent(value: float) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{formatting.percent(abs(value), 0)}"


def method_text(demands: Sequence[Demand]) -> str:
    """How expected demand is computed, and what it assumes (Norwegian, Markdown)."""
    usable = [d for d in demands if not d.empty]
    base = usable[0].base_year if usable else "siste hele år"
    years = " og ".join(str(y) for y in (usable[0].years if usable else HORIZON))
    groups = "; ".join(f"{d.indicator.name.lower()}: {GROUPS[d.group]}" for d in usable)
    groups = f" ({groups})" if groups else ""
    return (
        f"**Slik er tallene regnet ut.** For hver kommune deles antall hendelser i {base} (siste hele år "
        f"med data) på antall innbyggere i aldersgruppen indikatoren gjelder per 1. januar samme år"
        f"{groups}. Det er dagens rate per 1 000. Raten ganges med framskrevet antall innbyggere i den "
        f"samme aldersgruppen i {years} (SSB-tabell 13600, hovedalternativet). For en region og for "
        "helsefellesskapet er raten summen av hendelsene delt på summen av innbyggerne, ikke et snitt av "
        "kommunenes rater, og forventet antall er summen av kommunenes forventede antall.\n\n"
        "**Forutsetninger:** raten i hver kommune og aldersgruppe er den samme som i dag («uten endring i "
        "rate»). Forebygging som virker, gir færre. Ett år er et lite grunnlag i små kommuner, der tallet "
        "svinger mye fra år til år. Forventet antall er et anslag, ikke en prognose, og befolkningstallene "
        "er tilnærmede så lenge de ikke er lastet ned fra SSB."
    )


# -- where the figures come from ------------------------------------------------------------


@dataclass(frozen=True)
class PopulationSource:
    files: tuple[str, ...]  # the files the population values in the store came from
    approximate: bool  # at least one of them is the shipped, made-up reference file


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def population_source(board: Board) -> PopulationSource:
    """Which files the population figures came from, and whether they are the approximate ones."""
    ids = [registered_id(g) for g in GROUPS] + [projection_id(g) for g in GROUPS]
    sources = board.store.fact_sources(ids)
    shipped = {_sha256(config.REFERENCE_DIR / name) for name in POPULATION_FILES} - {None}
    return PopulationSource(
        files=tuple(sources["file_name"].astype(str)),
        approximate=bool(sources["file_hash"].isin(shipped).any()),
    )


# -- display tables -------------------------------------------------------------------------


def age_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One unit, one row per year: the age groups and the total, with registrert/framskrevet."""
    if frame.empty:
        return pd.DataFrame()
    wide = frame.pivot_table(index="year", columns="group", values="value", aggfunc="sum")
    kinds = frame.groupby("year")["kind"].agg(lambda k: REGISTERED if (k == REGISTERED).all() else PROJECTED)
    out = pd.DataFrame({"År": wide.index.astype(str), "Tall": kinds.reindex(wide.index).values})
    for group in (*AGE_BANDS, "65_plus", "total"):
        if group in wide:
            out[GROUPS[group]] = [formatting.number(v) for v in wide[group]]
    return out


def wave_table(wave: pd.DataFrame) -> pd.DataFrame:
    """elder_wave as display text, one row per year."""
    if wave.empty:
        return pd.DataFrame()
    out = pd.DataFrame({"År": wave["year"].astype(str).values, "Tall": wave["kind"].values})
    for group in ("67_79", "80_plus"):
        label = GROUPS[group]
        out[label] = [formatting.number(v) for v in wave[f"persons_{group}"]]
        out[f"Endring {label}"] = [
            "–" if formatting.is_missing(v) else _signed_number(v) for v in wave[f"change_{group}"]
        ]
        out[f"Andel {label}"] = [formatting.percent(v) for v in wave[f"share_{group}"]]
    return out


def _signed_number(value: float) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{formatting.number(abs(value))}"


def overview_table(overview: pd.DataFrame) -> pd.DataFrame:
    """member_overview as display text, the municipalities with the largest share of 80+ first."""
    if overview.empty:
        return pd.DataFrame()
    ordered = overview.sort_values("share_80", ascending=False)
    base, year = int(ordered["base_year"].iloc[0]), int(ordered["year"].iloc[0])
    return pd.DataFrame(
        {
            "Kommune": ordered["name"].values,
            f"80+ i {base}": [formatting.number(v) for v in ordered["persons_80_base"]],
            f"80+ i {year}": [formatting.number(v) for v in ordered["persons_80"]],
            f"Vekst 80+ {base}–{year}": [_signed_percent(v) for v in ordered["growth_80_pct"]],
            f"Vekst 67–79 {base}–{year}": [_signed_percent(v) for v in ordered["growth_67_79_pct"]],
            f"Andel 80+ {base}": [formatting.percent(v) for v in ordered["share_80_base"]],
            f"Andel 80+ {year}": [formatting.percent(v) for v in ordered["share_80"]],
        }
    )


def headline(frame: pd.DataFrame, name: str) -> str | None:
    """One sentence on the eldrebølge for the chosen unit."""
    grown = growth(frame, ["80_plus"], [HORIZON[-1]])
    wave = elder_wave(frame)
    if grown.empty or wave.empty or formatting.is_missing(grown["value"].iloc[0]):
        return None
    row = grown.iloc[0]
    shares = wave.set_index("year")["share_80_plus"]
    base_year, year = int(row["base_year"]), int(row["year"])
    return (
        f"Ifølge framskrivingen blir det {formatting.number(row['change'])} flere innbyggere 80 år og "
        f"eldre i {name} fra {base_year} til {year} ({_signed_percent(row['change_pct'])}). Andelen går fra "
        f"{formatting.percent(shares.get(base_year))} til {formatting.percent(shares.get(year))} av befolkningen."
    )


def metric_delta(row: pd.Series) -> str:
    """'+1 234 (+12 %) fra 2025' for st.metric."""
    # ASCII minus: st.metric turns the arrow down only for a leading "-".
    sign = "+" if row["change"] >= 0 else "-"
    number = formatting.number(abs(row["change"]))
    share = formatting.percent(abs(row["change_pct"]), 0)
    return f"{sign}{number} ({sign}{share}) fra {int(row['base_year'])}"
