"""The world cut into parts, one Redis key each: which parts a write changed, and a local copy
brought up to date from the parts that changed since it was last current.

Parts (their names are the keys' last segment):

- ``core``: the clock, the id stream's position, the seller, numbering, tokens, the world's
  own tenants, the scenario's name, how far the billing clock ran, the eviction count, the
  behaviours, and the snapshots' order;
- ``providers``: every provider's scripted outcomes and its session book's counters (sharing
  the id stream of ``core``: pickled with a reference to it, not a copy); the sessions are
  per tenant, ``ps:{tenant}`` (its sessions at every provider, with their sequence numbers),
  so a setup costs its tenant's sessions, not every tenant's;
- ``outbox``; ``start`` (the world a reset returns to); ``snap:{id}`` per snapshot;
- ``order``: the tenants' order when the whole world was last written (a reset, a load);
  from then on a tenant moves to the end when its record changes (ties by id), which is the
  order of eviction;
- per tenant ``t:{tenant}`` (its record, profile, payment methods, subscriptions and the order
  of its invoices), ``i:{tenant}:{invoice}`` per invoice and ``u:{tenant}`` (its usage).

Values are pickles: written and read only by billing-mock servers of the same version
(``backend.FORMAT``), 20 to 100 times faster to read than the state file's JSON, which matters
on every change another worker made. Whoever can write to the Redis database can therefore
run code in the servers that read it: keep it private (README "Shared state on Redis").
"""

from __future__ import annotations

import io
import pickle
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from mockserver.domain.tenant import Tenant
from mockserver.providers import ProviderRegistry
from mockserver.providers.sessions import SessionBook
from mockserver.state import Snapshot, Store

CORE, PROVIDERS, OUTBOX, START, ORDER = "core", "providers", "outbox", "start", "order"
SNAPSHOT, TENANT, INVOICE, USAGE, SESSIONS = "snap:", "t:", "i:", "u:", "ps:"
CORE_FIELDS = ("clock", "seller", "numbering", "tokens", "pinned", "scenario", "billed_until",
               "evicted_tenants", "behaviours")
PROTOCOL = pickle.HIGHEST_PROTOCOL


def dumps(value) -> bytes:
    return pickle.dumps(value, protocol=PROTOCOL)


def _dumps_registry(registry, ids) -> bytes:
    """The providers without their sessions: the id source and each session book by
    reference, a book with its counters (its sessions are the tenants' ``ps:`` parts)."""
    books = {id(simulation.sessions): simulation.slug for simulation in registry}
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=PROTOCOL)

    def persistent_id(obj):
        if obj is ids:
            return "ids"
        if isinstance(obj, SessionBook) and id(obj) in books:
            return ("book", books[id(obj)], obj.counters())
        return None

    pickler.persistent_id = persistent_id
    pickler.dump(registry)
    return out.getvalue()


def _loads_registry(data: bytes, ids, books: dict[str, SessionBook]):
    """The providers of ``_dumps_registry``, keeping the session books in ``books`` (by
    slug; a new one where there is none) with the counters the part has."""
    def persistent_load(ref):
        if ref == "ids":
            return ids
        _, slug, counters = ref
        book = books.get(slug) or SessionBook()
        book.set_counters(counters)
        return book

    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = persistent_load
    return unpickler.load()


def _sessions_of(store: Store, tenant_id: str) -> bytes | None:
    """The tenant's ``ps:`` part: its sessions at every provider (None: it has none)."""
    found = {simulation.slug: simulation.sessions.tenant_sessions(tenant_id)
             for simulation in store.providers}
    found = {slug: sessions for slug, sessions in found.items() if sessions}
    return dumps(found) if found else None


def _put_sessions(store: Store, tenant_id: str, value: bytes | None) -> None:
    found = pickle.loads(value) if value is not None else {}
    for simulation in store.providers:
        simulation.sessions.put_tenant(tenant_id, found.get(simulation.slug, []))


def sessions_reached(store: Store) -> set[str]:
    """The tenants whose sessions the work looked up, added or dropped."""
    return set().union(*(simulation.sessions.reached for simulation in store.providers))


def tenant_name(part: str) -> str:
    return part[len(TENANT):]


def invoice_part(tenant_id: str, invoice_id: str) -> str:
    return f"{INVOICE}{tenant_id}:{invoice_id}"


# -- what a write touched ------------------------------------------------------------------


class Touched:
    """What the work under one hold reached of a shared store: only those parts are compared
    with what Redis has when it ends (a read of every tenant, as a clock run makes, reaches
    them all)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.tenants: set[str] = set()
        self.every_tenant = False
        self.removed: set[str] = set()
        self.providers = self.outbox = False

    def tenant(self, tenant_id: str) -> None:
        self.tenants.add(tenant_id)

    def remove(self, tenant_id: str) -> None:
        self.removed.add(tenant_id)


class TrackedTenants(OrderedDict):
    """The store's tenants, noting which ones the work reached (``Touched``). Iterating the
    ids (as eviction does) reaches none; ``values()`` and ``items()`` reach all."""

    def __init__(self, items=(), touched: Touched | None = None) -> None:
        self.touched = touched or Touched()
        super().__init__(items)

    def __getitem__(self, key):
        self.touched.tenant(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.touched.tenant(key)
        return super().get(key, default)

    def __setitem__(self, key, value) -> None:
        self.touched.tenant(key)
        super().__setitem__(key, value)

    def __delitem__(self, key) -> None:
        self.touched.remove(key)
        super().__delitem__(key)

    def pop(self, key, *default):
        if key in self:
            self.touched.remove(key)
        return super().pop(key, *default)

    def popitem(self, last: bool = True):
        key, value = super().popitem(last)
        self.touched.remove(key)
        return key, value

    def setdefault(self, key, default=None):
        self.touched.tenant(key)
        return super().setdefault(key, default)

    def values(self):
        self.touched.every_tenant = True
        return super().values()

    def items(self):
        self.touched.every_tenant = True
        return super().items()

    def update(self, *args, **kwargs) -> None:
        self.touched.every_tenant = True
        super().update(*args, **kwargs)

    def clear(self) -> None:
        self.touched.removed.update(self)
        super().clear()


# -- what the copy is known to be --------------------------------------------------------


@dataclass
class Known:
    """What the local copy is known to equal in Redis (at ``head``), part by part, so a write
    sends only what it changed and a sync replaces only what others changed."""

    head: str = ""
    generation: int = 0  # the local store's generation that ``head`` describes
    blobs: dict[str, bytes] = field(default_factory=dict)  # core, providers, outbox, t:*
    # tenant -> invoice -> (the object, its revision): another object or a revision bump is
    # a change (the objects are the store's own, not copies)
    invoices: dict[str, dict[str, tuple]] = field(default_factory=dict)
    usage: dict[str, tuple] = field(default_factory=dict)  # tenant -> fingerprint
    start: Snapshot | None = None
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    snapshot_order: list[str] = field(default_factory=list)

    @property
    def rev(self) -> int:
        return int(self.head.rsplit(" ", 1)[1]) if self.head else -1


def _usage_print(usage: deque) -> tuple:
    """Usage events are frozen and only ever appended (the oldest drop at the bound): the
    deque itself, its length and its last event tell any change."""
    return (usage, len(usage), usage[-1] if usage else None)


def _same_usage(usage: deque, known: tuple | None) -> bool:
    return (known is not None and known[0] is usage and known[1] == len(usage)
            and known[2] == (usage[-1] if usage else None))


def _tenant_record(tenant: Tenant) -> tuple:
    return (tenant.id, tenant.created_at, tenant.name, tenant.profile, tenant.methods,
            tenant.subscriptions, list(tenant.invoices))


def _core(store: Store) -> dict:
    found = {name: getattr(store, name) for name in CORE_FIELDS}
    found["ids"] = store.ids.__getstate__()
    found["snapshots"] = list(store.snapshots)
    return found


# -- a write: what changed -----------------------------------------------------------------


@dataclass
class Changes:
    written: dict[str, bytes] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    full: bool = False  # the whole world is new (a reset, a load, a restore)

    def __bool__(self) -> bool:
        return self.full or bool(self.written or self.removed)


def changes(store: Store, known: Known, touched: Touched) -> Changes:
    """What the store holds that ``known`` does not, among what ``touched`` says was reached
    (the whole world when its generation changed)."""
    if store.generation != known.generation:
        return Changes(everything(store), full=True)
    found = Changes()
    blob = dumps(_core(store))
    if blob != known.blobs.get(CORE):
        found.written[CORE] = blob
    if touched.providers:
        blob = _dumps_registry(store.providers, store.ids)
        if blob != known.blobs.get(PROVIDERS):
            found.written[PROVIDERS] = blob
        for tenant_id in sessions_reached(store):
            name, blob = SESSIONS + tenant_id, _sessions_of(store, tenant_id)
            if blob is None:
                if name in known.blobs:
                    found.removed.append(name)
            elif blob != known.blobs.get(name):
                found.written[name] = blob
    if touched.outbox:
        blob = dumps(store.outbox)
        if blob != known.blobs.get(OUTBOX):
            found.written[OUTBOX] = blob
    if store.start is not known.start:
        found.written[START] = dumps(store.start)
    for snapshot_id, snapshot in store.snapshots.items():
        if known.snapshots.get(snapshot_id) is not snapshot:
            found.written[SNAPSHOT + snapshot_id] = dumps(snapshot)
    found.removed += [SNAPSHOT + s for s in known.snapshots if s not in store.snapshots]
    tenants = store.tenants
    for tenant_id in set(touched.removed) - set(tenants):
        if tenant_id in known.invoices:
            found.removed += _parts_of(tenant_id, known)
    reached = set(tenants) if touched.every_tenant else touched.tenants & set(tenants)
    for tenant_id in reached:
        _tenant_changes(dict.__getitem__(tenants, tenant_id), known, found)
    return found


def _parts_of(tenant_id: str, known: Known) -> list[str]:
    return [TENANT + tenant_id, USAGE + tenant_id,
            *(invoice_part(tenant_id, i) for i in known.invoices.get(tenant_id, {}))]


def _tenant_changes(tenant: Tenant, known: Known, found: Changes) -> None:
    blob = dumps(_tenant_record(tenant))
    if blob != known.blobs.get(TENANT + tenant.id):
        found.written[TENANT + tenant.id] = blob
    seen = known.invoices.get(tenant.id, {})
    for invoice_id, invoice in tenant.invoices.items():
        was = seen.get(invoice_id)
        if was is None or was[0] is not invoice or was[1] != invoice.revision:
            found.written[invoice_part(tenant.id, invoice_id)] = dumps(invoice)
    found.removed += [invoice_part(tenant.id, i) for i in seen if i not in tenant.invoices]
    if not _same_usage(tenant.usage, known.usage.get(tenant.id)):
        found.written[USAGE + tenant.id] = dumps(tenant.usage)


def everything(store: Store) -> dict[str, bytes]:
    """Every part of the store's world."""
    parts = {CORE: dumps(_core(store)), ORDER: dumps(list(store.tenants)),
             PROVIDERS: _dumps_registry(store.providers, store.ids),
             OUTBOX: dumps(store.outbox), START: dumps(store.start)}
    parts.update({SNAPSHOT + s: dumps(snap) for s, snap in store.snapshots.items()})
    for tenant_id in {t for simulation in store.providers for t in simulation.sessions.tenants()}:
        parts[SESSIONS + tenant_id] = _sessions_of(store, tenant_id)
    for tenant in dict.values(store.tenants):
        parts[TENANT + tenant.id] = dumps(_tenant_record(tenant))
        parts[USAGE + tenant.id] = dumps(tenant.usage)
        parts.update({invoice_part(tenant.id, i): dumps(inv)
                      for i, inv in tenant.invoices.items()})
    return parts


def remember(store: Store, known: Known, written: Changes, head: str) -> None:
    """After a commit: the copy is what Redis has at ``head``."""
    if written.full:
        known.blobs.clear()
        known.invoices.clear()
        known.usage.clear()
    for part in written.removed:
        _forget(part, known)
    for part, blob in written.written.items():
        if part in (CORE, PROVIDERS, OUTBOX) or part.startswith((TENANT, SESSIONS)):
            known.blobs[part] = blob
    tenants = store.tenants
    records = [part for part in written.written if part.startswith(TENANT)]
    for part in records if written.full else sorted(records):
        tenant_id = tenant_name(part)
        if not written.full:
            OrderedDict.move_to_end(tenants, tenant_id)  # the order of last change
        _know_tenant(dict.__getitem__(tenants, tenant_id), known)
    for part in written.written:
        if part.startswith(INVOICE) or part.startswith(USAGE):
            tenant_id = _owner(part)
            if tenant_id in tenants:
                _know_tenant(dict.__getitem__(tenants, tenant_id), known)
    known.start = store.start
    known.snapshots = dict(store.snapshots)
    known.generation = store.generation
    known.head = head


def _know_tenant(tenant: Tenant, known: Known) -> None:
    known.invoices[tenant.id] = {i: (inv, inv.revision)
                                 for i, inv in tenant.invoices.items()}
    known.usage[tenant.id] = _usage_print(tenant.usage)


def _owner(part: str) -> str:
    if part.startswith(INVOICE):
        return part[len(INVOICE):].rsplit(":", 1)[0]
    return part.split(":", 1)[1]


def _forget(part: str, known: Known) -> None:
    known.blobs.pop(part, None)
    if part.startswith(TENANT):
        known.invoices.pop(tenant_name(part), None)
        known.usage.pop(tenant_name(part), None)
    elif part.startswith(INVOICE):
        tenant_id, invoice_id = part[len(INVOICE):].rsplit(":", 1)
        known.invoices.get(tenant_id, {}).pop(invoice_id, None)


# -- a sync: bring the copy up to date -------------------------------------------------------


def apply(store: Store, known: Known, parts: list[tuple[str, bytes | None]],
          gone: list[str], head: str) -> None:
    """Bring ``store`` from ``known`` to ``head``: ``parts`` (name, value, in the order they
    changed) replace the store's own, ``gone`` are deleted. New objects replace old ones, so
    a copy of an invoice taken before (a render in progress) never changes under it."""
    tenants = store.tenants
    for part in gone:
        _forget(part, known)
        if part.startswith(TENANT):
            OrderedDict.pop(tenants, tenant_name(part), None)
        elif part.startswith(INVOICE):
            tenant_id, invoice_id = part[len(INVOICE):].rsplit(":", 1)
            tenant = dict.get(tenants, tenant_id)
            if tenant is not None:
                tenant.invoices.pop(invoice_id, None)
        elif part.startswith(SNAPSHOT):
            store.snapshots.pop(part[len(SNAPSHOT):], None)
        elif part.startswith(SESSIONS):
            _put_sessions(store, part[len(SESSIONS):], None)
    by_name = dict(parts)
    by_name.pop(ORDER, None)
    for name in (CORE, PROVIDERS, OUTBOX, START):
        if name in by_name:
            _apply_world_part(store, known, name, by_name[name])
    for name, value in parts:
        if name.startswith(SNAPSHOT):
            store.snapshots[name[len(SNAPSHOT):]] = pickle.loads(value)
        elif name.startswith(SESSIONS):
            tenant_id = name[len(SESSIONS):]
            _put_sessions(store, tenant_id, value)
            known.blobs[name] = _sessions_of(store, tenant_id)  # as this process pickles it
    if CORE in by_name:
        order = known.snapshot_order
        store.snapshots = OrderedDict((s, store.snapshots[s]) for s in order
                                      if s in store.snapshots)
    records = [(n, v) for n, v in parts if n.startswith(TENANT)]
    invoices: dict[str, dict] = {}
    usage: dict[str, deque] = {}
    for name, value in parts:
        if name.startswith(INVOICE):
            tenant_id, invoice_id = name[len(INVOICE):].rsplit(":", 1)
            invoices.setdefault(tenant_id, {})[invoice_id] = pickle.loads(value)
        elif name.startswith(USAGE):
            usage[name[len(USAGE):]] = pickle.loads(value)
    for name, value in records:
        tenant_id, created_at, label, profile, methods, subscriptions, order = pickle.loads(value)
        old = dict.get(tenants, tenant_id)
        mine = invoices.pop(tenant_id, {})
        had = old.invoices if old is not None else {}
        tenant = Tenant(tenant_id, created_at, label, profile,
                        {i: mine[i] if i in mine else had[i] for i in order},
                        methods, subscriptions)
        if tenant_id in usage:
            tenant.usage = usage.pop(tenant_id)
        elif old is not None:
            tenant.usage = old.usage
        OrderedDict.__setitem__(tenants, tenant_id, tenant)
        OrderedDict.move_to_end(tenants, tenant_id)
        # What this process would write for it (a set's order is not the writer's).
        known.blobs[name] = dumps(_tenant_record(tenant))
        _know_tenant(tenant, known)
    for tenant_id, found in invoices.items():  # invoices of tenants whose record stayed
        tenant = dict.get(tenants, tenant_id)
        if tenant is not None:
            tenant.invoices.update(found)
            _know_tenant(tenant, known)
    for tenant_id, events in usage.items():
        tenant = dict.get(tenants, tenant_id)
        if tenant is not None:
            tenant.usage = events
            _know_tenant(tenant, known)
    if CORE in by_name:
        known.blobs[CORE] = dumps(_core(store))  # as this process pickles it
    known.start = store.start
    known.snapshots = dict(store.snapshots)
    known.generation = store.generation
    known.head = head


def load(store: Store, known: Known, parts: list[tuple[str, float, bytes]], head: str) -> None:
    """Make ``store`` the world of ``parts`` (every part, with the revision of its last
    change) at ``head``, from scratch."""
    found = {name: (score, value) for name, score, value in parts}
    missing = [name for name in (CORE, PROVIDERS, OUTBOX, START, ORDER) if name not in found]
    if missing:
        raise ValueError(f"the shared world has no {missing[0]!r} part")
    written_at, _ = found[ORDER]
    place = {tenant_id: i for i, tenant_id in enumerate(pickle.loads(found[ORDER][1]))}

    def order(entry):  # the order of last change; ties: the order of the last whole write
        name, score, _ = entry
        if not name.startswith(TENANT):
            return (0, 0, "")
        tie = place.get(tenant_name(name), len(place)) if score == written_at else 0
        return (score, tie, name)

    store.tenants = OrderedDict()
    store.snapshots = OrderedDict()
    store.providers = ProviderRegistry(store.ids)  # empty books: the parts fill them
    known.blobs.clear()
    known.invoices.clear()
    known.usage.clear()
    ordered = sorted(parts, key=order)
    apply(store, known, [(name, value) for name, _, value in ordered], [], head)


def _apply_world_part(store: Store, known: Known, name: str, value: bytes) -> None:
    if name == CORE:
        found = pickle.loads(value)
        store.ids.__setstate__(found.pop("ids"))  # in place: the providers share it
        known.snapshot_order = found.pop("snapshots")
        for key, item in found.items():
            setattr(store, key, item)
    elif name == PROVIDERS:
        store.providers = _loads_registry(value, store.ids, {
            simulation.slug: simulation.sessions for simulation in store.providers})
    elif name == OUTBOX:
        store.outbox = pickle.loads(value)
    else:
        store.start = pickle.loads(value)
    if name == PROVIDERS:  # as this process pickles it (a set's order is not the writer's)
        known.blobs[name] = _dumps_registry(store.providers, store.ids)
    elif name == OUTBOX:
        known.blobs[name] = dumps(store.outbox)


__all__ = ["Changes", "Known", "Touched", "TrackedTenants", "apply", "changes", "everything",
           "load", "remember", "sessions_reached"]
