"""The wrapper every billing handler wears: who is calling, may they, a scripted or preferred
answer instead, and the handler run with the world held so its answer is one moment's picture.
"""

from __future__ import annotations

import functools
from typing import Callable

from flask import Response, request

from mockserver.compat import current_operation_id, known_signature
from mockserver.edge.auth import current_principal
from mockserver.edge.envelope import JSON, encode
from mockserver.edge.journal import note_tenant, note_world
from mockserver.edge.runtime import current
from mockserver.edge.scripted import before_operation

READ = "billing:read"
MANAGE = "billing:manage"


def operation(permission: str | None, *, renders: bool = False) -> Callable:
    """Give the handler ``(runtime, principal, **params)``; ``permission=None`` is public.

    The handler answers ``(body, status)`` or a Flask response. It runs with the world held
    and its answer is encoded before the world is let go, so no writer on another thread (the
    clock, a reset, a hosted page, a test's factory) can change the world half-way through it.
    A handler that ``renders`` documents holds the world itself, around what it reads and
    writes, and renders outside it.
    """

    def decorate(handler: Callable) -> Callable:
        known_signature(handler)

        @functools.wraps(handler)
        def wrapper(*args, **kwargs):
            principal = current_principal() if permission else None
            tenant_id = principal.tenant_id if principal else None
            if principal:
                note_tenant(tenant_id)
                principal.require(permission)
            runtime = current()
            forced = before_operation(runtime, current_operation_id(), tenant_id,
                                      lambda: _params(kwargs))
            if forced is not None:
                note_world(runtime.world.generation)
                return forced
            if renders:
                answer = handler(runtime, principal, *args, **kwargs)
                # What it wrote (a send retried after a reset) landed in the current world.
                note_world(runtime.world.generation)
                return answer
            with runtime.world.held() as store:
                note_world(store.generation)
                return encoded(handler(runtime, principal, *args, **kwargs))

        return wrapper

    return decorate


def encoded(answer) -> Response:
    """A handler's ``(body, status)`` as the response it becomes (a response stays one)."""
    if isinstance(answer, Response):
        return answer
    body, status = answer
    return Response(encode(body), status=status, mimetype=JSON)


def _params(kwargs: dict) -> dict:
    """The request as scripted behaviours match it."""
    return {"path": dict(request.view_args or {}), "query": request.args.to_dict(),
            "body": kwargs.get("body")}


__all__ = ["MANAGE", "READ", "encoded", "operation"]
