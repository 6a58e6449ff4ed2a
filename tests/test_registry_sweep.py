"""Every combination the registry allows is judged and shown without a crash or a wrong word.

The registry (analytics/registry.py: Indicator, ChartRule; the `charts:` table of
data/indicators.yaml) lets an analyst add an indicator without code, so a combination of kind,
grain, direction, counts, protect_small, population, target, projection and chart kind that the
board's own file never uses must still be judged and shown. 8a6dd38 found one such combination
(any tertial indicator raised KeyError); this sweep looks for the others.

The sweep is pairwise (every pair of two factors' levels appears in some indicator, the usual
covering design for interaction faults: Kuhn, Wallace & Gallo 2004, «Software fault interactions
and implications for software testing», IEEE TSE 30(6)), not the full product: one registry holds
one synthetic indicator per row, one plan one criterion per indicator, and one small store
facts for all of them (with cells suppressed in the source and a period missing). Each row is
judged (partnership and one municipality) and shown (Indikator at every grain of its chain, the
funnel); the whole plan goes through the status, the matrix, Kommune for every member, the
meeting pack, the status table and the catalogue; four rows through the pages themselves.
Checked: no exception, a status of the allowed set, words that fit the kind, and no figure of
the municipality whose figures rest on 1–4 persons when the indicator is protected. The focused
tests after the sweep are the faults it found, each failing on the code before its fix.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import numpy as np
import pandas as pd
import pytest

from analytics import formatting, periods
from analytics.board import Board
from analytics.evaluate import evaluate_criterion, evaluate_plan, partnership_scope, unit_scope
from analytics.indicator_view import funnel_view, indicator_view, municipality_view
from analytics.matrix import status_matrix
from analytics.plan import Criterion, CriterionKind, Measure, Plan, Target
from analytics.registry import Indicator, Registry
from analytics.status import Status
from analytics.store import FACT_COLUMNS, UploadMeta, open_store
from tests.conftest import new_store

TODAY = dt.date(2026, 11, 30)
UNITS = ("3205", "3222", "3224", "3232")
SMALL_UNIT = "3232"  # its counts are 1–4: protected when protect_small
FIRST_YEAR = 2021
MISSING = pd.Timestamp("2024-01-01")  # no unit delivers the period starting here
ALLOWED = set(Status)

# The factors and their levels (every Literal of Indicator, the rows of `charts:`, and the
# criterion kinds a plan gives a numeric indicator).
FACTORS: dict[str, tuple] = {
    "kind": ("count", "stock", "share", "score"),
    "grain": ("month", "quarter", "tertial", "year"),
    "direction": ("increase", "decrease", "neutral"),
    "counts": ("persons", "municipalities", "teams", "categories", "population", None),
    "chart": (None, "rare_count", "rollout", "projection"),
    "population": (None, "population_65_plus"),
    "criterion": ("level", "relative", "min_increase", "all_members", "trend", "coverage", "monitor"),
    "target": (None, 40.0),
    # The grain the file delivers: the registry's own, or whole years (a yearly FHI file for a
    # monthly indicator: a fact keeps its file's grain, and the views never go finer).
    "facts": ("native", "year"),
}


def allowed(row: dict) -> bool:
    """Whether a (partial) combination is one a plan may hold: «alle medlemskommuner»
    (all_members) is a target for a count of municipalities only (plan_overlay.check_values)."""
    if row.get("criterion") == "all_members":
        return row.get("counts", "municipalities") == "municipalities" and row.get("kind", "count") in (
            "count",
            "stock",
        )
    return True


def pairwise(factors: dict[str, tuple]) -> list[dict]:
    """A deterministic greedy covering array of strength 2: rows until every allowed pair of
    levels of two factors appears in one row (each factor's level the one covering most pairs
    left, among those ``allowed``)."""
    names = list(factors)
    left = {
        (a, x, b, y)
        for a, b in itertools.combinations(names, 2)
        for x in factors[a]
        for y in factors[b]
        if allowed({a: x, b: y})
    }
    rows: list[dict] = []
    while left:
        # Seeded by the first uncovered pair, the other factors chosen one by one.
        a, x, b, y = min(left, key=repr)
        row = {a: x, b: y}
        for name in names:
            if name in row:
                continue
            best, score = None, -1
            for level in factors[name]:
                trial = {**row, name: level}
                if not allowed(trial):
                    continue
                gain = sum(
                    (p, trial[p], q, trial[q]) in left
                    for p, q in itertools.combinations([n for n in names if n in trial], 2)
                )
                if gain > score:
                    best, score = level, gain
            row[name] = best
        covered = {(p, row[p], q, row[q]) for p, q in itertools.combinations(names, 2)} & left
        assert covered
        left -= covered
        rows.append(row)
    return rows


COMBINATIONS = pairwise(FACTORS)


def case_id(case: dict) -> str:
    return "-".join(str(case[name]) for name in FACTORS)


def indicator_for(number: int, case: dict) -> Indicator:
    """The synthetic registry entry of one combination (protect_small where it counts persons,
    as load_registry requires; else protected every other row)."""
    kind = case["kind"]
    counts = case["counts"]
    population = case["population"]
    return Indicator(
        id=f"sweep_{number:02d}",
        name=f"Sveip {number}",
        unit={"count": "antall", "stock": "antall", "share": "prosent", "score": "poeng"}[kind],
        kind=kind,
        grain=case["grain"],
        direction=case["direction"],
        population=population,
        numerator_age="65+" if population and kind == "count" else None,
        source="Test",
        source_detail="Test",
        definition_source="Test",
        protect_small=counts == "persons" or number % 2 == 0,
        counts=counts,
        target=case["target"],
        projection=case["chart"] == "projection",
        chart_kind=case["chart"] if case["chart"] in ("rare_count", "rollout") else None,
        description="Syntetisk indikator for sveipen",
    )


def criterion_for(indicator: Indicator, case: dict) -> Criterion:
    kind = case["criterion"]
    base = {
        "id": f"{indicator.id}-k",
        "text": f"Kriterium for {indicator.name}",
        "indicators": [indicator.id],
    }
    targets = {
        "level": Target(value=40.0, basis="Test"),
        "relative": Target(relative_change=-0.1 if indicator.direction == "decrease" else 0.1, basis="Test"),
        "min_increase": Target(min_increase=1, basis="Test"),
        "all_members": Target(all_members=True, basis="Test"),
    }
    if kind in targets:
        return Criterion(**base, kind="target", target=targets[kind], baseline_year=2023)
    if kind == "trend":
        return Criterion(**base, kind="trend", baseline_year=2023)
    return Criterion(**base, kind=kind)


def period_starts(grain: str, until: dt.date) -> list[pd.Timestamp]:
    step = periods.grain_months(grain)
    last_year = until.year + (1 if grain == "year" else 0)
    starts = [
        pd.Timestamp(year, month, 1)
        for year in range(FIRST_YEAR, last_year + 1)
        for month in range(1, 13, step)
    ]
    return [s for s in starts if s.date() <= until and s != MISSING]


def facts_for(indicator: Indicator, delivered: str = "native") -> pd.DataFrame:
    """Facts of one indicator at its grain, 2021 up to the period holding TODAY (projections:
    two years ahead), each unit its own level; SMALL_UNIT holds counts of 1–4, one cell per
    unit is suppressed in the source, and the period starting at MISSING is left out."""
    until = dt.date(TODAY.year + 2, 12, 31) if indicator.projection else TODAY
    rng = np.random.default_rng(sum(map(ord, indicator.id)))
    rollout = indicator.series_kind == "rollout"
    grain = indicator.grain if delivered == "native" else delivered
    out = []
    for u, unit in enumerate(UNITS):
        starts = period_starts(grain, until)
        for p, start in enumerate(starts):
            small = unit == SMALL_UNIT
            hidden = p == 5 + u
            level = float(rng.integers(1, 5)) if small else float(rng.integers(8, 30))
            value = numerator = denominator = None
            if rollout:  # 1 = the municipality takes part (a share or score: 1 of 1)
                value = float(p >= 10 * (u + 1))
                if indicator.kind in ("share", "score"):
                    numerator, denominator = value, 1.0
            elif indicator.kind in ("count", "stock"):
                value = level
            elif indicator.kind == "share":
                denominator = level + float(rng.integers(10, 20))
                numerator = level
                value = 100 * numerator / denominator
            else:
                denominator = level
                numerator = level * float(rng.uniform(2, 4))
                value = numerator / denominator
            if hidden:
                value = numerator = denominator = None
            out.append((indicator.id, unit, start.date(), grain, value, numerator, denominator, hidden))
    frame = pd.DataFrame(
        out,
        columns=FACT_COLUMNS[:8],  # the store's columns up to "suppressed"; source below
    )
    return frame.assign(source="Test")


def population_facts() -> pd.DataFrame:
    out = [
        (ident, unit, dt.date(year, 1, 1), "year", 1000.0 * (u + 1), None, None, False)
        for ident in ("population_65_plus", "population_total")
        for u, unit in enumerate(UNITS)
        for year in range(FIRST_YEAR, TODAY.year + 3)
    ]
    frame = pd.DataFrame(
        out,
        columns=FACT_COLUMNS[:8],  # the store's columns up to "suppressed"; source below
    )
    return frame.assign(source="Test")


@pytest.fixture(scope="module")
def sweep_board(board_context, tmp_path_factory) -> Board:
    """One store and board: the board's registry plus one synthetic indicator per combination;
    the demo partnership «ahus» cut to four municipalities, its plan one measure per indicator."""
    registry, plans, units, code_map = board_context
    synthetic = [indicator_for(n, case) for n, case in enumerate(COMBINATIONS)]
    sweep_registry = Registry(
        charts=registry.charts,
        standard_population=registry.standard_population,
        indicators=[*registry.indicators, *synthetic],
    )
    plan = plans["ahus"]
    first = plan.measures[0]
    measures = [
        Measure(
            id=f"mx{n:02d}",
            text=f"Tiltak {n}",
            goal=first.goal,
            target_group=first.target_group,
            deadline=first.deadline,
            criteria=[criterion_for(ind, case)],
        )
        for n, (ind, case) in enumerate(zip(synthetic, COMBINATIONS, strict=True))
    ]
    partnership = plan.partnership.model_copy(update={"municipalities": list(UNITS), "districts": []})
    # Built anew, not model_copy'd: a copy keeps the original's cached Plan.criteria.
    raw = {**plan.model_dump(), "measures": [], "partnership": partnership.model_dump(), "predecessor": None}
    plan = Plan.model_validate(raw).model_copy(update={"measures": measures})
    others = (units["partnership"] == "ahus") & ~units["unit_id"].isin(UNITS)
    units = units.assign(partnership=units["partnership"].where(~others, "sweep-other"))
    store = open_store(new_store(tmp_path_factory.mktemp("sweep"), "sweep"))
    store.sync_reference(units, code_map)
    board = Board(registry=sweep_registry, plans={"ahus": plan}, units=units, store=store)
    facts = pd.concat(
        [
            population_facts(),
            *(facts_for(i, c["facts"]) for i, c in zip(synthetic, COMBINATIONS, strict=True)),
        ],
        ignore_index=True,
    )
    store.ingest(facts, UploadMeta("sweep.csv", "hash-sweep"))
    yield board
    store.close()


def _words(indicator: Indicator, texts: list[str]) -> list[str]:
    """Labels that do not fit the indicator's kind: a rate for a share or a score, a per cent
    for a count or a stock (a criterion's reason is read up to its first «;», where the value
    is named; later clauses may speak of a relative target or a power in per cent)."""
    wrong = []
    for text in texts:
        if indicator.kind in ("share", "score") and "per 1 000" in text:
            wrong.append(text)
        if indicator.kind in ("count", "stock") and re.search(r"\d\s?%|[Pp]rosent|[Aa]ndel", text):
            wrong.append(text)
    return wrong


def _unhidden(text: str) -> str:
    """The text without what names a hidden figure («<5», «færre enn 5»), years, period
    numbers («3. kvartal») and «per 1 000»: any digit left is a figure shown."""
    text = re.sub(r"<5|færre enn 5|per 1 000|\b(19|20)\d\d\b|\b\d+\.\s", "", text)
    return text


def _head(reason: str | None) -> str:
    return (reason or "").split(";")[0]


def _small_cells(frame: pd.DataFrame) -> list[str]:
    """Cells that show a count of 1–4 (a protected count must show «<5»)."""
    cells = []
    for column in frame.columns:
        for cell in frame[column].astype(str):
            if re.fullmatch(r"\s*[1-4]\s*", cell):
                cells.append(f"{column}={cell}")
    return cells


@pytest.mark.parametrize("number", range(len(COMBINATIONS)), ids=[case_id(c) for c in COMBINATIONS])
def test_every_combination_is_judged_and_shown(sweep_board: Board, number: int):
    case = COMBINATIONS[number]
    board = sweep_board
    plan = board.plan("ahus")
    measure = plan.measures[number]
    criterion = measure.criteria[0]
    indicator = board.registry.get(criterion.indicators[0])
    result = evaluate_criterion(
        board, plan, measure, criterion, scope=partnership_scope(board, "ahus"), today=TODAY
    )
    assert result.judgement.status in ALLOWED
    labels = [_head(result.judgement.reason)]
    for grain in periods.grain_chain(indicator.grain):
        view = indicator_view(
            board, "ahus", indicator.id, grain=grain, today=TODAY, with_small_multiples=False
        )
        # Never finer than the facts: a yearly file is shown per year at every grain asked for.
        assert view.grain == (grain if case["facts"] == "native" else "year"), (grain, view.grain)
        labels += [view.value_label, *(str(c) for c in view.table.columns)]
        labels += [str(c) for c in view.year_table.columns]
    funnel = funnel_view(board, "ahus", indicator, today=TODAY)
    if funnel is not None:
        assert len(funnel.unit_ids) == len(funnel.names) == len(funnel.hidden)
        labels += [funnel.x_title, funnel.y_title]
    assert not _words(indicator, labels), case
    # The municipality whose every figure rests on 1–4 persons (a count or a stock of 1–4, a
    # share's numerator, a score's persons): protected, none of its figures is shown.
    small = indicator_view(board, "ahus", indicator.id, [SMALL_UNIT], today=TODAY, with_small_multiples=False)
    alone = evaluate_criterion(
        board, plan, measure, criterion, scope=unit_scope(board, [SMALL_UNIT]), today=TODAY
    )
    assert alone.judgement.status in ALLOWED
    if indicator.protect_small:
        assert not _small_cells(small.table), case
        assert small.value_label in small.table.columns, (small.value_label, list(small.table.columns))
        shown = [v for v in small.table[small.value_label].astype(str) if re.search(r"[1-9]", _unhidden(v))]
        assert not shown, (case, shown)
        if case["criterion"] != "coverage":  # coverage counts municipalities: «1 av 1»
            head = _unhidden(_head(alone.judgement.reason))
            assert not re.search(r"\d,\d|\b[1-9]\b", head), (case, head)


def test_the_whole_plan_is_judged_and_each_municipality_shown(sweep_board: Board):
    status = evaluate_plan(sweep_board, "ahus", TODAY)
    assert {c.status for c in status.criteria.values()} <= ALLOWED
    matrix = status_matrix(sweep_board, "ahus", TODAY)
    assert matrix is not None
    for unit in UNITS:
        view = municipality_view(sweep_board, "ahus", unit, today=TODAY)
        assert len(view.table) >= len(COMBINATIONS)
    # The meeting pack (its charts and footnotes; the deck itself without a browser), the
    # status table and the data catalogue.
    from analytics import catalogue, deck, status_table
    from analytics.indicator_view import criterion_view

    plan = sweep_board.plan("ahus")
    for measure in plan.measures:
        criterion = measure.criteria[0]
        view = criterion_view(sweep_board, "ahus", criterion.id, today=TODAY)
        assert view.judgement.status in ALLOWED
        deck.chart_notes(sweep_board, "ahus", criterion.indicators[0], today=TODAY)
    pptx = deck.build_deck(
        sweep_board, "ahus", status, plan.measures, lambda m: None, today=TODAY, matrix=matrix
    )
    assert pptx[:2] == b"PK"
    assert len(status_table.status_rows(sweep_board, "ahus", TODAY)) >= len(COMBINATIONS)
    catalogue.overview(sweep_board, "ahus")


@pytest.mark.backend_free
def test_the_sweep_covers_every_pair():
    assert 40 <= len(COMBINATIONS) <= 70
    names = list(FACTORS)
    for a, b in itertools.combinations(names, 2):
        seen = {(c[a], c[b]) for c in COMBINATIONS}
        wanted = {(x, y) for x, y in itertools.product(FACTORS[a], FACTORS[b]) if allowed({a: x, b: y})}
        assert seen == wanted, (a, b)
    assert all(allowed(c) for c in COMBINATIONS)


def _case(protected: bool = True, **wanted: object) -> int:
    """The first combination with these levels (and protect_small as asked)."""
    return next(
        n
        for n, c in enumerate(COMBINATIONS)
        if all(c[k] == v for k, v in wanted.items()) and indicator_for(n, c).protect_small == protected
    )


def test_a_projection_with_a_target_is_followed_and_hides_small_counts(sweep_board: Board):
    """A projection (registry projection: true) under a target criterion: followed, not judged
    (the `charts:` row «projection»), never «målet er ikke tallfestet» with the raw newest figure
    (it read «Siste verdi 4; målet er ikke tallfestet» in the municipality with counts of 1–4)."""
    number = _case(chart="projection", criterion="all_members", kind="count", population=None)
    board = sweep_board
    plan = board.plan("ahus")
    measure = plan.measures[number]
    indicator = board.registry.get(measure.criteria[0].indicators[0])
    assert indicator.projection and indicator.protect_small
    for scope in (partnership_scope(board, "ahus"), unit_scope(board, [SMALL_UNIT])):
        judgement = evaluate_criterion(
            board, plan, measure, measure.criteria[0], scope=scope, today=TODAY
        ).judgement
        assert judgement.status is Status.monitored
        assert "ikke tallfestet" not in judgement.reason
        assert "Siste verdi" not in judgement.reason
    assert "<5" in judgement.reason or "færre enn 5" in judgement.reason


def test_a_min_increase_target_hides_a_small_baseline_count(sweep_board: Board):
    """«Flere enn ved utgangen av 2023» in the municipality whose counts are 1–4: the baseline
    count is protected like any figure (it read «mål: flere enn 1 (utgangen av 2023)»)."""
    number = _case(kind="count", chart=None, criterion="min_increase", population=None)
    board = sweep_board
    plan = board.plan("ahus")
    measure = plan.measures[number]
    indicator = board.registry.get(measure.criteria[0].indicators[0])
    assert indicator.protect_small and not indicator.population
    scope = unit_scope(board, [SMALL_UNIT])
    reason = evaluate_criterion(
        board, plan, measure, measure.criteria[0], scope=scope, today=TODAY
    ).judgement.reason
    assert "mål: flere enn ved utgangen av 2023 (færre enn 5)" in reason
    assert not re.search(r"flere enn [1-4]\b", reason)


@pytest.mark.backend_free
def test_a_min_increase_on_a_share_says_over_a_per_cent():
    """A share's baseline is a level: «mål: over 51,0 % (utgangen av 2023)», not «flere enn 51»."""
    from analytics.evaluate import increase_text

    share = indicator_for(99, {**COMBINATIONS[0], "kind": "share", "counts": "teams", "chart": None})
    row = pd.Series({"judge_value": 51.0, "value": 51.0, "numerator": 51.0, "hidden": False})
    expected = f"mål: over {formatting.percent(51.0, 1)} (utgangen av 2023)"  # 51,0 % (a narrow space)
    assert increase_text(share, row, "utgangen av 2023") == expected


def test_a_small_target_of_a_protected_count_is_shown(sweep_board: Board):
    """A plan's target is its own public number, not a cell of 1–4 persons: «mål 3», never
    «mål <5» (format_value's small-count rule was applied to it)."""
    number = _case(kind="count", chart=None, criterion="level", population=None)
    board = sweep_board
    plan = board.plan("ahus")
    measure = plan.measures[number]
    criterion = measure.criteria[0].model_copy(
        update={"id": "small-target", "target": Target(value=3.0, basis="Test")}
    )
    indicator = board.registry.get(criterion.indicators[0])
    assert indicator.protect_small and indicator.kind == "count"
    reason = evaluate_criterion(board, plan, measure, criterion, today=TODAY).judgement.reason
    assert "mål 3" in reason and "mål <5" not in reason
    from analytics.series import format_target

    assert format_target(indicator, 3.0) == "3"


# -- the pages, for a few combinations (AppTest: the board's own files replaced) --------------

PAGE_CASES = {  # label → levels: a tertial share, a rollout, a projection, a yearly score
    "tertial-share": {"kind": "share", "grain": "tertial"},
    "rollout": {"chart": "rollout", "kind": "count"},
    "projection": {"chart": "projection", "kind": "count"},
    "year-score": {"kind": "score", "grain": "year"},
}


def _yaml_entry(indicator: Indicator) -> dict:
    return indicator.model_dump(mode="json", exclude_defaults=True)


@pytest.fixture(scope="module")
def page_files(sweep_board: Board, board_context, tmp_path_factory):
    """The registry and plan as files and a store of their own: what dashboard.py opens."""
    import yaml

    from analytics import config

    folder = tmp_path_factory.mktemp("sweep_pages")
    raw = yaml.safe_load(config.REGISTRY_FILE.read_text(encoding="utf-8"))
    synthetic = [sweep_board.registry.get(f"sweep_{n:02d}") for n in range(len(COMBINATIONS))]
    raw["indicators"] += [_yaml_entry(i) for i in synthetic]
    registry_file = folder / "indicators.yaml"
    registry_file.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    plan_dir = folder / "plan"
    plan_dir.mkdir()
    plan = sweep_board.plan("ahus").model_dump(mode="json", by_alias=True, exclude_none=True)
    for measure in plan["measures"]:
        if isinstance(measure.get("deadline"), dict):
            measure["deadline"] = measure["deadline"]["text"]
    (plan_dir / "ahus.yaml").write_text(
        yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    _, _, units, code_map = board_context
    store_path = new_store(folder, "pages")
    store = open_store(store_path)
    store.sync_reference(units, code_map)
    facts = pd.concat(
        [
            population_facts(),
            *(facts_for(i, c["facts"]) for i, c in zip(synthetic, COMBINATIONS, strict=True)),
        ],
        ignore_index=True,
    )
    store.ingest(facts, UploadMeta("sweep.csv", "hash-sweep"))
    store.close()
    return registry_file, plan_dir, store_path


@pytest.mark.parametrize("label", list(PAGE_CASES))
def test_the_pages_show_a_combination(page_files, monkeypatch, label: str):
    from streamlit.testing.v1 import AppTest

    from analytics import config
    from tests.support import ROOT

    registry_file, plan_dir, store_path = page_files
    monkeypatch.setattr(config, "REGISTRY_FILE", registry_file)
    monkeypatch.setattr(config, "PLAN_DIR", plan_dir)
    monkeypatch.setenv("BOARD_DB", str(store_path))
    monkeypatch.chdir(ROOT)
    number = _case(protected=True, **PAGE_CASES[label])
    ident = f"sweep_{number:02d}"
    for page, query in (
        ("pages/indicator.py", {"indikator": ident}),
        ("pages/municipality.py", {"kommune": SMALL_UNIT}),
        ("pages/overview.py", {}),
        ("pages/matrix.py", {}),
        ("pages/plan.py", {}),
        ("pages/catalogue.py", {}),
    ):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        for key, value in {"hf": "ahus", **query}.items():
            at.query_params[key] = value
        at.run()
        at.switch_page(page)
        at.run()
        assert not at.exception, (label, page, [e.value for e in at.exception])
        assert not at.error, (label, page, [e.value for e in at.error])
        if page == "pages/indicator.py":  # the synthetic indicator is the one shown
            shown = " ".join(
                str(e.value) for kind in ("title", "header", "subheader", "markdown") for e in at.get(kind)
            )
            shown += " ".join(str(s.value) for s in at.selectbox)
            assert f"Sveip {number}" in shown, label


def test_a_target_of_every_member_needs_a_count_of_municipalities(sweep_board: Board):
    """«Alle medlemskommuner» held against a count of persons read «Antall … 68 av 4» and
    «mål 4»: the plan is refused where it is read (plan_overlay.check_values), and the sweep's
    own plan (every allowed combination) passes."""
    from analytics.plan_overlay import check_values

    plan = sweep_board.plan("ahus")
    assert check_values(plan, sweep_board.registry) == []
    number = _case(kind="count", counts="persons")
    measure = plan.measures[number]
    wrong = measure.criteria[0].model_copy(
        update={"kind": CriterionKind.target, "target": Target(all_members=True, basis="Test")}
    )
    bad = Plan.model_validate(
        {**plan.model_dump(), "measures": [{**measure.model_dump(), "criteria": [wrong.model_dump()]}]}
    )
    problems = check_values(bad, sweep_board.registry)
    assert len(problems) == 1 and "alle medlemskommuner" in problems[0][1]


def test_a_relative_target_says_over_or_under_the_baseline(sweep_board: Board):
    """«mål: 10 % over grunnlinjen 2023» (a rise) and «under» (a fall), never «mål: grunnlinje
    2023 10 %», which on a share reads as a level of 10 % and gives a rise no sign."""
    board = sweep_board
    plan = board.plan("ahus")
    seen = set()
    for number, case in enumerate(COMBINATIONS):
        if case["criterion"] != "relative" or case["chart"] in ("projection", "rollout"):
            continue
        measure = plan.measures[number]
        reason = evaluate_criterion(board, plan, measure, measure.criteria[0], today=TODAY).judgement.reason
        word = "under" if case["direction"] == "decrease" else "over"
        if "mål:" in reason:
            assert f"mål: 10 % {word} grunnlinjen 2023" in reason, reason
            seen.add(case["kind"])
        assert "mål: grunnlinje" not in reason
    assert {"count", "stock", "score"} <= seen


def test_a_score_of_fewer_than_five_persons_is_hidden(sweep_board: Board):
    """A score (a mean per person) over 1–4 persons is hidden (registry protect_small,
    protection.small_parts): the aggregate kept no denominator, so the municipality whose
    scores are over 1–4 persons showed «2,5» in its table and its reason."""
    number = _case(kind="score", grain="year", chart=None)
    board = sweep_board
    indicator = board.registry.get(f"sweep_{number:02d}")
    assert indicator.protect_small
    view = indicator_view(board, "ahus", indicator.id, [SMALL_UNIT], today=TODAY, with_small_multiples=False)
    assert set(view.table["Poeng"]) <= {":", "–"}, view.table
    plan = board.plan("ahus")
    measure = plan.measures[number]
    reason = evaluate_criterion(
        board, plan, measure, measure.criteria[0], scope=unit_scope(board, [SMALL_UNIT]), today=TODAY
    ).judgement.reason
    assert not re.search(r"\d,\d", reason.split(";")[0]), reason
    whole = indicator_view(board, "ahus", indicator.id, today=TODAY, with_small_multiples=False)
    assert whole.table["Poeng"].str.fullmatch(r"\d,\d").any()  # the partnership's persons are many


def test_of_is_for_a_number_of_municipalities_only(sweep_board: Board):
    """«48 av 40» reads as 48 of 40: said of municipalities taking part («13 av 22»), not of a
    stock of patients or teams with a target of 40, which reads «…; mål 40»."""
    board = sweep_board
    plan = board.plan("ahus")
    seen = 0
    for number, case in enumerate(COMBINATIONS):
        indicator = board.registry.get(f"sweep_{number:02d}")
        if case["kind"] != "stock" or indicator.population or case["criterion"] != "level":
            continue
        measure = plan.measures[number]
        reason = evaluate_criterion(board, plan, measure, measure.criteria[0], today=TODAY).judgement.reason
        members = indicator.counts == "municipalities" or indicator.series_kind == "rollout"
        assert (" av 40 " in reason) == members, reason
        assert members or "; mål 40" in reason, reason
        seen += 1
    assert seen
