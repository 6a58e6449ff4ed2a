"""Oversikt: vision, focus areas, goals and target groups, and every measure's status."""

from __future__ import annotations

import streamlit as st

from analytics import formatting
from analytics.status import STATUS_STYLE
from analytics.summary import end_column, icon_summary, period_end, period_ended
from analytics.tables import status_counts
from ui import common
from ui.tables import Cell, html_table

board = common.board()
partnership = common.partnership()
plan = board.plan(partnership)
status = common.plan_status(partnership)
info = plan.partnership

st.title(info.name)
st.caption(f"{info.plan_title} · {info.period_start}–{info.period_end}")
if info.vision:
    st.markdown(f"**Visjon:** {info.vision}")
if info.goal_statement:
    st.markdown(f"**Mål:** {info.goal_statement}")
if info.values:
    with st.expander("Verdigrunnlag"):
        st.markdown(info.values)

# A plan whose period is over: what was reached by its end, beside what has happened since.
ended = period_ended(plan)
at_end = common.plan_status(partnership, as_of=period_end(plan)) if ended else None
if ended:
    st.info(
        f"**Planperioden er over.** {common.safe_md(info.plan_title)} gjaldt {info.period_start}–"
        f"{info.period_end} og ble avsluttet {formatting.date(period_end(plan))}. Sammendraget viser hvert "
        f"tiltaks status ved periodens slutt (på tallene fram til da) ved siden av status nå. "
        "Møtepakken kan lages per denne datoen.",
        icon="🏁",
    )

st.subheader("Tiltak etter status")
counts = status_counts(plan, status)
items = list(counts.items())
for start in range(0, len(items), 4):  # four to a row: eight in one row cut «Ikke på sporet» at 1280 px
    for column, (state, count) in zip(st.columns(4), items[start : start + 4], strict=False):
        column.metric(f"{STATUS_STYLE[state][0]} {state.value}", count)

st.subheader("Sammendrag med ikoner")
st.caption(
    "Én rad per tiltak: variasjon (SPC) i siste punkt, om målet nås (SPC eller framskriving) og status. "
    "〰️ vanlig variasjon · ⬆️⬇️ forbedring · ⚠️ bekymring · ✔️ når målet stabilt · ❓ treffer og bommer · "
    "✖️ når ikke målet · 📈 når målet i dagens tempo."
)
summary = icon_summary(plan, status, at_end)
# The board's short titles; the plan's own words on hover (and in full further down the page).
full_text = {m.title: m.text for m in plan.leaf_measures}
st.html(
    html_table(
        list(summary.columns),
        [
            [Cell(row[0], hover=full_text.get(row[0])), *(Cell(str(v)) for v in row[1:])]
            for row in summary.itertuples(index=False)
        ],
        key="icon-summary",
        column_css={"Status": "bt-nowrap", **({end_column(plan): "bt-nowrap"} if ended else {})},
    )
)

st.subheader("Satsningsområder")
for area in plan.focus_areas:
    prefix = f"{area.number}. " if area.number else ""
    groups = f" — {', '.join(area.groups)}" if area.groups else ""
    st.markdown(f"{common.status_badge(status.focus_areas[area.id])} **{prefix}{area.title}**{groups}")

for goal in plan.goals:
    st.subheader(goal.text)
    if goal.label:
        st.caption(goal.label)
    st.markdown(f"Samlet status: {common.status_badge(status.goals[goal.id])}")
    for group in [g for g in plan.target_groups if g.goal == goal.id]:
        st.markdown(f"**Målgruppe: {group.name}** · {common.status_text(status.target_groups[group.id])}")
        for measure in [m for m in plan.leaf_measures if m.target_group == group.id and m.goal == goal.id]:
            reason = status.measure_reason(plan, measure)
            st.markdown(
                f"- {common.status_badge(status.measures[measure.id])} {measure.text}  \n"
                f"  :small[:gray[{reason}]]",
                unsafe_allow_html=False,
            )
