"""billing-mock contract: clean against the mock, and every broken variant is flagged by the
check that is about its defect."""

import xml.etree.ElementTree as ElementTree

import httpx
import pytest
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.contract import report
from mockserver.contract.runner import ContractRun
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.contract.broken import DEFECTS


def test_clean_against_the_mock_with_default_settings(tmp_path):
    junit, markdown = tmp_path / "contract.xml", tmp_path / "contract.md"
    with LiveServer(Settings(seed=42)) as server:
        result = CliRunner().invoke(main, [
            "contract", "--base-url", server.api_url, "--token", "demo-token",
            "--token-b", "eu-token", "--junit", str(junit), "--report", str(markdown)])
    print(result.output[-3000:])
    assert result.exit_code == 0, result.output[-3000:]
    assert "0 findings" in result.output
    suite = ElementTree.parse(junit).getroot()
    assert suite.get("failures") == "0" and int(suite.get("tests")) >= 20
    assert "# Contract report" in markdown.read_text()


def test_clean_against_the_mock_at_the_mock_level():
    """The mock keeps its own guesses too: at --level mock it is clean."""
    with LiveServer(Settings(seed=42)) as server:
        run = ContractRun(server.api_url, "demo-token", "eu-token", max_examples=5,
                          out=lambda _: None, level="mock", own_document=False)
        assert run.execute() == [], report.summary(run)
    assert run.guesses == []


@pytest.mark.parametrize("defect", list(DEFECTS), ids=[d.__name__ for d in DEFECTS])
def test_every_broken_variant_is_flagged_by_the_right_check(defect):
    check, token = DEFECTS[defect]
    with LiveServer(Settings(seed=42), wrap=defect) as server:
        run = ContractRun(server.api_url, token, "us-token", max_examples=8, out=lambda _: None,
                          allow_send=True)  # a planted send defect needs the sends
        findings = run.execute()
    checks = {f.check for f in findings}
    assert check in checks, report.summary(run)
    flagged = next(f for f in findings if f.check == check)
    assert flagged.curl.startswith("curl") and flagged.operation


def test_findings_make_a_report_with_request_response_and_curl(tmp_path):
    from tests.contract.broken import TotalsOffByOneCent

    with LiveServer(Settings(seed=42), wrap=TotalsOffByOneCent) as server:
        result = CliRunner().invoke(main, [
            "contract", "--base-url", server.api_url, "--token", "demo-token",
            "--max-examples", "5", "--report", str(tmp_path / "r.md"),
            "--junit", str(tmp_path / "r.xml")])
    assert result.exit_code == 1
    text = (tmp_path / "r.md").read_text()
    assert "`billing_invoice_money`" in text and "Reproduce:" in text and "curl -X" in text
    assert "subtotal" in text and "Response: 200" in text
    suite = ElementTree.parse(tmp_path / "r.xml").getroot()
    failed = [c.get("name") for c in suite if c.find("failure") is not None]
    assert "billing_invoice_money" in failed


def test_unreachable_server_is_exit_2():
    result = CliRunner().invoke(main, ["contract", "--base-url", "http://127.0.0.1:9/api/v1",
                                       "--token", "x"])
    assert result.exit_code == 2 and "cannot reach" in result.output


def test_without_rule_files_the_einvoice_check_says_it_did_not_run(monkeypatch):
    from mockserver.contract import einvoice

    monkeypatch.setattr(einvoice, "missing_rule_files", lambda fmt: ["saxonche"])
    with LiveServer(Settings(seed=42)) as server:
        run = ContractRun(server.api_url, "demo-token", max_examples=3, out=lambda _: None)
        assert run.execute() == []
    assert "saxonche" in run.skipped["billing_einvoice_valid"]
    row = next(r for r in report.summary(run).splitlines()
               if r.startswith("billing_einvoice_valid"))
    assert "skipped: no rule files" in row
    assert any("billing_tenant_isolation did not run" in note for note in run.notes)


def _profile(server, token):
    return httpx.get(f"{server.api_url}/billing/billing-profile",
                     headers={"Authorization": f"Bearer {token}"}).json()["data"]


def _methods(server, token):
    listed = httpx.get(f"{server.api_url}/billing/payment-methods",
                       headers={"Authorization": f"Bearer {token}"}).json()["data"]
    return {(m["id"], m["is_default"]) for m in listed}


def test_a_default_run_sends_no_mail_and_puts_the_profiles_back():
    """Safe for staging: fuzzed profile updates are undone, the methods it added are deleted
    and the default set back, none of the tenant's own methods is deleted, nothing is mailed."""
    with LiveServer(Settings(seed=42)) as server:
        methods = {t: _methods(server, t) for t in ("demo-token", "eu-token")}
        assert all(methods.values())  # both tenants have methods of their own
        before = {t: _profile(server, t) for t in ("demo-token", "eu-token")}
        said: list[str] = []
        run = ContractRun(server.api_url, "demo-token", "eu-token", max_examples=8,
                          out=said.append)
        run.execute()
        after = {t: _profile(server, t) for t in ("demo-token", "eu-token")}
        assert {t: _methods(server, t) for t in methods} == methods
        outbox = httpx.get(f"{server.url}/_mock/outbox").json()["data"]
        journal = httpx.get(f"{server.url}/_mock/journal", params={"limit": 1000}).json()["data"]
    strip = lambda p: {k: v for k, v in p.items() if k != "updated_at"}  # noqa: E731
    assert {t: strip(p) for t, p in after.items()} == {t: strip(p) for t, p in before.items()}
    assert any(e["operation_id"] == "upsertBillingProfile" for e in journal)  # it did write
    assert outbox == [] and not any(e["operation_id"] == "sendInvoiceEmail" for e in journal)
    assert any("WRITES" in line for line in said)
    # The probe that sends did not run (its per-answer part did): the table, the Markdown and
    # the JUnit say so, never a plain "ok".
    assert run.partly["billing_transitions"] == \
        "its probe did not run: it sends invoices (--allow-send)"
    row = next(r for r in report.summary(run).splitlines() if r.startswith("billing_transitions"))
    assert "ok, partly: its probe did not run: it sends invoices" in row
    assert "| `billing_transitions` | 0 (partly: its probe" in report.markdown(run, server.api_url)
    case = next(c for c in ElementTree.fromstring(report.junit(run))
                if c.get("name") == "billing_transitions")
    assert "partly" in case.find("system-out").text


def test_a_read_only_run_changes_nothing():
    with LiveServer(Settings(seed=42)) as server:
        run = ContractRun(server.api_url, "demo-token", "eu-token", max_examples=5,
                          out=lambda _: None, read_only=True)
        run.execute()
        journal = httpx.get(f"{server.url}/_mock/journal", params={"limit": 1000}).json()["data"]
    assert journal and {e["method"] for e in journal} == {"GET"}
    for check in ("unsupported_method", "use_after_free", "ensure_resource_availability"):
        assert run.skipped[check] == "--read-only (it needs writes)"


def test_the_profiles_are_put_back_after_ctrl_c(monkeypatch):
    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(ContractRun, "_probes", interrupted)
    with LiveServer(Settings(seed=42)) as server:
        before = _profile(server, "demo-token")
        run = ContractRun(server.api_url, "demo-token", max_examples=5, out=lambda _: None,
                          own_document=False)
        with pytest.raises(KeyboardInterrupt):
            run.execute()
        after = _profile(server, "demo-token")
    strip = lambda p: {k: v for k, v in p.items() if k != "updated_at"}  # noqa: E731
    assert strip(after) == strip(before)


def test_ctrl_c_inside_schemathesis_ends_the_run_and_puts_the_tenant_back(monkeypatch):
    """Schemathesis catches the Ctrl-C itself and says so with an event: the run stops there
    (no later phase, no "0 findings"), and the profile is put back."""
    from schemathesis.engine import events

    from mockserver.contract import runner

    class Interrupting:
        def __init__(self, schema):
            self.schema = schema

        def execute(self):
            yield events.Interrupted(phase=None)

    monkeypatch.setattr(runner, "from_schema", Interrupting)
    with LiveServer(Settings(seed=42)) as server:
        result = CliRunner().invoke(main, ["contract", "--base-url", server.api_url,
                                           "--token", "demo-token"])
        journal = httpx.get(f"{server.url}/_mock/journal", params={"limit": 1000}).json()["data"]
    assert result.exit_code == 130 and "interrupted" in result.output
    assert "findings" not in result.output
    # No later pass and no probe ran (the default-method probe would have added a method);
    # the profile was still put back (a PUT after the reads).
    assert not any(e["operation_id"] == "addPaymentMethod" for e in journal)
    assert [e["operation_id"] for e in journal][0] == "upsertBillingProfile"  # newest first


def test_a_token_the_server_refuses_is_a_usage_error():
    with LiveServer(Settings(seed=42)) as server:
        result = CliRunner().invoke(main, ["contract", "--base-url", server.api_url,
                                           "--token", "expired-or-wrong", "--read-only"])
    assert result.exit_code == 2 and "refuses --token" in result.output


def test_a_connection_lost_mid_run_is_exit_2_with_the_summary(monkeypatch, tmp_path):
    from mockserver.contract import probes

    def lost(ctx):
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr(probes, "probe_pagination", lost)
    with LiveServer(Settings(seed=42)) as server:
        result = CliRunner().invoke(main, [
            "contract", "--base-url", server.api_url, "--token", "demo-token",
            "--max-examples", "3", "--junit", str(tmp_path / "j.xml")])
    assert result.exit_code == 2, result.output[-2000:]
    assert "INCOMPLETE: the connection to the server failed mid-run" in result.output
    assert (tmp_path / "j.xml").exists()
