"""The invoice e-mail: subject and body in the buyer's language, and its outbox record."""

from __future__ import annotations

from datetime import datetime

from mockserver.domain.invoices import Invoice
from mockserver.domain.localize import format_date, format_money

SUBJECTS = {
    "en": ("Invoice {number} from {seller}", "Credit note {number} from {seller}"),
    "nl": ("Factuur {number} van {seller}", "Creditnota {number} van {seller}"),
    # Not "Gutschrift": in German VAT law that is a self-billed invoice (§ 14 (2) UStG).
    "de": ("Rechnung {number} von {seller}", "Rechnungskorrektur {number} von {seller}"),
    "fr": ("Facture {number} de {seller}", "Avoir {number} de {seller}"),
    "es": ("Factura {number} de {seller}", "Factura rectificativa {number} de {seller}"),
    "it": ("Fattura {number} da {seller}", "Nota di credito {number} da {seller}"),
}
BODIES = {
    "en": "Dear {buyer},\n\nPlease find attached {document} {number} of {amount}, due on {due}.\n\nKind regards,\n{seller}",
    "nl": "Beste {buyer},\n\nIn de bijlage vindt u {document} {number} van {amount}, te voldoen op {due}.\n\nMet vriendelijke groet,\n{seller}",
    "de": "Sehr geehrte Damen und Herren von {buyer},\n\nanbei erhalten Sie {document} {number} über {amount}, fällig am {due}.\n\nMit freundlichen Grüßen\n{seller}",
    "fr": "Bonjour {buyer},\n\nVeuillez trouver ci-joint {document} {number} d'un montant de {amount}, à régler le {due}.\n\nCordialement,\n{seller}",
    "es": "Estimado/a {buyer}:\n\nAdjuntamos {document} {number} por {amount}, con vencimiento el {due}.\n\nAtentamente,\n{seller}",
    "it": "Gentile {buyer},\n\nin allegato trova {document} {number} di {amount}, con scadenza il {due}.\n\nCordiali saluti,\n{seller}",
}
# A credit note asks for nothing: it names the invoice it corrects and how it is settled.
CREDIT_NOTE_BODIES = {
    "en": ("Dear {buyer},\n\nPlease find attached credit note {number} of {amount} for invoice "
           "{original}. It will be refunded or set off against open invoices; there is nothing "
           "to pay.\n\nKind regards,\n{seller}"),
    "nl": ("Beste {buyer},\n\nIn de bijlage vindt u creditnota {number} van {amount} bij factuur "
           "{original}. Het bedrag wordt terugbetaald of verrekend met openstaande facturen; u "
           "hoeft niets te betalen.\n\nMet vriendelijke groet,\n{seller}"),
    "de": ("Sehr geehrte Damen und Herren von {buyer},\n\nanbei erhalten Sie die "
           "Rechnungskorrektur {number} über {amount} zur Rechnung {original}. Der Betrag wird "
           "erstattet oder mit offenen Rechnungen verrechnet; Sie müssen nichts zahlen.\n\n"
           "Mit freundlichen Grüßen\n{seller}"),
    "fr": ("Bonjour {buyer},\n\nVeuillez trouver ci-joint l'avoir {number} d'un montant de "
           "{amount} sur la facture {original}. Il sera remboursé ou imputé sur les factures "
           "ouvertes ; vous n'avez rien à payer.\n\nCordialement,\n{seller}"),
    "es": ("Estimado/a {buyer}:\n\nAdjuntamos la factura rectificativa {number} por {amount} de "
           "la factura {original}. El importe se reembolsará o compensará con facturas "
           "pendientes; no tiene que pagar nada.\n\nAtentamente,\n{seller}"),
    "it": ("Gentile {buyer},\n\nin allegato trova la nota di credito {number} di {amount} "
           "relativa alla fattura {original}. L'importo sarà rimborsato o compensato con fatture "
           "aperte; non deve pagare nulla.\n\nCordiali saluti,\n{seller}"),
}
DOCUMENT_WORDS = {
    "en": ("invoice", "credit note"), "nl": ("factuur", "creditnota"),
    "de": ("die Rechnung", "die Rechnungskorrektur"), "fr": ("la facture", "l'avoir"),
    "es": ("la factura", "la factura rectificativa"), "it": ("la fattura", "la nota di credito"),
}


def invoice_message(invoice: Invoice, to: str, language: str, message_id: str,
                    now: datetime, attachments: list[dict] | None = None) -> dict:
    """The outbox record of one invoice e-mail (attachments: filename, content_type, size)."""
    lang = language if language in SUBJECTS else "en"
    kind = 1 if invoice.is_credit_note else 0
    seller = (invoice.seller or {}).get("legal_name", "")
    # As the attached PDF writes them: "140,40 €" in German, "€ 140,40" in Dutch.
    amount = format_money(abs(invoice.total_cents), invoice.currency, lang)
    subject = SUBJECTS[lang][kind].format(number=invoice.number, seller=seller)
    template = CREDIT_NOTE_BODIES[lang] if invoice.is_credit_note else BODIES[lang]
    body = template.format(
        buyer=(invoice.buyer or {}).get("company_name", ""), document=DOCUMENT_WORDS[lang][kind],
        number=invoice.number, amount=amount, due=format_date(invoice.due_date, lang),
        seller=seller,
        original=invoice.referenced_invoice_number,
    )
    return {
        "id": message_id,
        "message_id": f"<{message_id}@billing-mock>",
        "tenant_id": invoice.tenant_id,
        "invoice_id": invoice.id,
        "number": invoice.number,
        "to": to,
        "subject": subject,
        "language": lang,
        "body": body,
        "attachments": list(attachments or []),
        "sent_at": now,
    }
