"""Who may change data: analysts upload, edit milestones and undo; leaders read.

Three ways, in order:
1. OIDC with `st.login` when `.streamlit/secrets.toml` has an `[auth]` section; analysts are
   the e-mail addresses listed under `[roles] analysts = [...]`.
2. A shared analyst password from secrets (`analyst_password`) or env `BOARD_ANALYST_PASSWORD`.
3. Neither configured: the board is a local tool; analyst actions work only for a browser on
   the same machine, decided from the connection's peer address (safety.peer), and the page
   says so. Wrong passwords are slowed down and locked out (safety.attempts).
"""

from __future__ import annotations

import hmac
import os

import streamlit as st

from safety import attempts, peer


def _secret(key: str) -> object | None:
    try:
        return st.secrets.get(key)
    except Exception:  # no secrets.toml at all is a normal local setup
        return None


def _oidc_configured() -> bool:
    return _secret("auth") is not None


def _password() -> str | None:
    value = _secret("analyst_password") or os.environ.get("BOARD_ANALYST_PASSWORD")
    return str(value) if value else None


def mode() -> str:
    if _oidc_configured():
        return "oidc"
    if _password():
        return "password"
    return "local"


def _is_localhost() -> bool:
    """Local from the connection's peer address, never the Host header (safety.peer)."""
    return peer.session_is_local()


def _client_key() -> str:
    """Who is guessing: the peer address (one key for all in-process runs)."""
    connection = peer.session_connection()
    return str(connection[0]) if connection is not None else "lokal"


def user_name() -> str:
    if mode() == "oidc" and getattr(st.user, "is_logged_in", False):
        return str(st.user.get("email") or st.user.get("name") or "ukjent")
    return str(st.session_state.get("analyst_name") or "lokal")


def is_analyst() -> bool:
    current = mode()
    if current == "oidc":
        if not getattr(st.user, "is_logged_in", False):
            return False
        roles = _secret("roles") or {}
        return str(st.user.get("email", "")).lower() in {str(e).lower() for e in roles.get("analysts", [])}
    if current == "password":
        return bool(st.session_state.get("analyst_ok"))
    return _is_localhost()


def sidebar_login() -> None:
    """The sign-in control in the sidebar for the configured mode."""
    current = mode()
    with st.sidebar:
        if current == "oidc":
            if getattr(st.user, "is_logged_in", False):
                st.caption(f"Innlogget som {user_name()}")
                st.button("Logg ut", on_click=st.logout)
            else:
                st.button("Logg inn (analytiker)", on_click=st.login)
        elif current == "password":
            if st.session_state.get("analyst_ok"):
                st.caption("Innlogget som analytiker")
                if st.button("Logg ut", key="analyst_logout"):
                    st.session_state["analyst_ok"] = False
                    st.rerun()
            else:
                with st.expander("Analytiker? Logg inn"):
                    name = st.text_input("Navn", key="analyst_name_input")
                    given = st.text_input("Passord", type="password", key="analyst_password_input")
                    if st.button("Logg inn", key="analyst_login"):
                        client = _client_key()
                        verdict = attempts.shared.check(client)
                        if not verdict.allowed:
                            st.error(verdict.message)
                        elif hmac.compare_digest(given.encode(), (_password() or "").encode()):
                            attempts.shared.succeeded(client)
                            st.session_state["analyst_ok"] = True
                            st.session_state["analyst_name"] = name.strip() or "analytiker"
                            st.rerun()
                        else:
                            attempts.shared.failed(client)
                            st.error("Feil passord.")
        elif _is_localhost():
            st.caption(
                "Ingen innlogging er satt opp: analytikerfunksjoner er åpne fordi nettleseren kjører på "
                "samme maskin som tavla."
            )
