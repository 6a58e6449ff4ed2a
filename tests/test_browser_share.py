"""End to end in chromium: a shared URL opens the same view, a chart downloads as a PNG, and
presentation mode hides the sidebar. Screenshots go to tests/artifacts/ (not committed)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from analytics.evaluate import evaluate_plan
from analytics.status import Status
from tests.browser_support import ANALYST_PASSWORD, ARTIFACTS, TIMEOUT, start_server
from tests.conftest import new_store


def test_a_new_servers_first_visitor_lands_on_the_shared_page(browser, demo_db, tmp_path):
    """The first run of a fresh server, on a deep link: the page itself, no "Page not found", and
    Streamlit's file-name pages (/upload, /common from the pages/ folder) do not exist."""
    copy = new_store(tmp_path, "board", like=demo_db)
    with start_server(copy, {"BOARD_ANALYST_PASSWORD": ANALYST_PASSWORD}) as url:
        context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="nb-NO")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(f"{url}/indikator?indikator=hip_fractures")
        page.get_by_role("heading", name="Antall hoftebrudd").first.wait_for()
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Oversikt").wait_for()
        page.wait_for_timeout(1500)  # the dialog, if any, comes with the first run's messages
        assert page.get_by_text("Page not found").count() == 0
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text("common").count() == 0 and nav.get_by_text("upload").count() == 0
        for path in ("/upload", "/common"):
            fresh = context.new_page()
            fresh.set_default_timeout(TIMEOUT)
            fresh.goto(f"{url}{path}")
            fresh.get_by_text("Page not found").wait_for()  # ours: no such page, Oversikt instead
            fresh.locator('[data-testid="stSidebarNav"]').get_by_text("Oversikt").wait_for()
            assert fresh.locator('input[type="file"]').count() == 0
            fresh.close()
        context.close()


def test_a_shared_plan_url_opens_the_same_filtered_view(page, board_url, demo_board):
    plan = demo_board.plan("ahus")
    status = evaluate_plan(demo_board, "ahus")
    expected = [
        m for m in plan.leaf_measures if m.target_group == "eldre" and status.measures[m.id] is Status.overdue
    ]
    page.goto(f"{board_url}/handlingsplan?hf=ahus&malgruppe=eldre&status=forsinket")
    page.get_by_text(f"{len(expected)} av {len(plan.leaf_measures)} tiltak").wait_for()
    # The filters show what the URL says, in the plan's words.
    page.get_by_text("Skrøpelige/sårbare eldre").first.wait_for()
    page.get_by_text("Forsinket").first.wait_for()
    for measure in expected:
        assert page.get_by_text(measure.text, exact=False).count() >= 1
    assert "malgruppe=eldre" in page.url and "status=forsinket" in page.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "share-handlingsplan.png"), full_page=True)


def test_a_chart_downloads_as_a_print_png(page, board_url):
    page.goto(f"{board_url}/milepaeler?hf=ahus&malgruppe=eldre")
    page.get_by_role("heading", name="Milepæler").wait_for()
    page.get_by_text("Vurdere relevante NPR-data").first.wait_for()
    assert "malgruppe=eldre" in page.url
    button = page.get_by_role("button", name="Last ned som bilde (PNG)")
    button.wait_for()
    with page.expect_download(timeout=TIMEOUT) as download:
        button.click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.size == (3200, 1800)
    assert image.convert("RGB").getpixel((5, 5)) == (255, 255, 255)
    assert download.value.suggested_filename.endswith(".png")
    (ARTIFACTS / "download-milepaeler.png").write_bytes(data)
    page.screenshot(path=str(ARTIFACTS / "share-milepaeler.png"), full_page=True)


def test_presentation_mode_hides_the_sidebar(page, board_url):
    page.goto(f"{board_url}/?hf=ahus&presentasjon=1")  # Oversikt is the default page, at /
    page.get_by_role("button", name="Avslutt presentasjonsmodus").wait_for()
    sidebar = page.locator('section[data-testid="stSidebar"]')
    sidebar.wait_for(state="hidden")  # the hiding style may land a moment after the button
    assert sidebar.is_hidden()
    page.screenshot(path=str(ARTIFACTS / "presentasjon-oversikt.png"))
    page.get_by_role("button", name="Avslutt presentasjonsmodus").click()
    page.locator('section[data-testid="stSidebar"]').wait_for(state="visible")
    assert "presentasjon" not in page.url
    # and back in from the sidebar button, in the same session
    page.get_by_role("button", name="Presentasjonsmodus").click()
    page.get_by_role("button", name="Avslutt presentasjonsmodus").wait_for()
    page.locator('section[data-testid="stSidebar"]').wait_for(state="hidden")
