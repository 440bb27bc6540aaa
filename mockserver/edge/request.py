"""The outermost layer: one request id per request, the request's ``Prefer`` knobs parsed
once into a frozen value that every inner layer reads (as Prism does at its edge), and the
``Content-Type`` media type written the one way the inner layers match it."""

from __future__ import annotations

import secrets
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.state import ACCESS, Access

# Requests that hold the world to read it only (a shared world checks it once per request).
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Preference:
    """``Prefer: code=404``, ``example=NAME``, ``dynamic=true`` (Prism's request knobs)."""

    code: str | None = None
    example: str | None = None
    dynamic: bool = False

    @classmethod
    def parse(cls, header: str | None) -> "Preference | None":
        """The knobs of a ``Prefer`` header, or None when it asks for none of them."""
        if not header:
            return None
        values = {}
        for part in header.replace(";", ",").split(","):
            key, _, value = part.strip().partition("=")
            values[key.strip().lower()] = value.strip().strip('"')
        found = cls(values.get("code"), values.get("example"),
                    values.get("dynamic", "").lower() == "true")
        return found if (found.code or found.example or found.dynamic) else None


@dataclass(frozen=True)
class EdgeRequest:
    """What the edge knows of the request being answered."""

    request_id: str
    prefer: Preference | None = None


CURRENT: ContextVar[EdgeRequest | None] = ContextVar("billing_mock_request", default=None)


def new_request_id() -> str:
    return f"req_{secrets.token_hex(8)}"


def request_id() -> str:
    """This request's id (a fresh one outside a request)."""
    found = CURRENT.get()
    return found.request_id if found else new_request_id()


def preference() -> Preference | None:
    found = CURRENT.get()
    return found.prefer if found else None


class EdgeMiddleware:
    """Sets the request before anything else runs (its id, its ``Prefer``, whether it reads
    or writes the world) and adds ``X-Request-ID`` to the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        prefer = next((value.decode("latin-1") for name, value in scope["headers"]
                       if name == b"prefer"), None)
        scope = _media_type_in_lower_case(scope)
        edge = EdgeRequest(new_request_id(), Preference.parse(prefer))
        token = CURRENT.set(edge)
        access = ACCESS.set(Access("read" if scope["method"] in READING_METHODS else "write"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-ID"] = edge.request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            ACCESS.reset(access)
            CURRENT.reset(token)


def _media_type_in_lower_case(scope: Scope) -> Scope:
    """Media types compare in any case (RFC 9110, 8.3.1), but Connexion and Flask match
    ``Content-Type`` as written: ``Application/JSON`` went unvalidated and reached a handler
    unparsed. The type is written in lower case once, here; its parameters stay as sent.
    A ``Content-Type`` that names no media type (empty, ``garbage``: no ``type/subtype``)
    is no ``Content-Type``: FastAPI reads such a body as not JSON (its 422), where Connexion
    would answer 415."""
    headers = scope["headers"]
    for i, (name, value) in enumerate(headers):
        if name == b"content-type":
            media, sep, rest = value.partition(b";")
            kind, slash, subtype = media.strip().partition(b"/")
            if not (kind and slash and subtype):
                return {**scope, "headers": [*headers[:i], *headers[i + 1:]]}
            if media != media.lower():
                headers = [*headers[:i], (name, media.lower() + sep + rest), *headers[i + 1:]]
                return {**scope, "headers": headers}
            return scope
    return scope
