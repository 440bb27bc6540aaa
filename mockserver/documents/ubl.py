"""UBL 2.1 invoices and credit notes for Peppol BIS Billing 3.0 and XRechnung 3.0.

One builder writes both: the two specifications share the EN 16931 UBL binding and differ
only in their identifiers and in how the buyer is addressed, which :class:`UblProfile` holds.
Element order follows the UBL 2.1 schema; no element is ever written empty (PEPPOL-R008).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from mockserver.documents import identifiers as ids
from mockserver.documents.facts import UNIT_CODE, DocumentLine, InvoiceFacts, quantity_text
from mockserver.documents.ubl_parties import CAC, CBC, amount, cac, cbc, customer, supplier

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
SEPA_CREDIT_TRANSFER = "58"
# UNCL 4461 "standing agreement": paid the way seller and buyer agreed before (the tenant's
# payment method on file; a credit note refunded that way or set off). Also what Peppol's
# Dutch rule NL-R-008 allows where "not defined" (1) is refused.
STANDING_AGREEMENT = "57"


@dataclass(frozen=True)
class UblProfile:
    """What tells Peppol BIS and XRechnung apart inside the same UBL document."""

    name: str
    customization_id: str
    seller_endpoint: Callable[[dict], ids.Endpoint | None]
    buyer_endpoint: Callable[[dict], ids.Endpoint | None]
    buyer_reference: Callable[[InvoiceFacts], str | None]
    order_reference: Callable[[InvoiceFacts], str | None]
    missing_fields: Callable[[dict], list[str]]
    profile_id: str = PEPPOL_BILLING
    # BT-119 in a breakdown of category O: EN 16931 lets it out (BR-48), XRechnung wants it
    # in every breakdown (BR-DE-14), so there it is written as 0.
    rate_when_not_subject: bool = False


def _peppol_buyer_reference(facts: InvoiceFacts) -> str:
    # Peppol needs BT-10 or BT-13 (PEPPOL-EN16931-R003); without the buyer's own reference the
    # tenant id is how the buyer's account is known to us.
    return ids.buyer_reference(facts.buyer) or facts.invoice.tenant_id


def _order_reference(facts: InvoiceFacts) -> str | None:
    return ids.order_reference(facts.buyer)


def _xrechnung_missing(buyer: dict) -> list[str]:
    return [] if (buyer.get("leitweg_id") or "").strip() else ["leitweg_id"]


PEPPOL = UblProfile(
    name="ubl",
    customization_id="urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
    seller_endpoint=ids.seller_peppol_endpoint,
    buyer_endpoint=ids.peppol_endpoint,
    buyer_reference=_peppol_buyer_reference,
    order_reference=_order_reference,
    missing_fields=ids.missing_peppol_fields,
)
XRECHNUNG = UblProfile(
    name="xrechnung",
    customization_id="urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
    seller_endpoint=lambda seller: ids.email_endpoint(seller.get("email")),
    # The Leitweg-ID routes the invoice (EAS 0204) and is BT-10 (BR-DE-15); the buyer's own
    # reference becomes BT-13.
    buyer_endpoint=ids.buyer_endpoint,
    buyer_reference=lambda facts: ids.buyer_reference(facts.buyer),
    order_reference=_order_reference,
    missing_fields=_xrechnung_missing,
    rate_when_not_subject=True,
)


def render_ubl(facts: InvoiceFacts, profile: UblProfile) -> bytes:
    """The UBL Invoice (type 380) or CreditNote (type 381) as UTF-8 XML bytes."""
    root = _root(facts)
    _header(root, facts, profile)
    supplier(root, facts, profile.seller_endpoint(facts.seller))
    customer(root, facts, profile.buyer_endpoint(facts.buyer))
    _payment(root, facts)
    _tax_total(root, facts, profile)
    _monetary_total(root, facts)
    for line in facts.lines:
        _line(root, facts, line)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _root(facts: InvoiceFacts) -> etree._Element:
    namespace = CREDIT_NOTE_NS if facts.is_credit_note else INVOICE_NS
    tag = "CreditNote" if facts.is_credit_note else "Invoice"
    return etree.Element(f"{{{namespace}}}{tag}", nsmap={None: namespace, "cac": CAC, "cbc": CBC})


def _header(root: etree._Element, facts: InvoiceFacts, profile: UblProfile) -> None:
    invoice = facts.invoice
    cbc(root, "CustomizationID", profile.customization_id)
    cbc(root, "ProfileID", profile.profile_id)
    cbc(root, "ID", invoice.number)
    cbc(root, "IssueDate", invoice.issue_date.isoformat())
    if facts.is_credit_note:
        cbc(root, "CreditNoteTypeCode", facts.type_code)
    else:
        cbc(root, "DueDate", invoice.due_date.isoformat())
        cbc(root, "InvoiceTypeCode", facts.type_code)
    # Peppol allows one document note (PEPPOL-EN16931-R002), so the notes share it.
    cbc(root, "Note", "\n".join(facts.notes) or None)
    cbc(root, "DocumentCurrencyCode", invoice.currency)
    cbc(root, "BuyerReference", profile.buyer_reference(facts))
    _period(root, invoice.period_start, invoice.period_end)
    order = profile.order_reference(facts)
    if order:
        cbc(cac(root, "OrderReference"), "ID", order)
    if facts.is_credit_note and invoice.referenced_invoice_number:
        reference = cac(cac(root, "BillingReference"), "InvoiceDocumentReference")
        cbc(reference, "ID", invoice.referenced_invoice_number)
        date = invoice.referenced_invoice_date
        cbc(reference, "IssueDate", date.isoformat() if date else None)  # BT-26


def _period(parent: etree._Element, start, end) -> None:
    if start or end:
        period = cac(parent, "InvoicePeriod")
        cbc(period, "StartDate", start.isoformat() if start else None)
        cbc(period, "EndDate", end.isoformat() if end else None)


def _payment(root: etree._Element, facts: InvoiceFacts) -> None:
    seller = facts.seller
    means = cac(root, "PaymentMeans")
    # A credit note asks for no payment: no account to pay into, only how it is settled (the
    # terms). XRechnung still wants the group (BR-DE-1), so it names the standing agreement.
    if facts.pays_by_transfer:
        cbc(means, "PaymentMeansCode", SEPA_CREDIT_TRANSFER, name="SEPA credit transfer")
        cbc(means, "PaymentID", facts.invoice.number)
        account = cac(means, "PayeeFinancialAccount")
        cbc(account, "ID", seller["iban"].replace(" ", ""))
        cbc(account, "Name", seller.get("legal_name"))
        if seller.get("bic"):
            cbc(cac(account, "FinancialInstitutionBranch"), "ID", seller["bic"])
    else:
        cbc(means, "PaymentMeansCode", STANDING_AGREEMENT, name="Standing agreement")
        cbc(means, "PaymentID", facts.invoice.number)
    cbc(cac(root, "PaymentTerms"), "Note", facts.payment_terms_text)


def _tax_total(root: etree._Element, facts: InvoiceFacts, profile: UblProfile) -> None:
    currency = facts.invoice.currency
    total = cac(root, "TaxTotal")
    amount(total, "TaxAmount", facts.tax_total, currency)
    for group in facts.vat_groups:
        subtotal = cac(total, "TaxSubtotal")
        amount(subtotal, "TaxableAmount", group.taxable, currency)
        amount(subtotal, "TaxAmount", group.tax, currency)
        category = cac(subtotal, "TaxCategory")
        cbc(category, "ID", group.category)
        if group.category != "O" or profile.rate_when_not_subject:
            cbc(category, "Percent", group.rate)
        cbc(category, "TaxExemptionReasonCode", group.exemption_code)
        cbc(category, "TaxExemptionReason", group.exemption_reason)
        cbc(cac(category, "TaxScheme"), "ID", "VAT")


def _monetary_total(root: etree._Element, facts: InvoiceFacts) -> None:
    currency = facts.invoice.currency
    total = cac(root, "LegalMonetaryTotal")
    amount(total, "LineExtensionAmount", facts.line_total, currency)
    amount(total, "TaxExclusiveAmount", facts.line_total, currency)
    amount(total, "TaxInclusiveAmount", facts.grand_total, currency)
    amount(total, "PayableAmount", facts.grand_total, currency)


def _line(root: etree._Element, facts: InvoiceFacts, line: DocumentLine) -> None:
    currency = facts.invoice.currency
    credit = facts.is_credit_note
    element = cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    cbc(element, "ID", line.number)
    quantity_tag = "CreditedQuantity" if credit else "InvoicedQuantity"
    cbc(element, quantity_tag, quantity_text(line.quantity), unitCode=UNIT_CODE)
    amount(element, "LineExtensionAmount", line.net_amount, currency)
    _period(element, line.period_start, line.period_end)
    item = cac(element, "Item")
    cbc(item, "Name", line.description)
    tax = cac(item, "ClassifiedTaxCategory")
    cbc(tax, "ID", line.category)
    if line.category != "O":  # an O line carries no rate (BR-O-5)
        cbc(tax, "Percent", line.rate)
    cbc(cac(tax, "TaxScheme"), "ID", "VAT")
    price = cac(element, "Price")
    amount(price, "PriceAmount", line.unit_price, currency)
    if line.base_quantity != 1:  # a price per 1,000 calls: BT-149, in the quantity's unit
        cbc(price, "BaseQuantity", line.base_quantity, unitCode=UNIT_CODE)
