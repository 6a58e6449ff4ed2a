"""The rules that read free text: which column is what, periods, units, totals.

They run in Python over the *distinct* texts of a column (a few dozen units and periods, even
in a file of a million rows) and come back as small map tables that the store joins in SQL
(loaders.staging.Staging.map). Numbers and suppression markers, which differ in every cell,
are read by SQL macros in staging; their markers are listed here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, fields

import pandas as pd

from analytics.periods import multi_year
from analytics.registry import Indicator
from loaders.checks import HALF_YEAR, WEEK  # the texts the cell checks refuse by name
from loaders.problems import FileRefused
from loaders.staging import WHOLE_ROLES, StageSpec

# Suppressed or missing, never zero: `..` `:` `.` `*` `-` `x`; "<5" and the like are matched
# by the store's stage_marker macro.
SUPPRESSED_MARKERS = ["..", "...", ":", ".", "*", "-", "–", "—", "x", "X"]
# «Totalsum» and «Grand Total»: an Excel pivot table's total row (Norwegian and English Excel)
TOTAL_ROW = re.compile(
    r"^(hele\b|totalt?\b|totalsum\b|grand total\b|sum\b|i alt\b|alle\b|samlet\b|landet\b|norge$)",
    re.IGNORECASE,
)
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "januar", "january"),
            ("feb", "februar", "february"),
            ("mar", "mars", "march"),
            ("apr", "april"),
            ("mai", "may"),
            ("jun", "juni", "june"),
            ("jul", "juli", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("okt", "oktober", "oct", "october"),
            ("nov", "november"),
            ("des", "desember", "dec", "december"),
        ],
        start=1,
    )
    for name in names
}

# Column names, as sources write them (bokmål, nynorsk and English). Unit words may sit inside
# a word ("Bostedskommune"); the others must start the name or a word in it.
UNIT_WORDS = ("kommune", "bydel", "region")
# "geo": FHI's kube files (Kommunehelsa/Norgeshelsa) name the unit column GEO.
UNIT_STARTS = (
    "enhet",
    # Helsedirektoratet's and NPR's reports: «Enhetsnavn» beside «Enhetsnummer»
    "enhetsnavn",
    "enhetsnummer",
    "enhetsnr",
    "enhetskode",
    "eining",
    "geografi",
    "geo",
    "sted",
    "stad",
    "område",
    "unit",
    "knr",
    "navn",
    "namn",
    "municipality",
    # an Excel pivot table's row labels (Norwegian and English Excel)
    "radetiketter",
    "row labels",
)
# "uke"/"veke"/"week": a week column is the period column, so its weeks are refused by name
# (checks.period_week) rather than the file being told it has no period column.
PERIOD_WORDS = (
    "periode",
    "tid",
    "tidsrom",
    # compounds as report tools name the period (Helsedirektoratet, fagsystems' exports)
    "tidsperiode",
    "rapporteringsperiode",
    "måleperiode",
    "dato",
    "period",
    "date",
    "time",
    "uke",
    "veke",
    "week",
)
YEAR_WORDS = ("år", "aar", "year", "årstall", "årstal")
QUARTER_WORDS = ("kvartal", "quarter")
TERTIAL_WORDS = ("tertial",)
MONTH_WORDS = ("måned", "maaned", "maned", "månad", "manad", "mnd", "month")
VALUE_WORDS = (
    "antall",
    "persons",
    "population",
    "folkemengde",
    "verdi",
    "value",
    "personer",
    "andel",
    "prosent",
    "tall",
    "tal",
    "rate",
    "count",
    "innleggelser",
    "pasienter",
    "pasientar",
    "innleggingar",
    "liggedøgn",
    "number",
    # Helsedirektoratet's quality indicators and KPR's reports name the value so
    "resultat",
    "indikatorverdi",
)
NUMERATOR_WORDS = ("teller", "numerator")
DENOMINATOR_WORDS = ("nevner", "denominator")


@dataclass
class ColumnRoles:
    """Which column (by its name in the file) plays which part; None = not in the file."""

    unit: str | None = None
    period: str | None = None  # one column with the whole period
    year: str | None = None  # or year + quarter/month in two columns
    subperiod: str | None = None
    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    wide: list[str] = field(default_factory=list)  # or one column per period
    indicator: str | None = None  # a column whose values pick the indicator (profiles)

    LABELS = {
        "unit": "Enhet",
        "period": "Periode",
        "year": "År",
        "subperiod": "Kvartal/måned",
        "value": "Verdi",
        "numerator": "Teller",
        "denominator": "Nevner",
        "indicator": "Indikator",
    }

    def describe(self) -> dict[str, str]:
        """Role label → column, for showing the reader's guess."""
        described = {label: getattr(self, role) for role, label in self.LABELS.items() if getattr(self, role)}
        if self.wide:
            described["Perioder i kolonner"] = (
                f"{self.wide[0]} … {self.wide[-1]} ({len(self.wide)})" if len(self.wide) > 1 else self.wide[0]
            )
        return described

    def used(self) -> list[str]:
        names = [getattr(self, f.name) for f in fields(self) if f.name != "wide"]
        return [n for n in names if n] + list(self.wide)

    def to_spec(self, columns: list[str], file_name: str) -> StageSpec:
        """Names → the store's column ids (c0, c1, ...); FileRefused when a part is missing."""
        ids = {name: f"c{i}" for i, name in enumerate(columns)}

        def cid(name: str | None) -> str | None:
            if name is None:
                return None
            if name not in ids:
                raise FileRefused(file_name, f"har ingen kolonne «{name}»")
            return ids[name]

        if self.unit is None:
            raise FileRefused(
                file_name,
                "mangler en kolonne for kommune/enhet (f.eks. «Kommune»); velg den under «Kolonner»",
            )
        period, subperiod = self.period, None
        if period is None and self.year and self.subperiod:
            period, subperiod = self.year, self.subperiod
        period = period or self.year or self.subperiod
        wide = () if period else tuple(cid(c) for c in self.wide)
        if wide and (twice := _same_period(self.wide)):
            raise FileRefused(
                file_name,
                f"har flere kolonner for samme periode ({_and(twice)}), trolig to mål (f.eks. antall og "
                "andel); velg kolonnene for ett mål under «Kolonner», eller del filen",
            )
        if not wide and self.value is None and not self.numerator and (dated := event_date_column(columns)):
            raise FileRefused(file_name, event_list_refusal(dated))
        if period is None and not wide:
            raise FileRefused(file_name, _no_period_column(columns))
        if not wide and self.value is None and not (self.numerator and self.denominator):
            if any(_week_or_half_year(c) for c in columns):  # 'Uke 5 2024' read as the period column
                raise FileRefused(file_name, _no_period_column(columns))
            raise FileRefused(
                file_name,
                "mangler en verdikolonne (f.eks. «Antall» eller «Verdi», eller «Teller» og «Nevner»)",
            )
        return StageSpec(
            unit=cid(self.unit),
            period=cid(period),
            subperiod=cid(subperiod),
            wide=wide,
            value=None if wide else cid(self.value),
            numerator=None if wide else cid(self.numerator),
            denominator=None if wide else cid(self.denominator),
            indicator=cid(self.indicator),
        )


# Characters a cell copied from a web page, an e-mail or a PDF carries unseen: zero-width space,
# joiners, left-to-right and right-to-left marks, a byte order mark inside the text, soft hyphen.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))


def plain_text(text: str) -> str:
    """A cell's text as compared: composed letters (NFC: «Å» written as A and a ring, as macOS and
    some scripts write it, is «Å»), no invisible characters (INVISIBLE), no-break spaces as spaces."""
    return unicodedata.normalize("NFC", text).translate(INVISIBLE).replace("\xa0", " ")


# -- periods -------------------------------------------------------------------------------


PROVISIONAL = re.compile(r"(\*+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\((foreløpig|forelopig|prelim|provisional|p\))[^)]*\)?)$")


def parse_period(text: str) -> tuple[dt.date, str] | None:
    """'2024', '2024K1', '202401', '1. kv. 2024', 'Kvartal 1 2024', '2024T1', 'Tertial 1 2024', 'T1 2024', '2024M01', '2024-01', 'jan 2024', 'jan.24', '01.01.2024', '2024-01-01',
    and multi-year periods '2019_2021', '2019-2021', '2019–2021' (FHI's three-year means), '2019–21';
    a provisional mark after any of them ('2024*', '2024 (foreløpige tall)') is no part of the period.

    Returns (period start, grain). A period keeps the grain it is written at: a full date is
    read as its month, never truncated to a coarser grain (a quarterly indicator may hold
    months; analytics sums them). None when the text is not a period.
    """
    value = plain_text(text).strip().lower().replace(" ", "")
    # a provisional period's mark ('2024*', '2024¹', '2024 (foreløpige tall)'): the period itself
    value = PROVISIONAL.sub("", value) or value
    # a label before a year ('År 2023', 'Year 2023'), as report tools write it
    value = re.sub(r"^(?:år|aar|year|årstal)(?=\d{4}$)", "", value)
    # a year a spreadsheet or pandas wrote as a decimal number ('2024.0'): the year
    value = re.sub(r"^(\d{4})\.0+$", r"\1", value)
    if re.fullmatch(r"\d{4}", value):
        return dt.date(int(value), 1, 1), "year"
    # a period written as its first and last day ('01.01.2024-31.03.2024', '2024-01-01–2024-03-31',
    # NPR's and Helsedirektoratet's report periods): a whole month, quarter, tertial or year, else None
    if m := re.fullmatch(rf"({_DATE_TEXT})(?:[\-–—]|til)({_DATE_TEXT})", value):
        return _date_range(m[1], m[2])
    # years as a range ('2019_2021', FHI's kube files); one year as a range of one ('2022_2022':
    # FHI writes single years so) is that year
    if m := re.fullmatch(r"(\d{4})[_\-–—](\d{4})", value):
        first, last = int(m[1]), int(m[2])
        if first == last:
            return dt.date(first, 1, 1), "year"
        return (dt.date(first, 1, 1), multi_year(last - first + 1)) if first < last <= first + 19 else None
    # '2021–23' (en or em dash; a hyphen is ISO's year-month, '2021-12'): years 2021 to 2023
    if m := re.fullmatch(r"(\d{4})[–—](\d{2})", value):
        first = int(m[1])
        last = first - first % 100 + int(m[2])
        return (dt.date(first, 1, 1), multi_year(last - first + 1)) if first < last <= first + 19 else None
    # an ordinal word for the number ('Første kvartal 2024', 'andre tertial 2024')
    value = re.sub(
        r"^(første|forste|andre|annet|tredje|fjerde)\.?(?=kvartal|kv\.|tertial)",
        lambda m: ORDINALS[m[1]] + ".",
        value,
    )
    if found := _sub_year(value):
        return found
    # months by name as a range in one year ('jan–mar 2024', 'januar til mars 2024', NPR's and
    # Helsedirektoratet's reports): a whole quarter, tertial or year, else None (never its last
    # month: 'jan–aug 2024', a year to date, is no period the board holds)
    if m := re.fullmatch(r"([a-zæøå]+)\.?(?:[\-–—]|til)([a-zæøå]+)\.?(\d{4})", value):
        return _month_range(m[1], m[2], int(m[3]))
    # a year and month run together ('202401', NPR's, KPR's and data warehouses' PERIODE): only
    # a year of 19xx or 20xx and a month 01-12, so a bydel code ('030110') is never a month
    if m := re.fullmatch(r"((?:19|20)\d{2})(0[1-9]|1[0-2])", value):
        return dt.date(int(m[1]), int(m[2]), 1), "month"
    if m := re.fullmatch(r"(\d{4})m(\d{1,2})", value) or re.fullmatch(r"(\d{4})-(\d{1,2})", value):
        month = int(m[2])
        return (dt.date(int(m[1]), month, 1), "month") if 1 <= month <= 12 else None
    # month before year in digits: '01.2024', '1/2024', '01-2024' (NPR/KPR report exports, Excel
    # text); a day first ('01.01.2024') is a date below
    if m := re.fullmatch(r"(\d{1,2})[./\-](\d{4})", value):
        month = int(m[1])
        return (dt.date(int(m[2]), month, 1), "month") if 1 <= month <= 12 else None
    # and the year first with a slash or a dot ('2024/01', '2024.01'), or a month name after it
    # ('2024 januar')
    if m := re.fullmatch(r"(\d{4})[./](\d{1,2})", value):
        month = int(m[2])
        return (dt.date(int(m[1]), month, 1), "month") if 1 <= month <= 12 else None
    if (m := re.fullmatch(r"(\d{4})[\-/.]?([a-zæøå]+)\.?", value)) and (month := MONTH_NAMES.get(m[2])):
        return dt.date(int(m[1]), month, 1), "month"
    if m := re.fullmatch(r"([a-zæøå]+)\.?-?(\d{4})", value):
        month = MONTH_NAMES.get(m[1])
        return (dt.date(int(m[2]), month, 1), "month") if month else None
    # Excel's month format 'mmm.yy' (Norwegian: 'jan.25', 'des.24'; English 'Jan-25'): month
    # name, then a two-digit year of this century. A day before the name ('25. jan') is no match.
    if m := re.fullmatch(r"([a-zæøå]+)[.\-/]?(\d{2})", value):
        month = MONTH_NAMES.get(m[1])
        return (dt.date(2000 + int(m[2]), month, 1), "month") if month else None
    date = _day(value)
    if date is None:
        return None
    return dt.date(date.year, date.month, 1), "month"


# A day as sources write it: '31.01.2024', '31/01/2024' and '31-01-2024' (day first, the Norwegian
# order; Excel's and fagsystems' exports), '2024-01-31' (ISO, with or without a time).
_DATE_TEXT = r"\d{1,2}[./\-]\d{1,2}[./\-]\d{4}|\d{4}-\d{2}-\d{2}"


def _day(value: str) -> dt.date | None:
    """The date a day's text names (see _DATE_TEXT), or None; the separators must agree."""
    if m := re.fullmatch(r"(\d{1,2})([./\-])(\d{1,2})\2(\d{4})", value):
        return _safe_date(int(m[4]), int(m[3]), int(m[1]))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:t?\d{1,2}:\d{2}(?::[\d.]+)?)?", value):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    # a time in UTC or with an offset ('2024-01-31T00:00:00.000Z'): only at midnight, since local
    # midnight written in UTC ('2024-01-31T23:00:00Z' for 1 February) would fall in the wrong month
    if m := re.fullmatch(
        r"(\d{4})-(\d{2})-(\d{2})t?0{1,2}:00(?::0{2}(?:\.0+)?)?(?:z|[+\-]\d{2}:?\d{2})", value
    ):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    return None


# Quarters and tertials written with their year, as NPR, Helsedirektoratet, KPR and SSB write them
# (lower case, spaces removed). Per grain: its letter(s), its word, the word's short forms, the
# highest number and the months each period spans.
_SUB_YEAR_GRAINS = (
    ("quarter", "[kq]", "kvartal", r"(?:kvartal|kv\.?)", 4, 3),
    ("tertial", "t", "tertial", "tertial", 3, 4),
)


def _sub_year_forms() -> list[tuple[re.Pattern[str], str, int, bool]]:
    """(pattern, grain, months per period, number first) for each written form of
    _SUB_YEAR_GRAINS; the year is four digits, or two (this century) after the number."""
    forms = []
    for grain, letter, word, words, highest, months in _SUB_YEAR_GRAINS:
        n = f"([1-{highest}])"
        for pattern, number_first in (
            (rf"(\d{{4}})[-/.]?{letter}{n}", False),  # '2024K1', '2024-Q1', '2024T3'
            (rf"(\d{{4}})[-/.]?{n}\.?{words}", False),  # '2024 1. kvartal'
            (rf"{n}\.?{words}(\d{{2}}|\d{{4}})", True),  # '1. kvartal 2024', '1. kv. 24', '1. tertial 24'
            (rf"(?:{word}|{letter}){n}[.\-/](\d{{2}})", True),  # 'K1-24', 'T3-24'
            (rf"(?:{word}|{letter}){n}[.\-/]?(\d{{4}})", True),  # 'Kvartal 1 2024', 'K1 2024', 'T1 2024'
        ):
            forms.append((re.compile(pattern), grain, months, number_first))
    return forms


_SUB_YEAR_FORMS = _sub_year_forms()


def _sub_year(value: str) -> tuple[dt.date, str] | None:
    """A quarter or tertial with its year from `value` (lower case, no spaces), or None: its
    first day and grain ('2024K1' → (2024-01-01, 'quarter'); 'T3-24' → (2024-09-01, 'tertial'))."""
    for pattern, grain, months, number_first in _SUB_YEAR_FORMS:
        if m := pattern.fullmatch(value):
            number, year = (m[1], m[2]) if number_first else (m[2], m[1])
            full_year = int(year) + (2000 if len(year) == 2 else 0)
            return dt.date(full_year, months * (int(number) - 1) + 1, 1), grain
    return None


ORDINALS = {"første": "1", "forste": "1", "andre": "2", "annet": "2", "tredje": "3", "fjerde": "4"}


def _month_range(first_name: str, last_name: str, year: int) -> tuple[dt.date, str] | None:
    """A period from its first and last month by name in one year (see _date_range), or None."""
    first, last = MONTH_NAMES.get(first_name), MONTH_NAMES.get(last_name)
    if first is None or last is None or last < first:
        return None
    return _date_range(
        f"01.{first:02d}.{year}",
        (dt.date(year + last // 12, last % 12 + 1, 1) - dt.timedelta(days=1)).strftime("%d.%m.%Y"),
    )


def _date_range(first_text: str, last_text: str) -> tuple[dt.date, str] | None:
    """A period from its first and last day: a whole month, quarter, tertial or year (or several
    years), else None (a range of days or weeks that no grain of the board holds)."""
    first, last = _day(first_text), _day(last_text)
    if first is None or last is None or first.day != 1 or last < first:
        return None
    following = last + dt.timedelta(days=1)
    if following.day != 1:
        return None  # the range does not end on a month's last day
    months = (following.year - first.year) * 12 + following.month - first.month
    grains = {1: "month", 3: "quarter", 4: "tertial"}
    if months in grains and (first.month - 1) % months == 0:
        return first, grains[months]
    if months % 12 == 0 and first.month == 1:
        years = months // 12
        return (first, "year") if years == 1 else ((first, multi_year(years)) if years <= 20 else None)
    return None


def provisional_mark(text: str) -> str | None:
    """The mark a period's text carries after the period ('2024*' → '*', '2024 (foreløpig)' →
    '(foreløpig)'), or None: no mark, or no period. The period is read without it
    (parse_period); the mark is told to the analyst, never dropped unseen."""
    value = " ".join(text.split())
    m = re.search(
        r"\s*(\*+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\((?:foreløpig|forelopig|prelim|provisional|p\))[^)]*\)?)$", value, re.I
    )
    if m is None or parse_period(value) is None:
        return None
    return m[1]


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_subperiod(year_text: str, sub_text: str, kind: str) -> tuple[dt.date, str] | None:
    """Year and quarter ('1', 'K1', '1. kvartal'), tertial ('1', 'T1', '1. tertial') or month
    ('1', '01', 'jan', 'januar'); kind is subperiod_kind's answer."""
    year = year_text.strip()
    if not re.fullmatch(r"\d{4}", year):
        return None
    sub = sub_text.strip().lower().rstrip(".")
    if kind == "quarter":
        m = re.fullmatch(r"(?:k|q)?([1-4])(?:\.?\s*kvartal)?", sub)
        return (dt.date(int(year), 3 * int(m[1]) - 2, 1), "quarter") if m else None
    if kind == "tertial":
        m = re.fullmatch(r"(?:t|tertial\s*)?([1-3])(?:\.?\s*tertial)?", sub)
        return (dt.date(int(year), 4 * int(m[1]) - 3, 1), "tertial") if m else None
    number = MONTH_NAMES.get(sub) or (int(sub) if sub.isdigit() else None)
    if number is None or not 1 <= number <= 12:
        return None
    return dt.date(int(year), number, 1), "month"


# A value column's header that carries its period, as statistics banks write it: "Persons 2021",
# "Personer 2021", "2021 Personer", "y2021", "2019_2021", "Antall 2024K1". The label must not
# name a unit ("Kommune 2024" is a unit column of 2024's municipalities).
HEADER_PERIOD = re.compile(
    r"^(?:(?P<before>.*?[^\d\s_])[\s_:.-]*)?(?P<period>\d{4}(?:[-_]\d{4}|[-]?[KkQqMm]\d{1,2})?)$"
    r"|^(?P<period2>\d{4}(?:[-_]\d{4}|[KkQqMm]\d{1,2})?)[\s_:.-]+(?P<after>[^\d].*)$"
)
SHORT_YEAR = re.compile(r"^[yY](\d{4})$")


def header_period(column: str) -> str | None:
    """The period text a column's header carries ('Persons 2021' → '2021'), or None."""
    name = " ".join(column.split())
    if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", name):
        return None  # a date as a header is a date, not "a label and a year"
    if parse_period(name) is not None:
        return name  # '2024-01', 'jan 2024', '2024M01': the header is the period
    if _week_or_half_year(name):
        return None  # 'Antall 1. halvår 2024', 'Uke 5 2024': never the year 2024
    if m := SHORT_YEAR.match(name):
        return m[1]
    m = HEADER_PERIOD.match(name)
    if m is None:
        return None
    label = (m["before"] or m["after"] or "").lower()
    if any(w in label for w in UNIT_WORDS) or _begins(label, UNIT_STARTS):
        return None
    if m["before"] and re.search(r"(^|\s)(per|pr\.?)$", m["before"].strip().lower()):
        return None  # «Rate per 1000»: a rate's base, not the year 1000
    return m["period"] or m["period2"]


def is_period_header(column: str) -> bool:
    """A column named like a period ('2019', '2020K1', 'Persons 2021'): a wide table's value column."""
    text = header_period(column)
    return text is not None and parse_period(text) is not None


def period_of_header(column: str) -> tuple[dt.date, str] | None:
    """The period of a wide table's value column ('Personer 2021' → 2021, year)."""
    text = header_period(column)
    return parse_period(text) if text is not None else None


def header_label(column: str) -> str:
    """A wide column's header without its period ('Antall 2022' → 'antall'; '2022' → '')."""
    name = " ".join(column.split())
    m = HEADER_PERIOD.match(name)
    if m is None or parse_period(name) is not None:
        return ""
    return (m["before"] or m["after"] or "").strip().lower()


def _same_period(columns: list[str]) -> list[str]:
    """The wide columns whose period another wide column has too (in file order), or []."""
    periods = [period_of_header(c) for c in columns]
    return [c for c, p in zip(columns, periods, strict=True) if p is not None and periods.count(p) > 1]


def _week_or_half_year(column: str) -> str | None:
    """'halvår' or 'uker' when a column's header ends with a half-year or a week ('2024H1',
    'Antall 1. halvår 2024', 'Uke 5 2024'), else None."""
    name = " ".join(column.lower().split())
    for pattern, what in ((HALF_YEAR, "halvår"), (WEEK, "uker")):
        if re.search(rf"(?:^|\s)(?:{pattern})$", name):
            return what
    return None


# A column of school, academic or kindergarten years, or seasons («Skoleår», «Studieår»): periods
# across the turn of a year, which the board cannot split into calendar years.
ACROSS_YEARS_HEADER = re.compile(r"^(skole|studie|barnehage|undervisnings)(år|aar)$|^sesong$", re.IGNORECASE)

_NOT_HELD = {
    "halvår": "tavla tar ikke halvårstall (bruk måneder, kvartaler eller år, f.eks. 2024M01, 2024K1 eller 2024)",
    "uker": "tavla tar ikke ukestall (summer ukene til måneder eller kvartaler, f.eks. 2025M01 eller 2025K1)",
}


# A column of the day (and time) an event was registered, as municipal record systems (Gerica,
# CosDoc, Profil) export one row per event: «Dato», «Hendelsesdato», «Registrert», «Tidspunkt».
EVENT_DATE = re.compile(r"(dato|date|tidspunkt|timestamp)$|^registrert$|^dato|^date", re.IGNORECASE)


def event_date_column(columns: list[str]) -> str | None:
    """The date column of a file that has no value column: one row per event, or None."""
    return next((c for c in columns if EVENT_DATE.search(" ".join(c.split()))), None)


def event_list_refusal(column: str) -> str:
    """Why an event list (one row per event, no count) is refused, and what to send instead."""
    return (
        f"ser ut som en liste med én rad per hendelse (datoer i kolonnen «{column}», ingen kolonne med "
        "antall); tavla tar imot antall, ikke lister: tell hendelsene per kommune og måned (f.eks. med en "
        "pivottabell i Excel) og last inn en fil med kolonnene Kommune, Måned og Antall"
    )


def _no_period_column(columns: list[str]) -> str:
    """Why a file has no period column, in words: its columns are weeks or half-years (one per
    column, a grain the board does not hold), or it has none."""
    for column in columns:
        if what := _week_or_half_year(column):
            return f"har {what} som kolonner («{column}» …); {_NOT_HELD[what]}"
    for column in columns:
        if ACROSS_YEARS_HEADER.match(column.strip()):
            return (
                f"har kolonnen «{column}», perioder over et årsskifte (f.eks. 2023/2024); tavla regner i "
                "kalenderår og kan ikke dele dem (bruk kalenderår, f.eks. 2024)"
            )
    return "mangler en kolonne for periode (f.eks. «Periode», «År» eller én kolonne per år)"


def _and(names: list[str]) -> str:
    quoted = [f"«{n}»" for n in names[:4]]
    more = f" og {len(names) - 4} til" if len(names) > 4 else ""
    return (", ".join(quoted[:-1]) + " og " + quoted[-1] if len(quoted) > 1 else quoted[0]) + more


# The measure a wide column's label names, for the kinds that take it: two measures per period
# (SSB and Hdir tables with «Antall 2022» and «Andel 2022» side by side) keep the indicator's own.
SHARE_LABELS = ("andel", "prosent", "share", "percent", "%")
COUNT_LABELS = (
    "antall",
    "tall",
    "tal",
    "personer",
    "persons",
    "count",
    "number",
    "innleggelser",
    "pasienter",
)


def _one_measure(wide: list[str], kinds: set[str] | None) -> list[str]:
    """The wide columns of the one measure the indicator's kinds take, when the periods repeat
    under several labels; all of them (for to_spec to refuse) when none or several fit."""
    if not _same_period(wide) or not kinds:
        return wide
    words = SHARE_LABELS if kinds <= {"share"} else COUNT_LABELS if kinds <= {"count", "stock"} else ()
    labels = list(dict.fromkeys(header_label(c) for c in wide))
    fitting = [label for label in labels if any(label == w or _starts_word(label, (w,)) for w in words)]
    if len(fitting) != 1:
        return wide
    chosen = [c for c in wide if header_label(c) == fitting[0]]
    return wide if _same_period(chosen) else chosen


# -- column roles --------------------------------------------------------------------------


# A value column's header that names a scale the indicator's numbers are not in: a rate
# («Antall per 100 000 innbyggere», «Rate pr. 1000»), thousands («Folkemengde (1 000
# personer)», SSB's «Personer (1 000)»), or per mille («Andel (‰)»).
RATE_HEADER = re.compile(
    r"\b(per|pr\.?)\s*(1\s?0{3}|10\s?0{3}|100\s?0{3}|1\s?000\s?000|innbygg\w*|capita)\b", re.IGNORECASE
)
THOUSANDS_HEADER = re.compile(
    r"\(\s*1\s?000\b[^)]*\)|\bi\s+tusen\b|\btusen\s+(personer|innbyggere|kr)\b|\bin\s+thousands\b",
    re.IGNORECASE,
)
PER_MILLE_HEADER = re.compile(r"‰|\bpromille\b|\bper\s+mille\b", re.IGNORECASE)


def scale_refusal(column: str, indicator_name: str, whole_cases: bool, share: bool) -> str | None:
    """Why the value column `column` cannot hold this indicator's numbers, from a scale its
    header names, or None. whole_cases: the indicator counts whole cases (an «antall»);
    share: it is a share in per cent. The reason completes «Filen «…» …» (FileRefused)."""
    said = f"har verdikolonnen «{column.strip()}»"
    if whole_cases and RATE_HEADER.search(column):
        return f"{said}, som er en rate, men «{indicator_name}» er et antall: last inn antall tilfeller, ikke rater"
    if whole_cases and THOUSANDS_HEADER.search(column):
        return (
            f"{said}, som er oppgitt i tusen, men «{indicator_name}» er et antall: last inn hele tall, "
            "ikke tusener"
        )
    if share and (PER_MILLE_HEADER.search(column) or RATE_HEADER.search(column)):
        return (
            f"{said}, som er i promille eller per innbyggere, men «{indicator_name}» er en andel i prosent: "
            "last inn prosent"
        )
    return None


def _starts_word(name: str, words: tuple[str, ...]) -> bool:
    lowered = name.lower().strip()
    return any(re.search(rf"(^|[^a-zæøå]){re.escape(w)}($|[^a-zæøå])", lowered) for w in words)


def _begins(name: str, words: tuple[str, ...]) -> bool:
    lowered = name.lower().strip()
    return any(re.match(rf"{re.escape(w)}($|[^a-zæøå])", lowered) for w in words)


# SSB statbank's long CSV (PxWeb's csv2/csv3, «Tabelloppsett: lang») names the value column by its
# table: «07459: Befolkning, etter region, alder, statistikkvariabel og år».
SSB_TABLE_TITLE = re.compile(r"^\d{5}:\s*\S")


def ssb_table_value_column(columns: list[str]) -> str | None:
    """The value column SSB's long CSV names by its table number and title, or None."""
    return next((c for c in columns if SSB_TABLE_TITLE.match(c.strip())), None)


def guess_roles(columns: list[str], kinds: set[str] | None = None) -> ColumnRoles:
    """The reader's guess from column names; shown to the analyst, who can correct it.

    kinds: the kinds of the indicators the file is loaded for. For counts and stocks only, a
    «Teller» column is the count itself (FHI's kube files: TELLER beside RATE and MEIS, with or
    without NEVNER), so it becomes the value and the rate (and «Nevner») beside it is left unused;
    a count value column («Antall») beside «Teller» and «Nevner» stays the value.
    """
    roles = ColumnRoles()
    wide = [c for c in columns if is_period_header(c)]
    for column in columns:
        if column in wide:
            continue
        lowered = column.lower()
        if SSB_TABLE_TITLE.match(column.strip()):
            # its title names the table's dimensions («etter region»): no unit column
            roles.value = roles.value or column
        elif roles.unit is None and (any(w in lowered for w in UNIT_WORDS) or _begins(column, UNIT_STARTS)):
            roles.unit = column
        elif roles.numerator is None and _starts_word(column, NUMERATOR_WORDS):
            roles.numerator = column
        elif roles.denominator is None and _starts_word(column, DENOMINATOR_WORDS):
            roles.denominator = column
        elif roles.subperiod is None and _begins(column, QUARTER_WORDS + TERTIAL_WORDS + MONTH_WORDS):
            roles.subperiod = column
        elif roles.period is None and _begins(column, PERIOD_WORDS):
            roles.period = column
        elif roles.year is None and _begins(column, YEAR_WORDS):
            roles.year = column
        elif roles.value is None and _starts_word(column, VALUE_WORDS):
            roles.value = column
    if roles.year and not roles.subperiod and not roles.period:
        roles.period, roles.year = roles.year, None  # a year column alone is the period
    if roles.subperiod and not roles.year and not roles.period:
        roles.period, roles.subperiod = roles.subperiod, None  # "Måned" holding "2024-01"
    if not (roles.period or roles.year) and wide:
        roles.wide = _one_measure(wide, kinds)
    if kinds and kinds <= {"count", "stock"} and roles.numerator:
        if not roles.denominator:
            roles.value, roles.numerator = roles.numerator, None
        elif roles.value is None or _begins(roles.value, RATIO_WORDS):
            # FHI's kube with NEVNER (TELLER, NEVNER, RATE): the count is TELLER; the rate and
            # the file's own population are left unused (the board divides by its own)
            roles.value, roles.numerator, roles.denominator = roles.numerator, None, None
    return roles


# Value columns that hold a ratio, not a count: a count indicator takes «Teller» over them.
RATIO_WORDS = ("rate", "andel", "prosent", "meis", "smr")


# Columns that describe the value cell beside it rather than a dimension of the table: FHI's
# kube files give MEIS (the moving/standardised measure) and SPVFLAGG (the suppression flag:
# 0 shown, 1 missing, 2 anonymised, 3 not applicable) next to TELLER and RATE.
MEASURE_WORDS = ("meis", "smr", "spvflagg", "flagg", "flag")


def is_measure_column(column: str) -> bool:
    """True for a column holding another measure of the same cell (a rate, a share, FHI's MEIS)
    or a flag on it (SPVFLAGG): never a dimension to choose or sum over."""
    return _starts_word(column, VALUE_WORDS + NUMERATOR_WORDS + DENOMINATOR_WORDS + MEASURE_WORDS)


def subperiod_kind(column: str) -> str:
    """'quarter', 'tertial' or 'month': what a sub-period column beside a year column holds."""
    if _begins(column, TERTIAL_WORDS):
        return "tertial"
    return "quarter" if _begins(column, QUARTER_WORDS) else "month"


# -- units ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitMatch:
    unit_id: str  # the unit today
    source_code: str  # the unit the text names (an old code for a merged municipality)
    is_current: bool


SPLIT = "split"
# Rows that are recognised and skipped (and counted), by why: a known unit outside the
# partnership, an area that is no unit of the board (county, the whole country, SSB's residual
# rows), or a total row with no partnership to hold it.
OUTSIDE, AREA, TOTAL = "outside", "area", "total"
# FHI's kube files write the whole country as the bare code GEO 0 (counties 2 digits).
COUNTRY_ROW = re.compile(r"^(0\s+)?(hele\s+landet|landet|norge|eak\b)|^0{1,2}$", re.IGNORECASE)
# SSB statbank's own codes for aggregate regions, upper case before a name or alone: «EAK» (the
# country), «EKA32 Akershus» (a county), «EKG…» and similar (economic and other regions).
# KOSTRA's groups carry more letters: «EAKUO Landet uten Oslo», «EAFK», «EKG13 Kostragruppe 13».
SSB_AGGREGATE_CODE = re.compile(r"^E[AK][A-Z]{0,4}\d*(?=$|[\s:,.\-–])")
RESIDUAL_ROW = re.compile(
    r"^\((tom|blank)\)$|"  # an Excel pivot table's row for the empty unit cells
    r"^(k-?\s*)?(rest\b|uoppgitt|ukjent|uten\s+fast|annen\s+kommune|andre\s+kommuner)|^9999$|"
    r"^(bosatt\s+i\s+)?utlandet$|^utland$|^ikke\s+bosatt\s+i\s+norge|^abroad$|"
    r"^(k-?\s*)?\d{2,6}\s+(uoppgitt|ukjent|rest\b|annet\b)|svalbard|jan\s+mayen|kontinentalsokkel",
    re.IGNORECASE,
)
# A health trust's or hospital's own row beside its municipalities («Akershus
# universitetssykehus HF», «Helse Sør-Øst RHF», «Sykehuset Innlandet», «Ahus opptaksområde»):
# an area that is no unit of the board, skipped like a county.
# A total for an area the board cannot tell from the partnership («HF totalt», «Sum
# opptaksområdet», «Sykehusområdet i alt»): refused by name (checks.unit_area_total), never
# stored as a unit nor skipped unseen.
AREA_TOTAL = re.compile(
    r"^(?=.*\b(?:r?hf|helseforetak\w*|opptaksområde\w*|sykehusområde\w*|sykehus\w*)(?:\b|$))"
    r"(?=.*\b(?:totalt?|sum|i\s+alt|samlet|hele)\b)",
    re.IGNORECASE,
)
# «Helsefellesskapet», «Helsefellesskapet totalt»: the file's own partnership, by no name.
# A row of the file's average or median over its units («Gjennomsnitt», «Snitt Ahus», «Median
# alle kommuner», «Landsgjennomsnitt»): no unit and no sum, refused by name (checks.unit_summary_row)
SUMMARY_ROW = re.compile(
    r"^(?:gjennomsnitt\w*|gj\.?\s*snitt|snitt|middelverdi|median|landsgjennomsnitt|landssnitt|average|mean)\b",
    re.IGNORECASE,
)
PARTNERSHIP_TOTAL = re.compile(
    r"^(?:(?:totalt?|sum|hele)\s+)?helsefellesskap(?:et)?(?:\s+(?:totalt?|i\s+alt|samlet|sum))?$",
    re.IGNORECASE,
)


def partnership_aliases(short_name: str) -> list[str]:
    """The names a file may give a partnership's total row, from its plan's short name («Ahus»):
    the short name, «Helsefellesskapet Ahus», «Ahus-området», «Opptaksområdet Ahus», «Ahus
    totalt». Hospitals' own names («Akershus universitetssykehus HF») are not among them: a
    hospital's row is its own figure (TRUST_ROW), not the partnership's."""
    s = short_name.strip()
    return [
        s,
        f"Helsefellesskapet {s}",
        f"Helsefellesskap {s}",
        f"{s}-området",
        f"{s} området",
        f"{s}-området totalt",
        f"Opptaksområdet {s}",
        f"Opptaksområde {s}",
        f"Opptaksområdet {s} totalt",
        f"{s} totalt",
        f"Totalt {s}",
        f"{s} i alt",
        f"Sum {s}",
    ]


TRUST_ROW = re.compile(
    r"\b(r?hf|helseforetak|sykehus\w*|universitetssykehus\w*|opptaksområde\w*|sykehusområde\w*)$|"
    r"^(sykehuset|helse)\s|\bhelseforetak\b",
    re.IGNORECASE,
)
# The bydeler SSB publishes (Bergen 4601, Stavanger 1103, Trondheim 5001, Oslo 0301): rows for
# somewhere else unless the board has them as units (those match first).
CITY_DISTRICTS = frozenset(
    {
        "arna", "bergenhus", "fana", "fyllingsdalen", "laksevåg", "ytrebygda", "årstad", "åsane",
        "hundvåg", "tasta", "eiganes og våland", "storhaug", "hillevåg", "hinna", "madla",
        "midtbyen", "østbyen", "lerkendal", "heimdal",
        "gamle oslo", "grünerløkka", "sagene", "st. hanshaugen", "frogner", "ullern", "vestre aker",
        "nordre aker", "bjerke", "grorud", "stovner", "alna", "østensjø", "nordstrand",
        "søndre nordstrand", "sentrum", "marka",
    }
)  # fmt: skip
# «Årstad (Bergen)»: a part of a municipality named in brackets after it.
WITH_COUNTY = re.compile(r"(.+?)\s*\(([^()]+)\)")
# «Våler i Østfold», «Nes i Akershus»: the county after «i», as people tell namesakes apart
IN_COUNTY = re.compile(r"(.+?)\s+i\s+(.+)", re.IGNORECASE)
IN_MUNICIPALITY = re.compile(r"^(.+?)\s*\((.+)\)$")
COUNTY_CODE = re.compile(r"^\d{2}(?=$|[\s:,.\-–])")
WARD_CODE = re.compile(r"^(\d{6})[a-z]{1,2}(?=$|\s)", re.IGNORECASE)  # SSB: 030110a Grorud


@dataclass(frozen=True)
class UnitRow:
    """What one unit text in a file is: a unit today, or a row to skip, or unknown."""

    unit_id: str | None = None
    source_code: str | None = None
    is_current: bool = False
    file_total: bool = False  # a total row or a region/partnership: the file's own total
    skip: str | None = None  # OUTSIDE, AREA or TOTAL
    reason: str | None = None  # 'split:TEXT' for a split municipality


@dataclass
class UnitResolver:
    """Codes, 'CODE Name', 'K-CODE', SSB ward codes, names and old codes → today's unit.

    Besides the board's units it knows every municipality in Norway (national files) and the
    county, country and residual rows SSB writes, so only a code or name that exists nowhere
    is unknown. `mergers` has one row per old code that was merged with others into one unit:
    source_code, merge_group, changed (the date of the merger), n_parts, part_name,
    whole_name, all_parts (names, comma-separated), for the check that every part is present.
    """

    by_code: dict[str, UnitMatch | str]
    by_name: dict[str, UnitMatch | str]
    kinds: dict[str, str] = field(default_factory=dict)  # unit id → kind
    partnership_of: dict[str, str] = field(default_factory=dict)  # unit id → partnership
    members: dict[str, list[str]] = field(default_factory=dict)  # region/partnership → members
    national_codes: set[str] = field(default_factory=set)
    national_names: set[str] = field(default_factory=set)
    county_names: set[str] = field(default_factory=set)
    mergers: pd.DataFrame = field(default_factory=pd.DataFrame)
    names: dict[str, str] = field(default_factory=dict)  # unit id → name
    # a partnership's other names (name key → partnership id): partnership_aliases
    aliases: dict[str, str] = field(default_factory=dict)
    county_of: dict[str, str] = field(default_factory=dict)  # municipality code → its county's key
    split_into: dict[str, set[str]] = field(default_factory=dict)  # split old code/name key → today's codes

    @classmethod
    def build(
        cls,
        units: pd.DataFrame,
        code_map: pd.DataFrame,
        national: pd.DataFrame | None = None,
        history: pd.DataFrame | None = None,
        short_names: dict[str, str] | None = None,
    ) -> UnitResolver:
        """units: unit_id, name, kind, region, partnership; code_map: old_code, old_name,
        current_code (resolved chains); national: code, name, county (all municipalities);
        history: old_code, old_name, new_code, new_name, changed, change (one step each);
        short_names: partnership id → the short name its plan gives («Ahus»), for the names a
        file may give the partnership's total row (partnership_aliases)."""
        by_code: dict[str, UnitMatch | str] = {u: UnitMatch(u, u, True) for u in units["unit_id"]}
        by_name: dict[str, UnitMatch | str] = {}
        for name, unit_id in zip(units["name"], units["unit_id"], strict=True):
            by_name.setdefault(_name_key(str(name)), UnitMatch(unit_id, unit_id, True))
        # An old code listed more than once was split between several municipalities (Tysfjord
        # 2020): its counts cannot be carried over to today's units.
        rows_per_code = code_map.groupby("old_code")["current_code"].size()
        split_into: dict[str, set[str]] = {}
        for old_code, old_name, current in zip(
            code_map["old_code"], code_map["old_name"], code_map["current_code"], strict=True
        ):
            match = SPLIT if rows_per_code[old_code] > 1 else UnitMatch(current, old_code, False)
            by_code.setdefault(old_code, match)
            by_name.setdefault(_name_key(str(old_name)), match)
            if match == SPLIT:
                for key in (old_code, _name_key(str(old_name))):
                    split_into.setdefault(key, set()).add(current)
        kinds = dict(zip(units["unit_id"], units["kind"], strict=True))
        partnership_of = {
            u: p for u, p in zip(units["unit_id"], units["partnership"], strict=True) if isinstance(p, str)
        }
        members: dict[str, list[str]] = {}
        for unit_id, kind, region, partnership in zip(
            units["unit_id"], units["kind"], units["region"], units["partnership"], strict=True
        ):
            if kind in ("municipality", "district"):
                for whole in (region, partnership):
                    if isinstance(whole, str):
                        members.setdefault(whole, []).append(unit_id)
        resolver = cls(by_code, by_name, kinds, partnership_of, members, split_into=split_into)
        resolver.names = dict(zip(units["unit_id"], units["name"], strict=True))
        if national is not None:
            resolver.national_codes = set(national["code"])
            resolver.national_names = {_name_key(n) for n in national["name"]}
            resolver.county_names = {_name_key(n) for n in national["county"]}
            resolver.county_of = {
                c: _name_key(n) for c, n in zip(national["code"], national["county"], strict=True)
            }
        if history is not None:
            resolver.mergers = _merger_parts(history)
        for partnership, short in (short_names or {}).items():
            if partnership in kinds:
                for alias in partnership_aliases(short):
                    resolver.aliases.setdefault(_name_key(alias), partnership)
        return resolver

    def resolve(self, text: str) -> UnitMatch | str | None:
        """A UnitMatch, SPLIT, or None when the text names no unit of the board."""
        value = " ".join(plain_text(text).split())
        value = _bare(value)
        if m := WARD_CODE.match(value):
            return self.by_code.get(m[1])
        if m := re.match(r"^(\d{3,6})" + CODE_END, value) or re.search(r"\((\d{3,6})\)$", value):
            code = m[1]
            if len(code) in (3, 5):  # Excel drops the leading zero: 301 → 0301
                code = "0" + code
            return self.by_code.get(code)
        # a dual name («Hamarøy - Hábmer», «Kárášjohka – Karasjok»): the part the board knows
        found = next((m for key in _name_keys(value) if (m := self.by_name.get(key)) is not None), None)
        if found is None and (county := self._with_county(value)):
            # a name with its county, as SSB and old reports tell namesakes apart («Nes
            # (Akershus)»): the board's unit of that name only when it lies in that county
            match = self.by_name.get(_name_key(county[0]))
            if isinstance(match, UnitMatch) and self.county_of.get(match.unit_id) == _name_key(county[1]):
                return match
        return found

    def _with_county(self, value: str) -> tuple[str, str] | None:
        """(name, county) for «Nes (Akershus)», a county known by that name; else None."""
        for pattern in (WITH_COUNTY, IN_COUNTY):
            m = pattern.fullmatch(value)
            if m and _name_key(m[2]) in self.county_names:
                return (m[1], m[2])
        return None

    def is_total(self, text: str) -> bool:
        return bool(TOTAL_ROW.match(text.strip()))

    def classify(self, text: str, partnership: str | None) -> UnitRow | None:
        """The unit a text names for a file of `partnership` (None: any of the board's units),
        a row to skip, or None when the text names nothing that exists."""
        value = " ".join(plain_text(text).split())
        if COUNTRY_ROW.match(value) or RESIDUAL_ROW.search(value) or SSB_AGGREGATE_CODE.match(value):
            return UnitRow(skip=AREA)
        match = self.resolve(value)
        if match is None and (alias := self.aliases.get(_name_key(_bare(value)))):
            # the partnership's total under a name its plan gives («Ahus», «Helsefellesskapet
            # Ahus», «Opptaksområdet Ahus»): the file's total row, checked against its members
            if partnership and alias != partnership:
                return UnitRow(skip=OUTSIDE)
            return UnitRow(alias, alias, True, file_total=True)
        if match is None and TRUST_ROW.search(value):
            return UnitRow(skip=AREA)
        if match is None and AREA_TOTAL.search(value) and not PARTNERSHIP_TOTAL.match(value):
            return UnitRow(reason=f"area_total:{value}")
        if match is None and SUMMARY_ROW.match(value):
            return UnitRow(reason=f"summary_row:{value}")
        if match == SPLIT:
            # A split municipality whose parts today all lie outside the file's partnership (or
            # outside every partnership on the board: Ålesund 1507 in a national 2023 file) is a
            # row for somewhere else, skipped and counted like any other; only a split touching
            # the board's own units is a problem.
            if self._split_outside(value, partnership):
                return UnitRow(skip=OUTSIDE)
            return UnitRow(reason=f"split:{text}")
        if isinstance(match, UnitMatch):
            whole = self.kinds.get(match.unit_id) in ("region", "partnership")
            if partnership and self.partnership_of.get(match.unit_id) != partnership:
                return UnitRow(skip=OUTSIDE)
            return UnitRow(match.unit_id, match.source_code, match.is_current, file_total=whole)
        if self.is_total(value) or PARTNERSHIP_TOTAL.match(value):
            return UnitRow(file_total=True) if partnership else UnitRow(skip=TOTAL)
        bare = _bare(value)
        if m := WARD_CODE.match(bare) or re.match(r"^(\d{6})" + CODE_END, bare):
            # a bydel of a municipality in Norway that the board does not have (030101 Gamle
            # Oslo, 460105 Årstad in Bergen)
            return UnitRow(skip=OUTSIDE) if m[1][:4] in self.national_codes | {"0301"} else None
        if m := re.match(FOUR_DIGITS, bare):
            if m[1].zfill(4) in self.national_codes:
                return UnitRow(skip=OUTSIDE)
            # An older code (before the 2018–2024 reforms: «1201 Bergen», «1601 Trondheim») beside
            # the name of a municipality outside the board: a row for somewhere else. The board's
            # own names with a code it does not know stay a problem.
            name = _name_key(bare[m.end() :].strip(" -–:,._|"))
            known = isinstance(self.by_name.get(name), UnitMatch) or name in self.split_into
            return UnitRow(skip=OUTSIDE) if name in self.national_names and not known else None
        if COUNTY_CODE.match(bare):
            return UnitRow(skip=AREA)
        keys = _name_keys(bare)
        key = keys[0]
        if any(k in self.national_names or k in _CITY_DISTRICT_KEYS for k in keys):
            return UnitRow(skip=OUTSIDE)
        if (county := self._with_county(bare)) and (
            _name_key(county[0]) in self.national_names or _name_key(county[0]) in self.by_name
        ):
            return UnitRow(skip=OUTSIDE)  # a namesake in another county («Nes (Buskerud)»)
        if (m := IN_MUNICIPALITY.match(bare)) and _name_key(m[2]) in self.national_names:
            whole = self.by_name.get(_name_key(m[2]))
            if not (isinstance(whole, UnitMatch) and whole.unit_id in self.kinds):
                return UnitRow(skip=OUTSIDE)  # a part of a municipality the board does not have
        if key in self.county_names or key.removesuffix(" fylke") in self.county_names:
            return UnitRow(skip=AREA)
        return None

    def _split_outside(self, value: str, partnership: str | None) -> bool:
        """True when every unit a split municipality went into is outside `partnership`
        (None: outside every partnership on the board)."""
        bare = _bare(value)
        code = re.match(FOUR_DIGITS, bare)
        parts = self.split_into.get(code[1].zfill(4) if code else _name_key(bare))
        if not parts:
            return False
        return all(
            (self.partnership_of.get(part) != partnership) if partnership else part not in self.partnership_of
            for part in parts
        )

    def partnership_of_units(self, unit_ids: list[str]) -> str | None:
        """The one partnership the board's units in a file belong to (None when several)."""
        found = {self.partnership_of[u] for u in unit_ids if u in self.partnership_of}
        return found.pop() if len(found) == 1 else None

    def wholes(self, unit_ids: list[str]) -> pd.DataFrame:
        """whole_id, member_id, n_members for the regions and partnerships among `unit_ids`."""
        rows = [
            (w, m, len(self.members.get(w, [])))
            for w in sorted(set(unit_ids))
            if self.kinds.get(w) in ("region", "partnership")
            for m in self.members.get(w, [])
        ]
        return pd.DataFrame(rows, columns=["whole_id", "member_id", "n_members"]).astype(
            {"whole_id": "object", "member_id": "object", "n_members": "int64"}
        )


def _merger_parts(history: pd.DataFrame) -> pd.DataFrame:
    """One row per old code merged with others into one unit on one date (Skedsmo, Fet and
    Sørum into Lillestrøm 2020): the parts that must all be present to sum them."""
    merged = history[history["change"] == "merge"]
    rows = []
    for (new_code, changed), group in merged.groupby(["new_code", "changed"]):
        if len(group) < 2:
            continue
        names = ",".join(group["old_name"])
        for code, name in zip(group["old_code"], group["old_name"], strict=True):
            whole = str(group["new_name"].iloc[0])
            rows.append(
                (
                    code,
                    f"{new_code}@{changed}",
                    dt.date.fromisoformat(changed),
                    len(group),
                    name,
                    whole,
                    names,
                )
            )
    return pd.DataFrame(
        rows,
        columns=["source_code", "merge_group", "changed", "n_parts", "part_name", "whole_name", "all_parts"],
    ).astype({c: "object" for c in ("source_code", "merge_group", "part_name", "whole_name", "all_parts")})


# What may follow a code in a unit cell: the end, a space or a mark, also «_» and «|» (data
# warehouses' keys: «3205_Lillestrøm»).
CODE_END = r"(?=$|[\s:,.\-–_|])"
FOUR_DIGITS = r"^(\d{3,4})" + CODE_END  # a municipality code (three digits: a lost leading zero)

# A word before the code: SSB's «K-3205», and «Kommune 3205», «Kommunenr. 3205», «Knr: 3205» as
# reports and pivot tables label the number, and the apostrophe Excel keeps a code as text with
# («'0301»). After the code: a space or a mark, also «_» and «|» (data warehouses' keys).
CODE_PREFIX = re.compile(
    r"^(?:['’‘](?=\d)|k\s*-\s*|k(?=\d)|(?:kommune(?:nr|nummer)?|knr)\.?\s*:?\s*(?=\d))", re.IGNORECASE
)


def _bare(value: str) -> str:
    """A unit text without a label before the code: 'K-3205', 'Kommune 3205' → '3205'."""
    return CODE_PREFIX.sub("", value)


# Norwegian letters as systems without them write them («Lorenskog», «Baerum», «Aas»): names
# are compared with the letters spelt out so, so either spelling finds the unit.
_SPELT_OUT = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "ä": "ae", "ö": "o"})


def _name_key(name: str) -> str:
    """A name as compared: lower case, «Bydel»/«kommune» dropped, a hyphen or dash the same
    as a space («Aurskog Høland» is «Aurskog-Høland», «Nordre-Follo» is «Nordre Follo»), and
    æ, ø, å the same as ae, o, aa («Lorenskog» is «Lørenskog», «Aas» is «Ås»)."""
    key = " ".join(re.sub(r"[-‐‑–—]", " ", name.lower()).split())
    key = re.sub(r"^bydel\s+", "", key)
    return re.sub(r"\s+(kommune|bydel)$", "", key).translate(_SPELT_OUT)


# Between the two forms of a dual name (SSB/KLASS: «Hamarøy - Hábmer», «Guovdageaidnu -
# Kautokeino»; also written with an en dash or a slash): spaces around the mark.
DUAL_NAME = re.compile(r"\s+[-–—/]\s+|\s*/\s*")


_CITY_DISTRICT_KEYS = frozenset(_name_key(n) for n in CITY_DISTRICTS)


# The official Sami and Kven names of municipalities (the other form of SSB/KLASS's dual names),
# as a file may give them alone («Guovdageaidnu») or joined by a bare hyphen
# («Kárášjohka-Karasjok»): name key → the Norwegian name's key, which the board knows.
OTHER_FORMS = {
    "guovdageaidnu": "kautokeino", "kárášjohka": "karasjok", "deatnu": "tana", "unjárga": "nesseby",
    "porsáŋgu": "porsanger", "porsanki": "porsanger", "gáivuotna": "kåfjord", "kaivuono": "kåfjord",
    "loabát": "lavangen", "hábmer": "hamarøy", "snåase": "snåsa", "raarvihke": "røyrvik",
    "aarborte": "hattfjelldal", "plaassje": "røros", "fuossko": "fauske", "suortá": "sortland",
    "evenássi": "evenes", "rivtták": "gratangen", "ivgu": "lyngen", "omasvuotna": "storfjord",
    "omasvuono": "storfjord", "ráisa": "nordreisa", "raisi": "nordreisa", "romsa": "tromsø",
    "tromssa": "tromsø", "návuotna": "kvænangen", "naavuono": "kvænangen", "hárstták": "harstad",
    "málatvuopmi": "målselv", "čáhcesuolu": "vadsø", "vesisaari": "vadsø",
    "áhkánjárga": "narvik", "dielddanuorri": "tjeldsund",
}  # fmt: skip
_OTHER_FORM_KEYS = {_name_key(other): _name_key(norwegian) for other, norwegian in OTHER_FORMS.items()}


def _name_keys(name: str) -> list[str]:
    """The name's key, then the keys of each form of a dual name («Hábmer - Hamarøy»), and for
    a Sami or Kven form (OTHER_FORMS), alone or hyphenated to the Norwegian one, that one's."""
    parts = [p for p in DUAL_NAME.split(name) if p.strip()]
    keys = [_name_key(name)] + ([_name_key(p) for p in parts] if len(parts) > 1 else [])
    for key in list(keys):
        words = key.split(" ")
        for n in range(1, len(words) + 1):
            for other in (" ".join(words[:n]), " ".join(words[-n:])):
                if (known := _OTHER_FORM_KEYS.get(other)) and known not in keys:
                    keys.append(known)
    return keys


# -- map tables for the store --------------------------------------------------------------

UNIT_COLUMNS = ["text", "unit_id", "source_code", "is_current", "file_total", "skip", "reason"]


def unit_map(texts: list[str | None], resolver: UnitResolver, partnership: str | None = None) -> pd.DataFrame:
    """text → unit today, the code the text names, file_total, skip, reason, and unit_no (a
    small number per unit today, so staging can find repeated keys by grouping on one integer).

    `partnership`: rows of the board's units outside it are skipped (None: inferred from the
    file when all its units belong to one partnership; a total row is stored for it).
    A text that names nothing known has no row (staging reports it).
    """
    texts = [t for t in texts if t is not None]
    if partnership is None:
        found = [m.unit_id for t in texts if isinstance(m := resolver.resolve(t), UnitMatch)]
        partnership = resolver.partnership_of_units(found)
    rows = []
    for text in texts:
        row = resolver.classify(text, partnership)
        if row is None:
            continue
        unit_id = partnership if row.file_total and row.unit_id is None else row.unit_id
        rows.append(
            (
                text,
                unit_id,
                row.source_code or unit_id,
                row.is_current or row.unit_id is None,
                row.file_total,
                row.skip,
                row.reason,
            )
        )
    frame = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    frame = frame.astype({c: "object" for c in ("text", "unit_id", "source_code", "skip", "reason")})
    frame = frame.astype({"is_current": "bool", "file_total": "bool"})
    return frame.assign(unit_no=_numbers(frame["unit_id"]))


def period_frame(rows: list[tuple[str, str, dt.date, str]]) -> pd.DataFrame:
    """k1 (and k2) → period start and grain, and period_no (one per distinct period)."""
    frame = pd.DataFrame(rows, columns=["k1", "k2", "period_start", "grain"]).astype(
        {"k1": "object", "k2": "object", "grain": "object"}
    )
    periods = pd.Series(list(zip(frame["period_start"], frame["grain"], strict=True)), dtype="object")
    return frame.assign(period_no=_numbers(periods))


def indicator_frame(rows: list[tuple[str, Indicator]]) -> pd.DataFrame:
    """key → indicator, grain, kind, projection, source, unit_max (the most a municipality's
    own row may hold, NaN for no bound: Indicator.rule.unit_max), and whole_value /
    whole_numerator / whole_denominator (the cell numbers its kind counts in whole cases: the
    registry's `charts:` row, Indicator.rule.whole_cases), with ind_no (one per indicator)."""
    frame = pd.DataFrame(
        [
            (
                key,
                i.id,
                i.grain,
                i.kind,
                i.projection,
                i.source,
                i.rule.unit_max,
                *(r in i.rule.whole_cases for r in WHOLE_ROLES),
            )
            for key, i in rows
        ],
        columns=[
            "k",
            "indicator",
            "grain",
            "kind",
            "projection",
            "source",
            "unit_max",
            *(f"whole_{r}" for r in WHOLE_ROLES),
        ],
    ).astype(
        {
            "k": "object",
            "indicator": "object",
            "grain": "object",
            "kind": "object",
            "source": "object",
            "unit_max": "float64",
            **{f"whole_{r}": "bool" for r in WHOLE_ROLES},
        }
    )
    return frame.assign(ind_no=_numbers(frame["indicator"]))


def _numbers(values: pd.Series) -> pd.Series:
    """0, 1, 2, ... per distinct value (None stays None), as a nullable integer."""
    order = {v: n for n, v in enumerate(sorted({v for v in values if v is not None}, key=str))}
    return pd.Series(
        [order.get(v) if v is not None else None for v in values], dtype="Int64", index=values.index
    )
