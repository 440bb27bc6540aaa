"""Fixtures of the recorder's tests: the recorded HAR files, and a recording proxy served by
uvicorn in a thread in front of a mock."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from mockserver.recording import Recorder
from mockserver.recording.proxy import RecordingProxy

FIXTURES = Path(__file__).parent / "fixtures"
MOLLIE_HAR = FIXTURES / "mollie-setup.har"
SESSION_HAR = FIXTURES / "settings-session.har"


@contextmanager
def recording_proxy(upstream: str, recorder: Recorder) -> Iterator[str]:
    """The proxy's origin while it runs; every exchange goes to ``recorder``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(RecordingProxy(upstream, recorder.add), host="127.0.0.1",
                            port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield origin
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def har_token(path: Path) -> str:
    """The bearer token the browser sent in a HAR file."""
    import json

    for entry in json.loads(path.read_text(encoding="utf-8"))["log"]["entries"]:
        for header in entry["request"]["headers"]:
            if header["name"].lower() == "authorization":
                return header["value"].split(" ", 1)[1]
    raise AssertionError(f"{path} has no Authorization header")


def wait_ready(url: str) -> None:
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"{url} did not come up")
