"""billing-mock record --har: browser sessions recorded by Chromium against the mock (the HAR
files in fixtures/, made by browser_session.py) become scenarios that replay green against a
fresh mock and hold no token."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import yaml
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.recording import RecordingError, read_har, record_har
from mockserver.scenarios import load_file, parse
from mockserver.scenarios.replay import Replay
from mockserver.scenarios.volatile import is_volatile
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.recording.conftest import MOLLIE_HAR, SESSION_HAR, har_token


def replay_on_a_fresh_mock(scenario: dict) -> tuple[list, str]:
    lines: list[str] = []
    with LiveServer(Settings(seed=7)) as server, httpx.Client(timeout=30) as client:
        results = Replay(scenario, server.api_url, out=lines.append, client=client).run()
    return results, "\n".join(lines)


def steps_of(recording) -> list[dict]:
    return recording.scenario["steps"]


# -- the done criterion: a Mollie setup session -----------------------------------------------

def test_a_mollie_setup_har_becomes_a_scenario_that_replays_green_on_a_fresh_mock(tmp_path):
    out = tmp_path / "mollie-setup.yaml"
    done = CliRunner().invoke(main, ["record", "--har", str(MOLLIE_HAR), "--out", str(out)])
    assert done.exit_code == 0, done.output
    scenario = load_file(out)  # the loader's own checks, paths against the document included
    assert scenario["name"] == "mollie-setup"
    kinds = [("hosted_page" if "hosted_page" in s else s["request"]["method"] + " "
              + s["request"]["path"]) for s in scenario["steps"]]
    assert kinds == ["GET /billing/payment-methods", "POST /billing/payment-providers/mollie/setup",
                     "hosted_page", "POST /billing/payment-providers/mollie/confirm",
                     "GET /billing/payment-methods"]
    assert scenario["steps"][2]["hosted_page"]["choice"] == "paid"
    results, report = replay_on_a_fresh_mock(scenario)
    assert [r.outcome for r in results] == ["passed"] * 5, report


def test_the_recorded_scenario_holds_no_token_cookie_or_recorded_url_secret(tmp_path):
    token = har_token(MOLLIE_HAR)
    assert token.startswith("eyJ")  # the browser sent a JWT
    recording = record_har(MOLLIE_HAR, "mollie-setup")
    assert token not in recording.text
    for part in token.split("."):
        assert part not in recording.text
    assert recording.redacted["tokens"] == 1
    tokens = recording.scenario["tenants"][0]["tokens"]
    assert tokens == ["mollie-setup-tenant-1"]  # the mock's own token in its place
    assert {s["request"]["token"] for s in steps_of(recording) if "request" in s} == set(tokens)


# -- a 20-call session ----------------------------------------------------------------------

def test_a_twenty_call_settings_session_replays_green_with_its_captures():
    recording = record_har(SESSION_HAR, "settings-session")
    assert recording.api_calls == 20
    steps = steps_of(recording)
    choices = [s["hosted_page"]["choice"] for s in steps if "hosted_page" in s]
    assert choices == ["failed", "paid"]
    declined = next(s for s in steps if s.get("expect", {}).get("status") == 402)
    assert declined["expect"]["body"]["error.details.reason"] == "setup_failed"
    # The card added directly is made the default and deleted through the id its answer gave.
    added = next(s for s in steps if s.get("request", {}).get("path") == "/billing/payment-methods"
                 and s["request"]["method"] == "POST")
    [(variable, path)] = added["capture"].items()
    assert path == "data.id"
    assert [s["request"]["path"] for s in steps if s.get("request", {}).get("method") == "DELETE"
            ] == [f"/billing/payment-methods/${{{variable}}}"]
    results, report = replay_on_a_fresh_mock(recording.scenario)
    assert [r.outcome for r in results] == ["passed"] * len(steps), report


def test_an_answer_the_har_lacks_is_captured_through_the_document():
    """Chromium drops the body of the setup answer when the page navigates to the checkout;
    the confirm still sends its session id back, so the capture comes from the document's
    response schema (data.session_id) and the expectation is the status alone."""
    entries = json.loads(SESSION_HAR.read_text())["log"]["entries"]
    setups = [e for e in entries if e["request"]["url"].endswith("/mollie/setup")]
    assert setups and all("text" not in e["response"]["content"] for e in setups)
    steps = steps_of(record_har(SESSION_HAR, "settings-session"))
    for setup in (s for s in steps if s.get("request", {}).get("path", "").endswith("/setup")):
        assert setup["name"].endswith("(answer not in the recording)")
        assert setup["expect"] == {"status": 200}
        assert sorted(setup["capture"].values()) == ["data.redirect_url", "data.session_id"]


def test_requests_outside_the_billing_api_are_dropped_and_counted():
    recording = record_har(SESSION_HAR, "settings-session")
    har = read_har(SESSION_HAR)
    frontend = {e.origin for e in har if "frontend.html" in e.url}
    assert len(frontend) == 1
    outside = sum(1 for e in har if "frontend.html" in e.url)
    assert recording.dropped[f"outside the Billing API ({frontend.pop()})"] == outside
    assert recording.dropped["hosted page views"] == 2  # the GETs of the two checkouts
    assert f"{outside} outside the Billing API" in "\n".join(recording.summary())
    assert len([s for s in steps_of(recording) if "request" in s]) == 20


def test_volatile_fields_are_never_expected_except_as_captured_values():
    recording = record_har(SESSION_HAR, "settings-session")
    checked = 0
    for step in steps_of(recording):
        for path, value in step.get("expect", {}).get("body", {}).items():
            parts = tuple(int(p) if p.isdigit() else p for p in path.split("."))
            if is_volatile(parts, value if not str(value).startswith("${") else None):
                assert re.fullmatch(r"\$\{\w+\}", str(value)), (step["name"], path, value)
            assert not path.startswith("meta"), path
            checked += 1
    assert checked > 100
    text = recording.text
    for volatile in ("request_id", "created_at", "updated_at", "expires_at", "timestamp"):
        assert volatile not in text


def test_the_tenants_starting_state_comes_from_the_reads_before_the_first_write(tmp_path):
    """Recorded against a tenant of the healthy-nl-business world: its profile, methods,
    subscriptions and invoices are read first, so the recording rebuilds them."""
    from tests.recording.conftest import recording_proxy
    from mockserver.recording import Recorder, finish

    recorder = Recorder("healthy-recorded", "a proxy")
    with LiveServer(Settings(scenario="healthy-nl-business")) as upstream, \
            recording_proxy(upstream.url, recorder) as proxy:
        token = next(iter(upstream.store.tokens))
        with httpx.Client(base_url=f"{proxy}/api/v1", timeout=30,
                          headers={"Authorization": f"Bearer {token}"}) as api:
            api.get("/billing/billing-profile")
            api.get("/billing/payment-methods")
            api.get("/billing/overview")
            invoices = api.get("/billing/invoices").json()["data"]
            for invoice in invoices:
                api.get(f"/billing/invoices/{invoice['id']}")
            api.get("/billing/upcoming")
    recording = finish(recorder)
    [tenant] = recording.scenario["tenants"]
    assert tenant["profile"]["company_name"]
    assert tenant["payment_methods"] and tenant["subscriptions"]
    assert len(tenant["invoices"]) == len(invoices)
    results, report = replay_on_a_fresh_mock(parse(yaml.safe_load(recording.text)))
    assert [r.outcome for r in results] == ["passed"] * len(results), report


# -- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("content, problem", [
    ("not json", "not a HAR file (not JSON"),
    ('{"log": {}}', "not a HAR file (no log.entries)"),
    ('{"log": {"entries": [{"request": {}}]}}', "log.entries[0]: not a HAR entry"),
])
def test_a_file_that_is_no_har_is_refused_with_exit_2(tmp_path, content, problem):
    bad = tmp_path / "bad.har"
    bad.write_text(content)
    out = tmp_path / "out.yaml"
    done = CliRunner().invoke(main, ["record", "--har", str(bad), "--out", str(out)])
    assert done.exit_code == 2, done.output
    assert problem in done.output
    assert not out.exists()
    with pytest.raises(RecordingError):
        record_har(bad, "x")


def test_record_needs_exactly_one_source_and_a_valid_name(tmp_path):
    out = str(tmp_path / "x.yaml")
    assert CliRunner().invoke(main, ["record", "--out", out]).exit_code == 2
    both = CliRunner().invoke(main, ["record", "--har", str(MOLLIE_HAR), "--upstream",
                                     "http://x.example", "--out", out])
    assert both.exit_code == 2 and "exactly one of" in both.output
    named = CliRunner().invoke(main, ["record", "--har", str(MOLLIE_HAR), "--out", out,
                                      "--name", "Not A Name"])
    assert named.exit_code == 2 and "--name" in named.output


def test_a_sanitized_har_without_authorization_headers_runs_as_one_tenant(tmp_path):
    """Chrome's default HAR export leaves Authorization and cookies out."""
    data = json.loads(MOLLIE_HAR.read_text())
    for entry in data["log"]["entries"]:
        entry["request"]["headers"] = [h for h in entry["request"]["headers"]
                                       if h["name"].lower() != "authorization"]
    sanitized = tmp_path / "sanitized.har"
    sanitized.write_text(json.dumps(data))
    recording = record_har(sanitized, "sanitized")
    assert [t["tokens"] for t in recording.scenario["tenants"]] == [["sanitized-tenant-1"]]
    assert any("sanitized HAR" in w for w in recording.warnings)
    results, report = replay_on_a_fresh_mock(recording.scenario)
    assert [r.outcome for r in results] == ["passed"] * len(results), report
