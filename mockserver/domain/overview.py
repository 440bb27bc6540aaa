"""The billing overview: what a tenant's billing dashboard shows at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mockserver.domain.invoices import InvoiceStatus
from mockserver.domain.payment_methods import PaymentMethod
from mockserver.domain.profile import Seller
from mockserver.domain.subscriptions import BILLABLE_STATES, estimate_upcoming
from mockserver.domain.tenant import Tenant

OPEN = (InvoiceStatus.FINALIZED, InvoiceStatus.SENT, InvoiceStatus.PAST_DUE)


@dataclass
class Overview:
    data: dict
    default_method: PaymentMethod | None


def billing_overview(tenant: Tenant, seller: Seller, now: datetime) -> Overview:
    invoices = tenant.visible_invoices()
    open_invoices = [i for i in invoices if i.status in OPEN and not i.is_credit_note]
    past_due = [i for i in open_invoices if i.status is InvoiceStatus.PAST_DUE]
    credits = [i for i in invoices if i.is_credit_note and i.status in OPEN]
    billable = [s for s in tenant.subscriptions if s.status in BILLABLE_STATES]
    upcoming = estimate_upcoming(tenant.subscriptions, list(tenant.usage), tenant.profile,
                                 seller, now)
    last = next((i for i in invoices if not i.is_credit_note), None)
    profile = tenant.profile
    data = {
        "currency": upcoming.currency,
        "has_billing_profile": profile is not None,
        "missing_profile_fields": (
            profile.missing_for_finalization() if profile else
            ["company_name", "address_line1", "postal_code", "city", "country_code"]
        ),
        "outstanding_cents": sum(i.amount_due_cents for i in open_invoices),
        "past_due_cents": sum(i.amount_due_cents for i in past_due),
        "credit_balance_cents": -sum(i.amount_due_cents for i in credits),
        "open_invoice_count": len(open_invoices),
        "past_due_invoice_count": len(past_due),
        "invoice_count": len(invoices),
        "last_invoice": None if last is None else {
            "id": last.id, "number": last.number, "status": last.status.value,
            "issue_date": last.issue_date, "due_date": last.due_date,
            "total_cents": last.total_cents,
        },
        "next_invoice_date": upcoming.issue_date,
        "upcoming_total_cents": upcoming.subtotal_cents + upcoming.tax_cents,
        "mrr_cents": sum(s.mrr_cents for s in billable),
        "subscriptions": [
            {
                "id": s.id, "plan_key": s.plan.plan_key, "plan_name": s.plan.name,
                "status": s.status, "billing_period": s.plan.billing_period,
                "quantity": s.quantity, "price_cents": s.plan.base_price_cents * s.quantity,
                "mrr_cents": s.mrr_cents, "current_period_start": s.current_period_start,
                "current_period_end": s.last_day,
            }
            for s in tenant.subscriptions
        ],
    }
    return Overview(data, tenant.methods.default())
