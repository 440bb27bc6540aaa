"""A finalized invoice as every document format sees it.

The domain keeps credit notes negative (that is what the JSON API shows). EN 16931 documents
(UBL CreditNote, CII type 381) state the same amounts positive, the type code carrying the
sign, so this module flips them once and every renderer reads the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mockserver.documents.labels import labels_for, language_of
from mockserver.domain.invoices import Invoice, LineItem
from mockserver.domain.localize import format_date

CENT = Decimal("0.01")
INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"
UNIT_CODE = "C62"  # UN/ECE Rec 20 "one": subscriptions and usage are billed per unit

# VAT exemption reason (BT-120/BT-121) for each category that charges no VAT.
EXEMPTION_CODES = {"AE": "VATEX-EU-AE", "G": "VATEX-EU-G", "O": "VATEX-EU-O"}
DEFAULT_REASONS = {
    "AE": "Reverse charge",
    "G": "Export outside the EU",
    "E": "Exempt from VAT",
    "O": "Not subject to VAT",
}


@dataclass(frozen=True)
class DocumentLine:
    """One invoice line as written: price never negative, the quantity carries any sign."""

    number: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal
    category: str
    rate: Decimal
    period_start: date | None
    period_end: date | None
    base_quantity: int = 1  # the price is that of this many units (BT-149)


@dataclass(frozen=True)
class VatGroup:
    """One VAT breakdown (BG-23): the lines of one category and rate."""

    category: str
    rate: Decimal
    taxable: Decimal
    tax: Decimal
    exemption_code: str | None
    exemption_reason: str | None



@dataclass(frozen=True)
class InvoiceFacts:
    """Everything a renderer needs, with document-sign amounts (positive for credit notes)."""

    invoice: Invoice
    type_code: str
    lines: tuple[DocumentLine, ...]
    vat_groups: tuple[VatGroup, ...]
    line_total: Decimal
    tax_total: Decimal
    grand_total: Decimal
    seller: dict
    buyer: dict

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE_TYPE

    @property
    def not_subject_to_vat(self) -> bool:
        """Category O: EN 16931 then forbids the seller and buyer VAT ids (BR-O-2)."""
        return any(group.category == "O" for group in self.vat_groups)

    @property
    def notes(self) -> list[str]:
        """Free-text notes (BT-22): the invoice's own note, then the VAT legal note."""
        vat = self.invoice.vat
        texts = [self.invoice.notes, vat.legal_note if vat else None]
        return [text for text in texts if text]

    @property
    def pays_by_transfer(self) -> bool:
        """Whether the document asks for a transfer to the seller's account (SEPA credit
        transfer, 58): an invoice from a seller with an IBAN. Otherwise payment means 57, a
        standing agreement, and the PDF asks for no transfer either."""
        return not self.is_credit_note and bool(self.seller.get("iban"))

    @property
    def payment_terms_text(self) -> str:
        """Payment terms (BT-20) in the buyer's language; a credit note says how the credited
        amount is settled."""
        language = language_of(self.buyer)
        labels = labels_for(language, credit_note=self.is_credit_note)
        if self.is_credit_note:
            return labels["terms_credit"].format(number=self.invoice.referenced_invoice_number)
        days = self.seller.get("payment_terms_days")
        if not days:
            return labels["terms_on_receipt"]
        return labels["terms"].format(days=days, date=format_date(self.invoice.due_date,
                                                                  language))


def money(cents: int) -> Decimal:
    """Integer cents as a two-place decimal, the way every format writes amounts."""
    return (Decimal(cents) / 100).quantize(CENT)


def invoice_facts(invoice: Invoice) -> InvoiceFacts:
    """Read a finalized invoice (or credit note) into document terms."""
    if invoice.number is None or invoice.vat is None:
        raise ValueError(f"invoice {invoice.id} is not finalized")
    sign = -1 if invoice.is_credit_note else 1
    items = sorted(invoice.line_items, key=lambda item: item.order_index)
    lines = tuple(_line(n, item, sign) for n, item in enumerate(items, start=1))
    return InvoiceFacts(
        invoice=invoice,
        type_code=CREDIT_NOTE_TYPE if invoice.is_credit_note else INVOICE_TYPE,
        lines=lines,
        vat_groups=_vat_groups(items, lines, sign, invoice.vat.legal_note),
        line_total=money(sign * invoice.subtotal_cents),
        tax_total=money(sign * invoice.tax_cents),
        grand_total=money(sign * invoice.total_cents),
        seller=dict(invoice.seller or {}),
        buyer=dict(invoice.buyer or {}),
    )


def _line(number: int, item: LineItem, sign: int) -> DocumentLine:
    price_cents, quantity = sign * item.unit_price_cents, item.quantity
    if price_cents < 0:
        # EN 16931 forbids a negative net price (BR-27); a negative quantity says the same.
        price_cents, quantity = -price_cents, -quantity
    return DocumentLine(
        number=str(number),
        description=item.description,
        quantity=quantity,
        unit_price=money(price_cents),
        net_amount=money(sign * item.amount_cents),
        category=item.tax_category or "S",
        rate=Decimal(item.tax_rate or 0).quantize(CENT),
        period_start=item.period_start,
        period_end=item.period_end,
        base_quantity=item.unit_divisor,
    )


def _vat_groups(
    items: list[LineItem], lines: tuple[DocumentLine, ...], sign: int, legal_note: str | None
) -> tuple[VatGroup, ...]:
    """Group lines by (category, rate) in order of first appearance.

    The tax of a group is the sum of its lines' tax, exactly as the domain totals it, so the
    breakdown always adds up to the invoice's tax total (BR-CO-14).
    """
    taxable: dict[tuple[str, Decimal], int] = {}
    tax: dict[tuple[str, Decimal], int] = {}
    for item, line in zip(items, lines, strict=True):
        key = (line.category, line.rate)
        taxable[key] = taxable.get(key, 0) + sign * item.amount_cents
        tax[key] = tax.get(key, 0) + sign * item.tax_cents
    return tuple(
        VatGroup(
            category=category,
            rate=rate,
            taxable=money(taxable[(category, rate)]),
            tax=money(tax[(category, rate)]),
            exemption_code=EXEMPTION_CODES.get(category),
            exemption_reason=_reason(category, legal_note),
        )
        for category, rate in taxable
    )


def _reason(category: str, legal_note: str | None) -> str | None:
    if category not in DEFAULT_REASONS:
        return None
    return legal_note or DEFAULT_REASONS[category]


def quantity_text(quantity: Decimal) -> str:
    """A quantity without float noise or needless trailing zeros (``1``, ``2.5``)."""
    text = format(quantity.normalize(), "f")
    return text if text not in ("-0", "") else "0"
