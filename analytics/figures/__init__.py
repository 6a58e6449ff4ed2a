"""Every plotly figure of the board and the meeting pack is built here (no streamlit).

Only this package imports plotly (tests/test_figures_home.py checks it); the data that goes
into a figure is computed in the analytics modules, pages show the figure with
``st.plotly_chart`` and analytics.export renders it to PNG.

* ``style``: the shared look: template, colours, Norwegian separators and thousands
  («14 000», never «14k»), date axes with Norwegian period names.
* ``spc``, ``funnel``, ``multiples``, ``projection``: the Indikator and Kommune charts.
* ``population``: Befolkning. ``milestones``: the milestone timeline. ``catalogue``: the
  coverage heat map. ``printing``: a figure laid out for a PNG or a slide.

Every figure uses Norwegian axis labels and period names, the Norwegian decimal comma and
hover texts that are already formatted (so small counts read "<5" and rates built on them are
never drawn). Meaning never rests on colour alone: point types have their own marker symbols
and legend words, and the SPC icons are written out beside the chart.
"""

from analytics.figures.catalogue import coverage_figure
from analytics.figures.funnel import funnel_figure
from analytics.figures.milestones import timeline_figure
from analytics.figures.multiples import small_multiples_figure
from analytics.figures.population import (
    PROJECTED_NOTE,
    age_groups_figure,
    demand_figure,
    elder_wave_figure,
    member_share_figure,
)
from analytics.figures.printing import (
    EMOJI,
    PNG_HEIGHT,
    PNG_SCALE,
    PNG_WIDTH,
    print_ready,
    source_note,
    without_emoji,
)
from analytics.figures.projection import MAX_YEARS_DRAWN, projection_figure
from analytics.figures.spc import natural_bounds, spc_caption, spc_figure
from analytics.figures.style import Figure, board_layout, for_screen, thousands, time_ticks, title_apart

__all__ = [
    "MAX_YEARS_DRAWN",
    "PNG_HEIGHT",
    "PNG_SCALE",
    "PNG_WIDTH",
    "EMOJI",
    "PROJECTED_NOTE",
    "Figure",
    "age_groups_figure",
    "board_layout",
    "coverage_figure",
    "demand_figure",
    "elder_wave_figure",
    "for_screen",
    "title_apart",
    "funnel_figure",
    "member_share_figure",
    "natural_bounds",
    "print_ready",
    "projection_figure",
    "small_multiples_figure",
    "source_note",
    "spc_caption",
    "spc_figure",
    "thousands",
    "time_ticks",
    "timeline_figure",
    "without_emoji",
]
