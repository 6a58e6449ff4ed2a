"""Last opp data: an analyst loads an extract.

Choose the indicator (or a profile for a recurring source), upload the file, see how it was
read (encoding, delimiter, header line, columns: each can be corrected), the first rows as read
and as they will be stored, the check, then confirm. Nothing is written before the button;
the load is one transaction. Layout only: reading, checking and loading are loaders.service.
dashboard.py registers this page for analysts only; the check below is a second lock.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from analytics import config, export
from analytics.formatting import counted
from analytics.store import zero_filled_text
from loaders import upload_files
from loaders.formats import DELIMITERS, ENCODINGS
from loaders.formats.base import SELF_DESCRIBED
from loaders.ingest import Choices, IngestReport
from loaders.normalise import ColumnRoles
from loaders.service import Loader
from ui import access, common

NONE = "(ingen)"
UNCHOSEN, SUMMED = "(velg)", "(summer alle)"
ROLE_FIELDS = ["unit", "period", "year", "subperiod", "value", "numerator", "denominator"]

board = common.board()
st.title("Last opp data")
if not access.is_analyst():
    st.error("Bare analytikere kan laste opp data. Logg inn som analytiker i sidepanelet.")
    st.stop()
if access.mode() == "local":
    st.caption(
        "Ingen innlogging er satt opp, så siden er åpen fordi tavla kjører lokalt (localhost). "
        "På en server må innlogging (OIDC) eller et analytikerpassord settes opp."
    )

loader = Loader.for_board(board)
registry = board.registry
st.markdown(
    "Last opp et uttrekk slik det kom fra kilden (CSV, TXT, Excel, PC-Axis eller JSON-stat). Tavla viser hvordan filen "
    "ble lest og sjekker hver rad **før** noe lagres; du bekrefter til slutt. Én opplasting er én "
    "transaksjon: alle radene eller ingen."
)

# -- what the file is about ---------------------------------------------------------------
profile_ids = [NONE, *sorted(loader.profiles)]
left, right = st.columns(2)
profile_choice = left.selectbox(
    "Profil for en fast kilde (valgfritt)",
    profile_ids,
    format_func=lambda p: p if p == NONE else f"{loader.profiles[p].name}",
    key="upload_profile",
    placeholder="Velg",
)
profile_id = None if profile_choice == NONE else profile_choice
profile = loader.profiles.get(profile_id) if profile_id else None
indicator_ids = [i.id for i in registry.indicators]
wanted = common.query_value("indikator", indicator_ids, "")
if "upload_indicator" not in st.session_state and wanted:
    st.session_state["upload_indicator"] = wanted
indicator_id = right.selectbox(
    "Indikator",
    indicator_ids,
    index=None,
    placeholder="Velg indikatoren filen gjelder",
    format_func=lambda i: f"{registry.get(i).name} ({i})",
    key="upload_indicator",
    disabled=profile is not None,
    help="En profil bestemmer indikatoren selv." if profile else None,
)
if profile is not None:
    right.caption(f"Profilen gjelder: {', '.join(profile.indicator_ids())}")
    indicator_id = None
elif indicator_id:
    st.query_params["indikator"] = indicator_id

uploaded = st.file_uploader(
    f"Fil (høyst {config.MAX_UPLOAD_MB} MB)",
    key="upload_file",
    help="CSV/TXT med ; , eller tabulator, .xlsx, PC-Axis (.px) eller JSON-stat 2.0 (.json)",
    max_upload_size=max(1, int(config.MAX_UPLOAD_MB)),  # the loader's limit, as in config.toml
)
zero_offered = loader.missing_zero_allowed(indicator_id, profile_id)
if zero_offered:
    st.checkbox(
        "Rader som mangler er 0",
        key="upload_missing_zero",
        help="Kryss av når uttrekket utelater kommuner og perioder uten hendelser (NPR og KPR gjør ofte det).",
    )
    st.caption(
        "Uten dette regnes en rad som mangler som ukjent, og perioden blir ikke vurdert. Med det lagres "
        "hver kommune × periode filen dekker, men ikke har, som 0; skjulte celler («..», «<5») forblir "
        "skjult. Bare for antall hendelser, og valget står i opplastingsloggen."
    )

if uploaded is not None and uploaded.size > config.MAX_UPLOAD_MB * 1024 * 1024:
    # Streamlit's own limit (server.maxUploadSize) is the same number; this covers a server
    # started with another setting: the sentence is ours, and nothing is saved.
    st.error(
        f"Filen «{common.safe_md(uploaded.name)}» er {uploaded.size / 1024 / 1024:.1f} MB, mer enn "
        f"grensen på {config.MAX_UPLOAD_MB} MB. Del opp uttrekket eller last det inn med "
        "kommandolinjen på serveren."
    )
    st.stop()


def _saved(file) -> tuple[Path, str]:
    """The upload as a file on disk (the loader reads files), kept per upload in the session."""
    key = hashlib.sha256(f"{file.file_id}:{file.name}".encode()).hexdigest()[:16]
    saved = st.session_state.get("upload_saved")
    if saved and saved[0] == key and Path(saved[1]).exists():
        return Path(saved[1]), key
    _forget_saved()
    path = upload_files.save(file.getvalue(), file.name)
    st.session_state["upload_saved"] = (key, str(path))
    st.session_state.pop("upload_done", None)
    return path, key


def _forget_saved() -> None:
    """The analyst moved on (another file, or none): the last upload's copy goes."""
    saved = st.session_state.pop("upload_saved", None)
    if saved:
        upload_files.remove(Path(saved[1]))


def _choices(key: str, columns_key: str) -> Choices:
    """The analyst's corrections so far (widget state), or None for each: let the reader guess."""
    state = st.session_state

    def pick(name: str) -> str | None:
        return state.get(f"{name}_{key}")

    roles = None
    if f"role_unit_{columns_key}" in state:  # the role widgets exist for these columns
        values = {r: state.get(f"role_{r}_{columns_key}") for r in ROLE_FIELDS}
        roles = ColumnRoles(**{r: (None if v in (None, NONE) else v) for r, v in values.items()})
        roles.wide = list(state.get(f"role_wide_{columns_key}") or [])
        roles.indicator = profile.indicator_column_in(state.get(f"columns_{key}") or []) if profile else None
    header = state.get(f"header_{key}")
    where, sums = {}, []
    for name in state.get(f"dims_{key}") or []:  # the file's other dimensions, as last shown
        picked = state.get(f"dim_{name}_{key}")
        if picked == SUMMED:
            sums.append(name)
        elif picked not in (None, UNCHOSEN):
            where[name] = picked
    return Choices(
        where=where,
        sums=sums,
        encoding=pick("encoding"),
        delimiter=pick("delimiter"),
        header_line=int(header) if header else None,
        sheet=pick("sheet"),
        roles=roles,
        leave_out_problems=bool(state.get(f"leave_out_{key}")),
        partnership=common.partnership(),  # rows for other municipalities are skipped and counted
        missing_zero=zero_offered and bool(state.get("upload_missing_zero")),
    )


def _show_guess(report: IngestReport, key: str, columns_key: str) -> None:
    """How the file was read, with a widget for each part so the analyst can correct it."""
    guess = report.guess
    with st.expander(
        "Slik ble filen lest – rett opp her om noe er feil",
        expanded=bool(report.problem_count or report.refused),
    ):
        cols = st.columns(3)
        if guess.format in SELF_DESCRIBED:  # the file names its own columns (PX, JSON, Parquet)
            cols[0].caption(" · ".join(f"{k}: {v}" for k, v in guess.describe().items()))
        elif guess.format == "excel":
            cols[0].selectbox(
                "Ark",
                guess.sheets,
                index=guess.sheets.index(guess.sheet),
                key=f"sheet_{key}",
                placeholder="Velg",
            )
            cols[1].number_input(
                "Overskriften står på rad", min_value=1, value=guess.header_line, key=f"header_{key}"
            )
        else:
            encodings = list(ENCODINGS)
            cols[0].selectbox(
                "Tegnsett",
                encodings,
                index=encodings.index(guess.encoding),
                format_func=ENCODINGS.get,
                key=f"encoding_{key}",
                placeholder="Velg",
            )
            delimiters = list(DELIMITERS)
            cols[1].selectbox(
                "Skilletegn",
                delimiters,
                index=delimiters.index(guess.delimiter),
                format_func=DELIMITERS.get,
                key=f"delimiter_{key}",
                placeholder="Velg",
            )
            cols[2].number_input(
                "Overskriften står på linje", min_value=1, value=guess.header_line, key=f"header_{key}"
            )
        if report.roles is None:
            return
        st.markdown("**Kolonner**")
        options = [NONE, *guess.columns]
        role_cols = st.columns(4)
        for index, role in enumerate(ROLE_FIELDS):
            current = getattr(report.roles, role)
            role_cols[index % 4].selectbox(
                ColumnRoles.LABELS[role],
                options,
                index=options.index(current) if current in options else 0,
                key=f"role_{role}_{columns_key}",
                placeholder="Velg",
            )
        st.multiselect(
            "Perioder i kolonner (bred tabell)",
            guess.columns,
            default=[c for c in report.roles.wide if c in guess.columns],
            key=f"role_wide_{columns_key}",
            placeholder="Ingen valgt",
            help="Brukes når tabellen har én kolonne per år, kvartal eller måned og ingen periodekolonne.",
        )


def _show_dimensions(report: IngestReport, key: str) -> None:
    """A control per other dimension (kjønn, statistikkvariabel): one value, or the sum."""
    if not report.dimensions:
        return
    st.session_state[f"dims_{key}"] = list(report.dimensions)
    st.markdown("**Andre kolonner i filen** – velg én verdi eller summer over alle")
    cols = st.columns(min(3, len(report.dimensions)))
    for index, (name, values) in enumerate(report.dimensions.items()):
        cols[index % len(cols)].selectbox(
            f"«{name}»", [UNCHOSEN, SUMMED, *values], key=f"dim_{name}_{key}", placeholder="Velg"
        )


def _show_report(report: IngestReport, key: str) -> None:
    if report.refused:
        st.error(common.safe_md(report.refused))
    _show_dimensions(report, key)
    for note in report.notes:
        st.caption(common.safe_md(note))
    if report.head is not None and not report.head.empty:
        st.markdown("**De første radene slik de står i filen**")
        st.dataframe(report.head.astype("string").fillna(""), hide_index=True)  # an empty cell, not "None"
    if report.parsed is not None and not report.parsed.empty and not report.refused:
        stats = report.stats
        st.markdown("**Slik blir de lagret**")
        st.dataframe(report.parsed, hide_index=True)
        st.caption(
            f"{counted(stats.facts, 'verdi', 'verdier')} for {counted(stats.units, 'enhet', 'enheter')}, "
            f"{report.period_span()}; {counted(stats.suppressed, 'skjult eller tom celle', 'skjulte eller tomme celler')} "
            "lagres som manglende (aldri null)."
            + (f" {zero_filled_text(stats.zero_filled)}." if stats.zero_filled else "")
        )
    if report.problem_count:
        st.error(
            f"Filen «{common.safe_md(report.file_name)}» kan ikke lastes inn slik den er: "
            f"{counted(report.problem_count, 'problem', 'problemer')}. Rett filen og last den opp igjen."
        )
        st.markdown("\n".join(f"- {common.safe_md(line)}" for line in report.problem_lines()))
        st.download_button(
            "Last ned problemlisten (CSV)",
            export.csv_bytes(report.problem_table()),
            file_name="problemer.csv",
            mime="text/csv",
            key=f"problems_{key}",
        )
        if report.stats and report.roles is not None:
            st.checkbox(
                "Last inn bare radene uten problemer (de andre holdes utenfor og telles som avvist)",
                key=f"leave_out_{key}",
            )


if uploaded is None:
    _forget_saved()
    st.info("Velg indikator (eller profil) og last opp en fil for å se hvordan den blir lest.")
    st.stop()
if profile is None and not indicator_id:
    st.warning("Velg hvilken indikator filen gjelder (eller en profil) først.")
    st.stop()

path, key = _saved(uploaded)


def _columns_key(columns: list[str] | None) -> str:
    """Role widgets are keyed by the columns they choose from: new columns, fresh widgets."""
    return hashlib.sha256(repr((key, columns)).encode()).hexdigest()[:12]


def _preview(choices: Choices) -> IngestReport:
    return loader.preview(path, indicator_id, profile_id, file_name=uploaded.name, choices=choices)


try:
    seen = st.session_state.get(f"columns_{key}")
    columns_key = _columns_key(seen)
    choices = _choices(key, columns_key)
    report = _preview(choices)
    if report.guess is not None and report.guess.columns != seen:
        # A new reading (encoding, delimiter, header line, sheet) gave other columns: the
        # analyst's roles named the old ones, so guess them again.
        st.session_state[f"columns_{key}"] = report.guess.columns
        columns_key = _columns_key(report.guess.columns)
        if choices.roles is not None:
            choices.roles = None
            report = _preview(choices)
except Exception as exc:  # the promise: one sentence, never a traceback
    st.error(
        f"Filen kunne ikke leses ({type(exc).__name__}); ingenting er lagret. Prøv igjen eller kontakt drift."
    )
    st.stop()

done = st.session_state.get("upload_done")
if done and done[0] == key:
    st.success(common.safe_md(done[1]))
    st.caption("En opplasting kan angres i «Datakatalog».")

if report.guess is not None:
    _show_guess(report, key, columns_key)
_show_report(report, key)

just_loaded = bool(done and done[0] == key)
if report.duplicate_of is not None and not just_loaded:
    # (right after «Last inn» the preview finds the upload just made: the success says it all)
    st.info(
        f"Akkurat denne filen er lastet inn før (opplasting {report.duplicate_of}); å laste den inn igjen "
        "endrer ingenting. Angre den opplastingen først hvis den skal lastes inn på nytt med andre valg."
    )
elif report.ok and not just_loaded:
    stats = report.stats
    left_out = (
        f" {counted(stats.refused, 'rad', 'rader')} med problemer holdes utenfor." if stats.refused else ""
    )
    st.success(f"Filen er klar: {counted(stats.facts, 'verdi', 'verdier')} kan lastes inn.{left_out}")
    if st.button("Last inn", type="primary", key=f"confirm_{key}"):
        try:
            result = loader.ingest(
                path,
                indicator_id,
                loaded_by=access.user_name(),
                profile_id=profile_id,
                file_name=uploaded.name,
                choices=choices,
            )
        except Exception as exc:
            st.error(f"Innlastingen feilet ({type(exc).__name__}); ingenting er lagret.")
            st.stop()
        if result.result is None:
            st.error(common.safe_md(result.summary()))
            st.stop()
        st.session_state["upload_done"] = (key, result.summary())
        st.rerun()
