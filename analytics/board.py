"""The board's context: registry, plans, reference units and the store, loaded and checked once."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics import config, reference
from analytics.plan import Plan, key_periods, load_plans
from analytics.registry import Registry, load_registry
from analytics.store import Store, open_store


@dataclass
class Board:
    """`plans`: the plan files (analytics.plan.load_plans). The plans the board shows add the
    stored plan periods and apply the partnership's decisions (analytics.plan_overlay); they
    are rebuilt when the store's plan version changes. A plan key is the partnership id for
    the period in force ('ahus') and the period id for the others ('ahus-2024-2025')."""

    registry: Registry
    plans: dict[str, Plan]
    units: pd.DataFrame
    store: Store
    _cache: tuple[str, dict[str, Plan], dict[str, Plan]] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    # (the units frame, its «kind» by unit id): built once per frame (unit_kind). Keyed on the
    # frame itself, held here and compared by identity: never on id(), which a freed frame's
    # successor may get.
    _kinds: tuple[pd.DataFrame, pd.Series] | None = field(default=None, init=False, repr=False)

    def _catalogue(self) -> tuple[dict[str, Plan], dict[str, Plan]]:
        """(plans as shown, plans without decisions), both keyed by plan key."""
        from analytics.plan_overlay import apply_decisions, decisions_from_frame, plan_problems

        version = self.store.plan_version()
        cached = self._cache
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
        with self._lock:
            periods = {plan.period_id: plan for plan in self.plans.values()}
            documents = self.store.plan_documents()
            unit_ids = set(self.units["unit_id"])
            for row in documents.itertuples():
                if row.plan_id in periods:  # a checked-in file is the source of record
                    continue
                plan, _ = plan_problems(row.body, f"{row.plan_id}.yaml", self.registry, unit_ids)
                if plan is not None:  # validated when stored; a changed registry may refuse it
                    periods[plan.period_id] = plan
            base = key_periods(periods.values())
            decisions = decisions_from_frame(self.store.plan_decisions())
            shown = {key: apply_decisions(plan, decisions) for key, plan in base.items()}
            self._cache = (version, shown, base)
        return shown, base

    def plan_keys(self) -> list[str]:
        """Every plan on the board: per partnership the period in force first, then older ones."""
        return list(self._catalogue()[0])

    def _key(self, key: str) -> str:
        shown = self._catalogue()[0]
        if key in shown:
            return key
        found = self.key_for_period(key)
        if found is None:
            raise KeyError(key)
        return found

    def key_for_period(self, period_id: str) -> str | None:
        """The plan key of a period id ('ahus-2026-2027' → 'ahus' while it is in force)."""
        for key, plan in self._catalogue()[0].items():
            if plan.period_id == period_id or key == period_id:
                return key
        return None

    def plan(self, partnership: str) -> Plan:
        """The plan as the board shows it (decisions applied), by plan key or period id."""
        return self._catalogue()[0][self._key(partnership)]

    def base_plan(self, partnership: str) -> Plan:
        """The plan as its file (or stored document) gives it, without decisions."""
        return self._catalogue()[1][self._key(partnership)]

    def is_current(self, key: str) -> bool:
        """True for the period in force (keyed by the partnership id), False for closed ones."""
        return self._key(key) == self.plan(key).id

    def plan_periods(self, partnership: str) -> list[Plan]:
        """All periods of one partnership, newest first."""
        pid = self.partnership_id(partnership)
        return [p for p in self._catalogue()[0].values() if p.id == pid]

    def file_period_ids(self) -> set[str]:
        return {plan.period_id for plan in self.plans.values()}

    def partnership_id(self, key: str) -> str:
        """The partnership a plan key belongs to ('ahus-2024-2025' → 'ahus'); other text as is."""
        try:
            return self.plan(key).id
        except KeyError:
            return key

    def member_units(self, partnership: str) -> pd.DataFrame:
        """Municipalities and districts of one partnership (never another's)."""
        partnership = self.partnership_id(partnership)
        units = self.units
        return units[
            (units["partnership"] == partnership) & units["kind"].isin(["municipality", "district"])
        ].reset_index(drop=True)

    def member_ids(self, partnership: str) -> list[str]:
        return self.member_units(partnership)["unit_id"].tolist()

    def regions(self, partnership: str) -> pd.DataFrame:
        partnership = self.partnership_id(partnership)
        units = self.units
        return units[(units["partnership"] == partnership) & (units["kind"] == "region")]

    def unit_kind(self, unit_id: str) -> str | None:
        """The reference units' «kind» of one unit ("municipality", "district", "region",
        "partnership"), None for an unknown id. The lookup is built once per units frame, not
        per call (judging one unit asks for every criterion)."""
        kinds = self._kinds
        if kinds is None or kinds[0] is not self.units:
            kinds = (self.units, self.units.set_index("unit_id")["kind"])
            self._kinds = kinds
        found = kinds[1].get(unit_id)
        return None if found is None else str(found)

    def unit_name(self, unit_id: str) -> str:
        match = self.units.loc[self.units["unit_id"] == unit_id, "name"]
        return str(match.iloc[0]) if len(match) else unit_id


def load_context() -> tuple[Registry, dict[str, Plan], pd.DataFrame, pd.DataFrame]:
    """Registry, plans, units and the resolved code map; raises PlanError on a bad file."""
    registry = load_registry()
    units = reference.read_units()
    plans = load_plans(registry.ids(), set(units["unit_id"]))
    from analytics.plan_overlay import validate_all

    validate_all(list(plans.values()), registry, set(units["unit_id"]))
    code_map = reference.resolve_code_chains(reference.read_code_history())
    return registry, plans, units, code_map


def open_board(db_path: Path | str | None = None, read_db: str | None = None) -> Board:
    """The board on the store `db_path` (default: BOARD_DB and its read replica BOARD_READ_DB),
    or on `db_path` read through the replica `read_db`. Raises PlanError or StoreError."""
    registry, plans, units, code_map = load_context()
    if db_path is None:
        db_path, read_db = config.db_path(), config.read_db()
    store = open_store(db_path, read_target=read_db)
    store.sync_reference(units, code_map)
    return Board(registry=registry, plans=plans, units=units, store=store)
