"""Payment method and provider use cases."""

from __future__ import annotations

import logging

from mockserver.domain.payment_methods import PaymentMethod
from mockserver.domain.providers import PROVIDERS, Provider
from mockserver.state import Store

log = logging.getLogger("billing_mock")


def list_methods(store: Store, tenant_id: str) -> list[PaymentMethod]:
    with store.lock:
        return store.tenant(tenant_id).methods.active()


def delete_method(store: Store, tenant_id: str, method_id: str) -> tuple[PaymentMethod, str | None]:
    """Deactivate; returns the method and the id of the method promoted to default, if any."""
    with store.lock:
        book = store.tenant(tenant_id).methods
        was_default = book.get(method_id).is_default
        method = book.deactivate(method_id)
        promoted = book.default() if was_default else None
        return method, promoted.id if promoted else None


def set_default(store: Store, tenant_id: str, method_id: str) -> PaymentMethod:
    with store.lock:
        return store.tenant(tenant_id).methods.set_default(method_id)


def list_providers() -> list[Provider]:
    return list(PROVIDERS.values())


def add_direct_method(store: Store, tenant_id: str, provider_slug: str,
                      method_type: str) -> PaymentMethod:
    """``POST /payment-methods``: the provider vaults the method at once and returns its ref."""
    with store.lock:
        now = store.clock.now()
        vaulted = store.providers.direct_method(provider_slug, method_type, now)
        book = store.tenant(tenant_id).methods
        return book.add(vaulted.payment_method(store.ids.new("pm"), now))


def provider_config(store: Store, slug: str) -> dict:
    """What a frontend SDK needs, in test mode."""
    with store.lock:
        return store.providers.get(slug).config()


def start_setup(store: Store, tenant_id: str, slug: str, method_type: str, return_url: str,
                base_url: str) -> dict:
    """Open a provider setup session: a client secret (Stripe) or a hosted page (redirect)."""
    with store.lock:
        store.tenant(tenant_id)
        simulation = store.providers.get(slug)
        evicted = simulation.evicted_sessions
        answer = simulation.setup(tenant_id, method_type, return_url, store.clock.now(),
                                  base_url)
        if simulation.evicted_sessions > evicted:
            log.warning("setup session bound reached: %s evicted %d older session(s) to open "
                        "%s for tenant %s (%d evicted so far)", slug,
                        simulation.evicted_sessions - evicted, answer["session_id"], tenant_id,
                        simulation.evicted_sessions)
        return answer


def confirm_setup(store: Store, tenant_id: str, slug: str, data: dict) -> PaymentMethod:
    """Finish a setup session. The first confirm creates the method; later ones return it."""
    with store.lock:
        simulation = store.providers.get(slug)
        now = store.clock.now()
        result = simulation.confirm(tenant_id, data, now)
        book = store.tenant(tenant_id).methods
        if result.method_id is not None:
            return book.find(result.method_id)
        method = book.add(result.payment_method(store.ids.new("pm"), now))
        simulation.record_method(tenant_id, result.session_id, method.id)
        return method
