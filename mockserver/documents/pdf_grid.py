"""A light table for the invoice: wrapped first column, right-aligned figures, page breaks.

fpdf2's ``table()`` lays every cell out twice; an invoice table only ever wraps its first
column, so measuring that one cell is enough and halves the PDF's render time.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from mockserver.documents.pdf_fonts import FAMILY

PADDING = 1.3
RULE = (205, 205, 205)
HEADING_FILL = (236, 238, 241)
SUBLINE_GREY = (105, 105, 105)


@dataclass(frozen=True)
class Grid:
    """Column widths (mm) and alignments; the first column wraps, the others do not."""

    widths: tuple[float, ...]
    aligns: tuple[str, ...]
    size: float = 8.5
    line_height: float = 4.2

    @property
    def width(self) -> float:
        return sum(self.widths)

    def heading(self, pdf: FPDF, cells: list[str]) -> None:
        """A shaded row of column titles."""
        pdf.set_font(FAMILY, "B", self.size)
        self._draw(pdf, cells, None, *self._measure(pdf, cells[0], None), fill=HEADING_FILL)

    def row(self, pdf: FPDF, cells: list[str], subline: str | None = None,
            headings: list[str] | None = None) -> None:
        """One body row; ``subline`` prints small and grey under the first cell.

        When the row does not fit, a new page starts and repeats ``headings``.
        """
        pdf.set_font(FAMILY, "", self.size)
        lines, height = self._measure(pdf, cells[0], subline)
        if pdf.will_page_break(height) and headings:
            pdf.add_page()
            self.heading(pdf, headings)
            pdf.set_font(FAMILY, "", self.size)
        self._draw(pdf, cells, subline, lines, height)

    def _measure(self, pdf: FPDF, first: str, subline: str | None) -> tuple[list[str], float]:
        """The wrapped lines of the first cell and the row height, in the current font."""
        lines = pdf.multi_cell(self.widths[0] - 2 * PADDING, self.line_height, first,
                               dry_run=True, output="LINES")
        rows = len(lines) + (1 if subline else 0)
        return lines, rows * self.line_height + 2 * PADDING

    def _draw(self, pdf: FPDF, cells: list[str], subline: str | None, lines: list[str],
              height: float, fill: tuple[int, int, int] | None = None) -> None:
        x, y = pdf.l_margin, pdf.get_y()
        if fill:
            pdf.set_fill_color(*fill)
            pdf.rect(x, y, self.width, height, style="F")
        pdf.set_xy(x + PADDING, y + PADDING)
        first_width = self.widths[0] - 2 * PADDING
        for line in lines:
            pdf.cell(first_width, self.line_height, line, new_x="LEFT", new_y="NEXT")
        if subline:
            self._subline(pdf, subline)
        left = x + self.widths[0]
        for text, width, align in zip(cells[1:], self.widths[1:], self.aligns[1:], strict=True):
            pdf.set_xy(left, y + PADDING)
            pdf.cell(width - PADDING, self.line_height, text, align=align)
            left += width
        pdf.set_draw_color(*RULE)
        pdf.line(x, y + height, x + self.width, y + height)
        pdf.set_xy(x, y + height)

    def _subline(self, pdf: FPDF, text: str) -> None:
        pdf.set_font(FAMILY, "", self.size - 1.5)
        pdf.set_text_color(*SUBLINE_GREY)
        pdf.cell(self.widths[0] - 2 * PADDING, self.line_height, text, new_x="LEFT", new_y="NEXT")
        pdf.set_text_color(20, 20, 20)
        pdf.set_font(FAMILY, "", self.size)
