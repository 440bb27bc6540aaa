"""Proof of concept, not a server to use: the billing API on Connexion's AsyncApp (no Flask,
no a2wsgi thread pool), to measure what dropping the Flask bridge would give.

Same document, same validators (VALIDATOR_MAP), same bearer security, same jsonifier, error
handlers and middlewares (request id, CORS, journal) as ``mockserver.app.create_app``; only the
four benchmarked operations have handlers here (``async def``, so Connexion runs them on the
event loop, not in a thread); every other operation answers 501. Used by bench/ablate.py as the
``asyncapp`` variant.
"""

from __future__ import annotations

import connexion
from connexion import context
from connexion.middleware import MiddlewarePosition
from connexion.resolver import Resolver
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from mockserver.api import errors as api_errors
from mockserver.api.envelope import ok, paginated
from mockserver.api.middleware import RequestIdMiddleware
from mockserver.api.representations import profile_json
from mockserver.api import representations
from mockserver.api.validation import VALIDATOR_MAP
from mockserver.app import JSONIFIER, _bearer_handler, default_store
from mockserver.auth import Principal
from mockserver.control.journal import JournalMiddleware, note_tenant
from mockserver.domain.errors import DomainError
from mockserver.errors import ApiError, Unauthorized, from_domain
from mockserver.runtime import Runtime
from mockserver.services import invoices, profiles
from mockserver.settings import Settings
from mockserver.spec import BILLING_SPEC, SPEC_DIR

READ, MANAGE = "billing:read", "billing:manage"


def create_async_app(settings: Settings | None = None, json_cache=None,
                     json_bytes: bool = False) -> connexion.AsyncApp:
    """``json_cache``: an ``invoice_json`` replacement (see bench/ablate.py jsoncache);
    ``json_bytes``: the list and detail answer pre-encoded JSON per invoice version, spliced
    into the envelope (each invoice is encoded once, not per request)."""
    settings = settings or Settings()
    store = default_store(settings)
    runtime = Runtime(settings, store)
    invoice_json = json_cache or representations.invoice_json

    def principal(permission: str) -> Principal:
        found = (context.context.get("token_info") or {}).get("principal")
        if not isinstance(found, Principal):
            raise Unauthorized("No authorization token provided")
        found.require(permission)
        note_tenant(found.tenant_id)
        return found

    encoded: dict = {}

    def invoice_bytes(invoice, detail: bool) -> bytes:
        key = (invoice.id, detail, invoice.updated_at, invoice.status, invoice.pdf_url,
               invoice.notes, invoice.amount_due_cents)
        found = encoded.get(key)
        if found is None:
            found = encoded[key] = JSONIFIER.dumps(
                representations.invoice_json(invoice, detail)).strip().encode()
        return found

    def envelope(data: bytes, rest: dict) -> Response:
        tail = JSONIFIER.dumps(rest).strip()  # '{"pagination":...,"meta":...}'
        return Response(b'{"data":' + data + b"," + tail[1:].encode(),
                        media_type="application/json")

    async def list_invoices(page=1, page_size=20, status=None):
        who = principal(READ)
        try:
            found = invoices.list_invoices(store, who.tenant_id, page, page_size, status)
        except DomainError as error:
            raise from_domain(error) from error
        if json_bytes:
            data = b"[" + b",".join(invoice_bytes(i, False) for i in found.items) + b"]"
            body, _ = paginated([], found.page, found.page_size, found.total,
                                found.total_pages, store.clock.now())
            del body["data"]
            return envelope(data, body)
        items = [invoice_json(invoice, False) for invoice in found.items]
        return paginated(items, found.page, found.page_size, found.total, found.total_pages,
                         store.clock.now())

    async def get_invoice(invoice_id):
        who = principal(READ)
        try:
            invoice = invoices.get_invoice(store, who.tenant_id, invoice_id)
        except DomainError as error:
            raise from_domain(error) from error
        if json_bytes:
            body, _ = ok(None, store.clock.now())
            del body["data"]
            return envelope(invoice_bytes(invoice, True), body)
        return ok(invoice_json(invoice, True), store.clock.now())

    async def get_billing_profile():
        who = principal(READ)
        return ok(profile_json(profiles.get_profile(store, who.tenant_id)), store.clock.now())

    async def upsert_billing_profile(body):
        who = principal(MANAGE)
        try:
            profile = profiles.upsert_profile(store, who.tenant_id, body)
        except DomainError as error:
            raise from_domain(error) from error
        return ok(profile_json(profile), store.clock.now())

    async def not_here(*args, **kwargs):
        raise ApiError("not part of the proof of concept")

    handlers = {"listInvoices": list_invoices, "getInvoice": get_invoice,
                "getBillingProfile": get_billing_profile,
                "upsertBillingProfile": upsert_billing_profile}
    app = connexion.AsyncApp(__name__, specification_dir=str(SPEC_DIR))
    app.add_middleware(RequestIdMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(CORSMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION,
                       allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                       expose_headers=["X-Request-ID", "Content-Disposition"])
    app.add_middleware(JournalMiddleware, position=MiddlewarePosition.BEFORE_SECURITY,
                       runtime=runtime)
    app.add_api(BILLING_SPEC.name,
                resolver=Resolver(function_resolver=lambda op: handlers.get(op, not_here)),
                validator_map=VALIDATOR_MAP, security_map={"bearer": _bearer_handler(runtime)},
                validate_responses=settings.validate_responses, jsonifier=JSONIFIER)
    for exception, handler in api_errors.HANDLERS:
        app.add_error_handler(exception, handler)
    return app
