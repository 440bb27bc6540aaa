"""The tenant's billing profile: the buyer side of every invoice."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

LANGUAGES = ("en", "nl", "de", "fr", "es", "it")

# What finalization needs from the buyer (documented in "invoice not finalising").
FINALIZATION_FIELDS = ("company_name", "address_line1", "postal_code", "city", "country_code")


@dataclass
class BillingProfile:
    """The 20 editable fields of ``tenant_billing_profiles`` plus timestamps."""

    tenant_id: str
    company_name: str
    created_at: datetime
    updated_at: datetime
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    country_code: str | None = None
    vat_number: str | None = None
    tax_exempt: bool = False
    contact_email: str | None = None
    phone: str | None = None
    is_business: bool = True
    peppol_id: str | None = None
    peppol_scheme: str | None = None
    leitweg_id: str | None = None
    preferred_einvoice_format: str | None = None
    preferred_language: str = "en"
    invoice_template_name: str | None = None
    email_template_name: str | None = None
    buyer_reference: str | None = None

    def apply(self, changes: dict, now: datetime) -> list[str]:
        """Apply the given fields; return the names whose values changed. A field that always
        has a value (``NEVER_NULL``) given as None is not given: the stored value stays."""
        changed = []
        for name, value in changes.items():
            if name not in EDITABLE_FIELDS:
                raise KeyError(name)
            if value is None and name in NEVER_NULL:
                continue
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed.append(name)
        if changed:
            self.updated_at = now
        return changed

    def missing_for_finalization(self) -> list[str]:
        return [name for name in FINALIZATION_FIELDS if not getattr(self, name)]

    def buyer_snapshot(self) -> dict:
        """What an invoice freezes of its buyer at finalization (one shared, read-only dict per
        distinct buyer: a tenant's invoices would otherwise each carry a copy)."""
        return _shared(tuple((name, getattr(self, name)) for name in BUYER_SNAPSHOT_FIELDS))

    def as_dict(self) -> dict:
        return asdict(self)


_NOT_EDITABLE = {"tenant_id", "created_at", "updated_at"}
# Fields that always have a value: None for one of them in an update means "not given".
NEVER_NULL = frozenset({"tax_exempt", "is_business", "preferred_language"})
EDITABLE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(BillingProfile) if f.name not in _NOT_EDITABLE
)
BUYER_SNAPSHOT_FIELDS = (
    "company_name", "address_line1", "address_line2", "postal_code", "city", "state",
    "country_code", "vat_number", "is_business", "tax_exempt", "contact_email", "phone",
    "peppol_id", "peppol_scheme", "leitweg_id", "buyer_reference", "preferred_language",
)


def new_profile(tenant_id: str, values: dict, now: datetime) -> BillingProfile:
    """Create a profile from the fields of a first upsert (defaults for the rest)."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise KeyError(sorted(unknown)[0])
    given = {k: v for k, v in values.items() if not (v is None and k in NEVER_NULL)}
    return BillingProfile(tenant_id=tenant_id, created_at=now, updated_at=now, **given)


@dataclass(frozen=True)
class Seller:
    """The partner configuration: the seller side of every invoice."""

    legal_name: str = "ScaiLabs B.V."
    address_line1: str = "Keizersgracht 123"
    postal_code: str = "1015 CJ"
    city: str = "Amsterdam"
    country_code: str = "NL"
    vat_number: str = "NL498259791B01"
    registration_number: str = "81234567"
    email: str = "billing@scailabs.example"
    phone: str = "+31 20 123 4567"
    iban: str = "NL91ABNA0417164300"
    bic: str = "ABNANL2A"
    bank_name: str = "ABN AMRO"
    payment_terms_days: int = 14
    website: str = "https://www.scailabs.example"
    extra: dict = field(default_factory=dict, compare=False)

    def snapshot(self) -> dict:
        """The seller as invoices freeze it (shared and read-only, like buyer snapshots)."""
        data = asdict(self)
        data.pop("extra")
        return _shared(tuple(data.items()))


_SNAPSHOTS: dict[tuple, dict] = {}
MAX_SHARED_SNAPSHOTS = 20_000


def _shared(items: tuple) -> dict:
    """The one dict for these snapshot values (bounded: past the bound, a fresh copy)."""
    found = _SNAPSHOTS.get(items)
    if found is None:
        found = dict(items)
        if len(_SNAPSHOTS) < MAX_SHARED_SNAPSHOTS:
            _SNAPSHOTS[items] = found
    return found
