"""Text a scenario puts into invoices, documents and mail: what XML 1.0 cannot carry (NUL and
the other C0 controls but tab, LF and CR; U+FFFE, U+FFFF) is refused at load with its path,
and so is what breaks a one-line field (controls, line and paragraph separators) where the
field goes into a mail header or a document line. What loads, downloads and sends."""

from __future__ import annotations

import json

import httpx
import pytest

from mockserver.settings import Settings
from mockserver.testing import LiveServer

PROFILE = {"company_name": "Acme", "address_line1": "A 1", "postal_code": "1000",
           "city": "Amsterdam", "country_code": "NL", "contact_email": "a@b.nl"}
SELLER = {"legal_name": "Seller BV", "address_line1": "Dam 1", "postal_code": "1012 JS",
          "city": "Amsterdam", "country_code": "NL", "vat_number": "NL123456789B01",
          "registration_number": None, "email": "billing@seller.example", "phone": "+31 20 1",
          "iban": None, "bic": None, "bank_name": None, "website": None}
TOKEN = {"Authorization": "Bearer text-token"}


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(seed=42)) as live:
        yield live


def scenario(description="Setup", notes=None, profile=PROFILE, seller=None, plan=None):
    invoice = {"issued_at": "2026-03-01T06:00:00Z", "status": "finalized",
               "lines": [{"description": description, "unit_price_cents": 100}]}
    if notes is not None:
        invoice["notes"] = notes
    tenant = {"key": "a", "tokens": ["text-token"], "profile": profile, "invoices": [invoice]}
    if plan is not None:
        tenant["subscriptions"] = [{"plan": {"slug": "pro-x", "name": plan,
                                             "service_slug": "api", "base_price_cents": 1000}}]
    found = {"name": "text", "description": "text in documents",
             "clock": {"start": "2026-03-02T00:00:00Z", "mode": "frozen"}, "tenants": [tenant]}
    if seller is not None:
        found["seller"] = seller
    return found


def load(server, data) -> httpx.Response:
    return httpx.post(f"{server.url}/_mock/scenario", content=json.dumps({"scenario": data}),
                      headers={"Content-Type": "application/json"}, timeout=60)


REFUSED = [
    pytest.param(scenario(description="Setup\x00"), "tenants[0].invoices[0].lines[0].description",
                 "U+0000", id="NUL in a line"),
    pytest.param(scenario(description="Setup\x1b[1m"),
                 "tenants[0].invoices[0].lines[0].description", "U+001B", id="ESC in a line"),
    pytest.param(scenario(description="Setup\uffff"),
                 "tenants[0].invoices[0].lines[0].description", "U+FFFF", id="U+FFFF in a line"),
    pytest.param(scenario(notes="n\x00"), "tenants[0].invoices[0].notes", "U+0000",
                 id="NUL in notes"),
    pytest.param(scenario(notes="n\ufffe"), "tenants[0].invoices[0].notes", "U+FFFE",
                 id="U+FFFE in notes"),
    pytest.param(scenario(profile={**PROFILE, "company_name": "Acme\uffff"}),
                 "tenants[0].profile.company_name", "U+FFFF", id="U+FFFF in a profile"),
    pytest.param(scenario(profile={**PROFILE, "company_name": "A\u2028B"}),
                 "tenants[0].profile.company_name", "does not match",
                 id="LINE SEPARATOR in a profile"),
    pytest.param(scenario(seller={**SELLER, "legal_name": "Seller\u2028BV"}),
                 "seller.legal_name", "U+2028 (a line separator)",
                 id="LINE SEPARATOR in the seller's name"),
    pytest.param(scenario(seller={**SELLER, "legal_name": "Seller\ufffe"}),
                 "seller.legal_name", "U+FFFE", id="U+FFFE in the seller's name"),
    pytest.param(scenario(seller={**SELLER, "city": "Amster\x00dam"}), "seller.city", "U+0000",
                 id="NUL in the seller's city"),
    pytest.param(scenario(plan="Pro\uffff"), "tenants[0].subscriptions[0].plan.name", "U+FFFF",
                 id="U+FFFF in a plan's name"),
]


@pytest.mark.parametrize("data, path, says", REFUSED)
def test_text_no_document_can_carry_is_refused_at_load(server, data, path, says):
    before = httpx.get(f"{server.url}/_mock/health").json()["scenario"]
    r = load(server, data)
    assert r.status_code == 400, r.text[:300]
    problems = r.json()["error"]["details"]["problems"]
    assert path in [p["path"] for p in problems], problems
    assert says in next(p["problem"] for p in problems if p["path"] == path)
    assert httpx.get(f"{server.url}/_mock/health").json()["scenario"] == before


@pytest.mark.parametrize("data", [scenario(description="Setup\nand more"),
                                  scenario(notes="Line one\r\n\tLine two \u0085 C1 is XML"),
                                  scenario(description="Café \u00e9 日本")],
                         ids=["a line break in a line", "CR, LF, tab and C1 in notes",
                              "any other text"])
def test_text_that_loads_downloads_and_sends(server, data):
    assert load(server, data).status_code == 200
    with httpx.Client(base_url=server.api_url, headers=TOKEN, timeout=60) as api:
        invoice = api.get("/billing/invoices").json()["data"][0]["id"]
        for fmt in ("pdf", "cii", "facturx", "zugferd"):
            r = api.get(f"/billing/invoices/{invoice}/download", params={"format": fmt})
            assert r.status_code == 200, (fmt, r.text[:200])
        assert api.post(f"/billing/invoices/{invoice}/send").status_code == 200
