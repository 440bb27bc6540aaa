"""``billing-mock drift``: how a real server's OpenAPI document (FastAPI emits 3.1) differs from
openapi/billing.yaml, so a team can bring the mock in line. Compared on the document's meaning,
not its spelling: 3.0 ``nullable`` equals 3.1 ``null`` types, ``$ref`` names are followed, and
the reference's optional ``authorization`` header is our bearer scheme."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Difference:
    kind: str  # missing_operation | extra_operation | parameter | property | type | nullable | enum | required
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind:<18} {self.where}: {self.detail}"


@dataclass(frozen=True)
class Shape:
    """What a schema means, whichever OpenAPI version spelt it."""

    types: frozenset
    nullable: bool
    enum: frozenset | None
    properties: dict
    required: frozenset
    items: dict | None


class Document:
    def __init__(self, spec: dict) -> None:
        self.spec = spec
        servers = spec.get("servers") or [{"url": ""}]
        self.base = urlsplit(servers[0].get("url", "")).path.rstrip("/")

    def operations(self) -> dict[tuple[str, str], dict]:
        found = {}
        for path, item in self.spec.get("paths", {}).items():
            full = (self.base + path) if not path.startswith(self.base + "/") else path
            for method in METHODS:
                if method in item:
                    found[(method.upper(), _template(full))] = {**item[method], "_path_params": [
                        *item.get("parameters", [])]}
        return found

    def resolve(self, schema: dict | None) -> dict:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 20:
            node = self.spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node.get(part, {})
            schema, seen = node, seen + 1
        return schema or {}

    def shape(self, schema: dict | None) -> Shape:
        schema = self.resolve(schema)
        types: set = set()
        nullable = bool(schema.get("nullable"))
        declared = schema.get("type")
        for kind in (declared if isinstance(declared, list) else [declared] if declared else []):
            if kind == "null":
                nullable = True
            else:
                types.add(kind)
        properties, required, items, enum = {}, set(schema.get("required", [])), None, None
        for part in schema.get("allOf", []):
            inner = self.shape(part)
            types |= inner.types
            properties.update(inner.properties)
            required |= inner.required
        for key in ("anyOf", "oneOf"):
            for part in schema.get(key, []):
                inner = self.shape(part)
                if inner.types == frozenset() and inner.nullable or inner.enum == frozenset(
                        [None]):
                    nullable = True
                    continue
                types |= inner.types
                nullable = nullable or inner.nullable
                properties.update(inner.properties)
                required |= inner.required  # ``anyOf [object, null]`` keeps the object's
                if inner.enum is not None:
                    enum = (enum or frozenset()) | inner.enum
                items = items or inner.items
        if "enum" in schema:
            values = set(schema["enum"])
            if None in values:
                nullable, values = True, values - {None}
            enum = frozenset(values) | (enum or frozenset())
        properties.update(schema.get("properties", {}))
        items = items or schema.get("items")
        return Shape(frozenset(types), nullable, enum, properties, frozenset(required), items)


def _template(path: str) -> str:
    """Path parameters by position, so {id} and {invoice_id} compare equal."""
    parts = path.split("/")
    return "/".join("{}" if p.startswith("{") else p for p in parts)


def compare(theirs_spec: dict, ours_spec: dict) -> list[Difference]:
    theirs, ours = Document(theirs_spec), Document(ours_spec)
    differences: list[Difference] = []
    their_ops, our_ops = theirs.operations(), ours.operations()
    for key in sorted(set(our_ops) - set(their_ops)):
        differences.append(Difference("missing_operation", f"{key[0]} {key[1]}",
                                      "in the mock's document, not on the server"))
    for key in sorted(set(their_ops) - set(our_ops)):
        differences.append(Difference("extra_operation", f"{key[0]} {key[1]}",
                                      "on the server, not in the mock's document"))
    for key in sorted(set(our_ops) & set(their_ops)):
        where = f"{key[0]} {key[1]}"
        differences += _parameters(where, theirs, their_ops[key], ours, our_ops[key])
        differences += _bodies(where, theirs, their_ops[key], ours, our_ops[key])
    return differences


def _params(doc: Document, op: dict) -> dict[tuple[str, str], dict]:
    found = {}
    for param in [*op.get("_path_params", []), *op.get("parameters", [])]:
        param = doc.resolve(param)
        if param.get("in") == "header" and param.get("name", "").lower() == "authorization":
            continue  # the reference's optional header is the mock's bearer scheme
        found[(param.get("in"), param.get("name"))] = param
    return found


def _parameters(where, theirs, their_op, ours, our_op) -> list[Difference]:
    differences = []
    their_params, our_params = _params(theirs, their_op), _params(ours, our_op)
    for key in sorted(set(our_params) - set(their_params), key=str):
        differences.append(Difference("parameter", where, f"{key[0]} parameter {key[1]!r} only "
                                      "in the mock's document"))
    for key in sorted(set(their_params) - set(our_params), key=str):
        if key[0] != "path":
            differences.append(Difference("parameter", where, f"{key[0]} parameter {key[1]!r} "
                                          "only on the server"))
    for key in sorted(set(their_params) & set(our_params), key=str):
        label = f"{where} {key[0]} parameter {key[1]}"
        differences += _schema(label, theirs, their_params[key].get("schema"), ours,
                               our_params[key].get("schema"), depth=0)
    return differences


def _bodies(where, theirs, their_op, ours, our_op) -> list[Difference]:
    differences = []
    their_body = (their_op.get("requestBody") or {}).get("content", {}).get("application/json")
    our_body = (our_op.get("requestBody") or {}).get("content", {}).get("application/json")
    if their_body and our_body:
        differences += _schema(f"{where} request body", theirs, their_body.get("schema"), ours,
                               our_body.get("schema"), depth=0)
    for status in sorted(set(their_op.get("responses", {})) & set(our_op.get("responses", {}))):
        their = theirs.resolve(their_op["responses"][status]).get("content", {})
        our = ours.resolve(our_op["responses"][status]).get("content", {})
        if "application/json" in their and "application/json" in our:
            differences += _schema(f"{where} response {status}", theirs,
                                   their["application/json"].get("schema"), ours,
                                   our["application/json"].get("schema"), depth=0)
    return differences


def _schema(where, theirs, their_schema, ours, our_schema, depth) -> list[Difference]:
    if their_schema is None or our_schema is None or depth > 6:
        return []
    their, our = theirs.shape(their_schema), ours.shape(our_schema)
    differences = []
    if their.types and our.types and their.types != our.types and not (
            their.types | our.types <= {"integer", "number"} and "number" in their.types):
        differences.append(Difference("type", where, f"server {sorted(their.types)}, mock "
                                      f"{sorted(our.types)}"))
    if their.nullable != our.nullable:
        differences.append(Difference("nullable", where, f"server {'nullable' if their.nullable else 'not nullable'}, mock {'nullable' if our.nullable else 'not nullable'}"))
    if their.enum is not None and our.enum is not None and their.enum != our.enum:
        differences.append(Difference("enum", where, _enum_detail(their.enum, our.enum)))
    for name in sorted(set(our.properties) - set(their.properties)):
        differences.append(Difference("property", f"{where}.{name}", "only in the mock's document"))
    for name in sorted(set(their.properties) - set(our.properties)):
        differences.append(Difference("property", f"{where}.{name}", "only on the server"))
    for name in sorted(set(our.properties) & set(their.properties)):
        if (name in their.required) != (name in our.required):
            differences.append(Difference("required", f"{where}.{name}", "required on the "
                                          f"{'server' if name in their.required else 'mock'} only"))
        differences += _schema(f"{where}.{name}", theirs, their.properties[name], ours,
                               our.properties[name], depth + 1)
    if their.items and our.items:
        differences += _schema(f"{where}[]", theirs, their.items, ours, our.items, depth + 1)
    return differences


def _enum_detail(their: frozenset, our: frozenset) -> str:
    parts = []
    if our - their:
        parts.append(f"only in the mock: {sorted(map(str, our - their))}")
    if their - our:
        parts.append(f"only on the server: {sorted(map(str, their - our))}")
    return "; ".join(parts)
