"""Record a Mollie setup in Chromium, turn its HAR into a scenario, replay it against a fresh
mock: green, and the scenario holds no token (the issue's "done when", end to end)."""

from __future__ import annotations

import subprocess
import sys

import yaml

from mockserver.scenarios import load_file
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.recording.browser_session import record
from tests.recording.conftest import har_token


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mockserver.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_a_recorded_mollie_setup_replays_green_on_a_fresh_mock(browser, frontend_origin,
                                                               tmp_path):
    har, scenario = tmp_path / "session.har", tmp_path / "mollie-setup.yaml"
    with LiveServer(Settings(seed=11)) as server:
        record(browser, har, server.api_url, frontend_origin, "tnt_recorded_live")
    converted = _cli("record", "--har", str(har), "--out", str(scenario))
    assert converted.returncode == 0, converted.stdout + converted.stderr
    text = scenario.read_text()
    token = har_token(har)
    assert token not in text and token.split(".")[1] not in text
    data = load_file(scenario)
    assert [s["hosted_page"]["choice"] for s in data["steps"] if "hosted_page" in s] == ["paid"]
    replayed = _cli("replay", str(scenario))  # against a mock it starts with the scenario
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    steps = len(yaml.safe_load(text)["steps"])
    assert f"{steps} passed, 0 failed, 0 skipped" in replayed.stdout
