"""Last opp data, run as an analyst uses it (AppTest): upload, preview and guesses, a correction,
confirm and summary; a refused file; who may reach the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import open_store
from tests.conftest import CORPUS, ROOT, new_store

UPLOAD = "pages/upload.py"


@pytest.fixture()
def board_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo store: uploads here never touch the shared one."""
    db = new_store(tmp_path, "board", like=demo_db)
    monkeypatch.setenv("BOARD_DB", str(db))
    monkeypatch.delenv("BOARD_ANALYST_PASSWORD", raising=False)
    monkeypatch.chdir(ROOT)
    return db


def open_upload(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(UPLOAD)
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, indicator: str | None = None) -> AppTest:
    if indicator:
        at.selectbox(key="upload_indicator").set_value(indicator).run()
    at.file_uploader(key="upload_file").set_value((name, (CORPUS / name).read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def plain(text: str) -> str:
    """Markdown as a person reads it (common.safe_md escapes file text with backslashes)."""
    return text.replace("\\", "")


def uploads(db: Path):
    store = open_store(db)
    try:
        return store.uploads()
    finally:
        store.close()


def test_upload_preview_confirm_and_summary(board_db):
    at = open_upload()
    assert at.title[0].value == "Last opp data"
    assert any("kjører lokalt" in c.value for c in at.caption)  # local mode says so
    upload(at, "g01_npr_cp1252_semikolon.csv", "fall_injury_admissions")
    # the reader's guesses, each a widget the analyst can change
    assert at.selectbox(key=[s.key for s in at.selectbox if s.label == "Tegnsett"][0]).value == "cp1252"
    assert at.selectbox(key=[s.key for s in at.selectbox if s.label == "Skilletegn"][0]).value == ";"
    assert at.number_input[0].value == 2  # the header line, under the title line
    roles = {s.label: s.value for s in at.selectbox}
    assert (roles["Enhet"], roles["Periode"], roles["Verdi"]) == ("Kommune", "Periode", "Antall")
    # the first rows as read (æøå right) and as they will be stored
    head, parsed = at.dataframe[0].value, at.dataframe[1].value
    assert "3222 Lørenskog" in head["Kommune"].tolist()
    assert parsed["Periode"].tolist()[:2] == ["2024M01", "2024M02"]
    assert [s.value for s in at.success] == ["Filen er klar: 9 verdier kan lastes inn."]
    before = len(uploads(board_db))
    at.button(key=[b.key for b in at.button if b.label == "Last inn"][0]).click().run()
    assert not at.exception
    summary = [s.value for s in at.success]
    assert len(summary) == 1 and summary[0].startswith("Opplasting ") and "9 rader lest" in summary[0]
    # the upload just made is not told as «lastet inn før» beside its own success
    assert not [i for i in at.info if "er lastet inn før" in i.value]
    assert not [b for b in at.button if b.label == "Last inn"]
    log = uploads(board_db)
    assert len(log) == before + 1
    assert (log.iloc[0]["file_name"], log.iloc[0]["loaded_by"]) == ("g01_npr_cp1252_semikolon.csv", "lokal")


def test_a_refused_file_lists_its_problems_and_cannot_be_loaded(board_db):
    before = len(uploads(board_db))
    at = upload(open_upload(indikator="hip_fractures"), "b03_tolv.csv")
    errors = [plain(e.value) for e in at.error]
    assert errors == [
        "Filen «b03_tolv.csv» kan ikke lastes inn slik den er: 1 problem. Rett filen og last den opp igjen."
    ]
    listed = plain("\n".join(m.value for m in at.markdown))
    assert "Linje 14, kolonne «Antall»: «tolv» er ikke et tall (fil «b03_tolv.csv»)" in listed
    assert not [b for b in at.button if b.label == "Last inn"]
    assert at.get("download_button")  # the problem list, for the spreadsheet
    at = upload(at, "b08_bilde.png")
    assert [plain(e.value) for e in at.error] == [
        "Filen «b08_bilde.png» er et bilde eller en PDF, ikke en tabell; last opp en CSV- eller Excel-fil."
    ]
    assert len(uploads(board_db)) == before


def test_a_wrong_guess_is_corrected_on_the_page(board_db):
    at = upload(open_upload(indikator="fall_injury_admissions"), "g27_profil_npr_fallskade.csv")
    assert "mangler en kolonne for periode" in plain(at.error[0].value)
    period = next(s for s in at.selectbox if s.label == "Periode")
    period.set_value("Utskrivingsmåned").run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Filen er klar: 2 verdier kan lastes inn."]


def test_the_same_file_twice_says_so(board_db):
    at = upload(open_upload(indikator="hip_fractures"), "g23_oslo_bydeler.csv")
    at.button(key=[b.key for b in at.button if b.label == "Last inn"][0]).click().run()
    at = upload(open_upload(indikator="hip_fractures"), "g23_oslo_bydeler.csv")
    assert any("er lastet inn før" in i.value for i in at.info)
    assert not [b for b in at.button if b.label == "Last inn"]


def test_leaders_do_not_see_the_page_and_analysts_do_after_login(board_db, monkeypatch):
    monkeypatch.setenv("BOARD_ANALYST_PASSWORD", "hemmelig")
    leader = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    leader.run()
    with pytest.raises(ValueError, match="Known pages") as refused:
        leader.switch_page(UPLOAD)
    assert "upload.py" not in str(refused.value).split("Known pages")[1]
    analyst = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    analyst.run()
    analyst.text_input(key="analyst_name_input").set_value("Kari")
    analyst.text_input(key="analyst_password_input").set_value("hemmelig")
    analyst.button(key="analyst_login").click().run()
    analyst.switch_page(UPLOAD)
    analyst.run()
    assert analyst.title[0].value == "Last opp data" and not analyst.error
    # the page locks itself too, should it ever be reached without the role
    direct = AppTest.from_file(str(ROOT / UPLOAD), default_timeout=120)
    direct.run()
    assert [e.value for e in direct.error] == [
        "Bare analytikere kan laste opp data. Logg inn som analytiker i sidepanelet."
    ]
    assert not direct.file_uploader


def test_the_copy_of_an_upload_goes_when_the_analyst_moves_on(board_db):
    at = upload(open_upload(indikator="hip_fractures"), "b03_tolv.csv")
    first = Path(at.session_state["upload_saved"][1])
    assert first.read_bytes() == (CORPUS / "b03_tolv.csv").read_bytes()
    at = upload(at, "g23_oslo_bydeler.csv")
    second = Path(at.session_state["upload_saved"][1])
    assert second.exists() and not first.parent.exists()  # another file: the first copy is gone
    at.file_uploader(key="upload_file").set_value(None).run()
    assert not at.exception
    assert not second.parent.exists()  # no file: nothing left on disk
    assert "upload_saved" not in at.session_state


def test_missing_zero_is_a_checkbox_for_counts_and_its_rows_are_told_and_logged(board_db, tmp_path):
    """«Rader som mangler er 0»: offered for a count of events (not for a share); with it the
    preview and the summary say how many absent rows become 0, and the upload log records it."""
    from tests.test_missing_zero import _extract

    at = open_upload(indikator="stemi_pci_120")
    assert not [c for c in at.checkbox if c.key == "upload_missing_zero"]
    at.selectbox(key="upload_indicator").set_value("hip_fractures").run()
    box = at.checkbox(key="upload_missing_zero")
    assert box.label == "Rader som mangler er 0" and not box.value
    assert any("lagres hver kommune × periode" in c.value for c in at.caption)
    data = _extract(tmp_path).read_bytes()
    at.file_uploader(key="upload_file").set_value(("npr_uten_nuller.csv", data, "text/csv")).run()
    assert [s.value for s in at.success] == ["Filen er klar: 34 verdier kan lastes inn."]
    at.checkbox(key="upload_missing_zero").check().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Filen er klar: 36 verdier kan lastes inn."]
    assert any("2 rader fylt inn som 0 (valgt ved opplasting)" in c.value for c in at.caption)
    at.button(key=[b.key for b in at.button if b.label == "Last inn"][0]).click().run()
    assert not at.exception, at.exception
    summary = [plain(s.value) for s in at.success]
    assert len(summary) == 1 and "2 rader fylt inn som 0 (valgt ved opplasting)" in summary[0]
    row = uploads(board_db).iloc[0]
    assert row["file_name"] == "npr_uten_nuller.csv"
    assert bool(row["missing_zero"]) and int(row["rows_zero_filled"]) == 2
