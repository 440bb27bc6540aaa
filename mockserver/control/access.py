"""Who may use the control API: loopback clients, or anyone with the admin token if one is set."""

from __future__ import annotations

import functools
import hmac
import ipaddress
from typing import Callable

from flask import request

from mockserver.domain.errors import DomainError
from mockserver.errors import Forbidden, Unauthorized, from_domain
from mockserver.runtime import current


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


def control_operation(handler: Callable) -> Callable:
    """Give the handler ``(runtime, **params)`` after the access check; domain errors mapped."""

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        runtime = current()
        check_access(runtime.settings.admin_token)
        try:
            return handler(runtime, *args, **kwargs)
        except DomainError as error:
            raise from_domain(error) from error

    return wrapper
