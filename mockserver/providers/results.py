"""What a successful provider flow hands back: the data for one :class:`PaymentMethod`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from mockserver.domain.payment_methods import PaymentMethod

# Card expiry of simulated cards: this many years after the month the card was set up, so a
# card is never already expired and a frozen clock always gives the same date.
CARD_VALID_YEARS = 3


def card_expiry(now: datetime) -> tuple[int, int]:
    """``(exp_month, exp_year)`` of a card set up at ``now``."""
    return now.month, now.year + CARD_VALID_YEARS


@dataclass(frozen=True)
class ConfirmedMethod:
    """A method the provider has vaulted.

    ``session_id`` is the setup session it came from (``None`` for a direct, flow-less method).
    ``method_id`` is the id of the :class:`PaymentMethod` the caller created from it, once the
    caller has recorded it with ``record_method``: a replayed confirm returns it, so the caller
    hands back the method it already made instead of making a second one.
    """

    provider_slug: str
    method_type: str
    provider_ref: str
    session_id: str | None = None
    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    iban_last4: str | None = None
    bank_name: str | None = None
    wallet: str | None = None
    fails_charges: bool = False
    method_id: str | None = None

    def payment_method(self, method_id: str, created_at: datetime) -> PaymentMethod:
        """The domain method for this result (not yet added to any tenant's book)."""
        return PaymentMethod(
            id=method_id, provider_slug=self.provider_slug, method_type=self.method_type,
            provider_ref=self.provider_ref, created_at=created_at, brand=self.brand,
            last4=self.last4, exp_month=self.exp_month, exp_year=self.exp_year,
            iban_last4=self.iban_last4, bank_name=self.bank_name, wallet=self.wallet,
            fails_charges=self.fails_charges,
        )

    def with_method_id(self, method_id: str | None) -> ConfirmedMethod:
        return replace(self, method_id=method_id)
