"""The seller and buyer trade parties of a CII invoice (BG-4, BG-7)."""

from __future__ import annotations

from drafthorse.models.party import PostalTradeAddress, TaxRegistration, TradeParty

from mockserver.documents import identifiers as ids
from mockserver.documents.facts import InvoiceFacts

VAT_SCHEME = "VA"  # BT-31 / BT-48
FISCAL_SCHEME = "FC"  # BT-32: a seller's tax registration that is not a VAT identifier


def fill_seller(party: TradeParty, facts: InvoiceFacts) -> None:
    """Name, legal id, contact, address, electronic address and VAT id of the seller."""
    seller = facts.seller
    party.name = seller["legal_name"]
    registration = ids.legal_id(seller)
    if registration:
        value, scheme = registration
        party.legal_organization.id = (scheme, value) if scheme else value
    party.contact.person_name = seller["legal_name"]
    if seller.get("phone"):
        party.contact.telephone.number = seller["phone"]
    if seller.get("email"):
        party.contact.email.address = seller["email"]
    _address(party.address, seller)
    endpoint = ids.seller_peppol_endpoint(seller)
    party.electronic_address.uri_ID = (endpoint.scheme, endpoint.value)
    if facts.not_subject_to_vat:  # no VAT identifier (BR-O-2); its tax id is BT-32
        _registration(party, FISCAL_SCHEME, (seller.get("vat_number") or "").strip())
    else:
        _registration(party, VAT_SCHEME, ids.party_vat_id(seller))
        _registration(party, FISCAL_SCHEME, ids.party_tax_registration(seller))


def fill_buyer(party: TradeParty, facts: InvoiceFacts) -> None:
    """The buyer as frozen on the invoice; its Leitweg-ID, Peppol id or e-mail is the address."""
    buyer = facts.buyer
    party.name = buyer["company_name"]
    _address(party.address, buyer)
    endpoint = ids.buyer_endpoint(buyer)
    if endpoint:
        party.electronic_address.uri_ID = (endpoint.scheme, endpoint.value)
    # Only a VAT identifier (BT-48): EN 16931 has no other buyer tax registration and
    # Factur-X refuses FC on the buyer, so a US EIN is not written here at all.
    if not facts.not_subject_to_vat:
        _registration(party, VAT_SCHEME, ids.party_vat_id(buyer))


def _address(address: PostalTradeAddress, data: dict) -> None:
    if data.get("postal_code"):
        address.postcode = data["postal_code"]
    if data.get("address_line1"):
        address.line_one = data["address_line1"]
    if data.get("address_line2"):
        address.line_two = data["address_line2"]
    if data.get("city"):
        address.city_name = data["city"]
    address.country_id = data["country_code"].upper()
    if data.get("state"):
        address.country_subdivision = data["state"]


def _registration(party: TradeParty, scheme: str, value: str | None) -> None:
    if value:
        party.tax_registrations.add(TaxRegistration(id=(scheme, value)))
