"""Delivering outbox messages as real MIME mail, when the server has an SMTP relay."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from mockserver.documents import RenderedDocument

log = logging.getLogger("billing_mock")
SENDER = "billing-mock <billing@billing-mock.invalid>"


def mime_message(message: dict, documents: list[RenderedDocument]) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = SENDER, message["to"], message["subject"]
    mail["Message-ID"], mail["Date"] = message["message_id"], format_datetime(message["sent_at"])
    mail["Content-Language"] = message["language"]
    mail.set_content(message["body"])
    for document in documents:
        maintype, subtype = document.media_type.split("/", 1)
        mail.add_attachment(document.content, maintype=maintype, subtype=subtype,
                            filename=document.filename)
    return mail


def deliver(smtp_url: str, message: dict, documents: list[RenderedDocument]) -> dict:
    """Send through ``smtp://host:port``; the outcome is recorded, never raised: the outbox is
    the mock's truth, the mail a copy of it."""
    parts = urlsplit(smtp_url)
    try:
        with smtplib.SMTP(parts.hostname or "127.0.0.1", parts.port or 25, timeout=10) as smtp:
            smtp.send_message(mime_message(message, documents))
        return {"status": "delivered", "smtp": f"{parts.hostname}:{parts.port or 25}"}
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP delivery of %s failed: %s", message["message_id"], exc)
        return {"status": "failed", "error": str(exc)}
