"""What one request may weigh: the body limit (an ASGI layer), and how much of a bad input a
422 echoes back.

The limits of the request's head and of its time are the connection's (``edge.connection``):
they act before there is a request to hand to an ASGI app.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.edge.errors import PayloadTooLarge

# A 422 echoes what was sent (FastAPI's ``input``); past this many characters of JSON per
# error item it echoes the beginning only, so a huge bad body never comes back whole.
MAX_ECHOED_INPUT = 4096
MAX_ECHOED_DEPTH = 32
CUT = "…"


class BodyLimitMiddleware:
    """Refuses a body over ``max_bytes`` with a 413: at once when ``Content-Length`` says so
    (nothing of it is read), else as soon as the streamed (chunked) body passes the limit.
    The refusal is raised, so the one error exit answers it, and the connection closes."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            raise self._refusal(f"is {declared} bytes")
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._refusal(f"passed {self.max_bytes} bytes")
            return message

        await self.app(scope, counting_receive, send)

    def _refusal(self, how: str) -> PayloadTooLarge:
        return PayloadTooLarge(f"The request body {how}; this server takes at most "
                               f"{self.max_bytes} bytes (max_body_bytes)",
                               limit=self.max_bytes)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the HTTP parser refuses a malformed one before we are asked
    return None


def echoed(value: Any, budget: int = MAX_ECHOED_INPUT, depth: int = 0) -> Any:
    """``value`` as a 422 echoes it: itself while its JSON is at most ``budget`` characters
    (what FastAPI answers), else its beginning: long strings cut, long lists and objects
    keep their first members, each cut part marked with ``…``."""
    if isinstance(value, str):
        return value if len(value) <= budget else value[:max(budget, 0)] + CUT
    if not isinstance(value, (list, dict)):
        return value
    if depth >= MAX_ECHOED_DEPTH:
        return CUT
    if _fits(value, budget):
        return value
    if isinstance(value, list):
        kept: list = []
        for item in value:
            if budget <= 0:
                kept.append(CUT)
                break
            kept.append(echoed(item, budget, depth + 1))
            budget -= _weight(kept[-1])
        return kept
    members: dict = {}
    for key, item in value.items():
        if budget <= 0:
            members[CUT] = CUT
            break
        key = echoed(str(key), budget, depth + 1)
        members[key] = echoed(item, budget - len(key), depth + 1)
        budget -= len(key) + _weight(members[key])
    return members


def _weight(value: Any) -> int:
    try:
        return len(json.dumps(value, ensure_ascii=False, default=str))
    except (ValueError, RecursionError):
        return MAX_ECHOED_INPUT


def _fits(value: Any, budget: int) -> bool:
    """Whether ``value``'s JSON is within ``budget``, without encoding more than that much."""
    encoder = json.JSONEncoder(ensure_ascii=False, default=str)
    size = 0
    try:
        for chunk in encoder.iterencode(value):
            size += len(chunk)
            if size > budget:
                return False
    except (ValueError, RecursionError):
        return False
    return True


__all__ = ["BodyLimitMiddleware", "MAX_ECHOED_INPUT", "echoed"]
