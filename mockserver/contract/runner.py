"""One contract run: Schemathesis with the billing checks, then the probes, then the reports.

Two levels. ``published`` (the default) holds the server to the published layer only: the
reference's operations, status codes, envelopes and 422 body, the published facts (401 without a
token, the error envelope), the billing rules, and the server's own ``/openapi.json`` when it
publishes one (does it keep its own promises?). What the server does differently from the mock's
guesses (field names and formats, ``X-Request-ID``, parameter bounds) is listed as "the mock
guessed differently", for the mock's maintainers, and never fails the run. ``mock`` also holds
the server to every guess of the mock.
"""

from __future__ import annotations

import copy
import re
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
from mockserver.contract.failures import Finding, GuessFailure
from mockserver.spec import API_BASE, BILLING_SPEC, load_spec, operations

SEND = "sendInvoiceEmail"
# Writes Schemathesis would aim at the tenant's own payment methods (it takes their ids from
# the list): only the default-method probe calls them, on methods it created itself.
ON_EXISTING_METHODS = frozenset({"deletePaymentMethod", "setDefaultPaymentMethod"})
BUILTIN_CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
                  "response_headers_conformance", "response_schema_conformance",
                  "negative_data_rejection", "positive_data_acceptance",
                  "missing_required_header", "unsupported_method", "use_after_free",
                  "ensure_resource_availability", "ignored_auth")
POSITIVE = ["2xx", "3xx", "400", "401", "402", "403", "404", "409", "429", "5xx"]
LEVELS = ("published", "mock")
# Schemathesis' checks that hold the answer to the mock's document: at the published level what
# they find is the mock's guess (a field, a format, a bound, a status the mock chose), not a
# promise the server broke.
AGAINST_THE_MOCKS_DOCUMENT = frozenset({
    "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance", "negative_data_rejection", "positive_data_acceptance",
    "unsupported_method", "missing_required_header"})
ERROR_ENVELOPE = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message", "request_id"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "request_id": {"type": "string"}}}}}


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
    level: str = "published"  # or "mock": also hold the server to every guess of the mock
    own_document: bool = True  # also run Schemathesis on the server's own /openapi.json
    findings: list[Finding] = field(default_factory=list)
    guesses: list[Finding] = field(default_factory=list)  # "the mock guessed differently"
    documents: list[str] = field(default_factory=list)  # what the generated requests came from
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # check -> why it did not run
    partly: dict[str, str] = field(default_factory=dict)  # check -> what part did not run
    incomplete: str | None = None  # why the run could not finish or undo its writes (exit 2)
    cases: int = 0
    seconds: float = 0.0

    def execute(self) -> list[Finding]:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {self.level!r}")
        started = time.perf_counter()
        billing_checks.RAN.clear()
        self._probe_skipped: dict[str, str] = {}  # check -> why its probe did not run
        self._probed: dict[str, int] = {}  # probe-only check -> how many things it checked
        self._probe_empty: dict[str, str] = {}  # probe-only check -> why it found nothing
        self._their_profile_fields: set[str] = set()
        self._reachable()
        self._authorised()
        self._announce()
        before = {} if self.read_only else self._before()
        try:
            self._schemathesis()
            if self.own_document:
                self._own_document()
            self._probes()
        except httpx.TransportError as exc:
            self.incomplete = f"the connection to the server failed mid-run: {exc!r}"
        finally:  # a failure or Ctrl-C still puts the tenants' profiles and methods back
            try:
                self._restore(before)
            except httpx.HTTPError as exc:
                self.incomplete = (self.incomplete or "") + (
                    f" could not put the tenants back: {exc!r}")
            self.seconds = time.perf_counter() - started
        self._settle()
        return self.findings

    @property
    def origin(self) -> str:
        """Where the API's paths start (``/api/v1/...`` lives under it)."""
        return self.api_url.rstrip("/").removesuffix(API_BASE)

    def _settle(self) -> None:
        """What did not run, or ran only in part, is said so (never "ok")."""
        found = {f.check for f in self.findings}
        for check, reason in self._probe_skipped.items():
            if billing_checks.RAN[check]:
                self.partly[check] = f"its probe did not run: {reason}"
            else:
                self._skip(check, reason)
        for check in billing_checks.CHECK_NAMES:
            if check not in found and check not in self.skipped \
                    and not billing_checks.RAN[check]:
                self._skip(check, "nothing to check: no answer carried what it checks")
        if self.read_only:
            for check in ("unsupported_method", "use_after_free",
                          "ensure_resource_availability"):
                self._skip(check, "--read-only (it needs writes)")
        for check, count in self._probed.items():
            if not count and check not in found and check not in self.skipped:
                self._skip(check, self._probe_empty.get(
                    check, "nothing to check: no answer carried what it checks"))

    def _announce(self) -> None:
        if self.read_only:
            self.out("read-only run: GET operations only; nothing on the server is changed")
            return
        self.out("this run WRITES to the tenants behind --token and --token-b (use dedicated "
                 "test tenants): billing profile updates, payment methods added, and provider "
                 "setup sessions started (on a real server, real objects at the payment "
                 "provider). The billing profile and the payment methods are read first and "
                 "put back at the end: methods the run added are deleted, the default is set "
                 "back; the tenant's own methods are never deleted")
        self.out("sending invoices (real e-mail): " + (
            "ON (--allow-send)" if self.allow_send else "off (--allow-send to include it)"))

    def _tokens(self) -> list[str]:
        return [t for t in (self.token, self.token_b) if t]

    def _before(self) -> dict[str, dict]:
        """Each tenant's billing profile (None: it had none) and payment methods before the run.
        A tenant whose profile cannot be read is not written to (it could not be put back)."""
        found = {}
        with httpx.Client(base_url=self.api_url, timeout=30) as client:
            for token in self._tokens():
                headers = {"Authorization": f"Bearer {token}"}
                r = client.get("/billing/billing-profile", headers=headers)
                if r.status_code != 200:
                    raise Unreachable(f"cannot read a tenant's billing profile ({r.status_code} "
                                      f"{r.text[:200]}): not writing what could not be put back")
                methods = client.get("/billing/payment-methods", headers=headers)
                listed = methods.json().get("data") if methods.status_code == 200 else None
                found[token] = {"profile": r.json().get("data"), "methods": [
                    m for m in listed or [] if isinstance(m, dict)]}
        return found

    def _restore(self, before: dict[str, dict]) -> None:
        spec = load_spec(self.spec_path)["components"]["schemas"]
        editable = set(spec["BillingProfileCreateUpdate"]["properties"]) | \
            self._their_profile_fields
        with httpx.Client(base_url=self.api_url, timeout=30) as client:
            for token, state in before.items():
                headers = {"Authorization": f"Bearer {token}"}
                self._restore_methods(client, headers, state["methods"])
                profile = state["profile"]
                if profile is None:
                    now = client.get("/billing/billing-profile", headers=headers)
                    if now.status_code == 200 and now.json().get("data") is not None:
                        self._note("a tenant without a billing profile has one after the run "
                                   "(the API cannot delete a profile)")
                    continue
                body = {k: v for k, v in profile.items() if k in editable}
                r = client.put("/billing/billing-profile", json=body, headers=headers)
                if r.status_code != 200:
                    self.incomplete = (f"could not put a tenant's billing profile back: "
                                       f"{r.status_code} {r.text[:200]}")

    def _restore_methods(self, client: httpx.Client, headers: dict, methods: list[dict]) -> None:
        """Delete the methods the run added; make the old default the default again."""
        r = client.get("/billing/payment-methods", headers=headers)
        if r.status_code != 200:
            return
        kept = {m.get("id") for m in methods}
        added = [m.get("id") for m in r.json().get("data") or []
                 if isinstance(m, dict) and m.get("id") not in kept]
        for method_id in added:
            client.delete(f"/billing/payment-methods/{method_id}", headers=headers)
        default = next((m.get("id") for m in methods if m.get("is_default")), None)
        if default:
            client.post(f"/billing/payment-methods/{default}/default", headers=headers)
        if added:
            self.notes.append(f"deleted the {len(added)} payment methods the run added")

    def _authorised(self) -> None:
        """A token the server refuses would make every check look at 401s: not a run."""
        for token, name in ((self.token, "--token"), (self.token_b, "--token-b")):
            if not token:
                continue
            r = httpx.get(f"{self.api_url}/billing/invoices",
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
            if r.status_code in (401, 403):
                raise Unreachable(f"the server refuses {name} ({r.status_code} "
                                  f"{r.text[:200]}): give a valid tenant token")

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
        return SchemathesisConfig.from_dict({
            **self._quiet(),
            "base-url": self.api_url, "headers": {"Authorization": f"Bearer {self.token}"},
            "seed": self.seed, "generation": {"max-examples": self.max_examples, "mode": "all"},
            # A documented 400 is a refusal that depends on stored data (the backend's
            # BadRequestError), so schema-valid requests may receive it.
            "operations": [{"include-operation-id": op, "checks": {
                "positive_data_acceptance": {"expected-statuses": POSITIVE}}}
                for op in documented_400 if op not in left_out] + [
                {"include-operation-id": op, "enabled": False} for op in sorted(left_out)],
        })

    def _quiet(self) -> dict:
        # Read-only: the unsupported-method check would send the writes the run leaves out
        # (PUT on the profile's path, ...) and the stateful phase follows links into writes.
        return {"checks": {"unsupported_method": {"enabled": False}},
                "phases": {"stateful": {"enabled": False}}} if self.read_only else {}

    def _left_out_ids(self) -> set[str]:
        """The operations Schemathesis does not call: writes when read-only, sends unless
        allowed, and never deletes or default switches (the tenant's own methods)."""
        return {op.operation_id for op in operations().values()
                if (self.read_only and op.method != "get")
                or (not self.allow_send and op.operation_id == SEND)
                or op.operation_id in ON_EXISTING_METHODS}

    def _left_out(self, declared) -> set[str]:
        return {op["operationId"] for _, op in declared} & self._left_out_ids()

    def _schemathesis(self) -> None:
        with as_file(self.spec_path) as path:  # Schemathesis reads a file on the disk
            schema = schemathesis.openapi.from_path(str(path), config=self._config())
        self.documents.append("the mock's document (requests as the mock expects them)")
        self._execute(schema, "the mock's document", own=False)

    def _own_document(self) -> None:
        """Schemathesis on the server's own ``/openapi.json``, when it publishes one: its own
        promises (schemas, statuses, bounds) are held against it, whatever the mock guessed."""
        url = f"{self.origin}/openapi.json"
        try:
            r = httpx.get(url, timeout=30)
            document = r.json() if r.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            document = None
        if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
            self._skip("own_document", f"the server publishes no OpenAPI document at {url}")
            return
        prepared, ids = own_document(document)
        self._their_profile_fields = _request_fields(prepared, "upsertBillingProfile", ids)
        if not ids:
            self._skip("own_document", f"{url} has no billing operation")
            return
        base = self.origin if any(p.startswith(API_BASE + "/") for p in prepared["paths"]) \
            else self.api_url
        left_out = {theirs for theirs, ours in ids.items() if ours in self._left_out_ids()}
        with_body = {op.get("operationId") for item in prepared["paths"].values()
                     for op in item.values() if isinstance(op, dict) and "requestBody" in op}
        config = SchemathesisConfig.from_dict({
            **self._quiet(), "base-url": base,
            "headers": {"Authorization": f"Bearer {self.token}"},
            "seed": self.seed, "generation": {"max-examples": self.max_examples, "mode": "all"},
            # A FastAPI document cannot state a model's validators (a pair of fields that only
            # go together): a 422 in FastAPI's shape to a body it calls valid is such a rule.
            "operations": [{"include-operation-id": op, "checks": {
                "positive_data_acceptance": {"expected-statuses": POSITIVE + (
                    ["422"] if op in with_body else [])}}}
                for op in sorted(ids) if op not in left_out] + [
                {"include-operation-id": op, "enabled": False} for op in sorted(left_out)]})
        schema = schemathesis.openapi.from_dict(prepared, config=config)
        self.documents.append(f"the server's own document {url} ({len(ids)} billing "
                              f"operations, {len(ids) - len(left_out)} run)")
        self._execute(schema, "the server's own document", own=True)

    def _execute(self, schema, source: str, own: bool) -> None:
        self.out(f"generating requests from {source} for "
                 f"{len(list(schema.get_all_operations()))} operations "
                 f"(max {self.max_examples} examples each, seed {self.seed})")
        for event in from_schema(schema).execute():
            if isinstance(event, events.Interrupted):
                raise KeyboardInterrupt  # Schemathesis caught the Ctrl-C: the run ends here
            if isinstance(event, events.PhaseStarted):
                self.out(f"  phase: {event.phase.name.value}")
            elif isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
                self.cases += len(event.recorder.cases)
                groups = grouped_failures_from_recorder(event.recorder)
                failed = False
                for group in groups:
                    failed |= self._add_schemathesis_failures(group, event.recorder.label, own)
                if failed:
                    self.out(f"    FAIL {event.recorder.label}")
            elif isinstance(event, events.NonFatalError):
                self.notes.append(f"{event.label}: {event.info.format(base_url_is_set=True)}")

    def _is_guess(self, failure, check: str, own: bool) -> bool:
        """Whether a failure is the server doing differently what the mock only guessed."""
        if self.level == "mock":
            return False
        if isinstance(failure, GuessFailure):
            return True
        return not own and check in AGAINST_THE_MOCKS_DOCUMENT

    def _add_schemathesis_failures(self, group, label: str, own: bool) -> bool:
        response = group.response
        defect = False
        for failure in group.failures:
            check = failure.checks[0] if getattr(failure, "checks", ()) else failure.title
            if isinstance(failure, billing_checks.BillingFailure):
                check = failure.title
            request = getattr(response, "request", None)
            finding = Finding(
                check, failure.operation or label, f"{failure.title}: {failure.message}".strip(),
                {"method": getattr(request, "method", ""), "url": getattr(request, "url", ""),
                 "body": _text(getattr(request, "body", None))},
                {"status": getattr(response, "status_code", None),
                 "headers": dict(getattr(response, "headers", {}) or {}),
                 "body": _text(getattr(response, "content", None))[:2000]},
                group.code_sample or "", "server's own document" if own else "")
            if self._is_guess(failure, check, own):
                self._guess(finding)
            else:
                self._add(finding)
                defect = True
        return defect

    def _probes(self) -> None:
        self.out("billing probes: pagination, tenant isolation, transitions, default method, "
                 "e-invoices")
        with httpx.Client(timeout=30) as client:
            ctx = probes.ProbeContext(self.api_url, self.token, self.token_b, client)
            if not self.token_b:
                self._skip("billing_tenant_isolation", "no --token-b")
            runs = [("billing_pagination", probes.probe_pagination)]
            if self.token_b:
                runs.append(("billing_tenant_isolation", lambda ctx: probes.probe_tenant_isolation(
                    ctx, writes=not self.read_only)))
            if self.read_only:
                self._probe_skipped["billing_transitions"] = "--read-only"
                self._probe_skipped["billing_default_method"] = "--read-only"
            elif not self.allow_send:
                self._probe_skipped["billing_transitions"] = "it sends invoices (--allow-send)"
                runs.append(("billing_default_method", probes.probe_default_method))
            else:
                runs += [("billing_transitions", probes.probe_transitions),
                         ("billing_default_method", probes.probe_default_method)]
            for check, probe in runs:
                try:
                    found = probe(ctx)
                except probes.CannotProbe as exc:
                    self._probe_skipped[check] = str(exc)
                    continue
                except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                    # The probe reads fields the mock guessed (pagination's names, ids...).
                    self._probe_skipped[check] = (f"could not read the server's answers "
                                                  f"({type(exc).__name__}: {exc})")
                    continue
                for item in found:
                    self._add(item)
            self._probed["billing_tenant_isolation"] = ctx.checked["billing_tenant_isolation"]
            missing = probes.missing_rule_files()
            if all(missing.values()):
                self._skip("billing_einvoice_valid", "no rule files: missing " + ", ".join(
                    sorted({m for ms in missing.values() for m in ms}))
                    + " (pip install 'billing-mock[einvoice]')")
                return
            lacking = [fmt for fmt, m in missing.items() if m]
            if lacking:
                self.partly["billing_einvoice_valid"] = (
                    f"not for {', '.join(lacking)}: rule files missing")
            for item in probes.probe_einvoices(ctx, self._note, tuple(self._tokens())):
                self._add(item)
            self._probed["billing_einvoice_valid"] = ctx.checked["billing_einvoice_valid"]
            if ctx.statuses:
                self._probe_empty["billing_einvoice_valid"] = (
                    "nothing to check: no download was an e-invoice (answers "
                    + ", ".join(f"{s} x{n}" for s, n in sorted(ctx.statuses.items())) + ")")

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

    def _guess(self, finding: Finding) -> None:
        """One entry per way the server differs (ids and numbers in the message aside)."""
        key = (finding.check, finding.operation, _shape(finding.message))
        if all((g.check, g.operation, _shape(g.message)) != key for g in self.guesses) \
                and len(self.guesses) < 500:
            self.guesses.append(finding)

    def checks_run(self) -> list[str]:
        builtin = sorted(BUILTIN_CHECKS)
        return builtin + list(billing_checks.CHECK_NAMES) + [
            "billing_tenant_isolation", "billing_einvoice_valid"] + (
            ["own_document"] if self.own_document else [])


def _shape(message: str) -> str:
    """A message with its values (ids, UUIDs, numbers, quoted strings) blanked."""
    first = message.splitlines()[0] if message else ""
    return re.sub(r"(?<![A-Za-z])'[^']*'|[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "_", first)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def own_document(document: dict) -> tuple[dict, dict[str, str]]:
    """A server's own OpenAPI document made ready to run: its billing operations only, FastAPI's
    optional ``authorization`` header read as the bearer scheme it is (the run sends the token),
    and the errors the published facts allow answered with the error envelope where the document
    lists nothing for them. Also: its operationIds -> the mock's."""
    prepared = copy.deepcopy(document)
    ours = {(op.method, _template(op.path)): op.operation_id for op in operations().values()}
    base = ""
    servers = prepared.get("servers") or []
    if servers and isinstance(servers[0], dict):
        base = re.sub(r"^[a-z]+://[^/]+", "", str(servers[0].get("url", ""))).rstrip("/")
    ids: dict[str, str] = {}
    paths = {}
    for path, item in (prepared.get("paths") or {}).items():
        full = path if path.startswith(API_BASE + "/") else base + path
        kept = {}
        for method, op in (item or {}).items():
            match = ours.get((method, _template(full)))
            if not isinstance(op, dict) or match is None:
                continue
            op.setdefault("operationId", f"{method}_{full}")
            ids[op["operationId"]] = match
            had_header = any(isinstance(p, dict) and p.get("in") == "header"
                             and p.get("name", "").lower() == "authorization"
                             for p in op.get("parameters", []))
            op["parameters"] = [p for p in op.get("parameters", []) if not (
                isinstance(p, dict) and p.get("in") == "header"
                and p.get("name", "").lower() == "authorization")]
            if had_header:
                op["security"] = [{"billingMockBearer": []}]
            for answer in op.get("responses", {}).values():
                # FastAPI writes ``application/json`` with an empty schema for an answer that
                # is not a model (a PDF, a file): it promises no content type.
                if isinstance(answer, dict) and answer.get("content") == {
                        "application/json": {"schema": {}}}:
                    answer["content"] = {"*/*": {"schema": {}}}
            for status in billing_checks.LEGITIMATE_ERRORS:
                op.setdefault("responses", {}).setdefault(str(status), {
                    "description": "An error the published facts allow",
                    "content": {"application/json": {"schema": ERROR_ENVELOPE}}})
            kept[method] = op
        if kept:
            paths[path] = {**{k: v for k, v in item.items() if k == "parameters"}, **kept}
    prepared["paths"] = paths
    components = prepared.setdefault("components", {})
    components.setdefault("securitySchemes", {})["billingMockBearer"] = {
        "type": "http", "scheme": "bearer"}
    return prepared, ids


def _request_fields(document: dict, operation: str, ids: dict[str, str]) -> set[str]:
    """The properties of an operation's JSON request body in a (prepared) document."""
    for item in document.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict) and ids.get(op.get("operationId")) == operation:
                schema = ((op.get("requestBody") or {}).get("content", {})
                          .get("application/json", {}).get("schema") or {})
                while isinstance(schema, dict) and "$ref" in schema:
                    node = document
                    for part in schema["$ref"].lstrip("#/").split("/"):
                        node = node.get(part, {}) if isinstance(node, dict) else {}
                    schema = node
                return set((schema or {}).get("properties") or {})
    return set()


def _template(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)
