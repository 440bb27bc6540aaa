"""What the API document says of an operation that a recording does not show: what its
successful answer holds under ``data`` (a browser drops an answer's body when the page
navigates away, and a later request sends back a value that answer must have given), and
whether it needs a token (a sanitized HAR export leaves the Authorization header out)."""

from __future__ import annotations

from functools import lru_cache

from mockserver.spec import Operation, load_spec


def _resolved(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        target = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def _properties(schema: dict, document: dict) -> dict:
    schema = _resolved(schema, document)
    found = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        for name, value in _properties(part, document).items():
            # a later part of allOf narrows an earlier one (ApiResponse_dict_'s data: object)
            found[name] = value if name not in found or "$ref" in value else found[name]
    return found


@lru_cache(maxsize=64)
def _fields(method: str, path: str) -> frozenset[str]:
    document = load_spec()
    operation = document["paths"][path][method]
    for status, response in operation.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue
        content = _resolved(response, document).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            continue
        data = _properties(schema, document).get("data")
        if data is not None:
            return frozenset(_properties(data, document))
    return frozenset()


def data_fields(operation: Operation) -> frozenset[str]:
    """The field names of ``data`` in the operation's successful JSON answer."""
    return _fields(operation.method, operation.path.removeprefix("/api/v1"))


def needs_token(operation: Operation) -> bool:
    """Whether the operation is a tenant's (the document's security applies to it)."""
    document = load_spec()
    declared = document["paths"][operation.path.removeprefix("/api/v1")][operation.method]
    return bool(declared.get("security", document.get("security")))
