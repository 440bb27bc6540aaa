"""Time drives the domain: charges on due dates, dunning retries, invoices at period ends."""

from datetime import datetime, timedelta, timezone

import pytest

from mockserver.domain.clock import Clock
from mockserver.domain.errors import Conflict, InvalidRequest
from mockserver.scenarios import build_store, parse
from mockserver.services import clock

START = "2026-03-10T09:00:00Z"


def world(method=None, status="sent", subscriptions=True):
    tenant = {
        "key": "acme", "tokens": ["t"],
        "profile": {"company_name": "Acme", "address_line1": "A 1", "postal_code": "1000",
                    "city": "Amsterdam", "country_code": "NL", "contact_email": "a@b.nl"},
        "usage": [{"metric": "api_calls", "quantity": 25_000, "at": "2026-03-05T10:00:00Z"},
                  {"metric": "api_calls", "quantity": 99_000, "at": "2026-02-05T10:00:00Z"}],
        "invoices": [{"key": "feb", "issued_at": "2026-03-01T06:00:00Z", "status": status,
                      "lines": [{"description": "Pro", "unit_price_cents": 4900}]}],
    }
    if subscriptions:
        tenant["subscriptions"] = [{"plan": "pro", "period_start": "2026-03-01"}]
    if method:
        tenant["payment_methods"] = [method]
    store = build_store(parse({"name": "t", "description": "d", "clock": {"start": START},
                               "tenants": [tenant]}))
    return store, next(iter(store.tenants.values()))


def test_the_due_date_charges_the_default_method():
    store, tenant = world({"provider": "stripe", "type": "card"})
    [invoice] = tenant.invoices.values()
    assert clock.advance(store, timedelta(days=4)).events == []  # due on the 15th, not yet
    [event] = clock.advance(store, timedelta(days=2)).events
    assert event["type"] == "invoice.charged" and invoice.status.value == "paid"
    assert invoice.paid_at == datetime(2026, 3, 15, tzinfo=timezone.utc)


@pytest.mark.parametrize("method", [None, {"provider": "stripe", "type": "card",
                                           "fails_charges": True}])
def test_no_method_or_a_failing_one_makes_it_past_due(method):
    store, tenant = world(method)
    [invoice] = tenant.invoices.values()
    [event] = clock.advance(store, timedelta(days=6)).events
    assert event["type"] == "invoice.charge_failed" and invoice.status.value == "past_due"
    assert tenant.subscriptions[0].status == "past_due"
    assert clock.advance(store, timedelta(days=5)).events == []  # the same method is not retried


def test_dunning_retries_with_a_new_method_the_next_day():
    store, tenant = world({"provider": "stripe", "type": "card", "fails_charges": True})
    [invoice] = tenant.invoices.values()
    clock.advance(store, timedelta(days=6))
    new = store.providers.direct_method("mollie", "ideal", store.clock.now())
    added = tenant.methods.add(new.payment_method("pm_new", store.clock.now()))
    tenant.methods.set_default(added.id)
    [event] = clock.advance(store, timedelta(days=1)).events
    assert event["type"] == "invoice.charged" and event["method_id"] == "pm_new"
    assert invoice.status.value == "paid" and tenant.subscriptions[0].status == "active"


def test_a_finalized_invoice_is_sent_before_it_is_charged():
    store, tenant = world({"provider": "stripe", "type": "card"}, status="finalized")
    [invoice] = tenant.invoices.values()
    clock.advance(store, timedelta(days=6))
    assert invoice.sent_at is not None and invoice.status.value == "paid"


def test_period_end_generates_and_numbers_the_invoice_then_it_is_charged():
    store, tenant = world({"provider": "stripe", "type": "card"})
    events = clock.advance(store, timedelta(days=40)).events
    generated = [e for e in events if e["type"] == "invoice.generated"]
    assert [e["at"] for e in generated] == [datetime(2026, 4, 1, tzinfo=timezone.utc)]
    invoice = tenant.invoices[generated[0]["invoice_id"]]
    assert invoice.number == "SCAI-2026-000002"  # continues after the February invoice
    # March usage only: 15,000 billable calls at 20 cents per 1,000 (the free tier is no line)
    assert [line.amount_cents for line in invoice.line_items] == [4900, 300]
    assert invoice.total_cents == invoice.subtotal_cents + invoice.tax_cents
    assert invoice.status.value == "paid"  # its own due date (15 April) passed as well
    assert tenant.subscriptions[0].current_period_start.isoformat() == "2026-04-01"


def test_events_run_in_time_order_and_set_runs_nothing_backwards():
    store, _ = world({"provider": "stripe", "type": "card"})
    events = clock.advance(store, timedelta(days=70)).events
    times = [e["at"] for e in events]
    assert times == sorted(times) and len(events) == 5
    now = store.clock.now()
    with pytest.raises(Conflict, match="allow_backwards"):
        clock.set_time(store, datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert store.clock.now() == now
    back = clock.set_time(store, datetime(2026, 1, 1, tzinfo=timezone.utc), allow_backwards=True)
    assert back.events == [] and back.complete
    assert store.clock.now().year == 2026 and store.clock.now().month == 1


def test_no_profile_means_no_invoice_at_period_end():
    store, tenant = world(subscriptions=True)
    tenant.profile = None
    events = clock.advance(store, timedelta(days=25)).events
    assert [e["type"] for e in events] == ["invoice.charge_failed", "invoice.not_generated"]


def test_period_lines_bill_the_plan_times_quantity_and_the_periods_tiered_usage():
    from datetime import date
    from decimal import Decimal

    from mockserver.domain.billing_cycle import period_lines
    from mockserver.domain.subscriptions import Subscription, UsageEvent
    from mockserver.default_world import PLANS

    sub = Subscription("sub_1", PLANS["pro"], date(2026, 3, 1), date(2026, 4, 1), quantity=2)
    usage = [UsageEvent("api_calls", quantity, datetime(2026, month, day, 12, tzinfo=timezone.utc))
             for quantity, month, day in [(9_000, 3, 1), (6_500, 3, 31), (99_000, 4, 1),
                                          (99_000, 2, 28), (5, 3, 2)]]
    lines = period_lines(sub, [*usage, UsageEvent("gpu_hours", 9, usage[0].occurred_at)])
    assert [(li.description, li.quantity, li.unit_price_cents) for li in lines] == [
        ("ScaiGrid Pro (monthly)", Decimal(2), 4900),
        ("ScaiGrid Pro: api_calls (calls)", Decimal("5505"), 20)]  # the free 10,000 no line
    assert [li.unit_divisor for li in lines] == [1, 1000]  # 20 cents per 1,000 calls
    assert {(li.period_start, li.period_end) for li in lines} == {(date(2026, 3, 1),
                                                                   date(2026, 3, 31))}


def test_scripted_events_run_in_time_order_with_the_clocks_own():
    store, tenant = world({"provider": "stripe", "type": "card"})
    [invoice] = tenant.invoices.values()
    due = datetime(2026, 3, 15, tzinfo=timezone.utc)

    def seen(store, at):  # what the world looked like when the scripted event ran
        return {"type": "seen", "at": at, "status": invoice.status.value,
                "now": store.clock.now()}

    until = datetime(2026, 4, 2, tzinfo=timezone.utc)
    events = clock.run_timeline(store, until, [(due + timedelta(days=1), seen),
                                               (due, seen), (due - timedelta(days=1), seen)])
    assert [(e["type"], e["at"].day) for e in events] == [
        ("seen", 14), ("invoice.charged", 15), ("seen", 15), ("seen", 16),
        ("invoice.generated", 1)]
    assert [e["status"] for e in events if e["type"] == "seen"] == ["sent", "paid", "paid"]
    assert all(e["now"] == e["at"] for e in events if e["type"] == "seen")
    assert store.clock.now() == until


def test_scripted_events_must_lie_between_now_and_the_end_of_the_run():
    store, _ = world()
    before = store.clock.now()
    with pytest.raises(InvalidRequest, match="between now and the end"):
        clock.run_timeline(store, before + timedelta(days=1),
                           [(before - timedelta(hours=1), lambda s, at: {})])
    assert store.clock.now() == before


WALL: list[datetime] = []


def wall_time() -> datetime:
    """A wall clock the test moves (module level: a running clock is pickled in snapshots)."""
    return WALL[0]


def test_a_running_clock_catches_up_on_the_due_dates_that_passed_meanwhile():
    """A server up for weeks: the due dates real time passed are charged at the next move."""
    from mockserver.domain.invoices import due_at
    from mockserver.scenarios.watcher import default_store
    from mockserver.settings import Settings
    from mockserver.services import clock as clock_service

    WALL[:] = [datetime(2026, 6, 15, 12, tzinfo=timezone.utc)]
    store = default_store(Settings(seed=42), Clock(source=wall_time))
    demo = store.tenants[store.tokens["demo-token"].tenant_id]
    sent = next(i for i in demo.visible_invoices()
                if i.status.value == "sent" and not i.is_credit_note)
    WALL[0] += timedelta(days=20)  # past the invoice's due date, with no clock move
    events = clock_service.advance(store, timedelta(days=1)).events
    charged = [e for e in events if e["invoice_id"] == sent.id if "invoice_id" in e]
    assert sent.status.value == "paid" and charged and charged[0]["at"] == due_at(sent)
    assert clock_service.advance(store, timedelta(0)).events == []  # and only once


def test_a_move_too_long_is_refused_and_one_too_busy_stops_where_its_events_stop(monkeypatch):
    from mockserver.domain.errors import InvalidRequest
    from mockserver.scenarios.watcher import default_store
    from mockserver.settings import Settings
    from mockserver.services import clock as clock_service

    def fresh():
        return default_store(Settings(seed=42), Clock(datetime(2026, 6, 15, tzinfo=timezone.utc),
                                                      mode="frozen"))

    def picture(store):
        return (store.clock.now(), store.billed_until, store.numbering.state(),
                [(i.id, i.status, i.number) for t in store.tenants.values()
                 for i in t.invoices.values()], [(s.id, s.current_period_end, s.status)
                                                 for t in store.tenants.values()
                                                 for s in t.subscriptions])

    store = fresh()
    before = picture(store)
    with pytest.raises(InvalidRequest, match="at most 3660 days"):
        clock_service.set_time(store, datetime(2999, 12, 31, tzinfo=timezone.utc))
    assert picture(store) == before  # refused before anything happened
    whole = clock_service.advance(fresh(), timedelta(days=365))
    reference = fresh()
    clock_service.advance(reference, timedelta(days=365))
    monkeypatch.setattr(clock_service, "MAX_EVENTS", 5)
    parts = [clock_service.advance(store, timedelta(days=365))]
    target = parts[0].requested
    while not parts[-1].complete:
        assert store.clock.now() == store.billed_until == parts[-1].events[-1]["at"]
        parts.append(clock_service.set_time(store, target))
    assert [e for part in parts for e in part.events] == whole.events
    assert len(parts) > 1
    assert picture(store) == picture(reference)


def test_building_a_world_past_the_event_bound_is_refused(monkeypatch):
    from mockserver.domain.errors import LimitReached
    from mockserver.scenarios.watcher import default_store
    from mockserver.settings import Settings
    from mockserver.services import clock as clock_service

    monkeypatch.setattr(clock_service, "MAX_EVENTS", 5)
    with pytest.raises(LimitReached, match="more than 5 billing events"):
        default_store(Settings(seed=42))


def test_an_invoice_refused_at_the_tenant_bound_takes_no_number(monkeypatch):
    """Two tenants' periods end on the same day; one tenant keeps no more invoices. Its
    period is not invoiced (the event says why) and the other's invoice takes the next
    number: numbers stay gap-free across the refusal, through the live server."""
    import httpx

    from mockserver.domain import tenant as tenant_module
    from mockserver.settings import Settings
    from mockserver.testing import LiveServer

    profile = {"company_name": "Acme", "address_line1": "A 1", "postal_code": "1000",
               "city": "Amsterdam", "country_code": "NL", "contact_email": "a@b.nl"}
    tenants = [{"key": key, "tokens": [f"{key}-token"], "profile": profile,
                "subscriptions": [{"plan": "pro", "period_start": "2026-03-01"}],
                "invoices": [{"issued_at": "2026-03-0%dT06:00:00Z" % day, "status": "paid",
                              "lines": [{"description": "Setup", "unit_price_cents": 100}]}
                             for day in range(1, count + 1)]}
               for key, count in (("full", 2), ("room", 1))]
    scenario = {"name": "bound", "description": "d", "tenants": tenants,
                "clock": {"start": START, "mode": "frozen"}}
    with LiveServer(Settings(seed=1)) as live:
        monkeypatch.setattr(tenant_module, "MAX_INVOICES", 2)
        assert httpx.post(f"{live.url}/_mock/scenario",
                          json={"scenario": scenario}).status_code == 200
        r = httpx.post(f"{live.url}/_mock/clock/set", json={"now": "2026-04-01T09:00:00Z"})
        events = [e for e in r.json()["data"]["events"] if e["type"].startswith("invoice.")]
        [refused] = [e for e in events if e["type"] == "invoice.not_generated"]
        assert "at most 2 invoices" in refused["reason"]
        numbers = sorted(
            i["number"] for token in ("full-token", "room-token")
            for i in httpx.get(f"{live.api_url}/billing/invoices",
                               headers={"Authorization": f"Bearer {token}"}).json()["data"])
    assert numbers == [f"SCAI-2026-{n:06d}" for n in range(1, 5)]  # 3 issued + 1 at period end
