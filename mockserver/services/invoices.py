"""Invoice use cases: list, detail, send."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mockserver.domain.errors import InvalidRequest
from mockserver.domain.invoices import Invoice, InvoiceStatus
from mockserver.domain.mail import invoice_message
from mockserver.documents import DocumentCache
from mockserver.services.documents import attachments
from mockserver.services.mailer import deliver
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


def send_invoice(store: Store, cache: DocumentCache, tenant_id: str, invoice_id: str,
                 smtp_url: str | None = None) -> dict:
    """Mail the invoice to the billing contact; ``finalized`` -> ``sent`` (a re-send stays sent).

    Everything that can fail (state, recipient, documents) is checked before the state
    changes, so a refused send changes nothing.
    """
    with store.lock:
        tenant = store.tenant(tenant_id)
        invoice = tenant.visible_invoice(invoice_id)
        _check_sendable(invoice, tenant.profile)
        preferred = tenant.profile.preferred_einvoice_format
    documents = attachments(cache, invoice, preferred)  # slow: outside the lock
    with store.lock:
        _check_sendable(invoice, tenant.profile)  # it may have moved meanwhile
        now = store.clock.now()
        message = invoice_message(
            invoice, tenant.profile.contact_email, tenant.profile.preferred_language,
            store.ids.new("msg"), now,
            [{"filename": d.filename, "content_type": d.media_type, "size": len(d.content)}
             for d in documents])
        if invoice.status is not InvoiceStatus.SENT:
            invoice.transition(InvoiceStatus.SENT, now)
        store.outbox.append(message)
    if smtp_url:
        message["delivery"] = deliver(smtp_url, message, documents)
    return message


def _check_sendable(invoice: Invoice, profile) -> None:
    if invoice.status is not InvoiceStatus.SENT:
        invoice.check_transition(InvoiceStatus.SENT)
    if profile is None or not profile.contact_email:
        raise InvalidRequest("The billing profile has no contact_email to send the invoice to")

