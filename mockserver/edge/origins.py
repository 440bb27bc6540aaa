"""Where a request comes from: CORS for the billing API only, and the checks that keep web
pages out of ``/_mock`` (another origin's scripts, and DNS rebinding through a foreign
``Host``).

A page open in the developer's browser can send requests to ``http://localhost:8000``. The
billing API grants CORS so frontends on other ports can call it; ``/_mock`` (reset, clock,
scenarios, tokens) grants none, refuses requests a browser marks as coming from another
origin, and answers only to the host names the server knows as its own.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.edge.errors import Forbidden, Unauthorized

CONTROL_PREFIX = "/_mock"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
LOOPBACK_ONLY = frozenset(LOOPBACK_NAMES)
# Sec-Fetch-Site values of requests that no other site's page started.
OWN_SITE = ("same-origin", "none")


class CORSOutsideControl:
    """Starlette's CORS layer for every path but ``/_mock``: the control API grants no page
    of another origin anything (no ``Access-Control-Allow-Origin``, no preflight)."""

    def __init__(self, app: ASGIApp, **cors) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, **cors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_control_path(scope["path"]):
            await self.app(scope, receive, send)
        else:
            await self.cors(scope, receive, send)


def is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def own_host_names(host: str, public_url: str | None, allowed: str) -> frozenset[str]:
    """The host names ``/_mock`` answers to: loopback, the listening host, the public URL's
    host, and the ``allowed`` extras (comma-separated), all lower case."""
    names = {*LOOPBACK_NAMES, host.lower()}
    if public_url:
        names.add((urlsplit(public_url).hostname or "").lower())
    names.update(name.strip().lower() for name in allowed.split(",") if name.strip())
    names.discard("")
    return frozenset(names)


def host_name(host_header: str | None) -> str | None:
    """The name in a ``Host`` header, without its port (``[::1]:8000`` -> ``::1``)."""
    if not host_header:
        return None
    try:
        return urlsplit(f"//{host_header.strip()}").hostname
    except ValueError:
        return None


def foreign_origin(origin: str | None, sec_fetch_site: str | None, host_header: str | None,
                   own_origins: frozenset[str]) -> str | None:
    """Why a request came from another origin's page (None: it did not). Browsers send
    ``Sec-Fetch-Site`` on every request and ``Origin`` on every cross-origin one; tools
    such as curl, httpx or a test suite send neither."""
    if sec_fetch_site and sec_fetch_site.lower() not in OWN_SITE:
        return f"Sec-Fetch-Site: {sec_fetch_site}"
    if origin and origin != "null":
        parts = urlsplit(origin)
        if parts.netloc.lower() != (host_header or "").lower() and \
                origin.rstrip("/").lower() not in own_origins:
            return f"Origin: {origin}"
    elif origin == "null":
        return "Origin: null"
    return None


def check_control_access(headers: Mapping[str, str], client: str | None,
                         admin_token: str | None, own_hosts: frozenset[str] = LOOPBACK_ONLY,
                         own_origins: frozenset[str] = frozenset()) -> None:
    """Refuse a request that may not use the control API: without the admin token when one is
    set (:class:`Unauthorized`); else from another address than loopback, from a web page of
    another origin, or under a foreign host name (:class:`Forbidden`). ``headers`` are the
    request's (any case-insensitive mapping), ``client`` its peer address."""
    if admin_token:
        header = headers.get("Authorization") or ""
        given = header[7:] if header.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(given.encode(), admin_token.encode()):
            raise Unauthorized("The control API needs the server's admin token")
    elif not _is_loopback(client):
        raise Forbidden("The control API is open to loopback clients only; start the server "
                        "with --admin-token to reach it from elsewhere")
    else:
        _refuse_web_pages(headers, own_hosts, own_origins)


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse_web_pages(headers: Mapping[str, str], own_hosts: frozenset[str],
                      own_origins: frozenset[str]) -> None:
    host = headers.get("Host")
    name = host_name(host)
    if name is None or name.lower() not in own_hosts:
        raise Forbidden(f"The control API does not answer to the host name {host!r} (a web "
                        "page reaching the server through its own DNS name); add it with "
                        "--allowed-hosts if it is yours", host=host)
    why = foreign_origin(headers.get("Origin"), headers.get("Sec-Fetch-Site"), host,
                         own_origins)
    if why is not None:
        raise Forbidden(f"The control API refuses requests from web pages of other origins "
                        f"({why}); call it from a script, a test or curl", origin=why)


__all__ = ["CONTROL_PREFIX", "CORSOutsideControl", "LOOPBACK_ONLY", "check_control_access",
           "foreign_origin", "host_name", "is_control_path", "own_host_names"]
