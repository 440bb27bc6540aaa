"""create_app(): the one place that builds and wires the server."""

from __future__ import annotations

import copy
import json
import logging

import connexion
from connexion import context
from connexion.jsonifier import Jsonifier
from connexion.middleware import MiddlewarePosition
from connexion.resolver import Resolver
from connexion.security import BearerSecurityHandler
from flask import jsonify, redirect, request
from flask.json.provider import DefaultJSONProvider
from starlette.middleware.cors import CORSMiddleware

from mockserver import api, bridge
from mockserver.api import errors as api_errors
from mockserver.api.envelope import JSONEncoder, error_body, json_default
from mockserver.api.middleware import RequestIdMiddleware
from mockserver.api.validation import VALIDATOR_MAP
from mockserver.auth import authenticate
from mockserver.control import api as control_api
from mockserver.control import hosted_pages
from mockserver.control.journal import JournalMiddleware
from mockserver.domain.clock import Clock
from mockserver.domain.errors import DomainError
from mockserver.domain.ids import IdSource
from mockserver.errors import ApiError, NotFound, from_domain
from mockserver.runtime import EXTENSION, Runtime
from mockserver.settings import Settings
from mockserver.spec import API_BASE, SPEC_DIR, load_spec
from mockserver.state import Store
from mockserver.world import build_default_world

log = logging.getLogger("billing_mock")


def default_store(settings: Settings, clock: Clock | None = None) -> Store:
    """A store holding the default world for ``settings.seed``."""
    store = Store(clock or Clock(), IdSource(settings.seed), max_tenants=settings.max_tenants,
                  outbox_size=settings.outbox_size)
    build_default_world(store, settings.seed)
    store.mark_start()
    return store


def create_app(settings: Settings | None = None, store: Store | None = None) -> connexion.FlaskApp:
    """Build the Connexion app serving openapi/billing.yaml from ``store`` (default world)."""
    settings = settings or Settings()
    store = store or default_store(settings)
    runtime = Runtime(settings, store)
    app = connexion.FlaskApp(__name__, specification_dir=str(SPEC_DIR))
    # Connexion keeps its Flask bridge (a2wsgi) on the FlaskApp's private _middleware_app;
    # ours replaces it there (mockserver/bridge.py says why).
    bridge.install(app._middleware_app, runs_inline(runtime))
    app.app.extensions[EXTENSION] = runtime
    app.app.json = BillingJSONProvider(app.app)
    app.add_middleware(RequestIdMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(
        CORSMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION,
        allow_origins=[o.strip() for o in settings.cors_origins.split(",")],
        allow_methods=["*"], allow_headers=["*"], expose_headers=["X-Request-ID",
                                                                   "Content-Disposition"],
    )
    app.add_middleware(JournalMiddleware, position=MiddlewarePosition.BEFORE_SECURITY,
                       runtime=runtime)
    app.add_api(
        copy.deepcopy(load_spec(SPEC_DIR / "control.yaml")),
        resolver=Resolver(function_resolver=control_api.HANDLERS.__getitem__),
        validator_map=VALIDATOR_MAP,
        security_map={"bearer": _AdminBearerNoted},
        jsonifier=JSONIFIER,
    )
    app.add_api(
        copy.deepcopy(load_spec()),
        resolver=Resolver(function_resolver=api.HANDLERS.__getitem__),
        validator_map=VALIDATOR_MAP,
        security_map={"bearer": _bearer_handler(runtime)},
        validate_responses=settings.validate_responses,
        jsonifier=JSONIFIER,
    )
    for exception, handler in api_errors.HANDLERS:
        app.add_error_handler(exception, handler)
    _flask_routes(app, runtime)
    hosted_pages.register(app.app, runtime)
    return app


# Billing operations that render documents or send mail: never on the event loop.
_SLOW_OPERATIONS = frozenset({"downloadInvoicePdf", "downloadInvoiceEinvoice",
                              "sendInvoiceEmail"})


def runs_inline(runtime: Runtime):
    """Which requests Flask answers on the event loop: the billing operations that only read
    or change the in-memory world (by the operationId Connexion's router put in the scope).
    Documents and mail (rendering, SMTP), the control API, the hosted pages and anything
    unrouted, anything a scenario scripts (latency sleeps), Prism-style ``Prefer`` answers
    (``dynamic=true`` generates data) and requests arriving while another thread holds the
    store run on the bridge's thread pool instead."""

    def fast(scope) -> bool:
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        operation_id = routing.get("operation_id")
        if operation_id not in api.HANDLERS or operation_id in _SLOW_OPERATIONS:
            return False
        store = runtime.store
        if store.behaviours or any(name == b"prefer" for name, _ in scope["headers"]):
            return False
        # Someone holds the world (a reset, a scenario load, a clock run, a test's factory):
        # wait for it on a thread, never on the event loop, which stays free for the rest.
        if not store.lock.acquire(blocking=False):
            return False
        store.lock.release()
        return True

    return fast


def _bearer_handler(runtime: Runtime) -> type[BearerSecurityHandler]:
    """Connexion's bearer scheme, checking tokens against this runtime's store."""

    def token_info(token: str) -> dict:
        principal = authenticate(token, runtime.store, runtime.settings.jwt_secret)
        return {"sub": principal.tenant_id, "principal": principal}

    class BillingBearer(BearerSecurityHandler):
        def _resolve_func(self, security_scheme):
            return token_info

        def check_bearer_token(self, token_info_func):
            # Connexion inspects the function's signature on every request; ours is known.
            async def check(request, token, required_scopes=None):
                return token_info_func(token)

            return check

    return BillingBearer


class _AdminBearerNoted(BearerSecurityHandler):
    """The control API's token is compared in ``control.access`` (loopback needs none)."""

    def _resolve_func(self, security_scheme):
        return lambda token: {"admin_token": token}


def _flask_routes(app: connexion.FlaskApp, runtime: Runtime) -> None:
    flask_app = app.app
    spec = load_spec()
    # Werkzeug would answer ``//billing/...`` with a redirect raised as an exception, which
    # Connexion traps (TRAP_HTTP_EXCEPTIONS) and would leave as a 500; FastAPI answers 404.
    flask_app.url_map.merge_slashes = False

    @flask_app.before_request
    def require_routed_operation():
        """Connexion's router and Flask's can disagree on odd paths (e.g. a newline in an
        id); a request Connexion did not route has no operation, so it is not found."""
        if request.path.startswith(API_BASE + "/billing"):
            try:
                context.operation.operation_id
            except RuntimeError:
                return api_error(NotFound(f"No operation at {request.path!r}"))

    @flask_app.get("/openapi.json")
    def openapi_document():
        return jsonify(spec)

    @flask_app.get("/docs")
    def docs():
        return redirect(f"{API_BASE}/ui/", code=307)

    @flask_app.errorhandler(ApiError)
    def api_error(error: ApiError):
        body = error_body(error.code, error.message, error.details)
        return jsonify(body), error.status, error.headers

    @flask_app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return api_error(from_domain(error))

    @flask_app.errorhandler(Exception)
    def unexpected(error: Exception):
        # Werkzeug's HTTP errors never get here: Connexion hands them to api.errors.
        log.exception("unhandled error in handler", exc_info=error)
        return jsonify(error_body("internal_error", "Internal server error")), 500


class BillingJSONProvider(DefaultJSONProvider):
    """Flask's own JSON (the non-API routes) with the API's conventions."""

    sort_keys = False
    ensure_ascii = False
    compact = True
    default = staticmethod(json_default)


JSONIFIER = Jsonifier(json, cls=JSONEncoder, separators=(",", ":"), ensure_ascii=False)

__all__ = ["create_app", "default_store"]
