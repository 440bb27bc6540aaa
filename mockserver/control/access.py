"""Who may use the control API: anyone with the admin token if one is set; else loopback
clients, and of those no web page: not one of another origin (``Origin``,
``Sec-Fetch-Site``) and not one that reached the server under a foreign host name (DNS
rebinding). A page cannot know the admin token, so with one set the token is the guard."""

from __future__ import annotations

import functools
import hmac
import ipaddress
from typing import Callable

from flask import request

from mockserver.edge.errors import Forbidden, Unauthorized
from mockserver.edge.operation import encoded
from mockserver.edge.origins import LOOPBACK_NAMES, foreign_origin, host_name
from mockserver.edge.runtime import current

LOOPBACK_ONLY = frozenset(LOOPBACK_NAMES)


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def check_access(admin_token: str | None, own_hosts: frozenset[str] = LOOPBACK_ONLY,
                 own_origins: frozenset[str] = frozenset()) -> None:
    """Refuse the request unless it may use the control API (see the module's text);
    ``own_hosts`` are the host names the server answers to, ``own_origins`` its origins."""
    if admin_token:
        header = request.headers.get("Authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(given.encode(), admin_token.encode()):
            raise Unauthorized("The control API needs the server's admin token")
    elif not _is_loopback(request.remote_addr):
        raise Forbidden("The control API is open to loopback clients only; start the server "
                        "with --admin-token to reach it from elsewhere")
    else:
        _refuse_web_pages(own_hosts, own_origins)


def _refuse_web_pages(own_hosts: frozenset[str], own_origins: frozenset[str]) -> None:
    host = request.headers.get("Host")
    name = host_name(host)
    if name is None or name.lower() not in own_hosts:
        raise Forbidden(f"The control API does not answer to the host name {host!r} (a web "
                        "page reaching the server through its own DNS name); add it with "
                        "--allowed-hosts if it is yours", host=host)
    why = foreign_origin(request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"),
                         host, own_origins)
    if why is not None:
        raise Forbidden(f"The control API refuses requests from web pages of other origins "
                        f"({why}); call it from a script, a test or curl", origin=why)


def control_operation(handler: Callable | None = None, *, held: bool = True) -> Callable:
    """Give the handler ``(runtime, **params)`` after the access check. Unless ``held`` is
    False (a handler that builds a new world first, outside the lock), it runs with the world
    held and its answer is encoded before the world is let go."""

    def decorate(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def wrapper(*args, **kwargs):
            runtime = current()
            check_access(runtime.settings.admin_token, runtime.own_hosts, runtime.own_origins)
            if not held:
                return encoded(handler(runtime, *args, **kwargs))
            with runtime.world.held():
                return encoded(handler(runtime, *args, **kwargs))

        return wrapper

    return decorate(handler) if handler is not None else decorate
