"""Møtepakke: choose goals, target groups or measures; get a PowerPoint deck, the charts as
PNG files and the numbers behind them as CSV."""

from __future__ import annotations

import io
import time
import zipfile

import streamlit as st

from analytics import deck, export, formatting
from analytics.matrix import matrix_columns
from analytics.summary import period_end, period_ended
from ui import common

board = common.board()
partnership = common.partnership()
plan = board.plan(partnership)
status = common.plan_status(partnership)

st.title("Møtepakke")
st.caption(
    "Velg mål, målgrupper eller tiltak og last ned en presentasjon (PowerPoint) til møtet: "
    "tittel, oppsummering med ikoner, ett lysbilde per tiltak med figur, status og begrunnelse, "
    "og kilder. Uten valg blir hele handlingsplanen med."
)

leaves = plan.leaf_measures
left, middle = st.columns(2)
goals = common.url_multiselect(
    "Mål",
    "mal",
    [g.id for g in plan.goals],
    format_func=lambda g: plan.goal(g).text,
    container=left,
)
groups = common.url_multiselect(
    "Målgruppe",
    "malgruppe",
    [g.id for g in plan.target_groups if any(m.target_group == g.id for m in leaves)],
    format_func=lambda g: plan.target_group(g).name,
    container=middle,
)
chosen_ids = common.url_multiselect(
    "Tiltak",
    "tiltak",
    [m.id for m in leaves],
    format_func=lambda m: f"{m} · {plan.measure(m).title}",
)
measures = deck.select_measures(plan, goals, groups, chosen_ids)
with_chart = sum(1 for m in measures if deck.chart_criterion(m) is not None)
left, right = st.columns(2)
end = period_end(plan)
moments = {"na": "I dag"}
if period_ended(plan):  # the end-of-period report: status on the data up to the period's end
    moments["slutt"] = f"Per {formatting.date(end)} (planperiodens slutt)"
moment = common.url_radio("Status per", "per", list(moments), format_func=moments.get, container=left)
as_of = end if moment == "slutt" else None
if as_of is not None:
    status = common.plan_status(partnership, as_of=as_of)
with_matrix = right.toggle("Ta med «Hvor står vi?» (status per kommune)", value=True, key="deck_matrix")
# The matrix judges every municipality: worked out when the deck is made, counted before.
matrix_slides = (
    len(deck.matrix_pages(matrix_columns(plan), board.member_ids(partnership))) if with_matrix else 0
)
slides = deck.slide_count(measures, matrix_slides)
st.markdown(
    f"**{len(measures)} tiltak** blir med ({with_chart} med figur) · presentasjonen får {slides} lysbilder."
)
if not measures:
    st.info("Ingen tiltak passer med valgene.")
    st.stop()

# A built deck belongs to one selection and one data version; a change asks for a new one.
signature = (partnership, tuple(m.id for m in measures), board.store.data_version(), as_of, with_matrix)
figure_for = deck.default_figure_for(board, partnership, as_of)

if st.button("Lag presentasjon", type="primary", icon="🗂️", key="make_deck"):
    with st.spinner("Lager presentasjonen (figurene tegnes i nettleseren) …"):
        started = time.perf_counter()
        try:
            if export.browser_path() is None:  # say so at once, before the slides are laid out
                raise export.NoBrowserError()
            data = deck.build_deck(
                board,
                partnership,
                status,
                measures,
                figure_for,
                title=f"{plan.partnership.name} – status per {formatting.date(as_of)}" if as_of else None,
                matrix=common.status_matrix(partnership, as_of=as_of) if with_matrix else None,
                as_of=as_of,
            )
            st.session_state["meeting_deck"] = (signature, data, time.perf_counter() - started)
        except export.NoBrowserError as exc:
            st.error(str(exc), icon="🖼️")
built = st.session_state.get("meeting_deck")
if built and built[0] == signature:
    _, data, seconds = built
    st.success(
        f"Presentasjonen er klar: {slides} lysbilder, laget på {formatting.number(seconds, 1)} sekunder."
    )
    st.download_button(
        "Last ned presentasjon (.pptx)",
        data=data,
        file_name=f"motepakke-{partnership}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="deck_download",
        on_click="ignore",
        icon="⬇️",
    )

st.subheader("Figurer og tall")
left, right = st.columns(2)
if left.button("Lag figurene (PNG, zip)", icon="🖼️", key="make_pngs", disabled=with_chart == 0):
    with st.spinner("Tegner figurene …"):
        buffer = io.BytesIO()
        try:
            if export.browser_path() is None:
                raise export.NoBrowserError()
            images = deck.chart_images(board, partnership, measures, figure_for, as_of=as_of)
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, png in images.items():
                    archive.writestr(name, png)
            st.session_state["meeting_pngs"] = (signature, buffer.getvalue())
        except export.NoBrowserError as exc:
            left.error(str(exc), icon="🖼️")
pngs = st.session_state.get("meeting_pngs")
if pngs and pngs[0] == signature:
    left.download_button(
        "Last ned figurene (.zip)",
        data=pngs[1],
        file_name=f"figurer-{partnership}.zip",
        mime="application/zip",
        key="pngs_download",
        on_click="ignore",
        icon="⬇️",
    )


def _numbers_csv() -> bytes:
    table, notes = deck.source_table(board, partnership, measures, as_of=as_of)
    return export.csv_bytes(table, notes)


right.download_button(
    "Last ned tallgrunnlaget (CSV)",
    data=_numbers_csv,  # made only when clicked
    file_name=f"tallgrunnlag-{partnership}.csv",
    mime="text/csv",
    key="numbers_csv",
    on_click="ignore",
    icon="📄",
    disabled=with_chart == 0,
)
st.caption(
    "Hver figur på tavla har også sin egen knapp «Last ned som bilde (PNG)». "
    "For å vise tavla på en skjerm: velg «Presentasjonsmodus» i sidepanelet (eller legg "
    "?presentasjon=1 til adressen)."
)
