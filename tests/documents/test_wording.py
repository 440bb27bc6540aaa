"""What the documents say: a reduced rate is not called the standard rate, a credit note
speaks of itself (not of an invoice) in every language, names the date of the invoice it
corrects (BT-26) and asks for no payment."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import pytest
from lxml import etree
from pypdf import PdfReader

from mockserver.documents import render
from mockserver.documents.labels import LANGUAGES, labels_for
from mockserver.domain.localize import format_date
from tests.documents.samples import sample_invoices, with_routing

UBL = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
       "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
CII = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
       "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"}
SAMPLES = sample_invoices()
DUTCH, GERMAN = SAMPLES[0], SAMPLES[1]  # 21 % + 9 % + 0 %; German public buyer
DUTCH_CREDIT, GERMAN_CREDIT = SAMPLES[7], SAMPLES[8]
# What each language says of an invoice only, and must not say on a credit note.
INVOICE_ONLY = {"en": ["BILL TO"], "nl": ["Factuurdatum"], "fr": ["FACTURÉ À"],
                "de": ["Rechnungsdatum", "Gutschrift"], "es": ["FACTURAR A"], "it": []}
REDUCED = {"en": "Reduced rate", "nl": "Verlaagd tarief", "de": "Ermäßigter Satz",
           "fr": "Taux réduit", "es": "Tipo reducido", "it": "Aliquota ridotta"}


def text_of(invoice) -> str:
    pages = PdfReader(BytesIO(render(invoice, "pdf").content)).pages
    return "\n".join(page.extract_text() for page in pages).replace("\u00a0", " ")


def in_language(invoice, language: str):
    buyer = {**invoice.buyer, "preferred_language": language}
    return replace(invoice, buyer=buyer, id=f"{invoice.id}_{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reduced_rate_is_not_called_the_standard_rate(language):
    labels = labels_for(language)
    text = text_of(in_language(DUTCH, language))
    assert text.count(f"{labels['cat_S']} [S]") == 1  # the 21 % group only
    assert f"{REDUCED[language]} [S]" in text  # the 9 % group


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_credit_note_speaks_of_itself_and_of_the_invoice_it_corrects(language):
    credit = in_language(GERMAN_CREDIT, language)
    labels = labels_for(language, credit_note=True)
    text = text_of(credit)
    assert labels["credit_note"] in " ".join(text.split())  # a title may wrap between words
    for word in INVOICE_ONLY[language]:
        assert word not in text, word
    original_date = format_date(GERMAN.issue_date, language).replace("\u00a0", " ")
    assert f"{labels['original_invoice_date']} {original_date}" in text.replace("\n", " ")
    assert labels["pay_by"].split("{")[0].strip() not in text  # no request to pay
    assert "NL91 ABNA" not in text


def test_the_german_correction_is_no_gutschrift():
    """In German VAT law a "Gutschrift" is a self-billed invoice (§ 14 (2) UStG)."""
    assert labels_for("de", credit_note=True)["credit_note"] == "Rechnungskorrektur"
    assert "Gutschrift" not in text_of(GERMAN_CREDIT)


@pytest.mark.parametrize("fmt", ["ubl", "xrechnung"])
def test_a_ubl_credit_note_dates_the_invoice_and_asks_for_no_payment(fmt):
    credit = with_routing(DUTCH_CREDIT)
    root = etree.fromstring(render(credit, fmt).content)
    reference = root.find("cac:BillingReference/cac:InvoiceDocumentReference", UBL)
    assert reference.findtext("cbc:ID", namespaces=UBL) == DUTCH.number
    assert reference.findtext("cbc:IssueDate", namespaces=UBL) == DUTCH.issue_date.isoformat()
    means = root.findall("cac:PaymentMeans", UBL)
    assert [m.findtext("cbc:PaymentMeansCode", namespaces=UBL) for m in means] == ["57"]
    assert root.find("cac:PaymentMeans/cac:PayeeFinancialAccount", UBL) is None


def test_a_cii_credit_note_dates_the_invoice_and_asks_for_no_payment():
    root = etree.fromstring(render(GERMAN_CREDIT, "cii").content)
    reference = "//ram:InvoiceReferencedDocument/"
    assert root.xpath(reference + "ram:IssuerAssignedID/text()", namespaces=CII) == [
        GERMAN.number]
    assert root.xpath(reference + "ram:FormattedIssueDateTime/qdt:DateTimeString/text()",
                      namespaces=CII) == [GERMAN.issue_date.strftime("%Y%m%d")]
    assert root.xpath("//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()",
                      namespaces=CII) == ["57"]
    assert root.xpath("//ram:PayeePartyCreditorFinancialAccount", namespaces=CII) == []


@pytest.mark.parametrize("fmt", ["ubl", "xrechnung", "cii"])
def test_credit_notes_and_a_seller_without_an_account_pass_the_official_chains(schematron, fmt):
    """Peppol's NL-R-008 refuses "not defined" (1) for a Dutch seller: both use 57."""
    from tests.documents.einvoice_rules import problems

    without_account = {**DUTCH.seller, "iban": None, "bic": None, "bank_name": None}
    unbanked = replace(with_routing(DUTCH), id="inv_unbanked", seller=without_account)
    for invoice in (with_routing(DUTCH_CREDIT), with_routing(GERMAN_CREDIT), unbanked):
        assert problems(schematron, fmt, render(invoice, fmt).content) == [], invoice.number


def test_the_german_credit_note_names_the_corrected_invoice_in_good_german():
    assert labels_for("de", credit_note=True)["original_invoice"] == "Korrigierte Rechnung"
    assert f"Korrigierte Rechnung {GERMAN.number}" in text_of(GERMAN_CREDIT).replace("\n", " ")


def _terms(invoice, fmt: str) -> list[str]:
    root = etree.fromstring(render(with_routing(invoice), fmt).content)
    if fmt == "cii":
        return root.xpath("//ram:SpecifiedTradePaymentTerms/ram:Description/text()",
                          namespaces=CII)
    return root.xpath("cac:PaymentTerms/cbc:Note/text()", namespaces=UBL)


@pytest.mark.parametrize("fmt", ["ubl", "xrechnung", "cii"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_payment_terms_are_in_the_buyers_language(language, fmt):
    """BT-20 is read by the buyer's accounts payable: a German buyer's XRechnung says
    "Zahlbar innerhalb von 14 Tagen", not "Payment within 14 days"."""
    invoice, credit = in_language(GERMAN, language), in_language(GERMAN_CREDIT, language)
    labels = labels_for(language)
    days = invoice.seller["payment_terms_days"]
    assert _terms(invoice, fmt) == [labels["terms"].format(
        days=days, date=format_date(invoice.due_date, language))]
    assert _terms(credit, fmt) == [labels_for(language, credit_note=True)[
        "terms_credit"].format(number=GERMAN.number)]
    if language != "en":
        assert not any("Payment" in t or "Credit for" in t for t in _terms(invoice, fmt)
                       + _terms(credit, fmt))


def _plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_seller_without_an_account_asks_for_no_transfer(language):
    """Without an IBAN the XML says payment means 57 (standing agreement): the PDF says the
    amount is due and settled by the payment method agreed, and asks for no transfer."""
    from mockserver.domain.localize import format_money

    seller = {**DUTCH.seller, "iban": None, "bic": None, "bank_name": "ABN AMRO"}
    unbanked = replace(in_language(DUTCH, language), seller=seller,
                       id=f"inv_unbanked_{language}")
    labels = labels_for(language)
    text = _plain(text_of(unbanked))
    assert _plain(labels["pay_by"].split("{")[0]) not in text  # no request to transfer
    assert labels["account_holder"] not in text and "ABN AMRO" not in text
    expected = labels["pay_agreed"].format(
        amount=format_money(unbanked.total_cents, unbanked.currency, language),
        date=format_date(unbanked.due_date, language), number=unbanked.number)
    assert _plain(expected) in text
    assert "57" in [m.findtext("cbc:PaymentMeansCode", namespaces=UBL) for m in etree.fromstring(
        render(with_routing(unbanked), "ubl").content).findall("cac:PaymentMeans", UBL)]
