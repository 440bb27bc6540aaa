"""Words read back from a PDF with their boxes, to check a layout the way a reader sees it.

pdfplumber (on pdfminer.six) gives every glyph drawn, in the order the content stream draws
it, with its box: the advance width across, the font size up from the descent. A word is a
run of glyphs that each start where the one before ended, on the same baseline, up to a
space. Grouping by drawing order rather than by position is what lets two strings drawn on
top of each other show up as two overlapping words instead of one merged word.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import pdfplumber

MM = 72 / 25.4  # PDF points per millimetre
JOIN = 0.05  # pt: glyphs closer than this belong to one word (fpdf2 draws without kerning)
TOUCH = 0.1  # pt: boxes that share less than this in both directions do not overlap


@dataclass(frozen=True)
class Word:
    """One word on one page; coordinates in mm from the page's top left corner."""

    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    def overlaps(self, other: Word) -> bool:
        across = min(self.x1, other.x1) - max(self.x0, other.x0)
        down = min(self.bottom, other.bottom) - max(self.top, other.top)
        return self.page == other.page and across > TOUCH / MM and down > TOUCH / MM


@dataclass(frozen=True)
class Layout:
    """The words of a PDF and the size of its pages (mm)."""

    words: tuple[Word, ...]
    page_sizes: tuple[tuple[float, float], ...]

    @property
    def text(self) -> str:
        """Every word in drawing order, space-separated (for "is it printed" checks)."""
        return " ".join(word.text for word in self.words)

    def on_page(self, page: int) -> list[Word]:
        return [word for word in self.words if word.page == page]

    def overlapping_pairs(self) -> list[tuple[Word, Word]]:
        """Every pair of words whose boxes overlap, page by page."""
        pairs = []
        for page in range(1, len(self.page_sizes) + 1):
            ordered = sorted(self.on_page(page), key=lambda word: word.top)
            for index, word in enumerate(ordered):
                for other in ordered[index + 1:]:
                    if other.top >= word.bottom:
                        break  # sorted by top: nothing further down can reach this word
                    if word.overlaps(other):
                        pairs.append((word, other))
        return pairs

    def outside(self, left: float, top: float, right: float, bottom: float) -> list[Word]:
        """Every word not wholly inside the box (mm from the page's top left corner)."""
        slack = TOUCH / MM
        return [
            word for word in self.words
            if word.x0 < left - slack or word.x1 > right + slack
            or word.top < top - slack or word.bottom > bottom + slack
        ]


def read_layout(content: bytes) -> Layout:
    """The words of every page of ``content``."""
    words: list[Word] = []
    sizes = []
    with pdfplumber.open(BytesIO(content)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            sizes.append((float(page.width) / MM, float(page.height) / MM))
            words.extend(_words(number, page.chars))
    return Layout(tuple(words), tuple(sizes))


def _words(page: int, chars: list[dict]) -> list[Word]:
    words: list[Word] = []
    run: list[dict] = []
    for char in chars:
        if run and not _continues(run[-1], char):
            words.append(_word(page, run))
            run = []
        if char["text"].isspace():
            if run:
                words.append(_word(page, run))
                run = []
            continue
        run.append(char)
    if run:
        words.append(_word(page, run))
    return words


def _continues(previous: dict, char: dict) -> bool:
    # Fallback fonts have their own descent, so a baseline shared across fonts can differ a
    # little in the box's bottom; a different line differs by at least a line's height.
    same_line = abs(previous["bottom"] - char["bottom"]) <= 0.3 * max(previous["size"], char["size"])
    return same_line and abs(char["x0"] - previous["x1"]) <= JOIN


def _word(page: int, run: list[dict]) -> Word:
    return Word(
        page=page,
        text="".join(char["text"] for char in run),
        x0=min(char["x0"] for char in run) / MM,
        x1=max(char["x1"] for char in run) / MM,
        top=min(char["top"] for char in run) / MM,
        bottom=max(char["bottom"] for char in run) / MM,
    )
