"""The world cut into parts and put together again, without Redis: what a write sends is
what it changed, and a copy brought up to date equals the writer's."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import timedelta

import pytest

from mockserver.app import default_store
from mockserver.domain.subscriptions import UsageEvent
from mockserver.domain.tenant import Tenant
from mockserver.redisworld import parts
from mockserver.redisworld.store import SharedStore
from mockserver.services import payments, profiles
from mockserver.settings import Settings
from mockserver.state import Store, new_generation
from mockserver.statefile.world import encode_world


def shared() -> SharedStore:
    """A shared store whose lock is a plain one: no Redis, the parts are moved by hand."""
    store = SharedStore.of(None, 10_000, 500)
    store.lock = threading.RLock()
    return store


def loaded(world: dict[str, bytes], head: str = "w 1 1") -> tuple[SharedStore, parts.Known]:
    store, known = shared(), parts.Known()
    store.generation = new_generation()
    parts.load(store, known, [(name, 1.0, value) for name, value in world.items()], head)
    return store, known


@pytest.fixture(scope="module")
def world() -> Store:
    return default_store(Settings(seed=42))


def _plain(store: Store) -> dict:
    """The store's world as the state file writes it (objects by value, in order)."""
    found = encode_world(store)
    found.pop("clock")  # a running clock's offset is read against the wall clock, twice
    return found


def test_a_world_loaded_from_its_parts_is_the_world(world):
    copy, _ = loaded(parts.everything(world))
    assert _plain(copy) == _plain(world)  # tenants in their order, ids' position, sessions
    assert copy.clock.now() - world.clock.now() < timedelta(seconds=5)
    sim = copy.providers.get("stripe")
    assert sim._ids is copy.ids  # the providers share the copy's id stream, not a copy of it
    assert copy.start.tenants == world.start.tenants


def test_a_profile_change_is_one_part(world):
    writer, known = loaded(parts.everything(world))
    writer.touched.clear()
    tenant_id = next(iter(writer.tokens.values())).tenant_id
    profiles.upsert_profile(writer, tenant_id, {"company_name": "Changed B.V."})
    found = parts.changes(writer, known, writer.touched)
    assert sorted(found.written) == [f"t:{tenant_id}"] and not found.removed


def test_a_new_payment_method_is_its_tenant_and_the_id_stream(world):
    writer, known = loaded(parts.everything(world))
    writer.touched.clear()
    tenant_id = next(iter(writer.tokens.values())).tenant_id
    payments.add_direct_method(writer, tenant_id, "mollie", "ideal")  # no session: vaulted
    found = parts.changes(writer, known, writer.touched)
    assert sorted(found.written) == ["core", f"t:{tenant_id}"]
    parts.remember(writer, known, found, "w 1 2")
    writer.touched.clear()
    payments.start_setup(writer, tenant_id, "mollie", "ideal", "http://localhost/r",
                         "http://localhost:8000")
    assert sorted(parts.changes(writer, known, writer.touched).written) == [
        "core", "providers", f"ps:{tenant_id}"]  # the book's counter, the tenant's sessions


def test_a_setup_sends_its_tenants_sessions_not_every_tenants(world):
    """The provider sessions are cut per tenant: with many sessions of one tenant, another
    tenant's setup costs its own sessions and the book's counters (before: every session of
    every tenant, pickled, compared and sent whole)."""
    writer, known = loaded(parts.everything(world))
    busy, other = [t.tenant_id for t in writer.tokens.values()][:2]
    for _ in range(60):
        payments.start_setup(writer, busy, "stripe", "card", "http://localhost/r",
                             "http://localhost:8000")
    found = parts.changes(writer, known, writer.touched)
    parts.remember(writer, known, found, "w 1 2")
    busy_bytes = len(found.written[f"ps:{busy}"])
    writer.touched.clear()
    for simulation in writer._providers:
        simulation.sessions.reached.clear()
    payments.start_setup(writer, other, "stripe", "card", "http://localhost/r",
                         "http://localhost:8000")
    found = parts.changes(writer, known, writer.touched)
    assert sorted(found.written) == ["core", "providers", f"ps:{other}"]
    assert len(found.written["providers"]) + len(found.written[f"ps:{other}"]) < busy_bytes / 10
    # and a copy brought up to date from those parts has both tenants' sessions, in order
    copy, copy_known = loaded(parts.everything(world))
    parts.apply(copy, copy_known, list(parts.everything(writer).items()), [], "w 1 3")
    assert _plain(copy) == _plain(writer)


def test_nothing_changed_is_nothing_to_send(world):
    writer, known = loaded(parts.everything(world))
    writer.touched.clear()
    for tenant in writer.tenants.values():  # reaching every tenant changes none
        tenant.visible_invoices()
    assert not parts.changes(writer, known, writer.touched)


def test_invoices_usage_and_removed_tenants_are_their_own_parts(world):
    writer, known = loaded(parts.everything(world))
    writer.touched.clear()
    tenant = writer.tenants[next(iter(writer.tokens.values())).tenant_id]
    invoice = tenant.visible_invoices()[0]
    invoice.notes = "changed"
    tenant.usage.append(UsageEvent("api_calls", 5, writer.clock.now()))
    gone = next(t for t in writer.tenants if t != tenant.id)
    invoices_of_gone = list(writer.tenants[gone].invoices)
    del writer.tenants[gone]
    found = parts.changes(writer, known, writer.touched)
    assert sorted(found.written) == sorted([f"i:{tenant.id}:{invoice.id}", f"u:{tenant.id}"])
    assert sorted(found.removed) == sorted(
        [f"t:{gone}", f"u:{gone}", *(f"i:{gone}:{i}" for i in invoices_of_gone)])


def test_a_copy_brought_up_to_date_equals_the_writer(world):
    """What one worker writes, applied to another's copy, gives the same world."""
    everything = parts.everything(world)
    writer, known = loaded(everything)
    reader, reader_known = loaded(everything)
    writer.touched.clear()
    tenant_id = next(iter(writer.tokens.values())).tenant_id
    profiles.upsert_profile(writer, tenant_id, {"company_name": "Seen elsewhere"})
    payments.add_direct_method(writer, tenant_id, "stripe", "card")
    writer.add_tenant(Tenant("tnt_new_here", writer.clock.now()), pinned=False)
    del writer.tenants["tnt_371ecd7b27cd8130"]
    found = parts.changes(writer, known, writer.touched)
    parts.remember(writer, known, found, "w 1 2")
    # as Redis gives them: by the revision of their change, one commit's by name
    parts.apply(reader, reader_known, sorted(found.written.items()), found.removed, "w 1 2")
    assert _plain(reader) == _plain(writer)
    # and the reader, changing nothing, has nothing to send
    reader.touched.clear()
    reader.touched.every_tenant = True
    assert not parts.changes(reader, reader_known, reader.touched)


def test_a_whole_new_world_is_every_part(world):
    writer, known = loaded(parts.everything(world))
    writer.reset()
    found = parts.changes(writer, known, writer.touched)
    assert found.full and set(found.written) == set(parts.everything(writer))


def test_tracked_tenants_note_what_was_reached():
    touched = parts.Touched()
    tenants = parts.TrackedTenants(OrderedDict(a=1, b=2), touched)
    touched.clear()
    list(tenants)  # the ids only: nothing reached
    assert "a" in tenants and not touched.tenants and not touched.every_tenant
    tenants.get("a")
    tenants["b"] = 3
    assert touched.tenants == {"a", "b"}
    del tenants["a"]
    assert touched.removed == {"a"}
    list(tenants.values())
    assert touched.every_tenant
