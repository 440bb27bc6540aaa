"""Schemathesis against the live mock: every check, positive and negative data, stateful links.

One documented answer is configured, nothing else: operations that document a 400 (a refusal that depends on stored data, e.g. sending an
  invoice when the profile has no contact_email: the backend's BadRequestError) may give it,
  and their documented 402 (a provider's decline), to schema-valid requests.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.settings import Settings
from mockserver.spec import BILLING_SPEC, load_spec
from mockserver.testing import LiveServer


POSITIVE = ["2xx", "3xx", "400", "401", "402", "403", "404", "409", "429", "5xx"]


def documenting(status: str) -> list[str]:
    return [op["operationId"] for item in load_spec()["paths"].values()
            for op in item.values() if status in op.get("responses", {})]


def config_for_documented_answers(path: Path) -> Path:
    lines = []
    for operation_id in documenting("400"):
        lines += ["[[operations]]", f'include-operation-id = "{operation_id}"',
                  "[operations.checks.positive_data_acceptance]",
                  f"expected-statuses = {POSITIVE!r}".replace("'", '"'), ""]
    path.write_text("\n".join(lines))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("token", ["demo-token", "new-token"])
def test_schemathesis_finds_nothing(tmp_path, token):
    config = config_for_documented_answers(tmp_path / "schemathesis.toml")
    report = tmp_path / "report.json"
    with LiveServer(Settings(seed=42)) as server:
        result = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
             str(BILLING_SPEC), "--url", server.api_url, "--checks", "all", "--mode", "all",
             "-H", f"Authorization: Bearer {token}", "--max-examples", "40", "--seed", "7",
             "--report", "json", "--report-json-path", str(report), "--no-color"],
            capture_output=True, text=True, timeout=400, cwd=tmp_path,
        )
    summary = result.stdout[result.stdout.rfind("SUMMARY"):]
    print(summary)
    assert result.returncode == 0, result.stdout[-6000:]
    assert "17/17" in summary and "Tested: 17" in summary
    assert json.loads(report.read_text())  # the machine-readable report was written
