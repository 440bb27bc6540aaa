"""The card or IBAN a recorded Stripe confirm sent, replaced by a documented Stripe test value
that gives the outcome the server answered, so the recorded card never reaches the scenario
and a replay on the mock still takes the recorded path.

Stripe's test cards become their ``pm_card_...`` tokens (the two without a token stay: they are
Stripe's published test numbers, nobody's card); Stripe's test IBANs are kept. Anything else (a
real card, a real ``pm_...`` from Stripe.js, a real IBAN) becomes the test value with the
outcome of the answer: the same brand and last four digits when a test card has them, the same
decline reason, or 3-D Secure.
"""

from __future__ import annotations

from mockserver.providers.stripe_testdata import (
    DEFAULT_IBAN,
    TEST_CARDS,
    TEST_IBANS,
    card_for,
    token_card,
)

INVALID_IBAN = "DE00370400440532013000"  # the wrong checksum: Stripe's iban_invalid
INVALID_NUMBER = "4242 4242 4242 4241"  # fails the Luhn check: incorrect_number
_PUBLISHED_IBANS = {entry.iban for entry in TEST_IBANS}


def _outcome(status: int, body) -> tuple[str, dict]:
    body = body if isinstance(body, dict) else {}
    if status == 200:
        return "succeeded", body.get("data") or {}
    details = (body.get("error") or {}).get("details") or {}
    if status == 402:
        return "declined", details
    if status == 409 and details.get("state") == "requires_action":
        return "requires_action", details
    return "other", details


def _card_value(card) -> str:
    return card.tokens[0] if card.tokens else card.number


def card_value(recorded: str, status: int, body) -> tuple[str, bool]:
    """The test value to send instead of ``recorded``; True when it is not ``recorded``'s own
    published test value (so ``recorded`` is a secret)."""
    if token_card(recorded):
        return recorded, False
    digits = recorded.replace(" ", "")
    if digits.isdigit() and any(card.number == digits for card in TEST_CARDS):
        return _card_value(card_for(digits)), False
    kind, found = _outcome(status, body)
    if kind == "succeeded":
        same = [c for c in TEST_CARDS if not c.decline and not c.authentication
                and c.brand == found.get("brand") and c.last4 == found.get("last4")]
        return _card_value(same[0] if same else TEST_CARDS[0]), True
    if kind == "declined":
        reason, code = found.get("reason"), found.get("decline_code")
        if reason == "incorrect_number":
            return INVALID_NUMBER, True
        same = [c for c in TEST_CARDS if c.decline and c.decline.reason == reason]
        exact = [c for c in same if c.decline.decline_code == code]
        chosen = (exact or same or [c for c in TEST_CARDS if c.decline])[0]
        return _card_value(chosen), True
    if kind == "requires_action":
        return _card_value(next(c for c in TEST_CARDS if c.authentication)), True
    return _card_value(TEST_CARDS[0]), True


def iban_value(recorded: str, status: int, body) -> tuple[str, bool]:
    """Like :func:`card_value`, for a SEPA IBAN."""
    if recorded.replace(" ", "").upper() in _PUBLISHED_IBANS:
        return recorded, False
    kind, found = _outcome(status, body)
    if kind == "declined":
        if found.get("reason") == "iban_invalid":
            return INVALID_IBAN, True
        refused = [e for e in TEST_IBANS if e.decline and e.decline.reason == found.get("reason")]
        return (refused[0].iban if refused else DEFAULT_IBAN.iban), True
    if kind == "succeeded":
        same = [e for e in TEST_IBANS if not e.decline and not e.fails_charges
                and e.iban[-4:] == found.get("iban_last4")]
        return (same[0].iban if same else DEFAULT_IBAN.iban), True
    return DEFAULT_IBAN.iban, True
