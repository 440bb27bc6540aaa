"""One error exit: every error answer, wherever it was raised, is the same bytes for the same
envelope, and the journal records the status the client got."""

from __future__ import annotations

import json

import httpx
import pytest


def _compact(body: bytes) -> bytes:
    return json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("path, token, status", [
    ("/billing/invoices", None, 401),                          # refused by the security layer
    ("/billing/invoices", "not-a-known-token", 401),           # refused by our token check
    ("/billing/invoices/inv_unknown", "demo-token", 404),      # raised by the domain
    ("/billing/invoices?page=0", "demo-token", 422),           # refused by validation
    ("/billing/nothing-here", "demo-token", 404),              # not routed at all
])
def test_error_answers_are_encoded_alike(live, path, token, status):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = httpx.get(live.api_url + path, headers=headers)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    assert r.content == _compact(r.content), r.content  # compact, no trailing newline
    if status != 422:
        assert r.json()["error"]["request_id"] == r.headers["x-request-id"]


def test_401_and_404_envelopes_differ_only_in_their_values(live):
    missing = httpx.get(live.api_url + "/billing/invoices")
    unknown = httpx.get(live.api_url + "/billing/invoices/inv_unknown",
                        headers={"Authorization": "Bearer demo-token"})
    shape = [list(r.json()) + list(r.json()["error"]) for r in (missing, unknown)]
    assert shape[0] == shape[1] == ["error", "code", "message", "request_id"]
    assert missing.content.startswith(b'{"error":{"code":"unauthorized","message":')
    assert unknown.content.startswith(b'{"error":{"code":"not_found","message":')


def test_the_journal_records_the_status_the_client_got(own_server):
    api = own_server.api_url
    httpx.post(f"{own_server.url}/_mock/reset")
    got = [httpx.get(api + "/billing/invoices").status_code,
           httpx.get(api + "/billing/invoices?page=0",
                     headers={"Authorization": "Bearer demo-token"}).status_code,
           httpx.get(api + "/billing/invoices/inv_unknown",
                     headers={"Authorization": "Bearer demo-token"}).status_code]
    journal = httpx.get(f"{own_server.url}/_mock/journal").json()["data"]
    assert [e["status"] for e in reversed(journal)] == got == [401, 422, 404]


@pytest.mark.parametrize("method, path, allowed", [
    ("POST", "/api/v1/billing/overview", "GET"),
    ("DELETE", "/_mock/health", "GET"),
    ("POST", "/openapi.json", "GET"),
    ("DELETE", "/_mock/providers/stripe/3ds/cs_any", "GET, POST"),
])
def test_every_405_says_which_methods_the_path_takes(live, method, path, allowed):
    r = httpx.request(method, live.url + path, headers={"Authorization": "Bearer demo-token"})
    assert r.status_code == 405 and r.headers["allow"] == allowed
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_codes_of_scripted_statuses():
    from mockserver.edge.errors import code_of_status

    assert [code_of_status(s) for s in (401, 404, 409, 422, 429, 503, 599, 418)] == [
        "unauthorized", "not_found", "conflict", "validation_error", "too_many_requests",
        "internal_error", "internal_error", "bad_request"]
