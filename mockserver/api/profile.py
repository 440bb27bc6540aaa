"""Handlers: billing profile."""

from mockserver.edge.envelope import ok
from mockserver.edge.operation import MANAGE, READ, operation
from mockserver.api.representations import profile_json
from mockserver.services import profiles


@operation(READ)
def get_billing_profile(rt, principal):
    profile = profiles.get_profile(rt.store, principal.tenant_id)
    return ok(profile_json(profile), rt.store.clock.now())


@operation(MANAGE)
def upsert_billing_profile(rt, principal, body):
    profile = profiles.upsert_profile(rt.store, principal.tenant_id, body)
    return ok(profile_json(profile), rt.store.clock.now())
