"""Answers decided before an operation runs: Prism's ``Prefer`` header and the scenario's
scripted behaviours. Neither touches the world's state."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Callable

from connexion.json_schema import resolve_refs
import json

from flask import Response, request

from mockserver.api.envelope import JSONEncoder, error_body, meta
from mockserver.errors import STATUS_TO_API, BadRequest
from mockserver.spec import load_spec

_RESOLVED: dict = {}


def _operation_spec(operation_id: str) -> dict:
    if not _RESOLVED:
        for item in resolve_refs(load_spec())["paths"].values():
            for op in item.values():
                _RESOLVED[op["operationId"]] = op
    return _RESOLVED[operation_id]


@dataclass(frozen=True)
class Preference:
    """``Prefer: code=404``, ``example=NAME``, ``dynamic=true`` (Prism's request knobs)."""

    code: str | None = None
    example: str | None = None
    dynamic: bool = False

    @classmethod
    def parse(cls, header: str | None) -> "Preference | None":
        if not header:
            return None
        values = {}
        for part in header.replace(";", ",").split(","):
            key, _, value = part.strip().partition("=")
            values[key.strip().lower()] = value.strip().strip('"')
        found = cls(values.get("code"), values.get("example"),
                    values.get("dynamic", "").lower() == "true")
        return found if (found.code or found.example or found.dynamic) else None


def before_operation(runtime, operation_id: str, tenant_id: str | None,
                     params: Callable[[], dict]):
    """A response that replaces the operation, or None to run it. ``params`` is called only
    when the scenario scripts behaviours (most requests never need it)."""
    preference = Preference.parse(request.headers.get("Prefer"))
    if preference is not None:
        return _preferred(operation_id, preference, runtime.store.clock.now())
    if not runtime.store.behaviours:
        return None
    return _scripted(runtime, operation_id, tenant_id, params())


def _preferred(operation_id: str, preference: Preference, now) -> Response:
    responses = _operation_spec(operation_id)["responses"]
    code = preference.code or min((c for c in responses if c.startswith("2")), default=None)
    if code not in responses:
        raise BadRequest(f"Prefer: code={preference.code} is not documented for {operation_id} "
                         f"(documented: {', '.join(responses)})")
    media, content = next(iter(responses[code].get("content", {}).items()), (None, {}))
    if preference.dynamic and "schema" in content:
        from mockserver.control.dynamic import generate  # hypothesis + Faker: load on demand

        body = generate(content["schema"])
    elif preference.example:
        examples = content.get("examples", {})
        if preference.example not in examples:
            raise BadRequest(f"No example {preference.example!r} for {operation_id} {code} "
                             f"(named examples: {', '.join(examples) or 'none'})")
        body = copy.deepcopy(examples[preference.example]["value"])
    else:
        body = copy.deepcopy(content.get("example") or next(
            (e["value"] for e in content.get("examples", {}).values()), None))
    return _response(int(code), body, media, {}, now)


def _scripted(runtime, operation_id: str, tenant_id: str | None, params: dict):
    store = runtime.store
    with store.lock:
        effect = next((e for e in (
            b.effect() for b in store.behaviours
            if b.matches(operation_id, tenant_id, params.get("path", {}),
                         params.get("query", {}), params.get("body"))) if e), None)
    if effect is None:
        return None
    if effect.latency_ms:
        time.sleep(effect.latency_ms / 1000)
    if effect.status is None:
        return None
    body = effect.body
    if body is None and effect.status >= 400:
        cls = STATUS_TO_API.get(effect.status)
        body = error_body(cls.code if cls else "internal_error", "Scripted by the scenario")
    return _response(effect.status, body, "application/json", effect.headers,
                     store.clock.now())


def _response(status: int, body, media: str | None, headers: dict, now) -> Response:
    """The answer, with this request's id in ``meta`` or ``error``."""
    if isinstance(body, dict) and "meta" in body:
        body["meta"] = meta(now)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body["error"]["request_id"] = error_body("", "")["error"]["request_id"]
    if media and "json" not in media:
        return Response(body if isinstance(body, (str, bytes)) else "", status=status,
                        mimetype=media, headers=headers)
    text = json.dumps(body, cls=JSONEncoder, separators=(",", ":")) if body is not None else ""
    return Response(text, status=status, mimetype="application/json", headers=headers)
