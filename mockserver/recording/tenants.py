"""The tenants of a recording: one per bearer token (JWTs naming the same ``tenant_id`` are one
tenant). The recorded tokens never reach the scenario: each tenant gets a token of its own that
only the mock knows (``<scenario>-tenant-1``), and a replay against a real server gives its
own with ``--token``."""

from __future__ import annotations

import jwt


class Tenants:
    def __init__(self, name: str) -> None:
        self.name = name
        self._keys: dict[str, str] = {}  # recorded token, or a JWT's tenant id -> tenant key
        self.keys: list[str] = []

    def key_for(self, token: str | None) -> str | None:
        if not token:
            return None
        identity = _tenant_claim(token) or token
        if identity not in self._keys:
            self._keys[identity] = f"tenant-{len(self.keys) + 1}"
            self.keys.append(self._keys[identity])
        return self._keys[identity]

    def token_of(self, key: str) -> str:
        return f"{self.name}-{key}"


def _tenant_claim(token: str) -> str | None:
    """A JWT's ``tenant_id`` claim (read, not verified: it only groups tokens)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    tenant = claims.get("tenant_id") if isinstance(claims, dict) else None
    return f"jwt:{tenant}" if isinstance(tenant, str) else None
