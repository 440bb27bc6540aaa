"""One contract run: Schemathesis with the billing checks, then the probes, then the reports."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from importlib.resources import as_file
from importlib.resources.abc import Traversable
from typing import Callable

import httpx
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.reporting.recorders import grouped_failures_from_recorder

from mockserver.contract import checks as billing_checks  # noqa: F401 (registers the checks)
from mockserver.contract import probes
from mockserver.contract.failures import Finding
from mockserver.spec import BILLING_SPEC, load_spec

SEND = "sendInvoiceEmail"
POSITIVE = ["2xx", "3xx", "400", "401", "402", "403", "404", "409", "429", "5xx"]


class Unreachable(Exception):
    """The server cannot be reached or is not the API the document describes."""


@dataclass
class ContractRun:
    api_url: str
    token: str
    token_b: str | None = None
    max_examples: int = 25
    seed: int = 1
    spec_path: Traversable = BILLING_SPEC  # package data, or any pathlib.Path
    out: Callable[[str], None] = print
    allow_send: bool = False  # POST .../send mails the invoice: only when asked for
    read_only: bool = False  # GET operations only, no probe that writes
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # check -> why it did not run
    cases: int = 0
    seconds: float = 0.0

    def execute(self) -> list[Finding]:
        started = time.perf_counter()
        self._reachable()
        self._announce()
        profiles = {} if self.read_only else self._profiles()
        try:
            self._schemathesis()
            self._probes()
        finally:  # a failure or Ctrl-C still puts the tenants' billing profiles back
            self._restore(profiles)
            self.seconds = time.perf_counter() - started
        return self.findings

    def _announce(self) -> None:
        if self.read_only:
            self.out("read-only run: GET operations only; nothing on the server is changed")
            return
        self.out("this run WRITES to the tenants behind --token and --token-b: billing profile "
                 "updates and payment methods (use dedicated test tenants); the billing profile "
                 "is read first and put back at the end")
        self.out("sending invoices (real e-mail): " + (
            "ON (--allow-send)" if self.allow_send else "off (--allow-send to include it)"))

    def _tokens(self) -> list[str]:
        return [t for t in (self.token, self.token_b) if t]

    def _profiles(self) -> dict[str, dict | None]:
        """Each tenant's billing profile before the run (None: it had none)."""
        found = {}
        with httpx.Client(base_url=self.api_url, timeout=30) as client:
            for token in self._tokens():
                r = client.get("/billing/billing-profile",
                               headers={"Authorization": f"Bearer {token}"})
                found[token] = (r.json().get("data") if r.status_code == 200 else None)
        return found

    def _restore(self, profiles: dict[str, dict | None]) -> None:
        editable = set(load_spec(self.spec_path)["components"]["schemas"][
            "BillingProfileCreateUpdate"]["properties"])
        with httpx.Client(base_url=self.api_url, timeout=30) as client:
            for token, before in profiles.items():
                headers = {"Authorization": f"Bearer {token}"}
                if before is None:
                    now = client.get("/billing/billing-profile", headers=headers)
                    if now.status_code == 200 and now.json().get("data") is not None:
                        self._note("a tenant without a billing profile has one after the run "
                                   "(the API cannot delete a profile)")
                    continue
                body = {k: v for k, v in before.items() if k in editable}
                r = client.put("/billing/billing-profile", json=body, headers=headers)
                if r.status_code != 200:
                    self._note(f"could not put a tenant's billing profile back: "
                               f"{r.status_code} {r.text[:200]}")

    def _reachable(self) -> None:
        try:
            r = httpx.get(f"{self.api_url.rstrip('/')}/billing/payment-providers", timeout=10)
        except httpx.HTTPError as exc:
            raise Unreachable(f"cannot reach {self.api_url}: {exc}") from None
        if r.status_code == 404:
            raise Unreachable(f"{self.api_url}/billing/payment-providers is a 404: is "
                              "--base-url the API root (…/api/v1)?")

    def _config(self) -> SchemathesisConfig:
        declared = [(method, op) for item in load_spec(self.spec_path)["paths"].values()
                    for method, op in item.items() if isinstance(op, dict)]
        documented_400 = [op["operationId"] for _, op in declared
                          if "400" in op.get("responses", {})]
        left_out = self._left_out(declared)
        # Read-only: the unsupported-method check would send the writes the run leaves out
        # (PUT on the profile's path, ...) and the stateful phase follows links into writes.
        quiet = {"checks": {"unsupported_method": {"enabled": False}},
                 "phases": {"stateful": {"enabled": False}}} if self.read_only else {}
        return SchemathesisConfig.from_dict({
            **quiet,
            "base-url": self.api_url, "headers": {"Authorization": f"Bearer {self.token}"},
            "seed": self.seed, "generation": {"max-examples": self.max_examples, "mode": "all"},
            # A documented 400 is a refusal that depends on stored data (the backend's
            # BadRequestError), so schema-valid requests may receive it.
            "operations": [{"include-operation-id": op, "checks": {
                "positive_data_acceptance": {"expected-statuses": POSITIVE}}}
                for op in documented_400 if op not in left_out] + [
                {"include-operation-id": op, "enabled": False} for op in sorted(left_out)],
        })

    def _left_out(self, declared) -> set[str]:
        """The operations this run does not call: writes when read-only, sends unless allowed."""
        return {op["operationId"] for method, op in declared
                if (self.read_only and method != "get")
                or (not self.allow_send and op["operationId"] == SEND)}

    def _schemathesis(self) -> None:
        with as_file(self.spec_path) as path:  # Schemathesis reads a file on the disk
            schema = schemathesis.openapi.from_path(str(path), config=self._config())
        self.out(f"generating requests for {len(list(schema.get_all_operations()))} operations "
                 f"(max {self.max_examples} examples each, seed {self.seed})")
        for event in from_schema(schema).execute():
            if isinstance(event, events.PhaseStarted):
                self.out(f"  phase: {event.phase.name.value}")
            elif isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
                self.cases += len(event.recorder.cases)
                groups = grouped_failures_from_recorder(event.recorder)
                for group in groups:
                    self._add_schemathesis_failures(group, event.recorder.label)
                if groups:
                    self.out(f"    FAIL {event.recorder.label}")
            elif isinstance(event, events.NonFatalError):
                self.notes.append(f"{event.label}: {event.info.format(base_url_is_set=True)}")

    def _add_schemathesis_failures(self, group, label: str) -> None:
        response = group.response
        for failure in group.failures:
            check = failure.checks[0] if getattr(failure, "checks", ()) else failure.title
            request = getattr(response, "request", None)
            self._add(Finding(
                check, failure.operation or label, f"{failure.title}: {failure.message}".strip(),
                {"method": getattr(request, "method", ""), "url": getattr(request, "url", ""),
                 "body": _text(getattr(request, "body", None))},
                {"status": getattr(response, "status_code", None),
                 "headers": dict(getattr(response, "headers", {}) or {}),
                 "body": _text(getattr(response, "content", None))[:2000]},
                group.code_sample or ""))

    def _probes(self) -> None:
        self.out("billing probes: pagination, tenant isolation, transitions, default method, "
                 "e-invoices")
        with httpx.Client(timeout=30) as client:
            ctx = probes.ProbeContext(self.api_url, self.token, self.token_b, client)
            if not self.token_b:
                self._skip("billing_tenant_isolation", "no --token-b")
            runs = [probes.probe_pagination,
                    lambda ctx: probes.probe_tenant_isolation(ctx, writes=not self.read_only)]
            if self.read_only:
                self._skip("billing_transitions", "--read-only")
                self._skip("billing_default_method", "--read-only")
            elif not self.allow_send:
                self._skip("billing_transitions", "it sends invoices (--allow-send)")
                runs.append(probes.probe_default_method)
            else:
                runs += [probes.probe_transitions, probes.probe_default_method]
            for probe in runs:
                for item in probe(ctx):
                    self._add(item)
            for item in probes.probe_einvoices(ctx, self._note):
                self._add(item)

    def _skip(self, check: str, reason: str) -> None:
        """A check that did not run is reported as skipped, with why, never as ok."""
        self.skipped[check] = reason
        self.notes.append(f"{check} did not run: {reason}")

    def _note(self, text: str) -> None:
        self.notes.append(text)
        self.out(f"  note: {text}")

    def _add(self, finding: Finding) -> None:
        if all(f.key != finding.key for f in self.findings):
            self.findings.append(finding)

    def checks_run(self) -> list[str]:
        builtin = sorted({"not_a_server_error", "status_code_conformance",
                          "content_type_conformance", "response_headers_conformance",
                          "response_schema_conformance", "negative_data_rejection",
                          "positive_data_acceptance", "missing_required_header",
                          "unsupported_method", "use_after_free",
                          "ensure_resource_availability", "ignored_auth"})
        return builtin + list(billing_checks.CHECK_NAMES) + [
            "billing_tenant_isolation", "billing_einvoice_valid"]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
