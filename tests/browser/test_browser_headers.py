"""What a browser app on another origin can read of the mock's answers (CORS).

A frontend that handles a scripted outage reads ``Retry-After`` to know when to retry; a
browser only lets the script see response headers the server exposes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from mockserver.scenarios import LIBRARY_DIR
from mockserver.settings import Settings
from mockserver.testing import LiveServer

# The library's outage, its 503 carrying one more header a scenario may script.
EXTRA_HEADER = "X-Outage-Ref"

READ_ANSWER = """async ({url, token, names}) => {
  const response = await fetch(url, {headers: {Authorization: `Bearer ${token}`}});
  const headers = {};
  for (const name of names) headers[name] = response.headers.get(name);
  return {status: response.status, headers};
}"""


@pytest.fixture(scope="module")
def outage_server(tmp_path_factory) -> Iterator[LiveServer]:
    scenario = yaml.safe_load((LIBRARY_DIR / "scripted-outage.yaml").read_text())
    [outage] = [b for b in scenario["behaviours"] if b["operation"] == "listInvoices"]
    outage["respond"]["headers"][EXTRA_HEADER] = "incident-42"
    path = Path(tmp_path_factory.mktemp("scenario")) / "outage.yaml"
    path.write_text(yaml.safe_dump(scenario))
    with LiveServer(Settings(scenario=str(path))) as server:
        yield server


def test_a_page_on_another_origin_reads_retry_after_of_a_scripted_outage(
        page, frontend_origin, outage_server):
    page.goto(f"{frontend_origin}/")
    url = f"{outage_server.api_url}/billing/invoices"
    names = ["Retry-After", EXTRA_HEADER, "X-Request-ID"]
    args = {"url": url, "token": "scripted-outage-token", "names": names}

    first = page.evaluate(READ_ANSWER, args)
    assert first["status"] == 503
    assert first["headers"]["Retry-After"] == "1"
    assert first["headers"][EXTRA_HEADER] == "incident-42"
    assert first["headers"]["X-Request-ID"].startswith("req_")

    retry = page.evaluate(READ_ANSWER, args)  # the scripted outage was the first call only
    assert retry["status"] == 200 and retry["headers"]["Retry-After"] is None
