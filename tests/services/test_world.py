"""Every change of the whole world goes through one owner, and answers are one moment's picture."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import mockserver
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from mockserver.testing.server import free_port

ROOT = Path(mockserver.__file__).resolve().parent.parent
DEMO = {"Authorization": "Bearer demo-token"}


def _library_file(name: str) -> Path:
    from mockserver.scenarios import resolve

    return Path(resolve(name))


def _wait_for(predicate, timeout: float = 20.0, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(step)
    raise AssertionError("timed out")


def test_watch_reload_serves_fresh_documents(tmp_path):
    """Editing a watched scenario's buyer name changes the invoice JSON *and* its documents."""
    scenario = tmp_path / "watched.yaml"
    scenario.write_text(_library_file("healthy-nl-business").read_text(encoding="utf-8"),
                        encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mockserver.cli", "serve", "--port", str(port), "--scenario",
         str(scenario), "--watch"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        api = f"http://127.0.0.1:{port}/api/v1/billing"
        token = {"Authorization": "Bearer healthy-nl-business-token"}

        def first_invoice():
            try:
                r = httpx.get(f"{api}/invoices", headers=token, timeout=2)
            except httpx.TransportError:
                return None
            return r.json()["data"][-1] if r.status_code == 200 else None

        invoice = _wait_for(first_invoice)
        cii = httpx.get(f"{api}/invoices/{invoice['id']}/download?format=cii", headers=token)
        assert b"Fjord Analytics B.V." in cii.content
        time.sleep(1.1)  # a new mtime the watcher can tell apart
        scenario.write_text(scenario.read_text(encoding="utf-8").replace(
            "Fjord Analytics B.V.", "Fjord Renamed B.V."), encoding="utf-8")

        def renamed():
            r = httpx.get(f"{api}/invoices/{invoice['id']}", headers=token)
            return r.status_code == 200 and r.json()["data"]["buyer"]["company_name"] == (
                "Fjord Renamed B.V.")

        _wait_for(renamed)
        cii = httpx.get(f"{api}/invoices/{invoice['id']}/download?format=cii", headers=token)
        assert b"Fjord Renamed B.V." in cii.content
        assert b"Fjord Analytics B.V." not in cii.content
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def server():
    with LiveServer(Settings(seed=42)) as live:
        yield live


def _finalized_invoice(server) -> dict:
    r = httpx.get(f"{server.api_url}/billing/invoices?status=finalized", headers=DEMO)
    return r.json()["data"][0]


def test_a_send_racing_a_reset_lands_in_one_world(server, monkeypatch):
    """The mail and the state change of a send belong to the same world, or to none."""
    from mockserver.documents import registry

    rendering, go = threading.Event(), threading.Event()
    original = registry.render

    def slow_render(invoice, fmt):
        if not rendering.is_set():
            rendering.set()
            assert go.wait(10)
        return original(invoice, fmt)

    monkeypatch.setattr(registry, "render", slow_render)
    invoice = _finalized_invoice(server)
    answers: list[httpx.Response] = []
    sender = threading.Thread(target=lambda: answers.append(httpx.post(
        f"{server.api_url}/billing/invoices/{invoice['id']}/send", headers=DEMO, timeout=30)))
    sender.start()
    assert rendering.wait(10)
    assert httpx.post(f"{server.url}/_mock/reset", timeout=30).status_code == 200
    go.set()
    sender.join(30)
    outbox = httpx.get(f"{server.url}/_mock/outbox").json()["data"]
    status = httpx.get(f"{server.api_url}/billing/invoices/{invoice['id']}",
                       headers=DEMO).json()["data"]["status"]
    mailed = [m for m in outbox if m["invoice_id"] == invoice["id"]]
    assert (status == "sent") == bool(mailed), (status, outbox)
    assert answers and answers[0].status_code in (200, 409), answers[0].text
    journal = [e["operation_id"] for e in httpx.get(f"{server.url}/_mock/journal").json()["data"]]
    if answers[0].status_code == 200:  # the answer tells of the world it landed in
        assert status == "sent" and len(mailed) == 1
        assert "sendInvoiceEmail" in journal  # and the journal of that world tells of it


def test_an_answer_is_built_while_the_world_is_held(server, monkeypatch):
    """Handlers build their answer under the store's lock: a writer on another thread (the
    clock, a reset, a hosted page, a test's factory) cannot change the world half-way."""
    from mockserver.api import representations

    store = server.store
    free_while_building: list[bool] = []
    original = representations.invoice_json

    def watched(invoice, detail):
        probe = threading.Thread(target=lambda: free_while_building.append(
            _try_lock(store.lock)))
        probe.start()
        probe.join()
        return original(invoice, detail)

    monkeypatch.setattr(representations, "invoice_json", watched)
    import mockserver.api.invoices as handlers
    monkeypatch.setattr(handlers, "invoice_json", watched, raising=False)
    invoice = _finalized_invoice(server)
    httpx.get(f"{server.api_url}/billing/invoices/{invoice['id']}", headers=DEMO)
    httpx.get(f"{server.api_url}/billing/invoices?page_size=3", headers=DEMO)
    assert free_while_building and not any(free_while_building)


def _try_lock(lock) -> bool:
    if lock.acquire(blocking=False):
        lock.release()
        return True
    return False


def test_every_change_of_the_whole_world_bumps_the_generation():
    from mockserver.scenarios.watcher import default_store
    from mockserver.services.world import World

    world = World(default_store(Settings(seed=42)))
    seen = [world.generation]
    snapshot = world.save_snapshot()
    for change in (world.reset, lambda: world.restore(snapshot),
                   lambda: world.load(default_store(Settings(seed=7))),
                   lambda: world.reload(default_store(Settings(seed=42)))):
        change()
        seen.append(world.generation)
    assert seen == sorted(set(seen)) and len(seen) == 5


def test_derived_caches_never_serve_another_world_or_revision():
    from mockserver.scenarios.watcher import default_store
    from mockserver.services.world import World

    world = World(default_store(Settings(seed=42)))
    with world.held() as store:
        invoice = next(i for t in store.tenants.values() for i in t.invoices.values())
    encodings: list[str] = []

    def encode(found):
        encodings.append(found.notes)
        return (found.notes or "").encode()

    assert world.encoded_invoice(invoice, "detail", encode) == world.encoded_invoice(
        invoice, "detail", encode)
    assert len(encodings) == 1  # once per revision
    with world.held():
        invoice.notes = "changed"
    assert world.encoded_invoice(invoice, "detail", encode) == b"changed"
    world.reset()  # the same ids and revisions come back: only the generation tells them apart
    with world.held() as store:
        again = store.tenants[invoice.tenant_id].invoices[invoice.id]
    world.encoded_invoice(again, "detail", encode)
    assert len(encodings) == 3
    assert len(world.encoded) == 1  # what belonged to the old world was let go


def test_a_change_made_under_the_lock_is_in_the_next_answer(server):
    """A test's factory (or any writer) changes an invoice in place: the cached JSON of the
    old revision is never served again."""
    invoice = _finalized_invoice(server)
    url = f"{server.api_url}/billing/invoices/{invoice['id']}"
    assert httpx.get(url, headers=DEMO).json()["data"]["notes"] != "Changed by a test"
    with server.store.lock:
        tenant = server.store.tenant(server.store.tokens["demo-token"].tenant_id)
        tenant.invoices[invoice["id"]].notes = "Changed by a test"
    assert httpx.get(url, headers=DEMO).json()["data"]["notes"] == "Changed by a test"
    listed = httpx.get(f"{server.api_url}/billing/invoices?page_size=100", headers=DEMO)
    assert {i["id"]: i["notes"] for i in listed.json()["data"]}[invoice["id"]] == (
        "Changed by a test")
