"""Invoices at the limits of what the schemas let through, for the PDF layout tests.

Every bounded text field (the billing profile's in ``openapi/billing.yaml``, the scenario
seller's in ``scenario.schema.json``) is filled to its ``maxLength`` with realistic words;
fields the schemas leave unbounded (line descriptions, notes, quantities, prices) get values
longer than any real invoice has. A Japanese company name, ``≥``, ``✓`` and emoji ride along.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from importlib.resources import files

from mockserver.domain.ids import IdSource
from mockserver.domain.invoices import Invoice, LineItem, credit_note_for, finalize
from mockserver.domain.numbering import InvoiceNumbering
from mockserver.domain.profile import Seller, new_profile
from mockserver.spec import load_spec

ISSUED = datetime(2026, 4, 1, 8, 0, tzinfo=timezone.utc)
QUARTER = (date(2026, 1, 1), date(2026, 3, 31))
JAPANESE_NAME = "株式会社山田製作所"  # Yamada Seisakusho K.K.
SYMBOLS = "Verfügbarkeit ≥ 99,9 % ✓ geprüft 🚀😀👍"
GERMAN = (
    "Rechnungsprüfung und Kreditorenbuchhaltung der Landesverwaltung für Straßenbau, "
    "Verkehrsinfrastruktur und Digitalisierungsdienstleistungen Nordrhein-Westfalen"
)
UNBROKEN = "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft" * 3


def profile_max_lengths() -> dict[str, int]:
    """``maxLength`` of every bounded billing-profile field (the API's own schema)."""
    schema = load_spec()["components"]["schemas"]["BillingProfileCreateUpdate"]
    return {name: spec["maxLength"] for name, spec in schema["properties"].items()
            if "maxLength" in spec}


def seller_max_lengths() -> dict[str, int]:
    """``maxLength`` of every scenario seller field (``scenario.schema.json``)."""
    text = (files("mockserver") / "scenarios" / "scenario.schema.json").read_text("utf-8")
    seller = json.loads(text)["$defs"]["seller"]["properties"]
    return {name: spec["maxLength"] for name, spec in seller.items() if "maxLength" in spec}


def filled(length: int, words: str = GERMAN, lead: str = "") -> str:
    """``lead`` and then ``words`` over and over, cut at a word boundary to exactly ``length``."""
    text = lead
    while len(text) < length:
        text = f"{text} {words}" if text else words
    text = text[:length]
    # A cut inside a word is fine, a trailing space is not (the schema counts it, fpdf2 drops it).
    return text[:-1] + "X" if text.endswith(" ") else text


def longest_buyer(language: str) -> dict:
    limits = profile_max_lengths()
    return {
        "company_name": filled(limits["company_name"], lead=JAPANESE_NAME),
        "address_line1": filled(limits["address_line1"], "Kaiser-Wilhelm-Ring Hausnummer 17a"),
        "address_line2": filled(limits["address_line2"], "Gebäude C Etage 4 Eingang Süd"),
        "postal_code": filled(limits["postal_code"], "D-50672 PLZ"),
        "city": filled(limits["city"], "Köln-Ehrenfeld Stadtbezirk"),
        "state": filled(limits["state"], "Nordrhein-Westfalen"),
        "country_code": "DE",
        "vat_number": "DE" + "8" * (limits["vat_number"] - 2),
        "contact_email": "ap@example.com",
        "phone": "+49 " + "221 5550 " * 5,
        "leitweg_id": filled(limits["leitweg_id"], "05315-12345-06"),
        "buyer_reference": filled(limits["buyer_reference"], "BEST-2026-0042 Kostenstelle 4711"),
        "preferred_language": language,
    }


def longest_seller() -> Seller:
    limits = seller_max_lengths()
    return Seller(
        legal_name=filled(limits["legal_name"], lead="山田 ScaiLabs Holding"),
        address_line1=filled(limits["address_line1"], "Keizersgracht 123 Achterhuis"),
        postal_code=filled(limits["postal_code"], "1015 CJ"),
        city=filled(limits["city"], "Amsterdam-Centrum"),
        country_code="NL",
        vat_number="NL498259791B01",
        registration_number=filled(limits["registration_number"], "81234567"),
        email=filled(limits["email"] - 12, "facturatie.afdeling", "billing.") + "@example.com",
        phone="+31 20 123 4567",
        iban="NL91ABNA0417164300",
        bic="ABNANL2A",
        bank_name=filled(limits["bank_name"], "ABN AMRO Bank N.V. Vestiging Zuidas"),
        website="https://" + filled(limits["website"] - 16, "scailabs", "www.") + ".example/home",
    )


def _line(ids: IdSource, n: int) -> LineItem:
    kinds = [
        (f"{n}. ScaiControl Enterprise – {GERMAN}", "1", 1_250_000),
        (f"{n}. {UNBROKEN}", "999999999.999999", 99_999_999_999),
        (f"{n}. {JAPANESE_NAME} 向けサポート契約（年間）{SYMBOLS}", "12", 1999),
        (f"{n}. API calls", "123456789", 2),
        (f"{n}. Printed handbook", "3", 1995),
    ]
    description, quantity, price = kinds[n % len(kinds)]
    rate = Decimal("9.00") if n % len(kinds) == 4 else None
    return LineItem(
        id=ids.new("li"), description=description, quantity=Decimal(quantity),
        unit_price_cents=price, order_index=n, tax_rate=rate,
        period_start=QUARTER[0], period_end=QUARTER[1],
    )


def longest_invoice(language: str, line_count: int = 200,
                    numbering: InvoiceNumbering | None = None) -> Invoice:
    """A finalized quarterly invoice with the longest values, ``line_count`` lines of them."""
    ids = IdSource(seed=1)
    tenant_id = ids.new("tnt")
    profile = new_profile(tenant_id, longest_buyer(language), ISSUED)
    lines = [_line(ids, n) for n in range(line_count)]
    lines.append(LineItem(
        id=ids.new("li"), description=f"{line_count}. " + filled(3000, lead="Anhang:"),
        quantity=Decimal(1), unit_price_cents=100, order_index=line_count,
    ))
    draft = Invoice(
        id=ids.new("inv"), tenant_id=tenant_id, created_at=ISSUED, updated_at=ISSUED,
        period_start=QUARTER[0], period_end=QUARTER[1], line_items=lines,
        notes=filled(1500, f"{SYMBOLS} {GERMAN}", lead="Hinweis:"),
    )
    return finalize(draft, profile, longest_seller(), numbering or InvoiceNumbering(), ISSUED)


def longest_credit_note(language: str, line_count: int = 20) -> Invoice:
    """A credit note for all lines of :func:`longest_invoice`."""
    numbering = InvoiceNumbering()
    original = longest_invoice(language, line_count, numbering)
    later = ISSUED + timedelta(days=9)
    draft = credit_note_for(original, IdSource(seed=2).new, later)
    return finalize(draft, None, Seller(**original.seller), numbering, later, original=original)
