"""Isolated runs through a live server: every piece of state is the run's own, the prefix and
the header name the same run, hosted pages stay inside it, and runs are listed, bounded and
deletable under /_mock/runs."""

from __future__ import annotations

import itertools
from urllib.parse import parse_qs, urlsplit

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
def two_runs(server):
    """Two fresh run ids, and clients on their API roots and control APIs."""
    made = []

    def clients(run_id):
        base = f"{server.url}/_runs/{run_id}"
        api = httpx.Client(base_url=f"{base}/api/v1", headers=DEMO, timeout=30)
        control = httpx.Client(base_url=f"{base}/_mock", timeout=30)
        made.extend([api, control])
        return api, control

    number = next(_numbers)
    yield clients(f"a{number}"), clients(f"b{number}")
    for client in made:
        client.close()


def loaded(server, path, headers=None):
    """A GET on the loaded world (or on the run the headers name)."""
    return httpx.get(f"{server.url}{path}", headers=headers or DEMO, timeout=30)


def test_tenants_are_the_runs_own(server, two_runs):
    (api_a, _), (api_b, _) = two_runs
    before = api_b.get("/billing/billing-profile").json()["data"]["company_name"]
    r = api_a.put("/billing/billing-profile", json={"company_name": "Only in run A"})
    assert r.status_code == 200
    assert api_a.get("/billing/billing-profile").json()["data"]["company_name"] == "Only in run A"
    assert api_b.get("/billing/billing-profile").json()["data"]["company_name"] == before
    assert loaded(server, "/api/v1/billing/billing-profile").json()["data"][
        "company_name"] == before


def test_the_clock_is_the_runs_own(server, two_runs):
    (api_a, control_a), (_, control_b) = two_runs
    start = control_b.get("/clock").json()["data"]["now"]
    control_a.post("/clock/set", json={"now": "2031-01-01T00:00:00Z", "mode": "frozen"})
    assert control_a.get("/clock").json()["data"]["now"] == "2031-01-01T00:00:00Z"
    assert control_b.get("/clock").json()["data"]["now"][:10] == start[:10]
    assert httpx.get(f"{server.url}/_mock/clock").json()["data"]["now"][:4] != "2031"
    # The run's answers carry its own time.
    assert api_a.get("/billing/overview").json()["meta"]["timestamp"].startswith("2031-01-01")


def test_the_journal_is_the_runs_own(server, two_runs):
    (api_a, control_a), (_, control_b) = two_runs
    api_a.get("/billing/invoices", params={"page_size": 3})
    [entry] = control_a.get("/journal").json()["data"]
    assert entry["operation_id"] == "listInvoices"
    assert entry["path"] == "/api/v1/billing/invoices"  # the run's prefix is not the API's
    assert control_b.get("/journal").json()["data"] == []
    request_ids = {e["request_id"] for e in httpx.get(f"{server.url}/_mock/journal").json()["data"]}
    assert entry["request_id"] not in request_ids


def test_the_outbox_is_the_runs_own(server, two_runs):
    (api_a, control_a), (_, control_b) = two_runs
    invoice = api_a.get("/billing/invoices", params={"status": "finalized"}).json()["data"][0]
    assert api_a.post(f"/billing/invoices/{invoice['id']}/send").status_code == 200
    [message] = control_a.get("/outbox").json()["data"]
    assert message["invoice_id"] == invoice["id"]
    assert control_b.get("/outbox").json()["data"] == []
    outbox = httpx.get(f"{server.url}/_mock/outbox").json()["data"]
    assert message["id"] not in {m["id"] for m in outbox}


def test_provider_sessions_and_hosted_pages_stay_inside_their_run(server, two_runs):
    (api_a, _), (api_b, _) = two_runs
    setup = api_a.post("/billing/payment-providers/mollie/setup", json={
        "method_type": "ideal", "return_url": "https://shop.example/back?x=1"}).json()["data"]
    run_a = urlsplit(str(api_a.base_url)).path.removesuffix("/api/v1/")
    page_url = setup["redirect_url"]
    assert page_url.startswith(f"{server.url}{run_a}/_mock/providers/mollie/checkout/")
    page = httpx.get(page_url)
    assert page.status_code == 200
    assert f'action="{run_a}/_mock/providers/mollie/checkout/' in page.text
    # Neither the other run nor the loaded world knows the session.
    other_page = page_url.replace(run_a, urlsplit(str(api_b.base_url)).path.removesuffix(
        "/api/v1/"))
    assert httpx.get(other_page).status_code == 404
    assert httpx.get(page_url.replace(run_a, "")).status_code == 404
    confirm = {"confirmation_data": {"session_id": setup["session_id"]}}
    assert api_b.post("/billing/payment-providers/mollie/confirm", json=confirm
                      ).status_code == 404
    chosen = httpx.post(page_url, data={"choice": "paid"})
    assert chosen.status_code == 303
    back = urlsplit(chosen.headers["location"])
    assert parse_qs(back.query)["session_id"] == [setup["session_id"]]
    assert api_a.post("/billing/payment-providers/mollie/confirm", json=confirm
                      ).status_code == 200


def test_the_3d_secure_page_of_a_run_is_the_runs(server, two_runs):
    (api_a, _), _ = two_runs
    setup = api_a.post("/billing/payment-providers/stripe/setup", json={
        "method_type": "card", "return_url": "https://shop.example/back"}).json()["data"]
    r = api_a.post("/billing/payment-providers/stripe/confirm", json={"confirmation_data": {
        "setup_intent_id": setup["setup_intent_id"],
        "payment_method": "pm_card_authenticationRequiredOnSetup"}})
    assert r.status_code == 409
    next_action = r.json()["error"]["details"]["next_action_url"]
    run_a = urlsplit(str(api_a.base_url)).path.removesuffix("/api/v1/")
    assert urlsplit(next_action).path.startswith(f"{run_a}/_mock/providers/stripe/3ds/")
    assert httpx.get(next_action).status_code == 200


def test_scripted_outcomes_are_the_runs_own(server, two_runs):
    (api_a, control_a), (api_b, control_b) = two_runs
    assert control_a.post("/outcomes", json={"provider": "stripe", "outcome": "card_declined"}
                          ).status_code == 200
    for api, status in ((api_b, 200), (api_a, 402)):
        setup = api.post("/billing/payment-providers/stripe/setup", json={
            "method_type": "card", "return_url": "https://shop.example/"}).json()["data"]
        r = api.post("/billing/payment-providers/stripe/confirm", json={"confirmation_data": {
            "setup_intent_id": setup["setup_intent_id"], "payment_method": "pm_card_visa"}})
        assert r.status_code == status, r.text
    assert [p["queued"] for p in control_a.get("/outcomes").json()["data"]] == [[], [], []]


def test_behaviours_are_the_runs_own(server, two_runs):
    (api_a, control_a), (api_b, _) = two_runs
    r = control_a.post("/behaviours", json={"operation": "getBillingOverview",
                                            "respond": {"status": 503}, "times": 1})
    assert r.status_code == 200 and r.json()["data"][0]["id"] == "bhv_1"
    assert api_b.get("/billing/overview").status_code == 200
    assert loaded(server, "/api/v1/billing/overview").status_code == 200
    assert api_a.get("/billing/overview").status_code == 503
    assert api_a.get("/billing/overview").status_code == 200  # times: 1


def test_snapshots_and_scenarios_are_the_runs_own(server, two_runs):
    (api_a, control_a), (api_b, control_b) = two_runs
    snapshot = control_a.post("/snapshot").json()["data"]["id"]
    assert control_b.post("/restore", json={"id": snapshot}).status_code == 404
    assert httpx.post(f"{server.url}/_mock/restore", json={"id": snapshot}).status_code == 404
    assert control_a.post("/scenario", json={"name": "dunning"}).json()["data"][
        "scenario"] == "dunning"
    assert control_b.get("/health").json()["scenario"] is None
    assert httpx.get(f"{server.url}/_mock/health").json()["scenario"] is None
    assert api_b.get("/billing/overview").status_code == 200  # demo-token: default world


def test_a_runs_reset_goes_back_to_the_start_it_was_forked_from(server, two_runs):
    (api_a, control_a), _ = two_runs
    original = api_a.get("/billing/billing-profile").json()["data"]["company_name"]
    api_a.put("/billing/billing-profile", json={"company_name": "Before the reset"})
    control_a.post("/clock/advance", json={"days": 40})
    assert control_a.post("/reset").status_code == 200
    assert api_a.get("/billing/billing-profile").json()["data"]["company_name"] == original
    assert [e["operation_id"] for e in control_a.get("/journal").json()["data"]] == [
        "getBillingProfile"]


def test_the_header_names_the_same_run_as_the_prefix(server, two_runs):
    (api_a, _), _ = two_runs
    run_id = urlsplit(str(api_a.base_url)).path.split("/")[2]
    api_a.put("/billing/billing-profile", json={"company_name": "By prefix"})
    by_header = loaded(server, "/api/v1/billing/billing-profile",
                       headers={**DEMO, "X-Billing-Mock-Run": run_id})
    assert by_header.json()["data"]["company_name"] == "By prefix"
    both = httpx.get(f"{server.url}/_runs/{run_id}/api/v1/billing/billing-profile",
                     headers={**DEMO, "X-Billing-Mock-Run": run_id})
    assert both.json()["data"]["company_name"] == "By prefix"
    other = httpx.get(f"{server.url}/_runs/{run_id}/api/v1/billing/billing-profile",
                      headers={**DEMO, "X-Billing-Mock-Run": "somebody-else"})
    assert other.status_code == 400 and "name one run" in other.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/_runs/a%20b/api/v1/billing/overview",
                                  "/_runs/-x/_mock/clock", f"/_runs/{'x' * 65}/_mock/clock"])
def test_a_bad_run_id_is_a_400_with_the_rule(server, path):
    r = httpx.get(f"{server.url}{path}", headers=DEMO)
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith("A run id is")
    assert r.json()["error"]["request_id"] == r.headers["x-request-id"]


def test_a_run_without_a_path_is_not_found(server):
    for path in ("/_runs/lonely", "/_runs/lonely/"):
        r = httpx.get(f"{server.url}{path}")
        assert r.status_code == 404 and "/_runs/lonely/api/v1/" in r.text


def test_runs_are_listed_and_deleted_at_the_top_only(server, two_runs):
    (api_a, control_a), _ = two_runs
    run_id = urlsplit(str(api_a.base_url)).path.split("/")[2]
    api_a.get("/billing/overview")
    listed = httpx.get(f"{server.url}/_mock/runs").json()["data"]
    assert listed["max_runs"] == 100 and listed["idle_seconds"] == 1800
    [run] = [r for r in listed["runs"] if r["id"] == run_id]
    assert run["tenants"] == 5 and run["journal_entries"] == 1 and run["scenario"] is None
    assert control_a.get("/runs").status_code == 404  # a run does not see the others
    assert httpx.delete(f"{server.url}/_mock/runs/{run_id}").status_code == 200
    assert httpx.get(f"{server.url}/_mock/runs/{run_id}").status_code == 404
    assert httpx.delete(f"{server.url}/_mock/runs/{run_id}").status_code == 404
    # Its next request forks a fresh run.
    assert control_a.get("/journal").json()["data"] == []


def test_a_run_can_be_created_up_front_once(server):
    created = httpx.post(f"{server.url}/_mock/runs", json={"id": "made-up-front"})
    assert created.status_code == 201 and created.json()["data"]["id"] == "made-up-front"
    again = httpx.post(f"{server.url}/_mock/runs", json={"id": "made-up-front"})
    assert again.status_code == 409
    anonymous = httpx.post(f"{server.url}/_mock/runs")
    assert anonymous.status_code == 201 and anonymous.json()["data"]["id"].startswith("run_")
    bad = httpx.post(f"{server.url}/_mock/runs", json={"id": "not ok"})
    assert bad.status_code == 400


def test_new_runs_fork_from_what_the_loaded_world_loads_later():
    with LiveServer(Settings(seed=42)) as live:
        assert httpx.get(f"{live.url}/_runs/before/_mock/health").json()["scenario"] is None
        httpx.post(f"{live.url}/_mock/scenario", json={"name": "dunning"})
        assert httpx.get(f"{live.url}/_runs/before/_mock/health").json()["scenario"] is None
        assert httpx.get(f"{live.url}/_runs/after/_mock/health").json()["scenario"] == "dunning"


def test_the_number_of_runs_is_bounded():
    with LiveServer(Settings(seed=42, max_runs=2)) as live:
        for run_id in ("one", "two"):
            assert httpx.get(f"{live.url}/_runs/{run_id}/_mock/clock").status_code == 200
        refused = httpx.get(f"{live.url}/_runs/three/api/v1/billing/overview", headers=DEMO)
        assert refused.status_code == 409
        assert "at most 2 runs" in refused.json()["error"]["message"]
        assert httpx.get(f"{live.url}/_runs/one/_mock/clock").status_code == 200  # kept
        httpx.delete(f"{live.url}/_mock/runs/one")
        assert httpx.get(f"{live.url}/_runs/three/_mock/clock").status_code == 200


def test_a_browser_on_another_origin_reaches_a_run_through_cors(server):
    r = httpx.options(f"{server.url}/_runs/cors/api/v1/billing/overview", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization,x-billing-mock-run"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")


def listed_runs(server) -> set[str]:
    return {r["id"] for r in httpx.get(f"{server.url}/_mock/runs").json()["data"]["runs"]}


@pytest.mark.parametrize("method, path, headers, status", [
    ("POST", "/_mock/reset", {"Origin": "http://evil.example"}, 403),
    ("POST", "/_mock/clock/advance", {"Sec-Fetch-Site": "cross-site"}, 403),
    ("GET", "/_mock/tenants", {"Host": "evil.example"}, 403),
    ("GET", "/api/v1/billing/payment-providers", {"Sec-Fetch-Site": "cross-site"}, 404),
    ("GET", "/api/v1/billing/payment-providers", {}, 404),
    ("GET", "/api/v1/billing/overview", {"Authorization": "Bearer nobody-knows-it"}, 401),
    ("GET", "/_mock/providers/mollie/checkout/ps_gone", {}, 404),
], ids=["cross-origin control write", "cross-site control write", "foreign Host",
        "cross-site API read without a token", "API read without a token",
        "an unknown token", "a hosted page"])
def test_a_request_that_may_not_fork_a_run_forks_none(server, method, path, headers, status):
    run_id = f"unforked{next(_numbers)}"
    r = httpx.request(method, f"{server.url}/_runs/{run_id}{path}", headers=headers,
                      json={"days": 1} if method == "POST" else None)
    assert r.status_code == status, r.text[:300]
    assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
    assert run_id not in listed_runs(server)
    by_header = httpx.request(method, f"{server.url}{path}",
                              headers={**headers, "X-Billing-Mock-Run": run_id})
    assert by_header.status_code == status
    assert run_id not in listed_runs(server)


def test_a_run_is_forked_by_a_known_token_a_control_request_or_post_runs(server):
    from tests.conftest import make_jwt

    ids = {f"forked{next(_numbers)}-{how}": how for how in ("token", "jwt", "control", "post")}
    for run_id, how in ids.items():
        base = f"{server.url}/_runs/{run_id}"
        if how == "token":
            r = httpx.get(f"{base}/api/v1/billing/overview", headers=DEMO)
        elif how == "jwt":
            r = httpx.get(f"{base}/api/v1/billing/overview",
                          headers={"Authorization": f"Bearer {make_jwt('tnt_somebody')}"})
        elif how == "control":
            r = httpx.get(f"{base}/_mock/clock")
        else:
            r = httpx.post(f"{server.url}/_mock/runs", json={"id": run_id})
        assert r.status_code in (200, 201), (how, r.text[:200])
    assert set(ids) <= listed_runs(server)
    # Once there, a run answers what needs no token to anyone, as the loaded world does.
    some = next(iter(ids))
    assert httpx.get(f"{server.url}/_runs/{some}/api/v1/billing/payment-providers",
                     headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_a_preflight_forks_no_run(server):
    r = httpx.options(f"{server.url}/_runs/preflight-only/api/v1/billing/overview", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert r.status_code == 200
    assert "preflight-only" not in listed_runs(server)


def test_a_web_page_cannot_fill_the_runs():
    with LiveServer(Settings(seed=42, max_runs=2)) as live:
        for i in range(5):
            r = httpx.get(f"{live.url}/_runs/page{i}/api/v1/billing/payment-providers",
                          headers={"Sec-Fetch-Site": "cross-site", "Origin": "http://a.example"})
            assert r.status_code == 404
            r = httpx.post(f"{live.url}/_runs/page{i}/_mock/reset",
                           headers={"Origin": "http://a.example"})
            assert r.status_code == 403
        assert httpx.get(f"{live.url}/_mock/runs").json()["data"]["runs"] == []
        for run_id in ("mine", "yours"):
            r = httpx.get(f"{live.url}/_runs/{run_id}/api/v1/billing/overview", headers=DEMO)
            assert r.status_code == 200
