"""The default world: five demo tenants behind documented opaque tokens.

Its history is lived, not drawn. The tenants, their profiles (Faker, with the Faker billing
provider's identifiers), subscriptions and payment methods exist from a start eight months
back; usage accrues a little every day; and the billing clock runs from that start to now,
event by event: each period end invoices the period (finalized, numbered), each due date
charges the default method. What the clock does not do by itself is scripted as dated events
on the same timeline and applied through the same domain transitions, in time order with the
clock's own (see ``_script``). So every state agrees with its dates, numbers are gap-free and
follow issue dates across tenants, and the same seed and clock give the same world.

Billing periods end on the same day of every month, three days before today (the 28th at
the latest, a day every month has), so whatever day "now" is, the latest period invoice and
a one-off invoice are still open and not yet due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from faker import Faker

from mockserver.domain.billing_cycle import at_start_of
from mockserver.domain.clock import Clock
from mockserver.domain.invoices import TRANSITIONS, Invoice, InvoiceStatus, Line
from mockserver.domain.issuing import issue_credit_note, issue_invoice
from mockserver.domain.payment_methods import PaymentMethod
from mockserver.domain.profile import new_profile
from mockserver.domain.subscriptions import (
    PERIOD_MONTHS,
    Plan,
    Subscription,
    UsageEvent,
    UsageTier,
    add_months,
    last_day_before,
)
from mockserver.domain.tenant import Tenant
from mockserver.fake import billing_faker
from mockserver.services.clock import Scripted, run_timeline
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
            ("enterprise", "pro"), (("stripe", "sepa_debit"),), ("leitweg_id",)),
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


# The history: closed monthly periods before now, each invoiced once per profiled tenant.
MONTHS = 8
# What is scripted on the timeline, by period (1 = the oldest): its invoice voided two days
# after issue; credited (its last line) the day after it was paid; its due-date charge
# declined; the latest one mailed the morning it was issued. A one-off invoice follows the
# next day and stays finalized.
VOIDED, CREDITED, DECLINED, MAILED = 3, 5, 6, MONTHS
# Usage over a month, per metric (low, high); each day accrues about a thirtieth of it.
USAGE_RANGES = {"api_calls": (8_000, 40_000), "gpu_hours": (20, 200)}
ONE_OFF = "Onboarding workshop"


def build_default_world(store: Store, seed: int) -> None:
    """Fill ``store`` with the demo tenants and their history up to the store clock's now.

    The history runs on a clock of its own; the store keeps the clock it was given.
    """
    now = store.clock.now()
    start = add_months(last_period_end(now), -MONTHS)
    live, store.clock = store.clock, Clock(at_start_of(start), mode="frozen")
    try:
        billed = [_demo_tenant(store, demo, seed * 1000 + index, start, now)
                  for index, demo in enumerate(demo_tenants())]
        run_timeline(store, now, _script(store, [b for b in billed if b], start, now))
    finally:
        store.clock = live


def last_period_end(now: datetime) -> date:
    """The day the world's latest billing period ended: three days before ``now``'s day,
    brought back to the 28th if later."""
    day = now.date() - timedelta(days=3)
    return day.replace(day=min(day.day, 28))


def _demo_tenant(store: Store, demo: DemoTenant, seed: int, start: date, now: datetime
                 ) -> tuple[Tenant, Faker] | None:
    """The tenant as it was at ``start``, with its usage up to ``now``; with its Faker when
    it is billed (has a profile)."""
    began = at_start_of(start)
    fake = Faker(demo.locale)
    fake.seed_instance(seed)
    ids = billing_faker(seed)  # its own stream: the rest stays as it was
    tenant = store.add_tenant(Tenant(store.ids.new("tnt"), began, name=demo.key))
    store.tokens[demo.token] = TokenGrant(tenant.id, label=demo.key)
    if demo.profile is not None:
        values = {**_profile_values(fake, demo), **_identifiers(ids, demo)}
        tenant.profile = new_profile(tenant.id, values, began)
    for plan_key in demo.plans:
        plan = PLANS[plan_key]
        end = add_months(start, PERIOD_MONTHS[plan.billing_period])
        tenant.subscriptions.append(Subscription(store.ids.new("sub"), plan, start, end))
    for provider_slug, method_type in demo.methods:
        tenant.methods.add(_world_method(store, fake, ids, provider_slug, method_type, began,
                                         now))
    _usage(tenant, fake, start, now)
    return (tenant, fake) if tenant.profile else None


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
                  created: datetime, now: datetime) -> PaymentMethod:
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
                         f"{prefix}_{store.ids.token(14)}", created, **display)


def _usage(tenant: Tenant, fake: Faker, start: date, now: datetime) -> None:
    """One event a day at noon for each metric the plans price, from ``start`` up to ``now``
    (each period's invoice bills the events that fall in it)."""
    metrics = {t.metric_slug for s in tenant.subscriptions for t in s.plan.usage_pricing}
    noons, noon = [], datetime.combine(start, time(12), timezone.utc)
    while noon <= now:
        noons.append(noon)
        noon += timedelta(days=1)
    for metric in sorted(metrics):
        low, high = USAGE_RANGES.get(metric, (30, 300))
        for at in noons:
            tenant.usage.append(UsageEvent(metric, fake.random_int(low // 30, high // 30), at))


def _script(store: Store, billed: list[tuple[Tenant, Faker]], start: date, now: datetime
            ) -> list[Scripted]:
    """The dated events of the history that the clock does not make by itself, those that
    happened by ``now`` (with a seller's long payment terms, some due dates are still ahead).
    """
    terms = timedelta(days=store.seller.payment_terms_days)
    issued = {k: add_months(start, k) for k in range(1, MONTHS + 1)}  # period k's invoice
    day = timedelta(days=1)
    script: list[Scripted] = []
    for tenant, fake in billed:
        declined_at = at_start_of(issued[DECLINED] + terms)
        price = fake.random_int(450, 900) * 100
        script += [
            (_at(issued[VOIDED] + 2 * day, 10), _void(tenant, issued[VOIDED])),
            (_at(issued[CREDITED] + terms + day, 9), _credit(tenant, issued[CREDITED])),
            (declined_at - timedelta(hours=1), _declining(tenant, True)),
            (declined_at + timedelta(hours=1), _declining(tenant, False)),
            (_at(issued[MAILED], 8), _mail(tenant, issued[MAILED])),
        ]
        if terms:  # without payment terms it would be due before it was issued, never charged
            script.append((_at(issued[MAILED] + day, 10), _one_off(tenant, price)))
    return [(at, apply) for at, apply in script if at <= now]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.utc)


def _period_invoice(tenant: Tenant, closed: date) -> Invoice:
    """The invoice of the period that closed on ``closed`` (its last day was the day before)."""
    last_day = last_day_before(closed)
    for invoice in tenant.invoices.values():
        if not invoice.is_credit_note and invoice.period_end == last_day:
            return invoice
    raise LookupError(f"the clock issued {tenant.name} no invoice for the period ending "
                      f"{last_day}")


def _event(kind: str, tenant: Tenant, invoice: Invoice | None, at: datetime) -> dict:
    return {"type": kind, "tenant_id": tenant.id, "invoice_id": invoice and invoice.id,
            "number": invoice and invoice.number, "at": at}


def _void(tenant: Tenant, period_end: date):
    def apply(store: Store, at: datetime) -> dict:
        return _moved(tenant, _period_invoice(tenant, period_end), S.VOID, at)
    return apply


def _mail(tenant: Tenant, period_end: date):
    """Mailed to the billing contact (the mail itself is not kept: the outbox starts empty)."""
    def apply(store: Store, at: datetime) -> dict:
        return _moved(tenant, _period_invoice(tenant, period_end), S.SENT, at)
    return apply


def _moved(tenant: Tenant, invoice: Invoice, target: InvoiceStatus, at: datetime) -> dict:
    """``invoice`` moved to ``target``, unless the clock got there first (a seller's payment
    terms shorter than the script's steps: the invoice was charged already)."""
    kind = {S.VOID: "invoice.voided", S.SENT: "invoice.sent"}[target]
    if target not in TRANSITIONS[invoice.status]:
        return {**_event(kind, tenant, invoice, at), "skipped": f"it is {invoice.status.value}"}
    invoice.transition(target, at)
    return _event(kind, tenant, invoice, at)


def _credit(tenant: Tenant, period_end: date):
    """A credit note of the invoice's last line, mailed five minutes after it is issued."""
    def apply(store: Store, at: datetime) -> dict:
        original = _period_invoice(tenant, period_end)
        note = issue_credit_note(tenant, original, store.seller, store.numbering,
                                 store.ids.new, at, S.SENT,
                                 line_ids=[original.line_items[-1].id])
        return _event("credit_note.issued", tenant, note, at)
    return apply


def _declining(tenant: Tenant, declines: bool):
    """The default method starts (or stops) declining charges, e.g. a card blocked a while."""
    def apply(store: Store, at: datetime) -> dict:
        method = tenant.methods.default()
        if method is not None:
            method.fails_charges = declines
        return {"type": "payment_method.declining" if declines else "payment_method.working",
                "tenant_id": tenant.id, "method_id": method and method.id, "at": at}
    return apply


def _one_off(tenant: Tenant, price_cents: int):
    """An invoice the operator drafts by hand (as ``POST /admin/invoices`` does) and
    finalizes: not yet mailed, not yet due."""
    def apply(store: Store, at: datetime) -> dict:
        invoice = issue_invoice(tenant, [Line(ONE_OFF, Decimal(1), price_cents)],
                                store.seller, store.numbering, store.ids.new, at)
        return _event("invoice.issued", tenant, invoice, at)
    return apply
