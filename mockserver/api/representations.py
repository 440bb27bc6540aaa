"""Domain objects as the API's JSON shapes (names and types as openapi/billing.yaml says)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from mockserver.edge.envelope import encode, rfc3339
from mockserver.domain.invoices import Invoice, LineItem
from mockserver.domain.payment_methods import PaymentMethod
from mockserver.domain.profile import EDITABLE_FIELDS, BillingProfile
from mockserver.domain.providers import Provider
from mockserver.domain.vat import format_rate


def profile_json(profile: BillingProfile | None) -> dict | None:
    if profile is None:
        return None
    fields = {name: getattr(profile, name) for name in EDITABLE_FIELDS}
    return {"tenant_id": profile.tenant_id, **fields, "created_at": rfc3339(profile.created_at),
            "updated_at": rfc3339(profile.updated_at)}


def line_json(line: LineItem) -> dict:
    return {
        "id": line.id, "order_index": line.order_index, "description": line.description,
        "quantity": _decimal(line.quantity), "unit_price_cents": line.unit_price_cents,
        "unit_divisor": line.unit_divisor, "amount_cents": line.amount_cents,
        "tax_category": line.tax_category,
        "tax_rate": format_rate(line.tax_rate), "tax_cents": line.tax_cents,
        "period_start": _day(line.period_start), "period_end": _day(line.period_end),
    }


def invoice_json(invoice: Invoice, detail: bool) -> dict:
    """Times and dates are written here as the API's strings: the JSON encoder's ``default``
    hook would otherwise be called a dozen times per invoice (most of a list's encoding)."""
    vat = invoice.vat
    return {
        "id": invoice.id, "number": invoice.number, "document_type": invoice.document_type,
        "referenced_invoice_id": invoice.referenced_invoice_id,
        "referenced_invoice_number": invoice.referenced_invoice_number,
        "status": invoice.status.value, "currency": invoice.currency,
        "issue_date": _day(invoice.issue_date), "due_date": _day(invoice.due_date),
        "period_start": _day(invoice.period_start), "period_end": _day(invoice.period_end),
        "subtotal_cents": invoice.subtotal_cents, "tax_cents": invoice.tax_cents,
        "total_cents": invoice.total_cents, "amount_due_cents": invoice.amount_due_cents,
        "tax_rate": format_rate(vat.tax_rate), "tax_category": vat.tax_category,
        "reverse_charge": vat.reverse_charge, "tax_label": vat.tax_label,
        "legal_note": vat.legal_note, "notes": invoice.notes,
        "buyer": invoice.buyer, "seller": invoice.seller, "pdf_url": invoice.pdf_url,
        "finalized_at": _time(invoice.finalized_at), "sent_at": _time(invoice.sent_at),
        "paid_at": _time(invoice.paid_at), "voided_at": _time(invoice.voided_at),
        "created_at": rfc3339(invoice.created_at), "updated_at": rfc3339(invoice.updated_at),
        "line_items": [line_json(line) for line in invoice.line_items] if detail else None,
    }


def invoice_bytes(world, invoice: Invoice, detail: bool) -> bytes:
    """The invoice's JSON, encoded once per world generation and invoice revision (a list
    shows the same unchanged invoices on every call)."""
    return world.encoded_invoice(invoice, "detail" if detail else "summary",
                                 lambda found: encode(invoice_json(found, detail)))


def method_json(method: PaymentMethod) -> dict:
    data = asdict(method)
    data.pop("fails_charges")
    return data


def provider_json(provider: Provider) -> dict:
    return {
        "slug": provider.slug, "name": provider.name,
        "method_types": list(provider.method_types), "setup_flow": provider.setup_flow,
        "description": provider.description,
    }


def _time(value: datetime | None) -> str | None:
    return None if value is None else rfc3339(value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _decimal(value) -> str:
    """Decimal strings without exponent or trailing zeros: ``1``, ``12.345``."""
    text = format(value.normalize(), "f")
    return text
