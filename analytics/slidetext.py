"""How much room text takes on a slide, measured with a real font's metrics (Pillow).

PowerPoint and LibreOffice wrap text at word boundaries inside a box's inner width; a box
that is too small lets the text run past its bottom (and off the slide). The deck measures
every text box before it is placed: lines are wrapped greedily with the advance widths of
DejaVu Sans (Debian's fonts-dejavu; wider than Calibri, the theme font, and than Carlito,
LibreOffice's stand-in for it, so an estimate that fits here fits there), then the text is
shrunk or split until it fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
LINE_SPACING = 1.2  # a line's height as a multiple of the font size (single spacing)
INSET_X, INSET_Y = 0.1 * 72, 0.05 * 72  # pt: python-pptx text boxes' default inner margins
EMU_PER_PT = 12700
MEASURE_SIZE = 100  # px: fonts are measured at this size and scaled (integer sizes only)


@dataclass(frozen=True)
class Line:
    """One paragraph: its text, size in pt, and whether it is bold."""

    text: str
    size: float
    bold: bool = False


@lru_cache(maxsize=4)
def _font(bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), MEASURE_SIZE)
    return ImageFont.load_default(MEASURE_SIZE)  # Pillow's own scalable font


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in pt of `text` on one line at `size` pt."""
    return _font(bold).getlength(text) * size / MEASURE_SIZE


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """`text` broken into lines no wider than `width` pt (a word longer than a line stands alone)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and text_width(candidate, size, bold) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def height(lines: Sequence[Line], width_emu: int, scale: float = 1.0) -> float:
    """Height in pt the paragraphs take in a box `width_emu` wide (after its inner margins)."""
    inner = width_emu / EMU_PER_PT - 2 * INSET_X
    return sum(
        len(wrap(line.text, inner, line.size * scale, line.bold)) * line.size * scale * LINE_SPACING
        for line in lines
    )


def fits(lines: Sequence[Line], width_emu: int, height_emu: int, scale: float = 1.0) -> bool:
    """Whether the paragraphs fit a box of that size (inner margins included)."""
    return height(lines, width_emu, scale) <= height_emu / EMU_PER_PT - 2 * INSET_Y


def fit_scale(lines: Sequence[Line], width_emu: int, height_emu: int, smallest: float = 0.6) -> float | None:
    """The largest scale (1.0 down to `smallest`, in steps of 5 %) at which the text fits, or
    None when it does not fit even then (the caller splits it)."""
    scale = 1.0
    while scale >= smallest - 1e-9:
        if fits(lines, width_emu, height_emu, scale):
            return scale
        scale -= 0.05
    return None


def split(lines: Sequence[Line], width_emu: int, height_emu: int) -> list[list[Line]]:
    """The paragraphs in pages that each fit the box at full size (a paragraph is never cut)."""
    pages: list[list[Line]] = [[]]
    for line in lines:
        if pages[-1] and not fits([*pages[-1], line], width_emu, height_emu):
            pages.append([])
        pages[-1].append(line)
    return pages


def shorten(text: str, width: float, size: float, bold: bool = False) -> str:
    """`text` cut with «…» so it fits one line `width` pt wide."""
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"
