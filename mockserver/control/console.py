"""The console: ``/_mock/console`` (and ``/_runs/{run_id}/_mock/console``), a page for QA and
frontend developers over the control API of one world.

Served from here, with its script and style sheet: no external assets, so it works offline,
and a policy that lets the page load its own two files and talk to its own origin only. The
page writes everything it shows as text (never as markup), and the shell is rendered with
autoescaping, so no tenant name, token, path or message can become markup.

The same access rules as ``/_mock``: loopback clients only, unless the server has an admin
token. With an admin token the shell (which holds no data) is served to anyone; it asks for
the token and every call it makes carries it, as every other ``/_mock`` call must.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from flask import Flask, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from mockserver.control.access import check_access
from mockserver.domain.errors import NotFound
from mockserver.edge.runtime import Runtime
from mockserver.spec import operations

PATH = "/_mock/console"
ASSETS = {"console.js": "text/javascript", "console.css": "text/css"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_templates = Environment(loader=PackageLoader("mockserver", "templates/console"),
                         autoescape=True, undefined=StrictUndefined)


@lru_cache(maxsize=len(ASSETS))
def _asset(name: str) -> bytes:
    return (files("mockserver") / "templates" / "console" / name).read_bytes()


def register(app: Flask, runtime: Runtime) -> None:
    app.add_url_rule(PATH, "console", _page(runtime), methods=["GET"])
    app.add_url_rule(f"{PATH}/<name>", "console_asset", _asset_view(runtime), methods=["GET"])


def _checked(runtime: Runtime) -> None:
    """``/_mock``'s rule, except that a server with an admin token serves the shell to anyone
    (a browser cannot send a bearer token when it opens a page)."""
    if not runtime.settings.admin_token:
        check_access(None)


def _page(runtime: Runtime):
    def view() -> Response:
        _checked(runtime)
        html = _templates.get_template("console.html").render(
            base=runtime.selected.prefix, run_id=runtime.run_id,
            admin=bool(runtime.settings.admin_token), operations=sorted(operations()))
        return Response(html, mimetype="text/html", headers=SECURITY_HEADERS)

    return view


def _asset_view(runtime: Runtime):
    def view(name: str) -> Response:
        _checked(runtime)
        if name not in ASSETS:
            raise NotFound(f"The console has no file {name!r}")
        return Response(_asset(name), mimetype=ASSETS[name], headers=SECURITY_HEADERS)

    return view
