"""The in-memory store: every tenant's data, the token table, the outbox. One lock guards it.

Connexion runs Flask handlers on a thread pool, so every read-modify-write goes through
``store.lock`` (see ``services``). Everything kept here has a bound.
"""

from __future__ import annotations

import functools
import itertools
import logging
import pickle
import threading
from collections import OrderedDict, deque
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from mockserver.domain.clock import Clock
from mockserver.domain.errors import DomainError, LimitReached, NotFound
from mockserver.domain.ids import IdSource
from mockserver.domain.numbering import InvoiceNumbering
from mockserver.domain.profile import Seller
from mockserver.domain.tenant import Tenant
from mockserver.providers import ProviderRegistry

ALL_PERMISSIONS = ("billing:read", "billing:manage")
# What a snapshot holds: the whole world, not the observations (journal) of it.
WORLD_FIELDS = ("clock", "ids", "seller", "numbering", "tokens", "tenants", "pinned", "outbox",
                "providers", "behaviours", "scenario", "billed_until", "evicted_tenants")
log = logging.getLogger("billing_mock")


@dataclass(frozen=True)
class Snapshot:
    rest: bytes  # everything but the tenants, in one pickle (ids and provider sessions share)
    tenants: list  # (tenant id, pickled tenant), in order
    taken_at: datetime | None = None  # the world's clock when it was taken

    @property
    def bytes(self) -> int:
        return len(self.rest) + sum(len(data) for _, data in self.tenants)

    @functools.cached_property
    def tokens(self) -> dict:
        """The token table of the world it holds (read once: a snapshot never changes)."""
        return pickle.loads(self.rest)["tokens"]


def _dump(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
MAX_SNAPSHOTS = 20
JOURNAL_SIZE = 1_000
# World generations are unique in the process, not per store: the isolated runs' worlds share
# the derived caches (documents, encoded JSON), keyed by generation, with the loaded world.
_GENERATIONS = itertools.count(1)


def new_generation() -> int:
    """A world generation no store of this process has had."""
    return next(_GENERATIONS)


class WorldUnavailable(DomainError):
    """The world is kept elsewhere (Redis) and cannot be reached now: nothing was answered
    from an old copy, and the client may try again."""

    headers = {"Retry-After": "1"}


class TakeTurn(WorldUnavailable):
    """A write run on a shared world's copy without the lock found, at its end, that the world
    had moved on or was held: nothing of it was kept, and the request runs again holding the
    world (the journal's second run); should one escape, it is a 503."""


class WorldMoved(WorldUnavailable):
    """A read had to become a write (a tenant seen for the first time, a scripted behaviour's
    counter) and the shared world changed in between: the request is run again as a write
    (``World.attempt``); should one escape, it is a 503 like any unreachable world."""


@dataclass
class Access:
    """How one request holds the world: ``read`` (GET, HEAD, OPTIONS) or ``write``, and
    whether a shared world was already checked for this request (a read checks once)."""

    mode: str = "write"
    checked: bool = False
    # A shared world's read answered from the local copy and checked at its end (the
    # journal's ``_read_ahead``): the revision it read, and the tokens it trusted.
    ahead: bool = False
    read_head: str | None = None
    grants: list = field(default_factory=list)
    # A shared world's write that took the world's lock before it ran (on the event loop,
    # awaited): the answer to that request, and the revision of the copy it was asked from.
    begun: list | None = None
    begun_from: str | None = None
    turn: bool = False  # such a write: its commit may keep the lock for the next one
    # A shared world's write run on the copy without the lock (``backend.WriteTurn``): its
    # changes are stored only if the world is still at ``read_head``; ``validate``: it
    # changed nothing, and its answer stands if the world is still there (as a read's).
    optimistic: bool = False
    validate: bool = False

    @property
    def reading(self) -> bool:
        return self.mode == "read"


# The access of the request being answered; outside a request (a test, a mail worker) every
# hold is a write.
ACCESS: ContextVar[Access | None] = ContextVar("billing_mock_access", default=None)


def current_access() -> Access:
    return ACCESS.get() or Access()


@dataclass(frozen=True)
class TokenGrant:
    """What an opaque token stands for."""

    tenant_id: str
    permissions: tuple[str, ...] = ALL_PERMISSIONS
    label: str = ""


@dataclass
class Store:
    """The world in this process (the embedded backend; ``mockserver.redisworld`` keeps it in
    Redis behind the same interface)."""

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
        self.behaviours: list = []  # scripted answers of the loaded scenario
        self.scenario: str | None = None  # name of the loaded scenario; None: default world
        # How far the billing clock has run (charges, period ends): a running clock moves on
        # between runs, and the next run starts here, so no due date is skipped.
        self.billed_until = None
        self.evicted_tenants = 0  # tenants dropped at the bound since this world started
        self.journal: deque[dict] = deque(maxlen=JOURNAL_SIZE)
        self.journal_lock = threading.Lock()  # held only to append or copy, never while waiting
        self.snapshots: OrderedDict[str, Snapshot] = OrderedDict()
        self.start: Snapshot | None = None
        # Renewed by every change of the whole world (restore, replace_world): whatever is
        # derived from the world is keyed by it (see mockserver.services.world). Unique in
        # the process, so worlds of different stores never share a key.
        self.generation = next(_GENERATIONS)

    # A read (``store.tenant``) counts as a use of the tenant (its place in the eviction order).
    touch_on_use = True
    # A shared store answers reads from its copy and checks them at the end (``record_read``),
    # and its writes wait for another process (they run on a thread, not the event loop).
    reads_ahead = False
    writes_wait = False

    def about_to_change(self) -> None:
        """Called right before a change that a read may make (a tenant's first request, a
        scripted behaviour's counter). Nothing to do here; a shared store turns the read
        into a write."""

    def lock_is_free(self) -> bool:
        """Whether the store could be held at once (a probe: it is not kept)."""
        if not self.lock.acquire(blocking=False):
            return False
        self.lock.release()
        return True

    def grant(self, token: str) -> "TokenGrant | None":
        """What ``token`` stands for, if anything: read without the lock (authentication runs
        on the event loop, which must not wait for a writer); a shared store makes sure its
        copy is current first."""
        return self.tokens.get(token)

    def probe(self) -> None:
        """Raise :class:`WorldUnavailable` when the world cannot be reached (never here)."""

    def record(self, entry: dict) -> None:
        """Add a journal entry (callable from the event loop: takes only the journal lock).

        An entry of a request answered from another world than the current one (a reset or a
        load came in between) is dropped: the journal tells of this world only."""
        with self.journal_lock:
            if entry.get("_generation", self.generation) == self.generation:
                self.journal.append(entry)

    async def record_async(self, entry: dict) -> None:
        """``record``, from the event loop (a shared store does not block it meanwhile)."""
        self.record(entry)

    async def record_read(self, entry: dict, access: Access) -> bool:
        """Journal a read answered ahead (only a shared store does): True when its answer
        stands, False when it must be made again."""
        self.record(entry)
        return True

    def journal_entries(self) -> list[dict]:
        """The kept entries, oldest first (each as recorded: see ``edge.journal.shown``)."""
        with self.journal_lock:
            return list(self.journal)

    def snapshot(self) -> Snapshot:
        """The whole world (clock, ids, tenants, numbering, sessions, ...) as pickled bytes, a
        fraction of the live objects' memory. Tenants are pickled one by one (they share
        nothing that matters), which keeps pickle's working memory small for large worlds."""
        with self.lock:
            rest = {name: getattr(self, name) for name in WORLD_FIELDS if name != "tenants"}
            return Snapshot(_dump(rest), [(tid, _dump(t)) for tid, t in self.tenants.items()],
                            self.clock.now())

    def restore(self, snapshot: "Snapshot") -> None:
        """Put the world back as ``snapshot`` had it (the snapshot stays reusable)."""
        with self.lock:
            for name, value in pickle.loads(snapshot.rest).items():
                setattr(self, name, value)
            self.tenants = OrderedDict((tid, pickle.loads(data)) for tid, data in snapshot.tenants)
            self.generation = next(_GENERATIONS)

    def fork(self) -> "Store":
        """A store of its own holding this store's start (the world a reset gives): its own
        tenants, clock, ids, outbox, provider sessions and scripted outcomes, an empty journal,
        no snapshots, and the same start to reset to. The start's bytes are shared (they
        never change)."""
        with self.lock:
            start = self.start if self.start is not None else self.snapshot()
            limits = dict(max_tenants=self.max_tenants, outbox_size=self.outbox_size)
        store = Store(Clock(), IdSource(0), **limits)  # both replaced by the restore
        store.restore(start)
        store.start = start
        return store

    def start_tokens(self) -> dict:
        """The token table a fork of this store starts with (its start's)."""
        start = self.start
        if start is None:
            with self.lock:
                return dict(self.tokens)
        return start.tokens

    def mark_start(self) -> None:
        """Remember the current world as the one ``reset`` returns to."""
        self.start = self.snapshot()

    def reset(self) -> None:
        """Back to the loaded world's start; the journal starts empty."""
        with self.lock:
            if self.start is not None:
                self.restore(self.start)
            self.clear_journal()

    def save_snapshot(self) -> str:
        with self.lock:
            snapshot_id = f"snap_{self.ids.token(12)}"
            self.snapshots[snapshot_id] = self.snapshot()
            while len(self.snapshots) > MAX_SNAPSHOTS:
                self.snapshots.popitem(last=False)
            return snapshot_id

    def restore_snapshot(self, snapshot_id: str) -> None:
        with self.lock:
            if snapshot_id not in self.snapshots:
                raise NotFound(f"Snapshot '{snapshot_id}' not found (at most {MAX_SNAPSHOTS} "
                               "are kept)")
            self.restore(self.snapshots[snapshot_id])

    def replace_world(self, other: "Store") -> None:
        """Take over ``other``'s world and start (loading a scenario into a running server)."""
        with self.lock:
            for name in WORLD_FIELDS:
                setattr(self, name, getattr(other, name))
            self.max_tenants = other.max_tenants
            self.start = other.start
            self.snapshots.clear()
            self.generation = next(_GENERATIONS)
            self.clear_journal()

    def clear_journal(self) -> None:
        with self.journal_lock:
            self.journal.clear()

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
                self.about_to_change()
                tenant = self.add_tenant(Tenant(tenant_id, self.clock.now()), pinned=False)
            elif self.touch_on_use:
                self.tenants.move_to_end(tenant_id)
            return tenant

    def _make_room(self) -> None:
        """Evict the least recently used tenant that came from a token, not from the world
        (its data is gone; the next request with its token starts it empty). Logged and
        counted (``/_mock/health``), never silent."""
        if len(self.tenants) < self.max_tenants:
            return
        for tenant_id in self.tenants:
            if tenant_id not in self.pinned:
                del self.tenants[tenant_id]
                self.evicted_tenants += 1
                log.warning("tenant bound (%d) reached: evicted tenant %s, the least recently "
                            "used one, and its data (%d evicted so far)", self.max_tenants,
                            tenant_id, self.evicted_tenants)
                return
        raise LimitReached(f"The mock keeps at most {self.max_tenants} tenants")
