"""Two replicas of two workers each on one real Redis behave as one server: every rule the
embedded world keeps under its lock holds across them, with bounded concurrent loops.

Each request goes on a new connection, so the kernel hands it to either worker of its
replica; the loops alternate replicas. The replicas run with ``verify_reads``: a read that
changed a worker's copy would be a 500 here.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from mockserver.app import default_store
from mockserver.services import clock as clock_service
from mockserver.settings import Settings
from tests.conftest import make_jwt

NUMBER = re.compile(r"^(?P<prefix>[A-Z-]+)-(?P<year>\d{4})-(?P<seq>\d+)$")
THREADS = 6


def in_parallel(work, count: int = THREADS) -> list:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(work, range(count)))


def invoices_by_tenant(replica) -> dict[str, list[dict]]:
    with replica.control() as control:
        tenants = control.get("/tenants").json()["data"]
        return {tenant["id"]: control.get(f"/tenants/{tenant['id']}").json()["data"]["invoices"]
                for tenant in tenants}


def all_invoices(replica) -> list[dict]:
    return [i for found in invoices_by_tenant(replica).values() for i in found]


def cpu_ticks(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(stat[11]) + int(stat[12])


def test_a_change_on_one_replica_is_read_on_the_other_and_both_workers_serve(fresh):
    a, b = fresh
    workers = [pid for replica in fresh for pid in replica.workers()]
    assert len(workers) == 4
    before = {pid: cpu_ticks(pid) for pid in workers}
    with a.client() as on_a, b.client() as on_b:
        for i in range(30):
            name = f"Shared {i} B.V."
            assert (on_a if i % 2 else on_b).put(
                "/billing/billing-profile", json={"company_name": name}).status_code == 200
            for reader in (on_a, on_b, on_a, on_b):
                assert reader.get("/billing/billing-profile").json()["data"]["company_name"] == name
    assert all(cpu_ticks(pid) > before[pid] for pid in workers)  # every worker answered


def test_clock_moves_from_both_replicas_run_every_event_once_and_number_without_gaps(fresh):
    a, b = fresh
    with a.control() as control:  # frozen a minute ahead (the clock does not go back)
        now = (datetime.fromisoformat(control.get("/clock").json()["data"]["now"])
               + timedelta(minutes=1)).isoformat()
        assert control.post("/clock/set", json={"now": now, "mode": "frozen"}).status_code == 200

    def advance(i):
        events = []
        with (a if i % 2 else b).control() as control:
            for _ in range(3):
                r = control.post("/clock/advance", json={"days": 5})
                assert r.status_code == 200, r.text
                events += r.json()["data"]["events"]
        return events

    events = [e for found in in_parallel(advance) for e in found]
    with b.control() as control:
        end = control.get("/clock").json()["data"]["now"]
    start = datetime.fromisoformat(now)
    assert datetime.fromisoformat(end.replace("Z", "+00:00")) == start + timedelta(days=90)
    # Each event once: a charge per invoice and due date, an invoice per period end.
    keys = Counter((e["type"], e.get("invoice_id"), e.get("at")) for e in events)
    assert events and max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    # Numbers: unique and gap-free per document type and fiscal year, on either replica.
    for replica in fresh:
        by_year = defaultdict(list)
        for invoice in all_invoices(replica):
            if invoice["number"]:
                found = NUMBER.match(invoice["number"])
                by_year[(found["prefix"], found["year"])].append(int(found["seq"]))
        for series, seqs in by_year.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), series
    # The same invoices one process makes moving the clock 90 days in one go (which tenant
    # gets which number at a shared instant follows the order tenants last changed in).
    reference = default_store(Settings(seed=42))
    clock_service.set_time(reference, start, "frozen", allow_backwards=True)
    clock_service.advance(reference, timedelta(days=90))
    expected = {t.id: sorted((i.status.value, i.total_cents, str(i.issue_date))
                             for i in t.visible_invoices()) for t in reference.tenants.values()}
    got = {tenant: sorted((i["status"], i["total_cents"], i["issue_date"]) for i in found)
           for tenant, found in invoices_by_tenant(a).items()}
    assert got == expected
    assert sorted(i["number"] for i in all_invoices(b)) == sorted(
        i.number for t in reference.tenants.values() for i in t.visible_invoices())


def test_exactly_one_default_method_under_concurrent_switches(fresh):
    a, b = fresh
    with a.client() as on_a:
        for _ in range(3):
            assert on_a.post("/billing/payment-methods", json={
                "provider_slug": "stripe", "method_type": "card"}).status_code == 201
        ids = [m["id"] for m in on_a.get("/billing/payment-methods").json()["data"]]
    assert len(ids) == 5

    def switch(i):
        rng = random.Random(i)
        seen = []
        with (a if i % 2 else b).client() as c:
            for _ in range(12):
                assert c.post(f"/billing/payment-methods/{rng.choice(ids)}/default"
                              ).status_code == 200
                methods = c.get("/billing/payment-methods").json()["data"]
                seen.append(sum(m["is_default"] for m in methods))
        return seen

    assert set(n for found in in_parallel(switch) for n in found) == {1}
    for replica in fresh:
        with replica.client() as c:
            methods = c.get("/billing/payment-methods").json()["data"]
            assert len(methods) == 5 and sum(m["is_default"] for m in methods) == 1


def test_a_confirm_sent_at_once_to_every_worker_creates_one_method(fresh):
    a, b = fresh
    with a.client() as on_a:
        before = {m["id"] for m in on_a.get("/billing/payment-methods").json()["data"]}
        setup = on_a.post("/billing/payment-providers/stripe/setup", json={
            "method_type": "card", "return_url": "http://localhost:3000/r"}).json()["data"]
    body = {"confirmation_data": {"setup_intent_id": setup["setup_intent_id"],
                                  "payment_method": "pm_card_visa"}}

    def confirm(i):
        with (a if i % 2 else b).client() as c:
            r = c.post("/billing/payment-providers/stripe/confirm", json=body)
            assert r.status_code == 200, r.text
            return r.json()["data"]["id"]

    made = set(in_parallel(confirm, 8))
    assert len(made) == 1
    with b.client() as on_b:
        after = {m["id"] for m in on_b.get("/billing/payment-methods").json()["data"]}
    assert after - before == made


def test_a_scripted_outcome_fires_once_across_replicas(fresh):
    a, b = fresh
    with b.control() as control:
        assert control.post("/outcomes", json={"provider": "stripe",
                                               "outcome": "card_declined"}).status_code == 200
    with a.client() as on_a:
        intents = [on_a.post("/billing/payment-providers/stripe/setup", json={
            "method_type": "card", "return_url": "http://localhost:3000/r"}).json()["data"][
            "setup_intent_id"] for _ in range(8)]

    def confirm(i):
        with (a if i % 2 else b).client() as c:
            return c.post("/billing/payment-providers/stripe/confirm", json={
                "confirmation_data": {"setup_intent_id": intents[i],
                                      "payment_method": "pm_card_visa"}}).status_code

    assert Counter(in_parallel(confirm, 8)) == {200: 7, 402: 1}
    with a.control() as control:
        stripe = next(o for o in control.get("/outcomes").json()["data"]
                      if o["provider"] == "stripe")
        assert stripe["queued"] == []


def test_a_scripted_answer_for_n_calls_answers_n_calls_in_all(fresh):
    a, b = fresh
    with a.control() as control:
        assert control.post("/behaviours", json={
            "operation": "getBillingOverview", "respond": {"status": 503}, "times": 5}
        ).status_code == 200

    def call(i):
        with (a if i % 2 else b).client() as c:
            return [c.get("/billing/overview").status_code for _ in range(4)]

    assert Counter(s for found in in_parallel(call) for s in found) == {503: 5, 200: 19}


def test_tenants_stay_apart_under_concurrent_writes(fresh):
    a, b = fresh
    tokens = [make_jwt(f"tnt_iso_{i}") for i in range(4)]

    def work(i):
        own = []
        with (a if i % 2 else b).client(tokens[i]) as c:
            for round_ in range(5):
                name = f"Tenant {i} round {round_}"
                assert c.put("/billing/billing-profile",
                             json={"company_name": name}).status_code == 200
                r = c.post("/billing/payment-methods",
                           json={"provider_slug": "mollie", "method_type": "ideal"})
                assert r.status_code == 201
                own.append(r.json()["data"]["id"])
                assert c.get("/billing/billing-profile").json()["data"]["company_name"] == name
        return own

    owned = in_parallel(work, 4)
    for i, token in enumerate(tokens):
        with (b if i % 2 else a).client(token) as c:
            assert {m["id"] for m in c.get("/billing/payment-methods").json()["data"]} == set(
                owned[i])
            other = owned[(i + 1) % 4][0]
            assert c.post(f"/billing/payment-methods/{other}/default").status_code == 404


def test_journal_outbox_and_sessions_are_one_for_all(fresh):
    a, b = fresh
    ids = []
    for i in range(6):
        with (a if i % 2 else b).client() as c:
            ids.append(c.get("/billing/overview").headers["X-Request-ID"])
    for replica in fresh:
        with replica.control() as control:
            journal = {e["request_id"] for e in control.get(
                "/journal", params={"limit": 1000}).json()["data"]}
            assert set(ids) <= journal
    with a.client() as on_a:
        finalized = next(i for i in on_a.get("/billing/invoices").json()["data"]
                         if i["status"] == "finalized")
        sent = on_a.post(f"/billing/invoices/{finalized['id']}/send")
        assert sent.status_code == 200
        setup = on_a.post("/billing/payment-providers/mollie/setup", json={
            "method_type": "ideal", "return_url": "http://localhost:3000/r"}).json()["data"]
    with b.control() as control:
        assert sent.json()["data"]["message_id"] in {
            m["message_id"] for m in control.get("/outbox").json()["data"]}
    page = setup["redirect_url"].replace(a.url, b.url)
    assert httpx.get(page).status_code == 200
    assert httpx.post(page, data={"choice": "paid"}).status_code == 303
    with b.client() as on_b:
        r = on_b.post("/billing/payment-providers/mollie/confirm", json={
            "confirmation_data": {"session_id": setup["session_id"]}})
        assert r.status_code == 200, r.text


def test_the_journal_is_bounded_for_all_replicas(fresh):
    a, b = fresh

    def call(i):
        with (a if i % 2 else b).client() as c:
            return [c.get("/billing/billing-profile").headers["X-Request-ID"]
                    for _ in range(175)]

    made = [r for found in in_parallel(call) for r in found]  # 1,050 requests
    with b.control() as control:
        journal = control.get("/journal", params={"limit": 1000}).json()["data"]
    assert len(journal) == 1000
    assert {e["request_id"] for e in journal} <= set(made)


def test_every_read_operation_leaves_the_shared_world_as_it_was(fresh):
    """The replicas check it (``verify_reads``): a read that changes a worker's copy is a
    500, and then the copy is not used again."""
    a, _ = fresh
    with a.client() as c, a.control() as control:
        invoice = c.get("/billing/invoices").json()["data"][0]["id"]
        tenant = control.get("/tenants").json()["data"][0]["id"]
        paths = ["/billing/billing-profile", "/billing/invoices", f"/billing/invoices/{invoice}",
                 f"/billing/invoices/{invoice}/download?format=ubl", "/billing/overview",
                 "/billing/upcoming", "/billing/payment-methods", "/billing/payment-providers",
                 "/billing/payment-providers/stripe/config"]
        for path in paths:
            assert c.get(path).status_code == 200, path
        for path in ["/health", "/clock", "/tenants", f"/tenants/{tenant}", "/journal",
                     "/outbox", "/snapshots", "/outcomes", "/behaviours", "/scenarios"]:
            assert control.get(path).status_code == 200, path
    with a.client(make_jwt("tnt_first_seen_by_a_read")) as c:
        assert c.get("/billing/billing-profile").json()["data"] is None  # a read that writes
    with a.control() as control:
        assert "tnt_first_seen_by_a_read" in {t["id"] for t in control.get(
            "/tenants").json()["data"]}


def test_a_snapshot_taken_on_one_replica_is_restored_on_the_other(fresh):
    a, b = fresh
    with a.client() as on_a, a.control() as control:
        snapshot = control.post("/snapshot").json()["data"]["id"]
        on_a.put("/billing/billing-profile", json={"company_name": "After the snapshot"})
    with b.control() as control:
        assert control.post("/restore", json={"id": snapshot}).status_code == 200
    with a.client() as on_a:
        assert on_a.get("/billing/billing-profile").json()["data"]["company_name"] != (
            "After the snapshot")


# Last in the module: after a load, a reset returns to the scenario's start, not the default
# world's.
def test_a_reset_or_a_load_is_seen_whole_by_every_reader(fresh):
    a, b = fresh
    worlds = []
    with a.control() as control:
        worlds.append(_tenants(control))
        assert control.post("/scenario", json={"name": "dunning"}).status_code == 200
        worlds.append(_tenants(control))
        assert control.post("/reset").status_code == 200
    assert worlds[0] != worlds[1]

    def read(i):
        seen = []
        with (a if i % 2 else b).control() as control:
            for _ in range(15):
                seen.append(_tenants(control))
        return seen

    def switch(_):
        with b.control() as control:
            for name in ("dunning", None, "dunning", None, "dunning", None):
                r = (control.post("/scenario", json={"name": name}) if name
                     else control.post("/reset"))
                assert r.status_code == 200, r.text
        return []

    with ThreadPoolExecutor(5) as pool:
        readers = [pool.submit(read, i) for i in range(4)]
        pool.submit(switch, 0).result()
        seen = [s for reader in readers for s in reader.result()]
    # ``reset`` returns to the loaded world's start: after a load that is the scenario's.
    assert all(s in worlds for s in seen), [s for s in seen if s not in worlds][:1]


def _tenants(control) -> list:
    return sorted((t["id"], t["invoice_count"], tuple(t["tokens"]))
                  for t in control.get("/tenants").json()["data"])
