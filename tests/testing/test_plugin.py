"""The pytest plugin, used the way a user would: their test files, run by pytest (pytester)."""

from __future__ import annotations

import textwrap

import pytest

from mockserver.scenarios import LIBRARY_DIR

# The README's copy-paste example, verbatim: it must pass alone and under pytest-xdist.
README_EXAMPLE = '''
import pytest


def test_the_demo_tenant_is_dutch(billing_client):
    profile = billing_client.get("/billing/billing-profile").json()["data"]
    assert profile["country_code"] == "NL"


def test_adding_a_payment_method(billing_mock, billing_client):
    r = billing_client.post("/billing/payment-methods",
                            json={"provider_slug": "mollie", "method_type": "ideal"})
    assert r.status_code == 201
    [call] = billing_mock.assert_called("addPaymentMethod", times=1)
    assert call["body"] == {"provider_slug": "mollie", "method_type": "ideal"}


def test_every_test_starts_from_the_same_world(billing_client):
    methods = billing_client.get("/billing/payment-methods").json()["data"]
    assert len(methods) == 2  # the method added above is gone


@pytest.mark.billing_scenario("dunning")
def test_a_declined_card_puts_the_invoice_past_due(billing_mock, billing_client):
    invoice = billing_client.get("/billing/invoices").json()["data"][0]
    billing_mock.advance_clock(days=6)
    r = billing_client.get(f"/billing/invoices/{invoice['id']}")
    assert r.json()["data"]["status"] == "past_due"


def test_an_invoice_built_for_a_new_tenant(billing_mock, billing_factory):
    tenant = billing_factory.tenant(country_code="NL")
    invoice = billing_factory.invoice(tenant, status="paid", lines=[
        {"description": "Consulting", "unit_price_cents": 10000, "quantity": "2"}])
    client = billing_mock.client(tenant.token)
    data = client.get(f"/billing/invoices/{invoice.id}").json()["data"]
    assert (data["status"], data["number"]) == ("paid", invoice.number)
    assert data["total_cents"] == 24200  # 2 x 100.00 EUR + 21% Dutch VAT
'''
README_TESTS = 5


def run(pytester: pytest.Pytester, *args: str):
    """In-process: quick, and the same plugin and hooks as a subprocess run."""
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


# A user's test that warns: the plugin keeps its dependencies' warnings to itself, not theirs.
OWN_WARNING = '''
import warnings


def test_a_warning_of_the_users_own(billing_client):
    warnings.warn("the user's own deprecation", DeprecationWarning)
    assert billing_client.get("/billing/overview").status_code == 200
'''


def test_the_readme_example_passes_alone_and_shows_only_the_users_warnings(pytester):
    pytester.makepyfile(test_readme=README_EXAMPLE, test_own=OWN_WARNING)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=README_TESTS + 1, warnings=1)
    output = result.stdout.str()
    assert "the user's own deprecation" in output
    assert "site-packages" not in output, output


def test_the_readme_example_passes_under_xdist_without_warnings(pytester):
    pytester.makepyfile(test_readme=README_EXAMPLE)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", timeout=180)
    result.assert_outcomes(passed=README_TESTS)
    assert "warnings summary" not in result.stdout.str(), result.stdout.str()


ISOLATION = '''
import os
import time
from pathlib import Path

HERE = Path(__file__).parent
WORKER = os.environ["PYTEST_XDIST_WORKER"]


def meet(step):
    """Wait until both workers reached ``step``, so what they do overlaps in time."""
    (HERE / f"{step}-{WORKER}").write_text("here")
    deadline = time.monotonic() + 30
    while len(list(HERE.glob(f"{step}-gw*"))) < 2:
        assert time.monotonic() < deadline, f"the other worker never reached {step}"
        time.sleep(0.02)


def mutate_and_look(billing_mock, billing_client, billing_factory):
    (HERE / f"url-{WORKER}").write_text(billing_mock.url)
    meet("started")
    r = billing_client.put("/billing/billing-profile", json={"company_name": f"Acme {WORKER}"})
    assert r.status_code == 200
    billing_client.post("/billing/payment-methods",
                        json={"provider_slug": "stripe", "method_type": "card"})
    tenant = billing_factory.tenant(token=f"token-{WORKER}")
    meet("changed")
    profile = billing_client.get("/billing/billing-profile").json()["data"]
    assert profile["company_name"] == f"Acme {WORKER}"
    assert len(billing_client.get("/billing/payment-methods").json()["data"]) == 3
    assert "token-gw0" in billing_mock.tokens or "token-gw1" in billing_mock.tokens
    assert not ({"token-gw0", "token-gw1"} <= set(billing_mock.tokens))
    billing_mock.assert_called("upsertBillingProfile", times=1)
    billing_mock.assert_called("addPaymentMethod", times=1)
    assert billing_mock.client(tenant.token).get("/billing/overview").status_code == 200


def test_one_worker(billing_mock, billing_client, billing_factory):
    mutate_and_look(billing_mock, billing_client, billing_factory)


def test_the_other_worker(billing_mock, billing_client, billing_factory):
    mutate_and_look(billing_mock, billing_client, billing_factory)
'''


def test_xdist_workers_have_their_own_server_and_state(pytester):
    pytester.makepyfile(test_isolation=ISOLATION)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", timeout=180)
    result.assert_outcomes(passed=2)
    urls = {(pytester.path / f"url-gw{i}").read_text() for i in (0, 1)}
    assert len(urls) == 2, "both workers used the same server"


def test_marker_selects_the_scenario_for_a_test_or_a_module(pytester):
    dunning_file = LIBRARY_DIR / "dunning.yaml"
    pytester.makepyfile(test_a_module=f'''
        import pytest

        pytestmark = pytest.mark.billing_scenario("german-public-sector")


        def test_module_marker(billing_mock, billing_client):
            assert "german-public-sector-token" in billing_mock.tokens
            assert "demo-token" not in billing_mock.tokens
            profile = billing_client.get("/billing/billing-profile").json()["data"]
            assert profile["preferred_einvoice_format"] == "xrechnung"


        @pytest.mark.billing_scenario("dunning")
        def test_function_marker_wins(billing_mock, billing_client):
            assert billing_client.headers["authorization"] == "Bearer dunning-token"
            clock = billing_mock.set_clock("2026-03-20T09:00:00Z")
            assert clock["now"] == "2026-03-20T09:00:00Z" and clock["mode"] == "frozen"
            assert [e["type"] for e in clock["events"]] == ["invoice.charge_failed"]


        @pytest.mark.billing_scenario(name={str(dunning_file)!r})
        def test_a_scenario_file_by_path(billing_mock):
            assert set(billing_mock.tokens) == {{"dunning-token"}}


        @pytest.mark.billing_scenario(None)
        def test_none_is_the_default_world(billing_mock):
            assert "demo-token" in billing_mock.tokens
    ''', test_b_default='''
        def test_back_in_the_default_world(billing_mock, billing_client):
            assert billing_client.headers["authorization"] == "Bearer demo-token"
            assert len(billing_mock.tokens) == 5
    ''', test_c_unknown='''
        import pytest


        @pytest.mark.billing_scenario("no-such-scenario")
        def test_unknown(billing_mock):
            pass


        @pytest.mark.billing_scenario("dunning", "healthy-nl-business")
        def test_two_names(billing_mock):
            pass
    ''')
    result = run(pytester)
    result.assert_outcomes(passed=5, errors=2)
    result.stdout.fnmatch_lines(["*scenario refused*", "*no such scenario; the library has*"])
    result.stdout.fnmatch_lines(["*billing_scenario takes one scenario*"])


def test_every_test_starts_from_the_worlds_start(pytester):
    pytester.makepyfile(test_reset='''
        import httpx

        SEEN = {}


        def test_change_everything(billing_mock, billing_client, billing_factory):
            SEEN["company"] = billing_client.get(
                "/billing/billing-profile").json()["data"]["company_name"]
            SEEN["now"] = httpx.get(billing_mock.url + "/_mock/clock").json()["data"]["now"]
            SEEN["token"] = billing_factory.tenant().token
            assert billing_client.put("/billing/billing-profile",
                                      json={"company_name": "Changed B.V."}).status_code == 200
            billing_client.post("/billing/payment-methods",
                                json={"provider_slug": "stripe", "method_type": "card"})
            invoices = billing_client.get("/billing/invoices", params={"status": "finalized"})
            billing_client.post(f"/billing/invoices/{invoices.json()['data'][0]['id']}/send")
            billing_mock.advance_clock(days=40)
            assert billing_mock.outbox()


        def test_nothing_leaked(billing_mock, billing_client):
            assert billing_mock.calls() == []
            assert billing_mock.outbox() == []
            profile = billing_client.get("/billing/billing-profile").json()["data"]
            assert profile["company_name"] == SEEN["company"]
            assert len(billing_client.get("/billing/payment-methods").json()["data"]) == 2
            assert billing_client.get("/billing/invoices",
                                      params={"status": "finalized"}).json()["data"]
            assert SEEN["token"] not in billing_mock.tokens
            assert billing_mock.client(SEEN["token"]).get(
                "/billing/overview").status_code == 401
            now = httpx.get(billing_mock.url + "/_mock/clock").json()["data"]["now"]
            assert now[:10] == SEEN["now"][:10]  # not 40 days on
    ''')
    run(pytester).assert_outcomes(passed=2)


def test_assert_called_counts_answers_bodies_and_explains_a_miss(pytester):
    pytester.makepyfile(test_calls='''
        import pytest


        def test_counts_and_bodies(billing_mock, billing_client):
            for kind in ("ideal", "bancontact"):
                billing_client.post("/billing/payment-methods",
                                    json={"provider_slug": "mollie", "method_type": kind})
            billing_client.get("/billing/overview")
            calls = billing_mock.assert_called("addPaymentMethod", times=2)
            assert [c["body"]["method_type"] for c in calls] == ["ideal", "bancontact"]
            assert [c["status"] for c in calls] == [201, 201]
            assert billing_mock.assert_called("getBillingOverview")[0]["body"] is None
            assert [c["operation_id"] for c in billing_mock.calls()] == [
                "addPaymentMethod", "addPaymentMethod", "getBillingOverview"]
            with pytest.raises(AssertionError):
                billing_mock.assert_called("listInvoices")
            with pytest.raises(AssertionError):
                billing_mock.assert_called("addPaymentMethod", times=1)


        def test_a_miss_is_explained(billing_mock, billing_client):
            billing_client.get("/billing/overview")
            billing_mock.assert_called("getBillingOverveiw", times=2)
    ''')
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*expected getBillingOverveiw to be called 2 times, it was called 0 times.*"
        "Did you mean getBillingOverview?*",
        "*Requests of this test (getBillingOverview x1):*",
        "*GET /api/v1/billing/overview -> 200  [[]getBillingOverview[]]*",
    ])


def test_factories_build_through_the_domain_and_show_through_the_api(pytester):
    pytester.makepyfile(test_factories='''
        import pytest

        LINES = [{"description": "Consulting", "unit_price_cents": 10000, "quantity": "2"},
                 {"description": "Storage", "unit_price_cents": 2500, "quantity": "0.5"}]


        @pytest.mark.parametrize("status", ["finalized", "sent", "paid", "past_due", "void"])
        def test_each_state(billing_mock, billing_factory, status):
            tenant = billing_factory.tenant(country_code="NL", vat_number="NL004495445B01")
            invoice = billing_factory.invoice(tenant, status=status, lines=LINES)
            data = billing_mock.client(tenant.token).get(
                f"/billing/invoices/{invoice.id}").json()["data"]
            assert data["status"] == invoice.status == status
            # 200.00 + 12.50; 21% per line: 42.00 + 2.625 rounded half-up to 2.63
            assert (data["subtotal_cents"], data["tax_cents"], data["total_cents"]) == (
                21250, 4463, 25713)
            assert (invoice.subtotal_cents, invoice.tax_cents, invoice.total_cents) == (
                21250, 4463, 25713)
            assert data["number"] == invoice.number
            assert [line["quantity"] for line in data["line_items"]] == ["2", "0.5"]
            assert data["buyer"]["vat_number"] == "NL004495445B01"


        def test_numbers_follow_the_worlds_sequence(billing_mock, billing_factory):
            tenant = billing_factory.tenant()
            first = billing_factory.invoice(tenant)
            second = billing_factory.invoice(tenant, status="sent")
            draft = billing_factory.invoice(tenant, status="draft")
            prefix, year, seq = first.number.rsplit("-", 2)
            assert second.number == f"{prefix}-{year}-{int(seq) + 1:06d}"
            assert draft.number is None
            client = billing_mock.client(tenant.token)
            assert client.get(f"/billing/invoices/{draft.id}").status_code == 404
            listed = client.get("/billing/invoices").json()
            assert listed["pagination"]["total"] == 2


        def test_reverse_charge_and_a_credit_note(billing_mock, billing_factory):
            tenant = billing_factory.tenant(country_code="BE", peppol=True)
            assert tenant.profile["peppol_id"] == (
                "0208:" + tenant.profile["vat_number"][2:])
            invoice = billing_factory.invoice(tenant, status="paid", lines=LINES)
            assert (invoice.tax_cents, invoice.total_cents) == (0, 21250)
            note = billing_factory.credit_note(invoice, lines=[1])
            client = billing_mock.client(tenant.token)
            data = client.get(f"/billing/invoices/{note.id}").json()["data"]
            assert data["document_type"] == "credit_note"
            assert data["referenced_invoice_id"] == invoice.id
            assert data["total_cents"] == -1250 and data["number"].startswith("SCAI-CN-")
            ubl = client.get(f"/billing/invoices/{invoice.id}/download", params={"format": "ubl"})
            assert ubl.status_code == 200 and b"AE" in ubl.content


        def test_payment_methods_and_a_failing_charge(billing_mock, billing_factory):
            tenant = billing_factory.tenant()
            card = billing_factory.payment_method(tenant)
            failing = billing_factory.payment_method(tenant, "mollie", "ideal", default=True,
                                                     fails_charges=True)
            assert card.is_default and failing.is_default  # the first one, then on request
            client = billing_mock.client(tenant.token)
            listed = {m["id"]: m["is_default"] for m in
                      client.get("/billing/payment-methods").json()["data"]}
            assert listed == {card.id: False, failing.id: True}
            invoice = billing_factory.invoice(tenant, status="sent")
            billing_mock.advance_clock(days=15)
            data = client.get(f"/billing/invoices/{invoice.id}").json()["data"]
            assert data["status"] == "past_due"


        def test_public_sector_trait_and_faker_defaults(billing_mock, billing_factory):
            tenant = billing_factory.tenant(country_code="DE", vat_number=None,
                                            public_sector=True)
            assert tenant.profile["leitweg_id"] == tenant.profile["buyer_reference"]
            invoice = billing_factory.invoice(tenant)
            assert 1 <= len(invoice.line_items) <= 3
            r = billing_mock.client(tenant.token).get(
                f"/billing/invoices/{invoice.id}/download")
            assert r.status_code == 200 and b"xrechnung" in r.content
            with pytest.raises(TypeError, match="unknown profile field"):
                billing_factory.tenant(colour="blue")


        def test_invoices_for_a_world_tenant_by_token(billing_client, billing_factory):
            before = billing_client.get("/billing/invoices").json()["pagination"]["total"]
            billing_factory.invoice("demo-token", status="sent")
            after = billing_client.get("/billing/invoices").json()["pagination"]["total"]
            assert after == before + 1


        def test_periods_as_dates_iso_text_or_datetimes(billing_mock, billing_factory):
            from datetime import date, datetime, timezone

            tenant = billing_factory.tenant()
            client = billing_mock.client(tenant.token)
            for period in [(date(2026, 1, 1), date(2026, 1, 31)), ("2026-01-01", "2026-01-31"),
                           (datetime(2026, 1, 1, tzinfo=timezone.utc), "2026-01-31")]:
                invoice = billing_factory.invoice(tenant, period=period, lines=[
                    {"description": "Seat", "unit_price_cents": 100, "quantity": "1",
                     "period_start": period[0], "period_end": period[1]}])
                data = client.get(f"/billing/invoices/{invoice.id}").json()["data"]
                assert (data["period_start"], data["period_end"]) == ("2026-01-01", "2026-01-31")
                line = data["line_items"][0]
                assert (line["period_start"], line["period_end"]) == ("2026-01-01", "2026-01-31")
            total = client.get("/billing/invoices").json()["pagination"]["total"]
            with pytest.raises(TypeError, match="ISO date"):
                billing_factory.invoice(tenant, period=(20260101, 20260131))
            assert client.get("/billing/invoices").json()["pagination"]["total"] == total
    ''')
    run(pytester).assert_outcomes(passed=11)


def test_faker_defaults_repeat_for_the_same_test(pytester):
    pytester.makepyfile(test_seeded='''
        import json
        from pathlib import Path


        def test_made(billing_factory):
            tenant = billing_factory.tenant(country_code="FR")
            invoice = billing_factory.invoice(tenant)
            seen = [tenant.profile["company_name"], tenant.profile["vat_number"],
                    invoice.line_items[0]["description"], invoice.total_cents]
            out = Path(__file__).parent / "seen.json"
            runs = json.loads(out.read_text()) if out.exists() else []
            out.write_text(json.dumps(runs + [seen]))
    ''')
    run(pytester).assert_outcomes(passed=1)
    run(pytester).assert_outcomes(passed=1)
    first, second = __import__("json").loads((pytester.path / "seen.json").read_text())
    assert first == second


def test_server_errors_surface_in_the_test(pytester):
    pytester.makepyfile(test_boom='''
        import httpx
        import pytest

        from mockserver.services import overview


        def explode(*args, **kwargs):
            raise RuntimeError("kaboom in the server")


        def test_through_the_client(billing_client, monkeypatch):
            monkeypatch.setattr(overview, "overview", explode)
            billing_client.get("/billing/overview")


        def test_through_any_client(billing_mock, monkeypatch):
            monkeypatch.setattr(overview, "overview", explode)
            r = httpx.get(billing_mock.api_url + "/billing/overview",
                          headers={"Authorization": "Bearer demo-token"})
            assert r.status_code == 500


        @pytest.mark.billing_scenario("scripted-outage")
        def test_a_scripted_503_is_not_an_error(billing_client):
            assert billing_client.get("/billing/invoices").status_code == 503
            assert billing_client.get("/billing/invoices").status_code == 200
    ''')
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*BillingMockServerError: billing_mock: the server raised*",
        "*RuntimeError: kaboom in the server*",
    ])
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_through_any_client*"])


def test_settings_can_be_overridden_in_a_conftest(pytester):
    pytester.makeconftest('''
        import pytest

        from mockserver.settings import Settings


        @pytest.fixture(scope="session")
        def billing_mock_settings():
            return Settings(seed=7, scenario="german-public-sector")
    ''')
    pytester.makepyfile(test_settings='''
        import pytest

        from mockserver.app import default_store
        from mockserver.settings import Settings


        def test_the_base_world_is_the_scenario(billing_mock, billing_client):
            assert billing_mock.default_token == "german-public-sector-token"
            assert billing_client.get("/billing/billing-profile").status_code == 200


        @pytest.mark.billing_scenario(None)
        def test_the_default_world_has_the_seed(billing_mock, billing_client):
            store = default_store(Settings(seed=7))
            demo = store.tenants[store.tokens["demo-token"].tenant_id]
            profile = billing_client.get("/billing/billing-profile").json()["data"]
            assert profile["vat_number"] == demo.profile.vat_number


        def test_and_back(billing_mock):
            assert set(billing_mock.tokens) == {"german-public-sector-token"}
    ''')
    run(pytester).assert_outcomes(passed=3)


def test_the_marker_is_registered(pytester):
    pytester.makepyfile(test_strict=textwrap.dedent('''
        import pytest


        @pytest.mark.billing_scenario("dunning")
        def test_marked():
            pass
    '''))
    run(pytester, "--strict-markers").assert_outcomes(passed=1)
    result = run(pytester, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.billing_scenario(name):*"])


def test_a_scenario_a_test_loads_itself_does_not_leak_into_the_next_test(pytester):
    pytester.makepyfile(test_leak='''
        import httpx

        def test_a_loads_a_scenario_through_the_control_api(billing_mock):
            r = httpx.post(f"{billing_mock.url}/_mock/scenario", json={"name": "dunning"})
            assert r.status_code == 200 and "demo-token" not in billing_mock.tokens

        def test_b_gets_the_default_world_back(billing_mock):
            assert "demo-token" in billing_mock.tokens
    ''')
    run(pytester, "-q").assert_outcomes(passed=2)


def test_a_misspelled_operation_never_passes_assert_called(pytester):
    pytester.makepyfile(test_typo='''
        def test_typo(billing_mock):
            billing_mock.assert_called("send_invoice_mail", times=0)
    ''')
    result = run(pytester, "-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Did you mean send_invoice_email?*"])
