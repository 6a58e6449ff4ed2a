"""A wrong plan file is refused with one Norwegian message naming the file, entry and problem."""

from __future__ import annotations

import copy

import pytest
import yaml

from analytics.plan import PlanError, load_plan, load_plans, parse_deadline
from analytics.registry import load_registry
from tests.conftest import new_store

INDICATORS = load_registry().ids()

VALID = {
    "partnership": {
        "id": "test",
        "name": "Testfellesskapet",
        "short_name": "Test",
        "hospital": "Testsykehuset HF",
        "plan_title": "Handlingsplan",
        "period_start": 2024,
        "period_end": 2025,
        "source_document": "test.txt",
        "municipalities": ["3205"],
    },
    "focus_areas": [{"id": "sa1", "title": "Område"}],
    "goals": [{"id": "g1", "text": "Mål", "focus_areas": ["sa1"]}],
    "target_groups": [{"id": "tg1", "name": "Eldre", "goal": "g1"}],
    "measures": [
        {
            "id": "m1",
            "text": "Tiltak",
            "goal": "g1",
            "target_group": "tg1",
            "priority": 1,
            "deadline": "2024-2025",
            "criteria": [
                {"id": "m1-k1", "text": "Antall hoftebrudd", "kind": "trend", "indicators": ["hip_fractures"]}
            ],
        }
    ],
}


def write_plan(tmp_path, plan: dict, name: str = "test.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    return path


def broken(change) -> dict:
    plan = copy.deepcopy(VALID)
    change(plan)
    return plan


def test_valid_plan_loads(tmp_path):
    plan = load_plan(write_plan(tmp_path, VALID), INDICATORS, {"3205"})
    assert plan.id == "test"
    assert plan.measures[0].deadline.due_date.isoformat() == "2025-12-31"


@pytest.mark.parametrize(
    ("change", "entry", "problem"),
    [
        (
            lambda p: p["measures"][0]["criteria"][0].update(indicators=["no_such_indicator"]),
            "kriterium «m1-k1»",
            "ukjent indikator «no_such_indicator»",
        ),
        (
            lambda p: p["measures"].append(copy.deepcopy(p["measures"][0])),
            "tiltak «m1»",
            "brukt to ganger",
        ),
        (lambda p: p["measures"][0].update(deadline="neste år"), "tiltak «m1»", "ugyldig frist «neste år»"),
        (
            lambda p: p["measures"][0].update(deadline="2026-2024"),
            "tiltak «m1»",
            "første år er etter siste år",
        ),
        (lambda p: p["measures"][0].update(priority=4), "tiltak «m1»", "prioritet må være 1, 2 eller 3"),
        (
            lambda p: p["measures"][0]["criteria"][0].update(kind="magic"),
            "kriterium «m1-k1»",
            "ugyldig verdi «magic»",
        ),
        (lambda p: p["measures"][0].update(goal="g9"), "tiltak «m1»", "ukjent mål «g9»"),
        (lambda p: p["measures"][0].pop("text"), "tiltak «m1»", "obligatorisk felt mangler"),
        (
            lambda p: p["measures"][0]["criteria"][0].update(indicators=[]),
            "kriterium «m1-k1»",
            "må ha en indikator",
        ),
        (
            lambda p: p["partnership"].update(municipalities=["9999"]),
            "partnerskap",
            "ukjent kommune/bydel «9999»",
        ),
    ],
)
def test_broken_plan_is_refused_with_file_entry_and_problem(tmp_path, change, entry, problem):
    path = write_plan(tmp_path, broken(change), "broken.yaml")
    with pytest.raises(PlanError) as caught:
        load_plan(path, INDICATORS, {"3205"})
    message = str(caught.value)
    assert "«broken.yaml»" in message
    assert entry in message
    assert problem in message


def test_not_yaml_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("partnership: [unclosed\n  - x: {", encoding="utf-8")
    with pytest.raises(PlanError, match="bad.yaml.*ikke gyldig YAML"):
        load_plan(path, INDICATORS)


def test_two_files_for_one_partnership_are_refused(tmp_path):
    write_plan(tmp_path, VALID, "a.yaml")
    write_plan(tmp_path, VALID, "b.yaml")
    with pytest.raises(PlanError, match="finnes i to filer"):
        load_plans(INDICATORS, {"3205"}, plan_dir=tmp_path)


@pytest.mark.parametrize(("text", "first", "last"), [("2024", 2024, 2024), ("2024-2025", 2024, 2025)])
def test_deadlines(text, first, last):
    deadline = parse_deadline(text)
    assert (deadline.first_year, deadline.last_year) == (first, last)


def test_continuous_deadline_has_no_due_date():
    assert parse_deadline("Fortløpende").due_date is None


def test_bad_plan_at_start_up_shows_message_not_traceback(tmp_path, monkeypatch):
    """The board refuses a broken plan with the Norwegian message on screen."""
    from streamlit.testing.v1 import AppTest

    from analytics import config

    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    write_plan(plan_dir, broken(lambda p: p["measures"][0].update(deadline="snart")), "feil.yaml")
    monkeypatch.setattr(config, "PLAN_DIR", plan_dir)
    monkeypatch.setenv("BOARD_DB", str(new_store(tmp_path, "x")))
    at = AppTest.from_file(str(config.ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    assert any("feil.yaml" in e.value and "ugyldig frist «snart»" in e.value for e in at.error)


def test_plan_files_and_the_registry_read_as_safe_load_reads_them():
    """read_yaml (libyaml when available, for a faster cold start) gives the same objects as
    yaml.safe_load for every plan file and the registry."""
    from analytics import config
    from analytics.plan import read_yaml

    paths = [config.REGISTRY_FILE, *sorted(config.PLAN_DIR.glob("*.yaml"))]
    assert len(paths) > 1
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert read_yaml(text) == yaml.safe_load(text), path
