"""What a new user of ``billing-mock replay`` ran into: clock steps against a mock started with
``--admin-token``, a replay on whatever world the mock had loaded, a mistyped step path found
only as a 404 at run time, and one bad file exiting differently from ``serve`` and ``replay``."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
import yaml
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.scenarios import ScenarioError, parse
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from mockserver.testing.server import free_port
from tests.conftest import PROFILE

TINY_STEPS = {"name": "tiny-steps", "description": "one tenant and a few replay steps",
              "clock": {"start": "2026-03-10T09:00:00Z"},
              "tenants": [{"key": "t", "tokens": ["tiny-steps-token"], "profile": PROFILE}]}


def _replay(*args: str):
    return CliRunner().invoke(main, ["replay", *args])


# -- --admin-token ---------------------------------------------------------------------------

def test_clock_steps_pass_against_a_mock_started_with_an_admin_token():
    settings = Settings(scenario="dunning", admin_token="admin-secret-1")
    with LiveServer(settings) as server:
        done = _replay("dunning", "--base-url", server.api_url, "--admin-token",
                       "admin-secret-1")
    assert done.exit_code == 0, done.output
    assert "0 failed, 0 skipped" in done.output


def test_without_the_admin_token_the_replay_says_which_option_is_missing():
    with LiveServer(Settings(scenario="dunning", admin_token="admin-secret-2")) as server:
        done = _replay("dunning", "--base-url", server.api_url)
        kept = _replay("dunning", "--base-url", server.api_url, "--keep-world")
    assert done.exit_code == 2, done.output
    assert "--admin-token" in done.output
    # On the loaded world the request steps run, and the clock step names the option.
    assert kept.exit_code == 1, kept.output
    assert "--admin-token" in kept.output


# -- the scenario's world is loaded first ----------------------------------------------------

def test_a_replay_against_a_mock_of_another_world_loads_the_scenarios_world_first():
    with LiveServer(Settings(seed=42)) as server:  # the default world: no scenario tokens
        done = _replay("mollie-failed-then-paid", "--base-url", server.api_url)
        health = httpx.get(f"{server.url}/_mock/health").json()
    assert done.exit_code == 0, done.output
    assert "loaded its world" in done.output
    assert health["scenario"] == "mollie-failed-then-paid"


def test_keep_world_replays_on_the_world_the_mock_has():
    with LiveServer(Settings(seed=42)) as server:
        done = _replay("mollie-failed-then-paid", "--base-url", server.api_url,
                       "--keep-world")
        health = httpx.get(f"{server.url}/_mock/health").json()
    assert done.exit_code == 1, done.output  # the scenario's token is unknown there
    assert health["scenario"] is None


# -- step paths are checked when the file loads ----------------------------------------------

def _with_steps(*steps: dict) -> dict:
    return {**TINY_STEPS, "steps": list(steps)}


@pytest.mark.parametrize("method, path, problem", [
    ("GET", "/billing/invoice", "GET /billing/invoice is no operation of the API document"),
    ("DELETE", "/billing/invoices", "the document has GET on /billing/invoices"),
    ("GET", "/api/v1/billing/invoices", "relative to the API root"),
    ("POST", "/billing/invoices/${id}/sned", "did you mean /billing/invoices/{invoice_id}/send"),
])
def test_a_step_path_that_is_no_operation_is_refused_when_the_file_loads(method, path, problem):
    data = _with_steps({"name": "ok", "request": {"method": "GET", "path": "/billing/overview"}},
                       {"name": "bad", "request": {"method": method, "path": path}})
    with pytest.raises(ScenarioError) as refused:
        parse(data, "tiny.yaml")
    assert refused.value.path == "steps[1].request.path"
    assert problem in refused.value.problem


def test_step_paths_with_variables_and_a_query_are_operations():
    data = _with_steps(
        {"name": "a", "request": {"method": "GET", "path": "/billing/invoices?page=2"}},
        {"name": "b", "request": {"method": "POST", "path": "/billing/invoices/${inv}/send"}},
        {"name": "c", "request": {"method": "GET",
                                  "path": "/billing/payment-providers/${slug}/config"}},
        {"name": "d", "request": {"method": "DELETE", "path": "/billing/payment-methods/pm_1"}},
    )
    assert parse(data)["steps"][1]["request"]["path"] == "/billing/invoices/${inv}/send"


# -- one bad file, one exit code --------------------------------------------------------------

def test_the_same_bad_file_exits_with_the_same_code_from_serve_and_replay(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(_with_steps(
        {"name": "typo", "request": {"method": "GET", "path": "/billing/overveiw"}})))
    # A subprocess with a timeout: a server that took the file would serve until stopped.
    served = subprocess.run([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(free_port()), "--scenario", str(bad)], capture_output=True,
                            text=True, timeout=60)
    replayed = _replay(str(bad))
    assert served.returncode == replayed.exit_code == 2, (served.stderr, replayed.output)
    for output in (served.stdout + served.stderr, replayed.output):
        assert "scenario refused" in output
        assert "steps[0].request.path" in output


def test_a_world_larger_than_the_mock_takes_says_how_to_replay_anyway():
    with LiveServer(Settings(max_body_bytes=1024)) as server:
        done = _replay("healthy-nl-business", "--base-url", server.api_url)
    assert done.exit_code == 2, done.output
    assert "--max-body-bytes" in done.output and "--keep-world" in done.output
