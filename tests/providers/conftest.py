"""Fixtures for the provider simulations: a frozen clock, a seeded id source, a registry."""

from __future__ import annotations

import pytest

from mockserver.domain.clock import Clock
from mockserver.domain.ids import IdSource
from mockserver.providers import ProviderRegistry
from tests.providers.provider_support import BASE_URL, NOW, RETURN_URL, TENANT


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW, mode="frozen")


@pytest.fixture
def ids() -> IdSource:
    return IdSource(seed=7)


@pytest.fixture
def registry(ids) -> ProviderRegistry:
    return ProviderRegistry(ids)


@pytest.fixture
def stripe(registry):
    return registry.get("stripe")


@pytest.fixture
def mollie(registry):
    return registry.get("mollie")


@pytest.fixture
def crypto(registry):
    return registry.get("crypto")


@pytest.fixture
def start(registry, clock):
    """Start a setup session: ``start(slug, method_type, tenant=..., return_url=...)``."""

    def start(slug, method_type, tenant=TENANT, return_url=RETURN_URL):
        return registry.get(slug).setup(tenant, method_type, return_url, clock.now(), BASE_URL)

    return start


@pytest.fixture
def confirm_card(stripe, start, clock):
    """Set up a Stripe card session and confirm it with ``payment_method``."""

    def confirm_card(payment_method, tenant=TENANT):
        answer = start("stripe", "card", tenant=tenant)
        data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": payment_method}
        return stripe.confirm(tenant, data, clock.now())

    return confirm_card
