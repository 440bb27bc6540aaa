"""Stripe: SetupIntents confirmed with Stripe's test cards, tokens and IBANs.

``setup`` creates a SetupIntent (``seti_...``) and answers its ``client_secret``; ``confirm``
takes ``setup_intent_id`` (or the setup's ``session_id``) plus ``payment_method`` (a
``pm_card_...`` test token or a test card number, spaces allowed) for cards, or ``iban`` for SEPA
Direct Debit. What each value does is in
:mod:`mockserver.providers.stripe_testdata` and the README's magic-values table.

Lifetime: a real SetupIntent does not expire; the mock expires an unfinished one after 24 hours
(the default lifetime of a Stripe Checkout Session), so stale client secrets can be tested.

A decline leaves the SetupIntent open for another card, as Stripe does. A card that needs
3-D Secure answers :class:`SetupPending` (state ``requires_action``) pointing at the mock's
challenge page ``/_mock/providers/stripe/3ds/{session_id}``; once the customer completed it there,
confirming again with the same card succeeds, and after a failed challenge it declines with
``authentication_failed`` (a further confirm starts a new attempt). Once a challenge started, the
card is known: the page sends the browser back with ``session_id`` only, and that alone confirms
(``payment_method`` may be left out), so a frontend keeps nothing across the redirect.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from mockserver.domain.errors import Conflict
from mockserver.providers.base import ProviderSimulation
from mockserver.providers.errors import ProviderDeclined, SetupPending
from mockserver.providers.results import ConfirmedMethod, card_expiry
from mockserver.providers.sessions import SetupSession
from mockserver.providers.stripe_testdata import (
    AUTHENTICATION_FAILED,
    AUTHENTICATION_REQUIRED,
    DEBIT_NOT_AUTHORIZED,
    DEFAULT_CARD,
    DEFAULT_IBAN,
    EXPIRED_CARD,
    GENERIC_DECLINE,
    IBAN_INVALID,
    INCORRECT_CVC,
    INCORRECT_NUMBER,
    INSUFFICIENT_FUNDS,
    LOST_CARD,
    PROCESSING_ERROR,
    STOLEN_CARD,
    Decline,
    TestCard,
    TestIban,
    bank_name,
    card_for,
    iban_for,
    token_card,
)

# Deterministic test key, the same in every run (Stripe.js only needs the pk_test_ shape).
PUBLISHABLE_KEY = "pk_test_51BillingMock0000000000000000"
API_VERSION = "2024-06-20"
SETUP_INTENT_LIFETIME = timedelta(hours=24)

# Scripted outcomes: "succeeded", "authentication_required" (the 3-D Secure page), or a decline.
FORCED_DECLINES: dict[str, Decline] = {
    d.reason: d for d in (
        GENERIC_DECLINE, INSUFFICIENT_FUNDS, LOST_CARD, STOLEN_CARD, EXPIRED_CARD, INCORRECT_CVC,
        PROCESSING_ERROR, INCORRECT_NUMBER, AUTHENTICATION_FAILED, DEBIT_NOT_AUTHORIZED,
        IBAN_INVALID,
    )
}

# details["authentication"]: where the 3-D Secure challenge of the session stands.
PENDING, COMPLETED, FAILED = "pending", "completed", "failed"


class StripeSimulation(ProviderSimulation):
    slug = "stripe"
    page_template = "stripe_3ds.html"
    session_keys = ("setup_intent_id", "session_id")
    initial_state = "requires_payment_method"
    final_states = frozenset({"succeeded"})
    choices = ("complete", "fail")
    outcomes = ("succeeded", "authentication_required", *FORCED_DECLINES)
    return_url_required = False  # only used to come back from 3-D Secure

    def lifetime(self, method_type: str) -> timedelta:
        return SETUP_INTENT_LIFETIME

    def _sdk_config(self) -> dict[str, Any]:
        return {"publishable_key": PUBLISHABLE_KEY, "api_version": API_VERSION, "locale": "auto"}

    def _start(self, session: SetupSession) -> tuple[str, ...]:
        intent_id = self._ids.new("seti", 24)
        session.details.update(
            setup_intent_id=intent_id, client_secret=f"{intent_id}_secret_{self._ids.token(24)}",
        )
        return (intent_id,)

    def _setup_answer(self, session: SetupSession) -> dict[str, Any]:
        return {
            "setup_intent_id": session.details["setup_intent_id"],
            "client_secret": session.details["client_secret"],
        }

    def _confirmation_keys(self, session: SetupSession) -> tuple[str, ...]:
        if session.method_type == "sepa_debit":
            return ("iban",)
        if _knows_the_card(session):
            return ()
        return ("payment_method",)

    def _optional_keys(self, session: SetupSession) -> tuple[str, ...]:
        return ("payment_method",) if _knows_the_card(session) else ()

    def _decide(
        self, session: SetupSession, data: Mapping[str, str], now: datetime
    ) -> ConfirmedMethod:
        if session.method_type == "sepa_debit":
            return self._decide_sepa(session, data["iban"], now)
        # Without payment_method: the card of the challenge (the only way to get here).
        return self._decide_card(
            session, data.get("payment_method") or session.details["card_number"], now)

    # -- cards ---------------------------------------------------------------------------------

    def _decide_card(
        self, session: SetupSession, payment_method: str, now: datetime
    ) -> ConfirmedMethod:
        if session.details.get("authentication") == COMPLETED:  # succeeded with that card
            return self._card_method(session, _challenged_card(session), now)
        card = card_for(payment_method)
        self._resume_challenge(session, card)
        forced = self._take_forced()
        if forced is not None:
            return self._forced_card(session, card, forced, now)
        decline = card if isinstance(card, Decline) else card.decline
        if decline is not None:
            raise self._declined(session, decline)
        assert isinstance(card, TestCard)
        if card.authentication:
            raise self._challenge(session, card)
        return self._card_method(session, card, now)

    def _resume_challenge(self, session: SetupSession, card: TestCard | Decline) -> None:
        """Answer a confirm that follows a challenge of the same card; another card (or the
        confirm after a failed challenge) starts a new attempt."""
        authentication = session.details.get("authentication")
        same_card = isinstance(card, TestCard) and card.number == session.details.get(
            "card_number")
        if same_card and authentication == PENDING:
            raise self._requires_action(session)
        _forget_challenge(session)
        if same_card and authentication == FAILED:
            raise self._declined(session, AUTHENTICATION_FAILED)

    def _forced_card(
        self, session: SetupSession, card: TestCard | Decline, forced: str, now: datetime
    ) -> ConfirmedMethod:
        card = card if isinstance(card, TestCard) else DEFAULT_CARD
        if forced == "succeeded":
            return self._card_method(session, card, now)
        if forced == "authentication_required":
            raise self._challenge(session, card)
        raise self._declined(session, FORCED_DECLINES[forced])

    def _challenge(self, session: SetupSession, card: TestCard) -> SetupPending:
        """Start a 3-D Secure challenge for ``card``; answer the error that says so."""
        session.details.update(card_number=card.number, authentication=PENDING)
        session.state = "requires_action"
        return self._requires_action(session)

    def _requires_action(self, session: SetupSession) -> SetupPending:
        return SetupPending(
            "The card requires 3-D Secure authentication; open next_action_url to complete it",
            provider=self.slug, session_id=session.id, state="requires_action",
            next_action_url=session.page_url,
        )

    def _card_method(
        self, session: SetupSession, card: TestCard, now: datetime
    ) -> ConfirmedMethod:
        session.state = "succeeded"
        exp_month, exp_year = card_expiry(now)
        return ConfirmedMethod(
            provider_slug=self.slug, method_type="card", provider_ref=self._ids.new("pm", 24),
            session_id=session.id, brand=card.brand, last4=card.last4, exp_month=exp_month,
            exp_year=exp_year, fails_charges=card.fails_charges,
        )

    # -- SEPA Direct Debit -----------------------------------------------------------------------

    def _decide_sepa(
        self, session: SetupSession, raw_iban: str, now: datetime
    ) -> ConfirmedMethod:
        entry = iban_for(raw_iban)
        forced = self._take_forced()
        if forced is None:
            decline = entry if isinstance(entry, Decline) else entry.decline
            if decline is not None:
                raise self._declined(session, decline)
        elif forced == "succeeded":  # keep the IBAN's display data, drop its failure
            entry = (TestIban(entry.iban, fails_charges=entry.fails_charges)
                     if isinstance(entry, TestIban) else DEFAULT_IBAN)
        elif forced == "authentication_required":  # mandates have no 3-D Secure
            raise self._declined(session, AUTHENTICATION_REQUIRED)
        else:
            raise self._declined(session, FORCED_DECLINES[forced])
        assert isinstance(entry, TestIban)
        session.state = "succeeded"
        return self._sepa_method(entry, session.id, self._ids.new("pm", 24))

    def _sepa_method(
        self, entry: TestIban, session_id: str | None, ref: str
    ) -> ConfirmedMethod:
        return ConfirmedMethod(
            provider_slug=self.slug, method_type="sepa_debit", provider_ref=ref,
            session_id=session_id, iban_last4=entry.iban[-4:], bank_name=bank_name(entry.iban),
            fails_charges=entry.fails_charges,
        )

    def _declined(self, session: SetupSession, decline: Decline) -> ProviderDeclined:
        session.state = "requires_payment_method"
        return ProviderDeclined(
            decline.reason, decline.message, provider=self.slug, session_id=session.id,
            decline_code=decline.decline_code,
        )

    # -- 3-D Secure page -----------------------------------------------------------------------

    def _choose(self, session: SetupSession, choice: str) -> None:
        if session.details.get("authentication") != PENDING:
            raise Conflict(f"No 3-D Secure authentication is waiting in session '{session.id}'")
        if choice == "complete":
            session.details["authentication"] = COMPLETED
            session.state = "succeeded"
        else:
            session.details["authentication"] = FAILED
            session.state = "requires_payment_method"

    def _accepts_choice(self, session: SetupSession, now: datetime) -> bool:
        return (session.details.get("authentication") == PENDING
                and super()._accepts_choice(session, now))

    def _page_context(self, session: SetupSession) -> dict[str, Any]:
        number = session.details.get("card_number")
        card = card_for(number) if number else None
        return {
            "setup_intent_id": session.details["setup_intent_id"],
            "authentication": session.details.get("authentication"),
            "card_brand": card.brand if isinstance(card, TestCard) else None,
            "card_last4": card.last4 if isinstance(card, TestCard) else None,
        }

    # -- direct methods --------------------------------------------------------------------------

    def _direct(
        self, method_type: str, now: datetime, provider_ref: str | None
    ) -> ConfirmedMethod:
        """Cards show visa 4242 unless ``provider_ref`` is a test token (then its card: a
        declining token is refused, a 3-D Secure one is vaulted since nobody is there to
        authenticate); SEPA shows Commerzbank ...3000. A test token or no ref gets a new
        ``pm_`` id, any other ref is kept."""
        card = token_card(provider_ref) if provider_ref else None
        ref = provider_ref if provider_ref and card is None else self._ids.new("pm", 24)
        if method_type == "sepa_debit":
            return self._sepa_method(DEFAULT_IBAN, None, ref)
        card = card or DEFAULT_CARD
        if card.decline is not None:
            raise ProviderDeclined(card.decline.reason, card.decline.message,
                                   provider=self.slug, decline_code=card.decline.decline_code)
        exp_month, exp_year = card_expiry(now)
        return ConfirmedMethod(
            provider_slug=self.slug, method_type="card", provider_ref=ref, brand=card.brand,
            last4=card.last4, exp_month=exp_month, exp_year=exp_year,
            fails_charges=card.fails_charges,
        )


def _knows_the_card(session: SetupSession) -> bool:
    """A confirm needs no card: it gave one that is being (or was) challenged, or it already
    produced a method (a replay answers that one)."""
    return session.result is not None or "card_number" in session.details


def _challenged_card(session: SetupSession) -> TestCard:
    card = card_for(session.details["card_number"])
    assert isinstance(card, TestCard)
    return card


def _forget_challenge(session: SetupSession) -> None:
    session.details.pop("card_number", None)
    session.details.pop("authentication", None)
