"""Invoice use cases: list, detail, send."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from mockserver.domain.errors import Conflict, InvalidRequest
from mockserver.domain.invoices import Invoice, InvoiceStatus
from mockserver.domain.mail import invoice_message
from mockserver.services.documents import attachments
from mockserver.services.mailer import Mailer
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
        tenant = store.tenant(tenant_id)
        try:
            found = tenant.visible_invoices(InvoiceStatus(status) if status else None)
        except ValueError:  # no such state: nothing is in it (the API types status as str)
            found = []
    start = (page - 1) * page_size
    return Page(found[start:start + page_size], page, page_size, len(found))


def get_invoice(store: Store, tenant_id: str, invoice_id: str) -> Invoice:
    with store.lock:
        return store.tenant(tenant_id).visible_invoice(invoice_id)


MAX_SEND_ATTEMPTS = 3


@dataclass(frozen=True)
class Sent:
    """A send's outcome: the outbox message, and the invoice's own ``sent_at`` (its first
    send; a re-send mails again but the invoice stays sent since then)."""

    message: dict
    sent_at: datetime


def send_invoice(world: World, tenant_id: str, invoice_id: str,
                 mailer: Mailer | None = None) -> Sent:
    """Mail the invoice to the billing contact; ``finalized`` -> ``sent`` (a re-send stays sent).

    Everything that can fail (state, recipient, documents) is checked before the state
    changes, so a refused send changes nothing. The documents are rendered outside the lock
    from a copy of the invoice; if the whole world changed meanwhile (a reset, a load), the
    send starts again in the new world, so the state change and the mail in the outbox always
    belong to the same world. With a ``mailer`` the message is also queued for delivery (off
    the request path); its outcome joins the outbox record when it is known.
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
            invoice = tenant.visible_invoice(invoice_id)
            message = _message(store, tenant, invoice, documents)  # nothing changed yet
            if mailer is not None:  # never raises: what cannot be mailed is a failed delivery
                message["delivery"] = mailer.submit(
                    message, documents, lambda outcome: _record_delivery(
                        world, message["message_id"], outcome))
            _record_send(store, invoice, message)
            sent = Sent(message, invoice.sent_at)
        return sent
    raise Conflict("The world changed during every attempt to send the invoice; try again")


def _record_delivery(world: World, message_id: str, outcome: dict) -> None:
    """The delivery's outcome on its outbox record (found by id: a snapshot restored
    meanwhile holds its own copy of the record, which learns the outcome too)."""
    with world.held() as store:
        for message in store.outbox:
            if message["message_id"] == message_id:
                message["delivery"] = outcome


def _message(store: Store, tenant, invoice: Invoice, documents) -> dict:
    """The outbox record of the send (checked first; the world does not change)."""
    _check_sendable(invoice, tenant.profile)
    return invoice_message(
        invoice, tenant.profile.contact_email, tenant.profile.preferred_language,
        store.ids.new("msg"), store.clock.now(),
        [{"filename": d.filename, "content_type": d.media_type, "size": len(d.content),
          "format": d.format} for d in documents])


def _record_send(store: Store, invoice: Invoice, message: dict) -> None:
    if invoice.status is not InvoiceStatus.SENT:
        invoice.transition(InvoiceStatus.SENT, message["sent_at"])
    store.outbox.append(message)


def _check_sendable(invoice: Invoice, profile) -> None:
    if invoice.status is not InvoiceStatus.SENT:
        invoice.check_transition(InvoiceStatus.SENT)
    if profile is None or not profile.contact_email:
        raise InvalidRequest("The billing profile has no contact_email to send the invoice to")

