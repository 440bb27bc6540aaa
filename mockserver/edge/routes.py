"""The document's paths as a lookup: which methods a concrete URL path supports."""

from __future__ import annotations

import re

from mockserver.spec import BILLING_SPEC, API_BASE, load_spec

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class RouteTable:
    def __init__(self, spec: dict, base: str) -> None:
        self._routes = [
            (re.compile("^" + base + re.sub(r"\{[^}/]+\}", "[^/]+", path) + "$"),
             [m.upper() for m in item if m in HTTP_METHODS])
            for path, item in spec["paths"].items()
        ]

    def methods(self, path: str) -> list[str]:
        for pattern, methods in self._routes:
            if pattern.match(path):
                return methods
        return []


ROUTES = RouteTable(load_spec(BILLING_SPEC), API_BASE)


def require_routed_operations(flask_app, base: str = API_BASE + "/billing") -> None:
    """Connexion's router and Flask's can disagree on odd paths (a newline in an id, a doubled
    slash); a billing request Connexion did not route has no operation, so it is not found."""
    from flask import request

    from mockserver.compat import current_operation_id, keep_merged_slashes_apart
    from mockserver.domain.errors import NotFound

    keep_merged_slashes_apart(flask_app)

    @flask_app.before_request
    def require_routed_operation():
        if request.path.startswith(base) and current_operation_id() is None:
            raise NotFound(f"No operation at {request.path!r}")
