"""Stripe's documented test values: cards, PaymentMethod tokens and SEPA IBANs.

Sources: Stripe's testing guide (docs.stripe.com/testing) for cards and tokens, and its SEPA
Direct Debit guide for IBANs. Only documented values are listed; the mock's own deviations are
marked where they are made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockserver.domain.errors import InvalidRequest


@dataclass(frozen=True)
class Decline:
    """Why Stripe refuses a card or mandate: our ``reason``, Stripe's decline code, its message."""

    reason: str
    message: str
    decline_code: str | None = None


GENERIC_DECLINE = Decline("card_declined", "Your card was declined.", "generic_decline")
INSUFFICIENT_FUNDS = Decline("insufficient_funds", "Your card has insufficient funds.",
                             "insufficient_funds")
LOST_CARD = Decline("lost_card", "Your card was declined.", "lost_card")
STOLEN_CARD = Decline("stolen_card", "Your card was declined.", "stolen_card")
EXPIRED_CARD = Decline("expired_card", "Your card has expired.", "expired_card")
INCORRECT_CVC = Decline("incorrect_cvc", "Your card's security code is incorrect.",
                        "incorrect_cvc")
PROCESSING_ERROR = Decline(
    "processing_error",
    "An error occurred while processing your card. Try again in a little bit.",
    "processing_error",
)
INCORRECT_NUMBER = Decline("incorrect_number", "Your card number is incorrect.")
LIVE_CARD = Decline(
    "card_declined",
    "Your card was declined. Your request was in test mode, but used a non test (live) card.",
    "test_mode_live_card",
)
AUTHENTICATION_FAILED = Decline(
    "authentication_failed",
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again.",
)
AUTHENTICATION_REQUIRED = Decline(
    "authentication_required", "This payment method requires authentication.",
    "authentication_required",
)
DEBIT_NOT_AUTHORIZED = Decline(
    "debit_not_authorized", "The bank refused a SEPA Direct Debit mandate for this account.",
)
IBAN_INVALID = Decline("iban_invalid", "The IBAN you entered is invalid.")


@dataclass(frozen=True)
class TestCard:
    """A documented test card and what a SetupIntent with it does.

    ``decline``: the card check fails. ``authentication``: setup needs 3-D Secure first.
    ``fails_charges``: setup succeeds, later charges decline (``pm_card_chargeCustomerFail``).
    """

    __test__ = False  # not a pytest test class, whatever its name says

    number: str
    brand: str
    tokens: tuple[str, ...] = ()
    decline: Decline | None = None
    authentication: bool = False
    fails_charges: bool = False

    @property
    def last4(self) -> str:
        return self.number[-4:]


TEST_CARDS: tuple[TestCard, ...] = (
    # Successful setups, by brand.
    TestCard("4242424242424242", "visa", ("pm_card_visa",)),
    TestCard("4000056655665556", "visa", ("pm_card_visa_debit",)),
    TestCard("5555555555554444", "mastercard", ("pm_card_mastercard",)),
    TestCard("2223003122003222", "mastercard"),
    TestCard("5200828282828210", "mastercard", ("pm_card_mastercard_debit",)),
    TestCard("5105105105105100", "mastercard", ("pm_card_mastercard_prepaid",)),
    TestCard("378282246310005", "amex", ("pm_card_amex",)),
    TestCard("371449635398431", "amex"),
    TestCard("6011111111111117", "discover", ("pm_card_discover",)),
    TestCard("3056930009020004", "diners", ("pm_card_diners",)),
    TestCard("3566002020360505", "jcb", ("pm_card_jcb",)),
    TestCard("6200000000000005", "unionpay", ("pm_card_unionpay",)),
    # Declines. The pm_card_chargeDeclined* names without "visa" are Stripe's older spelling,
    # still accepted by Stripe and still found in many test suites.
    TestCard("4000000000000002", "visa", ("pm_card_visa_chargeDeclined",
                                          "pm_card_chargeDeclined"), GENERIC_DECLINE),
    TestCard("4000000000009995", "visa", ("pm_card_visa_chargeDeclinedInsufficientFunds",
                                          "pm_card_chargeDeclinedInsufficientFunds"),
             INSUFFICIENT_FUNDS),
    TestCard("4000000000009987", "visa", ("pm_card_visa_chargeDeclinedLostCard",), LOST_CARD),
    TestCard("4000000000009979", "visa", ("pm_card_visa_chargeDeclinedStolenCard",),
             STOLEN_CARD),
    TestCard("4000000000000069", "visa", ("pm_card_chargeDeclinedExpiredCard",), EXPIRED_CARD),
    TestCard("4000000000000127", "visa", ("pm_card_chargeDeclinedIncorrectCvc",),
             INCORRECT_CVC),
    TestCard("4000000000000119", "visa", ("pm_card_chargeDeclinedProcessingError",),
             PROCESSING_ERROR),
    # Attaches fine; every later charge fails.
    TestCard("4000000000000341", "visa", ("pm_card_chargeCustomerFail",), fails_charges=True),
    # 3-D Secure on setup.
    TestCard("4000002500003155", "visa", ("pm_card_authenticationRequiredOnSetup",),
             authentication=True),
    TestCard("4000002760003184", "visa", ("pm_card_authenticationRequired",),
             authentication=True),
    TestCard("4000000000003220", "visa", ("pm_card_threeDSecure2Required",),
             authentication=True),
)

_BY_NUMBER = {card.number: card for card in TEST_CARDS}
_BY_TOKEN = {token: card for card in TEST_CARDS for token in card.tokens}
DEFAULT_CARD = _BY_NUMBER["4242424242424242"]


def card_for(payment_method: str) -> TestCard | Decline:
    """The test card a ``payment_method`` value stands for, or the decline it earns.

    A ``pm_`` token must be one of Stripe's test tokens (any other is "no such PaymentMethod");
    a card number may contain spaces. A number that fails the Luhn check is
    ``incorrect_number``; a valid number that is not a test card is refused as a live card,
    as Stripe does in test mode.
    """
    if payment_method.startswith("pm_"):
        card = _BY_TOKEN.get(payment_method)
        if card is None:
            raise InvalidRequest(f"No such PaymentMethod: '{payment_method}'",
                                 field="confirmation_data.payment_method")
        return card
    number = payment_method.replace(" ", "")
    if not re.fullmatch(r"\d{12,19}", number):
        raise InvalidRequest(
            "confirmation_data.payment_method must be a Stripe test PaymentMethod (pm_card_...) "
            "or a test card number", field="confirmation_data.payment_method",
        )
    if not luhn_valid(number):
        return INCORRECT_NUMBER
    return _BY_NUMBER.get(number, LIVE_CARD)


def token_card(token: str) -> TestCard | None:
    """The test card behind a ``pm_card_...`` token, if it is one."""
    return _BY_TOKEN.get(token)


def luhn_valid(number: str) -> bool:
    total = 0
    for position, digit in enumerate(int(d) for d in reversed(number)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


@dataclass(frozen=True)
class TestIban:
    """A documented SEPA test IBAN and what setting up a mandate with it does here."""

    __test__ = False

    iban: str
    decline: Decline | None = None
    fails_charges: bool = False


# Stripe collects the mandate for every test IBAN and lets the *debit* fail later. The mock
# refuses the "failed" IBANs already at setup, so a frontend can show a SEPA failure without
# waiting for a charge; the insufficient-funds IBANs set up fine and fail their charges.
TEST_IBANS: tuple[TestIban, ...] = (
    TestIban("DE89370400440532013000"),
    TestIban("AT611904300234573201"),
    TestIban("NL39RABO0300065264"),
    TestIban("AT861904300235473202", DEBIT_NOT_AUTHORIZED),
    TestIban("DE62370400440532013001", DEBIT_NOT_AUTHORIZED),
    TestIban("NL91ABNA0417164300", DEBIT_NOT_AUTHORIZED),
    TestIban("AT981904300002222227", fails_charges=True),
    TestIban("DE65370400440002222227", fails_charges=True),
)
_IBANS = {entry.iban: entry for entry in TEST_IBANS}
DEFAULT_IBAN = _IBANS["DE89370400440532013000"]

# Bank names for the bank codes of the test IBANs the mock can name with confidence.
_BANKS = {("DE", "37040044"): "Commerzbank", ("NL", "RABO"): "Rabobank",
          ("NL", "ABNA"): "ABN AMRO", ("NL", "INGB"): "ING"}


def iban_for(raw: str) -> TestIban | Decline:
    """What a mandate with this IBAN does. Spaces are allowed, case does not matter.

    A well-formed IBAN that is not a test IBAN succeeds (Stripe's test mode accepts any valid
    IBAN); a malformed one or a wrong checksum is ``iban_invalid``.
    """
    iban = raw.replace(" ", "").upper()
    if not iban_valid(iban):
        return IBAN_INVALID
    return _IBANS.get(iban, TestIban(iban))


def iban_valid(iban: str) -> bool:
    """ISO 13616 shape and mod-97 checksum."""
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def bank_name(iban: str) -> str | None:
    country = iban[:2]
    code = iban[4:12] if country == "DE" else iban[4:8]
    return _BANKS.get((country, code))
