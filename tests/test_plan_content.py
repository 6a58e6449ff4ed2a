"""The two action plans as data: counts, word-for-word phrases and the board's own additions.

The plans are data/plan/ahus-2024-2025.yaml (Helsefelleskapet Ahus og kommunene 2024-2025)
and data/plan/lovesa-2022.yaml (Helsefellesskapet Lofoten, Vesterålen, Salten, sak 08-2022).
"""

from __future__ import annotations

from collections import Counter

import pytest

from analytics import config
from analytics.plan import CriterionKind, Plan, load_plan, parse_deadline
from analytics.registry import load_registry

pytestmark = pytest.mark.backend_free

AHUS_FILE = config.PLAN_DIR / "ahus-2024-2025.yaml"
LOVESA_FILE = config.PLAN_DIR / "lovesa-2022.yaml"

# Phrases copied from the source documents; each must survive word for word.
AHUS_PHRASES = [
    "Tydliggjøre representasjon, mandat og oppgaver for LSF voksen",
    "Tydeliggjøre representasjon, mandat og oppgaver for LSF barn/unge",
    "Mandat er utarbeidet og fagråd er etablert og igangsatt",
    "Antall hoftebrudd",
    "Pilotprosjekt igangsatt og evaluert",
    "Identifisere sårbarhet/skrøpeligheit tidligst mulig",
    "Opplevd bedre kvalitet (tilstrekkelig og kvalitetssikret informasjon) på henvisninger",
    "Henvisningsinstanser er kjent med rutiner og sjekklister",
    "Ordning med konferering er tilgjengelig",
    "Antall innleggelser i sengepost m/fallskade",
    "Antall registrerte fall i tjenestene (fra fagsystem)",
    "Vurdere relevante NPR-data som datakilde for antall fallskader",
    "Etablerte FACT-team evaluerer modellen iht. Fidelity-skalaen",
    "Forbruk av helsetjenester før og etter innføring av DHO",
    "Etablere samhandlingsnettverk for saksbehandling(sansvarlige)",
    "Pilotere «hus/hytte-modellen» (f.eks. prosjekt hjemmebarsel)",
]

AHUS_CRITERIA_BY_KIND = {
    "milestone": 15,
    "trend": 9,
    "target": 6,
    "monitor": 3,
    "coverage": 1,
    "before_after": 1,
}
LOVESA_CRITERIA_BY_KIND = {"target": 5, "trend": 2, "milestone": 1, "monitor": 1}


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    registry = load_registry()
    return {
        "ahus": load_plan(AHUS_FILE, registry.ids()),
        "lovesa": load_plan(LOVESA_FILE, registry.ids()),
    }


@pytest.fixture(scope="module")
def ahus(plans: dict[str, Plan]) -> Plan:
    return plans["ahus"]


@pytest.fixture(scope="module")
def lovesa(plans: dict[str, Plan]) -> Plan:
    return plans["lovesa"]


def plan_texts(plan: Plan) -> list[str]:
    """Measure, sub-point and criterion texts (not references, not the board's notes)."""
    texts: list[str] = []
    for measure in plan.measures:
        texts.append(measure.text)
        texts.extend(measure.sub_points)
        texts.extend(criterion.text for criterion in measure.criteria)
    return texts


def test_ahus_partnership(ahus: Plan) -> None:
    partnership = ahus.partnership
    assert partnership.id == "ahus"
    assert partnership.plan_title == "Handlingsplan for Helsefelleskapet Ahus og kommunene 2024-2025"
    assert (partnership.period_start, partnership.period_end) == (2024, 2025)
    assert partnership.vision == "Bedre sammen"
    assert len(partnership.municipalities) == 22
    assert len(set(partnership.municipalities)) == 22
    assert partnership.districts == ["030110", "030111", "030112"]
    assert [a.note for a in partnership.approvals] == ["Godkjent (kommentarer i møttereferat)"] * 2
    assert [v.version for v in partnership.versions] == ["2", "2.1"]


def test_ahus_structure(ahus: Plan) -> None:
    assert len(ahus.measures) == 22
    assert len(ahus.leaf_measures) == 20
    assert [a.number for a in ahus.focus_areas] == [1, 2, 3]
    assert len(ahus.focus_areas[0].groups) == 4
    assert len(ahus.goals) == 2
    assert len(ahus.target_groups) == 5
    groups = {m.id for m in ahus.measures if m not in ahus.leaf_measures}
    children = Counter(m.parent for m in ahus.measures if m.parent)
    assert sorted(children.values()) == [2, 4]
    assert set(children) == groups


def test_ahus_criteria_counts(ahus: Plan) -> None:
    assert len(ahus.criteria) == 35
    kinds = Counter(criterion.kind.value for _, criterion in ahus.criteria)
    assert kinds == AHUS_CRITERIA_BY_KIND
    assert not any(criterion.proposed for _, criterion in ahus.criteria)
    for measure in ahus.leaf_measures:
        assert measure.criteria, f"tiltak {measure.id} mangler suksesskriterier"
    for measure in ahus.measures:
        if measure not in ahus.leaf_measures:
            assert not measure.criteria


@pytest.mark.parametrize("phrase", AHUS_PHRASES)
def test_ahus_phrase_word_for_word(ahus: Plan, phrase: str) -> None:
    assert any(phrase in text for text in plan_texts(ahus))


def test_ahus_references_are_not_in_measure_text(ahus: Plan) -> None:
    titles = [r.title for m in ahus.measures for r in m.references]
    assert "Samarbeid om tjenester til barn, unge og deres familier" in titles
    assert "Integrerte helsetjenester for sårbare eldre" in titles
    for measure in ahus.measures:
        assert "Helsedirektoratet" not in measure.text
        assert "Kompetansebroen" not in measure.text
        assert "NOU 2023" not in measure.text
        assert "Artikkel FACT" not in measure.text


def test_ahus_headings(ahus: Plan) -> None:
    headings = {c.heading for _, c in ahus.criteria if c.heading}
    assert headings == {"Opptappingsplan IHT", "Ahus-data", "Kommunedata"}


def test_fall_measure_has_no_priority(ahus: Plan) -> None:
    fall = next(m for m in ahus.measures if m.text.startswith("Innføre kunnskapsbasert fall"))
    assert fall.priority is None
    assert ahus.effective_priority(fall) is None
    assert fall.priority_note == "Prioritet er ikke angitt i handlingsplanen"


def test_group_child_inherits_priority(ahus: Plan) -> None:
    child = next(m for m in ahus.measures if m.text.startswith("Tydliggjøre representasjon"))
    group = ahus.parent_of(child)
    assert group is not None
    assert group.text == "Styrke og videreutvikle samhandling mellom tjenestene gjennom å:"
    assert child.priority is None
    assert ahus.effective_priority(child) == group.priority == 1
    for measure in ahus.measures:
        if measure.parent:
            assert measure.priority is None
            assert ahus.effective_priority(measure) == ahus.parent_of(measure).priority


def test_lovesa_structure(lovesa: Plan) -> None:
    partnership = lovesa.partnership
    assert partnership.short_name == "LoVeSa"
    assert partnership.case_reference == "2022/2936"
    assert len(partnership.case_officers) == 4
    assert len(partnership.municipalities) == 21
    assert partnership.districts == []
    assert len(lovesa.measures) == len(lovesa.leaf_measures) == 4
    area_ids = {area.id for area in lovesa.focus_areas}
    assert all(measure.focus_area in area_ids for measure in lovesa.measures)
    assert all(measure.responsible == ["SSU"] for measure in lovesa.measures)
    assert any("akutt STEMI-infarkt" in point for m in lovesa.measures for point in m.sub_points)


def test_lovesa_criteria_are_all_proposed(lovesa: Plan) -> None:
    assert len(lovesa.criteria) == 9
    kinds = Counter(criterion.kind.value for _, criterion in lovesa.criteria)
    assert kinds == LOVESA_CRITERIA_BY_KIND
    for _, criterion in lovesa.criteria:
        assert criterion.proposed, criterion.id
        assert criterion.note and criterion.note.startswith("Forslag fra tavla"), criterion.id
    for measure in lovesa.leaf_measures:
        assert measure.criteria


def test_lovesa_quality_targets_come_from_registry(lovesa: Plan) -> None:
    registry = load_registry()
    for _, criterion in lovesa.criteria:
        if criterion.kind is CriterionKind.target and not criterion.target.all_members:
            assert criterion.target.value == registry.get(criterion.indicator).target
            assert "kvalitetsindikator" in criterion.target.basis


def test_every_target_criterion_has_a_target(plans: dict[str, Plan]) -> None:
    for plan in plans.values():
        for _, criterion in plan.criteria:
            if criterion.kind is CriterionKind.target:
                target = criterion.target
                assert target is not None, criterion.id
                assert target.basis.strip(), criterion.id
                assert (
                    target.all_members
                    or target.value is not None
                    or target.relative_change
                    or target.min_increase
                ), criterion.id
                if target.default:
                    assert "tavla" in target.basis, criterion.id


def test_deadlines_parse(plans: dict[str, Plan]) -> None:
    for plan in plans.values():
        for measure in plan.leaf_measures:
            deadline = plan.effective_deadline(measure)
            assert deadline is not None, measure.id
            assert parse_deadline(deadline.text) == deadline
            assert deadline.continuous or deadline.due_date is not None
    texts = {
        plan.effective_deadline(measure).text for plan in plans.values() for measure in plan.leaf_measures
    }
    assert texts == {"2022", "2024", "2025", "2024-2025", "Fortløpende"}
