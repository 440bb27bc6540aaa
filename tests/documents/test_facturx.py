"""Factur-X / ZUGFeRD: the container structure, the embedded CII and its rules.

veraPDF is not available offline, and pikepdf.pdfa cannot approve XMP extension schemas or
embedded files, so full PDF/A-3 conformance of the hybrid is not proven here: the visual PDF
is checked as PDF/A-3b before embedding (test_pdf), and the container's structure below.
"""

from __future__ import annotations

from io import BytesIO

import pikepdf
import pikepdf.pdfa
import pytest
from facturx import get_xml_from_pdf
from lxml import etree

from tests.documents.einvoice_rules import problems
from tests.documents.samples import sample_invoices

INVOICES = sample_invoices()
CASES = [(fmt, invoice) for fmt in ("facturx", "zugferd") for invoice in INVOICES]
XMP = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
}
# What pikepdf.pdfa cannot judge in any Factur-X file (see the module docstring).
KNOWN_UNSUPPORTED = ("embedded files are not supported", "XMP namespace pdfaExtension",
                     "XMP namespace pdfaSchema", "XMP namespace pdfaProperty", "XMP namespace fx=",
                     "XMP property pdfaExtension:schemas", "XMP property fx:", "'/UseAttachments'")


@pytest.mark.parametrize(("fmt", "invoice"), CASES, ids=[f"{f}-{i.number}" for f, i in CASES])
def test_container_structure_and_embedded_xml(documents, schematron, fmt, invoice):
    content = documents.get_or_render(invoice, fmt).content
    with pikepdf.open(BytesIO(content)) as pdf:
        _assert_attachment(pdf)
        _assert_output_intent_and_fonts(pdf)
        _assert_xmp(pdf)
    filename, xml = get_xml_from_pdf(content, check_xsd=True)
    assert filename == "factur-x.xml"
    assert xml == documents.get_or_render(invoice, "cii").content
    assert problems(schematron, "cii", xml) == []


def _assert_attachment(pdf: pikepdf.Pdf) -> None:
    specs = list(pdf.Root.AF)
    assert specs, "catalog /AF lists no associated file"
    spec = specs[0]
    assert str(spec.F) == str(spec.UF) == "factur-x.xml"
    assert spec.AFRelationship in (pikepdf.Name.Data, pikepdf.Name.Alternative, pikepdf.Name.Source)
    stream = spec.EF.F
    assert stream.Subtype == pikepdf.Name("/text/xml")
    assert "/ModDate" in stream.Params


def _assert_output_intent_and_fonts(pdf: pikepdf.Pdf) -> None:
    intent = pdf.Root.OutputIntents[0]
    assert intent.S == pikepdf.Name.GTS_PDFA1 and "/DestOutputProfile" in intent
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _assert_xmp(pdf: pikepdf.Pdf) -> None:
    xmp = etree.fromstring(pdf.Root.Metadata.read_bytes())
    assert xmp.xpath("//pdfaid:part/text()", namespaces=XMP) == ["3"]
    assert xmp.xpath("//pdfaid:conformance/text()", namespaces=XMP) == ["B"]
    assert xmp.xpath("//fx:DocumentType/text()", namespaces=XMP) == ["INVOICE"]
    assert xmp.xpath("//fx:DocumentFileName/text()", namespaces=XMP) == ["factur-x.xml"]
    assert xmp.xpath("//fx:Version/text()", namespaces=XMP) == ["1.0"]
    assert xmp.xpath("//fx:ConformanceLevel/text()", namespaces=XMP) == ["EN 16931"]
    schema = xmp.xpath("//pdfaSchema:namespaceURI/text()", namespaces=XMP)
    assert schema == [XMP["fx"]]
    assert xmp.xpath("//pdfaSchema:prefix/text()", namespaces=XMP) == ["fx"]


@pytest.mark.parametrize("fmt", ["facturx", "zugferd"])
def test_pdfa_findings_are_only_what_the_checker_cannot_judge(documents, fmt):
    content = documents.get_or_render(INVOICES[1], fmt).content
    with pikepdf.open(BytesIO(content)) as pdf:
        report = pikepdf.pdfa.check(pdf, "3b")
    unexpected = [f for f in report.findings if not any(k in f.message for k in KNOWN_UNSUPPORTED)]
    assert unexpected == []


def test_hybrid_shows_the_same_page_as_the_visual_pdf(documents):
    from pypdf import PdfReader

    invoice = INVOICES[1]
    plain = PdfReader(BytesIO(documents.get_or_render(invoice, "pdf").content))
    hybrid = PdfReader(BytesIO(documents.get_or_render(invoice, "facturx").content))
    assert [p.extract_text() for p in hybrid.pages] == [p.extract_text() for p in plain.pages]
