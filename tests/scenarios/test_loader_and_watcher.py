"""Scenario files: refused whole with file, path and problem; served, watched and reloaded."""

import json
import subprocess
import sys
import time

import httpx
import pytest
import yaml
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.scenarios import ScenarioError, build_store, load_file, parse, resolve
from mockserver.scenarios import watcher
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from mockserver.testing.server import free_port
from tests.conftest import PROFILE

GOOD = {"name": "tiny", "description": "one tenant",
        "clock": {"start": "2026-03-10T09:00:00Z"},
        "tenants": [{"key": "t", "tokens": ["tiny-token"], "profile": PROFILE,
                     "invoices": [{"key": "a", "issued_at": "2026-03-01T06:00:00Z",
                                   "status": "paid",
                                   "lines": [{"description": "x", "unit_price_cents": 1000}]},
                                  {"credit_note_for": "a", "issued_at": "2026-03-05T06:00:00Z",
                                   "status": "sent"}]}]}


def write(tmp_path, data, name="s.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if isinstance(data, dict) else data)
    return path


def problems_of(tmp_path, data):
    with pytest.raises(ScenarioError) as refused:
        load_file(write(tmp_path, data))
    return refused.value


def test_errors_name_the_file_the_path_and_the_problem(tmp_path):
    error = problems_of(tmp_path, {**GOOD, "extra": 1, "tenants": [
        {**GOOD["tenants"][0], "payment_methods": [{"provider": "stripe", "type": "ideal"}]}]})
    assert str(error).startswith(f"{tmp_path / 's.yaml'}: (top level): Additional properties")
    error = problems_of(tmp_path, {**GOOD, "tenants": [
        {**GOOD["tenants"][0], "payment_methods": [{"provider": "stripe", "type": "ideal"}]}]})
    assert error.path == "tenants[0].payment_methods[0]" and "does not offer" in error.problem


def test_yaml_errors_give_the_line(tmp_path):
    error = problems_of(tmp_path, "name: x\ndescription: [unclosed\n")
    assert error.path.startswith("line ") and "not valid YAML" in error.problem


@pytest.mark.parametrize("change, path, words", [
    ({"clock": {"start": "yesterday"}}, "clock.start", "is not a 'date-time'"),
    ({"providers": {"stripe": {"next_outcomes": ["maybe"]}}}, "providers.stripe.next_outcomes[0]",
     "is not one of"),
    ({"behaviours": [{"operation": "getInvoice"}]}, "behaviours[0]", "is not valid under any"),
    ({"steps": [{"name": "x", "clock": {"advance": {"days": 1}},
                 "request": {"method": "GET", "path": "/x"}}]}, "steps[0]", "is valid under each"),
])
def test_schema_and_reference_problems(tmp_path, change, path, words):
    error = problems_of(tmp_path, {**GOOD, **change})
    assert error.path == path and words in error.problem


def test_credit_note_and_key_references_are_checked(tmp_path):
    tenant = {**GOOD["tenants"][0], "invoices": [
        {**GOOD["tenants"][0]["invoices"][1], "credit_note_for": "zzz"}]}
    error = problems_of(tmp_path, {**GOOD, "tenants": [tenant, {"key": "t"}]})
    assert [p for p, _ in error.problems] == ["tenants[0].invoices[0].credit_note_for",
                                             "tenants[1].key"]


def test_a_good_file_builds_through_the_domain(tmp_path):
    store = build_store(load_file(write(tmp_path, GOOD)))
    [tenant] = store.tenants.values()
    invoice, note = sorted(tenant.invoices.values(), key=lambda i: i.number)
    assert (invoice.number, note.number) == ("SCAI-2026-000001", "SCAI-CN-2026-000001")
    assert invoice.status.value == "paid" and note.total_cents == -invoice.total_cents
    assert store.clock.mode == "frozen" and store.scenario == "tiny"


def test_library_names_resolve_and_unknown_ones_list_the_library():
    assert resolve("dunning").name == "dunning.yaml"
    with pytest.raises(ScenarioError, match="the library has: .*dunning"):
        resolve("no-such-scenario")


def test_serve_refuses_a_bad_scenario_with_its_problems(tmp_path):
    bad = write(tmp_path, {**GOOD, "tenants": [{"key": "t", "profile": {"company_name": ""}}]})
    result = CliRunner().invoke(main, ["serve", "--port", str(free_port()), "--scenario",
                                       str(bad)])
    assert result.exit_code == 2  # as from replay: a bad file is a usage error
    assert "tenants[0].profile.company_name" in result.output


def test_serve_with_a_scenario_and_watch_reloads_a_changed_file(tmp_path):
    path = write(tmp_path, GOOD)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(port), "--scenario", str(path), "--watch"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base)
        headers = {"Authorization": "Bearer tiny-token"}
        assert httpx.get(f"{base}/_mock/health").json()["scenario"] == "tiny"
        write(tmp_path, {**GOOD, "tenants": [{**GOOD["tenants"][0],
                                              "tokens": ["tiny-token", "second-token"]}]})
        assert _eventually(lambda: httpx.get(f"{base}/api/v1/billing/invoices", headers={
            "Authorization": "Bearer second-token"}).status_code == 200)
        write(tmp_path, "name: tiny\ndescription: [broken\n")  # a bad edit keeps the world
        time.sleep(1.5)
        assert httpx.get(f"{base}/api/v1/billing/invoices", headers=headers).status_code == 200
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "reloaded scenario" in output and "not reloaded, the running world stays" in output


def test_watch_needs_a_scenario():
    result = CliRunner().invoke(main, ["serve", "--watch"])
    assert result.exit_code == 2 and "--watch needs --scenario" in result.output


def test_store_for_settings_without_a_scenario_is_the_default_world():
    store = watcher.store_for(Settings())
    assert store.scenario is None and "demo-token" in store.tokens


def _wait(base):
    assert _eventually(lambda: httpx.get(f"{base}/_mock/health").status_code == 200)


def _eventually(check, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def test_a_file_that_is_no_text_or_no_file_is_refused_with_its_reason(tmp_path):
    from mockserver.scenarios import ScenarioError, load_file

    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"name: x\ndescription: caf\xe9\n")
    with pytest.raises(ScenarioError, match="not UTF-8 text"):
        load_file(binary)
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_file(tmp_path / "folder.yaml")


def test_the_control_api_refuses_an_unreadable_scenario_file_with_a_400(tmp_path):
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"name: x\ndescription: caf\xe9\n")
    with LiveServer(Settings(seed=1, scenario_dir=str(tmp_path))) as server:
        r = httpx.post(f"{server.url}/_mock/scenario", json={"name": "binary.yaml"})
    assert r.status_code == 400 and "not UTF-8 text" in r.json()["error"]["message"]


def test_two_tenants_with_one_tenant_id_are_refused(tmp_path):
    tenant = {**GOOD["tenants"][0], "tenant_id": "tnt_same"}
    data = {**GOOD, "tenants": [tenant, {**tenant, "key": "u", "tokens": ["other-token"]}]}
    assert ("tenants[1].tenant_id", "tenant id 'tnt_same' is used twice") in problems_of(
        tmp_path, data).problems


def test_the_watcher_outlives_an_edit_it_cannot_read(tmp_path):
    from mockserver.services.world import World

    path = write(tmp_path, GOOD)
    settings = Settings(scenario=str(path))
    world = World(watcher.store_for(settings))
    said: list[str] = []
    stop = watcher.watch(settings, world, said.append, interval=0.02)
    try:
        time.sleep(0.05)
        path.write_bytes(b"name: tiny\ndescription: caf\xe9\n")
        assert _eventually(lambda: any("not reloaded" in s for s in said), 5)
        time.sleep(0.05)
        write(tmp_path, {**GOOD, "tenants": [{**GOOD["tenants"][0],
                                              "tokens": ["tiny-token", "later-token"]}]})
        assert _eventually(lambda: "later-token" in world.store.tokens, 5)
    finally:
        stop.set()


def test_a_behaviour_may_name_its_operation_by_the_fastapi_function_name():
    scenario = parse({**GOOD, "behaviours": [
        {"operation": "get_billing_overview", "respond": {"status": 503}}]})
    store = build_store(scenario)
    assert store.behaviours[0].operation == "getBillingOverview"
    with pytest.raises(ScenarioError, match="Did you mean"):
        parse({**GOOD, "behaviours": [{"operation": "get_billing_overveiw", "latency_ms": 5}]})


def _tenant(**changes) -> dict:
    return {**GOOD["tenants"][0], **changes}


def _invoice(**changes) -> dict:
    return {**GOOD["tenants"][0]["invoices"][0], **changes}


def _respond(headers: dict) -> dict:
    return {"behaviours": [{"operation": "getBillingOverview",
                            "respond": {"status": 200, "headers": headers}}]}


def _step(headers: dict) -> dict:
    return {"steps": [{"name": "s", "request": {"method": "GET", "path": "/billing/overview",
                                                "headers": headers}}]}


@pytest.mark.parametrize("change, path, words", [
    (_respond({"X-Test": "a\r\nSet-Cookie: x=1"}), "behaviours[0].respond.headers.X-Test",
     "line break"),
    (_respond({"X-Test": "5 €"}), "behaviours[0].respond.headers.X-Test", "U+20AC"),
    (_respond({"X-Test": "a\x00b"}), "behaviours[0].respond.headers.X-Test", "U+0000"),
    (_respond({"X Bad:": "v"}), "behaviours[0].respond.headers.X Bad:", "not a header name"),
    (_respond({"Content-Length": "5"}), "behaviours[0].respond.headers.Content-Length",
     "the server sets"),
    (_step({"X-Test": "a\nb"}), "steps[0].request.headers.X-Test", "line break"),
    ({"tenants": [_tenant(invoices=[_invoice(pdf_url="https://cdn.example/a\r\nb")])]},
     "tenants[0].invoices[0].pdf_url", "line break"),
    ({"tenants": [_tenant(tokens=["tök€n"])]}, "tenants[0].tokens[0]", "does not match"),
    ({"seller": {"legal_name": "Seller\r\nBcc: all@example.com"}}, "seller.legal_name",
     "U+000D"),
    ({"tenants": [_tenant(profile={**PROFILE, "company_name": "Acme\x00"})]},
     "tenants[0].profile.company_name", "U+0000, which no XML document"),
    ({"tenants": [_tenant(profile={**PROFILE, "company_name": "Acme\x85"})]},
     "tenants[0].profile.company_name", "does not match"),
    ({"tenants": [_tenant(invoices=[_invoice(notes="caf\ud800")])]},
     "tenants[0].invoices[0].notes", "U+D800"),
])
def test_text_a_header_or_a_document_cannot_carry_is_refused_at_load(own_server, change, path,
                                                                      words):
    """Such a file loaded, then every request that used the value was a 500 (or the
    connection dropped): it is refused whole, naming the value, and nothing is loaded."""
    live = own_server
    before = httpx.get(f"{live.url}/_mock/health").json()["scenario"]
    body = json.dumps({"scenario": {**GOOD, **change}})  # ASCII: "\ud800" as an escape
    r = httpx.post(f"{live.url}/_mock/scenario", content=body,
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    problems = r.json()["error"]["details"]["problems"]
    assert [p["path"] for p in problems] == [path], problems
    assert words in problems[0]["problem"]
    assert httpx.get(f"{live.url}/_mock/health").json()["scenario"] == before
