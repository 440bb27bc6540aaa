"""Party identifiers on e-invoices: electronic addresses (EAS codes), VAT and legal ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockserver.domain.vat import vat_identifier

# EAS (CEF code list) schemes keyed by the seller's country: the national register where the
# seller has a well-known registration number, else that country's VAT-number scheme.
REGISTRY_EAS = {"NL": "0106", "BE": "0208", "CH": "0183", "DK": "0184", "SE": "0007"}
VAT_EAS = {
    "AT": "9914", "BE": "9925", "DE": "9930", "ES": "9920", "FR": "9957", "IT": "0211",
    "NL": "9944", "HU": "9910", "GB": "9932",
}
# ICD schemes for the legal registration id (BT-30): the same national registers.
REGISTRY_ICD = REGISTRY_EAS
EMAIL_SCHEME = "EM"
LEITWEG_SCHEME = "0204"
OTHER_TAX_SCHEME = "TAX"  # UBL TaxScheme of a tax registration that is not VAT (Peppol's use)
_EAS_CODE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Endpoint:
    """An electronic address (BT-34 / BT-49): the identifier and its EAS scheme."""

    scheme: str
    value: str


def peppol_endpoint(buyer: dict) -> Endpoint | None:
    """The buyer's Peppol participant id, accepting ``0106:123`` or a separate EAS scheme.

    ``peppol_scheme`` may hold the EAS code itself or the Peppol identifier scheme
    (``iso6523-actorid-upis``); in the latter case the code must prefix the id.
    """
    raw = (buyer.get("peppol_id") or "").strip()
    if not raw:
        return None
    prefix, sep, rest = raw.partition(":")
    if sep and _EAS_CODE.match(prefix) and rest:
        return Endpoint(prefix, rest.strip())
    scheme = (buyer.get("peppol_scheme") or "").strip()
    if _EAS_CODE.match(scheme):
        return Endpoint(scheme, raw)
    return None


def buyer_endpoint(buyer: dict) -> Endpoint | None:
    """The buyer's electronic address (BT-49) outside Peppol: a German public buyer's
    Leitweg-ID (EAS 0204, what its portal routes by), else its Peppol id, else its e-mail."""
    leitweg = _text(buyer.get("leitweg_id"))
    if leitweg:
        return Endpoint(LEITWEG_SCHEME, leitweg)
    return peppol_endpoint(buyer) or email_endpoint(buyer.get("contact_email"))


def buyer_reference(buyer: dict) -> str | None:
    """BT-10: the Leitweg-ID when the buyer has one (BR-DE-15, and what public portals match),
    else the buyer's own reference."""
    return _text(buyer.get("leitweg_id")) or _text(buyer.get("buyer_reference"))


def order_reference(buyer: dict) -> str | None:
    """BT-13: the buyer's own reference (its order number) when the Leitweg-ID takes BT-10."""
    own = _text(buyer.get("buyer_reference"))
    return own if own and own != buyer_reference(buyer) else None


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def missing_peppol_fields(buyer: dict) -> list[str]:
    """Which buyer fields Peppol routing still needs (none when the endpoint is complete)."""
    if not (buyer.get("peppol_id") or "").strip():
        return ["peppol_id"] if _scheme_given(buyer) else ["peppol_id", "peppol_scheme"]
    return [] if peppol_endpoint(buyer) else ["peppol_scheme"]


def _scheme_given(buyer: dict) -> bool:
    return bool((buyer.get("peppol_scheme") or "").strip())


def seller_peppol_endpoint(seller: dict) -> Endpoint:
    """The seller's Peppol address: its national register id, else its VAT number."""
    country = seller["country_code"].upper()
    registration = _compact(seller.get("registration_number"))
    if country in REGISTRY_EAS and registration:
        return Endpoint(REGISTRY_EAS[country], registration)
    vat = vat_id(seller.get("vat_number"), country)
    if country in VAT_EAS and vat:
        return Endpoint(VAT_EAS[country], vat)
    return Endpoint(EMAIL_SCHEME, seller["email"])


def email_endpoint(address: str | None) -> Endpoint | None:
    return Endpoint(EMAIL_SCHEME, address.strip()) if address and address.strip() else None


def tax_id_kind(value: str | None, country_code: str | None = None) -> str | None:
    """``"vat"`` for a VAT identifier (:func:`~mockserver.domain.vat.vat_identifier`, the
    rule the VAT determination uses too), ``"tax"`` for any other tax registration (a US EIN,
    ``12-3456789``), None for no value."""
    if not (value or "").strip():
        return None
    return "vat" if vat_identifier(value, country_code) else "tax"


def vat_id(value: str | None, country_code: str | None = None) -> str | None:
    """A party's VAT identifier as EN 16931 wants it (country prefix, no spaces or dots), or
    None. A number without prefix is the VAT id of the party's country (``0477472701`` of a
    Belgian is ``BE0477472701``); a tax number of another kind (a US EIN) is not one."""
    return vat_identifier(value, country_code)


def tax_registration(value: str | None, country_code: str | None = None) -> str | None:
    """A tax registration that is not a VAT identifier, as given (BT-32 for a seller)."""
    return value.strip() if tax_id_kind(value, country_code) == "tax" else None


def party_vat_id(party: dict) -> str | None:
    """The VAT identifier (BT-31, BT-48) of a seller or buyer snapshot."""
    return vat_id(party.get("vat_number"), party.get("country_code"))


def party_tax_registration(party: dict) -> str | None:
    """The tax registration of its own kind of a seller or buyer snapshot (a US EIN)."""
    return tax_registration(party.get("vat_number"), party.get("country_code"))


def legal_id(party: dict) -> tuple[str, str | None] | None:
    """The legal registration id (BT-30/BT-47), as the register writes it ("HRB 123456 B",
    as the PDF prints it), and its ICD scheme when the register is known."""
    registration = (party.get("registration_number") or "").strip()
    if not registration:
        return None
    return registration, REGISTRY_ICD.get((party.get("country_code") or "").upper())


def _compact(value: str | None) -> str:
    return re.sub(r"[\s\-]", "", value or "") if value else ""
