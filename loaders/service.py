"""The loader as a service for the CLI and the upload page: one object, one store."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from analytics import clock, config, reference, writes
from analytics.board import Board, open_board
from analytics.export import neutralise
from analytics.periods import period_label
from analytics.store import STORE_TABLES, open_store, zero_filled_text
from loaders.ingest import Choices, IngestReport, missing_zero_refusal, process
from loaders.normalise import UnitResolver
from loaders.profiles import Profile, ProfileError, load_profiles


class LoaderError(Exception):
    pass


def format_value(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return np.format_float_positional(float(value), trim="-")


@dataclass
class Loader:
    board: Board
    resolver: UnitResolver
    profiles: dict[str, Profile]

    @classmethod
    def open(cls, db_path: Path | str | None = None) -> Loader:
        return cls.for_board(open_board(db_path))

    @classmethod
    def for_board(cls, board: Board) -> Loader:
        resolver = UnitResolver.build(
            board.units,
            board.store.current_code_map(),
            reference.national_municipalities(),
            reference.read_code_history(),
            {plan.partnership.id: plan.partnership.short_name for plan in board.plans.values()},
        )
        try:
            profiles = load_profiles()
        except ProfileError as exc:
            raise LoaderError(str(exc)) from None
        return cls(board=board, resolver=resolver, profiles=profiles)

    def profile(self, profile_id: str | None) -> Profile | None:
        if profile_id is None:
            return None
        if profile_id not in self.profiles:
            raise LoaderError(f"Ukjent profil «{profile_id}» (finnes: {', '.join(sorted(self.profiles))}).")
        return self.profiles[profile_id]

    def missing_zero_allowed(self, indicator_id: str | None, profile_id: str | None = None) -> bool:
        """Whether «rader som mangler er 0» may be offered for a file of this indicator (or of
        the profile's indicators): every one of them of a kind whose `charts:` row says
        zero_fill (ingest.missing_zero_refusal). False when none is chosen yet or one is unknown."""
        profile = self.profiles.get(profile_id) if profile_id else None
        ids = profile.indicator_ids() if profile is not None else [indicator_id] if indicator_id else []
        if not ids or any(i not in self.board.registry for i in ids):
            return False
        return missing_zero_refusal([self.board.registry.get(i) for i in ids]) is None

    def preview(
        self,
        path: Path,
        indicator_id: str | None,
        profile_id: str | None = None,
        *,
        file_name: str | None = None,
        choices: Choices | None = None,
        today: dt.date | None = None,
    ) -> IngestReport:
        """Read and check the whole file; write nothing (the upload page's preview)."""
        return self.ingest(
            path,
            indicator_id,
            profile_id=profile_id,
            dry_run=True,
            file_name=file_name,
            choices=choices,
            today=today,
        )

    def ingest(
        self,
        path: Path,
        indicator_id: str | None,
        loaded_by: str = "lokal",
        profile_id: str | None = None,
        *,
        sheet: str | None = None,
        dry_run: bool = False,
        demo: bool = False,
        file_name: str | None = None,
        choices: Choices | None = None,
        today: dt.date | None = None,
    ) -> IngestReport:
        """Check the file and, unless `dry_run`, load it in one transaction if it is clean."""
        choices = choices or Choices()
        if sheet:
            choices.sheet = sheet
        return process(
            path,
            self.board.store,
            self.board.registry,
            self.resolver,
            file_name=file_name,
            indicator_id=indicator_id,
            profile=self.profile(profile_id),
            choices=choices,
            commit=not dry_run,
            loaded_by=loaded_by,
            demo=demo,
            today=today,
        )

    def export_csv(self, out: TextIO, indicator_id: str | None = None, raw: bool = False) -> int:
        """indicator,unit,period,value,suppressed as UTF-8 CSV, sorted; formula-safe cells.

        Protected by default, like every page: a cell the partnership's cube hides
        (analytics.hierarchy) is written as "<5" (a small count) or ":" (hidden to protect
        one), for every protected count and share. A share is always ":" when hidden: its value
        is a per cent, where "<5" would read as "under 5 %" (protection.RATE_NOTE). `raw`: the numbers as stored, for analysts.
        """
        facts = self.board.store.facts([indicator_id] if indicator_id else None, file_totals=True)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["indicator", "unit", "period", "value", "suppressed"])
        shown = self._protected_values(facts) if not raw else None
        for i, row in enumerate(facts.itertuples(index=False)):
            value = "" if row.suppressed else format_value(row.value)
            if shown is not None and shown[i] is not None and not row.suppressed:
                value = shown[i]
            writer.writerow(
                [
                    neutralise(row.indicator),
                    neutralise(row.unit_id),
                    period_label(row.period_start, row.grain),
                    value,
                    "true" if row.suppressed else "false",
                ]
            )
        return len(facts)

    def _protected_values(self, facts: pd.DataFrame) -> list[str | None]:
        """Per fact: "<5" or ":" when the page would hide it, else None (shown as stored).

        The rule every view uses, on whole columns: series.hidden_cells (series.hidden's
        columns: a small count, or a share's small numerator, complement or denominator) and
        the partnership's cube (hierarchy.Cube.mask), one call per indicator, partnership and
        grain. «<5» only for a count whose own value is small (series.small_numerators, the
        columns of series.hidden_numerator); a share, or a cell hidden to protect another, is ":"."""
        from analytics import protection
        from analytics.series import cube_for, hidden_cells, small_numerators

        out = np.full(len(facts), None, dtype=object)
        if facts.empty:
            return out.tolist()
        registry = self.board.registry
        units = self.board.units.drop_duplicates("unit_id").set_index("unit_id")["partnership"]
        unit_ids = facts["unit_id"].astype(str)
        partnership = unit_ids.map(units).to_numpy(dtype=object)
        unit_ids = unit_ids.to_numpy(dtype=object)
        starts = pd.to_datetime(facts["period_start"]).to_numpy()
        grains = facts["grain"].to_numpy(dtype=object)
        columns = {
            c: facts[c].to_numpy(dtype=float) for c in ("value", "numerator", "denominator") if c in facts
        }
        for indicator_id, at in facts.groupby("indicator", sort=False).indices.items():
            if indicator_id not in registry or not registry.get(indicator_id).protect_small:
                continue
            indicator = registry.get(indicator_id)
            count = columns["numerator" if indicator.kind == "share" else "value"][at]
            denominator = columns["denominator"][at] if "denominator" in columns else None
            # A share's complement (or a small denominator) hides it too, shown «:».
            masked = hidden_cells(indicator, count, denominator)
            for (_owner, grain), cell in (
                pd.DataFrame({"owner": partnership[at], "grain": grains[at]})
                .groupby(["owner", "grain"], sort=False)
                .indices.items()
            ):
                where = at[cell]
                cube = cube_for(self.board, indicator, [unit_ids[where[0]]])
                if cube is not None:
                    masked[cell] |= cube.mask(unit_ids[where].tolist(), grain, starts[where])
            small = small_numerators(indicator, count) & (indicator.kind != "share")
            out[at] = np.where(masked, np.where(small, protection.small_label(), protection.SECONDARY), None)
        return out.tolist()

    def log_text(self) -> str:
        log = self.board.store.uploads()
        if log.empty:
            return "Ingen opplastinger ennå."
        lines = ["id  tidspunkt            av            nye/erstattet/uendret/avvist  status  fil"]
        for row in log.itertuples(index=False):
            status = "angret" if pd.notna(row.undone_at) else "aktiv"
            counts = f"{row.rows_added}/{row.rows_replaced}/{row.rows_unchanged}/{row.rows_refused}"
            lines.append(
                f"{row.upload_id:<3} {row.loaded_at:%Y-%m-%d %H:%M:%S}  {row.loaded_by:<12}  {counts:<28}  "
                f"{status:<6}  {row.file_name} ({row.file_hash[:12]})"
            )
            if bool(getattr(row, "missing_zero", False) or False):
                lines.append(f"    {zero_filled_text(int(row.rows_zero_filled or 0))}")
        return "\n".join(lines)

    def undo(self, upload_id: int, undone_by: str = "lokal") -> str:
        """Undo one upload (analytics.writes.undo_upload, as the Datakatalog page does);
        raises LoaderError with a sentence if there is no such upload."""
        try:
            return writes.undo_upload(self.board.store, upload_id, undone_by)
        except writes.WriteRefused as exc:
            raise LoaderError(str(exc)) from None

    def load_demo(self, out_dir: Path | None = None) -> list[str]:
        """Make the synthetic demo files and load them (and the reference population)."""
        maker = _demo_module()
        out_dir = out_dir or config.SAMPLE_OUT_DIR
        written = maker.main(["--out", str(out_dir), "--today", clock.today().isoformat()])
        messages: list[str] = []
        jobs: list[tuple[Path, str | None, str | None, bool]] = [
            (config.REFERENCE_DIR / "population_07459.csv", None, "ssb_07459", False),
            (config.REFERENCE_DIR / "projection_13600.csv", None, "ssb_13600", False),
        ]
        jobs += [(out_dir / name, indicator, None, True) for name, indicator in written]
        for path, indicator, profile_id, demo in jobs:
            report = self.ingest(path, indicator, loaded_by="demo", profile_id=profile_id, demo=demo)
            if not report.ok:
                problems = report.refused or "; ".join(report.problem_lines()[:3])
                raise LoaderError(f"Demodata kunne ikke lastes: {problems}")
            messages.append(f"{path.name}: {report.result.summary}")
        messages.append(self._load_demo_milestones(out_dir / "milepaeler.csv"))
        return messages

    def _load_demo_milestones(self, path: Path) -> str:
        """Record the demo milestone register once per partnership (a rerun changes nothing)."""
        register = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        store = self.board.store
        recorded = 0
        for partnership, rows in register.groupby("partnerskap"):
            if partnership not in self.board.plans or not store.milestone_states(partnership).empty:
                continue
            for row in rows.itertuples(index=False):
                done = dt.date.fromisoformat(row.dato) if row.dato else None
                try:  # checked as the Milepæler page checks an edit
                    writes.record_milestone(
                        store, partnership, row.kriterium, row.status, "demo", done, row.kommentar
                    )
                except writes.WriteRefused as exc:
                    raise LoaderError(
                        f"Demodata kunne ikke lastes: {path.name}, {row.kriterium}: {exc}"
                    ) from None
                recorded += 1
        return f"{path.name}: {recorded} milepælstatuser registrert."


def copy_store(source: Path | str, target: Path | str) -> list[str]:
    """Copy every table of one store into a new, empty one (DuckDB file ↔ PostgreSQL), in one
    transaction, then check the counts: each table as many rows in the target as in the
    source, read back from both. Returns one line per table; raises LoaderError on a mismatch
    (StoreError when the target is not empty: nothing is written)."""
    if str(source) == str(target):
        raise LoaderError("«--from» og «--to» er samme database.")
    origin = open_store(source, read_only=not config.is_server_url(source), setting="--from")
    try:
        tables = {table: origin.read_table(table) for table in STORE_TABLES}
        expected = origin.table_counts()
    finally:
        origin.close()
    destination = open_store(target, setting="--to")
    try:
        destination.load_tables(tables)
        found = destination.table_counts()
    finally:
        destination.close()
    wrong = [t for t in STORE_TABLES if found[t] != expected[t]]
    if wrong:
        raise LoaderError(
            "Kopien stemmer ikke: " + ", ".join(f"{t} {expected[t]} → {found[t]}" for t in wrong) + "."
        )
    return [f"{t}: {expected[t]} rader kopiert og kontrollert." for t in STORE_TABLES]


def _demo_module():
    """data/sample/make_demo.py is a script in the data folder, not a package: load it by path."""
    path = config.SAMPLE_DIR / "make_demo.py"
    spec = importlib.util.spec_from_file_location("make_demo", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
