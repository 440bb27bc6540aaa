"""The HTTP connection, before there is a request: the socket the server listens on, and the
limits uvicorn does not have.

uvicorn reads a request's head (request line and headers) without a bound on its size when
it runs on httptools (``h11_max_incomplete_event_size`` exists for h11 only, and h11 answers
a 400, not a 431), and it has no timeout for reading a request: its ``timeout_keep_alive``
starts only after an answer. A client trickling its headers holds a connection for good.
:class:`GuardedHttpProtocol` adds both limits to uvicorn's httptools protocol and answers
them with the error envelope (431, 408) through the one error exit.
"""

from __future__ import annotations

import asyncio
import errno
import socket

import uvicorn

from mockserver.compat import HttpToolsProtocol
from mockserver.edge.errors import HeadersTooLarge, RequestTimeout
from mockserver.edge.exit import answer
from mockserver.edge.request import CURRENT, EdgeRequest, new_request_id
from mockserver.settings import Settings


class PortInUse(OSError):
    """The port is taken by another listening server."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` for uvicorn to serve on. ``SO_REUSEADDR``: a server
    stopped while clients kept connections leaves them in TIME_WAIT, and a new server on the
    same port must start at once, not a minute later. A port another server listens on is
    still refused (:class:`PortInUse`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(exc.errno, f"port {port} on {host} is already in use") from None
        raise
    sock.set_inheritable(True)
    return sock


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bound on a request's head and a deadline for
    receiving a whole request (head and body), counted from its first byte (or from the
    connection's start). ``protocol_for(settings)`` sets the two numbers."""

    max_header_bytes = 64 * 1024
    request_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._in_head = True  # from a message's end (or the start) to its headers' end
        self._head_bytes = 0  # bytes read while in the head
        self._parsed = 0  # the head's bytes as the parser hands them over
        self._refused = False  # a head over the limit: nothing more reaches the app
        self._deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)  # the parser calls the on_* methods below
        if self._refused or (
                self._in_head and max(self._head_bytes, self._parsed) > self.max_header_bytes):
            self._refuse(HeadersTooLarge(
                f"The request line and headers passed {self.max_header_bytes} bytes "
                "(max_header_bytes)", limit=self.max_header_bytes))

    # -- the parser's callbacks -------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._refused:
            return
        self._parsed = 0
        if self._deadline is None:  # a later request on a kept-alive connection
            self._arm()
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._parsed += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._parsed += len(name) + len(value) + 4  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        # A head that arrived whole in one read is measured by what the parser handed over;
        # over the limit, the request never reaches the app.
        if self._refused or self._parsed > self.max_header_bytes:
            self._refused = True
            return
        self._in_head, self._head_bytes = False, 0
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        self._disarm()
        self._in_head = True
        super().on_message_complete()

    # -- the limits -------------------------------------------------------------------------

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.request_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._in_head:  # no request yet: the client hears why
            self._refuse(RequestTimeout(
                f"The request was not received whole within {self.request_timeout:g} s "
                "(request_timeout)", limit=self.request_timeout))
        else:  # the app waits for the body: it sees the client leave
            self.transport.close()

    def _refuse(self, error: Exception) -> None:
        """Answer ``error`` with the envelope (before any request reached the app), close."""
        if self.transport.is_closing():
            return
        self._disarm()
        edge = EdgeRequest(new_request_id())
        token = CURRENT.set(edge)  # the envelope's request_id is the header's
        try:
            status, headers, body = answer(error)
        finally:
            CURRENT.reset(token)
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, '')}",
                 "content-type: application/json", f"content-length: {len(body)}",
                 "connection: close", f"x-request-id: {edge.request_id}",
                 *(f"{k.lower()}: {v}" for k, v in headers.items()
                   if k.lower() != "connection")]
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        self.transport.close()


_REASONS = {408: "Request Timeout", 431: "Request Header Fields Too Large"}


def protocol_for(settings: Settings) -> type[GuardedHttpProtocol]:
    """The protocol class uvicorn should use for a server with ``settings``' limits."""
    return type("BillingMockHttpProtocol", (GuardedHttpProtocol,), {
        "max_header_bytes": settings.max_header_bytes,
        "request_timeout": settings.request_timeout,
    })


class ServedHttpProtocol(GuardedHttpProtocol):
    """The protocol of the worker processes of ``serve --workers N``: uvicorn sends its
    configuration to them pickled, and a class made by ``protocol_for`` cannot be, so each
    worker sets this one's limits (``limit_served_protocol``) when it builds its app."""


def limit_served_protocol(settings: Settings) -> None:
    ServedHttpProtocol.max_header_bytes = settings.max_header_bytes
    ServedHttpProtocol.request_timeout = settings.request_timeout


def uvicorn_config(app, settings: Settings, served: bool = False, **options) -> uvicorn.Config:
    """How both ``billing-mock serve`` and the test server run uvicorn (``served``: in the
    worker processes of ``--workers N``)."""
    http = ("mockserver.edge.connection:ServedHttpProtocol" if served
            else protocol_for(settings))
    return uvicorn.Config(app, host=settings.host, port=settings.port, http=http,
                          lifespan="on", **options)


__all__ = ["GuardedHttpProtocol", "PortInUse", "ServedHttpProtocol", "bind_socket",
           "limit_served_protocol", "protocol_for", "uvicorn_config"]
