"""JSON-stat 2.0 datasets, the statistics banks' API format (SSB's PxWebApi, FHI, Eurostat),
and JSON-stat 1.0 bundles of one dataset (SSB's older API, data.ssb.no/api/v0, answers «json-stat»
with a bundle: {"dataset": {...}}, the dimensions' `id`, `size` and `role` inside `dimension`),
read as the same dataset in 2.0 form (https://json-stat.org/format/ , «Changes from version 1.0»).

A dataset names its dimensions (`id`, `size`), each dimension's categories (`index` as a list
or an object, `label`), which dimension is time and which is geography (`role`), the values in
row-major order (`value`, a list or a sparse object) and markers for missing ones (`status`).
The reader returns a long table: one column per dimension (by its label), one for the value.

Own reader, not pyjstat (2.4.0, last released March 2023): the format is small and fully
specified (https://json-stat.org/full/), and here the number of cells is checked against
Limits.cells before the table is built, and the file's size against Limits.json_bytes
before it is parsed at all.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from loaders.formats.base import Limits, ReadChoices, ReadGuess, RowsTable, column_names, over_limit
from loaders.formats.px import GEO_WORDS, TIME_WORDS, VALUE_COLUMN
from loaders.problems import FileRefused, counted


def matches(path: Path, sample: bytes) -> bool:
    head = sample.lstrip(b"\xef\xbb\xbf \t\r\n")
    return path.suffix.lower() == ".json" or head.startswith(b"{")


def open_jsonstat(path: Path, file_name: str, choices: ReadChoices, limits: Limits) -> RowsTable:
    """Read a JSON-stat 2.0 dataset (or a 1.0 bundle or 2.0 collection of one) into a long table;
    FileRefused when it is neither, or a bundle or collection of several datasets (one sentence
    naming them)."""
    size = path.stat().st_size
    if size > limits.json_bytes:
        raise over_limit(file_name, "json_bytes", size, limits)
    try:
        text = path.read_bytes().decode("utf-8-sig")
        data = json.loads(text)
    except (UnicodeDecodeError, RecursionError):
        raise FileRefused(file_name, "er ikke gyldig JSON (og ikke en tabell)") from None
    except json.JSONDecodeError:
        data = _json_lines(text)  # JSON Lines: one record per line
        if data is None:
            raise FileRefused(file_name, "er ikke gyldig JSON (og ikke en tabell)") from None
    if (records := _records(data)) is not None:
        return _record_table(path, file_name, records, limits)
    if isinstance(data, dict) and "class" not in data and (bundled := _bundled(data)):
        if len(bundled) > 1:
            names = ", ".join(f"«{name}»" for name in list(bundled)[:6])
            raise FileRefused(
                file_name,
                f"er en JSON-stat 1.0-bunt med {len(bundled)} datasett ({names}); last ned én tabell "
                "om gangen",
            )
        data = _version_2(next(iter(bundled.values())))
    elif isinstance(data, dict) and data.get("class") == "collection":
        data = _collected(data, file_name)
    elif isinstance(data, dict) and "dataset" in data and "class" not in data:
        raise FileRefused(file_name, "er JSON-stat 1.0; last ned tabellen som JSON-stat 2.0 eller CSV")
    if not isinstance(data, dict) or data.get("class") != "dataset" or "dimension" not in data:
        kind = data.get("class") if isinstance(data, dict) else None
        what = f" (class «{kind}»)" if kind else ""
        raise FileRefused(file_name, f"er JSON, men ikke et JSON-stat 2.0-datasett{what}; last ned én tabell")
    try:
        return _dataset(path, file_name, data, limits)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        raise FileRefused(
            file_name, "er et JSON-stat-datasett som ikke følger formatet (dimensjoner eller verdier mangler)"
        ) from None


def _bundled(data: dict) -> dict[str, dict]:
    """A JSON-stat 1.0 bundle's datasets by name (each a dict with `dimension` holding `id` and
    `size`, and `value`); empty when `data` is no such bundle."""
    found = {
        name: item
        for name, item in data.items()
        if isinstance(item, dict)
        and isinstance(item.get("dimension"), dict)
        and "id" in item["dimension"]
        and "size" in item["dimension"]
        and "value" in item
    }
    return found if found and len(found) == len(data) else {}


# The key an API puts its list of records under ({"data": [...]}), when it holds only that list
RECORD_KEYS = ("data", "rows", "records", "items", "results", "value", "values")


def _json_lines(text: str) -> list | None:
    """The records of a JSON Lines file (one object per line), or None when it is no such file."""
    records = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            return None
        if not isinstance(record, dict):
            return None
        records.append(record)
    return records or None


def _records(data: object) -> list[dict] | None:
    """A plain JSON table, as APIs and scripts write one: a list of flat objects (one per row,
    keys as columns), or an object holding only such a list under RECORD_KEYS. None otherwise
    (JSON-stat, anything nested)."""
    if isinstance(data, dict) and "class" not in data and "dimension" not in data:
        lists = [data[k] for k in RECORD_KEYS if isinstance(data.get(k), list)]
        if len(lists) == 1 and all(not isinstance(v, (list, dict)) or v is lists[0] for v in data.values()):
            data = lists[0]
    if not isinstance(data, list) or not data or not all(isinstance(r, dict) for r in data):
        return None
    if any(isinstance(v, (list, dict)) for record in data for v in record.values()):
        return None
    return data


def _record_table(path: Path, file_name: str, records: list[dict], limits: Limits) -> RowsTable:
    """The records as rows (keys in first-seen order as columns; a missing key an empty cell)."""
    from loaders.formats.excel import _excel_cell

    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    if len(keys) > limits.columns:
        raise over_limit(file_name, "columns", len(keys), limits)
    if len(keys) * len(records) > limits.cells:
        raise over_limit(file_name, "cells", len(keys) * len(records), limits)
    if len(keys) < 2:
        raise FileRefused(
            file_name, "er JSON med bare én kolonne; en tabell trenger minst enhet, periode og verdi"
        )
    rows = [[_excel_cell(record.get(k)) for k in keys] for record in records]
    # line N is the N-th record (no header line in the file)
    guess = ReadGuess("json", "utf-8", "", 0, column_names(list(keys), len(keys)), body_line=1)
    guess.notes.append(
        f"Filen er JSON med {counted(len(records), 'post', 'poster')}; «linje» er postens nummer."
    )
    return RowsTable(path, file_name, guess, rows)


def _collected(data: dict, file_name: str) -> dict:
    """The one dataset a JSON-stat 2.0 collection holds (`link.item`, JSON-stat 2.0 §
    «collection»: items of class «dataset» with their `dimension` inside); FileRefused, one
    sentence naming them, when it holds several or only links to them."""
    link = data.get("link") if isinstance(data.get("link"), dict) else {}
    items = [i for i in (link.get("item") or []) if isinstance(i, dict)]
    datasets = [i for i in items if i.get("class") == "dataset" and isinstance(i.get("dimension"), dict)]
    if len(datasets) == 1 and len(items) == 1:
        return datasets[0]
    names = ", ".join(f"«{i.get('label') or i.get('href') or '?'}»" for i in items[:6])
    if not items:
        raise FileRefused(
            file_name, "er en JSON-stat-samling (class «collection») uten tabeller; last ned én tabell"
        )
    held = f"{'med' if datasets else 'som lenker til'} {counted(len(items), 'tabell', 'tabeller')}"
    raise FileRefused(
        file_name,
        f"er en JSON-stat-samling (class «collection») {held} ({names}); last ned én tabell om gangen",
    )


def _version_2(dataset: dict) -> dict:
    """A JSON-stat 1.0 dataset in 2.0 form: `id`, `size` and `role` moved out of `dimension`."""
    dimension = dataset["dimension"]
    return {
        **{k: v for k, v in dataset.items() if k != "dimension"},
        "class": "dataset",
        "id": dimension["id"],
        "size": dimension["size"],
        "role": dimension.get("role") or {},
        "dimension": {k: v for k, v in dimension.items() if k not in ("id", "size", "role")},
    }


def _dataset(path: Path, file_name: str, data: dict, limits: Limits) -> RowsTable:
    ids: list[str] = list(data["id"])
    sizes: list[int] = [int(n) for n in data["size"]]
    if len(ids) != len(sizes):
        raise ValueError("id and size differ")
    cells = math.prod(sizes)
    if cells * (len(ids) + 1) > limits.cells:
        raise over_limit(file_name, "cells", cells * (len(ids) + 1), limits)
    roles = data.get("role") or {}
    time = next(iter(roles.get("time") or []), None)
    geo = next(iter(roles.get("geo") or []), None)
    labels = {i: str(data["dimension"][i].get("label") or i) for i in ids}
    time = time or next((i for i in ids if TIME_WORDS.match(labels[i]) or TIME_WORDS.match(i)), None)
    geo = geo or next(
        (i for i in ids if i != time and (GEO_WORDS.search(labels[i]) or GEO_WORDS.search(i))), None
    )
    shown: list[list[str]] = []
    for dim_id, n in zip(ids, sizes, strict=True):
        category = data["dimension"][dim_id]["category"]
        index = category.get("index")
        if index is None:
            codes = list(category["label"])
        elif isinstance(index, list):
            codes = [str(c) for c in index]
        else:
            codes = [c for c, _ in sorted(index.items(), key=lambda item: int(item[1]))]
        if len(codes) != n:
            raise ValueError("size and categories differ")
        names = category.get("label") or {}
        if dim_id == time:
            shown.append(codes)
        elif dim_id == geo:
            shown.append([_unit(c, str(names.get(c, c))) for c in codes])
        else:
            shown.append([str(names.get(c, c)) for c in codes])
    values = data["value"]
    status = data.get("status") or {}
    rows = []
    strides = [math.prod(sizes[k + 1 :]) for k in range(len(sizes))]
    for flat in range(cells):
        value = values.get(str(flat)) if isinstance(values, dict) else values[flat]
        mark = (
            status.get(str(flat))
            if isinstance(status, dict)
            else (status[flat] if isinstance(status, list) else status)
        )
        if value is None or str(mark).strip() in WITHHELD:
            # a cell the status says is missing or confidential is that, even with a number
            # beside it (a 0 written for «:» is no zero)
            # (a cell without a value is missing whatever its status says: «p», provisional, for
            # every cell as one string, is no value)
            text = str(mark).strip() if mark is not None and str(mark).strip() in WITHHELD else None
        else:
            text = (
                repr(value)
                if isinstance(value, float) and not value.is_integer()
                else str(int(value))
                if isinstance(value, (int, float))
                else str(value)
            )
        rows.append([shown[k][(flat // strides[k]) % sizes[k]] for k in range(len(ids))] + [text])
    columns = column_names([labels[i] for i in ids], len(ids)) + [VALUE_COLUMN]
    guess = ReadGuess("jsonstat", "utf-8", "", 1, columns)
    guess.known_roles = {"value": VALUE_COLUMN}
    if geo:
        guess.known_roles["unit"] = columns[ids.index(geo)]
    if time:
        guess.known_roles["period"] = columns[ids.index(time)]
    guess.dimensions = {columns[k]: shown[k] for k, i in enumerate(ids) if i not in (geo, time)}
    return RowsTable(path, file_name, guess, rows)


# Statuses that withhold a cell (missing «..», confidential «:», not applicable «.»), as SSB's and
# FHI's statbanks write them.
WITHHELD = frozenset({"..", "...", ":", "."})


def _unit(code: str, label: str) -> str:
    """'3205' and 'Lillestrøm' → '3205 Lillestrøm' (SSB's 'K-3205' the resolver reads as 3205)."""
    return label if label.startswith(code) else f"{code} {label}"
