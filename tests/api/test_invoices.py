"""Invoices over HTTP: list, detail, send, and the not-yet-built documents."""

import httpx
import pytest


def all_invoices(client):
    return client.get("/billing/invoices", params={"page_size": 100}).json()["data"]


def test_list_is_paginated_newest_first_without_drafts(api):
    c = api()
    first = c.get("/billing/invoices", params={"page_size": 4}).json()
    assert first["pagination"] == {"page": 1, "page_size": 4, "total": 10, "total_pages": 3}
    last = c.get("/billing/invoices", params={"page_size": 4, "page": 3}).json()
    assert len(last["data"]) == 2
    ids = [i["id"] for p in (1, 2, 3) for i in c.get(
        "/billing/invoices", params={"page_size": 4, "page": p}).json()["data"]]
    assert len(ids) == len(set(ids)) == 10
    dates = [i["issue_date"] for i in all_invoices(c)]
    assert dates == sorted(dates, reverse=True)
    assert all(i["status"] != "draft" and i["line_items"] is None for i in all_invoices(c))


def test_defaults_and_page_past_the_end(api):
    page = api().get("/billing/invoices").json()
    assert page["pagination"]["page"] == 1 and page["pagination"]["page_size"] == 20
    empty = api().get("/billing/invoices", params={"page": 99}).json()
    assert empty["data"] == [] and empty["pagination"]["total"] == 10


@pytest.mark.parametrize("status", ["finalized", "sent", "past_due", "paid", "void"])
def test_status_filter(api, status):
    found = api().get("/billing/invoices", params={"status": status}).json()["data"]
    assert found and {i["status"] for i in found} == {status}


def test_draft_filter_finds_nothing(api):
    assert api().get("/billing/invoices", params={"status": "draft"}).json()["data"] == []


@pytest.mark.parametrize("params, loc", [
    ({"page": 0}, ["query", "page"]), ({"page_size": 101}, ["query", "page_size"]),
    ({"page_size": "ten"}, ["query", "page_size"]),
])
def test_bad_list_parameters_are_422_not_clamped(api, params, loc):
    r = api().get("/billing/invoices", params=params)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == loc


def test_detail_has_lines_whose_sums_are_the_totals(api):
    c = api("eu-token")
    for summary in all_invoices(c):
        detail = c.get(f"/billing/invoices/{summary['id']}").json()["data"]
        lines = detail["line_items"]
        assert lines and [li["order_index"] for li in lines] == list(range(len(lines)))
        assert detail["subtotal_cents"] == sum(li["amount_cents"] for li in lines)
        assert detail["tax_cents"] == sum(li["tax_cents"] for li in lines)
        assert detail["total_cents"] == detail["subtotal_cents"] + detail["tax_cents"]
        assert detail["reverse_charge"] and {li["tax_category"] for li in lines} == {"AE"}


def test_credit_note_is_negative_and_references_its_invoice(api):
    c = api()
    [note] = [i for i in all_invoices(c) if i["document_type"] == "credit_note"]
    assert note["number"].startswith("SCAI-CN-") and note["total_cents"] < 0
    original = c.get(f"/billing/invoices/{note['referenced_invoice_id']}").json()["data"]
    assert original["number"] == note["referenced_invoice_number"]


def test_another_tenants_invoice_is_404_like_an_unknown_one(api):
    theirs = all_invoices(api("eu-token"))[0]["id"]
    for path in (f"/billing/invoices/{theirs}", f"/billing/invoices/{theirs}/pdf",
                 f"/billing/invoices/{theirs}/download"):
        r = api().get(path)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", path
    assert api().post(f"/billing/invoices/{theirs}/send").status_code == 404
    assert api().get("/billing/invoices/inv_doesnotexist").status_code == 404


def test_send_moves_finalized_to_sent_and_keeps_the_message(own_server, api):
    c = api(server=own_server)
    invoice = c.get("/billing/invoices", params={"status": "finalized"}).json()["data"][0]
    r = c.post(f"/billing/invoices/{invoice['id']}/send")
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["status"] == "sent" and data["number"] == invoice["number"]
    profile = c.get("/billing/billing-profile").json()["data"]
    assert data["to"] == profile["contact_email"]
    assert c.get(f"/billing/invoices/{invoice['id']}").json()["data"]["status"] == "sent"
    message = own_server.store.outbox[-1]
    assert message["invoice_id"] == invoice["id"] and message["language"] == "nl"
    assert invoice["number"] in message["subject"] and "Factuur" in message["subject"]
    again = c.post(f"/billing/invoices/{invoice['id']}/send")
    assert again.status_code == 200 and again.json()["data"]["status"] == "sent"


def test_a_re_send_mails_again_and_answers_the_invoices_own_sent_at(own_server, api):
    """Re-sending a ``sent`` invoice is a 200 that mails it again; the answer's ``sent_at`` is
    the invoice's (when it was first sent), not the time of the new mail."""
    c = api(server=own_server)
    invoice = c.get("/billing/invoices", params={"status": "sent"}).json()["data"][0]
    assert invoice["sent_at"] is not None
    before = len(own_server.store.outbox)
    httpx.post(f"{own_server.url}/_mock/clock/advance", json={"hours": 2}).raise_for_status()
    r = c.post(f"/billing/invoices/{invoice['id']}/send")
    assert r.status_code == 200
    data = r.json()["data"]
    assert (data["status"], data["sent_at"]) == ("sent", invoice["sent_at"])
    after = c.get(f"/billing/invoices/{invoice['id']}").json()["data"]
    assert (after["status"], after["sent_at"]) == ("sent", invoice["sent_at"])
    assert len(own_server.store.outbox) == before + 1  # mailed again
    assert own_server.store.outbox[-1]["invoice_id"] == invoice["id"]


@pytest.mark.parametrize("status", ["paid", "past_due", "void"])
def test_send_from_other_states_is_409_naming_the_state(own_server, api, status):
    c = api(server=own_server)
    invoice = c.get("/billing/invoices", params={"status": status}).json()["data"][0]
    r = c.post(f"/billing/invoices/{invoice['id']}/send")
    assert r.status_code == 409 and f"'{status}'" in r.json()["error"]["message"]
    assert c.get(f"/billing/invoices/{invoice['id']}").json()["data"]["status"] == status


def test_send_without_contact_email_is_400_and_changes_nothing(own_server, api):
    c = api("us-token", server=own_server)
    c.put("/billing/billing-profile", json={"company_name": "US Co", "contact_email": None})
    invoice = c.get("/billing/invoices", params={"status": "finalized"}).json()["data"][0]
    before = len(own_server.store.outbox)
    r = c.post(f"/billing/invoices/{invoice['id']}/send")
    assert r.status_code == 400 and "contact_email" in r.json()["error"]["message"]
    assert c.get(f"/billing/invoices/{invoice['id']}").json()["data"]["status"] == "finalized"
    assert len(own_server.store.outbox) == before


def test_an_unknown_download_format_is_a_400_naming_the_known_ones(api):
    """``format`` is a plain string in the reference: the handler checks it, not FastAPI."""
    invoice = all_invoices(api())[0]["id"]
    r = api().get(f"/billing/invoices/{invoice}/download", params={"format": "docx"})
    assert r.status_code == 400 and r.json()["error"]["details"]["allowed"] == [
        "pdf", "ubl", "xrechnung", "cii", "zugferd", "facturx"]


def test_an_unknown_status_filter_finds_nothing(api):
    """``status`` is a plain string in the reference: no state of that name, no invoice."""
    r = api().get("/billing/invoices", params={"status": "open"})
    assert r.status_code == 200 and r.json()["data"] == []
    assert r.json()["pagination"]["total"] == 0


@pytest.mark.parametrize("path", ["/api/v1//billing/invoices", "/api/v1//billing/invoices/x",
                                  "/api/v1/billing//invoices/x/pdf"])
def test_a_doubled_slash_is_not_found_not_a_server_error(live, path):
    import httpx

    r = httpx.get(live.url + path, headers={"Authorization": "Bearer demo-token"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
