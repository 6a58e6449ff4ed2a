"""Images and tables for the meeting: clean PNGs (kaleido driving Debian's chromium) and CSV.

The figure comes from analytics.figures, laid out for print there (figures.print_ready).

Starting chromium costs ~1.5 s, drawing one more figure in it ~0.1–0.2 s, so `figures_png`
renders a batch in one browser (a 10-slide deck) and `figure_png` is a batch of one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import kaleido
import pandas as pd
from choreographer.errors import ChromeNotFoundError

from analytics import figures
from analytics.figures import PNG_HEIGHT, PNG_SCALE, PNG_WIDTH

_PNG_OPTS = {"format": "png", "width": PNG_WIDTH, "height": PNG_HEIGHT, "scale": PNG_SCALE}


NO_BROWSER = (
    "Bildet kan ikke lages: serveren har ingen nettleser (chromium) å tegne det med. "
    "Be den som drifter tavla installere Debians «chromium» (apt-get install chromium)."
)


class NoBrowserError(RuntimeError):
    """No chromium for kaleido; str() is the Norwegian sentence a page shows (NO_BROWSER)."""

    def __init__(self) -> None:
        super().__init__(NO_BROWSER)


def _browser_path() -> None:
    """kaleido finds a browser through BROWSER_PATH; point it at Debian's chromium."""
    if "BROWSER_PATH" not in os.environ:
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if found:
            os.environ["BROWSER_PATH"] = found


def browser_path() -> str | None:
    """The chromium kaleido will start (BROWSER_PATH, PATH, kaleido's own download), if it is an
    executable file; None when there is none (then a PNG cannot be made)."""
    from choreographer.browsers.chromium import Chromium

    _browser_path()
    found = Chromium.find_browser(skip_local=False)
    return str(found) if found and os.path.isfile(found) and os.access(found, os.X_OK) else None


@dataclass(frozen=True)
class PngRequest:
    """One figure to render, with what its footnote says."""

    fig: figures.Figure
    title: str
    source: str
    demo: bool
    notes: tuple[str, ...] = field(default_factory=tuple)
    font_scale: float = 1.0  # larger text for a chart shown small on a slide


def _render(figures: list[dict]) -> list[bytes]:
    """Render figure dicts to PNG in one chromium, on a thread of its own.

    A fresh thread keeps kaleido's event loop away from any loop the caller runs (Streamlit,
    Playwright); mathjax=False keeps chromium from fetching MathJax over the network.
    """
    if browser_path() is None:
        raise NoBrowserError()
    outcome: dict[str, object] = {}

    async def run() -> list[bytes]:
        async with kaleido.Kaleido(n=1, mathjax=False) as browser:
            return [await browser.calc_fig(figure, opts=_PNG_OPTS) for figure in figures]

    def target() -> None:
        try:
            outcome["images"] = asyncio.run(run())
        except BaseException as exc:  # handed back to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="kaleido-render")
    thread.start()
    thread.join()
    if isinstance(outcome.get("error"), ChromeNotFoundError | FileNotFoundError):
        raise NoBrowserError() from outcome["error"]  # type: ignore[misc]
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["images"]  # type: ignore[return-value]


def figures_png(requests: Sequence[PngRequest], fetched: dt.date | None = None) -> list[bytes]:
    """Several figures as print-ready PNGs (1600×900 at 2×), in one browser, in order.

    Raises NoBrowserError (a Norwegian message) when no chromium can be found or started."""
    if not requests:
        return []
    ready = [
        figures.print_ready(r.fig, r.title, r.source, r.demo, fetched, r.notes, r.font_scale).to_dict()
        for r in requests
    ]
    return _render(ready)


def figure_png(fig: figures.Figure, title: str, source: str, demo: bool, notes: Sequence[str] = ()) -> bytes:
    """1600×900 at 2× scale, ready for a slide."""
    return figures_png([PngRequest(fig, title, source, demo, tuple(notes))])[0]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number as the board shows it ("-2,5", "1 234", "12 %"): a spreadsheet reads it as a number,
# never as a formula, so it keeps its sign instead of turning into text.
PLAIN_NUMBER = re.compile(r"^[-+\u2212]?\d[\d\u00a0\u202f .,]*%?$")


def neutralise(cell: object) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written as
    text, with a leading apostrophe (OWASP's advice for CSV injection)."""
    text = "" if cell is None else str(cell)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _neutralise_text(cell: object) -> object:
    if isinstance(cell, str) and not PLAIN_NUMBER.match(cell):
        return neutralise(cell)
    return cell


def csv_bytes(frame: pd.DataFrame, notes: Sequence[str] = ()) -> bytes:
    """A table as Norwegian Excel expects it: `;`-separated, UTF-8 with BOM, notes at the end.

    The frame should already hold display text (formatting/protection), so "<5" and decimal
    commas arrive as shown on screen.
    """
    safe = frame.map(_neutralise_text)
    safe.columns = [_neutralise_text(str(column)) for column in frame.columns]
    text = safe.to_csv(sep=";", index=False, lineterminator="\n")
    if notes:
        text += "\n" + "\n".join(f"Merknad: {note}" for note in notes) + "\n"
    return text.encode("utf-8-sig")
