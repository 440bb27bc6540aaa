"""Payment-provider simulations (Stripe, Mollie, crypto) and their hosted pages. No HTTP.

The services call a :class:`ProviderRegistry` built with the store's id source, under the store
lock, passing ``now`` from the store's clock::

    registry = ProviderRegistry(store.ids)
    stripe = registry.get("stripe")
    answer = stripe.setup(tenant_id, "card", return_url, now, base_url)
    data = {"setup_intent_id": answer["setup_intent_id"], "payment_method": "pm_card_visa"}
    result = stripe.confirm(tenant_id, data, now)
    if result.method_id is None:                    # first confirm of this session
        method = book.add(result.payment_method(ids.new("pm"), now))
        stripe.record_method(tenant_id, result.session_id, method.id)

Hosted pages (``PAGE_PATHS``): GET renders ``render_page(session_id, now)``; POST with form
field ``choice`` (``CHOICE_FIELD``) calls ``apply_choice(session_id, choice, now)`` and
redirects (303) to the URL it returns.
"""

from mockserver.providers.base import ProviderSimulation
from mockserver.providers.crypto import CryptoSimulation
from mockserver.providers.errors import ProviderDeclined, SessionExpired, SetupPending
from mockserver.providers.mollie import MollieSimulation
from mockserver.providers.pages import CHOICE_FIELD
from mockserver.providers.registry import ProviderRegistry
from mockserver.providers.results import ConfirmedMethod
from mockserver.providers.sessions import MAX_SESSIONS, SetupSession
from mockserver.providers.stripe import StripeSimulation
from mockserver.providers.urls import PAGE_PATHS, validate_return_url, with_session_id

__all__ = [
    "CHOICE_FIELD",
    "MAX_SESSIONS",
    "PAGE_PATHS",
    "ConfirmedMethod",
    "CryptoSimulation",
    "MollieSimulation",
    "ProviderDeclined",
    "ProviderRegistry",
    "ProviderSimulation",
    "SessionExpired",
    "SetupPending",
    "SetupSession",
    "StripeSimulation",
    "validate_return_url",
    "with_session_id",
]
