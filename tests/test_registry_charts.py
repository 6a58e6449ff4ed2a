"""The registry's `charts:` table: one place that says which chart each kind of series gets."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analytics import config
from analytics.plan import PlanError
from analytics.registry import load_registry

pytestmark = pytest.mark.backend_free


def write(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(config.REGISTRY_FILE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_every_kind_in_use_has_a_chart_and_rollouts_and_projections_get_no_spc() -> None:
    registry = load_registry()
    for indicator in registry.indicators:
        assert indicator.series_kind in registry.charts
    for ident in ("iht_municipalities", "fact_team_municipalities", "dho_municipalities"):
        rule = registry.chart(ident)
        assert rule.chart == "planned_path" and not rule.spc
    for ident in ("projection_80_plus", "projection_total"):
        assert registry.get(ident).series_kind == "projection"
        assert registry.chart(ident).chart == "target" and not registry.chart(ident).spc
    assert registry.chart("hip_fractures").spc
    assert registry.chart("stemi_pci_120").chart == "xmr"


def test_rare_chart_is_picked_below_the_threshold() -> None:
    rule = load_registry().chart("hip_fractures")
    assert rule.rare_chart is not None and rule.rare_below is not None
    assert rule.pick(None) == rule.chart
    assert rule.pick(rule.rare_below) == rule.chart
    assert rule.pick(rule.rare_below / 2) == rule.rare_chart


@pytest.mark.parametrize(
    ("change", "entry", "problem"),
    [
        (lambda r: r["charts"]["count"].update(chart="pie"), "charts.count", "chart"),
        (lambda r: r["charts"].pop("rollout"), "iht_municipalities", "rollout"),
        (lambda r: r["charts"]["share"].update(rare_chart="g"), "charts.share", "rare_below"),
        (lambda r: r["charts"]["score"].update(colour="red"), "charts.score", "colour"),
        (lambda r: r.pop("charts"), "toppnivå", "charts"),
    ],
)
def test_bad_chart_table_is_refused_in_norwegian(tmp_path: Path, change, entry: str, problem: str) -> None:
    with pytest.raises(PlanError) as caught:
        load_registry(write(tmp_path, change))
    text = str(caught.value)
    assert "indicators.yaml" in text and entry in text and problem in text


def test_every_indicator_says_what_it_counts_and_every_count_of_persons_is_protected() -> None:
    """Issue 14: patient shares (STEMI, stroke, sepsis, cancer pathway, BUP referrals) were
    registered unprotected and showed «100,0 %» of one patient per municipality."""
    registry = load_registry()
    assert all(i.counts is not None for i in registry.indicators)
    persons = [i for i in registry.indicators if i.counts == "persons"]
    assert {"stemi_pci_120", "stroke_thrombolysis_30", "sepsis_antibiotics_1h"} <= {i.id for i in persons}
    assert {"cancer_pathway_conversation_share", "referral_quality_share"} <= {i.id for i in persons}
    assert all(i.protect_small for i in persons)
    # Every share and count in the registry is either of persons or of something public.
    for indicator in registry.indicators:
        if indicator.kind in ("share", "count") and indicator.unit in ("prosent", "antall"):
            assert indicator.counts == "persons", indicator.id


def test_a_count_of_persons_without_protection_is_refused_in_norwegian(tmp_path: Path) -> None:
    def unprotect(raw: dict) -> None:
        entry = next(i for i in raw["indicators"] if i["id"] == "stemi_pci_120")
        entry["protect_small"] = False

    with pytest.raises(PlanError) as caught:
        load_registry(write(tmp_path, unprotect))
    text = str(caught.value)
    assert "stemi_pci_120" in text and "protect_small" in text and "personer" in text


def test_the_charts_table_says_which_kinds_are_judged_before_their_period_ends_and_count_whole_cases() -> (
    None
):
    """Both rules are rows of the one table (no table of kinds in series.py or SQL in staging.py):
    only SSB's projections are judged before their periods end; a count's, a stock's (and the
    kinds charted from them) value and parts are whole cases, a share's parts only, a score none."""
    charts = load_registry().charts
    assert set(charts) == {"count", "rare_count", "stock", "rollout", "share", "score", "projection"}
    assert [kind for kind, rule in charts.items() if rule.judged_before_end] == ["projection"]
    whole = {kind: rule.whole_cases for kind, rule in charts.items()}
    assert whole["score"] == () and whole["share"] == ("numerator", "denominator")
    for kind in ("count", "rare_count", "stock", "rollout", "projection"):
        assert whole[kind] == ("value", "numerator", "denominator"), kind
    registry = load_registry()
    assert registry.get("projection_80_plus").rule.judged_before_end
    assert registry.get("hip_fractures").rule is registry.charts["count"]


def test_a_new_kind_needs_only_a_row_in_the_charts_table(tmp_path: Path) -> None:
    """A kind the code has never heard of: one row in `charts:` and an indicator naming it
    (chart_kind) load, and the indicator carries the row's rules; a kind without a row is
    refused in Norwegian."""

    def add(raw) -> None:
        raw["charts"]["weekly_count"] = {
            "chart": "xmr",
            "reason": "Ukentlige antall vises i XmR-diagram.",
            "source": "Test",
            "judged_before_end": True,
            "whole_cases": ["value"],
        }
        raw["indicators"][0]["chart_kind"] = "weekly_count"

    registry = load_registry(write(tmp_path, add))
    rule = registry.get(registry.indicators[0].id).rule
    assert (rule.chart, rule.judged_before_end, rule.whole_cases) == ("xmr", True, ("value",))
    with pytest.raises(PlanError, match="diagramtypen «monthly_count» mangler i charts"):
        load_registry(write(tmp_path, lambda raw: raw["indicators"][0].update(chart_kind="monthly_count")))


def test_a_count_row_judged_before_its_end_judges_a_quarter_in_progress(tmp_path: Path) -> None:
    """Changing the YAML row is all it takes: a count kind marked judged_before_end keeps the
    quarter in progress in its judged values (series.judged_series)."""
    import datetime as dt

    import pandas as pd

    from analytics import series as S

    def rows(indicator):
        starts = pd.to_datetime(["2026-04-01", "2026-07-01", "2026-10-01"])
        frame = pd.DataFrame(
            {
                "unit_id": "3205",
                "period_start": starts,
                "period_end": starts + pd.offsets.QuarterEnd(0),
                "value": [5.0, 6.0, 7.0],
                "numerator": None,
                "denominator": None,
                "suppressed": False,
                "population": 1000,
                "person_years": 250.0,
            },
            columns=S.ROW_COLUMNS,
        )
        return S.UnitRows(indicator.model_copy(update={"grain": "quarter", "population": None}), frame, None)

    def marked(registry) -> list[bool]:
        return S.judged_series(rows(registry.get("hip_fractures")), "quarter", dt.date(2026, 11, 30))[
            "partial"
        ].tolist()

    assert marked(load_registry()) == [False, False, True]
    changed = load_registry(
        write(tmp_path, lambda raw: raw["charts"]["count"].update(judged_before_end=True))
    )
    assert marked(changed) == [False, False, False]
