"""Who may use the control API: anyone with the admin token if one is set; else loopback
clients, and of those no web page: not one of another origin (``Origin``,
``Sec-Fetch-Site``) and not one that reached the server under a foreign host name (DNS
rebinding). A page cannot know the admin token, so with one set the token is the guard."""

from __future__ import annotations

import functools
from typing import Callable

from flask import request

from mockserver.edge.operation import encoded
from mockserver.edge.origins import LOOPBACK_ONLY, check_control_access
from mockserver.edge.runtime import current


def check_access(admin_token: str | None, own_hosts: frozenset[str] = LOOPBACK_ONLY,
                 own_origins: frozenset[str] = frozenset()) -> None:
    """Refuse the request unless it may use the control API (see the module's text);
    ``own_hosts`` are the host names the server answers to, ``own_origins`` its origins.
    The rule is ``edge.origins.check_control_access``: the edge applies the same one before
    it forks a run for a request."""
    check_control_access(request.headers, request.remote_addr, admin_token, own_hosts,
                         own_origins)


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
