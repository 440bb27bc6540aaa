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
