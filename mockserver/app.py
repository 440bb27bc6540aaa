"""create_app(): the one place that builds and wires the server."""

from __future__ import annotations

import copy
import json
from contextlib import asynccontextmanager

import connexion
from connexion.jsonifier import Jsonifier
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver

from mockserver import api, compat
from mockserver.api import published
from mockserver.bridge import FlaskBridge
from mockserver.control import api as control_api
from mockserver.control import console, hosted_pages
from mockserver.edge import exit
from mockserver.edge.auth import authenticate
from mockserver.edge.envelope import JSONEncoder
from mockserver.edge.journal import JournalMiddleware
from mockserver.edge.limits import BodyLimitMiddleware
from mockserver.edge.origins import CORSOutsideControl
from mockserver.edge.request import EdgeMiddleware
from mockserver.edge.routes import require_routed_operations
from mockserver.edge.runs import RunMiddleware
from mockserver.edge.runtime import EXTENSION, Runtime
from mockserver.edge.scheduling import runs_inline
from mockserver.edge.validation import VALIDATOR_MAP, accepting_any_media_type
from mockserver.scenarios.watcher import default_store, store_for
from mockserver.services.world import Backend, Embedded, World
from mockserver.settings import Settings
from mockserver.spec import CONTROL_SPEC, SPEC_DIR, load_spec
from mockserver.state import Store
from mockserver.statefile import StateFileBackend
from mockserver.statefile.keeper import ChangeNotifier

# Swagger UI (/api/v1/ui/) offers both documents: the published layer first.
SWAGGER_UI_CONFIG = {"urls": [
    {"url": "/openapi.json", "name": "Published: as the real backend publishes it"},
    {"url": "/_mock/openapi/billing.json", "name": "The mock's own: every answer it gives"},
]}
JSONIFIER = Jsonifier(json, cls=JSONEncoder, separators=(",", ":"), ensure_ascii=False)
# Response headers a script on another origin may read. A scenario's scripted answer may carry
# any header (Retry-After on an outage, a rate-limit header ...), so "*" exposes every one: the
# wildcard holds for requests without credentials, the only kind this CORS setup answers. The
# names the mock itself sends are listed too, for browsers that predate the wildcard.
EXPOSED_HEADERS = ["*", "X-Request-ID", "Content-Disposition", "Retry-After", "WWW-Authenticate"]


def create_app(settings: Settings | None = None, store: Store | None = None) -> connexion.FlaskApp:
    """The Connexion app serving the billing API from ``store`` (default: the settings'
    scenario, else the default world), the control API and the hosted provider pages."""
    settings = settings or Settings()
    backend = backend_for(settings)
    runtime = Runtime(settings, World(backend.open(store or store_for(settings))))
    runtime.backend = backend

    @asynccontextmanager
    async def lifespan(_app):
        backend.start(runtime.loaded)
        yield
        backend.stop()  # the last changes, before the workers go
        runtime.bridge.close()  # the worker threads go with the app
        if runtime.mailer is not None:
            runtime.mailer.close()

    app = connexion.FlaskApp(__name__, specification_dir=str(SPEC_DIR), lifespan=lifespan)
    compat.quiet_multiple_content_types_note()  # the */* bodies declared below, on purpose
    runtime.bridge = compat.replace_flask_bridge(app, lambda wsgi, fallback: FlaskBridge(
        wsgi, fallback, runs_inline(lambda: runtime.world, api.RUNS_ON_EVENT_LOOP,
                                    control_api.LOCK_FREE)))
    flask_app = app.app
    flask_app.extensions[EXTENSION] = runtime
    # What a view raises reaches the one error exit in Connexion's exception middleware.
    flask_app.config["PROPAGATE_EXCEPTIONS"] = True
    _add_edge(app, runtime)
    if isinstance(backend, StateFileBackend):
        app.add_middleware(ChangeNotifier, position=MiddlewarePosition.BEFORE_EXCEPTION,
                           keeper=backend)
    _add_apis(app, runtime)
    require_routed_operations(flask_app)
    published.register(flask_app)
    hosted_pages.register(flask_app, runtime)
    console.register(flask_app, runtime)
    return app


def backend_for(settings: Settings) -> Backend:
    """Where the settings keep the world: this process, a state file, or Redis."""
    kind, target = settings.state_backend
    if kind == "file":
        return StateFileBackend(target)
    if kind == "redis":
        from mockserver import __version__
        from mockserver.redisworld import RedisBackend

        return RedisBackend(target, version=__version__, verify_reads=settings.verify_reads)
    return Embedded()


def _add_edge(app: connexion.FlaskApp, runtime: Runtime) -> None:
    """Request ids and Prefer outermost, then the request's world (a run's prefix comes off
    here), CORS (not for /_mock), the journal once routed, the body limit inside it (a 413 is
    journaled and answered by the one exit), and the exit."""
    app.add_middleware(EdgeMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(RunMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION,
                       runtime=runtime)
    app.add_middleware(
        CORSOutsideControl, position=MiddlewarePosition.BEFORE_EXCEPTION,
        allow_origins=[o.strip() for o in runtime.settings.cors_origins.split(",")],
        allow_methods=["*"], allow_headers=["*"], expose_headers=EXPOSED_HEADERS,
    )
    app.add_middleware(JournalMiddleware, position=MiddlewarePosition.BEFORE_SECURITY,
                       runtime=runtime)
    app.add_middleware(BodyLimitMiddleware, position=MiddlewarePosition.BEFORE_SECURITY,
                       max_bytes=runtime.settings.max_body_bytes)
    for exception in exit.HANDLED:
        app.add_error_handler(exception, exit.connexion_handler)


def _add_apis(app: connexion.FlaskApp, runtime: Runtime) -> None:
    """The control API (/_mock) and the billing API, with FastAPI-shaped validation."""
    app.add_api(
        copy.deepcopy(load_spec(CONTROL_SPEC)),
        resolver=Resolver(function_resolver=control_api.HANDLERS.__getitem__),
        validator_map=VALIDATOR_MAP, security_map={"bearer": _admin_token_noted()},
        jsonifier=JSONIFIER,
    )
    app.add_api(
        accepting_any_media_type(copy.deepcopy(load_spec())),
        resolver=Resolver(function_resolver=api.HANDLERS.__getitem__),
        validator_map=VALIDATOR_MAP, security_map={"bearer": _tenant_bearer(runtime)},
        validate_responses=runtime.settings.validate_responses, jsonifier=JSONIFIER,
        # Connexion's own copy of the 3.0 source at /api/v1/openapi.json is not served: the
        # two documents above are the ones to read.
        swagger_ui_options=SwaggerUIOptions(swagger_ui_config=SWAGGER_UI_CONFIG, serve_spec=False),
    )


def _tenant_bearer(runtime: Runtime):
    """Connexion's bearer scheme, checking tokens against this runtime's world."""

    def token_info(token: str) -> dict:
        principal = authenticate(token, runtime.store, runtime.settings.jwt_secret)
        return {"sub": principal.tenant_id, "principal": principal}

    return compat.bearer_handler(token_info)


def _admin_token_noted():
    """The control API's token is compared in ``control.access`` (loopback needs none)."""
    return compat.bearer_handler(lambda token: {"admin_token": token})


__all__ = ["backend_for", "create_app", "default_store"]
