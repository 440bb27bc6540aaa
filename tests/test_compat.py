"""One test per place ``mockserver.compat`` relies on Connexion, a2wsgi or Werkzeug beyond their
documented API: each fails if the library changes under it."""

from __future__ import annotations

import asyncio
import inspect
import io
from concurrent.futures import ThreadPoolExecutor

import connexion
import flask
import httpx
from a2wsgi import WSGIMiddleware
from connexion.security import BearerSecurityHandler
from connexion.utils import inspect_function_arguments
from connexion.validators import JSONRequestBodyValidator

from mockserver import compat
from mockserver.app import create_app
from mockserver.edge.runtime import of
from mockserver.settings import Settings
from mockserver.testing import LiveServer

DEMO = {"Authorization": "Bearer demo-token"}


def run(coroutine):
    """Run a coroutine on a loop of its own thread (Playwright's session keeps a loop running
    on the main thread, where ``asyncio.run`` refuses)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_the_flaskapp_keeps_its_a2wsgi_bridge_where_we_replace_it():
    app = connexion.FlaskApp(__name__)
    middleware = app._middleware_app
    assert isinstance(middleware.asgi_app, WSGIMiddleware)
    assert middleware.app is app.app and callable(middleware.app.wsgi_app)
    seen = []
    bridge = compat.replace_flask_bridge(app, lambda wsgi, fallback: seen.append(
        (wsgi, fallback)) or "bridge")
    assert bridge == "bridge" == middleware.asgi_app
    assert seen[0][0] == app.app.wsgi_app and isinstance(seen[0][1], WSGIMiddleware)


def test_build_environ_takes_a_scope_and_a_body_stream():
    scope = {"type": "http", "method": "POST", "path": "/x", "raw_path": b"/x",
             "query_string": b"a=1", "root_path": "", "headers": [(b"content-length", b"2")],
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000), "scheme": "http",
             "http_version": "1.1"}
    environ = compat.build_environ(scope, io.BytesIO(b"{}"))
    assert environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/x"
    assert environ["QUERY_STRING"] == "a=1" and environ["wsgi.input"].read() == b"{}"


def test_the_router_puts_the_operation_id_in_the_scope():
    app = create_app(Settings())
    bridge = of(app).bridge
    seen, rule = [], bridge.runs_inline
    bridge.runs_inline = lambda scope: seen.append(compat.routed_operation_id(scope)) or rule(
        scope)
    from starlette.testclient import TestClient

    with TestClient(app) as client:
        client.get("/api/v1/billing/invoices", headers=DEMO)
        client.get("/openapi.json")
    assert seen == ["listInvoices", None]


def test_the_operation_context_raises_runtime_error_when_not_routed():
    with flask.Flask(__name__).test_request_context("/api/v1/billing/x"):
        try:
            connexion.context.operation.operation_id
        except RuntimeError:
            pass
        else:  # pragma: no cover - the library changed: current_operation_id must follow
            raise AssertionError("connexion.context.operation no longer raises RuntimeError")
        assert compat.current_operation_id() is None


def test_werkzeug_merges_slashes_unless_told_not_to():
    app = flask.Flask(__name__)
    assert app.url_map.merge_slashes is True
    compat.keep_merged_slashes_apart(app)
    assert app.url_map.merge_slashes is False


def test_connexion_reads_handler_arguments_from_the_signature_we_give():
    def handler(rt, principal, invoice_id, page=1):
        return rt

    compat.known_signature(handler)
    assert handler.__signature__ == inspect.signature(handler)
    names, has_kwargs = inspect_function_arguments(handler)
    assert names == ["rt", "principal", "invoice_id", "page"] and not has_kwargs


def test_the_bearer_handler_hooks_are_the_ones_connexion_calls():
    assert inspect.signature(BearerSecurityHandler._resolve_func).parameters.keys() == {
        "self", "security_scheme"}
    assert "token_info_func" in inspect.signature(
        BearerSecurityHandler.check_bearer_token).parameters
    seen = []
    bearer = compat.bearer_handler(lambda token: seen.append(token) or {"sub": token})
    verify = bearer().get_fn({"type": "http", "scheme": "bearer"}, None)

    class Request:
        headers = {"Authorization": "Bearer tok-1"}

    assert run(verify(Request()))["sub"] == "tok-1" and seen == ["tok-1"]


def test_the_body_validator_hooks_are_the_ones_connexion_calls():
    assert list(inspect.signature(JSONRequestBodyValidator._parse).parameters) == [
        "self", "stream", "scope"]
    assert list(inspect.signature(JSONRequestBodyValidator._validate).parameters) == [
        "self", "body"]

    class Echo(compat.BodyValidator):
        def parse(self, raw, content_type):
            return raw.decode(self.encoding), content_type

        def check(self, body):
            self.checked = body

    validator = Echo(schema={"type": "object"}, encoding="utf-8", strict_validation=False)
    assert validator.schema == {"type": "object"}

    async def stream():
        yield b"ab"
        yield b"c"

    scope = {"type": "http", "headers": [(b"content-type", b"application/json")]}
    assert run(validator._parse(stream(), scope)) == ("abc", "application/json")
    assert run(validator._parse(stream(), {"type": "http", "headers": []})) == ("abc", None)
    validator._validate("abc")
    assert validator.checked == "abc"


def test_connexion_hands_validators_the_same_schema_objects_each_request(monkeypatch):
    """The validator memo pays off only while Connexion reuses its parsed schema objects."""
    from mockserver import schemas

    compiled = []
    original = schemas.request_validator._make
    monkeypatch.setattr(schemas.request_validator, "_make",
                        lambda schema: compiled.append(schema) or original(schema))
    with LiveServer(Settings()) as live:
        body = {"provider_slug": "stripe", "method_type": "card"}
        httpx.post(f"{live.api_url}/billing/payment-methods", json=body, headers=DEMO)
        after_first = len(compiled)
        httpx.post(f"{live.api_url}/billing/payment-methods", json=body, headers=DEMO)
        assert len(compiled) == after_first


def test_the_parameter_validator_attributes_we_read():
    """edge.validation reads ParameterValidator's ``parameters`` and ``uri_parser`` and
    overrides ``validate(scope)``: the names Connexion's validation middleware uses."""
    from connexion.validators import ParameterValidator

    assert list(inspect.signature(ParameterValidator.validate).parameters) == ["self", "scope"]
    init = inspect.signature(ParameterValidator.__init__).parameters
    assert {"parameters", "uri_parser"} <= set(init)
    from mockserver.edge.validation import FastAPIParameterValidator

    from connexion.uri_parsing import OpenAPIURIParser

    params = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}]
    validator = FastAPIParameterValidator(params, uri_parser=OpenAPIURIParser(params, {}))
    assert validator.parameters == {"query": params} and validator.uri_parser is not None


def test_uvicorns_httptools_protocol_has_the_parser_callbacks_the_connection_extends():
    """``edge.connection.GuardedHttpProtocol`` overrides these; uvicorn must still define and
    use them (its parser is built with the protocol itself as the callback object)."""
    source = inspect.getsource(compat.HttpToolsProtocol)
    for name in ("connection_made", "connection_lost", "data_received", "on_message_begin",
                 "on_url", "on_header", "on_headers_complete", "on_body",
                 "on_message_complete"):
        assert callable(getattr(compat.HttpToolsProtocol, name)), name
    assert "httptools.HttpRequestParser(self)" in source
    for attribute in ("self.loop", "self.transport", "self.headers"):
        assert attribute in source, attribute


def test_connexion_still_notes_multiple_content_types_where_the_mock_quiets_it(caplog):
    """The note the mock filters is logged by that logger with that text."""
    import logging

    from connexion.operations import OpenAPIOperation
    from connexion.resolver import Resolver

    from mockserver import compat

    op = OpenAPIOperation("post", "/x", {"operationId": "x", "requestBody": {"content": {
        "application/json": {"schema": {"type": "object"}}, "*/*": {"schema": {}}}},
        "responses": {}}, Resolver(function_resolver=lambda _: print), components={})
    logger = logging.getLogger(compat.MULTIPLE_CONTENT_TYPES_LOGGER)
    kept, logger.filters = logger.filters, []  # an app made earlier in this process quiets it
    try:
        with caplog.at_level(logging.WARNING, logger=compat.MULTIPLE_CONTENT_TYPES_LOGGER):
            op.body_definition("text/plain")
    finally:
        logger.filters = kept
    assert any(r.name == compat.MULTIPLE_CONTENT_TYPES_LOGGER
               and str(r.msg).startswith(compat.MULTIPLE_CONTENT_TYPES_NOTE)
               for r in caplog.records)
