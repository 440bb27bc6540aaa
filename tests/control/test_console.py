"""The console page as served (the browser tests drive it): its files, its policy, its access
rules, and the world it is for."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import LiveServer


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(seed=42)) as live:
        yield live


def test_the_page_and_its_two_files_come_from_the_server_itself(server):
    page = httpx.get(f"{server.url}/_mock/console")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "connect-src 'self'" in policy and "unsafe-inline" not in policy
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert all(s.startswith(("/", "data:")) for s in sources), sources  # nothing external
    for name, media in (("console.js", "text/javascript"), ("console.css", "text/css")):
        asset = httpx.get(f"{server.url}/_mock/console/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(media)
        assert asset.headers["x-content-type-options"] == "nosniff"
    assert "innerHTML" not in httpx.get(f"{server.url}/_mock/console/console.js").text


def test_unknown_files_and_other_methods_are_refused(server):
    missing = httpx.get(f"{server.url}/_mock/console/secrets.txt")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    posted = httpx.post(f"{server.url}/_mock/console")
    assert posted.status_code == 405 and posted.headers["allow"] == "GET"


def test_a_runs_console_is_for_that_run(server):
    page = httpx.get(f"{server.url}/_runs/qa-1/_mock/console").text
    assert 'data-base="/_runs/qa-1"' in page and 'data-run="qa-1"' in page
    assert 'src="/_runs/qa-1/_mock/console/console.js"' in page
    assert 'id="runs"' not in page  # the runs are managed from the top only
    top = httpx.get(f"{server.url}/_mock/console").text
    assert 'data-base=""' in top and 'id="runs"' in top


def test_the_same_access_rules_as_the_control_api():
    with TestClient(create_app(Settings(seed=42))) as remote:  # its client is no loopback one
        assert remote.get("/_mock/console").status_code == 403
        assert remote.get("/_mock/console/console.js").status_code == 403
        assert remote.get("/_mock/tenants").status_code == 403
    guarded = create_app(Settings(seed=42, admin_token="t0ken"))
    with TestClient(guarded) as remote:
        shell = remote.get("/_mock/console")  # holds no data: it asks for the token
        assert shell.status_code == 200 and 'data-admin="token"' in shell.text
        assert remote.get("/_mock/tenants").status_code == 401
        assert remote.get("/_mock/tenants", headers={"Authorization": "Bearer t0ken"}
                          ).status_code == 200
