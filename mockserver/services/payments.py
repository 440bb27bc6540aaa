"""Payment method and provider use cases."""

from __future__ import annotations

from mockserver.domain.errors import InvalidRequest, NotFound
from mockserver.domain.payment_methods import PaymentMethod
from mockserver.domain.providers import PROVIDERS, Provider
from mockserver.state import Store


def list_methods(store: Store, tenant_id: str) -> list[PaymentMethod]:
    with store.lock:
        return store.tenant(tenant_id).methods.active()


def add_method(store: Store, tenant_id: str, method: PaymentMethod) -> PaymentMethod:
    with store.lock:
        return store.tenant(tenant_id).methods.add(method)


def delete_method(store: Store, tenant_id: str, method_id: str) -> tuple[PaymentMethod, str | None]:
    """Deactivate; returns the method and the id of the method promoted to default, if any."""
    with store.lock:
        book = store.tenant(tenant_id).methods
        was_default = book.get(method_id).is_default
        method = book.deactivate(method_id)
        promoted = book.default() if was_default else None
        return method, promoted.id if promoted else None


def set_default(store: Store, tenant_id: str, method_id: str) -> PaymentMethod:
    with store.lock:
        return store.tenant(tenant_id).methods.set_default(method_id)


def list_providers() -> list[Provider]:
    return list(PROVIDERS.values())


def provider(slug: str) -> Provider:
    try:
        return PROVIDERS[slug]
    except KeyError:
        raise NotFound(f"Payment provider '{slug}' not found") from None


# Display data of a method vaulted directly (no hosted flow): what a provider's test mode
# returns for its default test instrument of that type.
DIRECT_DISPLAY = {
    "card": {"brand": "visa", "last4": "4242", "exp_month": 12},
    "sepa_debit": {"iban_last4": "3000", "bank_name": "Commerzbank"},
    "ideal": {"iban_last4": "4300", "bank_name": "ING"},
    "bancontact": {"brand": "bancontact", "last4": "0017", "bank_name": "KBC"},
    "crypto": {},
}
REF_PREFIX = {"stripe": "pm", "mollie": "mdt", "crypto": "wallet"}


def add_direct_method(store: Store, tenant_id: str, provider_slug: str,
                      method_type: str) -> PaymentMethod:
    """``POST /payment-methods``: the provider vaults the method at once and returns its ref."""
    if not provider(provider_slug).supports(method_type):
        raise InvalidRequest(f"Provider '{provider_slug}' does not support '{method_type}'")
    with store.lock:
        now = store.clock.now()
        display = dict(DIRECT_DISPLAY[method_type])
        if method_type == "card":
            display["exp_year"] = now.year + 3
        if method_type == "crypto":
            display["wallet"] = "0x" + store.ids.token(40)
        method = PaymentMethod(
            store.ids.new("pm"), provider_slug, method_type,
            f"{REF_PREFIX[provider_slug]}_{store.ids.token(14)}", now, **display,
        )
        return store.tenant(tenant_id).methods.add(method)


def provider_sdk_config(slug: str) -> dict:
    """What a frontend SDK needs, in test mode."""
    return {
        "stripe": {"publishable_key": "pk_test_51BillingMock0000000000000000",
                   "api_version": "2024-06-20"},
        "mollie": {"profile_id": "pfl_BillingMock01", "testmode": True},
        "crypto": {"checkout": "hosted", "networks": ["ethereum", "bitcoin", "polygon"]},
    }[slug]
