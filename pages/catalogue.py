"""Datakatalog: which numbers exist per indicator, unit and period, when they came, and
(for analysts) the upload log with undo."""

from __future__ import annotations

import streamlit as st

from analytics import catalogue, config, figures, formatting, writes
from ui import access, common
from ui.charts import show_chart

FLASH_KEY = "catalogue_flash"


# Cached per data version: an upload or an undo changes the version, so nothing is stale.
@st.cache_data(show_spinner=False, max_entries=32)
def _overview(partnership: str, data_version: str, db_path: str) -> catalogue.Overview:
    return catalogue.overview(common.board(), partnership)


@st.cache_data(show_spinner=False, max_entries=64)
def _coverage(
    indicator_id: str, partnership: str, years: tuple[int, int], data_version: str, db_path: str
) -> catalogue.Coverage:
    return catalogue.coverage(common.board(), indicator_id, partnership, years)


def _undo(upload_id: int) -> None:
    """Runs before the rerun, so every table below already shows the store after the undo."""
    if not access.is_analyst():  # the button is not drawn for leaders; refuse a forged call too
        st.session_state[FLASH_KEY] = ("error", "Bare analytikere kan angre opplastinger.")
        return
    try:
        said = writes.undo_upload(common.board().store, upload_id, undone_by=access.user_name())
    except writes.WriteRefused as exc:
        st.session_state[FLASH_KEY] = ("error", str(exc))
        return
    st.session_state[FLASH_KEY] = ("success", said)


board = common.board()
partnership = common.partnership()
plan = board.plan(partnership)
version = board.store.data_version()
db = str(config.db_path())
years = common.year_range()

st.title("Datakatalog")
st.caption(
    f"Hvilke tall tavla har for {plan.partnership.name}: per indikator, kommune og periode, "
    "og når de kom inn."
)
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    getattr(st, flash[0])(flash[1])

summary = _overview(partnership, version, db)
table = summary.table
left, middle, right = st.columns(3)
left.metric("Indikatorer med data", f"{summary.with_data} av {len(table)}")
middle.metric("Nyeste periode med data", summary.newest_period)
right.metric("Siste opplasting", summary.last_upload)

st.subheader("Indikatorer")
st.dataframe(table.drop(columns=["id"]), hide_index=True, width="stretch")
st.caption(
    "Verdier og skjulte celler telles for helsefellesskapets kommuner, bydeler og regioner. "
    "«Siste opplasting» er opplastingen som kom med de nyeste av disse verdiene. "
    "Framskrivinger har perioder fram i tid."
)

st.subheader("Dekning per kommune og periode")
names = dict(zip(table["id"], table["Indikator"], strict=True))
indicator_id = common.url_select(
    "Indikator", "indikator", list(table["id"]), format_func=names.get, container=st
)
cov = _coverage(indicator_id, partnership, tuple(years), version, db)
if cov.empty:
    st.info(f"Ingen tall for denne indikatoren i {years[0]}–{years[1]} for dette helsefellesskapet ennå.")
else:
    counts = cov.counts()
    total = sum(counts.values())
    columns = st.columns(3)
    for column, state in zip(columns, catalogue.STATES, strict=True):
        share = formatting.percent(100 * counts[state] / total, 0)
        column.metric(catalogue.STATE_LABELS[state], f"{formatting.number(counts[state])} celler ({share})")
    show_chart(
        figures.coverage_figure(cov),
        key=f"coverage_{indicator_id}",
        title=f"Dekning: {cov.indicator.name}",
        source=f"Datakatalogen ({cov.indicator.source})",
        demo=board.store.is_demo(),
    )
    st.caption(
        "Data: minst én verdi i perioden. Skjult (s): kilden har prikket tallet fordi det gjelder "
        "få personer; det regnes som ukjent, aldri som null. Mangler (–): ingen rad for perioden."
    )

st.subheader("Opplastingslogg")
if not access.is_analyst():
    st.info("Opplastingsloggen og angring er for analytikere. Logg inn i sidepanelet.")
    st.stop()

log = catalogue.upload_log(board)
if log.empty:
    st.info("Ingen opplastinger ennå.")
    st.stop()
st.dataframe(log.drop(columns=["id", "active"]), hide_index=True, width="stretch")

active = log[log["active"]]
if active.empty:
    st.caption("Alle opplastinger er angret.")
    st.stop()
labels = {int(r["id"]): f"{r['Nr.']} · {r['Fil']} · {r['Tidspunkt']}" for _, r in active.iterrows()}
with st.container(border=True):
    st.markdown("**Angre en opplasting**")
    st.caption(
        "Verdiene fra opplastingen fjernes, og verdiene den erstattet kommer tilbake. "
        "Angringen står i loggen med navnet ditt."
    )
    chosen = st.selectbox(
        "Opplasting",
        list(labels),
        format_func=labels.get,
        key="undo_choice",
        placeholder="Velg en opplasting",
    )
    confirmed = st.checkbox(f"Ja, angre opplasting {chosen}", key=f"undo_confirm_{chosen}")
    st.button(
        "Angre opplastingen",
        key="undo_button",
        type="primary",
        disabled=not confirmed,
        on_click=_undo,
        args=(chosen,),
        icon="↩️",
    )
