"""Kommune: one municipality across every indicator in the plan, against the partnership."""

from __future__ import annotations

import streamlit as st

from analytics.indicator_view import member_units
from ui import common
from ui.charts import show_chart

board = common.board()
partnership = common.partnership()
units = member_units(board, partnership)
names = dict(zip(units["unit_id"], units["name"], strict=True))

st.title("Kommune")
unit_id = common.url_select(
    "Kommune", "kommune", units["unit_id"].tolist(), format_func=lambda u: names[u], container=st
)
view = common.municipality_view(partnership, unit_id)

st.header(view.name)
if view.region:
    st.caption(
        f"Region: {common.safe_md(view.region)} · {common.safe_md(board.plan(partnership).partnership.name)}"
    )
if not view.population.empty:
    for column, row in zip(st.columns(len(view.population)), view.population.itertuples(), strict=True):
        column.metric(f"{row.Gruppe} ({row.År})", row.Innbyggere)

st.subheader("Alle indikatorer i planen")
if view.pending:
    st.info(
        "Kommunens egne tall og status er klare. Helsefellesskapets status, tall og traktene regnes ut "
        "nå («beregnes …») og fylles inn av seg selv om noen sekunder.",
        icon="⏳",
    )

    @st.fragment(run_every=2.0)
    def _fill_in_when_ready() -> None:
        if common.partnership_side_ready(partnership):
            st.rerun()

    _fill_in_when_ready()
st.caption(
    "Kommunens tall som statusen bygger på, for perioden begrunnelsen nevner: for et mål siste periode "
    "(kvartal eller måned), ellers de siste 12 månedene (beholdninger: siste periode; årstall: siste år); "
    "etter en passert frist: tallene fram til fristen. Ved siden av står helsefellesskapets tall "
    "for samme periode. Gjelder helsefellesskapets tall en annen periode (når kommunens tall slutter "
    "tidligere), står den perioden i parentes bak tallet. «Plassering i trakt» sier om kommunen skiller seg fra de andre mer enn "
    "tilfeldig variasjon tilsier, over traktens siste 12 måneder; er det en annen periode enn kommunens tall, "
    "står den i parentes. Statusen i kommunen bruker den samme regelen som for helsefellesskapet."
)
if view.table.empty:
    st.info("Planen har ingen indikatorer.", icon="ℹ️")
else:
    st.dataframe(
        view.table,
        hide_index=True,
        width="stretch",
        height=35 * (len(view.table) + 1) + 3,
        column_config={
            "Kriterium": st.column_config.TextColumn(width="medium"),
            "Helsefellesskapet": st.column_config.TextColumn(
                width="medium",
                help="I parentes: helsefellesskapets egen periode, der den er en annen enn kommunens.",
            ),
            "Måles som": st.column_config.TextColumn(width="small"),
            "Plassering i trakt": st.column_config.TextColumn(
                width="large",
                help="I parentes: traktens egen periode (siste 12 måneder), der den er en annen enn kommunens.",
            ),
            "Begrunnelse (kommunen)": st.column_config.TextColumn(width="large"),
        },
    )

st.subheader("Kommunen i traktdiagrammene")
if view.pending:
    st.info("Traktdiagrammene vises når helsefellesskapets tall er regnet ut.", icon="⏳")
elif not view.funnel_views:
    st.info("Ingen av planens indikatorer er rater eller andeler med tall for kommunen.", icon="ℹ️")
for funnel in view.funnel_views:
    flag = funnel.flag(unit_id) or "–"
    # The figure is drawn when its box is opened (a closed expander's content would still run).
    box = st.expander(
        f"{funnel.indicator.name}: {flag} ({funnel.period})",
        key=f"trakt_{funnel.indicator.id}",
        on_change="rerun",
    )
    if not box.open:
        continue
    with box:
        show_chart(
            view.funnel_figure(funnel),
            key=f"funnel_{funnel.indicator.id}",
            title=f"{funnel.indicator.name}: {view.name} blant kommunene, {funnel.period_text}",
            source=funnel.indicator.source_detail,
            demo=common.synthetic([funnel.indicator.id]),
        )
