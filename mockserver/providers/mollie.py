"""Mollie: a first payment on Mollie's hosted checkout creates a mandate (``mdt_...``).

``setup`` creates a first payment (``tr_...``) and answers a ``redirect_url`` to the mock's
checkout page ``/_mock/providers/mollie/checkout/{session_id}``, which behaves like Mollie's test
mode: the customer picks the payment status (paid, failed, canceled, expired or open) and is
sent back to the return URL. ``confirm`` takes ``session_id``:

======== =================================================================
paid     the mandate, as a payment method
failed   :class:`ProviderDeclined` ``setup_failed``
canceled :class:`ProviderDeclined` ``setup_canceled``
expired  :class:`SessionExpired` ``setup_expired``
open     :class:`SetupPending` ``open`` (also before the customer chose)
======== =================================================================

Lifetime: 30 minutes, Mollie's documented session timeout for card checkouts; the mock uses it
for every method. The first payment is EUR 0.00 for cards (Mollie allows zero-amount card
mandates) and EUR 0.01 otherwise.

The mandate's display data is fixed per method type (see ``MANDATE_DISPLAY``): Mollie's test
mode has no real bank account behind it, and a frontend needs stable values to assert on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from mockserver.providers.hosted import HostedCheckout
from mockserver.providers.results import ConfirmedMethod, card_expiry
from mockserver.providers.sessions import SetupSession

CHECKOUT_LIFETIME = timedelta(minutes=30)
PROFILE_ID = "pfl_BillMock01"  # fixed, so a frontend config can be asserted on
METHOD_LABELS = {"ideal": "iDEAL", "bancontact": "Bancontact", "card": "Card",
                 "sepa_debit": "SEPA Direct Debit"}
FIRST_PAYMENT_AMOUNTS = {"card": "0.00"}  # others: 0.01
MANDATE_DISPLAY: dict[str, dict[str, str]] = {
    "ideal": {"bank_name": "ING", "iban_last4": "0000"},
    "bancontact": {"bank_name": "KBC", "iban_last4": "7061"},
    "sepa_debit": {"bank_name": "ING", "iban_last4": "0000"},
    "card": {"brand": "mastercard", "last4": "4444"},
}
STATUS_LABELS = {"paid": "Paid", "failed": "Failed", "canceled": "Canceled",
                 "expired": "Expired", "open": "Open"}


class MollieSimulation(HostedCheckout):
    slug = "mollie"
    page_template = "mollie_checkout.html"
    initial_state = "open"
    success_state = "paid"
    pending_states = frozenset({"open"})
    final_states = frozenset({"paid", "failed", "canceled", "expired"})
    declines = MappingProxyType({
        "failed": ("setup_failed", "The first payment failed, so Mollie created no mandate."),
        "canceled": ("setup_canceled", "The customer canceled the payment."),
    })
    choices = ("paid", "failed", "canceled", "expired", "open")
    choice_states = MappingProxyType({choice: choice for choice in choices})
    outcomes = choices

    def lifetime(self, method_type: str) -> timedelta:
        return CHECKOUT_LIFETIME

    def _sdk_config(self) -> dict[str, Any]:
        return {"profile_id": PROFILE_ID, "testmode": True, "locale": "en_US"}

    def _start(self, session: SetupSession) -> tuple[str, ...]:
        session.details.update(
            payment_id=self._ids.new("tr", 10),
            amount=FIRST_PAYMENT_AMOUNTS.get(session.method_type, "0.01"), currency="EUR",
        )
        return ()

    def _vaulted(self, session: SetupSession, now: datetime) -> ConfirmedMethod:
        return self._mandate(session.method_type, now, self._ids.new("mdt", 10), session.id)

    def _mandate(
        self, method_type: str, now: datetime, ref: str, session_id: str | None
    ) -> ConfirmedMethod:
        exp_month = exp_year = None
        if method_type == "card":
            exp_month, exp_year = card_expiry(now)
        return ConfirmedMethod(
            provider_slug=self.slug, method_type=method_type, provider_ref=ref,
            session_id=session_id, exp_month=exp_month, exp_year=exp_year,
            **MANDATE_DISPLAY[method_type],
        )

    def _page_context(self, session: SetupSession) -> dict[str, Any]:
        return {
            "method_label": METHOD_LABELS[session.method_type],
            "payment_id": session.details["payment_id"],
            "amount": session.details["amount"], "currency": session.details["currency"],
            "statuses": [(choice, STATUS_LABELS[choice]) for choice in self.choices],
        }

    def _direct(
        self, method_type: str, now: datetime, provider_ref: str | None
    ) -> ConfirmedMethod:
        """A mandate with the method type's fixed display data; ``mdt_`` id unless given."""
        return self._mandate(method_type, now, provider_ref or self._ids.new("mdt", 10), None)
