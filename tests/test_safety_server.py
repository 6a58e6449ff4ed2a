"""A real server, spoken to over its websocket: roles come from the TCP peer (not the Host
header), and no session can clear the caches every user shares."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg

from tests import ws_support as ws
from tests.browser_support import start_server

INDICATOR = "hf=ahus&indikator=hip_fractures&kommune=3205&fra=2023&til=2023&tid=month"


@pytest.fixture(scope="module")
def server(demo_db: Path) -> Iterator[str]:
    # No password, no login: "local mode". Listen on every address so another peer can connect.
    with start_server(
        demo_db, env={"STREAMLIT_SERVER_ADDRESS": "0.0.0.0", "BOARD_ANALYST_PASSWORD": ""}
    ) as base:
        yield base


def test_a_remote_peer_with_host_localhost_gets_no_analyst_page(server):
    """The issue's attack: the machine's other address, with `Host: localhost`."""
    local = ws.run_script(server)
    assert "last-opp" in ws.page_urls(local)  # the control: a browser on this machine is an analyst
    address = ws.own_address()
    forged = {"Host": "localhost", "Origin": "http://localhost"}
    if address is None:  # no other address: a loopback peer that says it speaks for another client
        forged["X-Forwarded-For"] = "198.51.100.7"
    for page in ("", "last-opp"):
        remote = ws.run_script(server, connect_to=address, headers=dict(forged), page=page)
        assert ws.page_urls(remote), "the run sent no navigation"
        assert "last-opp" not in ws.page_urls(remote)
        assert "åpne fordi" not in ws.texts(remote)
        assert "Last opp data" not in ws.texts(remote)


def test_a_loopback_peer_behind_an_untrusted_proxy_is_not_local(server):
    """A proxy on this machine: every request has a loopback peer and a forwarding header."""
    proxied = ws.run_script(server, headers={"Host": "localhost", "Via": "1.1 proxy"})
    assert "last-opp" not in ws.page_urls(proxied)


def _lookups(base: str, function: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{base}/_stcore/metrics?families=cache_lookups", timeout=30) as response:
        text = response.read().decode()
    found = {}
    for line in text.splitlines():
        if f'cache="ui.cache.{function}"' in line:
            result = line.split('result="', 1)[1].split('"', 1)[0]
            found[result] = int(float(line.rsplit(" ", 1)[1]))
    return found


def test_the_clear_cache_message_is_refused_and_caches_survive(server):
    ws.run_script(server, page="indikator", query=INDICATOR)  # fills the view's cache
    before = _lookups(server, "_indicator_view")
    assert before.get("miss", 0) >= 1
    # A viewer sends Streamlit's clear-cache message (what the menu's "Clear cache" sends) twice.
    ws.run_script(server, then=[BackMsg(clear_cache=True), BackMsg(clear_cache=True)])
    again = ws.run_script(server, page="indikator", query=INDICATOR)
    assert "EXCEPTION" not in ws.texts(again)
    after = _lookups(server, "_indicator_view")
    assert after["miss"] == before["miss"], "the view was computed again: the cache was emptied"
    assert after["hit"] == before.get("hit", 0) + 1
    assert {"ui.cache._board", "ui.cache._indicator_view"} <= ws.cached_functions(server)
