"""/openapi.json is the published layer as FastAPI publishes it; /_mock/openapi/billing.json
the mock's fuller knowledge, marked as the mock's. Both come from one source document."""

from __future__ import annotations

import re

import httpx
from openapi_spec_validator import validate

from mockserver.published import PUBLISHED_SCHEMAS, mock_document, published_document
from mockserver.spec import load_spec, operations

PUBLISHED = published_document()


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield method, path, op


def test_it_is_fastapis_notation_openapi_31():
    validate(PUBLISHED)
    assert PUBLISHED["openapi"] == "3.1.0" and "servers" not in PUBLISHED
    assert "security" not in PUBLISHED and "securitySchemes" not in PUBLISHED["components"]
    assert all(path.startswith("/api/v1/billing/") for path in PUBLISHED["paths"])
    ids = {op["operationId"] for _, _, op in _operations(PUBLISHED)}
    assert ids == {op.fastapi_id for op in operations().values()} and len(ids) == 17
    assert "send_invoice_email_api_v1_billing_invoices__invoice_id__send_post" in ids


def test_the_authorization_header_is_on_the_15_tenant_operations_only():
    without = []
    for method, path, op in _operations(PUBLISHED):
        headers = [p for p in op.get("parameters", []) if p["in"] == "header"]
        if not headers:
            without.append(f"{method.upper()} {path}")
            continue
        assert headers == [{"name": "authorization", "in": "header", "required": False,
                            "schema": {"anyOf": [{"type": "string"}, {"type": "null"}],
                                       "title": "Authorization"}}]
    assert sorted(without) == ["GET /api/v1/billing/payment-providers",
                               "GET /api/v1/billing/payment-providers/{slug}/config"]


def test_only_the_published_answers_are_listed():
    codes = {f"{m.upper()} {p}": sorted(op["responses"]) for m, p, op in _operations(PUBLISHED)}
    assert codes["GET /api/v1/billing/payment-providers"] == ["200"]
    assert codes["POST /api/v1/billing/payment-methods"] == ["201", "422"]
    assert {tuple(c) for k, c in codes.items() if k not in (
        "GET /api/v1/billing/payment-providers", "POST /api/v1/billing/payment-methods")} == {
        ("200", "422")}
    send = PUBLISHED["paths"]["/api/v1/billing/invoices/{invoice_id}/send"]["post"]
    assert send["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiResponse_dict_"}
    pdf = PUBLISHED["paths"]["/api/v1/billing/invoices/{invoice_id}/pdf"]["get"]
    assert pdf["responses"]["200"]["content"]["application/json"]["schema"] == {}


def test_guessed_models_are_marked_and_published_ones_are_not():
    schemas = PUBLISHED["components"]["schemas"]
    assert PUBLISHED_SCHEMAS <= set(schemas)
    for name, schema in schemas.items():
        assert schema.get("x-billing-mock-guessed", False) is (name not in PUBLISHED_SCHEMAS)
    assert "nullable" not in str(PUBLISHED)  # 3.1 writes anyOf [..., {type: null}]
    city = schemas["BillingProfileCreateUpdate"]["properties"]["city"]
    one_line = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]*$"
    assert city == {"anyOf": [{"type": "string", "maxLength": 100, "pattern": one_line},
                              {"type": "null"}], "title": "City"}


def test_both_documents_say_the_same_as_their_source():
    source = load_spec()
    mock = mock_document()
    validate(mock)
    for path, item in source["paths"].items():
        for method, op in item.items():
            ours = mock["paths"]["/api/v1" + path][method]
            assert ours["operationId"] == op["operationId"]
            assert sorted(ours["responses"]) == sorted(op["responses"])
            published = PUBLISHED["paths"]["/api/v1" + path][method]
            assert (published["summary"], published["description"]) == (
                op["summary"], op["description"].strip())
    assert set(PUBLISHED["components"]["schemas"]) <= set(mock["components"]["schemas"])


def test_the_server_serves_both(live):
    published = httpx.get(f"{live.url}/openapi.json").json()
    assert published == PUBLISHED
    mock = httpx.get(f"{live.url}/_mock/openapi/billing.json").json()
    assert "guessed layer" in mock["info"]["x-billing-mock"]
    assert "401" in mock["paths"]["/api/v1/billing/invoices"]["get"]["responses"]


def test_in_the_references_notation_it_is_the_reference():
    """0 differences on all 17 operations against the published page (Billing (tenant), rev 2)."""
    from pathlib import Path

    from mockserver.contract.notation import diff, reference_operations, render

    page = Path(__file__).parent / "published" / "billing-reference-rev2.txt"
    differences = diff(render(PUBLISHED), reference_operations(page.read_text(encoding="utf-8")))
    print("\n".join(differences))
    assert differences == []


def published_layer(document: dict) -> dict:
    """What the reference fixes, and nothing else: per operation its method, path, summary,
    description, operationId, parameters (name, place, required, JSON type), body schema name,
    and answers (status, description, schema name)."""
    def kind(schema: dict) -> str:
        options = schema.get("anyOf", [schema])
        return next(o.get("type", "object") for o in options if o.get("type") != "null")

    def named(content: dict | None) -> str | None:
        schema = ((content or {}).get("application/json") or {}).get("schema") or {}
        return schema.get("$ref", "").rsplit("/", 1)[-1] or None

    def unwrapped(text: str) -> str:  # a docstring's soft-wrapped lines are one paragraph
        return re.sub(r"(?<!\n)\n(?![\n-])", " ", text.strip())

    layer = {}
    for method, path, op in _operations(document):
        layer[f"{method.upper()} {path}"] = {
            "summary": op["summary"], "description": unwrapped(op["description"]),
            "operationId": op["operationId"], "tags": op.get("tags"),
            "parameters": [(p["name"], p["in"], p["required"], kind(p["schema"]),
                            p.get("description")) for p in op.get("parameters", [])],
            "body": named((op.get("requestBody") or {}).get("content")),
            "responses": {code: (r["description"], named(r.get("content")))
                          for code, r in op["responses"].items()},
        }
    return layer


def test_a_fastapi_app_declared_like_the_backend_publishes_the_same_published_layer():
    from tests.published.backend import app

    theirs, ours = published_layer(app.openapi()), published_layer(PUBLISHED)
    assert sorted(theirs) == sorted(ours)
    for operation in ours:
        assert ours[operation] == theirs[operation], operation
    assert app.openapi()["components"]["schemas"]["HTTPValidationError"] == PUBLISHED[
        "components"]["schemas"]["HTTPValidationError"]
    assert app.openapi()["components"]["schemas"]["ValidationError"] == PUBLISHED[
        "components"]["schemas"]["ValidationError"]


def _generated(document: dict, where) -> dict[str, list[str]]:
    """The modules of the client openapi-python-client generates from ``document``, each as its
    code without docstrings (the types, fields and functions a caller's code depends on)."""
    import json
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    source = where / "document.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    tool = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run([str(tool if tool.exists() else shutil.which("openapi-python-client")),
                             "generate", "--path", str(source), "--output-path",
                             str(where / "client"), "--meta", "none"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    found = {}
    for module in sorted((where / "client").rglob("*.py")):
        code = re.sub(r'"""(?:.|\n)*?"""', "", module.read_text(encoding="utf-8"))
        found[str(module.relative_to(where / "client"))] = [
            line for line in code.splitlines() if line.strip()]
    return found


def test_generated_clients_from_the_mock_and_from_the_backend_are_the_same_code(tmp_path):
    """A frontend's client generated from the mock's /openapi.json is the one code written
    against the real server expects: same modules, classes, fields, types and functions."""
    from tests.published.backend import app

    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    ours = _generated(PUBLISHED, tmp_path / "ours")
    theirs = _generated(app.openapi(), tmp_path / "theirs")
    assert sorted(ours) == sorted(theirs)
    for module in ours:
        assert ours[module] == theirs[module], module
    assert "api/billing_tenant/send_invoice_email_api_v1_billing_invoices_invoice_id_send_post.py" in ours


def test_swagger_ui_offers_both_documents_published_first(live):
    config = httpx.get(f"{live.api_url}/ui/swagger-ui-config.json").json()
    assert [u["url"] for u in config["urls"]] == ["/openapi.json", "/_mock/openapi/billing.json"]
    from swagger_ui_bundle import swagger_ui_path

    assert "swagger-ui-5" in str(swagger_ui_path)  # renders OpenAPI 3.1
    # No third document: Connexion's copy of the 3.0 source is not served.
    assert httpx.get(f"{live.api_url}/openapi.json").status_code == 404


def test_what_generated_types_depend_on_is_written_as_pydantic_writes_it():
    schemas = PUBLISHED["components"]["schemas"]
    assert schemas["ApiResponse_dict_"]["properties"]["data"] == {
        "type": "object", "additionalProperties": True, "title": "Data"}
    assert "ReturnUrl" not in schemas  # a constrained str is written out, not a component
    assert schemas["PaymentProviderSetupRequest"]["properties"]["return_url"]["maxLength"] == 2048
    page_size = PUBLISHED["paths"]["/api/v1/billing/invoices"]["get"]["parameters"][1]
    assert page_size["schema"] == {"type": "integer", "maximum": 100, "minimum": 1,
                                   "default": 20, "title": "Page Size"}
    guessed = {n for n, s in schemas.items() if s.get("x-billing-mock-guessed")}
    assert "Meta" in guessed and "BillingProfileCreateUpdate" in guessed
    assert not {n for n in guessed if n.startswith(("ApiResponse", "PaginatedResponse"))}
