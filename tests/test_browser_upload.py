"""End to end in chromium: an analyst uploads a file through the file chooser, sees the preview,
confirms and reads the summary; the store has the upload. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

from analytics.store import open_store
from tests.browser_support import ARTIFACTS, TIMEOUT, launch_browser, start_server
from tests.conftest import CORPUS, new_store


def test_an_upload_through_the_browser(demo_db: Path, tmp_path: Path):
    db = new_store(tmp_path, "board", like=demo_db)
    before = open_store(db)
    uploads_before = len(before.uploads())
    before.close()
    # No login configured: on localhost the analyst pages are open (and say so).
    with start_server(db, {"BOARD_ANALYST_PASSWORD": ""}) as url, launch_browser() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="nb-NO")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(f"{url}/last-opp?indikator=fall_injury_admissions")  # a fresh server's first visit
        page.get_by_role("heading", name="Last opp data").wait_for()
        page.locator("input[type='file']").set_input_files(str(CORPUS / "g01_npr_cp1252_semikolon.csv"))
        page.get_by_text("Filen er klar: 9 verdier kan lastes inn.").wait_for()
        page.get_by_text("windows-1252", exact=False).first.wait_for()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "upload-preview.png"), full_page=True)
        page.get_by_role("button", name="Last inn").click()
        page.get_by_text("9 rader lest", exact=False).wait_for()
        # the run after the load is done: the button is gone, the file is known
        page.get_by_role("button", name="Last inn").wait_for(state="detached")
        page.get_by_text("er lastet inn før", exact=False).first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "upload-done.png"), full_page=True)
        context.close()
    after = open_store(db)
    try:
        log = after.uploads()
        assert len(log) == uploads_before + 1
        assert log.iloc[0]["file_name"] == "g01_npr_cp1252_semikolon.csv"
        assert int(log.iloc[0]["rows_in"]) == 9
    finally:
        after.close()
