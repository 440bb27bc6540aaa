"""A service period ends the day before the next one starts: in the JSON, the PDF and the XML.

A monthly period that starts on the 5th ends on the 4th of the next month; the period's
invoice is issued the day after its last day (when the next period starts).
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from itertools import pairwise

from lxml import etree
from pypdf import PdfReader

from mockserver.domain.localize import format_date
from mockserver.domain.subscriptions import add_months

DAY = timedelta(days=1)
UBL = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
       "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
CII = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
       "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _period_invoices(client) -> list[dict]:
    listed = client.get("/billing/invoices", params={"page_size": 100}).json()["data"]
    found = [client.get(f"/billing/invoices/{i['id']}").json()["data"] for i in listed
             if i["period_start"] and i["document_type"] == "invoice"]
    return sorted(found, key=lambda i: i["period_start"])


def test_monthly_periods_end_the_day_before_the_next_starts_in_the_json(api):
    client = api("demo-token")
    invoices = _period_invoices(client)
    assert len(invoices) == 8
    for earlier, later in pairwise(invoices):
        assert _day(earlier["period_end"]) + DAY == _day(later["period_start"]), earlier["number"]
    for invoice in invoices:
        start, end = _day(invoice["period_start"]), _day(invoice["period_end"])
        assert end == add_months(start, 1) - DAY, invoice["number"]
        assert _day(invoice["issue_date"]) == end + DAY  # issued when the next one starts
        for line in invoice["line_items"]:
            assert (_day(line["period_start"]), _day(line["period_end"])) == (start, end)


def test_the_estimate_and_the_overview_end_the_current_period_on_its_last_day(api):
    client = api("demo-token")
    upcoming = client.get("/billing/upcoming").json()["data"]
    closes = _day(upcoming["issue_date"])
    assert _day(upcoming["period_end"]) == closes - DAY
    subscription_lines = [li for li in upcoming["line_items"] if li["kind"] == "subscription"]
    assert subscription_lines and all(_day(li["period_end"]) == closes - DAY
                                      for li in subscription_lines)
    overview = client.get("/billing/overview").json()["data"]
    ends = {_day(s["current_period_end"]) for s in overview["subscriptions"]}
    assert ends == {_day(overview["next_invoice_date"]) - DAY}


def test_the_xml_and_the_pdf_print_the_last_day_of_the_period(api):
    client = api("demo-token")
    invoice = _period_invoices(client)[-1]
    end = _day(invoice["period_end"])
    assert end == _day(invoice["issue_date"]) - DAY
    path = f"/billing/invoices/{invoice['id']}/download"
    ubl = etree.fromstring(client.get(path, params={"format": "ubl"}).content)
    assert ubl.xpath("cac:InvoicePeriod/cbc:EndDate/text()", namespaces=UBL) == [end.isoformat()]
    assert set(ubl.xpath("//cac:InvoiceLine/cac:InvoicePeriod/cbc:EndDate/text()",
                         namespaces=UBL)) == {end.isoformat()}
    cii = etree.fromstring(client.get(path, params={"format": "cii"}).content)
    ends = cii.xpath("//ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString/text()",
                     namespaces=CII)
    assert ends and set(ends) == {end.strftime("%Y%m%d")}
    pdf = client.get(f"/billing/invoices/{invoice['id']}/pdf").content
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    start = _day(invoice["period_start"])
    assert f"{format_date(start, 'nl')} \u2013 {format_date(end, 'nl')}" in text


def test_no_two_invoices_of_a_library_scenario_bill_the_same_day():
    from mockserver.scenarios import LIBRARY_DIR, build_store, load_file

    checked = 0
    for path in sorted(LIBRARY_DIR.glob("*.yaml")):
        store = build_store(load_file(path), source=str(path))
        for tenant in store.tenants.values():
            billed: dict[str, list] = {}  # what each line bills, by the line's description
            for invoice in tenant.invoices.values():
                for line in invoice.line_items if not invoice.is_credit_note else ():
                    start = line.period_start or invoice.period_start
                    end = line.period_end or invoice.period_end
                    if start:
                        billed.setdefault(line.description, []).append(
                            (start, end, invoice.number))
            for periods in billed.values():
                periods.sort()
                for (_, end, number), (start, _, _) in pairwise(periods):
                    assert end < start, f"{path.stem}: {number} overlaps the next period"
                    checked += 1
    assert checked >= 5


def test_a_scenario_period_that_ends_before_it_starts_is_refused():
    import pytest

    from mockserver.scenarios import ScenarioError, parse

    invoice = {"issued_at": "2026-03-01T06:00:00Z", "status": "finalized",
               "period_start": "2026-02-01", "period_end": "2026-01-31",
               "lines": [{"description": "x", "unit_price_cents": 100}]}
    scenario = {"name": "bad-period", "description": "an invoice period that ends too early",
                "tenants": [{"key": "t", "profile": {
        "company_name": "A", "address_line1": "B 1", "postal_code": "1000", "city": "C",
        "country_code": "NL"}, "invoices": [invoice]}]}
    with pytest.raises(ScenarioError) as caught:
        parse(scenario)
    assert caught.value.path == "tenants[0].invoices[0].period_end"


def test_a_subscription_from_the_31st_is_billed_to_the_end_of_each_month(tmp_path):
    """Periods keep the day they started on: 31 January - 27 February, 28 February -
    30 March, 31 March - 29 April (the 28th stuck before), in the JSON and the XML."""
    import httpx
    import yaml

    from mockserver.settings import Settings
    from mockserver.testing import LiveServer

    profile = {"company_name": "Period BV", "address_line1": "Straat 1", "postal_code": "1000 AA",
               "city": "Amsterdam", "country_code": "NL", "vat_number": "NL856321478B01",
               "contact_email": "a@x.example", "peppol_id": "0106:55667788"}
    scenario = {"name": "month-ends", "description": "a monthly plan from the 31st",
                "seed": 3, "clock": {"start": "2026-01-31T09:00:00Z", "mode": "frozen"},
                "tenants": [{"key": "p", "tokens": ["p-token"], "profile": profile,
                             "subscriptions": [{"plan": "pro", "period_start": "2026-01-31"}],
                             "payment_methods": [{"provider": "stripe", "type": "card",
                                                  "default": True}]}]}
    path = tmp_path / "month-ends.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    with LiveServer(Settings(scenario=str(path))) as server:
        assert httpx.post(f"{server.url}/_mock/clock/advance",
                          json={"days": 90}).status_code == 200
        with httpx.Client(base_url=server.api_url, timeout=30,
                          headers={"Authorization": "Bearer p-token"}) as client:
            invoices = _period_invoices(client)
            ubl = etree.fromstring(client.get(f"/billing/invoices/{invoices[1]['id']}/download",
                                              params={"format": "ubl"}).content)
    periods = [(i["period_start"], i["period_end"]) for i in invoices]
    assert periods == [("2026-01-31", "2026-02-27"), ("2026-02-28", "2026-03-30"),
                       ("2026-03-31", "2026-04-29")]
    assert ubl.xpath("cac:InvoicePeriod/cbc:EndDate/text()", namespaces=UBL) == ["2026-03-30"]
