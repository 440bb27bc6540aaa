"""The scenario library: every shipped file loads, builds and replays green against a mock
started with it; ``billing-mock replay`` reports per step (JUnit) and fails on a broken
expectation; ``billing-mock scenarios`` lists the library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
import yaml
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.scenarios import LIBRARY_DIR, build_store, load_file
from mockserver.scenarios.replay import Replay
from mockserver.settings import Settings
from mockserver.testing import LiveServer

LIBRARY = Path(__file__).resolve().parents[2] / "mockserver" / "scenarios" / "library"
FILES = sorted(LIBRARY.glob("*.yaml"))
REPLAYABLE = [p for p in FILES if yaml.safe_load(p.read_text(encoding="utf-8")).get("steps")]
REQUIRED = {
    "empty-new-tenant", "healthy-nl-business", "german-public-sector",
    "intra-eu-reverse-charge", "export-outside-eu", "stripe-3ds-card",
    "mollie-failed-then-paid", "crypto-charge-expiring", "credit-note-after-voided-line",
}


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


# -- (a) every file loads and builds --------------------------------------------------------------

@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_scenario_file_loads_validates_and_builds(path):
    data = load_file(path)
    assert data["name"] == path.stem, "the file is named after its scenario"
    store = build_store(data, source=str(path))
    assert store.scenario == data["name"]
    for tenant in data.get("tenants", []):
        for token in tenant.get("tokens", []):
            assert token in store.tokens


# -- (b) the library's shape ----------------------------------------------------------------------

def test_library_has_the_named_scenarios_each_described():
    assert LIBRARY_DIR.resolve() == LIBRARY.resolve()
    data = {p.stem: load_file(p) for p in FILES}
    assert len(data) >= 10
    assert REQUIRED <= set(data), f"missing: {sorted(REQUIRED - set(data))}"
    for name, scenario in data.items():
        assert scenario["description"].strip(), name
        assert len(scenario["description"].split()) >= 8, f"{name}: say what it is about"


def test_library_scenarios_are_deterministic_and_use_their_own_tokens():
    owner: dict[str, str] = {}
    for path in FILES:
        scenario = load_file(path)
        if path.stem in REQUIRED:
            assert scenario.get("clock", {}).get("start"), f"{path.stem}: fixed clock start"
            assert scenario["clock"].get("mode", "frozen") == "frozen", path.stem
        for tenant in scenario.get("tenants", []):
            for token in tenant.get("tokens", []):
                assert token not in owner, f"{token!r} in {owner.get(token)} and {path.stem}"
                owner[token] = path.stem


# -- (c) every scenario with steps replays green --------------------------------------------------

@pytest.mark.parametrize("path", REPLAYABLE, ids=_ids(REPLAYABLE))
def test_scenario_replays_green_against_its_own_mock(path):
    data = load_file(path)
    lines: list[str] = []
    with LiveServer(Settings(scenario=str(path))) as server:
        client = httpx.Client(timeout=30)
        runner = Replay(data, server.api_url, out=lines.append, client=client)
        try:
            results = runner.run()
        finally:
            runner.client.close()
    report = "\n".join(lines)
    assert len(results) == len(data["steps"]), report
    assert [r.outcome for r in results] == ["passed"] * len(results), report


# -- things a replay cannot check (headers, bodies that are not JSON, timing) ---------------------

def test_german_public_sector_downloads_xrechnung_by_default():
    with LiveServer(Settings(scenario="german-public-sector")) as server:
        headers = {"Authorization": "Bearer german-public-sector-token"}
        with httpx.Client(base_url=server.api_url, headers=headers, timeout=30) as api:
            invoice = api.get("/billing/invoices", params={"status": "finalized"}).json()["data"][0]
            plain = api.get(f"/billing/invoices/{invoice['id']}/download")
            explicit = api.get(f"/billing/invoices/{invoice['id']}/download",
                               params={"format": "xrechnung"})
    assert plain.status_code == explicit.status_code == 200
    assert plain.headers["content-type"].startswith("application/xml")
    assert "xrechnung" in plain.headers["content-disposition"]
    assert plain.content == explicit.content
    assert b"04011000-1234512345-06" in plain.content  # the Leitweg-ID as BT-10


def test_scripted_outage_sends_retry_after_and_delays_the_overview():
    with LiveServer(Settings(scenario="scripted-outage")) as server:
        headers = {"Authorization": "Bearer scripted-outage-token"}
        with httpx.Client(base_url=server.api_url, headers=headers, timeout=30) as api:
            first = api.get("/billing/invoices")
            overview = api.get("/billing/overview")
    assert first.status_code == 503 and first.headers["retry-after"] == "1"
    assert overview.status_code == 200 and overview.elapsed.total_seconds() >= 0.3


# -- (d) billing-mock replay: exit codes and JUnit ------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mockserver.cli", *args], capture_output=True,
                          text=True, timeout=120)


def _cases(junit: Path) -> tuple[ElementTree.Element, list[ElementTree.Element]]:
    suite = ElementTree.parse(junit).getroot()
    return suite, suite.findall("testcase")


def test_replay_command_passes_and_writes_one_testcase_per_step(tmp_path):
    junit = tmp_path / "replay.xml"
    done = _cli("replay", "intra-eu-reverse-charge", "--junit", str(junit))
    assert done.returncode == 0, done.stdout + done.stderr
    steps = load_file(LIBRARY / "intra-eu-reverse-charge.yaml")["steps"]
    assert f"{len(steps)} passed, 0 failed, 0 skipped" in done.stdout
    suite, cases = _cases(junit)
    assert suite.get("name") == "replay.intra-eu-reverse-charge"
    assert suite.get("tests") == str(len(steps)) and suite.get("failures") == "0"
    assert [c.get("name") for c in cases] == [s["name"] for s in steps]
    assert not any(c.find("failure") is not None or c.find("skipped") is not None
                   for c in cases)


def _broken_copy(tmp_path: Path) -> tuple[Path, list[dict], int]:
    """healthy-nl-business with one wrong expectation in the middle."""
    data = yaml.safe_load((LIBRARY / "healthy-nl-business.yaml").read_text(encoding="utf-8"))
    broken = 2
    data["steps"][broken]["expect"]["body"]["data.total_cents"] = 1
    path = tmp_path / "healthy-nl-business.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path, data["steps"], broken


def test_replay_keep_going_runs_every_step_and_marks_the_failing_one(tmp_path):
    path, steps, broken = _broken_copy(tmp_path)
    junit = tmp_path / "replay.xml"
    done = _cli("replay", str(path), "--keep-going", "--junit", str(junit))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{len(steps) - 1} passed, 1 failed, 0 skipped" in done.stdout
    assert "expected data.total_cents = 1, got 8531" in done.stdout
    suite, cases = _cases(junit)
    assert len(cases) == len(steps)
    assert suite.get("failures") == "1" and suite.get("skipped") == "0"
    failed = [i for i, c in enumerate(cases) if c.find("failure") is not None]
    assert failed == [broken]
    assert "data.total_cents" in cases[broken].find("failure").get("message")
    assert not any(c.find("skipped") is not None for c in cases)


def test_replay_without_keep_going_skips_the_steps_after_a_failure(tmp_path):
    path, steps, broken = _broken_copy(tmp_path)
    junit = tmp_path / "replay.xml"
    result = CliRunner().invoke(main, ["replay", str(path), "--junit", str(junit)])
    assert result.exit_code == 1, result.output
    suite, cases = _cases(junit)
    assert len(cases) == len(steps)
    assert [c.find("failure") is not None for c in cases].index(True) == broken
    assert all(c.find("skipped") is not None for c in cases[broken + 1:])
    assert suite.get("skipped") == str(len(steps) - broken - 1)


# -- (e) billing-mock scenarios -------------------------------------------------------------------

def test_scenarios_command_lists_every_library_scenario():
    result = CliRunner().invoke(main, ["scenarios"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.splitlines() if line.strip()}
    assert listed == {p.stem for p in FILES}
    for path in REPLAYABLE:
        steps = len(load_file(path)["steps"])
        assert any(line.startswith(path.stem + " ") and f"[{steps} replay steps]" in line
                   for line in result.output.splitlines()), path.stem
