"""One file into the store: read → normalise → validate → one transaction (or nothing)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics import config
from analytics.registry import Registry
from analytics.store import FACT_COLUMNS, Store, UploadMeta, UploadResult
from loaders.normalise import ColumnRoles, Normalised, UnitResolver, normalise
from loaders.problems import FileRefused, Problem
from loaders.profiles import Profile, ProfileError
from loaders.reading import RawTable, read_table


@dataclass
class IngestReport:
    file_name: str
    indicator: str
    raw: RawTable | None = None
    normalised: Normalised | None = None
    problems: list[Problem] = field(default_factory=list)
    refused: str | None = None  # one sentence when the file is not a table at all
    result: UploadResult | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.problems

    @property
    def rows(self) -> int:
        return 0 if self.normalised is None else len(self.normalised.facts)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare(
    path: Path,
    indicator_id: str | None,
    registry: Registry,
    resolver: UnitResolver,
    file_name: str | None = None,
    profile: Profile | None = None,
    roles: ColumnRoles | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_line: int | None = None,
    sheet: str | None = None,
    today: dt.date | None = None,
) -> IngestReport:
    """Read and check a file without writing anything: the preview and the dry run."""
    file_name = file_name or path.name
    indicator_id = indicator_id or (profile.indicator if profile else None)
    report = IngestReport(file_name=file_name, indicator=indicator_id or "")
    by_column = profile is not None and profile.indicator_column is not None
    if not by_column and indicator_id not in registry:
        report.refused = f"Ukjent indikator «{indicator_id}»." if indicator_id else "Velg en indikator."
        return report
    try:
        if path.stat().st_size > config.MAX_UPLOAD_MB * 1024 * 1024:
            raise FileRefused(file_name, f"er større enn grensen på {config.MAX_UPLOAD_MB} MB")
        report.raw = read_table(
            path,
            file_name,
            encoding or (profile.encoding if profile else None),
            delimiter or (profile.delimiter if profile else None),
            header_line or (profile.header_line if profile else None),
            sheet or (profile.sheet if profile else None),
        )
        if report.raw.frame.empty:
            raise FileRefused(file_name, "har ingen datarader under overskriftsraden")
        if profile is not None and roles is None:
            try:
                roles = profile.roles(list(report.raw.frame.columns))
            except ProfileError as exc:
                raise FileRefused(file_name, f"passer ikke profilen: {exc}") from None
        parts = _split_by_indicator(report, profile, indicator_id, registry)
        normalised = [
            normalise(part, file_name, registry.get(ind), resolver, registry.get(ind).source, today, roles)
            for ind, part in parts
        ]
    except FileRefused as exc:
        report.refused = str(exc)
        return report
    report.normalised = Normalised(
        facts=pd.concat([n.facts for n in normalised], ignore_index=True),
        problems=report.problems + [p for n in normalised for p in n.problems],
        roles=normalised[0].roles,
        skipped_totals=sum(n.skipped_totals for n in normalised),
    )
    report.problems = report.normalised.problems
    if by_column:
        report.indicator = ",".join(ind for ind, _ in parts)
    if not report.problems and report.normalised.facts.empty:
        report.refused = f"Filen «{file_name}» har ingen verdier som kan lastes inn."
    return report


def _split_by_indicator(
    report: IngestReport, profile: Profile | None, indicator_id: str | None, registry: Registry
) -> list[tuple[str, RawTable]]:
    """One part per indicator: the whole table, or split on the profile's indicator column."""
    raw = report.raw
    if profile is None or profile.indicator_column is None:
        return [(indicator_id, raw)]
    column = profile.indicator_column
    if column not in raw.frame.columns:
        raise FileRefused(report.file_name, f"mangler kolonnen «{column}» som profilen bruker")
    parts: list[tuple[str, RawTable]] = []
    values = raw.frame[column].fillna("").astype(str).str.strip()
    for value in values.unique():
        mask = (values == value).to_numpy()
        indicator = profile.indicators.get(value)
        lines = [line for line, keep in zip(raw.lines, mask, strict=True) if keep]
        if indicator is None or indicator not in registry:
            report.problems.append(
                Problem(report.file_name, lines[0], column, f"«{value}» er ikke en kjent verdi for profilen")
            )
            continue
        parts.append((indicator, RawTable(raw.frame[mask].reset_index(drop=True), lines, raw.guess)))
    if not parts:
        raise FileRefused(report.file_name, f"har ingen kjente verdier i kolonnen «{column}»")
    return parts


def ingest_file(
    path: Path,
    indicator_id: str | None,
    store: Store,
    registry: Registry,
    resolver: UnitResolver,
    loaded_by: str = "lokal",
    dry_run: bool = False,
    demo: bool = False,
    file_name: str | None = None,
    **read_options: object,
) -> IngestReport:
    """Prepare, then load in one transaction if and only if the whole file is clean."""
    report = prepare(path, indicator_id, registry, resolver, file_name=file_name, **read_options)
    report.dry_run = dry_run
    if not report.ok or dry_run:
        return report
    meta = UploadMeta(
        file_name=report.file_name,
        file_hash=file_hash(path),
        loaded_by=loaded_by,
        indicator=report.indicator,
        source=", ".join(sorted({registry.get(i).source for i in report.indicator.split(",")})),
        demo=demo,
    )
    report.result = store.ingest(report.normalised.facts[FACT_COLUMNS], meta)
    return report
