"""Billing profile use cases."""

from __future__ import annotations

from mockserver.domain.profile import BillingProfile, new_profile
from mockserver.state import Store


def get_profile(store: Store, tenant_id: str) -> BillingProfile | None:
    with store.lock:
        return store.tenant(tenant_id).profile


def upsert_profile(store: Store, tenant_id: str, fields: dict) -> BillingProfile:
    """Create the profile, or change the fields given and keep the others."""
    with store.lock:
        tenant = store.tenant(tenant_id)
        now = store.clock.now()
        if tenant.profile is None:
            tenant.profile = new_profile(tenant_id, fields, now)
        else:
            tenant.profile.apply(fields, now)
        return tenant.profile
