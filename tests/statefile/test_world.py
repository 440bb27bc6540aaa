"""The state file's format: every world the mock can build is written and read back whole,
typed as it was, and a value that does not fit is refused where it is."""

from __future__ import annotations

import dataclasses
import json
import random
from collections import deque
from datetime import timedelta

import pytest

from mockserver.scenarios import describe_all
from mockserver.scenarios.watcher import store_for
from mockserver.settings import Settings
from mockserver.statefile import FormatError, decode_document, encode_document

WORLDS = [None] + [entry["name"] for entry in describe_all()]


def same(a, b, where: str) -> list[str]:
    """Where ``a`` and ``b`` differ, looking inside dataclasses, containers and books."""
    if type(a) is not type(b):
        return [f"{where}: {type(a).__name__} became {type(b).__name__}"]
    if isinstance(a, random.Random):
        return [] if a.getstate() == b.getstate() else [f"{where}: random state"]
    if dataclasses.is_dataclass(a):
        return [d for f in dataclasses.fields(a)
                for d in same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")]
    if isinstance(a, (list, tuple, deque)):
        if len(a) != len(b) or (isinstance(a, deque) and a.maxlen != b.maxlen):
            return [f"{where}: length or bound"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in same(x, y, f"{where}[{i}]")]
    if isinstance(a, dict):
        if list(a) != list(b):
            return [f"{where}: keys"]
        return [d for k in a for d in same(a[k], b[k], f"{where}.{k}")]
    if hasattr(a, "all") and hasattr(a, "limit"):  # a payment method book
        return same(a.all(), b.all(), where) + ([] if a.limit == b.limit else [f"{where}: limit"])
    return [] if a == b else [f"{where}: {a!r} became {b!r}"]


def round_trip(store):
    text = json.dumps(encode_document(store))
    return decode_document(json.loads(text), store.max_tenants, store.outbox_size, None), text


@pytest.mark.parametrize("name", WORLDS)
def test_every_world_is_written_and_read_back_whole(name):
    store = store_for(Settings(seed=42, scenario=name))
    back, text = round_trip(store)
    differences = []
    for attribute in ("tenants", "tokens", "pinned", "seller", "behaviours", "billed_until",
                      "scenario", "outbox", "evicted_tenants"):
        differences += same(getattr(store, attribute), getattr(back, attribute), attribute)
    for provider in store.providers:
        other = back.providers.get(provider.slug)
        differences += same(provider.sessions.entries(), other.sessions.entries(), provider.slug)
        differences += same(provider.forced_outcomes(), other.forced_outcomes(), provider.slug)
    assert not differences, differences[:10]
    assert store.numbering.state() == back.numbering.state()
    assert back.clock.mode == store.clock.mode
    drift = abs(back.clock.now() - store.clock.now())
    assert drift == timedelta(0) if store.clock.mode == "frozen" else drift < timedelta(seconds=5)
    again = json.loads(json.dumps(encode_document(back)))
    first = json.loads(text)
    for document in (first, again):
        document.pop("saved_at")
        for part in ("world", "start"):
            document[part]["clock"].pop("offset_microseconds", None)
            if document[part]["clock"]["mode"] == "running":
                document[part]["clock"].pop("now")
    assert again == first
    assert store.ids.new("x") == back.ids.new("x")  # the id stream goes on where it was


def test_a_value_that_does_not_fit_is_refused_where_it_is():
    document = encode_document(store_for(Settings(seed=42)))
    document["world"]["tenants"][0]["profile"]["created_at"] = "2026-01-01T00:00:00"
    with pytest.raises(FormatError) as refused:
        decode_document(document, 10_000, 500, None)
    assert refused.value.where == "world.tenants[0].profile.created_at"
    assert "RFC 3339 time with its offset" in refused.value.problem
