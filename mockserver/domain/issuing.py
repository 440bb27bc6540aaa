"""Issuing documents: an invoice or a credit note that went through the states asked for.

The one path the billing clock, the default world, scenario files and the test factories share:
a draft is made and filled, finalized (VAT, totals, and the number last) and walked through
the real transitions to its state, with stamps in order (sent after finalization, paid or
past due when the due date begins, void after). Everything that can refuse is checked before
an id or a number is taken, so a refused call leaves the tenant, the ids and the numbering as
they were. Time and ids are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from mockserver.domain.errors import InvalidRequest, NotFound
from mockserver.domain.invoices import (
    Invoice,
    InvoiceStatus,
    Line,
    buyer_and_vat,
    credit_note_for,
    finalize,
    walk_to,
)
from mockserver.domain.numbering import InvoiceNumbering
from mockserver.domain.profile import Seller
from mockserver.domain.tenant import Tenant

S = InvoiceStatus
Period = tuple[date | None, date | None]


def issue_invoice(
    tenant: Tenant,
    lines: Sequence[Line],
    seller: Seller,
    numbering: InvoiceNumbering,
    new_id: Callable[[str], str],
    at: datetime,
    status: InvoiceStatus = S.FINALIZED,
    *,
    period: Period = (None, None),
    pdf_url: str | None = None,
    notes: str | None = None,
) -> Invoice:
    """A new invoice of ``tenant`` issued at ``at`` with ``lines``, walked to ``status``.

    A draft stays a draft (and may have no lines); any other state needs lines and a complete
    billing profile, which are checked first.
    """
    target = InvoiceStatus(status)
    tenant.check_room_for_invoice()
    if target is not S.DRAFT:
        if not lines:
            raise InvalidRequest("Invoice has no line items")
        buyer_and_vat(tenant.profile, seller)  # refuses a missing or incomplete profile
    invoice = Invoice(id=new_id("inv"), tenant_id=tenant.id, created_at=at, updated_at=at,
                      issue_date=at.date(), period_start=period[0], period_end=period[1],
                      pdf_url=pdf_url, notes=notes)
    invoice.replace_lines([line.item(new_id("li")) for line in lines], at)
    return _walked(tenant, invoice, target, seller, numbering, at)


def issue_credit_note(
    tenant: Tenant,
    original: Invoice,
    seller: Seller,
    numbering: InvoiceNumbering,
    new_id: Callable[[str], str],
    at: datetime,
    status: InvoiceStatus = S.FINALIZED,
    *,
    line_ids: list[str] | None = None,
    period: Period = (None, None),
    pdf_url: str | None = None,
    notes: str | None = None,
) -> Invoice:
    """A credit note of ``tenant``'s ``original`` (all its lines, or those in ``line_ids``),
    issued at ``at`` with its own number and the original's VAT, walked to ``status``.

    ``period`` and ``notes`` replace what the note takes from the original when given.
    """
    target = InvoiceStatus(status)
    if original.tenant_id != tenant.id:
        raise NotFound(f"Invoice '{original.id}' not found")
    tenant.check_room_for_invoice()
    note = credit_note_for(original, new_id, at, line_ids)  # refuses before taking an id
    note.issue_date = at.date()
    note.period_start = period[0] or note.period_start
    note.period_end = period[1] or note.period_end
    note.pdf_url = pdf_url
    note.notes = note.notes if notes is None else notes
    return _walked(tenant, note, target, seller, numbering, at, original)


def _walked(tenant: Tenant, invoice: Invoice, target: InvoiceStatus, seller: Seller,
            numbering: InvoiceNumbering, at: datetime, original: Invoice | None = None
            ) -> Invoice:
    if target is not S.DRAFT:
        finalize(invoice, tenant.profile, seller, numbering, at, original=original)
        default = tenant.methods.default()
        walk_to(invoice, target, at, default.id if default else None)
    return tenant.add_invoice(invoice)
