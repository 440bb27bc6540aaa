"""Handlers of ``/_mock/tenants/{tenant_id}``: one tenant as QA sees it, and its documents
without the tenant's token (the console's document links)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Response

from mockserver import documents
from mockserver.control.access import control_operation
from mockserver.domain.errors import NotFound
from mockserver.edge.envelope import ok
from mockserver.services import documents as document_service


def _known(store, tenant_id: str):
    """The tenant, if the world has it (a read never makes one, unlike a token's first call)."""
    tenant = store.tenants.get(tenant_id)
    if tenant is None:
        raise NotFound(f"Tenant '{tenant_id}' not found")
    return tenant


def _invoice(invoice) -> dict:
    return {"id": invoice.id, "number": invoice.number, "document_type": invoice.document_type,
            "status": invoice.status.value, "currency": invoice.currency,
            "total_cents": invoice.total_cents, "amount_due_cents": invoice.amount_due_cents,
            "issue_date": invoice.issue_date, "due_date": invoice.due_date,
            "formats": [f for f in documents.FORMATS if not documents.required_fields(invoice, f)]}


def _method(method) -> dict:
    data = asdict(method)
    data.pop("fails_charges")
    return {**data, "fails_charges": method.fails_charges}  # the simulation's, shown to QA


@control_operation
def get_tenant(rt, tenant_id):
    store = rt.store
    tenant = _known(store, tenant_id)
    profile = tenant.profile
    return ok({
        "id": tenant.id, "key": tenant.name,
        "tokens": sorted(t for t, grant in store.tokens.items() if grant.tenant_id == tenant.id),
        "profile": None if profile is None else {
            "company_name": profile.company_name, "country_code": profile.country_code,
            "contact_email": profile.contact_email, "vat_number": profile.vat_number,
            "preferred_language": profile.preferred_language,
            "preferred_einvoice_format": profile.preferred_einvoice_format},
        "invoices": [_invoice(i) for i in tenant.visible_invoices()],
        "payment_methods": [_method(m) for m in tenant.methods.active()],
        "subscriptions": [{"id": s.id, "plan": s.plan.name, "status": s.status,
                           "current_period_end": s.current_period_end}
                          for s in tenant.subscriptions],
    }, store.clock.now())


@control_operation(held=False)  # renders outside the lock, as the API's downloads do
def get_tenant_document(rt, tenant_id, invoice_id, format="pdf"):  # noqa: A002
    with rt.world.held() as store:
        _known(store, tenant_id)
    document = document_service.document(rt.world, tenant_id, invoice_id, format)
    return Response(document.content, mimetype=document.media_type, headers={
        "Content-Disposition": f'inline; filename="{document.filename}"'})


HANDLERS = {"getTenant": get_tenant, "getTenantDocument": get_tenant_document}
