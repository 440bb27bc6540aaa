"""The reference's notation, rule by rule, on small hand-written documents."""

import copy
import difflib

import pytest

from mockserver.contract.notation import diff, reference_operations, render

ENVELOPE = {"type": "object", "properties": {"data": {}, "meta": {}}}
NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}]}


def operation(**fields) -> dict:
    return {"summary": "Get Thing", "responses": {"200": {"description": "Successful Response"}},
            **fields}


def document(paths: dict, schemas: dict | None = None) -> dict:
    return {"openapi": "3.1.0", "paths": paths, "components": {"schemas": schemas or {}}}


def json_of(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def test_one_operation_in_full():
    doc = document({"/api/v1/billing/things/{thing_id}": {"post": operation(
        summary="Send Thing", description="Send a thing.",
        parameters=[{"name": "thing_id", "in": "path", "required": True,
                     "schema": {"type": "string"}}],
        requestBody=json_of({"$ref": "#/components/schemas/ThingRequest"}),
        responses={
            "200": {"description": "Successful Response",
                    **json_of({"$ref": "#/components/schemas/ApiResponse_dict_"})},
            "422": {"description": "Validation Error",
                    **json_of({"$ref": "#/components/schemas/HTTPValidationError"})}})}},
        {"ThingRequest": {"type": "object", "properties": {"to": {}, "cc": {}}},
         "ApiResponse_dict_": ENVELOPE,
         "HTTPValidationError": {"type": "object", "properties": {"detail": {}}}})
    assert render(doc) == (
        "POST /api/v1/billing/things/{thing_id} — Send Thing"
        " {#post-api-v1-billing-things-thing-id}#\n"
        "\n"
        "Send a thing.\n"
        "\n"
        "Parameters:\n"
        "\n"
        "  • thing_id (path, string, required)\n"
        "\n"
        "Body: ThingRequest — {to, cc}\n"
        "\n"
        "Responses:\n"
        "\n"
        "  • 200 — Successful Response. Returns: ApiResponse_dict_ — {data, meta}\n"
        "  • 422 — Validation Error. Returns: HTTPValidationError — {detail}\n")


def headings(text: str) -> list[str]:
    return [line.split(" — ")[0] for line in text.splitlines() if "{#" in line]


def test_operations_by_path_then_method_and_only_billing_ones():
    doc = document({
        "/api/v1/billing/upcoming": {"get": operation()},
        "/api/v1/billing/payment-methods": {"post": operation(), "get": operation(),
                                            "parameters": []},
        "/api/v1/billing/payment-methods/{method_id}": {"delete": operation()},
        "/api/v1/billing-other": {"get": operation()},
        "/_mock/clock": {"get": operation()},
        "/api/v1/billing/billing-profile": {"put": operation(), "get": operation()}})
    assert headings(render(doc)) == [
        "GET /api/v1/billing/billing-profile", "PUT /api/v1/billing/billing-profile",
        "GET /api/v1/billing/payment-methods", "POST /api/v1/billing/payment-methods",
        "DELETE /api/v1/billing/payment-methods/{method_id}", "GET /api/v1/billing/upcoming"]


def test_paths_are_taken_as_written_not_joined_to_servers():
    doc = {**document({"/billing/upcoming": {"get": operation()}}),
           "servers": [{"url": "/api/v1"}]}
    assert render(doc) == ""


def test_the_description_is_markdown_paragraphs_and_lists():
    text = ("Download a thing.\n\nIt is made on the fly. If a\npre-made one exists, it is used.\n\n"
            "Formats:\n- pdf: Standard PDF\n- ubl: UBL 2.1\n  XML\n")
    doc = document({"/api/v1/billing/x": {"get": operation(description=text)}})
    assert render(doc).splitlines()[1:9] == [
        "", "Download a thing.", "", "It is made on the fly. If a pre-made one exists, it is used.",
        "", "Formats:", "", "  • pdf: Standard PDF"]
    assert "  • ubl: UBL 2.1 XML" in render(doc).splitlines()


def parameter_lines(parameters: list, components: dict | None = None) -> list[str]:
    doc = document({"/api/v1/billing/x": {"get": operation(parameters=parameters)}})
    doc["components"]["parameters"] = components or {}
    return [line for line in render(doc).splitlines() if line.startswith("  • ")
            and not line.startswith("  • 200")]


def test_parameters_keep_the_document_order_and_type_past_null():
    assert parameter_lines([
        {"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}},
        {"name": "status", "in": "query", "required": False, "schema": NULLABLE_STRING},
        {"name": "format", "in": "query", "schema": {**NULLABLE_STRING, "enum": ["pdf"]},
         "description": "Format: pdf,\n ubl"},
        {"name": "legacy", "in": "query", "schema": {"type": ["string", "null"]}},
        {"name": "old", "in": "query", "schema": {"type": "string", "nullable": True}},
        {"$ref": "#/components/parameters/Id"},
        {"name": "authorization", "in": "header", "schema": NULLABLE_STRING},
    ], {"Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}}) == [
        "  • page (query, integer, optional)",
        "  • status (query, string, optional)",
        "  • format (query, string, optional) — Format: pdf, ubl",
        "  • legacy (query, string, optional)",
        "  • old (query, string, optional)",
        "  • id (path, string, required)",
        "  • authorization (header, string, optional)"]


def test_no_parameters_no_parameters_section():
    text = render(document({"/api/v1/billing/x": {"get": operation(parameters=[])}}))
    assert "Parameters:" not in text and "Responses:" in text


def body_line(count: int) -> str:
    schema = {"type": "object", "properties": {f"f{i}": {} for i in range(1, count + 1)}}
    doc = document({"/api/v1/billing/x": {"put": operation(
        requestBody=json_of({"$ref": "#/components/schemas/Thing"}))}}, {"Thing": schema})
    return next(line for line in render(doc).splitlines() if line.startswith("Body:"))


@pytest.mark.parametrize(("count", "line"), [
    (1, "Body: Thing — {f1}"),
    (3, "Body: Thing — {f1, f2, f3}"),
    (4, "Body: Thing — {f1, f2, f3, f4}"),
    (5, "Body: Thing — {f1, f2, f3, f4 + 1 more}"),
    (20, "Body: Thing — {f1, f2, f3, f4 + 16 more}"),
])
def test_at_most_four_fields_then_how_many_more(count, line):
    assert body_line(count) == line


def returns_of(answer: dict, schemas: dict | None = None) -> str:
    doc = document({"/api/v1/billing/x": {"get": operation(responses={"200": answer})}}, schemas)
    line = next(line for line in render(doc).splitlines() if line.startswith("  • 200"))
    return line.split("Returns: ", 1)[1]


def test_returns_the_top_level_keys_through_refs():
    schemas = {"Page": {"type": "object", "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
        "pagination": {"$ref": "#/components/schemas/Item"}, "meta": {}}},
        "Alias": {"$ref": "#/components/schemas/Page"},
        "Item": {"type": "object", "properties": {"id": {}}}}
    answer = {"description": "OK", **json_of({"$ref": "#/components/schemas/Alias"})}
    assert returns_of(answer, schemas) == "Alias — {data, pagination, meta}"


def test_returns_nothing_without_a_schema():
    assert returns_of({"description": "OK", **json_of({})}) == "—"  # FastAPI's plain Response
    assert returns_of({"description": "OK"}) == "—"


def test_returns_keys_of_all_of_and_of_union_alternatives():
    schemas = {"ApiResponse_dict_": ENVELOPE, "Result": {"type": "object", "properties": {
        "id": {}}}, "Other": {"type": "object", "properties": {"id": {}, "url": {}}}}
    merged = {"allOf": [{"$ref": "#/components/schemas/ApiResponse_dict_"},
                        {"type": "object", "properties": {"data": {}, "extra": {}}}]}
    assert returns_of({"description": "OK", **json_of(merged)}, schemas) == (
        "object — {data, meta, extra}")
    union = {"oneOf": [{"$ref": "#/components/schemas/Result"},
                       {"$ref": "#/components/schemas/Other"}], "title": "Either"}
    assert returns_of({"description": "OK", **json_of(union)}, schemas) == "Either — {id, url}"
    binary = {"description": "OK", "content": {"application/pdf": {
        "schema": {"type": "string", "format": "binary"}}}}
    assert returns_of(binary) == "string"


def test_a_description_ending_in_a_full_stop_gets_no_second_one():
    doc = document({"/api/v1/billing/x": {"get": operation(responses={
        "200": {"description": "The rendered PDF."}})}})
    assert "  • 200 — The rendered PDF. Returns: —" in render(doc).splitlines()


def test_a_dangling_or_remote_ref_is_an_error():
    for ref in ("#/components/schemas/Missing", "other.yaml#/Thing"):
        doc = document({"/api/v1/billing/x": {"get": operation(responses={
            "200": {"description": "OK", **json_of({"$ref": ref})}})}})
        with pytest.raises(ValueError, match="cannot follow"):
            render(doc)


BASE = document({"/api/v1/billing/things/{thing_id}": {"post": operation(
    parameters=[{"name": "thing_id", "in": "path", "required": True,
                 "schema": {"type": "string"}}],
    responses={"201": {"description": "Successful Response"}})}})


def changed(change) -> list[str]:
    doc = copy.deepcopy(BASE)
    change(doc["paths"]["/api/v1/billing/things/{thing_id}"]["post"])
    return [line for line in diff(render(doc), render(BASE))
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_changed_summary_parameter_or_status_code_is_a_difference():
    assert changed(lambda op: None) == []
    assert changed(lambda op: op.update(summary="Post Thing")) == [
        "-POST /api/v1/billing/things/{thing_id} — Post Thing"
        " {#post-api-v1-billing-things-thing-id}#",
        "+POST /api/v1/billing/things/{thing_id} — Get Thing"
        " {#post-api-v1-billing-things-thing-id}#"]
    assert changed(lambda op: op["parameters"][0].update(required=False)) == [
        "-  • thing_id (path, string, optional)", "+  • thing_id (path, string, required)"]
    assert changed(lambda op: op["parameters"][0]["schema"].update(type="integer")) == [
        "-  • thing_id (path, integer, required)", "+  • thing_id (path, string, required)"]
    assert changed(lambda op: op.update(responses={"200": op["responses"]["201"]})) == [
        "-  • 200 — Successful Response. Returns: —",
        "+  • 201 — Successful Response. Returns: —"]
    assert changed(lambda op: op["parameters"].append(
        {"name": "authorization", "in": "header", "schema": NULLABLE_STRING})) == [
        "-  • authorization (header, string, optional)"]


PAGE = """Platform
ScaiWave ScaiGrid
Log in

Billing (tenant)

1 endpoints in this group. All paths are prefixed with /api/v1.

Endpoints in this group#


GET /api/v1/billing/x — Get Thing {#get-api-v1-billing-x}#   \n\n\n
Responses:

  • 200 — Successful Response. Returns: —
Updated 2026-05-18 01:48:40 View source (.md) rev 2
"""


def test_the_reference_without_its_chrome_matches_the_rendering():
    doc = document({"/api/v1/billing/x": {"get": operation()}})
    assert reference_operations(PAGE) == render(doc) == (
        "GET /api/v1/billing/x — Get Thing {#get-api-v1-billing-x}#\n\nResponses:\n\n"
        "  • 200 — Successful Response. Returns: —\n")
    assert diff(render(doc), reference_operations(PAGE)) == []


def test_a_text_without_an_operation_is_refused():
    with pytest.raises(ValueError, match="no operation heading"):
        reference_operations("Platform\nLog in\n\nBilling (tenant)\n")


def test_the_diff_is_a_unified_diff():
    cases = [("a\nb\nc", "a\nc"), ("", "x\ny"), ("x", ""),
             ("a\nb\nc\nd\ne\nf\ng\nh\ni", "a\nB\nc\nd\ne\nf\ng\nh\nI")]
    for a, b in cases:
        assert diff(a, b) == list(difflib.unified_diff(
            a.splitlines(), b.splitlines(), "rendered", "reference", lineterm=""))
    assert diff("same\n", "same\n") == []


def alike_operations(created: int | None) -> dict:
    """30 operations as the reference has them; three share one answer schema, and operation
    ``created`` (if any) answers 201 instead of 200."""
    def answers(n):
        schema = {"$ref": "#/components/schemas/" + ("Shared" if n in (5, 6, 7) else f"R{n}")}
        return {"201" if n == created else "200": {"description": "Successful Response",
                                                   **json_of(schema)},
                "422": {"description": "Validation Error"}}
    return document({f"/api/v1/billing/t{n:03}": {"get": operation(
        summary=f"Get T{n}", description=f"Thing {n}.", responses=answers(n))} for n in range(30)},
        {"Shared": {}, **{f"R{n}": {} for n in range(30)}})


def test_one_change_among_many_alike_operations_is_one_change():
    """difflib's own heuristic takes the recurring lines (``Responses:``, the 422) for junk and
    shows 26 lines for this one status code; here it is the two lines of that status code."""
    lines = [line for line in diff(render(alike_operations(None)), render(alike_operations(5)))
             if line[:1] in "+-"]
    assert lines[2:] == ["-  • 200 — Successful Response. Returns: Shared",
                         "+  • 201 — Successful Response. Returns: Shared"]
