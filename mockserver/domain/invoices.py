"""Invoices and credit notes: the state machine, finalization and totals.

States and transitions are exactly the documented ones; an illegal move raises
:class:`~mockserver.domain.errors.Conflict` naming the current state and the legal next ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Callable

from mockserver.domain.errors import Conflict, InvalidRequest
from mockserver.domain.numbering import InvoiceNumbering
from mockserver.domain.profile import BillingProfile, Seller
from mockserver.domain.vat import VATDetermination, determine_vat, line_amount_cents, tax_cents


class InvoiceStatus(str, Enum):
    DRAFT = "draft"
    FINALIZED = "finalized"
    SENT = "sent"
    PAST_DUE = "past_due"
    PAID = "paid"
    VOID = "void"


S = InvoiceStatus
TRANSITIONS: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    S.DRAFT: frozenset({S.FINALIZED, S.VOID}),
    S.FINALIZED: frozenset({S.SENT, S.VOID}),
    S.SENT: frozenset({S.PAST_DUE, S.PAID, S.VOID}),
    S.PAST_DUE: frozenset({S.PAID, S.VOID}),
    S.PAID: frozenset(),
    S.VOID: frozenset(),
}
# States a tenant may see: drafts have no legal force and stay internal.
TENANT_VISIBLE = frozenset(TRANSITIONS) - {S.DRAFT}
# States in which money is still owed.
OPEN_STATES = frozenset({S.FINALIZED, S.SENT, S.PAST_DUE})


@dataclass(slots=True)
class LineItem:
    id: str
    description: str
    quantity: Decimal
    unit_price_cents: int
    order_index: int = 0
    tax_rate: Decimal | None = None  # None: inherit the invoice's rate at finalization
    tax_category: str | None = None
    amount_cents: int = 0
    tax_cents: int = 0
    period_start: date | None = None
    period_end: date | None = None
    unit_divisor: int = 1  # the price is that of this many units (EN 16931 BT-149)

    def __post_init__(self) -> None:
        if self.unit_divisor < 1:
            raise InvalidRequest("unit_divisor must be at least 1")
        self.amount_cents = line_amount_cents(self.quantity, self.unit_price_cents,
                                              self.unit_divisor)


@dataclass(frozen=True, slots=True)
class Line:
    """What a line bills, before it is a line item of an invoice (and has an id)."""

    description: str
    quantity: Decimal
    unit_price_cents: int
    tax_rate: Decimal | None = None  # None: inherit the invoice's rate at finalization
    period_start: date | None = None
    period_end: date | None = None
    unit_divisor: int = 1

    def item(self, line_id: str) -> LineItem:
        return LineItem(line_id, self.description, self.quantity, self.unit_price_cents,
                        tax_rate=self.tax_rate, period_start=self.period_start,
                        period_end=self.period_end, unit_divisor=self.unit_divisor)


@dataclass(slots=True)
class Invoice:
    id: str
    tenant_id: str
    created_at: datetime
    updated_at: datetime
    currency: str = "EUR"
    document_type: str = "invoice"  # invoice | credit_note
    referenced_invoice_id: str | None = None
    referenced_invoice_number: str | None = None
    referenced_invoice_date: date | None = None  # the corrected invoice's issue date (BT-26)
    status: InvoiceStatus = S.DRAFT
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    notes: str | None = None
    line_items: list[LineItem] = field(default_factory=list)
    subtotal_cents: int = 0
    tax_cents: int = 0
    total_cents: int = 0
    vat: VATDetermination | None = None
    buyer: dict | None = None
    seller: dict | None = None
    pdf_url: str | None = None
    finalized_at: datetime | None = None
    sent_at: datetime | None = None
    paid_at: datetime | None = None
    past_due_at: datetime | None = None
    voided_at: datetime | None = None
    last_charge_attempt_at: datetime | None = None
    last_charge_method_id: str | None = None
    # Counts every change after construction (any attribute set): what is derived from an
    # invoice (its encoded JSON, its documents) is keyed by it, so no change can be missed.
    revision: int = field(default=0, init=False, compare=False, repr=False)

    def __setattr__(self, name: str, value) -> None:
        object.__setattr__(self, name, value)
        if name != "revision":
            object.__setattr__(self, "revision", getattr(self, "revision", -1) + 1)

    @property
    def amount_due_cents(self) -> int:
        """What is still owed: the total while open, nothing once paid, void or a draft."""
        return self.total_cents if self.status in OPEN_STATES else 0

    @property
    def is_credit_note(self) -> bool:
        return self.document_type == "credit_note"

    def transition(self, target: InvoiceStatus, now: datetime) -> None:
        """Move to ``target`` if the state machine allows it, stamping the matching time."""
        self.check_transition(target)
        self.status = target
        self.updated_at = now
        stamp = {S.FINALIZED: "finalized_at", S.SENT: "sent_at", S.PAID: "paid_at",
                 S.PAST_DUE: "past_due_at", S.VOID: "voided_at"}[target]
        setattr(self, stamp, now)

    def check_transition(self, target: InvoiceStatus) -> None:
        """Raise :class:`Conflict` unless ``target`` is a legal next state."""
        legal = TRANSITIONS[self.status]
        if target not in legal:
            allowed = ", ".join(sorted(s.value for s in legal)) or "none (terminal state)"
            raise Conflict(
                f"Invoice {self.number or self.id} is '{self.status.value}'; "
                f"cannot move to '{target.value}'. Allowed next states: {allowed}",
                current=self.status.value,
                allowed=sorted(s.value for s in legal),
            )

    def replace_lines(self, lines: list[LineItem], now: datetime) -> None:
        """Drafts only: replace the whole line list and renumber ``order_index`` 0..N."""
        if self.status is not S.DRAFT:
            raise Conflict(f"Invoice {self.number} is finalized and can no longer change")
        self.line_items = [replace(line, order_index=i) for i, line in enumerate(lines)]
        self.updated_at = now


def finalize(
    invoice: Invoice,
    profile: BillingProfile | None,
    seller: Seller,
    numbering: InvoiceNumbering,
    now: datetime,
    original: Invoice | None = None,
) -> Invoice:
    """Lock a draft: snapshot buyer and seller, determine VAT, total it, number it.

    Everything that can fail runs before the number is allocated, so a refused finalization
    uses no number. A credit note takes the VAT and buyer frozen on its original invoice.
    """
    if invoice.status is not S.DRAFT:
        invoice.transition(S.FINALIZED, now)  # raises the standard conflict
    if not invoice.line_items:
        raise InvalidRequest("Invoice has no line items")
    if original is not None:
        buyer, vat = dict(original.buyer or {}), original.vat
    else:
        buyer, vat = buyer_and_vat(profile, seller)
    assert vat is not None
    _apply_vat(invoice.line_items, vat)
    invoice.subtotal_cents = sum(line.amount_cents for line in invoice.line_items)
    invoice.tax_cents = sum(line.tax_cents for line in invoice.line_items)
    invoice.total_cents = invoice.subtotal_cents + invoice.tax_cents
    invoice.vat, invoice.buyer, invoice.seller = vat, buyer, seller.snapshot()
    invoice.issue_date = invoice.issue_date or now.date()
    invoice.due_date = invoice.due_date or invoice.issue_date + timedelta(
        days=seller.payment_terms_days
    )
    invoice.number = numbering.allocate(invoice.document_type, invoice.issue_date.year)
    invoice.transition(S.FINALIZED, now)
    return invoice


def buyer_and_vat(profile: BillingProfile | None, seller: Seller
                  ) -> tuple[dict, VATDetermination]:
    """The buyer snapshot and VAT an invoice of this buyer is finalized with; refuses a
    missing or incomplete profile (what finalization needs, checkable before it starts)."""
    if profile is None:
        raise InvalidRequest("tenant has no billing profile")
    missing = profile.missing_for_finalization()
    if missing:
        raise InvalidRequest(
            f"billing profile is missing {', '.join(missing)}", missing_fields=missing
        )
    vat = determine_vat(
        seller.country_code, profile.country_code or "", profile.vat_number,
        profile.is_business, profile.tax_exempt,
    )
    return profile.buyer_snapshot(), vat


def due_at(invoice: Invoice) -> datetime | None:
    """When an open invoice falls due and is charged: the start (UTC) of its due date."""
    if invoice.due_date is None:
        return None
    return datetime.combine(invoice.due_date, time(0), timezone.utc)


# How a finalized invoice reaches each state through legal transitions only.
PATH_FROM_FINALIZED = {
    S.FINALIZED: (), S.SENT: (S.SENT,), S.PAID: (S.SENT, S.PAID),
    S.PAST_DUE: (S.SENT, S.PAST_DUE), S.VOID: (S.VOID,),
}


def walk_to(invoice: Invoice, target: InvoiceStatus, at: datetime,
            charged_with: str | None = None) -> None:
    """Move a finalized invoice to ``target`` through legal transitions only.

    Sent five minutes after ``at``; paid or past due when its due date begins, as the billing
    clock charges it (an invoice's charge is stamped with ``charged_with``, the tenant's
    default method: a paid one only when there was one, a past-due one also when there was
    none); void an hour after ``at``.
    """
    for step in PATH_FROM_FINALIZED[target]:
        if step in (S.PAID, S.PAST_DUE) and invoice.due_date:
            when = max(at, due_at(invoice))
        else:
            when = at + timedelta(minutes=5 if step is S.SENT else 60)
        invoice.transition(step, when)
        charged = step is S.PAST_DUE or (step is S.PAID and charged_with is not None)
        if charged and not invoice.is_credit_note:
            invoice.last_charge_attempt_at, invoice.last_charge_method_id = when, charged_with
        at = when


def _apply_vat(lines: list[LineItem], vat: VATDetermination) -> None:
    """Per-line rate and tax. A line's own rate (a reduced rate) counts only in the S case."""
    for line in lines:
        rate = vat.tax_rate
        category = vat.tax_category
        if vat.tax_category == "S" and line.tax_rate is not None:
            rate = line.tax_rate
            category = "S" if rate > 0 else "Z"
        line.tax_rate, line.tax_category = rate, category
        line.tax_cents = tax_cents(line.amount_cents, rate)


def credit_note_for(
    original: Invoice,
    new_id: Callable[[str], str],
    now: datetime,
    line_ids: list[str] | None = None,
) -> Invoice:
    """A draft credit note negating ``original`` (all lines, or the ones named)."""
    if original.is_credit_note:
        raise Conflict("A credit note cannot itself be credited")
    if original.status in (S.DRAFT, S.VOID):
        raise Conflict(f"Cannot credit an invoice in state '{original.status.value}'")
    chosen = [line for line in original.line_items if line_ids is None or line.id in line_ids]
    if not chosen:
        raise InvalidRequest("No line items to credit")
    lines = [
        LineItem(
            id=new_id("li"), description=line.description, quantity=line.quantity,
            unit_price_cents=-line.unit_price_cents, order_index=i,
            tax_rate=line.tax_rate if line.tax_category in ("S", "Z") else None,
            period_start=line.period_start, period_end=line.period_end,
            unit_divisor=line.unit_divisor,
        )
        for i, line in enumerate(chosen)
    ]
    return Invoice(
        id=new_id("inv"), tenant_id=original.tenant_id, created_at=now, updated_at=now,
        currency=original.currency, document_type="credit_note",
        referenced_invoice_id=original.id, referenced_invoice_number=original.number,
        referenced_invoice_date=original.issue_date, period_start=original.period_start,
        period_end=original.period_end, line_items=lines,
        notes=f"Credit note for invoice {original.number}",
    )
