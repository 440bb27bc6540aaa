"""Invoice use cases: list, detail, send; and building invoices through the real transitions."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from mockserver.domain.errors import Conflict, InvalidRequest
from mockserver.domain.invoices import Invoice, InvoiceStatus, LineItem, finalize
from mockserver.domain.mail import invoice_message
from mockserver.services.documents import attachments
from mockserver.services.mailer import deliver
from mockserver.services.world import World
from mockserver.state import Store


@dataclass(frozen=True)
class Page:
    items: list[Invoice]
    page: int
    page_size: int
    total: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.page_size)


def list_invoices(store: Store, tenant_id: str, page: int = 1, page_size: int = 20,
                  status: str | None = None) -> Page:
    with store.lock:
        found = store.tenant(tenant_id).visible_invoices(
            InvoiceStatus(status) if status else None
        )
    start = (page - 1) * page_size
    return Page(found[start:start + page_size], page, page_size, len(found))


def get_invoice(store: Store, tenant_id: str, invoice_id: str) -> Invoice:
    with store.lock:
        return store.tenant(tenant_id).visible_invoice(invoice_id)


MAX_SEND_ATTEMPTS = 3


def send_invoice(world: World, tenant_id: str, invoice_id: str,
                 smtp_url: str | None = None) -> dict:
    """Mail the invoice to the billing contact; ``finalized`` -> ``sent`` (a re-send stays sent).

    Everything that can fail (state, recipient, documents) is checked before the state
    changes, so a refused send changes nothing. The documents are rendered outside the lock
    from a copy of the invoice; if the whole world changed meanwhile (a reset, a load), the
    send starts again in the new world, so the state change and the mail in the outbox always
    belong to the same world.
    """
    for _ in range(MAX_SEND_ATTEMPTS):
        with world.held() as store:
            generation = store.generation
            tenant = store.tenant(tenant_id)
            invoice = tenant.visible_invoice(invoice_id)
            _check_sendable(invoice, tenant.profile)
            snapshot, version = world.readable_copy(invoice)
            preferred = tenant.profile.preferred_einvoice_format
        documents = attachments(world, snapshot, version, preferred)  # slow: outside the lock
        with world.held() as store:
            if store.generation != generation:
                continue  # another world now: what was read belongs to none
            tenant = store.tenant(tenant_id)  # read again: it may have moved meanwhile
            message = _record_send(store, tenant, tenant.visible_invoice(invoice_id), documents)
        if smtp_url:
            message["delivery"] = deliver(smtp_url, message, documents)
        return message
    raise Conflict("The world changed during every attempt to send the invoice; try again")


def _record_send(store: Store, tenant, invoice: Invoice, documents) -> dict:
    _check_sendable(invoice, tenant.profile)
    now = store.clock.now()
    message = invoice_message(
        invoice, tenant.profile.contact_email, tenant.profile.preferred_language,
        store.ids.new("msg"), now,
        [{"filename": d.filename, "content_type": d.media_type, "size": len(d.content)}
         for d in documents])
    if invoice.status is not InvoiceStatus.SENT:
        invoice.transition(InvoiceStatus.SENT, now)
    store.outbox.append(message)
    return message


def _check_sendable(invoice: Invoice, profile) -> None:
    if invoice.status is not InvoiceStatus.SENT:
        invoice.check_transition(InvoiceStatus.SENT)
    if profile is None or not profile.contact_email:
        raise InvalidRequest("The billing profile has no contact_email to send the invoice to")


def create_finalized(store: Store, tenant_id: str, lines: list[LineItem], *,
                     issue_at: datetime | None = None, period: tuple | None = None,
                     original: Invoice | None = None, pdf_url: str | None = None) -> Invoice:
    """Draft, fill and finalize an invoice (or a credit note of ``original``) for a tenant."""
    with store.lock:
        tenant = store.tenant(tenant_id)
        at = issue_at or store.clock.now()
        invoice = Invoice(
            id=store.ids.new("inv"), tenant_id=tenant_id, created_at=at, updated_at=at,
            issue_date=at.date(), period_start=period[0] if period else None,
            period_end=period[1] if period else None, pdf_url=pdf_url,
        )
        if original is not None:
            invoice.document_type = "credit_note"
            invoice.referenced_invoice_id = original.id
            invoice.referenced_invoice_number = original.number
        invoice.replace_lines(lines, at)
        finalize(invoice, tenant.profile, store.seller, store.numbering, at, original=original)
        return tenant.add_invoice(invoice)
