"""What a fix would gain: our server with candidate fixes applied as runtime patches.

``python bench/ablate.py [--duration 4] [--only VARIANT ...]`` (from the repository root).
Serves ``create_app()`` (default world) exactly as ``billing-mock serve`` does, with zero or
more patches, and measures each variant with wrk (req/s at 32 connections on list, detail and
profile GET; p50/p99 of the list at 1 connection). Nothing in mockserver/ is changed: the
patches live here and only show the size of each fix before someone makes it properly.

Patches:
- a2wsgi:      Connexion's own Flask bridge (a2wsgi's thread pool, a hop per message) instead of
               ours (mockserver/bridge.py): what the bridge gains
- accesslog:   uvicorn's access log on (``serve --access-log``; off by default, as in serve)
- seccache:    memoise ``connexion.security.inspect_function_arguments`` (Connexion's bearer
               check runs ``inspect.signature`` on our token_info twice per request)
- jsoncache:   invoice representations with dates already strings, memoised per invoice
               version (id, updated_at, status, ...): no ``default`` hook calls in json.dumps
- switch:      ``sys.setswitchinterval(0.0005)`` (default 5 ms: the a2wsgi worker thread and
               the event loop hand the GIL back and forth several times per request)
- asyncapp:    bench/asyncapp_poc.py instead of create_app: the same document, validators,
               security and middlewares on Connexion's AsyncApp with async handlers (no Flask,
               no a2wsgi thread pool); combines with the patches above
- jsonbytes:   (with asyncapp only) list/detail splice pre-encoded JSON per invoice version
               into the envelope: each invoice is encoded once, not on every request
- opcache:     memoise Connexion's ``FlaskOperation.fn`` (it rebuilds the decorator chain,
               parameter and response decorators, on every request)

``--only prism ...`` measures Prism (bench/.node) the same way, for ratios in the same run.

Run one variant as a server: ``python bench/ablate.py --serve a2wsgi,seccache --port P``.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]


def patch_seccache() -> None:
    import connexion.security as security

    original = security.inspect_function_arguments
    cached = functools.lru_cache(maxsize=1024)(original)
    security.inspect_function_arguments = cached


def patch_opcache() -> None:
    from connexion.apps.flask import FlaskOperation

    prop = FlaskOperation.fn

    def fn(self):
        try:
            return self.__dict__["_bench_fn"]
        except KeyError:
            self.__dict__["_bench_fn"] = value = prop.fget(self)
            return value

    FlaskOperation.fn = property(fn)


def patch_jsoncache() -> None:
    from datetime import date, datetime, timezone

    from mockserver.api import invoices as handlers
    from mockserver.api import representations

    original = representations.invoice_json

    def text(value):
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
        if isinstance(value, date):
            return value.isoformat()
        return value

    def flat(data):
        out = {}
        for key, value in data.items():
            if isinstance(value, list):
                value = [flat(v) if isinstance(v, dict) else text(v) for v in value]
            elif isinstance(value, dict):
                value = flat(value)
            else:
                value = text(value)
            out[key] = value
        return out

    cache: dict = {}

    def invoice_json(invoice, detail):
        key = (invoice.id, detail, invoice.updated_at, invoice.status, invoice.pdf_url,
               invoice.notes, invoice.amount_due_cents)
        found = cache.get(key)
        if found is None:
            found = cache[key] = flat(original(invoice, detail))
        return found

    handlers.invoice_json = invoice_json
    return invoice_json


def patch_a2wsgi() -> None:
    """Undo mockserver/bridge.py: Connexion's own a2wsgi thread-pool bridge, as it ships."""
    from mockserver import bridge

    bridge.install = lambda *args, **kwargs: None


def patch_switch() -> None:
    import sys as _sys

    _sys.setswitchinterval(0.0005)


PATCHES = {"a2wsgi": patch_a2wsgi, "asyncapp": None, "jsonbytes": None, "switch": patch_switch, "accesslog": None, "seccache": patch_seccache, "jsoncache": patch_jsoncache,
           "opcache": patch_opcache}
VARIANTS = ("baseline", "a2wsgi", "accesslog", "seccache", "jsoncache", "opcache", "switch",
            "seccache,jsoncache,opcache", "asyncapp",
            "asyncapp,seccache,jsoncache", "baseline")


def serve(variant: str, port: int) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    names = [] if variant == "baseline" else variant.split(",")
    applied = {name: PATCHES[name]() if PATCHES[name] else None for name in names}
    import uvicorn

    from mockserver.app import create_app
    from mockserver.settings import Settings

    if "asyncapp" in names:
        from asyncapp_poc import create_async_app

        app = create_async_app(Settings(port=port), json_cache=applied.get("jsoncache"),
                               json_bytes="jsonbytes" in names)
    else:
        app = create_app(Settings(port=port))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info", lifespan="off",
                access_log="accesslog" in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--duration", type=float, default=4)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return

    from compare import LIST, PROFILE, LoadWatch, Server, free_port, get_json, prism_server, wrk

    (BENCH / "results").mkdir(exist_ok=True)
    watch = LoadWatch()
    rows = []
    for index, variant in enumerate(args.only or VARIANTS):
        port = free_port()
        if variant == "prism":  # the reference, measured in the same run
            server = prism_server(port)
        else:
            server = Server(variant, [sys.executable, "-W", "ignore", str(Path(__file__)),
                                      "--serve", variant, "--port", str(port)], port,
                            f"ablate-{index}.log")
        server.start()
        try:
            server.wait_first_200(["/api/v1", ""])
            invoice_id = "inv_5cec4eb5edd96831" if variant == "prism" else \
                get_json(server.url(LIST))["data"][0]["id"]
            paths = {"list": LIST, "detail": f"/billing/invoices/{invoice_id}",
                     "profile": PROFILE}
            for path in paths.values():
                wrk(server.url(path), 4, 1)
            row = {"variant": variant}
            for name, path in paths.items():
                row[f"{name}_rps_c32"] = round(wrk(server.url(path), 32, args.duration)["rps"])
            one = wrk(server.url(LIST), 1, args.duration)
            row["list_p50_ms_c1"], row["list_p99_ms_c1"] = one["p50_ms"], one["p99_ms"]
            rows.append(row)
            print(json.dumps(row), flush=True)
        finally:
            server.stop()
    cond = watch.stop()
    print(f"\n{'variant':<40}{'list/s':>8}{'detail/s':>9}{'prof/s':>8}{'p50@1':>7}{'p99@1':>7}")
    for r in rows:
        print(f"{r['variant']:<40}{r['list_rps_c32']:>8}{r['detail_rps_c32']:>9}"
              f"{r['profile_rps_c32']:>8}{r['list_p50_ms_c1']:>7.2f}{r['list_p99_ms_c1']:>7.2f}")
    print(f"\nother processes used {cond['other_cpu_cores']} cores on average "
          f"(loadavg {cond['loadavg_before']} -> {cond['loadavg_after']})")
    (BENCH / "results" / "ablate.json").write_text(json.dumps(
        {"rows": rows, "conditions": cond}, indent=2))


if __name__ == "__main__":
    main()
