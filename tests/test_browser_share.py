"""End to end in chromium: a shared URL opens the same view, a chart downloads as a PNG, and
presentation mode hides the sidebar. Screenshots go to tests/artifacts/ (not committed)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from analytics.evaluate import evaluate_plan
from analytics.status import Status
from tests.browser_support import ARTIFACTS, TIMEOUT


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
    assert page.locator('section[data-testid="stSidebar"]').is_hidden()
    page.screenshot(path=str(ARTIFACTS / "presentasjon-oversikt.png"))
    page.get_by_role("button", name="Avslutt presentasjonsmodus").click()
    page.locator('section[data-testid="stSidebar"]').wait_for(state="visible")
    assert "presentasjon" not in page.url
