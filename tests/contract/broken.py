"""Deliberately broken variants of the server, one defect each, as ASGI layers on the mock."""

from __future__ import annotations

import json
import re

from mockserver.api.representations import invoice_json
from mockserver.domain.invoices import InvoiceStatus

INVOICE = re.compile(r"^/api/v1/billing/invoices/(inv_[0-9a-f]+)$")
SEND = re.compile(r"^/api/v1/billing/invoices/(inv_[0-9a-f]+)/send$")


class Defect:
    """Rewrites JSON answers (``rewrite``) or answers some requests itself (``answer``)."""

    def __init__(self, app) -> None:
        self.app = app
        self.store = app.app.extensions["billing_mock"].store  # the mock's world, to misuse

    def rewrite(self, path: str, status: int, body):
        return status, body

    def answer(self, method: str, path: str, query: str):
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        early = self.answer(scope["method"], scope["path"],
                            scope.get("query_string", b"").decode())
        if early is not None:
            return await _send_json(send, *early)
        start, raw = await _answer_of(self.app, scope, receive)
        headers = dict(start.get("headers", []))
        if b"json" in headers.get(b"content-type", b"") and raw:
            status, body = self.rewrite(scope["path"], start["status"], json.loads(raw))
            return await _send_json(send, status, body, start.get("headers", []))
        await send(start)
        await send({"type": "http.response.body", "body": raw})


async def _answer_of(app, scope, receive) -> tuple[dict, bytes]:
    """Run the real app and keep its whole answer (start message, body) for rewriting."""
    start, chunks = {}, []

    async def capture(message):
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    return start, b"".join(chunks)


async def _send_json(send, status, body, headers=()):
    raw = json.dumps(body).encode()
    kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
    await send({"type": "http.response.start", "status": status,
                "headers": kept + [(b"content-type", b"application/json"),
                                   (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})


class WrongEnvelope(Defect):
    def rewrite(self, path, status, body):
        if status == 200 and "data" in body:
            body["result"] = body.pop("data")
        return status, body


class MissingMeta(Defect):
    def rewrite(self, path, status, body):
        body.pop("meta", None)
        return status, body


class TotalsOffByOneCent(Defect):
    def rewrite(self, path, status, body):
        data = body.get("data")
        for invoice in (data if isinstance(data, list) else [data]):
            if isinstance(invoice, dict) and "total_cents" in invoice:
                invoice["total_cents"] += 1
        return status, body


class ServerErrorOnBadInput(Defect):
    def rewrite(self, path, status, body):
        if status == 422:
            return 500, {"error": {"code": "internal_error", "message": "boom",
                                   "request_id": "req_0"}}
        return status, body


class Not422FastAPIShape(Defect):
    def rewrite(self, path, status, body):
        if status == 422:
            return 422, {"errors": ["invalid request"]}
        return status, body


class PaginationTotalWrong(Defect):
    def rewrite(self, path, status, body):
        if "pagination" in body:
            body["pagination"]["total"] += 1
        return status, body


class DefaultMethodRuleBroken(Defect):
    def rewrite(self, path, status, body):
        if path.endswith("/payment-methods") and isinstance(body.get("data"), list):
            for method in body["data"]:
                method["is_default"] = True
        return status, body


class OtherTenantsInvoiceReadable(Defect):
    """An invoice id is looked up in every tenant, whoever asks."""

    def answer(self, method, path, query):
        match = INVOICE.match(path)
        if method != "GET" or not match:
            return None
        for tenant in self.store.tenants.values():
            invoice = tenant.invoices.get(match.group(1))
            if invoice is not None and invoice.status is not InvoiceStatus.DRAFT:
                body = json.loads(json.dumps({"data": invoice_json(invoice, True),
                                              "meta": {"request_id": "req_00", "timestamp":
                                                       "2026-01-01T00:00:00Z"}}, default=str))
                return 200, body
        return None


class SendAllowedFromPaid(Defect):
    def answer(self, method, path, query):
        match = SEND.match(path)
        if method != "POST" or not match:
            return None
        for tenant in self.store.tenants.values():
            invoice = tenant.invoices.get(match.group(1))
            if invoice is not None and invoice.status is InvoiceStatus.PAID:
                return 200, {"data": {"invoice_id": invoice.id, "number": invoice.number,
                                      "status": "sent", "sent_at": "2026-01-01T00:00:00Z",
                                      "to": "x@example.com", "message_id": "<m@x>",
                                      "attachments": []},
                             "meta": {"request_id": "req_00", "timestamp": "2026-01-01T00:00:00Z"}}
        return None


class InvalidXRechnung(Defect):
    """The XRechnung loses its buyer reference (BT-10, rule BR-DE-15)."""

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or b"format=xrechnung" not in scope.get("query_string", b""):
            return await self.app(scope, receive, send)
        start, raw = await _answer_of(self.app, scope, receive)
        raw = re.sub(rb"<cbc:BuyerReference>[^<]*</cbc:BuyerReference>", b"", raw)
        start["headers"] = [(k, str(len(raw)).encode() if k.lower() == b"content-length" else v)
                            for k, v in start.get("headers", [])]
        await send(start)
        await send({"type": "http.response.body", "body": raw})


# defect -> (the check that must name it, the tokens to run with)
DEFECTS = {
    WrongEnvelope: ("billing_envelope", "demo-token"),
    MissingMeta: ("billing_envelope", "demo-token"),
    TotalsOffByOneCent: ("billing_invoice_money", "demo-token"),
    ServerErrorOnBadInput: ("not_a_server_error", "demo-token"),
    Not422FastAPIShape: ("billing_validation_422", "demo-token"),
    PaginationTotalWrong: ("billing_pagination", "demo-token"),
    DefaultMethodRuleBroken: ("billing_default_method", "demo-token"),
    OtherTenantsInvoiceReadable: ("billing_tenant_isolation", "demo-token"),
    SendAllowedFromPaid: ("billing_transitions", "demo-token"),
    InvalidXRechnung: ("billing_einvoice_valid", "de-token"),
}


class CreatedAnswersOk(Defect):
    """Adding a payment method answers 200 where the reference publishes 201."""

    def rewrite(self, path, status, body):
        if status == 201:
            return 200, body
        return status, body


DEFECTS[CreatedAnswersOk] = ("billing_published_answer", "demo-token")
