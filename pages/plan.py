"""Handlingsplan: the whole plan as a filterable table; each measure opens its criteria."""

from __future__ import annotations

import streamlit as st

from analytics.tables import criteria_table, measure_table
from pages import common

board = common.board()
partnership = common.partnership()
plan = board.plan(partnership)
status = common.plan_status(partnership)

st.title("Handlingsplan")
st.caption(f"{plan.partnership.plan_title} · kilde: {plan.partnership.source_document}")

table = measure_table(plan, status)
left, middle, right = st.columns(3)
groups = left.multiselect("Målgruppe", sorted(table["Målgruppe"].unique()), key="plan_group")
priorities = middle.multiselect("Prioritet", sorted(table["Prioritet"].unique()), key="plan_priority")
statuses = right.multiselect("Status", sorted(table["Status"].unique()), key="plan_status")
left, right = st.columns(2)
responsible = left.multiselect(
    "Ansvarlig",
    sorted({r.strip() for v in table["Ansvarlig"] for r in v.split(",") if r.strip()}),
    key="plan_resp",
)
deadlines = right.multiselect("Frist", sorted(table["Frist"].unique()), key="plan_deadline")

shown = table
if groups:
    shown = shown[shown["Målgruppe"].isin(groups)]
if priorities:
    shown = shown[shown["Prioritet"].isin(priorities)]
if statuses:
    shown = shown[shown["Status"].isin(statuses)]
if responsible:
    shown = shown[shown["Ansvarlig"].apply(lambda v: any(r in v.split(", ") for r in responsible))]
if deadlines:
    shown = shown[shown["Frist"].isin(deadlines)]

st.markdown(f"**{len(shown)} av {len(table)} tiltak** · {int(shown['Kriterier'].sum())} suksesskriterier")
st.dataframe(shown.drop(columns=["id"]), hide_index=True, width="stretch")

st.subheader("Tiltak og suksesskriterier")
for measure_id in shown["id"]:
    measure = plan.measure(measure_id)
    parent = plan.parent_of(measure)
    with st.expander(f"{common.status_text(status.measures[measure.id])} · {measure.text}"):
        if parent:
            st.caption(f"Del av: {parent.text}")
        if measure.sub_points:
            st.markdown("\n".join(f"- {point}" for point in measure.sub_points))
        if measure.references:
            refs = "; ".join(
                f"{r.title} ({r.publisher})" if r.publisher else r.title for r in measure.references
            )
            st.caption(f"Referanser: {refs}")
        if measure.priority_note:
            st.caption(measure.priority_note)
        if measure.note:
            st.caption(f"Merknad: {measure.note}")
        st.dataframe(criteria_table(plan, measure, status, board.registry), hide_index=True, width="stretch")
