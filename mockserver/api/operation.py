"""The wrapper every handler wears: who is calling, may they, and domain errors to API errors."""

from __future__ import annotations

import functools
import inspect
from typing import Callable

from connexion import context

from mockserver.auth import Principal
from mockserver.control.intercept import before_operation
from mockserver.control.journal import note_tenant
from mockserver.domain.errors import DomainError
from mockserver.errors import Unauthorized, from_domain
from mockserver.runtime import Runtime, current

READ = "billing:read"
MANAGE = "billing:manage"


def operation(permission: str | None) -> Callable:
    """Give the handler ``(runtime, principal, **params)``; ``permission=None`` is public."""

    def decorate(handler: Callable) -> Callable:
        # Connexion reads the handler's signature on every request; give it the answer.
        handler.__signature__ = inspect.signature(handler)

        @functools.wraps(handler)
        def wrapper(*args, **kwargs):
            principal = _principal() if permission else None
            if principal:
                principal.require(permission)
                note_tenant(principal.tenant_id)
            runtime = current()
            forced = before_operation(runtime, context.operation.operation_id,
                                      principal and principal.tenant_id, lambda: _params(kwargs))
            if forced is not None:
                return forced
            try:
                return handler(runtime, principal, *args, **kwargs)
            except DomainError as error:
                raise from_domain(error) from error

        return wrapper

    return decorate


def _params(kwargs: dict) -> dict:
    """The request as scripted behaviours match it."""
    from flask import request

    return {"path": dict(request.view_args or {}), "query": request.args.to_dict(),
            "body": kwargs.get("body")}


def _principal() -> Principal:
    info = context.context.get("token_info") or {}
    principal = info.get("principal")
    if not isinstance(principal, Principal):
        raise Unauthorized("No authorization token provided")
    return principal


__all__ = ["operation", "READ", "MANAGE", "Runtime"]
