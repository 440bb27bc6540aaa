"""``billing-mock export-fixtures DIR``: every GET answer of every tenant, as files.

A frontend's tests (or a static fixture server) can then use the mock's answers without running
it. The mock is started in-process with the default world or a scenario; each JSON answer is
validated against its response schema in openapi/billing.yaml before anything is written, and a
single invalid answer refuses the whole export. ``index.json`` lists every file.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import click

from mockserver.spec import API_BASE

INDEX = "index.json"
PAGE_SIZE = 100
# The GET operations of openapi/billing.yaml this exporter knows how to walk.
EXPORTED_OPERATIONS = frozenset({
    "getBillingProfile", "listInvoices", "getInvoice", "downloadInvoicePdf",
    "downloadInvoiceEinvoice", "getBillingOverview", "getUpcomingInvoice", "listPaymentMethods",
    "listPaymentProviders", "getProviderConfig",
})
EXTENSIONS = {"application/json": "json", "application/pdf": "pdf", "application/xml": "xml"}


class ExportRefused(click.ClickException):
    """An answer does not match the document (or the document has a GET this exporter lacks)."""


@dataclass(frozen=True)
class Tenant:
    id: str
    key: str
    token: str


@dataclass
class Export:
    """What one export writes: files (relative path -> bytes) and the index's entries."""

    files: dict[str, bytes] = field(default_factory=dict)
    entries: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


class ResponseSchemas:
    """The response schema of each operation and status, validated as OpenAPI 3.0 answers
    (``nullable``; date, date-time and email formats) with Connexion's response validator."""

    def __init__(self, spec: dict) -> None:
        from connexion.json_schema import resolve_refs

        self.spec = resolve_refs(spec)  # a resolved copy: every schema stands alone
        self.operations = {op["operationId"]: (path, op)
                           for path, item in self.spec["paths"].items()
                           for method, op in item.items() if method == "get"}

    def response(self, operation_id: str, status: int) -> dict | None:
        """The documented answer (response object), or None."""
        return self.operations[operation_id][1]["responses"].get(str(status))

    def problems(self, operation_id: str, status: int, media_type: str, body) -> list[str]:
        from mockserver.schemas import response_validator

        response = self.response(operation_id, status)
        if response is None:
            return [f"status {status} is not documented"]
        if "content" not in response:  # e.g. a 307: no body is documented, any is accepted
            return []
        if media_type not in response["content"]:
            return [f"{media_type} is not a documented answer of status {status}"]
        if media_type != "application/json":
            return []
        validator = response_validator(response["content"][media_type]["schema"])
        return [f"at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in sorted(validator.iter_errors(body), key=lambda e: list(e.path))][:10]


class Exporter:
    """Walks every GET operation for every tenant of a running mock."""

    def __init__(self, server, schemas: ResponseSchemas) -> None:
        self.server, self.schemas = server, schemas
        self.export = Export()

    def run(self) -> Export:
        missing = set(self.schemas.operations) - EXPORTED_OPERATIONS
        if missing:
            raise ExportRefused(f"openapi/billing.yaml has GET operations export-fixtures does "
                                f"not export: {', '.join(sorted(missing))}")
        import httpx

        for tenant in self.tenants():
            with httpx.Client(base_url=self.server.api_url, timeout=60,
                              headers={"Authorization": f"Bearer {tenant.token}"}) as client:
                self._tenant(client, tenant)
        return self.export

    def tenants(self) -> list[Tenant]:
        """Every tenant reachable with an opaque token (its first one), in world order."""
        store = self.server.store
        with store.lock:
            first: dict[str, str] = {}
            for token, grant in store.tokens.items():
                first.setdefault(grant.tenant_id, token)
            found, used = [], set()
            for tenant_id, tenant in store.tenants.items():
                if tenant_id in first:
                    key = _safe(tenant.name or first[tenant_id])
                    key = key if key not in used else f"{key}-{_safe(tenant_id)}"
                    used.add(key)
                    found.append(Tenant(tenant_id, key, first[tenant_id]))
            return found

    def _tenant(self, client, tenant: Tenant) -> None:
        self._json(client, tenant, "getBillingProfile", "/billing/billing-profile",
                   "billing-profile.json")
        invoice_ids = []
        page, pages = 1, 1
        while page <= pages:
            name = "invoices.json" if page == 1 else f"invoices.page-{page}.json"
            body = self._json(client, tenant, "listInvoices", "/billing/invoices", name,
                              {"page": page, "page_size": PAGE_SIZE})
            invoice_ids += [invoice["id"] for invoice in body.get("data") or []]
            pages, page = (body.get("pagination") or {}).get("total_pages", 0), page + 1
        for invoice_id in invoice_ids:
            self._invoice(client, tenant, invoice_id)
        for operation_id, path, name in (
                ("getBillingOverview", "/billing/overview", "overview.json"),
                ("getUpcomingInvoice", "/billing/upcoming", "upcoming.json"),
                ("listPaymentMethods", "/billing/payment-methods", "payment-methods.json")):
            self._json(client, tenant, operation_id, path, name)
        providers = self._json(client, tenant, "listPaymentProviders",
                               "/billing/payment-providers", "payment-providers.json")
        for provider in providers.get("data") or []:
            slug = provider["slug"]
            self._json(client, tenant, "getProviderConfig",
                       f"/billing/payment-providers/{slug}/config",
                       f"payment-providers/{_safe(slug)}/config.json")

    def _invoice(self, client, tenant: Tenant, invoice_id: str) -> None:
        base = f"/billing/invoices/{invoice_id}"
        stem = f"invoices/{_safe(invoice_id)}"
        self._json(client, tenant, "getInvoice", base, f"{stem}.json")
        pdf = self._document(client, tenant, "downloadInvoicePdf", f"{base}/pdf", stem)
        if pdf.status_code == 307:  # a pre-generated pdf_url: take the rendering instead
            location = pdf.headers.get("location")
            self._skip(tenant, "downloadInvoicePdf", f"{base}/pdf", None, pdf,
                       f"redirects to the invoice's pdf_url {location}; {tenant.key}/{stem}.pdf "
                       "is its rendering (download?format=pdf)", location=location)
            self._document(client, tenant, "downloadInvoiceEinvoice", f"{base}/download",
                           stem, {"format": "pdf"})
        for fmt in self._einvoice_formats():
            self._document(client, tenant, "downloadInvoiceEinvoice", f"{base}/download",
                           f"{stem}.{fmt}", {"format": fmt})

    def _einvoice_formats(self) -> list[str]:
        from mockserver.documents import FORMATS  # the formats the download takes

        return [fmt for fmt in FORMATS if fmt != "pdf"]

    def _json(self, client, tenant: Tenant, operation_id: str, path: str, name: str,
              query: dict | None = None):
        response = client.get(path.lstrip("/"), params=query)
        media_type = response.headers.get("content-type", "").split(";")[0]
        body = response.json() if media_type == "application/json" else None
        self._check(tenant, operation_id, path, query, response, media_type, body)
        _stable_request_id(body, tenant, path, query)
        content = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
        self._add(tenant, operation_id, path, query, response, f"{tenant.key}/{name}",
                  content.encode())
        return body

    def _document(self, client, tenant: Tenant, operation_id: str, path: str, stem: str,
                  query: dict | None = None):
        response = client.get(path.lstrip("/"), params=query)
        media_type = response.headers.get("content-type", "").split(";")[0]
        if response.status_code in (307, 400):  # a redirect, or data the format needs is missing
            body = response.json() if media_type == "application/json" else None
            self._check(tenant, operation_id, path, query, response, media_type, body)
            if response.status_code == 400:
                error = body["error"]
                self._skip(tenant, operation_id, path, query, response, error["message"],
                           missing_fields=error.get("details", {}).get("missing_fields"))
            return response
        self._check(tenant, operation_id, path, query, response, media_type, None)
        name = f"{tenant.key}/{stem}.{EXTENSIONS.get(media_type, 'bin')}"
        self._add(tenant, operation_id, path, query, response, name, response.content)
        return response

    def _check(self, tenant, operation_id, path, query, response, media_type, body) -> None:
        problems = self.schemas.problems(operation_id, response.status_code, media_type, body)
        if problems:
            raise ExportRefused(
                f"the answer of GET {API_BASE}{path}{_query(query)} ({operation_id}, "
                f"{response.status_code}) for tenant {tenant.key} does not match "
                f"openapi/billing.yaml:\n  " + "\n  ".join(problems) + "\nNothing was written.")

    def _add(self, tenant, operation_id, path, query, response, name, content: bytes) -> None:
        self.export.files[name] = content
        self.export.entries.append({
            "file": name, **_where(tenant, operation_id, path, query), "status":
            response.status_code, "content_type": response.headers.get("content-type")})

    def _skip(self, tenant, operation_id, path, query, response, reason, **extra) -> None:
        self.export.skipped.append({**_where(tenant, operation_id, path, query),
                                    "status": response.status_code, "reason": reason,
                                    **{k: v for k, v in extra.items() if v is not None}})


def _stable_request_id(body, tenant: Tenant, path: str, query: dict | None) -> None:
    """Put an id derived from the request in place of the random one the server gave, so a
    second export of the same world writes the same bytes (the server's id names one request,
    which a fixture file is not)."""
    for envelope in ("meta", "error"):
        part = body.get(envelope) if isinstance(body, dict) else None
        if isinstance(part, dict) and "request_id" in part:
            request = f"{tenant.id} GET {API_BASE}{path}{_query(query)}"
            part["request_id"] = f"req_{hashlib.sha256(request.encode()).hexdigest()[:16]}"


def write(directory: Path, export: Export, index: dict) -> None:
    """Replace a previous export in ``directory`` (only the files its index listed)."""
    directory.mkdir(parents=True, exist_ok=True)
    previous = directory / INDEX
    if previous.exists():
        try:
            listed = [entry["file"] for entry in json.loads(previous.read_text())["files"]]
        except (ValueError, KeyError, TypeError):
            raise ExportRefused(f"{previous} is not an export-fixtures index; choose an empty "
                                "directory") from None
        for name in listed:
            old = (directory / name).resolve()
            if old.is_relative_to(directory.resolve()) and old.is_file():
                old.unlink()
    for name, content in export.files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    previous.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")


def export_world(directory: Path, scenario: str | None = None, seed: int | None = None,
                 now: datetime | None = None) -> dict:
    """Start the mock with the world, export it into ``directory``; answers the index.

    ``now``: build the default world at that moment, with its clock frozen there (a scenario
    sets its own clock)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx2.*")
        from mockserver import __version__
        from mockserver.domain.clock import Clock
        from mockserver.scenarios import ScenarioError
        from mockserver.scenarios.watcher import default_store
        from mockserver.settings import Settings
        from mockserver.spec import load_spec
        from mockserver.testing.server import LiveServer

    settings = Settings.from_env(seed=seed, scenario=scenario).with_(host="127.0.0.1", port=0)
    if now is not None and settings.scenario:
        raise click.UsageError("--now freezes the default world's clock; a scenario sets its "
                               "own clock")
    schemas = ResponseSchemas(load_spec())
    try:
        store = default_store(settings, Clock(now, mode="frozen")) if now else None
        server = LiveServer(settings, store).start()
    except ScenarioError as error:
        raise click.ClickException(f"scenario refused:\n{error}") from None
    try:
        exporter = Exporter(server, schemas)
        tenants = exporter.tenants()
        export = exporter.run()
        now = server.store.clock.now().isoformat().replace("+00:00", "Z")
    finally:
        server.stop()
    index = {
        "generator": f"billing-mock {__version__} export-fixtures",
        "world": settings.scenario or "default", "seed": settings.seed, "clock": now,
        "api_root": API_BASE,
        "tenants": [{"id": t.id, "key": t.key, "token": t.token, "dir": t.key} for t in tenants],
        "files": export.entries, "skipped": export.skipped,
    }
    write(directory, export, index)
    return index


@click.command("export-fixtures")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--scenario", default=None,
              help="A library scenario (see `billing-mock scenarios`) or a scenario file "
                   "[default: the default world].")
@click.option("--seed", type=int, default=None, help="Seed of the default world  [default: 42]")
@click.option("--now", "now_text", default=None, metavar="TIME",
              help="Build the default world at this RFC 3339 time, its clock frozen there "
                   "(e.g. 2026-03-10T09:00:00Z)  [default: now, running]")
def export_fixtures(directory: Path, scenario: str | None, seed: int | None,
                    now_text: str | None) -> None:
    """Write every GET answer of the API for every tenant into DIRECTORY as files.

    JSON answers (validated against openapi/billing.yaml first), invoice PDFs and every
    e-invoice format a tenant's data allows, and index.json listing each file with its tenant,
    operationId, path and status. A format the tenant's data does not allow (a 400) is listed
    under "skipped". With a frozen clock (a scenario's, or --now) and a seed, a second export
    writes the same bytes.
    """
    index = export_world(directory, scenario, seed, _time(now_text))
    click.echo(f"wrote {len(index['files'])} files for {len(index['tenants'])} tenants of the "
               f"{index['world']} world to {directory} (see {directory / INDEX}); "
               f"{len(index['skipped'])} skipped")


def _time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an RFC 3339 time such as "
                                 "2026-03-10T09:00:00Z", param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _where(tenant: Tenant, operation_id: str, path: str, query: dict | None) -> dict:
    return {"tenant": tenant.id, "tenant_key": tenant.key, "token": tenant.token,
            "operationId": operation_id, "method": "GET", "path": f"{API_BASE}{path}",
            **({"query": query} if query else {})}


def _query(query: dict | None) -> str:
    return f"?{urlencode(query)}" if query else ""


def _safe(name: str) -> str:
    """A file-name part: letters, digits, dot, dash and underscore only."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).strip(".") or "_"


__all__ = ["export_fixtures", "export_world"]
