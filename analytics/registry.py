"""The indicator registry (data/indicators.yaml): what each indicator means and how to judge it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from analytics import config
from analytics.plan import PlanError

Grain = Literal["year", "quarter", "month"]

GRAIN_LABELS = {"year": "år", "quarter": "kvartal", "month": "måned"}
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


# What an indicator's series is, for choosing its chart (the `charts:` table in the registry).
ChartKind = Literal["count", "rare_count", "stock", "rollout", "share", "score", "projection"]
ChartName = Literal["xmr", "u", "g", "t", "planned_path", "target"]
SPC_CHARTS = ("xmr", "u", "g", "t")


class ChartRule(BaseModel):
    """One row of the registry's `charts:` table: the chart for an indicator kind.

    chart: the chart normally drawn and judged. rare_chart / rare_below: the chart
    used instead when fewer than ``rare_below`` events are expected per period
    (NHS Making Data Count: g or t charts, or Poisson limits, for rare events).
    reason: Norwegian, for method texts. source: the reference the choice follows.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    chart: ChartName
    rare_chart: ChartName | None = None
    rare_below: float | None = None
    reason: str
    source: str

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
    target: float | None = None
    projection: bool = False  # projected figures: periods in the future are expected
    chart_kind: ChartKind | None = None  # default: "projection" if projection, else kind
    description: str

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


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    charts: dict[ChartKind, ChartRule]
    indicators: list[Indicator]

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


def load_registry(path: Path | None = None) -> Registry:
    """Read data/indicators.yaml; raise PlanError (Norwegian) if it is wrong."""
    path = path or config.REGISTRY_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
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
    for kind, rule in registry.charts.items():
        if (rule.rare_chart is None) != (rule.rare_below is None):
            raise PlanError(path, f"charts.{kind}", "rare_chart og rare_below må oppgis sammen")
    return registry
