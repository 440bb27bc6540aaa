"""UBL element helpers and the seller and buyer parties (BG-4, BG-7)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from mockserver.documents import identifiers as ids
from mockserver.documents.facts import InvoiceFacts

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def cac(parent: etree._Element, tag: str) -> etree._Element:
    """Append an aggregate component."""
    return etree.SubElement(parent, f"{{{CAC}}}{tag}")


def cbc(parent: etree._Element, tag: str, text, **attributes: str) -> etree._Element | None:
    """Append a basic component, or nothing when there is no value (Peppol forbids empties)."""
    if text is None or str(text).strip() == "":
        return None
    element = etree.SubElement(parent, f"{{{CBC}}}{tag}", attributes)
    element.text = str(text)
    return element


def amount(parent: etree._Element, tag: str, value: Decimal, currency: str) -> None:
    """Append a monetary amount with its currency."""
    cbc(parent, tag, value, currencyID=currency)


def supplier(root: etree._Element, facts: InvoiceFacts, endpoint: ids.Endpoint | None) -> None:
    """The seller (BG-4): address, VAT and legal ids, and the contact XRechnung requires."""
    seller = facts.seller
    party = cac(cac(root, "AccountingSupplierParty"), "Party")
    _endpoint(party, endpoint)
    cbc(cac(party, "PartyName"), "Name", seller["legal_name"])
    _address(party, seller)
    vat, other = _tax_ids(seller, facts.not_subject_to_vat)
    _tax_scheme(party, vat, "VAT")  # BT-31
    _tax_scheme(party, other, ids.OTHER_TAX_SCHEME)  # BT-32
    legal = cac(party, "PartyLegalEntity")
    cbc(legal, "RegistrationName", seller["legal_name"])
    registration = ids.legal_id(seller)
    if registration:
        value, scheme = registration
        cbc(legal, "CompanyID", value, **({"schemeID": scheme} if scheme else {}))
    _contact(party, seller["legal_name"], seller.get("phone"), seller.get("email"))


def customer(root: etree._Element, facts: InvoiceFacts, endpoint: ids.Endpoint | None) -> None:
    """The buyer (BG-7) as frozen on the invoice at finalization."""
    buyer = facts.buyer
    party = cac(cac(root, "AccountingCustomerParty"), "Party")
    _endpoint(party, endpoint)
    _address(party, buyer)
    if not facts.not_subject_to_vat:
        _tax_scheme(party, ids.party_vat_id(buyer), "VAT")  # BT-48
    # Not BT-48, which only a VAT identifier can be: the buyer's tax registration of its own
    # kind (a US EIN), in UBL's own way of naming a tax scheme.
    _tax_scheme(party, ids.party_tax_registration(buyer), ids.OTHER_TAX_SCHEME)
    cbc(cac(party, "PartyLegalEntity"), "RegistrationName", buyer["company_name"])
    if buyer.get("contact_email") or buyer.get("phone"):
        _contact(party, None, buyer.get("phone"), buyer.get("contact_email"))


def _endpoint(party: etree._Element, endpoint: ids.Endpoint | None) -> None:
    if endpoint:
        cbc(party, "EndpointID", endpoint.value, schemeID=endpoint.scheme)


def _address(party: etree._Element, data: dict) -> None:
    address = cac(party, "PostalAddress")
    cbc(address, "StreetName", data.get("address_line1"))
    cbc(address, "AdditionalStreetName", data.get("address_line2"))
    cbc(address, "CityName", data.get("city"))
    cbc(address, "PostalZone", data.get("postal_code"))
    cbc(address, "CountrySubentity", data.get("state"))
    cbc(cac(address, "Country"), "IdentificationCode", data["country_code"].upper())


def _tax_ids(seller: dict, not_subject_to_vat: bool) -> tuple[str | None, str | None]:
    """A seller's tax id as (VAT identifier BT-31, other tax registration BT-32). Outside the
    scope of VAT (category O) there is no BT-31 (BR-O-2): any tax id the seller has is BT-32."""
    if not_subject_to_vat:
        return None, (seller.get("vat_number") or "").strip() or None
    return ids.party_vat_id(seller), ids.party_tax_registration(seller)


def _tax_scheme(party: etree._Element, company_id: str | None, scheme_id: str) -> None:
    if company_id:
        scheme = cac(party, "PartyTaxScheme")
        cbc(scheme, "CompanyID", company_id)
        cbc(cac(scheme, "TaxScheme"), "ID", scheme_id)


def _contact(party: etree._Element, name: str | None, phone: str | None, email: str | None) -> None:
    contact = cac(party, "Contact")
    cbc(contact, "Name", name)
    cbc(contact, "Telephone", phone)
    cbc(contact, "ElectronicMail", email)
