"""The state file through the live server: the world survives a stop, a restart and a kill -9
(losing at most the last second); a corrupt or foreign file is refused whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from mockserver.settings import Settings
from mockserver.testing import LiveServer
from mockserver.testing.server import free_port

DEMO = {"Authorization": "Bearer demo-token"}
READS = ["/billing/billing-profile", "/billing/invoices?page_size=50", "/billing/overview",
         "/billing/upcoming", "/billing/payment-methods"]


def change_the_world(api: str, mock: str) -> dict:
    """A new default method, a sent invoice, a clock advance and, last, a profile edit."""
    with httpx.Client(base_url=api, headers=DEMO, timeout=30) as c:
        method = c.post("/billing/payment-methods",
                        json={"provider_slug": "mollie", "method_type": "ideal"}).json()["data"]
        assert c.post(f"/billing/payment-methods/{method['id']}/default").status_code == 200
        invoice = next(i for i in c.get("/billing/invoices").json()["data"]
                       if i["status"] == "finalized")
        assert c.post(f"/billing/invoices/{invoice['id']}/send").status_code == 200
        assert httpx.post(f"{mock}/clock/advance", json={"days": 3}).status_code == 200
        assert c.put("/billing/billing-profile",  # the world is written whole: once this
                     json={"company_name": "Kept Across Restarts BV"}).status_code == 200
    return {"method": method["id"], "invoice": invoice["id"]}


def answers(api: str, mock: str) -> dict:
    with httpx.Client(base_url=api, headers=DEMO, timeout=30) as c:
        found = {path: c.get(path).json()["data"] for path in READS}
    found["outbox"] = httpx.get(f"{mock}/outbox").json()["data"]
    found["tenants"] = httpx.get(f"{mock}/tenants").json()["data"]
    found["clock_mode"] = httpx.get(f"{mock}/clock").json()["data"]["mode"]
    return found


def test_the_world_survives_a_stop_and_a_restart_of_the_live_server(tmp_path):
    path = tmp_path / "world.json"
    settings = Settings(seed=42, state_file=str(path))
    with LiveServer(settings) as first:
        made = change_the_world(first.api_url, f"{first.url}/_mock")
        before = answers(first.api_url, f"{first.url}/_mock")
    document = json.loads(path.read_text(encoding="utf-8"))  # JSON, not pickle
    assert (document["format"], document["version"]) == ("billing-mock-state", 1)
    assert set(document) == {"format", "version", "saved_at", "world", "start"}
    with LiveServer(settings) as second:
        after = answers(second.api_url, f"{second.url}/_mock")
        assert after == before
        assert after["/billing/billing-profile"]["company_name"] == "Kept Across Restarts BV"
        assert any(m["id"] == made["method"] and m["is_default"]
                   for m in after["/billing/payment-methods"])
        # reset still means the start of the world, not the saved moment
        httpx.post(f"{second.url}/_mock/reset")
        profile = httpx.get(f"{second.api_url}/billing/billing-profile", headers=DEMO).json()
        assert profile["data"]["company_name"] != "Kept Across Restarts BV"


def test_a_world_loaded_through_the_control_api_survives_with_its_own_start(tmp_path):
    settings = Settings(seed=42, state_file=str(tmp_path / "world.json"))
    with LiveServer(settings) as first:
        assert httpx.post(f"{first.url}/_mock/scenario", json={"name": "dunning"}).status_code \
            == 200
        httpx.post(f"{first.url}/_mock/clock/advance", json={"days": 6})
        clock = httpx.get(f"{first.url}/_mock/clock").json()["data"]
    with LiveServer(settings) as second:
        assert httpx.get(f"{second.url}/_mock/clock").json()["data"] == clock
        assert httpx.get(f"{second.url}/_mock/health").json()["scenario"] == "dunning"
        world = httpx.post(f"{second.url}/_mock/reset").json()["data"]
        assert world == {"scenario": "dunning", "now": "2026-03-10T09:00:00Z", "tenants": 1}


def serve(port: int, state_file) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(port), "--state-file", str(state_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def ready(proc: subprocess.Popen, base: str) -> bool:
    for _ in range(300):
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(f"{base}/_mock/health").status_code == 200:
                return True
        except httpx.TransportError:
            time.sleep(0.05)
    return False


def saved_name(path) -> str | None:
    try:
        world = json.loads(path.read_text(encoding="utf-8"))["world"]
    except (OSError, ValueError):
        return None
    demo_id = world["tokens"]["demo-token"]["tenant_id"]
    return next(t for t in world["tenants"] if t["id"] == demo_id)["profile"]["company_name"]


def test_serve_keeps_the_world_through_kill_9_losing_at_most_the_last_second(tmp_path):
    path = tmp_path / "world.json"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first = serve(port, path)
    try:
        assert ready(first, base)
        change_the_world(f"{base}/api/v1", f"{base}/_mock")
        for _ in range(50):  # the last change written within the second (polled, 5 s at most)
            if saved_name(path) == "Kept Across Restarts BV":
                break
            time.sleep(0.1)
        before = answers(f"{base}/api/v1", f"{base}/_mock")
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.communicate(timeout=20)
    second = serve(port, path)
    try:
        assert ready(second, base), second.stdout.read()
        assert answers(f"{base}/api/v1", f"{base}/_mock") == before
    finally:
        second.terminate()
        output = second.communicate(timeout=20)[0]
    assert f"state file {path}: world loaded from it" in output


def test_serve_writes_the_last_changes_on_shutdown(tmp_path):
    path = tmp_path / "world.json"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first = serve(port, path)
    try:
        assert ready(first, base)
        httpx.put(f"{base}/api/v1/billing/billing-profile", headers=DEMO,
                  json={"company_name": "Written At Shutdown BV"})
    finally:
        first.terminate()  # at once: the keeper's second has not passed
        first.communicate(timeout=20)
    assert saved_name(path) == "Written At Shutdown BV"


@pytest.fixture(scope="module")
def saved_document(tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "world.json"
    with LiveServer(Settings(seed=42, state_file=str(path))) as live:
        httpx.put(f"{live.api_url}/billing/billing-profile", headers=DEMO,
                  json={"company_name": "Saved BV"})
    return json.loads(path.read_text(encoding="utf-8"))


def corrupted(document: dict, how: str) -> bytes:
    document = json.loads(json.dumps(document))
    if how == "not json":
        return b'{"format": "billing-mock-state", "version": 1, "world": {'
    if how == "foreign":
        return json.dumps({"some": "other program's state"}).encode()
    if how == "pickle":
        import pickle
        return pickle.dumps({"world": 1})
    if how == "newer":
        document["version"] = 2
    elif how == "bad date deep inside":
        invoices = document["world"]["tenants"][1]["invoices"]
        invoices[sorted(invoices)[0]]["issue_date"] = "soon"
    elif how == "unknown key":
        document["world"]["tenants"][0]["profile"]["favourite_colour"] = "green"
    elif how == "missing part":
        del document["world"]["numbering"]
    elif how == "utf-16":
        return json.dumps(document).encode("utf-16")
    else:
        BREAKS[how](document["world"])
    return json.dumps(document).encode()


def _first_invoice(world: dict, tenant: int = 1, status: str | None = None) -> dict:
    invoices = world["tenants"][tenant]["invoices"]
    return next(invoices[key] for key in sorted(invoices)
                if status is None or invoices[key]["status"] == status)


def _second_numbering_entry(world: dict) -> None:
    world["numbering"].append({**world["numbering"][0], "next": 1})


# Documents that parse and fit the types, and still describe no world the mock can serve.
BREAKS = {
    "NUL in a profile": lambda w: w["tenants"][0]["profile"].update(company_name="Acme\x00"),
    "U+FFFF in a profile": lambda w: w["tenants"][0]["profile"].update(city="Breda\uffff"),
    "a lone surrogate": lambda w: w["tenants"][0]["profile"].update(company_name="\ud800"),
    "a profile without city": lambda w: w["tenants"][0]["profile"].pop("city"),
    "an invoice without number": lambda w: _first_invoice(w).pop("number"),
    "a paid invoice numbered null": lambda w: _first_invoice(w, status="paid").update(
        number=None),
    "numbering below 1": lambda w: w["numbering"][0].update(next=-5),
    "numbering twice": _second_numbering_entry,
    "numbering behind its invoices": lambda w: [
        entry.update(next=2) for entry in w["numbering"] if entry["document_type"] == "invoice"],
    "a token of nobody": lambda w: w["tokens"].update(
        {"zz-token": {"tenant_id": "tnt_nope", "permissions": [], "label": "x"}}),
    "another tenant's invoice": lambda w: _first_invoice(w).update(
        tenant_id=w["tenants"][0]["id"]),
    "an unknown pinned tenant": lambda w: w["pinned"].append("tnt_ghost"),
    "a clock past its range": lambda w: w["clock"].update(
        mode="frozen", now="9999-12-31T23:00:00+00:00"),
    "a running clock past its range": lambda w: w["clock"].update(
        mode="running", offset_microseconds=10 ** 18),
    "a behaviour that cannot be answered": lambda w: w["behaviours"].append({
        "id": "bhv_1", "operation": "getBillingOverview", "calls": [], "tenant_id": None,
        "path_params": {}, "query": {}, "body": {}, "times": None,
        "respond": {"status": 200, "headers": {"X-A": "a\r\nb"}}, "latency_ms": 0,
        "failure_rate": None, "seed": 0, "matched": 0, "applied": 0,
        "random_state": [3, [0] * 624 + [624], None]}),
}


@pytest.mark.parametrize("how, says", [
    ("not json", "not JSON"),
    ("foreign", "not a billing-mock state file"),
    ("pickle", "not"),
    ("newer", "version 2 is not one this billing-mock reads (it reads version 1)"),
    ("bad date deep inside", "issue_date: expected an ISO 8601 date, got 'soon'"),
    ("unknown key", "world.tenants[0].profile.favourite_colour: not a field of BillingProfile"),
    ("missing part", "world.numbering: missing"),
    ("utf-16", "not UTF-8"),
    ("NUL in a profile", "world.tenants[0].profile.company_name: holds U+0000"),
    ("U+FFFF in a profile", "world.tenants[0].profile.city: holds U+FFFF"),
    ("a lone surrogate", "world.tenants[0].profile.company_name: holds U+D800"),
    ("a profile without city", "world.tenants[0].profile.city: missing"),
    ("an invoice without number", ".number: missing"),
    ("a paid invoice numbered null", ".number: a paid invoice has a number"),
    ("numbering below 1", "world.numbering[0].next: -5 is not a sequence number"),
    ("numbering twice", "world.numbering[2]: credit_note 2026 is there twice"),
    ("numbering behind its invoices", "world.numbering: the next invoice number of 2026 is 2, "
                                      "but SCAI-2026-"),
    ("a token of nobody", "world.tokens.zz-token.tenant_id: no tenant 'tnt_nope'"),
    ("another tenant's invoice", ".tenant_id: is tenant "),
    ("an unknown pinned tenant", "world.pinned: no tenant 'tnt_ghost'"),
    ("a clock past its range", "world.clock.now: outside the test clock's range"),
    ("a running clock past its range", "world.clock: outside the test clock's range"),
    ("a behaviour that cannot be answered",
     "world.behaviours[0]: respond.headers.X-A: holds a line break"),
])
def test_a_corrupt_or_foreign_state_file_is_refused_whole(saved_document, tmp_path, how, says):
    path = tmp_path / "world.json"
    content = corrupted(saved_document, how)
    path.write_bytes(content)
    from mockserver.app import create_app
    from mockserver.statefile import StateFileError

    with pytest.raises(StateFileError) as refused:
        create_app(Settings(seed=42, state_file=str(path)))
    assert says in str(refused.value) and str(path) in str(refused.value)
    if how == "bad date deep inside":
        assert "world.tenants[1].invoices.inv_" in str(refused.value)
    assert path.read_bytes() == content  # never overwritten


def test_serve_refuses_a_state_file_in_a_folder_that_does_not_exist(tmp_path):
    """At start, not at the first save (before: the server ran, and lost every change)."""
    path = tmp_path / "no-such-folder" / "world.json"
    result = subprocess.run([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(free_port()), "--state-file", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"state file {path} refused: its folder {path.parent} does not exist" in \
        result.stderr


def test_serve_refuses_a_corrupt_state_file_with_a_clear_message(tmp_path):
    path = tmp_path / "world.json"
    path.write_text('{"format": "billing-mock-state", "version": 1, "world": []}')
    result = subprocess.run([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(free_port()), "--state-file", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"state file {path} refused: world: expected an object" in result.stderr


@pytest.mark.parametrize("seller, where, says", [
    ({"legal_name": "Other GmbH", "country_code": "DE", "vat_number": "DE123456789"},
     "world.seller", "missing: address_line1, postal_code, city, email, phone, "
     "registration_number, iban, bic, bank_name, website"),
    ("bad iban", "world.seller.iban", "not an IBAN"),
    ("line separator", "world.seller.legal_name", "holds U+2028 (a line separator)"),
])
def test_a_state_file_seller_obeys_the_scenario_seller_rule(saved_document, tmp_path, seller,
                                                            where, says):
    """A partial seller in a state file is refused naming what is missing, never completed
    with ScaiLabs' bank account; a malformed one is refused where it is."""
    from mockserver.app import create_app
    from mockserver.statefile import StateFileError

    document = json.loads(json.dumps(saved_document))
    if seller == "bad iban":
        document["world"]["seller"]["iban"] = "NL00 1234"
    elif seller == "line separator":  # it would break the mail's From header, and the PDF
        document["world"]["seller"]["legal_name"] = "ScaiLabs\u2028B.V."
    else:
        document["world"]["seller"] = seller
    path = tmp_path / "world.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(StateFileError) as refused:
        create_app(Settings(seed=42, state_file=str(path)))
    assert f"{where}: " in str(refused.value) and says in str(refused.value)


def test_serve_refuses_a_state_file_with_a_partial_seller(saved_document, tmp_path):
    document = json.loads(json.dumps(saved_document))
    document["world"]["seller"] = {"legal_name": "Other GmbH", "country_code": "DE",
                                   "vat_number": "DE123456789"}
    path = tmp_path / "world.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(free_port()), "--state-file", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"state file {path} refused: world.seller: " in result.stderr
    assert "iban" in result.stderr and "NL91ABNA0417164300" not in result.stderr


def test_a_save_that_fails_keeps_the_writer_and_says_so_in_health(tmp_path):
    """A world value that cannot be written (here a lone surrogate, put in by Python code
    that skips the API's checks) once killed the writer thread for good, silently. The save
    fails, is logged and shown in /_mock/health, and the next change is written again."""
    path = tmp_path / "world.json"
    with LiveServer(Settings(seed=42, state_file=str(path))) as live:
        health = httpx.get(f"{live.url}/_mock/health").json()
        assert health["state_file"] == {"saves": 0, "error": None}
        demo = live.store.tokens["demo-token"].tenant_id
        with live.store.lock:
            live.store.tenants[demo].profile.company_name = "Broken \ud800"
        httpx.post(f"{live.url}/_mock/clock/advance", json={"minutes": 1})  # a change
        for _ in range(100):
            health = httpx.get(f"{live.url}/_mock/health").json()
            if health["state_file"]["error"]:
                break
            time.sleep(0.1)
        assert "UnicodeEncodeError" in health["state_file"]["error"], health
        r = httpx.put(f"{live.api_url}/billing/billing-profile", headers=DEMO,
                      json={"company_name": "Mended BV"})
        assert r.status_code == 200
        for _ in range(100):
            health = httpx.get(f"{live.url}/_mock/health").json()
            if health["state_file"]["error"] is None:
                break
            time.sleep(0.1)
        assert health["state_file"]["error"] is None and health["state_file"]["saves"] >= 1
        assert "Mended BV" in path.read_text(encoding="utf-8")
