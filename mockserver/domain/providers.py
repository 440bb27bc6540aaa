"""The catalogue of payment providers and the methods each supports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    method_types: tuple[str, ...]
    setup_flow: str  # client_secret | redirect
    description: str


PROVIDERS: dict[str, Provider] = {
    p.slug: p
    for p in (
        Provider("stripe", "Stripe", ("card", "sepa_debit"), "client_secret",
                 "Cards and SEPA Direct Debit through Stripe Elements (Stripe.js)."),
        Provider("mollie", "Mollie", ("ideal", "bancontact", "card", "sepa_debit"), "redirect",
                 "iDEAL, Bancontact, cards and SEPA mandates through Mollie's hosted checkout."),
        Provider("crypto", "Crypto (Coinbase Commerce)", ("crypto",), "redirect",
                 "Cryptocurrency payments through a Coinbase Commerce style hosted charge."),
    )
}
