"""A real HTTP server (uvicorn) for the mock, in a background thread, on a free local port."""

from __future__ import annotations

import socket
import threading
import time
from typing import Callable

import httpx
import uvicorn

from mockserver.app import create_app
from mockserver.edge.connection import bind_socket, uvicorn_config
from mockserver.edge.runtime import Runtime, of
from mockserver.settings import Settings
from mockserver.state import Store


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class LiveServer:
    """Start with ``start()`` (or as a context manager); ``url`` is the origin, ``api_url`` the
    API root a client configures (``.../api/v1``)."""

    def __init__(self, settings: Settings | None = None, store: Store | None = None,
                 wrap: Callable | None = None) -> None:
        """``wrap`` may put an ASGI layer around the app (e.g. to break it on purpose)."""
        settings = settings or Settings()
        # Bind now and hand the socket to uvicorn: a port found free and bound later could be
        # taken by another process in between.
        wanted = 0 if settings.port in (0, 8000) else settings.port
        self._socket = bind_socket(settings.host, wanted)
        settings = settings.with_(port=self._socket.getsockname()[1])
        self.settings = settings
        self.app = create_app(settings, store)
        config = uvicorn_config(wrap(self.app) if wrap else self.app, settings,
                                log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True,
                                        name="billing-mock-live-server")

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v1"

    @property
    def runtime(self) -> Runtime:
        return of(self.app)

    @property
    def world(self):
        """The world service: reset, load, snapshots (every change of the whole world)."""
        return self.runtime.world

    @property
    def store(self) -> Store:
        return self.runtime.store

    def start(self, timeout: float = 15.0) -> "LiveServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/_mock/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if not self._thread.is_alive():
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"billing-mock did not become ready on {self.url}")

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
