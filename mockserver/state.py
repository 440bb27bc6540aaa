"""The in-memory store: every tenant's data, the token table, the outbox. One lock guards it.

Connexion runs Flask handlers on a thread pool, so every read-modify-write goes through
``store.lock`` (see ``services``). Everything kept here has a bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from mockserver.domain.clock import Clock
from mockserver.domain.errors import LimitReached
from mockserver.domain.ids import IdSource
from mockserver.domain.numbering import InvoiceNumbering
from mockserver.domain.profile import Seller
from mockserver.domain.tenant import Tenant
from mockserver.providers import ProviderRegistry

ALL_PERMISSIONS = ("billing:read", "billing:manage")


@dataclass(frozen=True)
class TokenGrant:
    """What an opaque token stands for."""

    tenant_id: str
    permissions: tuple[str, ...] = ALL_PERMISSIONS
    label: str = ""


@dataclass
class Store:
    clock: Clock
    ids: IdSource
    seller: Seller = field(default_factory=Seller)
    max_tenants: int = 10_000
    outbox_size: int = 500
    numbering: InvoiceNumbering = field(default_factory=InvoiceNumbering)
    tokens: dict[str, TokenGrant] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.tenants: OrderedDict[str, Tenant] = OrderedDict()
        self.pinned: set[str] = set()  # tenants of the loaded world, never evicted
        self.outbox: deque[dict] = deque(maxlen=self.outbox_size)
        self.providers = ProviderRegistry(self.ids)

    def add_tenant(self, tenant: Tenant, pinned: bool = True) -> Tenant:
        with self.lock:
            self._make_room()
            self.tenants[tenant.id] = tenant
            if pinned:
                self.pinned.add(tenant.id)
            return tenant

    def tenant(self, tenant_id: str) -> Tenant:
        """The tenant with this id; an unseen id is a fresh tenant with nothing in it."""
        with self.lock:
            tenant = self.tenants.get(tenant_id)
            if tenant is None:
                tenant = self.add_tenant(Tenant(tenant_id, self.clock.now()), pinned=False)
            else:
                self.tenants.move_to_end(tenant_id)
            return tenant

    def _make_room(self) -> None:
        """Evict the least recently used tenant that came from a token, not from the world."""
        if len(self.tenants) < self.max_tenants:
            return
        for tenant_id in self.tenants:
            if tenant_id not in self.pinned:
                del self.tenants[tenant_id]
                return
        raise LimitReached(f"The mock keeps at most {self.max_tenants} tenants")
