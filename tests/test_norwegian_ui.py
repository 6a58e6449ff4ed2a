"""Issue 14, «Norwegian throughout»: every page, as an analyst on the demo store, sets a
Norwegian placeholder on every choice widget Streamlit lets us label, and shows no raw value
(«None», «nan», «NaT») or raw id (snake_case) in a table. Streamlit's own words that cannot be
changed are listed in the README («Ord vi ikke kan endre»)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support import dashboard_pages

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = re.compile(r"\b(choose|select|option|options|none|search)\b", re.IGNORECASE)
RAW_CELL = {"None", "nan", "NaN", "NaT", "<NA>", "null"}
RAW_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
PAGES = [row[0] for row in dashboard_pages()]


@pytest.fixture(scope="module")
def runs(demo_db: Path) -> dict[str, AppTest]:
    """Each page run once as the local analyst (no password configured)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("BOARD_DB", str(demo_db))
    mp.delenv("BOARD_ANALYST_PASSWORD", raising=False)
    mp.chdir(ROOT)
    out = {}
    try:
        for page in PAGES:
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
            at.run()
            at.switch_page(page)
            at.run()
            out[page] = at
    finally:
        mp.undo()
    return out


@pytest.mark.parametrize("page", PAGES)
def test_choice_widgets_have_norwegian_placeholders(runs, page):
    at = runs[page]
    assert not at.exception, page
    bad = []
    for kind in ("selectbox", "multiselect"):
        for widget in getattr(at, kind):
            placeholder = widget.proto.placeholder
            if not placeholder or ENGLISH.search(placeholder):
                bad.append(f"{kind} «{widget.label}»: {placeholder!r}")
    assert not bad, f"{page}: {bad}"


@pytest.mark.parametrize("page", PAGES)
def test_tables_show_no_raw_values_or_ids(runs, page):
    at = runs[page]
    bad = []
    for frame in [*at.dataframe, *at.table]:
        value = frame.value
        bad += [f"kolonne «{c}»" for c in value.columns if RAW_ID.match(str(c))]
        cells = value.astype(str).to_numpy().ravel().tolist()
        bad += sorted({f"celle «{c}»" for c in cells if c in RAW_CELL or RAW_ID.match(c)})
    assert not bad, f"{page}: {bad[:10]}"


def test_the_checks_catch_english_and_raw_values():
    assert ENGLISH.search("Choose options") and ENGLISH.search("Select...")
    assert not ENGLISH.search("Velg") and not ENGLISH.search("Alle")
    assert RAW_ID.match("hip_fractures") and not RAW_ID.match("Hoftebrudd")
    assert "None" in RAW_CELL


def _choice_calls_without_placeholder(source: str) -> list[int]:
    import ast

    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("selectbox", "multiselect")
        and not any(k.arg in ("placeholder", None) for k in node.keywords)
    ]


def test_every_choice_widget_in_the_source_sets_a_placeholder():
    """Also the widgets the demo run does not reach (after an upload, in an open form)."""
    files = [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "dashboard.py"]
    missing = {
        str(f.relative_to(ROOT)): lines
        for f in files
        if (lines := _choice_calls_without_placeholder(f.read_text(encoding="utf-8")))
    }
    assert not missing, missing
    assert _choice_calls_without_placeholder('st.selectbox("Ark", ["a"])') == [1]
