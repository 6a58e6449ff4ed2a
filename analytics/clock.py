"""The board's one notion of "today".

Every judgement the board makes (which periods are over, whether a target is still within
reach, which milestones are late, where the demo data end) is made as of a day. That day is
`today()`: the machine's date, unless the operator sets the environment variable
``BOARD_TODAY`` to an ISO date (``BOARD_TODAY=2026-11-30``) to run the board as of that day:
to show a demo as it looked on a given day, to re-create the board as a past meeting saw it,
and (tests/conftest.py) to give the test suite the same verdicts on every day it runs.

Real time stays real: when a file was uploaded, a plan changed or a decision was made
(``uploaded_at``, ``changed_at``, ``decided_at`` …) is recorded with the machine's clock
(``dt.datetime.now()``), never with this day.
"""

from __future__ import annotations

import datetime as dt
import os

ENV = "BOARD_TODAY"


class ClockError(ValueError):
    """BOARD_TODAY is set but is not a date; the message is one Norwegian sentence for the operator."""


def today() -> dt.date:
    """The day the board judges as of: BOARD_TODAY (ISO date, YYYY-MM-DD) when set and not
    empty, else the machine's date (``dt.date.today()``).

    Raises ClockError (a ValueError) with one Norwegian sentence when BOARD_TODAY is set to
    something that is not an ISO date (``30.11.2026``, ``2026-02-30``)."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ClockError(
            f"{ENV} må være en dato på formen ÅÅÅÅ-MM-DD (for eksempel 2026-11-30), ikke «{value}»."
        ) from None


def fixed_day() -> dt.date | None:
    """The day BOARD_TODAY sets, when it is set and is not the machine's date; else None.

    The board says so on every page (dashboard.py), so nobody reads a board run as of another
    day as today's. Raises ClockError as `today` does."""
    day = today()
    return day if os.environ.get(ENV, "").strip() and day != dt.date.today() else None
