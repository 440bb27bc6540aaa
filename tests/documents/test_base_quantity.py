"""Usage priced per 1,000 calls keeps its price base quantity: the line bills the calls made,
at the price of 1,000, in the JSON, UBL, CII and the PDF."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from lxml import etree
from pypdf import PdfReader

from mockserver.domain.localize import format_money, format_quantity

UBL = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
       "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
CII = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
USAGE = "ScaiGrid Pro: api_calls (calls)"


def _usage_invoice(client) -> tuple[dict, dict]:
    for listed in client.get("/billing/invoices", params={"page_size": 100}).json()["data"]:
        invoice = client.get(f"/billing/invoices/{listed['id']}").json()["data"]
        for line in invoice["line_items"]:
            if line["description"] == USAGE and invoice["document_type"] == "invoice":
                return invoice, line
    raise AssertionError("no invoice bills API calls")


def test_the_json_line_bills_calls_at_the_price_per_1000(api):
    _, line = _usage_invoice(api("demo-token"))
    calls = Decimal(line["quantity"])
    assert calls == calls.to_integral_value() and calls > 1000  # calls, not thousands
    assert line["unit_divisor"] == 1000 and line["unit_price_cents"] == 20
    exact = calls * line["unit_price_cents"] / line["unit_divisor"]
    assert line["amount_cents"] == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_ubl_and_cii_carry_the_price_base_quantity(api):
    client = api("demo-token")
    invoice, line = _usage_invoice(client)
    path = f"/billing/invoices/{invoice['id']}/download"
    ubl = etree.fromstring(client.get(path, params={"format": "ubl"}).content)
    [usage] = [node for node in ubl.xpath("cac:InvoiceLine", namespaces=UBL)
               if node.findtext("cac:Item/cbc:Name", namespaces=UBL) == USAGE]
    assert usage.findtext("cbc:InvoicedQuantity", namespaces=UBL) == line["quantity"]
    assert usage.findtext("cac:Price/cbc:PriceAmount", namespaces=UBL) == "0.20"
    assert usage.findtext("cac:Price/cbc:BaseQuantity", namespaces=UBL) == "1000"
    others = ubl.xpath("cac:InvoiceLine[cac:Item/cbc:Name != $name]/cac:Price/cbc:BaseQuantity",
                       namespaces=UBL, name=USAGE)
    assert others == []  # a price per unit needs no base quantity
    cii = etree.fromstring(client.get(path, params={"format": "cii"}).content)
    [basis] = cii.xpath("//ram:IncludedSupplyChainTradeLineItem[.//ram:Name = $name]"
                        "//ram:NetPriceProductTradePrice/ram:BasisQuantity", namespaces=CII,
                        name=USAGE)
    assert Decimal(basis.text) == 1000 and basis.get("unitCode") == "C62"


def test_the_pdf_says_per_1000(api):
    client = api("demo-token")
    invoice, line = _usage_invoice(client)
    text = PdfReader(BytesIO(client.get(f"/billing/invoices/{invoice['id']}/pdf").content)
                     ).pages[0].extract_text().replace("\u00a0", " ")
    price = format_money(20, "EUR", "nl").replace("\u00a0", " ")
    assert f"{price} per {format_quantity(Decimal(1000), 'nl')}" in text  # € 0,20 per 1.000
    assert format_quantity(Decimal(line["quantity"]), "nl") in text
