"""billing-mock drift on a FastAPI-style (OpenAPI 3.1) document with known differences."""

import copy
import json

import yaml
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.contract.drift import compare
from mockserver.spec import load_spec


def as_fastapi_31(spec: dict) -> dict:
    """Our document spelt the way FastAPI writes it: 3.1, null types, full paths, and the
    optional authorization header instead of a security scheme."""
    doc = copy.deepcopy(spec)
    doc["openapi"] = "3.1.0"
    doc.pop("servers")
    doc["paths"] = {"/api/v1" + path: item for path, item in doc["paths"].items()}

    def nulls(node):
        if isinstance(node, dict):
            if node.pop("nullable", False):
                if "type" in node:
                    node["type"] = [node["type"], "null"]
                if "enum" in node:
                    node["enum"] = [v for v in node["enum"] if v is not None]
            for value in node.values():
                nulls(value)
        elif isinstance(node, list):
            for value in node:
                nulls(value)

    nulls(doc)
    for item in doc["paths"].values():
        for op in item.values():
            op.setdefault("parameters", []).append(
                {"name": "authorization", "in": "header", "required": False,
                 "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]}})
    return doc


def test_the_same_api_in_fastapis_spelling_has_no_drift():
    assert compare(as_fastapi_31(load_spec()), load_spec()) == []


def test_known_differences_are_all_listed():
    theirs = as_fastapi_31(load_spec())
    paths, schemas = theirs["paths"], theirs["components"]["schemas"]
    del paths["/api/v1/billing/upcoming"]
    paths["/api/v1/billing/credits"] = {"get": {"operationId": "listCredits", "responses": {}}}
    paths["/api/v1/billing/invoices"]["get"]["parameters"].append(
        {"name": "q", "in": "query", "schema": {"type": "string"}})
    schemas["BillingProfileCreateUpdate"]["properties"]["preferred_language"]["enum"].append("pl")
    schemas["BillingProfileCreateUpdate"]["properties"]["iban"] = {"type": "string"}
    del schemas["BillingProfileResponse"]["properties"]["buyer_reference"]
    schemas["InvoiceResponse"]["properties"]["subtotal_cents"] = {"type": "string"}
    schemas["InvoiceResponse"]["properties"]["pdf_url"] = {"type": "string"}
    found = {(d.kind, d.where, d.detail) for d in compare(theirs, load_spec())}
    text = "\n".join(" | ".join(f) for f in sorted(found))
    expected = [
        ("missing_operation", "GET /api/v1/billing/upcoming"),
        ("extra_operation", "GET /api/v1/billing/credits"),
        ("parameter", "query parameter 'q' only on the server"),
        ("enum", "only on the server: ['pl']"),
        ("property", "request body.iban"),
        ("property", "response 200.data.buyer_reference"),
        ("type", "subtotal_cents"),
        ("nullable", "pdf_url"),
    ]
    for kind, words in expected:
        assert any(kind == k and (words in w or words in d) for k, w, d in found), (kind, words,
                                                                                    text)


def test_drift_command_reads_files_and_urls_and_exits_by_outcome(tmp_path):
    same = tmp_path / "same.json"
    same.write_text(json.dumps(as_fastapi_31(load_spec())))
    result = CliRunner().invoke(main, ["drift", "--spec", str(same)])
    assert result.exit_code == 0 and "0 differences" in result.output
    changed = as_fastapi_31(load_spec())
    del changed["paths"]["/api/v1/billing/overview"]
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(changed))
    result = CliRunner().invoke(main, ["drift", "--spec", str(path), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output)[0]["kind"] == "missing_operation"
    assert CliRunner().invoke(main, ["drift", "--spec", str(tmp_path / "no.json")]).exit_code == 2


def test_drift_reads_a_document_by_url(live):
    """The mock's own document in 3.1 (the guessed layer) means what billing.yaml means.
    (/openapi.json is the published layer only: drift reading it as the whole contract is
    issue 14's work.)"""
    result = CliRunner().invoke(main, ["drift", "--spec",
                                       f"{live.url}/_mock/openapi/billing.json"])
    assert result.exit_code == 0 and "0 differences" in result.output, result.output[-2000:]


def test_a_nullable_object_keeps_its_required_fields():
    """``anyOf [object, {type: null}]`` (3.1) is read with the object's ``required``."""
    from mockserver.published import mock_document

    theirs = copy.deepcopy(mock_document())
    summary = copy.deepcopy(theirs["components"]["schemas"]["InvoiceSummary"])
    summary["required"].remove("number")
    theirs["components"]["schemas"]["BillingOverviewResponse"]["properties"]["last_invoice"] = {
        "anyOf": [summary, {"type": "null"}]}  # inline, where the mock's refers
    found = [(d.kind, d.where) for d in compare(theirs, load_spec())]
    assert found == [("required", "GET /api/v1/billing/overview response "
                                  "200.data.last_invoice.number")]
