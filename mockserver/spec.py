"""Where the OpenAPI documents live and how they are read."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

SPEC_DIR = Path(__file__).resolve().parent / "openapi"
BILLING_SPEC = SPEC_DIR / "billing.yaml"
CONTROL_SPEC = SPEC_DIR / "control.yaml"
API_BASE = "/api/v1"


def load_spec(path: Path = BILLING_SPEC) -> dict:
    """The parsed document (parsed once per file: treat it as read-only)."""
    return _parsed(str(Path(path).resolve()))


@lru_cache(maxsize=8)
def _parsed(path: str) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 (a safe loader)
