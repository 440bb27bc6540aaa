"""Billing profile and auth over HTTP, through a live server."""

import re

import pytest

from tests.conftest import PROFILE, make_jwt

REQUEST_ID = re.compile(r"^req_[0-9a-f]{16}$")


def test_every_answer_has_meta_and_the_same_request_id_header(api):
    r = api().get("/billing/billing-profile")
    assert r.status_code == 200
    assert REQUEST_ID.match(r.headers["x-request-id"])
    assert r.json()["meta"]["request_id"] == r.headers["x-request-id"]
    assert r.json()["meta"]["timestamp"].endswith("Z")


def test_errors_carry_the_request_id_too(api):
    r = api(None).get("/billing/overview")
    assert r.status_code == 401
    assert r.json()["error"] == {"code": "unauthorized", "message": r.json()["error"]["message"],
                                 "request_id": r.headers["x-request-id"]}


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic dXNlcjpwdw==",
                                    "Bearer a.b.c"])
def test_missing_or_bad_credentials_are_401(live, header):
    import httpx

    headers = {"Authorization": header} if header else {}
    r = httpx.get(f"{live.api_url}/billing/invoices", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_public_provider_routes_need_no_token(api):
    assert api(None).get("/billing/payment-providers").status_code == 200
    assert api(None).get("/billing/payment-providers/stripe/config").status_code == 200


def test_profile_of_the_demo_tenant(api):
    data = api().get("/billing/billing-profile").json()["data"]
    assert data["country_code"] == "NL" and data["preferred_language"] == "nl"
    assert set(data) >= {"tenant_id", "company_name", "created_at", "updated_at"}


def test_new_tenant_has_no_profile_until_the_first_put(fresh_tenant):
    assert fresh_tenant.get("/billing/billing-profile").json()["data"] is None
    r = fresh_tenant.put("/billing/billing-profile", json=PROFILE)
    assert r.status_code == 200
    created = r.json()["data"]
    assert created["company_name"] == PROFILE["company_name"]
    assert created["tenant_id"] == fresh_tenant.tenant_id
    assert created["tax_exempt"] is False and created["address_line2"] is None
    assert fresh_tenant.get("/billing/billing-profile").json()["data"] == created


def test_update_changes_only_the_fields_given(fresh_tenant):
    fresh_tenant.put("/billing/billing-profile", json=PROFILE)
    r = fresh_tenant.put("/billing/billing-profile",
                         json={"company_name": "Renamed BV", "city": None, "unknown": 1})
    data = r.json()["data"]
    assert data["company_name"] == "Renamed BV" and data["city"] is None
    assert data["vat_number"] == PROFILE["vat_number"]
    assert "unknown" not in data


def test_bad_profile_is_a_fastapi_422_and_changes_nothing(fresh_tenant):
    fresh_tenant.put("/billing/billing-profile", json=PROFILE)
    r = fresh_tenant.put("/billing/billing-profile",
                         json={"company_name": "Ok", "country_code": "Belgium",
                               "preferred_language": "pl"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert [e["loc"] for e in detail] == [["body", "country_code"],
                                         ["body", "preferred_language"]]
    assert {e["type"] for e in detail} == {"string_pattern_mismatch", "enum"}
    assert fresh_tenant.get("/billing/billing-profile").json()["data"]["company_name"] == \
        PROFILE["company_name"]


@pytest.mark.parametrize("raw, kind", [(b"{", "json_invalid"), (b"", "missing"),
                                       (b"null", "model_attributes_type"),
                                       (b"[1]", "model_attributes_type")])
def test_broken_bodies(fresh_tenant, raw, kind):
    r = fresh_tenant.put("/billing/billing-profile", content=raw,
                         headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == kind


def test_scopes_from_the_jwt(api):
    reader = api(make_jwt("tnt_scoped", ["billing:read"]))
    assert reader.get("/billing/billing-profile").status_code == 200
    r = reader.put("/billing/billing-profile", json={"company_name": "X"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    nobody = api(make_jwt("tnt_scoped", []))
    assert nobody.get("/billing/invoices").status_code == 403
    assert api(make_jwt("tnt_scoped", ["super_admin"])).put(
        "/billing/billing-profile", json={"company_name": "X"}).status_code == 200


def test_a_jwt_for_an_unseen_tenant_is_a_fresh_empty_tenant(api):
    c = api(make_jwt("tnt_never_seen_before"))
    assert c.get("/billing/invoices").json()["pagination"]["total"] == 0
    assert c.get("/billing/payment-methods").json()["data"] == []
    assert c.get("/billing/billing-profile").json()["data"] is None


def test_cors_is_open_for_browser_frontends(live):
    import httpx

    r = httpx.options(f"{live.api_url}/billing/invoices", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] in ("*", "http://localhost:3000")


def test_unknown_route_and_wrong_method_use_the_envelope(api):
    assert api().get("/billing/nothing-here").json()["error"]["code"] == "not_found"
    r = api().patch("/billing/billing-profile", json={})
    assert r.status_code == 405 and r.headers["allow"] == "GET, PUT"


def test_the_put_body_declares_no_default_a_generated_client_would_send():
    """A client generated from the document sends every declared default on a partial update:
    ``tax_exempt``, ``is_business`` and the language of a stored profile would be overwritten."""
    from mockserver.spec import load_spec

    schema = load_spec()["components"]["schemas"]["BillingProfileCreateUpdate"]
    assert [name for name, field in schema["properties"].items() if "default" in field] == []


def test_a_partial_update_keeps_the_fields_it_does_not_name(fresh_tenant):
    first = {"company_name": "Keep B.V.", "is_business": False, "tax_exempt": True,
             "preferred_language": "de"}
    assert fresh_tenant.put("/billing/billing-profile", json=first).status_code == 200
    r = fresh_tenant.put("/billing/billing-profile", json={"company_name": "Renamed B.V."})
    data = r.json()["data"]
    assert (data["company_name"], data["is_business"], data["tax_exempt"],
            data["preferred_language"]) == ("Renamed B.V.", False, True, "de")


def test_null_keeps_the_fields_that_always_have_a_value(fresh_tenant):
    first = {"company_name": "Keep B.V.", "is_business": False, "tax_exempt": True,
             "preferred_language": "de"}
    assert fresh_tenant.put("/billing/billing-profile", json=first).status_code == 200
    r = fresh_tenant.put("/billing/billing-profile", json={
        "company_name": "Keep B.V.", "is_business": None, "tax_exempt": None,
        "preferred_language": None, "city": None})
    data = r.json()["data"]
    assert (data["is_business"], data["tax_exempt"], data["preferred_language"]) == (
        False, True, "de")
