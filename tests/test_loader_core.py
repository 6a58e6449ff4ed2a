"""The loader's core corpus (tests/corpus_core.py, the «core» block of expected.yaml): each good
file loads through the CLI and through the upload page to its expected export; each bad file
is refused with a message naming its cause, and the store is unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from analytics.store import open_store
from loaders.service import Loader
from tests.conftest import CORPUS, ROOT, new_store, run_cli, store_state

CORE = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["core"]
GOOD, BAD = CORE["good"], CORE["bad"]
UPLOAD = "pages/upload.py"


def _ingest_args(case: dict, db: Path, name: str | None = None) -> list[str]:
    args = ["ingest", str(CORPUS / (name or case["file"])), "--indicator", case["indicator"], "--db", str(db)]
    return [*args, "--partnership", case["partnership"]] if case.get("partnership") else args


def _preload(case: dict, db: Path) -> None:
    if case.get("after"):
        done = run_cli(*_ingest_args(case, db, case["after"]))
        assert done.returncode == 0, done.stderr


def test_the_core_corpus_covers_every_kind():
    assert len(GOOD) + len(BAD) >= 14
    assert all((CORPUS / c["file"]).is_file() for c in GOOD + BAD)


@pytest.mark.parametrize("case", GOOD, ids=[c["file"] for c in GOOD])
def test_good_file_loads_through_the_cli_to_its_export(tmp_path, case):
    db = new_store(tmp_path, "cli")
    done = run_cli(*_ingest_args(case, db))
    assert done.returncode == 0, done.stderr
    for note in case.get("notes", []):
        assert note in done.stdout, done.stdout
    exported = run_cli("export", "--raw", "--indicator", case["indicator"], "--db", str(db))
    assert exported.stdout.splitlines() == case["export"]


@pytest.mark.parametrize("case", BAD, ids=[c["file"] for c in BAD])
def test_bad_file_is_refused_by_the_cli_naming_its_cause_and_nothing_is_written(tmp_path, case):
    db = new_store(tmp_path, "cli")
    _preload(case, db)
    before = run_cli("export", "--db", str(db)).stdout, run_cli("log", "--db", str(db)).stdout
    done = run_cli(*_ingest_args(case, db))
    assert done.returncode == 2 and case["message"] in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert (run_cli("export", "--db", str(db)).stdout, run_cli("log", "--db", str(db)).stdout) == before


# -- the upload page ------------------------------------------------------------------------


@pytest.fixture()
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store with only the reference data (the page syncs it), so the export is the file's."""
    db = new_store(tmp_path, "page")
    monkeypatch.setenv("BOARD_DB", str(db))
    monkeypatch.delenv("BOARD_ANALYST_PASSWORD", raising=False)
    monkeypatch.chdir(ROOT)
    return db


def _page(case: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["hf"] = case.get("partnership", "ahus")
    at.run()
    at.switch_page(UPLOAD)
    at.run()
    at.selectbox(key="upload_indicator").set_value(case["indicator"]).run()
    data = (CORPUS / case["file"]).read_bytes()
    at.file_uploader(key="upload_file").set_value((case["file"], data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def _export(db: Path, indicator: str) -> list[str]:
    import io

    from analytics.board import open_board

    board = open_board(db)
    try:
        out = io.StringIO()
        Loader.for_board(board).export_csv(out, indicator, raw=True)
    finally:
        board.store.close()
    return out.getvalue().splitlines()


def _prepare(case: dict, db: Path) -> None:
    _preload(case, db)
    open_store(db).close()  # a new store gets its schema; an existing one is left as it is


@pytest.mark.parametrize("case", GOOD, ids=[c["file"] for c in GOOD])
def test_good_file_loads_through_the_upload_page(empty_db, case):
    _prepare(case, empty_db)
    at = _page(case)
    parsed = at.dataframe[1].value  # the stored rows: by name, in file order, empty cells empty
    assert "None" not in parsed.astype(str).to_numpy().ravel().tolist()
    assert not any(unit.isdigit() for unit in parsed["Enhet"])  # names, not codes
    captions = " ".join(c.value for c in at.caption)
    for note in case.get("notes", []):
        assert note in captions
    at.button(key=[b.key for b in at.button if b.label == "Last inn"][0]).click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success][0].startswith("Opplasting ")
    assert _export(empty_db, case["indicator"]) == case["export"]


@pytest.mark.parametrize("case", BAD, ids=[c["file"] for c in BAD])
def test_bad_file_is_refused_on_the_upload_page_and_nothing_is_written(empty_db, case):
    _prepare(case, empty_db)
    store = open_store(empty_db)
    before = store_state(store)
    store.close()
    at = _page(case)
    said = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert case["message"] in said, said
    assert not [b for b in at.button if b.label == "Last inn"]
    store = open_store(empty_db)
    assert store_state(store) == before
    store.close()


def test_a_file_only_for_other_municipalities_is_refused_saying_so(fresh_loader, tmp_path):
    from loaders.ingest import Choices
    from tests.conftest import write_csv

    path = write_csv(tmp_path / "l.csv", "Kommune;År;Antall\n1804 Bodø;2023;40\n02 Akershus;2023;9\n")
    report = fresh_loader.preview(path, "hip_fractures", choices=Choices(partnership="ahus"))
    assert report.refused == (
        "Filen «l.csv» har ingen verdier for kommuner i helsefellesskapet; alle 2 rader gjelder "
        "kommuner utenfor det, fylker, hele landet eller restkategorier."
    )


def test_units_are_recognised_the_way_national_files_write_them(fresh_loader):
    from loaders.normalise import AREA, OUTSIDE

    resolver = fresh_loader.resolver
    said = {
        text: resolver.classify(text, "ahus")
        for text in (
            "K-5605 Sør-Varanger",
            "02 Akershus",
            "K-Rest Akershus",
            "Uoppgitt",
            "9999",
            "0 Hele landet",
            "030110a Grorud",
            "030101a Gamle Oslo",
            "Totalt",
            "9999 Atlantis",
        )
    }
    assert said["K-5605 Sør-Varanger"].skip == OUTSIDE and said["030101a Gamle Oslo"].skip == OUTSIDE
    assert {
        said[t].skip for t in ("02 Akershus", "K-Rest Akershus", "Uoppgitt", "9999", "0 Hele landet")
    } == {AREA}
    assert said["030110a Grorud"].unit_id == "030110"
    assert said["Totalt"].file_total and said["9999 Atlantis"] is None
