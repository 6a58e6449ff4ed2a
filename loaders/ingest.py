"""One file into the store: read → map → check → one transaction (or nothing).

The same code serves the preview on the upload page, `--dry-run` and the real load, for a
ten-row spreadsheet and a million-row NPR extract alike: the whole file is read and checked
every time (well under a second per million rows), and only a clean file (or, when the
analyst asks, its clean rows) reaches Staging.commit().
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from analytics import clock, reference
from analytics.formatting import counted
from analytics.periods import period_label
from analytics.registry import Indicator, Registry, age_text, parse_age
from analytics.store import Store, UploadMeta, UploadResult, zero_filled_text
from loaders import dimensions, normalise
from loaders.formats import ReadChoices, ReadGuess, TableFile, open_table
from loaders.normalise import ColumnRoles, UnitResolver
from loaders.problems import FileRefused, Problem, cause, message, summarise
from loaders.profiles import Profile, ProfileError
from loaders.staging import StageSpec, StageStats, Staging

HEAD_ROWS = 10
KEPT_PROBLEMS = 1000  # listed on the page and in its download; the count covers all


@dataclass
class Choices:
    """What the analyst (or a profile) decided; None means: let the reader guess."""

    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    sheet: str | None = None
    roles: ColumnRoles | None = None
    leave_out_problems: bool = False  # load the clean rows and refuse the rest (page option)
    where: dict[str, str] = field(default_factory=dict)  # column → the one value kept (--where)
    sums: list[str] = field(default_factory=list)  # columns summed over (--sum)
    partnership: str | None = None  # rows for units outside it are skipped and counted
    # «rader som mangler er 0» (--missing-zero, the upload page's checkbox): the extract leaves
    # out a unit's period with no events, so absent rows of the grid are stored as 0
    # (_fill_missing_zero); only for kinds whose `charts:` row says zero_fill
    missing_zero: bool = False


@dataclass
class IngestReport:
    file_name: str
    indicator: str = ""
    guess: ReadGuess | None = None
    roles: ColumnRoles | None = None
    head: pd.DataFrame | None = None  # the first rows as read
    parsed: pd.DataFrame | None = None  # the first facts as they would be stored
    problems: list[Problem] = field(default_factory=list)  # the first KEPT_PROBLEMS
    problem_count: int = 0
    refused: str | None = None  # one sentence when the file is not a usable table
    stats: StageStats | None = None
    file_hash: str | None = None
    duplicate_of: int | None = None  # the same bytes were loaded before (upload id)
    result: UploadResult | None = None
    dry_run: bool = False
    leave_out_problems: bool = False
    notes: list[str] = field(default_factory=list)
    dimensions: dict[str, list[str]] = field(default_factory=dict)  # columns to choose or sum
    partnership: str | None = None  # the partnership the file was read for (chosen)

    @property
    def ok(self) -> bool:
        """Loadable (or loaded): no refusal, no problems unless the analyst chose to leave them out."""
        if self.refused is not None or self.stats is None or self.stats.facts == 0:
            return False
        return self.problem_count == 0 or self.leave_out_problems

    @property
    def rows(self) -> int:
        return 0 if self.stats is None else self.stats.facts

    def problem_lines(self) -> list[str]:
        """The first 50 problems in words, then "… og N problemer til."."""
        return summarise(self.problems, self.problem_count)

    def problem_table(self) -> pd.DataFrame:
        """The kept problems as a table (fil, linje, kolonne, problem), for a CSV download."""
        return pd.DataFrame(
            [(p.file_name, p.line, p.column or "", p.message) for p in self.problems],
            columns=["fil", "linje", "kolonne", "problem"],
        ).astype({"linje": "Int64"})

    def period_span(self) -> str:
        """'2024M01–2024M03' (or the dates when the grains differ)."""
        stats = self.stats
        if stats is None or stats.first_period is None:
            return "–"
        if stats.grain is None:
            return f"{stats.first_period.isoformat()}–{stats.last_period.isoformat()}"
        first, last = (period_label(d, stats.grain) for d in (stats.first_period, stats.last_period))
        return first if first == last else f"{first}–{last}"

    def summary(self) -> str:
        """What happened, in one or two sentences."""
        if self.refused:
            return self.refused
        if self.problem_count and not self.leave_out_problems:
            problems = counted(self.problem_count, "problem", "problemer")
            return f"Filen «{self.file_name}» ble avvist med {problems}; ingenting er lagret."
        if self.result is not None:
            text = self.result.summary
            if self.result.duplicate_of is None and self.stats and self.stats.refused:
                text += f" {_rows(self.stats.refused)} med problemer ble ikke lastet inn."
            if self.result.duplicate_of is None and self.stats and self.stats.zero_filled:
                text += f" {zero_filled_text(self.stats.zero_filled)}."
            return text
        facts = self.stats.facts if self.stats else 0
        return f"Prøvekjøring: {counted(facts, 'verdi', 'verdier')} er gyldige; ingenting er lagret."


def process(
    path: Path,
    store: Store,
    registry: Registry,
    resolver: UnitResolver,
    *,
    file_name: str | None = None,
    indicator_id: str | None = None,
    profile: Profile | None = None,
    choices: Choices | None = None,
    commit: bool = False,
    loaded_by: str = "lokal",
    demo: bool = False,
    today: dt.date | None = None,
) -> IngestReport:
    """Read and check a file; load it in one transaction when `commit` and it is clean."""
    choices = choices or Choices()
    file_name = file_name or path.name
    report = IngestReport(
        file_name=file_name,
        dry_run=not commit,
        leave_out_problems=choices.leave_out_problems,
        partnership=choices.partnership,
    )
    try:
        targets = _targets(indicator_id, profile, registry)
    except LookupError as exc:
        report.refused = str(exc)
        return report
    report.indicator = ",".join(sorted({i.id for _, i in targets}))
    if choices.missing_zero and (refusal := missing_zero_refusal([i for _, i in targets])):
        report.refused = refusal
        return report
    read = ReadChoices(
        encoding=choices.encoding or (profile.encoding if profile else None),
        delimiter=choices.delimiter or (profile.delimiter if profile else None),
        header_line=choices.header_line or (profile.header_line if profile else None),
        sheet=choices.sheet or (profile.sheet if profile else None),
    )
    try:
        with open_table(path, file_name, read) as table, Staging(store) as staging:
            report.guess = table.guess
            _check(
                table,
                staging,
                store,
                report,
                targets,
                resolver,
                profile,
                choices,
                today or clock.today(),
                preview=not commit,
            )
            if commit and report.ok:
                indicators = report.stats.indicators
                meta = UploadMeta(
                    file_name=file_name,
                    file_hash=report.file_hash,
                    loaded_by=loaded_by,
                    indicator=",".join(indicators),
                    source=", ".join(sorted({registry.get(i).source for i in indicators})),
                    demo=demo,
                    rows_refused=report.stats.refused,
                    missing_zero=choices.missing_zero,
                    rows_zero_filled=report.stats.zero_filled,
                )
                report.result = staging.commit(meta)
    except FileRefused as exc:
        report.refused = str(exc)
    return report


def _other_ages(
    staging: Staging,
    columns: list[str],
    roles: ColumnRoles,
    sums: list[str],
    targets: list[tuple[str, Indicator]],
    above: list[str],
) -> str | None:
    """Why a count is refused for counting other ages than its indicator, or None.

    A file whose age column holds one age group (FHI Statistikkbank's «75 år +», «Alder: 0-74 år»;
    or the group chosen with --where), or that says its age group in a line above the table
    («Alder: 0-74 år», the statbank's filter), counts those ages only; an indicator that counts
    persons of an age band (`numerator_age`, e.g. 65+) takes no other band: «75+» leaves out
    65–74, «alle aldre» counts the young too, and the rate per 1 000 of the band would be wrong
    either way.
    """
    counted = {i.numerator_age for _, i in targets if i.numerator_age}
    if len(counted) != 1 or len(targets) != 1:
        return None
    indicator = targets[0][1]
    wanted = parse_age(counted.pop())
    for i, name in enumerate(columns):
        if not dimensions.AGE_COLUMN.match(name.strip()) or name in roles.used() or name in sums:
            continue
        values = [v for v in staging.distinct(f"c{i}") if v is not None and v.strip()]
        if len(values) != 1 or (band := dimensions.age_band(values[0])) is None or band == wanted:
            continue
        return (
            f"har bare aldersgruppen «{values[0]}» i kolonnen «{name}» ({age_text(band)}), men "
            f"«{indicator.name}» teller {age_text(wanted)}: last inn tall for {age_text(wanted)}"
        )
    for line in above:
        if not AGE_FILTER.match(line) or (band := dimensions.age_band(line)) is None or band == wanted:
            continue
        return (
            f"gjelder aldersgruppen {age_text(band)} (linjen «{line}» over tabellen), men "
            f"«{indicator.name}» teller {age_text(wanted)}: last inn tall for {age_text(wanted)}"
        )
    return None


# A statbank's filter line above the table: «Alder: 0-74 år» (FHI Statistikkbank).
AGE_FILTER = re.compile(r"^(alder|age)\s*:", re.IGNORECASE)


def _targets(
    indicator_id: str | None, profile: Profile | None, registry: Registry
) -> list[tuple[str, Indicator]]:
    """(key, indicator) pairs: one with key '' for the whole file, or one per value of the
    profile's indicator column."""
    if profile is not None and profile.indicator_column:
        unknown = [i for i in profile.indicators.values() if i not in registry]
        if unknown:
            raise LookupError(f"Profilen «{profile.id}» nevner en ukjent indikator «{unknown[0]}».")
        return [(key, registry.get(ind)) for key, ind in profile.indicators.items()]
    indicator_id = indicator_id or (profile.indicator if profile else None)
    if not indicator_id:
        raise LookupError("Velg en indikator (eller en profil) før filen kan lastes inn.")
    if indicator_id not in registry:
        raise LookupError(f"Ukjent indikator «{indicator_id}».")
    return [("", registry.get(indicator_id))]


def _check(
    table: TableFile,
    staging: Staging,
    store: Store,
    report: IngestReport,
    targets: list[tuple[str, Indicator]],
    resolver: UnitResolver,
    profile: Profile | None,
    choices: Choices,
    today: dt.date,
    preview: bool = True,
) -> None:
    """Everything short of writing: fills the report (the first rows and counts for a preview)."""
    file_name, columns = table.file_name, table.guess.columns
    rejects = table.load(staging)
    report.file_hash = table.file_hash
    report.duplicate_of = store.find_upload_by_hash(table.file_hash)
    if preview:
        report.head = pd.DataFrame(staging.head(HEAD_ROWS), columns=columns)
    rejects = rejects or _ragged(table, staging)
    if rejects:  # the file's structure is broken: that is the thing to fix first
        report.problems, report.problem_count = rejects[:KEPT_PROBLEMS], len(rejects)
        return
    if staging.raw_count() == 0:
        raise FileRefused(file_name, "har ingen datarader under overskriftsraden")
    roles = choices.roles
    if roles is None and profile is not None:
        try:
            roles = profile.roles(columns)
        except ProfileError as exc:
            raise FileRefused(file_name, f"passer ikke til profilen «{profile.id}»: {exc}") from None
    if roles is None and table.guess.known_roles:  # PX, JSON-stat: the file says
        roles = ColumnRoles(**table.guess.known_roles)
    roles = roles or normalise.guess_roles(columns, {i.kind for _, i in targets})
    report.roles = roles
    spec = roles.to_spec(columns, file_name)
    if roles.value and not roles.wide:
        for _, indicator in targets:
            why = normalise.scale_refusal(
                roles.value, indicator.name, "value" in indicator.rule.whole_cases, indicator.kind == "share"
            )
            if why:
                raise FileRefused(file_name, why)
    last = staging.end_before_footnotes(spec.used())
    footnotes = staging.raw_count() - 1 - last
    if last < 0:
        raise FileRefused(file_name, "har ingen datarader under overskriftsraden")
    _one_table(table, staging, spec, columns)
    bands = {k: tuple(v) for k, v in profile.age_bands.items()} if profile else None
    try:
        dims = dimensions.apply(staging, columns, roles, choices.where, choices.sums, bands, file_name)
    except dimensions.DimensionRefused as exc:
        report.dimensions = exc.dimensions
        raise
    report.dimensions = dims.dimensions
    if why := _other_ages(staging, columns, roles, choices.sums, targets, table.guess.above):
        raise FileRefused(file_name, why)
    used = set(roles.used()) | set(report.dimensions)
    if late := [p for p in table.column_problems if p.column in used]:
        report.problems, report.problem_count = late[:KEPT_PROBLEMS], len(late)
        return

    units = normalise.unit_map(staging.distinct(spec.unit), resolver, choices.partnership)
    periods = _periods(staging, spec, roles, columns)
    if spec.indicator:
        present = set(staging.distinct(spec.indicator))
        indicators = normalise.indicator_frame([(k, i) for k, i in targets if k in present])
    else:
        indicators = normalise.indicator_frame(targets)
    wholes = resolver.wholes([u for u in units["unit_id"] if isinstance(u, str)])
    mergers = _mergers_to_check(units, resolver) if choices.missing_zero else resolver.mergers
    staging.map(spec, units, periods, indicators, normalise.SUPPRESSED_MARKERS, mergers, wholes)

    if fraction := staging.shares_as_fractions():
        row, value = fraction
        line = table.lines([dims.row(row)]).get(dims.row(row))
        names = {f"c{i}": name for i, name in enumerate(columns)}
        where = f"kolonnen «{names[spec.value]}»" if spec.value else "verdikolonnene"
        shown = _shown(value)
        raise FileRefused(
            file_name,
            f"har bare andeler fra 0 til 1 i {where} (f.eks. {shown} på linje {line}); tavla lagrer andeler "
            f"i prosent, så {shown} ville bli {shown} %: er tallene brøker, gang dem med 100 (f.eks. "
            f"{_shown(value * 100)}), og er de prosent, skriv «%» bak dem",
        )
    count = staging.check(today, normalise.SUPPRESSED_MARKERS, file_name)
    report.problem_count = count
    if count:
        rows = [(dims.row(r[0]), *r[1:6], dims.row(r[6])) for r in staging.problems(KEPT_PROBLEMS)]
        lines = table.lines([r[0] for r in rows] + [r[6] for r in rows])
        names = {f"c{i}": name for i, name in enumerate(columns)}
        indicator_name = targets[0][1].name if len(targets) == 1 else "indikatoren"
        report.problems = [
            Problem(
                file_name,
                lines.get(row_no),
                names.get(col),
                message(code, text, start, grain, lines.get(other), indicator_name),
                *cause(code, text, start, grain, indicator_name),
            )
            for row_no, col, code, text, start, grain, other in rows
        ]
    report.stats = staging.finish(leave_out_problems=choices.leave_out_problems and count > 0, detail=preview)
    if choices.missing_zero and report.stats.facts and (not count or choices.leave_out_problems):
        filled = _fill_missing_zero(staging, units, resolver, targets, choices.partnership)
        report.stats = replace(report.stats, facts=report.stats.facts + filled, zero_filled=filled)
    if preview:
        indicator_names = {i.id: i.name for _, i in targets}
        report.parsed = _parsed(staging.stage_head(HEAD_ROWS), resolver.names, indicator_names)
    # a column with no value in any row (a trailing «;» on every line) is not worth a note
    unused = [
        name
        for i, name in enumerate(columns)
        if name not in roles.used() and name not in report.dimensions and staging.filled_rows([f"c{i}"], 1)
    ]
    report.notes = _notes(report, unused, footnotes) + dims.notes
    if staging.dots_as_thousands:
        name = f"«{targets[0][1].name}»" if len(targets) == 1 else "indikatoren"
        report.notes.append(
            f"Punktum i tallene er lest som tusenskille (f.eks. «92.419» = 92 419), fordi {name} teller "
            "hele tilfeller: sjekk at tallene ikke er rater eller andeler."
        )
    if staging.commas_as_thousands:
        name = f"«{targets[0][1].name}»" if len(targets) == 1 else "indikatoren"
        report.notes.append(
            f"Komma i tallene er lest som tusenskille (f.eks. «1,204» = 1 204), fordi {name} teller "
            "hele tilfeller: sjekk at tallene ikke er rater eller andeler."
        )
    if table.guess.format == "csv" and (serial_note := _date_serials_note(staging, spec, roles)):
        report.notes.append(serial_note)
    if starred := staging.marked_numbers():
        count, row, text = starred
        line = table.lines([dims.row(row)]).get(dims.row(row))
        report.notes.append(
            f"{_rows(count)} har tall med en stjerne etter (f.eks. «{text.strip()}» på linje {line}), "
            "ofte et merke for foreløpige tall eller en fotnote; tallene er lagret uten stjernen og kan bli "
            "endret: les fotnoten i kilden."
        )
    if marked := _provisional(staging, spec, columns):
        one = len(marked) == 1
        report.notes.append(
            f"{'Perioden' if one else 'Periodene'} {_and_quoted(marked)} er merket som "
            f"{'foreløpig' if one else 'foreløpige'} (eller med en fotnote) i filen; tallene er lagret for "
            f"{'perioden' if one else 'periodene'} uten merket og kan bli endret: last inn de endelige "
            "tallene når de kommer."
        )
    fractions = _fraction_note(report.stats, table, dims, targets, spec, columns)
    if fractions:
        report.notes.append(fractions)
    if not count and report.stats.facts == 0:
        skipped = report.stats.outside + report.stats.areas
        if skipped:  # a national file for another partnership, or only county rows
            raise FileRefused(
                file_name,
                f"har ingen verdier for kommuner i helsefellesskapet; alle {_rows(skipped)} gjelder "
                "kommuner utenfor det, fylker, hele landet eller restkategorier",
            )
        raise FileRefused(file_name, "har ingen verdier som kan lastes inn")


# What a kind of series is, in the refusal of «rader som mangler er 0» (keys of `charts:`).
_KIND_WORDS = {
    "stock": "en beholdning",
    "rollout": "et kumulativt antall",
    "share": "en andel",
    "score": "et gjennomsnitt",
    "projection": "en framskriving",
}
# A file is national when its rows name more than this share of the country's municipalities.
NATIONAL_SHARE = 0.5


def missing_zero_refusal(indicators: list[Indicator]) -> str | None:
    """One Norwegian sentence when «rader som mangler er 0» cannot be chosen for a file of
    these indicators (one whose `charts:` row lacks zero_fill: a stock, a share, a score, a
    projection), else None."""
    for indicator in indicators:
        if not indicator.rule.zero_fill:
            what = _KIND_WORDS.get(indicator.series_kind, "ikke et antall hendelser")
            return (
                f"«Rader som mangler er 0» kan bare velges for antall hendelser per periode, og "
                f"«{indicator.name}» er {what}; ingenting er lagret."
            )
    return None


def _fill_missing_zero(
    staging: Staging,
    units: pd.DataFrame,
    resolver: UnitResolver,
    targets: list[tuple[str, Indicator]],
    partnership: str | None,
) -> int:
    """Store 0 for the absent rows of the file's grid (Staging.fill_missing_zero); returns how
    many. The rule: the units of the file's own rows, and, when the file is national (its rows
    name more than NATIONAL_SHARE of the country's municipalities, today's or older codes, the
    rows skipped as outside the partnership included), every municipality of the board (of
    `partnership` when one is chosen). Periods: the file's first to its last of each grain. A
    municipality that got part of a split one (Tysfjord 2020, data/reference/code_history.csv)
    is filled from the split on: before it, its counts lay under a code that cannot be given to
    it. The indicators: those of the file whose kind allows it (missing_zero_refusal has
    refused the others)."""
    indicators = [i.id for _, i in targets if i.rule.zero_fill]
    extra: list[str] = []
    if _is_national(units, resolver):
        extra = [
            u
            for u, kind in resolver.kinds.items()
            if kind == "municipality"
            and u in resolver.partnership_of
            and (partnership is None or resolver.partnership_of[u] == partnership)
        ]
    return staging.fill_missing_zero(indicators, extra, _split_successors())


def _is_national(units: pd.DataFrame, resolver: UnitResolver) -> bool:
    """Whether a file's unit texts (normalise.unit_map) name more than NATIONAL_SHARE of the
    country's municipalities: board municipalities and rows skipped as outside it."""
    if not resolver.national_codes or units.empty:
        return False
    kinds = units["unit_id"].map(lambda u: resolver.kinds.get(u) if isinstance(u, str) else None)
    municipal = (kinds == "municipality") | (units["skip"] == normalise.OUTSIDE)
    named = units.loc[municipal, "source_code"].where(units["source_code"].notna(), units["text"])
    return named.nunique() > NATIONAL_SHARE * len(resolver.national_codes)


def _mergers_to_check(units: pd.DataFrame, resolver: UnitResolver) -> pd.DataFrame:
    """The mergers whose parts must all be in a period (checks: merger_partial) when the
    analyst chose «rader som mangler er 0»: an absent part of a merger in the file's grid had
    no events, so its today's unit is the sum of the parts present. The grid's rule
    (_fill_missing_zero): in a national file every old code is in it; otherwise the old codes
    the file has rows for. A merger with a part the file never names is still checked."""
    mergers = resolver.mergers
    if mergers.empty or _is_national(units, resolver):
        return mergers.iloc[0:0]
    named = set(units["source_code"].dropna())
    complete = mergers.groupby("merge_group")["source_code"].agg(lambda codes: set(codes) <= named)
    return mergers[~mergers["merge_group"].map(complete)]


@functools.cache
def _split_successors() -> dict[str, dt.date]:
    """Today's code → the date it got part of a split municipality (the latest such date),
    from the board's code history (a code renumbered since is followed to today's)."""
    history = reference.read_code_history()
    today = reference.resolve_code_chains(history)
    current: dict[str, list[str]] = {}
    for old, now in zip(today["old_code"], today["current_code"], strict=True):
        current.setdefault(old, []).append(now)
    out: dict[str, dt.date] = {}
    splits = history[history["change"] == "split"]
    for new_code, changed in zip(splits["new_code"], splits["changed"], strict=True):
        when = dt.date.fromisoformat(changed)
        for code in current.get(new_code, [new_code]):
            out[code] = max(out.get(code, when), when)
    return out


def _one_table(table: TableFile, staging: Staging, spec: StageSpec, columns: list[str]) -> None:
    """FileRefused when the header row comes again among the data rows: several tables one under
    the other (a KPR report's tables on one sheet, exports pasted together). One sentence naming
    the line(s), instead of a problem per cell of every row below."""
    header = {c: columns[int(c[1:])] for c in spec.used()}
    if len(header) < 2:
        return
    again = staging.header_again(header, 4)
    if not again:
        return
    lines = table.lines(again)
    where = ", ".join(str(lines[r]) for r in again[:3]) + (" m.fl." if len(again) > 3 else "")
    names = ", ".join(f"«{n}»" for n in list(header.values())[:3])
    raise FileRefused(
        table.file_name,
        f"har overskriftsraden ({names}) igjen på linje {where}: det ser ut som flere tabeller under "
        "hverandre; legg tabellen som skal lastes inn alene i en fil eller på et eget ark",
    )


def _ragged(table: TableFile, staging: Staging) -> list[Problem]:
    """Rows with more filled fields than the header has names: named as such, by line."""
    width, columns = table.guess.header_width, table.guess.columns
    if not width or width >= len(columns):
        return []
    rows = staging.filled_rows([f"c{i}" for i in range(width, len(columns))], KEPT_PROBLEMS)
    lines = table.lines(rows)
    text = (
        f"raden har flere felt enn overskriften ({width}); står skilletegnet inne i en verdi uten "
        "anførselstegn, eller mangler et kolonnenavn i overskriften?"
    )
    return [Problem(table.file_name, lines.get(row), None, text) for row in rows]


def _provisional(staging: Staging, spec: StageSpec, columns: list[str]) -> list[str]:
    """The period texts (a wide table's headers, or a period column's texts) marked provisional
    or with a footnote ('2024*', '2024 (foreløpig)'), in file order."""
    if spec.wide:
        names = {f"c{i}": name for i, name in enumerate(columns)}
        texts = [names[c] for c in spec.wide]
    elif spec.period and not spec.subperiod:
        texts = staging.distinct_in_order(spec.period)
    else:
        return []
    return [t for t in texts if normalise.provisional_mark(t)]


def _and_quoted(texts: list[str], most: int = 3) -> str:
    """'«2024*» og «2025*»', the first `most` named."""
    shown = [f"«{t}»" for t in texts[:most]]
    if len(texts) > most:
        shown.append(f"{len(texts) - most} til")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " og " + shown[-1]


def _periods(staging: Staging, spec: StageSpec, roles: ColumnRoles, columns: list[str]) -> pd.DataFrame:
    """The period map: each distinct period text (or year + quarter/month, or wide column)."""
    rows = []
    if spec.wide:
        names = {f"c{i}": name for i, name in enumerate(columns)}
        for column in spec.wide:
            if parsed := normalise.period_of_header(names[column]):
                rows.append((column, "", *parsed))
    elif spec.subperiod:
        kind = normalise.subperiod_kind(roles.subperiod or "")
        for year, sub in staging.distinct_pairs(spec.period, spec.subperiod):
            if year and sub and (parsed := normalise.parse_subperiod(year, sub, kind)):
                rows.append((year, sub, *parsed))
    else:
        texts = staging.distinct(spec.period)
        serials = _date_serials(texts, roles.period or roles.year or "")
        for text in texts:
            if text and (parsed := normalise.parse_period(text) or serials.get(text)):
                rows.append((text, "", *parsed))
    return normalise.period_frame(rows)


def _date_serials(texts: list[str], column: str) -> dict[str, tuple[dt.date, str]]:
    """A text file's date column holding Excel's day numbers (a sheet saved as CSV with the
    dates unformatted: 45292 = 01.01.2024) → each number's month, by the rule the Excel reader
    uses (formats.excel._date_serials): a date column's header, and every filled cell a day
    number from 1990 to 2100, no two in one month. Empty otherwise."""
    from loaders.formats.excel import DATE_HEADER, EXCEL_EPOCH, SERIAL, SERIAL_RANGE

    cells = [t.strip() for t in texts if t and t.strip()]
    if not DATE_HEADER.match(column.strip()) or not cells:
        return {}
    if not all(SERIAL.match(c) and SERIAL_RANGE[0] <= int(c) <= SERIAL_RANGE[1] for c in cells):
        return {}
    out = {}
    for text in texts:
        if text and text.strip():
            day = EXCEL_EPOCH + dt.timedelta(days=int(text.strip()))
            out[text] = (dt.date(day.year, day.month, 1), "month")
    # two days of one month are daily figures, which the board does not hold: left unread, so
    # the checks name them, never one month's rows run together
    return out if len(set(out.values())) == len({t.strip() for t in out}) else {}


def _date_serials_note(staging: Staging, spec: StageSpec, roles: ColumnRoles) -> str | None:
    """The note for a text file's Excel day numbers read as dates, or None."""
    if spec.wide or spec.subperiod or not spec.period:
        return None
    column = roles.period or roles.year or ""
    texts = staging.distinct_in_order(spec.period)
    if not _date_serials(texts, column):
        return None
    first = texts[0].strip()
    shown = (dt.date(1899, 12, 30) + dt.timedelta(days=int(first))).strftime("%d.%m.%Y")
    return f"Kolonnen «{column}» har Excels datonumre (f.eks. {first}); de er lest som datoer ({first} = {shown})."


def _parsed(stage: pd.DataFrame, unit_names: dict[str, str], indicator_names: dict[str, str]) -> pd.DataFrame:
    """The first facts as they will be stored, in file order and by name: indicator, unit,
    period label, value (empty when suppressed, never 'None'), suppressed, file total."""
    return pd.DataFrame(
        {
            "Indikator": [indicator_names.get(i, i) for i in stage["indicator"]],
            "Enhet": [unit_names.get(u, u) for u in stage["unit_id"]],
            "Periode": [
                period_label(s, g) for s, g in zip(stage["period_start"], stage["grain"], strict=True)
            ],
            "Verdi": [_shown(v) for v in stage["value"]],
            "Skjult": stage["suppressed"].map({True: "ja", False: "nei"}),
            "Filens total": stage["file_total"].map({True: "ja", False: ""}),
        }
    )


def _shown(value: float | None) -> str:
    """A stored number as text: '12', '12,5'; '' for a missing (suppressed) value."""
    if value is None or pd.isna(value):
        return ""
    return f"{value:.10g}".replace(".", ",")


def _notes(report: IngestReport, unused: list[str], footnotes: int) -> list[str]:
    notes = list(report.guess.notes if report.guess else [])
    stats = report.stats
    if stats and stats.outside:
        where = "helsefellesskapet" if report.partnership else "helsefellesskapene på tavla"
        notes.append(f"{_rows(stats.outside)} for kommuner utenfor {where} ble ikke lastet inn.")
    if stats and stats.areas:
        notes.append(
            f"{_rows(stats.areas)} for fylker, hele landet og restkategorier (f.eks. «Uoppgitt») "
            "ble ikke lastet inn."
        )
    if stats and stats.file_totals:
        notes.append(
            f"{_rows(stats.file_totals)} med filens egne totaler (f.eks. «Totalt», «Hele Ahus») er lagret "
            "som helsefellesskapets eller regionens verdi og kontrollert mot summen av enhetene."
        )
    if stats and stats.totals:
        notes.append(
            f"{_rows(stats.totals)} med totaler (f.eks. «Totalt») er ikke tatt med: filen gjelder "
            "flere helsefellesskap, så totalen hører ikke til ett av dem."
        )
    if footnotes > 0:
        notes.append(f"{_rows(footnotes)} med fotnoter under tabellen er ikke tatt med.")
    if stats and stats.repeated:
        notes.append(
            f"{_rows(stats.repeated)} gjentar en rad over (samme enhet, periode og tall) og er tatt med "
            "bare én gang, ikke lagt sammen: sjekk at uttrekket ikke har dobbeltrader."
        )
    if unused:
        notes.append(f"Kolonner som ikke brukes: {', '.join(unused)}.")
    if report.duplicate_of is not None:
        notes.append(
            f"Akkurat denne filen er lastet inn før (opplasting {report.duplicate_of}); "
            "å laste den inn igjen endrer ingenting."
        )
    return notes


def _fraction_note(
    stats: StageStats,
    table: TableFile,
    dims: dimensions.DimensionResult,
    targets: list[tuple[str, Indicator]],
    spec: StageSpec,
    columns: list[str],
) -> str | None:
    """A note, not a problem, when counts hold fractions (StageStats.fractions, counted by
    Staging.finish): the lines of the first few, the column, and what to check."""
    count, rows, roles = stats.fractions, stats.fraction_rows, stats.fraction_roles
    if not count:
        return None
    lines = table.lines([dims.row(r) for r in rows])
    shown = ", ".join(str(lines[dims.row(r)]) for r in rows if lines.get(dims.row(r)) is not None)
    names = {f"c{i}": name for i, name in enumerate(columns)}
    held = [f"«{names[c]}»" for c in (getattr(spec, role) for role in roles) if c in names]
    where = ""
    if held and not spec.wide:
        where = f" i kolonne {held[0]}" if len(held) == 1 else f" i kolonnene {' og '.join(held)}"
    name = f"«{targets[0][1].name}»" if len(targets) == 1 else "indikatoren"
    said = "1 verdi{} er ikke et helt tall" if count == 1 else f"{count} verdier{{}} er ikke hele tall"
    return (
        f"{said.format(where)} (linje {shown}{' …' if count > len(rows) else ''}), men {name} bygger på "
        "antall hele tilfeller: sjekk at tusenskille og desimaltegn er lest riktig, og at tallene er antall, "
        "ikke rater eller andeler."
    )


def _rows(n: int) -> str:
    return counted(n, "rad", "rader")
