"""A projection over hidden points gives no hidden figure back (issue 14, safety).

A straight line through n points, one of them hidden: its slope and intercept with the shown
points solve for the hidden one. So where a point the trend is fitted on is hidden, the reason
keeps its words and drops the projection's figures (crossing month, interval), and the drawn
trend, projection and interval are left out with a note (Indikator, and criterion_view for the
PNG and the deck's slide). The status still uses every figure. Also: a point hidden only to
protect another cell is described as «:», not «færre enn 5» (series.figure_shown's rule).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from analytics import config
from analytics import indicator_view as views
from analytics.evaluate import evaluate_criterion, unit_scope
from analytics.indicator_view import criterion_view, indicator_view
from analytics.periods import MONTHS_NB
from analytics.plan import Target
from loaders.service import Loader
from tests.conftest import new_store

INDICATOR = "dho_active_patients"  # a protected stock of persons, monthly, no population
CRITERION = "m14-k1"  # a target with the deadline 31.12.2025 in the Ahus plan
TODAY = dt.date(2025, 7, 15)
HIDDEN_MONTH = "2025M03"  # inside the last 12 months: a point the line is fitted on
# «i mars 2025», «i oktober 2025»: a crossing month
_MONTH = re.compile(r"\bi (" + "|".join(MONTHS_NB) + r") \d{4}")


def _store(tmp_path: Path, small: bool) -> tuple[Loader, str]:
    """One Ahus municipality, 2024M01–2025M06, 10, 11, … a month; with ``small`` the value of
    ``HIDDEN_MONTH`` is 3 (hidden). The plan's m14-k1 is pointed at the indicator, target 30."""
    loader = Loader.open(new_store(tmp_path, "hidden_fit" if small else "shown_fit"))
    board = loader.board
    unit = board.member_units("ahus").query("kind == 'municipality'").iloc[0]
    lines = ["Kommune;Periode;Antall"]
    for k, period in enumerate(pd.period_range("2024-01", "2025-06", freq="M")):
        label = f"{period.year}M{period.month:02d}"
        lines.append(
            f"{unit['unit_id']} {unit['name']};{label};{3 if small and label == HIDDEN_MONTH else 10 + k}"
        )
    path = tmp_path / "aktive.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = loader.ingest(path, INDICATOR)
    assert report.ok, report.problem_lines()
    plan = board.plan("ahus").model_copy(deep=True)
    criterion = next(c for _, c in plan.criteria if c.id == CRITERION)
    object.__setattr__(criterion, "indicators", [INDICATOR])
    object.__setattr__(criterion, "target", Target(value=30, basis="test", default=False))
    board.plan = lambda partnership: plan  # a board whose plan differs (as in test_datacache)
    return loader, unit["unit_id"]


@pytest.fixture()
def hidden_fit(tmp_path: Path):
    loader, unit = _store(tmp_path, small=True)
    yield loader.board, unit
    loader.board.store.close()


@pytest.fixture()
def shown_fit(tmp_path: Path):
    loader, unit = _store(tmp_path, small=False)
    yield loader.board, unit
    loader.board.store.close()


def _judged(board, unit: str):
    plan = board.plan("ahus")
    measure, criterion = next((m, c) for m, c in plan.criteria if c.id == CRITERION)
    return evaluate_criterion(board, plan, measure, criterion, scope=unit_scope(board, [unit]), today=TODAY)


def _names(figure) -> list[str]:
    return [trace.name or "" for trace in figure.data]


def _subtitle(figure) -> str:
    return figure.layout.title.subtitle.text or ""


def test_reason_keeps_the_words_and_drops_the_projection_figures_over_a_hidden_point(hidden_fit):
    result = _judged(*hidden_fit)
    part = result.parts[0]
    assert part.series["hidden"].astype(bool).tail(12).any()  # the fitted window has a hidden month
    assert part.projection.rests_on_hidden
    reason = result.judgement.reason
    assert "i dagens tempo nås 30" in reason.lower()
    assert "fristen 31.12.2025" in reason
    assert not _MONTH.search(reason), reason
    assert "prediksjonsintervall" not in reason
    # The status still uses every figure: the same as with nothing hidden.
    assert part.projection.projected is not None and part.projection.reaches_target is not None


def test_the_status_over_a_hidden_point_is_the_status_of_the_whole_data(hidden_fit, monkeypatch):
    hidden_status = _judged(*hidden_fit).judgement.status
    monkeypatch.setattr(config, "SUPPRESSION_THRESHOLD", 1)  # nothing hidden: the same figures
    open_result = _judged(*hidden_fit)
    assert not open_result.parts[0].projection.rests_on_hidden
    assert _MONTH.search(open_result.judgement.reason)
    assert open_result.judgement.status is hidden_status


def test_no_trend_is_drawn_over_a_hidden_point_and_a_note_says_why(hidden_fit):
    board, unit = hidden_fit
    view = indicator_view(board, "ahus", INDICATOR, [unit], today=TODAY)
    deck = criterion_view(board, "ahus", CRITERION, [unit], today=TODAY).figure
    for figure in (view.projection_figure, deck):  # Indikator, and the PNG and the deck's slide
        names = _names(figure)
        assert "Tall så langt" in names
        assert not [n for n in names if n.startswith(("Trend", "Framskrevet", "Målet nås"))], names
        assert "skjult for å verne små tall" in _subtitle(figure)
        points = next(t for t in figure.data if t.name == "Tall så langt")
        assert 3 not in points.y and None in points.y  # the hidden point is a gap, not its value
    text = view.projection_text
    assert "skjult for å verne små tall" in text
    assert "Framskrevet ved" not in text and "80 %-intervall" not in text
    assert not _MONTH.search(text), text


def test_with_no_hidden_point_the_trend_and_its_figures_are_shown(shown_fit):
    board, unit = shown_fit
    result = _judged(board, unit)
    assert not result.parts[0].projection.rests_on_hidden
    assert _MONTH.search(result.judgement.reason)
    assert "prediksjonsintervall" in result.judgement.reason
    view = indicator_view(board, "ahus", INDICATOR, [unit], today=TODAY)
    deck = criterion_view(board, "ahus", CRITERION, [unit], today=TODAY).figure
    for figure in (view.projection_figure, deck):
        names = _names(figure)
        assert any(n.startswith("Trend (lineær") for n in names), names
        assert "Framskrevet (80 %-intervall)" in names
        assert "skjult" not in _subtitle(figure)
    assert "Framskrevet ved" in view.projection_text


def test_a_point_hidden_to_protect_another_reads_colon_not_fewer_than_five(hidden_fit):
    indicator = hidden_fit[0].registry.get(INDICATOR)
    series = pd.DataFrame(
        {
            "hidden": [True, True, False],
            "value": [3.0, 12.0, 20.0],
            "numerator": [3.0, 12.0, 20.0],
            "partial": [False, False, False],
        }
    )
    text = views.hidden_points_text(indicator, series)
    assert "1 av 3 punkter bygger på færre enn 5" in text
    assert "1 av 3 punkter vises som «:»" in text
    assert views._note(indicator, series.iloc[0]).startswith("færre enn 5")
    assert views._note(indicator, series.iloc[1]).startswith("«:»")
    assert "færre enn" not in views._note(indicator, series.iloc[1])
    assert views.hidden_points_text(indicator, series.assign(hidden=False)) is None
    # The advice names only grains coarser than the one shown (a year has none).
    assert "Velg kvartal eller år" in views.hidden_points_text(indicator, series, "month")
    assert "Velg år under" in views.hidden_points_text(indicator, series, "quarter")
    assert "Velg" not in views.hidden_points_text(indicator, series, "year")
