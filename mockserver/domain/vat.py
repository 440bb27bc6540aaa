"""EU VAT determination and per-line tax arithmetic.

Mirrors the documented ``determine_vat(seller_country, buyer_country, buyer_vat_number,
is_business)`` with its five cases, and adds the tax category (UNCL 5305) each case puts on
the invoice lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal

EU_STANDARD_VAT_RATES: dict[str, Decimal] = {
    code: Decimal(rate)
    for code, rate in {
        "AT": "20.00", "BE": "21.00", "BG": "20.00", "CY": "19.00", "CZ": "21.00",
        "DE": "19.00", "DK": "25.00", "EE": "22.00", "ES": "21.00", "FI": "25.50",
        "FR": "20.00", "GR": "24.00", "HR": "25.00", "HU": "27.00", "IE": "23.00",
        "IT": "22.00", "LT": "21.00", "LU": "17.00", "LV": "21.00", "MT": "18.00",
        "NL": "21.00", "PL": "23.00", "PT": "23.00", "RO": "19.00", "SE": "25.00",
        "SI": "22.00", "SK": "23.00",
    }.items()
}

# Where a tax id is a VAT identifier: the EU member states (Greece as EL, Northern Ireland as
# XI) and the European countries outside the EU that levy VAT under that name. Anything else
# (a US EIN, an Australian ABN) is a tax registration of its own kind.
VAT_PREFIXES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
    "GB", "CH", "LI", "NO", "IS",
})
# The prefix of a country's VAT numbers where it is not the country code (Greece).
VAT_PREFIX = {"GR": "EL"}
_VAT_ID = re.compile(r"^[A-Z]{2}[0-9A-Z+*]{2,14}$")
_SEPARATORS = re.compile(r"[\s.\-]")

EXPORT_NOTE = "Export outside the EU - VAT not applicable"
REVERSE_CHARGE_NOTE = "Reverse charge - Art. 196 EU VAT Directive"
EXEMPT_NOTE = "VAT exempt - exemption certificate on file"

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class VATDetermination:
    """The outcome of :func:`determine_vat`, frozen onto an invoice at finalization."""

    case: str  # domestic | intra_eu_b2b | intra_eu_b2c | export | seller_outside_eu | exempt
    tax_rate: Decimal
    reverse_charge: bool
    tax_label: str
    legal_note: str | None
    tax_category: str  # UNCL 5305

    def as_dict(self) -> dict:
        return {
            "case": self.case,
            "tax_rate": format_rate(self.tax_rate),
            "reverse_charge": self.reverse_charge,
            "tax_label": self.tax_label,
            "legal_note": self.legal_note,
            "tax_category": self.tax_category,
        }


def is_eu(country_code: str | None) -> bool:
    return (country_code or "").upper() in EU_STANDARD_VAT_RATES


def vat_prefix(country_code: str | None) -> str:
    """The prefix of the VAT numbers of ``country_code`` (``EL`` for Greece)."""
    country = (country_code or "").upper()
    return VAT_PREFIX.get(country, country)


def vat_identifier(value: str | None, country_code: str | None) -> str | None:
    """The VAT identifier a party's tax number stands for, as EN 16931 writes it (its country
    prefix, no spaces, dots or dashes), or None when it is none (a US EIN, a German
    Steuernummer ``12/345/67890``, nothing).

    A number with a VAT country's prefix is that country's VAT id. A number without a prefix
    is the VAT id of the party's own country when that country levies VAT: Belgians write
    ``0477472701`` for ``BE0477472701``. The one rule :func:`determine_vat` (reverse charge
    needs a VAT id) and every document (BT-31, BT-48, the PDF's label) classify by.
    """
    compact = _SEPARATORS.sub("", value or "").upper()
    if not compact:
        return None
    if compact[:2] not in VAT_PREFIXES:
        prefix = vat_prefix(country_code)
        if compact[:2].isalpha() or prefix not in VAT_PREFIXES:
            return None  # another country's kind of number, or a country without VAT
        compact = prefix + compact
    return compact if _VAT_ID.match(compact) else None


def format_rate(rate: Decimal) -> str:
    """Rates travel as decimal strings with two places: ``"21.00"``."""
    return str(rate.quantize(Decimal("0.01")))


@lru_cache(maxsize=4096)
def determine_vat(
    seller_country: str,
    buyer_country: str,
    buyer_vat_number: str | None,
    is_business: bool,
    tax_exempt: bool = False,
) -> VATDetermination:
    """Decide rate, category and notes for one seller/buyer pair.

    The order matters: a seller outside the EU charges nothing whatever the buyer; a buyer
    outside the EU is an export; then domestic, intra-EU B2B (reverse charge, for a business
    whose ``buyer_vat_number`` is a VAT identifier, :func:`vat_identifier`) and B2C (OSS,
    seller's rate). ``tax_exempt`` (a profile flag the public docs list but do not explain) is
    honoured after the export and seller checks: category E at 0%. Pure, so its (frozen)
    answers are shared between invoices.
    """
    seller = seller_country.upper()
    buyer = buyer_country.upper()
    if not is_eu(seller):
        return VATDetermination("seller_outside_eu", ZERO, False, "No VAT", None, "O")
    if not is_eu(buyer):
        return VATDetermination("export", ZERO, False, "VAT 0% (Export)", EXPORT_NOTE, "G")
    if tax_exempt:
        return VATDetermination("exempt", ZERO, False, "VAT 0% (Exempt)", EXEMPT_NOTE, "E")
    rate = EU_STANDARD_VAT_RATES[seller]
    if seller == buyer:
        return VATDetermination("domestic", rate, False, f"VAT {format_rate(rate)}%", None, "S")
    if is_business and vat_identifier(buyer_vat_number, buyer):
        return VATDetermination(
            "intra_eu_b2b", ZERO, True, "VAT 0% (Reverse Charge)", REVERSE_CHARGE_NOTE, "AE"
        )
    return VATDetermination("intra_eu_b2c", rate, False, f"VAT {format_rate(rate)}%", None, "S")


def tax_cents(amount_cents: int, rate: Decimal) -> int:
    """``amount_cents * rate / 100`` rounded half-up, symmetric for negative amounts."""
    exact = Decimal(amount_cents) * rate / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_amount_cents(quantity: Decimal, unit_price_cents: int, unit_divisor: int = 1) -> int:
    """Line net amount: quantity times the unit price, which is the price of ``unit_divisor``
    units (a price per 1,000 calls: 1000), rounded half-up to whole cents."""
    exact = quantity * Decimal(unit_price_cents) / Decimal(unit_divisor)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
