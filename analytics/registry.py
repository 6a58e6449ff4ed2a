"""The indicator registry (data/indicators.yaml): what each indicator means and how to judge it."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr, StringConstraints, ValidationError, model_validator

from analytics import config
from analytics.plan import PlanError, read_yaml

Grain = Literal["year", "tertial", "quarter", "month"]

GRAIN_LABELS = {"year": "år", "tertial": "tertial", "quarter": "kvartal", "month": "måned"}


def grain_label(grain: str) -> str:
    """'måned', 'kvartal', 'tertial', 'år', or '3-årsperiode' for a multi-year grain."""
    if grain in GRAIN_LABELS:
        return GRAIN_LABELS[grain]
    return f"{grain.removesuffix('year')}-årsperiode"


DIRECTION_LABELS = {
    "increase": "Høyere er bedre",
    "decrease": "Lavere er bedre",
    "neutral": "Ingen retning",
}
POPULATION_LABELS = {
    "population_total": "innbyggere",
    "population_0_17": "innbyggere 0–17 år",
    "population_18_66": "innbyggere 18–66 år",
    "population_67_79": "innbyggere 67–79 år",
    "population_80_plus": "innbyggere 80 år og eldre",
    "population_65_plus": "innbyggere 65 år og eldre",
}


# What an indicator's series is, for choosing its chart: a key of the registry's `charts:`
# table, whose row holds every rule per kind, so a new kind needs only a row there (an
# indicator naming a kind without a row is refused by load_registry). The kinds the board's
# own registry file has: count, rare_count, stock, rollout, share, score, projection.
ChartKind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
ChartName = Literal["xmr", "u", "g", "t", "planned_path", "target"]
SPC_CHARTS = ("xmr", "u", "g", "t")
# The numbers of a file's cell: its value, or a fraction's numerator and denominator.
CellRole = Literal["value", "numerator", "denominator"]


class ChartRule(BaseModel):
    """One row of the registry's `charts:` table: the chart for an indicator kind.

    chart: the chart normally drawn and judged. rare_chart / rare_below: the chart
    used instead when fewer than ``rare_below`` events are expected per period
    (NHS Making Data Count: g or t charts, or Poisson limits, for rare events).
    reason: Norwegian, for method texts. source: the reference the choice follows.

    judged_before_end: whether a period that has not ended yet may be judged
    (analytics.series.judged_series marks it partial otherwise): only projections, whose
    periods lie ahead; NHS Making Data Count and NHSRplotthedots judge whole periods only.
    whole_cases: the numbers of a file's cell that count whole cases (a count's value, a
    share's numerator and denominator): a fraction there gets the loader's note
    (loaders.staging.Staging.finish, StageStats.fractions). Both default to none, so a new
    kind is measured, judged on whole periods, and not checked for fractions unless its row
    says so.
    zero_fill: whether a file of this kind may be loaded with «rader som mangler er 0» (the
    analyst's choice per file, loaders.ingest.Choices.missing_zero): only a count of events
    per period, where an extract that leaves out a unit's month means no events. A rate, a
    share, a score or a stock has no such reading, so the default is false.
    unit_max: the most one municipality's own row may hold (None: no bound). A rollout
    counts municipalities taking part (1 = takes part), so a municipality's row of 3 is a
    file error (loaders.checks «unit_max»); a partnership's row, the sum of its members, is
    not bounded by it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    chart: ChartName
    rare_chart: ChartName | None = None
    rare_below: float | None = None
    reason: str
    source: str
    judged_before_end: bool = False
    whole_cases: tuple[CellRole, ...] = ()
    zero_fill: bool = False
    unit_max: float | None = None

    @property
    def spc(self) -> bool:
        """True if the chart is a control chart (special-cause rules apply)."""
        return self.chart in SPC_CHARTS

    def pick(self, expected_events: float | None = None) -> str:
        """The chart to use for a series expecting ``expected_events`` per period (None: unknown)."""
        rare = self.rare_chart is not None and self.rare_below is not None
        if rare and expected_events is not None and expected_events < self.rare_below:
            return str(self.rare_chart)
        return self.chart


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    unit: str
    kind: Literal["count", "stock", "share", "score"]
    grain: Grain
    direction: Literal["increase", "decrease", "neutral"]
    population: str | None = None
    source: str
    source_detail: str
    definition_source: str
    protect_small: bool = False
    # What the indicator's counts count (see data/indicators.yaml): persons (patients, and
    # events or referrals of patients) must be protect_small, checked at load.
    counts: Literal["persons", "municipalities", "teams", "categories", "population"] | None = None
    target: float | None = None
    projection: bool = False  # projected figures: periods in the future are expected
    chart_kind: ChartKind | None = None  # default: "projection" if projection, else kind
    # Age bands ("65+", "67-79", "alle"): whom a count counts, whom a population covers.
    numerator_age: str | None = None  # count: the age band of the persons counted
    age: str | None = None  # population group: the age band it covers
    projected_by: str | None = None  # population group: the projection used for unpublished years
    # count: band → indicator with the count of that band, for the age-standardised rate
    numerator_by_age: dict[str, str] | None = None
    description: str
    # The row of the registry's `charts:` table for this indicator's series_kind, attached when
    # the registry is read (Registry._attach_rules); see ``rule``.
    _rule: ChartRule | None = PrivateAttr(default=None)

    @property
    def rule(self) -> ChartRule:
        """This indicator's row of its registry's `charts:` table (its series_kind's chart,
        ``judged_before_end``, ``whole_cases``). An indicator made outside a registry (a unit
        test's) reads the row of the board's own registry file (config.REGISTRY_FILE)."""
        if self._rule is not None:
            return self._rule
        return default_charts()[self.series_kind]  # type: ignore[index]

    @property
    def series_kind(self) -> str:
        """The key of this indicator's row in the registry's `charts:` table."""
        if self.chart_kind is not None:
            return self.chart_kind
        return "projection" if self.projection else self.kind

    @property
    def rate_label(self) -> str | None:
        """E.g. 'per 1 000 innbyggere 80 år og eldre' for counts with a population group."""
        if not self.population:
            return None
        return f"per 1 000 {POPULATION_LABELS.get(self.population, self.population)}"


class StandardPopulation(BaseModel):
    """The standard population for directly age-standardised rates (weights in data/reference)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    file: str  # CSV in the reference folder: age_from, age_to (empty = open), weight
    source: str


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    charts: dict[ChartKind, ChartRule]
    standard_population: StandardPopulation | None = None
    indicators: list[Indicator]

    @model_validator(mode="after")
    def _attach_rules(self) -> Registry:
        """Give each indicator its `charts:` row (Indicator.rule); a kind with no row is
        reported by load_registry."""
        for indicator in self.indicators:
            indicator._rule = self.charts.get(indicator.series_kind)  # type: ignore[call-overload]
        return self

    def chart(self, indicator: Indicator | str) -> ChartRule:
        """The `charts:` row for an indicator (or its id): which chart, and whether SPC applies."""
        ind = self.get(indicator) if isinstance(indicator, str) else indicator
        return self.charts[ind.series_kind]  # type: ignore[index]

    def get(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def ids(self) -> set[str]:
        return {i.id for i in self.indicators}

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self.ids()


@functools.cache
def default_charts() -> dict[str, ChartRule]:
    """The `charts:` table of the board's registry file (config.REGISTRY_FILE), read once:
    the rules of an Indicator made outside a registry (Indicator.rule)."""
    return dict(load_registry().charts)


def load_registry(path: Path | None = None) -> Registry:
    """Read data/indicators.yaml; raise PlanError (Norwegian) if it is wrong."""
    path = path or config.REGISTRY_FILE
    try:
        raw = read_yaml(path.read_text(encoding="utf-8"))
        registry = Registry.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(path, "filen", f"kan ikke leses ({type(exc).__name__})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        index = first["loc"][1] if len(first["loc"]) > 1 else None
        entry = f"indikator nr. {index + 1}" if isinstance(index, int) else "toppnivå"
        field = first["loc"][2:]
        if first["loc"][0] == "charts" and index is not None:
            entry = f"charts.{index}"
        elif index is None:
            field = first["loc"]
        raise PlanError(path, entry, f"{'.'.join(map(str, field))}: {first['msg']}") from None
    ids = [i.id for i in registry.indicators]
    for ident in ids:
        if ids.count(ident) > 1:
            raise PlanError(path, f"indikator «{ident}»", "id-en er brukt to ganger")
    for indicator in registry.indicators:
        if indicator.population and indicator.population not in ids:
            raise PlanError(
                path, f"indikator «{indicator.id}»", f"ukjent befolkningsgruppe «{indicator.population}»"
            )
    for indicator in registry.indicators:
        if indicator.series_kind not in registry.charts:
            raise PlanError(
                path,
                f"indikator «{indicator.id}»",
                f"diagramtypen «{indicator.series_kind}» mangler i charts",
            )
    for indicator in registry.indicators:
        if indicator.counts == "persons" and not indicator.protect_small:
            raise PlanError(
                path,
                f"indikator «{indicator.id}»",
                "teller personer (counts: persons), men protect_small er ikke true; små tall ville vises",
            )
    for kind, rule in registry.charts.items():
        if (rule.rare_chart is None) != (rule.rare_below is None):
            raise PlanError(path, f"charts.{kind}", "rare_chart og rare_below må oppgis sammen")
    for indicator in registry.indicators:
        problem = age_problem(registry, indicator)
        if problem:
            raise PlanError(path, f"indikator «{indicator.id}»", problem)
    return registry


# -- age bands ------------------------------------------------------------------------------

AgeBand = tuple[int, int | None]  # first and last year of age; None = no upper limit
_BAND = re.compile(r"^\s*(\d+)\s*(?:\+|[-–]\s*(\d+))\s*$")


def parse_age(text: str) -> AgeBand:
    """'65+' → (65, None), '67-79' or '67–79' → (67, 79), 'alle' → (0, None).

    Raises ValueError (Norwegian) for anything else.
    """
    if text.strip().lower() == "alle":
        return (0, None)
    match = _BAND.match(text)
    if not match:
        raise ValueError(f"aldersgruppen «{text}» må skrives som «65+», «67-79» eller «alle»")
    first, last = int(match.group(1)), match.group(2)
    if last is not None and int(last) < first:
        raise ValueError(f"aldersgruppen «{text}» slutter før den begynner")
    return (first, None if last is None else int(last))


def age_text(band: AgeBand) -> str:
    """(65, None) → '65 år og eldre', (67, 79) → '67–79 år', (0, None) → 'alle aldre'."""
    first, last = band
    if last is None:
        return "alle aldre" if first == 0 else f"{first} år og eldre"
    return f"{first}–{last} år"


def tiles(parts: list[AgeBand], whole: AgeBand) -> bool:
    """Do the bands cover ``whole`` exactly, without gaps or overlaps?"""
    ordered = sorted(parts, key=lambda b: b[0])
    at = whole[0]
    for first, last in ordered:
        if first != at:
            return False
        if last is None:
            return whole[1] is None and (first, last) == ordered[-1]
        at = last + 1
    return whole[1] is not None and at == whole[1] + 1


def age_problem(registry: Registry, indicator: Indicator) -> str | None:
    """Why an entry's age bands do not agree (Norwegian), or None.

    A count divided by a population must count the same ages as the population covers
    (FHI and Helsedirektoratet define rates on matching bands), a projection must cover the
    same ages as the group it stands in for, and an age split must tile the count's band.
    """
    try:
        if indicator.kind == "count" and indicator.population:
            if not indicator.numerator_age:
                return "en telling med befolkningsgruppe må oppgi numerator_age (aldersgruppen som telles)"
            population = registry.get(indicator.population)
            if not population.age:
                return f"befolkningsgruppen «{population.id}» oppgir ikke age"
            counted, divided = parse_age(indicator.numerator_age), parse_age(population.age)
            if counted != divided:
                return (
                    f"telleren gjelder {age_text(counted)}, men raten deles på befolkningen "
                    f"{age_text(divided)} («{population.id}»); aldersgruppene må være like"
                )
        if indicator.projected_by:
            if indicator.projected_by not in registry:
                return f"ukjent framskriving «{indicator.projected_by}»"
            projection = registry.get(indicator.projected_by)
            if not (indicator.age and projection.age) or parse_age(indicator.age) != parse_age(
                projection.age
            ):
                return f"framskrivingen «{projection.id}» gjelder ikke samme aldersgruppe"
        if indicator.numerator_by_age:
            if not indicator.numerator_age:
                return "numerator_by_age krever numerator_age"
            for ident in indicator.numerator_by_age.values():
                if ident not in registry:
                    return f"ukjent indikator «{ident}» i numerator_by_age"
            bands = [parse_age(b) for b in indicator.numerator_by_age]
            if not tiles(bands, parse_age(indicator.numerator_age)):
                return (
                    "aldersgruppene i numerator_by_age dekker ikke "
                    f"{age_text(parse_age(indicator.numerator_age))} nøyaktig"
                )
        for text in (indicator.age, indicator.numerator_age):
            if text:
                parse_age(text)
    except ValueError as exc:
        return str(exc)
    return None
