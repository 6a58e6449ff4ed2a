"""The row checks: one row per check, holding its code, its SQL and its Norwegian sentence.

This table and the store are the only places loader SQL lives. Staging (loaders.staging) runs
every check over the few suspect cells of a file and reports one problem per cell it finds;
loaders.problems words a problem from the check's template. Adding a check is adding a row.

Kinds of check:
- "cell": a condition on one suspect cell (TEMP stage_suspect: unit_text, unit_reason,
  period_text, ind_text, value_text, num_text, den_text, unit_id, ind_no, period_start, grain,
  want_grain, kind, projection, value, numerator, denominator). `report` is the SQL for the text
  shown in the message. A check on numbers is written once with {text} and {number} and runs
  for each number column the file has (value, numerator, denominator).
- "file": a SELECT over TEMP cells and the map tables (stage_ind, stage_mergers,
  stage_wholes), and for the grain check the store's facts and uploads, returning row_no,
  text, period_start, grain, other_row.
- "key": a SELECT over TEMP candidates (every cell whose key, indicator × unit today × period,
  is met more than once), returning row_no, text, period_start, grain, other_row.

Template fields: {quoted} (the cell, «quoted», or "en tom celle"), {text}, {name} (the text
after "split:"), {number} (a number the Norwegian way), {period}, {indicator} (the indicator's name), {also} (" (linje N)" for the row it clashes with).
A text of several parts ('a|b|c') gives {t0}, {t1}, ... as written, {n0}, ... as numbers,
{g0}, ... as plural grain words ('månedene') and {l0}, ... as lists ('Fet og Sørum').
The SQL uses only named parameters ($today, $markers, $file_name); nothing in it comes from a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.periods import grain_sql

# Kinds whose values cannot be negative (scores may be).
NON_NEGATIVE = "('count', 'stock', 'share')"


@dataclass(frozen=True)
class Check:
    code: str
    kind: str  # "cell" or "key"
    column: str  # the role the problem is reported in: unit, indicator, period, or numbers
    sql: str  # "cell": the condition; "key": the SELECT
    template: str
    report: str = "NULL"  # "cell": the text reported
    dated: bool = False  # "cell": the problem names the period
    when: str | None = None  # "file": a cheap SQL condition; the check runs only when it holds
    # Rows whose sentences differ only in their own figures (each row's period and numbers) are
    # one cause: ``cause`` names the fields that make it one (e.g. "t3,g1": the other file and
    # grain), and ``many`` is its sentence for several rows, with the first row as example.
    cause: str | None = None
    many: str | None = None


# Period texts the board refuses by name: a week ('2025U05', '2025-W05', 'uke 5 2025') and a
# year across a new year ('2023/2024', '2023/24': a school or season year).
_WEEK = r"\d{4}\s*-?\s*(u|w|uke|week)\s*\d{1,2}|(uke|week|u|w)\s*\d{1,2}\s*[-/ ]?\s*\d{4}"
_ACROSS_YEARS = r"\d{4}\s*/\s*(\d{2}|\d{4})"
WEEK = _WEEK
# A half-year ('1. halvår 2024', 'Halvår 2 2024', '2024H1', 'H1 2024', 'første halvår 2024').
_HALF_YEAR = (
    r"([12]\.?|første|andre|fyrste)\s*halv(år|aar|året)\s*-?\s*\d{4}|halv(år|aar)\s*[12]\.?\s*-?\s*\d{4}|"
    r"\d{4}\s*-?\s*(h|halvår\s*)[12]|h[12]\s*[-/ ]?\s*\d{4}"
)
HALF_YEAR = _HALF_YEAR

# A date naming a day ('02.01.2024', '02/01/2024', '02-01-2024', '2024-01-02'): read as its month,
# so two days of one month in a file are daily figures, never one month's repeated row (checks.days).
DAY = r"\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}-\d{1,2}-\d{4}|\d{4}-\d{2}-\d{2}([ tT]\d{1,2}:\d{2}(:[\d.]+)?)?([zZ]|[+-]\d{2}:?\d{2})?"

NUMBERS = "numbers"  # column role: value, numerator and denominator, each in turn

# A total row (file_total) of a count or stock against the sum of its members in the file, per
# period: a wide file's total row holds one cell per period column under one row_no.
_TOTALS = """
    WITH t AS (
        SELECT c.row_no, c.ind_no, c.unit_id, c.period_start, c.grain, c.value
        FROM cells c JOIN stage_ind i USING (ind_no)
        WHERE c.file_total AND c.skip IS NULL AND c.value IS NOT NULL AND i.kind IN ('count', 'stock')
    ), parts AS (
        SELECT t.row_no, t.ind_no, t.period_start, t.grain, sum(p.value) AS parts_sum,
               bool_or(p.value IS NULL) AS any_suppressed,
               count(DISTINCT p.unit_id) AS n_parts, any_value(w.n_members) AS n_members
        FROM t JOIN stage_wholes w ON w.whole_id = t.unit_id
        JOIN cells p ON p.unit_id = w.member_id AND p.ind_no = t.ind_no
             AND p.period_start = t.period_start AND p.grain = t.grain
        WHERE p.skip IS NULL AND NOT p.file_total
        GROUP BY t.row_no, t.ind_no, t.period_start, t.grain
    )
    SELECT t.row_no, t.value::VARCHAR || '|' || parts_sum::VARCHAR, t.period_start, t.grain, NULL
    FROM t JOIN parts USING (row_no, ind_no, period_start, grain) WHERE {test}
"""
# Worth looking only when the file's periods, or the file's and the store's facts of its
# indicators, come in more than one grain (stage_periods and stage_ind are small).
_TWO_GRAINS = """
    SELECT count(DISTINCT grain) > 1 FROM (
        SELECT grain FROM stage_periods
        UNION SELECT DISTINCT f.grain FROM facts f SEMI JOIN stage_ind i ON i.indicator = f.indicator
    )
"""
_ANY_TOTAL = "SELECT count(*) > 0 FROM stage_units WHERE file_total AND skip IS NULL"
# Counts of one indicator and unit at two grains, from this file (row_no set) and the store
# (file_name set; keys this file replaces are left out), where the finer grain fills the
# coarser period (a year at most) and no cell is suppressed. Ends with a CTE `conflicts`.
_GRAINS = f"""
    WITH mine AS (
        SELECT ind_no, unit_id, period_start, grain, sum(value) AS value,
               bool_or(value IS NULL) AS suppressed, min(row_no) AS row_no, NULL::VARCHAR AS file_name
        FROM (SELECT ind_no, unit_id, source_code, period_start, grain, any_value(value) AS value,
                     min(row_no) AS row_no
              FROM cells WHERE skip IS NULL AND NOT file_total AND unit_id IS NOT NULL
                   AND period_start IS NOT NULL AND ind_no IS NOT NULL GROUP BY ALL)
        GROUP BY ALL
    ), theirs AS (
        SELECT i.ind_no, f.unit_id, f.period_start, f.grain, f.value, f.suppressed,
               NULL::BIGINT AS row_no, u.file_name
        FROM facts f JOIN stage_ind i ON i.indicator = f.indicator JOIN uploads u USING (upload_id)
        WHERE NOT f.file_total AND f.unit_id IN (SELECT unit_id FROM mine)
          AND NOT EXISTS (SELECT 1 FROM mine m WHERE m.ind_no = i.ind_no AND m.unit_id = f.unit_id
                          AND m.period_start = f.period_start AND m.grain = f.grain)
    ), every AS (
        SELECT a.*, {grain_sql("a.grain")} AS months,
               year(a.period_start) * 12 + month(a.period_start) - 1 AS m0
        FROM (SELECT * FROM mine UNION ALL SELECT * FROM theirs) a
        JOIN stage_ind i USING (ind_no) WHERE i.kind = 'count'
    ), coarse AS (
        SELECT * FROM every WHERE months IN (3, 4, 12) AND NOT suppressed
    ), parts AS (  -- each finer row in the bucket of every coarser grain it divides
        SELECT p.*, g.size, p.m0 // g.size * g.size AS bucket
        FROM every p JOIN (VALUES (3), (4), (12)) g(size) ON p.months < g.size AND g.size % p.months = 0
    ), conflicts AS (
        SELECT c.row_no, c.file_name, c.period_start, c.grain, any_value(c.value) AS value,
               p.grain AS fine_grain, sum(p.value) AS parts_sum, min(p.row_no) AS first_fine_row,
               any_value(p.file_name) AS fine_file
        FROM coarse c JOIN parts p ON p.ind_no = c.ind_no AND p.unit_id = c.unit_id
             AND p.size = c.months AND p.bucket = c.m0
        GROUP BY c.ind_no, c.unit_id, c.row_no, c.file_name, c.period_start, c.grain, c.months, p.grain,
                 p.months
        HAVING count(*) = c.months // p.months AND NOT bool_or(p.suppressed)
           AND abs(any_value(c.value) - sum(p.value)) > 0.5
           AND (c.row_no IS NOT NULL OR bool_or(p.row_no IS NOT NULL))
    )
"""

CHECKS: tuple[Check, ...] = (
    Check(
        "unit_missing",
        "cell",
        "unit",
        "unit_id IS NULL AND unit_text IS NULL AND period_start IS NULL",
        "kommune/enhet mangler",
    ),
    # A row with its period but no unit: a pivot table's export, the unit written on the first
    # row of its group only (Excel's merged cells are filled by the reader; a CSV has blanks).
    Check(
        "unit_missing_group",
        "cell",
        "unit",
        "unit_id IS NULL AND unit_text IS NULL AND period_start IS NOT NULL",
        "kommune/enhet mangler; står kommunen bare på første rad i hver gruppe (som i en pivottabell), "
        "må den skrives på hver rad, og er raden en sum, ta den bort",
    ),
    Check(
        "split",
        "cell",
        "unit",
        "unit_id IS NULL AND starts_with(unit_reason, 'split:')",
        "«{name}» ble delt mellom flere kommuner og kan ikke føres over til dagens kommuner",
        report="unit_reason",
    ),
    Check(
        "unit_area_total",
        "cell",
        "unit",
        "unit_id IS NULL AND starts_with(unit_reason, 'area_total:')",
        "«{name}» ser ut som totalen for et sykehus- eller opptaksområde, som tavla ikke kan vite er "
        "helsefellesskapet; skriv «Totalt» eller helsefellesskapets navn (f.eks. «Ahus») om raden er "
        "helsefellesskapets total, ellers ta den bort",
        report="unit_reason",
    ),
    Check(
        "unit_summary_row",
        "cell",
        "unit",
        "unit_id IS NULL AND starts_with(unit_reason, 'summary_row:')",
        "«{name}» er et gjennomsnitt eller en median over enhetene i filen, ikke en enhet; ta raden bort "
        "(tavla regner ut helsefellesskapets tall selv)",
        report="unit_reason",
    ),
    Check(
        "unit",
        "cell",
        "unit",
        "unit_id IS NULL AND unit_text IS NOT NULL AND unit_reason IS NULL",
        "«{text}» er ikke en kjent kommune, bydel eller region",
        report="unit_text",
    ),
    Check(
        "indicator",
        "cell",
        "indicator",
        "ind_no IS NULL",
        "{quoted} er ikke en verdi profilen kjenner",
        report="ind_text",
    ),
    # Weeks, half-years and periods across a new year are told as what they are, never read as something
    # else: the board's grains are month, quarter, tertial, year and multi-year periods.
    Check(
        "period_week",
        "cell",
        "period",
        f"period_start IS NULL AND regexp_full_match(lower(trim(period_text)), '{_WEEK}')",
        "{quoted} er en uke; tavla tar ikke ukestall (summer ukene til måneder eller kvartaler, "
        "f.eks. 2025M01 eller 2025K1)",
        report="period_text",
        # every week in the column is one cause, said once with the first as example
        cause="indicator",
        many="periodene er uker (første: {quoted}); tavla tar ikke ukestall (summer ukene til måneder "
        "eller kvartaler, f.eks. 2025M01 eller 2025K1)",
    ),
    Check(
        "period_half_year",
        "cell",
        "period",
        f"period_start IS NULL AND regexp_full_match(lower(trim(period_text)), '{_HALF_YEAR}')",
        "{quoted} er et halvår; tavla tar ikke halvårstall (bruk måneder, kvartaler eller år, "
        "f.eks. 2024M01, 2024K1 eller 2024)",
        report="period_text",
        cause="indicator",
        many="periodene er halvår (første: {quoted}); tavla tar ikke halvårstall (bruk måneder, "
        "kvartaler eller år, f.eks. 2024M01, 2024K1 eller 2024)",
    ),
    Check(
        "period_across_years",
        "cell",
        "period",
        f"period_start IS NULL AND regexp_full_match(trim(period_text), '{_ACROSS_YEARS}')",
        "{quoted} er en periode over et årsskifte (f.eks. et skoleår); tavla regner i kalenderår og kan "
        "ikke dele den (bruk kalenderår, f.eks. 2024, eller en flerårsperiode som 2023-2024)",
        report="period_text",
    ),
    Check(
        "period",
        "cell",
        "period",
        # coalesce: an empty period (NULL text) is this check's too
        f"period_start IS NULL AND NOT coalesce(regexp_full_match(lower(trim(period_text)), '{_WEEK}') "
        f"OR regexp_full_match(lower(trim(period_text)), '{_HALF_YEAR}') "
        f"OR regexp_full_match(trim(period_text), '{_ACROSS_YEARS}'), false)",
        "{quoted} er ikke en gyldig periode "
        "(bruk f.eks. 2024, 2024K1, 2024M01, 2024-01, jan 2024 eller 01.01.2024)",
        report="period_text",
    ),
    Check(
        "future",
        "cell",
        "period",
        "period_start > $today AND NOT projection",
        "perioden {period} er fram i tid",
        dated=True,
    ),
    Check(
        "number",
        "cell",
        NUMBERS,
        "({text} IS NOT NULL AND {number} IS NULL AND NOT stage_marker({text}, $markers)) "
        "OR NOT isfinite({number})",
        "{quoted} er ikke et tall",
        report="coalesce({text}, {number}::VARCHAR)",
    ),
    Check(
        "negative",
        "cell",
        NUMBERS,
        f"{{number}} < 0 AND kind IN {NON_NEGATIVE}",
        "«{number}» er negativt; antall og andeler kan ikke være negative",
        report="{number}::VARCHAR",
    ),
    # A share is a percentage of its denominator: above 100 % it is a file error (a count in the
    # share's column, or a numerator larger than its denominator), never stored.
    Check(
        "share_above_100",
        "cell",
        "value",
        "kind = 'share' AND value > 100 + 1e-9",
        "andelen {n0} % er over 100 %; en andel kan ikke være større enn hele (er det antall i "
        "andelskolonnen, eller er telleren større enn nevneren?)",
        report="value::VARCHAR",
        dated=True,
        cause="indicator",
        many="andeler over 100 % (første: {n0} % for {period}); en andel kan ikke være større enn hele "
        "(er det antall i andelskolonnen, eller er telleren større enn nevneren?)",
    ),
    # A rollout counts municipalities taking part (1 = takes part): a municipality's own row
    # above the kind's unit_max (registry `charts:`) is a file error, e.g. a partnership's sum
    # written on a member's line. Rows of a partnership, a region or a «Sum» are sums: not bound.
    Check(
        "unit_max",
        "cell",
        "value",
        "above_unit_max",
        "«{n0}» er mer enn {n1}: «{indicator}» teller kommuner (1 = kommunen deltar, 0 = ikke), "
        "så én kommunes rad kan ikke være over {n1}",
        report="value::VARCHAR || '|' || unit_max::VARCHAR",
        dated=True,
    ),
    # Keys met more than once: a repeated row with another value, today's code beside an old
    # one (it would count twice), or shares of merged municipalities without their fractions.
    Check(
        "duplicate",
        "key",
        "unit",
        "SELECT c.row_no, c.unit_as_written, c.period_start, c.grain, d.first_row "
        "FROM candidates c JOIN (SELECT key_no, source_code, min(row_no) AS first_row "
        "FROM candidates GROUP BY ALL HAVING count(DISTINCT (value, numerator, denominator)) > 1) d "
        "ON c.key_no = d.key_no AND c.source_code = d.source_code WHERE c.row_no <> d.first_row "
        "AND c.n_days <= 1",
        "«{text}» har en annen verdi for {period} tidligere i filen{also}",
    ),
    # Several days of one month (daily admissions): each date is read as its month, so they
    # would be one month's repeated rows, kept once (a day's count lost) or refused as a clash.
    Check(
        "days",
        "key",
        "period",
        "SELECT row_no, period_as_written, period_start, grain, min(row_no) OVER (PARTITION BY key_no) "
        "FROM candidates WHERE n_days > 1 QUALIFY row_no <> min(row_no) OVER (PARTITION BY key_no)",
        "«{text}» er en dag, og filen har flere dager i {period}{also}; tavla lagrer måneder, ikke "
        "dager (summer dagene til måneder, f.eks. 2024M01)",
        cause="indicator",
        many="filen har tall per dag, flere dager i samme måned (første: «{text}» i {period}); tavla "
        "lagrer måneder, ikke dager (summer dagene til måneder, f.eks. 2024M01)",
    ),
    Check(
        "mixed",
        "key",
        "unit",
        "SELECT row_no, unit_as_written, period_start, grain, "
        "min(row_no) FILTER (WHERE is_current) OVER (PARTITION BY key_no) "
        "FROM candidates WHERE any_current AND n_codes > 1 QUALIFY NOT is_current",
        "«{text}» er en tidligere kode for en kommune som også står med dagens kode for "
        "{period}{also}; det ville telt dobbelt",
    ),
    Check(
        "merge",
        "key",
        "unit",
        "SELECT row_no, unit_as_written, period_start, grain, NULL FROM candidates "
        "WHERE NOT any_current AND n_codes > 1 AND kind IN ('share', 'score') AND NOT all_fractions",
        "«{text}» er slått sammen med andre kommuner; andeler kan bare legges sammen med teller og nevner",
    ),
)

FILE_CHECKS: tuple[Check, ...] = (
    # Old codes are summed into today's unit only when every part of the merger is there.
    Check(
        "merger_partial",
        "file",
        "unit",
        """
        WITH parts AS (
            SELECT c.row_no, c.ind_no, c.unit_id, c.period_start, c.grain, m.merge_group, m.n_parts,
                   m.part_name, m.whole_name, m.all_parts, c.source_code
            FROM cells c JOIN stage_mergers m ON m.source_code = c.source_code
            WHERE c.skip IS NULL AND c.period_start < m.changed AND c.ind_no IS NOT NULL
        ), groups AS (
            SELECT ind_no, unit_id, period_start, grain, merge_group,
                   list_sort(list(DISTINCT part_name)) AS present, any_value(all_parts) AS all_parts,
                   any_value(whole_name) AS whole_name
            FROM parts GROUP BY ALL HAVING count(DISTINCT source_code) < any_value(n_parts)
        )
        SELECT p.row_no, g.whole_name || '|' || array_to_string(g.present, ',') || '|'
                   || array_to_string(list_filter(string_split(g.all_parts, ','),
                                                  lambda x: NOT list_contains(g.present, x)), ','),
               p.period_start, p.grain, NULL
        FROM parts p JOIN groups g USING (ind_no, unit_id, period_start, grain, merge_group)
        """,
        "{t0} {period}: filen har {l1}, mangler {l2}; delene kan bare legges sammen når alle er med",
        when="SELECT count(*) > 0 FROM stage_units u SEMI JOIN stage_mergers m ON m.source_code = u.source_code",
    ),
    # A file's own total row against the sum of its parts in the same file.
    Check(
        "total_sum",
        "file",
        "unit",
        _TOTALS.format(test="NOT any_suppressed AND n_parts = n_members AND abs(t.value - parts_sum) > 0.5"),
        "totalen for {period} er {n0}, men summen av enhetene i filen er {n1}; "
        "de må stemme når ingen celle er skjult",
        when=_ANY_TOTAL,
    ),
    Check(
        "total_less",
        "file",
        "unit",
        _TOTALS.format(test="t.value < parts_sum - 0.5"),
        "totalen for {period} er {n0}, mindre enn summen av enhetene som vises ({n1})",
        when=_ANY_TOTAL,
    ),
    # The same indicator, unit and time at two grains, in this file or in the store: a count's
    # year (or quarter) is the sum of its months (or quarters) when none is suppressed.
    Check(
        "grain_sum",
        "file",
        "value",  # the number that disagrees (the period names itself in the sentence)
        _GRAINS + " SELECT row_no, value::VARCHAR || '|' || fine_grain || '|' || parts_sum::VARCHAR || '|' "
        "|| coalesce(fine_file, $file_name), period_start, grain, NULL FROM conflicts WHERE row_no IS NOT NULL",
        "{period} er {n0} her, men summen av {g1} for samme periode er {n2} i «{t3}»; "
        "tallene må stemme når ingen celle er skjult",
        when=_TWO_GRAINS,
        cause="t3,g1",
        many="tallene her er ikke summen av {g1} for samme periode i «{t3}» (første: {period} er {n0} "
        "her, summen {n2} der); tallene må stemme når ingen celle er skjult",
    ),
    Check(
        "grain_part",
        "file",
        "value",
        _GRAINS + " SELECT first_fine_row, value::VARCHAR || '|' || fine_grain || '|' || parts_sum::VARCHAR "
        "|| '|' || file_name, period_start, grain, NULL FROM conflicts WHERE row_no IS NULL",
        "summen av {g1} for {period} er {n2} her, men «{t3}» har {n0} for hele perioden; "
        "tallene må stemme når ingen celle er skjult",
        when=_TWO_GRAINS,
        cause="t3,g1",
        many="summen av {g1} her stemmer ikke med tallene for hele perioden i «{t3}» (første: {period} "
        "har {n2} her, {n0} der); tallene må stemme når ingen celle er skjult",
    ),
)
CHECKS = CHECKS + FILE_CHECKS

BY_CODE = {check.code: check for check in CHECKS}


def cell_checks(numbers: dict[str, tuple[str, str]]) -> list[tuple[Check, str, str, str]]:
    """(check, role, condition, reported text) for every cell check, numbers expanded per column.

    `numbers`: role → (text column, number column) in stage_suspect for the number columns
    the file has, e.g. {"value": ("value_text", "value")}.
    """
    out = []
    for check in CHECKS:
        if check.kind != "cell":
            continue
        if check.column != NUMBERS:
            out.append((check, check.column, check.sql, check.report))
            continue
        for role, (text, number) in numbers.items():
            fill = {"text": text, "number": number}
            out.append((check, role, check.sql.format(**fill), check.report.format(**fill)))
    return out


def key_checks() -> list[Check]:
    return [check for check in CHECKS if check.kind == "key"]


def file_checks() -> list[Check]:
    return [check for check in CHECKS if check.kind == "file"]
