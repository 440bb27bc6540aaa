"""The visual PDF: PDF/A-3b, embedded Unicode font, and the buyer's language on the page."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import pikepdf
import pikepdf.pdfa
import pytest
from pypdf import PdfReader

from mockserver.documents import pdf_font_files, pdf_fonts, render
from mockserver.documents.labels import LABELS, labels_for
from mockserver.domain.localize import format_date, format_money
from mockserver.documents.pdf_fonts import font_files
from tests.documents.samples import sample_invoices

INVOICES = sample_invoices()


def page_text(content: bytes) -> str:
    """All page text, with the no-break spaces of amounts read as plain spaces."""
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return _plain(text)


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("invoice", INVOICES, ids=[i.number for i in INVOICES])
def test_pdf_is_pdfa_3b_with_embedded_fonts(documents, invoice):
    content = documents.get_or_render(invoice, "pdf").content
    with pikepdf.open(BytesIO(content)) as pdf:
        report = pikepdf.pdfa.check(pdf, "3b")
        assert report.findings == [], report.findings
        assert pdf.check_pdf_syntax() == []  # qpdf's structural check
        assert "/OpenAction" not in pdf.Root
        fonts = [font for page in pdf.pages for font in page.Resources.Font.values()]
        assert fonts and all("/FontFile2" in f.DescendantFonts[0].FontDescriptor for f in fonts)


@pytest.mark.parametrize("invoice", INVOICES, ids=[i.number for i in INVOICES])
def test_page_shows_number_totals_and_buyer_in_the_buyer_language(documents, invoice):
    language = invoice.buyer["preferred_language"]
    labels = labels_for(language, credit_note=invoice.is_credit_note)
    text = page_text(documents.get_or_render(invoice, "pdf").content)
    sign = -1 if invoice.is_credit_note else 1
    assert invoice.number in text
    assert invoice.buyer["company_name"] in text  # accents, Polish, Greek, Cyrillic alike
    assert _plain(format_money(sign * invoice.total_cents, invoice.currency, language)) in text
    assert _plain(format_money(sign * invoice.subtotal_cents, invoice.currency, language)) in text
    assert format_date(invoice.issue_date, language) in text
    title = labels["credit_note" if invoice.is_credit_note else "invoice"]
    for key in ("total", "issue_date", "description", "vat_breakdown", "bill_to"):
        expected = labels[key].upper() if key == "bill_to" else labels[key]
        assert expected in text, key
    assert title in text
    if language != "en":
        for key in ("issue_date", "vat_breakdown", "description"):
            assert LABELS["en"][key] not in text, f"English '{key}' on a {language} invoice"


def test_german_invoice_reads_german(documents):
    german = INVOICES[1]
    text = page_text(documents.get_or_render(german, "pdf").content)
    for word in ("Rechnung", "Rechnungsdatum", "Fällig am", "Leitweg-ID", "05315-12345-06",
                 "Gesamtbetrag", "3.100,00 €", "Steuerschuldnerschaft des Leistungsempfängers"):
        assert word in text, word


def test_credit_note_is_titled_and_references_the_original(documents):
    credit = INVOICES[7]
    text = page_text(documents.get_or_render(credit, "pdf").content)
    labels = labels_for("nl")
    assert labels["credit_note"] in text
    assert f"{labels['original_invoice']} {credit.referenced_invoice_number}" in text


def test_payment_block_has_iban_bic_and_due_date(documents):
    invoice = INVOICES[0]
    text = page_text(documents.get_or_render(invoice, "pdf").content)
    assert "NL91 ABNA 0417 1643 00" in text and "ABNANL2A" in text
    assert format_date(invoice.due_date, "nl") in text


def test_legal_notes_for_export_and_exempt(documents):
    export = page_text(documents.get_or_render(INVOICES[3], "pdf").content)
    exempt = page_text(documents.get_or_render(INVOICES[5], "pdf").content)
    assert labels_for("en")["note_export"] in export
    assert labels_for("es")["note_exempt"] in exempt


def test_japanese_and_emoji_print_from_the_fallback_faces():
    invoice = INVOICES[4]
    buyer = {**invoice.buyer, "company_name": "株式会社 Ωmega 😀 Straße ≥ ✓"}
    odd = replace(invoice, buyer=buyer, id="inv_glyphs")
    content = render(odd, "pdf").content
    text = page_text(content)
    assert "株式会社 Ωmega 😀 Straße ≥ ✓" in text
    with pikepdf.open(BytesIO(content)) as pdf:
        assert pikepdf.pdfa.check(pdf, "3b").findings == []


def test_a_line_after_one_that_starts_in_a_fallback_font_keeps_its_own_font():
    # fpdf2 2.8.9 would draw the second line with the font the page had before the first.
    invoice = INVOICES[4]
    name = "株式会社山田製作所 Société Européenne de Développement et de Commercialisation"
    buyer = {**invoice.buyer, "company_name": name}  # wraps: the second line is all Latin
    text = page_text(render(replace(invoice, buyer=buyer, id="inv_cjk_first"), "pdf").content)
    assert "Développement et de Commercialisation" in text


def test_font_substitution_keeps_what_it_can():
    fonts = font_files()
    assert fonts.printable("Zażółć Ελληνικά Кириллица 株 😀") == "Zażółć Ελληνικά Кириллица 株 😀"
    # No face has Tibetan: the replacement character, never "?"; a compatibility
    # decomposition keeps the letter; invisible characters (a bell, a variation selector) go.
    assert fonts.printable("\u0f00 \U0001d400 a\u0007b\nc \u2764\ufe0f") == "\ufffd A ab\nc \u2764"


def test_dejavu_from_debian_is_the_fallback_font(monkeypatch, tmp_path):
    if not (pdf_fonts.DEJAVU_DIR / "DejaVuSans.ttf").exists():
        pytest.skip("Debian fonts-dejavu-core is not installed")
    monkeypatch.setenv(pdf_font_files.CACHE_ENV, str(tmp_path))
    find_spec = pdf_fonts.importlib.util.find_spec
    monkeypatch.setattr(pdf_fonts.importlib.util, "find_spec",
                        lambda name: None if name == "fontpkg_noto_sans" else find_spec(name))
    fallback = pdf_fonts._prepare()
    assert fallback.source == "dejavu-sans"
    assert fallback.printable("Łódź Ελληνικά Кириллица") == "Łódź Ελληνικά Кириллица"
    assert fallback.regular.parent.parent == tmp_path


def test_many_lines_break_onto_a_second_page_with_headings(documents):
    invoice = INVOICES[0]
    lines = [replace(invoice.line_items[0], id=f"li_{n}", order_index=n) for n in range(60)]
    long = replace(invoice, id="inv_long", line_items=lines)
    reader = PdfReader(BytesIO(render(long, "pdf").content))
    assert len(reader.pages) >= 2
    second = _plain(reader.pages[1].extract_text())
    assert labels_for("nl")["description"] in second and "2 van" in second


def test_preparing_the_fonts_leaves_no_file_open(tmp_path, monkeypatch):
    """An open font file is a ResourceWarning in the server thread, which a user's suite run
    with ``-W error`` reports against whichever test rendered the first PDF."""
    import gc
    import warnings

    monkeypatch.setenv(pdf_font_files.CACHE_ENV, str(tmp_path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdf_fonts._prepare()  # builds the cached fonts
        files = pdf_fonts._prepare()  # reads them back
        emoji = next(face for face in files.fallbacks if face.family == "NotoEmoji")
        assert emoji.covers(0x1F600)  # a fallback face's characters, read
        emoji.cut(pdf_fonts.REGULAR, frozenset({0x1F600}), tmp_path)  # and one cut of it
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
