"""Invoice documents for the API: which format, rendered once per invoice version."""

from __future__ import annotations

from mockserver.documents import RenderedDocument
from mockserver.domain.invoices import Invoice
from mockserver.services.world import World


def preferred_format(profile) -> str:
    """The profile's preferred e-invoice format, else the PDF."""
    return (profile and profile.preferred_einvoice_format) or "pdf"


def pdf_url(world: World, tenant_id: str, invoice_id: str) -> str | None:
    """Where the invoice's own PDF lives, if it has one (the API then redirects there)."""
    with world.held() as store:
        return store.tenant(tenant_id).visible_invoice(invoice_id).pdf_url


def document(world: World, tenant_id: str, invoice_id: str,
             fmt: str | None) -> RenderedDocument:
    """The invoice in ``fmt`` (default: the tenant's preferred format). Read under the lock,
    rendered outside it (a render is slow) from a copy of that moment's invoice."""
    with world.held() as store:
        tenant = store.tenant(tenant_id)
        invoice, version = world.readable_copy(tenant.visible_invoice(invoice_id))
        fmt = fmt or preferred_format(tenant.profile)
    return world.document(invoice, fmt, version)


def attachments(world: World, invoice: Invoice, version, preferred: str | None
                ) -> list[RenderedDocument]:
    """What an invoice e-mail carries: the PDF, and the preferred e-invoice if there is one."""
    found = [world.document(invoice, "pdf", version)]
    if preferred and preferred != "pdf":
        found.append(world.document(invoice, preferred, version))
    return found
