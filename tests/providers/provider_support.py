"""Constants the provider tests share (a module of its own: ``conftest`` is not importable)."""

from __future__ import annotations

from datetime import datetime, timezone

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
BASE_URL = "http://localhost:8000"
RETURN_URL = "https://app.example/billing/return?tab=methods"
TENANT, OTHER_TENANT = "tnt_alpha", "tnt_beta"
