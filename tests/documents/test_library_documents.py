"""Every invoice of every library scenario, after its steps ran (clock moves issue more), in
every format, downloaded through the server: valid under the official chain and our own
EN 16931 arithmetic, or a 400 naming the buyer data the format lacks."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from facturx import get_xml_from_pdf

from mockserver.documents import FORMATS
from mockserver.scenarios import LIBRARY_DIR, load_file
from mockserver.scenarios.replay import Replay
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.documents.einvoice_rules import problems

FILES = sorted(Path(LIBRARY_DIR).glob("*.yaml"))
XML = {"ubl": "ubl", "xrechnung": "xrechnung", "cii": "cii", "zugferd": "cii", "facturx": "cii"}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_library_invoice_in_every_format(schematron, path):
    scenario = load_file(path)
    checked = 0
    with LiveServer(Settings(scenario=str(path))) as server:
        with httpx.Client(timeout=60) as client:
            Replay(scenario, server.api_url, out=lambda line: None, client=client,
                   keep_going=True).run()
        tokens = [token for tenant in scenario.get("tenants", [])
                  for token in tenant.get("tokens", [])[:1]]
        for token in tokens:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=server.api_url, headers=headers, timeout=60) as api:
                checked += _check_tenant(api, schematron)
    if any(tenant.get("invoices") for tenant in scenario.get("tenants", [])):
        assert checked, f"{path.stem}: no document was checked"


def _check_tenant(api: httpx.Client, schematron) -> int:
    r = api.get("/billing/invoices", params={"page_size": 100})
    if r.status_code != 200:  # e.g. a scenario that scripts an outage for this operation
        return 0
    checked = 0
    for invoice in r.json()["data"]:
        for fmt in FORMATS:
            r = api.get(f"/billing/invoices/{invoice['id']}/download", params={"format": fmt})
            if r.status_code == 400:
                assert r.json()["error"]["details"]["missing_fields"], r.text
                continue
            assert r.status_code == 200, (invoice["number"], fmt, r.text)
            if fmt == "pdf":
                assert r.content.startswith(b"%PDF")
                continue
            xml = r.content if fmt in ("ubl", "xrechnung", "cii") else get_xml_from_pdf(
                r.content, check_xsd=True)[1]
            assert problems(schematron, XML[fmt], xml) == [], (invoice["number"], fmt)
            checked += 1
    return checked
