"""The tenant bound and the setup-session bounds, through the live server: evictions are
logged and counted in /_mock/health, and one tenant's setups never evict another's."""

from __future__ import annotations

import logging

import httpx
import pytest

from mockserver.providers import ProviderRegistry
from mockserver.providers.sessions import MAX_SESSIONS_PER_TENANT
from mockserver.scenarios.watcher import default_store
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.conftest import make_jwt

RETURN = "https://shop.example/back"


def client(server: LiveServer, tenant_id: str) -> httpx.Client:
    return httpx.Client(base_url=server.api_url, timeout=10,
                        headers={"Authorization": f"Bearer {make_jwt(tenant_id)}"})


def evictions(server: LiveServer) -> dict:
    return httpx.get(f"{server.url}/_mock/health").json()["evictions"]


def open_setup(c: httpx.Client) -> str:
    r = c.post("/billing/payment-providers/mollie/setup",
               json={"method_type": "ideal", "return_url": RETURN})
    assert r.status_code == 200, r.text
    return r.json()["data"]["session_id"]


def page_status(server: LiveServer, session_id: str) -> int:
    return httpx.get(f"{server.url}/_mock/providers/mollie/checkout/{session_id}").status_code


def test_the_least_recent_token_tenant_is_evicted_visibly(caplog):
    # The default world's five tenants are the world's own (never evicted): room for two more.
    with LiveServer(Settings(seed=42, max_tenants=7)) as server:
        assert evictions(server) == {"tenants": 0, "setup_sessions": 0}
        with client(server, "tnt_first") as first, client(server, "tnt_second") as second:
            assert first.put("/billing/billing-profile",
                             json={"company_name": "First BV"}).status_code == 200
            second.get("/billing/overview")
            with caplog.at_level(logging.WARNING, logger="billing_mock"):
                with client(server, "tnt_third") as third:
                    third.get("/billing/overview")
            assert evictions(server)["tenants"] == 1
            assert any("evicted tenant tnt_first" in r.getMessage() for r in caplog.records)
            # Documented: the evicted tenant's data is gone; its token starts it empty.
            assert first.get("/billing/billing-profile").json()["data"] is None
            assert evictions(server)["tenants"] == 2  # ... which made room by evicting again
        assert httpx.post(f"{server.url}/_mock/reset").status_code == 200
        assert evictions(server)["tenants"] == 0  # counted per world, from its start


@pytest.fixture
def small_book_server():
    """The default world with a provider book of 50 sessions, so the overall bound is
    reached in a bounded test (the real one is 10,000)."""
    settings = Settings(seed=42)
    store = default_store(settings)
    store.providers = ProviderRegistry(store.ids, session_limit=50)
    store.mark_start()
    with LiveServer(settings, store) as server:
        yield server


def test_one_tenants_setups_never_evict_another_tenants_session(small_book_server, caplog):
    server = small_book_server
    with client(server, "tnt_patient") as patient, client(server, "tnt_flood") as flood:
        waiting = open_setup(patient)
        with caplog.at_level(logging.WARNING, logger="billing_mock"):
            flooded = [open_setup(flood) for _ in range(60)]
        assert page_status(server, waiting) == 200, "the other tenant's session was evicted"
        r = patient.post("/billing/payment-providers/mollie/confirm",
                         json={"confirmation_data": {"session_id": waiting}})
        assert r.status_code == 409 and r.json()["error"]["details"]["state"] == "open"
        assert page_status(server, flooded[0]) == 404  # the flooding tenant's own oldest
        assert page_status(server, flooded[-1]) == 200
    assert evictions(server)["setup_sessions"] == 11
    assert any("setup session bound reached" in r.getMessage() for r in caplog.records)


def test_a_tenants_own_bound_evicts_its_own_oldest_session(live):
    tenant = f"tnt_bound{id(live) % 100000:05d}"
    before = evictions(live)["setup_sessions"]
    with client(live, tenant) as c:
        sessions = [open_setup(c) for _ in range(MAX_SESSIONS_PER_TENANT + 1)]
    assert page_status(live, sessions[0]) == 404
    assert page_status(live, sessions[1]) == 200
    assert evictions(live)["setup_sessions"] == before + 1
