"""Handlers: invoices and their documents."""

from mockserver.api.envelope import ok, paginated
from mockserver.api.operation import MANAGE, READ, operation
from mockserver.api.representations import invoice_json
from flask import Response, redirect

from mockserver.services import documents, invoices


@operation(READ)
def list_invoices(rt, principal, page=1, page_size=20, status=None):
    found = invoices.list_invoices(rt.store, principal.tenant_id, page, page_size, status)
    items = [invoice_json(invoice, detail=False) for invoice in found.items]
    return paginated(items, found.page, found.page_size, found.total, found.total_pages,
                     rt.store.clock.now())


@operation(READ)
def get_invoice(rt, principal, invoice_id):
    invoice = invoices.get_invoice(rt.store, principal.tenant_id, invoice_id)
    return ok(invoice_json(invoice, detail=True), rt.store.clock.now())


@operation(MANAGE)
def send_invoice_email(rt, principal, invoice_id):
    message = invoices.send_invoice(rt.store, rt.documents, principal.tenant_id, invoice_id,
                                    rt.settings.smtp_url)
    result = {
        "invoice_id": message["invoice_id"], "number": message["number"], "status": "sent",
        "sent_at": message["sent_at"], "to": message["to"],
        "message_id": message["message_id"], "attachments": message["attachments"],
    }
    return ok(result, rt.store.clock.now())


@operation(READ)
def download_invoice_pdf(rt, principal, invoice_id):
    invoice = documents.visible(rt.store, principal.tenant_id, invoice_id)
    if invoice.pdf_url:
        return redirect(invoice.pdf_url, code=307)
    return _file(documents.document(rt.store, rt.documents, principal.tenant_id, invoice_id,
                                    "pdf"))


@operation(READ)
def download_invoice_einvoice(rt, principal, invoice_id, format=None):  # noqa: A002
    return _file(documents.document(rt.store, rt.documents, principal.tenant_id, invoice_id,
                                    format))


def _file(document) -> Response:
    return Response(document.content, mimetype=document.media_type, headers={
        "Content-Disposition": f'attachment; filename="{document.filename}"'})
