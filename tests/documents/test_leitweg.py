"""A German public buyer is addressed by its Leitweg-ID in every format: BT-10 carries it and
the buyer's own order reference goes to BT-13, also when the two differ (a portal refuses an
invoice whose BT-10 is not the Leitweg-ID); XRechnung's buyer address is the Leitweg-ID."""

from __future__ import annotations

import httpx
import pytest
from facturx import get_xml_from_pdf
from lxml import etree

from mockserver.documents import render
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.documents.samples import sample_invoices

UBL = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
       "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
CII = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
AGREEMENT = "//ram:ApplicableHeaderTradeAgreement/"
GERMAN = sample_invoices()[1]  # Leitweg-ID 05315-12345-06, order reference BEST-2026-0042


def cii_of(content: bytes, fmt: str) -> etree._Element:
    xml = content if fmt == "cii" else get_xml_from_pdf(content, check_xsd=False)[1]
    return etree.fromstring(xml)


def assert_cii_addresses_the_leitweg_id(root: etree._Element, leitweg: str, order: str) -> None:
    assert root.xpath(AGREEMENT + "ram:BuyerReference/text()", namespaces=CII) == [leitweg]
    assert root.xpath(AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID/text()",
                      namespaces=CII) == [order]
    [address] = root.xpath(AGREEMENT + "ram:BuyerTradeParty/ram:URIUniversalCommunication/"
                           "ram:URIID", namespaces=CII)
    assert (address.get("schemeID"), address.text) == ("0204", leitweg)


@pytest.mark.parametrize("fmt", ["cii", "zugferd", "facturx"])
def test_cii_and_the_hybrid_pdfs_keep_the_leitweg_id_in_bt10(fmt):
    assert GERMAN.buyer["leitweg_id"] != GERMAN.buyer["buyer_reference"]
    root = cii_of(render(GERMAN, fmt).content, fmt)
    assert_cii_addresses_the_leitweg_id(root, "05315-12345-06", "BEST-2026-0042")


def test_xrechnung_addresses_the_buyer_by_its_leitweg_id():
    root = etree.fromstring(render(GERMAN, "xrechnung").content)
    [endpoint] = root.xpath("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID",
                            namespaces=UBL)
    assert (endpoint.get("schemeID"), endpoint.text) == ("0204", "05315-12345-06")
    assert root.findtext("cbc:BuyerReference", namespaces=UBL) == "05315-12345-06"
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=UBL) == "BEST-2026-0042"


def test_a_buyer_without_a_leitweg_id_keeps_its_own_reference_in_bt10():
    dutch = sample_invoices()[0]
    root = cii_of(render(dutch, "cii").content, "cii")
    assert root.xpath(AGREEMENT + "ram:BuyerReference/text()", namespaces=CII) == ["ZE-PO-7781"]
    assert root.xpath(AGREEMENT + "ram:BuyerOrderReferencedDocument", namespaces=CII) == []


def test_the_german_public_sector_scenario_in_every_format_through_the_server():
    with LiveServer(Settings(scenario="german-public-sector")) as server:
        headers = {"Authorization": "Bearer german-public-sector-token"}
        with httpx.Client(base_url=server.api_url, headers=headers, timeout=30) as api:
            invoice = api.get("/billing/invoices").json()["data"][0]
            buyer = invoice["buyer"]
            assert buyer["leitweg_id"] != buyer["buyer_reference"]
            path = f"/billing/invoices/{invoice['id']}/download"
            for fmt in ("cii", "zugferd", "facturx"):
                root = cii_of(api.get(path, params={"format": fmt}).content, fmt)
                assert_cii_addresses_the_leitweg_id(root, buyer["leitweg_id"],
                                                    buyer["buyer_reference"])
            xrechnung = etree.fromstring(api.get(path, params={"format": "xrechnung"}).content)
    assert xrechnung.xpath("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/@schemeID",
                           namespaces=UBL) == ["0204"]
