"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, the mock on its own
port, and a test frontend served from another origin so every API call crosses CORS."""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from mockserver.settings import Settings
from mockserver.testing import LiveServer
from tests.conftest import make_jwt

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# A name that resolves to 127.0.0.1 in the tests' Chromium only, as an attacker's rebinding
# DNS server would make it (tests/browser/test_browser_control_api.py).
REBOUND_NAME = "rebound.test"
SITE = Path(__file__).parent / "site"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 10_000

_tenant_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the run (Debian's; Playwright downloads no browser)."""
    if not CHROMIUM.exists():
        message = "Debian chromium is not installed; run bash tests/run.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {REBOUND_NAME} 127.0.0.1"],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def mock_server() -> Iterator[LiveServer]:
    """This module's own mock: the crypto expiry test moves its clock."""
    with LiveServer(Settings(seed=42)) as server:
        yield server


class _QuietSiteHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def frontend_origin() -> Iterator[str]:
    """The test frontend's origin: ``site/`` over HTTP on a free port, not the mock's origin."""
    handler = functools.partial(_QuietSiteHandler, directory=str(SITE))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True, name="test-frontend")
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context (own cookies and sessionStorage); a script error fails it."""
    context = browser.new_context(viewport={"width": 900, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(str(error)))
    yield tab
    context.close()
    assert not script_errors, f"script errors in the page: {script_errors}"


@pytest.fixture
def frontend(mock_server: LiveServer, frontend_origin: str) -> Callable[..., str]:
    """``frontend(provider, method_type, card=None)``: the test frontend's URL for a fresh
    tenant of the module's mock."""
    token = make_jwt(f"tnt_browser{next(_tenant_numbers):05d}")

    def url(provider: str, method_type: str, card: str | None = None) -> str:
        query = {"api": mock_server.api_url, "token": token, "provider": provider,
                 "method": method_type}
        if card is not None:
            query["card"] = card
        return f"{frontend_origin}/frontend.html?{urlencode(query)}"

    return url


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page], Path]:
    """``screenshot(page)`` saves the page as ``test-artifacts/screenshots/<test>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{request.node.name}.png"
    path.unlink(missing_ok=True)  # a file left by an earlier run must not pass for this one

    def take(tab: Page) -> Path:
        tab.screenshot(path=str(path), full_page=True)
        assert path.is_file() and path.stat().st_size > 0, path
        return path

    return take
