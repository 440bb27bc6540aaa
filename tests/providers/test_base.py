"""Scripted outcomes: force what the next confirm of a provider answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mockserver.domain.errors import InvalidRequest, LimitReached
from mockserver.providers import ProviderDeclined, SessionExpired, SetupPending
from tests.providers.provider_support import TENANT


def _card(stripe, start, clock, payment_method="pm_card_visa"):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": payment_method}
    return lambda: stripe.confirm(TENANT, data, clock.now())


@pytest.mark.parametrize("outcome", [
    "card_declined", "insufficient_funds", "lost_card", "stolen_card", "expired_card",
    "incorrect_cvc", "processing_error", "incorrect_number", "authentication_failed",
])
def test_forced_decline_overrides_a_good_card(stripe, start, clock, outcome):
    stripe.force_next_outcome(outcome)
    with pytest.raises(ProviderDeclined) as caught:
        _card(stripe, start, clock)()
    assert caught.value.reason == outcome


def test_forced_outcome_is_used_once(stripe, start, clock):
    stripe.force_next_outcome("insufficient_funds")
    confirm = _card(stripe, start, clock)
    with pytest.raises(ProviderDeclined):
        confirm()
    assert confirm().last4 == "4242"
    assert stripe.forced_outcomes() == ()


def test_forced_outcomes_are_used_in_order(stripe, start, clock):
    stripe.force_next_outcome("card_declined")
    stripe.force_next_outcome("expired_card")
    assert stripe.forced_outcomes() == ("card_declined", "expired_card")
    reasons = []
    for _ in range(2):
        with pytest.raises(ProviderDeclined) as caught:
            _card(stripe, start, clock)()
        reasons.append(caught.value.reason)
    assert reasons == ["card_declined", "expired_card"]


def test_forced_success_overrides_a_declining_card(stripe, start, clock):
    stripe.force_next_outcome("succeeded")
    result = _card(stripe, start, clock, "4000000000009995")()
    assert result.last4 == "9995"


def test_forced_success_on_a_live_card_uses_the_default_card(stripe, start, clock):
    stripe.force_next_outcome("succeeded")
    assert _card(stripe, start, clock, "4111111111111111")().last4 == "4242"


def test_forced_authentication_opens_the_3ds_page(stripe, start, clock):
    stripe.force_next_outcome("authentication_required")
    confirm = _card(stripe, start, clock, "pm_card_mastercard")
    with pytest.raises(SetupPending) as caught:
        confirm()
    session_id = caught.value.session_id
    stripe.apply_choice(session_id, "complete", clock.now())
    assert confirm().last4 == "4444"


@pytest.mark.parametrize(("outcome", "reason"), [
    ("debit_not_authorized", "debit_not_authorized"), ("iban_invalid", "iban_invalid"),
    ("authentication_required", "authentication_required"),
])
def test_forced_outcomes_on_sepa(stripe, start, clock, outcome, reason):
    answer = start("stripe", "sepa_debit")
    stripe.force_next_outcome(outcome)
    data = {"setup_intent_id": answer["setup_intent_id"], "iban": "DE89370400440532013000"}
    with pytest.raises(ProviderDeclined) as caught:
        stripe.confirm(TENANT, data, clock.now())
    assert caught.value.reason == reason


def test_forced_success_on_sepa_overrides_a_failing_iban(stripe, start, clock):
    answer = start("stripe", "sepa_debit")
    stripe.force_next_outcome("succeeded")
    data = {"setup_intent_id": answer["setup_intent_id"], "iban": "AT861904300235473202"}
    assert stripe.confirm(TENANT, data, clock.now()).iban_last4 == "3202"


@pytest.mark.parametrize(("outcome", "error", "attribute", "value"), [
    ("failed", ProviderDeclined, "reason", "setup_failed"),
    ("canceled", ProviderDeclined, "reason", "setup_canceled"),
    ("expired", SessionExpired, "reason", "setup_expired"),
    ("open", SetupPending, "state", "open"),
])
def test_forced_mollie_outcomes_replace_the_customers_choice(
        mollie, start, clock, outcome, error, attribute, value):
    session_id = start("mollie", "ideal")["session_id"]
    mollie.apply_choice(session_id, "open", clock.now())
    mollie.force_next_outcome(outcome)
    with pytest.raises(error) as caught:
        mollie.confirm(TENANT, {"session_id": session_id}, clock.now())
    assert getattr(caught.value, attribute) == value


def test_forced_mollie_paid_needs_no_page_visit(mollie, start, clock):
    session_id = start("mollie", "card")["session_id"]
    mollie.force_next_outcome("paid")
    assert mollie.confirm(TENANT, {"session_id": session_id}, clock.now()).provider_ref
    assert mollie.session(session_id).state == "paid"


@pytest.mark.parametrize(("outcome", "error", "attribute", "value"), [
    ("underpaid", ProviderDeclined, "reason", "charge_underpaid"),
    ("expired", SessionExpired, "reason", "charge_expired"),
    ("pending", SetupPending, "state", "pending"),
    ("new", SetupPending, "state", "new"),
])
def test_forced_crypto_outcomes(crypto, start, clock, outcome, error, attribute, value):
    session_id = start("crypto", "crypto")["session_id"]
    crypto.force_next_outcome(outcome)
    with pytest.raises(error) as caught:
        crypto.confirm(TENANT, {"session_id": session_id}, clock.now())
    assert getattr(caught.value, attribute) == value


def test_forced_crypto_completed(crypto, start, clock):
    session_id = start("crypto", "crypto")["session_id"]
    crypto.force_next_outcome("completed")
    assert crypto.confirm(TENANT, {"session_id": session_id}, clock.now()).wallet


def test_invalid_input_and_expired_sessions_leave_the_queue_alone(stripe, mollie, start, clock):
    stripe.force_next_outcome("card_declined")
    with pytest.raises(InvalidRequest):
        _card(stripe, start, clock, "pm_card_unknown")()
    answer = start("stripe", "card")
    clock.advance(timedelta(days=2))
    with pytest.raises(SessionExpired):
        stripe.confirm(TENANT, {"setup_intent_id": answer["setup_intent_id"],
                                "payment_method": "pm_card_visa"}, clock.now())
    assert stripe.forced_outcomes() == ("card_declined",)


def test_replays_leave_the_queue_alone(stripe, start, clock):
    confirm = _card(stripe, start, clock)
    first = confirm()
    stripe.force_next_outcome("card_declined")
    assert confirm() == first
    assert stripe.forced_outcomes() == ("card_declined",)


def test_forced_outcomes_are_per_provider(stripe, mollie, start, clock):
    mollie.force_next_outcome("failed")
    assert _card(stripe, start, clock)().last4 == "4242"
    assert mollie.forced_outcomes() == ("failed",)


@pytest.mark.parametrize(("slug", "outcome"), [
    ("stripe", "paid"), ("mollie", "succeeded"), ("crypto", "pay"), ("stripe", "nope"),
])
def test_unknown_outcomes_are_refused(registry, slug, outcome):
    with pytest.raises(InvalidRequest, match="Unknown") as caught:
        registry.get(slug).force_next_outcome(outcome)
    assert caught.value.context["field"] == "outcome"


def test_queue_is_bounded_and_can_be_cleared(crypto):
    for _ in range(100):
        crypto.force_next_outcome("completed")
    with pytest.raises(LimitReached):
        crypto.force_next_outcome("completed")
    crypto.clear_forced_outcomes()
    assert crypto.forced_outcomes() == ()
