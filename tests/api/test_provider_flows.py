"""Provider setup flows over plain HTTP: every magic value's outcome, hosted pages included."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.conftest import make_jwt

RETURN = "http://localhost:3000/billing/return?tab=methods"


def setup(c, slug, method_type, return_url=RETURN):
    r = c.post(f"/billing/payment-providers/{slug}/setup",
               json={"method_type": method_type, "return_url": return_url})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def confirm(c, slug, **data):
    return c.post(f"/billing/payment-providers/{slug}/confirm", json={"confirmation_data": data})


def choose(live, url, choice):
    """What the hosted page's form does: POST the choice, follow nothing, read the redirect."""
    page = httpx.get(url)
    assert page.status_code == 200 and "<script" not in page.text
    r = httpx.post(url, data={"choice": choice}, follow_redirects=False)
    assert r.status_code == 303
    return r.headers["location"]


@pytest.mark.parametrize("card, brand, last4", [
    ("4242 4242 4242 4242", "visa", "4242"), ("pm_card_visa", "visa", "4242"),
    ("pm_card_mastercard", "mastercard", "4444"), ("5555555555554444", "mastercard", "4444"),
])
def test_stripe_cards_that_succeed(fresh_tenant, card, brand, last4):
    session = setup(fresh_tenant, "stripe", "card")
    assert session["client_secret"].startswith(session["setup_intent_id"] + "_secret_")
    r = confirm(fresh_tenant, "stripe", setup_intent_id=session["setup_intent_id"],
                payment_method=card)
    assert r.status_code == 200, r.text
    method = r.json()["data"]
    assert (method["brand"], method["last4"], method["is_default"]) == (brand, last4, True)
    listed = fresh_tenant.get("/billing/payment-methods").json()["data"]
    assert [m["id"] for m in listed] == [method["id"]]


@pytest.mark.parametrize("card, reason", [
    ("4000 0000 0000 9995", "insufficient_funds"), ("4000000000000002", "card_declined"),
    ("pm_card_chargeDeclined", "card_declined"),
])
def test_stripe_declines_are_402_with_the_reason(fresh_tenant, card, reason):
    session = setup(fresh_tenant, "stripe", "card")
    r = confirm(fresh_tenant, "stripe", setup_intent_id=session["setup_intent_id"],
                payment_method=card)
    assert r.status_code == 402
    error = r.json()["error"]
    assert error["code"] == "payment_declined" and error["details"]["reason"] == reason
    assert fresh_tenant.get("/billing/payment-methods").json()["data"] == []


@pytest.mark.parametrize("choice, status", [("complete", 200), ("fail", 402)])
def test_stripe_3d_secure_completed_or_failed(live, fresh_tenant, choice, status):
    session = setup(fresh_tenant, "stripe", "card")
    data = {"setup_intent_id": session["setup_intent_id"], "payment_method": "4000002500003155"}
    pending = confirm(fresh_tenant, "stripe", **data)
    assert pending.status_code == 409
    details = pending.json()["error"]["details"]
    assert details["state"] == "requires_action"
    back = choose(live, details["next_action_url"], choice)
    assert back.startswith("http://localhost:3000/billing/return?tab=methods&session_id=")
    r = confirm(fresh_tenant, "stripe", **data)
    assert r.status_code == status
    if status == 402:
        assert r.json()["error"]["details"]["reason"] == "authentication_failed"


@pytest.mark.parametrize("choice, status", [("complete", 200), ("fail", 402)])
def test_stripe_3d_secure_return_confirms_with_the_session_id_alone(live, fresh_tenant, choice,
                                                                    status):
    """Back from the 3-D Secure page the frontend has only the return URL's ``session_id``:
    that is enough, nothing had to be stashed across the redirect."""
    session = setup(fresh_tenant, "stripe", "card")
    pending = confirm(fresh_tenant, "stripe", setup_intent_id=session["setup_intent_id"],
                      payment_method="4000002500003155")
    assert pending.status_code == 409
    back = choose(live, pending.json()["error"]["details"]["next_action_url"], choice)
    [session_id] = parse_qs(urlsplit(back).query)["session_id"]
    r = confirm(fresh_tenant, "stripe", session_id=session_id)
    assert r.status_code == status, r.text
    if status == 200:
        method = r.json()["data"]
        assert (method["brand"], method["last4"], method["is_default"]) == ("visa", "3155", True)
        assert confirm(fresh_tenant, "stripe", session_id=session_id).json()["data"] == method
    else:
        assert r.json()["error"]["details"]["reason"] == "authentication_failed"


def test_stripe_session_id_alone_before_any_challenge_still_needs_the_card(fresh_tenant):
    session = setup(fresh_tenant, "stripe", "card")
    r = confirm(fresh_tenant, "stripe", session_id=session["session_id"])
    assert r.status_code == 400
    assert "confirmation_data.payment_method is required" in r.json()["error"]["message"]


@pytest.mark.parametrize("iban, status", [("DE89370400440532013000", 200),
                                          ("AT861904300235473202", 402)])
def test_stripe_sepa_test_ibans(fresh_tenant, iban, status):
    session = setup(fresh_tenant, "stripe", "sepa_debit")
    r = confirm(fresh_tenant, "stripe", setup_intent_id=session["setup_intent_id"], iban=iban)
    assert r.status_code == status
    if status == 200:
        assert r.json()["data"]["iban_last4"] == "3000"


@pytest.mark.parametrize("slug, method_type, choice, status", [
    ("mollie", "ideal", "paid", 200), ("mollie", "bancontact", "failed", 402),
    ("mollie", "ideal", "canceled", 402), ("mollie", "card", "expired", 409),
    ("mollie", "sepa_debit", "open", 409),
    ("crypto", "crypto", "pay", 200), ("crypto", "crypto", "underpay", 402),
    ("crypto", "crypto", "pending", 409), ("crypto", "crypto", "expire", 409),
])
def test_redirect_flows_end_with_the_chosen_outcome(live, fresh_tenant, slug, method_type,
                                                    choice, status):
    session = setup(fresh_tenant, slug, method_type)
    assert session["client_secret"] is None
    back = choose(live, session["redirect_url"], choice)
    assert parse_qs(urlsplit(back).query)["session_id"] == [session["session_id"]]
    r = confirm(fresh_tenant, slug, session_id=session["session_id"])
    assert r.status_code == status, r.text


def test_confirm_is_idempotent_and_other_tenants_sessions_are_404(live, api, fresh_tenant):
    session = setup(fresh_tenant, "mollie", "ideal")
    choose(live, session["redirect_url"], "paid")
    first = confirm(fresh_tenant, "mollie", session_id=session["session_id"]).json()["data"]
    again = confirm(fresh_tenant, "mollie", session_id=session["session_id"]).json()["data"]
    assert first["id"] == again["id"]
    assert len(fresh_tenant.get("/billing/payment-methods").json()["data"]) == 1
    stranger = confirm(api("demo-token"), "mollie", session_id=session["session_id"])
    assert stranger.status_code == 404


def test_expired_session_is_409(own_server, api):
    from datetime import timedelta

    c = api(make_jwt("tnt_expiry"), server=own_server)  # moves its own server's clock
    session = setup(c, "crypto", "crypto")
    own_server.store.clock.advance(timedelta(hours=2))
    r = confirm(c, "crypto", session_id=session["session_id"])
    assert r.status_code == 409 and r.json()["error"]["details"]["reason"] == "charge_expired"
    page = httpx.get(session["redirect_url"])
    assert page.status_code == 200 and "expired" in page.text.lower()


def test_setup_refuses_a_method_the_provider_lacks_and_unsafe_return_urls(fresh_tenant):
    r = fresh_tenant.post("/billing/payment-providers/stripe/setup",
                          json={"method_type": "ideal", "return_url": RETURN})
    assert r.status_code == 400 and r.json()["error"]["details"]["field"] == "method_type"
    for url in ("javascript:alert(1)", "/relative", "ftp://x.example/"):
        r = fresh_tenant.post("/billing/payment-providers/mollie/setup",
                              json={"method_type": "ideal", "return_url": url})
        assert r.status_code == 422, url


def test_hosted_pages_escape_what_users_typed(fresh_tenant):
    session = setup(fresh_tenant, "mollie", "ideal",
                    "http://localhost:3000/r?next=<script>alert(1)</script>")
    page = httpx.get(session["redirect_url"])
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_unknown_session_page_and_bad_choice(live, fresh_tenant):
    assert httpx.get(f"{live.url}/_mock/providers/mollie/checkout/ps_nope").status_code == 404
    session = setup(fresh_tenant, "mollie", "ideal")
    r = httpx.post(session["redirect_url"], data={"choice": "<b>bribe</b>"})
    assert r.status_code == 400 and "<b>" not in r.text


def test_hosted_page_posts_right_after_api_calls_never_hang(live, fresh_tenant):
    """A form read under the store lock once deadlocked with the journal on the event loop."""
    with httpx.Client(timeout=5) as browser:
        for _ in range(30):
            session = setup(fresh_tenant, "mollie", "ideal")
            r = browser.post(session["redirect_url"], data={"choice": "paid"},
                             follow_redirects=False)
            assert r.status_code == 303
