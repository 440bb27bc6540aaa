"""The FastAPI declaration of the backend publishes exactly the reference: its ``openapi()`` in
the reference's notation is the reference page, line for line.

``billing-reference-rev2.txt`` is the published page as fetched (Billing (tenant), "rev 2", the
site's navigation included), byte for byte."""

import copy
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from mockserver.contract.notation import diff, reference_operations, render
from tests.published.backend import app

REFERENCE = Path(__file__).with_name("billing-reference-rev2.txt")
ENVELOPES = {
    "ApiResponse_BillingProfileResponse_", "ApiResponse_Union_BillingProfileResponse__NoneType__",
    "ApiResponse_list_PaymentMethodResponse__", "ApiResponse_list_PaymentProviderResponse__",
    "ApiResponse_PaymentMethodResponse_", "ApiResponse_InvoiceResponse_",
    "ApiResponse_BillingOverviewResponse_", "PaginatedResponse_InvoiceResponse_",
    "ApiResponse_dict_", "HTTPValidationError", "BillingProfileCreateUpdate",
    "PaymentMethodCreateRequest", "PaymentProviderSetupRequest", "PaymentProviderConfirmRequest"}


@pytest.fixture(scope="module")
def reference() -> str:
    return reference_operations(REFERENCE.read_text(encoding="utf-8"))


def headings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.endswith("}#")]


def test_the_document_in_the_reference_notation_is_the_reference(reference):
    rendered = render(app.openapi())
    differences = diff(rendered, reference)
    print("\n".join(differences))
    assert len(headings(reference)) == len(headings(rendered)) == 17
    assert differences == []


def test_a_declaration_off_the_reference_shows(reference):
    """The comparison above bites on this document: one status code off is one difference."""
    doc = copy.deepcopy(app.openapi())
    post = doc["paths"]["/api/v1/billing/payment-methods"]["post"]
    post["responses"] = {"200": post["responses"]["201"], "422": post["responses"]["422"]}
    returns = "Successful Response. Returns: ApiResponse_PaymentMethodResponse_ — {data, meta}"
    assert [line for line in diff(render(doc), reference) if line[:1] in "+-"][2:] == [
        f"-  • 200 — {returns}", f"+  • 201 — {returns}"]


def test_the_document_is_valid_openapi_3_1():
    doc = app.openapi()
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_the_schemas_carry_the_reference_names():
    assert ENVELOPES <= set(app.openapi()["components"]["schemas"])


def test_operation_ids_are_fastapi_defaults():
    """``<function name><path, non-word characters as _>_<method>`` (contract-decisions.md)."""
    operation = app.openapi()["paths"]["/api/v1/billing/invoices/{invoice_id}/download"]["get"]
    assert operation["operationId"] == (
        "download_invoice_einvoice_api_v1_billing_invoices__invoice_id__download_get")
