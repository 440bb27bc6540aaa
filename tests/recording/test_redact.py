"""What never reaches a recorded scenario: tokens, cookies, card numbers, IBANs. The exchanges
here are what a staging server answers (Stripe.js PaymentMethod ids, a customer's IBAN), so
the recorder must replace what the client sent by Stripe test values with the same outcome."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from mockserver.recording import Exchange, RecordingError, record_exchanges
from mockserver.recording.instruments import card_value, iban_value
from mockserver.recording.redact import Redactor, card_numbers, ibans
from mockserver.scenarios import parse

API = "https://staging.example.com/api/v1"
BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnRfaWQiOiJ0bnRfc3RhZ2luZyJ9.c2lnbmF0dXJlLW9mLXN0YWdpbmc"
REAL_PM = "pm_1OqRealStripeJsMethod7"
REAL_IBAN = "FR1420041010050500013M02606"
SET_COOKIE = "sessionid=st4ging-session-cookie-98765; Path=/; HttpOnly"
META = {"request_id": "req_0123456789abcdef", "timestamp": "2026-03-10T09:00:00Z"}


def _exchange(method: str, path: str, status: int, answer: dict | None = None,
              sent: dict | None = None, **headers: str) -> Exchange:
    request_headers = {"authorization": f"Bearer {BEARER}", "cookie": "csrftoken=abcdef123456",
                       **headers}
    if sent is not None:
        request_headers["content-type"] = "application/json"
    return Exchange(method, API + path, status, request_headers,
                    json.dumps(sent) if sent is not None else None,
                    {"content-type": "application/json", "set-cookie": SET_COOKIE},
                    json.dumps(answer) if answer is not None else None,
                    datetime(2026, 3, 10, 9, tzinfo=timezone.utc))


def _method(**display) -> dict:
    return {"data": {"id": "pm_9f8e7d6c5b4a3921", "provider_slug": "stripe",
                     "provider_ref": "pm_1Zz9Stripe", "is_default": True, "status": "active",
                     "created_at": "2026-03-10T09:00:01Z", **display}, "meta": META}


def _setup(intent: str, method_type: str) -> Exchange:
    return _exchange("POST", "/billing/payment-providers/stripe/setup", 200, {
        "data": {"provider": "stripe", "session_id": f"ps_{intent[-8:]}0000aaaa",
                 "method_type": method_type, "client_secret": f"{intent}_secret_q1w2e3r4t5",
                 "setup_intent_id": intent, "redirect_url": None,
                 "expires_at": "2026-03-11T09:00:00Z"}, "meta": META},
        {"method_type": method_type, "return_url": "https://app.example.com/return"})


def _staging_session() -> list[Exchange]:
    return [
        _exchange("GET", "/billing/invoices?access_token=qwertyuiop123456", 200,
                  {"data": [], "pagination": {"page": 1, "page_size": 20, "total": 0,
                                              "total_pages": 0}, "meta": META}),
        _setup("seti_1AbCdEf2GhIj", "card"),
        _exchange("POST", "/billing/payment-providers/stripe/confirm", 200,
                  _method(method_type="card", brand="mastercard", last4="4444"),
                  {"confirmation_data": {"setup_intent_id": "seti_1AbCdEf2GhIj",
                                         "payment_method": REAL_PM}}),
        _setup("seti_9ZyXwV8uTsR", "sepa_debit"),
        _exchange("POST", "/billing/payment-providers/stripe/confirm", 200,
                  _method(method_type="sepa_debit", iban_last4="2606", bank_name=None),
                  {"confirmation_data": {"setup_intent_id": "seti_9ZyXwV8uTsR",
                                         "iban": REAL_IBAN}}),
        _exchange("PUT", "/billing/billing-profile", 422, {"detail": []},
                  {"company_name": "Acme", "buyer_reference": "card 4000 0566 5566 5556"}),
    ]


def test_a_staging_session_keeps_none_of_its_secrets():
    recording = record_exchanges(_staging_session(), "staging-cards", "staging.har")
    parse(recording.scenario)
    for secret in (BEARER, REAL_PM, REAL_IBAN, "qwertyuiop123456", "abcdef123456",
                   "st4ging-session-cookie-98765", "4000 0566 5566 5556",
                   "seti_1AbCdEf2GhIj_secret_q1w2e3r4t5"):
        assert secret not in recording.text, secret
    assert recording.redacted == {"tokens": 3, "cookies": 2, "IBANs": 1, "card numbers": 1}
    steps = recording.scenario["steps"]
    assert steps[0]["request"]["query"] == {"access_token": "<redacted>"}
    assert steps[5]["request"]["json"]["buyer_reference"] == "card <redacted>"
    assert all("headers" not in s["request"] for s in steps)  # no cookie, no authorization


def test_a_confirm_gets_the_stripe_test_value_with_the_recorded_outcome():
    steps = record_exchanges(_staging_session(), "staging-cards", "staging.har").scenario["steps"]
    card, sepa = (steps[i]["request"]["json"]["confirmation_data"] for i in (2, 4))
    assert card == {"setup_intent_id": "${setup_intent_id}", "payment_method": "pm_card_mastercard"}
    assert sepa["iban"] == "DE89370400440532013000" and sepa["setup_intent_id"] == (
        "${setup_intent_id_2}")


@pytest.mark.parametrize("recorded, status, answer, expected", [
    ("pm_card_visa", 200, {}, ("pm_card_visa", False)),  # a test token stays
    ("4000 0566 5566 5556", 200, {}, ("pm_card_visa_debit", False)),  # a test card: its token
    ("2223003122003222", 200, {}, ("2223003122003222", False)),  # no token: Stripe's number
    (REAL_PM, 200, {"data": {"brand": "amex", "last4": "0005"}}, ("pm_card_amex", True)),
    (REAL_PM, 402, {"error": {"details": {"reason": "insufficient_funds"}}},
     ("pm_card_visa_chargeDeclinedInsufficientFunds", True)),
    (REAL_PM, 402, {"error": {"details": {"reason": "incorrect_number"}}},
     ("4242 4242 4242 4241", True)),
    (REAL_PM, 409, {"error": {"details": {"state": "requires_action"}}},
     ("pm_card_authenticationRequiredOnSetup", True)),
])
def test_card_values_by_outcome(recorded, status, answer, expected):
    assert card_value(recorded, status, answer) == expected


@pytest.mark.parametrize("recorded, status, answer, expected", [
    ("NL39RABO0300065264", 200, {}, ("NL39RABO0300065264", False)),
    (REAL_IBAN, 200, {"data": {"iban_last4": "3201"}}, ("AT611904300234573201", True)),
    (REAL_IBAN, 402, {"error": {"details": {"reason": "debit_not_authorized"}}},
     ("AT861904300235473202", True)),
    (REAL_IBAN, 402, {"error": {"details": {"reason": "iban_invalid"}}},
     ("DE00370400440532013000", True)),
])
def test_iban_values_by_outcome(recorded, status, answer, expected):
    assert iban_value(recorded, status, answer) == expected


def test_detectors_find_cards_and_ibans_and_leave_other_numbers():
    assert card_numbers("paid with 4242 4242 4242 4242 today") == ["4242 4242 4242 4242"]
    assert card_numbers("4242 4242 4242 4241") == []  # fails the Luhn check
    assert card_numbers("+31 20 123 4567, 04011000-1234512345-06, 1015 CJ") == []
    assert ibans(f"to {REAL_IBAN} please") == [REAL_IBAN]
    assert ibans("NL787730178B03 NL00RABO0300065264") == []  # a VAT number, a bad checksum


def test_a_secret_left_in_the_file_is_refused_not_written():
    redactor = Redactor()
    redactor.note_request({"authorization": f"Bearer {BEARER}"})
    assert redactor.leaks(f"token: {BEARER}")
    assert redactor.leaks("nothing here") == []
    exchanges = _staging_session()[:1]
    recording = record_exchanges(exchanges, "one", "x.har")
    assert BEARER not in recording.text
    with pytest.raises(RecordingError, match="would hold recorded secrets"):
        from mockserver.recording import Recorder, finish

        recorder = Recorder("leaky", "x.har")
        recorder.add(exchanges[0])
        recorder.steps[0]["name"] = BEARER  # as if a step had kept it
        finish(recorder)
