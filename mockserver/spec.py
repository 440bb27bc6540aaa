"""The OpenAPI documents (package data in ``mockserver/openapi/``) and how they are read."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

SPEC_DIR = files("mockserver") / "openapi"
BILLING_SPEC = SPEC_DIR / "billing.yaml"
CONTROL_SPEC = SPEC_DIR / "control.yaml"
API_BASE = "/api/v1"


def load_spec(document: Traversable | Path | str = BILLING_SPEC) -> dict:
    """The parsed document (parsed once per file: treat it as read-only)."""
    if isinstance(document, (str, Path)):
        document = Path(document).resolve()  # one cache entry per file, however it is named
    return _parsed(document)


@lru_cache(maxsize=8)
def _parsed(document: Traversable) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    with document.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 (a safe loader)
