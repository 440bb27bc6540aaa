"""Shared fixtures: a live server of the default world, and clients for any tenant."""

from __future__ import annotations

import itertools
import warnings

import httpx
import jwt
import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")

from mockserver.settings import Settings  # noqa: E402
from mockserver.testing import LiveServer  # noqa: E402

pytest_plugins = ["pytester"]  # the fixtures kit's tests run the plugin as a user's suite
_tenant_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def live():
    """One server of the default world for the whole run. Tests that change state use their
    own tenants (see ``fresh_tenant``) or the module-scoped ``own_server``."""
    with LiveServer(Settings(seed=42)) as server:
        yield server


@pytest.fixture(scope="module")
def own_server():
    """A server of the default world for one test module, free to change world tenants."""
    with LiveServer(Settings(seed=42)) as server:
        yield server


def make_jwt(tenant_id: str, permissions: list[str] | None = None,
             secret: str = "a-test-secret-of-at-least-32-bytes!",
             **claims) -> str:
    payload = {"sub": "usr_test", "tenant_id": tenant_id, **claims}
    if permissions is not None:
        payload["permissions"] = permissions
    return jwt.encode(payload, secret, algorithm="HS256")


def client(server: LiveServer, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.api_url, headers=headers, timeout=10)


@pytest.fixture
def api(live):
    """``api(token)``: an httpx client on the API root of the session server."""
    made = []

    def make(token: str | None = "demo-token", server: LiveServer | None = None):
        made.append(client(server or live, token))
        return made[-1]

    yield make
    for c in made:
        c.close()


@pytest.fixture
def fresh_tenant(live):
    """A tenant nobody else uses: a JWT for an unseen tenant id, and a client for it."""
    tenant_id = f"tnt_test{next(_tenant_numbers):06d}"
    with client(live, make_jwt(tenant_id)) as c:
        c.tenant_id = tenant_id
        yield c


PROFILE = {
    "company_name": "Żółć Ærø Ελληνικά Ltd",
    "address_line1": "Rue Haute 1",
    "postal_code": "1000",
    "city": "Bruxelles",
    "country_code": "BE",
    "vat_number": "BE0477472701",
    "contact_email": "ap@example.be",
    "is_business": True,
    "preferred_language": "fr",
}
