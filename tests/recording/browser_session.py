"""Real browser sessions against the mock, recorded by Chromium as HAR (Playwright's
``record_har_path``): the test frontend (``tests/browser/site/frontend.html``) adds an iDEAL
mandate through Mollie's hosted checkout, as a customer would.

``mollie_setup`` is the short session (4 Billing API calls); ``long_session`` adds the reads
and writes of a billing settings page around a failed and a paid checkout (20 calls). The HAR
files in ``fixtures/`` were made by running this module against a fresh mock:

    PYTHONPATH=. .venv/bin/python -m tests.recording.browser_session
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Browser, Page, sync_playwright

from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SITE, TIMEOUT_MS, _QuietSiteHandler
from tests.conftest import make_jwt

FIXTURES = Path(__file__).parent / "fixtures"
PROFILE = {"company_name": "Tulp & Co B.V.", "address_line1": "Bloemgracht 8",
           "postal_code": "1015 TG", "city": "Amsterdam", "country_code": "NL",
           "contact_email": "admin@tulpenco.example", "preferred_language": "nl"}


@contextmanager
def frontend_site() -> Iterator[str]:
    handler = functools.partial(_QuietSiteHandler, directory=str(SITE))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _checkout(page: Page, choice: str, settled: str) -> None:
    page.click("#add")
    page.wait_for_url(re.compile(r".*/_mock/providers/mollie/checkout/.*"))
    page.check(f'input[name="choice"][value="{choice}"]')
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector(f'#result[data-status="{settled}"]')


def _api(page: Page, method: str, path: str, body: dict | None = None) -> dict:
    """A call the settings page's own script makes (recorded like the frontend's); its JSON
    answer."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const headers = {Authorization: `Bearer ${window.__token}`};
            if (body !== null) headers["Content-Type"] = "application/json";
            const r = await fetch(window.__api + path, {method, headers,
                body: body === null ? undefined : JSON.stringify(body)});
            return await r.json();
        }""", [method, path, body])


def record(browser: Browser, har: Path, api_url: str, origin: str, tenant: str,
           long: bool = False) -> None:
    token = make_jwt(tenant)
    context = browser.new_context(record_har_path=str(har))
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    query = urlencode({"api": api_url, "token": token, "provider": "mollie", "method": "ideal"})
    page.goto(f"{origin}/frontend.html?{query}")
    page.wait_for_selector('#methods[data-loaded="true"]', state="attached")
    page.evaluate("([api, token]) => { window.__api = api; window.__token = token; }",
                  [api_url, token])
    if long:
        for method, path, body in (
                ("GET", "/billing/payment-providers", None),
                ("GET", "/billing/payment-providers/mollie/config", None),
                ("GET", "/billing/billing-profile", None),
                ("PUT", "/billing/billing-profile", PROFILE),
                ("GET", "/billing/billing-profile", None),
                ("GET", "/billing/overview", None),
                ("GET", "/billing/upcoming", None),
                ("GET", "/billing/invoices", None)):
            _api(page, method, path, body)
        _checkout(page, "failed", "declined")
    _checkout(page, "paid", "success")
    if long:
        page.evaluate("([api, token]) => { window.__api = api; window.__token = token; }",
                      [api_url, token])
        card = _api(page, "POST", "/billing/payment-methods",
                    {"provider_slug": "stripe", "method_type": "card"})["data"]["id"]
        _api(page, "POST", f"/billing/payment-methods/{card}/default")
        _api(page, "GET", "/billing/payment-methods")
        _api(page, "DELETE", f"/billing/payment-methods/{card}")
        _api(page, "GET", "/billing/payment-methods")
    context.close()  # writes the HAR


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    with sync_playwright() as playwright, frontend_site() as origin:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        for name, long in (("mollie-setup", False), ("settings-session", True)):
            with LiveServer(Settings(seed=42)) as server:
                record(browser, FIXTURES / f"{name}.har", server.api_url, origin,
                       f"tnt_{name.replace('-', '_')}", long)
        browser.close()


if __name__ == "__main__":
    main()
