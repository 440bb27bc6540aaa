"""Every path the server answers, as a lookup: which methods a concrete URL path supports
(the ``Allow`` header of a 405), and the rule that a billing path must be routed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mockserver.providers import PAGE_PATHS
from mockserver.spec import API_BASE, BILLING_SPEC, CONTROL_SPEC, load_spec

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class RouteTable:
    """Path templates (``/billing/invoices/{invoice_id}``) and the methods each one takes."""

    def __init__(self, routes: Iterable[tuple[str, list[str]]]) -> None:
        self._routes = [(re.compile("^" + re.sub(r"\{[^}/]+\}", "[^/]+", path) + "$"),
                         methods) for path, methods in routes]

    @classmethod
    def of_document(cls, spec: dict, base: str) -> list[tuple[str, list[str]]]:
        return [(base + path, [m.upper() for m in item if m in HTTP_METHODS])
                for path, item in spec["paths"].items()]

    def methods(self, path: str) -> list[str]:
        for pattern, methods in self._routes:
            if pattern.match(path):
                return methods
        return []


ROUTES = RouteTable([
    *RouteTable.of_document(load_spec(BILLING_SPEC), API_BASE),
    *RouteTable.of_document(load_spec(CONTROL_SPEC), "/_mock"),
    ("/openapi.json", ["GET"]), ("/docs", ["GET"]),
    ("/_mock/console", ["GET"]), ("/_mock/console/{name}", ["GET"]),
    *((path, ["GET", "POST"]) for path in PAGE_PATHS.values()),
])


def require_routed_operations(flask_app, base: str = API_BASE + "/billing") -> None:
    """Connexion's router and Flask's can disagree on odd paths (a newline in an id, a doubled
    slash: ``//_mock/tenants``); a request Connexion did not route has no operation, so it is
    not found: a billing path, or any view of Connexion's APIs (the billing API and /_mock,
    each a blueprint of its own; the hosted pages and the console are plain Flask views)."""
    from flask import request

    from mockserver.compat import current_operation_id, keep_merged_slashes_apart
    from mockserver.domain.errors import NotFound

    keep_merged_slashes_apart(flask_app)

    @flask_app.before_request
    def require_routed_operation():
        operation_view = request.blueprint in flask_app.blueprints
        if (request.path.startswith(base) or operation_view) and current_operation_id() is None:
            sent = request.environ.get("PATH_INFO") or request.path  # Werkzeug merges "//"
            why = " (the path has a doubled slash)" if "//" in sent else ""
            raise NotFound(f"No operation at {sent!r}{why}")
