"""``BillingFactory`` on a store directly: refused calls change nothing, and what it builds
looks like what the billing clock makes."""

from datetime import datetime, timedelta, timezone

import pytest

from mockserver.domain.clock import Clock
from mockserver.domain.errors import Conflict, InvalidRequest, NotFound
from mockserver.domain.ids import IdSource
from mockserver.scenarios import build_store, parse
from mockserver.services import clock as clock_service
from mockserver.state import Store
from mockserver.testing.factories import BillingFactory

NOW = datetime(2026, 3, 10, 9, tzinfo=timezone.utc)
LINES = [{"description": "Consulting", "unit_price_cents": 10000, "quantity": "2"}]


@pytest.fixture
def store():
    return Store(Clock(NOW, mode="frozen"), IdSource(1))


def pickled(store):
    snapshot = store.snapshot()
    return snapshot.rest, snapshot.tenants


def start_of(day):
    return datetime.combine(day, datetime.min.time(), timezone.utc)


def invoice(factory, tenant):
    return factory.invoice(tenant, lines=LINES)


def tenant(factory, tenant):
    return tenant


REFUSED = {  # what is built first, then the refused call, and its error
    "a bad status": (tenant, lambda f, t: f.invoice(t, status="overdue"), ValueError),
    "an unknown tenant": (tenant, lambda f, t: f.invoice("tnt_nobody", "paid"), NotFound),
    "an unknown line field": (tenant, lambda f, t: f.invoice(
        t, lines=[{**LINES[0], "colour": "red"}]), TypeError),
    "no lines": (tenant, lambda f, t: f.invoice(t, lines=[]), InvalidRequest),
    "no profile": (lambda f, t: f.tenant(with_profile=False),
                   lambda f, t: f.invoice(t, lines=LINES), InvalidRequest),
    "crediting a void invoice": (lambda f, t: f.invoice(t, "void", LINES),
                                 lambda f, i: f.credit_note(i), Conflict),
    "a line the original lacks": (invoice, lambda f, i: f.credit_note(i, lines=[3]),
                                  IndexError),
    "a bad credit note status": (invoice, lambda f, i: f.credit_note(i, status="overdue"),
                                 ValueError),
    "an unknown invoice": (tenant, lambda f, t: f.credit_note("inv_nothing"), NotFound),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_call_leaves_the_store_as_it_was(store, case):
    setup, call, error = REFUSED[case]
    factory = BillingFactory(store, seed=1)
    ready = setup(factory, factory.tenant())
    before = pickled(store)
    with pytest.raises(error):
        call(factory, ready)
    assert pickled(store) == before


@pytest.mark.parametrize("with_method", [True, False])
def test_a_past_due_invoice_was_charged_when_its_due_date_began(store, with_method):
    factory = BillingFactory(store, seed=2)
    tenant = factory.tenant()
    method = factory.payment_method(tenant) if with_method else None
    built = factory.invoice(tenant, status="past_due", lines=LINES)
    invoice = store.tenants[tenant.id].invoices[built.id]
    due = start_of(invoice.due_date)
    assert invoice.finalized_at < invoice.sent_at < invoice.past_due_at == due <= NOW
    assert invoice.last_charge_attempt_at == due
    assert invoice.last_charge_method_id == (method.id if method else None)
    assert clock_service.advance(store, timedelta(days=3)).events == []  # no new method: no retry


def test_a_paid_invoice_was_charged_with_the_default_method_on_its_due_date(store):
    factory = BillingFactory(store, seed=3)
    tenant = factory.tenant()
    method = factory.payment_method(tenant)
    invoice = store.tenants[tenant.id].invoices[factory.invoice(tenant, "paid", LINES).id]
    assert invoice.paid_at == invoice.last_charge_attempt_at == start_of(invoice.due_date)
    assert invoice.last_charge_method_id == method.id


def test_the_factory_and_a_scenario_file_build_the_same_invoice():
    profile = {"company_name": "Acme", "address_line1": "A 1", "postal_code": "1000",
               "city": "Amsterdam", "country_code": "NL", "contact_email": "a@b.nl"}
    at = "2026-02-01T06:00:00+00:00"
    scenario = build_store(parse({
        "name": "t", "description": "d", "clock": {"start": NOW.isoformat()},
        "tenants": [{"key": "acme", "tokens": ["t"], "profile": profile,
                     "payment_methods": [{"provider": "stripe", "type": "card"}],
                     "invoices": [{"issued_at": at, "status": "past_due", "lines": LINES}]}]}))
    [from_file] = next(iter(scenario.tenants.values())).invoices.values()
    store = Store(Clock(NOW, mode="frozen"), IdSource(1))
    factory = BillingFactory(store, seed=4)
    tenant = factory.tenant(**profile)
    factory.payment_method(tenant)
    built = factory.invoice(tenant, "past_due", LINES, issued_at=datetime.fromisoformat(at))
    from_factory = store.tenants[tenant.id].invoices[built.id]
    fields = ("status", "number", "issue_date", "due_date", "total_cents", "finalized_at",
              "sent_at", "past_due_at", "last_charge_attempt_at")
    assert [getattr(from_factory, f) for f in fields] == [getattr(from_file, f) for f in fields]
