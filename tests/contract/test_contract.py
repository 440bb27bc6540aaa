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


def test_a_default_run_sends_no_mail_and_puts_the_profiles_back():
    """Safe for staging: fuzzed profile updates are undone, and nothing is mailed."""
    with LiveServer(Settings(seed=42)) as server:
        before = {t: _profile(server, t) for t in ("demo-token", "eu-token")}
        said: list[str] = []
        run = ContractRun(server.api_url, "demo-token", "eu-token", max_examples=8,
                          out=said.append)
        run.execute()
        after = {t: _profile(server, t) for t in ("demo-token", "eu-token")}
        outbox = httpx.get(f"{server.url}/_mock/outbox").json()["data"]
        journal = httpx.get(f"{server.url}/_mock/journal", params={"limit": 1000}).json()["data"]
    strip = lambda p: {k: v for k, v in p.items() if k != "updated_at"}  # noqa: E731
    assert {t: strip(p) for t, p in after.items()} == {t: strip(p) for t, p in before.items()}
    assert any(e["operation_id"] == "upsertBillingProfile" for e in journal)  # it did write
    assert outbox == [] and not any(e["operation_id"] == "sendInvoiceEmail" for e in journal)
    assert any("WRITES" in line for line in said) and any("--allow-send" in n
                                                          for n in run.notes)
    # The probe that sends did not run: the table, the Markdown and the JUnit say so.
    assert "billing_transitions" in run.skipped
    row = next(r for r in report.summary(run).splitlines() if r.startswith("billing_transitions"))
    assert "skipped: it sends invoices" in row
    assert "| `billing_transitions` | skipped:" in report.markdown(run, server.api_url)
    case = next(c for c in ElementTree.fromstring(report.junit(run))
                if c.get("name") == "billing_transitions")
    assert case.find("skipped") is not None


def test_a_read_only_run_changes_nothing():
    with LiveServer(Settings(seed=42)) as server:
        run = ContractRun(server.api_url, "demo-token", "eu-token", max_examples=5,
                          out=lambda _: None, read_only=True)
        run.execute()
        journal = httpx.get(f"{server.url}/_mock/journal", params={"limit": 1000}).json()["data"]
    assert journal and {e["method"] for e in journal} == {"GET"}


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
