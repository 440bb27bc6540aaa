"""Levels: by default a server is held to the published layer (and its own /openapi.json); what
it does differently from the mock's guesses is reported as such and never fails the run."""

import json
import xml.etree.ElementTree as ElementTree

import jwt
from click.testing import CliRunner

from mockserver.cli import main
from mockserver.contract import report
from mockserver.contract.runner import ContractRun, own_document
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.contract.faithful import FaithfulButDifferent, their_document


def _run(wrap, level="published", **kwargs) -> ContractRun:
    with LiveServer(Settings(seed=42), wrap=wrap) as server:
        run = ContractRun(server.api_url, kwargs.pop("token", "demo-token"),
                          kwargs.pop("token_b", "eu-token"), max_examples=8,
                          out=lambda _: None, level=level, **kwargs)
        run.execute()
    return run


def test_a_faithful_but_different_server_passes_the_default_level(tmp_path):
    """No X-Request-ID, UUIDs for ids, extra fields and meta keys, its own FastAPI-style
    /openapi.json: all allowed by the published contract, so 0 findings and exit 0."""
    junit, markdown = tmp_path / "c.xml", tmp_path / "c.md"
    with LiveServer(Settings(seed=42), wrap=FaithfulButDifferent) as server:
        result = CliRunner().invoke(main, [
            "contract", "--base-url", server.api_url, "--token", "demo-token",
            "--token-b", "eu-token", "--max-examples", "8", "--junit", str(junit),
            "--report", str(markdown)])
    assert result.exit_code == 0, result.output[-4000:]
    assert "0 findings at level published" in result.output
    # Its own document was the yardstick too, and every difference from the mock's guesses is
    # named for the mock's maintainers, not held against the server.
    assert "the server's own document" in result.output
    assert "the mock guessed differently" in result.output
    text = markdown.read_text()
    assert "## The mock guessed differently" in text and "X-Request-ID" in text
    assert "does not match \"^pm_\"" in text  # the id format was the mock's guess
    suite = ElementTree.parse(junit).getroot()
    assert suite.get("failures") == "0"
    guessed = next(c for c in suite if c.get("name") == "mock_guessed_differently")
    assert guessed.find("failure") is None and "X-Request-ID" in guessed.find("system-out").text


def test_a_faithful_server_that_clamps_and_refuses_with_400_passes_with_the_sends():
    """With --allow-send the transitions probe runs: its 400 for an illegal send is fine, and
    a clamped page_size is the mock's guess, not a defect."""
    run = _run(FaithfulButDifferent, allow_send=True, own_document=False)
    assert run.findings == [], report.summary(run)
    assert "billing_transitions" not in run.skipped and "billing_transitions" not in run.partly


def test_at_the_mock_level_the_same_server_is_held_to_every_guess():
    run = _run(FaithfulButDifferent, level="mock", own_document=False)
    checks = {f.check for f in run.findings}
    assert {"response_headers_conformance", "response_schema_conformance",
            "billing_envelope"} <= checks, report.summary(run)
    assert run.guesses == []


class BreaksItsOwnDocument(FaithfulButDifferent):
    """Publishes a document that promises a ``meta.trace_id`` it never sends."""

    def __init__(self, app) -> None:
        super().__init__(app)
        document = their_document()
        meta = document["components"]["schemas"]["Meta"]
        meta["properties"]["trace_id"] = {"type": "string"}
        meta["required"] = [*meta.get("required", []), "trace_id"]
        self.document = json.dumps(document).encode()


def test_a_server_is_held_to_its_own_document():
    run = _run(BreaksItsOwnDocument, allow_send=False)
    own = [f for f in run.findings if f.source == "server's own document"]
    assert any(f.check == "response_schema_conformance" and "trace_id" in f.message
               for f in own), report.summary(run)
    # The same answers against the published layer alone are fine.
    assert not [f for f in run.findings if not f.source], report.summary(run)


def test_own_document_reads_fastapis_header_as_the_bearer_scheme_and_allows_the_errors():
    prepared, ids = own_document(their_document())
    assert len(ids) == 17 and set(ids.values()) >= {"listInvoices", "addPaymentMethod"}
    op = prepared["paths"]["/api/v1/billing/invoices"]["get"]
    assert all(p["name"] != "authorization" for p in op["parameters"])
    assert op["security"] == [{"billingMockBearer": []}]
    assert {"400", "401", "403", "404", "409"} <= set(op["responses"])
    pdf = prepared["paths"]["/api/v1/billing/invoices/{invoice_id}/pdf"]["get"]
    assert pdf["responses"]["200"]["content"] == {"*/*": {"schema": {}}}  # FastAPI's "any"
    public = prepared["paths"]["/api/v1/billing/payment-providers"]["get"]
    assert "security" not in public


def test_a_check_with_nothing_to_look_at_is_skipped_not_ok():
    """A tenant without invoices or payment methods gives the transitions and default-method
    checks nothing to look at (no invoice state, no method list with a method): they say so."""
    empty = jwt.encode({"tenant_id": "tnt_nothing_yet", "permissions": ["billing:read"]},
                       "any-key-the-mock-does-not-check-1234", algorithm="HS256")
    with LiveServer(Settings(seed=42)) as server:
        run = ContractRun(server.api_url, empty, max_examples=3, out=lambda _: None,
                          own_document=False, allow_send=True)
        run.execute()
    for check in ("billing_transitions", "billing_einvoice_valid"):
        assert run.skipped[check].startswith("nothing to check"), run.skipped
        row = next(r for r in report.summary(run).splitlines() if r.startswith(check))
        assert "skipped: nothing to check" in row
    # A reader cannot add the method the probe works with: it says why.
    assert run.skipped["billing_default_method"].startswith(
        "could not add a payment method to work with (403"), run.skipped
    assert "billing_invoice_money" not in run.skipped  # the upcoming estimate has money


def test_the_per_answer_rules_hold_only_what_the_answer_has():
    from mockserver.contract.checks import default_method_problems, money_problems

    # An inactive method still listed is the mock's guess (reported elsewhere), and it does
    # not count as a default; one active default is right.
    assert default_method_problems([
        {"id": "a", "status": "inactive", "is_default": False},
        {"id": "b", "status": "active", "is_default": True}]) == []
    assert default_method_problems([{"id": "a", "status": "active", "is_default": False}])
    # The money fields a server has are checked; another name for the net amount is not a
    # defect, a wrong total is.
    assert money_problems({"number": "N", "tax_cents": 21, "total_cents": 121,
                           "net_cents": 100}) == []
    assert money_problems({"number": "N", "subtotal_cents": 100, "tax_cents": 21,
                           "total_cents": 120})
