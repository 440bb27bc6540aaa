"""Mollie: hosted test-mode checkout, mandate on a paid first payment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mockserver.domain.errors import Conflict, InvalidRequest
from mockserver.providers import ProviderDeclined, SessionExpired, SetupPending
from tests.providers.provider_support import BASE_URL, RETURN_URL, TENANT


def _confirm(mollie, session_id, clock, tenant=TENANT):
    return mollie.confirm(tenant, {"session_id": session_id}, clock.now())


def test_setup_answers_a_redirect_to_the_hosted_checkout(start):
    answer = start("mollie", "ideal")
    session_id = answer["session_id"]
    assert answer["provider"] == "mollie" and answer["method_type"] == "ideal"
    assert answer["redirect_url"] == f"{BASE_URL}/_mock/providers/mollie/checkout/{session_id}"
    assert answer["client_secret"] is None and answer["setup_intent_id"] is None
    assert answer["expires_at"] == "2026-03-01T10:30:00Z"  # 30 minutes


def test_base_url_trailing_slash_is_not_doubled(mollie, clock):
    answer = mollie.setup(TENANT, "card", RETURN_URL, clock.now(), BASE_URL + "/")
    assert "8000/_mock/" in answer["redirect_url"]


@pytest.mark.parametrize("method_type", ["ideal", "bancontact", "card", "sepa_debit"])
def test_paid_gives_a_mandate(mollie, start, clock, method_type):
    session_id = start("mollie", method_type)["session_id"]
    mollie.apply_choice(session_id, "paid", clock.now())
    result = _confirm(mollie, session_id, clock)
    assert result.provider_slug == "mollie" and result.method_type == method_type
    assert result.provider_ref.startswith("mdt_")
    assert result.session_id == session_id


def test_ideal_mandate_shows_its_bank(mollie, start, clock):
    session_id = start("mollie", "ideal")["session_id"]
    mollie.apply_choice(session_id, "paid", clock.now())
    result = _confirm(mollie, session_id, clock)
    assert (result.bank_name, result.iban_last4) == ("ING", "0000")


def test_card_mandate_shows_brand_and_future_expiry(mollie, start, clock):
    session_id = start("mollie", "card")["session_id"]
    mollie.apply_choice(session_id, "paid", clock.now())
    result = _confirm(mollie, session_id, clock)
    assert (result.brand, result.last4) == ("mastercard", "4444")
    assert (result.exp_year, result.exp_month) == (2029, 3)


@pytest.mark.parametrize(("choice", "reason"), [
    ("failed", "setup_failed"), ("canceled", "setup_canceled"),
])
def test_failed_and_canceled_decline(mollie, start, clock, choice, reason):
    session_id = start("mollie", "ideal")["session_id"]
    mollie.apply_choice(session_id, choice, clock.now())
    with pytest.raises(ProviderDeclined) as caught:
        _confirm(mollie, session_id, clock)
    assert (caught.value.reason, caught.value.provider) == (reason, "mollie")
    with pytest.raises(ProviderDeclined):  # final: the same answer again
        _confirm(mollie, session_id, clock)


def test_expired_choice_is_an_expired_session(mollie, start, clock):
    session_id = start("mollie", "bancontact")["session_id"]
    mollie.apply_choice(session_id, "expired", clock.now())
    with pytest.raises(SessionExpired) as caught:
        _confirm(mollie, session_id, clock)
    assert caught.value.reason == "setup_expired"


def test_open_before_any_choice_is_pending(mollie, start, clock):
    answer = start("mollie", "ideal")
    with pytest.raises(SetupPending) as caught:
        _confirm(mollie, answer["session_id"], clock)
    assert caught.value.state == "open"
    assert caught.value.next_action_url == answer["redirect_url"]


def test_open_choice_stays_pending_and_can_still_be_paid(mollie, start, clock):
    session_id = start("mollie", "ideal")["session_id"]
    mollie.apply_choice(session_id, "open", clock.now())
    with pytest.raises(SetupPending):
        _confirm(mollie, session_id, clock)
    mollie.apply_choice(session_id, "paid", clock.now())
    assert _confirm(mollie, session_id, clock).provider_ref.startswith("mdt_")


def test_a_final_status_cannot_be_chosen_again(mollie, start, clock):
    session_id = start("mollie", "ideal")["session_id"]
    mollie.apply_choice(session_id, "failed", clock.now())
    with pytest.raises(Conflict, match="already 'failed'"):
        mollie.apply_choice(session_id, "paid", clock.now())


def test_choice_redirects_to_return_url_with_session_id(mollie, start, clock):
    session_id = start("mollie", "ideal")["session_id"]
    redirect = mollie.apply_choice(session_id, "paid", clock.now())
    assert redirect == f"https://app.example/billing/return?tab=methods&session_id={session_id}"


def test_unknown_choice_is_invalid(mollie, start, clock):
    session_id = start("mollie", "ideal")["session_id"]
    with pytest.raises(InvalidRequest, match="choice must be one of") as caught:
        mollie.apply_choice(session_id, "authorized", clock.now())
    assert caught.value.context["field"] == "choice"


def test_session_expires_after_30_minutes(mollie, start, clock):
    session_id = start("mollie", "ideal")["session_id"]
    clock.advance(timedelta(minutes=30))
    with pytest.raises(SessionExpired):
        _confirm(mollie, session_id, clock)
    with pytest.raises(SessionExpired):
        mollie.apply_choice(session_id, "paid", clock.now())


def test_a_paid_session_does_not_expire(mollie, start, clock):
    session_id = start("mollie", "ideal")["session_id"]
    mollie.apply_choice(session_id, "paid", clock.now())
    clock.advance(timedelta(hours=2))
    assert _confirm(mollie, session_id, clock).provider_ref.startswith("mdt_")


def test_return_url_is_required(mollie, clock):
    with pytest.raises(InvalidRequest, match="return_url"):
        mollie.setup(TENANT, "ideal", None, clock.now(), BASE_URL)


def test_confirmation_needs_session_id_and_nothing_else(mollie, start, clock):
    session_id = start("mollie", "ideal")["session_id"]
    with pytest.raises(InvalidRequest, match="confirmation_data.session_id is required"):
        mollie.confirm(TENANT, {}, clock.now())
    with pytest.raises(InvalidRequest, match="confirmation_data.payment_id") as caught:
        mollie.confirm(TENANT, {"session_id": session_id, "payment_id": "tr_x"}, clock.now())
    assert caught.value.context["field"] == "confirmation_data.payment_id"


def test_config_names_a_fixed_profile(mollie):
    config = mollie.config()
    assert config["provider"] == "mollie" and config["setup_flow"] == "redirect"
    assert config["profile_id"].startswith("pfl_")
    assert config["method_types"] == ["ideal", "bancontact", "card", "sepa_debit"]
