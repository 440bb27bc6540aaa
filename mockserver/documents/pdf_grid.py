"""A light table for the invoice: every cell wraps in its column, rows never split needlessly.

fpdf2's ``table()`` lays every cell out twice; here a cell is measured once, and only when it
is wider than its column (most are not). A row that does not fit above the footer moves to a
new page, under the repeated headings; only a row taller than a whole page (a description of
thousands of characters) is continued across pages, line by line.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from mockserver.documents.pdf_text import (
    BLACK,
    TextStyle,
    draw_lines,
    keep_together,
    wrapped,
)

PADDING = 1.3
RULE = (205, 205, 205)
HEADING_FILL = (236, 238, 241)
SUBLINE = TextStyle(7, 4.2, color=(105, 105, 105))

Column = list[tuple[str, TextStyle]]  # the wrapped lines of one cell, each with its style


@dataclass(frozen=True)
class Grid:
    """Column widths (mm) and alignments, at ``left`` mm from the left margin."""

    widths: tuple[float, ...]
    aligns: tuple[str, ...]
    size: float = 8.5
    line_height: float = 4.2
    left: float = 0
    rules: bool = True
    padding: float = PADDING
    bold_columns: tuple[int, ...] = ()

    @property
    def width(self) -> float:
        return sum(self.widths)

    def style(self, bold: bool = False, size: float | None = None) -> TextStyle:
        return TextStyle(size or self.size, self.line_height, bold=bold, color=BLACK)

    def heading(self, pdf: FPDF, cells: list[str]) -> None:
        """A shaded row of column titles."""
        columns = self._columns(pdf, cells, self.style(bold=True))
        self._draw(pdf, columns, fill=HEADING_FILL)

    def start(self, pdf: FPDF, headings: list[str], cells: list[str],
              subline: str | None = None) -> None:
        """The headings, on a new page unless the first row (``cells``) fits under them."""
        heading = self.height(pdf, headings, bold=True)
        first = self.height(pdf, cells, subline)
        if first > pdf.page_break_trigger - pdf.t_margin - heading:
            first = self.line_height + 2 * self.padding  # a row taller than a page may start anywhere
        keep_together(pdf, heading + first)
        self.heading(pdf, headings)

    def height(self, pdf: FPDF, cells: list[str], subline: str | None = None,
               bold: bool = False, size: float | None = None) -> float:
        """The height (mm) a row of ``cells`` takes."""
        return self._height(self._columns(pdf, cells, self.style(bold, size), subline))

    def row(self, pdf: FPDF, cells: list[str], subline: str | None = None,
            headings: list[str] | None = None, bold: bool = False,
            size: float | None = None) -> None:
        """One body row; ``subline`` prints small and grey under the first cell.

        When the row does not fit, a new page starts and repeats ``headings``.
        """
        columns = self._columns(pdf, cells, self.style(bold, size), subline)
        while True:
            room = self._lines_that_fit(pdf)
            needed = max(len(column) for column in columns)
            if needed > room and (room < 1 or needed <= self._lines_on_a_new_page(pdf, headings)):
                self._new_page(pdf, headings)
                room = self._lines_that_fit(pdf)
            taken = min(needed, room)
            self._draw(pdf, [column[:taken] for column in columns])
            columns = [column[taken:] for column in columns]
            if not any(columns):
                return
            self._new_page(pdf, headings)  # a row taller than a page continues over there

    def _columns(self, pdf: FPDF, cells: list[str], style: TextStyle,
                 subline: str | None = None) -> list[Column]:
        bold = TextStyle(style.size, style.line_height, bold=True, color=style.color)
        styles = [bold if n in self.bold_columns else style for n in range(len(cells))]
        columns = [[(line, style) for line in wrapped(pdf, text, width, style)]
                   for text, width, style in zip(cells, self.widths, styles, strict=True)]
        if subline:
            columns[0] += [(line, SUBLINE)
                           for line in wrapped(pdf, subline, self.widths[0], SUBLINE)]
        return columns

    def _height(self, columns: list[Column]) -> float:
        return max(1, *(len(column) for column in columns)) * self.line_height + 2 * self.padding

    def _lines_that_fit(self, pdf: FPDF) -> int:
        return int((pdf.page_break_trigger - pdf.get_y() - 2 * self.padding) // self.line_height)

    def _lines_on_a_new_page(self, pdf: FPDF, headings: list[str] | None) -> int:
        heading = self._height(self._columns(pdf, headings, self.style(True))) if headings else 0
        free = pdf.page_break_trigger - pdf.t_margin - heading - 2 * self.padding
        return int(free // self.line_height)

    def _new_page(self, pdf: FPDF, headings: list[str] | None) -> None:
        pdf.add_page()
        if headings:
            self.heading(pdf, headings)

    def _draw(self, pdf: FPDF, columns: list[Column],
              fill: tuple[int, int, int] | None = None) -> None:
        x, y = pdf.l_margin + self.left, pdf.get_y()
        height = self._height(columns)
        if fill:
            pdf.set_fill_color(*fill)
            pdf.rect(x, y, self.width, height, style="F")
        left = x
        for column, width, align in zip(columns, self.widths, self.aligns, strict=True):
            top = y + self.padding
            for line, style in column:
                top = draw_lines(pdf, left, top, width, [line], style, align)
            left += width
        if self.rules:
            pdf.set_draw_color(*RULE)
            pdf.line(x, y + height, x + self.width, y + height)
        pdf.set_xy(pdf.l_margin, y + height)
