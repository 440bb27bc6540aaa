"""Handlers of ``/_mock/outcomes`` and ``/_mock/behaviours``: scripted provider outcomes and
behaviours per operation, changed while the world runs."""

from __future__ import annotations

from mockserver.control.access import control_operation
from mockserver.domain.errors import InvalidRequest
from mockserver.edge.envelope import ok
from mockserver.scenarios import ScenarioError, parse_behaviour
from mockserver.scenarios.behaviours import Behaviour
from mockserver.services import steering


@control_operation
def list_outcomes(rt):
    return ok(steering.outcomes(rt.store), rt.store.clock.now())


@control_operation
def queue_outcome(rt, body):
    return ok(steering.queue_outcome(rt.store, body["provider"], body["outcome"]),
              rt.store.clock.now())


@control_operation
def clear_outcomes(rt, provider=None):
    return ok(steering.clear_outcomes(rt.store, provider), rt.store.clock.now())


def _behaviours(rt):
    return ok([b.describe() for b in rt.store.behaviours], rt.store.clock.now())


@control_operation
def list_behaviours(rt):
    return _behaviours(rt)


@control_operation
def add_behaviour(rt, body):
    store = rt.store
    tenant_ids = {**{t.name: t.id for t in store.tenants.values() if t.name},
                  **{t.id: t.id for t in store.tenants.values()}}
    try:
        spec = parse_behaviour(body, set(tenant_ids))
    except ScenarioError as error:
        raise InvalidRequest(f"Behaviour refused: {error}", problems=[
            {"path": path, "problem": problem} for path, problem in error.problems]) from None
    behaviour = Behaviour.from_spec(spec, tenant_ids, steering.next_behaviour_id(store))
    steering.add_behaviour(store, behaviour)
    return _behaviours(rt)


@control_operation
def clear_behaviours(rt):
    steering.remove_behaviour(rt.store)
    return _behaviours(rt)


@control_operation
def remove_behaviour(rt, behaviour_id):
    steering.remove_behaviour(rt.store, behaviour_id)
    return _behaviours(rt)


HANDLERS = {"listOutcomes": list_outcomes, "queueOutcome": queue_outcome,
            "clearOutcomes": clear_outcomes, "listBehaviours": list_behaviours,
            "addBehaviour": add_behaviour, "clearBehaviours": clear_behaviours,
            "removeBehaviour": remove_behaviour}
