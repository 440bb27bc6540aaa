"""A web page in the developer's Chromium cannot drive /_mock: neither a page of another
origin (CORS, Sec-Fetch-Site, Origin) nor one reaching the mock under its own DNS name
(rebinding). The billing API stays callable from a frontend on another origin."""

from __future__ import annotations

import httpx

from tests.browser.conftest import REBOUND_NAME


def rename(mock_server, name: str) -> None:
    r = httpx.put(f"{mock_server.api_url}/billing/billing-profile",
                  headers={"Authorization": "Bearer us-token"}, json={"company_name": name})
    assert r.status_code == 200


def name_now(mock_server) -> str:
    r = httpx.get(f"{mock_server.api_url}/billing/billing-profile",
                  headers={"Authorization": "Bearer us-token"})
    return r.json()["data"]["company_name"]


def test_a_page_of_another_origin_cannot_reset_or_read_the_mock(page, mock_server,
                                                                 frontend_origin):
    rename(mock_server, "Renamed Before The Page")
    page.goto(f"{frontend_origin}/")
    outcome = page.evaluate("""async (mock) => {
        const found = {};
        // A "simple" request needs no preflight: the browser sends it, only the answer is
        // hidden from the page. The server must refuse it itself.
        const blind = await fetch(mock + "/_mock/reset", {method: "POST", mode: "no-cors"});
        found.blind = blind.type;
        try {
            await fetch(mock + "/_mock/tenants");
            found.read = "read";
        } catch (error) { found.read = "blocked"; }
        try {
            await fetch(mock + "/_mock/clock/advance", {method: "POST",
                headers: {"Content-Type": "application/json"}, body: '{"days": 30}'});
            found.advance = "sent";
        } catch (error) { found.advance = "blocked"; }
        const api = await fetch(mock + "/api/v1/billing/payment-providers");
        found.api = api.status;
        return found;
    }""", mock_server.url)
    assert outcome == {"blind": "opaque", "read": "blocked", "advance": "blocked", "api": 200}
    assert name_now(mock_server) == "Renamed Before The Page"  # the reset never happened


def test_a_page_reaching_the_mock_under_a_rebound_name_is_refused(page, mock_server):
    """The page's own origin is http://rebound.test:PORT, which the browser's resolver now
    sends to 127.0.0.1: its requests are same-origin ones, with that name in Host."""
    rename(mock_server, "Renamed Before Rebinding")
    page.goto(f"http://{REBOUND_NAME}:{mock_server.settings.port}/_mock/health")  # any host
    statuses = page.evaluate("""async () => {
        const reset = await fetch("/_mock/reset", {method: "POST"});
        const tenants = await fetch("/_mock/tenants");
        return [reset.status, tenants.status];
    }""")
    assert statuses == [403, 403]
    assert name_now(mock_server) == "Renamed Before Rebinding"
