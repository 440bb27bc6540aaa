"""Connexion request validators that answer like FastAPI: a 422 with pydantic error items."""

from __future__ import annotations

import json
import typing as t

from connexion.datastructures import MediaTypeDict
from connexion.lifecycle import ConnexionRequest
from connexion.validators import ParameterValidator
from starlette.datastructures import QueryParams

from mockserver.compat import BodyValidator
from mockserver.edge.errors import RequestValidationFailed
from mockserver.edge.fastapi_errors import translate
from mockserver.schemas import request_validator


class FastAPIBodyValidator(BodyValidator):
    """JSON bodies: invalid JSON, a missing body and schema failures all become 422s."""

    def __init__(self, *, required: bool = False, **kwargs) -> None:
        # A missing body is reported by ``check`` in FastAPI's words, not by Connexion.
        super().__init__(required=False, **kwargs)
        self._body_required = required
        self._compiled = request_validator(self.schema)

    def parse(self, raw: bytes) -> t.Any:
        if not raw.strip():
            return None
        try:
            return json.loads(raw.decode(self.encoding))
        except UnicodeDecodeError as exc:
            raise _json_invalid(exc.start, "Invalid UTF-8 in request body") from None
        except json.JSONDecodeError as exc:
            raise _json_invalid(exc.pos, exc.msg) from None
        except RecursionError:
            raise _json_invalid(0, "JSON nested too deeply") from None
        except ValueError as exc:  # e.g. an integer of more digits than Python converts
            raise _json_invalid(0, str(exc)) from None

    def check(self, body: t.Any) -> None:
        if body is None:
            if self._body_required:
                raise RequestValidationFailed(
                    [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
                )
            return
        errors = translate(self._compiled.iter_errors(body), ["body"])
        if errors:
            raise RequestValidationFailed(errors)


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
    "body": MediaTypeDict({"*/*json": FastAPIBodyValidator}),
}
