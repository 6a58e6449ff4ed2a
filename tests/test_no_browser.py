"""A machine without chromium: the PNG and PowerPoint buttons say so in Norwegian, no traceback.

Run with BROWSER_PATH pointing nowhere (kaleido and choreographer take the browser from it)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from analytics import export


@pytest.fixture()
def no_browser(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "ingen" / "chromium"))
    assert export.browser_path() is None


def test_export_raises_a_norwegian_error_without_a_browser(no_browser):
    with pytest.raises(export.NoBrowserError, match="ingen nettleser"):
        export.figure_png(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), "Tittel", "Kilde", demo=True)


def test_buttons_explain_in_norwegian_without_a_browser(no_browser, app):
    chart = app("pages/indicator.py", hf="ahus", indikator="hip_fractures")
    assert not chart.exception
    assert [c for c in chart.caption if export.NO_BROWSER in c.value]
    assert not [b for b in chart.get("download_button") if "PNG" in b.proto.label]
    meeting = app("pages/meeting.py", hf="ahus")
    meeting.button(key="make_deck").click().run()
    assert not meeting.exception
    assert [e for e in meeting.error if "ingen nettleser" in e.value]
    meeting.button(key="make_pngs").click().run()
    assert not meeting.exception
    assert [e for e in meeting.error if "ingen nettleser" in e.value]
