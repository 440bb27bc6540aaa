"""The runs registry: forking, bounds in count and idle time, deletion (no HTTP, no real time)."""

from __future__ import annotations

import threading

import pytest

from mockserver.domain.errors import InvalidRequest, LimitReached, NotFound
from mockserver.scenarios.watcher import default_store
from mockserver.services.runs import Runs, check_run_id
from mockserver.services.world import World
from mockserver.settings import Settings


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def base() -> World:
    return World(default_store(Settings(seed=42)))


def runs_of(base: World, max_runs: int = 3, idle: float = 60.0, clock=None) -> Runs:
    return Runs(base, max_runs, idle, monotonic=clock or FakeTime())


def test_a_run_is_forked_from_the_loaded_worlds_start_not_from_its_present(base):
    with base.held() as store:
        tenant = next(iter(store.tenants.values()))
        before = tenant.profile.company_name
        tenant.profile.company_name = "Changed in the loaded world"
    try:
        runs = runs_of(base)
        forked = runs.world("r1").store
        assert forked is not base.store
        assert forked.tenants[tenant.id].profile.company_name == before
        assert forked.start is base.store.start  # one copy of the start's bytes
        assert forked.generation != base.store.generation
        assert list(forked.journal) == [] and forked.snapshots == {}
    finally:
        base.reset()


def test_a_runs_world_is_its_own(base):
    runs = runs_of(base)
    one, two = runs.world("one").store, runs.world("two").store
    tenant_id = next(iter(one.tenants))
    one.tenants[tenant_id].profile.company_name = "Only in one"
    assert two.tenants[tenant_id].profile.company_name != "Only in one"
    assert base.store.tenants[tenant_id].profile.company_name != "Only in one"
    assert one.clock is not two.clock and one.providers is not two.providers
    assert one.outbox is not two.outbox and one.lock is not two.lock
    assert runs.world("one").store is one  # the same run, not a new fork


def test_at_most_max_runs_and_one_more_is_refused_not_made_room_for(base):
    runs = runs_of(base, max_runs=2)
    runs.world("a"), runs.world("b")
    with pytest.raises(LimitReached, match="at most 2 runs"):
        runs.world("c")
    assert [r["id"] for r in runs.describe_all()] == ["a", "b"]
    runs.delete("a")
    runs.world("c")
    assert [r["id"] for r in runs.describe_all()] == ["b", "c"]


def test_a_run_idle_for_longer_than_the_bound_is_let_go(base):
    clock = FakeTime()
    runs = runs_of(base, idle=60, clock=clock)
    runs.world("old"), runs.world("busy")
    clock.now += 50
    runs.get("busy")  # used: its idle time starts again
    clock.now += 20  # "old" idle for 70 s, "busy" for 20 s
    assert [r["id"] for r in runs.describe_all()] == ["busy"]
    assert runs.get("old") is None
    assert runs.describe("busy")["expires_in_seconds"] == 40


def test_expired_and_deleted_runs_free_what_the_shared_caches_hold(base):
    runs = runs_of(base)
    world = runs.world("cached")
    invoice = next(i for t in world.store.tenants.values() for i in t.invoices.values())
    world.encoded_invoice(invoice, "detail", lambda found: b"x" * 10)
    assert world.encoded is base.encoded and len(base.encoded) >= 1
    before = len(base.encoded)
    runs.delete("cached")
    assert len(base.encoded) == before - 1


def test_an_existing_id_is_a_conflict_on_create_and_unknown_ones_are_not_found(base):
    runs = runs_of(base)
    runs.create("x")
    with pytest.raises(LimitReached, match="exists already"):
        runs.create("x")
    with pytest.raises(NotFound):
        runs.delete("nope")
    with pytest.raises(NotFound):
        runs.describe("nope")


@pytest.mark.parametrize("bad", ["", "a b", "-x", "x" * 65, "a/b", "é", "a\nb", "..", "_x"])
def test_run_ids_are_short_plain_names(bad):
    with pytest.raises(InvalidRequest, match="A run id is"):
        check_run_id(bad)


def test_two_first_requests_racing_for_one_run_make_one_run(base):
    runs = runs_of(base, max_runs=1)
    worlds, errors = [], []
    start = threading.Barrier(4)

    def first_request():
        start.wait()
        try:
            worlds.append(runs.world("raced"))
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(error)

    threads = [threading.Thread(target=first_request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors and len(worlds) == 4
    assert len({id(world) for world in worlds}) == 1 and len(runs) == 1


@pytest.mark.parametrize("changes", [{"max_runs": -1}, {"run_idle_seconds": 0}])
def test_the_bounds_must_be_bounds(changes):
    with pytest.raises(ValueError, match="must be"):
        Settings(**changes)
    name = next(iter(changes)).upper()
    with pytest.raises(ValueError, match="must be"):
        Settings.from_env({f"BILLING_MOCK_{name}": str(next(iter(changes.values())))})
