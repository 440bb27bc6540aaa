"""``billing-mock export-fixtures``: every GET answer of every tenant, validated, indexed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from mockserver.cli import main
from mockserver.spec import load_spec

SPEC = load_spec()
REGISTRY = Registry().with_resource("urn:billing", Resource.from_contents(
    SPEC, default_specification=DRAFT4))
GET_OPERATIONS = {op["operationId"]: (path, op) for path, item in SPEC["paths"].items()
                  for method, op in item.items() if method == "get"}


def export(directory: Path, *args: str):
    result = CliRunner().invoke(main, ["export-fixtures", str(directory), *args])
    return result


def schema_errors(operation_id: str, status: int, body) -> list[str]:
    """Validated here again, from the document, not through the exporter's code."""
    path, op = GET_OPERATIONS[operation_id]
    response = op["responses"][str(status)]
    if "$ref" in response:
        pointer = response["$ref"][1:]
    else:
        pointer = f"/paths/{path.replace('/', '~1')}/get/responses/{status}"
    validator = OAS30Validator(
        {"$ref": f"urn:billing#{pointer}/content/application~1json/schema"},
        registry=REGISTRY, format_checker=OAS30Validator.FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(body)]


def check_export(directory: Path, foreign: frozenset = frozenset()) -> dict:
    """Every file listed exists and is what its entry says; every file on disk is listed."""
    index = json.loads((directory / "index.json").read_text())
    listed = {entry["file"] for entry in index["files"]}
    on_disk = {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()}
    assert on_disk - {"index.json"} - foreign == listed
    assert len(listed) == len(index["files"])
    for entry in index["files"]:
        assert {"tenant", "operationId", "path", "status"} <= set(entry)
        assert entry["path"].startswith("/api/v1/billing/") and entry["status"] == 200
        content = (directory / entry["file"]).read_bytes()
        if entry["file"].endswith(".json"):
            body = json.loads(content)
            assert schema_errors(entry["operationId"], entry["status"], body) == [], entry
        elif entry["file"].endswith(".pdf"):
            assert content.startswith(b"%PDF-"), entry
        else:
            assert etree.fromstring(content) is not None
    for skipped in index["skipped"]:
        assert skipped["status"] == 400 and skipped["missing_fields"], skipped
    return index


DEFAULT_WORLD_FROZEN = ("--seed", "42", "--now", "2026-03-10T09:00:00Z")


@pytest.fixture(scope="module")
def default_world(tmp_path_factory):
    """The default world, built at a fixed moment with its clock frozen (as a frontend
    repository would export it)."""
    directory = tmp_path_factory.mktemp("default-world")
    result = export(directory, *DEFAULT_WORLD_FROZEN)
    assert result.exit_code == 0, result.output
    return directory, result.output


def test_the_default_world_exports_every_get_for_every_tenant(default_world):
    directory, output = default_world
    index = check_export(directory)
    assert "for 5 tenants of the default world" in output
    assert [t["token"] for t in index["tenants"]] == [
        "demo-token", "de-token", "eu-token", "us-token", "new-token"]
    assert {e["operationId"] for e in index["files"]} == set(GET_OPERATIONS)
    for tenant in index["tenants"]:
        mine = {e["file"].split("/", 1)[1] for e in index["files"]
                if e["tenant"] == tenant["id"]}
        assert {"billing-profile.json", "invoices.json", "overview.json", "upcoming.json",
                "payment-methods.json", "payment-providers.json",
                "payment-providers/stripe/config.json"} <= mine
    demo = directory / "demo"
    invoices = json.loads((demo / "invoices.json").read_text())["data"]
    assert len(invoices) == 10
    for invoice in invoices:
        stem = demo / "invoices" / invoice["id"]
        assert json.loads(stem.with_suffix(".json").read_text())["data"]["number"] == (
            invoice["number"])
        for name in ("pdf", "ubl.xml", "cii.xml", "zugferd.pdf", "facturx.pdf"):
            assert (demo / "invoices" / f"{invoice['id']}.{name}").exists(), name
        assert not (demo / "invoices" / f"{invoice['id']}.xrechnung.xml").exists()
    assert json.loads((directory / "new" / "billing-profile.json").read_text())["data"] is None


def test_a_format_the_data_does_not_allow_is_noted_not_written(default_world):
    directory, _ = default_world
    index = json.loads((directory / "index.json").read_text())
    refused = {(s["tenant_key"], s["query"]["format"], s["missing_fields"][0])
               for s in index["skipped"]}
    assert refused == {("demo", "xrechnung", "leitweg_id"), ("eu", "xrechnung", "leitweg_id"),
                       ("us", "xrechnung", "leitweg_id"), ("de", "ubl", "peppol_id"),
                       ("us", "ubl", "peppol_id")}
    assert len(index["skipped"]) == 5 * 10  # five (tenant, format) pairs, ten invoices each
    assert list((directory / "de" / "invoices").glob("*.xrechnung.xml"))


def test_a_scenario_exports_its_tenants_and_replaces_a_previous_export(tmp_path):
    assert export(tmp_path, "--scenario", "german-public-sector").exit_code == 0
    (tmp_path / "notes.txt").write_text("mine")
    first = check_export(tmp_path, foreign=frozenset({"notes.txt"}))
    assert [t["key"] for t in first["tenants"]] == ["bundesamt"]
    assert first["world"] == "german-public-sector"
    assert list((tmp_path / "bundesamt" / "invoices").glob("*.xrechnung.xml"))
    result = export(tmp_path, "--scenario", "dunning")
    assert result.exit_code == 0, result.output
    second = check_export(tmp_path, foreign=frozenset({"notes.txt"}))
    assert [t["key"] for t in second["tenants"]] == ["acme"]
    assert not [p for p in tmp_path.rglob("*") if "bundesamt" in p.parts and p.is_file()]
    assert (tmp_path / "notes.txt").read_text() == "mine"  # not the export's: left alone


def test_an_answer_that_does_not_validate_refuses_the_export(tmp_path, monkeypatch):
    from mockserver.api import overview

    real_ok = overview.ok
    monkeypatch.setattr(overview, "ok", lambda data, now: real_ok(
        {**data, "outstanding_cents": "a lot"}, now))
    result = export(tmp_path / "out", "--scenario", "dunning")
    assert result.exit_code != 0
    assert "getBillingOverview" in result.output and "'a lot' is not of type 'integer'" in (
        result.output)
    assert "Nothing was written" in result.output
    assert not (tmp_path / "out").exists()


def test_an_unknown_scenario_is_a_clear_error(tmp_path):
    result = export(tmp_path, "--scenario", "no-such-world")
    assert result.exit_code != 0 and "no such scenario" in result.output


def test_the_command_is_registered():
    result = CliRunner().invoke(main, ["--help"])
    assert "export-fixtures" in result.output


def exported_files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def assert_same_bytes(first: Path, second: Path) -> None:
    first_files, second_files = exported_files(first), exported_files(second)
    assert first_files.keys() == second_files.keys() and len(first_files) > 10
    assert [name for name in first_files if first_files[name] != second_files[name]] == []
    ids = [json.loads(content)["meta"]["request_id"] for name, content in first_files.items()
           if name.endswith(".json") and name != "index.json"]
    assert len(ids) == len(set(ids))  # still one id per answer


def test_a_frozen_scenario_exports_the_same_bytes_twice(tmp_path):
    """So a frontend repository can commit the files: a second run changes none of them."""
    for run in ("first", "second"):
        result = export(tmp_path / run, "--scenario", "dunning")  # its own seed, frozen clock
        assert result.exit_code == 0, result.output
    assert_same_bytes(tmp_path / "first", tmp_path / "second")


def test_the_default_world_at_now_exports_the_same_bytes_twice(default_world, tmp_path):
    result = export(tmp_path, *DEFAULT_WORLD_FROZEN)
    assert result.exit_code == 0, result.output
    assert_same_bytes(default_world[0], tmp_path)
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["clock"] == "2026-03-10T09:00:00Z"


def test_now_freezes_the_default_world_only(tmp_path):
    result = export(tmp_path, "--scenario", "dunning", "--now", "2026-03-10T09:00:00Z")
    assert result.exit_code == 2 and "a scenario sets its own clock" in result.output
    result = export(tmp_path, "--now", "yesterday")
    assert result.exit_code == 2 and "'yesterday' is not an RFC 3339 time" in result.output
    assert not list(tmp_path.iterdir())
