"""The dimensions step: a statbank table's other columns, chosen, summed or banded.

A statbank export often has more columns than unit, period and value: sex (`kjønn`/`sex`),
contents (`statistikkvariabel`/`contents`), single-year age (`alder`/`age`). Such a column
gives several rows for one unit and period, which the checks would call duplicates. Here,
between reading and mapping, each such column is

- chosen: the analyst keeps the rows with one value (`--where kjønn="Begge kjønn"`, or the
  control on the upload page);
- summed: the rows are added up over it (`--sum kjønn`); a sum with a suppressed part is
  suppressed (missing, never a smaller number), a text that is no number is kept so the
  checks name it;
- banded: single-year ages (`0 år` … `105 år eller eldre`, `0 years` … `105 years or older`)
  are summed into the profile's age bands (loaders/profiles/ssb_07459.yaml `age_bands`),
  each band only where the file has every age in it (SSB's own bands are sums of single
  years, table 07459's definition).

A column that varies within one unit and period and is not chosen or summed stops the load
with one sentence saying so; a column of another measure or a flag on the value (a rate, a
share, FHI's MEIS and SPVFLAGG: normalise.is_measure_column) is no dimension and is left unused. The step rewrites the staging area's raw table; each new row
keeps the line of the first file row it sums, so a problem still names a line of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from loaders.normalise import SUPPRESSED_MARKERS, ColumnRoles, is_measure_column
from loaders.problems import FileRefused

if TYPE_CHECKING:
    from loaders.staging import Staging

AGE = re.compile(
    r"^(\d{1,3})\s*(?:år|aar|years?|yrs?)?\s*(eller eldre|og eldre|or older|and older|and over|\+)?$",
    re.IGNORECASE,
)
SHOWN_VALUES = 6
# A dimension's own total: the sum of the column's other values (SSB's «Begge kjønn», «Alle
# aldre», «I alt», KPR's «Alle tjenester»; English statbank labels; «Alle andre» is a part).
# Summing over a column that holds one counts every case twice, so it is chosen instead (SSB statbank's own totals, table 07459 and others).
TOTAL_MEMBER = re.compile(
    r"^(?:begge kjønn|både kjønn|alle kjønn|kvinner og menn|menn og kvinner|both sexes|all sexes|"
    r"alle aldre|all ages|alle|i alt|.+ i alt|totalt?|sum|samlet|.+ samlet|all|"
    r"alle\s+(?!andre\b|øvrige\b|resterende\b|other\b)\w+)$",
    re.IGNORECASE,
)
# A cell summed over rows: one row keeps its text; all numbers give their sum; otherwise a
# text that is no number (the checks name it), else a suppression marker, else empty.
SUM_SQL = (
    "CASE WHEN count(*) = 1 THEN any_value({c}) "
    "WHEN count(*) = count(stage_number({c})) THEN CAST(sum(stage_number({c})) AS VARCHAR) "
    "ELSE coalesce(any_value({c}) FILTER (WHERE stage_number({c}) IS NULL AND NOT stage_marker({c}, $markers)), "
    "any_value({c}) FILTER (WHERE stage_number({c}) IS NULL AND trim({c}) <> '')) END"
)


def single_age(text: str | None) -> tuple[int, bool] | None:
    """'17 år' → (17, False); '105 years or older' → (105, True); anything else → None."""
    if text is None:
        return None
    m = AGE.match(" ".join(text.split()))
    return (int(m[1]), bool(m[2])) if m else None


AGE_RANGE = re.compile(r"^(\d{1,3})\s*[_\-–]\s*(\d{1,3})(?:\s*år)?$", re.IGNORECASE)


def _sex_code_total(values: list[str]) -> str | None:
    """FHI's KJONN: 0 (both), 1 (men), 2 (women); «0» is the total when only these codes occur."""
    if {v.strip() for v in values if v} <= {"0", "1", "2"}:
        return next((v for v in values if v and v.strip() == "0"), None)
    return None


def _age_range_total(values: list[str]) -> str | None:
    """FHI's ALDER: age groups written «first_last» («0_120», «0_66», «67_120»; the statbank's
    labels «0-120 år», «0-74 år», «75-120 år» too); the group
    whose ages the other groups cover exactly, each age once, is their total («0_120»).
    None when a value is no such group, or no group is covered that way."""
    ranges = {v: AGE_RANGE.match(v.strip()) for v in values if v}
    if not ranges or not all(ranges.values()):
        return None
    spans = {v: (int(m[1]), int(m[2])) for v, m in ranges.items()}
    for candidate, (first, last) in spans.items():
        parts = sorted(span for v, span in spans.items() if v != candidate)
        edges = [first - 1] + [end for _, end in parts]
        if (
            parts
            and parts[0][0] == first
            and parts[-1][1] == last
            and all(start == edges[i] + 1 for i, (start, _) in enumerate(parts))
        ):
            return candidate
    return None


# A column of age groups (FHI's ALDER, the statbanks' «Alder»/«age»).
AGE_COLUMN = re.compile(r"^(alder|age|aldersgruppe|aldersgrupper|age group)$", re.IGNORECASE)
ALL_AGES = re.compile(r"^(alle aldre|alle|i alt|all ages|total|totalt|0\s*\+(\s*år)?)$", re.IGNORECASE)
AGE_OPEN = re.compile(
    r"^(\d{1,3})\s*(?:år|aar|years?)?\s*(?:\+|og eldre|eller eldre|og over|or older|and older|and over)"
    r"\s*(?:år|aar|years?)?$",
    re.IGNORECASE,
)


def age_band(text: str | None) -> tuple[int, int | None] | None:
    """The ages an age-group value covers, (first, last), last None for an open group: «75 år +»,
    «75+ år», «67 år og eldre» → (75, None) …; «0-74 år», FHI's «0_74» → (0, 74); FHI's «65_120»
    and «0-120 år» (their oldest age stands for «and older») → (65, None); «alle aldre», «I alt» →
    (0, None); «Alder: 0-74 år» (FHI Statistikkbank's label before the value) as «0-74 år».
    None for a text that is no age group."""
    if text is None:
        return None
    value = re.sub(r"^(alder|age)\s*:\s*", "", " ".join(text.split()), flags=re.IGNORECASE)
    if ALL_AGES.match(value):
        return (0, None)
    if m := AGE_OPEN.match(value):
        return (int(m[1]), None)
    if m := AGE_RANGE.match(value):
        first, last = int(m[1]), int(m[2])
        return (first, None if last >= 100 else last) if first <= last else None
    if (single := single_age(value)) is not None:
        return (single[0], None if single[1] else single[0])
    return None


# Statbank and kube files that code a column's total instead of naming it (FHI's kube files:
# KJONN 0 is both sexes, ALDER 0_120 all ages; FHI Statistikkbank «Kodeliste»): the column's
# name, and how its total is found among its values.
CODED_TOTALS = (
    (re.compile(r"^(kjønn|kjonn|kjoenn|sex)$", re.IGNORECASE), _sex_code_total),
    (re.compile(r"^(alder|age|aldersgruppe)$", re.IGNORECASE), _age_range_total),
)


def total_member(values: list[str], column: str | None = None) -> str | None:
    """The value among a column's `values` that is the total of the others («Begge kjønn»), or None.

    Only when the column has at least one other value: a lone «I alt» is nothing to double.
    `column`: the column's name; a column of CODED_TOTALS (FHI's KJONN 0, 1, 2; ALDER as age
    groups «0_120», «0_66», «67_120») has its total found by its codes.
    """
    if len(values) < 2:
        return None
    for name, coded_total in CODED_TOTALS:
        if column and name.match(column.strip()) and (total := coded_total(values)) is not None:
            return total
    return next((v for v in values if v is not None and TOTAL_MEMBER.match(" ".join(v.split()))), None)


def _choose_total(name: str, total: str) -> str:
    return f'velg totalen «{total}» (--where {name}="{total}")'


class DimensionRefused(FileRefused):
    """A refusal about the file's other columns; `dimensions` lists them, so the page keeps its controls."""

    def __init__(self, file_name: str, reason: str, dimensions: dict[str, list[str]]) -> None:
        super().__init__(file_name, reason)
        self.dimensions = dimensions


class DimensionsUnchosen(DimensionRefused):
    """The file has columns that must be chosen or summed; `dimensions` lists them.

    A column holding its own total («Begge kjønn» beside «Menn» and «Kvinner») is told to
    choose that total, never to sum (which would count each case twice).
    """

    def __init__(self, file_name: str, dimensions: dict[str, list[str]]) -> None:
        parts, totals = [], []
        for name, values in dimensions.items():
            total = total_member(values, name)
            if total is None:
                parts.append(f"kolonnen «{name}» med verdiene {_listed(values)}")
            else:
                parts.append(
                    f"kolonnen «{name}» med verdiene {_listed(values)}, der «{total}» er summen av de andre"
                )
                totals.append(_choose_total(name, total))
        what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]
        if totals and len(totals) == len(parts):
            how = " og ".join(totals)
        else:
            each = "velg én" if len(parts) == 1 else "velg én verdi i hver"
            how = f"{each} (--where) eller summer (--sum)"
            if totals:
                how += "; " + " og ".join(totals) + " i stedet for å summere"
        super().__init__(file_name, f"har {what}: {how}", dimensions)


def _listed(values: list[str]) -> str:
    shown = ", ".join(values[:SHOWN_VALUES])
    return shown + (f" … ({len(values)} i alt)" if len(values) > SHOWN_VALUES else "")


@dataclass
class DimensionResult:
    """What the step did: the columns it found (for the page's controls), notes, row origins."""

    dimensions: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    origin: list[int] | None = None  # new row → first raw row, when raw was rewritten

    def row(self, row_no: int | None) -> int | None:
        if row_no is None or self.origin is None or not 0 <= row_no < len(self.origin):
            return row_no
        return self.origin[row_no]


def apply(
    staging: Staging,
    columns: list[str],
    roles: ColumnRoles,
    where: dict[str, str],
    sums: list[str],
    age_bands: dict[str, tuple[int, int | None]] | None,
    file_name: str,
) -> DimensionResult:
    """Choose, sum and band the file's other dimensions in the staging area (see module doc).

    Raises FileRefused for an unknown column or value, DimensionRefused for a sum over a column
    holding its own total («Begge kjønn»: the sum would count every case twice), and
    DimensionsUnchosen when a column varies within a unit and period and the analyst has not
    said what to do with it.
    """
    ids = {name: f"c{i}" for i, name in enumerate(columns)}
    for name in [*where, *sums]:
        if name not in ids:
            raise FileRefused(file_name, f"har ingen kolonne «{name}» (oppgitt i --where eller --sum)")
    result = DimensionResult()
    used = set(roles.used())
    keys = [c for c in (roles.unit, roles.period, roles.year, roles.subperiod, roles.indicator) if c]
    values = [c for c in (roles.value, roles.numerator, roles.denominator, *roles.wide) if c]
    key_ids = [ids[k] for k in keys]
    ages = None
    if age_bands and roles.indicator:
        texts = staging.distinct(ids[roles.indicator])
        # Two or more single years ("80 years or older" alone is a ready-made band)
        if sum(1 for t in texts if (a := single_age(t)) is not None and not a[1]) >= 2:
            ages = roles.indicator
    unchosen: dict[str, list[str]] = {}
    for name in columns:
        if name in used and name != ages or name in where or name in sums:
            continue
        if name == ages or is_measure_column(name) or not staging.varies(ids[name], key_ids):
            continue  # a rate or a flag beside the value (FHI's RATE, MEIS, SPVFLAGG) is no dimension
        unchosen[name] = staging.distinct_in_order(ids[name])
    for name in [*where, *sums]:
        result.dimensions[name] = staging.distinct_in_order(ids[name])
    result.dimensions.update(unchosen)
    for name in sums:
        if (total := total_member(result.dimensions[name], name)) is not None:
            raise DimensionRefused(
                file_name,
                f"har totalen «{total}» i kolonnen «{name}» ved siden av delene, så en sum over «{name}» "
                f"ville telle alt to ganger: {_choose_total(name, total)}",
                result.dimensions,
            )
    for name, value in where.items():
        if value not in result.dimensions[name]:
            raise FileRefused(
                file_name,
                f"har ikke verdien «{value}» i kolonnen «{name}» (verdiene er {_listed(result.dimensions[name])})",
            )
    if unchosen:
        error = DimensionsUnchosen(file_name, unchosen)
        error.dimensions = result.dimensions
        raise error
    if not (where or sums or ages):
        return result
    tables: dict[str, pd.DataFrame] = {}
    band_note = None
    if ages:
        bands, band_note = _band_map(staging.distinct(ids[ages]), age_bands or {})
        tables["age_bands"] = bands
        if band_note:
            result.notes.append(band_note)
    select, group = [], []
    for name, cid in ids.items():
        if name == ages:
            select.append(f"b.band AS {cid}")
            group += ["b.band", "b.band_no"]
        elif name in keys:
            select.append(f"r.{cid} AS {cid}")
            group.append(f"r.{cid}")
        elif name in values:
            total = SUM_SQL.format(c=f"r.{cid}")
            if ages:  # a band the file lacks an age of (for this unit and period) is missing
                total = (
                    f"CASE WHEN count(DISTINCT r.{ids[ages]}) < any_value(b.ages) THEN NULL ELSE {total} END"
                )
            select.append(f"{total} AS {cid}")
        elif name in sums:
            select.append(f"NULL::VARCHAR AS {cid}")
        else:
            select.append(f"any_value(r.{cid}) AS {cid}")
    conditions = ["r.rowid <= $last"]
    params: dict[str, object] = {"markers": list(SUPPRESSED_MARKERS)}
    for n, (name, value) in enumerate(where.items()):
        conditions.append(f"r.{ids[name]} = $w{n}")
        params[f"w{n}"] = value
    join = f"JOIN stage_age_bands b ON b.text = r.{ids[ages]}" if ages else ""
    order = "first_row, b.band_no" if ages else "first_row"
    sql = (
        f"SELECT {', '.join(select)}, min(r.rowid) AS first_row FROM raw r {join} "
        f"WHERE {' AND '.join(conditions)} GROUP BY {', '.join(group) or '()'} ORDER BY {order}"
    )
    result.origin = staging.reshape(sql, params, tables)
    summed = [f"«{n}»" for n in sums]
    chosen = [f"«{n}» = «{v}»" for n, v in where.items()]
    if chosen:
        result.notes.append(f"Bare radene der {' og '.join(chosen)} er lest.")
    if summed:
        result.notes.append(f"Verdiene er summert over {' og '.join(summed)}.")
    if ages:
        result.notes.append(
            f"Enkeltår i «{ages}» er summert til aldersgruppene {', '.join(bands['band'].unique())}."
        )
    return result


def _band_map(texts: list[str], bands: dict[str, tuple[int, int | None]]) -> tuple[pd.DataFrame, str | None]:
    """age text → band label (one row per band the age is in), for bands the file covers."""
    parsed = {t: a for t in texts if (a := single_age(t)) is not None}
    closed = {age for age, open_ in parsed.values() if not open_}
    tops = [age for age, open_ in parsed.values() if open_]
    top = min(tops) if tops else None
    rows, missing = [], []
    for number, (label, (low, high)) in enumerate(bands.items()):
        if high is None and top is None:
            missing.append(label)
            continue
        last = high if high is not None else top - 1
        need = set(range(low, last + 1))
        if not need <= closed:
            missing.append(label)
            continue
        size = len(need) + (1 if high is None else 0)
        for text, (age, open_) in parsed.items():
            if (open_ and high is None and age == top) or (not open_ and low <= age <= last):
                rows.append((text, label, number, size))
    frame = pd.DataFrame(rows, columns=["text", "band", "band_no", "ages"]).astype(
        {"text": "object", "band": "object"}
    )
    note = None
    if missing:
        note = (
            f"Aldersgruppene {', '.join(missing)} er ikke laget: filen har ikke alle enkeltårene i dem"
            + ("" if top is not None else " (og ingen åpen øverste alder som «105 år eller eldre»)")
            + "."
        )
    return frame, note
