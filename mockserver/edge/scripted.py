"""Answers decided before an operation runs: Prism's ``Prefer`` knobs (parsed once by
``mockserver.edge.request``) and the scenario's scripted behaviours. Neither touches the
world's state."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

from connexion.json_schema import resolve_refs
from flask import Response

from mockserver.domain.errors import InvalidRequest
from mockserver.edge.envelope import JSON, encode, error_body, meta
from mockserver.edge.errors import code_of_status
from mockserver.edge.request import Preference, preference
from mockserver.edge.validation import is_json
from mockserver.spec import load_spec

_RESOLVED: dict = {}


def _operation_spec(operation_id: str) -> dict:
    if not _RESOLVED:
        for item in resolve_refs(load_spec())["paths"].values():
            for op in item.values():
                _RESOLVED[op["operationId"]] = op
    return _RESOLVED[operation_id]


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds`` (with the world let go), then answer ``response``, or run the
    operation when it is None."""

    seconds: float
    response: Response | None = None


def before_operation(store, operation_id: str, tenant_id: str | None,
                     params: Callable[[], dict]):
    """A response that replaces the operation, a :class:`Delay`, or None to run it. Call it
    with the world held (``store``: its store). ``params`` is called only when the scenario
    scripts behaviours (most requests never need it)."""
    prefer = preference()
    if prefer is not None:
        return _preferred(operation_id, prefer, store.clock.now())
    if not store.behaviours:
        return None
    return _scripted(store, operation_id, tenant_id, params())


def _preferred(operation_id: str, preference: Preference, now) -> Response:
    responses = _operation_spec(operation_id)["responses"]
    code = preference.code or min((c for c in responses if c.startswith("2")), default=None)
    if code not in responses:
        raise InvalidRequest(f"Prefer: code={preference.code} is not documented for {operation_id} "
                         f"(documented: {', '.join(responses)})")
    media, content = next(iter(responses[code].get("content", {}).items()), (None, {}))
    if preference.dynamic and "schema" in content:
        from mockserver.edge.dynamic import generate  # hypothesis + Faker: load on demand

        body = generate(content["schema"])
    elif preference.example:
        examples = content.get("examples", {})
        if preference.example not in examples:
            raise InvalidRequest(f"No example {preference.example!r} for {operation_id} {code} "
                             f"(named examples: {', '.join(examples) or 'none'})")
        body = copy.deepcopy(examples[preference.example]["value"])
    else:
        body = copy.deepcopy(content.get("example") or next(
            (e["value"] for e in content.get("examples", {}).values()), None))
    return _response(int(code), body, media, {}, now)


def _scripted(store, operation_id: str, tenant_id: str | None, params: dict):
    matching = [b for b in store.behaviours
                if b.matches(operation_id, tenant_id, params.get("path", {}),
                             params.get("query", {}), params.get("body"))]
    if matching:
        store.about_to_change()  # a behaviour's counters and random stream move on
    effect = next((e for e in (b.effect() for b in matching) if e), None)
    if effect is None:
        return None
    response = None
    if effect.status is not None:
        body = effect.body
        if body is None and effect.status >= 400:
            body = error_body(code_of_status(effect.status), "Scripted by the scenario")
        headers = dict(effect.headers)
        scripted_type = next((headers.pop(name) for name in list(headers)
                              if name.lower() == "content-type"), None)
        response = _response(effect.status, body, "application/json", headers,
                             store.clock.now(), scripted_type)
    if effect.latency_ms:
        return Delay(effect.latency_ms / 1000, response)
    return response


def _response(status: int, body, media: str | None, headers: dict, now,
              content_type: str | None = None) -> Response:
    """The answer, with this request's id in ``meta`` or ``error`` (a 401 asks for a token,
    as every 401 of the mock does). A scripted ``content_type`` is the answer's, as given:
    a text body is sent as it is unless that type is JSON; anything else as its JSON."""
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer", **headers}
    if isinstance(body, dict) and "meta" in body:
        body["meta"] = meta(now)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body["error"]["request_id"] = meta(now)["request_id"]
    if content_type is not None:
        text = body if isinstance(body, str) and not is_json(content_type) else (
            encode(body) if body is not None else b"")
        return Response(text, status=status, content_type=content_type, headers=headers)
    if media and "json" not in media:
        return Response(body if isinstance(body, (str, bytes)) else "", status=status,
                        mimetype=media, headers=headers)
    text = encode(body) if body is not None else b""
    return Response(text, status=status, mimetype=JSON, headers=headers)
