"""Text on the invoice page: measured first, wrapped in its own width, then drawn.

Every piece of text is broken into lines that fit the width it was given before anything is
drawn, so a long value takes more lines instead of running over its neighbour, and a block's
height is known before it is placed (which is what keeps a block on one page).
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from mockserver.documents.pdf_fonts import FAMILY

BLACK = (20, 20, 20)
GREY = (95, 95, 95)


@dataclass(frozen=True)
class TextStyle:
    """Size (pt), weight, colour and the height (mm) of one line."""

    size: float
    line_height: float
    bold: bool = False
    color: tuple[int, int, int] = BLACK

    def apply(self, pdf: FPDF) -> None:
        pdf.set_font(FAMILY, "B" if self.bold else "", self.size)
        pdf.set_text_color(*self.color)


def wrapped(pdf: FPDF, text: str, width: float, style: TextStyle) -> list[str]:
    """``text`` in lines that fit ``width`` mm (cell margins included) in ``style``.

    Lines break between words; a word longer than the width (an unbroken name, a long
    number, Japanese without spaces) breaks between characters.
    """
    if not text:
        return []
    style.apply(pdf)
    if "\n" not in text and pdf.get_string_width(text) <= width - 2 * pdf.c_margin:
        return [text]  # the common case, without fpdf2's line breaker
    return pdf.multi_cell(width, style.line_height, text, dry_run=True, output="LINES")


def draw_lines(pdf: FPDF, x: float, y: float, width: float, lines: list[str],
               style: TextStyle, align: str = "L") -> float:
    """Draw ``lines`` one under the other from (x, y); returns where they end.

    A line that would reach into the footer goes to the top of a new page (blocks that must
    stay whole have made room beforehand, so for them this never happens).
    """
    style.apply(pdf)
    for line in lines:
        pdf.set_xy(x, y)
        if pdf.will_page_break(style.line_height):
            pdf.add_page()
            style.apply(pdf)
            y = pdf.get_y()
            pdf.set_xy(x, y)
        pdf.cell(width, style.line_height, line, align=align)
        y += style.line_height
    return y


def paragraph(pdf: FPDF, x: float, width: float, text: str, style: TextStyle,
              align: str = "L") -> None:
    """``text`` wrapped in ``width`` from the current y; ends below it at ``x``."""
    y = draw_lines(pdf, x, pdf.get_y(), width, wrapped(pdf, text, width, style), style, align)
    pdf.set_xy(x, y)


def keep_together(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` mm still fit above the footer of this one."""
    if pdf.will_page_break(height):
        pdf.add_page()
