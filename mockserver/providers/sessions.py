"""Setup sessions and the bounded book each provider keeps them in.

A session is plain data (no locks, no clock, no id source), so the store's snapshots pickle it
as it is; the caller holds the store lock around every change.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mockserver.domain.errors import NotFound
from mockserver.providers.results import ConfirmedMethod

MAX_SESSIONS = 10_000  # per provider
MAX_SESSIONS_PER_TENANT = 100  # per provider and tenant: its oldest makes room for its next


@dataclass
class SetupSession:
    """One customer's attempt to set up a method with a provider.

    ``state`` uses the provider's own words (``requires_payment_method``, ``open``, ``new`` ...);
    ``details`` holds what only that provider needs (a SetupIntent id, a charge address ...).
    ``result`` is set once the setup succeeded; ``method_id`` once the caller made the method.
    """

    id: str
    provider_slug: str
    tenant_id: str
    method_type: str
    return_url: str | None
    page_url: str
    created_at: datetime
    expires_at: datetime
    state: str
    details: dict[str, Any] = field(default_factory=dict)
    result: ConfirmedMethod | None = None
    method_id: str | None = None


class SessionBook:
    """Sessions by id, oldest first: at most ``per_tenant`` of one tenant and ``limit`` in all.

    A tenant's new session past its own bound evicts its own oldest one, so one tenant's
    setups never push out another's. At the overall bound the tenant holding the most
    sessions gives up its oldest (the one adding it, unless another holds more).
    ``evicted`` counts the sessions dropped either way.

    ``aliases`` lets a provider find a session by its own reference (a Stripe ``seti_`` id).
    """

    def __init__(self, limit: int = MAX_SESSIONS,
                 per_tenant: int = MAX_SESSIONS_PER_TENANT) -> None:
        if limit < 1 or per_tenant < 1:
            raise ValueError("a session book holds at least one session")
        self._limit, self._per_tenant = limit, per_tenant
        self._sessions: OrderedDict[str, SetupSession] = OrderedDict()
        self._of_tenant: dict[str, OrderedDict[str, None]] = {}
        self._aliases: dict[str, str] = {}
        self._aliases_of: dict[str, tuple[str, ...]] = {}
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._sessions)

    def entries(self) -> list[tuple[SetupSession, tuple[str, ...]]]:
        """Every session with its aliases, oldest first (what ``add`` rebuilds the book from)."""
        return [(session, self._aliases_of.get(session.id, ()))
                for session in self._sessions.values()]

    def add(self, session: SetupSession, *aliases: str) -> SetupSession:
        own = self._of_tenant.get(session.tenant_id, {})
        while len(own) >= self._per_tenant:
            self._evict(next(iter(own)))
        while len(self._sessions) >= self._limit:
            self._evict(next(iter(max(self._of_tenant.values(), key=len))))
        self._sessions[session.id] = session
        self._of_tenant.setdefault(session.tenant_id, OrderedDict())[session.id] = None
        for alias in aliases:
            self._aliases[alias] = session.id
        self._aliases_of[session.id] = aliases
        return session

    def find(self, key: str) -> SetupSession:
        """The session with this id or alias, whoever owns it (hosted pages have no tenant)."""
        session = self._sessions.get(self._aliases.get(key, key))
        if session is None:
            raise NotFound(f"Setup session '{key}' not found")
        return session

    def for_tenant(self, tenant_id: str, key: str) -> SetupSession:
        """The tenant's session; another tenant's is not found, exactly like an unknown one."""
        session = self.find(key)
        if session.tenant_id != tenant_id:
            raise NotFound(f"Setup session '{key}' not found")
        return session

    def _evict(self, session_id: str) -> None:
        tenant_id = self._sessions.pop(session_id).tenant_id
        own = self._of_tenant[tenant_id]
        del own[session_id]
        if not own:
            del self._of_tenant[tenant_id]
        for alias in self._aliases_of.pop(session_id, ()):
            self._aliases.pop(alias, None)
        self.evicted += 1
