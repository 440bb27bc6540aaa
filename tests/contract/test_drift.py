"""billing-mock drift: quiet on documents that mean what the mock's mean, loud on each change,
with oasdiff's check id and level, and an exit code a merge can be gated on.

The base is the mock's document (what clients were written against), or with ``--base`` an
earlier version of the server's own, the revision the server's. Changes are planted in copies
of the published document (``/openapi.json``) or, for what only the mock's full document says
(media types, security schemes, unions, the validation keywords the reference does not show),
of ``/_mock/openapi/billing.json``."""

import copy
import json
import random

import pytest
import yaml
from click.testing import CliRunner
from fastapi import FastAPI, Response
from pydantic import HttpUrl, TypeAdapter

from mockserver.cli import main
from mockserver.contract.drift import base_document, compare
from mockserver.published import mock_document, published_document
from mockserver.spec import load_spec
from tests.published.backend import app as fastapi_backend

API = "/api/v1/billing"
REF = "#/components/schemas/"


def drift(tmp_path, doc: dict, *options: str):
    path = tmp_path / "server.json"
    path.write_text(json.dumps(doc))
    return CliRunner().invoke(main, ["drift", "--spec", str(path), *options])


def found(doc: dict, level: str = "published") -> set[tuple]:
    return {(c.id, c.level, c.where) for c in compare(base_document(level), doc)}


def published() -> dict:
    return copy.deepcopy(published_document())


def full() -> dict:
    return copy.deepcopy(mock_document())


def schemas(doc: dict) -> dict:
    return doc["components"]["schemas"]


def op(doc: dict, method: str, path: str) -> dict:
    return doc["paths"][API + path][method]


# -- documents that mean the same ------------------------------------------------------------

def walk(node, change):
    """``change`` applied to every dict in ``node``, depth first (it returns the new dict)."""
    if isinstance(node, list):
        return [walk(item, change) for item in node]
    if isinstance(node, dict):
        return change({key: walk(value, change) for key, value in node.items()})
    return node


def as_openapi_30(doc: dict) -> dict:
    """The same API spelt as a 3.0 document: ``servers`` and relative paths, ``nullable``
    instead of null variants, the bearer scheme instead of the authorization header."""

    def spell(node: dict) -> dict:
        variants = node.get("anyOf")
        if isinstance(variants, list) and {"type": "null"} in variants:
            rest = [v for v in variants if v != {"type": "null"}]
            node = {k: v for k, v in node.items() if k != "anyOf"}
            inner = rest[0] if len(rest) == 1 else {"anyOf": rest}
            inner = {"allOf": [inner]} if "$ref" in inner else inner
            return {**node, **inner, "nullable": True}
        return node

    doc = walk(copy.deepcopy(doc), spell)
    doc["openapi"] = "3.0.3"
    doc["servers"] = [{"url": "https://billing.example.com/api/v1"}]
    doc["paths"] = {path.removeprefix("/api/v1"): item for path, item in doc["paths"].items()}
    if "securitySchemes" in doc["components"]:
        return doc  # the full document has its scheme already
    doc["components"]["securitySchemes"] = {"token": {"type": "http", "scheme": "bearer"}}
    doc["security"] = [{"token": []}]
    for item in doc["paths"].values():
        for operation in item.values():
            params = operation.get("parameters", [])
            if not any(p["name"] == "authorization" for p in params):
                operation["security"] = []
            operation["parameters"] = [p for p in params if p["name"] != "authorization"]
    return doc


def inlined(doc: dict) -> dict:
    """Every ``$ref`` replaced by what it refers to."""
    def target(ref: str):
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]
        return node

    def inline(node):
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return inline(copy.deepcopy(target(node["$ref"])))
        return {key: inline(value) for key, value in node.items()}

    return {**doc, "paths": inline(doc["paths"])}


def retitled(doc: dict) -> dict:
    def titles(node: dict) -> dict:
        for key in ("title", "description", "summary"):
            if isinstance(node.get(key), str):
                node[key] = "renamed " + node[key]
        node.pop("example", None)
        return node

    return walk(copy.deepcopy(doc), titles)


def single_variants(doc: dict) -> dict:
    """Every property schema wrapped in a one-variant ``anyOf`` or ``allOf``."""
    count = [0]

    def wrap(node: dict) -> dict:
        for name, sub in list((node.get("properties") or {}).items()):
            if isinstance(sub, dict) and isinstance(node.get("type"), str):
                count[0] += 1
                node["properties"][name] = {"anyOf" if count[0] % 2 else "allOf": [sub]}
        return node

    return walk(copy.deepcopy(doc), wrap)


def renamed_path_parameters(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    paths = {}
    for path, item in doc["paths"].items():
        paths[path.replace("{invoice_id}", "{id}")] = item
        for operation in item.values():
            for param in operation.get("parameters", []):
                if param.get("name") == "invoice_id":
                    param["name"] = "id"
    doc["paths"] = paths
    return doc


REWRITES = [as_openapi_30, inlined, retitled, single_variants, renamed_path_parameters]


@pytest.mark.parametrize("rewrite", REWRITES, ids=lambda f: f.__name__)
def test_a_rewrite_that_means_the_same_has_no_drift(rewrite):
    assert found(rewrite(published())) == set()


def test_the_same_rewrites_of_the_full_document_have_no_drift_at_level_mock():
    doc = full()
    for rewrite in REWRITES:
        doc = rewrite(doc)
    union = schemas(doc)["PaymentMethodCreateRequest"]["oneOf"]
    union.reverse()  # a union is a set of alternatives: their order means nothing
    assert found(doc, "mock") == set()
    assert found(load_spec(), "mock") == set()  # the mock's own 3.0 source


def test_the_mocks_published_document_and_the_fastapi_backend_have_no_drift(tmp_path):
    """The stand-in FastAPI app declared like the backend publishes what the mock publishes,
    in FastAPI's own spelling (where patterns and bounds differ, they are the mock's guesses,
    not the published layer)."""
    assert found(fastapi_backend.openapi()) == set()
    result = drift(tmp_path, fastapi_backend.openapi())
    assert result.exit_code == 0 and "0 differences" in result.output, result.output


def test_the_mocks_own_documents_by_url_have_no_drift(live):
    result = CliRunner().invoke(main, ["drift", "--spec", f"{live.url}/openapi.json"])
    assert result.exit_code == 0 and "0 differences" in result.output, result.output[-2000:]
    result = CliRunner().invoke(main, ["drift", "--spec", f"{live.url}/_mock/openapi/billing.json",
                                       "--level", "mock"])
    assert result.exit_code == 0 and "0 differences" in result.output, result.output[-2000:]


# -- each change, with its level -----------------------------------------------------------

def status_201_to_200(doc):
    responses = op(doc, "post", "/payment-methods")["responses"]
    responses["200"] = responses.pop("201")


def parameter_became_required(doc):
    op(doc, "get", "/invoices")["parameters"][2]["required"] = True


def date_became_date_time(doc):
    schemas(doc)["InvoiceResponse"]["properties"]["issue_date"]["format"] = "date-time"


def max_length_decreased(doc):
    schemas(doc)["PaymentProviderSetupRequest"]["properties"]["return_url"]["maxLength"] = 512


def maximum_decreased(doc):
    op(doc, "get", "/invoices")["parameters"][1]["schema"]["maximum"] = 50


def min_length_set(doc):
    schemas(doc)["PaymentProviderSetupRequest"]["properties"]["return_url"]["minLength"] = 12


def token_no_longer_read(doc):
    params = op(doc, "get", "/invoices/{invoice_id}")["parameters"]
    params[:] = [p for p in params if p["name"] != "authorization"]


def public_operation_needs_a_token(doc):
    op(doc, "get", "/payment-providers")["parameters"] = [
        {"name": "authorization", "in": "header", "required": False,
         "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]}}]


def nullable_reference_lost_a_required_field(doc):
    schemas(doc)["InvoiceSummary"]["required"].remove("number")


def request_property_type_changed(doc):
    schemas(doc)["PaymentMethodCreateRequest"]["properties"]["provider_slug"] = {
        "type": "integer"}


def response_union_gained_a_variant(doc):
    data = schemas(doc)["ApiResponse_Union_BillingProfileResponse__NoneType__"]["properties"][
        "data"]
    data["anyOf"].insert(1, {"type": "string"})


def operation_removed(doc):
    del doc["paths"][API + "/overview"]


def map_value_max_length_decreased(doc):
    schemas(doc)["PaymentProviderConfirmRequest"]["properties"]["confirmation_data"][
        "additionalProperties"]["maxLength"] = 100


def response_property_became_nullable(doc):
    schemas(doc)["InvoiceResponse"]["properties"]["total_cents"] = {
        "anyOf": [{"type": "integer"}, {"type": "null"}]}


def at(method: str, path: str, location: str = "", inner: str = "") -> str:
    """Where a change is: the operation, then the place in it, then the place in its schema."""
    return " ".join(part for part in (f"{method} {API}{path}", location, inner) if part)


JSON_200 = "response 200 application/json"
SETUP_BODY = ("POST", "/payment-providers/{slug}/setup", "request body application/json")
PLANTED = {
    status_201_to_200: {
        ("response-success-status-removed", "error", at("POST", "/payment-methods",
                                                        "response 201")),
        ("response-success-status-added", "info", at("POST", "/payment-methods",
                                                     "response 200"))},
    parameter_became_required: {
        ("request-parameter-became-required", "error", at("GET", "/invoices",
                                                          "query parameter status"))},
    date_became_date_time: {
        ("response-property-type-changed", "error", at("GET", "/invoices", JSON_200,
                                                       "data[].issue_date")),
        ("response-property-type-changed", "error", at("GET", "/invoices/{invoice_id}",
                                                       JSON_200, "data.issue_date"))},
    token_no_longer_read: {
        ("api-security-removed", "error", at("GET", "/invoices/{invoice_id}", "security"))},
    public_operation_needs_a_token: {
        ("api-security-added-to-public", "error", at("GET", "/payment-providers",
                                                     "security"))},
    nullable_reference_lost_a_required_field: {
        ("response-property-became-optional", "error", at("GET", "/overview", JSON_200,
                                                          "data.last_invoice.number"))},
    request_property_type_changed: {
        ("request-property-type-changed", "error", at(
            "POST", "/payment-methods", "request body application/json", "provider_slug"))},
    response_union_gained_a_variant: {
        ("response-property-any-of-added", "error", at("GET", "/billing-profile", JSON_200,
                                                       "data"))},
    operation_removed: {
        ("api-path-removed-without-deprecation", "error", at("GET", "/overview"))},
    response_property_became_nullable: {
        ("response-property-became-nullable", "error", at("GET", "/invoices", JSON_200,
                                                          "data[].total_cents")),
        ("response-property-became-nullable", "error", at("GET", "/invoices/{invoice_id}",
                                                          JSON_200, "data.total_cents"))},
}


@pytest.mark.parametrize("plant", PLANTED, ids=lambda f: f.__name__)
def test_each_breaking_change_is_reported_with_its_level_and_fails(plant, tmp_path):
    doc = published()
    plant(doc)
    assert found(doc) == PLANTED[plant]
    result = drift(tmp_path, doc)
    assert result.exit_code == 1, result.output
    assert "error (ERR, breaking)" in result.output


def planted_in_full(change) -> dict:
    doc = full()
    change(doc)
    return doc


# The reference shows no validation keyword anywhere (parameters by name, place, type and
# required; the three small bodies by their field names): a change of one is drift of the
# mock's guesses, held against a server at --level mock only.
CONFIRM_BODY = ("POST", "/payment-providers/{slug}/confirm", "request body application/json")
PLANTED_IN_GUESSES = {
    max_length_decreased: {
        ("request-property-max-length-decreased", "error", at(*SETUP_BODY, "return_url"))},
    maximum_decreased: {
        ("request-parameter-max-decreased", "error", at("GET", "/invoices",
                                                        "query parameter page_size"))},
    min_length_set: {
        ("request-property-min-length-set", "error", at(*SETUP_BODY, "return_url"))},
    map_value_max_length_decreased: {
        ("request-property-max-length-decreased", "error", at(*CONFIRM_BODY,
                                                              "confirmation_data.*"))},
}


@pytest.mark.parametrize("plant", PLANTED_IN_GUESSES, ids=lambda f: f.__name__)
def test_a_changed_validation_keyword_fails_at_level_mock_only(plant, tmp_path):
    assert found(planted(plant)) == set()
    assert drift(tmp_path, planted(plant)).exit_code == 0
    assert found(planted_in_full(plant), "mock") == PLANTED_IN_GUESSES[plant]
    result = drift(tmp_path, planted_in_full(plant), "--level", "mock")
    assert result.exit_code == 1 and "error (ERR, breaking)" in result.output, result.output


def http_url(doc: dict) -> None:
    """``return_url`` declared as pydantic's ``HttpUrl`` (``HttpUrl | None`` where optional)."""
    create = schemas(doc)["PaymentMethodCreateRequest"]["properties"]
    setup = schemas(doc)["PaymentProviderSetupRequest"]["properties"]
    create["return_url"] = {**TypeAdapter(HttpUrl | None).json_schema(), "title": "Return Url"}
    setup["return_url"] = {**TypeAdapter(HttpUrl).json_schema(), "title": "Return Url"}


def own_method_types(doc: dict) -> None:
    """The published bodies' enums are the mock's guess too (the facts leave the method
    types and provider slugs open)."""
    for name in ("PaymentMethodCreateRequest", "PaymentProviderSetupRequest"):
        schemas(doc)[name]["properties"]["method_type"]["enum"] = ["card", "sepa", "wallet"]


@pytest.mark.parametrize("plant", [http_url, own_method_types], ids=lambda f: f.__name__)
def test_the_published_bodies_keywords_are_guesses_at_level_published(plant, tmp_path):
    doc = copy.deepcopy(fastapi_backend.openapi())
    plant(doc)
    assert found(doc) == set()
    result = drift(tmp_path, doc)
    assert result.exit_code == 0 and "0 differences" in result.output, result.output
    base, strict = found(fastapi_backend.openapi(), "mock"), found(doc, "mock")
    new = {c for c in strict - base if c[1] == "error"}
    assert new and all("return_url" in c[2] or "method_type" in c[2] for c in new), new


def test_the_published_bodies_fields_are_still_held_at_level_published():
    """What the reference fixes of those bodies, their field names, is held all the same."""
    def renamed(doc):
        props = schemas(doc)["PaymentProviderSetupRequest"]["properties"]
        props["redirect_url"] = props.pop("return_url")
        schemas(doc)["PaymentProviderSetupRequest"]["required"] = ["method_type",
                                                                     "redirect_url"]

    assert found(planted(renamed)) == {
        ("request-property-removed", "warning", at(*SETUP_BODY, "return_url")),
        ("new-required-request-property", "error", at(*SETUP_BODY, "redirect_url"))}


def pdf_gone(doc):
    del op(doc, "get", "/invoices/{invoice_id}/download")["responses"]["200"]["content"][
        "application/pdf"]


def test_a_media_type_removed_from_the_full_document_is_breaking(tmp_path):
    assert found(planted_in_full(pdf_gone), "mock") == {
        ("response-media-type-removed", "error",
         f"GET {API}/invoices/{{invoice_id}}/download response 200")}
    assert drift(tmp_path, planted_in_full(pdf_gone), "--level", "mock").exit_code == 1


def fastapi_answer(**declared) -> dict:
    """The 200 answer FastAPI itself writes for a route declared with these arguments."""
    app = FastAPI()
    app.get("/x", **declared)(lambda: None)
    return app.openapi()["paths"]["/x"]["get"]["responses"]["200"]


PDF = {"schema": {"type": "string", "format": "binary"}}
DOCUMENTS = {  # path -> how a server declares the answer
    "/invoices/{invoice_id}/pdf": {"response_class": Response,
                                   "responses": {200: {"content": {"application/pdf": PDF}}}},
    "/invoices/{invoice_id}/download": {"responses": {200: {"content": {  # JSONResponse's too
        "application/pdf": PDF, "application/xml": PDF}}}},
}


def with_document_answers(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    for path, declared in DOCUMENTS.items():
        op(doc, "get", path)["responses"]["200"] = fastapi_answer(**declared)
    return doc


def test_fastapis_json_answer_without_a_model_promises_no_media_type(tmp_path):
    """FastAPI writes ``application/json: {schema: {}}`` for an answer that is not a model:
    a server that names its PDF and XML answers has not removed a media type."""
    declared = with_document_answers(fastapi_backend.openapi())
    assert "application/json" not in op(declared, "get", "/invoices/{invoice_id}/pdf")[
        "responses"]["200"]["content"]
    pdf, download = (at("GET", path, "response 200") for path in DOCUMENTS)
    assert found(declared) == {("response-media-type-added", "info", pdf),
                               ("response-media-type-added", "info", download)}
    assert drift(tmp_path, declared).exit_code == 0
    # the reverse (the mock's full document names them, FastAPI's says JSON of any shape)
    reverse = {c for c in found(fastapi_backend.openapi(), "mock") if "media-type" in c[0]}
    assert reverse == {("response-media-type-unspecified", "info", pdf),
                       ("response-media-type-unspecified", "info", download)}
    assert {c for c in found(declared, "mock") if "media-type" in c[0]} == set()
    # a media type named on both sides and gone from one is still removed
    xml_gone = copy.deepcopy(declared)
    del op(xml_gone, "get", "/invoices/{invoice_id}/download")["responses"]["200"][
        "content"]["application/xml"]
    assert {c for c in found(xml_gone, "mock") if "media-type" in c[0]} == {
        ("response-media-type-removed", "error", download)}


def test_security_schemes_are_compared_by_what_a_client_sends():
    def public(doc):
        op(doc, "get", "/invoices")["security"] = []

    def api_key(doc):
        doc["components"]["securitySchemes"]["bearerAuth"] = {
            "type": "apiKey", "in": "header", "name": "X-Api-Key"}

    def oauth2(doc):  # FastAPI's OAuth2PasswordBearer: a bearer token all the same
        doc["components"]["securitySchemes"]["bearerAuth"] = {
            "type": "oauth2", "flows": {"password": {"tokenUrl": "token", "scopes": {}}}}

    assert found(planted_in_full(public), "mock") == {
        ("api-security-removed", "error", f"GET {API}/invoices security")}
    assert found(planted_in_full(oauth2), "mock") == set()
    changes = found(planted_in_full(api_key), "mock")
    assert len(changes) == 2 * 15 and {c[:2] for c in changes} == {
        ("api-security-removed", "error"), ("api-security-added", "info")}


def test_a_union_is_compared_variant_by_variant_not_as_its_last_one():
    def first_variant_narrowed(doc):
        schemas(doc)["StripePaymentMethodCreate"]["properties"]["method_type"]["enum"].remove(
            "sepa_debit")

    def variant_removed(doc):
        schemas(doc)["PaymentMethodCreateRequest"]["oneOf"].pop(1)

    body = f"POST {API}/payment-methods request body application/json"
    assert found(planted_in_full(first_variant_narrowed), "mock") == {
        ("request-property-enum-value-removed", "error",
         f"{body} <StripePaymentMethodCreate>.method_type")}
    assert found(planted_in_full(variant_removed), "mock") == {
        ("request-body-one-of-removed", "error", body)}


VARIANTS = ("StripePaymentMethodCreate", "MolliePaymentMethodCreate", "CryptoPaymentMethodCreate")
CREATE_BODY = ("POST", "/payment-methods", "request body application/json")


def test_a_plain_body_facing_a_union_is_compared_once_per_property():
    """The published plain model against the mock's union of three: one change for the body
    becoming a union (it refuses combinations the plain model allows), and each property
    difference once, against what the variants allow together, not once per variant."""
    def changes(doc: dict, base: dict) -> set:
        return {(c.id, c.level, c.where) for c in compare(base, doc)
                if c.where.startswith(at(*CREATE_BODY))}

    became = ("request-body-became-union", "error", at(*CREATE_BODY))
    assert changes(full(), published_document()) == {became}

    def url_gone_and_a_new_type(doc):
        for name in VARIANTS:
            del schemas(doc)[name]["properties"]["return_url"]
        schemas(doc)["CryptoPaymentMethodCreate"]["properties"]["method_type"]["enum"].append(
            "lightning")

    assert changes(planted_in_full(url_gone_and_a_new_type), published_document()) == {
        became,
        ("request-property-removed", "warning", at(*CREATE_BODY, "return_url")),
        ("request-property-enum-value-added", "info", at(*CREATE_BODY, "method_type"))}
    # and the other way: a server that declares the plain model where the mock has a union
    assert changes(published_document(), mock_document()) == {
        ("request-body-became-not-union", "info", at(*CREATE_BODY))}


def test_a_guessed_models_validation_keywords_count_at_level_mock_only():
    """Patterns, lengths and bounds of a model the reference does not show are the mock's
    guesses: a server with its own id format is not drift of the published layer."""
    def own_ids(doc):
        schemas(doc)["InvoiceResponse"]["properties"]["id"]["pattern"] = "^INV-[0-9]+$"
        schemas(doc)["BillingProfileCreateUpdate"]["properties"]["company_name"][
            "maxLength"] = 100

    doc = published()
    own_ids(doc)
    assert found(doc) == set()
    changes = found(planted_in_full(own_ids), "mock")
    assert {c[:2] for c in changes} == {("response-property-pattern-changed", "warning"),
                                        ("request-property-max-length-decreased", "error")}


def test_changes_that_break_no_client_exit_0_unless_asked(tmp_path):
    doc = published()
    schemas(doc)["InvoiceResponse"]["properties"]["po_number"] = {"type": "string"}
    schemas(doc)["InvoiceStatus"]["enum"].append("disputed")
    changes = {c[:2] for c in found(doc)}
    assert changes == {("response-optional-property-added", "info"),
                       ("response-property-enum-value-added", "warning")}
    assert drift(tmp_path, doc).exit_code == 0
    assert drift(tmp_path, doc, "--fail-on", "warning").exit_code == 1
    schemas(doc)["InvoiceStatus"]["enum"].remove("disputed")
    assert drift(tmp_path, doc, "--fail-on", "warning").exit_code == 0
    assert drift(tmp_path, doc, "--fail-on", "info").exit_code == 1


def test_text_is_grouped_by_level_and_json_lists_each_change(tmp_path):
    doc = published()
    status_201_to_200(doc)
    text = drift(tmp_path, doc).output
    assert text.index("error (ERR, breaking): 1") < text.index("info (INFO, not breaking): 1")
    assert text.rstrip().endswith("2 differences (1 error, 0 warning, 1 info)")
    listed = json.loads(drift(tmp_path, doc, "--format", "json").output)
    assert listed[0] == {
        "id": "response-success-status-removed", "level": "error",
        "operation": f"POST {API}/payment-methods", "location": "response 201", "path": "",
        "text": "the success status 201 was removed"}


# -- the earlier tests, on the new grading -----------------------------------------------

def as_fastapi_31(spec: dict) -> dict:
    """Our 3.0 source spelt the way FastAPI writes it: 3.1, null types, full paths, and the
    optional authorization header beside the security scheme."""
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
        for operation in item.values():
            if operation.get("security") != []:
                operation.setdefault("parameters", []).append(
                    {"name": "authorization", "in": "header", "required": False,
                     "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]}})
    return doc


def test_the_same_api_in_fastapis_spelling_has_no_drift():
    assert compare(mock_document(), as_fastapi_31(load_spec())) == []


def test_known_differences_are_all_listed():
    theirs = as_fastapi_31(load_spec())
    paths, table = theirs["paths"], theirs["components"]["schemas"]
    del paths["/api/v1/billing/upcoming"]
    paths["/api/v1/billing/credits"] = {"get": {"operationId": "listCredits", "responses": {}}}
    paths["/api/v1/billing/invoices"]["get"]["parameters"].append(
        {"name": "q", "in": "query", "schema": {"type": "string"}})
    table["BillingProfileCreateUpdate"]["properties"]["preferred_language"]["enum"].append("pl")
    table["BillingProfileCreateUpdate"]["properties"]["iban"] = {"type": "string"}
    del table["BillingProfileResponse"]["properties"]["buyer_reference"]
    table["InvoiceResponse"]["properties"]["subtotal_cents"] = {"type": "string"}
    table["InvoiceResponse"]["properties"]["pdf_url"] = {"type": "string"}
    changes = {(c.id, c.level, c.where) for c in compare(mock_document(), theirs)}
    profile_body = "request body application/json"
    expected = {
        ("api-path-removed-without-deprecation", "error", at("GET", "/upcoming")),
        ("endpoint-added", "info", at("GET", "/credits")),
        ("new-optional-request-parameter", "info", at("GET", "/invoices", "query parameter q")),
        ("request-property-enum-value-added", "info", at("PUT", "/billing-profile",
                                                         profile_body, "preferred_language")),
        ("new-optional-request-property", "info", at("PUT", "/billing-profile", profile_body,
                                                     "iban")),
        ("response-required-property-removed", "error", at("GET", "/billing-profile",
                                                           JSON_200, "data.buyer_reference")),
        ("response-required-property-removed", "error", at("PUT", "/billing-profile",
                                                           JSON_200, "data.buyer_reference")),
        ("response-property-type-changed", "error", at("GET", "/invoices/{invoice_id}",
                                                       JSON_200, "data.subtotal_cents")),
        ("response-property-type-changed", "error", at("GET", "/invoices", JSON_200,
                                                       "data[].subtotal_cents")),
        ("response-property-became-not-nullable", "info", at("GET", "/invoices/{invoice_id}",
                                                             JSON_200, "data.pdf_url")),
        ("response-property-became-not-nullable", "info", at("GET", "/invoices", JSON_200,
                                                             "data[].pdf_url")),
    }
    assert changes == expected, sorted(changes ^ expected)


def test_drift_command_reads_files_and_exits_by_outcome(tmp_path):
    same = tmp_path / "same.json"
    same.write_text(json.dumps(published()))
    result = CliRunner().invoke(main, ["drift", "--spec", str(same)])
    assert result.exit_code == 0 and "0 differences" in result.output
    changed = published()
    del changed["paths"][API + "/overview"]
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(changed))
    result = CliRunner().invoke(main, ["drift", "--spec", str(path), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output)[0]["id"] == "api-path-removed-without-deprecation"
    assert CliRunner().invoke(main, ["drift", "--spec", str(tmp_path / "no.json")]).exit_code == 2


def test_base_compares_two_versions_of_the_servers_own_document(tmp_path):
    """``--base``: the server's last release against its next, every keyword held (neither
    is the mock's, so nothing in them is a guess)."""
    before = tmp_path / "before.json"
    before.write_text(json.dumps(fastapi_backend.openapi()))
    after = copy.deepcopy(fastapi_backend.openapi())
    status_201_to_200(after)
    max_length_decreased(after)  # a guess of the mock's, but this is the server's own
    result = drift(tmp_path, after, "--base", str(before), "--format", "json")
    assert result.exit_code == 1, result.output
    assert {(c["id"], c["level"]) for c in json.loads(result.output)} == {
        ("response-success-status-removed", "error"), ("response-success-status-added", "info"),
        ("request-property-max-length-decreased", "error")}
    same = drift(tmp_path, fastapi_backend.openapi(), "--base", str(before))
    assert same.exit_code == 0 and "0 differences" in same.output, same.output
    assert drift(tmp_path, after, "--base", str(tmp_path / "none.json")).exit_code == 2
    both = drift(tmp_path, after, "--base", str(before), "--level", "mock")
    assert both.exit_code == 2 and "--base" in both.output, both.output


def test_base_reads_a_url(live, tmp_path):
    result = drift(tmp_path, published(), "--base", f"{live.url}/openapi.json")
    assert result.exit_code == 0 and "0 differences" in result.output, result.output[-2000:]
    result = drift(tmp_path, published(), "--base", f"{live.url}/_mock/openapi/billing.json")
    assert result.exit_code == 1, result.output[-2000:]
    assert "required-response-header-removed" in result.output  # X-Request-ID, strictly held


def test_a_nullable_object_keeps_its_required_fields():
    """``anyOf [object, {type: null}]`` (3.1) is read with the object's ``required``, whether
    the object is inline or referred to."""
    theirs = full()
    summary = copy.deepcopy(schemas(theirs)["InvoiceSummary"])
    summary["required"].remove("number")
    schemas(theirs)["BillingOverviewResponse"]["properties"]["last_invoice"] = {
        "anyOf": [summary, {"type": "null"}]}  # inline, where the mock's refers
    assert found(theirs, "mock") == {
        ("response-property-became-optional", "error",
         f"GET {API}/overview response 200 application/json data.last_invoice.number")}


# -- documents no model has ----------------------------------------------------------------

def test_a_schema_that_refers_to_itself_is_compared_without_end():
    node = {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": REF + "Node"}}}}
    doc = {"openapi": "3.1.0", "components": {"schemas": {"Node": node}}, "paths": {"/tree": {
        "get": {"responses": {"200": {"content": {"application/json": {"schema": {
            "$ref": REF + "Node"}}}}}}}}}
    assert compare(doc, copy.deepcopy(doc)) == []
    changed = copy.deepcopy(doc)
    changed["components"]["schemas"]["Node"]["properties"]["name"]["format"] = "date"
    assert [(c.id, c.path) for c in compare(doc, changed)] == [
        ("response-property-type-specialized", "name")]


def test_a_malformed_document_is_read_as_far_as_it_goes_never_a_crash(tmp_path):
    """Parts of the wrong kind (a list where a mapping belongs, a number for a type) read as
    absent; the command answers with its report, never a traceback."""
    rng = random.Random(14)
    base = published_document()
    places = list(_places(base))
    for _ in range(25):
        doc = copy.deepcopy(base)
        for _ in range(rng.randint(1, 6)):
            _put(doc, rng.choice(places), rng.choice([[], {}, "x", 3, None, True, [1], {"a": 1}]))
        compare(base, doc)
        compare(doc, base)
    result = drift(tmp_path, {"openapi": "3.1.0", "paths": {"/x": {"get": {
        "parameters": {"name": "q"}, "responses": [200]}}}})
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert drift(tmp_path, {"openapi": "3.1.0", "paths": []}).exit_code == 2


def _places(node, path=()):
    if path:
        yield path
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(
        node, list) else ()
    for key, value in children:
        yield from _places(value, (*path, key))


def _put(doc, path, value) -> None:
    try:
        for step in path[:-1]:
            doc = doc[step]
        doc[path[-1]] = value
    except (KeyError, IndexError, TypeError):
        pass  # an earlier change took that place away


# -- the grading is oasdiff's ----------------------------------------------------------------

# oasdiff's own default levels (checker/rules.go, v1.3x), written out independently of the
# rule that drift_rules.py derives them by.
E, W, I = "error", "warning", "info"
OASDIFF = {
    "api-path-removed-without-deprecation": E, "api-removed-without-deprecation": E,
    "endpoint-added": I, "api-security-removed": E, "api-security-added": I,
    "api-operation-id-removed": I, "api-operation-id-added": I,
    "new-required-request-parameter": E, "new-optional-request-parameter": I,
    "request-parameter-removed": W, "request-parameter-became-required": E,
    "request-parameter-became-optional": I, "request-body-became-required": E,
    "request-body-became-optional": I, "request-body-media-type-removed": E,
    "request-body-media-type-added": I, "request-body-removed": E,
    "request-body-added-required": E, "request-body-added-optional": I,
    "response-success-status-removed": E, "response-success-status-added": I,
    "response-non-success-status-removed": I, "response-non-success-status-added": I,
    "response-media-type-removed": E, "response-media-type-added": I,
    "required-response-header-removed": E, "optional-response-header-removed": W,
    "response-header-added": I,
    "request-parameter-type-changed": E, "request-parameter-type-generalized": I,
    "request-parameter-property-type-changed": W,
    "request-parameter-property-type-specialized": E, "request-parameter-became-nullable": I,
    "request-parameter-became-not-nullable": E, "request-parameter-enum-value-added": I,
    "request-parameter-enum-value-removed": E, "request-parameter-became-enum": E,
    "request-parameter-max-decreased": E, "request-parameter-max-increased": I,
    "request-parameter-max-set": E, "request-parameter-max-length-set": E,
    "request-parameter-min-increased": E, "request-parameter-min-decreased": I,
    "request-parameter-pattern-added": E, "request-parameter-pattern-removed": I,
    "request-parameter-pattern-changed": W, "request-parameter-default-value-changed": I,
    "request-property-type-changed": E, "request-property-type-generalized": I,
    "request-property-became-required": E, "request-property-became-optional": I,
    "request-property-enum-value-added": I, "request-property-enum-value-removed": E,
    "request-property-became-enum": E, "request-property-max-length-decreased": E,
    "request-property-max-length-increased": I, "request-property-max-length-set": E,
    "request-property-min-length-increased": E, "request-property-min-length-decreased": I,
    "request-property-max-set": E, "request-property-min-set": E,
    "request-property-pattern-added": E, "request-property-pattern-removed": I,
    "request-property-pattern-changed": W, "request-property-removed": W,
    "new-required-request-property": E, "new-optional-request-property": I,
    "request-property-became-nullable": I, "request-property-became-not-nullable": E,
    "request-property-one-of-added": I, "request-property-one-of-removed": E,
    "request-body-one-of-added": I, "request-body-one-of-removed": E,
    "request-property-any-of-removed": E, "request-property-default-value-changed": I,
    "response-property-type-changed": E, "response-property-type-generalized": E,
    "response-property-type-specialized": I, "response-body-type-changed": E,
    "response-property-became-nullable": E, "response-body-became-nullable": E,
    "response-property-became-not-nullable": I, "response-property-became-optional": E,
    "response-property-became-required": I, "response-required-property-removed": E,
    "response-optional-property-removed": I, "response-required-property-added": I,
    "response-optional-property-added": I, "response-property-enum-value-added": W,
    "response-property-enum-value-removed": I, "response-property-max-increased": E,
    "response-property-max-length-increased": E, "response-property-max-length-unset": E,
    "response-property-min-decreased": E, "response-property-min-length-decreased": E,
    "response-property-pattern-added": I, "response-property-pattern-changed": W,
    "response-property-pattern-removed": E, "response-property-one-of-added": E,
    "response-property-one-of-removed": I, "response-property-any-of-added": E,
    "response-property-any-of-removed": I, "response-body-one-of-added": E,
    "response-property-default-value-changed": I,
}


def test_every_change_found_is_graded_as_oasdiff_grades_it():
    backend = fastapi_backend.openapi()
    corpus = [*compare(mock_document(), backend), *compare(published_document(), full()),
              *compare(backend, mock_document())]
    for plant in PLANTED:
        corpus += compare(published_document(), planted(plant))
    for plant in [*PLANTED_IN_GUESSES, pdf_gone]:
        corpus += compare(mock_document(), planted_in_full(plant))
    method_types = copy.deepcopy(backend)
    own_method_types(method_types)
    corpus += compare(mock_document(), method_types)
    graded = {(c.id, c.level) for c in corpus if c.id in OASDIFF}
    assert {(i, lvl) for i, lvl in graded if OASDIFF[i] != lvl} == set()
    assert len(graded) >= 30  # the corpus exercises most of the table


def planted(plant) -> dict:
    doc = published()
    plant(doc)
    return doc
