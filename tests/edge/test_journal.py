"""The journal: what the client got, whose request it was, and which world answered."""

from __future__ import annotations

import json

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


def test_a_body_is_kept_up_to_the_setting_and_shown_as_it_came(live):
    """1,000 requests of 60 KB each took the server from 78 to 1,114 MiB: every body was kept
    whole, parsed into objects many times its size. A body is kept as the bytes it was, up to
    ``journal_body_bytes``, and parsed only when the journal is read."""
    from mockserver.settings import Settings

    limit = 16_384  # the documented default
    big = json.dumps({"company_name": "Flood BV", "junk": [{}] * 15_000}).encode()
    assert len(big) > limit
    headers = {"Authorization": "Bearer demo-token", "Content-Type": "application/json"}
    small = httpx.post(f"{live.api_url}/billing/payment-methods", headers=headers,
                       json={"provider_slug": "mollie", "method_type": "ideal"})
    flood = httpx.post(f"{live.api_url}/billing/payment-methods", headers=headers, content=big)
    entries = {e["request_id"]: e for e in httpx.get(
        f"{live.url}/_mock/journal", params={"limit": 1000}).json()["data"]}
    shown = entries[flood.headers["X-Request-ID"]]
    assert shown["body"] is None and shown["body_truncated"] is True
    assert shown["body_size"] == len(big)
    assert shown["body_text"] == big[:limit].decode()
    whole = entries[small.headers["X-Request-ID"]]
    assert whole["body"] == {"provider_slug": "mollie", "method_type": "ideal"}
    assert whole["body_truncated"] is False and "body_text" not in whole
    assert Settings().journal_body_bytes == limit


def test_the_setting_bounds_what_every_entry_keeps():
    from mockserver.settings import Settings
    from mockserver.testing import LiveServer

    with LiveServer(Settings(journal_body_bytes=100)) as server:
        for size in (99, 100, 101, 5_000):
            httpx.put(f"{server.api_url}/billing/billing-profile",
                      content=json.dumps({"company_name": "x" * size}).encode(),
                      headers={"Authorization": "Bearer demo-token",
                               "Content-Type": "application/json"})
        shown = _journal(server)
        assert [e["body_size"] for e in shown] == [size + 20 for size in (99, 100, 101, 5_000)]
        assert all(len(e.get("body_text", "").encode()) <= 100 for e in shown)
        assert all(e["body"] is None and e["body_truncated"] for e in shown)
        assert sum(len(e["_body"]) for e in server.store.journal) == 400


def test_a_query_is_kept_up_to_the_setting_and_marked_cut():
    """A 60 KB query was kept whole: 1,000 of them made a 60 MB journal answer. The query is
    cut like a body, to ``journal_body_bytes``, and says so."""
    from mockserver.settings import Settings
    from mockserver.testing import LiveServer

    with LiveServer(Settings(journal_body_bytes=100)) as server:
        long_query = "x=" + "a" * 60_000
        for query in ("page=1", long_query):
            r = httpx.get(f"{server.api_url}/billing/payment-providers?{query}")
            assert r.status_code == 200
        short, cut = _journal(server)
        assert short["query"] == "page=1" and short["query_truncated"] is False
        assert short["query_size"] == 6
        assert cut["query"] == long_query[:100] and cut["query_truncated"] is True
        assert cut["query_size"] == len(long_query)
        assert all(len(e["query"]) <= 100 for e in server.store.journal)
