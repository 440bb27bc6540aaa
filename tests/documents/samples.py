"""Sample finalized invoices for the document tests, built by walking the real domain.

Every VAT case the domain produces appears at least once, buyer names use accents, Polish,
Greek and Cyrillic, and two credit notes negate earlier invoices. ``sample_invoices`` is the
one entry point, so the server's built-in world can later take its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from mockserver.documents import required_fields
from mockserver.domain.ids import IdSource
from mockserver.domain.invoices import Invoice, LineItem, credit_note_for, finalize
from mockserver.domain.numbering import InvoiceNumbering
from mockserver.domain.profile import Seller, new_profile

ISSUED = datetime(2026, 2, 2, 9, 30, tzinfo=timezone.utc)
JANUARY = (date(2026, 1, 1), date(2026, 1, 31))

SWISS_SELLER = Seller(
    legal_name="ScaiLabs Schweiz AG",
    address_line1="Bahnhofstrasse 10",
    postal_code="8001",
    city="Zürich",
    country_code="CH",
    vat_number="CHE-123.456.789 MWST",
    registration_number="CHE-123.456.789",
    email="billing@scailabs.example",
    phone="+41 44 123 45 67",
    iban="CH9300762011623852957",
    bic="UBSWCHZH80A",
    bank_name="UBS Switzerland AG",
    payment_terms_days=30,
    website="https://www.scailabs.example",
)

BUYERS: dict[str, dict] = {
    "nl_domestic": {
        "company_name": "Coöperatie Zeeuwse Energie U.A.",
        "address_line1": "Havenweg 12", "address_line2": "Unit 4b",
        "postal_code": "4381 AB", "city": "Vlissingen", "country_code": "NL",
        "vat_number": "NL123456789B01", "contact_email": "crediteuren@zeeuwse.example",
        "phone": "+31 118 555 010", "peppol_id": "0106:12345678",
        "peppol_scheme": "iso6523-actorid-upis", "buyer_reference": "ZE-PO-7781",
        "preferred_language": "nl",
    },
    "de_public": {
        "company_name": "Landesamt für Straßenbau und Verkehr Köln",
        "address_line1": "Blumenthalstraße 33", "postal_code": "50670", "city": "Köln",
        "state": "Nordrhein-Westfalen", "country_code": "DE", "vat_number": "DE811234567",
        "contact_email": "rechnungseingang@strassenbau.example", "phone": "+49 221 555 0100",
        "leitweg_id": "05315-12345-06", "buyer_reference": "BEST-2026-0042",
        "preferred_language": "de",
    },
    "be_reverse_charge": {
        "company_name": "Société Wallonne d'Électricité SRL",
        "address_line1": "Rue de la Régence 58", "postal_code": "1000", "city": "Bruxelles",
        "country_code": "BE", "vat_number": "BE0477472701",
        "contact_email": "factures@swe.example", "peppol_id": "0208:0477472701",
        "peppol_scheme": "iso6523-actorid-upis", "preferred_language": "fr",
    },
    "us_export": {
        "company_name": "Wiśniewski & Łódź Analytics Inc.",
        "address_line1": "500 Market Street", "address_line2": "Suite 1200",
        "postal_code": "94105", "city": "San Francisco", "state": "CA",
        "country_code": "US", "contact_email": "ap@wisniewski-lodz.example",
        "preferred_language": "en",
    },
    "fr_consumer": {
        "company_name": "Éloïse Dupré-Lefèvre",
        "address_line1": "12 rue des Écoles", "postal_code": "75005", "city": "Paris",
        "country_code": "FR", "is_business": False, "contact_email": "eloise@exemple.example",
        "preferred_language": "fr",
    },
    "bg_exempt": {
        "company_name": "Фондация „Отворено общество“ – София",
        "address_line1": "ул. „Солунска“ 56", "postal_code": "1000", "city": "София",
        "country_code": "BG", "vat_number": "BG123456786", "tax_exempt": True,
        "contact_email": "office@fos.example", "preferred_language": "es",
    },
    "gr_outside_eu_seller": {
        "company_name": "Ελληνική Πληροφορική Α.Ε.",
        "address_line1": "Λεωφόρος Κηφισίας 44", "postal_code": "151 25", "city": "Μαρούσι",
        "country_code": "GR", "vat_number": "EL094014201",
        "contact_email": "logistirio@ellpl.example", "preferred_language": "it",
    },
}


@dataclass
class _World:
    """The seeded id source, numbering and clock one set of samples shares."""

    ids: IdSource = field(default_factory=lambda: IdSource(seed=20260202))
    numbering: InvoiceNumbering = field(default_factory=InvoiceNumbering)

    def invoice(self, key: str, lines: list[LineItem], seller: Seller | None = None) -> Invoice:
        tenant_id = self.ids.new("tnt")
        profile = new_profile(tenant_id, BUYERS[key], ISSUED)
        draft = Invoice(
            id=self.ids.new("inv"), tenant_id=tenant_id, created_at=ISSUED, updated_at=ISSUED,
            period_start=JANUARY[0], period_end=JANUARY[1], line_items=lines,
        )
        return finalize(draft, profile, seller or Seller(), self.numbering, ISSUED)

    def credit_note(self, original: Invoice, line_count: int | None = None) -> Invoice:
        later = ISSUED + timedelta(days=9)
        chosen = [line.id for line in original.line_items][:line_count] if line_count else None
        draft = credit_note_for(original, self.ids.new, later, line_ids=chosen)
        seller = Seller(**original.seller)
        return finalize(draft, None, seller, self.numbering, later, original=original)

    def line(self, description: str, quantity: str, unit_price_cents: int, **extra) -> LineItem:
        return LineItem(
            id=self.ids.new("li"), description=description, quantity=Decimal(quantity),
            unit_price_cents=unit_price_cents, period_start=JANUARY[0], period_end=JANUARY[1],
            **extra,
        )


def sample_invoices() -> list[Invoice]:
    """Nine finalized documents: seven invoices covering S, Z, AE, G, E and O, two credit notes."""
    world = _World()
    line = world.line
    nl = world.invoice("nl_domestic", [
        line("ScaiControl Business – monthly subscription", "1", 14900),
        line("Additional seats (€12.50 each)", "3", 1250),
        line("Support hours, 1.5 h at the hourly rate", "1.5", 8000),
        line("Printed onboarding handbook", "2", 1995, tax_rate=Decimal("9.00")),
        line("Charity bundle (zero-rated)", "1", 500, tax_rate=Decimal("0")),
    ])
    de = world.invoice("de_public", [
        line("ScaiControl Enterprise – Jahreslizenz anteilig Januar", "1", 120000),
        line("Schulung „Datenschutz & KI“ (Tagessatz)", "2", 95000),
    ])
    be = world.invoice("be_reverse_charge", [
        line("ScaiControl Pro – abonnement mensuel", "1", 9900),
        line("Utilisation API (1 000 appels)", "12", 333),
    ])
    us = world.invoice("us_export", [line("ScaiControl Pro – monthly subscription", "1", 19900)])
    fr = world.invoice("fr_consumer", [line("ScaiControl Solo – abonnement", "1", 999)])
    bg = world.invoice("bg_exempt", [line("ScaiControl Nonprofit – licence", "1", 4900)])
    gr = world.invoice("gr_outside_eu_seller", [
        line("ScaiControl Pro – Swiss hosting", "1", 25000),
    ], seller=SWISS_SELLER)
    return [nl, de, be, us, fr, bg, gr, world.credit_note(nl, line_count=2), world.credit_note(de)]


def applicable(invoices: list[Invoice], fmt: str) -> list[Invoice]:
    """The invoices whose buyer has what ``fmt`` needs (all of them for PDF and CII)."""
    return [invoice for invoice in invoices if not required_fields(invoice, fmt)]


def with_routing(invoice: Invoice) -> Invoice:
    """A copy whose buyer also has a Peppol id and a Leitweg-ID, so that every VAT case can
    be rendered as Peppol UBL and XRechnung too."""
    buyer = dict(invoice.buyer)
    buyer["peppol_id"] = buyer.get("peppol_id") or "0106:87654321"
    buyer["leitweg_id"] = buyer.get("leitweg_id") or "991-33333TEST-33"
    return replace(invoice, buyer=buyer, updated_at=invoice.updated_at + timedelta(microseconds=1))
