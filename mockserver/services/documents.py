"""Invoice documents for the API: which format, from the cache, or a redirect to ``pdf_url``."""

from __future__ import annotations

from mockserver.documents import DocumentCache, RenderedDocument
from mockserver.domain.invoices import Invoice
from mockserver.state import Store


def preferred_format(store: Store, tenant_id: str) -> str:
    """The profile's preferred e-invoice format, else the PDF."""
    with store.lock:
        profile = store.tenant(tenant_id).profile
        return (profile and profile.preferred_einvoice_format) or "pdf"


def visible(store: Store, tenant_id: str, invoice_id: str) -> Invoice:
    with store.lock:
        return store.tenant(tenant_id).visible_invoice(invoice_id)


def document(store: Store, cache: DocumentCache, tenant_id: str, invoice_id: str,
             fmt: str | None) -> RenderedDocument:
    """Rendered once per finalized invoice and format (outside the store lock: a render is
    slow and the finalized content it reads never changes)."""
    invoice = visible(store, tenant_id, invoice_id)
    return cache.get_or_render(invoice, fmt or preferred_format(store, tenant_id))


def attachments(cache: DocumentCache, invoice: Invoice, preferred: str | None
                ) -> list[RenderedDocument]:
    """What an invoice e-mail carries: the PDF, and the preferred e-invoice if there is one."""
    found = [cache.get_or_render(invoice, "pdf")]
    if preferred and preferred != "pdf":
        found.append(cache.get_or_render(invoice, preferred))
    return found
