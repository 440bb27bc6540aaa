"""The human-readable invoice: an A4 PDF/A-3b in the buyer's language.

fpdf2 draws it with embedded fonts (see :mod:`pdf_fonts`) and an sRGB output intent, which
is what PDF/A-3b asks for; the same bytes are the visual part of the Factur-X PDF. Every
text is wrapped in the width it has (:mod:`pdf_text`), and the footer grows with the
seller's identity, so nothing runs off the page or over another text.
Everything printed comes from the invoice, including the creation date, so one invoice
always gives the same bytes.
"""

from __future__ import annotations

import re
import tempfile
from datetime import datetime, time, timezone
from importlib.resources import files
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import OutputIntentSubType
from fpdf.output import OutputProducer, PDFICCProfile

from mockserver.documents import pdf_sections
from mockserver.documents.facts import InvoiceFacts
from mockserver.documents.labels import labels_for, language_of
from mockserver.documents.pdf_fonts import BOLD, FAMILY, REGULAR, Face, FontFiles, font_files
from mockserver.documents.pdf_text import TextStyle, draw_lines, wrapped

PRODUCER = "billing-mock"
_XMP_DATES = re.compile(r'(xmp:(?:ModifyDate|MetadataDate))="[^"]*"')
_SRGB = files("fpdf") / "data" / "color_profiles" / "sRGB2014.icc"
MARGIN_LEFT = MARGIN_RIGHT = 18
MARGIN_TOP = 16
FOOTER_BOTTOM = 10  # mm from the lower edge of the page to the footer's last line
FOOTER_GAP = 5  # mm kept free between the body and the footer
FOOTER = TextStyle(7, 3.4, color=(90, 90, 90))


class InvoicePdf(FPDF):
    """An A4 page set with the invoice fonts, safe text and a footer on every page."""

    def __init__(self, fonts: FontFiles, footer_lines: list[str], page_label: str,
                 printed: str, workdir: Path) -> None:
        """``printed``: every text the document will print (it decides what to cut of each
        fallback face); ``workdir``: where those cuts go, for as long as the PDF is built."""
        super().__init__(unit="mm", format="A4", enforce_compliance="PDFA_3B")
        self.font_files = fonts
        self._cuts = fonts.plan(printed)
        self._workdir = workdir
        self._footer_lines = footer_lines
        self._footer_rows: list[str] | None = None
        self._page_label = page_label
        self._fallbacks: list[str] = []
        self.add_font(FAMILY, "", str(fonts.regular))
        self.add_font(FAMILY, "B", str(fonts.bold))
        self._skip_bbox_recalculation()
        self.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
        self.set_auto_page_break(True, margin=FOOTER_BOTTOM + FOOTER_GAP)
        self.alias_nb_pages()

    def _skip_bbox_recalculation(self) -> None:
        for font in self.fonts.values():
            # The prepared fonts carry exact bounding boxes; recomputing them would unpack and
            # re-encode every embedded glyph on each render, a third of the render time.
            font.ttfont.recalcBBoxes = False

    def normalize_text(self, text: str) -> str:
        # Every text call passes here: swap characters no font has, and load the fallback
        # faces the rest needs before fpdf2 looks for them.
        text, faces = self.font_files.resolve(text, self._cuts)
        for face in faces:
            self._load_fallback(face)
        if faces and self.page and not self.current_font_is_set_on_page:
            # fpdf2 2.8.9, for a line that starts in a fallback font, sets the body font
            # inside the line's q/Q and then takes it as set for the page: the next lines
            # would print in whatever font the page had before. Set it outside, first.
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        return super().normalize_text(text)

    def _load_fallback(self, face: Face) -> None:
        style = "B" if "B" in self.font_style else ""
        if f"{face.family.lower()}{style}" in self.fonts:
            return
        cut = face.cut(BOLD if style else REGULAR, self._cuts[face], self._workdir)
        self.add_font(face.family, style, str(cut))
        self._skip_bbox_recalculation()
        if face.family not in self._fallbacks:
            self._fallbacks.append(face.family)
            order = [f.family for f in self.font_files.fallbacks]
            self._fallbacks.sort(key=order.index)  # fpdf2 tries them in the order we do
        # Again for each new style: fpdf2 lists the faces' styles when it is told the faces.
        self.set_fallback_fonts(self._fallbacks, exact_match=False)

    def header(self) -> None:
        if self._footer_rows is None:
            # The footer is as tall as the seller's identity needs: the body stops above it.
            self._footer_rows = [row for line in self._footer_lines
                                 for row in wrapped(self, line, self.epw, FOOTER)]
            self.set_auto_page_break(True, margin=FOOTER_BOTTOM + self._footer_height()
                                     + FOOTER_GAP)

    def _footer_height(self) -> float:
        return (len(self._footer_rows or []) + 1) * FOOTER.line_height

    def footer(self) -> None:
        top = self.h - FOOTER_BOTTOM - self._footer_height()
        end = draw_lines(self, self.l_margin, top, self.epw, self._footer_rows or [], FOOTER,
                         align="C")
        label = self._page_label.format(page=self.page_no(), pages="{nb}")
        draw_lines(self, self.l_margin, end, self.epw, [label], FOOTER, align="R")


class _StableOutput(OutputProducer):
    """fpdf2's output with two changes a deterministic PDF/A needs.

    fpdf2 always writes a /OpenAction, which PDF/A validators flag and nothing needs, and it
    stamps the XMP modification dates with the current time; they take the creation date.
    """

    def _finalize_catalog(self, catalog_obj, *args, **kwargs) -> None:
        super()._finalize_catalog(catalog_obj, *args, **kwargs)
        catalog_obj.open_action = None

    def _build_xmp_from_info(self) -> str:
        created = self.fpdf.creation_date.astimezone(timezone.utc).isoformat(timespec="seconds")
        return _XMP_DATES.sub(rf'\1="{created}"', super()._build_xmp_from_info())


def render_pdf(facts: InvoiceFacts) -> bytes:
    """The invoice or credit note as PDF/A-3b bytes."""
    language = language_of(facts.buyer)
    labels = labels_for(language, credit_note=facts.is_credit_note)
    printed = "".join(pdf_sections.printed_texts(facts, labels))
    with tempfile.TemporaryDirectory(prefix="billing-mock-pdf-") as workdir:
        pdf = InvoicePdf(font_files(), pdf_sections.footer_lines(facts, labels), labels["page"],
                         printed, Path(workdir))
        _describe(pdf, facts, labels, language)
        pdf.add_page()
        pdf_sections.draw(pdf, facts, labels, language)
        return bytes(pdf.output(output_producer_class=_StableOutput))


def _describe(pdf: InvoicePdf, facts: InvoiceFacts, labels: dict, language: str) -> None:
    invoice = facts.invoice
    title = labels["credit_note" if facts.is_credit_note else "invoice"]
    pdf.set_title(f"{title} {invoice.number}")
    pdf.set_author(facts.seller["legal_name"])
    pdf.set_subject(f"{title} {invoice.number} - {facts.buyer.get('company_name', '')}")
    pdf.set_creator(PRODUCER)
    pdf.set_producer(PRODUCER)
    pdf.set_lang(language)
    pdf.set_creation_date(creation_time(facts))
    pdf.add_output_intent(
        OutputIntentSubType.PDFA,
        output_condition_identifier="sRGB",
        output_condition="IEC 61966-2-1:1999",
        registry_name="http://www.color.org",
        dest_output_profile=PDFICCProfile(_SRGB.read_bytes(), n=3, alternate="DeviceRGB"),
        info="sRGB2014 (v2)",
    )


def creation_time(facts: InvoiceFacts) -> datetime:
    """When the document came to be: finalization, else the start of the issue date (UTC)."""
    invoice = facts.invoice
    moment = invoice.finalized_at or datetime.combine(invoice.issue_date, time(0))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0)
