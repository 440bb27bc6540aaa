"""Peppol BIS 3.0 and XRechnung 3.0 (UBL): schema, official rules, and what the XML says."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from mockserver.documents.ubl import PEPPOL, XRECHNUNG
from tests.documents.einvoice_rules import problems
from tests.documents.samples import applicable, sample_invoices, with_routing

PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

INVOICES = sample_invoices()
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CASES = [(fmt, invoice) for fmt in ("ubl", "xrechnung") for invoice in applicable(INVOICES, fmt)]
ROUTED = [with_routing(invoice) for invoice in INVOICES]


def _valid(documents, schematron, invoice, fmt) -> bytes:
    xml = documents.get_or_render(invoice, fmt).content
    assert problems(schematron, fmt, xml) == []
    return xml


@pytest.mark.parametrize(("fmt", "invoice"), CASES, ids=[f"{f}-{i.number}" for f, i in CASES])
def test_samples_pass_schema_and_rules(documents, schematron, fmt, invoice):
    _valid(documents, schematron, invoice, fmt)


@pytest.mark.parametrize("fmt", ["ubl", "xrechnung"])
@pytest.mark.parametrize("invoice", ROUTED, ids=[f"{i.vat.case}-{i.number}" for i in ROUTED])
def test_every_vat_case_passes_in_both_ubl_flavours(documents, schematron, fmt, invoice):
    xml = etree.fromstring(_valid(documents, schematron, invoice, fmt))
    categories = {line.tax_category for line in invoice.line_items}
    written = xml.xpath("//cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()", namespaces=NS)
    assert set(written) == categories


@pytest.mark.parametrize(("profile", "fmt"), [(PEPPOL, "ubl"), (XRECHNUNG, "xrechnung")])
def test_customization_and_profile_ids(documents, profile, fmt):
    invoice = with_routing(INVOICES[0])
    xml = etree.fromstring(documents.get_or_render(invoice, fmt).content)
    assert xml.findtext("cbc:CustomizationID", namespaces=NS) == profile.customization_id
    assert xml.findtext("cbc:ProfileID", namespaces=NS) == PEPPOL_BILLING
    assert profile.customization_id.endswith(
        "poacc:billing:3.0" if fmt == "ubl" else "kosit:xrechnung_3.0")


def test_peppol_endpoints_use_the_buyer_peppol_id_and_the_seller_kvk(documents):
    xml = etree.fromstring(documents.get_or_render(INVOICES[0], "ubl").content)
    buyer = xml.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    seller = xml.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    assert (buyer.get("schemeID"), buyer.text) == ("0106", "12345678")
    assert (seller.get("schemeID"), seller.text) == ("0106", "81234567")
    assert xml.findtext("cbc:BuyerReference", namespaces=NS) == "ZE-PO-7781"


def test_xrechnung_puts_the_leitweg_id_in_bt10_and_the_po_in_bt13(documents):
    german = INVOICES[1]
    xml = etree.fromstring(documents.get_or_render(german, "xrechnung").content)
    assert xml.findtext("cbc:BuyerReference", namespaces=NS) == german.buyer["leitweg_id"]
    order = xml.findtext("cac:OrderReference/cbc:ID", namespaces=NS)
    assert order == german.buyer["buyer_reference"]
    seller = xml.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    assert seller.get("schemeID") == "EM"
    contact = xml.find("cac:AccountingSupplierParty/cac:Party/cac:Contact", NS)
    assert contact.findtext("cbc:Telephone", namespaces=NS)  # BR-DE-6
    assert contact.findtext("cbc:ElectronicMail", namespaces=NS)  # BR-DE-7


def test_credit_note_is_a_ubl_credit_note_with_positive_amounts(documents):
    credit = INVOICES[7]
    assert credit.is_credit_note and credit.total_cents < 0
    xml = etree.fromstring(documents.get_or_render(credit, "ubl").content)
    assert etree.QName(xml).localname == "CreditNote"
    assert xml.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    reference = "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
    assert xml.findtext(reference, namespaces=NS) == credit.referenced_invoice_number
    payable = Decimal(xml.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS))
    assert payable == Decimal(-credit.total_cents) / 100 > 0
    path = "//cbc:LineExtensionAmount/text() | //cbc:PriceAmount/text()"
    amounts = xml.xpath(path, namespaces=NS)
    assert all(Decimal(value) > 0 for value in amounts)
    assert xml.find("cbc:DueDate", NS) is None  # not part of a UBL CreditNote


def test_reverse_charge_names_the_buyer_vat_id_and_the_exemption(documents):
    belgian = INVOICES[2]
    xml = etree.fromstring(documents.get_or_render(belgian, "ubl").content)
    category = xml.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category.findtext("cbc:ID", namespaces=NS) == "AE"
    assert category.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) == "VATEX-EU-AE"
    assert "Reverse charge" in category.findtext("cbc:TaxExemptionReason", namespaces=NS)
    buyer_vat = "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID"
    assert xml.findtext(buyer_vat, namespaces=NS) == "BE0477472701"


@pytest.mark.parametrize(("index", "category", "code"), [(3, "G", "VATEX-EU-G"), (5, "E", None),
                                                          (6, "O", "VATEX-EU-O")])
def test_zero_vat_cases_carry_their_exemption(documents, index, category, code):
    invoice = with_routing(INVOICES[index])
    xml = etree.fromstring(documents.get_or_render(invoice, "ubl").content)
    subtotal = xml.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert subtotal.findtext("cbc:ID", namespaces=NS) == category
    assert subtotal.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) == code
    assert subtotal.findtext("cbc:TaxExemptionReason", namespaces=NS)
    if category == "O":  # outside the scope of VAT: no VAT ids on either side (BR-O-2)
        assert xml.xpath("//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']", namespaces=NS) == []


def test_payment_means_is_sepa_credit_transfer_to_the_seller_iban(documents):
    xml = etree.fromstring(documents.get_or_render(INVOICES[0], "ubl").content)
    means = xml.find("cac:PaymentMeans", NS)
    assert means.findtext("cbc:PaymentMeansCode", namespaces=NS) == "58"
    assert means.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) == "NL91ABNA0417164300"
    assert means.findtext("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
                          namespaces=NS) == "ABNANL2A"
    assert xml.findtext("cbc:DueDate", namespaces=NS) == INVOICES[0].due_date.isoformat()
    assert "14 dagen" in xml.findtext("cac:PaymentTerms/cbc:Note", namespaces=NS)  # nl buyer
