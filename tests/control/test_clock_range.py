"""The test clock's range, 1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z: an instant outside it
is refused where it comes in (clock/set, a scenario's dates, a move that would leave it),
before anything changes, never with a 500 (past year 9999 no date can be written at all)."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from mockserver.settings import Settings
from mockserver.testing import LiveServer
from mockserver.testing.server import free_port

RANGE = "1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(seed=42)) as live:
        yield live


def load(server, **scenario) -> httpx.Response:
    data = {"name": "edge-of-time", "description": "d", **scenario}
    return httpx.post(f"{server.url}/_mock/scenario", json={"scenario": data}, timeout=120)


def now(server) -> str:
    return httpx.get(f"{server.url}/_mock/clock").json()["data"]["now"]


@pytest.mark.parametrize("instant, backwards", [
    ("9999-12-31T23:59:59.999999Z", False), ("9000-01-01T00:00:01Z", False),
    ("1969-12-31T23:59:59Z", True), ("0001-01-01T00:00:00Z", True)])
def test_setting_the_clock_outside_its_range_is_a_422(server, instant, backwards):
    assert load(server, clock={"start": "2026-03-02T00:00:00Z", "mode": "frozen"}
                ).status_code == 200
    before = now(server)
    r = httpx.post(f"{server.url}/_mock/clock/set",
                   json={"now": instant, "allow_backwards": backwards})
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", "now"] and error["type"] == "value_error"
    assert RANGE in error["msg"] and error["input"] == instant
    assert now(server) == before


def test_a_move_that_would_leave_the_range_is_refused_and_changes_nothing(server):
    assert load(server, clock={"start": "8999-12-31T00:00:00Z", "mode": "frozen"},
                include_default_world=True).status_code == 200
    moved = httpx.post(f"{server.url}/_mock/clock/advance", json={"days": 1})
    assert moved.status_code == 200 and moved.json()["data"]["now"] == "9000-01-01T00:00:00Z"
    for body in ({"minutes": 1}, {"months": 120}, {"days": 3660}):
        r = httpx.post(f"{server.url}/_mock/clock/advance", json=body)
        assert r.status_code == 400, r.text
        assert RANGE in r.json()["error"]["message"]
        assert now(server) == "9000-01-01T00:00:00Z"
    r = httpx.post(f"{server.url}/_mock/clock/set", json={"now": "9000-01-01T00:00:01Z"})
    assert r.status_code == 422 and now(server) == "9000-01-01T00:00:00Z"
    assert httpx.get(f"{server.api_url}/billing/invoices",
                     headers={"Authorization": "Bearer demo-token"}).status_code == 200


@pytest.mark.parametrize("scenario, path", [
    ({"clock": {"start": "9999-12-30T00:00:00Z"}}, "clock.start"),
    ({"clock": {"start": "9999-12-15T00:00:00Z"}, "include_default_world": True}, "clock.start"),
    ({"clock": {"start": "0001-02-01T00:00:00Z"}, "include_default_world": True}, "clock.start"),
    ({"clock": {"start": "2026-03-02T00:00:00Z"}, "tenants": [{
        "key": "a", "profile": {"company_name": "Acme", "address_line1": "A 1",
                                "postal_code": "1000", "city": "Amsterdam",
                                "country_code": "NL"},
        "invoices": [{"issued_at": "9999-12-31T06:00:00Z", "status": "finalized",
                      "lines": [{"description": "x", "unit_price_cents": 1}]}]}]},
     "tenants[0].invoices[0].issued_at"),
], ids=["year 9999", "year 9999 with the default world", "year 1 with the default world",
        "an invoice in year 9999"])
def test_a_scenario_dated_outside_the_range_is_refused_at_load(server, scenario, path):
    before = httpx.get(f"{server.url}/_mock/health").json()["scenario"]
    r = load(server, **scenario)
    assert r.status_code == 400, r.text[:300]
    problems = r.json()["error"]["details"]["problems"]
    assert [p["path"] for p in problems] == [path]
    assert RANGE in problems[0]["problem"]
    assert httpx.get(f"{server.url}/_mock/health").json()["scenario"] == before


def test_serve_refuses_such_a_scenario_without_a_traceback(tmp_path):
    path = tmp_path / "far.yaml"
    path.write_text(json.dumps({"name": "far", "description": "d",
                                "include_default_world": True,
                                "clock": {"start": "9999-12-15T00:00:00Z"}}))
    result = subprocess.run([sys.executable, "-m", "mockserver.cli", "serve", "--port",
                             str(free_port()), "--scenario", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr[-500:]
    assert "scenario refused" in result.stderr and "clock.start" in result.stderr
    assert "Traceback" not in result.stderr
