"""The plugin with isolated runs: each test in a run of its own on one shared server, also
across four xdist workers, and against a server that runs already (--billing-mock-url)."""

from __future__ import annotations

import json

import pytest

from mockserver.scenarios import LIBRARY_DIR
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.testing.test_plugin import README_EXAMPLE, README_TESTS

# What a frontend's end-to-end suite does, through the API and the hosted pages as a browser
# would, with exact counts that any leak between runs would break. The workers meet between
# steps, so the four runs change the one server at the same time (four tests on four workers:
# xdist hands out one each).
FRONTEND_SUITE = '''
import json
import os
import time
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).parent
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))


def meet(step):
    """Wait until every worker reached ``step``."""
    (HERE / f"{step}-{WORKER}").write_text("here")
    deadline = time.monotonic() + 60
    while len(list(HERE.glob(f"{step}-gw*"))) < WORKERS:
        assert time.monotonic() < deadline, f"not every worker reached {step}"
        time.sleep(0.02)


@pytest.mark.parametrize("company", ["Acme", "Globex", "Initech", "Umbrella"])
def test_a_customer_sets_up_billing(billing_mock, billing_client, company):
    (HERE / f"seen-{WORKER}-{company}.json").write_text(json.dumps(
        {"url": billing_mock.url, "run": billing_mock.run_id}))
    meet("started")
    assert billing_client.put("/billing/billing-profile", json={
        "company_name": f"{company} BV"}).status_code == 200
    setup = billing_client.post("/billing/payment-providers/mollie/setup", json={
        "method_type": "ideal", "return_url": "https://app.example/billing"}).json()["data"]
    assert setup["redirect_url"].startswith(billing_mock.url + "/_mock/providers/mollie/")
    page = httpx.get(setup["redirect_url"])  # the browser follows the redirect
    assert page.status_code == 200
    back = httpx.post(setup["redirect_url"], data={"choice": "paid"})
    assert back.status_code == 303 and back.headers["location"].startswith(
        "https://app.example/billing?session_id=")
    confirmed = billing_client.post("/billing/payment-providers/mollie/confirm", json={
        "confirmation_data": {"session_id": setup["session_id"]}})
    assert confirmed.status_code == 200
    invoice = billing_client.get("/billing/invoices", params={"status": "finalized"}
                                 ).json()["data"][0]
    assert billing_client.post(f"/billing/invoices/{invoice['id']}/send").status_code == 200
    meet("changed")
    assert billing_client.get("/billing/billing-profile").json()["data"][
        "company_name"] == f"{company} BV"
    assert len(billing_client.get("/billing/payment-methods").json()["data"]) == 3
    [mail] = billing_mock.outbox()
    assert mail["invoice_id"] == invoice["id"]
    billing_mock.assert_called("upsertBillingProfile", times=1)
    billing_mock.assert_called("confirmProviderPaymentMethod", times=1)
    billing_mock.assert_called("sendInvoiceEmail", times=1)
    moved = billing_mock.advance_clock(days=20)
    assert any(e["invoice_id"] == invoice["id"] for e in moved["events"])

'''


def seen(pytester) -> list[dict]:
    return [json.loads(p.read_text()) for p in pytester.path.glob("seen-*.json")]


def test_four_workers_share_one_server_with_a_run_per_test(pytester):
    pytester.makepyfile(test_frontend=FRONTEND_SUITE)
    result = pytester.runpytest_subprocess("-n", "4", "--billing-mock-runs",
                                           "-p", "no:cacheprovider", timeout=300)
    result.assert_outcomes(passed=4)
    found = seen(pytester)
    assert len(found) == 4
    assert len({entry["url"].split("/_runs/")[0] for entry in found}) == 1, "one server"
    assert len({entry["run"] for entry in found}) == 4, "a run per test"
    assert len({p.name.split("-")[1] for p in pytester.path.glob("seen-*.json")}) == 4


def test_the_readme_example_passes_with_a_run_per_test(pytester):
    pytester.makepyfile(test_readme=README_EXAMPLE)
    result = pytester.runpytest_subprocess("--billing-mock-runs", "-p", "no:cacheprovider",
                                           timeout=120)
    result.assert_outcomes(passed=README_TESTS)


def test_the_ini_option_and_a_scenario_file_in_a_run(pytester):
    pytester.makeini("[pytest]\nbilling_mock_runs = true\n")
    dunning = LIBRARY_DIR / "dunning.yaml"
    pytester.makepyfile(test_ini=f'''
        import pytest


        def test_runs_are_on(billing_mock):
            assert billing_mock.run_id and "/_runs/" in billing_mock.api_url
            assert billing_mock.store is not None  # our own server: in this process


        @pytest.mark.billing_scenario({str(dunning)!r})
        def test_a_scenario_file_is_sent_whole(billing_mock):
            assert set(billing_mock.tokens) == {{"dunning-token"}}


        def test_every_run_is_let_go_after_its_test(billing_mock):
            import httpx

            origin = billing_mock.url.split("/_runs/")[0]
            runs = httpx.get(origin + "/_mock/runs").json()["data"]["runs"]
            assert [r["id"] for r in runs] == [billing_mock.run_id]
    ''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=3)


@pytest.fixture
def running():
    with LiveServer(Settings(seed=42)) as server:
        yield server


def test_a_server_that_runs_already(pytester, running):
    pytester.makepyfile(test_remote='''
        def test_a_run_on_that_server(billing_mock, billing_client):
            assert billing_mock.url.startswith(URL + "/_runs/")
            billing_client.put("/billing/billing-profile", json={"company_name": "Remote"})
            billing_mock.assert_called("upsertBillingProfile", times=1)
            assert billing_mock.tokens["demo-token"].startswith("tnt_")


        def test_the_store_is_not_here(billing_mock):
            import pytest

            with pytest.raises(RuntimeError, match="need the mock in this process"):
                billing_mock.store
    '''.replace("URL", repr(running.url)))
    result = pytester.runpytest_subprocess(f"--billing-mock-url={running.url}",
                                           "-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=2)
    # The tests' runs are gone, the loaded world never saw their requests.
    with running.store.lock:
        assert [e for e in running.store.journal] == []
    assert len(running.runtime.runs) == 0
