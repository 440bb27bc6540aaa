"""Sending an invoice: attachments in the outbox, and real MIME mail through an SMTP server."""

import email
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email import policy

import httpx
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


def delivery_of(server: LiveServer, message_id: str, settled: bool = True) -> dict:
    """The outbox's delivery record of a message; with ``settled``, once it has an outcome
    (polled, at most 30 s)."""
    for _ in range(300):
        found = [m for m in httpx.get(f"{server.url}/_mock/outbox").json()["data"]
                 if m["message_id"] == message_id]
        delivery = found[0]["delivery"]
        if not settled or delivery["status"] != "queued":
            return delivery
        time.sleep(0.1)
    raise AssertionError(f"the delivery of {message_id} never settled: {delivery}")


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
    assert delivery_of(mail_server, outbox["message_id"])["status"] == "delivered"
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


class HangingRelay:
    """An SMTP relay that accepts connections and never says a word (until closed)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def hanging_relay():
    relay = HangingRelay()
    yield relay
    relay.close()


def send_one(server: LiveServer, token: str) -> httpx.Response:
    with httpx.Client(base_url=server.api_url, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        invoice = next(i for i in client.get("/billing/invoices").json()["data"]
                       if i["status"] in ("finalized", "sent"))  # a re-send stays sent
        return client.post(f"/billing/invoices/{invoice['id']}/send")


def test_a_hanging_relay_never_holds_the_send_and_the_outbox_records_the_deadline(
        hanging_relay):
    settings = Settings(seed=42, smtp_url=f"smtp://127.0.0.1:{hanging_relay.port}",
                        smtp_deadline=3.0)
    with LiveServer(settings) as server:
        r = send_one(server, "de-token")
        assert r.status_code == 200 and r.json()["data"]["status"] == "sent"
        message_id = r.json()["data"]["message_id"]
        # The answer came while the relay has not said a word: the delivery waits, not us.
        assert delivery_of(server, message_id, settled=False) == {
            "status": "queued", "smtp": f"127.0.0.1:{hanging_relay.port}"}
        delivery = delivery_of(server, message_id)
        assert delivery["status"] == "failed" and "deadline of 3 s" in delivery["error"]


def test_health_and_the_api_answer_while_twelve_sends_wait_for_a_hanging_relay(hanging_relay):
    settings = Settings(seed=42, smtp_url=f"smtp://127.0.0.1:{hanging_relay.port}",
                        smtp_deadline=20.0)
    with LiveServer(settings) as server, ThreadPoolExecutor(12) as pool:
        tokens = ["demo-token", "de-token", "eu-token", "us-token"] * 3
        sends = [pool.submit(send_one, server, token) for token in tokens]
        for _ in range(100):  # until the relay holds connections it never answers
            if hanging_relay.accepted:
                break
            time.sleep(0.05)
        assert hanging_relay.accepted
        health = httpx.get(f"{server.url}/_mock/health", timeout=5)
        assert health.status_code == 200
        listed = httpx.get(f"{server.api_url}/billing/invoices", timeout=5,
                           headers={"Authorization": "Bearer demo-token"})
        assert listed.status_code == 200
        assert all(s.result().status_code == 200 for s in sends)


def test_a_delivery_that_waited_past_its_deadline_is_failed_without_connecting():
    from mockserver.services.mailer import Mailer

    mailer = Mailer("smtp://127.0.0.1:9", deadline=5.0)
    try:
        outcome = mailer.deliver(email.message.EmailMessage(), due=time.monotonic() - 1)
    finally:
        mailer.close()
    assert outcome["status"] == "failed" and "waited for a worker" in outcome["error"]


def unwritable_seller_world():
    """A world built in Python (no scenario check on the way) whose seller's name holds a
    line separator: no mail header can carry it."""
    from mockserver.scenarios import build_store

    seller = {"legal_name": "Scai\u2028Labs", "address_line1": "Dam 1", "postal_code": "1012",
              "city": "Amsterdam", "country_code": "NL", "vat_number": "NL123456789B01",
              "registration_number": None, "email": "billing@seller.example",
              "phone": "+31 20 1", "iban": None, "bic": None, "bank_name": None,
              "website": None}
    profile = {"company_name": "Acme", "address_line1": "A 1", "postal_code": "1000",
               "city": "Amsterdam", "country_code": "NL", "contact_email": "ap@acme.example"}
    invoice = {"issued_at": "2026-03-01T06:00:00Z", "status": "finalized",
               "lines": [{"description": "Setup", "unit_price_cents": 100}]}
    return build_store({"name": "unwritable", "description": "d", "seller": seller,
                        "clock": {"start": "2026-03-02T00:00:00Z", "mode": "frozen"},
                        "tenants": [{"key": "a", "tokens": ["a-token"], "profile": profile,
                                     "invoices": [invoice]}]})


def test_a_message_no_mail_can_carry_is_a_failed_delivery_and_holds_no_slot(smtp):
    """The MIME message is built before anything changes: one that cannot be written is the
    delivery's failure (the send itself is the mock's truth and answers 200, whole), and it
    never takes one of the waiting slots, so later deliveries are not refused for good."""
    controller, inbox = smtp
    settings = Settings(seed=42, smtp_url=f"smtp://127.0.0.1:{controller.port}")
    with LiveServer(settings, store=unwritable_seller_world()) as server:
        server.runtime.mailer.max_waiting = 2
        client = httpx.Client(base_url=server.api_url, timeout=30,
                              headers={"Authorization": "Bearer a-token"})
        invoice = client.get("/billing/invoices").json()["data"][0]["id"]
        for _ in range(4):  # twice the slots: each would have kept one
            r = client.post(f"/billing/invoices/{invoice}/send")
            assert r.status_code == 200, r.text[:300]
            delivery = delivery_of(server, r.json()["data"]["message_id"], settled=False)
            assert delivery["status"] == "failed"
            assert delivery["error"].startswith("the message cannot be written as mail")
        assert client.get(f"/billing/invoices/{invoice}").json()["data"]["status"] == "sent"
        assert len(httpx.get(f"{server.url}/_mock/outbox").json()["data"]) == 4
        loaded = httpx.post(f"{server.url}/_mock/scenario", json={"name": "dunning"})
        assert loaded.status_code == 200
        tenant = httpx.get(f"{server.url}/_mock/tenants").json()["data"][0]
        dunning = httpx.Client(base_url=server.api_url, timeout=30,
                               headers={"Authorization": f"Bearer {tenant['tokens'][0]}"})
        sendable = next(i for i in dunning.get("/billing/invoices").json()["data"]
                        if i["status"] in ("finalized", "sent", "past_due"))
        r = dunning.post(f"/billing/invoices/{sendable['id']}/send")
        assert r.status_code == 200, r.text[:300]
        assert delivery_of(server, r.json()["data"]["message_id"])["status"] == "delivered"
