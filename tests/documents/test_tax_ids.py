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
