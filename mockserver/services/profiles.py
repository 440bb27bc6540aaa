"""Billing profile use cases."""

from __future__ import annotations

from mockserver.domain.profile import EDITABLE_FIELDS, BillingProfile, new_profile
from mockserver.state import Store


def get_profile(store: Store, tenant_id: str) -> BillingProfile | None:
    with store.lock:
        return store.tenant(tenant_id).profile


def upsert_profile(store: Store, tenant_id: str, body: dict) -> BillingProfile:
    """Create the profile, or change the fields given and keep the others.

    Unknown keys are ignored, as pydantic does by default on the real server.
    """
    fields = {name: value for name, value in body.items() if name in EDITABLE_FIELDS}
    with store.lock:
        tenant = store.tenant(tenant_id)
        now = store.clock.now()
        if tenant.profile is None:
            tenant.profile = new_profile(tenant_id, fields, now)
        else:
            tenant.profile.apply(fields, now)
        return tenant.profile
