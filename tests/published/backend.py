"""The tenant Billing API declared the way the FastAPI backend plausibly declares it, so that its
``openapi()`` is the document the published reference was generated from, as FastAPI really
writes it (3.1.0, full paths, default operationIds, ``anyOf [.., {type: null}]``).

What the reference fixes: paths, methods, summaries (FastAPI's title-cased function names),
descriptions (the docstrings), parameters, body and envelope names (pydantic's generic names,
which FastAPI keeps), status codes. The model fields below the envelopes are the mock's guesses,
copied from openapi/billing.yaml. The handlers serve nothing: this app exists for its document.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Generic, Literal, TypeVar

from fastapi import APIRouter, FastAPI, Header, Query, Response
from pydantic import BaseModel, Field

T = TypeVar("T")
Language = Literal["en", "nl", "de", "fr", "es", "it"]
EinvoiceFormat = Literal["ubl", "xrechnung", "cii", "zugferd", "facturx"]
ProviderSlug = Literal["stripe", "mollie", "crypto"]
MethodType = Literal["card", "sepa_debit", "ideal", "bancontact", "crypto"]
# One line of text: no control characters, line or paragraph separators, nor the two
# characters XML cannot carry (U+FFFE, U+FFFF).
NOT_ONE_LINE = r"\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff"
RETURN_URL = rf"^https?://[^ /?#{NOT_ONE_LINE}]+([/?#][^ {NOT_ONE_LINE}]*)?$"
TEXT = rf"^[^{NOT_ONE_LINE}]*$"
UNSERVED = "this app publishes the backend's document; it serves no requests"


class Meta(BaseModel):
    request_id: str = Field(pattern=r"^req_[0-9a-f]{16}$")
    timestamp: datetime


class Pagination(BaseModel):
    page: int = Field(ge=1)
    page_size: int = Field(ge=1, le=100)
    total: int = Field(ge=0)
    total_pages: int = Field(ge=0)


class ApiResponse(BaseModel, Generic[T]):
    """``{data, meta}``: pydantic names ``ApiResponse[X]`` ``ApiResponse_X_`` in the document."""

    data: T
    meta: Meta


class PaginatedResponse(BaseModel, Generic[T]):
    data: list[T]
    pagination: Pagination
    meta: Meta


class BillingProfileCreateUpdate(BaseModel):
    company_name: str = Field(min_length=1, max_length=255, pattern=TEXT)
    address_line1: str | None = Field(None, max_length=255, pattern=TEXT)
    address_line2: str | None = Field(None, max_length=255, pattern=TEXT)
    postal_code: str | None = Field(None, max_length=20, pattern=TEXT)
    city: str | None = Field(None, max_length=100, pattern=TEXT)
    state: str | None = Field(None, max_length=100, pattern=TEXT)
    country_code: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    vat_number: str | None = Field(None, max_length=32, pattern=TEXT)
    tax_exempt: bool | None = None  # None: not given, the stored value stays
    contact_email: str | None = Field(None, max_length=255, pattern=TEXT)
    phone: str | None = Field(None, max_length=50, pattern=TEXT)
    is_business: bool | None = None
    peppol_id: str | None = Field(None, max_length=100, pattern=TEXT)
    peppol_scheme: str | None = Field(None, pattern=r"^[0-9]{4}$")
    leitweg_id: str | None = Field(None, max_length=46, pattern=TEXT)
    preferred_einvoice_format: EinvoiceFormat | None = None
    preferred_language: Language | None = None
    invoice_template_name: str | None = Field(None, max_length=100, pattern=TEXT)
    email_template_name: str | None = Field(None, max_length=100, pattern=TEXT)
    buyer_reference: str | None = Field(None, max_length=100, pattern=TEXT)


class BillingProfileResponse(BaseModel):
    tenant_id: str
    company_name: str
    address_line1: str | None
    address_line2: str | None
    postal_code: str | None
    city: str | None
    state: str | None
    country_code: str | None
    vat_number: str | None
    tax_exempt: bool
    contact_email: str | None
    phone: str | None
    is_business: bool
    peppol_id: str | None
    peppol_scheme: str | None
    leitweg_id: str | None
    preferred_einvoice_format: EinvoiceFormat | None
    preferred_language: Language
    invoice_template_name: str | None
    email_template_name: str | None
    buyer_reference: str | None
    created_at: datetime
    updated_at: datetime


class InvoiceStatus(str, Enum):
    draft = "draft"
    finalized = "finalized"
    sent = "sent"
    past_due = "past_due"
    paid = "paid"
    void = "void"


class TaxCategory(str, Enum):
    """UNCL 5305."""

    S = "S"
    AE = "AE"
    G = "G"
    E = "E"
    Z = "Z"
    O = "O"  # noqa: E741 (the code's own letter)
    K = "K"


class Party(BaseModel):
    company_name: str
    address_line1: str | None
    address_line2: str | None = None
    postal_code: str | None
    city: str | None
    state: str | None = None
    country_code: str | None
    vat_number: str | None
    is_business: bool
    tax_exempt: bool
    contact_email: str | None = None
    phone: str | None = None
    peppol_id: str | None = None
    peppol_scheme: str | None = None
    leitweg_id: str | None = None
    buyer_reference: str | None = None
    preferred_language: Language


class Seller(BaseModel):
    legal_name: str
    address_line1: str
    postal_code: str
    city: str
    country_code: str
    vat_number: str
    registration_number: str | None = None
    email: str | None = None
    phone: str | None = None
    iban: str | None = None
    bic: str | None = None
    bank_name: str | None = None
    payment_terms_days: int
    website: str | None = None


class InvoiceLineItem(BaseModel):
    id: str
    order_index: int = Field(ge=0)
    description: str
    quantity: str
    unit_price_cents: int
    unit_divisor: int = Field(1, ge=1)
    amount_cents: int
    tax_category: TaxCategory
    tax_rate: str
    tax_cents: int
    period_start: date | None
    period_end: date | None


class InvoiceResponse(BaseModel):
    id: str
    number: str
    document_type: Literal["invoice", "credit_note"]
    referenced_invoice_id: str | None
    referenced_invoice_number: str | None = None
    status: InvoiceStatus
    currency: str
    issue_date: date
    due_date: date
    period_start: date | None
    period_end: date | None
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    amount_due_cents: int
    tax_rate: str
    tax_category: TaxCategory
    reverse_charge: bool
    tax_label: str
    legal_note: str | None
    notes: str | None = None
    buyer: Party
    seller: Seller
    pdf_url: str | None
    finalized_at: datetime
    sent_at: datetime | None
    paid_at: datetime | None
    voided_at: datetime | None
    created_at: datetime
    updated_at: datetime
    line_items: list[InvoiceLineItem] | None


class PaymentMethodResponse(BaseModel):
    id: str
    provider_slug: ProviderSlug
    method_type: MethodType
    provider_ref: str
    is_default: bool
    status: Literal["active", "inactive"]
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None
    iban_last4: str | None
    bank_name: str | None
    wallet: str | None
    created_at: datetime


class PaymentMethodCreateRequest(BaseModel):
    provider_slug: ProviderSlug
    method_type: MethodType
    return_url: str | None = Field(None, max_length=2048, pattern=RETURN_URL)


class PaymentProviderResponse(BaseModel):
    slug: ProviderSlug
    name: str
    method_types: list[MethodType]
    setup_flow: Literal["client_secret", "redirect"]
    description: str


class PaymentProviderSetupRequest(BaseModel):
    method_type: MethodType
    return_url: str = Field(max_length=2048, pattern=RETURN_URL)


class PaymentProviderConfirmRequest(BaseModel):
    confirmation_data: dict[str, Annotated[str, Field(max_length=256, pattern=TEXT)]]


class InvoiceSummary(BaseModel):
    id: str
    number: str
    status: InvoiceStatus
    issue_date: date
    due_date: date
    total_cents: int


class SubscriptionSummary(BaseModel):
    id: str
    plan_key: str
    plan_name: str
    status: Literal["pending", "trialing", "active", "past_due", "cancelling", "suspended",
                    "cancelled", "expired"]
    billing_period: Literal["monthly", "quarterly", "yearly"]
    quantity: int
    price_cents: int
    mrr_cents: int
    current_period_start: date
    current_period_end: date


class BillingOverviewResponse(BaseModel):
    currency: str
    has_billing_profile: bool
    missing_profile_fields: list[str]
    outstanding_cents: int
    past_due_cents: int
    credit_balance_cents: int
    open_invoice_count: int
    past_due_invoice_count: int
    invoice_count: int
    last_invoice: InvoiceSummary | None
    next_invoice_date: date | None
    upcoming_total_cents: int
    mrr_cents: int
    subscriptions: list[SubscriptionSummary]
    default_payment_method: PaymentMethodResponse | None


router = APIRouter(prefix="/api/v1/billing", tags=["Billing (tenant)"])
# The tenant operations read the bearer token themselves (the reference lists it as an optional
# header), so a missing token is the handler's 401, not a 422.
Authorization = Annotated[str | None, Header()]


@router.get("/billing-profile", response_model=ApiResponse[BillingProfileResponse | None])
def get_billing_profile(authorization: Authorization = None):
    """Get the billing profile for the authenticated tenant."""
    raise NotImplementedError(UNSERVED)


@router.put("/billing-profile", response_model=ApiResponse[BillingProfileResponse])
def upsert_billing_profile(body: BillingProfileCreateUpdate, authorization: Authorization = None):
    """Create or update the billing profile for the authenticated tenant."""
    raise NotImplementedError(UNSERVED)


@router.get("/invoices", response_model=PaginatedResponse[InvoiceResponse])
def list_invoices(page: int = Query(1, ge=1), page_size: int = Query(20, ge=1, le=100),
                  status: str | None = None, authorization: Authorization = None):
    """List invoices for the authenticated tenant."""
    raise NotImplementedError(UNSERVED)


@router.get("/invoices/{invoice_id}", response_model=ApiResponse[InvoiceResponse])
def get_invoice(invoice_id: str, authorization: Authorization = None):
    """Get invoice detail with line items."""
    raise NotImplementedError(UNSERVED)


@router.get("/invoices/{invoice_id}/pdf")
def download_invoice_pdf(invoice_id: str, authorization: Authorization = None) -> Response:
    """Download invoice as PDF.

    Generates a PDF on the fly from the invoice data and line items. If a
    pre-generated pdf_url exists, redirects to it instead.
    """
    raise NotImplementedError(UNSERVED)


@router.get("/invoices/{invoice_id}/download")
def download_invoice_einvoice(
        invoice_id: str,
        format: str | None = Query(  # noqa: A002 (the query parameter's published name)
            None, description="Format: pdf, ubl, xrechnung, cii, zugferd, facturx"),
        authorization: Authorization = None) -> Response:
    """Download invoice in a specific e-invoicing format.

    Supported formats:
    - pdf: Standard PDF
    - ubl: UBL 2.1 XML (Peppol BIS 3.0)
    - xrechnung: UBL 2.1 XML (XRechnung / German CIUS)
    - cii: UN/CEFACT CII XML
    - zugferd / facturx: PDF/A-3 with embedded CII XML
    """
    raise NotImplementedError(UNSERVED)


@router.post("/invoices/{invoice_id}/send", response_model=ApiResponse[dict])
def send_invoice_email(invoice_id: str, authorization: Authorization = None):
    """Send an invoice by email to the billing contact.

    Attaches the PDF and optional structured e-invoice (based on billing profile
    preference). Transitions status from 'finalized' to 'sent'.
    """
    raise NotImplementedError(UNSERVED)


@router.get("/overview", response_model=ApiResponse[BillingOverviewResponse])
def get_billing_overview(authorization: Authorization = None):
    """Billing summary for the authenticated tenant."""
    raise NotImplementedError(UNSERVED)


@router.get("/upcoming", response_model=ApiResponse[dict])
def get_upcoming_invoice(authorization: Authorization = None):
    """Estimate the next invoice for the authenticated tenant.

    Calculates based on current subscription prices and month-to-date usage.
    """
    raise NotImplementedError(UNSERVED)


@router.get("/payment-methods", response_model=ApiResponse[list[PaymentMethodResponse]])
def list_payment_methods(authorization: Authorization = None):
    """List payment methods for the authenticated tenant."""
    raise NotImplementedError(UNSERVED)


@router.post("/payment-methods", response_model=ApiResponse[PaymentMethodResponse],
             status_code=201)
def add_payment_method(body: PaymentMethodCreateRequest, authorization: Authorization = None):
    """Add a new payment method (for direct provider_ref based flows)."""
    raise NotImplementedError(UNSERVED)


@router.delete("/payment-methods/{method_id}", response_model=ApiResponse[dict])
def delete_payment_method(method_id: str, authorization: Authorization = None):
    """Deactivate a payment method."""
    raise NotImplementedError(UNSERVED)


@router.post("/payment-methods/{method_id}/default",
             response_model=ApiResponse[PaymentMethodResponse])
def set_default_payment_method(method_id: str, authorization: Authorization = None):
    """Set a payment method as the default."""
    raise NotImplementedError(UNSERVED)


@router.get("/payment-providers", response_model=ApiResponse[list[PaymentProviderResponse]])
def list_payment_providers():
    """List available payment providers and their supported methods."""
    raise NotImplementedError(UNSERVED)


@router.get("/payment-providers/{slug}/config", response_model=ApiResponse[dict])
def get_provider_config(slug: str):
    """Get frontend SDK configuration for a payment provider."""
    raise NotImplementedError(UNSERVED)


@router.post("/payment-providers/{slug}/setup", response_model=ApiResponse[dict])
def setup_provider_payment_method(slug: str, body: PaymentProviderSetupRequest,
                                  authorization: Authorization = None):
    """Initiate payment method setup with a specific provider.

    For card/SEPA via Stripe: returns a client_secret for Stripe.js. For redirect-based
    providers (Mollie, Crypto): returns a redirect_url.
    """
    raise NotImplementedError(UNSERVED)


@router.post("/payment-providers/{slug}/confirm", response_model=ApiResponse[PaymentMethodResponse])
def confirm_provider_payment_method(slug: str, body: PaymentProviderConfirmRequest,
                                    authorization: Authorization = None):
    """Confirm a payment method after redirect or client-side setup.

    Called after the user completes the setup flow (e.g., Stripe.js confirmation or Mollie
    redirect return).
    """
    raise NotImplementedError(UNSERVED)


app = FastAPI(title="ScaiControl API")
app.include_router(router)
