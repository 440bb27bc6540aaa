"""API writes on a shared world take their turn on the event loop: the world's lock is
awaited (the worker serves others meanwhile), kept for the worker's next write while one
waits, and let go when a writer elsewhere wants it."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from mockserver import __version__
from mockserver.app import default_store
from mockserver.redisworld import backend as backend_module
from mockserver.redisworld import scripts
from mockserver.redisworld.backend import PREFIX, RedisBackend
from mockserver.services import profiles
from mockserver.settings import Settings
from mockserver.state import ACCESS, Access, TakeTurn, TokenGrant, WorldUnavailable
from mockserver.statefile.world import encode_world
from tests.redisworld.conftest import Replica

LOCK = PREFIX + "lock"


@pytest.fixture
def one_worker(redis_server):
    """One replica of one worker (every request reaches the same process), on an empty
    Redis database of its own."""
    redis_server.client().flushall()
    replica = Replica(redis_server.url.replace("/0", "/3"), 1).start()
    yield replica
    replica.stop()


def test_a_write_waiting_for_another_writer_holds_up_no_read(one_worker, redis_server):
    """A writer elsewhere holds the world's lock: this worker's write waits for it, and
    meanwhile the worker answers reads of the world (before: the waiting write held the copy,
    and every read waited behind it)."""
    db = redis_server.client()
    db.execute_command("SELECT", 3)
    lock = redis_server.client()
    lock.connection_pool.connection_kwargs["db"] = 3
    foreign = "elsewhere-" + secrets.token_hex(4)
    assert lock.set(LOCK, foreign, nx=True, px=20_000)
    order = []
    with ThreadPoolExecutor(2) as pool:
        def put():
            with one_worker.client() as client:
                r = client.put("/billing/billing-profile", json={"company_name": "Waited B.V."})
            order.append("put")
            return r

        pending = pool.submit(put)
        try:
            with one_worker.client() as client:
                for _ in range(3):
                    r = client.get("/billing/billing-profile")
                    assert r.status_code == 200, r.text
                    assert r.json()["data"]["company_name"] != "Waited B.V."
                    order.append("get")
            assert not pending.done()  # the write still waits for the lock
        finally:
            lock.delete(LOCK)  # the writer elsewhere is done
        answer = pending.result(timeout=30)
    assert answer.status_code == 200, answer.text
    assert order == ["get", "get", "get", "put"]
    with one_worker.client() as client:
        assert client.get("/billing/billing-profile").json()["data"]["company_name"] == \
            "Waited B.V."


@pytest.fixture
def shared(redis_server):
    """A shared world on its own Redis database, used in this process (no HTTP)."""
    redis_server.client().flushall()
    url = redis_server.url.replace("/0", "/4")
    backend = RedisBackend(url, version=__version__)
    store = backend.open(default_store(Settings(seed=42)))
    yield backend, store
    backend.stop()


def _counting_begins(backend: RedisBackend) -> list:
    """Count the BEGIN scripts this backend's event loop sends (each takes the lock)."""
    calls = []
    client = backend._loop_client()
    begin = client[3]

    async def counted(*args, **kwargs):
        calls.append(1)
        return await begin(*args, **kwargs)

    backend._async = (*client[:3], counted, *client[4:])
    return calls


@contextlib.asynccontextmanager
async def _holding_turn(backend: RedisBackend, store, tenant_id: str, name: str):
    """An API write on the loop: its turn, its change committed; the body runs while it
    still holds the turn (writes queued meanwhile wait behind it)."""
    token = ACCESS.set(Access("write"))
    try:
        async with backend.turn():
            with store.lock:
                profiles.upsert_profile(store, tenant_id, {"company_name": name})
            yield
    finally:
        ACCESS.reset(token)


async def _profile_write(backend: RedisBackend, store, tenant_id: str, name: str) -> None:
    async with _holding_turn(backend, store, tenant_id, name):
        pass


def test_a_worker_keeps_the_lock_for_its_waiting_writes_and_at_most_so_many(shared):
    backend, store = shared
    tenant_id = store.tokens["demo-token"].tenant_id

    async def main():
        begins = _counting_begins(backend)
        head = backend.known.rev
        writes = 2 * (backend_module.KEEP_AT_MOST + 1) + 1
        await asyncio.gather(*(_profile_write(backend, store, tenant_id, f"Name {i}")
                               for i in range(writes)))
        return begins, backend.known.rev - head, writes

    begins, commits, writes = asyncio.run(main())
    assert commits == writes  # each write sent its change before it was answered
    # A BEGIN, then the lock kept for KEEP_AT_MOST writes that wait, then let go: 3 turns.
    assert len(begins) == 3
    assert backend._token is None
    assert not backend.redis.exists(LOCK)  # nobody waits any more: let go


def test_a_kept_lock_is_let_go_at_once_when_a_writer_elsewhere_wants_it(shared):
    backend, store = shared
    tenant_id = store.tokens["demo-token"].tenant_id
    other = backend.redis.register_script(scripts.BEGIN)
    found = {}

    async def main():
        begins = _counting_begins(backend)
        queued = [asyncio.ensure_future(_profile_write(backend, store, tenant_id, f"Then {i}"))
                  for i in range(2)]
        # the two others queue behind it meanwhile
        async with _holding_turn(backend, store, tenant_id, "First"):
            found["kept"] = backend._idle
            # A writer of another worker finds it taken: BEGIN marks the lock wanted.
            reply = other(args=[PREFIX, "elsewhere", 10_000, "", scripts.MAX_DELTA])
            found["elsewhere"] = reply[0]
        await asyncio.gather(*queued)
        return begins

    begins = asyncio.run(main())
    assert found == {"kept": True, "elsewhere": b"busy"}
    # The next write used the kept lock and let it go with its commit (it was wanted), so
    # the last one had to take it again: 2 BEGINs, where 1 would have served all three.
    assert len(begins) == 2


def test_a_thread_write_takes_over_a_kept_lock_instead_of_waiting_for_it(shared):
    """A kept lock is this process's: a write on another thread (the control API, a clock
    run) claims it while it is idle instead of waiting for it (it would wait until it gave
    up: the write it was kept for runs on the loop, which that thread is holding up)."""
    backend, store = shared
    backend.lock_wait = 2.0
    tenant_id = store.tokens["demo-token"].tenant_id
    found = {}

    async def main():
        second = asyncio.ensure_future(_profile_write(backend, store, tenant_id, "Next"))
        # ``second`` queues behind it meanwhile
        async with _holding_turn(backend, store, tenant_id, "Kept"):
            found["kept"] = backend._idle and backend._token is not None

            def on_thread():
                with store.lock:
                    profiles.upsert_profile(store, tenant_id, {"company_name": "Thread"})
                found["thread"] = store.tenants[tenant_id].profile.company_name

            thread = threading.Thread(target=on_thread)
            thread.start()
            thread.join(timeout=30)  # the loop waits here: nothing on it can run
        await second

    asyncio.run(main())
    assert found == {"kept": True, "thread": "Thread"}
    assert store.tenants[tenant_id].profile.company_name == "Next"
    assert not backend.redis.exists(LOCK)


# -- writes run on the copy without the lock (optimistic) ------------------------------------


def _ahead_write(backend: RedisBackend, store, work):
    """One API write as the journal runs it first: on the copy, without the lock."""
    async def write():
        token = ACCESS.set(Access("write", ahead=True))
        try:
            async with backend.turn():
                with store.lock:
                    work(store)
            return ACCESS.get()
        finally:
            ACCESS.reset(token)
    return asyncio.run(write())


def _replica(redis_server, url: str):
    other = RedisBackend(url, version=__version__)
    return other, other.open(default_store(Settings(seed=42)))


def _plain(store) -> dict:
    found = encode_world(store)
    found.pop("clock")  # a running clock is read against the wall clock, twice
    return found


def test_a_write_on_a_current_copy_is_stored_in_one_round_trip_without_the_lock(
        shared, redis_server):
    backend, store = shared
    tenant_id = store.tokens["demo-token"].tenant_id
    sent = []
    script = backend._scripts["COMMIT_AHEAD"]
    backend._scripts["COMMIT_AHEAD"] = lambda **kw: sent.append(1) or script(**kw)
    begins = []
    for name in ("lock_async", "lock_for_write", "_lock"):  # every way to take the lock
        taking = getattr(backend, name)
        setattr(backend, name, lambda *a, _t=taking, **kw: begins.append(1) or _t(*a, **kw))
    head = backend.known.rev
    access = _ahead_write(backend, store, lambda s: profiles.upsert_profile(
        s, tenant_id, {"company_name": "Ahead B.V."}))
    assert (len(sent), len(begins), backend.known.rev - head) == (1, 0, 1)
    assert access.optimistic and not access.validate
    assert not backend.redis.exists(LOCK)
    other, copy = _replica(redis_server, backend.url)
    try:
        assert copy.tenants[tenant_id].profile.company_name == "Ahead B.V."
    finally:
        other.stop()


def test_a_write_that_changes_nothing_stands_like_a_read(shared):
    backend, store = shared
    tenant_id = store.tokens["demo-token"].tenant_id
    name = store.tenants[tenant_id].profile.company_name
    head = backend.known.head
    access = _ahead_write(backend, store, lambda s: profiles.upsert_profile(
        s, tenant_id, {"company_name": name}))
    # nothing sent: the answer stands if the world is still at ``head`` when it is journaled
    assert (access.validate, access.read_head, backend.known.head) == (True, head, head)


def test_a_write_on_a_copy_the_world_moved_past_is_put_back_and_runs_again_holding_it(
        shared, redis_server):
    backend, store = shared
    tenant_id = store.tokens["demo-token"].tenant_id
    other_id = store.tokens["eu-token"].tenant_id
    order = list(store.tenants)
    # Another worker changes the same tenant and another one meanwhile.
    other, copy = _replica(redis_server, backend.url)
    try:
        with copy.lock:
            profiles.upsert_profile(copy, tenant_id, {"company_name": "Elsewhere B.V."})
        with copy.lock:
            profiles.upsert_profile(copy, other_id, {"city": "Gent"})
        with pytest.raises(TakeTurn):
            _ahead_write(backend, store, lambda s: profiles.upsert_profile(
                s, tenant_id, {"company_name": "Lost B.V.", "city": "Utrecht"}))
        # Nothing of the write was kept, here or in Redis; the copy is the world as it is.
        assert store.tenants[tenant_id].profile.company_name == "Elsewhere B.V."
        assert store.tenants[other_id].profile.city == "Gent"
        assert backend.known.head == other.known.head
        assert _plain(store) == _plain(copy)
        # the eviction order: the two others changed moved to the end, in that order
        assert list(store.tenants) == [t for t in order if t not in (tenant_id, other_id)] \
            + [tenant_id, other_id]
        assert list(store.tenants) == list(copy.tenants)
        # run again holding the world (the journal's second run): kept
        asyncio.run(_profile_write(backend, store, tenant_id, "Kept B.V."))
        with copy.lock:
            pass  # brought up to date
        assert copy.tenants[tenant_id].profile.company_name == "Kept B.V."
    finally:
        other.stop()


def test_a_write_on_the_copy_while_another_holds_the_lock_is_not_stored(shared):
    backend, store = shared
    tenant_id = store.tokens["demo-token"].tenant_id
    before = store.tenants[tenant_id].profile.company_name
    assert backend.redis.set(LOCK, "elsewhere", nx=True, px=10_000)
    try:
        with pytest.raises(TakeTurn):
            _ahead_write(backend, store, lambda s: profiles.upsert_profile(
                s, tenant_id, {"company_name": "Not Now B.V."}))
    finally:
        backend.redis.delete(LOCK)
    assert store.tenants[tenant_id].profile.company_name == before
    assert not backend.reads_ahead()  # for a moment, writes and reads ask first


def test_a_write_let_in_by_a_token_changed_elsewhere_meanwhile_does_not_run(
        shared, redis_server):
    """The token was looked up on a copy that was not current: once the write holds the
    world, a token that stands for something else now (re-issued to another tenant through
    another replica) stops it before it runs (the journal lets the request in again)."""
    backend, store = shared
    tenant_id = store.tokens["demo-token"].tenant_id
    other_id = store.tokens["eu-token"].tenant_id
    other, copy = _replica(redis_server, backend.url)
    try:
        with copy.lock:
            copy.tokens["demo-token"] = TokenGrant(other_id)
        name = store.tenants[tenant_id].profile.company_name
        token = ACCESS.set(Access("write"))
        try:
            access = ACCESS.get()
            assert store.grant("demo-token").tenant_id == tenant_id  # the copy is behind
            with pytest.raises(TakeTurn):
                with store.lock:
                    profiles.upsert_profile(store, tenant_id, {"company_name": "Wrong B.V."})
            assert access.grants
        finally:
            ACCESS.reset(token)
        assert store.tokens["demo-token"].tenant_id == other_id  # the copy is current now
        assert store.tenants[tenant_id].profile.company_name == name
        assert not backend.redis.exists(LOCK)
    finally:
        other.stop()


def test_a_write_with_a_token_of_a_world_loaded_elsewhere_is_let_in_at_once(fresh):
    """A scenario loaded through one replica: the other's copies have not seen its tokens
    yet, and a write with one of them is let in (before: a 401 from the old copy)."""
    a, b = fresh
    with b.client() as client:  # b's copies are current, with the default world's tokens
        for _ in range(4):
            assert client.get("/billing/billing-profile").status_code == 200
    try:
        with a.control() as control:
            assert control.post("/scenario", json={"name": "dunning"}).status_code == 200
            token = control.get("/tenants").json()["data"][0]["tokens"][0]
        with b.client(token) as client:
            answer = client.put("/billing/billing-profile", json={"company_name": "Loaded B.V."})
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["company_name"] == "Loaded B.V."
    finally:
        with a.control() as control:
            assert control.post("/reset").status_code == 200


def test_a_write_arriving_while_a_thread_holds_the_world_waits_on_the_pool(shared):
    """Not on the event loop: the loop would wait for the thread's hold (a scenario load, a
    clock run) and every read and health check of the worker with it."""
    from mockserver.compat import ROUTING_KEY
    from mockserver.edge.scheduling import runs_inline
    from mockserver.services.world import World

    backend, store = shared
    rule = runs_inline(lambda: World(store), frozenset({"upsertBillingProfile"}))
    scope = {"method": "PUT", "headers": [],
             "extensions": {ROUTING_KEY: {"operation_id": "upsertBillingProfile"}}}
    assert hasattr(rule(scope), "__aenter__")  # free: its turn, then on the loop
    held, release = threading.Event(), threading.Event()

    def hold():
        with store.lock:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(10)
        assert rule(scope) is False
    finally:
        release.set()
        thread.join(10)


def test_a_lock_kept_for_a_write_that_went_away_is_let_go(shared):
    backend, store = shared
    tenant_id = store.tokens["demo-token"].tenant_id
    found = {}

    async def main():
        waiter = asyncio.ensure_future(_profile_write(backend, store, tenant_id, "Never"))
        # ``waiter`` queues behind it meanwhile
        async with _holding_turn(backend, store, tenant_id, "Kept"):
            found["kept"] = backend._idle
        waiter.cancel()  # woken for its turn, gone before it ran (a client that left)
        for _ in range(100):
            await asyncio.sleep(0.01)
            if not backend.redis.exists(LOCK):
                break
        found["let go"] = not backend.redis.exists(LOCK)
        found["cancelled"] = waiter.cancelled()

    asyncio.run(main())
    assert found == {"kept": True, "let go": True, "cancelled": True}


def test_the_shared_journal_is_bounded_in_bytes_oldest_first(shared, monkeypatch):
    """Besides its 1,000 entries: ``MAX_JOURNAL_BYTES`` for all replicas together (made
    small here), the oldest entries dropped first."""
    backend, _ = shared
    monkeypatch.setattr(backend_module, "MAX_JOURNAL_BYTES", 20_000)
    body = b"x" * 3_000

    async def main():
        for i in range(20):
            await backend.record_async({"request_id": f"req_{i:02d}", "_body": body,
                                        "status": 200})

    asyncio.run(main())
    kept = [entry["request_id"] for entry in backend.journal()]
    size = int(backend.redis.get(PREFIX + "journal:bytes"))
    assert size <= 20_000 and size == sum(len(i) for i in
                                          backend.redis.lrange(PREFIX + "journal", 0, -1))
    assert 3 <= len(kept) < 20
    assert kept == [f"req_{i:02d}" for i in range(20 - len(kept), 20)]  # the newest, in order


def test_a_lock_taken_by_a_call_that_got_no_answer_is_let_go_when_redis_answers(shared):
    """A BEGIN sent while Redis stalled may run after its sender gave up: the lock is then
    held for nobody. The watcher releases it as soon as Redis answers (before: every write
    everywhere waited out its 10 s)."""
    from mockserver.services.world import World

    backend, store = shared
    backend.start(World(store))
    begin = backend._scripts["BEGIN"]

    def late(**kwargs):  # it ran in Redis, but its answer never came back
        begin(**kwargs)
        raise redis.TimeoutError("Timeout reading from socket")

    backend._scripts["BEGIN"] = late
    try:
        with pytest.raises(WorldUnavailable):
            with store.lock:
                pass
    finally:
        backend._scripts["BEGIN"] = begin
    for _ in range(50):  # the watcher asks every PROBE_EVERY
        if not backend.redis.exists(LOCK):
            break
        time.sleep(0.05)
    assert not backend.redis.exists(LOCK)
    with store.lock:  # and writes go on
        profiles.upsert_profile(store, store.tokens["demo-token"].tenant_id,
                                {"company_name": "After the stall"})


def test_a_write_with_a_token_removed_elsewhere_meanwhile_is_a_401(redis_server):
    """The token was removed through another replica (a scenario load), and this worker's
    copy, not current yet, still knows it. Right after a write found the world moved, a
    worker asks first: the write holds the world, finds the token gone, and is let in anew
    on the current copy: a 401 (before: a 503 "looked up again")."""
    import httpx

    from mockserver.scenarios.watcher import store_for
    from mockserver.testing import LiveServer

    redis_server.client().flushall()
    url = redis_server.url.replace("/0", "/5")
    with LiveServer(Settings(seed=42, state=url)) as live:
        backend = live.runtime.backend
        other, copy = _replica(redis_server, url)
        try:
            with httpx.Client(base_url=live.api_url,
                              headers={"Authorization": "Bearer demo-token"}) as client:
                assert client.get("/billing/billing-profile").status_code == 200
                with copy.lock:  # the default world's tokens are gone
                    copy.replace_world(store_for(Settings(scenario="empty-new-tenant")))
                backend._moved_at = time.monotonic() + 60  # ask first, for this test
                answer = client.put("/billing/billing-profile",
                                    json={"company_name": "Gone B.V."})
        finally:
            other.stop()
    assert answer.status_code == 401, answer.text
