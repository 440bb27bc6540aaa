"""The Faker provider: ``fake.add_provider(BillingProvider)``, then ``fake.eu_vat_number("DE")``
and the rest."""

from __future__ import annotations

from faker import Faker
from faker.providers import BaseProvider

from mockserver.fake import banks, peppol, vat
from mockserver.fake.banks import BankAccount
from mockserver.fake.peppol import PeppolParticipant

# What the mock sells, for invoice lines: (description, unit price range in cents).
PRODUCTS = (
    ("ScaiGrid Pro (monthly)", (4900, 4900)), ("ScaiKey Starter (monthly)", (1900, 1900)),
    ("ScaiWave Enterprise (yearly)", (120000, 120000)), ("ScaiGrid: api_calls (calls)", (2, 20)),
    ("ScaiWave: gpu_hours (GPU hours)", (120, 240)), ("Onboarding workshop", (45000, 90000)),
    ("Priority support (monthly)", (9900, 19900)), ("Extra storage (100 GB)", (500, 1500)),
)
QUANTITIES = ("1", "1", "1", "2", "3", "5", "10", "0.5", "12.5")


class BillingProvider(BaseProvider):
    """Billing identifiers with valid check digits, deterministic under ``Faker.seed_instance``.

    ``eu_vat_number``, ``sepa_iban``, ``bic``, ``bank_account``, ``peppol_participant``,
    ``leitweg_id``, ``purchase_order_number`` and ``billing_line``.
    """

    vat_countries = tuple(vat.GENERATORS)
    iban_countries = tuple(banks.BBAN)

    def eu_vat_number(self, country_code: str | None = None) -> str:
        """A VAT number of ``country_code`` (any supported member state if None), e.g.
        ``DE136695976``, with the country prefix and valid check digits."""
        country = (country_code or self.random_element(self.vat_countries)).upper()
        if country not in vat.GENERATORS:
            raise ValueError(f"no VAT number format for {country_code!r}; known: "
                             f"{', '.join(self.vat_countries)}")
        return vat.GENERATORS[country](self.generator.random)

    def bank_account(self, country_code: str | None = None,
                     bank_code: str | None = None) -> BankAccount:
        """An IBAN with its bank's BIC and name (``bank_code`` picks a bank, e.g. ``INGB``)."""
        country = country_code or self.random_element(self.iban_countries)
        return banks.bank_account(self.generator.random, country, bank_code)

    def sepa_iban(self, country_code: str | None = None) -> str:
        """An IBAN of ``country_code``: its length, a real bank's code, valid check digits."""
        return self.bank_account(country_code).iban

    def bic(self, country_code: str | None = None) -> str:
        """The 8-character BIC of one of the country's banks."""
        return self.bank_account(country_code).bic

    def peppol_participant(self, country_code: str | None = None,
                           vat_number: str | None = None) -> PeppolParticipant:
        """``(scheme, "scheme:identifier")``, e.g. ``("0106", "0106:12345678")``.

        The scheme follows the country (KvK for NL, enterprise number for BE, VAT for DE, AT,
        IT, ES, SIRET for FR, GLN elsewhere); give ``vat_number`` to derive the id from it.
        """
        country = country_code or self.random_element(tuple(peppol.SCHEMES))
        return peppol.participant(self.generator.random, country, vat_number)

    def leitweg_id(self) -> str:
        """A German Leitweg-ID (``04011000-1234512345-06``) with a valid Prüfziffer."""
        return peppol.leitweg_id(self.generator.random)

    def purchase_order_number(self) -> str:
        """A buyer reference such as ``PO-2026-0042``."""
        return f"PO-{self.random_int(2024, 2027)}-{self.random_int(1, 9999):04d}"

    def billing_line(self) -> dict:
        """An invoice line: ``{"description", "unit_price_cents", "quantity"}``."""
        description, (low, high) = self.random_element(PRODUCTS)
        return {"description": description, "unit_price_cents": self.random_int(low, high),
                "quantity": self.random_element(QUANTITIES)}


def billing_faker(seed: int | str | None = None, locale: str | list[str] | None = None) -> Faker:
    """A Faker with :class:`BillingProvider`, seeded when ``seed`` is given."""
    fake = Faker(locale)
    fake.add_provider(BillingProvider)
    if seed is not None:
        fake.seed_instance(seed)
    return fake
