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
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cases: int = 0
    seconds: float = 0.0

    def execute(self) -> list[Finding]:
        started = time.perf_counter()
        self._reachable()
        self._schemathesis()
        self._probes()
        self.seconds = time.perf_counter() - started
        return self.findings

    def _reachable(self) -> None:
        try:
            r = httpx.get(f"{self.api_url.rstrip('/')}/billing/payment-providers", timeout=10)
        except httpx.HTTPError as exc:
            raise Unreachable(f"cannot reach {self.api_url}: {exc}") from None
        if r.status_code == 404:
            raise Unreachable(f"{self.api_url}/billing/payment-providers is a 404: is "
                              "--base-url the API root (…/api/v1)?")

    def _config(self) -> SchemathesisConfig:
        documented_400 = [op["operationId"] for item in load_spec(self.spec_path)["paths"].values()
                          for op in item.values() if "400" in op.get("responses", {})]
        return SchemathesisConfig.from_dict({
            "base-url": self.api_url, "headers": {"Authorization": f"Bearer {self.token}"},
            "seed": self.seed, "generation": {"max-examples": self.max_examples, "mode": "all"},
            # A documented 400 is a refusal that depends on stored data (the backend's
            # BadRequestError), so schema-valid requests may receive it.
            "operations": [{"include-operation-id": op, "checks": {
                "positive_data_acceptance": {"expected-statuses": POSITIVE}}}
                for op in documented_400],
        })

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
                self.notes.append("billing_tenant_isolation did not run: no --token-b")
            for found in (probes.probe_pagination(ctx), probes.probe_tenant_isolation(ctx),
                          probes.probe_transitions(ctx), probes.probe_default_method(ctx),
                          probes.probe_einvoices(ctx, self._note)):
                for item in found:
                    self._add(item)

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
