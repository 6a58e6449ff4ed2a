"""Server-side guards installed into the running Streamlit process (from dashboard.py).

Streamlit's "Clear cache" is a websocket message (BackMsg `clear_cache`) that any browser can
send; AppSession.handle_backmsg passes it to `_handle_clear_cache_request`, which empties
`st.cache_data` and `st.cache_resource` for every user of the process (Streamlit 1.67,
runtime/app_session.py). Hiding the menu entry (`client.toolbarMode = "viewer"`) does not stop
the message. `refuse_clear_cache()` replaces that handler for every session, analysts too:
the board's caches are keyed on the store's data version, so no one needs to clear them by
hand (a new upload or undo is shown at once), and a restart clears them if ever needed.
"""

from __future__ import annotations

import logging

from streamlit.runtime.app_session import AppSession

LOG = logging.getLogger("board.security")


def _refused_clear_cache(self: AppSession) -> None:
    LOG.warning("Tømming av cachen avvist (økt %s): cachene er felles for alle brukere.", self.id)


def refuse_clear_cache() -> None:
    """Make the server ignore the clear-cache message from any session (idempotent)."""
    AppSession._handle_clear_cache_request = _refused_clear_cache  # type: ignore[method-assign]


def clear_cache_refused() -> bool:
    return AppSession._handle_clear_cache_request is _refused_clear_cache
