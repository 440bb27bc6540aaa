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


# -- issuing: the one path to "an invoice (or credit note) that went through these states" --

from datetime import timedelta  # noqa: E402

from mockserver.domain import tenant as tenant_module  # noqa: E402
from mockserver.domain.errors import LimitReached, NotFound  # noqa: E402
from mockserver.domain.invoices import Line, due_at  # noqa: E402
from mockserver.domain.issuing import issue_credit_note, issue_invoice  # noqa: E402
from mockserver.domain.payment_methods import PaymentMethod  # noqa: E402

LINES = [Line("Pro", Decimal(1), 4900), Line("Calls", Decimal("12.5"), 20)]


def billed_tenant(with_method=True, **profile_fields):
    tenant = Tenant("tnt_1", NOW, profile=profile(**profile_fields))
    if with_method:
        tenant.methods.add(PaymentMethod("pm_1", "stripe", "card", "pm_x", NOW))
    return tenant


def taken(tenant, ids, numbering):
    """What issuing takes: the tenant's invoices, the next id, the next numbers."""
    return (dict(tenant.invoices), ids.__getstate__(), numbering.state())


@pytest.mark.parametrize("with_method", [True, False])
@pytest.mark.parametrize("status", list(S))
def test_an_issued_invoice_went_through_its_states_in_order(status, with_method):
    tenant, ids, numbering = billed_tenant(with_method), IdSource(6), InvoiceNumbering()
    invoice = issue_invoice(tenant, LINES, Seller(), numbering, ids.new, NOW, status,
                            period=(date(2026, 2, 1), date(2026, 3, 1)), notes="February")
    assert tenant.invoices == {invoice.id: invoice} and invoice.status is status
    assert [li.order_index for li in invoice.line_items] == [0, 1]
    assert (invoice.period_start, invoice.notes, invoice.issue_date) == (
        date(2026, 2, 1), "February", NOW.date())
    if status is S.DRAFT:
        assert invoice.number is None and invoice.finalized_at is None
        return
    assert invoice.number == "SCAI-2026-000001" and invoice.finalized_at == NOW
    assert invoice.total_cents == 4900 + 250 + 1082  # 21% of each line, half up
    due = due_at(invoice)
    expected = {S.FINALIZED: {}, S.SENT: {"sent_at": NOW + timedelta(minutes=5)},
                S.PAID: {"sent_at": NOW + timedelta(minutes=5), "paid_at": due},
                S.PAST_DUE: {"sent_at": NOW + timedelta(minutes=5), "past_due_at": due},
                S.VOID: {"voided_at": NOW + timedelta(hours=1)}}[status]
    stamps = ("sent_at", "paid_at", "past_due_at", "voided_at")
    assert {s: getattr(invoice, s) for s in stamps if getattr(invoice, s)} == expected
    charged = status is S.PAST_DUE or (status is S.PAID and with_method)
    assert invoice.last_charge_attempt_at == (due if charged else None)
    assert invoice.last_charge_method_id == ("pm_1" if charged and with_method else None)


@pytest.mark.parametrize("case", ["no profile", "incomplete profile", "no lines", "full"])
def test_a_refused_issue_takes_no_id_and_no_number(case, monkeypatch):
    tenant, ids, numbering = billed_tenant(), IdSource(7), InvoiceNumbering()
    issue_invoice(tenant, LINES, Seller(), numbering, ids.new, NOW)
    lines = [] if case == "no lines" else LINES
    if case == "no profile":
        tenant.profile = None
    elif case == "incomplete profile":
        tenant.profile.city = None
    elif case == "full":
        monkeypatch.setattr(tenant_module, "MAX_INVOICES", 1)
    before = taken(tenant, ids, numbering)
    with pytest.raises(LimitReached if case == "full" else InvalidRequest):
        issue_invoice(tenant, lines, Seller(), numbering, ids.new, NOW, S.PAID)
    assert taken(tenant, ids, numbering) == before


def test_a_draft_may_have_no_lines_and_a_profileless_tenant_may_have_drafts():
    tenant = Tenant("tnt_1", NOW)
    draft_invoice = issue_invoice(tenant, [], Seller(), InvoiceNumbering(), IdSource(8).new,
                                  NOW, S.DRAFT)
    assert draft_invoice.status is S.DRAFT and draft_invoice.line_items == []


def test_a_credit_note_credits_the_chosen_lines_with_its_own_number_and_the_originals_vat():
    tenant = billed_tenant(country_code="BE", vat_number="BE0477472701")
    ids, numbering = IdSource(9), InvoiceNumbering()
    original = issue_invoice(tenant, LINES, Seller(), numbering, ids.new, NOW, S.PAID)
    tenant.profile.country_code, tenant.profile.vat_number = "US", None  # later edits
    later = NOW + timedelta(days=20)
    note = issue_credit_note(tenant, original, Seller(), numbering, ids.new, later, S.SENT,
                             line_ids=[original.line_items[1].id])
    assert note.number == "SCAI-CN-2026-000001" and note.referenced_invoice_id == original.id
    assert note.vat.reverse_charge and note.total_cents == -250 and note.tax_cents == 0
    assert note.issue_date == later.date() and note.sent_at == later + timedelta(minutes=5)
    assert note.last_charge_attempt_at is None  # nothing is charged for a credit note
    assert note.notes == f"Credit note for invoice {original.number}"
    assert tenant.invoices[note.id] is note


@pytest.mark.parametrize("case", ["another tenant's", "a void one", "a line it lacks"])
def test_a_refused_credit_note_takes_no_id_and_no_number(case):
    tenant, ids, numbering = billed_tenant(), IdSource(10), InvoiceNumbering()
    original = issue_invoice(tenant, LINES, Seller(), numbering, ids.new, NOW,
                             S.VOID if case == "a void one" else S.PAID)
    owner = Tenant("tnt_2", NOW, profile=profile()) if case == "another tenant's" else tenant
    line_ids = ["li_nothing"] if case == "a line it lacks" else None
    before = taken(tenant, ids, numbering)
    with pytest.raises((NotFound, Conflict, InvalidRequest)):
        issue_credit_note(owner, original, Seller(), numbering, ids.new, NOW, line_ids=line_ids)
    assert taken(tenant, ids, numbering) == before
    assert owner is tenant or owner.invoices == {}
