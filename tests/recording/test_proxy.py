"""billing-mock record --upstream: the recording proxy in front of a mock, for clients that
cannot export HAR. The client reaches the hosted pages on the upstream itself (past the proxy),
so their choices come from the confirms that follow."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
import yaml

from mockserver.recording import Recorder, finish
from mockserver.recording.proxy import RecordingProxy
from mockserver.scenarios import load_file, parse
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from mockserver.testing.server import free_port
from tests.conftest import make_jwt
from tests.recording.conftest import recording_proxy, wait_ready
from tests.recording.test_har import replay_on_a_fresh_mock

COOKIE = "billing_session=s3cr3t-cookie-value-123"
RETURN = "http://localhost:3000/billing/return"


def _green(recording) -> None:
    results, report = replay_on_a_fresh_mock(parse(yaml.safe_load(recording.text)))
    assert [r.outcome for r in results] == ["passed"] * len(results), report


def test_a_demo_tenant_session_rebuilds_its_world_and_replays_green():
    """The default world's demo tenant: profile, methods with their display data,
    subscriptions, usage, ten invoices and a partial credit note, all read first; then a send,
    the PDF and an e-invoice."""
    recorder = Recorder("demo-session", "a proxy")
    with LiveServer(Settings(seed=42)) as upstream, recording_proxy(upstream.url, recorder) as p:
        with httpx.Client(base_url=f"{p}/api/v1", timeout=30,
                          headers={"Authorization": "Bearer demo-token"}) as api:
            for path in ("/billing/billing-profile", "/billing/payment-methods",
                         "/billing/overview"):
                api.get(path)
            invoices = api.get("/billing/invoices").json()["data"]
            for invoice in invoices:
                api.get(f"/billing/invoices/{invoice['id']}")
            api.get("/billing/upcoming")
            finalized = next(i["id"] for i in invoices if i["status"] == "finalized")
            assert api.post(f"/billing/invoices/{finalized}/send").status_code == 200
            api.get(f"/billing/invoices/{finalized}")
            assert api.get(f"/billing/invoices/{finalized}/pdf").status_code == 200
            api.get(f"/billing/invoices/{finalized}/download", params={"format": "ubl"})
    recording = finish(recorder)
    [tenant] = recording.scenario["tenants"]
    assert len(tenant["invoices"]) == len(invoices) == 10
    assert any("credit_lines" in i for i in tenant["invoices"])
    assert any(m.get("display", {}).get("iban_last4") for m in tenant["payment_methods"])
    assert tenant["usage"] and recording.scenario["seller"]["iban"] is None  # redacted
    send = next(s for s in recording.scenario["steps"] if s["request"]["path"].endswith("/send"))
    assert send["request"]["path"].startswith("/billing/invoices/${")
    _green(recording)


def test_stripe_3ds_and_crypto_flows_get_hosted_steps_from_the_confirms_answers():
    recorder = Recorder("provider-flows", "a proxy")
    token = make_jwt("tnt_proxy_flows")
    with LiveServer(Settings(seed=42)) as upstream, recording_proxy(upstream.url, recorder) as p:
        headers = {"Authorization": f"Bearer {token}", "Cookie": COOKIE}
        with httpx.Client(base_url=f"{p}/api/v1", timeout=30, headers=headers) as api:
            intent = api.post("/billing/payment-providers/stripe/setup",
                              json={"method_type": "card", "return_url": RETURN}
                              ).json()["data"]["setup_intent_id"]
            confirm = {"confirmation_data": {"setup_intent_id": intent,
                                             "payment_method": "4000 0025 0000 3155"}}
            pending = api.post("/billing/payment-providers/stripe/confirm", json=confirm)
            assert pending.status_code == 409
            challenge = pending.json()["error"]["details"]["next_action_url"]
            assert challenge.startswith(upstream.url)  # the page is the upstream's, not ours
            httpx.post(challenge, data={"choice": "complete"})
            assert api.post("/billing/payment-providers/stripe/confirm",
                            json=confirm).status_code == 200
            charge = api.post("/billing/payment-providers/crypto/setup",
                              json={"method_type": "crypto", "return_url": RETURN}
                              ).json()["data"]
            httpx.post(charge["redirect_url"], data={"choice": "underpay"})
            assert api.post("/billing/payment-providers/crypto/confirm", json={
                "confirmation_data": {"session_id": charge["session_id"]}}).status_code == 402
            api.get("/billing/payment-methods")
    recording = finish(recorder)
    steps = recording.scenario["steps"]
    hosted = [s["hosted_page"] for s in steps if "hosted_page" in s]
    assert [h["choice"] for h in hosted] == ["complete", "underpay"]
    assert hosted[0]["url"] == "${next_action_url}" and hosted[1]["url"] == "${redirect_url}"
    confirms = [s["request"]["json"]["confirmation_data"] for s in steps
                if s.get("request", {}).get("path", "").endswith("stripe/confirm")]
    assert [c["payment_method"] for c in confirms] == ["pm_card_authenticationRequiredOnSetup"] * 2
    for secret in (token, "4000 0025 0000 3155", "4000002500003155", "s3cr3t-cookie-value-123"):
        assert secret not in recording.text
    assert recording.redacted["cookies"] == 1 and recording.redacted["tokens"] == 1
    _green(recording)


def test_the_proxy_answers_502_when_the_upstream_is_down():
    recorder = Recorder("down", "a proxy")
    with recording_proxy(f"http://127.0.0.1:{free_port()}", recorder) as proxy:
        r = httpx.get(f"{proxy}/api/v1/billing/overview", timeout=30)
    assert r.status_code == 502 and r.json()["error"]["code"] == "bad_gateway"
    assert recorder.steps == []


def test_the_proxy_refuses_an_upstream_that_is_no_http_url():
    for bad in ("staging.example.com", "ftp://staging.example.com"):
        try:
            RecordingProxy(bad, lambda exchange: None)
        except ValueError as exc:
            assert "--upstream must be an http(s) URL" in str(exc)
        else:
            raise AssertionError(f"{bad} was taken")


def test_record_upstream_writes_the_scenario_when_stopped_with_ctrl_c(tmp_path):
    out = tmp_path / "proxied.yaml"
    port = free_port()
    with LiveServer(Settings(seed=42)) as upstream:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mockserver.cli", "record", "--upstream", upstream.url,
             "--port", str(port), "--out", str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            wait_ready(f"http://127.0.0.1:{port}/_mock/health")
            headers = {"Authorization": "Bearer demo-token"}
            with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers=headers,
                              timeout=30) as api:
                assert api.get("/billing/payment-methods").status_code == 200
                assert api.get("/billing/overview").status_code == 200
                assert api.get("/billing/nothing-here").status_code == 404
        finally:
            proc.send_signal(signal.SIGINT)
            output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, output
    assert "2 Billing API calls -> 2 steps" in output
    assert "dropped 2 requests" in output  # the health check and the unknown path
    scenario = load_file(out)
    assert [s["request"]["path"] for s in scenario["steps"]] == [
        "/billing/payment-methods", "/billing/overview"]
    assert "demo-token" not in out.read_text()
