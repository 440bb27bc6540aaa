"""The default world: five demo tenants behind documented opaque tokens.

Built with Faker and the seeded id source, and by walking the real domain transitions (draft
-> finalized -> sent -> paid ...), so numbers, totals and VAT are what the rules give. The same
seed and clock give the same world byte for byte; dates are relative to the clock's month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from faker import Faker

from mockserver.domain.invoices import (
    Invoice,
    InvoiceStatus,
    LineItem,
    credit_note_for,
    finalize,
    walk_to,
)
from mockserver.domain.payment_methods import PaymentMethod
from mockserver.domain.profile import new_profile
from mockserver.domain.subscriptions import (
    PERIOD_MONTHS as _PERIOD_MONTHS,
    Plan,
    Subscription,
    UsageEvent,
    UsageTier,
    add_months,
    usage_by_tier,
)
from mockserver.domain.tenant import Tenant
from mockserver.domain.vat import line_amount_cents
from mockserver.fake import billing_faker
from mockserver.state import Store, TokenGrant

S = InvoiceStatus
PLANS = {
    "pro": Plan("pro", "ScaiGrid Pro", "scaigrid", 4900, usage_pricing=(
        UsageTier("api_calls", 0, "calls", 0, 10_000, 1000),
        UsageTier("api_calls", 20, "calls", 10_000, None, 1000),
    )),
    "starter": Plan("starter", "ScaiKey Starter", "scaikey", 1900),
    "enterprise": Plan("enterprise", "ScaiWave Enterprise", "scaiwave", 120000, "yearly",
                       tier="enterprise", usage_pricing=(
                           UsageTier("gpu_hours", 180, "GPU hours", 0, None, 1),)),
}


@dataclass(frozen=True)
class DemoTenant:
    token: str
    key: str
    locale: str
    profile: dict | None
    plans: tuple[str, ...]
    methods: tuple[tuple[str, str], ...]
    identifiers: tuple[str, ...] = ()  # drawn from the Faker billing provider, see _identifiers


def demo_tenants() -> list[DemoTenant]:
    """The documented demo tenants (profile values that matter are fixed; the rest is Faker,
    identifiers such as VAT numbers and Peppol ids with valid check digits)."""
    return [
        DemoTenant("demo-token", "demo", "nl_NL", {
            "country_code": "NL", "is_business": True,
            "preferred_einvoice_format": "ubl", "preferred_language": "nl",
            "buyer_reference": "PO-2026-0042"}, ("pro", "starter"),
            (("stripe", "card"), ("mollie", "ideal")), ("vat_number", "peppol")),
        DemoTenant("de-token", "de", "de_DE", {
            "country_code": "DE", "vat_number": None, "is_business": True,
            "preferred_einvoice_format": "xrechnung", "preferred_language": "de"},
            ("enterprise",), (("stripe", "sepa_debit"),), ("leitweg_id",)),
        DemoTenant("eu-token", "eu", "fr_BE", {
            "country_code": "BE", "is_business": True,
            "preferred_einvoice_format": "cii", "preferred_language": "fr"},
            ("pro",), (("stripe", "card"),), ("vat_number", "peppol")),
        DemoTenant("us-token", "us", "en_US", {
            "country_code": "US", "vat_number": None, "is_business": True,
            "preferred_einvoice_format": None, "preferred_language": "en"},
            ("pro", "starter"), (("crypto", "crypto"), ("stripe", "card"))),
        DemoTenant("new-token", "new", "en_GB", None, (), ()),
    ]


# Statuses of the monthly invoices, oldest first; the credit note credits the 6th.
HISTORY = (S.PAID, S.PAID, S.PAID, S.VOID, S.PAID, S.PAID, S.PAST_DUE, S.SENT, S.FINALIZED)
CREDITED = 5


def build_default_world(store: Store, seed: int) -> None:
    """Fill ``store`` with the demo tenants, their tokens, methods, usage and invoices."""
    now = store.clock.now()
    month = now.date().replace(day=1)
    billed = []
    for index, demo in enumerate(demo_tenants()):
        fake = Faker(demo.locale)
        fake.seed_instance(seed * 1000 + index)
        ids = billing_faker(seed * 1000 + index)  # its own stream: the rest stays as it was
        tenant = store.add_tenant(Tenant(store.ids.new("tnt"), now, name=demo.key))
        store.tokens[demo.token] = TokenGrant(tenant.id, label=demo.key)
        if demo.profile is not None:
            values = {**_profile_values(fake, demo), **_identifiers(ids, demo)}
            tenant.profile = new_profile(tenant.id, values, now)
            billed.append((tenant, fake))
        for plan_key in demo.plans:
            _subscribe(store, tenant, PLANS[plan_key], month)
        for provider_slug, method_type in demo.methods:
            tenant.methods.add(_world_method(store, fake, ids, provider_slug, method_type, now))
        _usage(tenant, fake, now)
    _history(store, billed, month)


def _profile_values(fake: Faker, demo: DemoTenant) -> dict:
    return {
        "company_name": fake.company(),
        "address_line1": fake.street_address(),
        "postal_code": fake.postcode(),
        "city": fake.city(),
        "contact_email": f"billing@{demo.key}.{fake.domain_word()}.example",
        "phone": fake.phone_number()[:50],
        **demo.profile,
    }


def _subscribe(store: Store, tenant: Tenant, plan: Plan, month) -> None:
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[plan.billing_period]
    start = add_months(month, -(months - 1)) if months > 1 else month
    tenant.subscriptions.append(Subscription(
        store.ids.new("sub"), plan, start, add_months(start, months)))


def _identifiers(ids: Faker, demo: DemoTenant) -> dict:
    """The tenant's VAT number, Peppol participant and Leitweg-ID, as ``demo.identifiers`` asks.

    A Belgian Peppol id is the enterprise number of the VAT number; a Leitweg-ID is also the
    buyer reference XRechnung needs (BR-DE-15).
    """
    country = demo.profile["country_code"]
    values: dict = {}
    if "vat_number" in demo.identifiers:
        values["vat_number"] = ids.eu_vat_number(country)
    if "peppol" in demo.identifiers:
        scheme, participant_id = ids.peppol_participant(country, values.get("vat_number"))
        values.update(peppol_scheme=scheme, peppol_id=participant_id)
    if "leitweg_id" in demo.identifiers:
        values["leitweg_id"] = values["buyer_reference"] = ids.leitweg_id()
    return values


def _world_method(store: Store, fake: Faker, ids: Faker, provider_slug: str, method_type: str,
                  now: datetime) -> PaymentMethod:
    display: dict = {}
    if method_type == "card":
        display = {"brand": "visa", "last4": "4242", "exp_month": fake.random_int(1, 12),
                   "exp_year": now.year + fake.random_int(1, 4)}
    elif method_type == "sepa_debit":
        account = ids.bank_account("DE")
        display = {"iban_last4": account.last4, "bank_name": account.bank_name}
    elif method_type == "ideal":
        display = {"bank_name": "ING", "iban_last4": ids.bank_account("NL", "INGB").last4}
    elif method_type == "crypto":
        display = {"wallet": "0x" + fake.hexify("^" * 40)}
    prefix = {"stripe": "pm", "mollie": "mdt", "crypto": "wallet"}[provider_slug]
    return PaymentMethod(store.ids.new("pm"), provider_slug, method_type,
                         f"{prefix}_{store.ids.token(14)}", now - timedelta(days=200), **display)


def _usage(tenant: Tenant, fake: Faker, now: datetime) -> None:
    """Month-to-date usage: one event a day, about a thirtieth of a month's range."""
    metrics = {t.metric_slug for s in tenant.subscriptions for t in s.plan.usage_pricing}
    for metric in sorted(metrics):
        low, high = USAGE_RANGES.get(metric, (30, 300))
        for day in range(1, now.day + 1):
            at = datetime.combine(now.date().replace(day=day), time(12), timezone.utc)
            tenant.usage.append(UsageEvent(metric, fake.random_int(low // 30, high // 30), at))


def _history(store: Store, billed: list[tuple[Tenant, Faker]], month) -> None:
    """Nine monthly invoices per tenant through the real transitions, then one credit note each.

    Months run oldest first across all tenants, so the gap-free numbers follow issue dates.
    """
    made: dict[str, list] = {tenant.id: [] for tenant, _ in billed}
    for age, status in zip(range(len(HISTORY), 0, -1), HISTORY):
        start, end = add_months(month, -age), add_months(month, -age + 1)
        issued = datetime.combine(end, time(6), timezone.utc) - timedelta(days=1)
        for tenant, fake in billed:
            lines = _monthly_lines(store, tenant, start, end, fake)
            invoice = _finalized(store, tenant, lines, issued, (start, end))
            walk_to(invoice, status, issued)
            if status is S.PAST_DUE:  # its charge failed on the due date with today's default
                invoice.last_charge_method_id = tenant.methods.default().id
                invoice.last_charge_attempt_at = invoice.past_due_at
            made[tenant.id].append(invoice)
    for tenant, _ in billed:
        original = made[tenant.id][CREDITED]
        at = datetime.combine(original.due_date, time(9), timezone.utc)
        note = credit_note_for(original, store.ids.new, at, [original.line_items[-1].id])
        note.issue_date = at.date()
        finalize(note, None, store.seller, store.numbering, at, original=original)
        note.transition(S.SENT, at + timedelta(minutes=5))
        tenant.add_invoice(note)


# Monthly usage the history bills, per metric (low, high).
USAGE_RANGES = {"api_calls": (8_000, 40_000), "gpu_hours": (20, 200)}


def _monthly_lines(store, tenant, start, end, fake) -> list[LineItem]:
    """Subscription fees due in this month (a yearly plan only in its first month) and usage."""
    lines = []
    for sub in tenant.subscriptions:
        if (start.month - sub.current_period_start.month) % _PERIOD_MONTHS[sub.plan.billing_period] == 0:
            lines.append(LineItem(store.ids.new("li"),
                                  f"{sub.plan.name} ({sub.plan.billing_period})", Decimal(1),
                                  sub.plan.base_price_cents, period_start=start, period_end=end))
        metrics = sorted({t.metric_slug for t in sub.plan.usage_pricing})
        for metric in metrics:
            used = fake.random_int(*USAGE_RANGES.get(metric, (1, 100)))
            tiers = [t for t in sub.plan.usage_pricing if t.metric_slug == metric]
            for tier, quantity in usage_by_tier(used, tiers):
                if line_amount_cents(quantity, tier.unit_price_cents) == 0:
                    continue
                lines.append(LineItem(store.ids.new("li"), f"{sub.plan.name}: {metric} "
                                      f"({tier.unit_label})", quantity, tier.unit_price_cents,
                                      period_start=start, period_end=end))
    return lines


def _finalized(store, tenant, lines, issued, period):
    invoice = Invoice(id=store.ids.new("inv"), tenant_id=tenant.id, created_at=issued,
                      updated_at=issued, issue_date=issued.date(), period_start=period[0],
                      period_end=period[1])
    invoice.replace_lines(lines, issued)
    finalize(invoice, tenant.profile, store.seller, store.numbering, issued)
    return tenant.add_invoice(invoice)
