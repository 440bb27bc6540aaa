"""The PDF's layout under real-world text, checked on the words read back from the page.

The invoices carry the longest values the schemas allow (``long_samples``), in all six
languages, with a Japanese company name, ``≥``, ``✓`` and emoji. On every page no two words
may overlap and none may leave the printable area; blocks a reader takes in at once (the
totals, the VAT breakdown, the payment details) stay on one page.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from io import BytesIO

import pikepdf
import pikepdf.pdfa
import pytest

from mockserver.documents import render
from mockserver.documents.labels import LANGUAGES, labels_for
from mockserver.scenarios.loader import ScenarioError, parse
from tests.documents.long_samples import (
    JAPANESE_NAME,
    SYMBOLS,
    longest_credit_note,
    longest_invoice,
    seller_max_lengths,
)
from tests.documents.pdf_words import Layout, read_layout
from tests.documents.samples import sample_invoices

A4 = (210.0, 297.0)
PRINTABLE_INSET = 10.0  # mm kept clear on every edge: what office printers can reach, and more


def _layout(invoice) -> Layout:
    return read_layout(render(invoice, "pdf").content)


@pytest.fixture(scope="module")
def long_english() -> tuple[object, Layout]:
    invoice = longest_invoice("en", line_count=200)
    return invoice, _layout(invoice)


def assert_readable(layout: Layout) -> None:
    """No two words overlap and every word is inside the printable area of an A4 page."""
    assert layout.page_sizes and all(
        abs(w - A4[0]) < 0.5 and abs(h - A4[1]) < 0.5 for w, h in layout.page_sizes)
    pairs = layout.overlapping_pairs()
    assert not pairs, [f"p{a.page}: {a.text!r} x {b.text!r}" for a, b in pairs[:10]]
    inset = PRINTABLE_INSET
    outside = layout.outside(inset, inset, A4[0] - inset, A4[1] - inset)
    assert not outside, [f"p{w.page}: {w.text!r} at x {w.x0:.1f}-{w.x1:.1f}, "
                         f"y {w.top:.1f}-{w.bottom:.1f}" for w in outside[:10]]


def _squeezed(text: str) -> str:
    return "".join(text.split())


def assert_printed(layout: Layout, text: str) -> None:
    """``text`` is on the page, wrapped anywhere (line breaks only drop spaces)."""
    assert _squeezed(text) in _squeezed(layout.text), text[:60]


def test_two_hundred_lines_of_the_longest_values_never_overlap(long_english):
    _, layout = long_english
    assert len(layout.page_sizes) > 5
    assert_readable(layout)


def test_every_long_value_is_printed_whole(long_english):
    invoice, layout = long_english
    # Of the buyer's fields these are not printed; the seller's all are (the IBAN grouped).
    not_on_the_page = {"preferred_language", "contact_email", "phone", "iban"}
    for party in (invoice.seller, invoice.buyer):
        for key, value in party.items():
            if isinstance(value, str) and (party is invoice.seller or key not in not_on_the_page):
                assert_printed(layout, value)
    assert_printed(layout, "NL91 ABNA 0417 1643 00")  # the IBAN, grouped in fours
    for line in invoice.line_items[:-1]:
        assert_printed(layout, line.description)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_with_the_longest_values_never_overlaps(language):
    # 40 lines: every kind of line eight times over five pages, in each language's words.
    layout = _layout(longest_invoice(language, line_count=40))
    assert len(layout.page_sizes) > 3
    assert_readable(layout)


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_credit_note_with_the_longest_values_never_overlaps(language):
    layout = _layout(longest_credit_note(language))
    assert_readable(layout)
    assert labels_for(language)["credit_note"].split()[0] in layout.text


def test_japanese_symbols_and_emoji_print_as_themselves(long_english):
    _, layout = long_english
    for text in (JAPANESE_NAME, "向けサポート契約", SYMBOLS, "山田"):
        assert_printed(layout, text)
    assert "?" not in layout.text and "\ufffd" not in layout.text


def test_fallback_fonts_are_embedded_and_the_pdf_stays_pdfa():
    content = render(longest_invoice("en", line_count=6), "pdf").content
    with pikepdf.open(BytesIO(content)) as pdf:
        assert pikepdf.pdfa.check(pdf, "3b").findings == []
        fonts = {str(font.BaseFont): font for page in pdf.pages
                 for font in page.Resources.Font.values()}
        assert len(fonts) >= 3  # the body font in two weights and at least one fallback
        assert all("/FontFile2" in f.DescendantFonts[0].FontDescriptor for f in fonts.values())


def _pages_of(layout: Layout, words: list[str]) -> set[int]:
    """The pages on which the last occurrence of each of ``words`` is printed."""
    found = {}
    for word in layout.words:
        if word.text in words:
            found[word.text] = word.page
    assert set(found) == set(words), set(words) - set(found)
    return set(found.values())


def _with_lines(invoice, count: int):
    lines = [replace(invoice.line_items[n % len(invoice.line_items)], id=f"li_{n}",
                     order_index=n) for n in range(count)]
    return replace(invoice, id=f"inv_{count}_lines", line_items=lines)


def test_totals_vat_breakdown_and_payment_each_stay_on_one_page():
    # From 5 lines (all five kinds of the sample, so both VAT rates) to 17 the end of the
    # table walks down the first page and onto the second, so each block meets the page
    # break somewhere in the sweep (checked at the end).
    labels = labels_for("nl")
    blocks = {
        "totals": [labels["subtotal"], labels["total"]],
        "vat breakdown": [labels["vat_breakdown"], labels["taxable"], labels["cat_Z"]],
        "payment": [labels["payment"], labels["account_holder"], "ABNANL2A", "AMRO"],
    }
    seen_on = {name: set() for name in blocks}
    for count in range(5, 18):
        layout = _layout(_with_lines(sample_invoices()[0], count))  # Dutch: S and Z, a bank
        assert_readable(layout)
        for name, texts in blocks.items():
            pages = _pages_of(layout, [text.split()[0] for text in texts])
            assert len(pages) == 1, f"{name} split over pages {sorted(pages)} with {count} lines"
            seen_on[name] |= pages
    assert all(pages == {1, 2} for pages in seen_on.values()), seen_on


def test_english_quarterly_period_keeps_clear_of_its_label():
    us = sample_invoices()[3]  # the English export invoice
    quarterly = replace(us, id="inv_quarter", period_start=date(2026, 9, 1),
                        period_end=date(2026, 11, 30))
    layout = _layout(quarterly)
    assert_readable(layout)
    assert_printed(layout, "1 September 2026 – 30 November 2026")


def test_every_page_with_lines_repeats_the_table_heading(long_english):
    _, layout = long_english
    heading = labels_for("en")["unit_price"].split()[-1]
    pages_with_lines = {w.page for w in layout.words if w.text.endswith(".") and
                        w.text[:-1].isdigit()}
    pages_with_heading = {w.page for w in layout.words if w.text == heading}
    assert pages_with_lines and pages_with_lines <= pages_with_heading


def test_the_scenario_schema_bounds_every_seller_field_the_page_prints():
    # The head of the first page holds the seller and the buyer: bounded, it always fits.
    limits = seller_max_lengths()
    printed = {"legal_name", "address_line1", "postal_code", "city", "vat_number",
               "registration_number", "email", "phone", "iban", "bic", "bank_name", "website"}
    assert printed <= set(limits)
    with pytest.raises(ScenarioError) as refused:
        parse({"seller": {"legal_name": "x" * (limits["legal_name"] + 1)}})
    assert "seller.legal_name" in [path for path, _ in refused.value.problems]
