"""The whole world as one versioned JSON document, and back (README "The state file").

``encode_world(store)`` reads the store (call it with the store's lock held);
``decode_world(raw, ...)`` builds a new :class:`~mockserver.state.Store` from scratch and
refuses anything that does not fit with a :class:`FormatError` naming where, so a bad
document never reaches a running world.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from typing import Any

from mockserver.domain.clock import RANGE, Clock, in_range, real_time
from mockserver.domain.ids import IdSource
from mockserver.domain.numbering import PREFIXES, InvoiceNumbering
from mockserver.domain.payment_methods import PaymentMethod, PaymentMethodBook
from mockserver.domain.profile import Seller, seller_problems
from mockserver.domain.tenant import Tenant
from mockserver.providers import ProviderRegistry, SetupSession
from mockserver.scenarios.behaviours import Behaviour
from mockserver.state import Snapshot, Store, TokenGrant
from mockserver.statefile.checks import check_one_line, check_sequence, check_text, check_world
from mockserver.statefile.codec import FormatError, decode, decode_dataclass, encode

FORMAT = "billing-mock-state"
VERSION = 1
WORLD_KEYS = ("scenario", "clock", "ids", "seller", "numbering", "tokens", "tenants", "pinned",
              "billed_until", "providers", "behaviours", "outbox", "counters")


def encode_document(store: Store, saved_at: datetime | None = None) -> dict:
    """The state file's document: the current world and the world ``reset`` returns to."""
    with store.lock:
        current, start = store.snapshot(), store.start
    return document_of(current, world_of(start) if start is not None else None, saved_at)


def document_of(current: Snapshot, start: dict | None,
                saved_at: datetime | None = None) -> dict:
    """The document of a snapshot of the world and the encoded start (``world_of``)."""
    document = {"format": FORMAT, "version": VERSION,
                "saved_at": encode(saved_at or datetime.now(timezone.utc)),
                "world": world_of(current)}
    if start is not None:
        document["start"] = start
    return document


def world_of(snapshot: Snapshot) -> dict:
    """A snapshot's world, encoded from a scratch store (no lock: nobody else holds it)."""
    scratch = Store(Clock(), IdSource(0))
    scratch.restore(snapshot)
    return encode_world(scratch)


def encode_world(store: Store) -> dict:
    """The world of ``store`` (hold its lock, or use a store nobody else holds)."""
    return {
        "scenario": store.scenario,
        "clock": _encode_clock(store.clock),
        "ids": {"random_state": encode(list(store.ids.__getstate__()["state"]))},
        "seller": encode(store.seller, "seller"),
        "numbering": [{"document_type": kind, "fiscal_year": year, "next": nxt}
                      for (kind, year), nxt in sorted(store.numbering.state().items())],
        "tokens": {token: encode(grant, f"tokens.{token}")
                   for token, grant in store.tokens.items()},
        "tenants": [_encode_tenant(t, f"tenants[{i}]")
                    for i, t in enumerate(store.tenants.values())],
        "pinned": sorted(store.pinned),
        "billed_until": encode(store.billed_until),
        "providers": {p.slug: _encode_provider(p) for p in store.providers},
        "behaviours": [_encode_behaviour(b, f"behaviours[{i}]")
                       for i, b in enumerate(store.behaviours)],
        "outbox": encode(list(store.outbox), "outbox"),
        "counters": {"evicted_tenants": store.evicted_tenants},
    }


def check_document(raw: Any) -> dict:
    """The document's world, once its format and version are ours."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise FormatError("format", f"not a billing-mock state file (no \"format\": "
                          f"\"{FORMAT}\" at the top)")
    if raw.get("version") != VERSION:
        raise FormatError("version", f"version {raw.get('version')!r} is not one this "
                          f"billing-mock reads (it reads version {VERSION})")
    unknown = sorted(set(raw) - {"format", "version", "saved_at", "world", "start"})
    if unknown:
        raise FormatError(unknown[0], "not a key of a state file")
    return raw


def decode_document(raw: Any, max_tenants: int, outbox_size: int,
                    start_of_settings=None) -> Store:
    """A new store holding the document's world; its ``start`` is the document's, else
    ``start_of_settings`` (the start of the world the settings build)."""
    document = check_document(raw)
    store = decode_world(document.get("world"), "world", max_tenants, outbox_size)
    if "start" in document:
        store.start = decode_world(document["start"], "start", max_tenants,
                                   outbox_size).snapshot()
    else:
        store.start = start_of_settings
    return store


def decode_world(raw: Any, where: str, max_tenants: int, outbox_size: int) -> Store:
    if not isinstance(raw, dict):
        raise FormatError(where, "expected an object")
    unknown = sorted(set(raw) - set(WORLD_KEYS))
    if unknown:
        raise FormatError(f"{where}.{unknown[0]}", "not a key of a world")
    missing = [key for key in WORLD_KEYS if key not in raw]
    if missing:
        raise FormatError(f"{where}.{missing[0]}", "missing")
    check_text(raw, where)
    ids = _decode_ids(raw["ids"], f"{where}.ids")
    tokens = decode(dict[str, TokenGrant], raw["tokens"], f"{where}.tokens")
    store = Store(_decode_clock(raw["clock"], f"{where}.clock"), ids,
                  seller=_decode_seller(raw["seller"], f"{where}.seller"),
                  max_tenants=max_tenants, outbox_size=outbox_size,
                  numbering=_decode_numbering(raw["numbering"], f"{where}.numbering"),
                  tokens={k: TokenGrant(v.tenant_id, tuple(v.permissions), v.label)
                          for k, v in tokens.items()})
    tenants = raw["tenants"]
    if not isinstance(tenants, list):
        raise FormatError(f"{where}.tenants", "expected an array")
    store.tenants = OrderedDict()
    for i, item in enumerate(tenants):
        tenant = _decode_tenant(item, f"{where}.tenants[{i}]")
        if tenant.id in store.tenants:
            raise FormatError(f"{where}.tenants[{i}].id", f"tenant {tenant.id!r} is there twice")
        store.tenants[tenant.id] = tenant
    store.pinned = set(decode(list[str], raw["pinned"], f"{where}.pinned"))
    store.scenario = decode(str | None, raw["scenario"], f"{where}.scenario")
    store.billed_until = decode(datetime | None, raw["billed_until"], f"{where}.billed_until")
    store.providers = _decode_providers(raw["providers"], ids, f"{where}.providers")
    store.behaviours = [_decode_behaviour(b, f"{where}.behaviours[{i}]")
                        for i, b in enumerate(decode(list, raw["behaviours"],
                                                     f"{where}.behaviours"))]
    for i, message in enumerate(decode(list, raw["outbox"], f"{where}.outbox")):
        store.outbox.append(_decode_message(message, f"{where}.outbox[{i}]"))
    counters = decode(dict[str, int], raw["counters"], f"{where}.counters")
    store.evicted_tenants = counters.get("evicted_tenants", 0)
    check_world(store, where)
    return store


# -- the parts --------------------------------------------------------------------------------


def _encode_clock(clock: Clock) -> dict:
    now = clock.now()
    found = {"mode": clock.mode, "now": encode(now)}
    if clock.mode == "running":  # it keeps following the wall clock from the same distance
        offset = now - real_time()
        found["offset_microseconds"] = offset // timedelta(microseconds=1)
    return found


def _decode_clock(raw: Any, where: str) -> Clock:
    found = decode(dict, raw, where)
    mode = found.get("mode")
    if mode == "frozen":
        now = decode(datetime, found.get("now"), f"{where}.now")
        if not in_range(now):
            raise FormatError(f"{where}.now", f"outside the test clock's range, {RANGE}")
        return Clock(now, "frozen")
    if mode == "running":
        if not in_range(decode(datetime, found.get("now"), f"{where}.now")):
            raise FormatError(f"{where}.now", f"outside the test clock's range, {RANGE}")
        offset = decode(int, found.get("offset_microseconds"), f"{where}.offset_microseconds")
        try:
            now = real_time() + timedelta(microseconds=offset)
        except OverflowError:  # past year 9999
            now = None
        if now is None or not in_range(now):
            raise FormatError(where, f"outside the test clock's range, {RANGE}")
        return Clock(now, "running")
    raise FormatError(f"{where}.mode", f"expected 'frozen' or 'running', got {mode!r}")


def _decode_seller(raw: Any, where: str) -> Seller:
    """The seller, under the rule a scenario's seller obeys (``seller_problems``): a partial
    one is refused naming what is missing, never completed with ScaiLabs' bank account."""
    found = decode(dict, raw, where)
    named = {k: v for k, v in found.items() if k != "extra"}
    missing = [problem for problem in seller_problems(named) if "missing" in problem[1]]
    if missing:  # every missing field at once, before the typed decode names only the first
        name, problem = missing[0]
        raise FormatError(f"{where}.{name}" if name else where, problem)
    seller = decode(Seller, found, where)  # the types next: the rule reads typed values
    check_one_line(seller, where)  # it goes into mail headers and every document
    problems = seller_problems({k: getattr(seller, k) for k in found if k != "extra"})
    if problems:
        name, problem = problems[0]
        more = "; ".join(f"{where}.{n}: {p}" if n else p for n, p in problems[1:])
        raise FormatError(f"{where}.{name}" if name else where,
                          f"{problem}; {more}" if more else problem)
    return seller


def _decode_ids(raw: Any, where: str) -> IdSource:
    found = decode(dict, raw, where)
    state = found.get("random_state")
    try:
        version, internal, gauss = state
        ids = IdSource()
        ids.__setstate__({"state": (version, tuple(internal), gauss)})
        return ids
    except (TypeError, ValueError):
        raise FormatError(f"{where}.random_state", "not the state of a random stream") from None


def _decode_numbering(raw: Any, where: str) -> InvoiceNumbering:
    numbering = InvoiceNumbering()
    state = {}
    for i, entry in enumerate(decode(list, raw, where)):
        at = f"{where}[{i}]"
        entry = decode(dict, entry, at)
        kind = entry.get("document_type")
        if kind not in PREFIXES:
            raise FormatError(f"{at}.document_type", f"expected one of {', '.join(PREFIXES)}")
        key = (kind, decode(int, entry.get("fiscal_year"), f"{at}.fiscal_year"))
        if key in state:
            raise FormatError(at, f"{kind} {key[1]} is there twice")
        state[key] = decode(int, entry.get("next"), f"{at}.next")
        check_sequence(state[key], f"{at}.next")
    numbering.restore(state)
    return numbering


def _encode_tenant(tenant: Tenant, where: str) -> dict:
    found = {f.name: encode(getattr(tenant, f.name), f"{where}.{f.name}")
             for f in dataclasses.fields(Tenant) if f.name != "methods"}
    found["methods"] = {"limit": tenant.methods.limit,
                        "methods": encode(tenant.methods.all(), f"{where}.methods")}
    return found


def _decode_tenant(raw: Any, where: str) -> Tenant:
    found = decode(dict, raw, where)
    methods = decode(dict, found.get("methods"), f"{where}.methods")
    book = PaymentMethodBook.of(
        decode(list[PaymentMethod], methods.get("methods"), f"{where}.methods.methods"),
        decode(int, methods.get("limit", 50), f"{where}.methods.limit"))
    tenant = decode_dataclass(Tenant, {k: v for k, v in found.items() if k != "methods"},
                              where, methods=book)
    for key, invoice in tenant.invoices.items():
        if invoice.id != key:
            raise FormatError(f"{where}.invoices.{key}.id", f"is {invoice.id!r}")
    return tenant


def _encode_provider(simulation) -> dict:
    return {"sessions": [{**encode(session, "session"), "aliases": list(aliases)}
                         for session, aliases in simulation.sessions.entries()],
            "forced_outcomes": list(simulation.forced_outcomes()),
            "evicted": simulation.sessions.evicted}


def _decode_providers(raw: Any, ids: IdSource, where: str) -> ProviderRegistry:
    registry = ProviderRegistry(ids)
    found = decode(dict, raw, where)
    unknown = sorted(set(found) - set(registry.slugs()))
    if unknown:
        raise FormatError(f"{where}.{unknown[0]}", "not a payment provider")
    for slug, state in found.items():
        at = f"{where}.{slug}"
        state = decode(dict, state, at)
        simulation = registry.get(slug)
        for i, entry in enumerate(decode(list, state.get("sessions", []), f"{at}.sessions")):
            entry = decode(dict, entry, f"{at}.sessions[{i}]")
            aliases = decode(list[str], entry.get("aliases", []), f"{at}.sessions[{i}].aliases")
            session = decode(SetupSession, {k: v for k, v in entry.items() if k != "aliases"},
                             f"{at}.sessions[{i}]")
            simulation.sessions.add(session, *aliases)
        for i, outcome in enumerate(decode(list[str], state.get("forced_outcomes", []),
                                           f"{at}.forced_outcomes")):
            try:
                simulation.force_next_outcome(outcome)
            except Exception as exc:  # noqa: BLE001 - the provider says why, in its words
                raise FormatError(f"{at}.forced_outcomes[{i}]", str(exc)) from None
        simulation.sessions.evicted = decode(int, state.get("evicted", 0), f"{at}.evicted")
    return registry


def _encode_behaviour(behaviour: Behaviour, where: str) -> dict:
    found = encode(behaviour, where)
    found["random_state"] = encode(list(behaviour._random.getstate()))
    return found


def _decode_behaviour(raw: Any, where: str) -> Behaviour:
    found = decode(dict, raw, where)
    behaviour = decode(Behaviour, {k: v for k, v in found.items() if k != "random_state"},
                       where)
    try:
        version, internal, gauss = found["random_state"]
        behaviour._random.setstate((version, tuple(internal), gauss))
    except (KeyError, TypeError, ValueError):
        raise FormatError(f"{where}.random_state", "not the state of a random stream") from None
    return behaviour


def _decode_message(raw: Any, where: str) -> dict:
    message = decode(dict, raw, where)
    message["sent_at"] = decode(datetime, message.get("sent_at"), f"{where}.sent_at")
    delivery = message.get("delivery")
    if isinstance(delivery, dict) and delivery.get("status") == "queued":
        # Its worker went with the server that wrote the file.
        message["delivery"] = {**delivery, "status": "failed",
                               "error": "the server stopped before the delivery was done"}
    return message


__all__ = ["FORMAT", "VERSION", "check_document", "decode_document", "decode_world",
           "document_of", "encode_document", "encode_world", "world_of"]
