"""The data catalogue: which numbers exist, where they are missing or suppressed, and when
they arrived. Coverage, counts and dates are computed in DuckDB (Store `# -- catalogue`);
this module names units and periods and orders rows (the heat map: analytics.figures).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analytics import formatting
from analytics.board import Board
from analytics.evaluate import scope_units
from analytics.periods import grain_months, period_label
from analytics.registry import GRAIN_LABELS, Indicator
from analytics.store import zero_filled_text

STATES = ("data", "skjult", "mangler")
STATE_LABELS = {"data": "Data", "skjult": "Skjult (prikket)", "mangler": "Mangler"}
UNIT_KIND_ORDER = {"municipality": 0, "district": 1, "region": 2, "partnership": 3}


@dataclass
class Coverage:
    indicator: Indicator
    cells: pd.DataFrame  # unit_id, unit_name, period_start, period, state (unit order kept)

    @property
    def empty(self) -> bool:
        return self.cells.empty

    def counts(self) -> dict[str, int]:
        found = self.cells["state"].value_counts()
        return {state: int(found.get(state, 0)) for state in STATES}

    def units_with_data(self) -> int:
        return int(self.cells.loc[self.cells["state"] == "data", "unit_id"].nunique())


def year_bounds(years: tuple[int, int] | None) -> tuple[dt.date | None, dt.date | None]:
    if years is None:
        return None, None
    return dt.date(years[0], 1, 1), dt.date(years[1], 12, 31)


def coverage(
    board: Board, indicator_id: str, partnership: str, years: tuple[int, int] | None = None
) -> Coverage:
    """Unit × period cells for one indicator in one partnership.

    Rows: every member municipality/district (a member without data is the point of the
    map), then regions and the partnership itself where they have data. An indicator that
    no member reports (a source that reports per region only) shows just the units that do.
    Periods: the indicator's grain, first to last period with data.
    """
    indicator = board.registry.get(indicator_id)
    start, end = year_bounds(years)
    cells = board.store.coverage_cells(
        indicator_id, scope_units(board, partnership), grain_months(indicator.grain), start, end
    )
    members = set(board.member_ids(partnership))
    reported = set(cells.loc[cells["state"] != "mangler", "unit_id"])
    expected = members if reported & members else set()
    cells = cells[cells["unit_id"].isin(expected | reported)]
    # Per unique unit and period, not per cell: the national map has 40 000+ cells.
    units = board.units.set_index("unit_id")
    unique_ids = cells["unit_id"].unique()
    names = {u: str(units.at[u, "name"]) for u in unique_ids}
    ranked = sorted(unique_ids, key=lambda u: (UNIT_KIND_ORDER.get(units.at[u, "kind"], 9), names[u]))
    order = {u: rank for rank, u in enumerate(ranked)}
    labels = {
        p: period_label(pd.Timestamp(p).date(), indicator.grain) for p in cells["period_start"].unique()
    }
    cells = cells.assign(
        unit_name=cells["unit_id"].map(names),
        period=cells["period_start"].map(labels),
        _order=cells["unit_id"].map(order),
    )
    cells = cells.sort_values(["_order", "period_start"], kind="stable").drop(columns="_order")
    columns = ["unit_id", "unit_name", "period_start", "period", "state"]
    return Coverage(indicator=indicator, cells=cells[columns].reset_index(drop=True))


@dataclass
class Overview:
    table: pd.DataFrame  # one row per registry indicator, Norwegian column names; `id` first
    newest_period: str  # the newest observed period with data, as a label ("2026M10")
    last_upload: str  # date of the newest upload whose values are in scope ("24.11.2026")

    @property
    def with_data(self) -> int:
        return int((self.table["Verdier"] + self.table["Skjulte"] > 0).sum())


def overview(board: Board, partnership: str) -> Overview:
    """What exists for this partnership's units, per registry indicator, and when it came."""
    found = board.store.indicator_catalogue(scope_units(board, partnership))
    by_id = found.set_index("indicator")
    rows = []
    for indicator in board.registry.indicators:
        row = by_id.loc[indicator.id] if indicator.id in by_id.index else None
        has = row is not None and row["n_values"] + row["n_suppressed"] > 0
        rows.append(
            {
                "id": indicator.id,
                "Indikator": indicator.name,
                "Kilde": indicator.source,
                "Periode": GRAIN_LABELS[indicator.grain],
                "Verdier": int(row["n_values"]) if has else 0,
                "Skjulte": int(row["n_suppressed"]) if has else 0,
                "Enheter med data": int(row["n_units"]) if has else 0,
                "Første periode": _period(row["first_period"], indicator) if has else "–",
                "Nyeste periode": _period(row["newest_period"], indicator) if has else "–",
                "Siste opplasting": _date(row["changed_at"]) if has else "–",
            }
        )
    with_data = found[
        (found["n_values"] + found["n_suppressed"] > 0) & found["indicator"].isin(board.registry.ids())
    ]
    # Projections run into the future; they say nothing about how fresh the data are.
    projected = {i.id for i in board.registry.indicators if i.projection}
    observed = with_data[~with_data["indicator"].isin(projected) & with_data["newest_period"].notna()]
    period = "–"
    if len(observed):
        best = observed.loc[observed["newest_period"].idxmax()]
        period = period_label(
            pd.Timestamp(best["newest_period"]).date(), board.registry.get(best["indicator"]).grain
        )
    uploads = with_data["changed_at"].dropna()
    return Overview(pd.DataFrame(rows), period, _date(uploads.max()) if len(uploads) else "–")


def loaded_beside_demo(board: Board) -> list[str]:
    """On a demo store someone loaded files into: the ids of the indicators with figures from
    loaded files (Store.figure_sources), in id order; empty when every figure is the demo's.
    The demo's population tables are loaded as files but made up for the demo
    (data/reference/README.md), so an indicator that counts population is not named."""
    sources = board.store.figure_sources()
    return _not_demo_made(board, sources.loc[sources["loaded"].astype(bool), "indicator"])


def _not_demo_made(board: Board, ids: pd.Series) -> list[str]:
    """The ids that are registry indicators whose loaded figures are not the demo's own made-up
    tables (an indicator that counts population is one: data/reference/README.md)."""
    known = board.registry.ids()
    return [i for i in ids.astype(str) if i in known and board.registry.get(i).counts != "population"]


def synthetic_figures(
    board: Board, indicator_ids: Sequence[str], loaded: Sequence[str] | None = None
) -> bool:
    """Whether a figure of these indicators carries the demo label («Demodata – syntetiske
    tall»): on a demo store, unless every one of them has figures from loaded files only.

    loaded: ``loaded_only(board)`` when the caller holds it (cached per data version); the
    caller has then asked whether the store is a demo store (once per page or deck, not once
    per chart). Otherwise both are worked out here. An indicator with demo and loaded figures
    keeps the label (some of its figures are synthetic; the page's banner says which
    indicators hold loaded ones). False on a store without demo data."""
    if loaded is None:
        if not board.store.is_demo():
            return False
        loaded = loaded_only(board)
    real = set(loaded)
    return not indicator_ids or any(i not in real for i in indicator_ids)


def loaded_only(board: Board) -> list[str]:
    """On a demo store: the ids of the indicators whose every figure comes from a loaded file
    (Store.figure_sources; a loaded file replaced all their demo figures, or the demo has none),
    in id order, population-counting indicators left out as in ``loaded_beside_demo``."""
    sources = board.store.figure_sources()
    return _not_demo_made(
        board, sources.loc[sources["loaded"].astype(bool) & ~sources["demo"].astype(bool), "indicator"]
    )


def upload_log(board: Board) -> pd.DataFrame:
    """The upload log as people read it; `id` and `active` for the undo control."""
    log = board.store.uploads()
    names = {i.id: i.name for i in board.registry.indicators}
    rows = []
    for row in log.itertuples(index=False):
        undone = _present(row.undone_at)
        indicators = [i.strip() for i in str(row.indicator or "").split(",") if i.strip()]
        rows.append(
            {
                "id": int(row.upload_id),
                "active": not undone,
                "Nr.": int(row.upload_id),
                "Tidspunkt": _datetime(row.loaded_at),
                "Lastet inn av": row.loaded_by,
                "Fil": row.file_name,
                "Indikator": ", ".join(names.get(i, i) for i in indicators) or "–",
                "Rader": int(row.rows_in),
                "Nye": int(row.rows_added),
                "Erstattet": int(row.rows_replaced),
                "Uendret": int(row.rows_unchanged),
                "Status": f"Angret {_datetime(row.undone_at)} av {row.undone_by}" if undone else "Aktiv",
                "Demodata": "Ja" if row.demo else "",
                "Merknad": _zero_filled(row),
            }
        )
    columns = ["id", "active", "Nr.", "Tidspunkt", "Lastet inn av", "Fil", "Indikator", "Rader"]
    columns += ["Nye", "Erstattet", "Uendret", "Status", "Demodata", "Merknad"]
    return pd.DataFrame(rows, columns=columns)


def _zero_filled(row: object) -> str:
    """«N rader fylt inn som 0 (valgt ved opplasting)» for an upload made with «rader som
    mangler er 0» (schema version 7's uploads.missing_zero), else ''."""
    if not bool(getattr(row, "missing_zero", False) or False):
        return ""
    return zero_filled_text(int(getattr(row, "rows_zero_filled", 0) or 0))


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def _period(value: object, indicator: Indicator) -> str:
    return period_label(pd.Timestamp(value).date(), indicator.grain) if _present(value) else "–"


def _date(value: object) -> str:
    return formatting.date(pd.Timestamp(value).date()) if _present(value) else "–"


def _datetime(value: object) -> str:
    if not _present(value):
        return "–"
    stamp = pd.Timestamp(value)
    return f"{formatting.date(stamp.date())} {stamp:%H:%M}"
