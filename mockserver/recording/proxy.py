"""The recording proxy: an ASGI app (served by uvicorn) that forwards every request to the
upstream server with httpx and hands each exchange to the recorder, for clients that cannot
export HAR (a mobile app, a server-side client, a test suite).

Bodies are forwarded whole and recorded up to ``MAX_BODY_BYTES``; a longer body still passes,
but the recording keeps only its status.
"""

from __future__ import annotations

import socket
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlsplit

import httpx

from mockserver.recording.exchanges import Exchange

MAX_BODY_BYTES = 5_000_000
MAX_REQUEST_BYTES = 20_000_000  # forwarded at most (the Billing API takes small JSON bodies)
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "te", "trailer", "transfer-encoding", "upgrade", "host",
                        "content-length", "content-encoding"})


class RecordingProxy:
    """Forwards to ``upstream`` (an origin, optionally with a path prefix) and calls
    ``on_exchange`` with every exchange, on the server's event loop."""

    def __init__(self, upstream: str, on_exchange: Callable[[Exchange], None],
                 timeout: float = 60.0) -> None:
        parts = urlsplit(upstream.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"--upstream must be an http(s) URL, not {upstream!r}")
        self.upstream = upstream.rstrip("/")
        self.on_exchange = on_exchange
        self.timeout = timeout
        self.client: httpx.AsyncClient | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._forward(scope, receive, send)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.client = httpx.AsyncClient(timeout=self.timeout)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.client is not None:
                    await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _forward(self, scope, receive, send) -> None:
        body = await _body(receive)
        if body is None:
            await _answer(send, 413, [("content-type", "application/json")],
                          b'{"error": {"code": "payload_too_large", "message": "the recording '
                          b'proxy takes request bodies up to ' + str(MAX_REQUEST_BYTES).encode()
                          + b' bytes"}}')
            return
        query = scope.get("query_string", b"").decode("latin-1")
        url = self.upstream + scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        url += f"?{query}" if query else ""
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]
                   if k.decode("latin-1").lower() not in HOP_BY_HOP]
        started = datetime.now(timezone.utc)
        client = self.client or httpx.AsyncClient(timeout=self.timeout)
        try:
            upstream = await client.request(scope["method"], url, headers=headers,
                                             content=body or None)
        except httpx.HTTPError as exc:
            await _answer(send, 502, [("content-type", "application/json")],
                          b'{"error": {"code": "bad_gateway", "message": "the recording proxy '
                          b'cannot reach the upstream server: ' + str(exc).encode()[:300]
                          + b'"}}')
            return
        content = upstream.content
        kept = [(k, v) for k, v in upstream.headers.multi_items() if k.lower() not in HOP_BY_HOP]
        await _answer(send, upstream.status_code, kept, content)
        self.on_exchange(Exchange(
            method=scope["method"], url=url, status=upstream.status_code,
            request_headers={k.lower(): v for k, v in headers},
            request_body=_text(body), response_headers=dict(upstream.headers),
            response_body=_text(content), started=started))


async def _body(receive) -> bytes | None:
    """The request's body, or None when it is longer than ``MAX_REQUEST_BYTES``."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _answer(send, status: int, headers: list[tuple[str, str]], content: bytes) -> None:
    encoded = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    encoded.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": encoded})
    await send({"type": "http.response.body", "body": content})


def _text(content: bytes) -> str | None:
    if len(content) > MAX_BODY_BYTES:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None  # a PDF: its status is all a step expects of it


def serve(proxy: RecordingProxy, listening: socket.socket) -> None:
    """Serve on the bound socket until Ctrl-C or SIGTERM (uvicorn handles both, returns)."""
    import uvicorn

    config = uvicorn.Config(proxy, log_level="warning", lifespan="on")
    try:
        uvicorn.Server(config).run(sockets=[listening])
    except KeyboardInterrupt:  # uvicorn shut down cleanly, then raised the Ctrl-C again
        pass
