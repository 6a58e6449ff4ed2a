"""Tables fit the screen in chromium: at 1280×720 (a laptop) and 390×844 (a phone) the Status
column of Oversikt's summary is on screen without scrolling sideways, and a cell of «Hvor står
vi?» opens Indikator for that municipality. Screenshots go to tests/artifacts/ (not committed)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser_support import ARTIFACTS, TIMEOUT

SIZES = [(1280, 720), (390, 844)]


def _open(browser, url: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    return context, page


def _visible_without_scrolling(page, selector: str) -> None:
    """Every matching element lies inside the viewport's width, and nothing scrolls sideways."""
    width = page.evaluate("window.innerWidth")
    boxes = page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.width]; })",
    )
    assert boxes, selector
    for left, right, size in boxes:
        assert size > 0 and left >= 0 and right <= width + 0.5, (selector, left, right, width)
    # No sideways scrolling: neither the page nor the table's own wrapper.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    wrappers = page.eval_on_selector_all(".bt-wrap", "els => els.map(e => [e.scrollWidth, e.clientWidth])")
    assert all(scroll <= client for scroll, client in wrappers)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_oversikt_status_column_is_visible_without_scrolling(browser, board_url, width, height):
    context, page = _open(browser, f"{board_url}/?hf=ahus", width, height)
    page.locator("#icon-summary").wait_for()
    status_cells = '#icon-summary td[data-label="Status"]'
    _visible_without_scrolling(page, status_cells)
    first = page.locator(status_cells).first
    assert first.inner_text().split(" ", 1)[1] in {
        "Oppnådd",
        "På sporet",
        "Usikker",
        "Ikke på sporet",
        "Forsinket",
    }
    if width < 640:  # a phone: each row is a card whose cells name their column
        label = page.eval_on_selector(status_cells, "e => getComputedStyle(e, '::before').content")
        assert "Status" in label
        assert page.eval_on_selector("#icon-summary thead", "e => getComputedStyle(e).display") == "none"
    # The status tiles' words are whole («Ikke på sporet», not «Ikke på sp…»).
    cut = page.eval_on_selector_all(
        '[data-testid="stMetricLabel"] *',
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)",
    )
    assert not cut, cut
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-oversikt-{width}.png"))
    context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_matrix_cell_opens_indicator_for_the_municipality(browser, board_url, width, height):
    context, page = _open(browser, f"{board_url}/hvor-star-vi?hf=ahus", width, height)
    # The first visit after new data asks before judging every municipality (about 20 s on the
    # demo store, longer on a busy machine); later visits come from the cache.
    start = page.get_by_role("button", name="Vurder alle kommuner")
    page.locator("#status-matrix").or_(start).first.wait_for()
    if start.count():
        start.click()
    page.locator("#status-matrix").wait_for(timeout=4 * TIMEOUT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-matrix-{width}.png"))
    pads = page.eval_on_selector_all(
        "#status-matrix td.bt-colour", "els => els.map(e => parseFloat(getComputedStyle(e).paddingLeft))"
    )
    assert pads and min(pads) >= 6  # the 4 px status bar never covers a cell's first digit (a phone's card)
    link = page.locator('#status-matrix a[href*="indikator=hip_fractures"]').first
    query = {k: v[0] for k, v in parse_qs(urlparse(link.get_attribute("href")).query).items()}
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_url("**/indikator?**")
    page.get_by_role("heading", name="Antall hoftebrudd").first.wait_for()
    assert "indikator=hip_fractures" in page.url and f"kommune={query['kommune']}" in page.url
    context.close()
