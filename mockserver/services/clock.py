"""Moving the test clock: every due charge and period end on the way happens, in time order.

Events of all tenants are processed oldest first, so invoice numbers stay gap-free and follow
issue dates across tenants.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mockserver.domain import billing_cycle as cycle
from mockserver.domain import clock
from mockserver.domain.errors import Conflict, DomainError, InvalidRequest, LimitReached
from mockserver.domain.invoices import InvoiceStatus
from mockserver.domain.issuing import issue_invoice
from mockserver.domain.subscriptions import add_months
from mockserver.domain.tenant import Tenant
from mockserver.state import Store

# One move of the clock runs at most this many events (then finishes the instant it is at):
# a move that would run more stops there, with the world as it is at that instant, and says
# so; the next move carries on from there.
MAX_EVENTS = 100_000
MAX_MOVE = timedelta(days=3660)  # ten years at a time, either way
_order = itertools.count()  # ties at the same instant keep the order they were found in


@dataclass(frozen=True)
class Move:
    """What moving the clock did: the events, oldest first; where it was asked to go; and
    whether it got there (False: it stopped at its last event, at the event bound)."""

    events: list[dict]
    requested: datetime
    complete: bool = True


def advance(store: Store, delta: timedelta, months: int = 0) -> Move:
    """Move forward by ``months`` calendar months (the 31st lands on a shorter month's last
    day), then by ``delta``."""
    if delta < timedelta(0) or months < 0:
        raise InvalidRequest("The clock only moves forward; use set to jump")
    with store.lock:
        now = store.clock.now()
        try:
            target = months_later(now, months) + delta
        except (OverflowError, ValueError):  # past year 9999: no date at all
            target = None
        if target is None or not clock.in_range(target):
            raise InvalidRequest(f"The move would take the clock out of its range ({clock.RANGE})",
                                 now=now)
        return _moved(store, target)


def months_later(instant: datetime, months: int) -> datetime:
    """The same time of day ``months`` calendar months later."""
    day = add_months(instant.date(), months)
    return instant + timedelta(days=(day - instant.date()).days)


def set_time(store: Store, instant: datetime, mode: str | None = None, *,
             allow_backwards: bool = False) -> Move:
    """Jump to ``instant``. Forward jumps run the events on the way; a backward jump runs
    none and is refused unless ``allow_backwards`` (what was billed stays billed)."""
    if not clock.in_range(instant):
        raise InvalidRequest(f"The clock runs from {clock.RANGE}", requested=instant)
    with store.lock:
        now = store.clock.now()
        if instant < now:
            if not allow_backwards:
                raise Conflict("The clock only moves forward; send \"allow_backwards\": true "
                               "to set it back", now=now, requested=instant)
            _check_distance(now, instant)
            store.clock.set(instant, mode)
            return Move([], instant)
        move = _moved(store, instant)
        store.clock.set(instant if move.complete else store.clock.now(), mode)
        return move


def _check_distance(now: datetime, target: datetime) -> None:
    if abs(target - now) > MAX_MOVE:
        raise InvalidRequest(f"The clock moves at most {MAX_MOVE.days} days at a time",
                             now=now, requested=target)


def _moved(store: Store, target: datetime) -> Move:
    """Run to ``target``, or to the instant where the event bound is reached: a move longer
    than ``MAX_MOVE`` is refused before anything happens."""
    _check_distance(store.clock.now(), target)
    events, complete = _run_until(store, target, stop_at_bound=True)
    return Move(events, target, complete)


# A scripted event: at its instant, it changes the world through the domain and says what it did.
Scripted = tuple[datetime, Callable[[Store, datetime], dict]]


def run_timeline(store: Store, until: datetime, scripted: Iterable[Scripted] = ()
                 ) -> list[dict]:
    """Run the clock from now to ``until``, with ``scripted`` events on the same timeline.

    Each scripted event runs at its instant, after every event of the clock's own up to and
    including that instant, so all of them happen in time order (the default world's history
    is built this way). Returns every event, oldest first.
    """
    with store.lock:
        script = sorted(scripted, key=lambda event: event[0])
        if script and not store.clock.now() <= script[0][0] <= script[-1][0] <= until:
            raise InvalidRequest("Scripted events must lie between now and the end of the run")
        events: list[dict] = []
        for at, same_instant in itertools.groupby(script, key=lambda event: event[0]):
            events += _run_until(store, at)[0]
            events += [apply(store, at) for _, apply in same_instant]
        return events + _run_until(store, until)[0]


def _run_until(store: Store, target: datetime, stop_at_bound: bool = False
               ) -> tuple[list[dict], bool]:
    """Every event up to ``target`` in time order, and whether the run got there. Past
    ``MAX_EVENTS`` events, the run ends once the instant it is at is done: it stops there
    (``stop_at_bound``; the clock and what was billed stay at that instant) or refuses
    (``LimitReached``; building a world, which is then refused whole)."""
    queue: list = []
    version: dict[str, int] = {}
    now = store.clock.now()
    # From where the last run stopped (a running clock moved on since), never from before now
    # when the clock was set back.
    since = min(store.billed_until or now, now)
    for tenant in store.tenants.values():
        _schedule(queue, version, tenant, since, target)
    events: list[dict] = []
    last = None  # the instant of the last event run
    while queue:
        when, _, tenant_id, seen, kind, ref = heapq.heappop(queue)
        if version.get(tenant_id) != seen or tenant_id not in store.tenants:
            continue  # superseded by a later schedule of the same tenant
        if len(events) >= MAX_EVENTS and when > last:
            if not stop_at_bound:
                raise LimitReached(f"Running the clock to {target.isoformat()} would run more "
                                   f"than {MAX_EVENTS} billing events")
            store.billed_until = last  # every event up to this instant ran, none after it
            return events, False
        tenant = store.tenants[tenant_id]
        store.clock.set(max(when, store.clock.now()))
        events.append(_run(store, tenant, kind, ref, when))
        last = when
        _schedule(queue, version, tenant, since, target)
    store.clock.set(max(target, store.clock.now()))
    store.billed_until = max(target, store.clock.now())
    return events, True


def _schedule(queue: list, version: dict, tenant: Tenant, since: datetime,
              target: datetime) -> None:
    version[tenant.id] = version.get(tenant.id, 0) + 1
    default = tenant.methods.default()
    for invoice in tenant.invoices.values():
        at = cycle.collection_due_at(invoice, default and default.id, since)
        if at is not None and at <= target:
            heapq.heappush(queue, (at, next(_order), tenant.id, version[tenant.id], "collect",
                                   invoice.id))
    for at in {cycle.period_close_at(sub) for sub in tenant.subscriptions} - {None}:
        if at <= target:
            heapq.heappush(queue, (at, next(_order), tenant.id, version[tenant.id], "close", at))


def _run(store: Store, tenant: Tenant, kind: str, ref: str, now: datetime) -> dict:
    if kind == "collect":
        event = cycle.collect(tenant, tenant.invoices[ref], now)
        _subscriptions_follow_dunning(tenant)
        return event
    closing = [s for s in tenant.subscriptions if cycle.period_close_at(s) == ref]
    return _close_periods(store, tenant, closing, now)


def _close_periods(store: Store, tenant: Tenant, closing: list, now: datetime) -> dict:
    """One invoice for every subscription whose period ends now, then the next periods."""
    start = min(s.current_period_start for s in closing)
    end = max(s.last_day for s in closing)
    lines = [line for sub in closing for line in cycle.period_lines(sub, list(tenant.usage))]
    event = {"type": "invoice.generated", "tenant_id": tenant.id,
             "subscription_ids": [s.id for s in closing], "period_start": start,
             "period_end": end, "at": now}
    try:
        invoice = issue_invoice(tenant, lines, store.seller, store.numbering, store.ids.new,
                                now, period=(start, end))
        event.update(invoice_id=invoice.id, number=invoice.number,
                     total_cents=invoice.total_cents)
    except DomainError as error:  # e.g. no complete profile: nothing is invoiced
        event.update(type="invoice.not_generated", reason=error.message)
    for sub in closing:
        cycle.roll_period(sub)
    return event


def _subscriptions_follow_dunning(tenant: Tenant) -> None:
    """A failed charge puts billable subscriptions past due; paying everything restores them."""
    owing = any(i.status is InvoiceStatus.PAST_DUE for i in tenant.invoices.values())
    for sub in tenant.subscriptions:
        if owing and sub.status == "active":
            sub.status = "past_due"
        elif not owing and sub.status == "past_due":
            sub.status = "active"
