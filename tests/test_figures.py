"""Plotly figures: Norwegian labels and numbers, hidden small counts, meaning beyond colour."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from analytics import figures, formatting
from analytics.funnel import funnel_limits
from analytics.projection import project_to_deadline
from analytics.registry import Indicator
from analytics.spc import xmr

pytestmark = pytest.mark.backend_free

RATE = Indicator(
    id="x",
    name="Antall brudd",
    unit="antall",
    kind="count",
    grain="month",
    direction="decrease",
    population="population_80_plus",
    source="Test",
    source_detail="Test",
    definition_source="Test",
    protect_small=True,
    description="Test",
)
ROLLOUT = RATE.model_copy(
    update={
        "unit": "kommuner",
        "kind": "stock",
        "grain": "quarter",
        "direction": "increase",
        "population": None,
        "chart_kind": "rollout",  # a count of municipalities taking part (the registry's charts: row)
    }
)
VALUES = [40.0, 42.0, 39.0, 41.0, 40.5, 38.0, 43.0, 40.0, 39.5, 41.5, 40.0, 12.0, 40.0, 41.0]
PERIODS = [dt.date(2025, 1, 1) + pd.DateOffset(months=i) for i in range(len(VALUES))]


def spc_fig(**kwargs):
    points = pd.DataFrame({"value": VALUES, "label": [f"p{i}" for i in range(len(VALUES))]})
    spc = xmr(VALUES, improvement="decrease", target=kwargs.get("target"))
    return figures.spc_figure(points, PERIODS, spc, RATE, title="Tittel", **kwargs), spc


def test_spc_figure_is_norwegian_and_marks_point_types_by_symbol():
    fig, spc = spc_fig(target=35.0)
    assert fig.layout.separators == formatting.PLOTLY_SEPARATORS
    assert fig.layout.yaxis.title.text == "Per 1 000 innbyggere 80 år og eldre per år"
    names = [t.name for t in fig.data]
    assert "Kontrollgrenser" in names and "Mål (35,0)" in names
    assert any(n.startswith("Gjennomsnitt (") and "," in n for n in names)
    low = next(t for t in fig.data if t.name == "Spesiell årsak – forbedring")
    assert low.marker.symbol == "triangle-up"  # the 12 is far below: improvement for "lower is better"
    common = next(t for t in fig.data if t.name == "Vanlig variasjon")
    assert common.marker.symbol == "circle"
    caption = fig.layout.title.subtitle.text
    assert caption.startswith("Variasjon: ") and "Mål: " in caption
    assert "jan. 2025" in fig.layout.xaxis.ticktext


def test_spc_limits_never_below_zero_and_too_few_points_has_no_limits():
    upper, lower = figures.natural_bounds(RATE, 10.0, -4.0)
    assert (upper, lower) == (10.0, 0.0)
    share = RATE.model_copy(update={"kind": "share"})
    assert figures.natural_bounds(share, 120.0, 50.0) == (100.0, 50.0)
    few = xmr(VALUES[:5], improvement="decrease")
    fig = figures.spc_figure(pd.DataFrame({"value": VALUES[:5]}), PERIODS[:5], few, RATE, title="T")
    names = [t.name for t in fig.data]
    assert "Kontrollgrenser" not in names and "Verdi (for få punkter til SPC)" in names
    assert fig.layout.title.subtitle.text.startswith("For få datapunkter (5)")


def test_spc_figure_draws_each_phase_and_marks_the_change():
    values = [*VALUES[:12], *[v - 15 for v in VALUES]]
    periods = [dt.date(2024, 1, 1) + pd.DateOffset(months=i) for i in range(len(values))]
    spc = xmr(values, improvement="decrease", breaks=[12])
    fig = figures.spc_figure(pd.DataFrame({"value": values}), periods, spc, RATE, title="T")
    means = [t for t in fig.data if t.legendgroup == "mean"]
    assert len(means) == 2 and sum(bool(t.showlegend) for t in means) == 1
    assert len(means[0].x) == 12 and len(means[1].x) == len(values) - 12
    for trace, phase in zip(means, spc.phases, strict=True):
        assert list(trace.y) == pytest.approx([phase.mean] * len(trace.y))
    uppers = [t for t in fig.data if t.legendgroup == "limits" and t.name == "Kontrollgrenser"]
    assert len(uppers) == 2
    for trace, phase in zip(uppers, spc.phases, strict=True):
        assert list(trace.y) == pytest.approx([phase.upl] * len(trace.y))
    assert len(fig.layout.shapes) == 1
    assert pd.Timestamp(fig.layout.shapes[0].x0) == pd.Timestamp(periods[12])
    assert any(a.text == "Endring: nye grenser" for a in fig.layout.annotations)
    # Without a break: one mean line, no marker.
    plain, _ = spc_fig()
    assert len([t for t in plain.data if t.legendgroup == "mean"]) == 1 and not plain.layout.shapes


def test_hidden_points_are_not_drawn_and_hover_uses_display_text():
    values = VALUES.copy()
    values[3] = math.nan  # a small count: hidden
    points = pd.DataFrame({"value": values, "display": ["x"] * 3 + ["<5"] + ["y"] * (len(values) - 4)})
    spc = xmr(VALUES, improvement="decrease")
    fig = figures.spc_figure(points, PERIODS, spc, RATE, title="T")
    drawn = [y for t in fig.data if t.mode == "markers" for y in t.y]
    assert len(drawn) == len(values) - 1
    texts = [row[1] for t in fig.data if t.customdata is not None for row in t.customdata]
    assert "<5" not in texts  # the hidden point has no marker, so no hover either


def test_funnel_figure_hides_small_counts_and_marks_highlight():
    result = funnel_limits([30, 2, 50, 45], [1000, 100, 1500, 1400], kind="poisson")
    names = ["A", "B", "C", "D"]
    fig = figures.funnel_figure(
        result,
        names,
        RATE,
        title="T",
        x_title="Personår",
        y_title="Rate",
        hidden=[False, True, False, False],
        counts=["30", "<5", "50", "45"],
        highlight="C",
    )
    shown = [row[0] for t in fig.data if t.customdata is not None for row in t.customdata]
    assert sorted(shown) == ["A", "C", "D"]
    assert any(t.name == "C" and t.text == ("C",) for t in fig.data)
    assert fig.layout.xaxis.title.text == "Personår"
    limit_names = {t.name for t in fig.data if t.mode == "lines"}
    assert {"95 %-grenser", "99,8 %-grenser"} <= limit_names


def test_small_multiples_one_panel_per_unit_with_reference():
    frame = pd.DataFrame(
        {
            "name": ["Asker"] * 3 + ["Bærum"] * 3,
            "period_start": list(pd.to_datetime(["2023-01-01", "2024-01-01", "2025-01-01"])) * 2,
            "value": [1.0, 2.0, 3.0, 3.0, np.nan, 1.0],
        }
    )
    reference = pd.DataFrame({"period_start": frame["period_start"][:3], "value": [2.0, 2.0, 2.0]})
    fig = figures.small_multiples_figure(frame, RATE, title="T", reference=reference, grain="year")
    titles = [a.text for a in fig.layout.annotations]
    assert "Asker" in titles and "Bærum" in titles
    assert sum(1 for t in fig.data if t.name == "Kommunen") == 2
    assert sum(1 for t in fig.data if t.name == "Helsefellesskapet" and t.showlegend) == 1


@pytest.mark.parametrize("passed", [False, True])
def test_projection_figure(passed):
    periods = [
        dt.date(2024, 3, 31),
        dt.date(2024, 6, 30),
        dt.date(2024, 9, 30),
        dt.date(2024, 12, 31),
        dt.date(2025, 3, 31),
    ]
    values = [2.0, 4.0, 6.0, 8.0, 10.0]
    deadline = dt.date(2024, 12, 31) if passed else dt.date(2025, 12, 31)
    projection = project_to_deadline(periods, values, deadline, 22, "increase")
    series = pd.DataFrame(
        {"period_end": pd.to_datetime(periods), "judge_value": values, "label": list("abcde")}
    )
    fig = figures.projection_figure(
        series,
        projection,
        ROLLOUT,
        title="T",
        target=22,
        horizon=deadline,
        horizon_label="Frist",
        clip_max=22,
    )
    names = [t.name for t in fig.data]
    assert "Mål (22)" in names and "Tall så langt" in names
    assert ("Framskrevet (80 %-intervall)" in names) is (not passed)
    trend = next(t for t in fig.data if t.name.startswith("Trend"))
    assert max(trend.y) <= 22
    if passed:
        assert any(n.startswith("Målet nås i dagens tempo") for n in names)
        assert any("(passert)" in a.text for a in fig.layout.annotations)


def test_time_ticks_use_norwegian_names():
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    ticks, labels = figures.time_ticks(months, "month")
    assert labels[:3] == ["jan. 2025", "apr. 2025", "juli 2025"]
    quarters = [dt.date(2024, m, 1) for m in (1, 4, 7, 10)]
    assert figures.time_ticks(quarters, "quarter")[1][0] == "1. kv. 2024"
    years = [dt.date(y, 1, 1) for y in range(2015, 2026)]
    assert figures.time_ticks(years)[1][-1] == "2025"


def _fitted_model(periods, values, n):
    """Ordinary least squares over the last n points, x in days (as analytics.projection)."""
    pairs = list(zip(periods, values, strict=True))[-n:]
    origin = pairs[0][0]
    x = np.array([(p - origin).days for p, _ in pairs], dtype=float)
    slope, intercept = np.polyfit(x, np.array([v for _, v in pairs]), 1)
    return lambda day: intercept + slope * (day - origin).days


@pytest.mark.parametrize("passed", [False, True])
def test_trend_line_is_drawn_over_the_fitted_points_at_the_fitted_values(passed):
    # 15 quarters climbing 1 → 10 with a plateau (FACT teams): the window is the last 12.
    periods = [dt.date(2023, 3, 31) + pd.offsets.QuarterEnd(i) for i in range(15)]
    periods = [pd.Timestamp(p).date() for p in periods]
    values = [1, 1, 2, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10]
    deadline = dt.date(2025, 12, 31) if passed else dt.date(2027, 12, 31)
    projection = project_to_deadline(periods, values, deadline, 22, "increase")
    series = pd.DataFrame({"period_end": pd.to_datetime(periods), "judge_value": values, "label": "x"})
    fig = figures.projection_figure(
        series,
        projection,
        ROLLOUT,
        title="T",
        target=22,
        horizon=deadline,
        horizon_label="Frist",
        clip_max=22,
    )
    trend = next(t for t in fig.data if t.name.startswith("Trend"))
    model = _fitted_model(periods, values, projection.n_points)
    drawn = [pd.Timestamp(x).date() for x in trend.x]
    assert drawn == periods[-projection.n_points :]  # starts at the first fitted point, ends at the last
    assert trend.y == pytest.approx([model(d) for d in drawn])
    ahead = [t for t in fig.data if t.name == "Framskrevet i dagens tempo"]
    if ahead:  # the projection starts where the data end and never passes all members
        assert pd.Timestamp(ahead[0].x[0]).date() == periods[-1] and max(ahead[0].y) <= 22
    assert next(t for t in fig.data if t.name == "Tall så langt").line.shape == "hv"  # steps


def _axes(fig) -> list:
    layout = fig.to_dict()["layout"]
    return [layout[key] for key in layout if key.startswith(("xaxis", "yaxis"))]


@pytest.mark.parametrize("ready", ["screen", "print"])
def test_every_axis_writes_numbers_in_full_with_norwegian_thousands(ready):
    # 14 000, never «14k»: on every panel of a small-multiples figure, on screen and in print.
    frame = pd.DataFrame(
        {"name": ["A", "A", "B", "B"], "period_start": PERIODS[:2] * 2, "value": [14000.0, 15000.0, 9.0, 8.0]}
    )
    fig = figures.small_multiples_figure(frame, RATE, title="T")
    fig.update_layout(separators=None)
    shown = figures.for_screen(fig) if ready == "screen" else figures.print_ready(fig, "T", "NPR", demo=False)
    axes = _axes(shown)
    assert len(axes) == 4
    assert all(a.get("exponentformat") == "none" and a.get("separatethousands") for a in axes)
    assert shown.layout.separators == formatting.PLOTLY_SEPARATORS


def _population_frame() -> pd.DataFrame:
    """One unit, four age bands and a total: registered 2022–2025, projected 2026–2028."""
    from analytics.population import AGE_BANDS, PROJECTED, REGISTERED

    rows = []
    for year in range(2022, 2029):
        kind = REGISTERED if year <= 2025 else PROJECTED
        for i, group in enumerate((*AGE_BANDS, "total")):
            rows.append(
                {"unit_id": "u", "group": group, "year": year, "kind": kind, "value": 1000.0 * (i + 1) + year}
            )
    frame = pd.DataFrame(rows)
    total = frame[frame["group"] != "total"].groupby("year")["value"].sum()
    frame.loc[frame["group"] == "total", "value"] = frame.loc[frame["group"] == "total", "year"].map(total)
    return frame


def test_population_lines_are_registered_solid_then_projected_dashed_from_the_last_registered_year():
    from analytics.population import elder_wave

    frame = _population_frame()
    wave = elder_wave(frame)
    for fig, panels, marks in (
        (figures.age_groups_figure(frame, "X"), 4, 0),
        (figures.age_groups_figure(frame, "X", index=True), 1, 1),
        (figures.elder_wave_figure(wave, "X"), 1, 2),  # bars above, shares below: both marked
    ):
        lines = [t for t in fig.data if t.type == "scatter"]
        solid = [t for t in lines if t.line.dash == "solid"]
        dashed = [t for t in lines if t.line.dash == "dash"]
        assert len(solid) == len(dashed) >= panels
        for registered, projected in zip(solid, dashed, strict=True):
            assert list(registered.x) == [2022, 2023, 2024, 2025]
            assert list(projected.x) == [2025, 2026, 2027, 2028]  # joined at the last registered point
            assert registered.legendgroup and registered.customdata[0]
        # The projection's start: a dotted line in every panel, the note on the bottom edge.
        starts = [s for s in fig.layout.shapes if s.line.dash == "dot"]
        assert len(starts) == marks and all(s.x0 == s.x1 == 2025.5 for s in starts)
        notes = [a for a in fig.layout.annotations if a.text == " framskrevet →"]
        assert [(a.x, a.y, a.xanchor) for a in notes] == [(2025.5, 0, "left")] * min(marks, 1)
    index = figures.age_groups_figure(frame, "X", index=True)
    first = next(t for t in index.data if t.line.dash == "solid")
    assert first.y[-1] == pytest.approx(100.0)  # the last registered year is 100
    assert first.hovertemplate.endswith(": indeks %{customdata}<extra></extra>")
    assert [t.name for t in figures.age_groups_figure(frame, "X").data[:2]] == ["Registrert", "Framskrevet"]


def test_mark_vertical_draws_a_line_in_every_panel_and_a_note_beside_it():
    from plotly.subplots import make_subplots

    from analytics.figures.style import mark_vertical

    fig = make_subplots(rows=2, cols=1)
    fig.add_scatter(x=[1, 2, 3], y=[1, 2, 3], row=1, col=1)
    fig.add_scatter(x=[1, 2, 3], y=[3, 2, 1], row=2, col=1)
    mark_vertical(fig, 2, "Frist", line={"color": "#555555", "dash": "dashdot", "width": 1}, xanchor=None)
    assert [(s.x0, s.x1, s.xref, s.y0, s.y1) for s in fig.layout.shapes] == [
        (2, 2, "x", 0, 1),
        (2, 2, "x2", 0, 1),
    ]
    assert all(s.line.dash == "dashdot" for s in fig.layout.shapes)
    (note,) = fig.layout.annotations
    assert (note.text, note.x, note.y, note.yref, note.xanchor, note.yanchor) == (
        "Frist",
        2,
        1,
        "paper",
        None,
        "bottom",
    )


def test_a_print_copy_wraps_a_y_title_longer_than_its_axis():
    """On a slide (font_scale 1.9) «Per 1 000 innbyggere 80 år og eldre per år» is longer than
    the axis is high and ran up into the chart's subtitle: it is wrapped, with room beside it."""
    from analytics import slidetext

    fig, _ = spc_fig()
    title = fig.layout.yaxis.title.text
    plain = figures.print_ready(fig, "T", "S", False)
    assert plain.layout.yaxis.title.text == title  # fits at the body size: left as it is
    slide = figures.print_ready(fig, "T", "S", False, font_scale=1.9)
    lines = slide.layout.yaxis.title.text.split("<br>")
    assert len(lines) == 2 and " ".join(lines) == title
    height = figures.PNG_HEIGHT - slide.layout.margin.t - slide.layout.margin.b
    assert all(slidetext.text_width(line, 16 * 1.9) <= height for line in lines)
    assert slide.layout.margin.l == round(80 * 1.9) + round(16 * 1.9 * 1.3)


def test_the_legend_is_below_the_plot_on_screen_and_to_the_right_on_paper():
    """At 390 px a legend to the right squeezed the plot to a strip: a page shows the board's
    legend below the plot (for_screen), a PNG made from the same figure has it to the right,
    and a figure with a legend of its own (population: below already) keeps it."""
    import plotly.graph_objects as go

    from analytics.figures.style import LEGEND_BELOW, LEGEND_RIGHT

    fig = figures.board_layout(go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="Tall")), "T")
    assert fig.layout.legend.x == LEGEND_RIGHT["x"]
    figures.for_screen(fig)
    assert (fig.layout.legend.orientation, fig.layout.legend.y) == ("h", LEGEND_BELOW["y"])
    printed = figures.print_ready(fig, "T", "NPR", demo=False)
    assert (printed.layout.legend.orientation, printed.layout.legend.x) == ("v", LEGEND_RIGHT["x"])
    own = figures.for_screen(go.Figure(layout={"legend": {"y": -0.3, "x": 0, "orientation": "h"}}))
    assert own.layout.legend.y == -0.3


@pytest.mark.parametrize("index", [False, True])
def test_population_years_are_written_as_years_not_with_a_thousands_space(index):
    """style.thousands separates thousands on every numeric axis (14 000); a year axis then read
    «2 020», «2 030». The population figures' x axes are years: written 2020, 2030."""
    fig = figures.for_screen(figures.age_groups_figure(_population_frame(), "Ahus", index=index))
    axes = [a for key, a in fig.to_dict()["layout"].items() if key.startswith("xaxis")]
    assert axes and all(a.get("tickformat") == "d" for a in axes)
