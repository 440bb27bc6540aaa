"""Who may use the control API: loopback clients, or anyone with the admin token if one is set."""

from __future__ import annotations

import functools
import hmac
import ipaddress
from typing import Callable

from flask import request

from mockserver.edge.errors import Forbidden, Unauthorized
from mockserver.edge.operation import encoded
from mockserver.edge.runtime import current


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def check_access(admin_token: str | None) -> None:
    if admin_token:
        header = request.headers.get("Authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(given.encode(), admin_token.encode()):
            raise Unauthorized("The control API needs the server's admin token")
    elif not _is_loopback(request.remote_addr):
        raise Forbidden("The control API is open to loopback clients only; start the server "
                        "with --admin-token to reach it from elsewhere")


def control_operation(handler: Callable | None = None, *, held: bool = True) -> Callable:
    """Give the handler ``(runtime, **params)`` after the access check. Unless ``held`` is
    False (a handler that builds a new world first, outside the lock), it runs with the world
    held and its answer is encoded before the world is let go."""

    def decorate(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def wrapper(*args, **kwargs):
            runtime = current()
            check_access(runtime.settings.admin_token)
            if not held:
                return encoded(handler(runtime, *args, **kwargs))
            with runtime.world.held():
                return encoded(handler(runtime, *args, **kwargs))

        return wrapper

    return decorate(handler) if handler is not None else decorate
