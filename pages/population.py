"""Befolkning: population by age group, projections, the eldrebølge and expected demand.

The partnership's shared knowledge base ("felles kunnskapsgrunnlag"). Layout only: every
number comes from analytics.population, every figure from analytics.figures.
"""

from __future__ import annotations

import streamlit as st

from analytics import figures, formatting
from analytics import population as pop
from ui import common
from ui.charts import show_chart


def _table_height(table) -> int:
    """Tall enough to show every row without scrolling inside the table."""
    return 38 + 35 * len(table)


board = common.board()
partnership = common.partnership()
name = board.plan(partnership).partnership.name
demo = board.store.is_demo()
source = pop.population_source(board)
SOURCE = "SSB 07459 og 13600" + (" (tilnærmede tall, ikke SSBs)" if source.approximate else "")

st.title("Befolkning og framskrivinger")
st.caption(
    f"Felles kunnskapsgrunnlag for {name}: registrert befolkning 1. januar (SSB-tabell 07459) og "
    f"framskrevet befolkning til {pop.HORIZON[-1]} (SSB-tabell 13600)."
)
if source.approximate:
    st.warning(pop.APPROXIMATE_NOTE, icon="⚠️")

left, right = st.columns(2)
level = common.url_select(
    "Nivå",
    "niva",
    list(pop.LEVELS),
    format_func=lambda value: pop.level_label(board, partnership, value),
    container=left,
)
unit = common.url_select(
    "Enhet", "enhet", pop.level_units(board, partnership, level), format_func=board.unit_name, container=right
)
unit_name = board.unit_name(unit)

alternatives = pop.loaded_alternatives(board)
alternative = pop.MAIN_ALTERNATIVE
if len(alternatives) > 1:  # a selector only when more than the main alternative is loaded
    alternative = common.url_select(
        "Framskrivingsalternativ", "alternativ", alternatives, format_func=pop.alternative_label, container=st
    )

page = common.population_page(partnership, alternative, unit)
own = page["own"]
if own.empty:
    st.info(
        f"Ingen befolkningstall for {unit_name} er lastet inn. Last inn SSB-tabell 07459 "
        "(`--profile ssb_07459`) og 13600 (`--profile ssb_13600`)."
    )
    st.stop()

# -- headline ------------------------------------------------------------------------------
st.subheader(f"Eldre i {unit_name}")
if page["sentence"]:
    st.markdown(page["sentence"])
grown = page["growth"]
for column, (_, row) in zip(st.columns(max(1, len(grown))), grown.iterrows(), strict=False):
    column.metric(
        f"{row['label']} i {row['year']}",
        formatting.number(row["value"]),
        pop.metric_delta(row),
        delta_color="off",
        help=f"Framskrevet antall ({pop.alternative_label(alternative)}) mot registrert antall i {row['base_year']}.",
    )

# -- age groups ----------------------------------------------------------------------------
st.subheader("Befolkning etter aldersgruppe")
view = st.radio("Vis som", ["Antall", "Indeks"], horizontal=True, key="pop_view")
show_chart(
    page["age_figures"][view == "Indeks"],
    key="pop_age",
    title=f"{unit_name}: befolkning etter aldersgruppe",
    source=SOURCE,
    demo=demo,
)
st.caption(
    f"{figures.PROJECTED_NOTE} Der begge finnes for samme år, brukes det registrerte tallet. "
    "Indeks viser veksten i hver gruppe i forhold til siste registrerte år."
)
with st.expander("Tall i tabell"):
    st.dataframe(page["age_table"], hide_index=True)

# -- the eldrebølge ------------------------------------------------------------------------
st.subheader("Eldrebølgen år for år")
if page["wave"] is not None:
    wave_figure, wave_table = page["wave"]
    show_chart(
        wave_figure,
        key="pop_wave",
        title=f"{unit_name}: eldrebølgen år for år",
        source=SOURCE,
        demo=demo,
    )
    st.caption(figures.PROJECTED_NOTE)
    with st.expander("Tall i tabell"):
        st.dataframe(wave_table, hide_index=True)

# -- members compared ----------------------------------------------------------------------
if page["members"] is not None:
    member_figure, table = page["members"]
    st.subheader(f"Sammenligning av {pop.members_label(board, partnership)} i {unit_name}")
    show_chart(
        member_figure,
        key="pop_members",
        title=f"{unit_name}: andel 80 år og eldre per kommune",
        source=SOURCE,
        demo=demo,
    )
    st.dataframe(table, hide_index=True, height=_table_height(table))

# -- expected demand -----------------------------------------------------------------------
st.subheader("Forventet behov uten endring i rate")
st.markdown(
    f"Hvor mange kan vi vente i {' og '.join(str(y) for y in pop.HORIZON)} hvis raten per 1 000 "
    "innbyggere i aldersgruppen holder seg som i dag?"
)
demands = page["demands"]
for tab, (demand, fig, table, notes) in zip(
    st.tabs([d[0].indicator.name for d in demands]), demands, strict=True
):
    with tab:
        if demand.empty:
            st.info(f"Ingen tall for {demand.indicator.name.lower()} i {name} ennå.")
            continue
        st.caption(f"Rate {demand.indicator.rate_label}, siste hele år med data: {demand.base_year}.")
        if fig is None:
            st.info(f"Antallet for {unit_name} er skjult eller mangler, så det vises ingen figur.")
        else:
            show_chart(
                fig,
                key=f"pop_demand_{demand.indicator.id}",
                title=f"{unit_name}: {demand.indicator.name.lower()} uten endring i rate",
                source=f"{demand.indicator.source} og SSB 13600",
                demo=demo,
            )
        st.dataframe(table, hide_index=True, height=_table_height(table))
        if notes:
            st.caption(" ".join(notes))
st.markdown(page["method"])

# -- sources -------------------------------------------------------------------------------
if len(alternatives) <= 1:
    st.caption(pop.ALTERNATIVES_NOTE)
if source.files:
    st.caption(f"Befolkningstallene kommer fra: {', '.join(source.files)}.")
