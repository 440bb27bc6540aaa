"""Rules every provider shares: idempotency, tenancy, validation, bounds, snapshots."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mockserver.domain.errors import Conflict, InvalidRequest, NotFound
from mockserver.domain.ids import IdSource
from mockserver.providers import ProviderRegistry, SetupPending, SetupSession
from mockserver.state import Store
from tests.providers.provider_support import BASE_URL, NOW, OTHER_TENANT, RETURN_URL, TENANT


def _finish(registry, slug, session_id, clock):
    """Walk a session to success on its hosted page (Mollie, crypto)."""
    choice = {"mollie": "paid", "crypto": "pay"}[slug]
    registry.get(slug).apply_choice(session_id, choice, clock.now())
    return {"session_id": session_id}


# -- idempotency -------------------------------------------------------------------------------

def test_confirming_stripe_twice_returns_the_same_method(stripe, start, clock):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": "pm_card_visa"}
    first = stripe.confirm(TENANT, data, clock.now())
    again = stripe.confirm(TENANT, data, clock.now())
    assert again == first and again.method_id is None
    assert first.session_id == answer["session_id"]


@pytest.mark.parametrize(("slug", "method_type"), [("mollie", "ideal"), ("crypto", "crypto")])
def test_confirming_hosted_sessions_twice_returns_the_same_method(
        registry, start, clock, slug, method_type):
    data = _finish(registry, slug, start(slug, method_type)["session_id"], clock)
    simulation = registry.get(slug)
    assert simulation.confirm(TENANT, data, clock.now()) == simulation.confirm(
        TENANT, data, clock.now())


def test_recorded_method_id_comes_back_on_replay(stripe, start, clock):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": "pm_card_visa"}
    first = stripe.confirm(TENANT, data, clock.now())
    stripe.record_method(TENANT, first.session_id, "pm_method_1")
    again = stripe.confirm(TENANT, data, clock.now())
    assert again.method_id == "pm_method_1"
    assert again.provider_ref == first.provider_ref
    assert stripe.session(answer["session_id"]).method_id == "pm_method_1"


def test_record_method_is_idempotent_but_refuses_a_second_method(mollie, start, clock):
    session_id = start("mollie", "ideal")["session_id"]
    mollie.apply_choice(session_id, "paid", clock.now())
    mollie.confirm(TENANT, {"session_id": session_id}, clock.now())
    mollie.record_method(TENANT, session_id, "pm_1")
    mollie.record_method(TENANT, session_id, "pm_1")
    with pytest.raises(Conflict, match="already produced"):
        mollie.record_method(TENANT, session_id, "pm_2")


def test_record_method_needs_a_confirmed_session(mollie, start):
    session_id = start("mollie", "ideal")["session_id"]
    with pytest.raises(Conflict, match="has not produced"):
        mollie.record_method(TENANT, session_id, "pm_1")


def test_replay_wins_over_expiry(stripe, start, clock):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": "pm_card_visa"}
    first = stripe.confirm(TENANT, data, clock.now())
    clock.advance(timedelta(days=3))
    assert stripe.confirm(TENANT, data, clock.now()) == first


def test_payment_method_builds_the_domain_object(stripe, start, clock):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"],
            "payment_method": "pm_card_chargeCustomerFail"}
    method = stripe.confirm(TENANT, data, clock.now()).payment_method("pm_abc", NOW)
    assert (method.id, method.provider_slug, method.method_type) == ("pm_abc", "stripe", "card")
    assert (method.brand, method.last4, method.exp_year) == ("visa", "0341", 2029)
    assert method.fails_charges is True and method.created_at == NOW


# -- tenancy -----------------------------------------------------------------------------------

def test_another_tenants_stripe_session_is_not_found(stripe, start, clock):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": "pm_card_visa"}
    with pytest.raises(NotFound) as caught:
        stripe.confirm(OTHER_TENANT, data, clock.now())
    unknown = {**data, "setup_intent_id": "seti_doesnotexist"}
    with pytest.raises(NotFound) as missing:
        stripe.confirm(TENANT, unknown, clock.now())
    # Same words for both: no existence leak.
    assert str(caught.value).replace(answer["setup_intent_id"], "X") == str(
        missing.value).replace("seti_doesnotexist", "X")


@pytest.mark.parametrize(("slug", "method_type"), [("mollie", "ideal"), ("crypto", "crypto")])
def test_another_tenants_hosted_session_is_not_found(registry, start, clock, slug, method_type):
    data = _finish(registry, slug, start(slug, method_type)["session_id"], clock)
    with pytest.raises(NotFound):
        registry.get(slug).confirm(OTHER_TENANT, data, clock.now())


def test_another_tenant_cannot_record_on_a_session(registry, mollie, start, clock):
    data = _finish(registry, "mollie", start("mollie", "ideal")["session_id"], clock)
    mollie.confirm(TENANT, data, clock.now())
    with pytest.raises(NotFound):
        mollie.record_method(OTHER_TENANT, data["session_id"], "pm_1")


def test_sessions_of_one_provider_are_unknown_to_another(registry, start, clock):
    session_id = start("mollie", "ideal")["session_id"]
    with pytest.raises(NotFound):
        registry.get("crypto").confirm(TENANT, {"session_id": session_id}, clock.now())


def test_unknown_session_page_is_not_found(mollie, clock):
    with pytest.raises(NotFound):
        mollie.render_page("ps_unknown", clock.now())
    with pytest.raises(NotFound):
        mollie.apply_choice("ps_unknown", "paid", clock.now())


# -- validation --------------------------------------------------------------------------------

@pytest.mark.parametrize(("slug", "method_type"), [
    ("stripe", "ideal"), ("stripe", "crypto"), ("mollie", "crypto"), ("crypto", "card"),
    ("mollie", "CARD"), ("stripe", ""),
])
def test_method_type_must_be_offered_by_the_provider(start, slug, method_type):
    with pytest.raises(InvalidRequest, match="not offered") as caught:
        start(slug, method_type)
    assert caught.value.context["field"] == "method_type"


@pytest.mark.parametrize("return_url", [
    "javascript:alert(1)", "JavaScript://example.com/%0aalert(1)", "/billing/return",
    "billing/return", "//evil.example/return", "ftp://example.com/return",
    "data:text/html,<script>alert(1)</script>", "http://", "https:///path",
    "https://exa mple.com/", "https://example.com/\nSet-Cookie:x", "", "http://example.com:99999/",
    "https://example.com/" + "a" * 2048,
])
@pytest.mark.parametrize("slug,method_type", [("stripe", "card"), ("mollie", "ideal"),
                                              ("crypto", "crypto")])
def test_return_url_must_be_absolute_http(start, slug, method_type, return_url):
    with pytest.raises(InvalidRequest) as caught:
        start(slug, method_type, return_url=return_url)
    assert caught.value.context["field"] == "return_url"


@pytest.mark.parametrize("return_url", [
    "http://localhost:3000/billing/return", "https://app.example/return?a=1&b=2#frag",
    "HTTPS://APP.EXAMPLE/R",
])
def test_absolute_http_return_urls_are_accepted(start, return_url):
    assert start("mollie", "ideal", return_url=return_url)["redirect_url"]


@pytest.mark.parametrize(("return_url", "expected"), [
    ("https://app.example/r", "https://app.example/r?session_id=ps_1"),
    ("https://app.example/r?a=1&b=x%20y", "https://app.example/r?a=1&b=x%20y&session_id=ps_1"),
    ("https://app.example/r?session_id=old&a=1", "https://app.example/r?a=1&session_id=ps_1"),
    ("https://app.example/r?a=1#done", "https://app.example/r?a=1&session_id=ps_1#done"),
])
def test_redirect_keeps_the_return_urls_query(return_url, expected):
    from mockserver.providers import with_session_id

    assert with_session_id(return_url, "ps_1") == expected


@pytest.mark.parametrize("data", [None, [], "session_id"])
def test_confirmation_data_must_be_an_object(mollie, clock, data):
    with pytest.raises(InvalidRequest, match="confirmation_data must be an object"):
        mollie.confirm(TENANT, data, clock.now())


@pytest.mark.parametrize("value", [3, "", "x" * 257])
def test_confirmation_values_must_be_short_strings(stripe, start, clock, value):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": value}
    with pytest.raises(InvalidRequest, match="confirmation_data.payment_method"):
        stripe.confirm(TENANT, data, clock.now())


def test_unknown_provider_is_not_found(registry):
    with pytest.raises(NotFound, match="'paypal'"):
        registry.get("paypal")


def test_registry_has_one_simulation_per_catalogue_provider(registry):
    from mockserver.domain.providers import PROVIDERS

    assert registry.slugs() == tuple(PROVIDERS)
    assert [s.slug for s in registry] == list(PROVIDERS)


# -- bounds and snapshots ----------------------------------------------------------------------

def test_sessions_are_bounded_and_the_oldest_goes_first(clock):
    stripe = ProviderRegistry(IdSource(1), session_limit=3).get("stripe")
    answers = [stripe.setup(TENANT, "card", None, clock.now(), BASE_URL) for _ in range(4)]
    with pytest.raises(NotFound):
        stripe.session(answers[0]["session_id"])
    with pytest.raises(NotFound):  # its SetupIntent alias went with it
        stripe.confirm(TENANT, {"setup_intent_id": answers[0]["setup_intent_id"],
                                "payment_method": "pm_card_visa"}, clock.now())
    for answer in answers[1:]:
        assert stripe.session(answer["session_id"]).id == answer["session_id"]
    assert len(stripe._sessions) == 3


def test_at_the_overall_bound_the_tenant_holding_the_most_gives_way():
    from mockserver.providers.sessions import SessionBook

    book = SessionBook(limit=5, per_tenant=3)

    def add(tenant: str, n: int) -> SetupSession:
        return book.add(SetupSession(f"ps_{tenant}{n}", "mollie", tenant, "ideal", None, "",
                                     NOW, NOW, "open"))

    add("a", 1)
    for n in range(4):  # b's fourth evicts b's first (its own bound of 3)
        add("b", n)
    assert [s for s in book._sessions] == ["ps_a1", "ps_b1", "ps_b2", "ps_b3"]
    add("c", 1)
    add("c", 2)  # the book is full: b holds the most and gives up its oldest
    assert "ps_a1" in book._sessions and "ps_b1" not in book._sessions
    assert book.evicted == 2 and len(book) == 5


def test_default_bound_is_ten_thousand(registry):
    from mockserver.providers import MAX_SESSIONS

    assert MAX_SESSIONS == 10_000
    assert registry.get("mollie")._sessions._limit == MAX_SESSIONS


def test_store_snapshots_keep_sessions_and_share_the_id_source(clock):
    store = Store(clock, IdSource(seed=7))
    live = store.providers
    session_id = live.get("mollie").setup(TENANT, "ideal", RETURN_URL, clock.now(),
                                          BASE_URL)["session_id"]
    live.get("stripe").force_next_outcome("insufficient_funds")
    snapshot = store.snapshot()
    live.get("mollie").apply_choice(session_id, "paid", clock.now())
    live.get("stripe").clear_forced_outcomes()

    store.restore(snapshot)
    restored = store.providers.get("mollie")
    assert restored._ids is store.ids
    assert restored.session(session_id).state == "open"
    with pytest.raises(SetupPending):
        restored.confirm(TENANT, {"session_id": session_id}, clock.now())
    assert store.providers.get("stripe").forced_outcomes() == ("insufficient_funds",)
    assert live.get("mollie").session(session_id).state == "paid"


def test_sessions_keep_what_they_were_given(registry, start, clock):
    answer = start("mollie", "sepa_debit")
    session = registry.get("mollie").session(answer["session_id"])
    assert (session.tenant_id, session.method_type, session.return_url) == (
        TENANT, "sepa_debit", RETURN_URL)
    assert session.created_at == NOW and session.page_url == answer["redirect_url"]
    assert session.details["payment_id"].startswith("tr_")


def test_a_session_book_holds_at_least_one_session():
    from mockserver.providers.sessions import SessionBook

    with pytest.raises(ValueError):
        SessionBook(0)


def test_expiry_is_written_in_utc_whatever_the_offset_of_now(mollie):
    from datetime import timezone

    local = NOW.astimezone(timezone(timedelta(hours=2)))
    answer = mollie.setup(TENANT, "ideal", RETURN_URL, local, BASE_URL)
    assert answer["expires_at"] == "2026-03-01T10:30:00Z"
