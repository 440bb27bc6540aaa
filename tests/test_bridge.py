"""The ASGI -> Flask bridge: whole-message hand-offs, fast requests on the event loop, slow
ones on the pool without holding up the rest, and the routing rule create_app gives it."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import flask
import httpx
import pytest
from a2wsgi import WSGIMiddleware

from mockserver.app import create_app
from mockserver.bridge import FlaskBridge
from mockserver.edge.runtime import of
from mockserver.scenarios import build_store, parse
from mockserver.scenarios.behaviours import Behaviour
from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.conftest import PROFILE

REQUEST_TAG = contextvars.ContextVar("request_tag", default="unset")


def tiny_app(release: threading.Event) -> flask.Flask:
    app = flask.Flask("bridge-test")

    @app.get("/fast")
    def fast():
        return {"thread": threading.get_ident()}

    @app.get("/slow")
    def slow():
        released = release.wait(timeout=5)
        return {"thread": threading.get_ident(), "released": released,
                "tag": REQUEST_TAG.get()}

    @app.post("/echo")
    def echo():
        return flask.request.get_data()

    @app.get("/stream")
    def stream():
        return flask.Response((f"part{i};" for i in range(3)), mimetype="text/plain")

    @app.get("/boom")
    def boom():
        raise ValueError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = True
    return app


def bridged(release: threading.Event) -> FlaskBridge:
    app = tiny_app(release)

    async def tagged(scope, receive, send):  # a contextvar set the way Connexion sets its own
        REQUEST_TAG.set("from-the-loop")
        await bridge(scope, receive, send)

    bridge = FlaskBridge(app.wsgi_app, WSGIMiddleware(app.wsgi_app),
                         runs_inline=lambda scope: scope["path"] != "/slow")
    return tagged


def run(coro):
    """``asyncio.run`` on a thread of its own: the test's thread may already have a running
    loop (Playwright's sync API keeps one for the session)."""
    with ThreadPoolExecutor(max_workers=1) as one:
        return one.submit(asyncio.run, coro).result()


def request(app, method: str, path: str, **kwargs) -> httpx.Response:
    """One request to the ASGI ``app`` on a fresh event loop."""
    async def send():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            return await client.request(method, path, **kwargs)

    return run(send())


def test_fast_requests_run_on_the_event_loop_and_slow_ones_on_the_pool():
    release = threading.Event()
    app = bridged(release)

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            loop_thread = threading.get_ident()
            slow = asyncio.create_task(client.get("/slow"))
            await asyncio.sleep(0.05)
            fast = await client.get("/fast")  # answered while /slow still waits on its thread
            assert not slow.done()
            release.set()
            return loop_thread, fast.json(), (await slow).json()

    loop_thread, fast, slow = run(scenario())
    assert fast["thread"] == loop_thread
    assert slow["thread"] != loop_thread and slow["released"] is True
    assert slow["tag"] == "from-the-loop"  # the request's context goes along to the thread


def test_request_body_in_several_chunks_reaches_flask_whole():
    chunks = [b'{"a": ', b'"x' * 5000, b'"}']

    async def body():
        for chunk in chunks:
            yield chunk

    response = request(bridged(threading.Event()), "POST", "/echo", content=body())
    assert response.status_code == 200 and response.content == b"".join(chunks)


def test_a_request_whose_client_left_mid_body_never_reaches_flask():
    calls = []
    app = flask.Flask("bridge-disconnect")

    @app.post("/form")
    def form():
        calls.append(flask.request.get_data())
        return "seen"

    bridge = FlaskBridge(app.wsgi_app, WSGIMiddleware(app.wsgi_app), runs_inline=lambda s: True)
    messages = [{"type": "http.request", "body": b"choice=pa", "more_body": True},
                {"type": "http.disconnect"}]
    sent = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/form", "root_path": "",
             "query_string": b"", "http_version": "1.1", "scheme": "http",
             "headers": [(b"content-type", b"application/x-www-form-urlencoded")],
             "server": ("t", 80), "client": ("c", 1)}
    run(bridge(scope, receive, send))
    assert calls == [] and sent == []


def test_streamed_response_is_sent_whole_with_its_headers():
    response = request(bridged(threading.Event()), "GET", "/stream")
    assert response.text == "part0;part1;part2;"
    assert response.headers["content-type"].startswith("text/plain")


def test_an_error_in_flask_reaches_the_asgi_stack_as_an_exception():
    with pytest.raises(ValueError, match="boom"):
        request(bridged(threading.Event()), "GET", "/boom")


def test_create_app_puts_the_bridge_in_place_of_a2wsgi():
    app = create_app(Settings())
    assert isinstance(of(app).bridge, FlaskBridge)
    assert of(app).bridge is app._middleware_app.asgi_app  # where Connexion calls Flask


def test_an_operation_runs_on_the_event_loop_only_when_listed():
    """A new operation does not join the event loop by accident: unlisted means the pool."""
    from mockserver.compat import ROUTING_KEY
    from mockserver.edge.scheduling import runs_inline
    from mockserver.services.world import World

    world = World(create_app(Settings()).app.extensions["billing_mock"].store)
    rule = runs_inline(lambda: world, frozenset({"getInvoice"}))

    def scope(operation_id):
        return {"headers": [], "extensions": {ROUTING_KEY: {"operation_id": operation_id}}}

    assert rule(scope("getInvoice"))
    assert not rule(scope("exportInvoices"))  # an operation the list does not name
    assert not rule(scope(None))  # not routed


def test_the_bridge_threads_close_with_the_app():
    with LiveServer(Settings()) as live:
        executor = live.runtime.bridge.executor
        assert httpx.get(f"{live.url}/openapi.json").status_code == 200  # on the pool
        assert not executor._shutdown
    assert executor._shutdown


def test_which_requests_run_on_the_event_loop():
    """The decision for real requests, routed by Connexion as in a served app."""
    from mockserver import api
    from mockserver.control import api as control_api

    assert api.RUNS_ON_EVENT_LOOP <= set(api.HANDLERS)  # a renamed operation cannot slip in
    assert not set(control_api.HANDLERS) & set(api.HANDLERS)
    app = create_app(Settings())
    runtime = of(app)
    bridge = runtime.bridge
    decided = []

    def spy(scope):
        decided.append(bridge_rule(scope))
        return decided[-1]

    bridge_rule, bridge.runs_inline = bridge.runs_inline, spy
    invoice_id = request(app, "GET", "/api/v1/billing/invoices",
                         headers={"Authorization": "Bearer demo-token"}).json()["data"][0]["id"]

    def runs_inline_for(method: str, path: str, **headers) -> bool:
        decided.clear()
        request(app, method, path, headers={"Authorization": "Bearer demo-token", **headers})
        assert len(decided) == 1, path
        return decided[0]

    for path in ("/api/v1/billing/invoices", f"/api/v1/billing/invoices/{invoice_id}",
                 "/api/v1/billing/billing-profile", "/api/v1/billing/overview",
                 "/api/v1/billing/payment-providers"):
        assert runs_inline_for("GET", path), path
    for path in (f"/api/v1/billing/invoices/{invoice_id}/pdf",
                 f"/api/v1/billing/invoices/{invoice_id}/download?format=ubl",
                 "/_mock/journal", "/openapi.json", "/_mock/providers/stripe/3ds/cs_1"):
        assert not runs_inline_for("GET", path), path
    assert not runs_inline_for("POST", f"/api/v1/billing/invoices/{invoice_id}/send")
    assert not runs_inline_for("GET", "/api/v1/billing/invoices", Prefer="dynamic=true")
    runtime.store.behaviours = [Behaviour.from_spec(
        {"operation": "getBillingOverview", "latency_ms": 1}, {})]
    assert not runs_inline_for("GET", "/api/v1/billing/invoices")


def test_scripted_latency_holds_up_only_its_own_request():
    scenario = parse({"name": "slow-overview", "description": "latency on one operation",
                      "tenants": [{"key": "a", "tokens": ["a-token"], "profile": PROFILE}],
                      "behaviours": [{"operation": "getBillingOverview", "latency_ms": 1500}]})
    headers = {"Authorization": "Bearer a-token"}
    with LiveServer(Settings(), build_store(scenario)) as live:
        finished = {}

        def slow():
            with httpx.Client(base_url=live.api_url, headers=headers, timeout=10) as c:
                finished["overview"] = c.get("/billing/overview").status_code

        thread = threading.Thread(target=slow)
        started = time.perf_counter()
        thread.start()
        time.sleep(0.2)
        with httpx.Client(base_url=live.api_url, headers=headers, timeout=10) as c:
            assert c.get("/billing/billing-profile").status_code == 200
        assert thread.is_alive(), "the profile waited for the overview's scripted latency"
        thread.join()
        assert finished["overview"] == 200 and time.perf_counter() - started >= 1.5


def test_a_request_waiting_for_the_world_does_not_hold_up_the_server():
    headers = {"Authorization": "Bearer demo-token"}
    answered = {}
    with LiveServer(Settings()) as live:

        def list_invoices():
            with httpx.Client(base_url=live.api_url, headers=headers, timeout=10) as c:
                answered["list"] = c.get("/billing/invoices").status_code

        waiting = threading.Thread(target=list_invoices)
        with live.store.lock:  # as a long reset or a test's factory would
            waiting.start()
            time.sleep(0.2)
            with httpx.Client(base_url=live.url, timeout=3) as c:
                assert c.get("/openapi.json").status_code == 200  # the event loop is free
            assert waiting.is_alive() and "list" not in answered
        waiting.join(timeout=10)
    assert answered == {"list": 200}
