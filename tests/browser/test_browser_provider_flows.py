"""The payment-provider setup flows end to end in Chromium.

The test frontend (``site/frontend.html``, on its own origin) starts a setup, follows the
provider to the mock's hosted page, where the test clicks the customer's choice, confirms once the
browser is back and shows the outcome in ``#result`` and the saved methods in ``#methods``.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

SETTLED = '#result:not([data-status="idle"]):not([data-status="working"])' \
          ':not([data-status="redirecting"])'


def outcome(page: Page) -> tuple[str, str]:
    """Wait until the frontend settles; answer its ``(status, reason)``."""
    result = page.wait_for_selector(SETTLED)
    return result.get_attribute("data-status"), result.get_attribute("data-reason")


def methods(page: Page) -> list[str]:
    """The saved methods the frontend lists, as it words them."""
    return page.locator("#methods li").all_inner_texts()


def add_method(page: Page, url: str) -> None:
    page.goto(url)
    page.click("#add")


def reach_hosted_page(page: Page, mock_url: str, provider_path: str) -> None:
    page.wait_for_url(re.compile(re.escape(f"{mock_url}/_mock/providers/{provider_path}/")))
    expect(page.locator("form")).to_be_visible()


def back_at_frontend(page: Page, frontend_url: str) -> None:
    origin = frontend_url.split("/frontend.html")[0]
    page.wait_for_url(re.compile(re.escape(f"{origin}/frontend.html")))


# -- Stripe ------------------------------------------------------------------------------------


def test_stripe_card_is_added(page, frontend, screenshot):
    add_method(page, frontend("stripe", "card", card="4242 4242 4242 4242"))
    assert outcome(page) == ("success", "")
    assert methods(page) == ["stripe: visa **** 4242 (default)"]
    screenshot(page)  # no hosted page on this path: the frontend with its outcome


def test_stripe_3d_secure_completed(page, frontend, mock_server, screenshot):
    url = frontend("stripe", "card", card="4000 0025 0000 3155")
    add_method(page, url)
    reach_hosted_page(page, mock_server.url, "stripe/3ds")
    expect(page.locator("main")).to_contain_text("Authenticate the visa card ending in 3155")
    screenshot(page)
    page.get_by_role("button", name="Complete authentication").click()
    back_at_frontend(page, url)
    assert outcome(page) == ("success", "")
    assert methods(page) == ["stripe: visa **** 3155 (default)"]


def test_stripe_3d_secure_failed(page, frontend, mock_server, screenshot):
    url = frontend("stripe", "card", card="4000 0025 0000 3155")
    add_method(page, url)
    reach_hosted_page(page, mock_server.url, "stripe/3ds")
    screenshot(page)
    page.get_by_role("button", name="Fail authentication").click()
    back_at_frontend(page, url)
    assert outcome(page) == ("declined", "authentication_failed")
    expect(page.locator("#result")).to_have_text("Declined: authentication_failed")
    assert methods(page) == []


def test_stripe_decline_is_shown(page, frontend, screenshot):
    add_method(page, frontend("stripe", "card", card="4000 0000 0000 9995"))
    assert outcome(page) == ("declined", "insufficient_funds")
    expect(page.locator("#result")).to_have_text("Declined: insufficient_funds")
    assert methods(page) == []
    screenshot(page)  # no hosted page on this path: the frontend with its outcome


# -- Mollie ------------------------------------------------------------------------------------


def test_mollie_paid(page, frontend, mock_server, screenshot):
    url = frontend("mollie", "ideal")
    add_method(page, url)
    reach_hosted_page(page, mock_server.url, "mollie/checkout")
    page.get_by_label("Paid").check()
    screenshot(page)
    page.get_by_role("button", name="Continue").click()
    back_at_frontend(page, url)
    assert outcome(page) == ("success", "")
    assert methods(page) == ["mollie: ideal ING IBAN **** 0000 (default)"]
    expect(page.locator("#methods li")).to_have_attribute("data-ref", re.compile(r"^mdt_\w+$"))


def test_mollie_canceled(page, frontend, mock_server, screenshot):
    url = frontend("mollie", "bancontact")
    add_method(page, url)
    reach_hosted_page(page, mock_server.url, "mollie/checkout")
    page.check('input[name="choice"][value="canceled"]')
    screenshot(page)
    page.get_by_role("button", name="Continue").click()
    back_at_frontend(page, url)
    assert outcome(page) == ("declined", "setup_canceled")
    assert methods(page) == []


# -- Crypto ------------------------------------------------------------------------------------


def test_crypto_paid(page, frontend, mock_server, screenshot):
    url = frontend("crypto", "crypto")
    add_method(page, url)
    reach_hosted_page(page, mock_server.url, "crypto/charge")
    expect(page.locator(".amount")).to_have_text("1.00 USDC")
    screenshot(page)
    page.get_by_role("button", name="Pay the full amount").click()
    back_at_frontend(page, url)
    assert outcome(page) == ("success", "")
    [listed] = methods(page)
    assert re.fullmatch(r"crypto: wallet 0x[0-9a-f]{40} \(default\)", listed), listed


def test_crypto_charge_expires_while_the_customer_is_on_it(page, frontend, mock_server,
                                                           screenshot):
    url = frontend("crypto", "crypto")
    add_method(page, url)
    reach_hosted_page(page, mock_server.url, "crypto/charge")
    mock_server.store.clock.advance(timedelta(hours=2))  # the charge lives one hour

    page.reload()
    expect(page.locator("main")).to_contain_text("This session has expired")
    expect(page.locator("form")).to_have_count(0)
    screenshot(page)

    page.go_back()  # the expired page offers no way back; the customer returns by themselves
    back_at_frontend(page, url)
    assert outcome(page) == ("expired", "charge_expired")
    assert methods(page) == []
