"""The hosted provider pages (Mollie checkout, crypto charge, Stripe 3-D Secure) as routes.

GET shows the page; the page's form POSTs the customer's choice back to the same path, and the
browser is sent (303) to the session's return URL with ``session_id`` added.
"""

from __future__ import annotations

from flask import Flask, Response, redirect, request
from markupsafe import escape

from mockserver.domain.errors import Conflict, DomainError
from mockserver.edge.errors import answer_of
from mockserver.edge.runtime import Runtime
from mockserver.providers import CHOICE_FIELD, PAGE_PATHS

# No scripts, no external anything; forms may go back here, then on to any http(s) return URL.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self' http: https:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def register(app: Flask, runtime: Runtime) -> None:
    for slug, path in PAGE_PATHS.items():
        app.add_url_rule(path.replace("{session_id}", "<session_id>"), f"hosted_{slug}",
                         _page_view(runtime, slug), methods=["GET", "POST"])


def _page_view(runtime: Runtime, slug: str):
    def view(session_id: str) -> Response:
        store = runtime.store
        # Parse the form before taking the lock: the lock is held for the world's work only.
        choice = request.form.get(CHOICE_FIELD, "") if request.method == "POST" else None
        try:
            with store.lock:
                simulation = store.providers.get(slug)
                now = store.clock.now()
                if choice is None:
                    return _html(simulation.render_page(session_id, now), 200)
                target = simulation.apply_choice(session_id, choice, now)
            response = redirect(target, code=303)
            response.headers.update(SECURITY_HEADERS)
            return response
        except DomainError as error:
            status = answer_of(error)[0]
            if isinstance(error, Conflict):  # e.g. expired: the page says so and links back
                with store.lock:
                    page = store.providers.get(slug).render_page(session_id, store.clock.now())
                return _html(page, status)
            return _html(_error_page(status, error.message), status)

    return view


def _html(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/html", headers=SECURITY_HEADERS)


def _error_page(status: int, message: str) -> str:
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status}"
            f"</title></head><body><h1>{status}</h1><p>{escape(message)}</p></body></html>")
