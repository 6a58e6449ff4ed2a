"""PC-Axis (PX) files, the statistics banks' own download format (SSB, FHI, SCB).

A PX file names its dimensions (STUB and HEADING), their values and codes, the time
dimension (TIMEVAL) and its character set (CODEPAGE, or CHARSET="ANSI" for windows-1252),
then lists the numbers (DATA) in row-major order over STUB then HEADING, the last HEADING
dimension varying fastest. It needs no guessing: the reader returns a long table, one column
per dimension and one for the value, and says which column is the unit and which the period.

Own parser, not pyaxis (0.4.3): pyaxis builds the whole pandas table from a URL or path
without a bound on its size; here the number of cells (the product of the dimensions' sizes)
is checked against Limits.cells before one number is read, and DATA is read in a stream.
Format: Statistics Sweden, "PC-Axis file format" (2013), keywords CHARSET, CODEPAGE, STUB,
HEADING, VALUES, CODES, TIMEVAL, DATA.
"""

from __future__ import annotations

import codecs
import itertools
import math
import re
from pathlib import Path

from loaders.formats.base import Limits, ReadChoices, ReadGuess, RowsTable, _count, over_limit
from loaders.problems import FileRefused

HEAD_LIMIT = 4 << 20  # the metadata above DATA=; a real PX head is a few KB to a few hundred
SIGNATURE = re.compile(rb"\s*(CHARSET|AXIS-VERSION|CODEPAGE|LANGUAGE|MATRIX|DECIMALS|SUBJECT-AREA)[\[(=]")
STATEMENT = re.compile(
    r'\s*([A-Za-z0-9_-]+)(\[[^\]]*\])?(?:\("((?:[^"]|"")*)"\))?=((?:"[^"]*"|[^";])*);', re.S
)
ITEM = re.compile(r'((?:"[^"]*"\s*)+)|([^,\s][^,]*)')
CODEPAGES = {"iso-8859-1": "latin-1", "iso8859-1": "latin-1", "windows-1252": "cp1252", "utf-8": "utf-8"}
GEO_WORDS = re.compile(r"region|kommune|bydel|fylke|geo|område|sted|municipality", re.I)
TIME_WORDS = re.compile(r"^(tid|år|year|time|periode|period|måned|kvartal)$", re.I)
VALUE_COLUMN = "verdi"


def matches(path: Path, sample: bytes) -> bool:
    return path.suffix.lower() == ".px" or bool(SIGNATURE.match(sample.lstrip(b"\xef\xbb\xbf")))


def _encoding(head: bytes) -> str:
    """CODEPAGE if named; else UTF-8 if the head is UTF-8; else windows-1252 (CHARSET="ANSI")."""
    if m := re.search(rb'CODEPAGE="([^"]+)"', head):
        named = m[1].decode("ascii", "replace").strip().lower()
        if named in CODEPAGES:
            return CODEPAGES[named]
        try:
            return codecs.lookup(named).name
        except LookupError:
            pass
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _items(value: str) -> list[str]:
    """'"a","b"' → ['a', 'b']; adjacent strings join ('"ab" "c"' → 'abc'); bare words kept."""
    items = []
    for quoted, bare in ITEM.findall(value):
        if quoted:
            items.append("".join(re.findall(r'"([^"]*)"', quoted)))
        elif bare.strip():
            items.append(bare.strip())
    return items


def open_px(path: Path, file_name: str, choices: ReadChoices, limits: Limits) -> RowsTable:
    """Read a PX file into a long table; FileRefused (one sentence) when it cannot be read."""
    with open(path, "rb") as handle:
        head = b""
        while b"DATA=" not in head:
            chunk = handle.read(1 << 16)
            if not chunk:
                raise FileRefused(file_name, "ser ut som en PX-fil, men har ingen DATA-del")
            head += chunk
            if len(head) > HEAD_LIMIT:
                raise FileRefused(file_name, "ser ut som en PX-fil, men metadataene før DATA= er over 4 MB")
        at = head.index(b"DATA=")
        rest, head = head[at + 5 :], head[:at]
        encoding = choices.encoding or _encoding(head)
        try:
            text = head.decode(encoding).lstrip("\ufeff")
        except (UnicodeDecodeError, LookupError):
            raise FileRefused(
                file_name, f"kan ikke leses med tegnsettet {encoding}; velg et annet tegnsett"
            ) from None
        keywords: dict[tuple[str, str], list[str]] = {}
        for m in STATEMENT.finditer(text):
            if m[2]:  # another language's text (VALUES[en]): the file's own language is used
                continue
            keywords[(m[1].upper(), (m[3] or "").replace('""', '"'))] = _items(m[4])
        stub = keywords.get(("STUB", ""), [])
        heading = keywords.get(("HEADING", ""), [])
        dimensions = stub + heading
        if not dimensions:
            raise FileRefused(file_name, "er en PX-fil uten STUB eller HEADING (ingen dimensjoner)")
        values = {}
        for name in dimensions:
            labels = keywords.get(("VALUES", name))
            if not labels:
                raise FileRefused(file_name, f"er en PX-fil uten verdier for dimensjonen «{name}»")
            values[name] = labels
        cells = math.prod(len(v) for v in values.values())
        if cells * (len(dimensions) + 1) > limits.cells:
            raise over_limit(file_name, "cells", cells * (len(dimensions) + 1), limits)
        time = next((name for (key, name) in keywords if key == "TIMEVAL" and name in values), None)
        time = time or next((n for n in dimensions if TIME_WORDS.match(n.strip())), None)
        geo = next((n for n in dimensions if n != time and GEO_WORDS.search(n)), None)
        shown = {
            name: _shown(values[name], keywords.get(("CODES", name)), name == geo, name == time)
            for name in dimensions
        }
        keyed = [n for n in stub if ("KEYS", n) in keywords]
        if keyed:
            rows = _keyed_rows(
                rest, handle, encoding, cells, file_name, keyed, dimensions, values, keywords, shown
            )
        else:
            numbers = _data(rest, handle, encoding, cells, file_name)
    if not keyed:
        rows = [
            [*labels, number]
            for labels, number in zip(
                itertools.product(*(shown[n] for n in dimensions)), numbers, strict=True
            )
        ]
    columns = [*dimensions, VALUE_COLUMN]
    guess = ReadGuess("px", encoding, "", 1, columns)
    guess.known_roles = {"value": VALUE_COLUMN}
    if geo:
        guess.known_roles["unit"] = geo
    if time:
        guess.known_roles["period"] = time
    guess.dimensions = {n: shown[n] for n in dimensions if n not in (geo, time)}
    return RowsTable(path, file_name, guess, rows)


def _shown(labels: list[str], codes: list[str] | None, geo: bool, time: bool) -> list[str]:
    """Units as 'code name' ('3205 Lillestrøm'), periods by their code ('2021K1'), the rest by label."""
    if not (geo or time) or not codes or len(codes) != len(labels):
        return labels
    if time:
        return codes
    return [
        label if label.startswith(code) else f"{code} {label}"
        for code, label in zip(codes, labels, strict=True)
    ]


def _keyed_rows(
    rest: bytes,
    handle,
    encoding: str,
    cells: int,
    file_name: str,
    keyed: list[str],
    dimensions: list[str],
    values: dict[str, list[str]],
    keywords: dict[tuple[str, str], list[str]],
    shown: dict[str, list[str]],
) -> list[list[str | None]]:
    """The rows of sparse DATA written with KEYS (PX format 2013, keyword KEYS): each data line
    starts with the keyed stub variables' values (or codes, KEYS("x")=CODES), then has the
    numbers for every combination of the other variables. A combination with no line is not
    in the table: missing, never zero (the board's rule for rows a file leaves out)."""
    others = [n for n in dimensions if n not in keyed]
    width = math.prod(len(values[n]) for n in others)
    index = {}
    for name in keyed:
        by = keywords[("KEYS", name)][0].upper() if keywords[("KEYS", name)] else "VALUES"
        texts = keywords.get(("CODES", name)) if by == "CODES" else values[name]
        index[name] = {t: k for k, t in enumerate(texts or values[name])}
    tokens = _data(rest, handle, encoding, None, file_name)
    step = len(keyed) + width
    if len(tokens) % step:
        raise FileRefused(
            file_name,
            f"er en PX-fil med KEYS der DATA ikke går opp i linjer på {len(keyed)} nøkler og {_count(width)} tall",
        )
    rows: list[list[str | None]] = []
    for start in range(0, len(tokens), step):
        keys = tokens[start : start + len(keyed)]
        at = {}
        for name, key in zip(keyed, keys, strict=True):
            if key not in index[name]:
                raise FileRefused(
                    file_name, f"er en PX-fil med nøkkelen «{key}» i DATA, som ikke er en verdi av «{name}»"
                )
            at[name] = index[name][key]
        numbers = iter(tokens[start + len(keyed) : start + step])
        for combination in itertools.product(*(range(len(values[n])) for n in others)):
            at.update(zip(others, combination, strict=True))
            rows.append([shown[n][at[n]] for n in dimensions] + [next(numbers)])
        if len(rows) > cells:
            raise FileRefused(
                file_name,
                f"er en PX-fil der DATA har flere linjer enn dimensjonene gir ({_count(cells)} celler)",
            )
    return rows


def _data(rest: bytes, handle, encoding: str, cells: int | None, file_name: str) -> list[str | None]:
    """The DATA numbers, read in a stream; exactly `cells` of them or FileRefused (`cells`
    None: all of them up to the closing «;», for KEYS)."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    numbers: list[str | None] = []
    carry, chunk, ended = "", rest, False
    while not ended:
        text = carry + decoder.decode(chunk, final=not chunk)
        carry = ""
        if ";" in text:
            text, ended = text[: text.index(";")], True
        elif chunk:  # more to come: a number cut by the chunk waits for the rest of it
            cut = max(text.rfind(c) for c in " \t\r\n,")
            text, carry = text[: cut + 1], text[cut + 1 :]
        for token in re.findall(r'"[^"]*"|[^\s,"]+', text):
            token = token.strip('"')
            numbers.append(None if token == "" else token)
        if (cells is not None and len(numbers) > cells) or not chunk:
            break
        chunk = handle.read(1 << 20)
    if cells is not None and len(numbers) != cells:
        raise FileRefused(
            file_name,
            f"er en PX-fil med {_count(cells)} celler etter dimensjonene, men DATA har {_count(len(numbers))} tall",
        )
    return numbers
