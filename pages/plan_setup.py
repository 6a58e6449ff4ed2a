"""Planoppsett: the values the board may set per criterion, where each comes from, the
decisions with their history and undo, export of the plan file, and «Ny planperiode».

Analysts edit; leaders read the values, the decisions and their history. The plan's own
words are shown read-only. Every write goes through analytics.plan_overlay (as the CLI).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import plan_overlay as overlay
from analytics.plan import KIND_LABELS, CriterionKind
from ui import access, common

board = common.board()
key = common.partnership()
plan = board.plan(key)
analyst = access.is_analyst()
current = board.is_current(key)
editable = analyst and current

st.title("Planoppsett")
st.caption(
    f"{common.safe_md(plan.partnership.plan_title)} · planperiode {plan.period_text} · "
    "verdiene tavla bruker der planen ikke tallfester dem, og vedtakene som har endret dem"
)
if not analyst:
    st.info("Du ser verdiene og vedtakene. Bare analytikere kan endre dem.", icon="👁️")
elif not current:
    st.info("Planperioden er avsluttet: verdiene og vedtakene kan bare leses.", icon="🗄️")

flash = st.session_state.pop("plan_setup_flash", None)
if flash:
    st.success(flash)

# -- choose a criterion ------------------------------------------------------------------------
entries = [(m, c) for m, c in plan.criteria]
labels = {c.id: f"{m.id} · {m.title} — {c.id} · {c.title}" for m, c in entries}
chosen = common.url_select(
    "Suksesskriterium", "kriterium", list(labels), format_func=labels.get, container=st
)
measure, criterion = next((m, c) for m, c in entries if c.id == chosen)

with st.container(border=True):
    st.markdown("**Planens tekst** (ordrett fra kildedokumentet, kan ikke endres her)")
    st.markdown(f"Tiltak {measure.id}: {common.safe_md(measure.text)}")
    st.markdown(f"Suksesskriterium {criterion.id}: {common.safe_md(criterion.text)}")
    st.caption(
        f"Type: {KIND_LABELS[criterion.kind]} · frist "
        f"{(plan.effective_deadline(measure).text if plan.effective_deadline(measure) else '–')}"
        + (" · foreslått av tavla" if criterion.proposed else "")
    )

judgement = common.plan_status(key).criteria.get(criterion.id)
if judgement is not None:
    st.markdown(
        f"**Status på tavla:** {common.status_badge(judgement.status)}  \n{common.safe_md(judgement.reason)}"
    )

views = overlay.value_views(board, key, criterion.id) + overlay.value_views(board, key, measure.id)
st.markdown("**Verdiene tavla bruker**")
st.dataframe(
    pd.DataFrame([{"Verdi": v.label, "Nå": v.value, "Kilde": v.source} for v in views]),
    hide_index=True,
    width="stretch",
    key=f"ps_values_{criterion.id}",
    column_config={"Kilde": st.column_config.TextColumn(width="large")},
)


def _form_key(name: str) -> str:
    return f"ps_{name}_{criterion.id}"


def _reset_form() -> None:
    for state_key in [k for k in st.session_state if str(k).startswith("ps_") and criterion.id in str(k)]:
        del st.session_state[state_key]


if editable:
    numeric = bool(criterion.indicators)
    indicator_ids = sorted(board.registry.ids())
    with st.form(f"ps_form_{criterion.id}"):
        changes: dict[str, object] = {}
        if criterion.kind is CriterionKind.target:
            left, right = st.columns(2)
            target = criterion.target
            changes["target_value"] = left.text_input(
                "Målverdi",
                value=""
                if target is None or target.value is None
                else overlay.show_value("target_value", target.value, board.registry),
                key=_form_key("target"),
                help="Tallet kriteriet skal nå (andeler i prosent). Tomt: planens eller tavlas mål.",
            )
            directions = ["", "increase", "decrease"]
            changes["target_direction"] = right.selectbox(
                "Retning for målet",
                directions,
                index=directions.index((target.direction if target else None) or ""),
                format_func=lambda d: overlay.DIRECTION_LABELS.get(d, "indikatorens retning"),
                key=_form_key("direction"),
                placeholder="Velg",
            )
            if changes["target_direction"] == "":
                changes.pop("target_direction")
        if numeric:
            base = plan.baseline_for(criterion)
            left, middle, right = st.columns(3)
            base_from = left.text_input(
                "Grunnlinje fra (ÅÅÅÅ-MM)", value=f"{base.start:%Y-%m}", key=_form_key("base_from")
            )
            base_to = middle.text_input(
                "Grunnlinje til (ÅÅÅÅ-MM)", value=f"{base.end:%Y-%m}", key=_form_key("base_to")
            )
            changes["baseline"] = {"from": base_from, "to": base_to}
            changes["change_date"] = right.text_input(
                "Endringsdato (ÅÅÅÅ-MM, tomt: ingen)",
                value=f"{criterion.change.date:%Y-%m}" if criterion.change else "",
                key=_form_key("change"),
                help="Prosessen endret seg (f.eks. en utrulling startet): nye kontrollgrenser fra denne måneden.",
            )
            changes["indicator"] = st.selectbox(
                "Indikator som måler kriteriet",
                indicator_ids,
                index=indicator_ids.index(criterion.indicator) if criterion.indicator in indicator_ids else 0,
                format_func=lambda i: f"{board.registry.get(i).name} ({i})",
                key=_form_key("indicator"),
                placeholder="Velg",
            )
        if criterion.kind is CriterionKind.before_after:
            members = board.member_ids(key)
            changes["comparison_units"] = st.multiselect(
                "Sammenligningsgruppe (enheter som ikke deltar)",
                members,
                default=[
                    u for u in (criterion.comparison.units if criterion.comparison else []) if u in members
                ],
                format_func=lambda u: f"{board.unit_name(u)} ({u})",
                key=_form_key("comparison"),
                placeholder="Velg",
            )
        left, right = st.columns(2)
        changes["short"] = left.text_input(
            "Kort tittel (kriterium)", value=criterion.short or "", key=_form_key("short")
        )
        measure_short = right.text_input(
            "Kort tittel (tiltak)", value=measure.short or "", key=_form_key("measure_short")
        )
        reference = st.text_input(
            "Vedtak (valgfritt), f.eks. «Vedtatt i AU 12.03.2026»", key=_form_key("reference"), max_chars=200
        )
        if st.form_submit_button("Lagre", type="primary", key=_form_key("save")):
            try:
                ids = overlay.decide(board, key, criterion.id, changes, access.user_name(), reference)
                ids += overlay.decide(
                    board, key, measure.id, {"measure_short": measure_short}, access.user_name(), reference
                )
            except overlay.DecisionRefused as exc:
                st.error(str(exc))
            else:
                _reset_form()
                st.session_state["plan_setup_flash"] = (
                    f"Lagret: {len(ids)} endring{'er' if len(ids) != 1 else ''}."
                    if ids
                    else "Ingen verdier var endret."
                )
                st.rerun()

# -- decisions and their history ---------------------------------------------------------------------
st.subheader("Vedtak og historikk")
rows = overlay.decision_rows(board, key)
if not rows:
    st.caption("Ingen verdier er endret i tavla for denne planperioden; alle kommer fra planfilen.")
else:
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        key="ps_history",
        column_config={
            "Nr.": st.column_config.NumberColumn(width="small"),
            "Når": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm"),
            "Gjelder": st.column_config.TextColumn(width="small"),
        },
    )
    active = [r["Nr."] for r in rows if not r["Angret"]]
    if editable and active:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        undo_id = left.selectbox(
            "Angre en endring",
            active,
            format_func=lambda n: next(
                f"Nr. {n}: {r['Gjelder']} – {r['Verdi'].lower()} ({r['Før']} → {r['Etter']})"
                for r in rows
                if r["Nr."] == n
            ),
            key="ps_undo_choice",
            placeholder="Velg",
        )
        if right.button("Angre", key="ps_undo"):
            try:
                message = overlay.undo_decision(board, int(undo_id), access.user_name())
            except overlay.DecisionRefused as exc:
                st.error(str(exc))
            else:
                _reset_form()
                st.session_state["plan_setup_flash"] = message
                st.rerun()

# -- files ---------------------------------------------------------------------------------------------
st.subheader("Planfilen")
st.caption(
    "Planfilene i data/plan er kilden. Vedtakene over er et lag over filen; lastes planen ned og "
    "legges i data/plan, gir den den samme planen. Kommandolinjen: "
    f"«python -m loaders plan export --partnership {plan.id}»."
)
st.download_button(
    "Last ned planen med vedtak (YAML)",
    data=overlay.plan_yaml(plan).encode("utf-8"),
    file_name=f"{plan.period_id}.yaml",
    mime="application/x-yaml",
    key="ps_export",
    on_click="ignore",
    icon="📄",
)

if not current:
    report = overlay.period_report(board, key)
    st.subheader("Ved periodens slutt")
    names = {m.id: m.title for m in plan.measures}
    for word, ids in (
        ("Videreført", report["carried"]),
        ("Fullført", report["finished"]),
        ("Strøket", report["dropped"]),
    ):
        if ids:
            st.markdown(f"**{word}:** " + ", ".join(f"{i} {common.safe_md(names.get(i, ''))}" for i in ids))

# -- a new plan period --------------------------------------------------------------------------------
if editable:
    st.subheader("Ny planperiode")
    new_period = st.expander("Kopier planen til neste planperiode")
    new_period.caption(
        "Kopierer planen til neste periode. Velg for hvert tiltak om det videreføres med ny frist, "
        "er fullført, eller strykes. Kriteriene beholder indikatorer, grunnlinjer og vedtak. Den "
        "gamle planen blir liggende på tavla, bare for lesing, med status ved periodens slutt."
    )
    with new_period.form("ps_new_period"):
        end_year = plan.partnership.period_end
        length = plan.partnership.period_end - plan.partnership.period_start
        left, right = st.columns(2)
        start = int(left.number_input("Fra år", value=end_year + 1, step=1, key="ps_np_start"))
        end = int(right.number_input("Til år", value=end_year + 1 + length, step=1, key="ps_np_end"))
        choices: dict[str, tuple[str, str | None]] = {}
        for leaf in plan.leaf_measures:
            left, right = st.columns([3, 1])
            choice = left.radio(
                f"{leaf.id} · {leaf.title}",
                list(overlay.CHOICE_LABELS),
                format_func=overlay.CHOICE_LABELS.get,
                horizontal=True,
                key=f"ps_np_choice_{leaf.id}",
            )
            deadline = right.text_input(
                "Ny frist", value="", placeholder="periodens slutt", key=f"ps_np_deadline_{leaf.id}"
            )
            choices[leaf.id] = (choice, deadline or None)
        if st.form_submit_button("Opprett planperiode", key="ps_np_create"):
            try:
                new = overlay.create_period(board, key, start, end, choices, access.user_name())
            except overlay.DecisionRefused as exc:
                st.error(str(exc))
            else:
                st.session_state["plan_setup_flash"] = (
                    f"Planperioden {new.period_text} er opprettet med {len(new.predecessor.carried)} tiltak. "
                    f"{plan.period_text} kan fortsatt velges i sidepanelet (bare lesing)."
                )
                st.rerun()
