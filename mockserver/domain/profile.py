"""The tenant's billing profile: the buyer side of every invoice."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

from stdnum import bic, iban
from stdnum.exceptions import ValidationError

from mockserver.domain.vat import is_eu, vat_identifier, vat_prefix

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
    """The partner configuration: the seller side of every invoice. The defaults are ScaiLabs;
    another company is made with :func:`seller_from`, which takes nothing from them."""

    legal_name: str = "ScaiLabs B.V."
    address_line1: str = "Keizersgracht 123"
    postal_code: str = "1015 CJ"
    city: str = "Amsterdam"
    country_code: str = "NL"
    vat_number: str = "NL498259791B01"
    registration_number: str | None = "81234567"
    email: str = "billing@scailabs.example"
    phone: str = "+31 20 123 4567"
    iban: str | None = "NL91ABNA0417164300"
    bic: str | None = "ABNANL2A"
    bank_name: str | None = "ABN AMRO"
    payment_terms_days: int = 14
    website: str | None = "https://www.scailabs.example"
    extra: dict = field(default_factory=dict, compare=False)

    def snapshot(self) -> dict:
        """The seller as invoices freeze it (shared and read-only, like buyer snapshots)."""
        data = asdict(self)
        data.pop("extra")
        return _shared(tuple(data.items()))


# A seller of its own states who it is: these always (XRechnung needs the e-mail and phone,
# BR-DE-6/7; every VAT case but O needs the VAT number), and these too, null for "none".
SELLER_REQUIRED = ("legal_name", "address_line1", "postal_code", "city", "country_code",
                   "vat_number", "email", "phone")
SELLER_NULLABLE = ("registration_number", "iban", "bic", "bank_name", "website")
SELLER_TERMS = ("payment_terms_days",)  # may adjust ScaiLabs alone: it is not an identity
# An addr-spec in its dot-atom form (RFC 5322 3.4.1), with a domain of at least two labels:
# what an accounts-payable department can answer. No quoted local parts, no bare hosts.
ADDR_SPEC = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                       r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def seller_problems(values: dict) -> list[tuple[str, str]]:
    """What keeps ``values`` from describing a seller, as (field or "", problem) pairs.

    Values that name only the payment terms adjust ScaiLabs; values that name anything else
    are a company of its own and must name everything, so that no invoice can carry one
    company's name with another's bank account or registration. The one rule for scenario
    files, the control API and state files.
    """
    if not set(values) - set(SELLER_TERMS):
        return []
    return [*_completeness_problems(values), *_identity_problems(values),
            *_contact_problems(values)]


def _completeness_problems(values: dict) -> list[tuple[str, str]]:
    missing = [name for name in SELLER_REQUIRED if not values.get(name)]
    unstated = [name for name in SELLER_NULLABLE if name not in values]
    if not (missing or unstated):
        return []
    parts = [f"a seller of its own names every field, none is taken from ScaiLabs; missing: "
             f"{', '.join(missing + unstated)}"]
    if unstated:
        parts.append(f"(give null for {', '.join(unstated)} when the seller has none)")
    return [("", " ".join(parts))]


def _identity_problems(values: dict) -> list[tuple[str, str]]:
    """EN 16931 identifies the seller by its VAT id (BT-31) or its registration (BT-30)
    (BR-CO-26): an EU seller's VAT number must be its country's VAT id; a seller outside the
    EU bills outside the scope of EU VAT (category O), whose invoices may carry no VAT id
    (BR-O-02), so it needs its registration number."""
    country, vat = values.get("country_code") or "", values.get("vat_number") or ""
    if not (country and vat):
        return []  # named as missing already
    if is_eu(country):
        prefix = vat_prefix(country)
        if not (vat_identifier(vat, None) or "").startswith(prefix):
            return [("vat_number", f"{vat!r} is not a VAT number of {country} (an EU "
                     f"seller's starts with {prefix})")]
        return []
    if "registration_number" in values and not values.get("registration_number"):
        return [("registration_number", f"a seller outside the EU ({country}) needs its "
                 "registration number: its invoices are not subject to EU VAT and may carry "
                 "no VAT id (BR-O-02), so the registration (BT-30) is what identifies it "
                 "(BR-CO-26)")]
    return []


def _contact_problems(values: dict) -> list[tuple[str, str]]:
    problems = []
    email = values.get("email")
    if email and not ADDR_SPEC.match(email):
        problems.append(("email", f"{email!r} is not an e-mail address (name@domain.tld)"))
    for name, check, what in (("iban", iban.validate, "an IBAN"), ("bic", bic.validate, "a BIC")):
        value = values.get(name)
        if value is None:
            continue
        try:
            check(value)
        except ValidationError as exc:
            problems.append((name, f"{value!r} is not {what} ({exc})"))
    return problems


def seller_from(values: dict | None) -> Seller:
    """The seller ``values`` describe (ScaiLabs when there are none or only payment terms).

    Raises :class:`ValueError` naming what is missing; :func:`seller_problems` says it first.
    """
    problems = seller_problems(values or {})
    if problems:
        raise ValueError("; ".join(problem for _, problem in problems))
    return Seller(**(values or {}))


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
