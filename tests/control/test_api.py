"""The /_mock control API: clock, reset, snapshots, scenarios, tenants, journal, access."""

import httpx
import pytest
from flask import Flask

from mockserver.control.access import check_access
from mockserver.edge.errors import Forbidden, Unauthorized
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.conftest import PROFILE, make_jwt


@pytest.fixture
def server():
    with LiveServer(Settings(seed=42, scenario="dunning")) as live:
        yield live


def mock(server, method, path, **kw):
    return httpx.request(method, f"{server.url}/_mock{path}", **kw)


def token_client(server, token="dunning-token"):
    return httpx.Client(base_url=server.api_url, headers={"Authorization": f"Bearer {token}"})


def test_clock_get_advance_and_set(server):
    assert mock(server, "GET", "/clock").json()["data"]["now"] == "2026-03-10T09:00:00Z"
    r = mock(server, "POST", "/clock/advance", json={"days": 6, "hours": 1, "minutes": 30})
    data = r.json()["data"]
    assert data["now"] == "2026-03-16T10:30:00Z" and data["mode"] == "frozen"
    assert [e["type"] for e in data["events"]] == ["invoice.charge_failed"]
    r = mock(server, "POST", "/clock/set", json={"now": "2026-05-01T00:00:00Z",
                                                 "mode": "running"})
    assert r.json()["data"]["mode"] == "running"
    assert any(e["type"] == "invoice.generated" for e in r.json()["data"]["events"])
    assert mock(server, "POST", "/clock/advance", json={"days": -1}).status_code == 422


def test_reset_returns_to_the_start_and_empties_the_journal(server):
    with token_client(server) as c:
        c.put("/billing/billing-profile", json={"company_name": "Changed"})
        mock(server, "POST", "/clock/advance", json={"days": 30})
        assert mock(server, "GET", "/journal").json()["data"]
        r = mock(server, "POST", "/reset")
        assert r.json()["data"] == {"scenario": "dunning", "now": "2026-03-10T09:00:00Z",
                                    "tenants": 1}
        assert c.get("/billing/billing-profile").json()["data"]["company_name"] == \
            "Acme Cloud B.V."
    assert [e["operation_id"] for e in mock(server, "GET", "/journal").json()["data"]] == [
        "getBillingProfile"]


def test_snapshot_and_restore(server):
    with token_client(server) as c:
        snapshot = mock(server, "POST", "/snapshot").json()["data"]["id"]
        c.put("/billing/billing-profile", json={"company_name": "After"})
        mock(server, "POST", "/clock/advance", json={"days": 10})
        assert mock(server, "POST", "/restore", json={"id": snapshot}).status_code == 200
        assert c.get("/billing/billing-profile").json()["data"]["company_name"] == \
            "Acme Cloud B.V."
        assert mock(server, "GET", "/clock").json()["data"]["now"] == "2026-03-10T09:00:00Z"
    assert mock(server, "POST", "/restore", json={"id": "snap_nope"}).status_code == 404


def test_load_scenario_by_name_and_in_the_body_and_refuse_a_bad_one_whole(server):
    r = mock(server, "POST", "/scenario", json={"scenario": {
        "name": "inline", "description": "one tenant",
        "tenants": [{"key": "x", "tokens": ["inline-token"], "profile": PROFILE}]}})
    assert r.status_code == 200 and r.json()["data"]["scenario"] == "inline"
    with token_client(server, "inline-token") as c:
        assert c.get("/billing/billing-profile").json()["data"]["city"] == "Bruxelles"
    bad = mock(server, "POST", "/scenario", json={"scenario": {
        "name": "bad", "description": "x",
        "tenants": [{"key": "y", "tokens": ["bad-token"],
                     "profile": {"company_name": "Y", "country_code": "xx"}}]}})
    assert bad.status_code == 400
    problems = bad.json()["error"]["details"]["problems"]
    assert problems == [{"path": "tenants[0].profile.country_code",
                         "problem": "'xx' does not match '^[A-Z]{2}$'"}]
    assert mock(server, "GET", "/health").json()["scenario"] == "inline"  # nothing half-loaded
    assert mock(server, "POST", "/scenario", json={"name": "dunning"}).status_code == 200
    assert mock(server, "POST", "/scenario", json={"name": "no-such"}).status_code == 400


def test_tenants_with_their_tokens(server):
    [tenant] = mock(server, "GET", "/tenants").json()["data"]
    assert tenant["key"] == "acme" and tenant["tokens"] == ["dunning-token"]
    assert tenant["invoice_count"] == 1


def test_journal_filters_newest_first(server):
    with token_client(server) as c, httpx.Client(
            base_url=server.api_url,
            headers={"Authorization": f"Bearer {make_jwt('tnt_other')}"}) as other:
        c.get("/billing/invoices")
        c.get("/billing/invoices/inv_missing")
        other.get("/billing/overview")
        c.put("/billing/billing-profile", json={"company_name": "Journal BV"})
    entries = mock(server, "GET", "/journal").json()["data"]
    assert [e["operation_id"] for e in entries] == [
        "upsertBillingProfile", "getBillingOverview", "getInvoice", "listInvoices"]
    assert entries[0]["body"] == {"company_name": "Journal BV"}
    assert entries[1]["tenant_id"] == "tnt_other"
    only_404 = mock(server, "GET", "/journal", params={"status": 404}).json()["data"]
    assert [e["path"] for e in only_404] == ["/api/v1/billing/invoices/inv_missing"]
    by_op = mock(server, "GET", "/journal", params={"operation_id": "listInvoices"}).json()
    assert len(by_op["data"]) == 1
    by_tenant = mock(server, "GET", "/journal", params={"tenant_id": "tnt_other"}).json()
    assert [e["operation_id"] for e in by_tenant["data"]] == ["getBillingOverview"]
    assert len(mock(server, "GET", "/journal", params={"limit": 2}).json()["data"]) == 2
    assert server.store.journal.maxlen == 1000


def test_control_api_with_an_admin_token():
    with LiveServer(Settings(seed=1, admin_token="s3cret-admin")) as live:
        assert httpx.get(f"{live.url}/_mock/clock").status_code == 401
        wrong = httpx.get(f"{live.url}/_mock/clock", headers={"Authorization": "Bearer no"})
        assert wrong.status_code == 401
        ok = httpx.get(f"{live.url}/_mock/clock",
                       headers={"Authorization": "Bearer s3cret-admin"})
        assert ok.status_code == 200
        assert httpx.get(f"{live.url}/_mock/health").status_code == 200  # readiness stays open


def test_without_a_token_only_loopback_clients_may_use_it():
    app = Flask(__name__)
    for address in ("127.0.0.1", "::1", "127.8.9.10"):
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            check_access(None)
    for address in ("10.0.0.5", "192.168.1.2", "203.0.113.9", ""):
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            with pytest.raises(Forbidden):
                check_access(None)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.5"},
                                  headers={"Authorization": "Bearer tok"}):
        check_access("tok")
        with pytest.raises(Unauthorized):
            check_access("other")


@pytest.mark.parametrize("now", ["garbage", "yesterday", "2026-13-01T00:00:00Z", "2026-01-01",
                                 "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_setting_the_clock_to_no_date_time_is_a_422(own_server, now):
    r = httpx.post(f"{own_server.url}/_mock/clock/set", json={"now": now})
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", "now"] and error["type"] == "datetime_parsing"
    assert error["input"] == now


def test_setting_the_clock_centuries_ahead_is_refused_whole(own_server):
    r = httpx.post(f"{own_server.url}/_mock/clock/set", json={"now": "2999-12-31T23:59:59Z"})
    assert r.status_code == 400 and "at most" in r.json()["error"]["message"]
    assert not httpx.get(f"{own_server.url}/_mock/clock").json()["data"]["now"].startswith("2999")


def test_setting_the_clock_back_is_refused_unless_asked_for(server):
    """Moving back runs nothing and leaves invoices dated after "now": a slip of the date
    (a year too early) is refused; ``allow_backwards`` says it is meant."""
    r = mock(server, "POST", "/clock/set", json={"now": "2026-03-09T09:00:00Z"})
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "conflict" and "allow_backwards" in error["message"]
    assert error["details"] == {"now": "2026-03-10T09:00:00Z",
                                "requested": "2026-03-09T09:00:00Z"}
    assert mock(server, "GET", "/clock").json()["data"]["now"] == "2026-03-10T09:00:00Z"
    r = mock(server, "POST", "/clock/set", json={"now": "2026-03-09T09:00:00Z",
                                                 "allow_backwards": True})
    assert r.status_code == 200 and r.json()["data"]["now"] == "2026-03-09T09:00:00Z"
    assert r.json()["data"]["events"] == []
    assert mock(server, "POST", "/clock/set", json={"now": "2006-03-09T09:00:00Z",
                                                    "allow_backwards": True}).status_code == 400
    assert mock(server, "POST", "/clock/set", json={"now": "2026-03-09T09:00:00Z",
                                                    "allow_backwards": "yes"}).status_code == 422


def test_a_move_past_the_event_bound_stops_where_its_events_stop(monkeypatch):
    """The clock runs at most ``MAX_EVENTS`` events per move (then finishes the instant it is
    at): it stops there, consistent, and says so; the next move carries on from there, and
    the two moves together run exactly the events of one unbounded move."""
    from mockserver.services import clock as clock_service

    def moves(bound: int, until: str = "2026-07-01T00:00:00Z") -> tuple[list, list]:
        monkeypatch.setattr(clock_service, "MAX_EVENTS", bound)
        with LiveServer(Settings(seed=42, scenario="dunning")) as live:
            answers = []
            while not answers or not answers[-1]["complete"]:
                r = mock(live, "POST", "/clock/set", json={"now": until})
                assert r.status_code == 200, r.text
                answers.append(r.json()["data"])
                assert len(answers) < 20
            with token_client(live) as c:
                invoices = c.get("/billing/invoices").json()["data"]
            return answers, [(i["number"], i["status"]) for i in invoices]

    steps, stepped_invoices = moves(2)
    [whole], invoices = moves(100_000)
    assert whole["complete"] and whole["now"] == whole["requested"] == "2026-07-01T00:00:00Z"
    assert len(steps) > 1 and stepped_invoices == invoices
    for step in steps[:-1]:
        assert not step["complete"] and step["requested"] == "2026-07-01T00:00:00Z"
        assert step["now"] == step["events"][-1]["at"]  # the clock stops at its last event
        assert len(step["events"]) >= 2
    assert [e for step in steps for e in step["events"]] == whole["events"]


def test_a_short_move_past_the_event_bound_is_never_half_applied(monkeypatch):
    """A move shorter than 62 days was thought unable to reach the bound, so nothing undid
    it: a 409 that had moved the clock and run events. Whatever a move past the bound answers,
    it is never an error that changed the world."""
    from mockserver.services import clock as clock_service

    monkeypatch.setattr(clock_service, "MAX_EVENTS", 1)
    with LiveServer(Settings(seed=42, scenario="dunning")) as live:
        with token_client(live) as c:
            before = c.get("/billing/invoices").json()["data"]
        r = mock(live, "POST", "/clock/advance", json={"days": 40})
        with token_client(live) as c:
            after = c.get("/billing/invoices").json()["data"]
        now = mock(live, "GET", "/clock").json()["data"]["now"]
    if r.status_code != 200:
        assert (now, after) == ("2026-03-10T09:00:00Z", before), r.text
    else:
        assert not r.json()["data"]["complete"] and r.json()["data"]["now"] == now
