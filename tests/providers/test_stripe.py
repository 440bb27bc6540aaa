"""Stripe: SetupIntents with Stripe's documented test cards, tokens and IBANs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mockserver.domain.errors import InvalidRequest
from mockserver.providers import ProviderDeclined, SessionExpired, SetupPending
from mockserver.providers.stripe import PUBLISHABLE_KEY
from tests.providers.provider_support import BASE_URL, NOW, RETURN_URL, TENANT


def test_setup_answers_a_setup_intent_and_its_client_secret(start):
    answer = start("stripe", "card")
    assert answer["provider"] == "stripe"
    assert answer["session_id"].startswith("ps_")
    assert answer["setup_intent_id"].startswith("seti_")
    assert answer["client_secret"].startswith(answer["setup_intent_id"] + "_secret_")
    assert answer["method_type"] == "card"
    assert answer["redirect_url"] is None
    assert answer["expires_at"] == "2026-03-02T10:00:00Z"  # 24 hours


def test_setup_without_return_url_is_allowed(stripe, clock):
    answer = stripe.setup(TENANT, "sepa_debit", None, clock.now(), BASE_URL)
    assert answer["method_type"] == "sepa_debit"


def test_config_is_a_deterministic_test_key():
    from mockserver.domain.ids import IdSource
    from mockserver.providers import ProviderRegistry

    config = ProviderRegistry(IdSource(1)).get("stripe").config()
    assert config == ProviderRegistry(IdSource(2)).get("stripe").config()
    assert config["publishable_key"] == PUBLISHABLE_KEY
    assert config["publishable_key"].startswith("pk_test_")
    assert config["provider"] == "stripe" and config["test_mode"] is True
    assert config["setup_flow"] == "client_secret"
    assert config["method_types"] == ["card", "sepa_debit"]
    assert config["api_version"]


@pytest.mark.parametrize(("payment_method", "brand", "last4"), [
    ("pm_card_visa", "visa", "4242"),
    ("4242 4242 4242 4242", "visa", "4242"),
    ("4242424242424242", "visa", "4242"),
    ("pm_card_mastercard", "mastercard", "4444"),
    ("5555 5555 5555 4444", "mastercard", "4444"),
    ("pm_card_amex", "amex", "0005"),
    ("pm_card_visa_debit", "visa", "5556"),
    ("pm_card_mastercard_debit", "mastercard", "8210"),
    ("pm_card_mastercard_prepaid", "mastercard", "5100"),
    ("pm_card_discover", "discover", "1117"),
    ("pm_card_diners", "diners", "0004"),
    ("pm_card_jcb", "jcb", "0505"),
    ("pm_card_unionpay", "unionpay", "0005"),
    ("2223 0031 2200 3222", "mastercard", "3222"),
    ("3714 496353 98431", "amex", "8431"),
])
def test_succeeding_cards_give_their_brand_and_last4(confirm_card, payment_method, brand, last4):
    result = confirm_card(payment_method)
    assert (result.brand, result.last4) == (brand, last4)
    assert result.provider_slug == "stripe" and result.method_type == "card"
    assert result.provider_ref.startswith("pm_") and result.provider_ref != payment_method
    assert result.fails_charges is False


def test_card_expiry_is_in_the_future_of_the_clock(confirm_card):
    result = confirm_card("pm_card_visa")
    assert (result.exp_year, result.exp_month) == (2029, 3)
    assert (result.exp_year, result.exp_month) > (NOW.year, NOW.month)


def test_charge_customer_fail_sets_up_but_fails_charges(confirm_card):
    result = confirm_card("pm_card_chargeCustomerFail")
    assert result.last4 == "0341" and result.fails_charges is True


@pytest.mark.parametrize(("payment_method", "reason", "decline_code"), [
    ("4000 0000 0000 0002", "card_declined", "generic_decline"),
    ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
    ("4000 0000 0000 9995", "insufficient_funds", "insufficient_funds"),
    ("pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds", "insufficient_funds"),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "insufficient_funds"),
    ("pm_card_visa_chargeDeclinedLostCard", "lost_card", "lost_card"),
    ("4000000000009979", "stolen_card", "stolen_card"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
    ("4000 0000 0000 0119", "processing_error", "processing_error"),
    ("4242 4242 4242 4241", "incorrect_number", None),
    ("4111 1111 1111 1111", "card_declined", "test_mode_live_card"),
])
def test_declining_cards(confirm_card, payment_method, reason, decline_code):
    with pytest.raises(ProviderDeclined) as caught:
        confirm_card(payment_method)
    assert caught.value.reason == reason
    assert caught.value.decline_code == decline_code
    assert caught.value.provider == "stripe"
    assert caught.value.session_id.startswith("ps_")
    assert caught.value.message


def test_insufficient_funds_message(confirm_card):
    with pytest.raises(ProviderDeclined, match="insufficient funds"):
        confirm_card("4000000000009995")


def test_a_declined_setup_intent_can_be_retried_with_another_card(stripe, start, clock):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": "4000000000000002"}
    with pytest.raises(ProviderDeclined):
        stripe.confirm(TENANT, data, clock.now())
    result = stripe.confirm(TENANT, {**data, "payment_method": "pm_card_visa"}, clock.now())
    assert result.last4 == "4242"


@pytest.mark.parametrize("payment_method", ["pm_card_nonsense", "pm_1234"])
def test_unknown_payment_method_token_is_invalid(confirm_card, payment_method):
    with pytest.raises(InvalidRequest, match="No such PaymentMethod") as caught:
        confirm_card(payment_method)
    assert caught.value.context["field"] == "confirmation_data.payment_method"


@pytest.mark.parametrize("payment_method", ["tok_visa", "4242-4242", "visa", "42424242"])
def test_neither_token_nor_card_number_is_invalid(confirm_card, payment_method):
    with pytest.raises(InvalidRequest, match="payment_method"):
        confirm_card(payment_method)


# -- 3-D Secure --------------------------------------------------------------------------------

def _pending_3ds(stripe, start, clock, payment_method="4000 0025 0000 3155"):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": payment_method}
    with pytest.raises(SetupPending) as caught:
        stripe.confirm(TENANT, data, clock.now())
    return answer, data, caught.value


@pytest.mark.parametrize("payment_method", [
    "4000 0025 0000 3155", "pm_card_authenticationRequiredOnSetup",
    "pm_card_authenticationRequired", "4000002760003184", "pm_card_threeDSecure2Required",
])
def test_authentication_cards_require_action_on_the_3ds_page(stripe, start, clock,
                                                              payment_method):
    answer, _, pending = _pending_3ds(stripe, start, clock, payment_method)
    assert pending.state == "requires_action"
    assert pending.next_action_url == (
        f"{BASE_URL}/_mock/providers/stripe/3ds/{answer['session_id']}")
    assert pending.session_id == answer["session_id"]


def test_confirming_again_before_the_challenge_is_still_pending(stripe, start, clock):
    _, data, _ = _pending_3ds(stripe, start, clock)
    with pytest.raises(SetupPending):
        stripe.confirm(TENANT, data, clock.now())


def test_completed_challenge_lets_the_second_confirm_succeed(stripe, start, clock):
    answer, data, _ = _pending_3ds(stripe, start, clock)
    redirect = stripe.apply_choice(answer["session_id"], "complete", clock.now())
    assert redirect == f"{RETURN_URL}&session_id={answer['session_id']}"
    result = stripe.confirm(TENANT, data, clock.now())
    assert (result.brand, result.last4) == ("visa", "3155")


def test_failed_challenge_declines_with_authentication_failed(stripe, start, clock):
    answer, data, _ = _pending_3ds(stripe, start, clock)
    stripe.apply_choice(answer["session_id"], "fail", clock.now())
    with pytest.raises(ProviderDeclined) as caught:
        stripe.confirm(TENANT, data, clock.now())
    assert caught.value.reason == "authentication_failed"
    # The failure is reported once; the same card then starts a new challenge.
    with pytest.raises(SetupPending):
        stripe.confirm(TENANT, data, clock.now())


def test_after_the_challenge_the_session_id_alone_confirms(stripe, start, clock):
    answer, _, _ = _pending_3ds(stripe, start, clock)
    alone = {"session_id": answer["session_id"]}
    with pytest.raises(SetupPending):  # not authenticated yet: still the challenge
        stripe.confirm(TENANT, alone, clock.now())
    stripe.apply_choice(answer["session_id"], "complete", clock.now())
    result = stripe.confirm(TENANT, alone, clock.now())
    assert (result.brand, result.last4, result.session_id) == ("visa", "3155", answer["session_id"])
    again = stripe.confirm(TENANT, {"setup_intent_id": answer["setup_intent_id"]}, clock.now())
    assert again.provider_ref == result.provider_ref  # the same method, by either name


def test_after_a_failed_challenge_the_session_id_alone_declines_once(stripe, start, clock):
    answer, _, _ = _pending_3ds(stripe, start, clock)
    stripe.apply_choice(answer["session_id"], "fail", clock.now())
    alone = {"session_id": answer["session_id"]}
    with pytest.raises(ProviderDeclined) as caught:
        stripe.confirm(TENANT, alone, clock.now())
    assert caught.value.reason == "authentication_failed"
    with pytest.raises(InvalidRequest, match="confirmation_data.payment_method is required"):
        stripe.confirm(TENANT, alone, clock.now())  # a new attempt needs a card again


def test_two_names_of_different_sessions_are_refused(stripe, start, clock):
    first, second = start("stripe", "card"), start("stripe", "card")
    data = {"setup_intent_id": first["setup_intent_id"], "session_id": second["session_id"],
            "payment_method": "pm_card_visa"}
    with pytest.raises(InvalidRequest, match="name different setup sessions"):
        stripe.confirm(TENANT, data, clock.now())
    both = {**data, "session_id": first["session_id"]}
    assert stripe.confirm(TENANT, both, clock.now()).last4 == "4242"


def test_another_card_after_a_pending_challenge_is_a_new_attempt(stripe, start, clock):
    _, data, _ = _pending_3ds(stripe, start, clock)
    result = stripe.confirm(TENANT, {**data, "payment_method": "pm_card_mastercard"},
                            clock.now())
    assert result.last4 == "4444"


def test_3ds_choice_without_a_pending_challenge_is_a_conflict(stripe, start, clock):
    from mockserver.domain.errors import Conflict

    answer = start("stripe", "card")
    with pytest.raises(Conflict, match="No 3-D Secure"):
        stripe.apply_choice(answer["session_id"], "complete", clock.now())


def test_3ds_without_return_url_sends_the_browser_back_to_the_page(stripe, clock):
    answer = stripe.setup(TENANT, "card", None, clock.now(), BASE_URL)
    data = {"setup_intent_id": answer["setup_intent_id"],
            "payment_method": "pm_card_authenticationRequired"}
    with pytest.raises(SetupPending):
        stripe.confirm(TENANT, data, clock.now())
    redirect = stripe.apply_choice(answer["session_id"], "complete", clock.now())
    assert redirect == f"/_mock/providers/stripe/3ds/{answer['session_id']}"


# -- SEPA Direct Debit -------------------------------------------------------------------------

def _confirm_iban(stripe, start, clock, iban):
    answer = start("stripe", "sepa_debit")
    return stripe.confirm(
        TENANT, {"setup_intent_id": answer["setup_intent_id"], "iban": iban}, clock.now())


@pytest.mark.parametrize(("iban", "last4", "bank"), [
    ("DE89370400440532013000", "3000", "Commerzbank"),
    ("DE89 3704 0044 0532 0130 00", "3000", "Commerzbank"),
    ("de89370400440532013000", "3000", "Commerzbank"),
    ("AT611904300234573201", "3201", None),
    ("NL39RABO0300065264", "5264", "Rabobank"),
    ("NL55INGB0000000000", "0000", "ING"),  # any valid IBAN
])
def test_succeeding_ibans(stripe, start, clock, iban, last4, bank):
    result = _confirm_iban(stripe, start, clock, iban)
    assert (result.method_type, result.iban_last4, result.bank_name) == ("sepa_debit", last4, bank)
    assert result.provider_ref.startswith("pm_")
    assert result.brand is None and result.fails_charges is False


@pytest.mark.parametrize("iban", [
    "AT861904300235473202", "DE62370400440532013001", "NL91ABNA0417164300",
])
def test_failing_ibans_are_not_authorized(stripe, start, clock, iban):
    with pytest.raises(ProviderDeclined) as caught:
        _confirm_iban(stripe, start, clock, iban)
    assert caught.value.reason == "debit_not_authorized"


@pytest.mark.parametrize("iban", ["AT981904300002222227", "DE65370400440002222227"])
def test_insufficient_funds_ibans_set_up_but_fail_charges(stripe, start, clock, iban):
    assert _confirm_iban(stripe, start, clock, iban).fails_charges is True


@pytest.mark.parametrize("iban", ["DE89370400440532013001", "DE8937", "12345678901234567890",
                                  "DE89-3704-0044-0532-0130-00"])
def test_malformed_ibans_are_invalid(stripe, start, clock, iban):
    with pytest.raises(ProviderDeclined) as caught:
        _confirm_iban(stripe, start, clock, iban)
    assert caught.value.reason == "iban_invalid"


# -- keys and expiry ---------------------------------------------------------------------------

def test_card_confirmation_refuses_an_iban_key(stripe, start, clock):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": "pm_card_visa",
            "iban": "DE89370400440532013000"}
    with pytest.raises(InvalidRequest, match="confirmation_data.iban") as caught:
        stripe.confirm(TENANT, data, clock.now())
    assert caught.value.context["field"] == "confirmation_data.iban"


def test_sepa_confirmation_needs_an_iban(stripe, start, clock):
    answer = start("stripe", "sepa_debit")
    with pytest.raises(InvalidRequest, match="confirmation_data.iban is required"):
        stripe.confirm(TENANT, {"setup_intent_id": answer["setup_intent_id"]}, clock.now())


def test_card_confirmation_needs_a_payment_method(stripe, start, clock):
    answer = start("stripe", "card")
    with pytest.raises(InvalidRequest, match="confirmation_data.payment_method is required"):
        stripe.confirm(TENANT, {"setup_intent_id": answer["setup_intent_id"]}, clock.now())


def test_confirmation_needs_the_setup_intent_id(stripe, clock):
    with pytest.raises(InvalidRequest, match="confirmation_data.setup_intent_id is required"):
        stripe.confirm(TENANT, {"payment_method": "pm_card_visa"}, clock.now())


def test_setup_intent_expires_after_24_hours(stripe, start, clock):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": "pm_card_visa"}
    clock.advance(timedelta(hours=24))
    with pytest.raises(SessionExpired) as caught:
        stripe.confirm(TENANT, data, clock.now())
    assert caught.value.reason == "setup_expired"
    assert caught.value.session_id == answer["session_id"]


def test_setup_intent_is_usable_just_before_expiry(stripe, start, clock):
    answer = start("stripe", "card")
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": "pm_card_visa"}
    clock.advance(timedelta(hours=23, minutes=59))
    assert stripe.confirm(TENANT, data, clock.now()).last4 == "4242"
