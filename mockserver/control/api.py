"""Handlers of openapi/control.yaml: clock, scenarios, reset, snapshots, tenants, journal."""

from __future__ import annotations

from datetime import datetime, timedelta

from mockserver import spec
from mockserver.control import runs, steering, tenants
from mockserver.control.access import control_operation
from mockserver.domain.clock import RANGE, in_range, utc
from mockserver.domain.errors import InvalidRequest
from mockserver.edge import journal
from mockserver.edge.envelope import ok
from mockserver.edge.errors import RequestValidationFailed
from mockserver.edge.operation import encoded
from mockserver.edge.runtime import current
from mockserver.published import mock_document
from mockserver.scenarios import ScenarioError, build_store, describe_all, load_file, parse
from mockserver.scenarios import resolve_served
from mockserver.services import clock as clock_service


def get_health():
    """Readiness: open to anyone, and it never waits for the world (a lock-free read; a
    shared world is asked only whether it can be reached, a 503 when not)."""
    runtime = current()
    store = runtime.store
    store.probe()
    evictions = {"tenants": store.evicted_tenants,
                 "setup_sessions": store.providers.evicted_sessions()}
    found = {"status": "ok", "tenants": len(store.tenants), "now": store.clock.now(),
             "scenario": store.scenario, "evictions": evictions}
    keeper = getattr(runtime.backend, "keeper", None)  # a state file's writer, once started
    if keeper is not None and runtime.run_id is None:  # it writes the loaded world
        found["state_file"] = keeper.status()
    if getattr(runtime.backend, "name", None) == "redis" and runtime.run_id is None:
        found["shared"] = runtime.backend.status()
    return encoded((found, 200))


def _clock(rt, move: clock_service.Move | None = None):
    now = rt.store.clock.now()
    data = {"now": now, "mode": rt.store.clock.mode, "events": []}
    if move is not None:
        data.update(events=move.events, requested=move.requested, complete=move.complete)
    return ok(data, now)


def _world(rt):
    store = rt.store
    return ok({"scenario": store.scenario, "now": store.clock.now(),
               "tenants": len(store.tenants)}, store.clock.now())


@control_operation
def get_clock(rt):
    return _clock(rt)


@control_operation
def advance_clock(rt, body):
    delta = timedelta(days=body.get("days", 0), hours=body.get("hours", 0),
                      minutes=body.get("minutes", 0))
    return _clock(rt, clock_service.advance(rt.store, delta, body.get("months", 0)))


@control_operation
def set_clock(rt, body):
    instant = _instant(body["now"], ["body", "now"])
    return _clock(rt, clock_service.set_time(rt.store, instant, body.get("mode"),
                                             allow_backwards=body.get("allow_backwards", False)))


def _instant(text: str, loc: list) -> datetime:
    """An RFC 3339 date-time (a date alone is not one) in the clock's range, else a
    FastAPI-shaped 422."""
    try:
        if "T" not in text.upper() and " " not in text:
            raise ValueError("a date-time needs a time of day")
        instant = utc(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except (ValueError, OverflowError) as exc:  # OverflowError: no UTC time (year 1 at +01:00)
        raise RequestValidationFailed([{
            "type": "datetime_parsing", "loc": loc, "input": text,
            "msg": f"Input should be a valid datetime, {exc}", "ctx": {"error": str(exc)}}]
        ) from None
    if not in_range(instant):
        why = f"the test clock runs from {RANGE}"
        raise RequestValidationFailed([{"type": "value_error", "loc": loc, "input": text,
                                        "msg": f"Value error, {why}", "ctx": {"error": why}}])
    return instant


@control_operation
def reset_world(rt):
    rt.world.reset()
    return _world(rt)


@control_operation(held=False)
def load_scenario(rt, body):
    try:
        if "scenario" in body:
            scenario, source = parse(body["scenario"], "<request body>"), "<request body>"
        elif "name" in body:
            path = resolve_served(body["name"], rt.settings.scenario_dir)
            scenario, source = load_file(path), str(path)
        else:
            raise InvalidRequest("Give a library scenario's name or a whole scenario")
        fresh = build_store(scenario, max_tenants=rt.settings.max_tenants,
                            outbox_size=rt.settings.outbox_size, source=source)
    except ScenarioError as error:
        raise InvalidRequest(str(error), problems=[
            {"path": path, "problem": problem} for path, problem in error.problems]) from None
    with rt.world.held():
        rt.world.load(fresh)
        return _world(rt)


@control_operation
def list_scenarios(rt):
    return ok(describe_all(), rt.store.clock.now())


@control_operation
def create_snapshot(rt):
    return ok({"id": rt.world.save_snapshot()}, rt.store.clock.now())


@control_operation
def list_snapshots(rt):
    return ok([{"id": snapshot_id, "taken_at": snapshot.taken_at, "bytes": snapshot.bytes}
               for snapshot_id, snapshot in rt.store.snapshots.items()], rt.store.clock.now())


@control_operation
def restore_snapshot(rt, body):
    rt.world.restore(body["id"])
    return _world(rt)


@control_operation
def list_tenants(rt):
    store = rt.store
    tokens: dict[str, list[str]] = {}
    for token, grant in store.tokens.items():
        tokens.setdefault(grant.tenant_id, []).append(token)
    data = [{"id": t.id, "key": t.name, "tokens": tokens.get(t.id, []),
             "company_name": t.profile.company_name if t.profile else None,
             "invoice_count": len(t.visible_invoices())} for t in store.tenants.values()]
    return ok(data, store.clock.now())


@control_operation
def list_journal(rt, operation_id=None, tenant_id=None, status=None, limit=100):
    operation_id = operation_id or None  # an empty filter filters nothing
    if operation_id is not None:
        try:  # any of the operation's names: its id, or FastAPI's function name or id
            operation_id = spec.operation_id(operation_id)
        except spec.UnknownOperation as error:
            raise InvalidRequest(str(error)) from None
    entries = [e for e in reversed(rt.store.journal_entries())
               if (operation_id is None or e["operation_id"] == operation_id)
               and (tenant_id is None or e["tenant_id"] == tenant_id)
               and (status is None or e["status"] == status)]
    return ok([journal.shown(e) for e in entries[:limit]], rt.store.clock.now())


@control_operation
def list_outbox(rt):
    return ok(list(reversed(rt.store.outbox)), rt.store.clock.now())


@control_operation
def get_mock_billing_document(rt):
    return mock_document(), 200


# Operations that read no more than a few counters, without the lock: run on the event
# loop, so readiness answers even while every worker thread waits (see edge.scheduling).
LOCK_FREE = frozenset({"getHealth"})

HANDLERS = {
    "getHealth": get_health, "getClock": get_clock, "advanceClock": advance_clock,
    "setClock": set_clock, "resetWorld": reset_world, "loadScenario": load_scenario,
    "listScenarios": list_scenarios, "createSnapshot": create_snapshot,
    "restoreSnapshot": restore_snapshot, "listTenants": list_tenants,
    "listJournal": list_journal, "listOutbox": list_outbox,
    "getMockBillingDocument": get_mock_billing_document, "listSnapshots": list_snapshots,
    **runs.HANDLERS, **steering.HANDLERS, **tenants.HANDLERS,
}
