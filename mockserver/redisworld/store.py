"""The store of a world kept in Redis: a local copy that every hold brings up to date.

:class:`SharedStore` is a :class:`~mockserver.state.Store` (every service, page and test that
works on a store works on it unchanged); only its lock differs. :class:`SharedLock` is the
store's one lock, and its outermost hold is one transaction on the shared world:

- a **read** (a GET request) asks Redis whether the world changed since the copy was current
  (one round trip, once per request) and, if it did, takes the changed parts in the same
  answer; the copy is then read as the embedded store is;
- a **write** (any other request, and everything outside requests) takes the world's lock in
  Redis and the changes since the copy was current in one round trip, runs, and sends what it
  changed, releasing the lock, in a second one. Writers of all workers and replicas take
  turns, so every rule the embedded store keeps under its lock holds across them all. The
  lock is taken before the local lock (an API write on the event loop takes it before it
  runs: ``backend.WriteTurn``), so nobody holding the copy waits for Redis. An API write
  may instead run on the copy without the lock (``Access.optimistic``): its changes are
  stored only if the world did not move meanwhile, else the copy is put back and the
  request runs again holding the world.

A read that finds it must change something (a tenant's first request, a scripted behaviour's
counter) becomes a write at that point: it takes the lock, and if the world moved on since
it was read, or another writer holds the lock (the read holds the copy: it must not wait),
it raises :class:`~mockserver.state.WorldMoved` before changing anything, and the operation
runs again as a write (``World.attempt``).
"""

from __future__ import annotations

import threading

from mockserver.domain.clock import Clock
from mockserver.domain.ids import IdSource
from mockserver.redisworld.parts import Touched, TrackedTenants
from mockserver.state import ACCESS, Access, Store, TokenGrant, current_access


AHEAD = "ahead"  # SharedLock.writing of a write run on the copy without the lock


class SharedLock:
    """The store's lock: a local re-entrant lock for this process's threads, and around its
    outermost hold a transaction on the shared world (see the module)."""

    def __init__(self, keeper, store: "SharedStore") -> None:
        self._keeper, self._store = keeper, store
        self._local = threading.RLock()
        self._depth = 0
        self.writing = False
        self.keep = False  # a write of a WriteTurn: its commit may keep the lock

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self._local._is_owned():  # a hold inside a hold of this thread
            self._local.acquire()
            self._depth += 1
            return True
        access = current_access()
        begun = None
        if not access.reading and access.begun is None and not access.optimistic:
            # A write takes the world's lock first, then the copy: nobody waits for Redis
            # while holding the copy, so no two holders wait for each other.
            if not blocking:
                return False
            begun = self._keeper.lock_for_write()
        if not self._local.acquire(blocking, timeout):
            if begun is not None:
                self._keeper.unlock_held()
            return False
        self._depth = 1
        try:
            self._begin(access, begun)
        except BaseException:
            self._depth = 0
            self._local.release()
            raise
        return True

    def release(self) -> None:
        self._finish(None)

    def __enter__(self) -> "SharedLock":
        self.acquire()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._finish(exc)

    def locally_free(self) -> bool:
        """Whether no thread of this process holds the store (a probe, nothing asked of
        Redis)."""
        if not self._local.acquire(blocking=False):
            return False
        free = self._depth == 0
        self._local.release()
        return free

    def _begin(self, access, begun: tuple | None) -> None:
        store = self._store
        self.keep = False
        if access.reading:
            self.writing = False
            self._keeper.refresh(store, access)
        elif access.optimistic:
            self._keeper.begin_ahead(store, access)
            self.writing = AHEAD
        else:
            if begun is None:  # taken before the request ran (backend.WriteTurn)
                begun, access.begun = (access.begun, access.begun_from), None
                self.keep = access.turn
            self._keeper.begin_write(store, *begun, access.grants)
            self.writing = True
        store.touched.clear()
        for simulation in store._providers:  # as touched: what this hold reaches
            simulation.sessions.reached.clear()

    def _finish(self, exc: BaseException | None) -> None:
        try:
            if self._depth == 1:
                if self.writing is AHEAD:
                    self.writing = False
                    self._keeper.commit_ahead(self._store, current_access())
                elif self.writing:
                    self.writing = False
                    # Also after a failure: what the work changed before it raised stays
                    # changed, as it would in the embedded store.
                    self._keeper.commit(self._store, failing=exc is not None,
                                        keep=self.keep and self._keeper.writers_waiting())
                else:
                    self._keeper.after_read(self._store)
        finally:
            self._depth -= 1
            self._local.release()

    def upgrade(self) -> None:
        """Turn the read under way into a write (see the module)."""
        if not self.writing:
            self._keeper.upgrade(self._store)
            self.writing = True
            access = ACCESS.get()
            if access is not None:
                access.mode = "write"  # journaled as a write, not checked as a read


class SharedStore(Store):
    """A store whose world is kept in Redis (see the module); build it with :meth:`of`."""

    touch_on_use = False  # a tenant's place in the eviction order moves when it changes
    writes_wait = True  # a write waits for Redis: on the bridge's threads

    @classmethod
    def of(cls, keeper, max_tenants: int, outbox_size: int) -> "SharedStore":
        store = cls(Clock(), IdSource(0), max_tenants=max_tenants, outbox_size=outbox_size)
        store.lock = SharedLock(keeper, store)
        store.keeper = keeper
        return store

    def __post_init__(self) -> None:
        self.touched = Touched()
        self.journal_cleared = False
        super().__post_init__()

    # What the work under a hold reaches (compared with Redis at its end).
    @property
    def tenants(self) -> TrackedTenants:
        return self._tenants

    @tenants.setter
    def tenants(self, value) -> None:
        self._tenants = TrackedTenants(value, self.touched)
        self.touched.every_tenant = True

    @property
    def providers(self):
        self.touched.providers = True
        return self._providers

    @providers.setter
    def providers(self, value) -> None:
        self.touched.providers = True
        self._providers = value

    @property
    def outbox(self):
        self.touched.outbox = True
        return self._outbox

    @outbox.setter
    def outbox(self, value) -> None:
        self.touched.outbox = True
        self._outbox = value

    @property
    def reads_ahead(self) -> bool:
        """An API read is answered from the copy and checked at its end, unless a read of
        this worker just found the world moved on (others are writing: ask first, not twice)."""
        return self.keeper.reads_ahead()

    def about_to_change(self) -> None:
        self.lock.upgrade()

    def lock_is_free(self) -> bool:
        return self.lock.locally_free()

    def grant(self, token: str) -> TokenGrant | None:
        """A read makes sure of the copy first (or, answered ahead, notes its revision); a
        write trusts the copy and checks the token again once it holds the world (a token the
        copy does not know is looked up on a current copy first)."""
        access = current_access()
        keeper = self.keeper
        if not keeper.valid or (access.reading and not access.ahead):
            keeper.make_current(self, access)
        if access.ahead and access.read_head is None:
            access.read_head = keeper.known.head
        grant = self.tokens.get(token)
        if grant is None and not access.reading and keeper.valid:
            # Unknown here may be known in Redis (a scenario loaded through another replica):
            # a write is refused only by a copy made current (a read's refusal is checked
            # with its answer, as every read answered from the copy is).
            keeper.make_current(self, access)
            if access.ahead:
                access.read_head = keeper.known.head
            grant = self.tokens.get(token)
        if not access.reading:
            access.grants.append((token, grant))
        return grant

    async def record_async(self, entry: dict) -> None:
        if entry.get("_generation", self.generation) == self.generation:
            await self.keeper.record_async(entry)

    async def record_read(self, entry: dict, access: Access) -> bool:
        if not (access.ahead and (access.reading or access.validate) and access.read_head):
            await self.record_async(entry)
            return True
        if entry.get("_generation") != self.generation:
            return False  # answered from a world this copy no longer holds
        return await self.keeper.read_done(access.read_head, entry)

    def probe(self) -> None:
        self.keeper.ping()

    def clear_journal(self) -> None:
        self.journal_cleared = True  # with the commit of the reset or load that asks for it

    def journal_entries(self) -> list[dict]:
        return self.keeper.journal()

    def fork(self) -> Store:
        """An isolated run's world: an embedded store of this process, holding the shared
        world's start (README: runs stay in the process that forked them)."""
        with self.lock:
            start = self.start if self.start is not None else self.snapshot()
            limits = dict(max_tenants=self.max_tenants, outbox_size=self.outbox_size)
        store = Store(Clock(), IdSource(0), **limits)
        store.restore(start)
        store.start = start
        return store


__all__ = ["SharedLock", "SharedStore"]
