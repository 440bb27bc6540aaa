"""How a provider flow can end other than with a payment method.

All three are domain errors, so ``mockserver.edge.errors`` maps them like any other: a decline is a
:class:`~mockserver.domain.errors.DomainError` of its own (the provider said no), the other two are
conflicts (the session is in a state that cannot give a method yet, or any more).
"""

from __future__ import annotations

from datetime import datetime

from mockserver.domain.errors import Conflict, DomainError


class ProviderDeclined(DomainError):
    """The provider refused the method.

    ``reason`` is the code a client branches on (``card_declined``, ``insufficient_funds``,
    ``authentication_failed``, ``setup_failed``, ``setup_canceled``, ``charge_underpaid``,
    ``debit_not_authorized``, ``iban_invalid``, ...). ``decline_code`` carries Stripe's finer
    decline code where Stripe has one (``generic_decline`` for a plain ``card_declined``).
    """

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        provider: str,
        session_id: str | None = None,
        decline_code: str | None = None,
    ) -> None:
        super().__init__(
            message, reason=reason, provider=provider, session_id=session_id,
            decline_code=decline_code,
        )
        self.reason = reason
        self.provider = provider
        self.session_id = session_id
        self.decline_code = decline_code


class SetupPending(Conflict):
    """The customer has not finished the provider's step yet.

    ``state`` is the provider-like state (``requires_action`` for Stripe 3-D Secure, ``open`` for
    Mollie, ``new`` or ``pending`` for a crypto charge); ``next_action_url`` is the hosted page
    where the customer can finish it.
    """

    def __init__(
        self, message: str, *, provider: str, session_id: str, state: str, next_action_url: str
    ) -> None:
        super().__init__(
            message, provider=provider, session_id=session_id, state=state,
            next_action_url=next_action_url,
        )
        self.provider = provider
        self.session_id = session_id
        self.state = state
        self.next_action_url = next_action_url


class SessionExpired(Conflict):
    """The setup session can no longer give a method: its time ran out or the customer let it.

    ``reason`` is ``setup_expired`` (Stripe, Mollie) or ``charge_expired`` (crypto).
    """

    def __init__(
        self, message: str, *, provider: str, session_id: str, expires_at: datetime, reason: str
    ) -> None:
        super().__init__(
            message, provider=provider, session_id=session_id, expires_at=expires_at,
            reason=reason,
        )
        self.provider = provider
        self.session_id = session_id
        self.expires_at = expires_at
        self.reason = reason
