"""The control API the console drives: tenants in detail and their documents, scripted
outcomes, behaviours, snapshots and the clock by calendar months."""

from __future__ import annotations

import itertools
import re

import httpx
import pytest

from mockserver.settings import Settings
from mockserver.testing import LiveServer

DEMO = {"Authorization": "Bearer demo-token"}
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(seed=42)) as live:
        yield live


@pytest.fixture
def world(server, request):
    """The control API and the API root of a run of this test's own."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", request.node.name)[-50:]
    base = f"{server.url}/_runs/t{next(_numbers)}-{name}"
    with httpx.Client(base_url=f"{base}/_mock", timeout=30) as control, httpx.Client(
            base_url=f"{base}/api/v1", headers=DEMO, timeout=30) as api:
        yield control, api
    httpx.delete(f"{server.url}/_mock/runs/{base.rsplit('/', 1)[1]}")


def demo_id(control) -> str:
    return next(t["id"] for t in control.get("/tenants").json()["data"]
                if "demo-token" in t["tokens"])


def test_a_tenant_in_detail_agrees_with_the_api(world):
    control, api = world
    tenant = control.get(f"/tenants/{demo_id(control)}").json()["data"]
    assert tenant["key"] == "demo" and tenant["tokens"] == ["demo-token"]
    listed = api.get("/billing/invoices", params={"page_size": 100}).json()["data"]
    assert [(i["id"], i["status"], i["total_cents"]) for i in tenant["invoices"]] == [
        (i["id"], i["status"], i["total_cents"]) for i in listed]
    assert "pdf" in tenant["invoices"][0]["formats"] and "ubl" in tenant["invoices"][0]["formats"]
    methods = api.get("/billing/payment-methods").json()["data"]
    assert [(m["id"], m["is_default"]) for m in tenant["payment_methods"]] == [
        (m["id"], m["is_default"]) for m in methods]


def test_only_the_formats_the_buyer_data_allows_are_offered(world):
    control, _ = world
    us = next(t["id"] for t in control.get("/tenants").json()["data"] if t["key"] == "us")
    formats = control.get(f"/tenants/{us}").json()["data"]["invoices"][0]["formats"]
    assert "pdf" in formats and "xrechnung" not in formats and "ubl" not in formats


def test_a_document_without_the_tenants_token(world):
    control, api = world
    tenant_id = demo_id(control)
    invoice = control.get(f"/tenants/{tenant_id}").json()["data"]["invoices"][0]
    r = control.get(f"/tenants/{tenant_id}/invoices/{invoice['id']}/document",
                    params={"format": "ubl"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    assert r.headers["content-disposition"].startswith("inline")
    same = api.get(f"/billing/invoices/{invoice['id']}/download", params={"format": "ubl"})
    assert r.content == same.content
    pdf = control.get(f"/tenants/{tenant_id}/invoices/{invoice['id']}/document")
    assert pdf.content.startswith(b"%PDF")
    assert control.get(f"/tenants/{tenant_id}/invoices/{invoice['id']}/document",
                       params={"format": "docx"}).status_code == 422


def test_an_unknown_tenant_is_not_found_and_not_made(world):
    control, _ = world
    count = len(control.get("/tenants").json()["data"])
    assert control.get("/tenants/tnt_nobody").status_code == 404
    assert control.get("/tenants/tnt_nobody/invoices/inv_x/document").status_code == 404
    assert len(control.get("/tenants").json()["data"]) == count


def test_outcomes_are_queued_in_order_and_cleared(world):
    control, api = world
    for outcome in ("insufficient_funds", "succeeded"):
        assert control.post("/outcomes", json={"provider": "stripe", "outcome": outcome}
                            ).status_code == 200
    stripe = next(p for p in control.get("/outcomes").json()["data"] if p["provider"] == "stripe")
    assert stripe["queued"] == ["insufficient_funds", "succeeded"]
    setup = api.post("/billing/payment-providers/stripe/setup", json={
        "method_type": "card", "return_url": "https://shop.example/"}).json()["data"]
    r = api.post("/billing/payment-providers/stripe/confirm", json={"confirmation_data": {
        "setup_intent_id": setup["setup_intent_id"], "payment_method": "pm_card_visa"}})
    assert r.status_code == 402 and r.json()["error"]["details"]["reason"] == "insufficient_funds"
    cleared = control.delete("/outcomes", params={"provider": "stripe"}).json()["data"]
    assert [p["queued"] for p in cleared] == [[], [], []]


@pytest.mark.parametrize("body, status", [
    ({"provider": "stripe", "outcome": "nope"}, 400),
    ({"provider": "paypal", "outcome": "succeeded"}, 422),
    ({"provider": "stripe"}, 422),
])
def test_a_bad_outcome_is_refused(world, body, status):
    control, _ = world
    r = control.post("/outcomes", json=body)
    assert r.status_code == status, r.text
    assert [p["queued"] for p in control.get("/outcomes").json()["data"]] == [[], [], []]


def test_behaviours_add_latency_failures_and_scripted_answers(world):
    control, api = world
    added = control.post("/behaviours", json={"operation": "get_billing_overview",
                                              "failure_rate": 1, "times": 2})
    assert added.status_code == 200
    [behaviour] = added.json()["data"]
    assert behaviour["operation"] == "getBillingOverview" and behaviour["id"] == "bhv_1"
    assert [api.get("/billing/overview").status_code for _ in range(3)] == [500, 500, 200]
    control.post("/behaviours", json={"operation": "listPaymentMethods",
                                      "respond": {"status": 429}})
    assert api.get("/billing/payment-methods").status_code == 429
    listed = control.get("/behaviours").json()["data"]
    assert [(b["id"], b["applied"]) for b in listed] == [("bhv_1", 2), ("bhv_2", 1)]
    assert [b["id"] for b in control.delete("/behaviours/bhv_1").json()["data"]] == ["bhv_2"]
    assert control.delete("/behaviours/bhv_1").status_code == 404
    assert control.delete("/behaviours").json()["data"] == []
    assert api.get("/billing/payment-methods").status_code == 200


@pytest.mark.parametrize("body, where", [
    ({"operation": "getBillingOverview"}, ""),
    ({"operation": "noSuchOperation", "latency_ms": 5}, "operation"),
    ({"operation": "getBillingOverview", "latency_ms": 999999}, "latency_ms"),
    ({"operation": "getBillingOverview", "failure_rate": 2}, "failure_rate"),
    ({"operation": "getBillingOverview", "latency_ms": 1, "surprise": True}, ""),
    ({"operation": "getBillingOverview", "latency_ms": 1, "match": {"tenant": "ghost"}},
     "match.tenant"),
])
def test_a_bad_behaviour_is_refused_whole_naming_the_problem(world, body, where):
    control, _ = world
    r = control.post("/behaviours", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["details"]["problems"][0]["path"] == where
    assert control.get("/behaviours").json()["data"] == []


def test_a_behaviour_for_one_tenant_by_key(world):
    control, api = world
    r = control.post("/behaviours", json={"operation": "getBillingOverview",
                                          "respond": {"status": 503}, "match": {"tenant": "us"}})
    assert r.status_code == 200
    assert api.get("/billing/overview").status_code == 200  # demo is not us
    assert api.get("/billing/overview", headers={"Authorization": "Bearer us-token"}
                   ).status_code == 503


def test_snapshots_are_listed_oldest_first_with_the_worlds_time(world):
    control, _ = world
    control.post("/clock/set", json={"now": "2030-01-01T00:00:00Z", "mode": "frozen"})
    first = control.post("/snapshot").json()["data"]["id"]
    control.post("/clock/advance", json={"days": 1})
    second = control.post("/snapshot").json()["data"]["id"]
    listed = control.get("/snapshots").json()["data"]
    assert [(s["id"], s["taken_at"]) for s in listed] == [
        (first, "2030-01-01T00:00:00Z"), (second, "2030-01-02T00:00:00Z")]
    assert all(s["bytes"] > 1000 for s in listed)


@pytest.mark.parametrize("start, months, expected", [
    ("2030-01-31T10:00:00Z", 1, "2030-02-28T10:00:00Z"),
    ("2030-03-15T00:00:00Z", 12, "2031-03-15T00:00:00Z"),
])
def test_the_clock_moves_by_calendar_months(world, start, months, expected):
    control, _ = world
    control.post("/clock/set", json={"now": start, "mode": "frozen"})
    r = control.post("/clock/advance", json={"months": months})
    assert r.status_code == 200 and r.json()["data"]["now"] == expected
    assert control.post("/clock/advance", json={"months": -1}).status_code == 422
