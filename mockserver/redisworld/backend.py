"""The Redis backend: one world in Redis for every worker and replica (README "Shared state
on Redis").

What a request costs in round trips to Redis (each one script or command, atomic):

- an API **read**: answered from the copy, then one round trip both checks that the world
  is still at the revision it read and adds its journal entry (``read_done``); if it moved,
  the read runs again asking first. Other reads: one, to ask whether the world changed since
  the copy was current (the changes come in the same answer);
- an API **write** of the event loop (:class:`WriteTurn`), while no write of this worker
  holds the world: run on the copy without the lock, then one round trip stores its changes
  only if nobody holds the lock and the world is still at the copy's revision
  (``commit_ahead``), plus its journal entry: 2. One that changed nothing is checked with its
  journal entry, as a read: 1. If the world moved, the copy is put back from the same answer
  and the write runs again holding the world;
- a write **holding the world** (every other write; an API write for 50 ms after one was
  not stored, or while another write of this worker holds it): one to take the lock together
  with the changes since the copy was current, one to send what it changed and release the
  lock (nothing changed: just the release), plus its journal entry. On the event loop it
  awaits the lock without holding up the loop, and when another write of this worker waits
  for its turn the lock is kept for it: that one takes no round trip for the lock, and, if
  it changes nothing, none for the release either.

The world's lock is always taken before the local copy is held: nobody waits for Redis while
holding the copy, so a writer on a thread and one on the event loop never wait for each
other in a circle.

Redis unreachable, restarted or lost: every request that needs the world is a 503 with the
error envelope and ``Retry-After`` (:class:`~mockserver.state.WorldUnavailable`), never an
answer from an old copy. A new connection that finds another Redis process (its ``run_id``)
makes the copy load anew; an empty Redis is seeded again with the start of the loaded world
(what a reset gives), logged. Nothing needs restarting.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import secrets
import threading
import time
from collections import OrderedDict

import redis
import redis.asyncio
from redis.backoff import NoBackoff
from redis.retry import Retry

from mockserver.domain.clock import Clock
from mockserver.domain.ids import IdSource
from mockserver.redisworld import parts, scripts
from mockserver.redisworld.store import SharedStore
from mockserver.settings import redacted_url
from mockserver.state import (
    ACCESS,
    JOURNAL_SIZE,
    Access,
    Store,
    TakeTurn,
    WorldMoved,
    WorldUnavailable,
    new_generation,
)

log = logging.getLogger("billing_mock")
PREFIX = "billing-mock:"
FORMAT = "billing-mock-redis/1"
LOCK_TTL = 10.0  # seconds a writer's lock lives unless renewed (it is, while the writer works)
LOCK_WAIT = 10.0  # seconds a writer waits for another before answering 503
MAX_JOURNAL_BYTES = 16 * 1024 * 1024  # the journal in Redis, besides its 1,000 entries
LOAD_ATTEMPTS = 3  # loading the whole world without the lock, before taking it
SOCKET_TIMEOUT = 2.0  # seconds a call to Redis may take; then the world is away (503s)
PROBE_EVERY = 0.2  # while Redis is away, a thread asks it this often; requests do not
ASK_FIRST_FOR = 0.05  # seconds after a read found the world moved: reads ask before answering
KEEP_AT_MOST = 8  # writes in a row a worker keeps the lock for (then others get a turn)
MAX_PAUSE = 0.0002  # seconds between two tries for a taken lock, at most (from 50 us)
ASK_EVERY = 2  # writes that change nothing keep the lock without asking Redis, but every 2nd


class RedisWorldRefused(Exception):
    """The Redis database holds something this server must not serve (another format or
    billing-mock version): the server does not start."""


class RedisBackend:
    """The world in Redis at ``url`` (``redis://HOST:PORT/DB``); see the module."""

    name = "redis"

    def __init__(self, url: str, *, version: str, verify_reads: bool = False,
                 prefix: str = PREFIX, lock_ttl: float = LOCK_TTL,
                 lock_wait: float = LOCK_WAIT) -> None:
        self.url, self.version, self.prefix = url, version, prefix
        self.shown = redacted_url(url)  # for logs, start-up lines and answers
        self.verify_reads = verify_reads
        self.lock_ttl, self.lock_wait = lock_ttl, lock_wait
        self.redis = redis.Redis.from_url(
            url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=1,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=0, redis_connect_func=self._connected)
        self._scripts = {name: self.redis.register_script(getattr(scripts, name))
                         for name in ("SYNC", "BEGIN", "COMMIT", "COMMIT_AHEAD", "RELEASE", "KEEP",
                                     "EXTEND")}
        # The journal's round trips are awaited on the event loop (it serves other requests
        # meanwhile): a client of its own, made on the loop that uses it.
        self._async: tuple | None = None
        self.known = parts.Known()
        self.valid = False  # False: the copy is loaded anew before it is used
        self.store: SharedStore | None = None
        self._seed: Store | None = None  # the world to seed an empty Redis with first
        self.seeded = False  # this server wrote the world to Redis
        self._meta_checked = False
        self._token: str | None = None  # the lock this process holds, renewed meanwhile
        # The lock kept between two writes of this worker on the event loop (WriteTurn): idle
        # until the next write of this process claims it; ``_kept`` writes in a row so far.
        self._held = threading.Lock()
        self._idle = False
        self._kept = 0
        self._turns = None  # (loop, asyncio.Lock, writers waiting) for WriteTurn
        self._server: str | None = None  # the Redis process (run_id) the copy came from
        self._restarted = False
        self._forget = lambda generation: None
        self._forget_invoices = lambda invoice_ids: None
        self._stop = threading.Event()
        self._wake = threading.Event()  # Redis went away: the watcher starts asking
        self._renewer: threading.Thread | None = None
        # Redis did not answer (a timeout, a refused connection): every request is a 503 at
        # once, without asking, until the watcher thread finds it answering again.
        self._away_at: float | None = None
        self._unsure_tokens: set[str] = set()  # may hold the lock unknown to us: released
        self.journal_dropped = 0
        self._moved_at = float("-inf")  # when a read answered ahead last found the world moved

    # -- the Backend interface ----------------------------------------------------------

    def open(self, store: Store) -> SharedStore:
        """The shared world's store: the world in Redis if there is one (after checking who
        wrote it), else ``store``'s world, written to Redis by the first hold."""
        shared = SharedStore.of(self, store.max_tenants, store.outbox_size)
        self.store, self._seed = shared, store
        try:
            if self.preflight() == "unreachable":
                raise WorldUnavailable("no answer")
            with shared.lock:  # a write: seeds an empty Redis, else loads the world there
                pass
        except WorldUnavailable as error:
            log.warning("Redis at %s not reachable yet (%s): answering 503 until it is",
                        self.shown, error.message)
        return shared

    def preflight(self) -> str:
        """What this server finds at the URL before it serves: ``"world"`` (a world of this
        version), ``"empty"`` or ``"unreachable"`` (it will answer 503 until Redis answers).
        :class:`RedisWorldRefused` when it must not start: another version's world, a
        database Redis does not have, credentials Redis refuses."""
        try:
            self.redis.ping()
        except (redis.AuthenticationError, redis.ResponseError) as exc:
            raise RedisWorldRefused(f"Redis at {self.shown} refused this server: {exc}") from None
        except redis.RedisError:
            return "unreachable"
        self._check_meta()
        return "world" if self._call(self.redis.exists, self.prefix + "head") else "empty"

    def start(self, world) -> None:
        self._forget = world.forget
        self._forget_invoices = world.forget_invoices
        self._renewer = threading.Thread(target=self._watch, daemon=True, name="redis-watch")
        self._renewer.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.redis.close()

    # -- reads ----------------------------------------------------------------------------

    def refresh(self, store: SharedStore, access: Access) -> None:
        """Bring the copy up to date for a read (held), once per request; a read answered
        ahead only notes the revision it reads (it is checked at its end)."""
        if self.valid and not self._restarted:
            if access.ahead:
                if access.read_head is None:
                    access.read_head = self.known.head
                return
            if access.checked:
                return
        self._sync(store)
        access.checked = True
        if access.ahead and access.read_head is None:
            access.read_head = self.known.head

    async def read_done(self, head: str, entry: dict) -> bool:
        """A read answered ahead at ``head``: whether the world is still there, and if so its
        journal entry is added (one round trip, awaited)."""
        self.here()
        done = self._loop_client()[1]
        try:
            stands = bool(await done(args=[self.prefix, head, self._entry(entry),
                                           JOURNAL_SIZE, MAX_JOURNAL_BYTES]))
        except redis.RedisError as exc:
            raise self._unavailable(exc) from None
        if not stands:
            self._moved_at = time.monotonic()
        return stands

    def reads_ahead(self) -> bool:
        """Whether API reads answer from the copy first: not right after one found the world
        moved (while others write, asking first costs one round trip, not a second run)."""
        return time.monotonic() - self._moved_at > ASK_FIRST_FOR

    def _loop_client(self) -> tuple:
        loop = asyncio.get_running_loop()
        if self._async is None or self._async[0] is not loop:
            client = redis.asyncio.Redis.from_url(
                self.url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=1,
                retry=redis.asyncio.retry.Retry(NoBackoff(), 1,
                                                supported_errors=(redis.ConnectionError,)))
            self._async = (loop, client.register_script(scripts.READ_DONE),
                           client.register_script(scripts.RECORD),
                           client.register_script(scripts.BEGIN),
                           client.register_script(scripts.RELEASE))
        return self._async

    def make_current(self, store: SharedStore, access: Access) -> None:
        """Like :meth:`refresh`, without holding the store when the copy is current (one
        ``GET``): authentication runs on the event loop."""
        if access.checked and self.valid and not self._restarted:
            return
        if self.valid and not self._restarted:
            if self._call(self.redis.get, self.prefix + "head") == self.known.head.encode():
                access.checked = True
                return
        token = ACCESS.set(Access("read"))
        try:
            with store.lock:
                pass
        finally:
            ACCESS.reset(token)
        access.checked = True

    def after_read(self, store: SharedStore) -> None:
        if self.verify_reads and self.valid:
            found = parts.changes(store, self.known, store.touched)
            if found:
                self.valid = False
                raise RuntimeError("a read changed the shared world's copy: "
                                   f"{sorted(found.written)} {found.removed}")

    def _sync(self, store: SharedStore) -> None:
        self._notice_restart()
        if not self.valid:
            self._load(store)
            return
        reply = self._script("SYNC", self.known.head, scripts.MAX_DELTA)
        self._take(store, reply)

    def _take(self, store: SharedStore, reply: list, locked: bool = False) -> None:
        kind = reply[0].decode()
        if kind == "same":
            return
        if kind == "delta":
            head, names, values, gone = reply[1].decode(), reply[2], reply[3], reply[4]
            parts.apply(store, self.known, [(n.decode(), v) for n, v in zip(names, values)],
                        [g.decode() for g in gone], head)
        elif kind == "full":
            self._load(store, locked=locked)
        elif kind == "empty":
            if locked:
                self._seed_locked(store)
            else:
                self._seed_now(store)

    def _load(self, store: SharedStore, locked: bool = False) -> None:
        """Load the whole world from Redis: in slices, checking that nobody wrote meanwhile
        (after ``LOAD_ATTEMPTS`` tries, under the world's lock; ``locked``: it is held)."""
        if locked:
            found = self._read_all()
            if found == "empty":
                return self._seed_locked(store)
            if found is None:
                raise WorldUnavailable("The world in Redis changed under its lock")
            return self._install(store, *found)
        for _ in range(LOAD_ATTEMPTS):
            found = self._read_all()
            if found == "empty":
                return self._seed_now(store)
            if found is not None:
                return self._install(store, *found)
        self._lock()
        try:
            self._load(store, locked=True)
        finally:
            self._unlock(self._token)

    def _read_all(self):
        p = self.prefix
        head = self._call(self.redis.get, p + "head")
        if head is None:
            return "empty"
        names = self._call(self.redis.zrange, p + "changes", 0, -1, withscores=True)
        values = []
        for i in range(0, len(names), 1000):
            keys = [p + "p:" + name.decode() for name, _ in names[i:i + 1000]]
            values += self._call(self.redis.mget, keys)
        if self._call(self.redis.get, p + "head") != head or None in values:
            return None
        return head.decode(), [(name.decode(), score, value)
                               for (name, score), value in zip(names, values)]

    def _install(self, store: SharedStore, head: str, found: list) -> None:
        if not self._meta_checked:  # Redis was not reachable when the server started
            try:
                self._check_meta()
            except RedisWorldRefused as refused:
                raise WorldUnavailable(str(refused)) from None
        gone = store.generation
        store.generation = new_generation()
        self.known = parts.Known()
        try:
            parts.load(store, self.known, found, head)
        except (ValueError, pickle.UnpicklingError, AttributeError, ImportError) as exc:
            self.valid = False
            raise WorldUnavailable(f"The world in Redis cannot be read: {exc}") from None
        self.valid = True
        self._seed = None  # the world is Redis's: the settings' one is not needed any more
        self._forget(gone)

    # -- writes ---------------------------------------------------------------------------

    def lock_for_write(self) -> tuple[list, str]:
        """Take the world's lock for a write, before the copy is held (a writer never waits
        for Redis while holding the copy, so nothing waits for it in a circle): the lock this
        worker kept from its last write if it is idle, else ``BEGIN``, waiting for another
        writer up to ``lock_wait``. Answers ``BEGIN``'s reply and the revision it was asked
        from (:meth:`begin_write` takes both)."""
        self._notice_restart()
        if self._claim():
            return [b"same"], self.known.head
        known = self.known.head if self.valid else ""
        return self._lock(known), known

    def begin_write(self, store: SharedStore, reply: list, known: str,
                    grants: list = ()) -> None:
        """Bring the copy up to date under the lock (held), from ``BEGIN``'s ``reply`` asked
        at revision ``known``. ``grants``: the tokens the request was let in with, looked up
        on the copy before it was current; if one now stands for something else (changed
        through another replica meanwhile), nothing runs: :class:`TakeTurn`, and the request
        is let in again on the current copy."""
        self._notice_restart()
        try:
            if reply[0] == b"empty":
                self._seed_locked(store)
            elif not self.valid:
                self._load(store, locked=True)
            elif known != self.known.head:  # a read brought the copy further meanwhile
                self._take(store, self._script("SYNC", self.known.head, scripts.MAX_DELTA),
                           locked=True)
            else:
                self._take(store, reply, locked=True)
            if any(store.tokens.get(token) != grant for token, grant in grants):
                raise TakeTurn("The token this request came with changed meanwhile: it is "
                               "looked up again")
        except BaseException:
            self._unlock(self._token)
            raise
        store.journal_cleared = False

    def upgrade(self, store: SharedStore) -> None:
        """A read becomes a write: the lock, and the world as it was read. It does not wait
        for another writer (the read holds the copy): the read runs again as a write."""
        if not self._claim():
            reply = self._lock(self.known.head, wait=False)
            if reply[0] != b"same":
                self._unlock(self._token)
                raise WorldMoved("The world changed while this request read it; try again")
        store.journal_cleared = False

    def commit(self, store: SharedStore, failing: bool = False, keep: bool = False) -> None:
        """Send what the work changed, and release the lock; ``keep``: another write of this
        worker waits for its turn, so the lock is kept for it (idle until it claims it)
        unless a writer elsewhere wants it, or this worker kept it ``KEEP_AT_MOST`` times in
        a row."""
        token = self._token
        keep = keep and self._kept < KEEP_AT_MOST
        kept = False
        try:
            found = parts.changes(store, self.known, store.touched)
            if not found and not store.journal_cleared:
                # Nothing to send: keep the lock without asking Redis, but ask every
                # ASK_EVERY-th time whether a writer elsewhere waits for it.
                if keep and (self._kept + 1) % ASK_EVERY:
                    kept = True
                elif keep:
                    kept = self._keep(token)
                else:
                    self._unlock(token)
                return
            args = [self.prefix, token, self.known.head,
                    str(int(self.lock_ttl * 1000)) if keep else "0",
                    *self._stored(store, found)]
            reply = self._save("COMMIT", args, token)
            if reply[0] != b"ok":
                self.valid = False
                raise WorldUnavailable("The change was not saved: the world's lock in Redis "
                                       "was lost before it was (it is renewed while a change "
                                       "runs; was Redis restarted?)")
            parts.remember(store, self.known, found, reply[1].decode())
            kept = keep and reply[2] == 1
        finally:
            if kept:
                with self._held:
                    self._idle, self._kept = True, self._kept + 1
            else:
                self._drop(token)
            store.journal_cleared = False

    def _save(self, name: str, args: list, token: str | None = None) -> list:
        """Run a script that stores a change: a failure is :class:`WorldUnavailable` and the
        copy is loaded anew before its next use (the change may or may not be in Redis; a
        lock ``token`` the script may have kept is released once Redis answers)."""
        try:
            self.here()
            return self._scripts[name](args=args)
        except redis.RedisError as exc:
            self.valid = False
            self._unsure(token)
            self._went_away(exc)
            raise WorldUnavailable(f"The change was not saved in Redis ({exc})") from None
        except WorldUnavailable:
            self.valid = False
            raise

    def _on_lock(self, name: str, token: str, *args):
        """Run a script on the lock (KEEP, RELEASE, EXTEND) whose failure harms nothing: the
        lock expires by itself, and a token whose fate is unknown is released once Redis
        answers. Its answer, or None."""
        try:
            self.here()
            return self._scripts[name](args=[self.prefix, token, *args])
        except redis.RedisError as exc:
            self._unsure(token)
            self._went_away(exc)
        except WorldUnavailable:
            pass
        return None

    @staticmethod
    def _stored(store: SharedStore, found: parts.Changes) -> list:
        """``found`` as the scripts store it (``scripts._STORE``)."""
        args = ["1" if found.full else "0", "1" if store.journal_cleared else "0",
                secrets.token_hex(8), len(found.written)]
        for name, value in found.written.items():
            args += [name, value]
        return args + found.removed

    # -- writes run on the copy without the lock (optimistic) ------------------------------

    def begin_ahead(self, store: SharedStore, access: Access) -> None:
        """A write run on the copy without the lock (held): only on a copy that was current
        lately; it notes the revision it starts from."""
        if not self.valid or self._restarted:
            raise TakeTurn("The copy is loaded anew first: the write runs holding the world")
        if access.read_head is None:
            access.read_head = self.known.head
        store.journal_cleared = False

    def commit_ahead(self, store: SharedStore, access: Access) -> None:
        """The end of a write run without the lock. Nothing changed: its answer stands if the
        world is still at the revision it started from, checked with its journal entry as a
        read's is. Changes: stored in one round trip if nobody holds the lock and the world
        is still there; else the copy is put back as Redis has it and :class:`TakeTurn`."""
        found = parts.changes(store, self.known, store.touched)
        basis = access.read_head or self.known.head
        if not found and not store.journal_cleared:
            access.validate, access.read_head = True, basis
            return
        dirty = [*found.written, *found.removed]
        args = [self.prefix, basis, self.known.head, scripts.MAX_DELTA, len(dirty), *dirty,
                *self._stored(store, found)]
        try:
            reply = self._save("COMMIT_AHEAD", args)
        finally:
            store.journal_cleared = False
        if reply[0] == b"ok":
            head = reply[1].decode()
            parts.remember(store, self.known, found, head)
            access.validate, access.read_head = False, head
            return
        self._put_back(store, found, dirty, reply[1], reply[2])
        self._moved_at = time.monotonic()  # others are writing: ask first for a while
        raise TakeTurn("The world moved on while this write ran on the copy: it runs again, "
                       "holding the world")

    def _put_back(self, store: SharedStore, found: parts.Changes, dirty: list[str],
                  since: list, now: list) -> None:
        """After a write that was not stored: the parts it changed as Redis has them now,
        with the changes others made since the copy's revision (``since``: SYNC's answer);
        tenants keep their place in the eviction order unless others changed them. What
        cannot be put back part by part (a whole new world, removed parts, a snapshot, the
        start) makes the copy load anew before its next use."""
        kind = since[0]
        if (found.full or found.removed or kind not in (b"same", b"delta")
                or any(n == parts.START or n.startswith(parts.SNAPSHOT) for n in found.written)):
            self.valid = False
            return
        head = since[1].decode()
        changed: dict[str, bytes] = {}
        gone: list[str] = []
        if kind == b"delta":
            changed = {n.decode(): v for n, v in zip(since[2], since[3])}
            gone = [g.decode() for g in since[4]]
        mine = [(name, value) for name, value in zip(dirty, now) if name not in changed]
        gone += [name for name, value in mine if value is None and name not in gone]
        listed = [(n, v) for n, v in mine if v is not None] + list(changed.items())
        tenants = store.tenants
        before = list(OrderedDict.keys(tenants))
        moved = [parts.tenant_name(n) for n in changed if n.startswith(parts.TENANT)]
        try:
            parts.apply(store, self.known, listed, gone, head)
        except (ValueError, pickle.UnpicklingError, AttributeError, ImportError, KeyError):
            self.valid = False
            return
        # The eviction order: the order of last change, as every other copy has it.
        tenants = store.tenants
        skip = set(moved)
        for tenant_id in [t for t in before if t not in skip] + moved:
            if tenant_id in tenants:
                OrderedDict.move_to_end(tenants, tenant_id)
        self._forget_invoices({n[len(parts.INVOICE):].rsplit(":", 1)[1]
                               for n in dirty if n.startswith(parts.INVOICE)})

    def _claim(self) -> bool:
        """Take over the lock this worker kept (idle): the copy is the world, nobody else
        could write."""
        with self._held:
            if self._token is not None and self._idle:
                self._idle = False
                return True
            return False

    def _keep(self, token: str) -> bool:
        return bool(self._on_lock("KEEP", token, int(self.lock_ttl * 1000)))

    def _lock(self, known: str = "", wait: bool = True) -> list:
        """Take the world's lock (waiting for another writer up to ``lock_wait``; ``wait``
        False: a taken lock is ``WorldMoved``); the answer of ``BEGIN``: the changes since
        ``known``."""
        if self._claim():  # this worker kept it: what changed since ``known`` (nobody else)
            return self._script("SYNC", known, scripts.MAX_DELTA)
        token = secrets.token_hex(12)
        deadline = time.monotonic() + self.lock_wait
        pause = 0.00005
        while True:
            try:
                reply = self._script("BEGIN", token, int(self.lock_ttl * 1000), known,
                                     scripts.MAX_DELTA)
            except WorldUnavailable:
                self._unsure(token)
                raise
            if reply[0] != b"busy":
                with self._held:
                    self._token, self._idle = token, False
                return reply
            if not wait:
                raise WorldMoved("Another writer holds the world; try again as a write")
            if time.monotonic() > deadline:
                raise WorldUnavailable(f"Another writer has held the shared world for over "
                                       f"{self.lock_wait:g} s")
            time.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)

    async def lock_async(self) -> tuple[list, str]:
        """:meth:`lock_for_write` for a write on the event loop: waiting for another writer
        without holding up the loop."""
        self._notice_restart()
        if self._claim():
            return [b"same"], self.known.head
        known = self.known.head if self.valid else ""
        self.here()
        begin = self._loop_client()[3]
        token = secrets.token_hex(12)
        deadline = time.monotonic() + self.lock_wait
        pause = 0.00005
        while True:
            try:
                reply = await begin(args=[self.prefix, token, int(self.lock_ttl * 1000), known,
                                          scripts.MAX_DELTA])
            except redis.RedisError as exc:
                self._unsure(token)
                raise self._unavailable(exc) from None
            if reply[0] != b"busy":
                with self._held:
                    self._token, self._idle = token, False
                return reply, known
            if time.monotonic() > deadline:
                raise WorldUnavailable(f"Another writer has held the shared world for over "
                                       f"{self.lock_wait:g} s")
            await asyncio.sleep(pause)
            self.here()
            pause = min(pause * 2, MAX_PAUSE)

    async def let_go(self) -> None:
        """Release the lock this worker kept, if nobody claimed it (the write it was kept
        for went away)."""
        with self._held:
            if self._token is None or not self._idle:
                return
            token, self._token, self._idle, self._kept = self._token, None, False, 0
        try:
            self.here()
            await self._loop_client()[4](args=[self.prefix, token])
        except redis.RedisError as exc:
            self._went_away(exc)  # it expires by itself
        except WorldUnavailable:
            pass

    def turn(self) -> "WriteTurn":
        """The turn of an API write on the event loop (``edge.scheduling``)."""
        return WriteTurn(self)

    def _loop_turns(self) -> list:
        loop = asyncio.get_running_loop()
        if self._turns is None or self._turns[0] is not loop:
            self._turns = [loop, asyncio.Lock(), 0]
        return self._turns

    def writers_waiting(self) -> bool:
        turns = self._turns
        return turns is not None and turns[2] > 0

    def _drop(self, token: str | None) -> None:
        """Forget ``token`` as the lock this process holds, unless another hold of this
        process took the lock since (after Redis let it go, before this line ran)."""
        with self._held:
            if self._token == token:
                self._token, self._idle, self._kept = None, False, 0

    def _unsure(self, token: str | None) -> None:
        """A call that takes or keeps the lock with ``token`` got no answer: Redis may still
        run it later and hold the lock for a writer who gave up. The watcher releases it as
        soon as Redis answers (a no-op if the token does not hold it)."""
        if token is not None:
            with self._held:
                self._unsure_tokens.add(token)
            self._wake.set()

    def _release_unsure(self) -> None:
        with self._held:
            tokens, self._unsure_tokens = self._unsure_tokens, set()
        for token in tokens:
            if token == self._token:
                continue  # held after all, and in use: its holder releases it
            try:
                self._scripts["RELEASE"](args=[self.prefix, token])
            except redis.RedisError:
                with self._held:
                    self._unsure_tokens.add(token)  # next time

    def unlock_held(self) -> None:
        """Release the lock this process holds (a write that took it and then did not run)."""
        self._unlock(self._token)

    def status(self) -> dict:
        """What ``/_mock/health`` shows of the shared world."""
        return {"redis": self.shown,
                "reachable": self._away_at is None, "journal_dropped": self.journal_dropped}

    def _unlock(self, token: str | None) -> None:
        self._drop(token)
        if token is not None:
            self._on_lock("RELEASE", token)

    def _watch(self) -> None:
        """The thread that renews the lock this process holds while it works, and, while
        Redis is away, asks it every ``PROBE_EVERY`` until it answers."""
        while not self._stop.is_set():
            self._wake.wait(PROBE_EVERY if self._away_at is not None else self.lock_ttl / 4)
            self._wake.clear()
            if self._stop.is_set():
                return
            if self._away_at is not None:
                try:
                    self.redis.ping()
                except redis.RedisError:
                    continue
                self._release_unsure()
                self._away_at = None
                log.warning("Redis at %s answers again", self.shown)
                continue
            if self._unsure_tokens:
                self._release_unsure()
            with self._held:
                token = None if self._idle else self._token  # a kept, idle lock lapses
            if token is not None:
                self._on_lock("EXTEND", token, int(self.lock_ttl * 1000))

    # -- seeding --------------------------------------------------------------------------

    def _seed_now(self, store: SharedStore) -> None:
        """Redis has no world: seed it (a short write of its own, inside a read)."""
        reply = self._lock("")
        try:
            if reply[0] == b"empty":
                self._seed_locked(store)
                self.commit(store)
                return
            self.valid = False
            self._load(store, locked=True)
        except BaseException:
            self._unlock(self._token)
            raise
        self._unlock(self._token)

    def _seed_locked(self, store: SharedStore) -> None:
        """Make the copy the world to seed with (the commit writes it whole): the settings'
        world the first time, else the start of the loaded world (Redis lost the world)."""
        if self._seed is not None:
            fresh, self._seed = self._seed, None
            self.seeded = True
            log.info("Redis at %s holds no world: it is seeded with this server's", self.shown)
        else:
            fresh = Store(Clock(), IdSource(0), max_tenants=store.max_tenants,
                          outbox_size=store.outbox_size)
            if store.start is not None:
                fresh.restore(store.start)
            fresh.start = store.start
            log.warning("Redis at %s lost the world (restarted empty?): it starts again from "
                        "the start of the loaded world", self.shown)
        self._check_meta(write=True)
        store.replace_world(fresh)
        self.known = parts.Known(generation=-1)
        self.valid = True

    def _check_meta(self, write: bool = False) -> None:
        key = self.prefix + "meta"
        meta = {k.decode(): v.decode() for k, v in self._call(self.redis.hgetall, key).items()}
        mine = {"format": FORMAT, "version": self.version}
        self._meta_checked = True
        if write or not meta:
            self._call(self.redis.hset, key, mapping=mine)
        elif meta != mine:
            self._meta_checked = False
            raise RedisWorldRefused(
                f"Redis at {self.shown} holds a world of {meta.get('format')} "
                f"{meta.get('version')}; this server is {FORMAT} {self.version}. Use another "
                "database (redis://HOST:PORT/DB) or empty it (FLUSHDB)")

    # -- the journal ----------------------------------------------------------------------

    async def record_async(self, entry: dict) -> None:
        """Add a journal entry (after the answer is made, before the client has it)."""
        world = self.known.head.rsplit(" ", 1)[0]
        record = self._loop_client()[2]
        try:
            self.here()
            await record(args=[self.prefix, world, self._entry(entry), JOURNAL_SIZE,
                               MAX_JOURNAL_BYTES])
        except (redis.RedisError, WorldUnavailable) as exc:
            if isinstance(exc, redis.RedisError):
                self._went_away(exc)
            self.journal_dropped += 1
            log.warning("journal entry %s not kept: Redis at %s failed (%s)",
                        entry.get("request_id"), self.shown, exc)

    @staticmethod
    def _entry(entry: dict) -> bytes:
        """The entry as the journal keeps it (its body's bytes too, ``edge.journal.shown``),
        without what only this process needs."""
        return pickle.dumps({k: v for k, v in entry.items()
                             if k not in ("_generation", "_recorded")}, protocol=parts.PROTOCOL)

    def journal(self) -> list[dict]:
        return [pickle.loads(item) for item in
                self._call(self.redis.lrange, self.prefix + "journal", 0, -1)]

    # -- Redis ----------------------------------------------------------------------------

    def ping(self) -> None:
        self._call(self.redis.ping)

    def _script(self, name: str, *args):
        return self._call(self._scripts[name], args=[self.prefix, *args])

    def _call(self, method, *args, **kwargs):
        """A call to Redis; trying once more on a new connection after a broken one (the
        pooled one may be from before a restart), never after a timeout. Any failure is
        :class:`WorldUnavailable`; while Redis is away nothing is asked (:meth:`here`)."""
        self.here()
        for attempt in (1, 2):
            try:
                return method(*args, **kwargs)
            except redis.ConnectionError as exc:
                if attempt == 2 or isinstance(exc, redis.BusyLoadingError):
                    raise self._unavailable(exc) from None
            except redis.RedisError as exc:
                raise self._unavailable(exc) from None

    def here(self) -> None:
        """Raise :class:`WorldUnavailable` at once while Redis is away (a stalled Redis
        would otherwise hold every request for a timeout). Without the watcher thread (a
        backend not started) a call may ask again every ``PROBE_EVERY``."""
        away = self._away_at
        if away is None:
            return
        watched = self._renewer is not None and self._renewer.is_alive()
        if not watched and time.monotonic() - away >= PROBE_EVERY:
            self._away_at = None
            return
        raise WorldUnavailable(f"The shared world in Redis cannot be reached (asked again "
                               f"every {PROBE_EVERY:g} s)", redis=self.shown)

    def _went_away(self, exc: Exception) -> None:
        if isinstance(exc, (redis.ConnectionError, redis.TimeoutError)):
            if self._away_at is None:
                self._away_at = time.monotonic()
                self._wake.set()

    def _unavailable(self, exc: Exception) -> WorldUnavailable:
        self._went_away(exc)
        log.warning("Redis at %s: %s", self.shown, exc)
        return WorldUnavailable(f"The shared world in Redis cannot be reached: {exc}",
                                redis=self.shown)

    def _connected(self, connection) -> None:
        """Every new connection: note which Redis process answers (a new one means Redis
        restarted: the copy is loaded anew before it is used)."""
        connection.on_connect()
        connection.send_command("INFO", "server")
        info = connection.read_response()
        text = info.decode() if isinstance(info, bytes) else str(info)
        run_id = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                       if line.startswith("run_id:")), None)
        if self._server is not None and run_id != self._server:
            self._restarted = True
        self._server = run_id

    def _notice_restart(self) -> None:
        if self._restarted:
            self._restarted = False
            self.valid = False
            log.warning("Redis at %s restarted: the world is read from it anew", self.shown)


class WriteTurn:
    """An API write on the event loop (``edge.scheduling``): its turn among this worker's
    writes, and the world's lock taken before it runs (awaited: the loop serves others
    meanwhile). The write then runs on the loop at once; its commit keeps the lock for the
    next write of this worker when one waits."""

    def __init__(self, backend: RedisBackend) -> None:
        self.backend = backend
        self.access: Access | None = None
        self.locked = False

    async def __aenter__(self) -> "WriteTurn":
        backend = self.backend
        turns = backend._loop_turns()
        access = ACCESS.get()
        if (access is not None and access.ahead and backend.valid and not backend._restarted
                and not turns[1].locked() and not turns[2] and not backend._idle):
            # Nobody of this worker writes holding the world: run on the copy, keep the
            # changes only if the world did not move meanwhile (``commit_ahead``).
            access.optimistic = True
            return self
        self.locked = True
        turns[2] += 1
        try:
            await turns[1].acquire()
        except BaseException:  # cancelled while waiting: a lock kept for it goes
            turns[2] -= 1
            if not backend.writers_waiting() and not turns[1].locked():
                asyncio.ensure_future(backend.let_go())
            raise
        turns[2] -= 1
        try:
            self.access = ACCESS.get()
            if self.access is not None and backend.valid:
                self.access.begun, self.access.begun_from = await backend.lock_async()
                self.access.turn = True
        except BaseException:
            turns[1].release()
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        if not self.locked:
            return
        backend = self.backend
        turns = backend._loop_turns()
        turns[1].release()
        access = self.access
        if access is not None and access.begun is not None:  # taken, never used
            access.begun = None
            backend.unlock_held()
        elif not backend.writers_waiting():
            await backend.let_go()


__all__ = ["FORMAT", "PREFIX", "RedisBackend", "RedisWorldRefused", "WriteTurn"]
