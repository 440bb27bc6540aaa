"""Handlers: payment methods and payment providers."""

from mockserver.edge.envelope import ok
from mockserver.edge.operation import MANAGE, READ, operation
from mockserver.api.representations import method_json, provider_json
from mockserver.services import payments


@operation(READ)
def list_payment_methods(rt, principal):
    methods = payments.list_methods(rt.store, principal.tenant_id)
    return ok([method_json(m) for m in methods], rt.store.clock.now())


@operation(MANAGE)
def add_payment_method(rt, principal, body):
    method = payments.add_direct_method(rt.store, principal.tenant_id, body["provider_slug"],
                                        body["method_type"])
    return ok(method_json(method), rt.store.clock.now(), status=201)


@operation(MANAGE)
def delete_payment_method(rt, principal, method_id):
    method, promoted = payments.delete_method(rt.store, principal.tenant_id, method_id)
    data = {"id": method.id, "status": method.status, "deleted": True,
            "new_default_id": promoted}
    return ok(data, rt.store.clock.now())


@operation(MANAGE)
def set_default_payment_method(rt, principal, method_id):
    method = payments.set_default(rt.store, principal.tenant_id, method_id)
    return ok(method_json(method), rt.store.clock.now())


@operation(None)
def list_payment_providers(rt, principal):
    return ok([provider_json(p) for p in payments.list_providers()], rt.store.clock.now())


@operation(None)
def get_provider_config(rt, principal, slug):
    return ok(payments.provider_config(rt.store, slug), rt.store.clock.now())


@operation(MANAGE)
def setup_provider_payment_method(rt, principal, slug, body):
    session = payments.start_setup(rt.store, principal.tenant_id, slug, body["method_type"],
                                   body["return_url"], rt.base_url)
    return ok(session, rt.store.clock.now())


@operation(MANAGE)
def confirm_provider_payment_method(rt, principal, slug, body):
    method = payments.confirm_setup(rt.store, principal.tenant_id, slug,
                                    body["confirmation_data"])
    return ok(method_json(method), rt.store.clock.now())
