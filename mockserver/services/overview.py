"""Overview and upcoming-invoice use cases."""

from __future__ import annotations

from mockserver.domain.overview import Overview, billing_overview
from mockserver.domain.subscriptions import UpcomingEstimate, estimate_upcoming
from mockserver.state import Store


def overview(store: Store, tenant_id: str) -> Overview:
    with store.lock:
        return billing_overview(store.tenant(tenant_id), store.seller, store.clock.now())


def upcoming(store: Store, tenant_id: str) -> UpcomingEstimate:
    with store.lock:
        tenant = store.tenant(tenant_id)
        return estimate_upcoming(tenant.subscriptions, list(tenant.usage), tenant.profile,
                                 store.seller, store.clock.now())
