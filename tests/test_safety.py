"""Guards for a shared network (safety/): local is the TCP peer, never a header; wrong
passwords slow down and lock out; every URL parameter and upload name is parsed without an
exception; a milestone's text stays text."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import open_store
from loaders import upload_files
from safety import attempts, params, peer, text
from tests.conftest import new_store
from tests.support import dashboard_pages

ROOT = Path(__file__).resolve().parent.parent

# -- local is the socket's peer ------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "headers", "trusted", "local"),
    [
        ("127.0.0.1", {"Host": "evil.example"}, "", True),  # the Host header plays no part
        ("::1", {}, "", True),
        ("127.0.0.2", {}, "", True),
        ("::ffff:127.0.0.1", {}, "", True),
        ("192.0.2.2", {"Host": "localhost"}, "", False),  # the attack
        ("192.0.2.2", {"Host": "[::1].anything"}, "", False),
        (None, {"Host": "localhost"}, "", False),
        ("not an address", {}, "", False),
        ("127.0.0.1", {"X-Forwarded-For": "198.51.100.7"}, "", False),  # a proxy on this machine
        ("127.0.0.1", {"Via": "1.1 proxy"}, "", False),
        ("127.0.0.1", {"Forwarded": "for=127.0.0.1"}, "", False),  # untrusted: never local
        ("127.0.0.1", {"X-Forwarded-For": "198.51.100.7"}, "127.0.0.1", False),
        ("127.0.0.1", {"X-Forwarded-For": "127.0.0.1"}, "127.0.0.1", True),  # trusted proxy, local client
        ("127.0.0.1", {"X-Forwarded-For": "127.0.0.1, 198.51.100.7"}, "127.0.0.1", False),  # spoofed left
        ("10.0.0.5", {"X-Forwarded-For": "127.0.0.1"}, "127.0.0.1", False),  # not the trusted proxy
    ],
)
def test_local_is_decided_from_the_peer_address(address, headers, trusted, local, monkeypatch):
    monkeypatch.setenv("BOARD_TRUSTED_PROXY", trusted)
    assert peer.is_local(address, headers, peer.trusted_proxies()) is local


def _open(monkeypatch, db: Path, page: str | None = None, **query: str) -> AppTest:
    monkeypatch.setenv("BOARD_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(page)
        at.run()
    return at


def test_a_remote_peer_saying_host_localhost_gets_no_analyst_page(demo_db, monkeypatch):
    monkeypatch.delenv("BOARD_ANALYST_PASSWORD", raising=False)  # local mode
    monkeypatch.setattr(peer, "session_connection", lambda: ("192.0.2.7", [("Host", "localhost")]))
    at = _open(monkeypatch, demo_db)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/upload.py")
    assert not [c for c in at.sidebar.caption if "åpne fordi" in c.value]
    monkeypatch.setattr(peer, "session_connection", lambda: ("127.0.0.1", [("Host", "evil.example")]))
    local = _open(monkeypatch, demo_db, "pages/upload.py")
    assert not local.exception and "Last opp data" in local.title[0].value


# -- password attempts ----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_wrong_passwords_slow_down_then_lock_out_the_client_and_log_it(caplog):
    clock = Clock()
    guard = attempts.Attempts(clock=clock)
    caplog.set_level(logging.WARNING, logger="board.security")
    for n in range(1, attempts.MAX_PER_CLIENT):
        assert guard.check("a").allowed
        guard.failed("a")
        refused = guard.check("a")
        assert not refused.allowed and refused.wait == pytest.approx(
            min(attempts.MAX_DELAY, n * attempts.DELAY)
        )
        clock.now += refused.wait
    guard.failed("a")  # the fifth wrong password: locked out
    assert not guard.check("a").allowed and "sperret" in guard.check("a").message
    assert guard.check("b").allowed  # another client is not
    assert [r for r in caplog.records if "sperret for klient a" in r.getMessage()]
    clock.now += attempts.LOCKOUT - 1
    assert not guard.check("a").allowed
    clock.now += 2
    assert guard.check("a").allowed


def test_many_clients_together_lock_out_everyone(caplog):
    clock = Clock()
    guard = attempts.Attempts(clock=clock, per_client=1000, total=20)
    caplog.set_level(logging.WARNING, logger="board.security")
    for n in range(20):
        assert guard.check(f"10.0.0.{n}").allowed
        guard.failed(f"10.0.0.{n}")
    assert not guard.check("10.9.9.9").allowed  # a new address gains nothing
    assert [r for r in caplog.records if "for alle" in r.getMessage()]


def test_the_right_password_does_not_work_during_a_lock_out(demo_db, monkeypatch):
    monkeypatch.setenv("BOARD_ANALYST_PASSWORD", "hemmelig")
    guard = attempts.Attempts(delay=0.0)
    monkeypatch.setattr(attempts, "shared", guard)
    at = _open(monkeypatch, demo_db)
    for _ in range(attempts.MAX_PER_CLIENT):
        at.sidebar.text_input(key="analyst_password_input").input("feil")
        at.sidebar.button(key="analyst_login").click().run()
        assert [e for e in at.sidebar.error if "Feil passord" in e.value]
    at.sidebar.text_input(key="analyst_password_input").input("hemmelig")
    at.sidebar.button(key="analyst_login").click().run()
    assert not at.exception
    assert [e for e in at.sidebar.error if "sperret" in e.value]
    assert not at.session_state["analyst_ok"] if "analyst_ok" in at.session_state else True
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/upload.py")


# -- URL parameters and upload names --------------------------------------------------------

BAD_VALUES = [
    "²",
    "9" * 5000,
    "",
    "-1",
    "2023.0",
    "\x00",
    "٢٠٢٣",
    "x" * 100_000,
    "ahus,,ahus",
    "../..",
    "%00",
]
QUERY_KEYS = ["hf", "fra", "til", "indikator", "kommune", "enhet", "niva", "alternativ", "ansvarlig", "frist"]
QUERY_KEYS += ["malgruppe", "mal", "prioritet", "status", "tid", "tiltak", "id", "presentasjon"]


def test_parse_never_raises_and_keeps_only_known_values():
    years = list(range(2018, 2027))
    for bad in [*BAD_VALUES, None, ["2020", "²"], 5]:
        assert params.choice(bad, years, 2019) == 2019
        assert params.choices(bad, ["a", "b"]) == []
    assert params.choice("2020", years, 2019) == 2020
    assert params.choice(["2019", "2021"], years, 2019) == 2021
    assert params.years_between("2025", "2020", years, (2019, 2026)) == (2020, 2025)
    assert params.choices("b,x,a,b", ["a", "b"]) == ["b", "a"]


@pytest.mark.parametrize(
    "name",
    ["..", ".", "", "/", "x/", "../../etc/passwd", "..\\..\\boot.ini", "a" * 300 + ".csv", "æ" * 200 + ".xlsx",
     "\x00fil.csv", ".skjult.csv", " ", "con", "fil:navn?.csv", "a" * 300],
)  # fmt: skip
def test_upload_names_become_a_safe_base_name(name, tmp_path, monkeypatch):
    safe = params.safe_name(name)
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert len(safe.encode()) <= 255 and "\x00" not in safe
    if name.endswith((".csv", ".xlsx")):
        assert safe.endswith(name.rsplit(".", 1)[1])
    monkeypatch.setattr(upload_files.tempfile, "tempdir", str(tmp_path))
    path = upload_files.save(b"Kommune;Periode;Antall\n", name)
    assert path.parent.parent == tmp_path and path.read_bytes().startswith(b"Kommune")
    upload_files.remove(path)


PAGES = [path for path, *_ in dashboard_pages()]


@pytest.mark.parametrize("page", PAGES)
def test_fuzzed_url_parameters_never_raise(demo_db, tmp_path, monkeypatch, page):
    """Every parameter the board reads, with every bad value (rotated so that each key gets each
    value once), on every page, as an analyst (who sees the most): no exception element."""
    monkeypatch.delenv("BOARD_ANALYST_PASSWORD", raising=False)
    db = new_store(tmp_path, "fuzz", like=demo_db)
    for shift in range(len(BAD_VALUES)):
        query = {k: BAD_VALUES[(i + shift) % len(BAD_VALUES)] for i, k in enumerate(QUERY_KEYS)}
        at = _open(monkeypatch, db, page, **query)
        assert not at.exception, f"{page} {shift}: {at.exception}"


def test_an_upload_named_dot_dot_or_too_long_is_read(demo_db, tmp_path, monkeypatch):
    monkeypatch.delenv("BOARD_ANALYST_PASSWORD", raising=False)
    db = new_store(tmp_path, "upload", like=demo_db)
    data = "Kommune;Periode;Antall\n3205 Lillestrøm;2024M01;12\n".encode()
    for name in ["..", "a" * 300 + ".csv", "../../x.csv", "æ" * 200]:
        at = _open(monkeypatch, db, "pages/upload.py", indikator="hip_fractures")
        at.file_uploader(key="upload_file").set_value((name, data, "text/csv")).run()
        assert not at.exception, f"{name[:20]}: {at.exception}"


# -- text stays text --------------------------------------------------------------------------

MARKDOWN = "[klikk her](https://example.invalid/x)![](https://example.invalid/t.png)"


@pytest.mark.parametrize(
    ("field", "url"),
    [
        ("https://example.org/au-sak-31-25", "https://example.org/au-sak-31-25"),
        (" http://intranett/sak?id=3&x=1 ", "http://intranett/sak?id=3&x=1"),
        ("https://x)![](https://example.invalid/t.png)", None),
        (MARKDOWN, None),
        ("javascript:alert(1)", None),
        ("https://", None),
        ("se https://example.org", None),
        ("https://example.org <b>", None),
        ("ftp://example.org/x", None),
    ],
)
def test_only_a_whole_http_url_is_a_link(field, url):
    assert text.plain_url(field) == url


@pytest.mark.parametrize("evidence", [MARKDOWN, "https://x)![](https://example.invalid/t.png)"])
def test_markdown_in_a_milestone_field_is_shown_as_typed(demo_db, tmp_path, monkeypatch, evidence):
    db = new_store(tmp_path, "milestone", like=demo_db)
    store = open_store(db)
    store.record_milestone("ahus", "m06-k3", "Pågår", "Kari", None, MARKDOWN, evidence)
    store.close()
    at = _open(monkeypatch, db, "pages/milestones.py")
    assert not at.exception
    shown = [m.value for m in at.markdown if "Dokumentasjon" in m.value]
    assert shown, "the field is shown"
    for value in shown:
        assert not re.search(r"(?<!\\)\]\(", value), value  # no live Markdown link or image
        assert re.sub(r"\\(.)", r"\1", value) == f"**Dokumentasjon:** {evidence}"  # shown as typed
