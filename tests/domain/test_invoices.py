import threading
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from mockserver.domain.errors import Conflict, InvalidRequest
from mockserver.domain.ids import IdSource
from mockserver.domain.invoices import (
    TENANT_VISIBLE,
    TRANSITIONS,
    Invoice,
    InvoiceStatus,
    LineItem,
    credit_note_for,
    finalize,
)
from mockserver.domain.numbering import InvoiceNumbering
from mockserver.domain.profile import Seller, new_profile
from mockserver.domain.tenant import Tenant

S = InvoiceStatus
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
DOCUMENTED = {
    ("draft", "finalized"), ("draft", "void"), ("finalized", "sent"), ("finalized", "void"),
    ("sent", "past_due"), ("sent", "paid"), ("sent", "void"), ("past_due", "paid"),
    ("past_due", "void"),
}


def profile(**overrides):
    values = {"company_name": "Acme", "address_line1": "Main 1", "postal_code": "1000",
              "city": "Amsterdam", "country_code": "NL", **overrides}
    return new_profile("tnt_1", values, NOW)


def draft(ids=None, amounts=(4900,), **kw):
    ids = ids or IdSource(1)
    lines = [LineItem(ids.new("li"), f"line {i}", Decimal(1), a) for i, a in enumerate(amounts)]
    return Invoice(id=ids.new("inv"), tenant_id="tnt_1", created_at=NOW, updated_at=NOW,
                   line_items=lines, **kw)


def test_transition_table_is_exactly_the_documented_one():
    table = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == DOCUMENTED
    assert TRANSITIONS[S.PAID] == frozenset() and TRANSITIONS[S.VOID] == frozenset()


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", [s for s in S if s is not S.DRAFT])
def test_every_move_is_allowed_or_refused_as_documented(source, target):
    invoice = draft(status=source)
    if (source.value, target.value) in DOCUMENTED:
        invoice.transition(target, NOW)
        assert invoice.status is target
    else:
        with pytest.raises(Conflict) as refused:
            invoice.transition(target, NOW)
        assert f"'{source.value}'" in refused.value.message
        assert invoice.status is source


def test_conflict_names_the_legal_next_states():
    with pytest.raises(Conflict) as refused:
        draft(status=S.SENT).transition(S.FINALIZED, NOW)
    assert "Allowed next states: paid, past_due, void" in refused.value.message
    with pytest.raises(Conflict, match="terminal"):
        draft(status=S.PAID).transition(S.SENT, NOW)


def test_transitions_stamp_their_time():
    invoice = draft(status=S.FINALIZED)
    invoice.transition(S.SENT, NOW)
    invoice.transition(S.PAID, NOW)
    assert invoice.sent_at == NOW and invoice.paid_at == NOW and invoice.amount_due_cents == 0


def test_finalize_snapshots_totals_and_numbers():
    numbering = InvoiceNumbering()
    invoice = finalize(draft(amounts=(4900, 1999)), profile(), Seller(), numbering, NOW)
    assert invoice.number == "SCAI-2026-000001"
    assert invoice.status is S.FINALIZED and invoice.finalized_at == NOW
    assert [line.tax_cents for line in invoice.line_items] == [1029, 420]
    assert invoice.subtotal_cents == 6899 and invoice.tax_cents == 1449
    assert invoice.total_cents == invoice.subtotal_cents + invoice.tax_cents
    assert invoice.buyer["company_name"] == "Acme" and invoice.seller["country_code"] == "NL"
    assert invoice.due_date == date(2026, 3, 15)


def test_a_line_rate_is_a_reduced_rate_only_in_the_standard_case():
    ids = IdSource(2)
    invoice = draft(ids)
    invoice.line_items[0].tax_rate = Decimal("9.00")
    finalize(invoice, profile(), Seller(), InvoiceNumbering(), NOW)
    assert invoice.line_items[0].tax_cents == 441
    export = draft(ids)
    export.line_items[0].tax_rate = Decimal("9.00")
    finalize(export, profile(country_code="US"), Seller(), InvoiceNumbering(), NOW)
    assert export.line_items[0].tax_cents == 0 and export.line_items[0].tax_category == "G"


@pytest.mark.parametrize("missing", ["address_line1", "postal_code", "city", "country_code"])
def test_finalize_refuses_an_incomplete_profile_and_uses_no_number(missing):
    numbering = InvoiceNumbering()
    invoice = draft()
    with pytest.raises(InvalidRequest, match=missing):
        finalize(invoice, profile(**{missing: None}), Seller(), numbering, NOW)
    assert invoice.status is S.DRAFT and invoice.number is None
    assert numbering.peek("invoice", 2026) == 1


def test_finalize_needs_lines_a_profile_and_a_draft():
    with pytest.raises(InvalidRequest, match="no line items"):
        finalize(draft(amounts=()), profile(), Seller(), InvoiceNumbering(), NOW)
    with pytest.raises(InvalidRequest, match="no billing profile"):
        finalize(draft(), None, Seller(), InvoiceNumbering(), NOW)
    with pytest.raises(Conflict):
        finalize(draft(status=S.SENT), profile(), Seller(), InvoiceNumbering(), NOW)


def test_numbers_restart_per_fiscal_year_and_credit_notes_have_their_own_sequence():
    numbering = InvoiceNumbering()
    assert numbering.allocate("invoice", 2025) == "SCAI-2025-000001"
    assert numbering.allocate("invoice", 2026) == "SCAI-2026-000001"
    assert numbering.allocate("invoice", 2026) == "SCAI-2026-000002"
    assert numbering.allocate("credit_note", 2026) == "SCAI-CN-2026-000001"


def test_eight_threads_finalizing_at_once_leave_no_gap_and_no_duplicate():
    numbering, ids = InvoiceNumbering(), IdSource(3)
    invoices = [draft(ids) for _ in range(400)]
    barrier = threading.Barrier(8)
    seller, buyer = Seller(), profile()

    def work(chunk):
        barrier.wait()
        for invoice in chunk:
            finalize(invoice, buyer, seller, numbering, NOW)

    threads = [threading.Thread(target=work, args=(invoices[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sequences = sorted(int(i.number.rsplit("-", 1)[1]) for i in invoices)
    assert sequences == list(range(1, 401))


def test_credit_note_negates_lines_references_original_and_keeps_its_vat():
    ids, numbering = IdSource(4), InvoiceNumbering()
    original = finalize(draft(ids, amounts=(4900, 100)), profile(country_code="BE",
                        vat_number="BE0477472701"), Seller(), numbering, NOW)
    note = credit_note_for(original, ids.new, NOW, [original.line_items[0].id])
    finalize(note, profile(country_code="US"), Seller(), numbering, NOW, original=original)
    assert note.document_type == "credit_note" and note.referenced_invoice_id == original.id
    assert note.number == "SCAI-CN-2026-000001"
    assert note.total_cents == -4900 and note.vat.reverse_charge  # original's VAT, not now's
    assert note.buyer == original.buyer


def test_credit_notes_cannot_credit_drafts_voids_or_credit_notes():
    for status in (S.DRAFT, S.VOID):
        with pytest.raises(Conflict):
            credit_note_for(draft(status=status), IdSource(5).new, NOW)


def test_drafts_are_invisible_to_the_tenant():
    tenant = Tenant("tnt_1", NOW)
    hidden = tenant.add_invoice(draft())
    shown = tenant.add_invoice(finalize(draft(IdSource(9)), profile(), Seller(),
                                        InvoiceNumbering(), NOW))
    assert [i.id for i in tenant.visible_invoices()] == [shown.id]
    assert S.DRAFT not in TENANT_VISIBLE
    with pytest.raises(Exception, match="not found"):
        tenant.visible_invoice(hidden.id)
