"""Milepæler: the plan's milestone criteria, a timeline by deadline, and (for analysts) edits."""

from __future__ import annotations

import streamlit as st

from analytics import clock, export, figures, milestones, writes
from analytics.status import MILESTONE_STATES, STATUS_STYLE, Status
from safety import text
from ui import access, common
from ui.charts import show_chart

board = common.board()
partnership = common.partnership()
plan = board.plan(partnership)
analyst = access.is_analyst()
today = clock.today()

st.title("Milepæler")
st.caption(
    f"{plan.partnership.plan_title} · suksesskriterier som er milepæler, med frist, ansvarlig og status"
)

register = milestones.register(plan, board.store.milestone_states(plan.id), today)
if register.empty:
    st.info("Handlingsplanen har ingen suksesskriterier som er milepæler.")
    st.stop()

status_names = {common.slug(s): common.status_text(Status(s)) for s in register["status"].unique()}
left, middle, right = st.columns(3)
groups = common.url_multiselect(
    "Målgruppe",
    "malgruppe",
    [g.id for g in plan.target_groups if g.id in set(register["target_group_id"])],
    format_func=lambda g: plan.target_group(g).name,
    container=left,
)
statuses = common.url_multiselect(
    "Status", "status", sorted(status_names), format_func=status_names.get, container=middle
)
responsible = common.url_multiselect(
    "Ansvarlig",
    "ansvarlig",
    sorted({r for v in register["responsible"] for r in v.split(", ") if r}),
    container=right,
)
shown = register[
    [
        (not groups or g in groups)
        and (not statuses or common.slug(s) in statuses)
        and (not responsible or any(r in v.split(", ") for r in responsible))
        for g, s, v in zip(
            register["target_group_id"], register["status"], register["responsible"], strict=True
        )
    ]
]

counts = shown["status"].value_counts()
columns = st.columns(5)
for column, state in zip(columns, milestones.TIMELINE_STATUSES, strict=True):
    word = milestones.TIMELINE_WORDS[state]
    column.metric(f"{STATUS_STYLE[state][0]} {word}", int(counts.get(state.value, 0)))

if shown.empty:
    st.info("Ingen milepæler passer med filtrene.")
    st.stop()

demo = board.store.is_demo()
show_chart(
    figures.timeline_figure(shown, today),
    key="milestone_timeline",
    title="Milepæler etter frist",
    source=f"{plan.partnership.plan_title}; milepælregisteret",
    demo=demo,
)

table = milestones.display_table(shown)
st.dataframe(table, hide_index=True, width="stretch")
st.download_button(
    "Last ned milepælene (CSV)",
    data=export.csv_bytes(table),
    file_name=f"milepaeler-{partnership}.csv",
    mime="text/csv",
    key="milestones_csv",
    on_click="ignore",
    icon="📄",
)

st.subheader("Hver milepæl")
if not analyst:
    st.caption("Du ser milepælene. Bare analytikere kan endre status, dato og kommentar.")
for row in shown.itertuples(index=False):
    state_now, comment_now, evidence_now = (
        milestones.clean(v) for v in (row.state, row.comment, row.evidence)
    )
    done_now = milestones.as_date(row.done_date)
    icon = STATUS_STYLE[Status(row.status)][0]
    with st.expander(f"{icon} {row.criterion} · {row.measure_id} · frist {row.deadline or '–'}"):
        st.markdown(f"**Tiltak:** {common.safe_md(row.measure)}")
        st.markdown(
            f"**Ansvarlig:** {common.safe_md(row.responsible or '–')} · "
            f"**Status på tavla:** {common.status_badge(Status(row.status))}  \n"
            f":small[:gray[{common.safe_md(row.reason)}]]"
        )
        if evidence_now:
            url = text.plain_url(evidence_now)  # a link only if the whole field is one http(s) URL
            if url:
                st.markdown(f"**Dokumentasjon:** [{common.safe_md(url)}]({url})")
            else:
                st.markdown(f"**Dokumentasjon:** {common.safe_md(evidence_now)}")
        if analyst:
            with st.form(f"milestone_form_{row.criterion_id}"):
                current = state_now if state_now in MILESTONE_STATES else MILESTONE_STATES[0]
                left, right = st.columns(2)
                state = left.selectbox(
                    "Status",
                    MILESTONE_STATES,
                    index=MILESTONE_STATES.index(current),
                    key=f"ms_state_{row.criterion_id}",
                    placeholder="Velg",
                )
                done = right.date_input(
                    "Dato oppnådd",
                    value=done_now,
                    max_value=today,
                    format="DD.MM.YYYY",
                    key=f"ms_date_{row.criterion_id}",
                    help="Fylles ut når status er «Oppnådd».",
                )
                left, right = st.columns(2)
                comment = left.text_input(
                    "Kommentar", value=comment_now or "", max_chars=300, key=f"ms_comment_{row.criterion_id}"
                )
                evidence = right.text_input(
                    "Dokumentasjon (lenke eller referanse, f.eks. sak i AU eller mandatdokument)",
                    value=evidence_now or "",
                    max_chars=500,
                    key=f"ms_evidence_{row.criterion_id}",
                )
                if st.form_submit_button("Lagre", key=f"ms_save_{row.criterion_id}", type="primary"):
                    try:
                        writes.record_milestone(
                            board.store,
                            plan.id,
                            row.criterion_id,
                            state,
                            access.user_name(),
                            done,
                            comment,
                            evidence,
                            today,
                        )
                    except writes.WriteRefused as exc:
                        st.error(str(exc))
                    else:
                        st.session_state["milestone_saved"] = row.criterion
                        st.rerun()
        history = board.store.milestone_history(plan.id, row.criterion_id)
        if history.empty:
            st.caption("Ingen endringer er registrert.")
        else:
            st.markdown("**Historikk**")
            st.dataframe(
                milestones.history_table(history),
                hide_index=True,
                width="stretch",
                key=f"ms_history_{row.criterion_id}",
            )

saved = st.session_state.pop("milestone_saved", None)
if saved:
    st.toast(f"Lagret: {saved}", icon="✅")
