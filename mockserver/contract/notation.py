"""An OpenAPI document in the notation of the published API reference (the Billing (tenant)
page), so that a document and the reference compare line by line.

The reference page is generated from the backend's ``/openapi.json`` by a generator that is
not public; each rule below is read off the page itself
(``tests/published/billing-reference-rev2.txt``):

- operations under ``/api/v1/billing``, sorted by path, then by method name (the page has only
  GET before PUT and GET before POST on one path, which OpenAPI's own method order would also
  give);
- a heading ``METHOD path — Summary {#anchor}#``, the anchor being method and path in lower
  case with every run of other characters as one ``-``;
- the description as Markdown: a paragraph per line (soft-wrapped lines joined), a list item
  ``- x`` as ``  • x``;
- ``Parameters:`` (only when there are any) in document order, each
  ``name (in, type, required|optional)`` and `` — description`` when it has one; the type is
  the JSON type, through ``$ref`` and past ``null`` alternatives;
- ``Body: Name — {fields}`` and, per response in document order,
  ``code — Description. Returns: Name — {keys}``, or ``Returns: —`` without a schema; fields
  and keys are the top-level properties (through ``$ref``, ``allOf`` and the alternatives of a
  union), at most four of them and then `` + N more``.

Where the reference shows no case (five fields, a schema without a name, a union body, a
description that already ends in a full stop), the choice made is the plain one and is named
in the function that makes it.
"""

from __future__ import annotations

import difflib
import re

from mockserver.spec import API_BASE

__all__ = ["render", "reference_operations", "diff"]

PREFIX = f"{API_BASE}/billing"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SHOWN_FIELDS = 4
DASH = "—"
BULLET = "  • "
HEADING = re.compile(rf"^({'|'.join(METHODS).upper()}) /\S* {DASH} .* \{{#[a-z0-9-]+\}}#$")
FOOTER = re.compile(r"^Updated \d{4}-\d{2}-\d{2}\b")
LIST_ITEM = re.compile(r"^\s*[-*+] ")


def render(document: dict) -> str:
    """Every billing operation of ``document`` in the reference's notation, normalised."""
    operations = sorted(
        ((path, method, operation)
         for path, item in document.get("paths", {}).items() if _is_billing(path)
         for method, operation in item.items() if method in METHODS),
        key=lambda found: found[:2])
    return _normalise("\n\n".join(
        _operation(document, method, path, operation) for path, method, operation in operations))


def reference_operations(text: str) -> str:
    """The operations of the reference page ``text``: the site's navigation and the group's
    header before the first operation and the ``Updated ... rev N`` footer removed, normalised
    as ``render`` normalises."""
    lines = text.replace("\u00a0", " ").splitlines()
    start = next((i for i, line in enumerate(lines) if HEADING.match(line.rstrip())), None)
    if start is None:
        raise ValueError("no operation heading (METHOD /path — Summary {#anchor}#) in the text")
    lines = lines[start:]
    while lines and (not lines[-1].strip() or FOOTER.match(lines[-1])):
        lines.pop()
    return _normalise("\n".join(lines))


def diff(rendered: str, reference: str, context: int = 3) -> list[str]:
    """The unified diff from ``rendered`` to ``reference``; empty when they agree.

    ``difflib.unified_diff`` but without its "popular line" heuristic: in this notation
    ``Responses:`` and the 422 line recur in every operation, and treated as junk they make one
    changed line show as whole operations moved."""
    a, b = rendered.splitlines(), reference.splitlines()
    groups = list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context))
    lines = ["--- rendered", "+++ reference"] if groups else []
    for group in groups:
        first, last = group[0], group[-1]
        lines.append(f"@@ -{_span(first[1], last[2])} +{_span(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [" " + line for line in a[i1:i2]]
                continue
            lines += ["-" + line for line in a[i1:i2]]
            lines += ["+" + line for line in b[j1:j2]]
    return lines


def _span(start: int, stop: int) -> str:
    """A hunk's range as unified diffs write it (1-based start, length after a comma)."""
    length = stop - start
    return f"{start + (length > 0)},{length}" if length != 1 else f"{start + 1}"


def _is_billing(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _operation(document: dict, method: str, path: str, operation: dict) -> str:
    anchor = re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-")
    blocks = [f"{method.upper()} {path} {DASH} {operation.get('summary', '')} {{#{anchor}}}#"]
    blocks += _markdown(operation.get("description", ""))
    parameters = [_resolve(document, p) for p in operation.get("parameters", [])]
    if parameters:
        blocks += ["Parameters:", "\n".join(_parameter(document, p) for p in parameters)]
    if "requestBody" in operation:
        body = _schema_of(_resolve(document, operation["requestBody"]))
        blocks.append(f"Body: {_shown(document, body)}")
    blocks += ["Responses:", "\n".join(_response(document, code, _resolve(document, answer))
                                     for code, answer in operation.get("responses", {}).items())]
    return "\n\n".join(blocks)


def _response(document: dict, code: str, answer: dict) -> str:
    description = " ".join(answer.get("description", "").split())
    if not description.endswith("."):  # the reference adds it to FastAPI's "Successful Response"
        description += "."
    return f"{BULLET}{code} {DASH} {description} Returns: {_shown(document, _schema_of(answer))}"


def _markdown(text: str) -> list[str]:
    """The description's blocks: a paragraph as one line, a list as its ``  • `` lines. A line
    that is not an item, inside a list, continues the item (Markdown's lazy continuation)."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        paragraph: list[str] = []
        items: list[list[str]] = []
        for line in chunk.splitlines():
            if LIST_ITEM.match(line):
                if paragraph:
                    blocks.append(" ".join(paragraph))
                    paragraph = []
                items.append([LIST_ITEM.sub("", line, count=1).strip()])
            elif items:
                items[-1].append(line.strip())
            else:
                paragraph.append(line.strip())
        if paragraph:
            blocks.append(" ".join(paragraph))
        if items:
            blocks.append("\n".join(BULLET + " ".join(item) for item in items))
    return [block for block in blocks if block]


def _parameter(document: dict, parameter: dict) -> str:
    line = (f"{BULLET}{parameter.get('name')} ({parameter.get('in')}, "
            f"{_type(document, parameter.get('schema', {}))}, "
            f"{'required' if parameter.get('required') else 'optional'})")
    description = " ".join(str(parameter.get("description", "")).split())
    return f"{line} {DASH} {description}" if description else line


def _type(document: dict, schema: dict) -> str:
    """The JSON type, past ``null`` (3.1 ``anyOf [.., {type: null}]``, a type list, or 3.0
    ``nullable``) and through ``allOf``; several remaining types are joined with `` | ``; none
    is ``any``."""
    types = [t for t in dict.fromkeys(_types(document, schema)) if t != "null"]
    return " | ".join(types) or "any"


def _types(document: dict, schema: dict) -> list[str]:
    schema = _resolve(document, schema)
    if "type" in schema:
        return schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    parts = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf") or []
    return [t for part in parts for t in _types(document, part)]


def _schema_of(holder: dict) -> dict:
    """The schema of a request body or response: its JSON one, else its first."""
    content = holder.get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), {})
    return media.get("schema") or {}


def _shown(document: dict, schema: dict) -> str:
    """``Name — {keys}``; ``—`` without a schema (FastAPI's ``{}`` for a plain Response). A
    schema without a ``$ref`` is named by its title, else its type (the reference shows none);
    the keys are left out when it has no properties."""
    if not schema:
        return DASH
    name = (schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema
            else schema.get("title") or _type(document, schema))
    keys = _keys(document, schema)
    return f"{name} {DASH} {_fields(keys)}" if keys else name


def _keys(document: dict, schema: dict) -> list[str]:
    """Top-level property names, in order, through ``$ref``, ``allOf`` and the alternatives of
    ``anyOf``/``oneOf`` (a union body: every key any alternative has, first seen first)."""
    schema = _resolve(document, schema)
    keys = list(schema.get("properties", {}))
    for part in [*schema.get("allOf", []), *schema.get("anyOf", []), *schema.get("oneOf", [])]:
        keys += _keys(document, part)
    return list(dict.fromkeys(keys))


def _fields(keys: list[str]) -> str:
    shown = ", ".join(keys[:SHOWN_FIELDS])
    more = len(keys) - SHOWN_FIELDS
    return f"{{{shown} + {more} more}}" if more > 0 else f"{{{shown}}}"


def _resolve(document: dict, node: dict) -> dict:
    """``node`` with local ``$ref``s followed (a cycle or a dangling one is an error)."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            raise ValueError(f"cannot follow $ref {ref!r}")
        seen.add(ref)
        node = document
        try:
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        except (KeyError, TypeError):
            raise ValueError(f"cannot follow $ref {ref!r}") from None
    return node


def _normalise(text: str) -> str:
    """Trailing spaces gone, runs of blank lines as one, one final newline."""
    lines: list[str] = []
    for line in text.replace("\u00a0", " ").splitlines():
        line = line.rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""
