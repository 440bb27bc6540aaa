"""The billing document as the real backend publishes it, and the mock's own, from one source.

The source is ``mockserver/openapi/billing.yaml``: OpenAPI 3.0 (what Connexion reads), with
everything the mock knows, its guesses included. From it, mechanically:

- :func:`published_document` is what a FastAPI backend declared like ScaiControl's serves at
  ``/openapi.json``: OpenAPI 3.1, the full ``/api/v1/billing/...`` paths and no ``servers``,
  FastAPI's default operationIds, the optional ``authorization`` header parameter on the tenant
  operations, ``anyOf [..., {type: null}]`` and ``title`` where pydantic writes them, FastAPI's
  own ``HTTPValidationError``, and only the answers the published reference lists (200/201 and
  422). Model fields the reference does not show are the mock's guesses: each such schema
  carries ``x-billing-mock-guessed: true``.
- :func:`mock_document` is the mock's fuller knowledge in the same notation: every answer the
  mock gives (401, 403, 404, 409, 402 included), typed ``data`` for the ``ApiResponse_dict_``
  operations, typed error details; marked as the mock's (``x-billing-mock: guessed layer``).
"""

from __future__ import annotations

import copy
from functools import lru_cache

from mockserver.spec import API_BASE, load_spec, operations

# The schemas whose fields the published reference shows whole: the envelopes, FastAPI's 422
# and the three small request bodies. Every other component is the mock's guess of what the
# real backend's model holds (BillingProfileCreateUpdate too: the reference names 4 of its 20
# fields).
PUBLISHED_SCHEMAS = frozenset({
    "HTTPValidationError", "ValidationError", "PaymentMethodCreateRequest",
    "PaymentProviderSetupRequest", "PaymentProviderConfirmRequest",
    "ApiResponse_BillingOverviewResponse_", "ApiResponse_BillingProfileResponse_",
    "ApiResponse_InvoiceResponse_", "ApiResponse_PaymentMethodResponse_",
    "ApiResponse_Union_BillingProfileResponse__NoneType__", "ApiResponse_dict_",
    "ApiResponse_list_PaymentMethodResponse__", "ApiResponse_list_PaymentProviderResponse__",
    "PaginatedResponse_InvoiceResponse_",
})
# FastAPI's own validation-error components, as FastAPI 0.16x writes them (with pydantic v2's
# ``input`` and ``ctx``).
FASTAPI_VALIDATION = {
    "HTTPValidationError": {
        "properties": {"detail": {"items": {"$ref": "#/components/schemas/ValidationError"},
                                  "type": "array", "title": "Detail"}},
        "type": "object", "title": "HTTPValidationError"},
    "ValidationError": {
        "properties": {
            "loc": {"items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    "type": "array", "title": "Location"},
            "msg": {"type": "string", "title": "Message"},
            "type": {"type": "string", "title": "Error Type"},
            "input": {"title": "Input"},
            "ctx": {"type": "object", "title": "Context"}},
        "type": "object", "required": ["loc", "msg", "type"], "title": "ValidationError"},
}
AUTHORIZATION = {"name": "authorization", "in": "header", "required": False,
                 "schema": {"anyOf": [{"type": "string"}, {"type": "null"}],
                            "title": "Authorization"}}
PUBLIC = frozenset({"listPaymentProviders", "getProviderConfig"})  # no authorization header
REF = "#/components/schemas/"


@lru_cache(maxsize=1)
def published_document() -> dict:
    """The published layer, as FastAPI would publish it (treat it as read-only)."""
    source = load_spec()
    paths: dict = {}
    for op in operations().values():
        item = source["paths"][op.path.removeprefix(API_BASE)]
        paths.setdefault(op.path, {})[op.method] = _published_operation(
            source, op, item[op.method])
    declared = {name: _inlined(_plain_model(schema, source["components"]["schemas"]),
                               source["components"]["schemas"])
                for name, schema in source["components"]["schemas"].items()}
    used = _referenced(paths, declared)
    schemas = {name: _schema_31(declared[name], name)
               for name in sorted(used) if name not in FASTAPI_VALIDATION and name != "Null"}
    for name, schema in schemas.items():
        if name not in PUBLISHED_SCHEMAS:
            schema["x-billing-mock-guessed"] = True
    schemas.update(copy.deepcopy(FASTAPI_VALIDATION))
    return {"openapi": "3.1.0", "info": {"title": source["info"]["title"],
                                         "version": source["info"]["version"]},
            "paths": paths, "components": {"schemas": dict(sorted(schemas.items()))}}


@lru_cache(maxsize=1)
def mock_document() -> dict:
    """Every answer the mock gives, in 3.1 with full paths, marked as the mock's."""
    source = copy.deepcopy(load_spec())
    paths = {API_BASE + path: {method: _with_mock_notes(op) for method, op in item.items()}
             for path, item in source["paths"].items()}
    schemas = {name: _schema_31(schema, name)
               for name, schema in source["components"]["schemas"].items() if name != "Null"}
    components = {**source["components"], "schemas": schemas}
    for kind in ("parameters", "responses"):
        components[kind] = _walk_31(components.get(kind, {}))
    info = {**source["info"], "x-billing-mock": "guessed layer: everything the mock answers, "
            "guesses included; /openapi.json is the published layer"}
    return {"openapi": "3.1.0", "info": info, "paths": _walk_31(paths),
            "components": components, "security": source.get("security", []),
            "tags": source.get("tags", [])}


def _with_mock_notes(op):
    """An operation with the mock's own notes (``x-billing-mock-description``: what the mock
    says beyond the published description) as the last paragraph of its description."""
    if isinstance(op, dict) and "x-billing-mock-description" in op:
        op["description"] = (op["description"].rstrip() + "\n\n"
                             + op.pop("x-billing-mock-description"))
    return op


def _published_operation(source: dict, op, declared: dict) -> dict:
    parameters = [_published_parameter(source, p) for p in declared.get("parameters", [])]
    if op.operation_id not in PUBLIC:
        parameters.append(copy.deepcopy(AUTHORIZATION))
    found = {"tags": list(declared.get("tags", [])), "summary": declared["summary"],
             "description": declared["description"].strip(), "operationId": op.fastapi_id}
    if parameters:
        found["parameters"] = parameters
    body = declared.get("requestBody")
    if body:
        schema = body["content"]["application/json"]["schema"]
        found["requestBody"] = {"required": bool(body.get("required")), "content": {
            "application/json": {"schema": {"$ref": schema["$ref"]}}}}
    found["responses"] = _published_responses(declared["responses"], bool(parameters or body))
    return found


def _published_parameter(source: dict, parameter: dict) -> dict:
    if "$ref" in parameter:
        parameter = source["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
    declared = parameter.get("schema", {})
    kind = _plain_type(source, declared)
    schema = {"type": kind, "title": _title(parameter["name"])}
    if "default" in declared:  # ``page: int = Query(1, ge=1)``
        schema = {"type": kind, **{k: declared[k] for k in ("maximum", "minimum")
                                   if k in declared},
                  "default": declared["default"], "title": schema["title"]}
    elif not parameter.get("required"):  # ``status: str | None = None``
        schema = {"anyOf": [{"type": kind}, {"type": "null"}], "title": schema["title"]}
    found = {"name": parameter["name"], "in": parameter["in"],
             "required": bool(parameter.get("required")), "schema": schema}
    if parameter.get("x-published-description"):
        found["description"] = parameter["description"]
    return found


def _plain_type(source: dict, schema: dict) -> str:
    """The JSON type a parameter is declared with (an enum of strings is a string)."""
    while "$ref" in schema:
        schema = source["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema.get("type", "string")


def _published_responses(declared: dict, validates: bool) -> dict:
    found = {}
    for code, response in declared.items():
        if not code.startswith("2"):
            continue
        content = (response.get("content") or {}).get("application/json")
        schema = _named_schema(content["schema"]) if content else {}
        found[code] = {"description": "Successful Response",
                       "content": {"application/json": {"schema": schema}}}
    if validates:
        found["422"] = {"description": "Validation Error", "content": {"application/json": {
            "schema": {"$ref": REF + "HTTPValidationError"}}}}
    return found


def _named_schema(schema: dict) -> dict:
    """The component a response is published as: an ``allOf`` that narrows a named envelope
    (``ApiResponse_dict_`` with typed ``data``) is published as that envelope."""
    if "$ref" in schema:
        return {"$ref": schema["$ref"]}
    for part in schema.get("allOf", []):
        if "$ref" in part:
            return {"$ref": part["$ref"]}
    return {}


def _plain_model(schema: dict, schemas: dict) -> dict:
    """A union discriminated by one field (the mock's way of refusing a method type its
    provider lacks) as the one plain model a FastAPI backend declares: every variant's fields,
    each with the values of all variants, required where every variant requires it."""
    if "discriminator" not in schema or "oneOf" not in schema:
        return schema
    variants = [schemas[v["$ref"].rsplit("/", 1)[1]] for v in schema["oneOf"]]
    properties: dict = {}
    for variant in variants:
        for field, sub in variant.get("properties", {}).items():
            merged = properties.setdefault(field, copy.deepcopy(sub))
            if "enum" in sub:
                merged["enum"] = list(dict.fromkeys([*merged.get("enum", []), *sub["enum"]]))
    required = [f for f in properties if all(f in v.get("required", []) for v in variants)]
    found = {"type": "object", "properties": properties, "required": required}
    if "description" in schema:
        found["description"] = schema["description"]
    return found


def _inlined(node, schemas: dict):
    """References to plain constrained strings (``ReturnUrl``) written out where they are
    used, as pydantic writes a constrained field: only models and enums are components."""
    if isinstance(node, list):
        return [_inlined(item, schemas) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    target = schemas.get(ref[len(REF):]) if ref.startswith(REF) else None
    if target is not None and target.get("type") == "string" and "enum" not in target:
        found = {k: v for k, v in target.items() if k not in ("title", "example")}
        return {**found, **{k: v for k, v in node.items() if k != "$ref"}}
    return {key: _inlined(value, schemas) for key, value in node.items()}


def _referenced(paths: dict, schemas: dict) -> set[str]:
    """Every component schema the paths reach, through nested references."""
    seen: set[str] = set()
    pending = [paths]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF):
                name = ref[len(REF):]
                if name not in seen:
                    seen.add(name)
                    pending.append(schemas.get(name, {}))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return seen


def _title(name: str) -> str:
    """Pydantic's default title of a field: ``company_name`` -> ``Company Name``."""
    return name.replace("_", " ").title()


def _schema_31(schema: dict, name: str | None = None) -> dict:
    """An OpenAPI 3.0 schema in 3.1's notation, titled as pydantic titles models and fields."""
    found = _walk_31(schema)
    if name is not None and isinstance(found, dict):
        found.setdefault("title", name)
        for field, sub in (found.get("properties") or {}).items():
            if isinstance(sub, dict) and "$ref" not in sub:
                sub.setdefault("title", _title(field))
    return found


NULL = REF + "Null"  # the 3.0 document's spelling of JSON null (a nullable enum of null)


def _walk_31(node):
    """``nullable`` as ``anyOf [..., {type: null}]`` (3.1 has no ``nullable``), and the 3.0
    ``Null`` schema as ``{type: null}``, everywhere."""
    if isinstance(node, list):
        return [_walk_31(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("$ref") == NULL or (node.get("nullable") and node.get("enum") == [None]):
        return {"type": "null"}
    found = {key: _walk_31(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "enum" in found:
            found["enum"] = [v for v in found["enum"] if v is not None]
        title, description = found.pop("title", None), found.pop("description", None)
        found = {"anyOf": [found, {"type": "null"}]}
        if title is not None:
            found["title"] = title
        if description is not None:
            found["description"] = description
    if "allOf" in found and len(found["allOf"]) == 1 and node.get("nullable"):
        found["anyOf"][0] = found["anyOf"][0]["allOf"][0]
    return found


__all__ = ["mock_document", "published_document"]
