"""The invoice e-mail: subject and body in the buyer's language, and its outbox record."""

from __future__ import annotations

from datetime import datetime

from mockserver.domain.invoices import Invoice

SUBJECTS = {
    "en": ("Invoice {number} from {seller}", "Credit note {number} from {seller}"),
    "nl": ("Factuur {number} van {seller}", "Creditnota {number} van {seller}"),
    "de": ("Rechnung {number} von {seller}", "Gutschrift {number} von {seller}"),
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
DOCUMENT_WORDS = {
    "en": ("invoice", "credit note"), "nl": ("factuur", "creditnota"),
    "de": ("die Rechnung", "die Gutschrift"), "fr": ("la facture", "l'avoir"),
    "es": ("la factura", "la factura rectificativa"), "it": ("la fattura", "la nota di credito"),
}


def invoice_message(invoice: Invoice, to: str, language: str, message_id: str,
                    now: datetime, attachments: list[dict] | None = None) -> dict:
    """The outbox record of one invoice e-mail (attachments: filename, content_type, size)."""
    lang = language if language in SUBJECTS else "en"
    kind = 1 if invoice.is_credit_note else 0
    seller = (invoice.seller or {}).get("legal_name", "")
    amount = f"{invoice.currency} {abs(invoice.total_cents) / 100:.2f}"
    subject = SUBJECTS[lang][kind].format(number=invoice.number, seller=seller)
    body = BODIES[lang].format(
        buyer=(invoice.buyer or {}).get("company_name", ""), document=DOCUMENT_WORDS[lang][kind],
        number=invoice.number, amount=amount, due=invoice.due_date.isoformat(), seller=seller,
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
