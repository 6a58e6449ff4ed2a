"""The CSV export's protection, worked out on whole columns (loaders.service._protected_values),
gives what the row-by-row rule gave, on random frames cut from the demo store's facts: counts,
shares, scores, stocks, unprotected indicators, cells the cube hides, small numerators,
complements and denominators, missing values, units outside any partnership and unknown
indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import config, protection
from analytics.series import cube_for, hidden, hidden_numerator
from loaders.service import Loader


def row_by_row(board, facts: pd.DataFrame) -> list[str | None]:
    """The export's rule as it was written before, one fact at a time (the reference)."""
    limit = config.SUPPRESSION_THRESHOLD
    out: list[str | None] = [None] * len(facts)
    partnership_of = board.units.set_index("unit_id")["partnership"].to_dict()
    cubes: dict[tuple[str, object], object] = {}
    for i, row in enumerate(facts.itertuples(index=False)):
        if row.indicator not in board.registry:
            continue
        indicator = board.registry.get(row.indicator)
        if not indicator.protect_small:
            continue
        count = row.numerator if indicator.kind == "share" else row.value
        small = hidden_numerator(indicator, count)
        masked = hidden(indicator, count, getattr(row, "denominator", None))
        partnership = partnership_of.get(str(row.unit_id))
        if (indicator.id, partnership) not in cubes:
            cubes[(indicator.id, partnership)] = (
                cube_for(board, indicator, [str(row.unit_id)]) if partnership else None
            )
        cube = cubes[(indicator.id, partnership)]
        if cube is not None:
            masked |= bool(cube.is_hidden(str(row.unit_id), row.grain, pd.Timestamp(row.period_start)))
        if masked:
            count_shown = small and indicator.kind != "share"
            out[i] = protection.small_label(limit) if count_shown else protection.SECONDARY
    return out


def random_frame(facts: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Rows sampled from the store's facts, with some counts made small, zero or missing, some
    denominators a complement away from the numerator, an unknown indicator and unit."""
    rng = np.random.default_rng(seed)
    frame = facts.sample(n=min(3000, len(facts)), random_state=seed).reset_index(drop=True)
    n = len(frame)
    for column in ("value", "numerator", "denominator"):
        pick = rng.random(n) < 0.25
        frame.loc[pick, column] = rng.choice(
            [np.nan, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0], size=int(pick.sum())
        )
    complement = rng.random(n) < 0.1
    frame.loc[complement, "denominator"] = frame.loc[complement, "numerator"] + rng.integers(
        0, 6, size=int(complement.sum())
    )
    frame.loc[rng.random(n) < 0.02, "indicator"] = "not_an_indicator"
    frame.loc[rng.random(n) < 0.02, "unit_id"] = "9999"
    return frame


@pytest.fixture(scope="module")
def facts(demo_board) -> pd.DataFrame:
    return demo_board.store.facts(None, file_totals=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_columns_give_what_row_by_row_gave(demo_board, facts, seed):
    frame = random_frame(facts, seed)
    kinds = {demo_board.registry.get(i).kind for i in frame["indicator"].unique() if i in demo_board.registry}
    assert {"count", "share", "stock", "score"} <= kinds
    old = row_by_row(demo_board, frame)
    new = Loader.for_board(demo_board)._protected_values(frame)
    assert new == old
    # The frames hold every outcome: shown, «<5» and «:».
    assert {None, protection.small_label(), protection.SECONDARY} <= set(old)


def test_stored_facts_and_a_small_score(demo_board, facts):
    """The demo's facts as stored (every cell the cube hides), and a protected score whose
    denominator (the persons averaged) is small: hidden «:» by both."""
    old = row_by_row(demo_board, facts)
    assert Loader.for_board(demo_board)._protected_values(facts) == old
    assert protection.SECONDARY in old
    score = demo_board.registry.get("dho_bed_days_before")
    assert score.kind == "score" and score.protect_small
    frame = facts.head(4).assign(indicator=score.id, value=7.0, denominator=[1.0, 4.0, 5.0, np.nan])
    new = Loader.for_board(demo_board)._protected_values(frame)
    assert new == row_by_row(demo_board, frame)
    assert new[:2] == [protection.SECONDARY] * 2 and new[2:] == [None, None]


def test_empty_frame(demo_board, facts):
    assert Loader.for_board(demo_board)._protected_values(facts.head(0)) == []


def _by_the_rule(kind: str, numerator: float, denominator: float) -> bool:
    """The small-count rule written out for one cell (DESIGN.md §5; protection.small_parts)."""

    def small(x: float) -> bool:
        return not np.isnan(x) and 0 < x < config.SUPPRESSION_THRESHOLD

    if kind == "score":
        return small(denominator)
    if kind == "share":
        return small(numerator) or small(denominator - numerator) or small(denominator)
    return small(numerator)


@pytest.mark.parametrize("seed", [11, 12])
def test_one_rule_for_columns_and_cells(demo_board, seed):
    """series.hidden_cells / small_numerators (the export's columns) give, cell by cell, what
    series.hidden / hidden_numerator and figure_shown (the pages' cells) give, and the rule
    itself: counts, shares, scores and stocks, protected or not, small, zero, missing,
    complements, and cells the cube hides («:» whatever the value)."""
    from analytics.series import figure_shown, hidden_cells, small_numerators

    rng = np.random.default_rng(seed)
    n = 400
    numerator = rng.choice([np.nan, 0.0, 1.0, 2.0, 4.0, 5.0, 6.0, 40.0], size=n)
    denominator = numerator + rng.choice([np.nan, 0.0, 1.0, 3.0, 4.0, 5.0, 60.0], size=n)
    masked = rng.random(n) < 0.2
    kinds = {demo_board.registry.get(i).kind: demo_board.registry.get(i) for i in demo_board.registry.ids()}
    assert {"count", "share", "score", "stock"} <= set(kinds)
    unprotected = next(
        i for i in map(demo_board.registry.get, demo_board.registry.ids()) if not i.protect_small
    )
    for indicator in [*kinds.values(), unprotected]:
        columns = hidden_cells(indicator, numerator, denominator)
        smalls = small_numerators(indicator, numerator)
        for i in range(n):
            num, den = numerator[i], denominator[i]
            expected = indicator.protect_small and _by_the_rule(indicator.kind, num, den)
            assert bool(columns[i]) == hidden(indicator, num, den) == expected, (indicator.id, num, den)
            assert bool(smalls[i]) == hidden_numerator(indicator, num)
            text = figure_shown(indicator, 12.0, num, bool(masked[i]), denominator=den)[0]
            shown = text == figure_shown(indicator, 12.0, 40.0, False, denominator=60.0)[0]
            assert shown == (not (columns[i] or smalls[i] or masked[i])), (indicator.id, num, den, text)
            if not shown:
                assert (protection.fewer_than() in text) == bool(smalls[i])
