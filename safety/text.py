"""Text typed by a user stays text: the only thing that may become a link is a bare URL.

A field (a milestone's «Dokumentasjon», a comment) is shown escaped (ui.common.safe_md:
no Markdown, no HTML, no remote image). It is shown as a link only when the whole field is
one http(s) URL made of the characters RFC 3986 allows, less those that end or start Markdown
(`( ) [ ] < > * ! ' "` and the backslash): then the URL cannot close the link it sits in.
"""

from __future__ import annotations

import re

_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@$&+,;=%]+", re.IGNORECASE)
MAX_URL = 2000


def plain_url(text: object) -> str | None:
    """`text` stripped, if it is one whole http(s) URL with a host; else None."""
    if not isinstance(text, str):
        return None
    candidate = text.strip()
    if len(candidate) > MAX_URL or not _URL.fullmatch(candidate):
        return None
    host = candidate.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return candidate if host.rsplit("@", 1)[-1] else None
