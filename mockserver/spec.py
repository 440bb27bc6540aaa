"""Where the OpenAPI documents live and how they are read."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

SPEC_DIR = Path(__file__).resolve().parent / "openapi"
BILLING_SPEC = SPEC_DIR / "billing.yaml"
API_BASE = "/api/v1"


@lru_cache(maxsize=4)
def load_spec(path: Path = BILLING_SPEC) -> dict:
    """The parsed document (cached: treat it as read-only)."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
