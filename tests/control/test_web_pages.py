"""/_mock is closed to web pages: no CORS grant, no requests from other origins, no foreign
Host (DNS rebinding), no scenario files from anywhere. The billing API keeps its CORS."""

from __future__ import annotations

import httpx
import pytest

from mockserver.settings import Settings
from mockserver.testing import LiveServer

EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(seed=42, allowed_hosts="mock.test, Other.Test",
                             public_url="http://billing-mock.local:9000")) as live:
        yield live


def renamed_profile(server: LiveServer, name: str) -> None:
    r = httpx.put(f"{server.api_url}/billing/billing-profile", json={"company_name": name},
                  headers={"Authorization": "Bearer eu-token"})
    assert r.status_code == 200


def profile_name(server: LiveServer) -> str:
    return httpx.get(f"{server.api_url}/billing/billing-profile",
                     headers={"Authorization": "Bearer eu-token"}).json()["data"]["company_name"]


def test_the_control_api_grants_no_cors_and_the_billing_api_still_does(server):
    preflight = {"Origin": EVIL, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    control = httpx.options(f"{server.url}/_mock/reset", headers=preflight)
    assert "access-control-allow-origin" not in control.headers
    read = httpx.get(f"{server.url}/_mock/tenants", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in read.headers
    billing = httpx.options(f"{server.api_url}/billing/invoices", headers=preflight)
    assert billing.status_code == 200 and billing.headers["access-control-allow-origin"] == "*"
    listed = httpx.get(f"{server.api_url}/billing/invoices",
                       headers={"Origin": EVIL, "Authorization": "Bearer demo-token"})
    assert listed.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("headers", [
    {"Origin": EVIL},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost:5173"},
])
def test_a_write_from_another_origins_page_is_refused_and_changes_nothing(server, headers):
    renamed_profile(server, "Changed Before The Attack")
    r = httpx.post(f"{server.url}/_mock/reset", headers=headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert "other origins" in r.json()["error"]["message"]
    assert profile_name(server) == "Changed Before The Attack"
    advance = httpx.post(f"{server.url}/_mock/clock/advance", json={"days": 1}, headers=headers)
    assert advance.status_code == 403


def test_reads_from_another_origins_page_are_refused_too(server):
    r = httpx.get(f"{server.url}/_mock/tenants", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403


def test_the_own_origin_tools_and_typed_urls_may_use_it(server):
    own = f"http://127.0.0.1:{server.settings.port}"
    for headers in ({}, {"Origin": own, "Sec-Fetch-Site": "same-origin"},
                    {"Sec-Fetch-Site": "none"},
                    {"Origin": "http://billing-mock.local:9000", "Host": "billing-mock.local:9000"}):
        r = httpx.get(f"{server.url}/_mock/clock", headers=headers)
        assert r.status_code == 200, (headers, r.text)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example",
                                  "10.0.0.7"])
def test_a_foreign_host_name_is_refused(server, host):
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 sends its
    requests as same-origin ones, with its own name in Host."""
    renamed_profile(server, "Before Rebinding")
    r = httpx.post(f"{server.url}/_mock/reset", headers={"Host": host})
    assert r.status_code == 403 and "host name" in r.json()["error"]["message"]
    assert httpx.get(f"{server.url}/_mock/tenants", headers={"Host": host}).status_code == 403
    assert profile_name(server) == "Before Rebinding"


@pytest.mark.parametrize("host", ["localhost", "localhost:1234", "127.0.0.1", "[::1]:80",
                                  "mock.test", "other.test:8080", "billing-mock.local:9000"])
def test_the_own_host_names_are_served(server, host):
    assert httpx.get(f"{server.url}/_mock/clock", headers={"Host": host}).status_code == 200


def test_health_answers_any_host_and_the_billing_api_any_host(server):
    assert httpx.get(f"{server.url}/_mock/health", headers={"Host": "pod-10-0-0-7"}).status_code \
        == 200
    r = httpx.get(f"{server.api_url}/billing/invoices",
                  headers={"Host": "billing.internal", "Authorization": "Bearer demo-token"})
    assert r.status_code == 200


def test_with_an_admin_token_the_token_is_the_guard():
    with LiveServer(Settings(seed=1, admin_token="s3cret-admin")) as live:
        auth = {"Authorization": "Bearer s3cret-admin"}
        assert httpx.get(f"{live.url}/_mock/clock",
                         headers={**auth, "Host": "billing-mock:8000"}).status_code == 200
        assert httpx.get(f"{live.url}/_mock/clock",
                         headers={"Host": "billing-mock:8000"}).status_code == 401


SECRET_SCENARIO = """\
name: outside
description: a file the server was not given
tenants:
  - key: leak
    tokens: [leak-token]
    profile: {company_name: "SECRET-VALUE-42", country_code: "xx"}
"""


def test_scenario_files_are_loaded_from_the_library_only_by_default(server, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(SECRET_SCENARIO.replace('"xx"', '"NL"'), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(SECRET_SCENARIO, encoding="utf-8")
    for name in (str(outside), str(bad), "../../../../" + str(bad), "/etc/passwd"):
        r = httpx.post(f"{server.url}/_mock/scenario", json={"name": name})
        assert r.status_code == 400, r.text
        assert "SECRET" not in r.text and "no such scenario" in r.text
    assert httpx.get(f"{server.url}/_mock/health").json()["scenario"] is None
    assert httpx.post(f"{server.url}/_mock/scenario", json={"name": "dunning"}).status_code == 200
    assert httpx.post(f"{server.url}/_mock/reset").status_code == 200


def test_scenario_files_from_the_directory_the_server_was_given(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    (served / "mine.yaml").write_text(SECRET_SCENARIO.replace('"xx"', '"NL"'), encoding="utf-8")
    (tmp_path / "beside.yaml").write_text(SECRET_SCENARIO.replace('"xx"', '"NL"'),
                                          encoding="utf-8")
    (served / "escape.yaml").symlink_to(tmp_path / "beside.yaml")
    with LiveServer(Settings(seed=1, scenario_dir=str(served))) as live:
        for name in ("mine", "mine.yaml"):
            r = httpx.post(f"{live.url}/_mock/scenario", json={"name": name})
            assert r.status_code == 200 and r.json()["data"]["scenario"] == "outside"
        for name in ("../beside.yaml", str(tmp_path / "beside.yaml"), "escape.yaml"):
            r = httpx.post(f"{live.url}/_mock/scenario", json={"name": name})
            assert r.status_code == 400 and f"a .yaml file in {served}" in r.text, name
