"""Plain Schemathesis against the live mock, as a user runs it from a checkout.

``schemathesis run <mock>/_mock/openapi/billing.json -H 'Authorization: Bearer T' --checks all``
with the shipped ``schemathesis.toml`` (which Schemathesis finds in a checkout, tested below)
and nothing else configured: every check, positive and negative data, stateful links. It must
find nothing. Without the toml it reports 2-3 "Schema-valid request rejected" (setup, confirm,
download): the toml lets schema-valid requests receive the refusals those operations document
and no schema can rule out (see mockserver/contract/plain.py), nothing else.
"""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from mockserver.contract.plain import data_dependent_refusals, schemathesis_toml
from mockserver.published import mock_document, published_document
from mockserver.settings import Settings
from mockserver.testing import LiveServer

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "schemathesis.toml"


def plain_schemathesis(server: LiveServer, token: str, workdir: Path):
    """The run, in ``workdir`` (Schemathesis keeps its crash cache there, not in the checkout)."""
    return subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(SHIPPED), "run",
         f"{server.url}/_mock/openapi/billing.json", "-H", f"Authorization: Bearer {token}",
         "--checks", "all", "--max-examples", "40", "--seed", "7", "--workers", "1",
         "--generation-database", "none", "--report", "json", "--report-json-path",
         str(workdir / "report.json"), "--no-color"],
        capture_output=True, text=True, timeout=400, cwd=workdir,
    )


@pytest.mark.slow
@pytest.mark.parametrize("token", ["demo-token", "new-token"])
def test_plain_schemathesis_finds_nothing_on_the_mock_document(tmp_path, token):
    with LiveServer(Settings(seed=42)) as server:
        result = plain_schemathesis(server, token, tmp_path)
    summary = result.stdout[result.stdout.rfind("SUMMARY"):]
    print(summary)
    assert result.returncode == 0, result.stdout[-6000:]
    found = json.loads((tmp_path / "report.json").read_text())
    assert found["operations"]["tested"] == 17 and found["test_cases"]["generated"] > 500
    assert found["failures"] == [] and found["errors"] == []
    assert {phase["status"] for phase in found["phases"].values()} == {"success"}


def test_the_shipped_toml_is_the_rendering_of_the_mock_document():
    assert SHIPPED.read_text(encoding="utf-8") == schemathesis_toml()


def test_the_toml_accepts_only_documented_refusals_that_are_not_the_422():
    refusals = data_dependent_refusals()
    assert refusals == {
        "GET /api/v1/billing/invoices/{invoice_id}/download": ["400"],
        "POST /api/v1/billing/invoices/{invoice_id}/send": ["400"],
        "POST /api/v1/billing/payment-providers/{slug}/confirm": ["400", "402"],
        "POST /api/v1/billing/payment-providers/{slug}/setup": ["400"],
    }
    # The published document lists no refusal at all (FastAPI's lists 200/201 and 422 only).
    assert data_dependent_refusals(published_document()) == {}


def expected_by_operation(config: SchemathesisConfig, document: dict) -> dict[str, list[str]]:
    schema = schemathesis.openapi.from_dict(copy.deepcopy(document), config=config)
    project = schema.config
    return {op.label: project.checks_config_for(operation=op).positive_data_acceptance
            .expected_statuses for op in (r.ok() for r in schema.get_all_operations())}


@pytest.mark.parametrize("document", [mock_document, published_document])
def test_schemathesis_finds_the_shipped_toml_in_a_checkout(monkeypatch, document):
    """Run from anywhere inside the checkout, Schemathesis picks the toml up and lets exactly
    the four operations receive their documented refusals (in either document: same paths)."""
    monkeypatch.chdir(REPO / "tests" / "contract")
    found = expected_by_operation(SchemathesisConfig.discover(), document())
    default = expected_by_operation(SchemathesisConfig(), document())
    assert len(found) == 17
    changed = {label: sorted(set(found[label]) - set(default[label]))
               for label in found if found[label] != default[label]}
    assert changed == data_dependent_refusals()
