"""Paths and settings in one place; environment variables override the defaults."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
# Overridable so a benchmark or a test can run the board on a generated plan and units.
PLAN_DIR = Path(os.environ.get("BOARD_PLAN_DIR", DATA_DIR / "plan"))
REFERENCE_DIR = Path(os.environ.get("BOARD_REFERENCE_DIR", DATA_DIR / "reference"))
SAMPLE_DIR = DATA_DIR / "sample"
SAMPLE_OUT_DIR = SAMPLE_DIR / "out"
REGISTRY_FILE = Path(os.environ.get("BOARD_REGISTRY_FILE", DATA_DIR / "indicators.yaml"))
PROFILE_DIR = ROOT / "loaders" / "profiles"

# Counts below this are shown as "<N" everywhere (DESIGN.md §5).
SUPPRESSION_THRESHOLD = int(os.environ.get("BOARD_SUPPRESSION_THRESHOLD", "5"))
# Same limit as server.maxUploadSize in .streamlit/config.toml.
MAX_UPLOAD_MB = int(os.environ.get("BOARD_MAX_UPLOAD_MB", "200"))
# Making Data Count rule set for XmR charts (analytics.spc.RULE_SETS): "mdc2023" (default),
# "mdc2023_6" (6-point runs and trends) or "ptd2022" (NHSRplotthedots 0.2 as coded).
SPC_RULES = os.environ.get("BOARD_SPC_RULES", "mdc2023")
DEMO_LABEL = "Demodata – syntetiske tall"
# Kommune: from this many member municipalities, the partnership's side of the page (its status,
# newest values and funnels) is worked out after the municipality's first view, not before it
# (analytics.indicator_view.municipality_view, wait=False); smaller partnerships wait for it.
DEFER_PARTNERSHIP_FROM = int(os.environ.get("BOARD_DEFER_PARTNERSHIP_FROM", "100"))


def warm_seconds() -> float:
    """How often analytics.warming reads the store's data version, in seconds: env
    BOARD_WARM_SECONDS (default 5; 0 turns warming off, as the test suite does)."""
    return float(os.environ.get("BOARD_WARM_SECONDS", "5"))


SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(target: object) -> bool:
    """True when a store target is a PostgreSQL connection string, not a DuckDB file path."""
    return str(target).startswith(SERVER_SCHEMES)


def read_db() -> str | None:
    """The read replica: env BOARD_READ_DB (a postgresql://… standby of BOARD_DB), or None."""
    return os.environ.get("BOARD_READ_DB") or None


def db_path() -> Path | str:
    """The store: env BOARD_DB, else data/indicators.duckdb. A DuckDB file's Path, or a
    postgresql://… connection string as given (a Path would fold its '//')."""
    target = os.environ.get("BOARD_DB", str(DATA_DIR / "indicators.duckdb"))
    return target if is_server_url(target) else Path(target)
