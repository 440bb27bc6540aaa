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

    Each session has the book's next sequence number: the order of the book, whatever order
    its tenants' sessions are put back in (a shared world keeps each tenant's sessions apart:
    ``tenant_sessions``, ``put_tenant``). ``reached`` names the tenants whose sessions were
    looked up, added or dropped since it was last emptied: only those may have changed.
    """

    def __init__(self, limit: int = MAX_SESSIONS,
                 per_tenant: int = MAX_SESSIONS_PER_TENANT) -> None:
        if limit < 1 or per_tenant < 1:
            raise ValueError("a session book holds at least one session")
        self._limit, self._per_tenant = limit, per_tenant
        self._sessions: OrderedDict[str, SetupSession] = OrderedDict()
        self._of_tenant: dict[str, OrderedDict[str, int]] = {}  # session id -> sequence
        self._aliases: dict[str, str] = {}
        self._aliases_of: dict[str, tuple[str, ...]] = {}
        self.evicted = 0
        self._seq = 0
        self.reached: set[str] = set()

    def __len__(self) -> int:
        return len(self._sessions)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        del state["reached"]  # who looked, not what is
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.reached = set()

    def entries(self) -> list[tuple[SetupSession, tuple[str, ...]]]:
        """Every session with its aliases, oldest first (what ``add`` rebuilds the book from)."""
        self.reached.update(self._of_tenant)
        return [(session, self._aliases_of.get(session.id, ()))
                for session in sorted(self._sessions.values(), key=self._sequence)]

    def _sequence(self, session: SetupSession) -> int:
        return self._of_tenant[session.tenant_id][session.id]

    def tenant_sessions(self, tenant_id: str) -> list[tuple[int, SetupSession, tuple]]:
        """The tenant's sessions, oldest first: (sequence, session, aliases)."""
        return [(seq, self._sessions[session_id], self._aliases_of.get(session_id, ()))
                for session_id, seq in self._of_tenant.get(tenant_id, {}).items()]

    def put_tenant(self, tenant_id: str, sessions: list[tuple[int, SetupSession, tuple]]) -> None:
        """Make ``sessions`` the tenant's (``tenant_sessions`` of another copy of the book),
        in place of the ones it has; nothing counts as evicted."""
        for session_id in list(self._of_tenant.pop(tenant_id, {})):
            del self._sessions[session_id]
            for alias in self._aliases_of.pop(session_id, ()):
                self._aliases.pop(alias, None)
        if sessions:
            own = self._of_tenant[tenant_id] = OrderedDict()
            for seq, session, aliases in sorted(sessions, key=lambda item: item[0]):
                self._sessions[session.id] = session
                own[session.id] = seq
                for alias in aliases:
                    self._aliases[alias] = session.id
                self._aliases_of[session.id] = tuple(aliases)

    def tenants(self) -> list[str]:
        """The tenants holding a session."""
        return list(self._of_tenant)

    def counters(self) -> tuple[int, int, int, int]:
        """What the book is besides its sessions: limits, the next sequence, evictions."""
        return self._limit, self._per_tenant, self._seq, self.evicted

    def set_counters(self, counters: tuple[int, int, int, int]) -> None:
        self._limit, self._per_tenant, self._seq, self.evicted = counters

    def add(self, session: SetupSession, *aliases: str) -> SetupSession:
        own = self._of_tenant.get(session.tenant_id, {})
        while len(own) >= self._per_tenant:
            self._evict(next(iter(own)))
        while len(self._sessions) >= self._limit:
            self._evict(next(iter(max(self._of_tenant.values(), key=len))))
        self._sessions[session.id] = session
        self._seq += 1
        self._of_tenant.setdefault(session.tenant_id, OrderedDict())[session.id] = self._seq
        self.reached.add(session.tenant_id)
        for alias in aliases:
            self._aliases[alias] = session.id
        self._aliases_of[session.id] = aliases
        return session

    def find(self, key: str) -> SetupSession:
        """The session with this id or alias, whoever owns it (hosted pages have no tenant)."""
        session = self._sessions.get(self._aliases.get(key, key))
        if session is None:
            raise NotFound(f"Setup session '{key}' not found")
        self.reached.add(session.tenant_id)  # the caller may change it
        return session

    def for_tenant(self, tenant_id: str, key: str) -> SetupSession:
        """The tenant's session; another tenant's is not found, exactly like an unknown one."""
        session = self.find(key)
        if session.tenant_id != tenant_id:
            raise NotFound(f"Setup session '{key}' not found")
        return session

    def _evict(self, session_id: str) -> None:
        tenant_id = self._sessions.pop(session_id).tenant_id
        self.reached.add(tenant_id)
        own = self._of_tenant[tenant_id]
        del own[session_id]
        if not own:
            del self._of_tenant[tenant_id]
        for alias in self._aliases_of.pop(session_id, ()):
            self._aliases.pop(alias, None)
        self.evicted += 1
