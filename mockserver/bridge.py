"""The bridge from Connexion's ASGI stack to our Flask app.

Connexion's FlaskApp hands each request to Flask through ``a2wsgi.WSGIMiddleware``: the
request runs on a worker thread, and every piece of the exchange (the body read, the response
start, each body chunk, the end) is a separate hop between that thread and the event loop.
For a mock whose handlers take tens of microseconds those hops are most of the cost (see
``bench/README.md``): a Connexion FlaskApp serving ``hello`` manages about 780 requests/s on
two cores, Connexion's AsyncApp 2,900.

This bridge keeps Flask and a2wsgi's WSGI environ, but exchanges whole messages: the request
body is read before Flask runs and the response is collected before it is sent, so Flask never
waits for the event loop. Fast operations (``runs_inline(scope)``) then run on the event loop
itself, with no thread at all; slow ones (documents, mail, the control API, scripted latency)
run on a bounded thread pool, as before, so they never hold up other requests.

Nothing here knows about billing: ``create_app`` says which requests are fast
(``mockserver.edge.scheduling``).
"""

from __future__ import annotations

import asyncio
import contextvars
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.compat import build_environ


class FlaskBridge:
    """ASGI app running a WSGI app with whole-message hand-offs (see the module's text).

    ``app`` is the WSGI callable (the attribute name Connexion's ``add_wsgi_middleware``
    wraps); ``fallback`` serves anything that is not plain HTTP (lifespan, websockets).
    ``runs_inline(scope)`` answers True (on the loop), False (on the pool) or an async
    context manager to enter before running on the loop.
    """

    def __init__(self, app: Callable, fallback: ASGIApp, runs_inline: Callable[[Scope], object],
                 workers: int = 10) -> None:
        self.app = app
        self.fallback = fallback
        self.runs_inline = runs_inline
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flask")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.fallback(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client left before its request was whole: nothing to answer
            return
        environ = build_environ(scope, io.BytesIO(body))
        # The whole body is in hand: Werkzeug may read to its end even without a
        # Content-Length (a chunked upload), which the incremental a2wsgi stream cannot offer.
        environ["wsgi.input_terminated"] = True
        inline = self.runs_inline(scope)
        if inline is True:
            status, headers, content = self._run(environ)
        elif inline:  # an async context manager to enter first (its turn), then inline
            async with inline:
                status, headers, content = self._run(environ)
        else:
            context = contextvars.copy_context()
            status, headers, content = await asyncio.get_running_loop().run_in_executor(
                self.executor, context.run, self._run, environ)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    def close(self) -> None:
        """Let the worker threads go (with the app: ``create_app``'s lifespan calls it)."""
        self.executor.shutdown(wait=False, cancel_futures=True)

    def _run(self, environ: dict) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """One WSGI call, start to end, with the whole response collected."""
        started: list = []
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [int(status.split(" ", 1)[0]), [
                (name.strip().lower().encode("latin-1"), value.strip().encode("latin-1"))
                for name, value in headers]]
            return chunks.append

        iterable = self.app(environ, start_response)
        try:
            for chunk in iterable:
                if chunk:
                    chunks.append(chunk)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        if not started:
            raise RuntimeError("the WSGI app returned without calling start_response")
        return started[0], started[1], b"".join(chunks)


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client disconnects before sending it all
    (a partial form must never reach a handler)."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)
