"""Bodies no JSON parser should choke on are FastAPI's 422 ``json_invalid``, never a 500."""

from __future__ import annotations

import httpx
import pytest

DEMO = {"Authorization": "Bearer demo-token", "Content-Type": "application/json"}


@pytest.mark.parametrize("body", [
    b"[" * 20_000 + b"]" * 20_000,                     # deeper than Python's recursion limit
    b'{"company_name": 1' + b"0" * 5_000 + b"}",       # more digits than int() converts
    b'{"company_name": "caf\xe9"}',                      # not UTF-8
])
def test_a_body_that_cannot_be_read_is_a_422(live, body):
    r = httpx.put(f"{live.api_url}/billing/billing-profile", content=body, headers=DEMO)
    assert r.status_code == 422, r.text[:300]
    [error] = r.json()["detail"]
    assert error["type"] == "json_invalid" and error["loc"][0] == "body"
