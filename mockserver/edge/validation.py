"""Connexion request validators that answer like FastAPI: a 422 with pydantic error items."""

from __future__ import annotations

import json
import math
import re
import typing as t

from connexion.datastructures import MediaTypeDict
from connexion.lifecycle import ConnexionRequest
from connexion.validators import ParameterValidator
from starlette.datastructures import QueryParams

from mockserver.compat import BodyValidator
from mockserver.domain.errors import InvalidRequest
from mockserver.edge.errors import RequestValidationFailed
from mockserver.edge.fastapi_errors import translate
from mockserver.schemas import body_validator, request_validator


class FastAPIBodyValidator(BodyValidator):
    """Bodies as FastAPI reads them: JSON only when the request says it is JSON; a body that
    is not JSON is validated as the text it is (an object schema answers 422
    ``model_attributes_type``); JSON that does not parse is a 422 ``json_invalid``, and one
    that its parser gives up on (too deep, an integer too long, not UTF-8) a 400."""

    def __init__(self, *, required: bool = False, **kwargs) -> None:
        # A missing body is reported by ``check`` in FastAPI's words, not by Connexion.
        super().__init__(required=False, **kwargs)
        self._body_required = required
        self._compiled = body_validator(self.schema)

    def parse(self, raw: bytes, content_type: str | None) -> t.Any:
        if not raw:
            return _ABSENT
        if not is_json(content_type):
            return raw.decode("utf-8", "replace")  # validated as text, as FastAPI does
        try:
            return loads(raw)
        except json.JSONDecodeError as exc:
            raise _json_invalid(exc.pos, exc.msg) from None
        except _NotJSON as exc:
            raise _json_invalid(exc.position(raw), exc.reason) from None
        except (RecursionError, ValueError):  # too deep, too many digits for int(), not UTF-8
            raise InvalidRequest(PARSE_ERROR) from None

    def check(self, body: t.Any) -> None:
        if body is _ABSENT:
            if self._body_required:
                raise RequestValidationFailed(
                    [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
                )
            return
        errors = translate(self._compiled.iter_errors(body), ["body"])
        if errors:
            raise RequestValidationFailed(errors)


_ABSENT = object()  # no body at all (``null`` is a body)
PARSE_ERROR = "There was an error parsing the body"  # FastAPI's words for a body it gave up on
# Deeper than this is refused before parsing (FastAPI's parser gives up near Python's
# recursion limit, about 1,000, where it depends on the stack; here it does not).
MAX_DEPTH = 256


def loads(raw: bytes) -> t.Any:
    """JSON as the API reads it: strictly (no NaN, Infinity or 1e999) and at most
    ``MAX_DEPTH`` deep. Raises ``ValueError`` (``json.JSONDecodeError`` for bad JSON)."""
    if nested_deeper_than(raw, MAX_DEPTH):
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH}")
    return json.loads(raw, parse_constant=_no_constant, parse_float=_finite)


def is_json(content_type: str | None) -> bool:
    """FastAPI's rule: ``application/json`` or ``application/*+json`` (any case, any
    parameters); no Content-Type at all is not JSON."""
    if not content_type:
        return False
    kind, _, subtype = content_type.split(";", 1)[0].strip().lower().partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nested_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether the JSON text ``raw`` opens more than ``limit`` arrays or objects inside each
    other, counted without parsing (brackets inside strings do not count)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = deepest = 0
    for bracket in _STRINGS.sub(b"", raw).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest > limit


class _NotJSON(ValueError):
    """What Python's parser reads but JSON has no word for: NaN, Infinity, 1e999."""

    def __init__(self, token: str, reason: str) -> None:
        super().__init__(reason)
        self.token, self.reason = token, reason

    def position(self, raw: bytes) -> int:
        text = raw.decode("utf-8", "replace")
        for found in re.finditer(r'"(?:[^"\\]|\\.)*"|' + re.escape(self.token), text, re.S):
            if not found.group().startswith('"'):
                return found.start()
        return 0


def _no_constant(token: str):
    raise _NotJSON(token, "Expecting value")


def _finite(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _NotJSON(token, "Number out of range")
    return value


def _json_invalid(position: int, reason: str) -> RequestValidationFailed:
    return RequestValidationFailed([{
        "type": "json_invalid", "loc": ["body", position], "msg": "JSON decode error",
        "input": {}, "ctx": {"error": reason},
    }])


_ANY: dict = {}  # a parameter without a schema (one object: its compiled validator is kept)


class FastAPIParameterValidator(ParameterValidator):
    """Query and path parameters, every failure reported at once with the text as sent."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._compiled = {(p["in"], p["name"]): request_validator(p.get("schema", _ANY))
                          for found in self.parameters.values() for p in found}

    def validate(self, scope) -> None:
        request = ConnexionRequest(scope, uri_parser=self.uri_parser)
        raw_query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
        errors: list[dict] = []
        for where, values, raws in (
            ("path", request.path_params, request.path_params),
            ("query", request.query_params, raw_query),
        ):
            for param in self.parameters.get(where, []):
                errors += _check(param, where, values, raws,
                                 self._compiled[(where, param["name"])])
        if errors:
            raise RequestValidationFailed(errors)


def _check(param: dict, where: str, values, raws, validator) -> list[dict]:
    name = param["name"]
    value = values.get(name.replace("-", "_") if where == "path" else name)
    if value is None:
        if param.get("required"):
            return [{"type": "missing", "loc": [where, name], "msg": "Field required",
                     "input": None}]
        return []
    raw = raws.get(name, value)
    failures = validator.iter_errors(value)
    return translate(failures, [where, name], raw=raw if isinstance(raw, str) else None)


VALIDATOR_MAP = {
    "parameter": FastAPIParameterValidator,
    # Any other media type reaches the same validator, which answers as FastAPI does: a body
    # that is not JSON is a 422 model_attributes_type (never Connexion's 415).
    "body": MediaTypeDict({"*/*json": FastAPIBodyValidator, "*/*": FastAPIBodyValidator}),
}
ANY_MEDIA_TYPE = "*/*"


def accepting_any_media_type(document: dict) -> dict:
    """``document`` (a copy for Connexion) with every JSON request body also declared for any
    media type, so a ``text/plain`` body reaches the body validator instead of a 415. FastAPI
    reads a JSON model from any request and refuses what is not JSON with a 422. JSON stays
    first: a request without a Content-Type is validated as JSON would be (and refused)."""
    for item in document.get("paths", {}).values():
        for op in item.values():
            content = (op.get("requestBody") or {}).get("content") if isinstance(op, dict) else None
            if content and "application/json" in content and ANY_MEDIA_TYPE not in content:
                content[ANY_MEDIA_TYPE] = content["application/json"]
    return document
