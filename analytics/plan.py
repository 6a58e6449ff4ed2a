"""The action plan as data: a pydantic schema for data/plan/*.yaml and its loader.

A plan file that is wrong is refused with one Norwegian message naming the file, the
entry and the problem (PlanError). Cross-references (indicator ids, goals, target
groups, parents, member municipalities) are checked after the schema.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analytics import config

DEADLINE_PATTERN = re.compile(r"^(?:(\d{4})|(\d{4})-(\d{4})|Fortløpende)$")


class PlanError(Exception):
    """A plan file that cannot be used; the message is Norwegian and names file and entry."""

    def __init__(self, file: Path | str, entry: str, problem: str) -> None:
        self.file = str(file)
        self.entry = entry
        self.problem = problem
        super().__init__(f"Planfilen «{Path(file).name}», {entry}: {problem}")


class CriterionKind(StrEnum):
    milestone = "milestone"
    target = "target"
    trend = "trend"
    coverage = "coverage"
    before_after = "before_after"
    monitor = "monitor"


KIND_LABELS = {
    CriterionKind.milestone: "Milepæl",
    CriterionKind.target: "Mål (tallverdi)",
    CriterionKind.trend: "Utvikling over tid",
    CriterionKind.coverage: "Dekning",
    CriterionKind.before_after: "Før og etter",
    CriterionKind.monitor: "Følges",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Deadline(Strict):
    """A deadline as the plan writes it: `2024`, `2024-2025` or `Fortløpende`."""

    text: str

    @property
    def continuous(self) -> bool:
        return self.text == "Fortløpende"

    @property
    def first_year(self) -> int | None:
        match = DEADLINE_PATTERN.match(self.text)
        if not match or self.continuous:
            return None
        return int(match.group(1) or match.group(2))

    @property
    def last_year(self) -> int | None:
        match = DEADLINE_PATTERN.match(self.text)
        if not match or self.continuous:
            return None
        return int(match.group(1) or match.group(3))

    @property
    def due_date(self) -> dt.date | None:
        """End of the last deadline year; None for continuous work."""
        year = self.last_year
        return dt.date(year, 12, 31) if year else None


def parse_deadline(value: object) -> Deadline:
    text = str(value).strip()
    match = DEADLINE_PATTERN.match(text)
    if not match:
        raise ValueError(
            f"ugyldig frist «{text}» (bruk et årstall, et spenn som 2024-2025, eller Fortløpende)"
        )
    if match.group(2) and int(match.group(2)) > int(match.group(3)):
        raise ValueError(f"ugyldig frist «{text}»: første år er etter siste år")
    return Deadline(text=text)


class Target(Strict):
    """A numeric target. `default: true` means the plan does not quantify it and the board
    proposes this value openly (`basis` says how it was chosen)."""

    value: float | None = None
    relative_change: float | None = None  # e.g. -0.10 for "10 % lower than baseline"
    # e.g. 1 for "more municipalities than at the end of the baseline year": baseline + 1
    min_increase: Annotated[int, Field(ge=1)] | None = None
    all_members: bool = False  # rollout counted toward the number of member municipalities
    basis: str
    default: bool = True
    # The direction the target asks for; None: the indicator's own (registry). A value that
    # contradicts a non-neutral indicator is refused (analytics.plan_overlay.check_values).
    direction: Literal["increase", "decrease"] | None = None
    decision: str | None = None  # set by a partnership decision: e.g. «Vedtatt i AU 12.03.2026»


YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")  # 2022-01 (or an exported 2022-01-01)
# Who set a value the plan document does not give: the board's default, the board's own
# reading (marked in the file), or a decision of the partnership (issue 17 records who and when).
ValueSource = Literal["default", "board", "plan", "decision"]
SOURCE_LABELS = {
    "default": "tavlas standardverdi",
    "board": "tavlas egen verdi",
    "plan": "planen",
    "decision": "vedtak",
}
BASELINE_MONTHS = 24  # the default baseline: the 24 months before the plan period
DETECT_CHANGE = 0.20  # the default relative change the "enough data" rule asks about


def parse_year_month(value: object) -> dt.date:
    """'2022-01' (or a date) → the first day of that month; ValueError in Norwegian."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = YEAR_MONTH.match(str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"ugyldig måned «{value}» (bruk ÅÅÅÅ-MM, f.eks. 2022-01)")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


class Baseline(Strict):
    """The period SPC limits are computed from: whole months ``from`` … ``to`` (YAML
    ``{from: 2022-01, to: 2023-12, source: board}``). Default (source "default"): the
    ``BASELINE_MONTHS`` months before the plan period."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    source: ValueSource = "board"
    note: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month(cls, value: object) -> dt.date:
        return parse_year_month(value)

    @model_validator(mode="after")
    def _order(self) -> Baseline:
        if self.start > self.end:
            raise ValueError("grunnlinjen starter etter at den slutter")
        return self

    @property
    def last_day(self) -> dt.date:
        return month_end(self.end)

    @property
    def text(self) -> str:
        """'jan. 2022–des. 2023 (tavlas standardverdi)'."""
        from analytics.formatting import month_year

        return f"{month_year(self.start)}–{month_year(self.end)} ({SOURCE_LABELS[self.source]})"


class ProcessChange(Strict):
    """A known change to the process (e.g. a rollout started): new SPC limits from ``date``.
    Only when the plan (or a decision) says the process changed; never found automatically."""

    date: dt.date
    source: ValueSource = "board"
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _month(cls, value: object) -> dt.date:
        return parse_year_month(value)


class ComparisonGroup(Strict):
    """What a before/after result is compared with (difference in differences).

    units: the comparison units (e.g. municipalities not yet taking part), judged on the
    criterion's own indicators; or ``indicators``: a reference group's [after, before]
    figures on the same units (e.g. matched patients). One of the two is needed.
    """

    units: list[str] = Field(default_factory=list)
    indicators: list[str] = Field(default_factory=list)
    source: ValueSource = "board"
    note: str | None = None

    @model_validator(mode="after")
    def _some(self) -> ComparisonGroup:
        if not self.units and len(self.indicators) != 2:
            raise ValueError("sammenligningsgruppen må ha enheter (units) eller to indikatorer (etter, før)")
        return self


class Reference(Strict):
    title: str
    publisher: str | None = None
    note: str | None = None  # e.g. the source's own "Jfr."


class Titled(Strict):
    """An entry with the plan's own words (`text`) and, optionally, the board's short title."""

    text: str
    short: str | None = None  # the board's own (marked in the file); `text` stays word for word

    @property
    def title(self) -> str:
        """The short title for tables and slides where the plan file gives one, else `text`."""
        return self.short or self.text


class Criterion(Titled):
    id: str
    text: str
    kind: CriterionKind
    indicators: list[str] = Field(default_factory=list)
    heading: str | None = None  # a sub-heading in the source, e.g. "Ahus-data"
    target: Target | None = None
    baseline_year: int | None = None
    baseline: Baseline | None = None  # SPC limits from here; None: Plan.baseline_for's default
    change: ProcessChange | None = None  # new limits from this month (the plan says so)
    comparison: ComparisonGroup | None = None  # before/after: a difference in differences
    detect_change: Annotated[float, Field(gt=0, lt=1)] | None = None  # default DETECT_CHANGE
    proposed: bool = False  # proposed by the board, not the partnership's own words
    note: str | None = None

    @property
    def indicator(self) -> str | None:
        return self.indicators[0] if self.indicators else None


class Measure(Titled):
    id: str
    text: str
    goal: str
    target_group: str
    parent: str | None = None
    priority: Annotated[int, Field(ge=1, le=3)] | None = None
    priority_note: str | None = None
    responsible: list[str] = Field(default_factory=list)
    deadline: Deadline | None = None
    sub_points: list[str] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)
    focus_area: str | None = None  # for plans organised by innsatsområde
    proposed: bool = False
    note: str | None = None  # the board's remark (e.g. how a deadline was read from the text)

    @field_validator("deadline", mode="before")
    @classmethod
    def _deadline(cls, value: object) -> Deadline | None:
        if value is None or isinstance(value, Deadline):
            return value
        if isinstance(value, dict):
            value = value.get("text")
        return parse_deadline(value)


class FocusArea(Strict):
    id: str
    number: int | None = None
    title: str
    groups: list[str] = Field(default_factory=list)


class Goal(Strict):
    id: str
    text: str
    label: str | None = None  # e.g. "Hvor vil vi? «Oppdraget»"
    focus_areas: list[str] = Field(default_factory=list)
    proposed: bool = False  # the board's wording where the source names no goal
    note: str | None = None


class TargetGroup(Strict):
    id: str
    name: str
    goal: str
    proposed: bool = False
    note: str | None = None


class Approval(Strict):
    body: str
    date: dt.date
    note: str | None = None


class Version(Strict):
    version: str
    date: dt.date
    note: str | None = None


class Meeting(Strict):
    name: str
    date: dt.date
    note: str | None = None


class Partnership(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    name: str
    short_name: str
    hospital: str
    plan_title: str
    period_start: int
    period_end: int
    vision: str | None = None
    goal_statement: str | None = None
    values: str | None = None
    owner: str | None = None
    source_document: str
    municipalities: list[str]
    districts: list[str] = Field(default_factory=list)
    approvals: list[Approval] = Field(default_factory=list)
    versions: list[Version] = Field(default_factory=list)
    meetings: list[Meeting] = Field(default_factory=list)
    case_reference: str | None = None
    case_officers: list[str] = Field(default_factory=list)
    recommendation: str | None = None
    background: str | None = None


class Predecessor(Strict):
    """The plan period this one continues («Ny planperiode»): what became of each measure."""

    plan_id: str  # e.g. "ahus-2024-2025"
    period_start: int  # the first year of that period (a change date may lie in it)
    carried: list[str] = Field(default_factory=list)  # measures carried over (new deadline)
    finished: list[str] = Field(default_factory=list)  # marked finished at the end of the period
    dropped: list[str] = Field(default_factory=list)  # dropped at the end of the period
    created_by: str | None = None
    created_at: dt.datetime | None = None


class Plan(Strict):
    schema_version: Literal[1] = 1
    partnership: Partnership
    predecessor: Predecessor | None = None
    focus_areas: list[FocusArea]
    goals: list[Goal]
    target_groups: list[TargetGroup]
    measures: list[Measure]

    @property
    def id(self) -> str:
        """The partnership's id (units, milestones and the URL's ?hf= use it)."""
        return self.partnership.id

    @property
    def period_id(self) -> str:
        """The plan period's id: 'ahus-2024-2025' (one year: 'ahus-2024')."""
        start, end = self.partnership.period_start, self.partnership.period_end
        return f"{self.id}-{start}" if start == end else f"{self.id}-{start}-{end}"

    @property
    def period_text(self) -> str:
        """'2024–2025'."""
        start, end = self.partnership.period_start, self.partnership.period_end
        return str(start) if start == end else f"{start}–{end}"

    @cached_property
    def leaf_measures(self) -> list[Measure]:
        """Measures that do the work: those no other measure names as parent."""
        parents = {m.parent for m in self.measures if m.parent}
        return [m for m in self.measures if m.id not in parents]

    @cached_property
    def criteria(self) -> list[tuple[Measure, Criterion]]:
        return [(m, c) for m in self.measures for c in m.criteria]

    def measure(self, measure_id: str) -> Measure:
        return next(m for m in self.measures if m.id == measure_id)

    def parent_of(self, measure: Measure) -> Measure | None:
        return self.measure(measure.parent) if measure.parent else None

    def effective_priority(self, measure: Measure) -> int | None:
        """A sub-measure's priority is its group's when the source sets it only there."""
        if measure.priority is not None:
            return measure.priority
        parent = self.parent_of(measure)
        return parent.priority if parent else None

    def effective_deadline(self, measure: Measure) -> Deadline | None:
        if measure.deadline is not None:
            return measure.deadline
        parent = self.parent_of(measure)
        return parent.deadline if parent else None

    def goal(self, goal_id: str) -> Goal:
        return next(g for g in self.goals if g.id == goal_id)

    def target_group(self, group_id: str) -> TargetGroup:
        return next(t for t in self.target_groups if t.id == group_id)

    def indicator_ids(self) -> set[str]:
        return {i for _, c in self.criteria for i in c.indicators}

    def baseline_for(self, criterion: Criterion) -> Baseline:
        """The criterion's baseline, or the default: the ``BASELINE_MONTHS`` months before
        the plan period (e.g. jan. 2022–des. 2023 for a plan 2024–2025)."""
        if criterion.baseline is not None:
            return criterion.baseline
        start = self.partnership.period_start
        return Baseline(
            start=dt.date(start - BASELINE_MONTHS // 12, 1, 1),
            end=dt.date(start - 1, 12, 1),
            source="default",
        )

    @property
    def period_first_day(self) -> dt.date:
        return dt.date(self.partnership.period_start, 1, 1)


def _entry_name(location: tuple, raw: dict) -> str:
    """Turn a pydantic error location into 'tiltak «m05», kriterium «m05-k1»'."""
    labels = {
        "measures": "tiltak",
        "criteria": "kriterium",
        "goals": "mål",
        "target_groups": "målgruppe",
        "focus_areas": "satsningsområde",
        "partnership": "partnerskap",
    }
    parts: list[str] = []
    node: object = raw
    for key in location:
        if isinstance(key, int) and isinstance(node, list):
            node = node[key] if key < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]} «{ident}»" if ident else f"{parts[-1]} nr. {key + 1}"
            continue
        if isinstance(node, dict):
            node = node.get(key)
        parts.append(labels.get(str(key), f"feltet «{key}»"))
    return ", ".join(parts) or "toppnivå"


def _problem_text(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "obligatorisk felt mangler"
    if kind == "extra_forbidden":
        return "ukjent felt"
    if kind in ("enum", "literal_error"):
        return f"ugyldig verdi «{error.get('input')}»: {error.get('msg')}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"ugyldig verdi «{error.get('input')}» (prioritet må være 1, 2 eller 3)"
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")


def _check_references(plan: Plan, indicator_ids: set[str], unit_ids: set[str] | None) -> None:
    """Everything pydantic cannot see: duplicates and ids that point nowhere."""
    file = plan.partnership.source_document
    seen: dict[str, str] = {}

    def unique(kind: str, ident: str) -> None:
        if ident in seen:
            raise PlanError(file, f"{kind} «{ident}»", f"id-en er brukt to ganger (også {seen[ident]})")
        seen[ident] = kind

    for area in plan.focus_areas:
        unique("satsningsområde", area.id)
    for goal in plan.goals:
        unique("mål", goal.id)
        for area_id in goal.focus_areas:
            if area_id not in {a.id for a in plan.focus_areas}:
                raise PlanError(file, f"mål «{goal.id}»", f"ukjent satsningsområde «{area_id}»")
    goal_ids = {g.id for g in plan.goals}
    for group in plan.target_groups:
        unique("målgruppe", group.id)
        if group.goal not in goal_ids:
            raise PlanError(file, f"målgruppe «{group.id}»", f"ukjent mål «{group.goal}»")
    group_ids = {t.id for t in plan.target_groups}
    measure_ids = {m.id for m in plan.measures}
    area_ids = {a.id for a in plan.focus_areas}
    for measure in plan.measures:
        unique("tiltak", measure.id)
        entry = f"tiltak «{measure.id}»"
        if measure.goal not in goal_ids:
            raise PlanError(file, entry, f"ukjent mål «{measure.goal}»")
        if measure.target_group not in group_ids:
            raise PlanError(file, entry, f"ukjent målgruppe «{measure.target_group}»")
        if measure.parent and measure.parent not in measure_ids:
            raise PlanError(file, entry, f"ukjent overordnet tiltak «{measure.parent}»")
        if measure.focus_area and measure.focus_area not in area_ids:
            raise PlanError(file, entry, f"ukjent innsatsområde «{measure.focus_area}»")
        for criterion in measure.criteria:
            unique("kriterium", criterion.id)
            for indicator in criterion.indicators:
                if indicator not in indicator_ids:
                    raise PlanError(
                        file,
                        f"{entry}, kriterium «{criterion.id}»",
                        f"ukjent indikator «{indicator}» (finnes ikke i indicators.yaml)",
                    )
            group = criterion.comparison
            for indicator in group.indicators if group else []:
                if indicator not in indicator_ids:
                    raise PlanError(
                        file,
                        f"{entry}, kriterium «{criterion.id}», sammenligningsgruppe",
                        f"ukjent indikator «{indicator}» (finnes ikke i indicators.yaml)",
                    )
            numeric = {CriterionKind.target, CriterionKind.trend, CriterionKind.before_after}
            if criterion.kind in numeric and not criterion.indicators:
                raise PlanError(
                    file,
                    f"{entry}, kriterium «{criterion.id}»",
                    f"kriterier av typen «{criterion.kind.value}» må ha en indikator",
                )
    if unit_ids is not None:
        for measure, criterion in plan.criteria:
            for code in criterion.comparison.units if criterion.comparison else []:
                if code not in unit_ids:
                    raise PlanError(
                        file,
                        f"tiltak «{measure.id}», kriterium «{criterion.id}», sammenligningsgruppe",
                        f"ukjent kommune/bydel «{code}» i referansedata",
                    )
        for code in [*plan.partnership.municipalities, *plan.partnership.districts]:
            if code not in unit_ids:
                raise PlanError(file, "partnerskap", f"ukjent kommune/bydel «{code}» i referansedata")


# libyaml's parser when PyYAML was built with it (same safe constructor and resolver, so the same
# objects; about 5x faster on the plan and the registry, which every cold start reads).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> object:
    """``yaml.safe_load`` of ``text``, by libyaml when available; raises yaml.YAMLError."""
    return yaml.load(text, Loader=_YAML_LOADER)


def load_plan(path: Path | str, indicator_ids: set[str], unit_ids: set[str] | None = None) -> Plan:
    """Read and validate one plan file; raise PlanError with a Norwegian message."""
    path = Path(path)
    try:
        raw = read_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError(path, "filen", "finnes ikke") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"linje {line + 1}" if line is not None else "filen"
        raise PlanError(path, where, "er ikke gyldig YAML") from None
    if not isinstance(raw, dict):
        raise PlanError(path, "toppnivå", "filen må inneholde en plan (et YAML-kart)")
    try:
        plan = Plan.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise PlanError(path, _entry_name(first["loc"], raw), _problem_text(first)) from None
    try:
        _check_references(plan, indicator_ids, unit_ids)
    except PlanError as exc:
        raise PlanError(path, exc.entry, exc.problem) from None
    return plan


def load_plans(
    indicator_ids: set[str], unit_ids: set[str] | None = None, plan_dir: Path | None = None
) -> dict[str, Plan]:
    """All plans in data/plan: each partnership's newest period keyed by partnership id
    ('ahus'), earlier periods by their period id ('ahus-2024-2025'); file-name order."""
    periods: dict[str, Plan] = {}
    for path in sorted((plan_dir or config.PLAN_DIR).glob("*.yaml")):
        plan = load_plan(path, indicator_ids, unit_ids)
        if plan.period_id in periods:
            raise PlanError(
                path, "partnerskap", f"planperioden «{plan.period_id}» for «{plan.id}» finnes i to filer"
            )
        periods[plan.period_id] = plan
    return key_periods(periods.values())


def key_periods(plans: Iterable[Plan]) -> dict[str, Plan]:
    """Plans keyed as the board names them: the newest period of each partnership by the
    partnership id (so ?hf=ahus is always the plan in force), older periods by period id."""
    ordered = sorted(plans, key=lambda p: (p.partnership.period_start, p.partnership.period_end))
    newest = {plan.id: plan for plan in ordered}
    keyed: dict[str, Plan] = {}
    for plan in ordered:
        keyed[plan.id if newest[plan.id] is plan else plan.period_id] = plan
    order = list(dict.fromkeys(p.id for p in plans))
    return dict(
        sorted(keyed.items(), key=lambda kv: (order.index(kv[1].id), -kv[1].partnership.period_start))
    )
