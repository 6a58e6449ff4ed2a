"""Norwegian formats and small-count protection for display."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from analytics import formatting

pytestmark = pytest.mark.backend_free


def test_numbers_use_decimal_comma_and_space_thousands():
    assert formatting.number(1234567.89, 1) == "1\u00a0234\u00a0567,9"
    assert formatting.number(12) == "12"
    assert formatting.number(None) == "–"
    assert formatting.percent(87.25) == "87,3\u00a0%"


def test_small_counts_are_shown_as_below_threshold():
    assert formatting.count(3) == "<5"
    assert formatting.count(5) == "5"
    assert formatting.count(0) == "0"
    assert formatting.count(3, protect=False) == "3"
    assert formatting.count(7, threshold=10) == "<10"


def test_dates_and_months_in_norwegian():
    assert formatting.date(dt.date(2025, 12, 31)) == "31.12.2025"
    assert formatting.month_year(dt.date(2026, 3, 1)) == "mars 2026"


def test_numbers_match_babels_own_formatting():
    """formatting.number uses Babel's symbols with Python's grouping; it must read as Babel does."""
    from decimal import ROUND_HALF_UP, Decimal

    from babel.numbers import format_decimal

    rng = random.Random(7)
    values = [rng.uniform(-1e7, 1e7) for _ in range(500)] + [rng.uniform(-2, 2) for _ in range(500)]
    values += [0.0, -0.0, 87.25, 2.5, -0.05, 1e12, 123456789012.5]
    for value in values:
        for decimals in (0, 1, 2):
            rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            assert formatting.number(value, decimals) == format_decimal(
                rounded, format=pattern, locale="nb_NO"
            )


def test_counted_puts_the_noun_in_the_right_number():
    assert formatting.counted(1, "problem", "problemer") == "1 problem"
    assert formatting.counted(0, "rad", "rader") == "0 rader"
    assert formatting.counted(1234, "rad", "rader") == "1\u00a0234 rader"
