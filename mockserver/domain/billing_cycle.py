"""What time does to billing: collecting due invoices and closing subscription periods.

The clock service moves time forward event by event; each function here decides what one event
does, with ``now`` passed in. Invoices move only through legal transitions.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from mockserver.domain.invoices import Invoice, InvoiceStatus, Line, due_at
from mockserver.domain.subscriptions import (
    BILLABLE_STATES,
    PERIOD_MONTHS,
    Subscription,
    UsageEvent,
    add_months,
    usage_by_tier,
)
from mockserver.domain.tenant import Tenant
from mockserver.domain.vat import line_amount_cents

S = InvoiceStatus
RETRY_EVERY = timedelta(days=1)  # dunning: retried at most daily, and only with a new method


def at_start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), timezone.utc)


def collection_due_at(invoice: Invoice, default_method_id: str | None,
                      since: datetime) -> datetime | None:
    """When ``invoice`` is next charged, if the clock moves on from ``since``.

    An open invoice is charged when the clock passes its due date (one already overdue at
    ``since`` is left to the tenant). A past-due one is retried a day after the last attempt,
    but only once the tenant has a default method that was not tried yet.
    """
    if invoice.is_credit_note or invoice.total_cents <= 0 or invoice.due_date is None:
        return None
    if invoice.status in (S.FINALIZED, S.SENT):
        due = due_at(invoice)
        return due if due > since else None
    if invoice.status is S.PAST_DUE and default_method_id not in (
            None, invoice.last_charge_method_id):
        return max(since, (invoice.last_charge_attempt_at or since) + RETRY_EVERY)
    return None


def collect(tenant: Tenant, invoice: Invoice, now: datetime) -> dict:
    """Charge the tenant's default method: paid on success, past_due when it fails or is absent.

    A finalized invoice is sent first (finalized -> sent is the only legal way on).
    """
    method = tenant.methods.default()
    succeeded = method is not None and not method.fails_charges
    invoice.last_charge_attempt_at, invoice.last_charge_method_id = now, method and method.id
    if invoice.status is S.FINALIZED:
        invoice.transition(S.SENT, now)
    target = S.PAID if succeeded else S.PAST_DUE
    if invoice.status is not target:
        invoice.transition(target, now)
    reason = None if succeeded else ("no default payment method" if method is None
                                     else "the payment method was declined")
    return {"type": "invoice.charged" if succeeded else "invoice.charge_failed",
            "tenant_id": tenant.id, "invoice_id": invoice.id, "number": invoice.number,
            "status": invoice.status.value, "method_id": method.id if method else None,
            "reason": reason, "at": now}


def period_close_at(sub: Subscription) -> datetime | None:
    return at_start_of(sub.current_period_end) if sub.status in BILLABLE_STATES else None


def period_lines(sub: Subscription, usage: list[UsageEvent]) -> list[Line]:
    """The current period's invoice lines: the plan's price (times the quantity) and the
    period's usage, priced by the plan's tiers (a tier that costs nothing is no line)."""
    start, end, last = sub.current_period_start, sub.current_period_end, sub.last_day
    lines = [Line(f"{sub.plan.name} ({sub.plan.billing_period})", Decimal(sub.quantity),
                  sub.plan.base_price_cents, period_start=start, period_end=last)]
    metrics = sorted({t.metric_slug for t in sub.plan.usage_pricing})
    for metric in metrics:
        used = sum(e.quantity for e in usage
                   if e.metric_slug == metric and start <= e.occurred_at.date() < end)
        tiers = [t for t in sub.plan.usage_pricing if t.metric_slug == metric]
        for tier, billed in usage_by_tier(used, tiers):
            if line_amount_cents(billed, tier.unit_price_cents, tier.unit_divisor):
                lines.append(Line(f"{sub.plan.name}: {metric} ({tier.unit_label})", billed,
                                  tier.unit_price_cents, period_start=start, period_end=last,
                                  unit_divisor=tier.unit_divisor))
    return lines


def roll_period(sub: Subscription) -> None:
    """The next period: it starts where the closed one ended and ends on the subscription's
    anchor day (a 28 February start is followed by 31 March for a plan started on the 31st,
    not by 28 March)."""
    months = PERIOD_MONTHS.get(sub.plan.billing_period, 1)
    sub.current_period_start = sub.current_period_end
    sub.current_period_end = add_months(sub.current_period_start, months, sub.anchor_day)
