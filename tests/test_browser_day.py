"""A leader's and an analyst's day, end to end in Debian's chromium against the real server.

Leader: Oversikt → a measure in Handlingsplan → an indicator opened from a shared URL → its
chart as a PNG → the upload page by URL (not there for a leader). Analyst: sign in, see the
catalogue, upload a good file and see the number change, upload a bad file and read the
message, undo. A screenshot of each step goes to tests/artifacts/ (not committed).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser_support import ANALYST_PASSWORD, ARTIFACTS, TIMEOUT

# An indicator the demo has no Ahus data for, so one small file changes a visible count.
NEW_INDICATOR = "cancer_pathway_municipalities"
NEW_NAME = "Antall kommuner som har implementert pakkeforløp hjem"


def shot(page, name: str) -> None:
    settle(page)  # a page that is still running shows old elements next to new ones
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dag-{name}.png"), full_page=True)


def settle(page) -> None:
    """Wait until Streamlit has finished the current run (no 'Running…' status)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")


def sidebar_page(page, title: str) -> None:
    """Go to a page by its link in the sidebar (keeps the session, and with it the sign-in)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    settle(page)


def choose(page, label: str, typed: str) -> None:
    """Pick an option in a Streamlit selectbox (a combobox): type to filter, take the first match."""
    box = page.get_by_role("combobox", name=label).first
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=re.compile(re.escape(typed))).first.click()
    settle(page)


def sign_in(page) -> None:
    """The analyst signs in with the shared password in the sidebar.

    Streamlit drops the first widget event after a page load when dashboard.py creates widgets
    before st.navigation (reported to the lead; calling st.navigation first fixes it), so a
    second attempt is allowed, as a person would simply try again.
    """
    side = page.locator('section[data-testid="stSidebar"]')
    for _attempt in range(2):
        if not side.get_by_role("textbox", name="Navn").is_visible():
            side.get_by_text("Analytiker? Logg inn").click()
        side.get_by_role("textbox", name="Navn").fill("Kari Analytiker")
        side.get_by_role("textbox", name="Passord").fill(ANALYST_PASSWORD)
        side.get_by_role("button", name="Logg inn").click()
        try:
            side.get_by_text("Innlogget som analytiker").wait_for(timeout=15_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("could not sign in as analyst")


def metric(page, label: str) -> str:
    item = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return item.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_a_leaders_day(page, board_url, demo_board):
    plan = demo_board.plan("ahus")
    page.goto(f"{board_url}/?hf=ahus")
    page.get_by_role("heading", name=plan.partnership.name).wait_for()
    page.get_by_text("Tiltak etter status").wait_for()
    shot(page, "01-leder-oversikt")

    sidebar_page(page, "Handlingsplan")
    measure = plan.leaf_measures[0]
    expander = page.locator('[data-testid="stExpander"]').filter(has_text=measure.text[:40]).first
    expander.locator("summary").click()
    expander.locator('[data-testid="stDataFrame"]').wait_for()  # the measure's criteria
    shot(page, "02-leder-tiltak")

    # A colleague sent a link to one indicator for one municipality.
    page.goto(f"{board_url}/indikator?hf=ahus&indikator=hip_fractures&kommune=3205")
    page.get_by_role("heading", name="Antall hoftebrudd").wait_for()
    settle(page)
    assert "indikator=hip_fractures" in page.url and "kommune=3205" in page.url
    page.get_by_text("Lillestrøm").first.wait_for()
    shot(page, "03-leder-delt-indikator")

    button = page.get_by_role("button", name="Last ned som bilde (PNG)").first
    with page.expect_download(timeout=TIMEOUT) as download:
        button.click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(data)).size[0] >= 1600
    (ARTIFACTS / "dag-04-leder-figur.png").write_bytes(data)

    # The upload page is not registered for a leader: the URL leads to the main page.
    page.goto(f"{board_url}/last-opp?hf=ahus")
    page.get_by_text("Page not found").wait_for()
    page.get_by_role("heading", name=plan.partnership.name).wait_for()
    assert page.locator('input[type="file"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Last opp data").count() == 0
    shot(page, "05-leder-ingen-opplasting")


def good_file(directory: Path) -> Path:
    rows = "".join(f"3205 Lillestrøm;2024K{q};1\n" for q in range(1, 5))
    path = directory / "pakkeforlop_lillestrom.csv"
    path.write_text("Kommune;Periode;Antall\n" + rows, encoding="utf-8")
    return path


def bad_file(directory: Path) -> Path:
    path = directory / "pakkeforlop_feil.csv"
    path.write_text(
        "Kommune;Periode;Antall\nAtlantis;2024K1;1\n3205 Lillestrøm;2024K2;mange\n", encoding="utf-8"
    )
    return path


def upload(page, path: Path) -> None:
    sidebar_page(page, "Last opp data")
    page.get_by_role("heading", name="Last opp data").wait_for()
    choose(page, "Indikator", NEW_INDICATOR)
    page.locator('input[type="file"]').set_input_files(str(path))
    settle(page)


def test_an_analysts_day(page, board_url, tmp_path):
    page.goto(f"{board_url}/?hf=ahus")
    page.get_by_text("Tiltak etter status").wait_for()
    settle(page)
    sign_in(page)
    settle(page)
    shot(page, "06-analytiker-innlogget")

    sidebar_page(page, "Datakatalog")
    page.get_by_role("heading", name="Datakatalog").wait_for()
    before = metric(page, "Indikatorer med data")
    shown, total = (int(n) for n in re.findall(r"\d+", before))
    shot(page, "07-analytiker-katalog-for")

    upload(page, good_file(tmp_path))
    page.get_by_text("Filen er klar: 4 verdier kan lastes inn.").wait_for()
    shot(page, "08-analytiker-god-fil")
    page.get_by_role("button", name="Last inn", exact=True).click()
    page.get_by_text("4 nye").first.wait_for()
    shot(page, "09-analytiker-lastet-inn")

    sidebar_page(page, "Datakatalog")
    page.get_by_role("heading", name="Datakatalog").wait_for()
    settle(page)
    assert metric(page, "Indikatorer med data") == f"{shown + 1} av {total}"  # at once, not cached
    shot(page, "10-analytiker-katalog-etter")

    upload(page, bad_file(tmp_path))
    page.get_by_text("kan ikke lastes inn slik den er").wait_for()
    page.get_by_text("Atlantis").filter(visible=True).first.wait_for()  # not the grid's hidden cells
    assert page.get_by_role("button", name="Last inn", exact=True).count() == 0
    shot(page, "11-analytiker-feil-fil")

    sidebar_page(page, "Datakatalog")
    page.get_by_text("Angre en opplasting").wait_for()
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for()  # the upload log
    assert "pakkeforlop_lillestrom.csv" in page.get_by_role("combobox", name="Opplasting").input_value()
    page.get_by_text(re.compile(r"^Ja, angre opplasting \d+$")).click()
    settle(page)
    page.get_by_role("button", name="Angre opplastingen").click()
    page.get_by_text(re.compile(r"Opplasting \d+ er angret: 4 verdier")).wait_for()
    settle(page)
    assert metric(page, "Indikatorer med data") == before
    shot(page, "12-analytiker-angret")
