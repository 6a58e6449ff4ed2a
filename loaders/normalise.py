"""From text cells to facts: find the columns, parse periods, units and numbers, check rows.

Everything that can be wrong with a row becomes a Problem naming its line and column;
nothing here writes to the store.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from analytics.registry import GRAIN_LABELS, Indicator
from loaders.problems import FileRefused, Problem
from loaders.reading import RawTable

SUPPRESSED_MARKERS = {"..", ":", ".", "*", "-", "x", "X", "–"}
SMALL_COUNT = re.compile(r"^<\s*\d+$")
TOTAL_ROW = re.compile(r"^(hele\b|totalt?\b|sum\b|i alt\b|alle\b|samlet\b)", re.IGNORECASE)
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "januar"),
            ("feb", "februar"),
            ("mar", "mars"),
            ("apr", "april"),
            ("mai",),
            ("jun", "juni"),
            ("jul", "juli"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("okt", "oktober"),
            ("nov", "november"),
            ("des", "desember"),
        ],
        start=1,
    )
    for name in names
}

UNIT_WORDS = ("kommune", "bydel", "region", "enhet", "geografi", "sted", "unit", "kommunenr")
PERIOD_WORDS = ("periode", "tid", "dato", "period", "date")
YEAR_WORDS = ("år", "aar", "year", "årstall")
QUARTER_WORDS = ("kvartal", "quarter")
MONTH_WORDS = ("måned", "maaned", "maned", "mnd", "month")
VALUE_WORDS = ("antall", "verdi", "value", "personer", "andel", "prosent", "tall", "rate", "sum")
NUMERATOR_WORDS = ("teller", "numerator")
DENOMINATOR_WORDS = ("nevner", "denominator")


@dataclass
class ColumnRoles:
    unit: str | None = None
    period: str | None = None
    year: str | None = None
    subperiod: str | None = None
    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    wide: list[str] = field(default_factory=list)  # one column per period

    def describe(self) -> dict[str, str]:
        roles = {
            "Enhet": self.unit,
            "Periode": self.period,
            "År": self.year,
            "Kvartal/måned": self.subperiod,
            "Verdi": self.value,
            "Teller": self.numerator,
            "Nevner": self.denominator,
        }
        described = {k: v for k, v in roles.items() if v}
        if self.wide:
            described["Perioder i kolonner"] = f"{self.wide[0]} … {self.wide[-1]} ({len(self.wide)})"
        return described


def parse_number(text: str) -> float | None:
    """Norwegian or plain numbers: '1 234,5', '1\xa0234,5', '1234.5', '12'. None if not a number."""
    cleaned = text.replace("\xa0", "").replace("\u202f", "").replace(" ", "").replace("%", "")
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    if cleaned.startswith("+"):
        return None  # a leading + is formula-like; treat as text, never evaluate
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def is_suppressed(text: str) -> bool:
    return text in SUPPRESSED_MARKERS or bool(SMALL_COUNT.match(text))


def parse_period(text: str, grain_hint: str | None = None) -> tuple[dt.date, str] | None:
    """'2024', '2024K1', '2024M01', '2024-01', 'jan 2024', '01.01.2024', '2024-01-01'."""
    value = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d{4}", value):
        return dt.date(int(value), 1, 1), "year"
    if m := re.fullmatch(r"(\d{4})[kq]([1-4])", value):
        return dt.date(int(m[1]), 3 * int(m[2]) - 2, 1), "quarter"
    if m := re.fullmatch(r"([1-4])\.?kvartal(\d{4})", value):
        return dt.date(int(m[2]), 3 * int(m[1]) - 2, 1), "quarter"
    if m := re.fullmatch(r"(\d{4})m(\d{2})", value) or re.fullmatch(r"(\d{4})-(\d{2})", value):
        month = int(m[2])
        return (dt.date(int(m[1]), month, 1), "month") if 1 <= month <= 12 else None
    if m := re.fullmatch(r"([a-zæøå]+)\.?(\d{4})", value):
        month = MONTH_NAMES.get(m[1])
        return (dt.date(int(m[2]), month, 1), "month") if month else None
    date = None
    if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value):
        date = _safe_date(int(m[3]), int(m[2]), int(m[1]))
    elif m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:t[\d:.]+)?", value):
        date = _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if date is None:
        return None
    grain = grain_hint or "month"
    return date, grain


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_subperiod(year_text: str, sub_text: str, kind: str) -> tuple[dt.date, str] | None:
    year = parse_number(year_text)
    if year is None or not year.is_integer():
        return None
    sub = sub_text.strip().lower().rstrip(".")
    if kind == "quarter":
        m = re.fullmatch(r"(?:k|q)?([1-4])(?:\.?\s*kvartal)?", sub)
        return (dt.date(int(year), 3 * int(m[1]) - 2, 1), "quarter") if m else None
    number = MONTH_NAMES.get(sub) or (int(sub) if sub.isdigit() else None)
    if number is None or not 1 <= number <= 12:
        return None
    return dt.date(int(year), number, 1), "month"


def _matches(name: str, words: tuple[str, ...]) -> bool:
    lowered = name.lower()
    return any(re.search(rf"(^|[^a-zæøå]){re.escape(w)}", lowered) for w in words)


def guess_roles(columns: list[str], grain_hint: str | None = None) -> ColumnRoles:
    roles = ColumnRoles()
    wide = [c for c in columns if _is_period_header(c)]
    if len(wide) >= 2:
        roles.wide = wide
    for column in columns:
        if column in roles.wide:
            continue
        if roles.unit is None and _matches(column, UNIT_WORDS):
            roles.unit = column
        elif roles.numerator is None and _matches(column, NUMERATOR_WORDS):
            roles.numerator = column
        elif roles.denominator is None and _matches(column, DENOMINATOR_WORDS):
            roles.denominator = column
        elif roles.subperiod is None and _matches(column, QUARTER_WORDS + MONTH_WORDS):
            roles.subperiod = column
        elif roles.period is None and _matches(column, PERIOD_WORDS):
            roles.period = column
        elif roles.year is None and _matches(column, YEAR_WORDS):
            roles.year = column
        elif roles.value is None and _matches(column, VALUE_WORDS):
            roles.value = column
    if roles.year and not roles.subperiod and not roles.period:
        roles.period, roles.year = roles.year, None
    if roles.subperiod and not roles.year and not roles.period:
        roles.period, roles.subperiod = roles.subperiod, None
    return roles


def _is_period_header(column: str) -> bool:
    parsed = parse_period(column)
    return (
        parsed is not None
        and parsed[1] in ("year", "quarter", "month")
        and not re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", column.strip())
    )


@dataclass
class UnitResolver:
    """Codes, 'CODE Name', 'K-CODE', names and old codes → today's unit id."""

    by_code: dict[str, str]
    by_name: dict[str, str]
    current: set[str]

    @classmethod
    def build(cls, units: pd.DataFrame, code_map: pd.DataFrame) -> UnitResolver:
        by_code = {u: u for u in units["unit_id"]}
        by_code.update(dict(zip(code_map["old_code"], code_map["current_code"], strict=True)))
        by_name = {str(n).lower(): u for n, u in zip(units["name"], units["unit_id"], strict=True)}
        for old_name, current in zip(code_map["old_name"], code_map["current_code"], strict=True):
            by_name.setdefault(str(old_name).lower(), current)
        return cls(by_code=by_code, by_name=by_name, current=set(units["unit_id"]))

    def resolve(self, text: str) -> str | None:
        value = text.strip()
        value = re.sub(r"^[Kk]-\s*", "", value)
        value = re.sub(r"^[Bb]ydel\s+", "", value)
        if m := re.match(r"^(\d{4}|\d{6})\b", value):
            return self.by_code.get(m[1])
        return self.by_name.get(value.lower())


@dataclass
class Normalised:
    facts: pd.DataFrame  # FACT_COLUMNS + line
    problems: list[Problem]
    roles: ColumnRoles
    skipped_totals: int = 0


def normalise(
    raw: RawTable,
    file_name: str,
    indicator: Indicator,
    resolver: UnitResolver,
    source: str,
    today: dt.date | None = None,
    roles: ColumnRoles | None = None,
) -> Normalised:
    today = today or dt.date.today()
    columns = list(raw.frame.columns)
    roles = roles or guess_roles(columns, indicator.grain)
    if roles.unit is None:
        raise FileRefused(file_name, "mangler en kolonne for kommune/enhet (f.eks. «Kommune»)")
    if not roles.wide and not (roles.period or (roles.year and roles.subperiod)):
        raise FileRefused(file_name, "mangler en kolonne for periode (f.eks. «Periode» eller «År»)")
    if not roles.wide and roles.value is None and not (roles.numerator and roles.denominator):
        raise FileRefused(file_name, "mangler en verdikolonne (f.eks. «Antall» eller «Verdi»)")

    problems: list[Problem] = []
    records: list[tuple] = []
    skipped_totals = 0
    sub_kind = "quarter" if roles.subperiod and _matches(roles.subperiod, QUARTER_WORDS) else "month"
    for row, line in zip(raw.frame.itertuples(index=False, name=None), raw.lines, strict=True):
        cells = dict(zip(columns, row, strict=True))
        unit_text = str(cells[roles.unit] or "")
        if TOTAL_ROW.match(unit_text.strip()):
            skipped_totals += 1
            continue
        unit_id = resolver.resolve(unit_text)
        if unit_id is None:
            problems.append(Problem(file_name, line, roles.unit, f"ukjent kommune/enhet «{unit_text}»"))
            continue
        entries: list[tuple[str, str | None]] = (
            [(c, c) for c in roles.wide] if roles.wide else [(roles.value or "", None)]
        )
        for value_column, period_text in entries:
            if period_text is not None:
                parsed, period_column = parse_period(period_text, indicator.grain), value_column
            elif roles.period:
                period_column = roles.period
                parsed = parse_period(str(cells[roles.period] or ""), indicator.grain)
            else:
                period_column = roles.subperiod
                parsed = parse_subperiod(
                    str(cells[roles.year] or ""), str(cells[roles.subperiod] or ""), sub_kind
                )
            if parsed is None:
                shown = period_text or str(cells.get(period_column) or "")
                problems.append(
                    Problem(file_name, line, period_column, f"«{shown}» er ikke en gyldig periode")
                )
                continue
            start, grain = parsed
            if start > today and not indicator.projection:
                problems.append(
                    Problem(file_name, line, period_column, f"perioden «{start.isoformat()}» er i framtiden")
                )
                continue
            if grain != indicator.grain:
                problems.append(
                    Problem(
                        file_name,
                        line,
                        period_column,
                        f"perioden er oppgitt per {GRAIN_LABELS[grain]}, men indikatoren «{indicator.id}» "
                        f"registreres per {GRAIN_LABELS[indicator.grain]}",
                    )
                )
                continue
            record = _value_record(cells, roles, value_column, indicator, file_name, line, problems)
            if record is not None:
                records.append((indicator.id, unit_id, start, grain, *record, source, line, unit_text))
    facts = pd.DataFrame(
        records,
        columns=[
            "indicator",
            "unit_id",
            "period_start",
            "grain",
            "value",
            "numerator",
            "denominator",
            "suppressed",
            "source",
            "line",
            "unit_text",
        ],
    )
    facts, merge_problems = _merge_and_check(facts, file_name, roles)
    return Normalised(facts, problems + merge_problems, roles, skipped_totals)


def _value_record(
    cells: dict,
    roles: ColumnRoles,
    value_column: str,
    indicator: Indicator,
    file_name: str,
    line: int,
    problems: list[Problem],
) -> tuple | None:
    def number(column: str | None) -> tuple[float | None, bool, bool]:
        """(number, suppressed, ok) for one cell."""
        if column is None:
            return None, False, True
        text = str(cells[column] or "").strip()
        if text == "" or is_suppressed(text):
            return None, True, True
        parsed = parse_number(text)
        if parsed is None:
            problems.append(Problem(file_name, line, column, f"«{text}» er ikke et tall"))
            return None, False, False
        if parsed < 0 and indicator.kind in ("count", "stock", "share"):
            problems.append(
                Problem(file_name, line, column, f"«{text}» er negativt; antall kan ikke være negative")
            )
            return None, False, False
        return parsed, False, True

    numerator, num_suppressed, ok_num = number(roles.numerator if not roles.wide else None)
    denominator, den_suppressed, ok_den = number(roles.denominator if not roles.wide else None)
    value, value_suppressed, ok_value = number(value_column if value_column else None)
    if not (ok_num and ok_den and ok_value):
        return None
    if value is None and not value_suppressed and numerator is not None and denominator:
        value = 100.0 * numerator / denominator if indicator.kind == "share" else numerator
    # A value that is not there (blank or a suppression marker) is missing, never zero.
    return value, numerator, denominator, value is None


def _merge_and_check(
    facts: pd.DataFrame, file_name: str, roles: ColumnRoles
) -> tuple[pd.DataFrame, list[Problem]]:
    """Two rows for one key: a merged municipality's parts are summed; a repeat must agree."""
    problems: list[Problem] = []
    if facts.empty:
        return facts, problems
    key = ["indicator", "unit_id", "period_start", "grain"]
    repeated = facts.duplicated(key + ["unit_text"], keep=False)
    if repeated.any():
        for _, group in facts[repeated].groupby(key + ["unit_text"], sort=False):
            if group["value"].nunique(dropna=False) > 1 or group["suppressed"].nunique() > 1:
                line = int(group["line"].iloc[1])
                problems.append(
                    Problem(
                        file_name,
                        line,
                        roles.value,
                        f"«{group['unit_text'].iloc[0]}» har to ulike verdier for samme periode "
                        f"(også linje {int(group['line'].iloc[0])})",
                    )
                )
        facts = facts.drop_duplicates(key + ["unit_text"])
    merged = facts.duplicated(key, keep=False)
    if merged.any():
        parts = facts[merged]
        for (_, unit_id, _, _), group in parts.groupby(key, sort=False):
            if (group["unit_text"].str.strip().str[: len(unit_id)] == unit_id).any():
                problems.append(
                    Problem(
                        file_name,
                        int(group["line"].max()),
                        roles.unit,
                        f"både dagens kode {unit_id} og tidligere koder for samme kommune i samme periode",
                    )
                )
        summed = parts.groupby(key, as_index=False, sort=False).agg(
            value=("value", lambda s: s.sum(min_count=len(s))),
            numerator=("numerator", lambda s: s.sum(min_count=1)),
            denominator=("denominator", lambda s: s.sum(min_count=1)),
            suppressed=("suppressed", "any"),
            source=("source", "first"),
            line=("line", "min"),
            unit_text=("unit_text", "first"),
        )
        summed.loc[summed["suppressed"], "value"] = None
        facts = pd.concat([facts[~merged], summed], ignore_index=True)
    return facts.sort_values(key).reset_index(drop=True), problems
