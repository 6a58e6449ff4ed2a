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
- "key": a SELECT over TEMP candidates (every cell whose key, indicator × unit today × period,
  is met more than once), returning row_no, text, period_start, grain, other_row.

Template fields: {quoted} (the cell, «quoted», or "en tom celle"), {text}, {name} (the text
after "split:"), {number} (a number the Norwegian way), {period}, {got} and {want} (grain
words), {indicator} (the indicator's name), {also} (" (linje N)" for the row it clashes with).
The SQL uses only named parameters ($today, $markers); nothing in it comes from a file.
"""

from __future__ import annotations

from dataclasses import dataclass

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


NUMBERS = "numbers"  # column role: value, numerator and denominator, each in turn

CHECKS: tuple[Check, ...] = (
    Check(
        "unit_missing",
        "cell",
        "unit",
        "unit_id IS NULL AND unit_text IS NULL",
        "kommune/enhet mangler",
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
    Check(
        "period",
        "cell",
        "period",
        "period_start IS NULL",
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
        "grain",
        "cell",
        "period",
        "grain <> want_grain",
        "perioden {period} er oppgitt per {got}, men «{indicator}» registreres per {want}",
        report="want_grain",
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
    # Keys met more than once: a repeated row with another value, today's code beside an old
    # one (it would count twice), or shares of merged municipalities without their fractions.
    Check(
        "duplicate",
        "key",
        "unit",
        "SELECT c.row_no, c.unit_as_written, c.period_start, c.grain, d.first_row "
        "FROM candidates c JOIN (SELECT key_no, source_code, min(row_no) AS first_row "
        "FROM candidates GROUP BY ALL HAVING count(DISTINCT (value, numerator, denominator)) > 1) d "
        "ON c.key_no = d.key_no AND c.source_code = d.source_code WHERE c.row_no <> d.first_row",
        "«{text}» har en annen verdi for {period} tidligere i filen{also}",
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
