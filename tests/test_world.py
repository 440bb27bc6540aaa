"""The default world: documented tokens, every visible state, each VAT case, deterministic."""

import dataclasses
import json
from collections import deque
from datetime import datetime, timezone

import pytest

from mockserver.app import default_store
from mockserver.domain.clock import Clock
from mockserver.domain.invoices import TENANT_VISIBLE
from mockserver.settings import Settings
from mockserver.world import demo_tenants

START = datetime(2026, 6, 15, 12, tzinfo=timezone.utc)


def world(seed=42):
    return default_store(Settings(seed=seed), Clock(START, mode="frozen"))


def tenant_for(store, token):
    return store.tenants[store.tokens[token].tenant_id]


def test_documented_tokens():
    assert [d.token for d in demo_tenants()] == ["demo-token", "de-token", "eu-token",
                                                   "us-token", "new-token"]


@pytest.mark.parametrize("token, country, case", [
    ("demo-token", "NL", "domestic"), ("de-token", "DE", "intra_eu_b2c"),
    ("eu-token", "BE", "intra_eu_b2b"), ("us-token", "US", "export"),
])
def test_each_profiled_tenant_has_8_plus_invoices_in_every_state_and_a_credit_note(
        token, country, case):
    tenant = tenant_for(world(), token)
    invoices = tenant.visible_invoices()
    assert tenant.profile.country_code == country
    assert len(invoices) >= 8
    assert {i.status for i in invoices} == set(TENANT_VISIBLE)
    assert sum(i.is_credit_note for i in invoices) == 1
    assert {i.vat.case for i in invoices} == {case}
    assert tenant.subscriptions and tenant.methods.default() is not None
    assert len(tenant.usage) > 0


def test_german_public_sector_buyer_prefers_xrechnung_with_a_leitweg_id():
    profile = tenant_for(world(), "de-token").profile
    assert profile.preferred_einvoice_format == "xrechnung" and profile.leitweg_id
    assert profile.buyer_reference == profile.leitweg_id


def test_new_tenant_has_nothing():
    tenant = tenant_for(world(), "new-token")
    assert tenant.profile is None and not tenant.invoices and not tenant.methods.active()


def test_numbers_are_gap_free_and_follow_issue_dates():
    store = world()
    invoices = [i for t in store.tenants.values() for i in t.visible_invoices()
                if not i.is_credit_note]
    by_year = {}
    for invoice in sorted(invoices, key=lambda i: i.number):
        by_year.setdefault(invoice.number[5:9], []).append(invoice)
    assert len(by_year) == 2  # the history of a June clock starts the year before
    for year, numbered in by_year.items():
        assert [int(i.number[-6:]) for i in numbered] == list(range(1, len(numbered) + 1))
        assert all(str(i.issue_date.year) == year for i in numbered)
        assert [i.issue_date for i in numbered] == sorted(i.issue_date for i in numbered)


def as_json(store) -> str:
    """The world as JSON: tenants field by field (pickles of equal worlds can differ in bytes,
    as pickle follows which equal objects happen to be shared, e.g. buyer snapshots)."""
    def plain(value):
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, deque)):
            return [plain(v) for v in value]
        if hasattr(value, "all"):  # the payment method book
            return plain(value.all())
        return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)

    world = {"clock": [store.clock.now(), store.clock.mode],
             "numbering": sorted(store.numbering.state().items()), "tokens": store.tokens,
             "tenants": list(store.tenants.values())}
    return json.dumps(plain(world))


def standing():
    return START


@pytest.mark.parametrize("mode", ["frozen", "running"])
def test_the_same_seed_and_clock_give_the_same_world(mode):
    def build():  # a running clock reads its source: here one that stands at START
        clock = Clock(START, mode="frozen") if mode == "frozen" else Clock(source=standing)
        return default_store(Settings(seed=42), clock)

    first, second = build(), build()
    assert first.snapshot().rest == second.snapshot().rest  # clock, ids, numbering, tokens...
    assert as_json(first) == as_json(second)
    assert as_json(first) != as_json(world(43))
