"""The human-readable invoice: an A4 PDF/A-3b in the buyer's language.

fpdf2 draws it with an embedded font (see :mod:`pdf_fonts`) and an sRGB output intent, which
is what PDF/A-3b asks for; the same bytes are the visual part of the Factur-X PDF.
Everything printed comes from the invoice, including the creation date, so one invoice
always gives the same bytes.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timezone
from importlib.resources import files

from fpdf import FPDF
from fpdf.enums import OutputIntentSubType
from fpdf.output import OutputProducer, PDFICCProfile

from mockserver.documents import pdf_sections
from mockserver.documents.facts import InvoiceFacts
from mockserver.documents.labels import labels_for, language_of
from mockserver.documents.pdf_fonts import FAMILY, FontFiles, font_files

PRODUCER = "billing-mock"
_XMP_DATES = re.compile(r'(xmp:(?:ModifyDate|MetadataDate))="[^"]*"')
_SRGB = files("fpdf") / "data" / "color_profiles" / "sRGB2014.icc"


class InvoicePdf(FPDF):
    """An A4 page set with the invoice font, safe text and a footer on every page."""

    def __init__(self, fonts: FontFiles, footer_lines: list[str], page_label: str) -> None:
        super().__init__(unit="mm", format="A4", enforce_compliance="PDFA_3B")
        self.font_files = fonts
        self._footer_lines = footer_lines
        self._page_label = page_label
        self.add_font(FAMILY, "", str(fonts.regular))
        self.add_font(FAMILY, "B", str(fonts.bold))
        for font in self.fonts.values():
            # The prepared fonts carry exact bounding boxes; recomputing them would unpack and
            # re-encode every embedded glyph on each render, a third of the render time.
            font.ttfont.recalcBBoxes = False
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=24)
        self.alias_nb_pages()

    def normalize_text(self, text: str) -> str:
        # Every text call passes here: swap characters the font lacks before they reach it.
        return super().normalize_text(self.font_files.printable(text))

    def footer(self) -> None:
        self.set_y(-20)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(90, 90, 90)
        for line in self._footer_lines:
            self.cell(0, 3.4, line, align="C", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 3.4, self._page_label.format(page=self.page_no(), pages="{nb}"), align="R")


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
    pdf = InvoicePdf(font_files(), pdf_sections.footer_lines(facts, labels), labels["page"])
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
