"""``billing-mock drift``: what changed from the mock's document (the base: what clients were
written against), or from an earlier version of the server's own (``--base``), to a real
server's (the revision: FastAPI emits OpenAPI 3.1), graded as oasdiff grades breaking changes,
so a team can gate a merge on it.

Both documents are read for their meaning (:mod:`mockserver.contract.shapes`): 3.0 and 3.1
spellings, ``$ref`` and inline schemas, titles and descriptions, single-variant unions,
``servers`` plus relative paths and full paths, path parameter names all read alike, and
FastAPI's ``authorization`` header parameter is the bearer security scheme it stands for.
An answer's ``application/json`` with an empty schema is FastAPI's way of writing an answer
that is not a model (a PDF, an XML document): it promises no media type, so a server that
names its media type instead has removed none. Every change carries oasdiff's check id and
level (:mod:`mockserver.contract.drift_rules`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from mockserver.contract.drift_rules import (
    ERROR,
    INFO,
    OASDIFF_NAMES,
    SEVERITY,
    WARNING,
    at_least,
    level,
)
from mockserver.contract.drift_schemas import Place, SchemaDiff
from mockserver.contract.shapes import (
    ANY,
    ENUM,
    GUESSED,
    VALIDATION,
    Reader,
    Shape,
    mapping,
    sequence,
)

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
ANONYMOUS = frozenset()  # the security alternative that needs no credentials


@dataclass(frozen=True, order=True)
class Change:
    """One change from the base document to the revision."""

    id: str  # oasdiff's check id
    level: str  # error | warning | info
    operation: str  # "GET /api/v1/billing/invoices"
    location: str = ""  # "query parameter status", "response 200 application/json"
    path: str = ""  # inside the schema there: "data[].issue_date"
    text: str = ""

    @property
    def where(self) -> str:
        return " ".join(part for part in (self.operation, self.location) if part) + (
            f" {self.path}" if self.path else "")

    def __str__(self) -> str:
        return f"{self.id}  {self.where}: {self.text}"

    def to_json(self) -> dict:
        return {"id": self.id, "level": self.level, "operation": self.operation,
                "location": self.location, "path": self.path, "text": self.text}


@dataclass
class Parameter:
    name: str
    place: str  # query | header | path | cookie
    required: bool
    schema: Shape


@dataclass
class Operation:
    """One operation's contract, as read from either document."""

    label: str  # "GET /api/v1/billing/invoices/{invoice_id}"
    operation_id: str | None
    deprecated: bool
    parameters: dict = field(default_factory=dict)  # (in, name or position) -> Parameter
    body: dict | None = None  # {"required": bool, "content": {media type: Shape}}
    responses: dict = field(default_factory=dict)  # status -> {"content", "any_media",
    #                                                            "headers"}
    security: frozenset = frozenset({ANONYMOUS})  # alternatives, each a set of schemes


class Document:
    """A whole OpenAPI document's operations, keyed by method and path template."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.reader = Reader(spec)
        servers = sequence(spec.get("servers"))
        url = mapping(servers[0]).get("url", "") if servers else ""
        self.base = urlsplit(str(url)).path.rstrip("/")

    def operations(self) -> dict[tuple[str, str], Operation]:
        found = {}
        for path, item in mapping(self.spec.get("paths")).items():
            item = self.reader.resolve(item)
            if not isinstance(item, dict):
                continue
            full = path if path.startswith(self.base + "/") else self.base + path
            for method in METHODS:
                if isinstance(item.get(method), dict):
                    key = (method.upper(), _template(full))
                    found[key] = self._operation(f"{method.upper()} {full}", item,
                                                 item[method])
        return found

    def _operation(self, label: str, item: dict, op: dict) -> Operation:
        names = re.findall(r"{([^}]*)}", label)
        declared: dict = {}
        for raw in [*sequence(item.get("parameters")), *sequence(op.get("parameters"))]:
            param = self.reader.resolve(raw)
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                declared[(str(param.get("in")), param["name"])] = param  # the operation's win
        parameters, bearer_header = {}, False
        for (where, name), param in declared.items():
            if where == "header" and name.lower() == "authorization":
                bearer_header = True  # FastAPI's Header(): the token the scheme carries
                continue
            key = (where, names.index(name) if where == "path" and name in names else (
                name.lower() if where == "header" else name))
            parameters[key] = Parameter(name, where, bool(param.get("required")),
                                        self._schema(param))
        return Operation(label, op.get("operationId"), bool(op.get("deprecated")),
                         parameters, self._body(op.get("requestBody")),
                         self._responses(mapping(op.get("responses"))),
                         self._security(op, bearer_header))

    def _schema(self, holder: dict) -> Shape:
        if "schema" in holder:  # a query string has no null: absent is what None means
            shape = self.reader.shape(holder["schema"])
            return replace(shape, nullable=False) if shape.types is not None else shape
        for media in mapping(holder.get("content")).values():  # a parameter with content
            return self.reader.shape(mapping(media).get("schema", {}))
        return ANY

    def _content(self, content) -> dict:
        return {_media(str(media)): self.reader.shape(mapping(body).get("schema", {}))
                for media, body in mapping(content).items()}

    def _body(self, raw) -> dict | None:
        body = self.reader.resolve(raw)
        if not isinstance(body, dict):
            return None
        return {"required": bool(body.get("required")), "content": self._content(
            body.get("content"))}

    def _responses(self, raw: dict) -> dict:
        found = {}
        for status, response in raw.items():
            response = self.reader.resolve(response)
            if not isinstance(response, dict):
                continue
            headers = {str(name).lower(): bool(self.reader.resolve(header).get("required"))
                       for name, header in mapping(response.get("headers")).items()
                       if isinstance(self.reader.resolve(header), dict)}
            content = self._content(response.get("content"))
            promised = {media: shape for media, shape in content.items()
                        if not _promises_nothing(media, shape)}
            found[str(status).upper()] = {"content": promised,
                                          "any_media": len(promised) < len(content),
                                          "headers": headers}
        return found

    def _security(self, op: dict, bearer_header: bool) -> frozenset:
        declared = op["security"] if "security" in op else self.spec.get("security")
        schemes = mapping(mapping(self.spec.get("components")).get("securitySchemes"))
        alternatives = {frozenset(_scheme(name, self.reader.resolve(schemes.get(name)))
                                  for name in requirement)
                        for requirement in sequence(declared) if isinstance(requirement, dict)}
        if bearer_header:
            alternatives = (alternatives - {ANONYMOUS}) | {frozenset({"bearer"})}
        return frozenset(alternatives or {ANONYMOUS})


def _scheme(name: str, scheme) -> str:
    """A security scheme by what a client sends, not by its name in the document."""
    if not isinstance(scheme, dict):
        return name
    kind = str(scheme.get("type", "")).lower()
    if kind == "http":
        return str(scheme.get("scheme", "")).lower() or name
    if kind == "apikey":
        where, key = scheme.get("in", ""), str(scheme.get("name", "")).lower()
        return "bearer" if (where, key) == ("header", "authorization") else (
            f"api key in {where} {key}")
    if kind in ("oauth2", "openidconnect"):
        return "bearer"  # their access tokens travel as ``Authorization: Bearer`` (RFC 6750)
    return kind or name


def _template(path: str) -> str:
    """Path parameters by position, so {id} and {invoice_id} compare equal."""
    return re.sub(r"{[^}]*}", "{}", path.rstrip("/") or "/")


def _media(media: str) -> str:
    return media.split(";", 1)[0].strip().lower()


def _promises_nothing(media: str, shape: Shape) -> bool:
    """FastAPI's ``application/json: {schema: {}}`` (or ``*/*`` of anything) for an answer
    that is not a model: no media type, no shape."""
    return media in ("application/json", "*/*") and shape.key == ANY.key


def _success(status: str) -> bool:
    return status.startswith("2")


class Comparison:
    """Every change from one document to the other."""

    def __init__(self, base: dict, revision: dict) -> None:
        self.base, self.revision = Document(base), Document(revision)
        self.changes: set[Change] = set()
        self.operation = ""

    def run(self) -> list[Change]:
        olds, news = self.base.operations(), self.revision.operations()
        paths_left = {path for _, path in news}
        for key in sorted(set(olds) - set(news)):
            old = olds[key]
            self.operation = old.label
            gone = "api-path-removed" if key[1] not in paths_left else "api-removed"
            self._add(f"{gone}-{'with' if old.deprecated else 'without'}-deprecation",
                      text="the operation is gone from the revision")
        for key in sorted(set(news) - set(olds)):
            self.operation = news[key].label
            self._add("endpoint-added", text="the operation is new in the revision")
        for key in sorted(set(olds) & set(news)):
            self.operation = olds[key].label
            self._operations(olds[key], news[key])
        return sorted(self.changes, key=lambda c: (-SEVERITY[c.level], c.operation,
                                                   c.location, c.path, c.id, c.text))

    def _add(self, change_id: str, direction: str | None = None, effect: str | None = None,
             location: str = "", path: str = "", text: str = "") -> None:
        self.changes.add(Change(change_id, level(change_id, direction, effect),
                                self.operation, location, path, text))

    def _schemas(self, old: Shape, new: Shape, place: Place) -> None:
        def emit(change_id: str, effect: str, where: Place, text: str) -> None:
            self._add(change_id, where.direction, effect, where.location, where.path, text)

        place = replace(place, guessed=self.base.reader.guessed)  # the base's own mark
        SchemaDiff(emit).compare(old, new, place)

    def _operations(self, old: Operation, new: Operation) -> None:
        if old.operation_id and old.operation_id != new.operation_id:
            self._add("api-operation-id-removed",
                      text=f"operationId {old.operation_id} became {new.operation_id}")
        elif new.operation_id and not old.operation_id:
            self._add("api-operation-id-added", text=f"operationId {new.operation_id} added")
        self._security(old.security, new.security)
        self._parameters(old.parameters, new.parameters)
        self._body(old.body, new.body)
        self._responses(old.responses, new.responses)

    def _security(self, old: frozenset, new: frozenset) -> None:
        for gone in sorted(old - new - {ANONYMOUS}, key=sorted):
            self._add("api-security-removed", location="security",
                      text=f"the security alternative {' + '.join(sorted(gone))} was removed")
        for added in sorted(new - old - {ANONYMOUS}, key=sorted):
            public = ANONYMOUS in old and ANONYMOUS not in new
            self._add("api-security-added-to-public" if public else "api-security-added",
                      location="security", text=f"{' + '.join(sorted(added))} is now "
                      + ("required where no credentials were" if public else "accepted"))

    def _parameters(self, olds: dict, news: dict) -> None:
        for key in sorted(set(olds) - set(news), key=str):
            param = olds[key]
            self._add("request-parameter-removed", location=f"{param.place} parameter "
                      f"{param.name}", text="the parameter is gone")
        for key in sorted(set(news) - set(olds), key=str):
            param = news[key]
            kind = "required" if param.required else "optional"
            self._add(f"new-{kind}-request-parameter", location=f"{param.place} parameter "
                      f"{param.name}", text=f"new {kind} parameter")
        for key in sorted(set(olds) & set(news), key=str):
            old, new = olds[key], news[key]
            location = f"{old.place} parameter {old.name}"
            if old.required != new.required:
                kind = "required" if new.required else "optional"
                self._add(f"request-parameter-became-{kind}", location=location,
                          text=f"became {kind}")
            self._schemas(old.schema, new.schema,
                          Place("request", "request-parameter", location))

    def _body(self, old: dict | None, new: dict | None) -> None:
        if old and not new:
            self._add("request-body-removed", location="request body", text="the body is gone")
        elif new and not old:
            kind = "required" if new["required"] else "optional"
            self._add(f"request-body-added-{kind}", location="request body",
                      text=f"new {kind} body")
        elif old and new:
            if old["required"] != new["required"]:
                kind = "required" if new["required"] else "optional"
                self._add(f"request-body-became-{kind}", location="request body",
                          text=f"became {kind}")
            self._media_types("request-body-media-type", "request body", old["content"],
                              new["content"])
            for media in sorted(set(old["content"]) & set(new["content"])):
                self._schemas(old["content"][media], new["content"][media],
                              Place("request", "request-body", f"request body {media}"))

    def _media_types(self, prefix: str, location: str, old: dict, new: dict) -> None:
        for media in sorted(set(old) - set(new)):
            self._add(f"{prefix}-removed", location=location, text=f"media type {media} "
                      "removed")
        for media in sorted(set(new) - set(old)):
            self._add(f"{prefix}-added", location=location, text=f"media type {media} added")

    def _answer_media(self, location: str, old: dict, new: dict) -> None:
        """Media types an answer promises. FastAPI's JSON of any shape promises none: beside
        named ones it is FastAPI's default class, alone it names nothing to hold the base's
        media types against."""
        for media in sorted(set(old["content"]) - set(new["content"])):
            if new["any_media"] and not new["content"]:
                self._add("response-media-type-unspecified", location=location,
                          text=f"media type {media} is no longer named: the revision's "
                          "application/json with an empty schema promises none")
            else:
                self._add("response-media-type-removed", location=location,
                          text=f"media type {media} removed")
        for media in sorted(set(new["content"]) - set(old["content"])):
            self._add("response-media-type-added", location=location, text=(
                f"media type {media} added" + (" where the base's application/json with an "
                                               "empty schema promised none"
                                               if old["any_media"] else "")))

    def _responses(self, olds: dict, news: dict) -> None:
        for status in sorted(set(olds) - set(news)):
            kind = "success" if _success(status) else "non-success"
            self._add(f"response-{kind}-status-removed", location=f"response {status}",
                      text=f"the {kind} status {status} was removed")
        for status in sorted(set(news) - set(olds)):
            kind = "success" if _success(status) else "non-success"
            self._add(f"response-{kind}-status-added", location=f"response {status}",
                      text=f"the {kind} status {status} was added")
        for status in sorted(set(olds) & set(news)):
            old, new = olds[status], news[status]
            location = f"response {status}"
            self._answer_media(location, old, new)
            for name in sorted(set(old["headers"]) - set(new["headers"])):
                kind = "required" if old["headers"][name] else "optional"
                self._add(f"{kind}-response-header-removed", location=location,
                          text=f"the {kind} header {name} was removed")
            for name in sorted(set(new["headers"]) - set(old["headers"])):
                self._add("response-header-added", location=location,
                          text=f"the header {name} was added")
            for media in sorted(set(old["content"]) & set(new["content"])):
                self._schemas(old["content"][media], new["content"][media],
                              Place("response", "response-body", f"{location} {media}"))


def compare(base: dict, revision: dict) -> list[Change]:
    """Every change from ``base`` (what clients were written against) to ``revision``, most
    severe first."""
    return Comparison(base, revision).run()


BASES = {
    "published": "the published layer (the mock's /openapi.json)",
    "mock": "the mock's full document, guesses included (/_mock/openapi/billing.json)",
}


def base_document(level_name: str) -> dict:
    """The mock's document that a server's is compared against, at ``--level``."""
    from mockserver.published import mock_document

    if level_name not in BASES:
        raise ValueError(f"no level {level_name!r}: {', '.join(BASES)}")
    return published_base() if level_name == "published" else mock_document()


def published_base() -> dict:
    """The published layer with what the reference does not show of it marked as the mock's
    guess. The reference shows no validation keyword anywhere (parameters by name, place,
    JSON type and required; the three small request bodies by their field names), so none is
    held at this level (``validation`` on the root). Those bodies' enum values are guesses too
    (the facts leave the method types and provider slugs open); their fields, types,
    nullability and ``required`` are held as on every model."""
    from mockserver.published import PUBLISHED_SCHEMAS, published_document

    doc = published_document()
    schemas = dict(doc["components"]["schemas"])
    for name in _request_bodies(doc) & PUBLISHED_SCHEMAS:
        schemas[name] = {**schemas[name], GUESSED: [VALIDATION, ENUM]}
    return {**doc, GUESSED: [VALIDATION],
            "components": {**doc["components"], "schemas": schemas}}


def _request_bodies(doc: dict) -> set[str]:
    """The components an operation's request body refers to."""
    return {media["schema"]["$ref"].rsplit("/", 1)[-1]
            for item in doc["paths"].values() for op in item.values()
            for media in op.get("requestBody", {}).get("content", {}).values()
            if "$ref" in media.get("schema", {})}


def failing(changes: list[Change], threshold: str) -> list[Change]:
    """The changes at ``threshold`` or worse (``--fail-on``)."""
    return [change for change in changes if at_least(change.level, threshold)]


def text_report(changes: list[Change]) -> str:
    """The changes grouped by level, most severe first, and a count."""
    lines = []
    for name, heading in ((ERROR, "breaking"), (WARNING, "possibly breaking"),
                          (INFO, "not breaking")):
        group = [change for change in changes if change.level == name]
        if not group:
            continue
        lines.append(f"{name} ({OASDIFF_NAMES[name]}, {heading}): {len(group)}")
        lines += [f"  {change}" for change in group]
        lines.append("")
    counts = ", ".join(f"{sum(c.level == name for c in changes)} {name}"
                       for name in (ERROR, WARNING, INFO))
    lines.append(f"{len(changes)} differences ({counts})")
    return "\n".join(lines)


__all__ = ["BASES", "Change", "base_document", "compare", "failing", "published_base",
           "text_report"]
