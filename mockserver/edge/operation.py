"""The wrapper every billing handler wears: who is calling, may they, a scripted or preferred
answer instead, and the handler run with the world held so its answer is one moment's picture.
"""

from __future__ import annotations

import functools
import time
from typing import Callable

from flask import Response, request

from mockserver.compat import current_operation_id, known_signature
from mockserver.edge.auth import current_principal
from mockserver.edge.envelope import JSON, encode
from mockserver.edge.journal import note_tenant, note_world
from mockserver.edge.runtime import current
from mockserver.edge.scripted import Delay, before_operation

READ = "billing:read"
MANAGE = "billing:manage"


def operation(permission: str | None, *, renders: bool = False) -> Callable:
    """Give the handler ``(runtime, principal, **params)``; ``permission=None`` is public.

    The handler answers ``(body, status)`` or a Flask response. It runs with the world held
    and its answer is encoded before the world is let go, so no writer on another thread (the
    clock, a reset, a hosted page, a test's factory) can change the world half-way through it.
    The scripted or preferred answer is decided in the same hold (a scripted latency is
    waited out with the world let go). A handler that ``renders`` documents holds the world
    itself, around what it reads and writes, and renders outside it.
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
            operation_id = current_operation_id()

            def decide(store, consult: bool = True):
                note_world(store)
                forced = before_operation(store, operation_id, tenant_id,
                                          lambda: _params(kwargs)) if consult else None
                if forced is not None or renders:
                    return forced
                return encoded(handler(runtime, principal, *args, **kwargs))

            answer = runtime.world.attempt(decide)
            if isinstance(answer, Delay):
                time.sleep(answer.seconds)  # the world is not held meanwhile
                answer = answer.response
                if answer is None and not renders:
                    answer = runtime.world.attempt(lambda store: decide(store, consult=False))
            if answer is not None:
                return answer
            answer = handler(runtime, principal, *args, **kwargs)
            # What it wrote (a send retried after a reset) landed in the current world.
            note_world(runtime.store)
            return answer

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
