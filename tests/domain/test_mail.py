"""The invoice e-mail: a credit note's mail names what it corrects and asks for no payment."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mockserver.domain.localize import format_date, format_money
from mockserver.domain.mail import SUBJECTS, invoice_message
from tests.documents.samples import sample_invoices

NOW = datetime(2026, 2, 12, 9, tzinfo=timezone.utc)
SAMPLES = sample_invoices()
DUE_WORDS = {"en": "due on", "nl": "te voldoen", "de": "fällig", "fr": "à régler",
             "es": "vencimiento", "it": "scadenza"}


@pytest.mark.parametrize("language", sorted(SUBJECTS))
def test_a_credit_note_mail_has_no_due_date_and_names_the_invoice(language):
    credit = SAMPLES[8]
    mail = invoice_message(credit, "ap@example.org", language, "msg_1", NOW)
    assert credit.number in mail["subject"]
    assert credit.referenced_invoice_number in mail["body"]
    assert DUE_WORDS[language] not in mail["body"]
    assert credit.due_date.isoformat() not in mail["body"]
    assert format_date(credit.due_date, language) not in mail["body"]
    assert "Gutschrift" not in mail["subject"] + mail["body"]


@pytest.mark.parametrize("language", sorted(SUBJECTS))
def test_an_invoice_mail_still_says_when_it_is_due(language):
    invoice = SAMPLES[0]
    mail = invoice_message(invoice, "ap@example.org", language, "msg_2", NOW)
    assert DUE_WORDS[language] in mail["body"]
    assert format_date(invoice.due_date, language) in mail["body"]


@pytest.mark.parametrize("language", sorted(SUBJECTS))
def test_a_mail_writes_its_amount_as_the_pdf_it_carries_does(language):
    """Not "EUR 140.40" in a German or Dutch body: "140,40 €", "€ 140,40"."""
    for document in (SAMPLES[0], SAMPLES[8]):  # an invoice and a credit note
        mail = invoice_message(document, "ap@example.org", language, "msg_3", NOW)
        amount = format_money(abs(document.total_cents), document.currency, language)
        assert amount in mail["body"], document.number
        assert f"{document.currency} " not in mail["body"]
