"""The default world: documented tokens, every visible state, each VAT case, deterministic."""

import dataclasses
import json
from collections import deque
from datetime import datetime, timedelta, timezone

import pytest

from mockserver.app import default_store
from mockserver.domain.clock import Clock
from mockserver.domain.invoices import TENANT_VISIBLE, InvoiceStatus
from mockserver.domain.subscriptions import BILLABLE_STATES, price_usage
from mockserver.scenarios import build_store, parse
from mockserver.services import clock as clock_service
from mockserver.settings import Settings
from mockserver.default_world import demo_tenants

START = datetime(2026, 6, 15, 12, tzinfo=timezone.utc)


def world(seed=42):
    return default_store(Settings(seed=seed), Clock(START, mode="frozen"))


def tenant_for(store, token):
    return store.tenants[store.tokens[token].tenant_id]


def test_documented_tokens():
    assert [d.token for d in demo_tenants()] == ["demo-token", "de-token", "eu-token",
                                                   "us-token", "new-token"]


@pytest.mark.parametrize("token, country, case", [
    ("demo-token", "NL", "domestic"), ("de-token", "DE", "intra_eu_b2c"),
    ("eu-token", "BE", "intra_eu_b2b"), ("us-token", "US", "export"),
])
def test_each_profiled_tenant_has_8_plus_invoices_in_every_state_and_a_credit_note(
        token, country, case):
    tenant = tenant_for(world(), token)
    invoices = tenant.visible_invoices()
    assert tenant.profile.country_code == country
    assert len(invoices) >= 8
    assert {i.status for i in invoices} == set(TENANT_VISIBLE)
    assert sum(i.is_credit_note for i in invoices) == 1
    assert {i.vat.case for i in invoices} == {case}
    assert tenant.subscriptions and tenant.methods.default() is not None
    assert len(tenant.usage) > 0


def test_german_public_sector_buyer_prefers_xrechnung_with_a_leitweg_id():
    profile = tenant_for(world(), "de-token").profile
    assert profile.preferred_einvoice_format == "xrechnung" and profile.leitweg_id
    assert profile.buyer_reference == profile.leitweg_id


def test_new_tenant_has_nothing():
    tenant = tenant_for(world(), "new-token")
    assert tenant.profile is None and not tenant.invoices and not tenant.methods.active()


def test_numbers_are_gap_free_and_follow_issue_dates():
    store = world()
    invoices = [i for t in store.tenants.values() for i in t.visible_invoices()
                if not i.is_credit_note]
    by_year = {}
    for invoice in sorted(invoices, key=lambda i: i.number):
        by_year.setdefault(invoice.number[5:9], []).append(invoice)
    assert len(by_year) == 2  # the history of a June clock starts the year before
    for year, numbered in by_year.items():
        assert [int(i.number[-6:]) for i in numbered] == list(range(1, len(numbered) + 1))
        assert all(str(i.issue_date.year) == year for i in numbered)
        assert [i.issue_date for i in numbered] == sorted(i.issue_date for i in numbered)


# -- the history: lived by running the billing clock, so states agree with dates ----------

S = InvoiceStatus
# The 1st, the middle and the ends of months (February's, a 31st), and around New Year, when
# invoice numbers restart.
NOWS = [datetime(2026, 3, 1, 0, 0, tzinfo=timezone.utc), START,
        datetime(2026, 2, 28, 23, 59, tzinfo=timezone.utc),
        datetime(2026, 1, 31, 10, tzinfo=timezone.utc),
        datetime(2025, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
        datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 4, 8, tzinfo=timezone.utc)]


def world_at(now, seed=42):
    return default_store(Settings(seed=seed), Clock(now, mode="frozen"))


def start_of(day):
    return datetime.combine(day, datetime.min.time(), timezone.utc)


def documents(store):
    return [(t, i) for t in store.tenants.values() for i in t.invoices.values()]


@pytest.mark.parametrize("now", [*NOWS, None], ids=lambda n: n.isoformat()[:16] if n else "today")
def test_every_document_agrees_with_its_dates_at_now(now):
    store = world_at(now) if now else default_store(Settings(seed=42))  # today, running
    assert now is None or store.clock.now() == now  # the store keeps the clock it was given
    assert_states_agree_with_dates(store)


@pytest.mark.parametrize("terms", [0, 1, 30, 90, 365])
def test_under_a_scenario_sellers_payment_terms_too(terms):
    store = build_store(parse({
        "name": "t", "description": "d", "clock": {"start": START.isoformat()},
        "seller": {"payment_terms_days": terms}, "include_default_world": True}))
    assert_states_agree_with_dates(store)
    assert all(len(tenant_for(store, token).visible_invoices()) >= 8
               for token in ("demo-token", "de-token", "eu-token", "us-token"))


def assert_states_agree_with_dates(store):
    now = store.clock.now()
    for tenant, invoice in documents(store):
        stamps = [s for s in (invoice.finalized_at, invoice.sent_at, invoice.paid_at,
                              invoice.past_due_at, invoice.voided_at) if s]
        assert invoice.created_at <= invoice.finalized_at == stamps[0], invoice.number
        assert invoice.finalized_at.date() == invoice.issue_date
        assert stamps == sorted(stamps) and stamps[-1] <= now, invoice.number
        if invoice.is_credit_note:
            continue
        due = start_of(invoice.due_date)
        if invoice.status in (S.FINALIZED, S.SENT):
            assert due > now, f"{invoice.number} is {invoice.status.value} but fell due"
        elif invoice.status in (S.PAID, S.PAST_DUE):  # charged when its due date began
            assert invoice.last_charge_attempt_at == due, invoice.number
            assert (invoice.paid_at or invoice.past_due_at) == due, invoice.number
        else:
            assert invoice.voided_at < due, invoice.number  # voided before it was charged
    for tenant in store.tenants.values():
        for sub in tenant.subscriptions:
            assert start_of(sub.current_period_start) <= now < start_of(sub.current_period_end)
        owing = any(i.status is S.PAST_DUE for i in tenant.invoices.values())
        assert {s.status for s in tenant.subscriptions} <= {"past_due" if owing else "active"}


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.isoformat()[:16])
@pytest.mark.parametrize("delta", [timedelta(0), timedelta(days=1), timedelta(days=16)],
                         ids=["0", "1d", "16d"])
def test_advancing_runs_exactly_the_events_the_dates_imply(now, delta):
    store = world_at(now)
    until = now + delta
    charges = sorted((start_of(i.due_date), i.id) for _, i in documents(store)
                     if i.status in (S.FINALIZED, S.SENT) and not i.is_credit_note
                     and now < start_of(i.due_date) <= until)
    closes = [s for t in store.tenants.values() for s in t.subscriptions
              if s.status in BILLABLE_STATES and start_of(s.current_period_end) <= until]
    assert not closes  # the next period ends more than 16 days after any "now"
    retries = [i for t, i in documents(store) if i.status is S.PAST_DUE
               and t.methods.default() and t.methods.default().id != i.last_charge_method_id]
    assert not retries  # a past-due charge is retried only with a new default method
    events = clock_service.advance(store, delta).events
    assert sorted((e["at"], e["invoice_id"]) for e in events) == charges
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert all(e["type"] == "invoice.charged" for e in events)
    if delta >= timedelta(days=16):
        assert len(charges) == 8  # the latest period invoice and the one-off, of 4 tenants


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.isoformat()[:16])
def test_the_history_is_eight_periods_of_the_clock_and_the_scripted_events(now):
    store = world_at(now)
    profiled = [t for t in store.tenants.values() if t.profile]
    ends = set()
    for tenant in profiled:
        mine = sorted(tenant.invoices.values(), key=lambda i: (i.issue_date, i.number))
        periods = [i for i in mine if i.period_start and not i.is_credit_note]
        assert [i.status for i in periods] == [S.PAID, S.PAID, S.VOID, S.PAID, S.PAID,
                                               S.PAST_DUE, S.PAID, S.SENT]
        # a period's last day is the day before its invoice (and the next period) begins
        assert [i.period_end + timedelta(days=1) for i in periods] == [
            i.issue_date for i in periods]
        ends |= {i.issue_date.day for i in periods}
        [one_off] = [i for i in mine if i.period_start is None and not i.is_credit_note]
        assert one_off.status is S.FINALIZED
        assert one_off.issue_date == periods[-1].issue_date + timedelta(days=1)
        [note] = [i for i in mine if i.is_credit_note]
        assert note.referenced_invoice_id == periods[4].id and note.status is S.SENT
        assert note.issue_date == periods[4].paid_at.date() + timedelta(days=1)
        assert [li.description for li in note.line_items] == [
            periods[4].line_items[-1].description]
    latest = max(i.issue_date for t in profiled for i in t.invoices.values() if i.period_start)
    assert len(ends) == 1 and ends.pop() <= 28  # one billing day, one every month has
    assert timedelta(days=3) <= now - start_of(latest) < timedelta(days=7)


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.isoformat()[:16])
def test_numbers_are_gap_free_per_year_and_follow_issue_dates_at_any_now(now):
    store = world_at(now)
    for prefix in ("SCAI-", "SCAI-CN-"):
        numbered = sorted((i for _, i in documents(store)
                           if i.number.startswith(prefix) and i.is_credit_note == (
                               prefix == "SCAI-CN-")), key=lambda i: i.number)
        by_year = {}
        for invoice in numbered:
            by_year.setdefault(invoice.issue_date.year, []).append(invoice)
        for year, issued in by_year.items():
            assert [i.number for i in issued] == [
                f"{prefix}{year}-{n:06d}" for n in range(1, len(issued) + 1)]
            assert [i.issue_date for i in issued] == sorted(i.issue_date for i in issued)


def test_each_period_invoice_bills_the_usage_recorded_in_its_period():
    store = world()
    for tenant in store.tenants.values():
        for invoice in tenant.visible_invoices():
            if invoice.is_credit_note or invoice.period_start is None:
                continue
            billed = sum(li.amount_cents for li in invoice.line_items if ": " in li.description)
            expected = 0
            for sub in tenant.subscriptions:
                if not any(li.description.startswith(f"{sub.plan.name} (")
                           for li in invoice.line_items):
                    continue
                for metric in {t.metric_slug for t in sub.plan.usage_pricing}:
                    used = sum(e.quantity for e in tenant.usage if e.metric_slug == metric
                               and invoice.period_start <= e.occurred_at.date()
                               <= invoice.period_end)
                    expected += price_usage(used, [t for t in sub.plan.usage_pricing
                                                   if t.metric_slug == metric])
            assert billed == expected, invoice.number


def test_a_profiled_tenant_without_payment_methods_builds_and_its_charges_name_none(
        monkeypatch):
    import mockserver.default_world as world_module

    demos = world_module.demo_tenants()
    monkeypatch.setattr(world_module, "demo_tenants",
                        lambda: [*demos[:2], dataclasses.replace(demos[2], methods=())])
    tenant = tenant_for(world(), "eu-token")
    assert tenant.methods.default() is None
    past_due = [i for i in tenant.invoices.values() if i.status is S.PAST_DUE]
    assert past_due and all(i.last_charge_method_id is None for i in past_due)
    assert all(i.last_charge_attempt_at == i.past_due_at for i in past_due)


def as_json(store) -> str:
    """The world as JSON: tenants field by field (pickles of equal worlds can differ in bytes,
    as pickle follows which equal objects happen to be shared, e.g. buyer snapshots)."""
    def plain(value):
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, deque)):
            return [plain(v) for v in value]
        if hasattr(value, "all"):  # the payment method book
            return plain(value.all())
        return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)

    world = {"clock": [store.clock.now(), store.clock.mode],
             "numbering": sorted(store.numbering.state().items()), "tokens": store.tokens,
             "tenants": list(store.tenants.values())}
    return json.dumps(plain(world))


def standing():
    return START


@pytest.mark.parametrize("mode", ["frozen", "running"])
def test_the_same_seed_and_clock_give_the_same_world(mode):
    def build():  # a running clock reads its source: here one that stands at START
        clock = Clock(START, mode="frozen") if mode == "frozen" else Clock(source=standing)
        return default_store(Settings(seed=42), clock)

    first, second = build(), build()
    assert first.snapshot().rest == second.snapshot().rest  # clock, ids, numbering, tokens...
    assert as_json(first) == as_json(second)
    assert as_json(first) != as_json(world_at(START, seed=43))
