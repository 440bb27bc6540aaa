"""openapi/billing.yaml: valid, complete against the published reference, examples that hold."""

import pytest
from connexion.json_schema import resolve_refs
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from mockserver import api
from mockserver.spec import load_spec

SPEC = load_spec()
RESOLVED = resolve_refs(SPEC)
METHODS = ("get", "put", "post", "delete", "patch")

# The 17 operations of the published reference (Billing (tenant), rev 2): method, path, summary.
REFERENCE = {
    ("GET", "/billing/billing-profile"): "Get Billing Profile",
    ("PUT", "/billing/billing-profile"): "Upsert Billing Profile",
    ("GET", "/billing/invoices"): "List Invoices",
    ("GET", "/billing/invoices/{invoice_id}"): "Get Invoice",
    ("GET", "/billing/invoices/{invoice_id}/download"): "Download Invoice Einvoice",
    ("GET", "/billing/invoices/{invoice_id}/pdf"): "Download Invoice Pdf",
    ("POST", "/billing/invoices/{invoice_id}/send"): "Send Invoice Email",
    ("GET", "/billing/overview"): "Get Billing Overview",
    ("GET", "/billing/payment-methods"): "List Payment Methods",
    ("POST", "/billing/payment-methods"): "Add Payment Method",
    ("DELETE", "/billing/payment-methods/{method_id}"): "Delete Payment Method",
    ("POST", "/billing/payment-methods/{method_id}/default"): "Set Default Payment Method",
    ("GET", "/billing/payment-providers"): "List Payment Providers",
    ("GET", "/billing/payment-providers/{slug}/config"): "Get Provider Config",
    ("POST", "/billing/payment-providers/{slug}/confirm"): "Confirm Provider Payment Method",
    ("POST", "/billing/payment-providers/{slug}/setup"): "Setup Provider Payment Method",
    ("GET", "/billing/upcoming"): "Get Upcoming Invoice",
}
PUBLIC = {("GET", "/billing/payment-providers"), ("GET", "/billing/payment-providers/{slug}/config")}


def operations(spec=SPEC):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def test_document_is_valid_openapi_3_0_3():
    assert SPEC["openapi"] == "3.0.3"
    validate(SPEC)


def test_exactly_the_17_published_operations_with_their_summaries():
    found = {(m, p): op["summary"] for m, p, op in operations()}
    assert found == REFERENCE
    assert SPEC["servers"][0]["url"] == "/api/v1"


def test_every_operation_has_a_handler_and_every_handler_an_operation():
    ids = {op["operationId"] for _, _, op in operations()}
    assert ids == set(api.HANDLERS)


def test_security_is_bearer_except_the_public_provider_routes():
    assert SPEC["components"]["securitySchemes"]["bearerAuth"] == {
        **SPEC["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    for method, path, op in operations():
        public = op.get("security") == []
        assert public == ((method, path) in PUBLIC), (method, path)
        if not public:
            assert "401" in op["responses"], (method, path)


def test_profile_body_has_the_20_documented_fields_in_order():
    props = list(SPEC["components"]["schemas"]["BillingProfileCreateUpdate"]["properties"])
    assert len(props) == 20
    assert props[:4] == ["company_name", "address_line1", "address_line2", "postal_code"]


def test_every_422_is_the_fastapi_shape_and_every_error_the_envelope():
    for method, path, op in operations(RESOLVED):
        for status, response in op["responses"].items():
            schema = response["content"]["application/json"]["schema"] if status >= "400" else None
            if status == "422":
                assert "detail" in schema["properties"], (method, path)
            elif schema is not None:
                assert schema["required"] == ["error"], (method, path, status)


def _examples():
    """(label, JSON pointer of the schema in the document, example) for every example."""
    for method, path, op in operations():
        where = f"/paths/{path.replace('/', '~1')}/{method.lower()}"
        for status, response in op["responses"].items():
            response = RESOLVED["paths"][path][method.lower()]["responses"][status]
            for media, content in response.get("content", {}).items():
                pointer = f"{where}/responses/{status}/content/{media.replace('/', '~1')}/schema"
                if "$ref" in op["responses"][status]:  # a shared response: point at it
                    ref = op["responses"][status]["$ref"][1:]
                    pointer = f"{ref}/content/{media.replace('/', '~1')}/schema"
                if "example" in content:
                    yield f"{method} {path} {status} {media}", pointer, content["example"]
                for name, ex in content.get("examples", {}).items():
                    yield f"{method} {path} {status} {name}", pointer, ex["value"]
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            yield (f"{method} {path} request",
                   f"{where}/requestBody/content/application~1json/schema", body["example"])
    for name, schema in SPEC["components"]["schemas"].items():
        if "example" in schema:
            yield f"schema {name}", f"/components/schemas/{name}", schema["example"]


EXAMPLES = list(_examples())
REGISTRY = Registry().with_resource("urn:billing", Resource.from_contents(
    SPEC, default_specification=DRAFT4))


def example_errors(pointer, example):
    validator = OAS30Validator({"$ref": f"urn:billing#{pointer}"}, registry=REGISTRY,
                               format_checker=OAS30Validator.FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(example)]


def test_every_response_has_an_example():
    for method, path, op in operations(RESOLVED):
        for status, response in op["responses"].items():
            for media, content in response.get("content", {}).items():
                assert "example" in content or "examples" in content, (method, path, status)


@pytest.mark.parametrize("where, pointer, example", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_example_validates_against_its_schema(where, pointer, example):
    assert not example_errors(pointer, example)


def test_the_example_validator_bites():
    example = SPEC["components"]["schemas"]["PaymentMethodResponse"]["example"]
    assert example_errors("/components/schemas/PaymentMethodResponse", {**example, "last4": 4242})
    assert example_errors("/components/schemas/PaymentMethodCreateRequest",
                          {"provider_slug": "stripe", "method_type": "ideal"})


def test_every_operation_answers_to_each_of_its_names():
    from mockserver.spec import operation_id, operations

    found = operations()
    assert len(found) == 17
    send = found["sendInvoiceEmail"]
    assert (send.name, send.fastapi_id) == (
        "send_invoice_email", "send_invoice_email_api_v1_billing_invoices__invoice_id__send_post")
    for op in found.values():
        assert {operation_id(op.operation_id), operation_id(op.name),
                operation_id(op.fastapi_id)} == {op.operation_id}
    assert len({op.name for op in found.values()}) == 17  # no two share a function name


def test_an_unknown_name_says_which_one_was_meant():
    import pytest

    from mockserver.spec import UnknownOperation, operation_id

    with pytest.raises(UnknownOperation, match="Did you mean send_invoice_email"):
        operation_id("send_invoice_emial")


def test_the_journal_filters_by_any_name_of_an_operation(own_server):
    import httpx

    httpx.post(f"{own_server.url}/_mock/reset")
    httpx.get(f"{own_server.api_url}/billing/overview",
              headers={"Authorization": "Bearer demo-token"})
    journal = f"{own_server.url}/_mock/journal"
    for name in ("getBillingOverview", "get_billing_overview",
                 "get_billing_overview_api_v1_billing_overview_get"):
        assert [e["operation_id"] for e in httpx.get(
            journal, params={"operation_id": name}).json()["data"]] == ["getBillingOverview"]
    r = httpx.get(journal, params={"operation_id": "get_overview"})
    assert r.status_code == 400 and "Did you mean" in r.json()["error"]["message"]


def test_an_empty_journal_filter_filters_nothing(own_server):
    import httpx

    r = httpx.get(f"{own_server.url}/_mock/journal", params={"operation_id": ""})
    assert r.status_code == 200
