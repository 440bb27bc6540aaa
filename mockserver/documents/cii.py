"""UN/CEFACT Cross Industry Invoice (EN 16931), built with drafthorse.

The same XML is the Factur-X / ZUGFeRD EN 16931 payload, so its guideline id (BT-24) is the
plain EN 16931 one, which the Factur-X profile EN 16931 requires.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import drafthorse
from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem
from lxml import etree

from mockserver.documents import identifiers as ids
from mockserver.documents.cii_parties import fill_buyer, fill_seller
from mockserver.documents.facts import UNIT_CODE, DocumentLine, InvoiceFacts, VatGroup

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
SEPA_CREDIT_TRANSFER = "58"
STANDING_AGREEMENT = "57"  # UNCL 4461, see mockserver.documents.ubl
_SCHEMA = Path(drafthorse.__file__).parent / "schema" / "Factur-X_1.0.07_EN16931.xsd"
_schema_lock = threading.Lock()
_schema: etree.XMLSchema | None = None


def render_cii(facts: InvoiceFacts) -> bytes:
    """The CII invoice (380) or credit note (381) as UTF-8 XML, checked against its XSD."""
    doc = Document()
    doc.context.guideline_parameter.id = GUIDELINE_EN16931
    _header(doc, facts)
    for line in facts.lines:
        doc.trade.items.add(_line(line))
    fill_seller(doc.trade.agreement.seller, facts)
    fill_buyer(doc.trade.agreement.buyer, facts)
    _references(doc, facts)
    _settlement(doc, facts)
    # drafthorse would re-read the XSD on every call; one compiled copy validates instead.
    xml = doc.serialize(schema=None)
    _validate(xml)
    return xml


def _header(doc: Document, facts: InvoiceFacts) -> None:
    doc.header.id = facts.invoice.number
    doc.header.type_code = facts.type_code
    doc.header.issue_date_time = facts.invoice.issue_date
    for text in facts.notes:
        note = IncludedNote()
        note.content = text
        doc.header.notes.add(note)


def _line(line: DocumentLine) -> LineItem:
    item = LineItem()
    item.document.line_id = line.number
    item.product.name = line.description
    item.agreement.net.amount = line.unit_price
    if line.base_quantity != 1:  # a price per 1,000 calls: BT-149, in the quantity's unit
        item.agreement.net.basis_quantity = (Decimal(line.base_quantity), UNIT_CODE)
    item.delivery.billed_quantity = (line.quantity, UNIT_CODE)
    item.settlement.trade_tax.type_code = "VAT"
    item.settlement.trade_tax.category_code = line.category
    if line.category != "O":  # an O line carries no rate (BR-O-5)
        item.settlement.trade_tax.rate_applicable_percent = line.rate
    if line.period_start and line.period_end:
        item.settlement.period.start = line.period_start
        item.settlement.period.end = line.period_end
    item.settlement.monetary_summation.total_amount = line.net_amount
    return item


def _references(doc: Document, facts: InvoiceFacts) -> None:
    reference = ids.buyer_reference(facts.buyer)  # the Leitweg-ID of a public buyer
    if reference:
        doc.trade.agreement.buyer_reference = reference
    order = ids.order_reference(facts.buyer)  # its own order number then moves to BT-13
    if order:
        doc.trade.agreement.buyer_order.issuer_assigned_id = order
    invoice = facts.invoice
    if invoice.period_start and invoice.period_end:
        doc.trade.settlement.period.start = invoice.period_start
        doc.trade.settlement.period.end = invoice.period_end
    if facts.is_credit_note and invoice.referenced_invoice_number:
        reference = doc.trade.settlement.invoice_referenced_document
        reference.issuer_assigned_id = invoice.referenced_invoice_number
        if invoice.referenced_invoice_date:
            reference.issue_date_time = invoice.referenced_invoice_date  # BT-26


def _settlement(doc: Document, facts: InvoiceFacts) -> None:
    settlement = doc.trade.settlement
    settlement.currency_code = facts.invoice.currency
    settlement.payment_reference = facts.invoice.number
    settlement.payment_means.add(_payment_means(facts))
    for group in facts.vat_groups:
        settlement.trade_tax.add(_vat_breakdown(group))
    terms = PaymentTerms()
    terms.description = facts.payment_terms_text
    if not facts.is_credit_note:
        terms.due = facts.invoice.due_date
    settlement.terms.add(terms)
    totals = settlement.monetary_summation
    totals.line_total = facts.line_total
    totals.tax_basis_total = facts.line_total
    totals.tax_total = (facts.tax_total, facts.invoice.currency)
    totals.grand_total = facts.grand_total
    totals.due_amount = facts.grand_total


def _payment_means(facts: InvoiceFacts) -> PaymentMeans:
    means, seller = PaymentMeans(), facts.seller
    if not facts.pays_by_transfer:
        # A standing agreement: the seller gave no account, or (a credit note) asks for no
        # payment into one; the tenant's method on file settles it.
        means.type_code = STANDING_AGREEMENT
        return means
    means.type_code = SEPA_CREDIT_TRANSFER
    means.payee_account.iban = seller["iban"].replace(" ", "")
    means.payee_account.account_name = seller.get("legal_name")
    if seller.get("bic"):
        means.payee_institution.bic = seller["bic"]
    return means


def _vat_breakdown(group: VatGroup) -> ApplicableTradeTax:
    tax = ApplicableTradeTax()
    tax.calculated_amount = group.tax
    tax.type_code = "VAT"
    if group.exemption_reason:
        tax.exemption_reason = group.exemption_reason
    tax.basis_amount = group.taxable
    tax.category_code = group.category
    if group.exemption_code:
        tax.exemption_reason_code = group.exemption_code
    if group.category != "O":  # not subject to VAT: no rate (BR-48 lets BT-119 out for O)
        tax.rate_applicable_percent = group.rate
    return tax


def _validate(xml: bytes) -> None:
    """Fail loudly on a schema violation; the lock also guards the shared schema object."""
    global _schema
    document = etree.fromstring(xml)
    with _schema_lock:
        if _schema is None:
            _schema = etree.XMLSchema(etree.parse(str(_SCHEMA)))
        _schema.assertValid(document)

