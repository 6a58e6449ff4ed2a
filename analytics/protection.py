"""Small-number protection: counts below the threshold never leave the board as numbers.

Primary suppression: a count 0 < n < threshold is shown as "<5" (threshold from
config.SUPPRESSION_THRESHOLD). Rates built on such a count are hidden too.

Complementary (secondary) suppression: where a line of parts sums to a shown total, a single
hidden part could be recovered by subtraction (total − the shown parts). So in every line with
a total, the next smallest shown part is hidden as well, until the hidden cells of the line are
at least two and together at least the threshold. Secondary cells are shown as ":" (Statistics
Norway's symbol for "not shown for confidentiality"), never as "<5", because they are not small.
Every result carries the footnotes that say what was done.

Across views: the tables here protect one table at a time. The counts of an indicator are
protected once over the whole hierarchy (months → quarter → year, municipalities → partnership,
the funnel's window), so that no combination of views reachable by changing a filter gives a
hidden count away: analytics/hierarchy.py holds that rule (a cube of every cell the board can
show, lines of totals and parts, complementary hiding until no line can be solved, windows
hidden with the periods in them, and SPC lines drawn without hidden points), and
tests/test_protection_search.py proves it by search.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics import config, formatting

SECONDARY = ":"
TOTAL = object()  # marker: hide the line's total


def threshold() -> int:
    """The configured limit, read at call time so tests and env changes take effect."""
    return config.SUPPRESSION_THRESHOLD


def small_label(limit: int | None = None) -> str:
    return f"<{threshold() if limit is None else limit}"


def fewer_than(limit: int | None = None) -> str:
    """«færre enn 5»: a hidden small count in a sentence (a status reason, a power statement).

    The one place this wording is built (series.figure_shown, power.check_share and the
    Indikator notes call it); a table cell writes ``small_label`` («<5») instead.
    """
    return f"færre enn {threshold() if limit is None else limit}"


def statistic_text(words: str, number: str | None, *rests_on_hidden: bool) -> str:
    """A statistic printed beside figures: «words (number)», or the words alone when a figure
    it rests on is hidden.

    ``words``: what is said whatever the figures (a verdict such as «ingen statistisk sikker
    endring mot grunnlinjen», or the shown figure an interval belongs to); ``number``: the
    statistic computed from the figures (a p-value «p = 0,553», an interval «95 % KI 9,9 til
    17,6», a change), None when there is none; ``rests_on_hidden``: one flag per figure the
    number is computed from (True: that figure is shown as «:» or «færre enn 5»).

    Why: a hidden figure is not safe beside a statistic computed from it. With the shown
    12-month rate, the person-years and the p-value of the exact test against the
    baseline, the hidden baseline can be solved for; an interval gives its point back as
    its middle; a per cent change times a shown figure gives the other. So where any figure
    behind the number is hidden the number goes and the words stay; the verdict itself (a
    status) is still given, as it says no more than the words. The same reading of
    complementary suppression as for totals and parts (Heldal & Fosen, SSB Notater 2001/28:
    no published combination may give a suppressed cell back; DESIGN.md §5).
    """
    return figures_or_words(words if number is None else f"{words} ({number})", words, *rests_on_hidden)


def figures_or_words(with_figures: str, words: str, *rests_on_hidden: bool) -> str:
    """A sentence with figures computed from the data (``with_figures``), or the same sentence
    without them (``words``) when any figure it rests on is hidden (one flag per figure).

    The rule of ``statistic_text`` for a sentence whose numbers sit inside it rather than in
    brackets after it: a projection's «I dagens tempo nås 80 i mars 2027, innen fristen …»
    reads «I dagens tempo nås 80 innen fristen …» when a point its trend line was fitted on
    is hidden (the line's slope and intercept with the shown points give the hidden one
    back; Heldal & Fosen, SSB Notater 2001/28; DESIGN.md §5).
    """
    return words if any(rests_on_hidden) else with_figures


def small_parts(
    kind: str,
    numerator: object,
    denominator: object = None,
    limit: int | None = None,
) -> np.ndarray:
    """Which cells of a protected indicator rest on a small count of persons (bool per cell).

    `numerator`, `denominator`: scalars or arrays of counts (NaN: unknown). The rule, one place
    for every view (series.hidden, the judged series, the cube in series._build_cube):

    - count, stock: the value (the numerator) is 1..limit−1;
    - share: the numerator (who got it) or the complement, denominator − numerator (who did
      not), is 1..limit−1. A share is a two-cell table of persons («fikk» / «fikk ikke»), and
      each cell is a count of persons: «0,0 % av 3» tells that three named-by-place patients
      did not get the treatment as plainly as «100,0 % av 3» tells that they did. A
      denominator of 1..limit−1 is always caught (one of its two parts is then small);
    - score (a mean per person): the denominator (the persons averaged) is 1..limit−1, since
      the mean of one or two persons is their own figure.

    Source: primary suppression of every cell of a frequency table of persons below the
    threshold (Heldal & Fosen, «Statistisk konfidensialitet i SSB», SSB Notater 2001/28;
    SSB's symbol «:»; DESIGN.md §5, threshold 5), applied to both cells of the share. The
    board follows this stricter reading rather than a numerator-only rule: the publishers'
    own pages (Helsedirektoratet's kvalitetsindikatorer, FHI's «prikking» in Kommunehelsa)
    could not be retrieved here to quote, and the numerator-only rule the board used before
    let «0,0 %» of 3 patients through, which no reading of «never reveal a small count» allows.
    """
    limit = threshold() if limit is None else limit

    def small(values: object) -> np.ndarray:
        array = np.atleast_1d(np.asarray(values, dtype=float))
        return (array > 0) & (array < limit)

    num, den = np.broadcast_arrays(
        np.atleast_1d(np.asarray(np.nan if numerator is None else numerator, dtype=float)),
        np.atleast_1d(np.asarray(np.nan if denominator is None else denominator, dtype=float)),
    )
    if kind == "score":
        return small(den)
    if kind == "share":
        return small(num) | small(den - num) | small(den)
    return small(num)


def primary_note(limit: int) -> str:
    return f"«<{limit}» betyr færre enn {limit}; så små tall vises ikke av personvernhensyn."


RATE_NOTE = f"Andeler og rater som bygger på et skjult tall vises ikke («{SECONDARY}»)."
SECONDARY_NOTE = f"«{SECONDARY}» er skjult i tillegg, slik at et skjult tall ikke kan regnes ut fra summen."


@dataclass(frozen=True)
class ProtectedTable:
    """`frame`: display text for every cell; `values`: numbers with hidden cells as NaN."""

    frame: pd.DataFrame
    values: pd.DataFrame
    primary: pd.DataFrame  # bool: below the threshold
    secondary: pd.DataFrame  # bool: hidden so that a primary cell cannot be recovered
    footnotes: list[str] = field(default_factory=list)

    @property
    def hidden(self) -> pd.DataFrame:
        return self.primary | self.secondary


def _small(values: pd.DataFrame, limit: int) -> pd.DataFrame:
    return (values > 0) & (values < limit)


def _suppress_line(values: pd.Series, hidden: pd.Series, total: float, limit: int) -> object | None:
    """The label of one more part to hide in a line (parts with a shown total), or None.

    More is hidden while the hidden parts could be worked out: exactly one hidden part, or
    several whose derivable sum (total − shown parts) is itself a small count. Returns
    TOTAL when no shown part is left to hide (then the total itself must go).
    """
    if not hidden.any() or pd.isna(total):
        return None
    shown = values[~hidden].dropna()
    derivable = float(total) - float(shown.sum())
    if hidden.sum() >= 2 and not (0 < derivable < limit):
        return None
    if shown.empty:
        return TOTAL
    # The smallest non-zero part protects best (a hidden zero adds nothing); zero only as last resort.
    candidates = shown[shown > 0] if (shown > 0).any() else shown
    return candidates.sort_values(kind="stable").index[0]


def _sweep_rows(counts: pd.DataFrame, hidden: pd.DataFrame, parts: list, total: object, limit: int) -> bool:
    """Complementary suppression along each row whose total (column `total`) is shown: marks
    `hidden` in place; True when it hid anything."""
    changed = False
    for row in counts.index:
        if hidden.loc[row, total]:
            continue
        extra = _suppress_line(counts.loc[row, parts], hidden.loc[row, parts], counts.loc[row, total], limit)
        if extra is not None:
            hidden.loc[row, total if extra is TOTAL else extra] = changed = True
    return changed


def protect_counts(
    table: pd.DataFrame,
    count_columns: Sequence[str] | None = None,
    rate_columns: Mapping[str, str] | None = None,
    total_row: object | None = None,
    total_column: str | None = None,
    limit: int | None = None,
    decimals: Mapping[str, int] | None = None,
) -> ProtectedTable:
    """Protect a table of counts (rows × columns of persons).

    - `count_columns`: the count columns (default: every numeric column except rates).
    - `rate_columns`: rate column → the count column it is built on; hidden with that count.
    - `total_row` (an index label) / `total_column`: the row/column holding totals of the
      other rows/count columns; lines with a total get complementary suppression.
    Other columns (names, labels) pass through as text.
    """
    limit = threshold() if limit is None else limit
    rate_columns = dict(rate_columns or {})
    decimals = dict(decimals or {})
    if count_columns is None:
        count_columns = [
            c for c in table.columns if pd.api.types.is_numeric_dtype(table[c]) and c not in rate_columns
        ]
    count_columns = list(count_columns)
    counts = table[count_columns].apply(pd.to_numeric, errors="coerce").astype(float)
    primary = _small(counts, limit)
    hidden = primary.copy()
    parts_columns = [c for c in count_columns if c != total_column]
    part_rows = [r for r in counts.index if r != total_row]

    # Repeat rows and columns until nothing changes: hiding a cell in a row may expose a column.
    # Columns are swept as the rows of the transposed table, by the same code.
    changed = True
    while changed:
        changed = False
        if total_column is not None:
            changed |= _sweep_rows(counts, hidden, parts_columns, total_column, limit)
        if total_row is not None:
            flipped = hidden.T.copy()
            if _sweep_rows(counts.T, flipped, part_rows, total_row, limit):
                hidden, changed = flipped.T.copy(), True
    secondary = hidden & ~primary

    frame = table.copy().astype(object)
    values = table.copy()
    for column in count_columns:
        frame[column] = [
            small_label(limit) if p else SECONDARY if s else formatting.number(v, decimals.get(column, 0))
            for v, p, s in zip(counts[column], primary[column], secondary[column], strict=True)
        ]
        values[column] = counts[column].mask(hidden[column])
    rate_hidden = pd.DataFrame(False, index=table.index, columns=list(rate_columns))
    for rate, base in rate_columns.items():
        rate_hidden[rate] = hidden[base]
        rates = pd.to_numeric(table[rate], errors="coerce").astype(float)
        frame[rate] = [
            SECONDARY if h else formatting.number(v, decimals.get(rate, 1))
            for v, h in zip(rates, rate_hidden[rate], strict=True)
        ]
        values[rate] = rates.mask(rate_hidden[rate])
    for column in table.columns:
        if column not in count_columns and column not in rate_columns:
            frame[column] = table[column].map(lambda v: "" if formatting.is_missing(v) else str(v))

    footnotes = []
    if primary.to_numpy().any():
        footnotes.append(primary_note(limit))
    if secondary.to_numpy().any():
        footnotes.append(SECONDARY_NOTE)
    if rate_hidden.to_numpy().any():
        footnotes.append(RATE_NOTE)
    # Both masks cover the same cells (counts and rates), so `hidden` is a plain OR.
    full_secondary = pd.concat([secondary, rate_hidden], axis=1)
    full_primary = primary.reindex(columns=full_secondary.columns, fill_value=False)
    return ProtectedTable(frame, values, full_primary, full_secondary, footnotes)


@dataclass(frozen=True)
class ProtectedSeries:
    """A series ready to draw: hidden values are NaN in `value`, `label` is what to show."""

    frame: pd.DataFrame
    footnotes: list[str]

    @property
    def any_hidden(self) -> bool:
        return bool(self.frame["hidden"].any())


def protect_series(
    series: pd.DataFrame,
    protect: bool,
    kind: str = "count",
    limit: int | None = None,
    decimals: int = 0,
) -> ProtectedSeries:
    """Protect one indicator's series (columns value, optional numerator) before it is drawn.

    For counts and stocks the value itself is the count; for shares and rates the numerator is,
    and a share built on a small numerator is hidden (it would reveal the count).
    """
    limit = threshold() if limit is None else limit
    frame = series.copy()
    value = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    if not protect:
        small = pd.Series(False, index=frame.index)
    elif kind in ("count", "stock") or "numerator" not in frame:
        small = (value > 0) & (value < limit)
    else:
        # The numerator is the count; a small denominator or complement would reveal it too.
        numerator = pd.to_numeric(frame["numerator"], errors="coerce")
        denominator = pd.to_numeric(frame["denominator"], errors="coerce") if "denominator" in frame else None
        small = pd.Series(small_parts("share", numerator, denominator, limit), index=frame.index)
    frame["hidden"] = small.to_numpy()
    frame["value"] = value.mask(small)
    for column in ("numerator", "denominator"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float).mask(small)
    if kind in ("count", "stock"):
        label = [
            small_label(limit) if h else formatting.number(v, decimals)
            for v, h in zip(value, small, strict=True)
        ]
    else:
        label = [
            SECONDARY if h else formatting.number(v, decimals) for v, h in zip(value, small, strict=True)
        ]
    frame["label"] = label
    notes = []
    if small.any():
        notes.append(primary_note(limit) if kind in ("count", "stock") else RATE_NOTE)
    return ProtectedSeries(frame, notes)


# A whole number as the board writes it ("3", "1 578" with a (narrow) no-break space), not part
# of a date (31.12.2025), a decimal (3,5), a time, an id (m02-k1), an ordinal ("3. kvartal")
# or an existing "<5".
_NUMBER = re.compile(
    r"(?<![\w.,:/\-<])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(,\d+)?"
    r"(?!\w|[.:/\-]\d|\.\s+[a-zæøå])"
)


def _whole(match: re.Match[str]) -> int | None:
    if match.group(2):  # a decimal is a rate or a mean, not a count
        return None
    return int(re.sub(r"\D", "", match.group(1)))


def mask_small_numbers(text: str, limit: int | None = None) -> str:
    """Replace stand-alone whole numbers 1..limit-1 in a sentence about a protected count.

    For text written elsewhere (a status reason) that quotes a protected indicator.
    """
    limit = threshold() if limit is None else limit

    def replace(match: re.Match[str]) -> str:
        number = _whole(match)
        return small_label(limit) if number is not None and 0 < number < limit else match.group(0)

    return _NUMBER.sub(replace, text)


def visible_small_counts(texts: Sequence[object], limit: int | None = None) -> list[str]:
    """The texts that show a whole number 1..limit-1 (for tests that scan exports)."""
    limit = threshold() if limit is None else limit
    found = []
    for text in texts:
        for match in _NUMBER.finditer(str(text)):
            number = _whole(match)
            if number is not None and 0 < number < limit:
                found.append(str(text))
                break
    return found


def numeric_small(values: Sequence[float] | np.ndarray, limit: int | None = None) -> list[float]:
    """The values 0 < v < limit in an array (e.g. a chart trace's y)."""
    limit = threshold() if limit is None else limit
    array = pd.to_numeric(pd.Series(list(values)), errors="coerce").astype(float)
    return array[(array > 0) & (array < limit)].tolist()
