"""The page helpers under one name (`from ui import common`): the cache, the URL state and the
style live in ui/cache.py, ui/urlstate.py and ui/style.py."""

from ui.cache import (  # noqa: F401
    _board,
    _indicator_view,
    _municipality_view,
    _partnership_comparison,
    _plan_status,
    _population_page,
    _population_view,
    _small_multiples,
    _status_matrix,
    board,
    indicator_view,
    municipality_view,
    period_end,
    plan_status,
    population_page,
    population_view,
    small_multiples,
    status_matrix,
    status_matrix_ready,
)
from ui.style import (  # noqa: F401
    _MARKDOWN_SPECIAL,
    _PRESENTATION_CSS,
    PRESENTATION_KEY,
    _streamlit_colour,
    demo_banner,
    safe_md,
    status_badge,
    status_text,
)
from ui.urlstate import (  # noqa: F401
    FIRST_YEAR,
    partnership,
    partnership_ids,
    period_banner,
    period_token,
    presentation_mode,
    query_value,
    slug,
    url_multiselect,
    url_radio,
    url_select,
    url_year_range,
    year_range,
)
