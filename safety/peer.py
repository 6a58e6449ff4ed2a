"""Who is "local": decided from the TCP peer of the browser's connection, never from headers.

The rule (README «Sikkerhet»): a session is local when its websocket's peer address is a
loopback address (127.0.0.0/8, ::1) and the request came through no proxy. A request that
carries a forwarding header (Forwarded, X-Forwarded-For, X-Real-IP, X-Forwarded-Host, Via)
came through a proxy, and a proxy on the same machine makes every user look like loopback:
then the session is local only if the setting BOARD_TRUSTED_PROXY (comma-separated addresses)
names the proxy, and the client the proxy names (the right-most address in X-Forwarded-For
that is not a trusted proxy; the left-most when all are) is itself loopback. The Host header
is never read.

The peer comes from Streamlit's `client_context.remote_ip` (the socket's peer as uvicorn
reports it; Streamlit 1.67, web/server/starlette/starlette_websocket.py), not from
`st.context.ip_address`, which maps loopback to None and so cannot tell it from "unknown".
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping

PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host", "via")


def trusted_proxies() -> frozenset[str]:
    """BOARD_TRUSTED_PROXY as a set of normalised addresses (empty: trust no proxy)."""
    raw = os.environ.get("BOARD_TRUSTED_PROXY", "")
    return frozenset(a for a in (_normal(p) for p in raw.split(",")) if a)


def _normal(address: str | None) -> str | None:
    """'::ffff:127.0.0.1' → '127.0.0.1'; '[::1]' → '::1'; garbage → None."""
    text = (address or "").strip().strip("[]")
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


def _loopback(address: str | None) -> bool:
    normal = _normal(address)
    return normal is not None and ipaddress.ip_address(normal).is_loopback


def is_local(
    peer: str | None,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    trusted: frozenset[str] = frozenset(),
) -> bool:
    """True when the connection (peer address, request headers) is from this machine itself.

    `peer`: the socket's remote address (None: unknown → not local). `headers`: the request's
    headers (names in any case). `trusted`: proxy addresses from BOARD_TRUSTED_PROXY.
    """
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    lowered: dict[str, str] = {}
    for name, value in pairs:
        lowered[str(name).lower()] = str(value)
    if not any(name in lowered for name in PROXY_HEADERS):
        return _loopback(peer)
    chain = [p.strip() for p in lowered.get("x-forwarded-for", "").split(",") if p.strip()]
    # uvicorn already puts the forwarded client in place of the peer when the request comes
    # from an address it trusts (its FORWARDED_ALLOW_IPS, 127.0.0.1 by default).
    rewritten = bool(chain) and _normal(chain[-1]) == _normal(peer)
    if not trusted or (_normal(peer) not in trusted and not rewritten):
        return False
    # Through a trusted proxy: the client is the right-most address that is not a trusted
    # proxy (addresses further left are whatever the client chose to send).
    for address in reversed(chain):
        if _normal(address) not in trusted:
            return _loopback(address)
    return bool(chain) and _loopback(chain[0])


def session_connection() -> tuple[str | None, list[tuple[str, str]]] | None:
    """(peer address, request headers) of the current session's connection.

    None when the script runs in-process without a server (AppTest, scripts): no socket
    exists, and such a run is the developer's own. Under a server, a session whose client
    cannot be found gives (None, []) and so is not local.
    """
    from streamlit import runtime
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    if not runtime.exists() or type(runtime.get_instance()) is not Runtime:  # AppTest's mock
        return None
    ctx = get_script_run_ctx()
    client = runtime.get_instance().get_client(ctx.session_id) if ctx is not None else None
    context = getattr(client, "client_context", None)
    if context is None:
        return None, []
    return context.remote_ip, list(context.headers)


def session_is_local() -> bool:
    """is_local() for the current Streamlit session (see session_connection)."""
    connection = session_connection()
    if connection is None:
        return True
    peer, headers = connection
    return is_local(peer, headers, trusted_proxies())
