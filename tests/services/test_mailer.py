"""Sending an invoice: attachments in the outbox, and real MIME mail through an SMTP server."""

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller

from mockserver.settings import Settings
from mockserver.testing import LiveServer
from mockserver.testing.server import free_port


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture(scope="module")
def mail_server(smtp):
    controller, _ = smtp
    settings = Settings(seed=42, smtp_url=f"smtp://127.0.0.1:{controller.port}")
    with LiveServer(settings) as live:
        yield live


@pytest.mark.parametrize("token, structured", [("de-token", "application/xml"),
                                                ("us-token", None)])
def test_send_attaches_pdf_and_preferred_einvoice_and_delivers_mail(
        mail_server, api, smtp, token, structured):
    _, inbox = smtp
    client = api(token, server=mail_server)
    invoice = client.get("/billing/invoices", params={"status": "finalized"}).json()["data"][0]
    r = client.post(f"/billing/invoices/{invoice['id']}/send")
    assert r.status_code == 200, r.text
    attachments = r.json()["data"]["attachments"]
    assert attachments[0] == {"filename": f"{invoice['number']}.pdf",
                              "content_type": "application/pdf",
                              "size": attachments[0]["size"]}
    assert [a["content_type"] for a in attachments[1:]] == ([structured] if structured else [])
    outbox = mail_server.store.outbox[-1]
    assert [{k: a[k] for k in ("filename", "content_type", "size")}
            for a in outbox["attachments"]] == attachments
    assert outbox["delivery"]["status"] == "delivered"
    mail = inbox.messages[-1]
    assert mail["To"] == invoice["buyer"]["contact_email"] or mail["To"]
    assert invoice["number"] in mail["Subject"]
    parts = [(p.get_filename(), p.get_content_type(), len(p.get_payload(decode=True)))
             for p in mail.iter_attachments()]
    assert parts == [(a["filename"], a["content_type"], a["size"]) for a in attachments]


def test_outbox_lists_messages_newest_first(mail_server, api):
    import httpx

    client = api("eu-token", server=mail_server)  # two sends of its own (xdist-safe)
    for invoice in client.get("/billing/invoices").json()["data"][:2]:
        client.post(f"/billing/invoices/{invoice['id']}/send")
    data = httpx.get(f"{mail_server.url}/_mock/outbox").json()["data"]
    assert data and data[0]["sent_at"] >= data[-1]["sent_at"]
    assert {"to", "subject", "language", "body", "attachments"} <= set(data[0])


def test_send_with_missing_einvoice_data_is_400_and_sends_nothing(mail_server, api):
    client = api("demo-token", server=mail_server)
    client.put("/billing/billing-profile", json={"company_name": "Demo BV",
                                                 "preferred_einvoice_format": "xrechnung"})
    invoice = client.get("/billing/invoices", params={"status": "finalized"}).json()["data"][0]
    before = len(mail_server.store.outbox)
    r = client.post(f"/billing/invoices/{invoice['id']}/send")
    assert r.status_code == 400 and r.json()["error"]["details"]["missing_fields"] == [
        "leitweg_id"]
    assert len(mail_server.store.outbox) == before
    assert client.get(f"/billing/invoices/{invoice['id']}").json()["data"]["status"] == \
        "finalized"
