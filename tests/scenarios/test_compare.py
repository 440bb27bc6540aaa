"""billing-mock replay --compare-with: the steps against two servers, every difference per
step (status, fields present, types, values), default ignore rules for volatile fields, exit 1
when they differ, and Markdown and JUnit reports that say what differed and show both answers."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.recording import record_har
from mockserver.scenarios.compare import _ABSENT, differences, pattern_matches
from mockserver.scenarios.targets import Answer
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.recording.conftest import MOLLIE_HAR


def one_field_off(app, old: bytes = b'"bank_name":"ING"', new: bytes = b'"bank_name":"ING Bank"'):
    """The mock, but every JSON answer says ``new`` where the mock says ``old``."""
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        started, chunks = {}, []

        async def capture(message):
            if message["type"] == "http.response.start":
                started.update(message)
                return None
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return None
            body = b"".join(chunks).replace(old, new)
            headers = [(k, v) for k, v in started["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**started, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return wrapped


HIDDEN = {"health": False}


def hide_the_control_api(app):
    """The mock posing as a real server once started: no /_mock/health, so no world, clock or
    pages for a replay."""
    async def wrapped(scope, receive, send):
        if HIDDEN["health"] and scope["type"] == "http" and scope["path"].startswith(
                "/_mock/health"):
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)

    return wrapped


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    path = tmp_path_factory.mktemp("compare") / "mollie-setup.yaml"
    path.write_text(record_har(MOLLIE_HAR, "mollie-setup").text, encoding="utf-8")
    return path


def _compare(scenario, a: str, b: str, *options: str):
    return CliRunner().invoke(main, ["replay", str(scenario), "--base-url", a,
                                     "--compare-with", b, *options])


def test_a_server_with_one_field_off_exits_1_naming_that_field(recorded, tmp_path):
    junit, report = tmp_path / "compare.xml", tmp_path / "compare.md"
    with LiveServer(Settings(seed=1)) as a, LiveServer(Settings(seed=2), wrap=one_field_off) as b:
        done = _compare(recorded, a.api_url, b.api_url, "--junit", str(junit),
                        "--report", str(report))
    assert done.exit_code == 1, done.output
    assert "value data.bank_name: A 'ING', B 'ING Bank'" in done.output
    assert "value data.0.bank_name: A 'ING', B 'ING Bank'" in done.output
    assert "3 same, 2 different, 0 skipped" in done.output
    suite = ElementTree.parse(junit).getroot()
    assert suite.get("failures") == "2" and suite.get("tests") == "5"
    failed = [c for c in suite.findall("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["confirm provider payment method mollie -> 200",
                                               "list payment methods -> 200"]
    failure = failed[0].find("failure")
    assert "data.bank_name" in failure.get("message")
    assert '"bank_name": "ING"' in failure.text and '"bank_name": "ING Bank"' in failure.text
    markdown = report.read_text()
    assert "| value | `data.bank_name` | 'ING' | 'ING Bank' |" in markdown
    assert "A answered:" in markdown and "B answered:" in markdown
    assert '"bank_name": "ING Bank"' in markdown


def test_two_mocks_of_the_same_world_do_not_differ(recorded):
    """Ids, request ids, timestamps and URLs differ between the two; the default rules leave
    their values out."""
    with LiveServer(Settings(seed=1)) as a, LiveServer(Settings(seed=2)) as b:
        done = _compare(recorded, a.api_url, b.api_url)
    assert done.exit_code == 0, done.output
    assert "5 same, 0 different, 0 skipped" in done.output
    assert "loaded its world into the mock" in done.output


def test_ignore_leaves_a_field_out(recorded):
    with LiveServer(Settings(seed=1)) as a, LiveServer(Settings(seed=2), wrap=one_field_off) as b:
        done = _compare(recorded, a.api_url, b.api_url, "--ignore", "**.bank_name")
    assert done.exit_code == 0, done.output


def test_hosted_page_steps_run_only_on_the_mock(recorded):
    with LiveServer(Settings(seed=1)) as a, LiveServer(
            Settings(scenario=str(recorded)), wrap=hide_the_control_api) as b:
        HIDDEN["health"] = True
        try:
            done = _compare(recorded, a.api_url, b.api_url)
        finally:
            HIDDEN["health"] = False
    assert done.exit_code == 1, done.output
    assert "B: skipped (not the mock)" in done.output
    # Nobody chose on B's page, so its confirm is still pending.
    assert "status (status): A 200, B 409" in done.output


def test_compare_options_need_compare_with(recorded):
    done = CliRunner().invoke(main, ["replay", str(recorded), "--ignore", "meta"])
    assert done.exit_code == 2 and "need --compare-with" in done.output


# -- the differences, one kind at a time ----------------------------------------------------

def _answer(body, status=200, content_type="application/json") -> Answer:
    return Answer(status, body, json.dumps(body), content_type)


def _described(a, b, *ignore, **kwargs) -> list[str]:
    return [d.describe() for d in differences(_answer(a, **kwargs), _answer(b), tuple(ignore))]


def test_each_kind_of_difference_is_reported():
    a = {"data": {"status": "paid", "total_cents": 100, "lines": [1, 2], "gone": 1}}
    b = {"data": {"status": "sent", "total_cents": "100", "lines": [1], "new": None}}
    assert _described(a, b) == [
        "value data.status: A 'paid', B 'sent'",
        "type data.total_cents: A integer, B string",
        "missing data.lines.1: only A has it",
        "missing data.gone: only A has it",
        "missing data.new: only B has it",
    ]
    assert _described({"data": 1}, {"data": 1}, status=404) == ["status (status): A 404, B 200"]
    assert _described({}, {}, content_type="application/xml") == [
        "content-type (content type): A 'application/xml', B 'application/json'"]


def test_volatile_values_are_not_compared_but_their_types_are():
    a = {"data": {"id": "pm_1a2b3c4d5e6f7a8b", "created_at": "2026-03-10T09:00:00Z"},
         "meta": {"request_id": "req_1", "timestamp": "2026-03-10T09:00:00Z"}}
    b = {"data": {"id": "pm_9f8e7d6c5b4a3921", "created_at": 1773133200},
         "meta": {"request_id": "req_2", "timestamp": "2026-03-11T09:00:00Z"}}
    assert _described(a, b) == ["type data.created_at: A string, B integer"]


def test_ignore_patterns():
    path = ("data", 0, "bank_name")
    assert pattern_matches("data.*.bank_name", path)
    assert pattern_matches("**.bank_name", path) and pattern_matches("**", path)
    assert pattern_matches("data", ("data",)) and not pattern_matches("data", path)
    assert pattern_matches("data.*.*_name", path) and not pattern_matches("meta.**", path)
    a, b = {"data": [{"bank_name": "ING", "x": 1}]}, {"data": [{"bank_name": "KBC", "x": 2}]}
    assert _described(a, b, "data.*.bank_name") == ["value data.0.x: A 1, B 2"]
    assert repr(_ABSENT) == "(absent)"
