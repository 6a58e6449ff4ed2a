"""Helpers that tests and the page benchmark share (no pytest here: the benchmark imports it)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dashboard_pages() -> list[tuple[str, str, str, str, bool]]:
    """dashboard.PAGES: (file, title, icon, url path, analysts only), read from the source
    (importing dashboard.py would run the app)."""
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [tuple(row) for row in ast.literal_eval(node.value)]
    raise AssertionError("dashboard.py has no PAGES list")


def copy_store(source: Path, target: Path) -> Path:
    """A DuckDB store file with its write-ahead log, if it has one (tests that change a store)."""
    shutil.copy(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target


def html_table_frame(body: str, table_id: str):
    """The body rows of an HTML table made by ui.tables.html_table, as a DataFrame (cell text,
    with a cell's small second line left out), columns from its last header row."""
    from html.parser import HTMLParser

    import pandas as pd

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside = self.small = False
            self.headers: list[str] = []
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None
            self.in_head = False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "table":
                self.inside = attrs.get("id") == table_id
            elif self.inside and tag == "thead":
                self.in_head = True
            elif self.inside and tag == "tr":
                if self.in_head:
                    self.headers = []
                else:
                    self.rows.append([])
            elif self.inside and tag in ("td", "th"):
                self.cell = []
            elif self.inside and tag == "span" and "bt-small" in (attrs.get("class") or ""):
                self.small = True

        def handle_endtag(self, tag):
            if tag == "table":
                self.inside = False
            elif tag == "thead":
                self.in_head = False
            elif tag == "span":
                self.small = False
            elif self.inside and tag in ("td", "th") and self.cell is not None:
                text = "".join(self.cell).strip()
                (self.headers if self.in_head else self.rows[-1]).append(text)
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None and not self.small:
                self.cell.append(data)

    parser = Parser()
    parser.feed(body)
    return pd.DataFrame(parser.rows, columns=parser.headers)


def html_table_of(at, table_id: str):
    """The DataFrame of the st.html table with that id on an AppTest page."""
    body = next(h.proto.body for h in at.get("html") if f'id="{table_id}"' in h.proto.body)
    return html_table_frame(body, table_id)


def count_indicator_fields(**changes: object) -> dict:
    """A registry entry as YAML holds it: a monthly count of persons 65+ per 1 000 of 65+
    (unit tests, and the benchmark's extra indicators); ``changes`` replace fields."""
    base = {
        "id": "x",
        "name": "Antall brudd",
        "unit": "antall",
        "kind": "count",
        "grain": "month",
        "direction": "decrease",
        "population": "population_65_plus",
        "numerator_age": "65+",
        "source": "Test",
        "source_detail": "Test",
        "definition_source": "Test",
        "protect_small": True,
        "description": "Test",
    }
    return {**base, **changes}


def count_indicator(**changes: object):
    """count_indicator_fields as a registry Indicator."""
    from analytics.registry import Indicator

    return Indicator(**count_indicator_fields(**changes))


# Codes that are not derivable from code_history.csv alone: municipalities that kept their code
# through a 2020 merger (Stavanger took Finnøy and Rennesøy, Trondheim Klæbu), and the pre-2020 Møre og Romsdal codes written straight to their 2024 code because
# the 2020 Ålesund was split back in 2024 (SSB harmonises them to K.1508 and K.1580).
KEPT_THROUGH_2020_MERGER = {"1103", "5001"}
ALESUND_HARAM_BEFORE_2020 = {"1504", "1523", "1529", "1534", "1546"}


def national_codes(year: int) -> dict[str, str]:
    """code → name of every municipality valid on 1 January of `year` (2019 or 2022), built
    from data/reference (code_history.csv and municipalities_norway.csv): what a national
    file of that year lists. SSB: 422 municipalities in 2019, 356 in 2020–2023."""
    import pandas as pd

    ref = ROOT / "data" / "reference"
    history = pd.read_csv(ref / "code_history.csv", dtype=str, keep_default_na=False)
    today = pd.read_csv(ref / "municipalities_norway.csv", dtype=str, keep_default_na=False)
    if year == 2019:
        gone = history[
            (history["changed"] == "2020-01-01") | history["old_code"].isin(ALESUND_HARAM_BEFORE_2020)
        ]
        later = history.loc[history["changed"] >= "2020-01-01", "new_code"]
        kept = today[~today["code"].isin(later) | today["code"].isin(KEPT_THROUGH_2020_MERGER)]
    elif year == 2022:
        gone = history[
            (history["changed"] == "2024-01-01") & ~history["old_code"].isin(ALESUND_HARAM_BEFORE_2020)
        ]
        kept = today[~today["code"].isin(gone["new_code"])]
    else:
        raise ValueError(f"no national list for {year}")
    codes = dict(zip(gone["old_code"], gone["old_name"], strict=False))
    codes.update(zip(kept["code"], kept["name"], strict=True))
    return dict(sorted(codes.items()))
