"""The console (/_mock/console) in Chromium: it loads without script errors, every control
changes the world as the control API would (checked through the API, not the page), two runs
never see each other's data, and whatever a tenant or a request carries is shown as text."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlencode, urljoin

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.browser.conftest import TIMEOUT_MS
from tests.conftest import make_jwt

DEMO = {"Authorization": "Bearer demo-token"}
_runs = itertools.count(1)
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(Settings(seed=42)) as live:
        yield live


class Run:
    """One run of the module's server: its console URL, its API and its control API."""

    def __init__(self, server: LiveServer, run_id: str) -> None:
        self.id = run_id
        self.base = f"{server.url}/_runs/{run_id}"
        self.console = f"{self.base}/_mock/console"
        self.api = httpx.Client(base_url=f"{self.base}/api/v1", headers=DEMO, timeout=30)
        self.control = httpx.Client(base_url=f"{self.base}/_mock", timeout=30)

    def data(self, path: str, **params):
        response = self.control.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def close(self) -> None:
        self.api.close()
        self.control.close()


@pytest.fixture
def run(server) -> Iterator[Callable[[], Run]]:
    made: list[Run] = []

    def make() -> Run:
        made.append(Run(server, f"console-{next(_runs)}"))
        return made[-1]

    yield make
    for found in made:
        found.close()
        httpx.delete(f"{server.url}/_mock/runs/{found.id}")


@pytest.fixture
def console(browser: Browser, server) -> Iterator[Callable[[str], Page]]:
    """``console(url)``: the console opened in a fresh context (clipboard allowed), ready;
    a script error fails the test. ``page.refused`` lists the page's requests answered
    4xx/5xx (a test that provokes none checks that it stays empty)."""
    contexts, problems = [], []

    def open_console(url: str) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        tab = context.new_page()
        tab.refused = []
        tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        tab.on("console", lambda message: message.type == "error" and not message.text.startswith(
            "Failed to load resource") and problems.append(f"console: {message.text}"))
        tab.on("response", lambda response: response.status >= 400 and tab.refused.append(
            f"{response.status} {response.url}"))
        tab.goto(url)
        expect(tab.locator("body")).to_have_attribute("data-ready", "1")
        expect(tab.locator("#status")).to_have_text("Ready")
        return tab

    yield open_console
    for context in contexts:
        context.close()
    assert not problems, problems


def done(page: Page, label: str) -> None:
    expect(page.locator("#status")).to_have_text(f"{label}: done")


def test_the_console_of_the_loaded_world_loads_without_script_errors(console, server,
                                                                      screenshot):
    page = console(f"{server.url}/_mock/console")
    expect(page.locator("#world-name")).to_have_text("Loaded world")
    tenants = httpx.get(f"{server.url}/_mock/tenants").json()["data"]
    expect(page.locator("#tenant-rows tr")).to_have_count(len(tenants))
    expect(page.locator("#scenario-name")).to_have_text("default world")
    assert page.refused == []  # every file and every call of the page answered
    screenshot(page)


def test_copying_a_token(console, run):
    mine = run()
    page = console(mine.console)
    page.locator('#tenant-rows button[data-copy="demo-token"]').click()
    expect(page.locator("#status")).to_have_text("Copied demo-token")
    assert page.evaluate("navigator.clipboard.readText()") == "demo-token"


def test_loading_a_scenario_and_resetting(console, run):
    mine = run()
    page = console(mine.console)
    page.select_option("#scenario-picker", "dunning")
    page.get_by_role("button", name="Load scenario").click()
    done(page, "Load dunning")
    assert httpx.get(f"{mine.base}/_mock/health").json()["scenario"] == "dunning"
    expect(page.locator("#scenario-name")).to_have_text("dunning")
    expect(page.locator("#tenant-rows tr")).to_have_count(1)
    with httpx.Client(base_url=f"{mine.base}/api/v1",
                      headers={"Authorization": "Bearer dunning-token"}) as acme:
        acme.put("/billing/billing-profile", json={"company_name": "Changed"})
        page.get_by_role("button", name="Reset to start").click()
        done(page, "Reset")
        assert acme.get("/billing/billing-profile").json()["data"]["company_name"] == (
            "Acme Cloud B.V.")


def test_the_clock_controls(console, run, screenshot):
    mine = run()
    page = console(mine.console)
    page.fill("#clock-set", "2030-01-31T09:00:00Z")
    page.select_option("#clock-set-mode", "frozen")
    page.get_by_role("button", name="Set clock").click()
    done(page, "Set clock")
    assert mine.data("/clock") == {"now": "2030-01-31T09:00:00Z", "mode": "frozen",
                                   "events": []}
    expect(page.locator("#clock-now")).to_have_text("2030-01-31 09:00:00Z")
    for button, now in (("+1 day", "2030-02-01T09:00:00Z"), ("+1 week", "2030-02-08T09:00:00Z"),
                        ("+1 month", "2030-03-08T09:00:00Z")):
        page.get_by_role("button", name=button, exact=True).click()
        done(page, button)
        assert mine.data("/clock")["now"] == now
    expect(page.locator("#clock-events")).to_contain_text("event(s) on the way")
    page.fill("#clock-set", "next tuesday")
    page.get_by_role("button", name="Set clock").click()
    expect(page.locator("#status")).to_contain_text("Set clock failed: body.now")
    assert mine.data("/clock")["now"] == "2030-03-08T09:00:00Z"  # a refusal changed nothing
    screenshot(page)


def test_a_tenants_invoices_documents_and_payment_methods(console, run, screenshot):
    mine = run()
    mine.api.post("/billing/payment-methods", json={"provider_slug": "mollie",
                                                    "method_type": "ideal"})
    page = console(mine.console)
    page.locator('#tenant-rows tr:has-text("demo-token")').get_by_role("button",
                                                                        name="Show").click()
    expect(page.locator("#tenant")).to_be_visible()
    listed = mine.api.get("/billing/invoices", params={"page_size": 100}).json()["data"]
    rows = page.locator("#invoice-rows tr")
    expect(rows).to_have_count(len(listed))
    for row, invoice in zip(rows.all(), listed):
        expect(row.locator("td").nth(1)).to_have_text(invoice["status"])
        expect(row.locator("td").first).to_contain_text(invoice["number"])
    link = rows.first.locator('a[data-format="pdf"]')
    href = link.get_attribute("href")
    assert href.startswith(f"/_runs/{mine.id}/_mock/tenants/")
    document = page.request.get(urljoin(page.url, href))
    assert document.ok and document.body().startswith(b"%PDF")
    methods = mine.api.get("/billing/payment-methods").json()["data"]
    method_rows = page.locator("#method-rows tr")
    expect(method_rows).to_have_count(len(methods))
    default = next(m for m in methods if m["is_default"])
    expect(page.locator(f'#method-rows tr[data-method="{default["id"]}"] td').nth(3)
           ).to_have_text("default")
    screenshot(page)


def test_the_outbox_with_its_attachments(console, run):
    mine = run()
    invoice = mine.api.get("/billing/invoices", params={"status": "finalized"}).json()["data"][0]
    sent = mine.api.post(f"/billing/invoices/{invoice['id']}/send").json()["data"]
    page = console(mine.console)
    row = page.locator("#outbox-rows tr").first
    expect(row).to_contain_text(f"Factuur {invoice['number']}")
    links = row.locator("a")
    expect(links).to_have_text([a["filename"] for a in sent["attachments"]])
    attachment = page.request.get(urljoin(page.url, links.last.get_attribute("href")))
    assert attachment.ok and attachment.headers["content-type"].startswith("application/xml")


def test_the_live_journal_and_its_filters(console, run):
    mine = run()
    page = console(mine.console)
    expect(page.locator("#journal-rows tr.empty")).to_have_count(1)
    mine.api.get("/billing/invoices")
    mine.api.get("/billing/invoices/inv_nope")
    mine.api.get("/billing/overview")
    rows = page.locator("#journal-rows tr")
    expect(rows).to_have_count(3)  # live: no reload, no click
    page.select_option("#journal-operation", "getInvoice")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("/api/v1/billing/invoices/inv_nope")
    page.select_option("#journal-operation", "")
    page.fill("#journal-status", "200")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    statuses = {e["status"] for e in mine.data("/journal", status=200)}
    assert statuses == {200}


def test_snapshots_save_and_restore(console, run):
    mine = run()
    page = console(mine.console)
    page.get_by_role("button", name="Save snapshot").click()
    done(page, "Save snapshot")
    [snapshot] = mine.data("/snapshots")
    expect(page.locator(f'#snapshot-rows tr[data-snapshot="{snapshot["id"]}"]')).to_be_visible()
    before = mine.api.get("/billing/billing-profile").json()["data"]["company_name"]
    mine.api.put("/billing/billing-profile", json={"company_name": "After the snapshot"})
    page.locator(f'#snapshot-rows tr[data-snapshot="{snapshot["id"]}"] button').click()
    done(page, f"Restore {snapshot['id']}")
    assert mine.api.get("/billing/billing-profile").json()["data"]["company_name"] == before


def test_the_next_stripe_confirm_declines(console, run, screenshot):
    mine = run()
    page = console(mine.console)
    page.select_option("#outcome-provider", "stripe")
    page.select_option("#outcome-value", "card_declined")
    page.get_by_role("button", name="Queue").click()
    done(page, "Queue stripe card_declined")
    expect(page.locator('#outcome-list li[data-provider="stripe"]')).to_contain_text(
        "stripe: card_declined")
    stripe = next(p for p in mine.data("/outcomes") if p["provider"] == "stripe")
    assert stripe["queued"] == ["card_declined"]
    screenshot(page)
    setup = mine.api.post("/billing/payment-providers/stripe/setup", json={
        "method_type": "card", "return_url": "https://shop.example/"}).json()["data"]
    r = mine.api.post("/billing/payment-providers/stripe/confirm", json={"confirmation_data": {
        "setup_intent_id": setup["setup_intent_id"], "payment_method": "pm_card_visa"}})
    assert r.status_code == 402 and r.json()["error"]["details"]["reason"] == "card_declined"
    page.select_option("#outcome-provider", "mollie")
    page.select_option("#outcome-value", "failed")
    page.get_by_role("button", name="Queue").click()
    done(page, "Queue mollie failed")
    page.locator('#outcome-list li[data-provider="mollie"] button').click()
    done(page, "Clear mollie outcomes")
    assert all(not p["queued"] for p in mine.data("/outcomes"))


def test_latency_and_failure_rates_per_operation(console, run, screenshot):
    mine = run()
    page = console(mine.console)
    page.select_option("#behaviour-operation", "getBillingOverview")
    page.fill("#behaviour-latency", "150")
    page.fill("#behaviour-rate", "1")
    page.fill("#behaviour-times", "1")
    page.get_by_role("button", name="Add", exact=True).click()
    done(page, "Add behaviour")
    [behaviour] = mine.data("/behaviours")
    assert (behaviour["operation"], behaviour["latency_ms"], behaviour["failure_rate"],
            behaviour["times"]) == ("getBillingOverview", 150, 1.0, 1)
    assert mine.api.get("/billing/overview").status_code == 500
    assert mine.api.get("/billing/overview").status_code == 200
    page.select_option("#behaviour-operation", "listInvoices")
    page.fill("#behaviour-latency", "")
    page.fill("#behaviour-rate", "")
    page.fill("#behaviour-times", "")
    page.fill("#behaviour-status", "503")
    page.get_by_role("button", name="Add", exact=True).click()
    done(page, "Add behaviour")
    assert mine.api.get("/billing/invoices").status_code == 503
    expect(page.locator('#behaviour-rows tr[data-behaviour="bhv_1"]')).to_contain_text("1 of 1")
    screenshot(page)
    page.locator('#behaviour-rows tr[data-behaviour="bhv_2"] button').click()
    done(page, "Remove bhv_2")
    assert [b["id"] for b in mine.data("/behaviours")] == ["bhv_1"]
    page.fill("#behaviour-rate", "2")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Add behaviour failed")
    assert [b["id"] for b in mine.data("/behaviours")] == ["bhv_1"]
    page.get_by_role("button", name="Remove all").click()
    done(page, "Remove all behaviours")
    assert mine.data("/behaviours") == []


def test_runs_are_created_and_deleted_from_the_loaded_worlds_console(console, server):
    page = console(f"{server.url}/_mock/console")
    page.fill("#run-id", "made-in-the-console")
    page.get_by_role("button", name="Create run").click()
    done(page, "Create run made-in-the-console")
    ids = [r["id"] for r in httpx.get(f"{server.url}/_mock/runs").json()["data"]["runs"]]
    assert "made-in-the-console" in ids
    row = page.locator('#run-rows tr[data-run="made-in-the-console"]')
    expect(row.get_by_role("link")).to_have_attribute(
        "href", "/_runs/made-in-the-console/_mock/console")
    row.get_by_role("button", name="Delete").click()
    done(page, "Delete run made-in-the-console")
    ids = [r["id"] for r in httpx.get(f"{server.url}/_mock/runs").json()["data"]["runs"]]
    assert "made-in-the-console" not in ids


def test_two_runs_never_see_each_others_data(console, run, server, screenshot):
    one, two = run(), run()
    one.api.put("/billing/billing-profile", json={"company_name": "Only in run one"})
    one.control.post("/clock/set", json={"now": "2031-05-05T05:05:00Z", "mode": "frozen"})
    two.api.get("/billing/overview")
    page_one, page_two = console(one.console), console(two.console)
    expect(page_one.locator("#world-name")).to_have_text(f"Run {one.id}")
    expect(page_one.locator("#tenant-rows")).to_contain_text("Only in run one")
    expect(page_two.locator("#tenant-rows")).not_to_contain_text("Only in run one")
    expect(page_one.locator("#clock-now")).to_have_text("2031-05-05 05:05:00Z")
    expect(page_two.locator("#clock-now")).not_to_have_text("2031-05-05 05:05:00Z")
    expect(page_one.locator("#journal-rows tr")).to_have_count(1)  # its PUT only
    expect(page_one.locator("#journal-rows")).to_contain_text("upsertBillingProfile")
    expect(page_two.locator("#journal-rows")).to_contain_text("getBillingOverview")
    expect(page_two.locator("#journal-rows")).not_to_contain_text("upsertBillingProfile")
    # A change made in one console stays in its run.
    page_one.get_by_role("button", name="Save snapshot").click()
    done(page_one, "Save snapshot")
    page_two.reload()
    expect(page_two.locator("#snapshot-rows tr.empty")).to_have_count(1)
    assert two.data("/snapshots") == [] and len(one.data("/snapshots")) == 1
    loaded = httpx.get(f"{server.url}/api/v1/billing/billing-profile", headers=DEMO)
    assert loaded.json()["data"]["company_name"] != "Only in run one"
    screenshot(page_one)


def test_what_a_tenant_or_a_request_carries_is_shown_as_text(console, run):
    mine = run()
    markup = '<img src=x onerror="window.pwned=1">'
    with httpx.Client(base_url=f"{mine.base}/api/v1", headers={
            "Authorization": f"Bearer {make_jwt('tnt_markup')}"}) as other:
        other.put("/billing/billing-profile", json={
            "company_name": markup, "contact_email": "a@b.example", "country_code": "NL"})
        other.get("/billing/invoices/" + "<b>bold</b>")
    page = console(mine.console)
    expect(page.locator('#tenant-rows tr[data-tenant="tnt_markup"] td').nth(1)).to_have_text(
        markup)
    expect(page.locator("#journal-rows")).to_contain_text("<b>bold</b>")
    assert page.locator("main img, main b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_a_frontend_in_a_run_stays_in_it(browser: Browser, server, run, frontend_origin):
    """The Playwright recipe: the app's API base is the run's, and the provider's hosted page
    sends it back with the method in that run only."""
    mine = run()
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        tab = context.new_page()
        query = {"api": f"{mine.base}/api/v1", "token": "demo-token", "provider": "mollie",
                 "method": "ideal"}
        tab.goto(f"{frontend_origin}/frontend.html?{urlencode(query)}")
        tab.click("#add")
        tab.wait_for_url(re.compile(re.escape(f"{mine.base}/_mock/providers/mollie/")))
        tab.get_by_label("Paid").check()
        tab.get_by_role("button", name="Continue").click()
        tab.wait_for_url(re.compile(re.escape(f"{frontend_origin}/frontend.html")))
        expect(tab.locator("#result")).to_have_attribute("data-status", "success")
    finally:
        context.close()
    assert len(mine.api.get("/billing/payment-methods").json()["data"]) == 3
    loaded = httpx.get(f"{server.url}/api/v1/billing/payment-methods", headers=DEMO)
    assert len(loaded.json()["data"]) == 2


def test_with_an_admin_token_the_console_asks_for_it(browser: Browser):
    with LiveServer(Settings(seed=42, admin_token="console-admin")) as guarded:
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        try:
            tab = context.new_page()
            tab.goto(f"{guarded.url}/_mock/console")
            expect(tab.locator("#status")).to_have_text(
                "This server needs its admin token (above)")
            expect(tab.locator("#tenant-rows tr")).to_have_count(0)
            tab.fill("#admin-token", "console-admin")
            tab.get_by_role("button", name="Use").click()
            done(tab, "Admin token")
            expect(tab.locator("#tenant-rows tr")).to_have_count(5)
            tab.locator('#tenant-rows tr:has-text("demo-token")').get_by_role(
                "button", name="Show").click()
            with tab.expect_popup() as popup:
                tab.locator('#invoice-rows a[data-format="pdf"]').first.click()
            assert popup.value.url.startswith("blob:")
        finally:
            context.close()
        assert httpx.get(f"{guarded.url}/_mock/tenants").status_code == 401
