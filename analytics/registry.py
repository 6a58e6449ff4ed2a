"""The indicator registry (data/indicators.yaml): what each indicator means and how to judge it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from analytics import config
from analytics.plan import PlanError

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
    description: str

    @property
    def rate_label(self) -> str | None:
        """E.g. 'per 1 000 innbyggere 80 år og eldre' for counts with a population group."""
        if not self.population:
            return None
        return f"per 1 000 {POPULATION_LABELS.get(self.population, self.population)}"


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    indicators: list[Indicator]

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
        raise PlanError(path, entry, f"{'.'.join(map(str, first['loc'][2:]))}: {first['msg']}") from None
    ids = [i.id for i in registry.indicators]
    for ident in ids:
        if ids.count(ident) > 1:
            raise PlanError(path, f"indikator «{ident}»", "id-en er brukt to ganger")
    for indicator in registry.indicators:
        if indicator.population and indicator.population not in ids:
            raise PlanError(
                path, f"indikator «{indicator.id}»", f"ukjent befolkningsgruppe «{indicator.population}»"
            )
    return registry
