"""Hvor står vi?: member municipalities × the plan's measured criteria, each cell a status.

A cell opens Indikator for that municipality and the criterion's indicator.
"""

from __future__ import annotations

import streamlit as st

from analytics import matrix as matrix_module
from analytics import protection
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
    "Milepæler og kriterier som bare følges, har ingen status per kommune og er ikke med; "
    "«Følges» i en celle betyr at kriteriet ikke kan vurderes for kommunen alene. "
    "Tallet i cellen er det statusen bygger på (når fristen er passert: tallene fram til fristen). "
    f"«{protection.small_label()}» er {protection.fewer_than()} tilfeller; «:» er et tall som er skjult for å "
    "verne et lite tall et annet sted. "
    "Tellingene gjelder cellene som vises. Hold over en celle for grunnen, eller klikk (trykk) for å "
    "se indikatoren og grunnen for kommunen."
)

if not matrix.columns:
    st.info("Planen har ingen målbare suksesskriterier med status per kommune.", icon="ℹ️")
    st.stop()

present = matrix_module.present_statuses(matrix)
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
columns = matrix_module.chosen_columns(matrix, chosen_groups)
sort_options = [matrix_module.SORT_WORST, matrix_module.SORT_NAME, *[c.criterion_id for c in columns]]
titles = {c.criterion_id: f"{c.title} ({c.measure_title})" for c in columns}
sort = common.url_select(
    "Sorter etter",
    "sorter",
    sort_options,
    format_func=lambda v: (
        {matrix_module.SORT_WORST: "Flest avvik først", matrix_module.SORT_NAME: "Kommunenavn"}.get(v)
        or f"Status: {titles[v]}"
    ),
    container=right,
)
view = matrix_module.matrix_view(
    matrix, chosen_groups, {s for s in present if common.slug(s.value) in chosen_status}, sort
)
st.markdown(
    f"**{len(view.units)} av {view.all_units} kommuner** · {len(view.columns)} kriterier · "
    + " · ".join(f"{STATUS_STYLE[s][0]} {s.value}: {n}" for s, n in view.counts.items())
)


def _cell(unit: str, criterion_id: str) -> Cell:
    row = view.cells[(unit, criterion_id)]
    state = Status(row["status"])
    icon, colour = STATUS_STYLE[state]
    value = "" if row["value"] in ("–", None) else f"{row['value']} ({row['period']})"
    return Cell(
        f"{icon} {state.value}",
        hover=row["reason"],
        href=matrix.link(unit, criterion_id, row["indicator_id"]),
        small=value or None,
        colour=colour,
    )


groups = matrix_module.column_groups(view.columns)
headers = ["Kommune", *[c.title for c in view.columns]]
labels = ["Kommune", *[f"{c.title} ({c.target_group})" for c in view.columns]]
rows = [[Cell(view.names[u]), *[_cell(u, c.criterion_id) for c in view.columns]] for u in view.units]
st.html(html_table(headers, rows, key="status-matrix", groups=groups, labels=labels, sticky_first=True))

with st.expander("Kriteriene i planens ord"):
    for column in columns:
        st.markdown(
            f"- **{common.safe_md(column.title)}** ({common.safe_md(column.target_group)}): "
            f"{common.safe_md(column.text)}  \n  :small[:gray[Tiltak: {common.safe_md(column.measure_title)}]]"
        )
