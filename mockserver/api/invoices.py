"""Handlers: invoices and their documents."""

from flask import Response, redirect

from mockserver.api.representations import invoice_bytes
from mockserver.edge.envelope import JSON, ok, ok_bytes, paginated_bytes, pagination
from mockserver.edge.operation import MANAGE, READ, encoded, operation
from mockserver.services import documents, invoices


@operation(READ)
def list_invoices(rt, principal, page=1, page_size=20, status=None):
    found = invoices.list_invoices(rt.store, principal.tenant_id, page, page_size, status)
    items = [invoice_bytes(rt.world, invoice, detail=False) for invoice in found.items]
    page_info = pagination(found.page, found.page_size, found.total, found.total_pages)
    return Response(paginated_bytes(items, page_info, rt.store.clock.now()), mimetype=JSON)


@operation(READ)
def get_invoice(rt, principal, invoice_id):
    invoice = invoices.get_invoice(rt.store, principal.tenant_id, invoice_id)
    data = invoice_bytes(rt.world, invoice, detail=True)
    return Response(ok_bytes(data, rt.store.clock.now()), mimetype=JSON)


@operation(MANAGE, renders=True)
def send_invoice_email(rt, principal, invoice_id):
    sent = invoices.send_invoice(rt.world, principal.tenant_id, invoice_id, rt.mailer)
    message = sent.message
    result = {
        "invoice_id": message["invoice_id"], "number": message["number"], "status": "sent",
        "sent_at": sent.sent_at, "to": message["to"],
        "message_id": message["message_id"],
        # The outbox also notes each attachment's format (the console links it); the API's
        # answer keeps the three documented fields.
        "attachments": [{k: a[k] for k in ("filename", "content_type", "size")}
                        for a in message["attachments"]],
    }
    return encoded(ok(result, rt.store.clock.now()))


@operation(READ, renders=True)
def download_invoice_pdf(rt, principal, invoice_id):
    pdf_url = documents.pdf_url(rt.world, principal.tenant_id, invoice_id)
    if pdf_url:
        return redirect(pdf_url, code=307)
    return _file(documents.document(rt.world, principal.tenant_id, invoice_id, "pdf"))


@operation(READ, renders=True)
def download_invoice_einvoice(rt, principal, invoice_id, format=None):  # noqa: A002
    return _file(documents.document(rt.world, principal.tenant_id, invoice_id, format))


def _file(document) -> Response:
    return Response(document.content, mimetype=document.media_type, headers={
        "Content-Disposition": f'attachment; filename="{document.filename}"'})
