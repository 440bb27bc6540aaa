"""All provider simulations, by slug, and the helpers the services call without a session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from mockserver.domain.errors import InvalidRequest, NotFound
from mockserver.domain.ids import IdSource
from mockserver.providers.base import ProviderSimulation
from mockserver.providers.crypto import CryptoSimulation
from mockserver.providers.mollie import MollieSimulation
from mockserver.providers.results import ConfirmedMethod
from mockserver.providers.sessions import MAX_SESSIONS
from mockserver.providers.stripe import StripeSimulation

SIMULATIONS: tuple[type[ProviderSimulation], ...] = (
    StripeSimulation, MollieSimulation, CryptoSimulation,
)


class ProviderRegistry:
    """One simulation per provider of the catalogue, sharing the store's id source.

    The store's snapshots pickle it in one piece with the store's id source
    (``Store.snapshot``): a restored registry has the sessions and scripted outcomes of its
    moment and shares the restored id source with the rest of the world.
    """

    def __init__(self, ids: IdSource, session_limit: int = MAX_SESSIONS) -> None:
        self._simulations = {cls.slug: cls(ids, session_limit) for cls in SIMULATIONS}

    def get(self, slug: str) -> ProviderSimulation:
        """The simulation for ``slug``; an unknown slug is :class:`NotFound` (it is a path)."""
        try:
            return self._simulations[slug]
        except KeyError:
            raise NotFound(f"Payment provider '{slug}' not found") from None

    def __iter__(self) -> Iterator[ProviderSimulation]:
        return iter(self._simulations.values())

    def evicted_sessions(self) -> int:
        """Setup sessions every provider dropped at its bounds so far."""
        return sum(simulation.evicted_sessions for simulation in self._simulations.values())

    def slugs(self) -> tuple[str, ...]:
        return tuple(self._simulations)

    def direct_method(
        self, provider_slug: str, method_type: str, now: datetime,
        provider_ref: str | None = None,
    ) -> ConfirmedMethod:
        """A method vaulted without a hosted flow (``POST /payment-methods``).

        Display data is fixed per method type so a frontend can assert on it: Stripe card visa
        ...4242 (or the card of a ``pm_card_...`` test token), Stripe SEPA Commerzbank ...3000,
        Mollie mandates as in ``mollie.MANDATE_DISPLAY``, crypto a wallet derived from the
        reference. An unknown provider is :class:`InvalidRequest` here (it is a body field).
        """
        simulation = self._simulations.get(provider_slug)
        if simulation is None:
            raise InvalidRequest(
                f"provider_slug '{provider_slug}' is not a payment provider "
                f"(known: {', '.join(self._simulations)})", field="provider_slug",
            )
        return simulation.direct_method(method_type, now, provider_ref)
