"""URL parameters and upload names: parsed by one function each, never an exception.

A URL parameter is only ever one of a known list of values (an id, a year as text); anything
else — an unknown id, `?fra=²` (a digit to str.isdigit() that int() refuses), a 5 000-digit
number (over Python's 4 300-digit int limit), control characters, a list — falls back to the
default. Values are compared as text, so nothing is converted before it is known to be valid.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
# Longer than any id or list the board writes; longer values are ignored without a look.
MAX_LENGTH = 2000
MAX_NAME_BYTES = 255
FALLBACK_NAME = "opplasting"


def _text(raw: object) -> str | None:
    if isinstance(raw, list | tuple):  # a repeated key: the last value, as Streamlit does
        raw = raw[-1] if raw else None
    if not isinstance(raw, str) or len(raw) > MAX_LENGTH:
        return None
    return raw


def choice(raw: object, allowed: Sequence[T], default: T) -> T:
    """The allowed value whose text is `raw`, else `default`.

    `allowed`: the values the page offers (ids as str, years as int); `raw`: what the URL
    holds (str, or None when absent). Never raises.
    """
    text = _text(raw)
    if text is None:
        return default
    for value in allowed:
        if str(value) == text:
            return value
    return default


def choices(raw: object, allowed: Sequence[T]) -> list[T]:
    """The allowed values named in `raw` ("a,b,c"), in that order, once each; unknown dropped."""
    text = _text(raw)
    if not text:
        return []
    by_text = {str(v): v for v in allowed}
    return [by_text[part] for part in dict.fromkeys(text.split(",")) if part in by_text]


def years_between(raw_start: object, raw_end: object, years: Sequence[int], default: tuple[int, int]):
    """(start, end) from two year parameters, each clamped to `years`, in order."""
    start = choice(raw_start, years, default[0])
    end = choice(raw_end, years, default[1])
    return (start, end) if start <= end else (end, start)


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def safe_name(name: object, fallback: str = FALLBACK_NAME) -> str:
    """A file name safe to create in a folder of our own: the last path part of `name`, with
    path separators, control and reserved characters replaced by "_", no leading dots (so not
    "." or ".."), at most 255 bytes in UTF-8 with the extension kept. Never empty, never raises.
    """
    text = unicodedata.normalize("NFC", str(name)) if name is not None else ""
    text = re.split(r"[/\\]", text)[-1]
    text = _UNSAFE.sub("_", text).strip().lstrip(".").strip()
    if not text:
        return fallback
    stem, dot, extension = text.rpartition(".")
    if not dot or len(extension.encode()) > 16:
        stem, dot, extension = text, "", ""
    budget = MAX_NAME_BYTES - len((dot + extension).encode())
    stem = stem.encode()[:budget].decode(errors="ignore") or fallback
    return stem + dot + extension
