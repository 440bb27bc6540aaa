"""The validation chains catch real mistakes, and the rule files are the ones we pinned."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.documents.einvoice_rules import RULE_FILES, RULE_SHA256, failing, problems, sha256_of
from tests.documents.samples import sample_invoices

INVOICES = sample_invoices()
UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CII = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def rule_ids(schematron, fmt: str, xml: bytes) -> set[str]:
    return {finding.rule_id for finding in failing(schematron.chain(fmt, xml))}


def mutate(xml: bytes, path: str, namespaces: dict, change) -> bytes:
    root = etree.fromstring(xml)
    nodes = root.xpath(path, namespaces=namespaces)
    assert nodes, path
    for node in nodes:
        change(node)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def add_one(node) -> None:
    node.text = f"{float(node.text) + 1:.2f}"


def remove(node) -> None:
    node.getparent().remove(node)


@pytest.mark.parametrize("name", sorted(RULE_FILES))
def test_rule_files_match_their_pinned_sha256(name):
    assert sha256_of(RULE_FILES[name]) == RULE_SHA256[name], f"{RULE_FILES[name]} changed"


@pytest.mark.parametrize(("fmt", "invoice"), [("ubl", INVOICES[0]), ("xrechnung", INVOICES[1])])
def test_a_broken_line_total_fails_br_co_10_and_13(documents, schematron, fmt, invoice):
    xml = documents.get_or_render(invoice, fmt).content
    broken = mutate(xml, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount", UBL, add_one)
    assert {"BR-CO-10", "BR-CO-13"} <= rule_ids(schematron, fmt, broken)


def test_a_vat_total_that_does_not_add_up_fails_br_co_14(documents, schematron):
    xml = documents.get_or_render(INVOICES[0], "ubl").content
    broken = mutate(xml, "cac:TaxTotal/cbc:TaxAmount", UBL, add_one)
    assert "BR-CO-14" in rule_ids(schematron, "ubl", broken)


def test_xrechnung_without_buyer_reference_fails_br_de_15(documents, schematron):
    xml = documents.get_or_render(INVOICES[1], "xrechnung").content
    broken = mutate(xml, "cbc:BuyerReference", UBL, remove)
    assert "BR-DE-15" in rule_ids(schematron, "xrechnung", broken)


def test_peppol_without_buyer_endpoint_fails_r010(documents, schematron):
    xml = documents.get_or_render(INVOICES[0], "ubl").content
    broken = mutate(xml, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", UBL, remove)
    assert "PEPPOL-EN16931-R010" in rule_ids(schematron, "ubl", broken)


def test_reverse_charge_without_buyer_vat_id_fails(documents, schematron):
    xml = documents.get_or_render(INVOICES[2], "ubl").content
    broken = mutate(xml, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme", UBL, remove)
    assert "BR-AE-02" in rule_ids(schematron, "ubl", broken)


def test_cii_with_a_broken_line_total_fails_in_both_rule_sets(documents, schematron):
    xml = documents.get_or_render(INVOICES[0], "cii").content
    path = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:LineTotalAmount"
    broken = mutate(xml, path, CII, add_one)
    findings = failing(schematron.chain("cii", broken))
    assert {(f.stylesheet, f.rule_id) for f in findings} >= {
        ("kosit-cen-cii", "BR-CO-10"), ("facturx-en16931", "BR-CO-10")}


def test_a_schema_violation_is_reported_before_the_rules(documents, schematron):
    xml = documents.get_or_render(INVOICES[0], "ubl").content
    broken = mutate(xml, "cbc:IssueDate", UBL, lambda node: setattr(node, "text", "2 Feb 2026"))
    assert any("IssueDate" in problem for problem in problems(schematron, "ubl", broken))
