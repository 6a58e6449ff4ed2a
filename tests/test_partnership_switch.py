"""Switching partnership in the sidebar: every page shows that partnership's units, never the other's.

Runs every page in dashboard.PAGES that leaders can open (pages added later are picked up),
first opened by URL (?hf=...) and then switched in the same session with the sidebar
switcher, the way a user does it, so a unit left behind in the session shows up here too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analytics.plan import load_plans
from analytics.reference import read_units
from analytics.registry import load_registry
from tests.conftest import visible_text
from tests.support import dashboard_pages

ROOT = Path(__file__).resolve().parent.parent
PARTNERSHIPS = ("ahus", "lovesa")
SWITCHER = "url_hf"  # the sidebar switcher lists both partnerships by design


def registered_pages() -> list[str]:
    """The leader pages of dashboard.PAGES."""
    return [path for path, _title, _icon, _url, analysts_only in dashboard_pages() if not analysts_only]


def names_of(partnership: str) -> dict[str, set[str]]:
    """What identifies a partnership on screen: its names, and its units' names."""
    units = read_units()
    own = units[units["partnership"] == partnership]
    info = load_plans(load_registry().ids(), set(units["unit_id"]))[partnership].partnership
    return {
        "partnership": {info.name, info.short_name, info.hospital},
        "regions": set(own.loc[own["kind"] == "region", "name"]),
        "members": set(own.loc[own["kind"].isin(["municipality", "district"]), "name"]),
    }


NAMES = {p: names_of(p) for p in PARTNERSHIPS}
# A name both partnerships use would prove nothing either way; there is none today.
SHARED = (NAMES["ahus"]["regions"] | NAMES["ahus"]["members"]) & (
    NAMES["lovesa"]["regions"] | NAMES["lovesa"]["members"]
)


def found(names: set[str], text: str) -> set[str]:
    """Names that occur as whole words, case as written (so «Bø» does not match «bør»)."""
    return {n for n in names - SHARED if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)}


def other(partnership: str) -> str:
    return next(p for p in PARTNERSHIPS if p != partnership)


def check(text: str, partnership: str, page: str) -> set[str]:
    """Assert nothing of the other partnership is visible; return the own members shown.

    Only municipalities and districts count as "listing units": region names also occur in
    plan text and in a partnership's own name (Lofoten, Vesterålen, Salten).
    """
    foreign = NAMES[other(partnership)]
    leaked = found(foreign["partnership"] | foreign["regions"] | foreign["members"], text)
    assert not leaked, f"{page} for {partnership} shows the other partnership's {sorted(leaked)}"
    return found(NAMES[partnership]["members"], text)


def test_no_unit_name_is_shared():
    assert not SHARED


@pytest.mark.parametrize("page", registered_pages())
def test_switching_partnership_changes_the_units(app, page):
    shown: dict[str, set[str]] = {}
    for partnership in PARTNERSHIPS:  # opened by URL
        at = app(page, hf=partnership)
        assert not at.exception, f"{page} ({partnership}): {at.exception}"
        assert not at.error, f"{page} ({partnership}): {[e.value for e in at.error]}"  # nothing to check
        shown[partnership] = check(visible_text(at, (SWITCHER,)), partnership, page)
    # Switched in the same session, there and back: nothing may stay behind in the session.
    at = app(page, hf="ahus")
    for partnership in ("lovesa", "ahus"):
        at.selectbox(key=SWITCHER).set_value(partnership).run()
        assert not at.exception, f"{page} after switching to {partnership}: {at.exception}"
        switched = check(visible_text(at, (SWITCHER,)), partnership, page)
        assert bool(switched) == bool(shown[partnership]), f"{page}: the switch changed what is listed"
    # A page that lists units lists its own partnership's, in both partnerships.
    if shown["ahus"] or shown["lovesa"]:
        assert shown["ahus"] and shown["lovesa"], f"{page} lists units for one partnership only: {shown}"


def test_the_check_catches_a_leak_and_ignores_lookalikes():
    with pytest.raises(AssertionError, match="Lillestrøm"):
        check("Hoftebrudd i Lillestrøm og Bodø", "lovesa", "test")
    with pytest.raises(AssertionError, match="Ahus"):
        check("Sammenlignet med Ahus", "lovesa", "test")
    assert check("Vi bør se på Bodø og Bø", "lovesa", "test") == {"Bodø", "Bø"}
    assert check("Nesodden, Ås og Nes", "ahus", "test") == {"Nesodden", "Ås", "Nes"}
    assert check("Vi bør ikke", "ahus", "test") == set()  # «Bø» is LoVeSa's, «bør» is not it
