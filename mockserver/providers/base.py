"""The one interface every provider simulation offers, and the flow they share.

A simulation is plain Python: no HTTP, no clock, no global randomness. The caller passes ``now``
(from the store's clock) and the base URL of the mock; ids come from the injected
:class:`~mockserver.domain.ids.IdSource`. The caller holds the store lock around every call.

Shared rules:

- ``setup`` refuses a method type the provider does not offer and a return URL that is not an
  absolute http(s) URL (:class:`InvalidRequest`).
- ``confirm`` finds the session by one of the provider's keys in ``confirmation_data`` (every
  one given must name the same session); another tenant's session is :class:`NotFound`,
  exactly like an unknown one. The other keys are fixed per provider, method type and where
  the session stands; a missing or unknown key is :class:`InvalidRequest` naming it.
- A session that already gave a method gives the same one again (idempotent), even after it
  would have expired. Otherwise a session past ``expires_at`` that has no final outcome is
  :class:`SessionExpired`.
- Scripted outcomes (``force_next_outcome``) queue up, first in first out. Each is used by the
  next ``confirm`` that reaches a decision; invalid input, unknown sessions, expired sessions and
  replays of a confirmed session leave the queue alone.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

from mockserver.domain.errors import Conflict, InvalidRequest, LimitReached
from mockserver.domain.ids import IdSource
from mockserver.domain.providers import PROVIDERS, Provider
from mockserver.providers.errors import SessionExpired
from mockserver.providers.pages import render, timestamp
from mockserver.providers.results import ConfirmedMethod
from mockserver.providers.sessions import MAX_SESSIONS, SessionBook, SetupSession
from mockserver.providers.urls import local_path, page_url, validate_return_url, with_session_id

MAX_FORCED_OUTCOMES = 100
MAX_CONFIRMATION_VALUE = 256
EXPIRED = "expired"


class ProviderSimulation(ABC):
    """A simulated provider: setup sessions, confirmation, hosted page, scripted outcomes."""

    slug: ClassVar[str]
    page_template: ClassVar[str]
    session_keys: ClassVar[tuple[str, ...]]  # confirmation_data keys that name the session
    initial_state: ClassVar[str]
    final_states: ClassVar[frozenset[str]]  # once here, the clock no longer matters
    choices: ClassVar[tuple[str, ...]]  # values of the hosted page's ``choice`` field
    outcomes: ClassVar[tuple[str, ...]]  # what ``force_next_outcome`` accepts
    expired_reason: ClassVar[str] = "setup_expired"
    return_url_required: ClassVar[bool] = True

    def __init__(self, ids: IdSource, session_limit: int = MAX_SESSIONS) -> None:
        self._ids = ids
        self._sessions = SessionBook(session_limit)
        self._forced: deque[str] = deque()

    @property
    def sessions(self) -> SessionBook:
        """The book of this provider's setup sessions (a state file writes and rebuilds it)."""
        return self._sessions

    @property
    def evicted_sessions(self) -> int:
        """Setup sessions dropped at the bounds so far (see ``SessionBook``)."""
        return self._sessions.evicted

    @property
    def provider(self) -> Provider:
        return PROVIDERS[self.slug]

    # -- configuration and setup ---------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """What a frontend SDK needs (``GET /payment-providers/{slug}/config``)."""
        return {
            "provider": self.slug, "test_mode": True, "setup_flow": self.provider.setup_flow,
            "method_types": list(self.provider.method_types), **self._sdk_config(),
        }

    def setup(
        self, tenant_id: str, method_type: str, return_url: str | None, now: datetime,
        base_url: str,
    ) -> dict[str, Any]:
        """Start a setup session and answer what the frontend needs to continue it."""
        self.check_method_type(method_type)
        if return_url is not None or self.return_url_required:
            validate_return_url(return_url)
        session_id = self._ids.new("ps")
        session = SetupSession(
            id=session_id, provider_slug=self.slug, tenant_id=tenant_id,
            method_type=method_type, return_url=return_url,
            page_url=page_url(base_url, self.slug, session_id), created_at=now,
            expires_at=now + self.lifetime(method_type), state=self.initial_state,
        )
        aliases = self._start(session)
        self._sessions.add(session, *aliases)
        answer = {
            "provider": self.slug, "session_id": session.id, "method_type": method_type,
            "client_secret": None, "setup_intent_id": None, "redirect_url": None,
            "expires_at": timestamp(session.expires_at),
        }
        answer.update(self._setup_answer(session))
        return answer

    def check_method_type(self, method_type: object) -> str:
        if method_type not in self.provider.method_types:
            offered = ", ".join(self.provider.method_types)
            raise InvalidRequest(
                f"method_type '{method_type}' is not offered by {self.provider.name} "
                f"(offered: {offered})", field="method_type",
            )
        return method_type  # type: ignore[return-value]

    # -- confirmation -------------------------------------------------------------------------

    def confirm(
        self, tenant_id: str, confirmation_data: Mapping[str, Any], now: datetime
    ) -> ConfirmedMethod:
        """Finish a setup session: the vaulted method, or why there is none (see the module)."""
        data = _as_mapping(confirmation_data)
        session = self._named_session(tenant_id, data)
        _check_keys(data, self._confirmation_keys(session), self.session_keys,
                    self._optional_keys(session), self.slug, session.method_type)
        if session.result is not None:
            return session.result.with_method_id(session.method_id)
        self.refuse_if_expired(session, now)
        session.result = self._decide(session, data, now)
        return session.result

    def _named_session(self, tenant_id: str, data: Mapping[str, Any]) -> SetupSession:
        """The tenant's session that ``data`` names (by any of ``session_keys``)."""
        given = [key for key in self.session_keys if key in data] or [self.session_keys[0]]
        found = [self._sessions.for_tenant(tenant_id, _required(data, key)) for key in given]
        if any(session is not found[0] for session in found):
            raise InvalidRequest(
                f"confirmation_data.{given[0]} and confirmation_data.{given[1]} name different "
                "setup sessions", field=f"confirmation_data.{given[1]}")
        return found[0]

    def record_method(self, tenant_id: str, session_id: str, method_id: str) -> None:
        """Remember which payment method the caller made from a confirmed session."""
        session = self._sessions.for_tenant(tenant_id, session_id)
        if session.result is None:
            raise Conflict(f"Setup session '{session.id}' has not produced a payment method")
        if session.method_id not in (None, method_id):
            raise Conflict(
                f"Setup session '{session.id}' already produced payment method "
                f"'{session.method_id}'"
            )
        session.method_id = method_id

    def is_expired(self, session: SetupSession, now: datetime) -> bool:
        if session.state == EXPIRED:
            return True
        return session.state not in self.final_states and now >= session.expires_at

    def refuse_if_expired(self, session: SetupSession, now: datetime) -> None:
        if self.is_expired(session, now):
            raise SessionExpired(
                f"{self.provider.name} setup session '{session.id}' expired at "
                f"{timestamp(session.expires_at)}", provider=self.slug, session_id=session.id,
                expires_at=session.expires_at, reason=self.expired_reason,
            )

    # -- methods without a hosted flow ----------------------------------------------------------

    def direct_method(
        self, method_type: str, now: datetime, provider_ref: str | None = None
    ) -> ConfirmedMethod:
        """A method vaulted directly (``POST /payment-methods``), with fixed display data."""
        self.check_method_type(method_type)
        if provider_ref is not None and (
            not isinstance(provider_ref, str) or not 0 < len(provider_ref) <= MAX_CONFIRMATION_VALUE
        ):
            raise InvalidRequest("provider_ref must be a non-empty string", field="provider_ref")
        return self._direct(method_type, now, provider_ref)

    # -- scripted outcomes ----------------------------------------------------------------------

    def force_next_outcome(self, outcome: str) -> None:
        """Queue ``outcome`` for the next confirm that reaches a decision (see ``outcomes``)."""
        if outcome not in self.outcomes:
            raise InvalidRequest(
                f"Unknown {self.slug} outcome '{outcome}' (known: {', '.join(self.outcomes)})",
                field="outcome",
            )
        if len(self._forced) >= MAX_FORCED_OUTCOMES:
            raise LimitReached(f"At most {MAX_FORCED_OUTCOMES} scripted outcomes can wait")
        self._forced.append(outcome)

    def forced_outcomes(self) -> tuple[str, ...]:
        return tuple(self._forced)

    def clear_forced_outcomes(self) -> None:
        self._forced.clear()

    def _take_forced(self) -> str | None:
        return self._forced.popleft() if self._forced else None

    # -- hosted page ---------------------------------------------------------------------------

    def session(self, session_id: str) -> SetupSession:
        """A session by id, for the hosted page (which knows no tenant)."""
        return self._sessions.find(session_id)

    def render_page(self, session_id: str, now: datetime) -> str:
        """The hosted page of a session as HTML. Unknown session: :class:`NotFound`."""
        session = self._sessions.find(session_id)
        context = {
            "session_id": session.id, "provider_name": self.provider.name,
            "method_type": session.method_type, "state": session.state,
            "expired": self.is_expired(session, now),
            "expires_at": timestamp(session.expires_at), "return_url": session.return_url,
            "action": local_path(session.page_url), "back_url": self._redirect(session),
            "accepts_choice": self._accepts_choice(session, now),
        }
        context.update(self._page_context(session))
        return render(self.page_template, **context)

    def apply_choice(self, session_id: str, choice: str, now: datetime) -> str:
        """Record what the customer chose on the hosted page; answer where to send the browser.

        That is the session's ``return_url`` with ``session_id`` added to its query, or the page
        itself when the session has no return URL (a Stripe session may have none).
        """
        session = self._sessions.find(session_id)
        if choice not in self.choices:
            raise InvalidRequest(
                f"choice must be one of {', '.join(self.choices)}", field="choice"
            )
        self.refuse_if_expired(session, now)
        self._choose(session, choice)
        return self._redirect(session)

    def _redirect(self, session: SetupSession) -> str:
        if session.return_url is None:
            return local_path(session.page_url)
        return with_session_id(session.return_url, session.id)

    def _accepts_choice(self, session: SetupSession, now: datetime) -> bool:
        return session.result is None and not self.is_expired(session, now)

    # -- what each provider fills in ------------------------------------------------------------

    @abstractmethod
    def lifetime(self, method_type: str) -> timedelta:
        """How long a setup session of this method type stays usable."""

    @abstractmethod
    def _sdk_config(self) -> dict[str, Any]: ...

    @abstractmethod
    def _start(self, session: SetupSession) -> tuple[str, ...]:
        """Fill in the provider's details; return aliases the session is also found by."""

    @abstractmethod
    def _setup_answer(self, session: SetupSession) -> dict[str, Any]: ...

    @abstractmethod
    def _confirmation_keys(self, session: SetupSession) -> tuple[str, ...]:
        """The keys ``confirm`` needs besides the one naming the session."""

    def _optional_keys(self, session: SetupSession) -> tuple[str, ...]:
        """Keys ``confirm`` takes but does not need (where the session now stands)."""
        return ()

    @abstractmethod
    def _decide(
        self, session: SetupSession, data: Mapping[str, str], now: datetime
    ) -> ConfirmedMethod:
        """The method, or raise why not. Consumes at most one scripted outcome."""

    @abstractmethod
    def _choose(self, session: SetupSession, choice: str) -> None: ...

    @abstractmethod
    def _page_context(self, session: SetupSession) -> dict[str, Any]: ...

    @abstractmethod
    def _direct(
        self, method_type: str, now: datetime, provider_ref: str | None
    ) -> ConfirmedMethod: ...


def _as_mapping(data: object) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidRequest("confirmation_data must be an object", field="confirmation_data")
    return data


def _required(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        raise InvalidRequest(f"confirmation_data.{key} is required",
                             field=f"confirmation_data.{key}")
    if not isinstance(value, str) or not 0 < len(value) <= MAX_CONFIRMATION_VALUE:
        raise InvalidRequest(
            f"confirmation_data.{key} must be a non-empty string of at most "
            f"{MAX_CONFIRMATION_VALUE} characters", field=f"confirmation_data.{key}",
        )
    return value


def _check_keys(
    data: Mapping[str, Any], keys: tuple[str, ...], names: tuple[str, ...],
    optional: tuple[str, ...], slug: str, method_type: str,
) -> None:
    """All of ``keys``, and nothing but them, the session's ``names`` and the ``optional``
    keys: an unknown key is refused, not ignored (a typo must not pass)."""
    allowed = (*names, *optional)
    unknown = sorted(str(key) for key in set(data) - set(keys) - set(allowed))
    if unknown:
        expected = [" or ".join(names), *keys, *(f"{key} (optional)" for key in optional)]
        raise InvalidRequest(
            f"confirmation_data.{unknown[0]} is not a field of a {slug} {method_type} "
            f"confirmation (expected: {', '.join(expected)})",
            field=f"confirmation_data.{unknown[0]}",
        )
    for key in keys:
        _required(data, key)
    for key in allowed:
        if key in data:
            _required(data, key)  # given, so it must be a proper value
