"""A scenario's seller is complete or refused at load: a company of its own never inherits
ScaiLabs' bank account, registration number or website (another company's account on an
invoice is a fraud signal). Changing only the payment terms keeps ScaiLabs whole."""

from __future__ import annotations

from io import BytesIO

import httpx
import pytest
from pypdf import PdfReader

from mockserver.documents import render
from mockserver.domain.profile import Seller
from mockserver.scenarios import ScenarioError, build_store, parse
from mockserver.settings import Settings
from mockserver.testing import LiveServer

SCAILABS = Seller()
BUYER = {"company_name": "Käufer AG", "address_line1": "Weg 1", "postal_code": "10115",
         "city": "Berlin", "country_code": "DE", "vat_number": "DE811234567"}
PARTIAL = {"legal_name": "Andere Software GmbH", "country_code": "DE",
           "vat_number": "DE136695976"}
COMPLETE = {
    **PARTIAL, "address_line1": "Hauptstraße 5", "postal_code": "80331", "city": "München",
    "email": "rechnung@andere.example", "phone": "+49 89 1234567",
    "registration_number": None, "iban": "DE89370400440532013000", "bic": None,
    "bank_name": None, "website": None,
}


def scenario(seller: dict) -> dict:
    invoice = {"issued_at": "2026-03-01T06:00:00Z", "status": "finalized",
               "lines": [{"description": "Beratung", "unit_price_cents": 10000}]}
    return {"name": "own-seller", "description": "a seller of its own, not ScaiLabs",
            "clock": {"start": "2026-03-10T09:00:00Z"}, "seller": seller,
            "tenants": [{"key": "buyer", "tokens": ["own-seller-token"], "profile": BUYER,
                         "invoices": [invoice]}]}


def test_a_partial_seller_is_refused_naming_every_missing_field():
    with pytest.raises(ScenarioError) as caught:
        parse(scenario(PARTIAL))
    assert caught.value.path == "seller"
    for name in ("address_line1", "postal_code", "city", "email", "phone",
                 "registration_number", "iban", "bic", "bank_name", "website"):
        assert name in caught.value.problem, name
    assert "null" in caught.value.problem  # how to say the seller has none


def test_a_seller_of_an_eu_country_needs_its_own_countrys_vat_number():
    with pytest.raises(ScenarioError) as caught:
        parse(scenario({**COMPLETE, "vat_number": SCAILABS.vat_number}))
    assert caught.value.path == "seller.vat_number" and "DE" in caught.value.problem


def test_a_complete_seller_prints_only_its_own_details():
    store = build_store(parse(scenario(COMPLETE)))
    [tenant] = store.tenants.values()
    [invoice] = tenant.invoices.values()
    assert invoice.seller["legal_name"] == "Andere Software GmbH"
    assert invoice.seller["bic"] is None and invoice.seller["website"] is None
    pdf = "".join(page.extract_text() for page in PdfReader(BytesIO(
        render(invoice, "pdf").content)).pages)
    xml = render(invoice, "cii").content.decode()
    for borrowed in (SCAILABS.iban, SCAILABS.bic, SCAILABS.registration_number,
                     "scailabs", SCAILABS.phone):
        assert borrowed not in pdf and borrowed not in xml, borrowed
    assert "DE89370400440532013000" in xml


def test_payment_terms_alone_keep_scailabs_whole():
    store = build_store(parse(scenario({"payment_terms_days": 30})))
    assert store.seller == Seller(payment_terms_days=30)


def test_the_control_api_refuses_a_partial_seller_and_keeps_the_world():
    with LiveServer(Settings(seed=42)) as server:
        r = httpx.post(f"{server.url}/_mock/scenario", json={"scenario": scenario(PARTIAL)})
        assert r.status_code == 400
        [problem] = r.json()["error"]["details"]["problems"]
        assert problem["path"] == "seller" and "iban" in problem["problem"]
        demo = httpx.get(f"{server.api_url}/billing/billing-profile",
                         headers={"Authorization": "Bearer demo-token"})
        assert demo.status_code == 200 and demo.json()["data"]  # the world as it was
