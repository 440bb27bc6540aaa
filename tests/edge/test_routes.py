"""Paths Connexion's router and Flask's read differently (a doubled slash): a request
Connexion did not route reaches no operation, on the billing API and on /_mock alike."""

from __future__ import annotations

import httpx
import pytest

from mockserver.settings import Settings
from mockserver.testing import LiveServer


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(seed=42)) as live:
        yield live


@pytest.mark.parametrize("method, path", [
    ("GET", "//_mock/tenants"), ("GET", "//_mock/health"), ("POST", "//_mock/reset"),
    ("POST", "//_mock/clock/advance"), ("GET", "/_mock//tenants"),
    ("GET", "/_runs/x//_mock/tenants"), ("GET", "//api/v1/billing/payment-providers"),
])
def test_a_doubled_slash_is_not_found_and_changes_nothing(server, method, path):
    before = httpx.get(f"{server.url}/_mock/clock").json()["data"]["now"]
    httpx.post(f"{server.url}/_mock/clock/set", json={"now": "2031-01-01T00:00:00Z",
                                                      "mode": "frozen"})
    r = httpx.request(method, f"{server.url}{path}", json={"days": 1} if "clock" in path
                      else None)
    assert r.status_code == 404, r.text[:300]
    assert r.json()["error"]["code"] == "not_found"
    assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
    if not path.startswith("/_runs/x"):  # that one: there is no run 'x' in the first place
        # the path as sent, and why (before: the merged one, '/_mock/health', which exists,
        # or Werkzeug's "The requested URL was not found on the server")
        assert "doubled slash" in r.json()["error"]["message"], r.json()["error"]["message"]
    assert httpx.get(f"{server.url}/_mock/clock").json()["data"]["now"] == \
        "2031-01-01T00:00:00Z"  # neither reset nor advanced
    httpx.post(f"{server.url}/_mock/clock/set", json={"now": before, "allow_backwards": True})
