"""Plans, subscriptions, metered usage and the upcoming-invoice estimate."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from mockserver.domain.profile import BillingProfile, Seller
from mockserver.domain.vat import (
    VATDetermination,
    determine_vat,
    format_rate,
    line_amount_cents,
    tax_cents,
)

PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
BILLABLE_STATES = ("trialing", "active", "past_due", "cancelling")


@dataclass(frozen=True)
class UsageTier:
    """Graduated price: units in ``[tier_start, tier_end)`` cost ``unit_price_cents`` per divisor."""

    metric_slug: str
    unit_price_cents: int
    unit_label: str = "unit"
    tier_start: int = 0
    tier_end: int | None = None
    unit_divisor: int = 1


@dataclass(frozen=True)
class Plan:
    slug: str
    name: str
    service_slug: str
    base_price_cents: int
    billing_period: str = "monthly"  # monthly | quarterly | yearly
    tier: str = "starter"
    currency: str = "EUR"
    usage_pricing: tuple[UsageTier, ...] = ()

    @property
    def plan_key(self) -> str:
        return f"{self.service_slug}.{self.slug}"

    @property
    def mrr_cents(self) -> int:
        """The price normalised to one month, as the docs' MRR table does."""
        return self.base_price_cents // PERIOD_MONTHS.get(self.billing_period, 1)


@dataclass
class Subscription:
    """``current_period_end`` is the period's boundary: the day it closes, is invoiced and the
    next period starts. The period's last day, what invoices and the API show, is the day
    before (:attr:`last_day`), so two periods never share a day.

    ``anchor_day`` is the day of the month every period starts on, the first period's (0:
    take it from ``current_period_start``). A shorter month starts it on its last day and the
    next month returns to it: from 31 January, 28 February, then 31 March, 30 April.
    """

    id: str
    plan: Plan
    current_period_start: date
    current_period_end: date
    status: str = "active"
    quantity: int = 1
    anchor_day: int = 0

    def __post_init__(self) -> None:
        if not self.anchor_day:
            self.anchor_day = self.current_period_start.day
        if not 1 <= self.anchor_day <= 31:
            raise ValueError(f"anchor_day {self.anchor_day} is not a day of a month")

    @property
    def mrr_cents(self) -> int:
        return self.plan.mrr_cents * self.quantity if self.status in BILLABLE_STATES else 0

    @property
    def last_day(self) -> date:
        return last_day_before(self.current_period_end)


def last_day_before(boundary: date) -> date:
    """The last day of a period that ends when the next one starts on ``boundary``."""
    return boundary - timedelta(days=1)


@dataclass(frozen=True)
class UsageEvent:
    metric_slug: str
    quantity: int
    occurred_at: datetime


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """``months`` calendar months after ``day``, on ``anchor_day`` (else ``day``'s day), or on
    the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(anchor_day or day.day, calendar.monthrange(year, month)[1]))


def usage_by_tier(quantity: int, tiers: list[UsageTier]) -> list[tuple[UsageTier, Decimal]]:
    """Split ``quantity`` units over graduated tiers: (tier, units billed in it). A tier's
    price is that of ``unit_divisor`` units, so the units stay units (5,441 calls at 20 cents
    per 1,000), never a fraction of the divisor."""
    pieces = []
    for tier in sorted(tiers, key=lambda t: t.tier_start):
        upper = quantity if tier.tier_end is None else min(quantity, tier.tier_end)
        units = max(0, upper - tier.tier_start)
        if units:
            pieces.append((tier, Decimal(units)))
    return pieces


def price_usage(quantity: int, tiers: list[UsageTier]) -> int:
    """Graduated tiered price of ``quantity`` units in cents (each tier rounded half-up)."""
    return sum(line_amount_cents(billed, tier.unit_price_cents, tier.unit_divisor)
               for tier, billed in usage_by_tier(quantity, tiers))


@dataclass
class EstimateLine:
    description: str
    kind: str  # subscription | usage
    quantity: Decimal
    unit_price_cents: int
    amount_cents: int
    period_start: date
    period_end: date
    plan_key: str
    metric_slug: str | None = None
    tax_cents: int = 0
    unit_divisor: int = 1


@dataclass
class UpcomingEstimate:
    currency: str
    period_start: date | None
    period_end: date | None
    issue_date: date | None
    vat: VATDetermination
    lines: list[EstimateLine] = field(default_factory=list)

    @property
    def subtotal_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def tax_cents(self) -> int:
        return sum(line.tax_cents for line in self.lines)

    def as_dict(self) -> dict:
        return {
            "currency": self.currency,
            "issue_date": self.issue_date,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "subtotal_cents": self.subtotal_cents,
            "tax_cents": self.tax_cents,
            "total_cents": self.subtotal_cents + self.tax_cents,
            "tax_rate": format_rate(self.vat.tax_rate),
            "tax_category": self.vat.tax_category,
            "reverse_charge": self.vat.reverse_charge,
            "tax_label": self.vat.tax_label,
            "legal_note": self.vat.legal_note,
            "line_items": [
                {
                    "description": line.description, "kind": line.kind,
                    "plan_key": line.plan_key, "metric_slug": line.metric_slug,
                    "quantity": str(line.quantity),
                    "unit_price_cents": line.unit_price_cents,
                    "unit_divisor": line.unit_divisor,
                    "amount_cents": line.amount_cents,
                    "tax_rate": format_rate(self.vat.tax_rate),
                    "tax_category": self.vat.tax_category,
                    "tax_cents": line.tax_cents,
                    "period_start": line.period_start, "period_end": line.period_end,
                }
                for line in self.lines
            ],
        }


def vat_for(profile: BillingProfile | None, seller: Seller) -> VATDetermination:
    """VAT for an estimate; without a profile the buyer is taken as a domestic consumer."""
    if profile is None or not profile.country_code:
        return determine_vat(seller.country_code, seller.country_code, None, False)
    return determine_vat(seller.country_code, profile.country_code, profile.vat_number,
                         profile.is_business, profile.tax_exempt)


def estimate_upcoming(
    subscriptions: list[Subscription],
    usage: list[UsageEvent],
    profile: BillingProfile | None,
    seller: Seller,
    now: datetime,
) -> UpcomingEstimate:
    """The next invoice: the subscriptions whose period ends first (a monthly plan before a
    yearly one), each with its price and its usage of the current period so far."""
    vat = vat_for(profile, seller)
    billable = [s for s in subscriptions if s.status in BILLABLE_STATES]
    currency = billable[0].plan.currency if billable else "EUR"
    estimate = UpcomingEstimate(currency, None, None, None, vat)
    if billable:
        next_end = min(s.current_period_end for s in billable)
        closing = [s for s in billable if s.current_period_end == next_end]
        estimate.period_start = min(s.current_period_start for s in closing)
        estimate.period_end, estimate.issue_date = last_day_before(next_end), next_end
        for sub in closing:
            estimate.lines.append(EstimateLine(
                f"{sub.plan.name} ({sub.plan.billing_period})", "subscription",
                Decimal(sub.quantity), sub.plan.base_price_cents,
                sub.plan.base_price_cents * sub.quantity, sub.current_period_start,
                sub.last_day, sub.plan.plan_key,
            ))
            estimate.lines.extend(_usage_lines(sub, usage, now))
    for line in estimate.lines:
        line.tax_cents = tax_cents(line.amount_cents, vat.tax_rate)
    return estimate


def _usage_lines(sub: Subscription, usage: list[UsageEvent], now: datetime) -> list[EstimateLine]:
    """One line per metric and tier used in the current period so far: what the period's
    invoice will bill (for periods that start on the 1st, the month to date). Usage before
    the period's start was billed with the period before."""
    month_start = sub.current_period_start
    by_metric: dict[str, list[UsageTier]] = {}
    for tier in sub.plan.usage_pricing:
        by_metric.setdefault(tier.metric_slug, []).append(tier)
    lines = []
    for metric, tiers in by_metric.items():
        used = sum(
            e.quantity for e in usage
            if e.metric_slug == metric and month_start <= e.occurred_at.date() <= now.date()
        )
        for tier, billed in usage_by_tier(used, tiers):
            per = f" per {tier.unit_divisor:,}" if tier.unit_divisor > 1 else ""
            band = f"{tier.tier_start:,}+" if tier.tier_end is None else (
                f"{tier.tier_start:,}-{tier.tier_end:,}")
            lines.append(EstimateLine(
                f"{sub.plan.name}: {metric} ({band} {tier.unit_label}{per}), period to date",
                "usage", billed, tier.unit_price_cents,
                line_amount_cents(billed, tier.unit_price_cents, tier.unit_divisor), month_start,
                now.date(), sub.plan.plan_key, metric_slug=metric,
                unit_divisor=tier.unit_divisor,
            ))
    return lines
