"""A tax id is a VAT identifier only where VAT is levied under that name: a US EIN is a tax
registration of its own kind, never BT-48 or CII ``schemeID="VA"``, and prints as a tax id."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import httpx
import pytest
from lxml import etree
from pypdf import PdfReader

from mockserver.documents import identifiers as ids
from mockserver.documents import render
from mockserver.documents.labels import labels_for
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.documents.samples import SWISS_SELLER, sample_invoices, with_routing

UBL = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
       "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
CII = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
EIN = "US-EIN-12-3456789"
SAMPLES = sample_invoices()


def _text(content: bytes) -> str:
    pages = PdfReader(BytesIO(content)).pages
    return "\n".join(page.extract_text() for page in pages).replace("\u00a0", " ")


@pytest.mark.parametrize(("value", "kind"), [
    ("NL123456789B01", "vat"), ("EL094014201", "vat"), ("BE 0477.472.701", "vat"),
    ("GB123456789", "vat"), ("CHE-123.456.789 MWST", "vat"), (EIN, "tax"), ("12-3456789", "tax"),
    ("AU 51 824 753 556", "tax"), (None, None), ("  ", None)])
def test_which_tax_ids_are_vat_identifiers(value, kind):
    assert ids.tax_id_kind(value) == kind


def test_the_export_scenarios_us_buyer_is_no_vat_registrant_in_cii_or_on_the_pdf():
    with LiveServer(Settings(scenario="export-outside-eu")) as server:
        headers = {"Authorization": "Bearer export-outside-eu-token"}
        with httpx.Client(base_url=server.api_url, headers=headers, timeout=30) as api:
            invoice = api.get("/billing/invoices").json()["data"][0]
            assert invoice["buyer"]["vat_number"] == EIN
            path = f"/billing/invoices/{invoice['id']}"
            cii = etree.fromstring(api.get(f"{path}/download", params={"format": "cii"}).content)
            pdf = _text(api.get(f"{path}/pdf").content)
    buyer = cii.xpath("//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID",
                      namespaces=CII)
    assert [(node.get("schemeID"), node.text) for node in buyer] == []
    labels = labels_for("en")
    assert f"{labels['tax_id']}: {EIN}" in pdf
    assert f"{labels['vat_id']}: {EIN}" not in pdf


def test_ubl_writes_a_us_ein_as_a_tax_registration_not_a_vat_id():
    us = with_routing(SAMPLES[3])
    us = replace(us, id="inv_ein", buyer={**us.buyer, "vat_number": EIN})
    for fmt in ("ubl", "xrechnung"):
        root = etree.fromstring(render(us, fmt).content)
        schemes = root.xpath("cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme",
                             namespaces=UBL)
        assert [(s.findtext("cac:TaxScheme/cbc:ID", namespaces=UBL),
                 s.findtext("cbc:CompanyID", namespaces=UBL)) for s in schemes] == [("TAX", EIN)]


def test_a_seller_outside_the_eu_keeps_its_tax_registration_as_bt32():
    swiss = SAMPLES[6]  # category O: no VAT identifiers at all (BR-O-2), BT-32 is allowed
    assert swiss.seller == SWISS_SELLER.snapshot()
    cii = etree.fromstring(render(swiss, "cii").content)
    seller = cii.xpath("//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID",
                       namespaces=CII)
    assert [(node.get("schemeID"), node.text) for node in seller] == [
        ("FC", "CHE-123.456.789 MWST")]
    ubl = etree.fromstring(render(with_routing(swiss), "ubl").content)
    scheme = ubl.xpath("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme"
                       "[cac:TaxScheme/cbc:ID='VAT']", namespaces=UBL)
    assert scheme == []


BELGIAN = {"company_name": "Atomium SRL", "address_line1": "Rue 1", "postal_code": "1040",
           "city": "Bruxelles", "country_code": "BE", "vat_number": "0477472701",
           "is_business": True, "contact_email": "a@be.example", "preferred_language": "fr",
           "peppol_id": "0208:0477472701", "peppol_scheme": "0208",
           "leitweg_id": "991-33333TEST-33"}


def _belgian_scenario(tmp_path) -> str:
    import yaml

    invoice = {"key": "m", "issued_at": "2026-03-01T06:00:00Z", "status": "sent",
               "lines": [{"description": "Cloud", "unit_price_cents": 10000}]}
    scenario = {"name": "belgian-number", "description": "a Belgian VAT number without BE",
                "seed": 5, "clock": {"start": "2026-03-10T09:00:00Z", "mode": "frozen"},
                "tenants": [{"key": "be", "tokens": ["be-token"], "profile": BELGIAN,
                             "invoices": [invoice]}]}
    path = tmp_path / "belgian.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_a_vat_number_without_its_prefix_is_one_vat_id_for_the_domain_and_the_documents(
        schematron, tmp_path):
    """A Belgian business writes 0477472701: reverse charge in the JSON, BT-48 BE0477472701 in
    every format (BR-AE-02 needs it), "N° TVA" on the PDF, under one classification."""
    from tests.documents.einvoice_rules import problems

    with LiveServer(Settings(scenario=_belgian_scenario(tmp_path))) as server:
        headers = {"Authorization": "Bearer be-token"}
        with httpx.Client(base_url=server.api_url, headers=headers, timeout=60) as api:
            [invoice] = api.get("/billing/invoices").json()["data"]
            assert invoice["reverse_charge"] is True and invoice["tax_category"] == "AE"
            path = f"/billing/invoices/{invoice['id']}"
            content = {fmt: api.get(f"{path}/download", params={"format": fmt}).content
                       for fmt in ("ubl", "xrechnung", "cii")}
            pdf = _text(api.get(f"{path}/pdf").content)
    for fmt, xml in content.items():
        assert problems(schematron, fmt, xml) == [], fmt
    ubl = etree.fromstring(content["ubl"])
    assert ubl.xpath("cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme"
                     "[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID/text()",
                     namespaces=UBL) == ["BE0477472701"]
    cii = etree.fromstring(content["cii"])
    assert cii.xpath("//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"
                     "[@schemeID='VA']/text()", namespaces=CII) == ["BE0477472701"]
    labels = labels_for("fr")
    assert f"{labels['vat_id']}: BE0477472701" in pdf
    assert labels["tax_id"] not in pdf


@pytest.mark.parametrize(("value", "country", "vat_id"), [
    ("0477472701", "BE", "BE0477472701"), ("0477.472.701", "BE", "BE0477472701"),
    ("094014201", "GR", "EL094014201"), ("NL123456789B01", "BE", "NL123456789B01"),
    ("12-3456789", "US", None), ("US-EIN-12-3456789", "DE", None), ("12/345/67890", "DE", None),
    ("123456789", None, None), ("", "BE", None)])
def test_a_number_without_a_prefix_is_the_vat_id_of_a_vat_country(value, country, vat_id):
    from mockserver.domain.vat import vat_identifier

    assert vat_identifier(value, country) == vat_id


def test_the_registration_number_is_written_as_given():
    """BT-30 is the register's number as the register writes it ("HRB 123456 B"), as the PDF
    prints it: not squeezed to HRB123456B."""
    german_seller = {**SAMPLES[1].seller, "country_code": "DE", "vat_number": "DE811907980",
                     "registration_number": "HRB 123456 B"}
    invoice = replace(with_routing(SAMPLES[1]), id="inv_hrb", seller=german_seller)
    ubl = etree.fromstring(render(invoice, "ubl").content)
    assert ubl.xpath("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/"
                     "cbc:CompanyID/text()", namespaces=UBL) == ["HRB 123456 B"]
    cii = etree.fromstring(render(invoice, "cii").content)
    assert cii.xpath("//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID/text()",
                     namespaces=CII) == ["HRB 123456 B"]
    assert "HRB 123456 B" in _text(render(invoice, "pdf").content)


def test_not_subject_to_vat_carries_no_rate_where_the_rules_let_it(schematron):
    """Category O has no VAT rate: none on a line (BR-O-05), none in the breakdown, which
    BR-48 allows for O, and none on the PDF. XRechnung alone writes BT-119 as 0: its BR-DE-14
    wants the rate in every breakdown."""
    from decimal import Decimal

    from mockserver.domain.localize import format_rate
    from tests.documents.einvoice_rules import problems

    swiss = with_routing(SAMPLES[6])
    assert {item.tax_category for item in swiss.line_items} == {"O"}
    percents = {}
    for fmt in ("ubl", "xrechnung", "cii"):
        xml = render(swiss, fmt).content
        assert problems(schematron, fmt, xml) == [], fmt
        root = etree.fromstring(xml)
        percents[fmt] = (root.xpath("//cac:TaxSubtotal/cac:TaxCategory/cbc:Percent/text()",
                                    namespaces=UBL) if fmt != "cii" else root.xpath(
            "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
            "ram:RateApplicablePercent/text()", namespaces=CII))
    assert percents == {"ubl": [], "cii": [], "xrechnung": ["0.00"]}
    for language in ("en", "de", "it"):
        localized = replace(swiss, id=f"inv_o_{language}",
                            buyer={**swiss.buyer, "preferred_language": language})
        text = _text(render(localized, "pdf").content)
        assert labels_for(language)["cat_O"] in text
        assert format_rate(Decimal(0), language).replace("\u00a0", " ") not in text, language
