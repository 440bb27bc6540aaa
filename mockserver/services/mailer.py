"""Delivering outbox messages as real MIME mail, when the server has an SMTP relay.

Delivery is off the request path: ``send`` records the message in the outbox with its
delivery ``queued`` and answers; a few worker threads deliver, each message within a total
deadline counted from when it was queued (connect, every command, the data, quit), and the
outcome (``delivered`` or ``failed`` with the reason) replaces ``queued`` in the outbox. A
relay that hangs costs a worker until the deadline, never a request.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Callable
from urllib.parse import urlsplit

from mockserver.documents import RenderedDocument

log = logging.getLogger("billing_mock")
SENDER = "billing-mock <billing@billing-mock.invalid>"
WORKERS = 4  # deliveries at once
MAX_WAITING = 100  # deliveries queued or under way; past it a send records a failed delivery


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


class Mailer:
    """Delivers through ``smtp://host:port`` on its own worker threads (see the module)."""

    def __init__(self, smtp_url: str, deadline: float, workers: int = WORKERS,
                 max_waiting: int = MAX_WAITING) -> None:
        parts = urlsplit(smtp_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 25
        self.deadline, self.max_waiting = deadline, max_waiting
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smtp")
        self._waiting = 0
        self._lock = threading.Lock()

    @property
    def relay(self) -> str:
        return f"{self.host}:{self.port}"

    def submit(self, message: dict, documents: list[RenderedDocument],
               report: Callable[[dict], None]) -> dict:
        """Queue ``message``; answer its delivery record for now, and call ``report`` with
        the outcome later (on a worker thread). Never raises: a message that cannot be
        written as mail is a failed delivery, found before it takes a waiting slot."""
        try:
            mail = mime_message(message, documents)
        except (ValueError, TypeError, MessageError) as exc:
            log.warning("SMTP delivery of %s not queued: %s", message["message_id"], exc)
            return self._failed(f"the message cannot be written as mail: {exc}")
        with self._lock:
            if self._waiting >= self.max_waiting:
                log.warning("SMTP delivery of %s not queued: %d deliveries are waiting",
                            message["message_id"], self._waiting)
                return {"status": "failed", "smtp": self.relay,
                        "error": f"{self._waiting} deliveries are already waiting"}
            self._waiting += 1
        due = time.monotonic() + self.deadline
        try:
            self._executor.submit(self._deliver_and_report, mail, due, report)
        except RuntimeError:  # the server is shutting down
            with self._lock:
                self._waiting -= 1
            return {"status": "failed", "smtp": self.relay, "error": "the server is stopping"}
        return {"status": "queued", "smtp": self.relay}

    def close(self) -> None:
        """Stop taking messages; deliveries under way end by their deadline."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _deliver_and_report(self, mail: EmailMessage, due: float,
                            report: Callable[[dict], None]) -> None:
        try:
            outcome = self.deliver(mail, due)
        finally:
            with self._lock:
                self._waiting -= 1
        if outcome["status"] != "delivered":
            log.warning("SMTP delivery of %s failed: %s", mail["Message-ID"], outcome["error"])
        report(outcome)

    def deliver(self, mail: EmailMessage, due: float) -> dict:
        """Send ``mail``, all of it before ``due`` (a ``time.monotonic()`` instant). The
        outcome is answered, never raised: the outbox is the mock's truth, the mail a copy."""
        remaining = due - time.monotonic()
        if remaining <= 0:
            return self._failed("the delivery deadline passed while it waited for a worker")
        smtp = smtplib.SMTP(timeout=remaining)
        # Each socket operation waits at most ``remaining``; the watchdog ends the whole
        # exchange at ``due`` (a relay answering a byte at a time never reaches a timeout).
        watchdog = threading.Timer(remaining, _abort, (smtp,))
        watchdog.daemon = True
        watchdog.start()
        try:
            smtp.connect(self.host, self.port)
            smtp.send_message(mail)
            smtp.quit()
            return {"status": "delivered", "smtp": self.relay}
        except (OSError, smtplib.SMTPException) as exc:
            if time.monotonic() >= due - 0.01:
                return self._failed(f"the relay did not finish within the deadline of "
                                    f"{self.deadline:g} s ({exc or type(exc).__name__})")
            return self._failed(str(exc) or type(exc).__name__)
        finally:
            watchdog.cancel()
            smtp.close()

    def _failed(self, error: str) -> dict:
        return {"status": "failed", "smtp": self.relay, "error": error}


def _abort(smtp: smtplib.SMTP) -> None:
    """Wake a worker blocked on the relay's socket (a shutdown ends a blocked recv)."""
    sock = smtp.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


__all__ = ["Mailer", "mime_message"]
