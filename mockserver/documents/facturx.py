"""Factur-X / ZUGFeRD: the PDF/A-3b invoice with its CII embedded as ``factur-x.xml``.

The factur-x library does the embedding (``/AF``, ``AFRelationship=/Data``, the ``fx:`` XMP
extension schema). It stamps the PDF with the current time, though, so the stamps are then
set to the invoice's finalization time: the same invoice must give the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO

import pikepdf
from facturx import generate_from_binary

from mockserver.documents.cii import render_cii
from mockserver.documents.facts import InvoiceFacts
from mockserver.documents.labels import labels_for, language_of
from mockserver.documents.pdf import creation_time, render_pdf

LEVEL = "en16931"
_XMP_STAMP = re.compile(rb"(<xmp:(CreateDate|ModifyDate)>)[^<]*(</xmp:\2>)")


@dataclass(frozen=True)
class HybridProfile:
    """The name a hybrid PDF is ordered by; ZUGFeRD 2.x and Factur-X 1.0 are one format."""

    name: str
    keywords: str


FACTURX = HybridProfile("facturx", "Factur-X, EN 16931, invoice")
ZUGFERD = HybridProfile("zugferd", "ZUGFeRD, Factur-X, EN 16931, invoice")


def render_facturx(facts: InvoiceFacts, profile: HybridProfile) -> bytes:
    """The visual PDF/A-3b with the EN 16931 CII attached as Factur-X data."""
    language = language_of(facts.buyer)
    hybrid = generate_from_binary(
        render_pdf(facts),
        render_cii(facts),
        flavor="factur-x",
        level=LEVEL,
        check_xsd=False,  # render_cii has already validated the XML against its schema
        pdf_metadata=_metadata(facts, profile, language),
        lang=language,
        xmp_compression=False,  # plain XMP, so its time stamps can be set below
    )
    return _stamp(hybrid, facts)


def _metadata(facts: InvoiceFacts, profile: HybridProfile, language: str) -> dict:
    labels = labels_for(language, credit_note=facts.is_credit_note)
    title = labels["credit_note" if facts.is_credit_note else "invoice"]
    seller = facts.seller["legal_name"]
    number = facts.invoice.number
    return {
        "author": seller,
        "keywords": profile.keywords,
        "title": f"{seller}: {title} {number}",
        "subject": f"{title} {number} ({facts.invoice.issue_date.isoformat()})",
    }


def _stamp(data: bytes, facts: InvoiceFacts) -> bytes:
    """Replace the generation-time stamps with the invoice's own time; fix the file /ID."""
    moment = creation_time(facts)
    pdf_date = moment.strftime("D:%Y%m%d%H%M%S+00'00'")
    xmp_date = moment.strftime("%Y-%m-%dT%H:%M:%S+00:00").encode()
    with pikepdf.open(BytesIO(data)) as pdf:
        pdf.docinfo["/CreationDate"] = pdf_date
        pdf.docinfo["/ModDate"] = pdf_date
        for spec in pdf.Root.AF:
            spec.EF.F.Params.ModDate = pikepdf.String(pdf_date)
        metadata = pdf.Root.Metadata
        metadata.write(_XMP_STAMP.sub(rb"\g<1>" + xmp_date + rb"\g<3>", metadata.read_bytes()))
        out = BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()
