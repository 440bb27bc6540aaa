"""The journal: what the client got, whose request it was, and which world answered."""

from __future__ import annotations

import httpx

from tests.conftest import make_jwt

SECRET = "a-test-secret-of-at-least-32-bytes!"


def _journal(server) -> list[dict]:
    return list(reversed(httpx.get(f"{server.url}/_mock/journal").json()["data"]))


def test_the_tenant_is_noted_before_any_refusal(own_server):
    httpx.post(f"{own_server.url}/_mock/reset")
    api = own_server.api_url
    demo = {"Authorization": "Bearer demo-token"}
    reader = {"Authorization": "Bearer " + make_jwt("tnt_reader", ["billing:read"], SECRET)}
    assert httpx.get(f"{api}/billing/invoices", headers={**demo, "Prefer": "code=599"}
                     ).status_code == 400
    assert httpx.post(f"{api}/billing/payment-methods/pm_any/default",
                      headers=reader).status_code == 403
    first, second = _journal(own_server)
    demo_tenant = own_server.store.tokens["demo-token"].tenant_id
    assert (first["status"], first["tenant_id"]) == (400, demo_tenant)
    assert (second["status"], second["tenant_id"]) == (403, "tnt_reader")


def test_a_body_too_deep_to_parse_is_still_journaled(own_server):
    httpx.post(f"{own_server.url}/_mock/reset")
    r = httpx.put(f"{own_server.api_url}/billing/billing-profile",
                  content=b"[" * 20_000 + b"]" * 20_000,
                  headers={"Authorization": "Bearer demo-token",
                           "Content-Type": "application/json"})
    [entry] = _journal(own_server)
    assert entry["status"] == r.status_code == 400 and entry["body"] is None
