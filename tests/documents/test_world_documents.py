"""Every invoice and credit note of every built-in tenant, in every format, downloaded through
the server: either valid under the official chain, or a 400 naming the missing buyer data."""

from io import BytesIO

import pikepdf
import pytest
from facturx import get_xml_from_pdf
from pypdf import PdfReader

from mockserver.documents import FORMATS
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.documents.einvoice_rules import problems

TOKENS = ["demo-token", "de-token", "eu-token", "us-token"]
# Which buyer fields each tenant lacks for which format (the rest must validate).
MISSING = {
    ("de-token", "ubl"): ["peppol_id"], ("us-token", "ubl"): ["peppol_id"],
    ("demo-token", "xrechnung"): ["leitweg_id"], ("eu-token", "xrechnung"): ["leitweg_id"],
    ("us-token", "xrechnung"): ["leitweg_id"],
}


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(seed=42)) as live:
        yield live


def invoices(client):
    return client.get("/billing/invoices", params={"page_size": 100}).json()["data"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("token", TOKENS)
def test_every_builtin_invoice_in_every_format(server, api, schematron, token, fmt):
    client = api(token, server=server)
    found = invoices(client)
    assert len(found) == 10 and any(i["document_type"] == "credit_note" for i in found)
    for invoice in found:
        r = client.get(f"/billing/invoices/{invoice['id']}/download", params={"format": fmt})
        if (token, fmt) in MISSING:
            assert r.status_code == 400, r.text
            assert r.json()["error"]["details"]["missing_fields"][:1] == MISSING[token, fmt]
            continue
        assert r.status_code == 200, r.text
        assert invoice["number"] in r.headers["content-disposition"]
        content = r.content
        if fmt in ("ubl", "xrechnung", "cii"):
            assert r.headers["content-type"].startswith("application/xml")
            assert problems(schematron, fmt, content) == [], invoice["number"]
        elif fmt == "pdf":
            text = PdfReader(BytesIO(content)).pages[0].extract_text()
            assert invoice["number"] in text
        else:
            _, xml = get_xml_from_pdf(content, check_xsd=True)
            assert problems(schematron, "cii", xml) == [], invoice["number"]
            with pikepdf.open(BytesIO(content)) as pdf:
                assert "/AF" in pdf.Root


def test_default_format_is_the_profiles_preference(server, api):
    for token, expected in [("de-token", "xrechnung.xml"), ("eu-token", "cii.xml"),
                            ("us-token", ".pdf"), ("demo-token", "ubl.xml")]:
        client = api(token, server=server)
        invoice = invoices(client)[0]
        r = client.get(f"/billing/invoices/{invoice['id']}/download")
        assert r.status_code == 200
        assert r.headers["content-disposition"].endswith(f'{expected}"'), token


def test_pdf_route_renders_once_and_redirects_to_a_pdf_url(server, api):
    client = api("demo-token", server=server)
    invoice = invoices(client)[0]
    first = client.get(f"/billing/invoices/{invoice['id']}/pdf")
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert first.content.startswith(b"%PDF")
    misses = server.world.documents.misses
    again = client.get(f"/billing/invoices/{invoice['id']}/pdf")
    assert again.content == first.content
    assert server.world.documents.misses == misses
    with server.store.lock:
        stored = server.store.tenant(server.store.tokens["demo-token"].tenant_id)
        stored.invoices[invoice["id"]].pdf_url = "https://files.example/SCAI.pdf"
    r = client.get(f"/billing/invoices/{invoice['id']}/pdf", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "https://files.example/SCAI.pdf"


def test_german_labels_in_the_german_tenants_pdf(server, api):
    client = api("de-token", server=server)
    invoice = invoices(client)[0]
    text = PdfReader(BytesIO(client.get(
        f"/billing/invoices/{invoice['id']}/pdf").content)).pages[0].extract_text()
    assert "Rechnung" in text and invoice["buyer"]["company_name"].split()[0] in text
