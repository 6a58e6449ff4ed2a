"""The board's context: registry, plans, reference units and the store, loaded and checked once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analytics import config, reference
from analytics.plan import Plan, load_plans
from analytics.registry import Registry, load_registry
from analytics.store import Store, open_store


@dataclass
class Board:
    registry: Registry
    plans: dict[str, Plan]
    units: pd.DataFrame
    store: Store

    def plan(self, partnership: str) -> Plan:
        return self.plans[partnership]

    def member_units(self, partnership: str) -> pd.DataFrame:
        """Municipalities and districts of one partnership (never another's)."""
        units = self.units
        return units[
            (units["partnership"] == partnership) & units["kind"].isin(["municipality", "district"])
        ].reset_index(drop=True)

    def member_ids(self, partnership: str) -> list[str]:
        return self.member_units(partnership)["unit_id"].tolist()

    def regions(self, partnership: str) -> pd.DataFrame:
        units = self.units
        return units[(units["partnership"] == partnership) & (units["kind"] == "region")]

    def unit_name(self, unit_id: str) -> str:
        match = self.units.loc[self.units["unit_id"] == unit_id, "name"]
        return str(match.iloc[0]) if len(match) else unit_id


def load_context() -> tuple[Registry, dict[str, Plan], pd.DataFrame, pd.DataFrame]:
    """Registry, plans, units and the resolved code map; raises PlanError on a bad file."""
    registry = load_registry()
    units = reference.read_units()
    plans = load_plans(registry.ids(), set(units["unit_id"]))
    code_map = reference.resolve_code_chains(reference.read_code_history())
    return registry, plans, units, code_map


def open_board(db_path: Path | str | None = None) -> Board:
    registry, plans, units, code_map = load_context()
    store = open_store(db_path or config.db_path())
    store.sync_reference(units, code_map)
    return Board(registry=registry, plans=plans, units=units, store=store)
