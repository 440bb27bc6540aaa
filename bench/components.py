"""Per-request cost of the pieces of a billing-mock request, measured in-process.

``python bench/components.py [--n 2000]`` (from the repository root). Prints microseconds per
call. Two parts:

1. the whole app in-process: ASGI calls straight into ``create_app()`` (no socket, no HTTP
   parsing, no uvicorn), sequentially, for the benchmark routes; this is Connexion's middleware
   stack + a2wsgi + Flask + our code.
2. pieces, timed alone with the default world: store query, representation building, JSON
   encoding (as Connexion's jsonifier does it, with our ``default`` hook, and without it),
   token lookup, Connexion's per-request ``inspect.signature`` in bearer security and its
   per-request decorator rebuild in ``FlaskOperation.fn``, validator construction, ...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

TOKEN = b"Bearer demo-token"


def per_call_us(fn, n: int) -> float:
    fn()
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best * 1e6


async def asgi_call(app, method: str, path: str, body: bytes = b"",
                    query: bytes = b"") -> tuple[int, bytes]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": query,
             "headers": [(b"host", b"127.0.0.1"), (b"authorization", TOKEN),
                         (b"accept", b"application/json")]
             + ([(b"content-type", b"application/json"),
                 (b"content-length", str(len(body)).encode())] if body else []),
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "extensions": {}}
    sent = {"status": 0, "body": []}
    done = False

    async def receive():
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
        elif message["type"] == "http.response.body":
            sent["body"].append(message.get("body", b""))

    await app(scope, receive, send)
    return sent["status"], b"".join(sent["body"])


def whole_app(n: int) -> dict:
    from mockserver.app import create_app

    app = create_app()
    results = {}

    async def run():
        status, body = await asgi_call(app, "GET", "/api/v1/billing/invoices")
        assert status == 200, (status, body[:300])
        invoice_id = json.loads(body)["data"][0]["id"]
        put = (ROOT / "bench" / "profile_put.json").read_bytes()
        routes = {
            "invoice list": ("GET", "/api/v1/billing/invoices", b""),
            "invoice detail": ("GET", f"/api/v1/billing/invoices/{invoice_id}", b""),
            "profile GET": ("GET", "/api/v1/billing/billing-profile", b""),
            "profile PUT": ("PUT", "/api/v1/billing/billing-profile", put),
        }
        for name, (method, path, body) in routes.items():
            for _ in range(50):
                status, _ = await asgi_call(app, method, path, body)
                assert status == 200, (name, status)
            t0 = time.perf_counter()
            for _ in range(n):
                await asgi_call(app, method, path, body)
            results[name] = (time.perf_counter() - t0) / n * 1e6

    try:
        import uvloop
        uvloop.run(run())
    except ImportError:
        asyncio.run(run())
    return results


def pieces(n: int) -> dict:
    import inspect

    from connexion.utils import inspect_function_arguments

    from mockserver.api.envelope import paginated
    from mockserver.api.representations import invoice_json
    from mockserver.app import JSONIFIER, create_app, default_store
    from mockserver.auth import authenticate
    from mockserver.services import invoices as invoice_service
    from mockserver.settings import Settings
    from mockserver.validation_errors import request_validator
    from mockserver.api.envelope import json_default

    settings = Settings()
    store = default_store(settings)
    app = create_app(settings, store)
    asyncio.run(asgi_call(app, "GET", "/api/v1/billing/invoices"))  # builds Connexion's stack
    tenant_id = store.tokens["demo-token"].tenant_id
    page = invoice_service.list_invoices(store, tenant_id)
    items = [invoice_json(i, detail=False) for i in page.items]
    body, _ = paginated(items, 1, 20, page.total, page.total_pages, store.clock.now())
    detail = invoice_json(page.items[0], detail=True)

    def pre(value):
        if isinstance(value, dict):
            return {k: pre(v) for k, v in value.items()}
        if isinstance(value, list):
            return [pre(v) for v in value]
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        return json_default(value)

    plain = pre(body)
    out = {}
    out["list: store query (lock, filter, sort 10 invoices)"] = per_call_us(
        lambda: invoice_service.list_invoices(store, tenant_id), n)
    out["list: invoice_json x10 (representations)"] = per_call_us(
        lambda: [invoice_json(i, detail=False) for i in page.items], n)
    out["detail: invoice_json(detail=True)"] = per_call_us(
        lambda: invoice_json(page.items[0], detail=True), n)
    out[f"list: JSONIFIER.dumps (our default hook), {len(JSONIFIER.dumps(body))} B"] = \
        per_call_us(lambda: JSONIFIER.dumps(body), n)
    out["list: json.dumps of the same body with dates already strings"] = per_call_us(
        lambda: json.dumps(plain, separators=(",", ":"), ensure_ascii=False), n)
    out["list: json_default calls per response"] = float(_count_default(body))
    out["detail: JSONIFIER.dumps"] = per_call_us(lambda: JSONIFIER.dumps(detail), n)
    out["authenticate(demo-token)"] = per_call_us(
        lambda: authenticate("demo-token", store, None), n)

    def token_info(token):
        return token
    out["Connexion bearer: _accepts_kwarg x2 (inspect.signature per request)"] = per_call_us(
        lambda: (inspect_function_arguments(token_info), inspect_function_arguments(token_info)),
        n)
    out["inspect.signature(handler) alone"] = per_call_us(
        lambda: inspect.signature(token_info), n)
    spec_param = {"type": "integer", "minimum": 1, "default": 1}
    out["request_validator(schema) construction (per parameter, per request)"] = per_call_us(
        lambda: request_validator(spec_param), n)
    validator = request_validator(spec_param)
    out["validator.iter_errors(1) on a built validator"] = per_call_us(
        lambda: list(validator.iter_errors(1)), n)
    flask_app = app.app
    fn_owner = next((v for v in flask_app.view_functions.values()
                     if type(v).__name__ == "FlaskOperation"), None)
    if fn_owner is not None:
        out["Connexion FlaskOperation.fn (decorators rebuilt per request)"] = per_call_us(
            lambda: fn_owner.fn, n)
    from mockserver.control.intercept import Preference
    out["Preference.parse(None)"] = per_call_us(lambda: Preference.parse(None), n)
    with flask_app.test_request_context("/api/v1/billing/invoices?page=1",
                                        headers={"Authorization": "Bearer demo-token"}):
        from mockserver.api.operation import _params
        from mockserver.control.intercept import _scripted
        from mockserver.runtime import current
        rt = current()
        out["operation wrapper: _params(kwargs)"] = per_call_us(lambda: _params({}), n)
        out["operation wrapper: _scripted (no behaviours)"] = per_call_us(
            lambda: _scripted(rt, "listInvoices", tenant_id, {}), n)
    out["store.clock.now()"] = per_call_us(store.clock.now, n)
    return out


def _count_default(body) -> int:
    count = 0

    def walk(value):
        nonlocal count
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif not (isinstance(value, (str, int, float, bool)) or value is None):
            count += 1
    walk(body)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    print("whole app in-process (ASGI call -> response bytes), us per request:")
    for name, us in whole_app(args.n).items():
        print(f"  {us:8.0f}  {name}")
    print("\npieces, us per call:")
    for name, us in pieces(args.n * 5).items():
        print(f"  {us:8.1f}  {name}")


if __name__ == "__main__":
    main()
