"""Every export of the meeting pack is scanned for a visible count below the threshold.

Exports: the deck's text (PPTX), the data every chart PNG is drawn from (trace values and
hover texts), and the CSV downloads (numbers behind the charts, the milestones register).
The demo data has small counts in protected indicators (DHO patients), so hiding is exercised.
"""

from __future__ import annotations

import io

import pandas as pd
import plotly.graph_objects as go
import pytest
from pptx import Presentation

from analytics import deck, export, figures, milestones, protection
from analytics.evaluate import PlanStatus, evaluate_plan
from analytics.indicator_view import criterion_view
from analytics.plan import CriterionKind
from analytics.series import rated
from analytics.status import Judgement, Status

PARTNERSHIPS = ["ahus", "lovesa"]


def protected(board, indicator_id: str) -> bool:
    return board.registry.get(indicator_id).protect_small


def protected_measures(board, partnership: str):
    return [
        m
        for m in board.plan(partnership).leaf_measures
        if any(protected(board, i) for c in m.criteria for i in c.indicators)
    ]


def figure_leaks(fig: go.Figure, board, partnership: str, indicator_id: str) -> list[str]:
    """Small counts a chart would show: values of data traces and what their hovers say.

    A count is checked by value; a rate (per 1 000) is checked by period: where the count
    under it is small, nothing may be drawn. Reference lines (mean, limits, target) are not
    data and are not checked.
    """
    indicator = board.registry.get(indicator_id)
    _, series = deck.judged(board, partnership, indicator_id)
    hidden_periods = {pd.Timestamp(p) for p in series.loc[series["hidden"], "period_start"]}
    counts = indicator.kind in ("count", "stock") and not rated(indicator)
    leaks = []
    for trace in fig.data:
        # A reference line (mean, limits) carries its own value as plain text in customdata.
        reference = (
            trace.customdata is not None and len(trace.customdata) and isinstance(trace.customdata[0], str)
        )
        is_data = (
            trace.name == "Verdi"
            or (trace.customdata is not None and not reference)
            or trace.hovertext is not None
        )
        if not is_data or trace.y is None:
            continue
        if counts:
            leaks += [f"{trace.name}: y={v}" for v in protection.numeric_small(trace.y)]
        if trace.x is not None:
            for x, y in zip(trace.x, trace.y, strict=True):
                if pd.Timestamp(x) in hidden_periods and y is not None and not pd.isna(y):
                    leaks.append(f"{trace.name}: {x} drawn at {y} over a hidden count")
        if trace.customdata is not None and counts:
            shown = [row[1] for row in trace.customdata]  # the value as the hover shows it
            leaks += [f"{trace.name}: {t}" for t in protection.visible_small_counts(shown)]
        if trace.hovertext is not None and counts:
            leaks += [f"{trace.name}: {t}" for t in protection.visible_small_counts(list(trace.hovertext))]
    return leaks


@pytest.fixture(scope="module", params=PARTNERSHIPS)
def exports(request, demo_board):
    partnership = request.param
    status = evaluate_plan(demo_board, partnership)
    measures = protected_measures(demo_board, partnership)
    figure_for = deck.default_figure_for(demo_board, partnership)
    data = deck.build_deck(demo_board, partnership, status, measures, figure_for)
    return {"partnership": partnership, "measures": measures, "deck": data, "status": status}


def plan_words(plan) -> list[str]:
    """Text copied from the plan (its own words may hold numbers, e.g. '12-24 år')."""
    words = [plan.partnership.name, plan.partnership.plan_title, plan.partnership.short_name]
    for measure in plan.measures:
        words += [measure.text, *measure.responsible, *(c.text for c in measure.criteria)]
        # The board's short titles are plan words too («Sepsis: antibiotika innen 1 time»).
        words += [e.short for e in (measure, *measure.criteria) if e.short]
        if measure.deadline:
            words.append(measure.deadline.text)
    return sorted(words, key=len, reverse=True)


def test_deck_text_shows_no_small_count(exports, demo_board):
    plan = demo_board.plan(exports["partnership"])
    prs = Presentation(io.BytesIO(exports["deck"]))
    assert len(prs.slides) == deck.slide_count(exports["measures"])
    # Reasons about unprotected criteria (e.g. "4 av 22 kommuner") are not counts of persons.
    free = [
        exports["status"].criteria[c.id].reason
        for m in exports["measures"]
        for c in m.criteria
        if not any(protected(demo_board, i) for i in c.indicators) and c.id in exports["status"].criteria
    ]
    leaks = []
    for slide in list(prs.slides)[1:-1]:  # summary and measure slides (title and sources: no data)
        for shape in slide.shapes:
            texts = [shape.text_frame.text] if shape.has_text_frame else []
            if shape.has_table:
                texts += [c.text for row in shape.table.rows for c in row.cells]
            for text in texts:
                for reason in free:
                    text = text.replace(deck.short_text(reason, 220), "")
                for words in plan_words(plan):
                    for short in {words, deck.short_text(words, 90), deck.short_text(words, 120)}:
                        text = text.replace(short, "")
                leaks += protection.visible_small_counts([text])
    assert leaks == []


def test_chart_sources_in_the_deck_show_no_small_count(exports, demo_board):
    figure_for = deck.default_figure_for(demo_board, exports["partnership"])
    for measure in exports["measures"]:
        fig = figure_for(measure)
        indicator_id = deck.chart_indicator(measure)
        if fig is not None and protected(demo_board, indicator_id):
            assert figure_leaks(fig, demo_board, exports["partnership"], indicator_id) == [], measure.id


def test_every_protected_criterion_chart_shows_no_small_count(demo_board):
    checked = hidden = 0
    for partnership in PARTNERSHIPS:
        for _, criterion in demo_board.plan(partnership).criteria:
            if criterion.kind is CriterionKind.milestone or not criterion.indicators:
                continue
            if not protected(demo_board, criterion.indicators[0]):
                continue
            view = criterion_view(demo_board, partnership, criterion.id)
            if view.figure is None:
                continue
            checked += 1
            assert figure_leaks(view.figure, demo_board, partnership, criterion.indicators[0]) == [], (
                criterion.id
            )
            hidden += int(deck.judged(demo_board, partnership, criterion.indicators[0])[1]["hidden"].sum())
    assert checked >= 5
    assert hidden > 0  # the demo data does have small counts, and the charts hide them


def test_png_footnote_says_small_counts_are_hidden(demo_board):
    notes = deck.chart_notes(demo_board, "lovesa", "dho_included_patients")
    assert notes == (protection.primary_note(protection.threshold()),)
    ready = figures.print_ready(go.Figure(), "DHO", "Prosjektrapport", True, notes=notes)
    assert "«<5»" in ready.layout.annotations[-1].text
    assert deck.chart_notes(demo_board, "lovesa", "stemi_pci_120") == ()


@pytest.mark.parametrize("partnership", PARTNERSHIPS)
def test_numbers_csv_shows_no_small_count(demo_board, partnership):
    measures = list(demo_board.plan(partnership).leaf_measures)
    table, notes = deck.source_table(demo_board, partnership, measures)
    data = export.csv_bytes(table, notes)
    frame = pd.read_csv(
        io.BytesIO(data), sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False, comment=None
    )
    every_value = frame["Verdi"]
    frame = frame[
        frame["Indikator"].isin(
            {demo_board.registry.get(i).name for i in demo_board.registry.ids() if protected(demo_board, i)}
        )
    ]
    assert not frame.empty
    assert protection.visible_small_counts(frame["Verdi"].tolist()) == []
    assert (frame["Verdi"] == "<5").any()  # hidden, and said so
    # The notes close the file: «<5» always, «:» (secondary suppression) when a cell shows it.
    lines = data.decode("utf-8-sig").rstrip().splitlines()
    notes_at_end = [line for line in lines if line.startswith("Merknad: ")]
    expected = [f"Merknad: {protection.primary_note(protection.threshold())}"]
    if (every_value == protection.SECONDARY).any():
        expected.append(f"Merknad: {protection.SECONDARY_NOTE}")
    assert notes_at_end == expected
    assert lines[-len(expected) :] == expected


def test_milestones_csv_has_no_counts(demo_board):
    plan = demo_board.plan("ahus")
    register = milestones.register(plan, demo_board.store.milestone_states("ahus"))
    data = export.csv_bytes(milestones.display_table(register)).decode("utf-8-sig")
    assert "Milepæl;Tiltak" in data


def test_a_reason_is_masked_only_when_it_is_about_a_protected_count(demo_board):
    plan = demo_board.plan("ahus")
    measure = plan.measure("m10")  # m10-k1: municipalities (not protected); m10-k2: IHT patients
    kinds = {c.id: any(protected(demo_board, i) for i in c.indicators) for c in measure.criteria}
    assert kinds == {"m10-k1": False, "m10-k2": True, "m10-k3": True}
    text = "Antall pasienter: siste 12 mnd 3 (12 mnd før: 2); 3. kvartal 2026."
    status = PlanStatus("ahus")
    status.measures[measure.id] = Status.off_track
    status.criteria = {
        "m10-k1": Judgement(Status.on_track, "Antall kommuner 4 av 22."),
        "m10-k2": Judgement(Status.off_track, text),
        "m10-k3": Judgement(Status.on_track, "Annet."),
    }
    masked = deck.measure_reason(demo_board, plan, status, measure)
    assert masked == "Antall pasienter: siste 12 mnd <5 (12 mnd før: <5); 3. kvartal 2026."
    # A count of municipalities is not a count of persons: said as it is.
    status.criteria["m10-k1"] = Judgement(Status.off_track, "Antall kommuner 4 av 22 (3. kvartal 2026).")
    status.criteria["m10-k2"] = Judgement(Status.on_track, text)
    assert (
        deck.measure_reason(demo_board, plan, status, measure) == "Antall kommuner 4 av 22 (3. kvartal 2026)."
    )


def test_the_chart_scan_finds_a_leak_when_there_is_one(demo_board):
    _, series = deck.judged(demo_board, "lovesa", "dho_included_patients")
    hidden = series[series["hidden"]]
    assert not hidden.empty
    leaking = go.Figure(go.Scatter(x=hidden["period_start"], y=[3.0] * len(hidden), name="Verdi"))
    assert figure_leaks(leaking, demo_board, "lovesa", "dho_included_patients")
