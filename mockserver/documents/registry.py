"""The one table of document formats: how each is rendered, named and served."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from mockserver.documents import cii, facturx, pdf, ubl
from mockserver.documents.facts import InvoiceFacts, invoice_facts
from mockserver.documents.model import PDF, XML, MissingDocumentData, RenderedDocument
from mockserver.domain.errors import Conflict, InvalidRequest
from mockserver.domain.invoices import Invoice


@dataclass(frozen=True)
class DocumentFormat:
    """One entry of the registry."""

    name: str
    media_type: str
    suffix: str
    render: Callable[[InvoiceFacts], bytes]
    missing_fields: Callable[[dict], list[str]] = lambda buyer: []


_FORMATS = (
    DocumentFormat("pdf", PDF, ".pdf", pdf.render_pdf),
    DocumentFormat("ubl", XML, "-ubl.xml", partial(ubl.render_ubl, profile=ubl.PEPPOL),
                   ubl.PEPPOL.missing_fields),
    DocumentFormat("xrechnung", XML, "-xrechnung.xml",
                   partial(ubl.render_ubl, profile=ubl.XRECHNUNG), ubl.XRECHNUNG.missing_fields),
    DocumentFormat("cii", XML, "-cii.xml", cii.render_cii),
    DocumentFormat("zugferd", PDF, "-zugferd.pdf",
                   partial(facturx.render_facturx, profile=facturx.ZUGFERD)),
    DocumentFormat("facturx", PDF, "-facturx.pdf",
                   partial(facturx.render_facturx, profile=facturx.FACTURX)),
)
REGISTRY: dict[str, DocumentFormat] = {entry.name: entry for entry in _FORMATS}
FORMATS: tuple[str, ...] = tuple(REGISTRY)


def document_format(fmt: str) -> DocumentFormat:
    """The registry entry for ``fmt``; an unknown name names the known ones."""
    try:
        return REGISTRY[fmt]
    except KeyError:
        raise InvalidRequest(
            f"unknown document format '{fmt}'; known formats: {', '.join(FORMATS)}",
            format=fmt, allowed=list(FORMATS),
        ) from None


def required_fields(invoice: Invoice, fmt: str) -> list[str]:
    """The buyer fields ``fmt`` needs that the invoice's buyer snapshot lacks."""
    return document_format(fmt).missing_fields(invoice.buyer or {})


def render(invoice: Invoice, fmt: str) -> RenderedDocument:
    """Render a finalized invoice or credit note in one format.

    Raises :class:`MissingDocumentData` when the format's mandatory buyer data is missing
    and :class:`~mockserver.domain.errors.Conflict` for a draft, which has no number yet.
    """
    entry = document_format(fmt)
    missing = entry.missing_fields(invoice.buyer or {})
    if missing:
        raise MissingDocumentData(fmt, missing)
    if invoice.number is None or invoice.vat is None:
        raise Conflict(f"Invoice {invoice.id} is a draft; only finalized invoices have documents")
    content = entry.render(invoice_facts(invoice))
    return RenderedDocument(content, entry.media_type, f"{invoice.number}{entry.suffix}", fmt)
