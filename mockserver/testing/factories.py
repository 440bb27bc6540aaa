"""Factories that build billing data in a running mock, through the domain.

Like the scenario builder and the billing clock, they take the store's lock and issue through
``mockserver.domain.issuing``: an invoice is drafted, finalized (VAT, totals and a gap-free
number from the rules) and then moved ``sent -> paid`` step by step; nothing sets a status
directly, and a refused call changes nothing. Faker fills what a test does not say; anything
a test says wins.

They answer frozen snapshots (``BuiltTenant``, ``BuiltInvoice``, ``BuiltPaymentMethod``) rather
than the live domain objects, which only the server may change (under its lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from faker import Faker

from mockserver.domain.clock import utc
from mockserver.domain.errors import NotFound
from mockserver.domain.invoices import Invoice, InvoiceStatus, Line
from mockserver.domain.issuing import issue_credit_note, issue_invoice
from mockserver.domain.profile import EDITABLE_FIELDS, new_profile
from mockserver.domain.tenant import Tenant
from mockserver.fake import billing_faker
from mockserver.fake.vat import GENERATORS as VAT_COUNTRIES
from mockserver.services import payments
from mockserver.state import Store, TokenGrant

S = InvoiceStatus
LOCALES = {"NL": "nl_NL", "DE": "de_DE", "BE": "fr_BE", "FR": "fr_FR", "AT": "de_AT",
           "IT": "it_IT", "ES": "es_ES", "GB": "en_GB", "US": "en_US"}
LANGUAGES = {"NL": "nl", "DE": "de", "BE": "fr", "FR": "fr", "AT": "de", "IT": "it", "ES": "es"}
LINE_FIELDS = {"description", "unit_price_cents", "quantity", "tax_rate", "period_start",
               "period_end", "unit_divisor"}


@dataclass(frozen=True)
class BuiltTenant:
    """A tenant a factory made: its id, the opaque token that reaches it, its profile."""

    id: str
    token: str
    profile: dict | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class BuiltInvoice:
    """An invoice or credit note as it was when the factory finished it."""

    id: str
    tenant_id: str
    number: str | None
    status: str
    document_type: str
    issue_date: date | None
    due_date: date | None
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    line_items: tuple[dict, ...]
    referenced_invoice_id: str | None = None


@dataclass(frozen=True)
class BuiltPaymentMethod:
    id: str
    tenant_id: str
    provider_slug: str
    method_type: str
    is_default: bool
    fails_charges: bool


class BillingFactory:
    """``tenant()``, ``invoice()``, ``credit_note()`` and ``payment_method()`` in ``store``.

    ``seed`` makes the Faker defaults repeatable (the pytest fixture seeds it per test).
    """

    def __init__(self, store: Store, seed: int | str | None = None) -> None:
        self.store = store
        self._seed = seed
        self._fakers: dict[str, Faker] = {}

    @property
    def fake(self) -> Faker:
        """The factory's Faker (en_US) with the billing provider, e.g. ``fake.sepa_iban()``."""
        return self._faker("en_US")

    def tenant(self, *, token: str | None = None, key: str | None = None,
               with_profile: bool = True, peppol: bool = False, public_sector: bool = False,
               **profile_fields) -> BuiltTenant:
        """A new tenant behind an opaque ``token`` with a complete billing profile.

        ``profile_fields`` override the defaults (``country_code="DE"``, ``vat_number=None``,
        ...). Traits: ``peppol`` adds a Peppol participant id and prefers UBL;
        ``public_sector`` adds a Leitweg-ID (also the buyer reference) and prefers XRechnung.
        ``with_profile=False`` makes a tenant without a profile (like ``new-token``).
        """
        unknown = sorted(set(profile_fields) - set(EDITABLE_FIELDS))
        if unknown:
            raise TypeError(f"billing_factory.tenant() got unknown profile field(s) "
                            f"{', '.join(unknown)}; the profile has {', '.join(EDITABLE_FIELDS)}")
        values = None
        if with_profile:
            values = self._profile(profile_fields, peppol, public_sector)
        elif profile_fields or peppol or public_sector:
            raise TypeError("profile fields and traits need with_profile=True")
        store = self.store
        with store.lock:
            token = token or f"factory-{self.fake.hexify('^' * 20)}"
            if token in store.tokens:
                raise ValueError(f"token {token!r} is taken")
            now = store.clock.now()
            tenant = store.add_tenant(Tenant(store.ids.new("tnt"), now, name=key))
            store.tokens[token] = TokenGrant(tenant.id, label=key or "factory")
            if values is not None:
                tenant.profile = new_profile(tenant.id, values, now)
            return BuiltTenant(tenant.id, token, tenant.profile and tenant.profile.as_dict())

    def invoice(self, tenant: BuiltTenant | str, status: str = "finalized",
                lines: list[dict] | None = None, *, issued_at: datetime | None = None,
                period: tuple[date, date] | None = None, pdf_url: str | None = None,
                notes: str | None = None) -> BuiltInvoice:
        """An invoice of ``tenant`` (a built tenant, a tenant id or a token) in ``status``.

        ``lines``: ``[{"description", "unit_price_cents", "quantity", "tax_rate"?,
        "period_start"?, "period_end"?, "unit_divisor"?}]`` (``unit_divisor``: how many units
        the price is for, 1 unless given), any key left out from Faker; one to three Faker
        lines when None. Without ``issued_at`` it is issued so that every step it walked lies
        in the past (``paid``/``past_due``: the due date was yesterday).
        """
        target = S(status)
        specs = lines if lines is not None else [
            self.fake.billing_line() for _ in range(self.fake.random_int(1, 3))]
        start, end = (_date(period[0]), _date(period[1])) if period else (None, None)
        store = self.store
        with store.lock:
            owner = self._tenant(tenant)
            at = utc(issued_at) if issued_at else self._issued_at(target)
            lines = [self._line(spec) for spec in specs]
            invoice = issue_invoice(owner, lines, store.seller, store.numbering, store.ids.new,
                                    at, target, period=(start, end), pdf_url=pdf_url,
                                    notes=notes)
            return _built_invoice(invoice)

    def credit_note(self, invoice: BuiltInvoice | str, lines: list[int] | None = None,
                    status: str = "finalized", *, issued_at: datetime | None = None
                    ) -> BuiltInvoice:
        """A credit note of ``invoice`` (all its lines, or those at the ``lines`` indexes),
        finalized with its own number and the original's VAT, then walked to ``status``."""
        target = S(status)
        store = self.store
        with store.lock:
            owner, original = self._invoice(invoice)
            earliest = original.finalized_at or original.created_at
            at = utc(issued_at) if issued_at else max(
                store.clock.now() - timedelta(hours=1), earliest)
            line_ids = None if lines is None else [original.line_items[i].id for i in lines]
            note = issue_credit_note(owner, original, store.seller, store.numbering,
                                     store.ids.new, at, target, line_ids=line_ids)
            return _built_invoice(note)

    def payment_method(self, tenant: BuiltTenant | str, provider_slug: str = "stripe",
                       method_type: str = "card", *, default: bool = False,
                       fails_charges: bool = False) -> BuiltPaymentMethod:
        """A method vaulted with the provider's standard test instrument, as
        ``POST /payment-methods`` makes it (the first active one becomes the default)."""
        store = self.store
        with store.lock:
            owner = self._tenant(tenant)
            method = payments.add_direct_method(store, owner.id, provider_slug, method_type)
            method.fails_charges = fails_charges or method.fails_charges
            if default:
                payments.set_default(store, owner.id, method.id)
            return BuiltPaymentMethod(method.id, owner.id, method.provider_slug,
                                      method.method_type, method.is_default,
                                      method.fails_charges)

    # -- defaults and lookups ---------------------------------------------------------------

    def _faker(self, locale: str) -> Faker:
        if locale not in self._fakers:
            seed = None if self._seed is None else f"{self._seed}:{locale}"
            self._fakers[locale] = billing_faker(seed, locale)
        return self._fakers[locale]

    def _profile(self, given: dict, peppol: bool, public_sector: bool) -> dict:
        country = (given.get("country_code") or "NL").upper()
        fake = self._faker(LOCALES.get(country, "en_US"))
        business = given.get("is_business", True)
        values = {
            "company_name": fake.company(), "address_line1": fake.street_address(),
            "postal_code": fake.postcode(), "city": fake.city(), "country_code": country,
            "contact_email": f"billing@{fake.domain_word()}.example",
            "phone": fake.phone_number()[:50], "is_business": business,
            "vat_number": (fake.eu_vat_number(country)
                           if business and country in VAT_COUNTRIES else None),
            "preferred_language": LANGUAGES.get(country, "en"),
        }
        vat_number = given.get("vat_number", values["vat_number"])
        if peppol:
            scheme, participant_id = fake.peppol_participant(country, vat_number)
            values.update(peppol_scheme=scheme, peppol_id=participant_id,
                          preferred_einvoice_format="ubl")
        if public_sector:
            values["leitweg_id"] = values["buyer_reference"] = fake.leitweg_id()
            values["preferred_einvoice_format"] = "xrechnung"
        return {**values, **given}

    def _line(self, spec: dict) -> Line:
        unknown = sorted(set(spec) - LINE_FIELDS)
        if unknown:
            raise TypeError(f"unknown invoice line field(s) {', '.join(unknown)}; a line has "
                            f"{', '.join(sorted(LINE_FIELDS))}")
        spec = {**self.fake.billing_line(), **spec}
        rate = spec.get("tax_rate")
        return Line(spec["description"], Decimal(str(spec["quantity"])),
                    int(spec["unit_price_cents"]),
                    tax_rate=None if rate is None else Decimal(str(rate)),
                    period_start=_date(spec.get("period_start")),
                    period_end=_date(spec.get("period_end")),
                    unit_divisor=int(spec.get("unit_divisor", 1)))

    def _issued_at(self, target: InvoiceStatus) -> datetime:
        now = self.store.clock.now()
        if target in (S.PAID, S.PAST_DUE):
            return now - timedelta(days=self.store.seller.payment_terms_days + 1)
        return now - timedelta(hours=2)

    def _tenant(self, ref: BuiltTenant | str) -> Tenant:
        tenant_id = ref.id if isinstance(ref, BuiltTenant) else ref
        grant = self.store.tokens.get(tenant_id)
        tenant_id = grant.tenant_id if grant else tenant_id
        if tenant_id not in self.store.tenants:
            raise NotFound(f"no tenant {tenant_id!r} (give a built tenant, a tenant id or a "
                           "token)")
        return self.store.tenants[tenant_id]

    def _invoice(self, ref: BuiltInvoice | str) -> tuple[Tenant, Invoice]:
        invoice_id = ref.id if isinstance(ref, BuiltInvoice) else ref
        for tenant in self.store.tenants.values():
            if invoice_id in tenant.invoices:
                return tenant, tenant.invoices[invoice_id]
        raise NotFound(f"no invoice {invoice_id!r}")


def _date(value: date | str | None) -> date | None:
    """A day as the domain keeps it: ``date``, an ISO ``"2026-01-31"`` or a datetime's day."""
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise TypeError(f"expected a date or an ISO date string, got {value!r}")


def _built_invoice(invoice: Invoice) -> BuiltInvoice:
    lines = tuple({"id": line.id, "description": line.description,
                   "quantity": str(line.quantity), "unit_price_cents": line.unit_price_cents,
                   "unit_divisor": line.unit_divisor, "amount_cents": line.amount_cents,
                   "tax_category": line.tax_category,
                   "tax_rate": None if line.tax_rate is None else str(line.tax_rate),
                   "tax_cents": line.tax_cents}
                  for line in invoice.line_items)
    return BuiltInvoice(invoice.id, invoice.tenant_id, invoice.number, invoice.status.value,
                        invoice.document_type, invoice.issue_date, invoice.due_date,
                        invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents, lines,
                        invoice.referenced_invoice_id)


__all__ = ["BillingFactory", "BuiltInvoice", "BuiltPaymentMethod", "BuiltTenant"]
