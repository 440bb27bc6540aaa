"""A behaviour added while the world runs (``POST /_mock/behaviours``) is checked exactly as a
scenario's behaviours are: what could never be answered (a lone surrogate, a header that
cannot be written, a status that is no final answer, headers too large for a client) is
refused with its path, and nothing is stored. A scripted ``Content-Type`` is applied."""

from __future__ import annotations

import json

import httpx
import pytest

from mockserver.settings import Settings
from mockserver.testing import LiveServer

DEMO = {"Authorization": "Bearer demo-token"}
OVERVIEW = "getBillingOverview"


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(seed=42)) as live:
        yield live


@pytest.fixture
def control(server):
    with httpx.Client(base_url=f"{server.url}/_mock", timeout=30) as client:
        yield client
        client.delete("/behaviours")


def answering(respond: dict | None = None, **more) -> dict:
    behaviour = {"operation": OVERVIEW, **more}
    if respond is not None:
        behaviour["respond"] = {"status": 200, "body": {"x": 1}, **respond}
    return behaviour


def post_json(client: httpx.Client, path: str, data) -> httpx.Response:
    """``data`` as JSON with its escapes (a lone surrogate stays ``\\ud800`` on the wire)."""
    return client.post(path, content=json.dumps(data),
                       headers={"Content-Type": "application/json"})


REFUSED = [
    pytest.param(answering(latency_ms=1, match={"query": {"x": "\ud800"}}), "match.query.x",
                 "U+D800", id="a lone surrogate in match.query"),
    pytest.param(answering({"body": {"note": "a\udfffb"}}), "respond.body.note", "U+DFFF",
                 id="a lone surrogate in respond.body"),
    pytest.param(answering({"headers": {"X-A": "a\r\nSet-Cookie: x=1"}}),
                 "respond.headers.X-A", "line break", id="CRLF in a header value"),
    pytest.param(answering({"headers": {"X-A": "日本"}}), "respond.headers.X-A", "U+65E5",
                 id="a header value that is not Latin-1"),
    pytest.param(answering({"headers": {"X-A": "a\x00"}}), "respond.headers.X-A", "U+0000",
                 id="NUL in a header value"),
    pytest.param(answering({"headers": {"X A": "v"}}), "respond.headers.X A",
                 "not a header name", id="a header name with a space"),
    pytest.param(answering({"headers": {"Content-Length": "5"}}),
                 "respond.headers.Content-Length", "sets from the answer itself",
                 id="Content-Length"),
    pytest.param(answering({"headers": {"Content-Type": "garbage"}}),
                 "respond.headers.Content-Type", "not a media type", id="no media type"),
    pytest.param(answering({"status": 101}), "respond.status", "101", id="status 101"),
    pytest.param(answering({"status": 100}), "respond.status", "100", id="status 100"),
    pytest.param(answering({"headers": {"X-A": "v" * 8193}}), "respond.headers.X-A",
                 "too long", id="a header value over 8 KiB"),
    pytest.param(answering({"headers": {f"X-{i}": "v" for i in range(51)}}),
                 "respond.headers", "too many", id="51 headers"),
    pytest.param(answering({"headers": {f"X-{i}": "v" * 1000 for i in range(13)}}),
                 "respond.headers", "12288 bytes", id="headers over 12 KiB together"),
]


@pytest.mark.parametrize("behaviour, path, says", REFUSED)
def test_a_behaviour_is_refused_with_its_path_and_nothing_is_stored(server, control, behaviour,
                                                                    path, says):
    r = post_json(control, "/behaviours", behaviour)
    assert r.status_code == 400, r.text[:300]
    problems = r.json()["error"]["details"]["problems"]
    assert [p["path"] for p in problems] == [path], problems
    assert says in problems[0]["problem"]
    assert control.get("/behaviours").json()["data"] == []
    assert httpx.get(f"{server.url}/api/v1/billing/overview", headers=DEMO).status_code == 200
    for where in ("/journal", "/tenants", "/health"):
        assert control.get(where).status_code == 200


@pytest.mark.parametrize("behaviour, path, says", REFUSED)
def test_a_scenario_refuses_the_same_behaviour_the_same_way(server, control, behaviour, path,
                                                           says):
    before = control.get("/health").json()["scenario"]
    scenario = {"name": "checked", "description": "one behaviour",
                "tenants": [{"key": "a", "tokens": ["checked-token"]}],
                "behaviours": [behaviour]}
    r = post_json(control, "/scenario", {"scenario": scenario})
    assert r.status_code == 400, r.text[:300]
    problems = r.json()["error"]["details"]["problems"]
    assert [p["path"] for p in problems] == [f"behaviours[0].{path}"], problems
    assert says in problems[0]["problem"]
    assert control.get("/health").json()["scenario"] == before


def test_headers_at_the_bounds_are_answered(server, control):
    headers = {"X-Long": "v" * 8192}
    assert post_json(control, "/behaviours", answering({"headers": headers})).status_code == 200
    r = httpx.get(f"{server.url}/api/v1/billing/overview", headers=DEMO)
    assert r.status_code == 200 and r.headers["x-long"] == "v" * 8192
    control.delete("/behaviours")
    many = {f"X-{i}": "v" for i in range(50)}
    assert post_json(control, "/behaviours", answering({"headers": many})).status_code == 200
    r = httpx.get(f"{server.url}/api/v1/billing/overview", headers=DEMO)
    assert r.status_code == 200 and r.headers["x-49"] == "v"


def test_a_scripted_content_type_is_the_answers(server, control):
    page = answering({"status": 503, "headers": {"Content-Type": "text/html; charset=utf-8"},
                      "body": "<h1>Down for maintenance</h1>"})
    assert post_json(control, "/behaviours", page).status_code == 200
    r = httpx.get(f"{server.url}/api/v1/billing/overview", headers=DEMO)
    assert r.status_code == 503
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.text == "<h1>Down for maintenance</h1>"
    control.delete("/behaviours")
    problem = answering({"status": 409, "headers": {"content-type": "application/problem+json"},
                         "body": {"type": "about:blank", "title": "Conflict"}})
    assert post_json(control, "/behaviours", problem).status_code == 200
    r = httpx.get(f"{server.url}/api/v1/billing/overview", headers=DEMO)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert r.json() == {"type": "about:blank", "title": "Conflict"}


def test_a_refused_behaviour_leaves_the_state_file_written(tmp_path):
    """What the surrogate did once stored: the state file's writer died on it for good."""
    path = tmp_path / "world.json"
    with LiveServer(Settings(seed=42, state_file=str(path))) as live:
        r = httpx.post(f"{live.url}/_mock/behaviours", content=json.dumps(
            answering(latency_ms=1, match={"query": {"x": "\ud800"}})),
            headers={"Content-Type": "application/json"})
        assert r.status_code == 400
        httpx.put(f"{live.api_url}/billing/billing-profile", headers=DEMO,
                  json={"company_name": "Written After All"})
    assert "Written After All" in path.read_text(encoding="utf-8")
