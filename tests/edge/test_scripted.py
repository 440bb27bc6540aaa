"""Prefer headers as Prism users know them, and scenario-scripted answers per operationId."""

import time

import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from mockserver.scenarios import build_store
from mockserver.scenarios import parse
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.conftest import PROFILE
from tests.test_spec import REGISTRY

BEHAVIOURS = [
    {"operation": "listInvoices", "calls": [2], "respond": {"status": 503}},
    {"operation": "getBillingOverview", "latency_ms": 300, "times": 1},
    {"operation": "getBillingProfile", "match": {"tenant": "b"},
     "respond": {"status": 200, "body": {"data": None, "meta": {}}}},
    {"operation": "getInvoice", "match": {"path_params": {"invoice_id": "inv_teapot"}},
     "respond": {"status": 418, "body": {"error": {"code": "teapot", "message": "short",
                                                  "request_id": "x"}},
                 "headers": {"X-Scripted": "yes"}}},
    {"operation": "listPaymentMethods", "failure_rate": 0.5, "seed": 3},
]


@pytest.fixture(scope="module")
def server():
    scenario = parse({"name": "scripted", "description": "scripted answers", "tenants": [
        {"key": "a", "tokens": ["a-token"], "profile": PROFILE},
        {"key": "b", "tokens": ["b-token"], "profile": PROFILE}],
        "behaviours": BEHAVIOURS})
    with LiveServer(Settings(), build_store(scenario)) as live:
        yield live


def client(server, token="a-token", **headers):
    return httpx.Client(base_url=server.api_url,
                        headers={"Authorization": f"Bearer {token}", **headers})


def test_prefer_code_gives_the_documented_answer_without_touching_state(server):
    with client(server, Prefer="code=404") as c:
        r = c.get("/billing/invoices/inv_anything")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
    with client(server, Prefer="code=422") as c:
        r = c.put("/billing/billing-profile", json={"company_name": "Not saved"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "missing"
    with client(server) as c:
        assert c.get("/billing/billing-profile").json()["data"]["company_name"] == \
            PROFILE["company_name"]


def test_prefer_example_by_name(server):
    with client(server, Prefer="example=noProfile") as c:
        r = c.get("/billing/billing-profile")
    assert r.status_code == 200 and r.json()["data"] is None
    assert r.json()["meta"]["request_id"] == r.headers["x-request-id"]
    with client(server, Prefer="example=nope") as c:
        assert c.get("/billing/billing-profile").status_code == 400


def test_prefer_an_undocumented_code_is_a_clear_400(server):
    with client(server, Prefer="code=418") as c:
        r = c.get("/billing/overview")
    assert r.status_code == 400 and "documented: 200, 401, 403, 422" in r.json()[
        "error"]["message"]


@pytest.mark.parametrize("path, pointer", [
    ("/billing/overview", "/components/schemas/ApiResponse_BillingOverviewResponse_"),
    ("/billing/invoices", "/components/schemas/PaginatedResponse_InvoiceResponse_"),
])
def test_prefer_dynamic_fits_the_schema(server, path, pointer):
    validator = OAS30Validator({"$ref": f"urn:billing#{pointer}"}, registry=REGISTRY)
    with client(server, Prefer="dynamic=true") as c:
        for _ in range(3):
            body = c.get(path).json()
            assert not [e.message for e in validator.iter_errors(body)]


def test_scripted_answer_on_the_nth_call_only(server):
    with client(server) as c:
        assert [c.get("/billing/invoices").status_code for _ in range(3)] == [200, 503, 200]


def test_scripted_latency_for_a_number_of_times(server):
    with client(server) as c:
        started = time.perf_counter()
        c.get("/billing/overview")
        slow = time.perf_counter() - started
        started = time.perf_counter()
        c.get("/billing/overview")
        fast = time.perf_counter() - started
    assert slow >= 0.3 > fast


def test_scripted_answer_for_matching_requests(server):
    with client(server, "b-token") as b, client(server) as a:
        assert b.get("/billing/billing-profile").json()["data"] is None
        assert a.get("/billing/billing-profile").json()["data"] is not None
        teapot = a.get("/billing/invoices/inv_teapot")
        assert teapot.status_code == 418 and teapot.headers["x-scripted"] == "yes"
        assert a.get("/billing/invoices/inv_other").status_code == 404


def test_failure_rate_is_seeded_and_repeatable(server):
    def run():
        with client(server) as c:
            return [c.get("/billing/payment-methods").status_code for _ in range(12)]

    first = run()
    assert set(first) == {200, 500} and 3 <= first.count(500) <= 9
    httpx.post(f"{server.url}/_mock/reset")
    assert run() == first  # reset rewinds the failure stream with the world


def test_a_preferred_401_asks_for_a_token_like_every_401(server):
    with client(server, Prefer="code=401") as c:
        r = c.get("/billing/invoices")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
