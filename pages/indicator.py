"""Indikator: one indicator in depth — SPC, projection, funnel, per municipality, the numbers."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from analytics.indicator_view import member_units, shown_indicator_ids
from analytics.periods import grain_chain
from analytics.registry import DIRECTION_LABELS, GRAIN_LABELS
from ui import common
from ui.charts import show_chart

board = common.board()
partnership = common.partnership()
registry = board.registry
ids = shown_indicator_ids(board, partnership)
plan = board.plan(partnership)

st.title("Indikator")
asked = st.query_params.get("indikator")
if asked and asked not in ids and st.session_state.get("url_indikator") is None:
    # A link to an indicator this partnership has no figures for: say so, never switch silently.
    name = registry.get(asked).name if asked in registry else asked
    offers = " · ".join(
        f"[{common.safe_md(registry.get(i).name)}](/indikator?{urlencode({'hf': partnership, 'indikator': i})})"
        for i in ids[:8]
    )
    st.warning(
        f"**{common.safe_md(name)}** har ingen tall for {common.safe_md(plan.partnership.name)}, "
        f"så siden viser {common.safe_md(registry.get(ids[0]).name)}. Indikatorer med tall: {offers}",
        icon="🔎",
    )
left, middle, right = st.columns([3, 2, 1])
indicator_id = common.url_select(
    "Indikator", "indikator", ids, format_func=lambda i: registry.get(i).name, container=left
)
indicator = registry.get(indicator_id)
demo = common.synthetic([indicator_id])  # the label on this indicator's charts
units = member_units(board, partnership)
names = dict(zip(units["unit_id"], units["name"], strict=True))
unit = common.url_select(
    "Kommune",
    "kommune",
    ["alle", *units["unit_id"]],
    format_func=lambda u: "Hele helsefellesskapet" if u == "alle" else names[u],
    container=middle,
)
grains = list(grain_chain(indicator.grain))
grain = common.url_select(
    "Tidsoppløsning", "tid", grains, format_func=lambda g: GRAIN_LABELS[g].capitalize(), container=right
)
years = common.year_range()
view = common.indicator_view(partnership, indicator_id, [] if unit == "alle" else [unit], years, grain)
if view.grain != grain:  # only coarser figures stored: shown at the grain they are judged at
    st.info(
        f"Tidsoppløsningen «{GRAIN_LABELS[grain]}» kan ikke brukes her: tallene finnes og vurderes "
        f"per {GRAIN_LABELS[view.grain]}, og vises slik.",
        icon="ℹ️",
    )
source = indicator.source_detail

st.header(indicator.name)
st.caption(
    f"{common.safe_md(indicator.description)}  \n"
    f"Kilde: {common.safe_md(source)} · {DIRECTION_LABELS[indicator.direction]} · "
    f"vises som {common.safe_md(view.value_label.lower())} · {common.safe_md(view.scope_label)} · "
    f"{years[0]}–{years[1]}"
)

for result in view.criteria:
    judgement = result.judgement
    st.markdown(
        f"{common.status_badge(judgement.status)} **{common.safe_md(result.criterion.text)}**  \n"
        f"{common.safe_md(judgement.reason)}"
    )

st.subheader("Utvikling over tid (SPC)")
# Words, not only icons; bordered boxes instead of st.metric, which cuts long text.
for column, label, text in zip(
    st.columns(3),
    ("Siste verdi", view.variation_label, "Når vi målet?"),
    (view.latest_text, view.variation_text, view.assurance_text),
    strict=True,
):
    box = column.container(border=True)
    box.caption(label)
    box.markdown(f"**{common.safe_md(text)}**")
if view.rollout:
    st.caption(
        "Antall kommuner øker trinnvis, så SPC-grensene beskriver ikke en stabil prosess; "
        "om målet nås, vurderes med framskrivingen under."
    )
if view.too_few_points and not view.rollout:
    st.info(view.spc.message or "For få datapunkter til SPC.", icon="ℹ️")
if view.coverage_text:  # the partnership's figures rest on only some members
    st.caption(common.safe_md(view.coverage_text))
if view.left_out_text:  # periods shown but not judged (short of members, not over)
    st.caption(common.safe_md(view.left_out_text))
for note in view.window_notes:  # the filters change what is shown, never the verdict
    st.caption(common.safe_md(note))
if view.hidden_text:
    st.info(view.hidden_text, icon="🔒")
show_chart(
    view.spc_figure,
    key=f"spc_{indicator_id}",
    title=f"{indicator.name} – {view.scope_label}",
    source=source,
    demo=demo,
)

# The projection matters only for a target with a deadline (or a rollout): then it comes first.
# A choice, not st.tabs: tabs run (and send) every figure on every run, and the per-municipality
# figure alone has one panel per municipality (357 nationally); only the chosen view is built.
has_projection = view.projection_figure is not None or bool(view.projection_text)
views = {"framskriving": "Framskriving"} if has_projection else {}
views |= {"kommuner": "Kommunene sammenlignet", "per-kommune": "Per kommune", "tallene": "Tallene"}
chosen_view = common.url_radio("Visning", "visning", list(views), format_func=views.get)

if chosen_view == "framskriving":
    if view.projection_figure is not None:
        show_chart(
            view.projection_figure,
            key=f"projection_{indicator_id}",
            title=f"{indicator.name}: framskriving",
            source=source,
            demo=demo,
        )
    st.markdown(common.safe_md(view.projection_text or ""))
elif chosen_view == "kommuner":
    if view.funnel is not None and view.funnel_figure is not None:
        st.caption(
            "Traktdiagram: hver kommune er et punkt. Punkter utenfor grensene skiller seg mer fra det "
            "samlede nivået enn tilfeldig variasjon tilsier; små kommuner har vide grenser."
        )
        show_chart(
            view.funnel_figure,
            key=f"funnel_{indicator_id}",
            title=f"{indicator.name}: kommunene sammenlignet, {view.funnel.period_text}",
            source=source,
            demo=demo,
        )
        st.dataframe(view.funnel.table, hide_index=True, width="stretch")
    else:
        st.info(
            "Traktdiagram lages for rater (antall per 1 000 innbyggere) og andeler. "
            "Denne indikatoren er et antall uten befolkningsgruppe, en beholdning eller et gjennomsnitt.",
            icon="ℹ️",
        )
elif chosen_view == "per-kommune":
    small = common.small_multiples(partnership, indicator_id, years)
    if small is not None:
        show_chart(
            small,
            key=f"units_{indicator_id}",
            title=f"{indicator.name} per kommune",
            source=source,
            demo=demo,
        )
    else:
        st.info("Ingen tall per kommune.", icon="ℹ️")
else:
    st.markdown("**Tallene bak diagrammet**")
    st.dataframe(view.table, hide_index=True, width="stretch")
    st.download_button(
        "Last ned tabellen (CSV)",
        data=view.table_csv(),
        file_name=f"{indicator_id}.csv",
        mime="text/csv",
        key=f"csv_{indicator_id}",
        icon="⬇️",
    )
    if not view.year_table.empty:
        st.markdown("**Per år** (et år som pågår sammenlignes med de samme månedene året før)")
        st.dataframe(view.year_table, hide_index=True, width="stretch")

with st.expander("Slik er tallene regnet"):
    for note in view.notes:
        st.markdown(f"- {common.safe_md(note)}")
