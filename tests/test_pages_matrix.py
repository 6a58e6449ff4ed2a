"""Hvor står vi? (AppTest): each cell's status is evaluate_criterion for that municipality alone,
and a cell's link opens Indikator on that municipality and indicator."""

from __future__ import annotations

import html
import re
from collections import Counter
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from analytics import clock, evaluate
from analytics.evaluate import criterion_by_id, unit_scope
from analytics.matrix import SORT_NAME, MatrixColumn, StatusMatrix, matrix_view, status_matrix
from analytics.status import STATUS_STYLE, Status

PAGE = "pages/matrix.py"
# The first visit judges every criterion in every municipality (425 judgements on the demo
# store); on a busy machine that is more than the other pages' 90 s.
MATRIX_TIMEOUT = 900


@pytest.fixture()
def matrix_app(demo_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    monkeypatch.setenv("BOARD_DB", str(demo_db))
    monkeypatch.chdir(ROOT)

    def run(**query: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=MATRIX_TIMEOUT)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        at.switch_page(PAGE)
        at.run()
        if "matrix_start_button" in [b.key for b in at.button]:
            at.button(key="matrix_start_button").click().run()
        return at

    return run


def matrix_html(at) -> str:
    return next(h.proto.body for h in at.get("html") if 'id="status-matrix"' in h.proto.body)


def cells(body: str) -> list[tuple[str, str]]:
    """(link, shown status word) for every cell of the rendered matrix."""
    found = []
    for match in re.finditer(r'<a href="([^"]+)" target="_self">([^<]*)<', body):
        href, text = html.unescape(match.group(1)), html.unescape(match.group(2))
        found.append((href, text.split(" ", 1)[1]))
    return found


@pytest.mark.parametrize("partnership", ["ahus", "lovesa"])
def test_cell_status_is_evaluate_criterion_for_the_municipality(matrix_app, demo_board, partnership):
    at = matrix_app(hf=partnership)
    assert not at.exception
    shown = cells(matrix_html(at))
    plan = demo_board.plan(partnership)
    members = demo_board.member_ids(partnership)
    matrix = status_matrix(demo_board, partnership)
    assert len(shown) == len(members) * len(matrix.columns) > 0
    checked = 0
    for href, word in shown[:: max(1, len(shown) // 25)]:  # a spread sample across the table
        query = {k: v[0] for k, v in parse_qs(urlparse(href).query).items()}
        cell = matrix.cells[
            (matrix.cells["unit_id"] == query["kommune"])
            & (matrix.cells["indicator_id"] == query["indikator"])
        ]
        if len(cell) != 1:  # an indicator in two criteria: the link alone does not say which
            continue
        measure, criterion = criterion_by_id(plan, cell["criterion_id"].iloc[0])
        scope = unit_scope(demo_board, [query["kommune"]])
        # judged afresh (not the judgement analytics.datacache kept for the page)
        expected = evaluate._evaluate_criterion(
            demo_board,
            plan,
            measure,
            criterion,
            scope,
            clock.today(),
            None,
            evaluate._Rows(demo_board),
            None,
        )
        assert word == expected.judgement.status.value, (href, word, expected.judgement)
        checked += 1
    assert checked >= 10


def test_status_filter_keeps_only_municipalities_with_that_status(matrix_app, demo_board):
    matrix = status_matrix(demo_board, "ahus")
    off = matrix.cells[matrix.cells["status"] == Status.overdue.value]["unit_id"].unique()
    assert 0 < len(off)
    at = matrix_app(hf="ahus", status="forsinket")
    body = matrix_html(at)
    rows = body.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == len(off)
    assert all(f"{STATUS_STYLE[Status.overdue][0]} Forsinket" in row for row in rows)
    # The summary counts exactly the cells shown (the filtered rows), not the whole matrix.
    summary = next(m.value for m in at.markdown if " kommuner** · " in m.value)
    assert summary.startswith(f"**{len(off)} av {len(demo_board.member_ids('ahus'))} kommuner**")
    shown = Counter(word for _, word in cells(body))
    items = summary.split("kriterier · ")[1].split(" · ")  # «✅ Oppnådd: 12»
    counted = {item.split(" ", 1)[1].rsplit(": ", 1)[0]: int(item.rsplit(": ", 1)[1]) for item in items}
    assert counted == dict(shown)
    assert counted != dict(Counter(matrix.cells["status"]))  # the unfiltered counts differ


def _matrix(statuses: dict[tuple[str, str], Status]) -> StatusMatrix:
    columns = [
        MatrixColumn(cid, "m", cid, "m", "tekst", "mål", group, "ind")
        for cid, group in (("k1", "Eldre"), ("k2", "Eldre"), ("k3", "Barn"))
    ]
    names = {"a": "Asker", "b": "Bærum", "c": "Drammen"}
    records = [
        {"unit_id": u, "name": names[u], "criterion_id": c, "status": s.value, "value": "1", "period": "2025"}
        for (u, c), s in statuses.items()
    ]
    return StatusMatrix("ahus", columns, pd.DataFrame(records))


STATUSES = {
    ("a", "k1"): Status.achieved,
    ("a", "k2"): Status.monitored,
    ("a", "k3"): Status.achieved,
    ("b", "k1"): Status.overdue,
    ("b", "k2"): Status.achieved,
    ("b", "k3"): Status.monitored,
    ("c", "k1"): Status.achieved,
    ("c", "k2"): Status.achieved,
    ("c", "k3"): Status.overdue,
}


def test_matrix_view_counts_only_the_cells_shown():
    matrix = _matrix(STATUSES)
    whole = matrix_view(matrix)
    assert whole.counts == {Status.overdue: 2, Status.achieved: 5, Status.monitored: 2}
    assert whole.units == ["c", "b", "a"]  # worst first: Forsinket, then Oppnådd before Følges
    filtered = matrix_view(matrix, statuses={Status.overdue})
    assert filtered.units == ["c", "b"] and filtered.all_units == 3
    assert filtered.counts == {Status.overdue: 2, Status.achieved: 3, Status.monitored: 1}
    elderly = matrix_view(matrix, groups=["Eldre"], statuses={Status.overdue}, sort=SORT_NAME)
    assert [c.criterion_id for c in elderly.columns] == ["k1", "k2"]
    assert elderly.units == ["b"]  # Drammen's only delay is in another target group
    assert elderly.counts == {Status.overdue: 1, Status.achieved: 1}
    by_column = matrix_view(matrix, sort="k3")
    assert by_column.units == ["c", "a", "b"]
    with pytest.raises(KeyError):
        matrix_view(matrix, groups=["Eldre"], sort="k3")


def test_click_through_opens_indicator_for_that_municipality(matrix_app, app):
    at = matrix_app(hf="ahus")
    href, _ = next(c for c in cells(matrix_html(at)) if "hip_fractures" in c[0])
    url = urlparse(href)
    assert url.path == "/indikator"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["hf"] == "ahus" and query["indikator"] == "hip_fractures"
    target = app("pages/indicator.py", **query)
    assert not target.exception
    assert target.selectbox(key="url_indikator").value == "hip_fractures"
    assert target.selectbox(key="url_kommune").value == query["kommune"]
    assert target.header[0].value == "Antall hoftebrudd"


def test_the_first_visit_asks_before_judging_every_municipality(app):
    from analytics import datacache

    # As after a new upload: judged nowhere yet (not by this page, the deck, the status table
    # or warming: analytics.matrix.matrix_kept is the one record of it).
    datacache.clear()
    at = app(PAGE, hf="lovesa")
    assert not at.exception
    assert [b.label for b in at.button if b.key == "matrix_start_button"] == ["Vurder alle kommuner"]
    assert not [h for h in at.get("html") if 'id="status-matrix"' in h.proto.body]


def test_a_cell_shows_the_value_its_status_rests_on(demo_board):
    """After a passed deadline the status reads the data up to the deadline («siste 12 mnd
    (jan. 2025–des. 2025) 8,1»); the cell shows that window and value, not the newest months."""
    matrix = status_matrix(demo_board, "ahus")
    cells = matrix.cells
    # The reason's part for the cell's indicator (with several, the one that set the status).
    own = [
        r.reason[max(r.reason.find(demo_board.registry.get(r.indicator_id).name), 0) :]
        for r in cells.itertuples()
    ]
    windowed = cells.assign(own=own)[
        pd.Series(own, index=cells.index).str.contains("siste 12 mnd (", regex=False)
    ]
    assert len(windowed) > 20
    for row in windowed.itertuples():
        assert f"({row.period})" in row.own, (row.unit_id, row.criterion_id, row.period, row.own[:120])
    hip = cells[(cells["unit_id"] == "3240") & (cells["criterion_id"] == "m11-k3")].iloc[0]
    assert hip["period"] == "jan. 2025–des. 2025"
    assert f"(jan. 2025–des. 2025) {hip['value']}" in hip["reason"]
