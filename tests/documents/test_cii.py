"""UN/CEFACT CII (EN 16931): both schemas, CEN and Factur-X rules, and the content."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from mockserver.documents.cii import GUIDELINE_EN16931
from tests.documents.einvoice_rules import problems
from tests.documents.samples import sample_invoices

INVOICES = sample_invoices()
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
SUMMATION = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"


@pytest.mark.parametrize("invoice", INVOICES, ids=[f"{i.vat.case}-{i.number}" for i in INVOICES])
def test_samples_pass_schema_and_rules(documents, schematron, invoice):
    assert problems(schematron, "cii", documents.get_or_render(invoice, "cii").content) == []


def test_guideline_is_plain_en16931(documents):
    xml = etree.fromstring(documents.get_or_render(INVOICES[0], "cii").content)
    guideline = "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()"
    assert xml.xpath(guideline, namespaces=NS) == [GUIDELINE_EN16931] == ["urn:cen.eu:en16931:2017"]


def test_credit_note_is_type_381_with_positive_amounts_and_a_reference(documents):
    credit = INVOICES[8]
    xml = etree.fromstring(documents.get_or_render(credit, "cii").content)
    assert xml.xpath("//rsm:ExchangedDocument/ram:TypeCode/text()", namespaces=NS) == ["381"]
    reference = "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()"
    assert xml.xpath(reference, namespaces=NS) == [credit.referenced_invoice_number]
    grand = xml.xpath(f"{SUMMATION}/ram:GrandTotalAmount/text()", namespaces=NS)
    assert Decimal(grand[0]) == Decimal(-credit.total_cents) / 100 > 0
    line_totals = xml.xpath("//ram:LineTotalAmount/text()", namespaces=NS)
    assert all(Decimal(value) > 0 for value in line_totals)


def test_vat_breakdown_totals_match_the_domain(documents):
    invoice = INVOICES[0]  # standard 21 %, reduced 9 % and a zero-rated line
    xml = etree.fromstring(documents.get_or_render(invoice, "cii").content)
    path = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    breakdown = xml.xpath(path, namespaces=NS)
    rates = {(tax.findtext("ram:CategoryCode", namespaces=NS),
              tax.findtext("ram:RateApplicablePercent", namespaces=NS)) for tax in breakdown}
    assert rates == {("S", "21.00"), ("S", "9.00"), ("Z", "0.00")}
    tax = sum(Decimal(t.findtext("ram:CalculatedAmount", namespaces=NS)) for t in breakdown)
    assert tax == Decimal(invoice.tax_cents) / 100
    due = xml.xpath(f"{SUMMATION}/ram:DuePayableAmount/text()", namespaces=NS)
    assert Decimal(due[0]) == Decimal(invoice.total_cents) / 100
