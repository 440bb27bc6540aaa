"""Questions no single response answers, asked with plain requests after the generated ones."""

from __future__ import annotations

import shlex
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from typing import Callable

import httpx

from mockserver.contract import einvoice
from mockserver.contract.checks import default_method_problems
from mockserver.contract.failures import Finding

FORMATS = ("ubl", "xrechnung", "cii", "facturx")


class CannotProbe(Exception):
    """The probe could not set up what it checks (the reason is the message)."""


@dataclass
class ProbeContext:
    api_url: str
    token: str
    token_b: str | None
    client: httpx.Client
    checked: Counter = field(default_factory=Counter)  # check -> things it looked at
    statuses: Counter = field(default_factory=Counter)  # e-invoice download statuses seen

    def call(self, method: str, path: str, token: str | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return self.client.request(method, self.api_url.rstrip("/") + path, headers=headers,
                                   **kwargs)


def finding(check: str, operation: str, message: str, response: httpx.Response) -> Finding:
    request = response.request
    headers = {k: ("[Filtered]" if k.lower() == "authorization" else v)
               for k, v in request.headers.items()}
    body = request.content.decode("utf-8", "replace") if request.content else None
    curl = " ".join(["curl", "-X", request.method, *[
        f"-H {shlex.quote(f'{k}: {v}')}" for k, v in headers.items()
        if k.lower() in ("authorization", "content-type")],
        *([f"-d {shlex.quote(body)}"] if body else []), shlex.quote(str(request.url))])
    return Finding(check, operation, message,
                   {"method": request.method, "url": str(request.url), "headers": headers,
                    "body": body},
                   {"status": response.status_code, "headers": dict(response.headers),
                    "body": response.text[:2000] if "pdf" not in response.headers.get(
                        "content-type", "") else f"<{len(response.content)} bytes>"},
                   curl)


def _all_invoices(ctx: ProbeContext, token: str | None = None) -> list[dict]:
    found, page = [], 1
    while page <= 50:
        r = ctx.call("GET", "/billing/invoices", token, params={"page": page, "page_size": 100})
        if r.status_code != 200:
            break
        body = r.json()
        found += body.get("data", [])
        if page >= body.get("pagination", {}).get("total_pages", 0):
            break
        page += 1
    return found


def probe_pagination(ctx: ProbeContext) -> list[Finding]:
    """Walking small pages visits every invoice exactly once."""
    first = ctx.call("GET", "/billing/invoices", params={"page_size": 3})
    if first.status_code != 200:
        return []
    total = first.json()["pagination"]["total"]
    seen: list[str] = []
    last = first
    for page in range(1, min(first.json()["pagination"]["total_pages"], 40) + 1):
        last = ctx.call("GET", "/billing/invoices", params={"page_size": 3, "page": page})
        seen += [i["id"] for i in last.json().get("data", [])]
    problems = []
    if len(seen) != len(set(seen)):
        problems.append("an invoice appears on more than one page")
    if len(set(seen)) != min(total, 120):
        problems.append(f"pages hold {len(set(seen))} invoices but total says {total}")
    return [finding("billing_pagination", "GET /billing/invoices", "; ".join(problems), last)
            ] if problems else []


def probe_tenant_isolation(ctx: ProbeContext, writes: bool = True) -> list[Finding]:
    """Tenant B gets 404 for tenant A's invoices, documents and methods (the method check
    tries a write, which a read-only run leaves out)."""
    if not ctx.token_b:
        return []
    findings = []
    for invoice in _all_invoices(ctx)[:3]:
        for suffix, op in (("", "GET /billing/invoices/{invoice_id}"),
                           ("/pdf", "GET /billing/invoices/{invoice_id}/pdf"),
                           ("/download?format=pdf",
                            "GET /billing/invoices/{invoice_id}/download")):
            r = ctx.call("GET", f"/billing/invoices/{invoice['id']}{suffix}", ctx.token_b)
            ctx.checked["billing_tenant_isolation"] += 1
            if r.status_code != 404:
                findings.append(finding("billing_tenant_isolation", op,
                                        f"another tenant's invoice {invoice['number']} answered "
                                        f"{r.status_code}, expected 404", r))
    theirs = {i.get("id") for i in _all_invoices(ctx, ctx.token_b)}
    mine = {i.get("id") for i in _all_invoices(ctx)}
    if theirs or mine:
        ctx.checked["billing_tenant_isolation"] += 1
    leaked = (theirs & mine) - {None}
    if leaked:
        r = ctx.call("GET", "/billing/invoices", ctx.token_b)
        findings.append(finding("billing_tenant_isolation", "GET /billing/invoices",
                                f"tenant B's list shows tenant A's invoices {sorted(leaked)}",
                                r))
    methods = ctx.call("GET", "/billing/payment-methods").json().get("data", [])
    for method in methods[:1] if writes else []:
        r = ctx.call("POST", f"/billing/payment-methods/{method['id']}/default", ctx.token_b)
        ctx.checked["billing_tenant_isolation"] += 1
        if r.status_code != 404:
            findings.append(finding("billing_tenant_isolation",
                                    "POST /billing/payment-methods/{method_id}/default",
                                    f"another tenant's method answered {r.status_code}, "
                                    "expected 404", r))
    return findings


def probe_transitions(ctx: ProbeContext) -> list[Finding]:
    """Sending is only legal from finalized (or a re-send from sent): one invoice in each other
    state is refused: 409 (conflict) or 400 (the backend's BadRequestError for an invalid
    transition, as the published facts name it)."""
    findings, tried = [], set()
    for invoice in _all_invoices(ctx):
        status = invoice["status"]
        if status in ("paid", "void", "past_due") and status not in tried:
            tried.add(status)
            r = ctx.call("POST", f"/billing/invoices/{invoice['id']}/send")
            if r.status_code not in (400, 409):
                findings.append(finding(
                    "billing_transitions", "POST /billing/invoices/{invoice_id}/send",
                    f"sending a {status} invoice ({invoice.get('number')}) answered "
                    f"{r.status_code}, expected a refusal (409 or 400)", r))
    return findings


def probe_default_method(ctx: ProbeContext) -> list[Finding]:
    """Add two methods, make the second default, delete it: exactly one default throughout."""
    added = []
    for _ in range(2):
        r = ctx.call("POST", "/billing/payment-methods",
                     json={"provider_slug": "stripe", "method_type": "card"})
        if r.status_code != 201:
            for method_id in added:  # leave nothing behind
                ctx.call("DELETE", f"/billing/payment-methods/{method_id}")
            raise CannotProbe(f"could not add a payment method to work with ({r.status_code} "
                              f"{r.text[:120]})")
        added.append(r.json()["data"]["id"])
    steps = [("POST", f"/billing/payment-methods/{added[1]}/default", "set default"),
             ("DELETE", f"/billing/payment-methods/{added[1]}", "delete the default"),
             ("DELETE", f"/billing/payment-methods/{added[0]}", "clean up")]
    for method, path, what in steps:
        ctx.call(method, path)
        listed = ctx.call("GET", "/billing/payment-methods")
        methods = listed.json().get("data", [])
        problems = default_method_problems(methods)
        if what == "set default" and not any(m["id"] == added[1] and m["is_default"]
                                             for m in methods):
            problems.append("the method just made default is not the default")
        if what != "set default" and any(m["id"] == path.rsplit("/", 1)[1] for m in methods):
            problems.append("a deleted method is still listed")
        if problems:
            return [finding("billing_default_method", "GET /billing/payment-methods",
                            f"after '{what}': " + "; ".join(problems), listed)]
    return []


def missing_rule_files() -> dict[str, list[str]]:
    """Per format, the rule files (or their runner) this machine lacks."""
    return {fmt: einvoice.missing_rule_files("cii" if fmt == "facturx" else fmt)
            for fmt in FORMATS}


def probe_einvoices(ctx: ProbeContext, report: Callable[[str], None],
                    tokens: tuple[str, ...] = ()) -> list[Finding]:
    """Downloaded e-invoices of every given tenant pass the official rule chains, in every
    format the tenant's data allows (a 400 says the buyer lacks a format's data)."""
    missing = missing_rule_files()
    runnable = [fmt for fmt in FORMATS if not missing[fmt]]
    for fmt in FORMATS:
        if missing[fmt] and runnable:
            report(f"e-invoice check did NOT run for {fmt}: missing {', '.join(missing[fmt])} "
                   "(pip install 'billing-mock[einvoice]')")
    if not runnable:
        return []
    schematron = einvoice.new_schematron()
    findings = []
    for token in tokens or (ctx.token,):
        for invoice in _all_invoices(ctx, token)[:4]:
            for fmt in runnable:
                found = _einvoice_problem(ctx, schematron, token, invoice, fmt)
                if found:
                    findings.append(found)
    return findings


def _einvoice_problem(ctx, schematron, token, invoice, fmt) -> Finding | None:
    r = ctx.call("GET", f"/billing/invoices/{invoice['id']}/download", token,
                 params={"format": fmt})
    ctx.statuses[r.status_code] += 1
    if r.status_code != 200:
        return None  # 400: the buyer lacks this format's data, a documented answer
    ctx.checked["billing_einvoice_valid"] += 1
    xml = r.content
    try:
        if fmt == "facturx":
            from facturx import get_xml_from_pdf

            _, xml = get_xml_from_pdf(BytesIO(r.content).read(), check_xsd=False)
        problems = einvoice.problems(schematron, "cii" if fmt == "facturx" else fmt, xml)
    except Exception as exc:  # not even XML: that is the finding
        problems = [f"not a parseable document: {exc}"]
    if not problems:
        return None
    return finding("billing_einvoice_valid", "GET /billing/invoices/{invoice_id}/download",
                   f"{fmt} of {invoice.get('number')}: " + "; ".join(problems[:3]), r)
