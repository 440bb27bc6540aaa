"""Payment methods, providers, overview and upcoming over HTTP."""

import pytest


def test_providers_list_and_config(api):
    providers = api(None).get("/billing/payment-providers").json()["data"]
    assert [p["slug"] for p in providers] == ["stripe", "mollie", "crypto"]
    stripe = api(None).get("/billing/payment-providers/stripe/config").json()["data"]
    assert stripe["publishable_key"].startswith("pk_test_") and stripe["test_mode"] is True
    r = api(None).get("/billing/payment-providers/paypal/config")  # a plain string: a 404
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_methods_add_default_delete_flow(fresh_tenant):
    c = fresh_tenant
    assert c.get("/billing/payment-methods").json()["data"] == []
    card = c.post("/billing/payment-methods", json={"provider_slug": "stripe",
                                                    "method_type": "card"})
    assert card.status_code == 201
    card = card.json()["data"]
    assert card["is_default"] and card["brand"] == "visa" and card["provider_ref"].startswith("pm_")
    ideal = c.post("/billing/payment-methods", json={
        "provider_slug": "mollie", "method_type": "ideal",
        "return_url": "https://app.example/billing"}).json()["data"]
    assert not ideal["is_default"] and ideal["provider_ref"].startswith("mdt_")
    made_default = c.post(f"/billing/payment-methods/{ideal['id']}/default").json()["data"]
    assert made_default["is_default"]
    listed = {m["id"]: m["is_default"] for m in c.get("/billing/payment-methods").json()["data"]}
    assert listed == {card["id"]: False, ideal["id"]: True}
    deleted = c.delete(f"/billing/payment-methods/{ideal['id']}").json()["data"]
    assert deleted == {"id": ideal["id"], "status": "inactive", "deleted": True,
                       "new_default_id": card["id"]}
    assert [m["id"] for m in c.get("/billing/payment-methods").json()["data"]] == [card["id"]]
    assert c.delete(f"/billing/payment-methods/{ideal['id']}").status_code == 404
    assert c.post(f"/billing/payment-methods/{ideal['id']}/default").status_code == 404


@pytest.mark.parametrize("body, kind", [
    ({"provider_slug": "stripe", "method_type": "ideal"}, "enum"),
    ({"provider_slug": "paypal", "method_type": "card"}, "union_tag_invalid"),
    ({"method_type": "card"}, "union_tag_not_found"),
    ({"provider_slug": "mollie", "method_type": "ideal", "return_url": "javascript:alert(1)"},
     "string_pattern_mismatch"),
])
def test_bad_method_requests_are_422(fresh_tenant, body, kind):
    r = fresh_tenant.post("/billing/payment-methods", json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == kind
    assert fresh_tenant.get("/billing/payment-methods").json()["data"] == []


def test_another_tenants_method_is_404(api, fresh_tenant):
    theirs = api().get("/billing/payment-methods").json()["data"][0]["id"]
    assert fresh_tenant.post(f"/billing/payment-methods/{theirs}/default").status_code == 404
    assert fresh_tenant.delete(f"/billing/payment-methods/{theirs}").status_code == 404
    assert api().get("/billing/payment-methods").json()["data"][0]["id"] == theirs


def test_setup_validates_its_body_before_anything(fresh_tenant):
    r = fresh_tenant.post("/billing/payment-providers/stripe/setup", json={"method_type": "x"})
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["detail"]} == {("body", "method_type"),
                                                             ("body", "return_url")}


def test_overview_sums_open_and_past_due_invoices(api):
    c = api("us-token")
    overview = c.get("/billing/overview").json()["data"]
    invoices = c.get("/billing/invoices", params={"page_size": 100}).json()["data"]
    owed = [i for i in invoices if i["status"] in ("finalized", "sent", "past_due")
            and i["document_type"] == "invoice"]
    assert overview["outstanding_cents"] == sum(i["total_cents"] for i in owed)
    assert overview["past_due_cents"] == sum(i["total_cents"] for i in owed
                                             if i["status"] == "past_due")
    assert overview["invoice_count"] == 10 and overview["credit_balance_cents"] > 0
    assert overview["default_payment_method"]["is_default"] is True
    assert overview["mrr_cents"] == 4900 + 1900


def test_overview_of_a_new_tenant(api):
    overview = api("new-token").get("/billing/overview").json()["data"]
    assert overview["has_billing_profile"] is False and overview["invoice_count"] == 0
    assert overview["default_payment_method"] is None and overview["last_invoice"] is None


@pytest.mark.parametrize("token, category, rate", [
    ("demo-token", "S", "21.00"), ("eu-token", "AE", "0.00"), ("us-token", "G", "0.00"),
    ("de-token", "S", "21.00"), ("new-token", "S", "21.00"),
])
def test_upcoming_uses_the_tenants_vat_case(api, token, category, rate):
    data = api(token).get("/billing/upcoming").json()["data"]
    assert data["tax_category"] == category and data["tax_rate"] == rate
    assert data["total_cents"] == data["subtotal_cents"] + data["tax_cents"]
    assert data["subtotal_cents"] == sum(li["amount_cents"] for li in data["line_items"])
