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


US_SELLER = {
    "legal_name": "Redwood Cloud Inc.", "address_line1": "500 Howard Street",
    "postal_code": "94105", "city": "San Francisco", "country_code": "US",
    "vat_number": "12-3456789", "registration_number": None, "email": "billing@redwood.example",
    "phone": "+1 415 555 0100", "iban": None, "bic": None, "bank_name": None,
    "website": None,
}


def test_a_seller_outside_the_eu_without_a_registration_number_is_refused():
    """Its invoices are not subject to EU VAT (O): no VAT id may identify it (BR-O-02), so
    only its registration number can (BR-CO-26 wants BT-29, BT-30 or BT-31)."""
    with pytest.raises(ScenarioError) as caught:
        parse(scenario(US_SELLER))
    assert caught.value.path == "seller.registration_number"
    assert "BR-CO-26" in caught.value.problem


def test_a_seller_outside_the_eu_with_a_registration_number_passes_the_chains():
    from mockserver.contract.einvoice import new_schematron
    from tests.documents.einvoice_rules import problems

    schematron = new_schematron()
    store = build_store(parse(scenario({**US_SELLER, "registration_number": "C4567890"})))
    [tenant] = store.tenants.values()
    [invoice] = tenant.invoices.values()
    assert invoice.vat.tax_category == "O"
    assert problems(schematron, "cii", render(invoice, "cii").content) == []


@pytest.mark.parametrize(("field", "value", "says"), [
    ("iban", "DE00 1234", "not an IBAN"), ("iban", "DE89370400440532013001", "not an IBAN"),
    ("bic", "X", "not a BIC"), ("bic", "COBAXXFF", "not a BIC"),
    ("email", "not an email", "not an e-mail address"),
    ("email", "rechnung@localhost", "not an e-mail address")])
def test_a_seller_with_a_malformed_account_or_address_is_refused_where_it_is(field, value,
                                                                             says):
    with pytest.raises(ScenarioError) as caught:
        parse(scenario({**COMPLETE, "bic": "COBADEFFXXX", field: value}))
    assert caught.value.path == f"seller.{field}" and says in caught.value.problem


def test_every_malformed_seller_field_is_named_at_once():
    with pytest.raises(ScenarioError) as caught:
        parse(scenario({**COMPLETE, "iban": "DE00 1234", "bic": "X", "email": "not an email"}))
    assert [path for path, _ in caught.value.problems] == [
        "seller.email", "seller.iban", "seller.bic"]


def test_a_well_formed_seller_account_is_kept_as_given():
    store = build_store(parse(scenario({**COMPLETE, "iban": "DE89 3704 0044 0532 0130 00",
                                        "bic": "COBADEFFXXX"})))
    assert store.seller.iban == "DE89 3704 0044 0532 0130 00"
