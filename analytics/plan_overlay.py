"""The partnership's decisions on its plan («Planoppsett»): an overlay on the YAML plan.

The plan file stays the source of record and its words are never changed. What the board may
set (target value and direction, baseline, change date, indicator, short titles, comparison
group) is changed by a *decision*: a row in the store (``plan_decisions``) with who, when, the
old and the new value and an optional meeting reference («Vedtatt i AU 12.03.2026»). The plan
the board shows is the file plan with the active decisions applied in order; undoing one
falls back to the previous decision or the file. ``plan_yaml`` writes the result as a plan
file that, checked in, loads to the same plan (model equality; tests/test_plan_setup.py).

New plan periods and imported plan files are stored as plan documents (the same YAML), so a
partnership can start its next period without a developer; the export makes them files.

Every value is checked before anything is written; a refusal is one Norwegian sentence.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import ValidationError

from analytics import formatting
from analytics.plan import (
    SOURCE_LABELS,
    Criterion,
    CriterionKind,
    Plan,
    PlanError,
    _check_references,
    _entry_name,
    _problem_text,
    parse_deadline,
    parse_year_month,
)
from analytics.registry import Indicator, Registry
from analytics.writes import WriteRefused

if TYPE_CHECKING:
    from analytics.board import Board

Entry = Literal["criterion", "measure"]


@dataclass(frozen=True)
class Field:
    """One value the board may set: where it lives and how it is shown."""

    name: str
    entry: Entry
    label: str


# The values a decision may set (one row each; the page and the CLI read this table).
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("target_value", "criterion", "Målverdi"),
        Field("target_direction", "criterion", "Retning for målet"),
        Field("baseline", "criterion", "Grunnlinje (periode)"),
        Field("change_date", "criterion", "Endringsdato (ny grunnlinje fra)"),
        Field("indicator", "criterion", "Indikator som måler kriteriet"),
        Field("short", "criterion", "Kort tittel (kriterium)"),
        Field("comparison_units", "criterion", "Sammenligningsgruppe (før og etter)"),
        Field("measure_short", "measure", "Kort tittel (tiltak)"),
    )
}
DIRECTION_LABELS = {"increase": "høyere er bedre", "decrease": "lavere er bedre"}
SHORT_MAX = 80


class DecisionRefused(WriteRefused):
    """A value that would make the plan invalid; the message is one Norwegian sentence."""


class PlanProblems(Exception):
    """A plan file that cannot be imported: one Norwegian message per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Decision:
    """One stored change (a row of plan_decisions); values are JSON-compatible."""

    decision_id: int
    plan_id: str
    entry_id: str
    field: str
    old_value: object
    new_value: object
    reference: str | None
    decided_by: str
    decided_at: dt.datetime
    undone_at: dt.datetime | None = None
    undone_by: str | None = None

    @property
    def marker(self) -> str:
        """What the board says about the value: the meeting reference, else who and when."""
        if self.reference:
            return self.reference
        return f"endret av {self.decided_by} {formatting.date(self.decided_at.date())}"


def decisions_from_frame(frame) -> list[Decision]:
    """Store rows (Store.plan_decisions) → Decisions, oldest first."""
    frame = frame.sort_values("decision_id")
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [
        Decision(
            decision_id=int(r["decision_id"]),
            plan_id=r["plan_id"],
            entry_id=r["entry_id"],
            field=r["field"],
            old_value=json.loads(r["old_value"]) if r["old_value"] is not None else None,
            new_value=json.loads(r["new_value"]) if r["new_value"] is not None else None,
            reference=r["reference"] or None,
            decided_by=r["decided_by"],
            decided_at=_datetime(r["decided_at"]),
            undone_at=None if r["undone_at"] is None else _datetime(r["undone_at"]),
            undone_by=r["undone_by"],
        )
        for r in rows
    ]


def _datetime(value: object) -> dt.datetime:
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value  # type: ignore[return-value]


# -- values: read from a plan, set on a plan -------------------------------------------------------


def _month(value: dt.date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def current_value(plan: Plan, entry_id: str, field: str) -> object:
    """A field's value in `plan`, JSON-compatible (what a decision stores as old/new)."""
    if FIELDS[field].entry == "measure":
        return plan.measure(entry_id).short
    criterion = criterion_by_id(plan, entry_id)
    if field == "target_value":
        return None if criterion.target is None else criterion.target.value
    if field == "target_direction":
        return None if criterion.target is None else criterion.target.direction
    if field == "baseline":
        base = plan.baseline_for(criterion)
        return {"from": _month(base.start), "to": _month(base.end)}
    if field == "change_date":
        return None if criterion.change is None else _month(criterion.change.date)
    if field == "indicator":
        return criterion.indicator
    if field == "short":
        return criterion.short
    if field == "comparison_units":
        return [] if criterion.comparison is None else list(criterion.comparison.units)
    raise KeyError(field)


def criterion_by_id(plan: Plan, criterion_id: str) -> Criterion:
    for _, criterion in plan.criteria:
        if criterion.id == criterion_id:
            return criterion
    raise KeyError(criterion_id)


def _set(raw: dict, entry_id: str, field: str, value: object, marker: str) -> None:
    """Set one field in a plan's dict (Plan.model_dump(by_alias=True)) in place."""
    if FIELDS[field].entry == "measure":
        measure = next(m for m in raw["measures"] if m["id"] == entry_id)
        measure["short"] = value
        return
    crit = next(c for m in raw["measures"] for c in m["criteria"] if c["id"] == entry_id)
    if field == "target_value":
        old = crit.get("target") or {}
        crit["target"] = {
            "value": value,
            "basis": f"{marker} (vedtak registrert i tavla)",
            "default": False,
            "direction": old.get("direction"),
            "decision": marker,
        }
    elif field == "target_direction":
        if not crit.get("target"):
            raise DecisionRefused("Kriteriet har ikke noe mål ennå; sett en målverdi før retningen.")
        crit["target"] = {**crit["target"], "direction": value, "decision": marker}
    elif field == "baseline":
        crit["baseline"] = {"from": value["from"], "to": value["to"], "source": "decision", "note": marker}
    elif field == "change_date":
        crit["change"] = None if value is None else {"date": value, "source": "decision", "note": marker}
    elif field == "indicator":
        crit["indicators"] = [value, *crit.get("indicators", [])[1:]]
    elif field == "short":
        crit["short"] = value
    elif field == "comparison_units":
        crit["comparison"] = {"units": list(value), "source": "decision", "note": marker} if value else None


def apply_decisions(plan: Plan, decisions: Iterable[Decision]) -> Plan:
    """The plan with the active decisions for its period applied, oldest first.

    A decision that no longer fits the plan (its entry was removed from the file) is skipped.
    """
    active = [d for d in decisions if d.plan_id == plan.period_id and d.undone_at is None]
    if not active:
        return plan
    raw = plan.model_dump(by_alias=True)
    for decision in active:
        try:
            _set(raw, decision.entry_id, decision.field, decision.new_value, decision.marker)
        except (StopIteration, DecisionRefused):
            continue
    return Plan.model_validate(raw)


# -- checks: the rules a plan (file or decision) must keep -----------------------------------------


def counts_municipalities(indicator: Indicator) -> bool:
    """Whether an indicator's figure is a number of municipalities (registry ``counts:
    municipalities``, a count or a stock): the only figure a target of «every member
    municipality» (Target.all_members) can be held against. Held against a count of persons
    or a share it read «Antall … 68 av 4» and «mål 4» (the number of members)."""
    return indicator.counts == "municipalities" and indicator.kind in ("count", "stock")


def check_values(plan: Plan, registry: Registry, unit_ids: set[str] | None = None) -> list[tuple[str, str]]:
    """Problems with the values the board may set, as (entry, problem) pairs in Norwegian.

    - a target against the indicator's direction (registry), or a share outside 0–100 %;
    - a target of every member municipality (all_members) on an indicator that does not count
      municipalities (counts_municipalities);
    - a baseline that ends on or after the change date;
    - a change date outside the plan period (a continued plan: from its predecessor's start);
    - an unknown indicator (also found by the plan's reference check; listed here so that
      every criterion's problem is named, not only the first).

    Unknown comparison units are the reference check's (analytics.plan._check_references).
    `unit_ids` is kept for callers that pass the reference units.
    """
    problems: list[tuple[str, str]] = []
    first_year = plan.predecessor.period_start if plan.predecessor else plan.partnership.period_start
    period_first = dt.date(first_year, 1, 1)
    period_last = dt.date(plan.partnership.period_end, 12, 31)
    for measure, criterion in plan.criteria:
        entry = f"tiltak «{measure.id}», kriterium «{criterion.id}»"
        for indicator_id in criterion.indicators:
            if indicator_id not in registry:
                problems.append((entry, f"ukjent indikator «{indicator_id}» (finnes ikke i indicators.yaml)"))
        indicator = registry.get(criterion.indicator) if criterion.indicator in registry else None
        target = criterion.target
        if target is not None and indicator is not None:
            wanted = indicator.direction
            if target.direction and wanted != "neutral" and target.direction != wanted:
                problems.append(
                    (
                        entry,
                        f"målet går i feil retning: «{indicator.name}» er bedre når den er "
                        f"{'lavere' if wanted == 'decrease' else 'høyere'}, men målet sier "
                        f"{DIRECTION_LABELS[target.direction]}",
                    )
                )
            change = target.relative_change
            if change is not None and wanted != "neutral" and (change > 0) == (wanted == "decrease"):
                problems.append(
                    (
                        entry,
                        f"målet går i feil retning: «{indicator.name}» er bedre når den er "
                        f"{'lavere' if wanted == 'decrease' else 'høyere'}, men målet er en endring på "
                        f"{formatting.number(change * 100)} %",
                    )
                )
            if target.value is not None and indicator.kind == "share" and not 0 <= target.value <= 100:
                problems.append(
                    (
                        entry,
                        f"målet for en andel må være mellom 0 og 100 %, ikke {formatting.number(target.value, 1)}",
                    )
                )
            elif target.value is not None and target.value < 0:
                problems.append(
                    (entry, f"målet kan ikke være negativt ({formatting.number(target.value, 1)})")
                )
            if target.all_members and not counts_municipalities(indicator):
                problems.append(
                    (
                        entry,
                        f"målet «alle medlemskommuner» (all_members) gjelder bare en indikator som teller "
                        f"kommuner (counts: municipalities), ikke «{indicator.name}»",
                    )
                )
        if criterion.change is not None:
            change_date = criterion.change.date
            if not period_first <= change_date <= period_last:
                problems.append(
                    (
                        entry,
                        f"endringsdatoen {formatting.month_year(change_date)} er utenfor planperioden "
                        f"{first_year}–{plan.partnership.period_end}",
                    )
                )
            baseline = plan.baseline_for(criterion)
            if baseline.end >= change_date:
                problems.append(
                    (
                        entry,
                        f"grunnlinjen slutter {formatting.month_year(baseline.end)}, ikke før "
                        f"endringsdatoen {formatting.month_year(change_date)}",
                    )
                )
    return problems


def parse_value(field: str, value: object, plan: Plan, entry_id: str, registry: Registry) -> object:
    """A value from the page or the CLI in its stored (JSON) form; DecisionRefused if unreadable."""
    if field == "target_value":
        if value is None or value == "":
            raise DecisionRefused("Målverdien mangler; skriv et tall.")
        try:
            return float(str(value).replace(",", ".").replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            raise DecisionRefused(f"Målverdien «{value}» er ikke et tall.") from None
    if field == "target_direction":
        if value not in DIRECTION_LABELS:
            raise DecisionRefused(f"Ukjent retning «{value}» (bruk «increase» eller «decrease»).")
        return value
    if field == "baseline":
        try:
            start, end = parse_year_month(value["from"]), parse_year_month(value["to"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DecisionRefused(f"Grunnlinjen er ikke lesbar: {exc}.") from None
        if start > end:
            raise DecisionRefused(
                f"Grunnlinjen starter ({formatting.month_year(start)}) etter at den slutter "
                f"({formatting.month_year(end)})."
            )
        return {"from": _month(start), "to": _month(end)}
    if field == "change_date":
        if value in (None, ""):
            return None
        try:
            return _month(parse_year_month(value))
        except ValueError as exc:
            raise DecisionRefused(f"Endringsdatoen er ikke lesbar: {exc}.") from None
    if field == "indicator":
        if value not in registry:
            raise DecisionRefused(f"Ukjent indikator «{value}»; velg en indikator fra indicators.yaml.")
        return value
    if field in ("short", "measure_short"):
        text = " ".join(str(value or "").split())
        if not text:
            return None
        if len(text) > SHORT_MAX:
            raise DecisionRefused(f"Den korte tittelen er {len(text)} tegn; den kan være høyst {SHORT_MAX}.")
        return text
    if field == "comparison_units":
        units = [str(u).strip() for u in (value or []) if str(u).strip()]
        criterion = criterion_by_id(plan, entry_id)
        if units and criterion.kind is not CriterionKind.before_after:
            raise DecisionRefused("Bare kriterier av typen «før og etter» har en sammenligningsgruppe.")
        return units
    raise DecisionRefused(f"Feltet «{field}» kan ikke endres i tavla.")


def check_change(
    plan: Plan,
    changes: Mapping[str, object],
    entry_id: str,
    registry: Registry,
    unit_ids: set[str] | None,
    marker: str = "vedtak",
) -> tuple[Plan, dict[str, object]]:
    """Parse and apply `changes` (field → value) for one entry to `plan`; return the new plan
    and the parsed values, or raise DecisionRefused with one sentence (nothing is written)."""
    parsed = {field: parse_value(field, value, plan, entry_id, registry) for field, value in changes.items()}
    raw = plan.model_dump(by_alias=True)
    for field, value in parsed.items():
        _set(raw, entry_id, field, value, marker)
    try:
        changed = Plan.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DecisionRefused(
            f"{_entry_name(first['loc'], raw).capitalize()}: {_problem_text(first)}."
        ) from None
    try:
        _check_references(changed, registry.ids(), unit_ids)
    except PlanError as exc:
        raise DecisionRefused(f"{exc.problem[0].upper()}{exc.problem[1:]}.") from None
    before = set(check_values(plan, registry, unit_ids))
    for entry, problem in check_values(changed, registry, unit_ids):
        if (entry, problem) not in before and f"«{entry_id}»" in entry:
            raise DecisionRefused(f"{problem[0].upper()}{problem[1:]}.")
    return changed, parsed


# -- the one write path: decide, undo (page and CLI) ------------------------------------------------


def decide(
    board: Board,
    key: str,
    entry_id: str,
    changes: Mapping[str, object],
    decided_by: str,
    reference: str | None = None,
) -> list[int]:
    """Record the changed values of one criterion or measure as decisions (one transaction).

    Values equal to the current ones are left out. Raises DecisionRefused (one Norwegian
    sentence) for a value that would make the plan invalid, or when the plan period is
    closed (read-only); nothing is written then. Returns the new decision ids.
    """
    if not board.is_current(key):
        raise DecisionRefused("Planperioden er avsluttet og kan bare leses; endre den gjeldende planen.")
    plan = board.plan(key)
    reference = " ".join((reference or "").split()) or None
    wanted = {}
    for field, value in changes.items():
        now = current_value(plan, entry_id, field)
        if value in (None, "") and now in (None, "", []):
            continue  # an empty box for a value the plan does not have: nothing to decide
        if parse_value(field, value, plan, entry_id, board.registry) != now:
            wanted[field] = value
    if not wanted:
        return []
    _, parsed = check_change(plan, wanted, entry_id, board.registry, set(board.units["unit_id"]))
    rows = [
        {
            "plan_id": plan.period_id,
            "entry_id": entry_id,
            "field": field,
            "old_value": json.dumps(current_value(plan, entry_id, field), ensure_ascii=False),
            "new_value": json.dumps(value, ensure_ascii=False),
            "reference": reference,
            "decided_by": decided_by,
        }
        for field, value in parsed.items()
    ]
    return board.store.record_plan_decisions(rows)


def undo_decision(board: Board, decision_id: int, undone_by: str) -> str:
    """Undo one decision (the value falls back to the one before); one Norwegian sentence back.

    Refused (DecisionRefused) when the plan without it would be invalid, e.g. a baseline that
    then ends after a change date decided later."""
    frame = board.store.plan_decisions()
    decisions = decisions_from_frame(frame)
    target = next((d for d in decisions if d.decision_id == decision_id), None)
    if target is None:
        raise DecisionRefused(f"Finner ikke vedtak nr. {decision_id}.")
    if target.undone_at is not None:
        return f"Endring nr. {decision_id} var allerede angret."
    key = board.key_for_period(target.plan_id)
    if key is None or not board.is_current(key):
        raise DecisionRefused("Planperioden er avsluttet og kan bare leses; endringen kan ikke angres.")
    remaining = [d for d in decisions if d.decision_id != decision_id]
    without = apply_decisions(board.base_plan(key), remaining)
    problems = check_values(without, board.registry, set(board.units["unit_id"]))
    if problems:
        problem = problems[0][1]
        raise DecisionRefused(f"Kan ikke angres: da ville {problem}.")
    board.store.undo_plan_decision(decision_id, undone_by)
    label = FIELDS[target.field].label.lower()
    return f"Endring nr. {decision_id} ({label} for «{target.entry_id}») er angret."


# -- where each value comes from (the page shows it) -----------------------------------------------


@dataclass(frozen=True)
class ValueView:
    field: str
    label: str
    value: str
    source: str  # 'planen', 'tavlas standardverdi', 'vedtak: …'
    decision: Decision | None = None


def show_value(field: str, value: object, registry: Registry) -> str:
    """A stored value as the page shows it."""
    if value is None or value == [] or value == "":
        return "–"
    if field == "target_direction":
        return DIRECTION_LABELS.get(str(value), str(value))
    if field == "baseline":
        return f"{formatting.month_year(parse_year_month(value['from']))}–{formatting.month_year(parse_year_month(value['to']))}"
    if field == "change_date":
        return formatting.month_year(parse_year_month(value))
    if field == "indicator":
        return registry.get(value).name if value in registry else str(value)
    if field == "comparison_units":
        return ", ".join(value)
    if field == "target_value":
        return formatting.number(value, 1).removesuffix(",0")
    return str(value)


def _base_source(base: Plan, entry_id: str, field: str) -> str:
    """Where a value without a decision comes from: the plan document or the board."""
    if FIELDS[field].entry == "measure":
        return "tavlas korttittel" if base.measure(entry_id).short else "–"
    criterion = criterion_by_id(base, entry_id)
    if field in ("target_value", "target_direction"):
        if criterion.target is None:
            return "–"
        if field == "target_direction" and criterion.target.direction is None:
            return "indikatorens retning"
        return SOURCE_LABELS["default" if criterion.target.default else "plan"]
    if field == "baseline":
        return SOURCE_LABELS[base.baseline_for(criterion).source]
    if field == "change_date":
        return SOURCE_LABELS[criterion.change.source] if criterion.change else "–"
    if field == "comparison_units":
        return SOURCE_LABELS[criterion.comparison.source] if criterion.comparison else "–"
    if field == "short":
        return "tavlas korttittel" if criterion.short else "–"
    return "planen" if not criterion.proposed else "tavlas forslag"


def value_views(board: Board, key: str, entry_id: str) -> list[ValueView]:
    """Each settable value of one criterion (or measure) with its source, for the page."""
    plan, base = board.plan(key), board.base_plan(key)
    decisions = [
        d
        for d in decisions_from_frame(board.store.plan_decisions(plan.period_id))
        if d.entry_id == entry_id and d.undone_at is None
    ]
    entry: Entry = "measure" if entry_id in {m.id for m in plan.measures} else "criterion"
    views = []
    for field in (f for f in FIELDS.values() if f.entry == entry):
        if (
            field.name == "comparison_units"
            and criterion_by_id(plan, entry_id).kind is not CriterionKind.before_after
        ):
            continue
        latest = next((d for d in reversed(decisions) if d.field == field.name), None)
        value = current_value(plan, entry_id, field.name)
        shown = show_value(field.name, value, board.registry)
        if field.name == "target_direction" and value is None:
            criterion = criterion_by_id(plan, entry_id)
            own = (
                board.registry.get(criterion.indicator).direction
                if criterion.indicator in board.registry
                else None
            )
            shown = DIRECTION_LABELS.get(own or "", "–")
        if latest is not None:
            source = f"vedtak: {latest.reference or 'uten referanse'} ({latest.decided_by}, {formatting.date(latest.decided_at.date())})"
        else:
            source = _base_source(base, entry_id, field.name)
        views.append(ValueView(field.name, field.label, shown, source, latest))
    return views


# -- files: export, import --------------------------------------------------------------------------


def plan_yaml(plan: Plan, note: str | None = None) -> str:
    """The plan as a plan file (YAML); loading it gives an equal Plan (see tests)."""
    data = plan.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data = {"schema_version": 1, **data}
    header = (
        f"# {plan.partnership.plan_title} ({plan.period_id}), eksportert fra tavla.\n"
        "# Planens tekst er ordrett fra kildedokumentet; verdier satt ved vedtak har source: decision\n"
        "# og vedtaket i note/decision. Legg filen i data/plan/ for å gjøre vedtakene til en del av planfilen.\n"
    )
    if note:
        header += f"# {note}\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def plan_problems(
    text: str, file_name: str, registry: Registry, unit_ids: set[str] | None
) -> tuple[Plan | None, list[str]]:
    """Validate a plan file's text as the board does at start; every problem as one message
    («Planfilen «x.yaml», tiltak «m05», kriterium «m05-k1»: …»). Returns (plan or None, problems)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"linje {line + 1}" if line is not None else "filen"
        return None, [str(PlanError(file_name, where, "er ikke gyldig YAML"))]
    if not isinstance(raw, dict):
        return None, [str(PlanError(file_name, "toppnivå", "filen må inneholde en plan (et YAML-kart)"))]
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as exc:
        return None, [
            str(PlanError(file_name, _entry_name(e["loc"], raw), _problem_text(e))) for e in exc.errors()
        ]
    problems = []
    try:
        _check_references(plan, registry.ids(), unit_ids)
    except PlanError as exc:
        problems.append(str(PlanError(file_name, exc.entry, exc.problem)))
    problems += [
        str(PlanError(file_name, entry, problem)) for entry, problem in check_values(plan, registry, unit_ids)
    ]
    problems = list(dict.fromkeys(problems))  # the reference check and check_values may agree
    return (None if problems else plan), problems


def import_plan(board: Board, path: Path | str, created_by: str, text: str | None = None) -> Plan:
    """Load a new plan file into the store (a new period or a revised stored one).

    Raises PlanProblems (one message per problem) for a file that is invalid, or whose period
    exists as a file in data/plan (change that file instead). Returns the plan."""
    path = Path(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PlanProblems([str(PlanError(path, "filen", "finnes ikke"))]) from None
        except UnicodeDecodeError:
            raise PlanProblems([str(PlanError(path, "filen", "er ikke UTF-8-tekst"))]) from None
    plan, problems = plan_problems(text, path.name, board.registry, set(board.units["unit_id"]))
    if problems:
        raise PlanProblems(problems)
    if plan.period_id in board.file_period_ids():
        raise PlanProblems(
            [
                str(
                    PlanError(
                        path,
                        "partnerskap",
                        f"planperioden «{plan.period_id}» finnes som fil i data/plan; endre den filen, "
                        "eller sett verdiene i Planoppsett",
                    )
                )
            ]
        )
    board.store.save_plan_document(plan.period_id, plan.id, plan_yaml(plan), "import", path.name, created_by)
    return plan


# -- a new plan period ------------------------------------------------------------------------------

Choice = Literal["carry", "finish", "drop"]
CHOICE_LABELS = {"carry": "Videreføres", "finish": "Fullført", "drop": "Strykes"}


def _retitle(title: str, old: Plan, start: int, end: int) -> str:
    new = str(start) if start == end else f"{start}-{end}"
    a, b = old.partnership.period_start, old.partnership.period_end
    for pattern in (rf"{a}\s*[-–]\s*{b}", rf"{a}"):
        if re.search(pattern, title):
            return re.sub(pattern, new, title, count=1)
    return f"{title} ({new})"


def next_period(
    plan: Plan,
    start: int,
    end: int,
    choices: Mapping[str, tuple[Choice, str | None]],
    created_by: str,
) -> Plan:
    """The plan copied to the period `start`–`end` (e.g. 2026–2027).

    `choices`: per leaf measure id, ("carry", new deadline) | ("finish", None) | ("drop", None);
    a leaf without a choice is carried with the new period as deadline. Carried criteria keep
    their indicators, targets, decisions (already applied in `plan`) and baselines (the default
    baseline is written out, so it does not move with the period). A group measure is kept
    while one of its sub-measures is. Raises DecisionRefused for a bad period or deadline.
    """
    if end < start:
        raise DecisionRefused(f"Planperioden {start}–{end} slutter før den starter.")
    if start <= plan.partnership.period_end:
        raise DecisionRefused(
            f"Den nye planperioden må starte etter {plan.partnership.period_end}, da den gjeldende slutter."
        )
    span = str(start) if start == end else f"{start}-{end}"
    carried, finished, dropped = [], [], []
    kept_leaves: dict[str, dict] = {}
    for measure in plan.leaf_measures:
        choice, deadline = choices.get(measure.id, ("carry", None))
        if choice == "finish":
            finished.append(measure.id)
            continue
        if choice == "drop":
            dropped.append(measure.id)
            continue
        text = (deadline or span).strip()
        try:
            parsed = parse_deadline(text)
        except ValueError as exc:
            raise DecisionRefused(f"Tiltak «{measure.id}»: {exc}.") from None
        if not parsed.continuous and not (start <= (parsed.last_year or 0) <= end):
            raise DecisionRefused(
                f"Tiltak «{measure.id}»: fristen {text} er utenfor den nye planperioden {start}–{end}."
            )
        raw = measure.model_dump(by_alias=True)
        raw["deadline"] = text
        criteria = []
        for criterion in raw["criteria"]:
            if criterion.get("baseline") is None:
                base = plan.baseline_for(criterion_by_id(plan, criterion["id"]))
                criterion["baseline"] = {
                    "from": _month(base.start),
                    "to": _month(base.end),
                    "source": base.source,
                    "note": f"grunnlinjen fra planperioden {plan.period_text}",
                }
            criteria.append(criterion)
        raw["criteria"] = criteria
        kept_leaves[measure.id] = raw
        carried.append(measure.id)
    parents = {m["parent"] for m in kept_leaves.values() if m.get("parent")}
    measures = []
    for measure in plan.measures:
        if measure.id in kept_leaves:
            measures.append(kept_leaves[measure.id])
        elif measure.id in parents:
            group = measure.model_dump(by_alias=True)
            group["deadline"] = None
            measures.append(group)
    if not measures:
        raise DecisionRefused("Den nye planperioden har ingen tiltak; velg minst ett tiltak som videreføres.")
    raw = plan.model_dump(by_alias=True)
    partnership = {**raw["partnership"], "period_start": start, "period_end": end}
    partnership["plan_title"] = _retitle(plan.partnership.plan_title, plan, start, end)
    partnership["approvals"], partnership["versions"], partnership["meetings"] = [], [], []
    raw.update(
        partnership=partnership,
        measures=measures,
        predecessor={
            "plan_id": plan.period_id,
            "period_start": (
                plan.predecessor.period_start if plan.predecessor else plan.partnership.period_start
            ),
            "carried": carried,
            "finished": finished,
            "dropped": dropped,
            "created_by": created_by,
            "created_at": dt.datetime.now().replace(microsecond=0),
        },
    )
    used_groups = {m["target_group"] for m in measures}
    raw["target_groups"] = [g for g in raw["target_groups"] if g["id"] in used_groups] or raw["target_groups"]
    return Plan.model_validate(raw)


def create_period(
    board: Board,
    key: str,
    start: int,
    end: int,
    choices: Mapping[str, tuple[Choice, str | None]],
    created_by: str,
) -> Plan:
    """«Ny planperiode»: store the next period of the plan in force (see next_period).

    The old period stays on the board, read-only. Raises DecisionRefused (one sentence) when
    the plan is not the one in force, the period exists, or a value is invalid."""
    if not board.is_current(key):
        raise DecisionRefused("Bare den gjeldende planperioden kan videreføres.")
    new = next_period(board.plan(key), start, end, choices, created_by)
    if board.key_for_period(new.period_id) is not None:
        raise DecisionRefused(
            f"Planperioden {new.period_text} finnes allerede for {new.partnership.short_name}."
        )
    problems = check_values(new, board.registry, set(board.units["unit_id"]))
    if problems:
        entry, problem = problems[0]
        raise DecisionRefused(f"{entry.capitalize()}: {problem}.")
    board.store.save_plan_document(new.period_id, new.id, plan_yaml(new), "new_period", None, created_by)
    return new


def period_report(board: Board, key: str) -> dict[str, list[str]]:
    """For a closed period: which measures its successor carried, finished and dropped
    (empty lists when no successor was made in the board)."""
    plan = board.plan(key)
    for other in board.plan_periods(plan.id):
        if other.predecessor and other.predecessor.plan_id == plan.period_id:
            p = other.predecessor
            return {"carried": list(p.carried), "finished": list(p.finished), "dropped": list(p.dropped)}
    return {"carried": [], "finished": [], "dropped": []}


def decision_rows(board: Board, key: str) -> list[dict]:
    """The history of one period's decisions, newest first, for the page's table."""
    plan = board.plan(key)
    decisions = decisions_from_frame(board.store.plan_decisions(plan.period_id))
    rows = []
    for d in reversed(decisions):
        rows.append(
            {
                "Nr.": d.decision_id,
                "Når": d.decided_at.replace(microsecond=0),
                "Hvem": d.decided_by,
                "Gjelder": d.entry_id,
                "Verdi": FIELDS[d.field].label,
                "Før": show_value(d.field, d.old_value, board.registry),
                "Etter": show_value(d.field, d.new_value, board.registry),
                "Vedtak": d.reference or "",
                "Angret": ""
                if d.undone_at is None
                else f"{d.undone_by}, {formatting.date(d.undone_at.date())}",
            }
        )
    return rows


def validate_all(plans: Sequence[Plan], registry: Registry, unit_ids: set[str] | None) -> None:
    """Raise PlanError for the first plan value problem (the board's start-up check)."""
    for plan in plans:
        for entry, problem in check_values(plan, registry, unit_ids):
            raise PlanError(plan.partnership.source_document, entry, problem)
