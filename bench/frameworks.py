"""How much of a request the framework costs: hello-world apps under the same uvicorn.

``python bench/frameworks.py [--duration 5] [--only NAME ...]`` (from the repository root).

Every variant answers ``GET /api/v1/hello`` with the same small JSON object, served by
``uvicorn.run(app, lifespan="off")`` as ``billing-mock serve`` does (uvloop + httptools, as
installed), access log off so that only the framework differs. wrk measures req/s at 32
connections and p50/p99 at 1 connection. Variants:

- starlette:         a bare Starlette route (the floor of any ASGI app here)
- connexion-async:   Connexion AsyncApp, one operation, bearer security + query validation
- connexion-async-lean: the same without Swagger UI, response-validation and lifespan layers
- connexion-async-sync: AsyncApp with a plain ``def`` handler (Connexion runs it in a thread)
- connexion-flask:   Connexion FlaskApp, the same document (Flask behind a2wsgi's thread pool)
- flask-a2wsgi:      plain Flask through a2wsgi, no Connexion (the bridge alone)
- connexion-flask-nosec: FlaskApp without security and parameters (Connexion's fixed cost)

Run one variant as a server: ``python bench/frameworks.py --serve NAME --port P``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

BODY = {"data": {"id": "inv_0000000000000001", "status": "paid", "total_cents": 8245},
        "meta": {"request_id": "req_0000000000000000", "timestamp": "2026-03-01T09:30:00Z"}}


def spec(security: bool) -> dict:
    operation = {
        "operationId": "hello",
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object"}}}}},
    }
    if security:
        operation["parameters"] = [{"name": "page", "in": "query", "required": False,
                                    "schema": {"type": "integer", "minimum": 1, "default": 1}}]
    document = {
        "openapi": "3.0.3", "info": {"title": "hello", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": {"/hello": {"get": operation}},
    }
    if security:
        document["components"] = {"securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer"}}}
        document["security"] = [{"bearerAuth": []}]
    return document


def token_info(token):
    return {"sub": "tnt_1"}


def hello(page=1):
    return BODY


async def hello_async(page=1):
    return BODY


def build(name: str):
    from connexion.resolver import Resolver

    if name == "starlette":
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def endpoint(request):
            return JSONResponse(BODY)

        return Starlette(routes=[Route("/api/v1/hello", endpoint)])
    if name == "flask-a2wsgi":
        from a2wsgi import WSGIMiddleware
        from flask import Flask, jsonify

        flask_app = Flask(__name__)

        @flask_app.get("/api/v1/hello")
        def view():
            return jsonify(BODY)

        return WSGIMiddleware(flask_app.wsgi_app)
    import connexion
    from connexion.security import BearerSecurityHandler

    class Bearer(BearerSecurityHandler):
        def _resolve_func(self, security_scheme):
            return token_info

    if name == "connexion-async-sync":  # a plain def handler: Connexion runs it in a thread
        app = connexion.AsyncApp(__name__)
        app.add_api(spec(True), resolver=Resolver(function_resolver=lambda _: hello),
                    security_map={"bearer": Bearer})
        return app
    if name in ("connexion-async", "connexion-async-lean"):
        kwargs = {}
        if name.endswith("lean"):  # without Swagger UI, response validation and lifespan
            from connexion.middleware import main as mw

            kwargs["middlewares"] = [mw.ServerErrorMiddleware, mw.ExceptionMiddleware,
                                     mw.RoutingMiddleware, mw.SecurityMiddleware,
                                     mw.RequestValidationMiddleware, mw.ContextMiddleware]
        app = connexion.AsyncApp(__name__, **kwargs)
        app.add_api(spec(True), resolver=Resolver(function_resolver=lambda _: hello_async),
                    security_map={"bearer": Bearer})
        return app
    if name in ("connexion-flask", "connexion-flask-nosec"):
        security = name == "connexion-flask"
        app = connexion.FlaskApp(__name__)
        kwargs = {"security_map": {"bearer": Bearer}} if security else {}
        app.add_api(spec(security), resolver=Resolver(function_resolver=lambda _: hello),
                    **kwargs)
        return app
    raise SystemExit(f"unknown variant {name}")


VARIANTS = ("starlette", "connexion-async-lean", "connexion-async", "connexion-async-sync",
            "flask-a2wsgi", "connexion-flask-nosec",
            "connexion-flask")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    if args.serve:
        import uvicorn

        uvicorn.run(build(args.serve), host="127.0.0.1", port=args.port, log_level="warning",
                    access_log=False, lifespan="off")
        return

    from compare import LoadWatch, Server, free_port, get_status, wrk

    (BENCH / "results").mkdir(exist_ok=True)
    watch = LoadWatch()
    rows = []
    for name in args.only or VARIANTS:
        port = free_port()
        server = Server(name, [sys.executable, "-W", "ignore", str(Path(__file__)), "--serve",
                               name, "--port", str(port)], port, f"fw-{name}.log")
        server.start()
        try:
            deadline = time.time() + 60
            while get_status(port, "/api/v1/hello") != 200:
                if time.time() > deadline or server.proc.poll() is not None:
                    raise SystemExit(f"{name} did not start; see {server.log_path}")
                time.sleep(0.05)
            url = f"http://127.0.0.1:{port}/api/v1/hello"
            wrk(url, 4, 1)
            many = wrk(url, 32, args.duration)
            one = wrk(url, 1, args.duration)
            rows.append({"variant": name, "rps_c32": round(many["rps"]),
                         "rps_c1": round(one["rps"]), "p50_ms_c1": one["p50_ms"],
                         "p99_ms_c1": one["p99_ms"], "errors": many["errors"] + one["errors"],
                         "cpu_us_per_req_c32": round(1e6 / many["rps"])})
            print(json.dumps(rows[-1]), flush=True)
        finally:
            server.stop()
    cond = watch.stop()
    print(f"\n{'variant':<24}{'req/s @32':>10}{'req/s @1':>10}{'p50 @1':>9}{'p99 @1':>9}"
          f"{'1/rps us':>9}")
    for r in rows:
        print(f"{r['variant']:<24}{r['rps_c32']:>10}{r['rps_c1']:>10}{r['p50_ms_c1']:>9.2f}"
              f"{r['p99_ms_c1']:>9.2f}{r['cpu_us_per_req_c32']:>9}")
    print(f"\nother processes used {cond['other_cpu_cores']} cores on average "
          f"(loadavg {cond['loadavg_before']} -> {cond['loadavg_after']})")
    (BENCH / "results" / "frameworks.json").write_text(json.dumps(
        {"rows": rows, "conditions": cond}, indent=2))


if __name__ == "__main__":
    main()
