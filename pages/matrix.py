"""Hvor står vi?: member municipalities × the plan's measured criteria, each cell a status.

A cell opens Indikator for that municipality and the criterion's indicator.
"""

from __future__ import annotations

import streamlit as st

from analytics.matrix import status_rank
from analytics.status import STATUS_STYLE, Status
from ui import common
from ui.tables import Cell, html_table

board = common.board()
partnership = common.partnership()
plan = board.plan(partnership)
st.title("Hvor står vi?")
if not common.status_matrix_ready(partnership) and not st.session_state.get("matrix_start"):
    # Judging every criterion in every municipality takes a while the first time after new
    # data (then it is kept): asked for, so that opening the page never stalls the board.
    st.info(
        "Matrisen vurderer hvert suksesskriterium i hver kommune. Første gang etter nye data tar "
        "det litt tid (opptil et par minutter for mange kommuner); etterpå vises den med en gang.",
        icon="⏳",
    )
    if not st.button("Vurder alle kommuner", type="primary", key="matrix_start_button"):
        st.stop()
    st.session_state["matrix_start"] = True
matrix = common.status_matrix(partnership)
st.caption(
    f"{common.safe_md(plan.partnership.name)}: hver kommune mot hvert målbare suksesskriterium i planen. "
    "Statusen er vurdert for kommunen alene, med samme regel som for helsefellesskapet (Kommune-siden). "
    "Milepæler og kriterier som bare følges, har ingen status per kommune og er ikke med. "
    "Klikk en celle for å se indikatoren for kommunen."
)

if not matrix.columns:
    st.info("Planen har ingen målbare suksesskriterier med status per kommune.", icon="ℹ️")
    st.stop()

cells = matrix.cells
present = sorted({Status(s) for s in cells["status"]}, key=status_rank)
group_names = list(dict.fromkeys(c.target_group for c in matrix.columns))
left, middle, right = st.columns([2, 2, 2])
chosen_groups = common.url_multiselect(
    "Målgruppe", "malgruppe", group_names, container=left, placeholder="Alle målgrupper"
)
chosen_status = common.url_multiselect(
    "Vis kommuner med status",
    "status",
    [common.slug(s.value) for s in present],
    format_func=lambda v: common.status_text(next(s for s in present if common.slug(s.value) == v)),
    container=middle,
    placeholder="Alle statuser",
)
columns = [c for c in matrix.columns if not chosen_groups or c.target_group in chosen_groups]
sort_options = ["verst", "navn", *[c.criterion_id for c in columns]]
titles = {c.criterion_id: f"{c.title} ({c.measure_title})" for c in columns}
sort = common.url_select(
    "Sorter etter",
    "sorter",
    sort_options,
    format_func=lambda v: (
        {"verst": "Flest avvik først", "navn": "Kommunenavn"}.get(v) or f"Status: {titles[v]}"
    ),
    container=right,
)

shown_ids = {c.criterion_id for c in columns}
shown = cells[cells["criterion_id"].isin(shown_ids)]
by_unit = {unit: frame.set_index("criterion_id") for unit, frame in shown.groupby("unit_id", sort=False)}
names = dict(zip(cells["unit_id"], cells["name"], strict=False))
wanted = {s.value for s in present if common.slug(s.value) in chosen_status}
units = [u for u, frame in by_unit.items() if not wanted or set(frame["status"]) & wanted]


def _worst_key(unit: str) -> tuple:
    ranks = sorted(status_rank(s) for s in by_unit[unit]["status"])
    return (*ranks, names[unit])


if sort == "navn":
    units.sort(key=lambda u: names[u])
elif sort == "verst":
    units.sort(key=_worst_key)
else:
    units.sort(key=lambda u: (status_rank(by_unit[u].loc[sort, "status"]), names[u]))

counts = shown["status"].value_counts()  # by the status word
st.markdown(
    f"**{len(units)} av {len(by_unit)} kommuner** · {len(columns)} kriterier · "
    + " · ".join(f"{STATUS_STYLE[s][0]} {s.value}: {int(counts.get(s.value, 0))}" for s in present)
)


def _cell(unit: str, criterion_id: str) -> Cell:
    row = by_unit[unit].loc[criterion_id]
    state = Status(row["status"])
    icon, colour = STATUS_STYLE[state]
    value = "" if row["value"] in ("–", None) else f"{row['value']} ({row['period']})"
    return Cell(
        f"{icon} {state.value}",
        hover=row["reason"],
        href=matrix.link(unit, criterion_id),
        small=value or None,
        colour=colour,
    )


groups: list[tuple[str, int]] = []
for column in columns:
    if groups and groups[-1][0] == column.target_group:
        groups[-1] = (column.target_group, groups[-1][1] + 1)
    else:
        groups.append((column.target_group, 1))
headers = ["Kommune", *[c.title for c in columns]]
labels = ["Kommune", *[f"{c.title} ({c.target_group})" for c in columns]]
rows = [[Cell(names[u]), *[_cell(u, c.criterion_id) for c in columns]] for u in units]
st.html(html_table(headers, rows, key="status-matrix", groups=groups, labels=labels, sticky_first=True))

with st.expander("Kriteriene i planens ord"):
    for column in columns:
        st.markdown(
            f"- **{common.safe_md(column.title)}** ({common.safe_md(column.target_group)}): "
            f"{common.safe_md(column.text)}  \n  :small[:gray[Tiltak: {common.safe_md(column.measure_title)}]]"
        )
