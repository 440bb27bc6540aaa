"""Faker providers for billing data: EU VAT numbers, IBANs and BICs, Peppol participant ids and
Leitweg-IDs, all with valid check digits and deterministic under a seed.

>>> fake = billing_faker(seed=1)
>>> fake.eu_vat_number("DE")  # doctest: +SKIP
'DE...'
"""

from mockserver.fake.banks import BankAccount
from mockserver.fake.peppol import PeppolParticipant
from mockserver.fake.provider import BillingProvider, billing_faker

__all__ = ["BankAccount", "BillingProvider", "PeppolParticipant", "billing_faker"]
