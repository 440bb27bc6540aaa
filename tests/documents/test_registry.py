"""The public surface: formats, names, media types, and refusals for missing data."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

import mockserver.documents as documents_api
from mockserver.documents import (
    FORMATS,
    MissingDocumentData,
    RenderedDocument,
    render,
    required_fields,
)
from mockserver.domain.errors import Conflict, InvalidRequest
from mockserver.domain.invoices import Invoice
from tests.documents.samples import sample_invoices

INVOICES = sample_invoices()
NL, DE = INVOICES[0], INVOICES[1]


def test_public_api_is_curated():
    assert documents_api.__all__ == [
        "FORMATS", "DocumentCache", "MissingDocumentData", "RenderedDocument", "render",
        "required_fields",
    ]
    assert FORMATS == ("pdf", "ubl", "xrechnung", "cii", "zugferd", "facturx")


@pytest.mark.parametrize(("fmt", "invoice", "media_type", "filename"), [
    ("pdf", NL, "application/pdf", "SCAI-2026-000001.pdf"),
    ("ubl", NL, "application/xml", "SCAI-2026-000001-ubl.xml"),
    ("xrechnung", DE, "application/xml", "SCAI-2026-000002-xrechnung.xml"),
    ("cii", NL, "application/xml", "SCAI-2026-000001-cii.xml"),
    ("zugferd", NL, "application/pdf", "SCAI-2026-000001-zugferd.pdf"),
    ("facturx", NL, "application/pdf", "SCAI-2026-000001-facturx.pdf"),
])
def test_each_format_names_and_types_its_document(documents, fmt, invoice, media_type, filename):
    document = documents.get_or_render(invoice, fmt)
    assert isinstance(document, RenderedDocument)
    assert (document.media_type, document.filename) == (media_type, filename)
    magic = b"%PDF-" if media_type == "application/pdf" else b"<?xml"
    assert document.content.startswith(magic)
    with pytest.raises(FrozenInstanceError):
        document.filename = "other"  # type: ignore[misc]


def test_credit_note_filename_uses_its_own_number(documents):
    assert documents.get_or_render(INVOICES[7], "pdf").filename == "SCAI-CN-2026-000001.pdf"


def _without(invoice: Invoice, *fields: str) -> Invoice:
    buyer = {key: value for key, value in invoice.buyer.items() if key not in fields}
    return replace(invoice, buyer=buyer)


def test_xrechnung_without_leitweg_id_is_refused_naming_the_field():
    invoice = _without(DE, "leitweg_id")
    assert required_fields(invoice, "xrechnung") == ["leitweg_id"]
    with pytest.raises(MissingDocumentData) as caught:
        render(invoice, "xrechnung")
    assert caught.value.missing_fields == ["leitweg_id"]
    assert "leitweg_id" in str(caught.value) and "xrechnung" in str(caught.value)
    assert isinstance(caught.value, InvalidRequest)
    assert caught.value.context["missing_fields"] == ["leitweg_id"]


@pytest.mark.parametrize(("buyer_changes", "missing"), [
    ({"peppol_id": None, "peppol_scheme": None}, ["peppol_id", "peppol_scheme"]),
    ({"peppol_id": None}, ["peppol_id"]),
    ({"peppol_id": "12345678", "peppol_scheme": None}, ["peppol_scheme"]),
    ({"peppol_id": "12345678", "peppol_scheme": "iso6523-actorid-upis"}, ["peppol_scheme"]),
    ({"peppol_id": "12345678", "peppol_scheme": "0106"}, []),
    ({"peppol_id": "0106:12345678", "peppol_scheme": None}, []),
])
def test_peppol_needs_a_complete_participant_id(buyer_changes, missing):
    invoice = replace(NL, buyer={**NL.buyer, **buyer_changes})
    assert required_fields(invoice, "ubl") == missing
    if missing:
        with pytest.raises(MissingDocumentData) as caught:
            render(invoice, "ubl")
        assert caught.value.missing_fields == missing
        assert all(field in caught.value.message for field in missing)
    else:
        assert b"schemeID=\"0106\">12345678<" in render(invoice, "ubl").content


@pytest.mark.parametrize("fmt", ["pdf", "cii", "zugferd", "facturx"])
def test_formats_without_routing_needs_accept_any_buyer(fmt):
    assert required_fields(_without(NL, "peppol_id", "peppol_scheme", "leitweg_id"), fmt) == []


def test_unknown_format_is_an_invalid_request_listing_the_known_ones():
    with pytest.raises(InvalidRequest, match="pdf, ubl, xrechnung, cii, zugferd, facturx"):
        render(NL, "docx")


def test_a_draft_has_no_documents():
    draft = replace(NL, number=None, vat=None, status=NL.status)
    with pytest.raises(Conflict):
        render(draft, "pdf")
