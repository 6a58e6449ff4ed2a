"""Talk to a running board over Streamlit's websocket, as a browser (or a hostile client) does.

`run_script(base, ...)` opens /_stcore/stream, sends the protobuf BackMsg a browser sends to
run the app, and returns the ForwardMsgs up to `script_finished`. `connect_from` makes the
TCP connection from a chosen local address (the peer the server sees); `headers` can forge
Host and other headers. Used by tests/test_safety_server.py.
"""

from __future__ import annotations

import asyncio
import socket
import urllib.request
from urllib.parse import urlparse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect


def own_address() -> str | None:
    """A non-loopback IPv4 address of this machine (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.200", 9))  # TEST-NET-1: only asks which source would be used
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def _socket(target: str, port: int) -> socket.socket:
    sock = socket.create_connection((target, port), timeout=30)
    sock.setblocking(False)
    return sock


async def _session(
    base: str,
    *,
    connect_to: str | None,
    headers: dict[str, str],
    query: str,
    page: str,
    extra: list[BackMsg],
    timeout: float,
) -> list[ForwardMsg]:
    url = urlparse(base)
    host = headers.pop("Host", url.netloc)
    sock = _socket(connect_to or url.hostname or "127.0.0.1", url.port or 80)
    received: list[ForwardMsg] = []
    async with connect(
        f"ws://{host}/_stcore/stream",
        sock=sock,
        subprotocols=["streamlit"],
        additional_headers=headers,
        max_size=None,
        open_timeout=timeout,
    ) as ws:
        run = BackMsg(rerun_script=ClientState(query_string=query, page_name=page))
        await ws.send(run.SerializeToString())
        async with asyncio.timeout(timeout):
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await ws.recv())
                received.append(msg)
                if msg.WhichOneof("type") == "script_finished":
                    break
        for message in extra:
            await ws.send(message.SerializeToString())
        if extra:  # a heartbeat round trip: the messages before it have been handled
            await ws.send(BackMsg(app_heartbeat=True).SerializeToString())
            async with asyncio.timeout(timeout):
                while True:
                    msg = ForwardMsg()
                    msg.ParseFromString(await ws.recv())
                    if msg.WhichOneof("type") == "heartbeat_ack":
                        break
    return received


def run_script(
    base: str,
    *,
    connect_to: str | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    page: str = "",
    then: list[BackMsg] | None = None,
    timeout: float = 120,
) -> list[ForwardMsg]:
    """One session: run the app (page `page`, URL query `query`), then send `then`."""
    return asyncio.run(
        _session(
            base,
            connect_to=connect_to,
            headers=dict(headers or {}),
            query=query,
            page=page,
            extra=list(then or []),
            timeout=timeout,
        )
    )


def page_urls(messages: list[ForwardMsg]) -> list[str]:
    """The url paths of the pages the navigation offers this session."""
    for msg in reversed(messages):
        if msg.WhichOneof("type") == "navigation":
            return [page.url_pathname for page in msg.navigation.app_pages]
    return []


def texts(messages: list[ForwardMsg]) -> str:
    """All markdown/alert text the run sent (deltas), joined."""
    found = []
    for msg in messages:
        if msg.WhichOneof("type") != "delta" or not msg.delta.HasField("new_element"):
            continue
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind in ("markdown", "alert", "heading"):
            found.append(getattr(element, kind).body)
        elif kind == "exception":
            found.append("EXCEPTION " + element.exception.message)
    return "\n".join(found)


def cached_functions(base: str) -> set[str]:
    """Names of the functions with entries in st.cache_data/st.cache_resource (/_stcore/metrics)."""
    with urllib.request.urlopen(f"{base}/_stcore/metrics", timeout=30) as response:
        text = response.read().decode()
    names = set()
    for line in text.splitlines():
        if line.startswith("cache_memory_bytes{") and 'cache_type="st_' in line:
            start = line.find('cache="') + len('cache="')
            names.add(line[start : line.find('"', start)])
    return names
