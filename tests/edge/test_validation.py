"""Bad bodies get FastAPI's answer (compared with a FastAPI app declared like the backend),
never a 500, and text that would break what is built from it later is refused before it is
stored."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import PROFILE
from tests.published.backend import app as fastapi_backend

DEMO = {"Authorization": "Bearer demo-token", "Content-Type": "application/json"}
PROFILE_PATH = "/billing/billing-profile"
# The four operations with a body, each with a valid body.
BODY_OPERATIONS = [
    ("PUT", PROFILE_PATH, {"company_name": "Acme"}),
    ("POST", "/billing/payment-methods", {"provider_slug": "mollie", "method_type": "ideal"}),
    ("POST", "/billing/payment-providers/mollie/setup",
     {"method_type": "ideal", "return_url": "https://app.example/return"}),
    ("POST", "/billing/payment-providers/mollie/confirm",
     {"confirmation_data": {"session_id": "ps_nothing"}}),
]
# Every free-text field of every body: profile fields, return URLs, confirmation data.
TEXT_FIELDS = [
    *[("PUT", PROFILE_PATH, {"company_name": "Acme", field: "{}"}, [field])
      for field in ("company_name", "address_line1", "address_line2", "postal_code", "city",
                    "state", "vat_number", "phone", "peppol_id", "leitweg_id",
                    "invoice_template_name", "email_template_name", "buyer_reference")],
    ("POST", "/billing/payment-methods",
     {"provider_slug": "stripe", "method_type": "card", "return_url": "https://a.example/{}"},
     ["stripe", "return_url"]),
    ("POST", "/billing/payment-providers/stripe/setup",
     {"method_type": "card", "return_url": "https://a.example/{}"}, ["return_url"]),
    ("POST", "/billing/payment-providers/stripe/confirm",
     {"confirmation_data": {"payment_method": "pm_card_visa{}"}},
     ["confirmation_data", "payment_method"]),
]


@pytest.fixture(scope="module")
def fastapi():
    """The FastAPI declaration of the backend: it validates as the backend does (its handlers
    serve nothing, so only its refusals are worth comparing)."""
    with TestClient(fastapi_backend, raise_server_exceptions=False) as client:
        yield client


def _raw(method: str, url: str, body: bytes, headers: dict) -> httpx.Response:
    return httpx.request(method, url, content=body, headers=headers, timeout=30)


def _profile_tenant(fresh_tenant) -> dict:
    assert fresh_tenant.put(PROFILE_PATH, json=PROFILE).status_code == 200
    return fresh_tenant.get(PROFILE_PATH).json()["data"]


def _journaled(live, r: httpx.Response) -> dict:
    """The journal's entry of the request ``r`` answered."""
    entries = httpx.get(f"{live.url}/_mock/journal", params={"limit": 1000}).json()["data"]
    [entry] = [e for e in entries if e["request_id"] == r.headers["X-Request-ID"]]
    return entry


def _with(template, text: str):
    """``template`` with ``text`` where its strings say ``{}``."""
    if isinstance(template, dict):
        return {key: _with(value, text) for key, value in template.items()}
    return template.replace("{}", text) if isinstance(template, str) else template


# -- bodies FastAPI does not read as JSON, or cannot parse ---------------------------------

NOT_PARSED = [
    pytest.param(b'{"company_name": "Acme"}', {}, id="no Content-Type"),
    pytest.param(b"[1, 2]", {}, id="a list without Content-Type"),
    # FastAPI reads a JSON model from any media type: not JSON is its 422, never a 415.
    pytest.param(b'{"company_name": "Acme"}', {"Content-Type": "text/plain"}, id="text/plain"),
    pytest.param(b"company_name=Acme", {"Content-Type": "application/x-www-form-urlencoded"},
                 id="a form"),
    pytest.param(b'{"company_name": "Acme"}', {"Content-Type": "application/xml"}, id="xml"),
    pytest.param(b'{"company_name": "Acme"}', {"Content-Type": ""}, id="an empty Content-Type"),
    pytest.param(b'{"company_name": "Acme"}', {"Content-Type": "garbage"},
                 id="a Content-Type without a slash"),
    pytest.param(b'{"company_name": "Acme"}', {"Content-Type": "/json"}, id="no type"),
    pytest.param(b'{"company_name": "Acme"}', {"Content-Type": "; charset=utf-8"},
                 id="only parameters"),
    pytest.param(b"null", {"Content-Type": "application/json"}, id="null"),
    pytest.param(b"   ", {"Content-Type": "application/json"}, id="only spaces"),
    pytest.param(b'{"company_name": "x", "tax_exempt": 1' + b"0" * 5_000 + b"}",
                 {"Content-Type": "application/json"}, id="an integer of 5,001 digits"),
    pytest.param(b'{"company_name": ' + b"[" * 1_000 + b"]" * 1_000 + b"}",
                 {"Content-Type": "application/json"}, id="nested 1,000 deep"),
    pytest.param(b"[" * 20_000 + b"]" * 20_000, {"Content-Type": "application/json"},
                 id="nested 20,000 deep"),
    pytest.param(b'{"company_name": "caf\xe9"}', {"Content-Type": "application/json"},
                 id="not UTF-8"),
]


@pytest.mark.parametrize("body, headers", NOT_PARSED)
@pytest.mark.parametrize("method, path, _", BODY_OPERATIONS,
                         ids=[path.rsplit("/", 1)[-1] for _, path, _ in BODY_OPERATIONS])
def test_a_body_is_answered_as_fastapi_answers_it(live, fastapi, method, path, _, body, headers):
    """The same bytes to the mock and to FastAPI: the same status; a 422 is the same body, a
    400 FastAPI's message in the mock's envelope (the mock's answer for every non-422)."""
    expected = fastapi.request(method, f"/api/v1{path}", content=body, headers=headers)
    r = _raw(method, f"{live.api_url}{path}", body,
             {"Authorization": "Bearer demo-token", **headers})
    assert r.status_code == expected.status_code, r.text[:300]
    if r.status_code == 422:
        assert r.json() == expected.json()
    else:
        assert r.json()["error"]["code"] == "bad_request"
        assert r.json()["error"]["message"] == expected.json()["detail"]


@pytest.mark.parametrize("body", [b'{"company_name": "Acme"}', b"[" * 1_000 + b"]" * 1_000,
                                  b'{"company_name": 1' + b"0" * 5_000 + b"}"],
                         ids=["no Content-Type", "too deep", "too many digits"])
def test_a_body_that_is_not_read_changes_nothing_and_is_journaled(live, fresh_tenant, body):
    before = _profile_tenant(fresh_tenant)
    headers = {"Authorization": fresh_tenant.headers["authorization"]}
    if body.startswith(b"["):
        headers["Content-Type"] = "application/json"
    r = _raw("PUT", f"{live.api_url}{PROFILE_PATH}", body, headers)
    assert r.status_code in (400, 422)
    assert fresh_tenant.get(PROFILE_PATH).json()["data"] == before
    assert _journaled(live, r)["status"] == r.status_code


@pytest.mark.parametrize("body", [b'{"days": NaN}', b'{"days": Infinity}', b'{"days": 1e999}'])
def test_numbers_json_has_no_words_for_are_invalid_json(live, body):
    """Python's parser reads NaN and Infinity (FastAPI then fails to answer at all): the mock
    refuses them as the JSON they are not, before anything uses them."""
    r = _raw("POST", f"{live.url}/_mock/clock/advance", body,
             {"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["type"] == "json_invalid" and error["loc"] == ["body", 9]


# -- text that cannot be stored safely -------------------------------------------------------

@pytest.mark.parametrize("method, path, template, loc", TEXT_FIELDS,
                         ids=[".".join(loc) for *_, loc in TEXT_FIELDS])
def test_a_lone_surrogate_is_a_422_and_nothing_is_stored(live, fresh_tenant, method, path,
                                                        template, loc):
    """``"\\ud800"`` is valid JSON but no text: it can never be written out as UTF-8."""
    before = _profile_tenant(fresh_tenant)
    methods = fresh_tenant.get("/billing/payment-methods").json()["data"]
    body = json.dumps(template).replace("{}", "\\ud800").encode()
    r = _raw(method, f"{live.api_url}{path}", body,
             {"Authorization": fresh_tenant.headers["authorization"],
              "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", *loc]
    assert error["type"] in ("string_unicode", "string_pattern_mismatch"), error
    if error["type"] == "string_unicode":
        assert error["msg"] == ("Input should be a valid string, unable to parse raw data as a "
                                "unicode string")
    assert fresh_tenant.get(PROFILE_PATH).json()["data"] == before
    assert fresh_tenant.get("/billing/payment-methods").json()["data"] == methods
    for where in ("/_mock/tenants", "/_mock/journal"):
        assert httpx.get(f"{live.url}{where}").status_code == 200
    assert _journaled(live, r)["status"] == 422


@pytest.mark.parametrize("text", ["\x00", "\x01", "\t", "\r\n", "\x1b[31m", "\x7f", "\x85", "\n",
                                  "\uffff", "\ufffe", "\u2028", "\u2029"],
                         ids=["NUL", "SOH", "tab", "CRLF", "ESC", "DEL", "NEL", "final LF",
                              "U+FFFF", "U+FFFE", "LINE SEPARATOR", "PARAGRAPH SEPARATOR"])
@pytest.mark.parametrize("method, path, template, loc", TEXT_FIELDS,
                         ids=[".".join(loc) for *_, loc in TEXT_FIELDS])
def test_control_characters_are_fastapis_422_and_nothing_is_stored(live, fastapi, fresh_tenant,
                                                                    method, path, template, loc,
                                                                    text):
    """The document holds text fields to one line without control characters, line or
    paragraph separators, or the two characters XML cannot carry (U+FFFE, U+FFFF): a
    pattern. The answer is the one FastAPI gives for that declaration, also for a final
    newline, which Python's ``$`` would let through (pydantic's does not)."""
    before = _profile_tenant(fresh_tenant)
    body = _with(template, f"a{text}" if text == "\n" else f"a{text}b")
    expected = fastapi.request(method, f"/api/v1{path}", json=body)
    r = fresh_tenant.request(method, path, json=body)
    assert r.status_code == expected.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", *loc] and error["type"] == "string_pattern_mismatch"
    if loc[0] == "stripe":  # the mock's union names its branch; the stand-in's is one model
        error = {**error, "loc": ["body", *loc[1:]]}
    assert [error] == expected.json()["detail"]
    assert fresh_tenant.get(PROFILE_PATH).json()["data"] == before


def test_a_refused_profile_leaves_documents_and_mail_working(live, fresh_tenant):
    """What a NUL, U+FFFF or U+2028 in a stored profile broke later: the invoices finalized
    from it could not be downloaded in any XML format, nor sent."""
    from mockserver.testing.factories import BillingFactory

    _profile_tenant(fresh_tenant)
    for field in ("company_name", "city", "buyer_reference"):
        for text in ("x\x00", "x\uffff", "x\ufffe", "x\u2028"):
            r = fresh_tenant.put(PROFILE_PATH, json={"company_name": "Acme", field: text})
            assert r.status_code == 422, (field, text, r.text[:200])
    invoice = BillingFactory(live.store, seed=1).invoice(fresh_tenant.tenant_id)
    for fmt in ("pdf", "cii", "facturx", "zugferd"):
        r = fresh_tenant.get(f"/billing/invoices/{invoice.id}/download", params={"format": fmt})
        assert r.status_code == 200, (fmt, r.text[:200])
    assert fresh_tenant.post(f"/billing/invoices/{invoice.id}/send").status_code == 200


def test_a_media_type_in_capitals_is_json_all_the_same(live, fresh_tenant):
    r = fresh_tenant.put(PROFILE_PATH, content=b'{"company_name": "Acme"}',
                         headers={"Content-Type": "Application/JSON; charset=UTF-8"})
    assert r.status_code == 200, r.text
    r = fresh_tenant.put(PROFILE_PATH, content=b'{"company_name": 5}',
                         headers={"Content-Type": "APPLICATION/JSON"})
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "string_type"
