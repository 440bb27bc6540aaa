"""Crypto (Coinbase Commerce style): a hosted charge the customer pays from a wallet.

``setup`` creates a charge (a code such as ``3F9A0C1D``) of USDC 1.00 on Ethereum to a
deterministic deposit address and answers a ``redirect_url`` to the mock's charge page
``/_mock/providers/crypto/charge/{session_id}``. There the customer can pay, leave the payment
pending, underpay or let the charge expire (marked expired at once), and is sent back to the
return URL. ``confirm`` takes ``session_id``:

=========== ===============================================================
completed   the paying wallet, as a payment method (``provider_ref``: the charge code)
new         :class:`SetupPending` ``new`` (nothing paid yet)
pending     :class:`SetupPending` ``pending`` (payment seen, not yet confirmed)
underpaid   :class:`ProviderDeclined` ``charge_underpaid``
expired     :class:`SessionExpired` ``charge_expired``
=========== ===============================================================

Lifetime: one hour, like a Coinbase Commerce charge. A charge that is new or pending when the
clock passes ``expires_at`` is expired; this is the expiry QA drives with the mock's clock.

Addresses are derived from the session id with SHA-256: stable for a seed, and they look like
addresses without being anyone's.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from mockserver.providers.hosted import HostedCheckout
from mockserver.providers.results import ConfirmedMethod
from mockserver.providers.sessions import SetupSession

CHARGE_LIFETIME = timedelta(hours=1)
CHARGE_AMOUNT, UNDERPAID_AMOUNT = "1.00", "0.50"
CHARGE_CURRENCY = "USDC"
NETWORK, NETWORK_LABEL = "ethereum", "Ethereum"
CHOICE_LABELS = {
    "pay": "Pay the full amount",
    "pending": "Send the payment, leave it pending (unconfirmed)",
    "underpay": f"Underpay (send {UNDERPAID_AMOUNT} {CHARGE_CURRENCY})",
    "expire": "Let the charge expire",
}


def fake_address(seed: str) -> str:
    """A deterministic, EVM-shaped address (``0x`` + 40 hex digits)."""
    return "0x" + hashlib.sha256(seed.encode()).hexdigest()[:40]


class CryptoSimulation(HostedCheckout):
    slug = "crypto"
    page_template = "crypto_charge.html"
    initial_state = "new"
    success_state = "completed"
    pending_states = frozenset({"new", "pending"})
    final_states = frozenset({"completed", "underpaid", "expired"})
    declines = MappingProxyType({
        "underpaid": ("charge_underpaid",
                      f"The wallet sent {UNDERPAID_AMOUNT} of {CHARGE_AMOUNT} {CHARGE_CURRENCY}."),
    })
    choices = ("pay", "pending", "underpay", "expire")
    choice_states = MappingProxyType({"pay": "completed", "pending": "pending",
                                      "underpay": "underpaid", "expire": "expired"})
    outcomes = ("completed", "new", "pending", "underpaid", "expired")
    expired_reason = "charge_expired"

    def lifetime(self, method_type: str) -> timedelta:
        return CHARGE_LIFETIME

    def _sdk_config(self) -> dict[str, Any]:
        return {"checkout": "hosted", "currencies": [CHARGE_CURRENCY], "networks": [NETWORK],
                "charge_lifetime_seconds": int(CHARGE_LIFETIME.total_seconds())}

    def _start(self, session: SetupSession) -> tuple[str, ...]:
        session.details.update(
            charge_code=self._ids.token(8).upper(), address=fake_address(f"deposit:{session.id}"),
            amount=CHARGE_AMOUNT, currency=CHARGE_CURRENCY, network=NETWORK,
        )
        return ()

    def _vaulted(self, session: SetupSession, now: datetime) -> ConfirmedMethod:
        return ConfirmedMethod(
            provider_slug=self.slug, method_type="crypto",
            provider_ref=session.details["charge_code"], session_id=session.id,
            wallet=fake_address(f"payer:{session.id}"),
        )

    def _page_context(self, session: SetupSession) -> dict[str, Any]:
        return {
            "charge_code": session.details["charge_code"],
            "address": session.details["address"], "amount": session.details["amount"],
            "currency": session.details["currency"], "network_label": NETWORK_LABEL,
            "underpaid_amount": UNDERPAID_AMOUNT,
            "options": [(choice, CHOICE_LABELS[choice]) for choice in self.choices],
        }

    def _direct(
        self, method_type: str, now: datetime, provider_ref: str | None
    ) -> ConfirmedMethod:
        """A wallet derived from the reference (a new charge code unless one is given)."""
        ref = provider_ref or self._ids.token(8).upper()
        return ConfirmedMethod(provider_slug=self.slug, method_type=method_type,
                               provider_ref=ref, wallet=fake_address(f"payer:{ref}"))
