"""The hosted pages: self-contained HTML, escaped values, forms that post ``choice`` back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from mockserver.domain.errors import InvalidRequest
from mockserver.providers import CHOICE_FIELD, PAGE_PATHS, SetupPending
from tests.providers.provider_support import BASE_URL, TENANT

EVIL_RETURN = 'https://app.example/return?next="><script>alert(1)</script>&q=<b>x</b>'


def _pending_3ds(stripe, clock, return_url=EVIL_RETURN):
    answer = stripe.setup(TENANT, "card", return_url, clock.now(), BASE_URL)
    data = {"setup_intent_id": answer["setup_intent_id"],
            "payment_method": "pm_card_authenticationRequiredOnSetup"}
    with pytest.raises(SetupPending):
        stripe.confirm(TENANT, data, clock.now())
    return answer["session_id"]


def _pages(registry, start, clock, return_url=EVIL_RETURN):
    """One rendered page per provider, all with ``return_url``."""
    mollie_id = start("mollie", "ideal", return_url=return_url)["session_id"]
    crypto_id = start("crypto", "crypto", return_url=return_url)["session_id"]
    stripe_id = _pending_3ds(registry.get("stripe"), clock, return_url)
    return {
        slug: (session_id, registry.get(slug).render_page(session_id, clock.now()))
        for slug, session_id in (("mollie", mollie_id), ("crypto", crypto_id),
                                 ("stripe", stripe_id))
    }


def test_return_url_is_escaped_on_every_page(registry, start, clock):
    for _, html in _pages(registry, start, clock).values():
        assert "<script>" not in html and "<b>x</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&#34;&gt;" in html  # the quote cannot close an attribute either


def test_pages_carry_no_scripts_and_no_external_assets(registry, start, clock):
    for _, html in _pages(registry, start, clock, "https://app.example/r").values():
        assert "<script" not in html.lower()
        assert not re.search(r"<link|@import|url\(|src=", html, re.IGNORECASE)
        assert html.startswith("<!doctype html>")


def test_pages_show_the_session_id_and_no_tenant(registry, start, clock):
    for session_id, html in _pages(registry, start, clock).values():
        assert session_id in html
        assert TENANT not in html


@pytest.mark.parametrize(("slug", "choices"), [
    ("mollie", ["paid", "failed", "canceled", "expired", "open"]),
    ("crypto", ["pay", "pending", "underpay", "expire"]),
    ("stripe", ["complete", "fail"]),
])
def test_forms_post_the_choice_back_to_the_same_path(registry, start, clock, slug, choices):
    session_id, html = _pages(registry, start, clock)[slug]
    path = PAGE_PATHS[slug].format(session_id=session_id)
    assert f'<form method="post" action="{path}">' in html
    offered = re.findall(rf'name="{CHOICE_FIELD}" value="([a-z]+)"', html)
    assert offered == choices
    assert CHOICE_FIELD == "choice"


def test_mollie_page_looks_like_test_mode(registry, start, clock):
    _, html = _pages(registry, start, clock)["mollie"]
    assert "Test mode" in html and "Select the payment status" in html
    assert "EUR 0.01" in html and "iDEAL" in html
    assert 'type="radio"' in html


def test_crypto_page_shows_the_charge(registry, start, clock, crypto):
    session_id, html = _pages(registry, start, clock)["crypto"]
    details = crypto.session(session_id).details
    assert details["address"] in html and details["charge_code"] in html
    assert "1.00 USDC" in html and "Ethereum" in html


def test_stripe_page_names_the_card(registry, start, clock):
    _, html = _pages(registry, start, clock)["stripe"]
    assert "visa card ending in 3155" in html


def test_a_decided_page_offers_no_form_but_the_way_back(mollie, start, clock):
    session_id = start("mollie", "ideal", return_url="https://app.example/r?a=1")["session_id"]
    mollie.apply_choice(session_id, "failed", clock.now())
    html = mollie.render_page(session_id, clock.now())
    assert "<form" not in html
    assert "The payment is <strong>failed</strong>" in html
    assert f'href="https://app.example/r?a=1&amp;session_id={session_id}"' in html


def test_an_expired_page_says_so_and_offers_no_form(crypto, start, clock):
    session_id = start("crypto", "crypto")["session_id"]
    clock.advance(timedelta(hours=1))
    html = crypto.render_page(session_id, clock.now())
    assert "This session has expired" in html
    assert "<form" not in html


def test_stripe_page_without_a_challenge_offers_nothing(stripe, clock):
    answer = stripe.setup(TENANT, "card", None, clock.now(), BASE_URL)
    html = stripe.render_page(answer["session_id"], clock.now())
    assert "No authentication is waiting" in html
    assert "<form" not in html and "Return to the merchant" not in html


def test_stripe_page_after_completion(stripe, clock):
    session_id = _pending_3ds(stripe, clock, "https://app.example/r")
    stripe.apply_choice(session_id, "complete", clock.now())
    html = stripe.render_page(session_id, clock.now())
    assert "Authentication complete" in html and "<form" not in html


def test_user_typed_values_never_reach_the_page_unescaped(stripe, start, clock):
    answer = start("stripe", "card", return_url="https://app.example/r")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": "pm_<script>x"}
    with pytest.raises(InvalidRequest):
        stripe.confirm(TENANT, data, clock.now())
    html = stripe.render_page(answer["session_id"], clock.now())
    assert "<script" not in html


def test_autoescape_is_on_for_every_template():
    from mockserver.providers.pages import render

    html = render("mollie_checkout.html", session_id="<i>s</i>", provider_name="Mollie",
                  method_type="<i>m</i>", state="open", expired=False, expires_at="t",
                  return_url=None, action="/a", back_url="/b", accepts_choice=True,
                  method_label="<i>l</i>", payment_id="tr_1", amount="0.01", currency="EUR",
                  statuses=[("<x>", "<y>")])
    assert "<i>" not in html and "<x>" not in html and "&lt;i&gt;s&lt;/i&gt;" in html


def test_mollie_card_first_payment_is_zero(mollie, start, clock):
    session_id = start("mollie", "card")["session_id"]
    assert "EUR 0.00" in mollie.render_page(session_id, clock.now())
