"""Security: who may change data, SQL text stays data, names are shown as text, exports are
formula-safe, and the upload size limit holds in Streamlit and in the loader alike."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import tomllib
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import config
from analytics.store import UploadMeta, open_store
from tests.conftest import fact_rows, new_store, run_cli
from tests.support import dashboard_pages
from ui.common import safe_md

ROOT = Path(__file__).resolve().parent.parent
SQL = "'; DROP TABLE facts; --"
SCRIPT = "<script>alert(1)</script>"
MARKUP = "**fet** [lenke](https://example.org) :red[rød] <b>b</b>"
# Buttons that change data (the leader's board must not have any of them).
WRITE_ACTIONS = re.compile(r"angre|lagre|last opp|last inn|slett|registrer|endre", re.IGNORECASE)
QUERY_KEYS = ["hf", "fra", "til", "indikator", "kommune", "enhet", "niva", "alternativ", "ansvarlig", "frist"]
QUERY_KEYS += ["malgruppe", "mal", "prioritet", "status", "tid", "tiltak", "id"]
URL_PAYLOAD = f"x' OR 1=1{SQL} {SCRIPT}**x**"


LEADER_PAGES = [(path, title) for path, title, _, _, analysts in dashboard_pages() if not analysts]
ANALYST_PAGES = [(path, title) for path, title, _, _, analysts in dashboard_pages() if analysts]


def board_app(db: Path, monkeypatch, role: str, **query: str) -> AppTest:
    """role: 'leader' (password mode, not signed in) or 'analyst' (password mode, signed in)."""
    monkeypatch.setenv("BOARD_DB", str(db))
    monkeypatch.setenv("BOARD_ANALYST_PASSWORD", "hemmelig")
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    if role == "analyst":
        at.session_state["analyst_ok"] = True
        at.session_state["analyst_name"] = "Kari"
    at.run()
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    return at


def write_controls(at: AppTest) -> list[str]:
    found = [f"knapp «{b.label}»" for b in at.button if WRITE_ACTIONS.search(b.label or "")]
    found += [
        f"skjema-knapp «{b.label}»" for b in at.get("form_submit_button") if WRITE_ACTIONS.search(b.label)
    ]
    found += ["filopplasting" for _ in at.get("file_uploader")]
    found += ["redigerbar tabell" for _ in at.get("arrow_data_frame") if getattr(_.proto, "editing_mode", 0)]
    return found


def shown_text(at: AppTest) -> list[str]:
    """Every string the page renders as Markdown (where markup would take effect)."""
    kinds = ["markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success"]
    return [str(e.value) for kind in kinds for e in at.get(kind)]


# -- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "title"), LEADER_PAGES)
def test_leaders_get_no_write_action_and_url_text_stays_data(demo_db, demo_board, monkeypatch, page, title):
    """A leader opens every page with SQL and markup in every URL parameter the board reads."""
    before = demo_board.store.fact_count(), len(demo_board.store.uploads())
    query = {key: URL_PAYLOAD for key in QUERY_KEYS}
    at = open_page(board_app(demo_db, monkeypatch, "leader", **query), page)
    assert not at.exception, f"{title}: {at.exception}"
    assert write_controls(at) == [], f"{title}: a leader can change data"
    assert not [t for t in shown_text(at) if SCRIPT in t or SQL in t], f"{title} shows the URL as markup"
    assert (demo_board.store.fact_count(), len(demo_board.store.uploads())) == before


@pytest.mark.skipif(not ANALYST_PAGES, reason="no analysts-only page in dashboard.PAGES yet")
@pytest.mark.parametrize(("page", "title"), ANALYST_PAGES or [("", "")])
def test_analyst_pages_cannot_be_reached_by_leaders(demo_db, monkeypatch, page, title):
    at = board_app(demo_db, monkeypatch, "leader")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)  # not registered for leaders: no URL leads there
    analyst = open_page(board_app(demo_db, monkeypatch, "analyst"), page)
    assert not analyst.exception and title in " ".join(t.value for t in analyst.title)


def test_analysts_do_get_the_actions(demo_db, tmp_path, monkeypatch):
    """The positive control for the leader test: the same check finds the analyst's actions."""
    db = new_store(tmp_path, "analyst", like=demo_db)
    at = open_page(board_app(db, monkeypatch, "analyst"), "pages/catalogue.py")
    assert "knapp «Angre opplastingen»" in write_controls(at)
    leader = open_page(board_app(db, monkeypatch, "leader"), "pages/catalogue.py")
    assert not [b for b in leader.button if b.key == "undo_button"]


# -- SQL text stays data -----------------------------------------------------------------------


def counts(store) -> tuple[int, int, int]:
    with store.cursor() as cur:
        tables = {
            r[0]
            for r in cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            ).fetchall()
        }
    assert {"facts", "uploads", "fact_history", "units"} <= tables
    return store.fact_count(), len(store.uploads()), store.history_count()


def test_sql_in_a_unit_cell_is_refused_as_an_unknown_unit(empty_loader, tmp_path):
    store = empty_loader.board.store
    before = counts(store)
    path = tmp_path / "fall.csv"
    path.write_text(
        f'Kommune;Periode;Antall\n3205 Lillestrøm;2024M01;12\n"{SQL}";2024M02;7\n', encoding="utf-8"
    )
    report = empty_loader.ingest(path, "hip_fractures")
    assert not report.ok and report.result is None
    assert any(SQL in str(problem) and problem.line == 3 for problem in report.problems)
    assert counts(store) == before


@pytest.mark.parametrize(
    "header", [f"Kommune{SQL};Periode;Antall", 'Kommune;Periode;Antall;"x""); DROP TABLE uploads; --"']
)
def test_sql_in_column_names_is_a_name(empty_loader, tmp_path, header):
    store = empty_loader.board.store
    path = tmp_path / "kolonner.csv"
    path.write_text(f"{header}\n3205 Lillestrøm;2024M01;12\n3222 Lørenskog;2024M01;9\n", encoding="utf-8")
    report = empty_loader.ingest(path, "hip_fractures")
    fact_count, uploads, _ = counts(store)  # the tables are all there
    if report.ok:  # the odd name was read as a (unit or extra) column name: the values load
        assert fact_count == 2 and uploads == 1
    else:
        assert fact_count == 0 and uploads == 0 and (report.refused or report.problems)


def workbook(path: Path, sheet: str) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Forside"
    data = book.create_sheet(sheet)
    for row in [
        ["Kommune", "Periode", "Antall"],
        ["3205 Lillestrøm", "2024M01", 12],
        ["3222 Lørenskog", "2024M01", 9],
    ]:
        data.append(row)
    book.save(path)
    return path


def test_sql_in_a_sheet_name_is_a_name(empty_loader, tmp_path):
    store = empty_loader.board.store
    path = workbook(tmp_path / "ark.xlsx", "x'); DROP TABLE facts; --")
    report = empty_loader.ingest(path, "hip_fractures", sheet="x'); DROP TABLE facts; --")
    assert report.ok, report.summary()
    assert counts(store)[:2] == (2, 1)
    missing = empty_loader.ingest(path, "hip_fractures", sheet=SQL)
    assert missing.refused and f"«{SQL}»" in missing.refused and "Forside" in missing.refused
    assert counts(store)[:2] == (2, 1)


def test_sql_in_an_indicator_or_user_name_is_data(empty_loader, tmp_path):
    store = empty_loader.board.store
    path = tmp_path / "fall.csv"
    path.write_text("Kommune;Periode;Antall\n3205 Lillestrøm;2024M01;12\n", encoding="utf-8")
    refused = empty_loader.ingest(path, SQL)
    assert refused.refused and "Ukjent indikator" in refused.refused
    loaded = empty_loader.ingest(path, "hip_fractures", loaded_by=SQL, file_name=f"{SQL}.csv")
    assert loaded.ok
    log = store.uploads()
    assert log["loaded_by"].tolist() == [SQL] and log["file_name"].tolist() == [f"{SQL}.csv"]
    assert store.coverage_cells(SQL, ["3205"], 1).empty and store.fact_count() == 1


# -- markup is shown as text ---------------------------------------------------------------------


@pytest.mark.parametrize("text", [SCRIPT, MARKUP, "# Overskrift\n===\n- punkt", "$x^2$ `kode` ~~over~~ \\*"])
def test_safe_md_escapes_and_keeps_every_character(text):
    escaped = safe_md(text)
    assert "<" not in escaped and ">" not in escaped
    for mark in "*[]()`#:$~_":
        assert all(escaped[i - 1] == "\\" for i, c in enumerate(escaped) if c == mark)
    assert html.unescape(re.sub(r"\\(.)", r"\1", escaped)) == text  # nothing lost, only escaped


def test_user_text_is_never_rendered_as_markup(demo_db, tmp_path, monkeypatch):
    """File names, user names, milestone comments and evidence with HTML/Markdown, on every page."""
    db = new_store(tmp_path, "markup", like=demo_db)
    store = open_store(db)
    frame = store.facts(["hip_fractures"]).head(1).drop(columns="upload_id")
    frame["value"] = frame["value"].fillna(0) + 1
    store.ingest(frame, UploadMeta(f"{SCRIPT}.csv", "markup", loaded_by=MARKUP, indicator="hip_fractures"))
    criterion = store.milestone_states("ahus")["criterion_id"].iloc[0]
    store.record_milestone(
        "ahus", criterion, "Pågår", MARKUP, dt.date(2024, 5, 1), f"{SCRIPT} {MARKUP}", SCRIPT
    )
    store.close()
    for page, title in LEADER_PAGES:
        at = open_page(board_app(db, monkeypatch, "analyst"), page)
        assert not at.exception, f"{title}: {at.exception}"
        rendered = [t for t in shown_text(at) if SCRIPT in t or "**fet**" in t or "<b>b</b>" in t]
        assert not rendered, f"{title} renders user text as markup: {rendered[:1]}"


def upload(db: Path, monkeypatch, name: str, content: bytes) -> AppTest:
    at = open_page(board_app(db, monkeypatch, "analyst", indikator="hip_fractures"), "pages/upload.py")
    at.get("file_uploader")[0].set_value((name, content, "text/csv"))
    at.run()
    return at


def test_upload_page_shows_cell_text_as_text(demo_db, tmp_path, monkeypatch):
    db = new_store(tmp_path, "upload", like=demo_db)
    content = f'Kommune;Periode;Antall\n"{SCRIPT}";2024M01;3\n"**fet**";2024M02;4\n'.encode()
    at = upload(db, monkeypatch, "fall.csv", content)
    assert not at.exception
    assert any("problemer" in e.value for e in at.error)  # refused, with the problems listed
    assert not [t for t in shown_text(at) if SCRIPT in t or "**fet**" in t]
    assert not [b for b in at.button if (b.label or "") == "Last inn"]


def test_upload_page_shows_a_file_name_as_text(demo_db, tmp_path, monkeypatch):
    db = new_store(tmp_path, "upload", like=demo_db)
    at = upload(db, monkeypatch, "<b>fet</b>**x**.csv", b"")  # an empty file is refused, naming it
    assert not at.exception and at.error
    assert not [t for t in shown_text(at) if "<b>fet</b>" in t or "**x**" in t]


# -- exports are formula-safe --------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]


def test_cli_export_neutralises_formulas(demo_db, tmp_path):
    db = new_store(tmp_path, "export", like=demo_db)
    store = open_store(db)
    rows = fact_rows(dict.fromkeys(FORMULAS, 1.0), source="test")
    store.ingest(rows, UploadMeta("f.csv", "formulas", indicator="hip_fractures"))
    store.close()
    done = run_cli("export", "--indicator", "hip_fractures", "--db", str(db), timeout=300)
    assert done.returncode == 0, done.stderr
    units = [row[1] for row in csv.reader(io.StringIO(done.stdout))]
    for formula in FORMULAS:
        assert f"'{formula}" in units and formula not in units


def test_page_csv_downloads_neutralise_formulas():
    from analytics import export

    frame = pd.DataFrame({"Kommentar": FORMULAS, "Antall": ["1", "2", "3", "4"]})
    text = export.csv_bytes(frame).decode("utf-8-sig")
    cells = [row[0] for row in csv.reader(io.StringIO(text), delimiter=";")][1:]
    assert all(cell.startswith("'") for cell in cells)


def test_page_csv_downloads_keep_numbers_as_numbers():
    """A negative number as the board shows it is not a formula: it keeps its sign."""
    from analytics import export

    frame = pd.DataFrame({"Endring": ["-2,5", "+3", "1 234", "12 %", "-1+1"], "=Navn": ["a"] * 5})
    text = export.csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Endring", "'=Navn"]
    assert [row[0] for row in rows[1:]] == ["-2,5", "+3", "1 234", "12 %", "'-1+1"]


# -- upload size --------------------------------------------------------------------------------------


def test_upload_limit_is_the_same_in_streamlit_and_the_loader():
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"]["maxUploadSize"] == config.MAX_UPLOAD_MB


def test_loader_refuses_a_file_over_the_limit(empty_loader, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_UPLOAD_MB", 1)
    path = tmp_path / "stor.csv"
    rows = "".join(
        f"3205 Lillestrøm;{year}M{month:02d};12\n" for year in range(1900, 2024) for month in range(1, 13)
    )
    path.write_text("Kommune;Periode;Antall\n" + rows * 50, encoding="utf-8")
    assert path.stat().st_size > 1024 * 1024
    report = empty_loader.ingest(path, "hip_fractures")
    assert report.refused and "grensen på 1 MB" in report.refused
    assert empty_loader.board.store.fact_count() == 0


def test_store_file_is_not_touched_by_a_refused_upload(empty_loader, tmp_path):
    """A refused file leaves not even an upload row or a staging table behind."""
    path = tmp_path / "tom.csv"
    path.write_text("", encoding="utf-8")
    report = empty_loader.ingest(path, "hip_fractures")
    assert report.refused
    with duckdb.connect(":memory:") as con:  # nothing to do with the store: just prove it opens
        con.execute("SELECT 1")
    assert counts(empty_loader.board.store) == (0, 0, 0)


def test_upload_problem_download_is_a_formula_safe_table():
    """The upload page's «problemer.csv»: file, line, column, problem; no cell runs as a formula."""
    from analytics import export
    from loaders.ingest import IngestReport
    from loaders.problems import Problem

    report = IngestReport(file_name="=fil.csv")
    report.problems = [
        Problem("=fil.csv", 7, "@Antall", "Verdien «=1+1» er ikke et tall."),
        Problem("=fil.csv", None, None, "Filen mangler en kolonne for periode."),
    ]
    text = export.csv_bytes(report.problem_table()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["fil", "linje", "kolonne", "problem"]
    assert rows[1] == ["'=fil.csv", "7", "'@Antall", "Verdien «=1+1» er ikke et tall."]
    assert rows[2] == ["'=fil.csv", "", "", "Filen mangler en kolonne for periode."]
