"""Handlers: overview and upcoming invoice."""

from mockserver.edge.envelope import ok
from mockserver.edge.operation import READ, operation
from mockserver.api.representations import method_json
from mockserver.services import overview as overview_service


@operation(READ)
def get_billing_overview(rt, principal):
    result = overview_service.overview(rt.store, principal.tenant_id)
    default = result.default_method
    data = {**result.data, "default_payment_method": method_json(default) if default else None}
    return ok(data, rt.store.clock.now())


@operation(READ)
def get_upcoming_invoice(rt, principal):
    estimate = overview_service.upcoming(rt.store, principal.tenant_id)
    return ok(estimate.as_dict(), rt.store.clock.now())
