"""Every place the mock relies on Connexion, a2wsgi, Werkzeug or uvicorn beyond their
documented API.

Each touch is one small name here, and ``tests/test_compat.py`` has a test per touch that fails
if the library changes under it (``connexion~=3.3`` and ``a2wsgi~=1.10`` bound the versions).
Nothing else in the package reaches into these libraries' private names.
"""

from __future__ import annotations

import inspect
import threading
from collections import OrderedDict
from typing import Any, Callable

from a2wsgi.wsgi import build_environ as _build_environ
from connexion import context
from connexion.security import BearerSecurityHandler
from connexion.validators import JSONRequestBodyValidator
from starlette.datastructures import Headers
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# -- the FlaskApp's bridge to Flask ----------------------------------------------------------


def replace_flask_bridge(app, make: Callable[[Callable, Any], Any]) -> Any:
    """Put ``make(flask_wsgi_app, fallback)`` where Connexion's FlaskApp keeps its a2wsgi
    bridge to Flask: the ``asgi_app`` of its private ``_middleware_app``. ``fallback`` is that
    a2wsgi bridge (for anything that is not plain HTTP). Answers the new bridge."""
    middleware = app._middleware_app
    bridge = make(middleware.app.wsgi_app, middleware.asgi_app)
    middleware.asgi_app = bridge
    return bridge


def build_environ(scope: dict, body) -> dict:
    """The WSGI environ of an ASGI scope, exactly as Connexion's own a2wsgi bridge builds it."""
    return _build_environ(scope, body)  # type: ignore[arg-type]


# -- uvicorn's HTTP protocol -----------------------------------------------------------------

# ``uvicorn.Config(http=...)`` takes a protocol class; ``edge.connection`` extends uvicorn's
# httptools one through the parser callbacks it implements (``on_message_begin``, ``on_url``,
# ``on_header``, ``on_headers_complete``, ``on_body``, ``on_message_complete``) and its
# ``loop``, ``transport`` and ``headers`` attributes.
HttpToolsProtocol = HttpToolsProtocol


# -- routing ---------------------------------------------------------------------------------

ROUTING_KEY = "connexion_routing"


def routed_operation_id(scope: dict) -> str | None:
    """The operationId Connexion's router put in the ASGI scope (None: not routed)."""
    return scope.get("extensions", {}).get(ROUTING_KEY, {}).get("operation_id")


def current_operation_id() -> str | None:
    """The operationId of the request Flask is answering (None when Connexion did not route
    it: its context then raises ``RuntimeError``)."""
    try:
        return context.operation.operation_id
    except RuntimeError:
        return None


def keep_merged_slashes_apart(flask_app) -> None:
    """Werkzeug would answer ``//billing/...`` with a redirect raised as an exception; FastAPI
    answers 404, so Flask must not merge slashes."""
    flask_app.url_map.merge_slashes = False


# -- handlers --------------------------------------------------------------------------------


def known_signature(handler: Callable) -> Callable:
    """Connexion calls ``inspect.signature`` on the handler for every request; give it the
    answer once."""
    handler.__signature__ = inspect.signature(handler)
    return handler


# -- security --------------------------------------------------------------------------------


def bearer_handler(token_info: Callable[[str], dict]) -> type[BearerSecurityHandler]:
    """Connexion's bearer scheme with our own token check instead of an ``x-bearerInfoFunc``
    looked up in the document (``_resolve_func``), called without Connexion's per-request
    signature inspection (``check_bearer_token``)."""

    class Bearer(BearerSecurityHandler):
        def _resolve_func(self, security_scheme):
            return token_info

        def check_bearer_token(self, token_info_func):
            async def check(request, token, required_scopes=None):
                return token_info_func(token)

            return check

    return Bearer


# -- validation ------------------------------------------------------------------------------


class BodyValidator(JSONRequestBodyValidator):
    """Connexion's JSON body validator with its subclassing hooks given plain names:
    ``parse(raw bytes, content_type)`` and ``check(body)``; ``schema`` is the operation's body
    schema. ``content_type`` is the request's own header (None without one: Connexion then
    assumes the operation's media type and hands the body to this validator anyway)."""

    @property
    def schema(self) -> dict:
        return self._schema

    @property
    def encoding(self) -> str:
        return self._encoding

    def parse(self, raw: bytes, content_type: str | None) -> Any:  # pragma: no cover
        raise NotImplementedError  # subclasses say how

    def check(self, body: Any) -> None:  # pragma: no cover - subclasses say how
        raise NotImplementedError

    async def _parse(self, stream, scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        return self.parse(raw, Headers(scope=scope).get("content-type"))

    def _validate(self, body: Any) -> None:
        self.check(body)


class IdentityMemo:
    """Values computed once per schema *object*: Connexion builds its validators anew for
    every request, but hands them the same parsed schema objects each time. The key holds the
    object, so an id is never reused for another schema while it is kept; bounded (LRU)."""

    def __init__(self, make: Callable[[dict], Any], max_entries: int = 2048) -> None:
        self._make = make
        self._max = max_entries
        self._found: OrderedDict[int, tuple[dict, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, schema: dict) -> Any:
        key = id(schema)
        with self._lock:
            found = self._found.get(key)
            if found is not None and found[0] is schema:
                self._found.move_to_end(key)
                return found[1]
        made = self._make(schema)
        with self._lock:
            self._found[key] = (schema, made)
            while len(self._found) > self._max:
                self._found.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._found)


__all__ = ["BodyValidator", "HttpToolsProtocol", "IdentityMemo", "ROUTING_KEY", "bearer_handler", "build_environ",
           "current_operation_id", "replace_flask_bridge", "keep_merged_slashes_apart",
           "known_signature", "routed_operation_id"]


# -- Connexion's note on operations that declare more than one request media type ----------

MULTIPLE_CONTENT_TYPES_LOGGER = "connexion.operations.openapi3"
MULTIPLE_CONTENT_TYPES_NOTE = "this operation accepts multiple content types"


class _WithoutMultipleContentTypesNote:
    """Drops the warning Connexion logs on every request to an operation whose body is
    declared for more than one media type (the mock declares ``*/*`` beside JSON on purpose,
    to answer non-JSON bodies as FastAPI does)."""

    def filter(self, record) -> bool:
        return not str(record.msg).startswith(MULTIPLE_CONTENT_TYPES_NOTE)


def quiet_multiple_content_types_note() -> None:
    import logging

    logger = logging.getLogger(MULTIPLE_CONTENT_TYPES_LOGGER)
    if not any(isinstance(f, _WithoutMultipleContentTypesNote) for f in logger.filters):
        logger.addFilter(_WithoutMultipleContentTypesNote())
