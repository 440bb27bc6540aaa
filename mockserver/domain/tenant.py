"""The tenant aggregate: everything one tenant owns, and nothing of anyone else's."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from mockserver.domain.errors import LimitReached, NotFound
from mockserver.domain.invoices import TENANT_VISIBLE, Invoice, InvoiceStatus
from mockserver.domain.payment_methods import PaymentMethodBook
from mockserver.domain.profile import BillingProfile
from mockserver.domain.subscriptions import Subscription, UsageEvent

MAX_INVOICES = 5_000
MAX_USAGE_EVENTS = 10_000


@dataclass
class Tenant:
    id: str
    created_at: datetime
    name: str | None = None
    profile: BillingProfile | None = None
    invoices: dict[str, Invoice] = field(default_factory=dict)
    methods: PaymentMethodBook = field(default_factory=PaymentMethodBook)
    subscriptions: list[Subscription] = field(default_factory=list)
    usage: deque[UsageEvent] = field(default_factory=lambda: deque(maxlen=MAX_USAGE_EVENTS))

    def add_invoice(self, invoice: Invoice) -> Invoice:
        self.check_room_for_invoice()
        self.invoices[invoice.id] = invoice
        return invoice

    def check_room_for_invoice(self) -> None:
        """Refuse before an invoice is numbered, not after, when the tenant keeps no more."""
        if len(self.invoices) >= MAX_INVOICES:
            raise LimitReached(f"A tenant can keep at most {MAX_INVOICES} invoices")

    def visible_invoice(self, invoice_id: str) -> Invoice:
        """An invoice the tenant may see; drafts and unknown ids are both not found."""
        invoice = self.invoices.get(invoice_id)
        if invoice is None or invoice.status not in TENANT_VISIBLE:
            raise NotFound(f"Invoice '{invoice_id}' not found")
        return invoice

    def visible_invoices(self, status: InvoiceStatus | None = None) -> list[Invoice]:
        """Newest first: by issue date, then finalization time, then number."""
        found = [
            inv for inv in self.invoices.values()
            if inv.status in TENANT_VISIBLE and (status is None or inv.status is status)
        ]
        found.sort(key=lambda i: (i.issue_date, i.finalized_at, i.number or ""), reverse=True)
        return found
