"""Tables as HTML that fit the screen: text wraps instead of scrolling, full text on hover,
links in cells, and stacked cards at phone width (below 640 px each row becomes a card whose
cells carry their column's name).

st.dataframe cuts long text and scrolls sideways (the Status column of a 1280 px window was
cut at «Oppnåd»); these tables are for the few rows a leader reads, not for data to sort.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

PHONE_WIDTH = 640  # px: below this, rows turn into cards

_CSS = f"""
<style>
.bt-wrap {{ overflow-x: auto; }}
table.bt {{ border-collapse: collapse; width: 100%; font-size: 0.9rem; line-height: 1.35; }}
table.bt th, table.bt td {{ border-bottom: 1px solid rgba(128,128,128,.25); padding: .35rem .5rem;
  text-align: left; vertical-align: top; }}
table.bt th {{ font-weight: 600; background: rgba(128,128,128,.08); }}
table.bt th.bt-group {{ text-align: center; border-left: 2px solid rgba(128,128,128,.35); }}
table.bt td.bt-nowrap, table.bt th.bt-nowrap {{ white-space: nowrap; }}
table.bt td a {{ text-decoration: none; color: inherit; display: block; }}
table.bt td a:hover {{ text-decoration: underline; }}
table.bt td.bt-sticky, table.bt th.bt-sticky {{ position: sticky; left: 0; z-index: 1;
  background: var(--bt-bg, #fff); }}
table.bt .bt-small {{ display: block; color: #57606a; font-size: .8rem; }}
@media (max-width: {PHONE_WIDTH}px) {{
  table.bt thead {{ display: none; }}
  table.bt, table.bt tbody, table.bt tr, table.bt td {{ display: block; width: 100%; }}
  table.bt tr {{ border: 1px solid rgba(128,128,128,.35); border-radius: .5rem; margin: 0 0 .75rem 0;
    padding: .25rem .5rem; }}
  table.bt td {{ border: none; padding: .2rem 0; white-space: normal; position: static; }}
  table.bt td.bt-colour {{ padding-left: .6rem; }}
  table.bt td::before {{ content: attr(data-label); display: block; font-size: .75rem;
    color: #57606a; font-weight: 600; }}
  table.bt td.bt-head {{ font-weight: 600; font-size: 1rem; }}
  table.bt td.bt-head::before {{ content: none; }}
}}
</style>
"""


@dataclass(frozen=True)
class Cell:
    """One cell: the text shown; hover (the full text, as a tooltip); href (a link); a smaller
    second line; the CSS classes (e.g. "bt-nowrap"); colour (a left border, never alone)."""

    text: str
    hover: str | None = None
    href: str | None = None
    small: str | None = None
    css: str = ""
    colour: str | None = None


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _cell(cell: Cell | str, label: str, css: str) -> str:
    cell = cell if isinstance(cell, Cell) else Cell("" if cell is None else str(cell))
    body = html.escape(cell.text)
    if cell.small:
        body += f'<span class="bt-small">{html.escape(cell.small)}</span>'
    if cell.href:
        body = f'<a href="{_attr(cell.href)}" target="_self">{body}</a>'
    attrs = f' data-label="{_attr(label)}"'
    if cell.hover:
        attrs += f' title="{_attr(cell.hover)}"'
    classes = " ".join(c for c in (css, cell.css, "bt-colour" if cell.colour else "") if c)
    if classes:
        attrs += f' class="{classes}"'
    if cell.colour:
        attrs += f' style="box-shadow: inset 4px 0 0 {_attr(cell.colour)}"'
    return f"<td{attrs}>{body}</td>"


def html_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Cell | str]],
    *,
    key: str,
    groups: Sequence[tuple[str, int]] | None = None,
    labels: Sequence[str] | None = None,
    column_css: dict[str, str] | None = None,
    sticky_first: bool = False,
) -> str:
    """The HTML of a table (with its style): `columns` are the header texts, `rows` one list
    of cells per row (a str is plain text). `groups`: an upper header row of (text, span).
    `labels`: each column's name on a phone card (default: the header). The first column is
    the card's heading. `key` names the table (its id, for tests and the browser)."""
    labels = list(labels or columns)
    column_css = column_css or {}
    css = []
    for index, name in enumerate(columns):
        parts = [column_css.get(name, "")]
        if index == 0:
            parts.append("bt-head")
            if sticky_first:
                parts.append("bt-sticky")
        css.append(" ".join(p for p in parts if p))
    head = ""
    if groups:
        head += f'<tr><th class="{css[0]}"></th>'  # groups span the columns after the first
        head += "".join(
            f'<th class="bt-group" colspan="{span}">{html.escape(text)}</th>' for text, span in groups
        )
        head += "</tr>"
    head += "<tr>" + "".join(
        f'<th class="{c}">{html.escape(n)}</th>' for n, c in zip(columns, css, strict=True)
    )
    head += "</tr>"
    body = "".join(
        "<tr>"
        + "".join(_cell(cell, label, c) for cell, label, c in zip(row, labels, css, strict=True))
        + "</tr>"
        for row in rows
    )
    return (
        f'{_CSS}<div class="bt-wrap"><table class="bt" id="{_attr(key)}" data-testid="board-table">'
        f"<thead>{head}</thead><tbody>{body}</tbody></table></div>"
    )
