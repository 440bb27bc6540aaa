"""The flow Mollie and the crypto provider share: a hosted page decides, confirm reads it.

``setup`` answers a ``redirect_url`` to the mock's hosted page. There the customer picks an
outcome; the page records it as the session's state and sends the browser back to the return
URL. ``confirm`` (key ``session_id``) then turns the state into a method, a decline, a
:class:`SetupPending` (the customer has not finished) or a :class:`SessionExpired`.
A scripted outcome takes the place of the customer's choice.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from mockserver.domain.errors import Conflict
from mockserver.providers.base import ProviderSimulation
from mockserver.providers.errors import ProviderDeclined, SetupPending
from mockserver.providers.results import ConfirmedMethod
from mockserver.providers.sessions import SetupSession


class HostedCheckout(ProviderSimulation):
    """A provider whose setup is finished on a hosted page (``setup_flow`` ``redirect``)."""

    session_keys = ("session_id",)
    success_state: ClassVar[str]
    pending_states: ClassVar[frozenset[str]]
    # state -> (reason, message) of the decline it means
    declines: ClassVar[Mapping[str, tuple[str, str]]]
    # hosted page choice -> the state it records
    choice_states: ClassVar[Mapping[str, str]]

    def _setup_answer(self, session: SetupSession) -> dict[str, Any]:
        return {"redirect_url": session.page_url}

    def _confirmation_keys(self, session: SetupSession) -> tuple[str, ...]:
        return ()

    def _decide(
        self, session: SetupSession, data: Mapping[str, str], now: datetime
    ) -> ConfirmedMethod:
        forced = self._take_forced()
        if forced is not None:
            session.state = forced  # as if the customer had chosen it on the page
        self.refuse_if_expired(session, now)
        if session.state in self.pending_states:
            raise SetupPending(
                f"The customer has not finished the {self.provider.name} page yet "
                f"(state '{session.state}')", provider=self.slug, session_id=session.id,
                state=session.state, next_action_url=session.page_url,
            )
        if session.state in self.declines:
            reason, message = self.declines[session.state]
            raise ProviderDeclined(reason, message, provider=self.slug, session_id=session.id)
        if session.state != self.success_state:  # a state no table knows is a bug here
            raise AssertionError(f"unhandled {self.slug} state {session.state!r}")
        return self._vaulted(session, now)

    def _choose(self, session: SetupSession, choice: str) -> None:
        if session.state in self.final_states:
            raise Conflict(
                f"{self.provider.name} session '{session.id}' is already '{session.state}'"
            )
        session.state = self.choice_states[choice]

    def _accepts_choice(self, session: SetupSession, now: datetime) -> bool:
        return session.state not in self.final_states and super()._accepts_choice(session, now)

    @abstractmethod
    def _vaulted(self, session: SetupSession, now: datetime) -> ConfirmedMethod:
        """The method a successful session gives."""
