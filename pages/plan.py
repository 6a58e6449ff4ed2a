"""Handlingsplan: the whole plan as a filterable table; each measure opens its criteria."""

from __future__ import annotations

import streamlit as st

from analytics.tables import criteria_table, measure_table
from ui import common

board = common.board()
partnership = common.partnership()
plan = board.plan(partnership)
status = common.plan_status(partnership)

st.title("Handlingsplan")
st.caption(f"{plan.partnership.plan_title} · kilde: {plan.partnership.source_document}")

table = measure_table(plan, status)
# Each filter keeps ids in the URL (?malgruppe=eldre&prioritet=1&status=forsinket), so the
# view can be bookmarked and sent; the widgets show the plan's own words.
measures = [plan.measure(measure_id) for measure_id in table["id"]]
group_of = {m.id: m.target_group for m in measures}
priority_of = {m.id: str(plan.effective_priority(m) or "ingen") for m in measures}
status_of = {m.id: common.slug(status.measures[m.id].value) for m in measures}
responsible_of = dict(zip(table["id"], table["Ansvarlig"].str.split(", "), strict=True))
deadline_of = dict(zip(table["id"], table["Frist"], strict=True))
status_names = {common.slug(s.value): common.status_text(s) for s in status.measures.values()}

left, middle, right = st.columns(3)
groups = common.url_multiselect(
    "Målgruppe",
    "malgruppe",
    [g.id for g in plan.target_groups if g.id in group_of.values()],
    format_func=lambda g: plan.target_group(g).name,
    container=left,
)
priorities = common.url_multiselect(
    "Prioritet",
    "prioritet",
    sorted(set(priority_of.values())),
    format_func=lambda p: "Ikke angitt" if p == "ingen" else p,
    container=middle,
)
statuses = common.url_multiselect(
    "Status", "status", sorted(status_names), format_func=status_names.get, container=right
)
left, right = st.columns(2)
responsible = common.url_multiselect(
    "Ansvarlig",
    "ansvarlig",
    sorted({r.strip() for v in responsible_of.values() for r in v if r.strip()}),
    container=left,
)
deadlines = common.url_multiselect(
    "Frist", "frist", sorted(set(deadline_of.values()) - {""}), container=right
)

keep = [
    (not groups or group_of[m] in groups)
    and (not priorities or priority_of[m] in priorities)
    and (not statuses or status_of[m] in statuses)
    and (not responsible or any(r in responsible_of[m] for r in responsible))
    and (not deadlines or deadline_of[m] in deadlines)
    for m in table["id"]
]
shown = table[keep]

st.markdown(f"**{len(shown)} av {len(table)} tiltak** · {int(shown['Kriterier'].sum())} suksesskriterier")
st.dataframe(
    shown.drop(columns=["id"]),
    hide_index=True,
    width="stretch",
    column_config={
        "Tiltak": st.column_config.TextColumn(
            width="medium", help="Tavlas korttittel; planens tekst til høyre"
        ),
        "Status": st.column_config.TextColumn(width="medium"),
        "Tiltakstekst": st.column_config.TextColumn("Tiltakstekst (planens ord)", width="large"),
    },
)

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
        st.dataframe(
            criteria_table(plan, measure, status, board.registry),
            hide_index=True,
            width="stretch",
            column_config={
                "Kriterium": st.column_config.TextColumn(width="medium"),
                "Status": st.column_config.TextColumn(width="medium"),
            },
        )
