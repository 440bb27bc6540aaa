"""Building a store from a checked scenario, through the real domain transitions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from mockserver.domain.clock import Clock, utc
from mockserver.domain.errors import DomainError
from mockserver.domain.ids import IdSource
from mockserver.domain.invoices import Invoice, InvoiceStatus, Line
from mockserver.domain.issuing import issue_credit_note, issue_invoice
from mockserver.domain.profile import new_profile, seller_from
from mockserver.domain.subscriptions import (
    PERIOD_MONTHS,
    Plan,
    Subscription,
    UsageEvent,
    UsageTier,
    add_months,
)
from mockserver.domain.tenant import Tenant
from mockserver.scenarios.behaviours import Behaviour
from mockserver.scenarios.loader import ScenarioError
from mockserver.state import Store, TokenGrant
from mockserver.default_world import PLANS, build_default_world


def build_store(scenario: dict, *, max_tenants: int = 10_000, outbox_size: int = 500,
                source: str = "<scenario>") -> Store:
    """A store holding the scenario's world, its start remembered for ``reset``."""
    seed = scenario.get("seed", 42)
    clock_spec = scenario.get("clock", {})
    start = clock_spec.get("start")
    clock = Clock(utc(datetime.fromisoformat(start)) if start else None,
                  clock_spec.get("mode", "frozen" if start else "running"))
    store = Store(clock, IdSource(seed), seller_from(scenario.get("seller")),
                  max_tenants=max_tenants, outbox_size=outbox_size)
    if scenario.get("include_default_world"):
        build_default_world(store, seed)
    keys: dict[str, str] = {}
    for index, spec in enumerate(scenario.get("tenants", [])):
        try:
            keys[spec["key"]] = _tenant(store, spec).id
        except DomainError as error:
            raise ScenarioError(source, f"tenants[{index}]", error.message) from None
    for slug, outcomes in scenario.get("providers", {}).items():
        for outcome in outcomes.get("next_outcomes", []):
            store.providers.get(slug).force_next_outcome(outcome)
    store.behaviours = [Behaviour.from_spec(b, keys, f"bhv_{n}")
                        for n, b in enumerate(scenario.get("behaviours", []), 1)]
    store.scenario = scenario["name"]
    store.mark_start()
    return store


def _tenant(store: Store, spec: dict) -> Tenant:
    now = store.clock.now()
    tenant = store.add_tenant(Tenant(spec.get("tenant_id") or store.ids.new("tnt"), now,
                                     name=spec["key"]))
    for token in spec.get("tokens", []):
        store.tokens[token] = TokenGrant(tenant.id, label=spec["key"])
    if "profile" in spec:
        tenant.profile = new_profile(tenant.id, spec["profile"], now)
    for sub in spec.get("subscriptions", []):
        tenant.subscriptions.append(_subscription(store, sub, now))
    for event in spec.get("usage", []):
        tenant.usage.append(UsageEvent(event["metric"], event["quantity"],
                                       utc(datetime.fromisoformat(event["at"]))))
    for method in spec.get("payment_methods", []):
        vaulted = store.providers.direct_method(method["provider"], method["type"], now)
        shown = replace(vaulted.payment_method(store.ids.new("pm"), now),
                        **method.get("display", {}))
        added = tenant.methods.add(shown)
        added.fails_charges = method.get("fails_charges", vaulted.fails_charges)
        if method.get("default"):
            tenant.methods.set_default(added.id)
    made: dict[str, Invoice] = {}
    for invoice in spec.get("invoices", []):
        built = _invoice(store, tenant, invoice, made)
        if "key" in invoice:
            made[invoice["key"]] = built
    return tenant


def _subscription(store: Store, spec: dict, now: datetime) -> Subscription:
    plan = spec["plan"]
    if isinstance(plan, str):
        plan = PLANS[plan]
    else:
        tiers = tuple(UsageTier(**tier) for tier in plan.get("usage_pricing", []))
        plan = Plan(**{**plan, "usage_pricing": tiers})
    start = date.fromisoformat(spec["period_start"]) if "period_start" in spec else (
        now.date().replace(day=1))
    end = add_months(start, PERIOD_MONTHS[plan.billing_period])
    return Subscription(store.ids.new("sub"), plan, start, end, spec.get("status", "active"),
                        spec.get("quantity", 1))


def _invoice(store: Store, tenant: Tenant, spec: dict, made: dict) -> Invoice:
    at = utc(datetime.fromisoformat(spec["issued_at"]))
    status = InvoiceStatus(spec["status"])
    period = (_date(spec.get("period_start")), _date(spec.get("period_end")))
    common = dict(period=period, pdf_url=spec.get("pdf_url"), notes=spec.get("notes"))
    if "credit_note_for" in spec:
        original = made[spec["credit_note_for"]]
        wanted = spec.get("credit_lines")
        ids = None if wanted is None else [original.line_items[i].id for i in wanted]
        return issue_credit_note(tenant, original, store.seller, store.numbering,
                                 store.ids.new, at, status, line_ids=ids, **common)
    return issue_invoice(tenant, [_line(line) for line in spec["lines"]], store.seller,
                         store.numbering, store.ids.new, at, status, **common)


def _line(spec: dict) -> Line:
    rate = spec.get("tax_rate")
    return Line(spec["description"], Decimal(spec.get("quantity", "1")),
                spec["unit_price_cents"], tax_rate=Decimal(rate) if rate else None,
                period_start=_date(spec.get("period_start")),
                period_end=_date(spec.get("period_end")),
                unit_divisor=spec.get("unit_divisor", 1))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
