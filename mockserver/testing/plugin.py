"""The pytest plugin: a live billing mock for a test suite, registered as ``billing_mock``
through the ``pytest11`` entry point, so installing billing-mock is enough.

Fixtures: ``billing_mock`` (the server, reset before every test), ``billing_client`` (an httpx
client for the demo tenant), ``billing_factory`` (data built through the domain) and
``billing_mock_settings`` (override it to change the seed or the base scenario). The marker
``@pytest.mark.billing_scenario("dunning")`` loads a library scenario for a test or a module.

One server per session, per pytest-xdist worker: each worker has its own port and state.
With ``--billing-mock-runs`` (or ``billing_mock_runs = true`` in the ini file) every test gets
an isolated run of its own (``/_runs/{run_id}/...``) on one shared server instead: one for the
whole session, also across xdist workers (the controller serves it). ``--billing-mock-url URL``
uses a server that runs already, a run per test.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import secrets
import threading
import time
import warnings
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.settings import Settings

MARKER = "billing_scenario"
DEFAULT_TOKEN = "demo-token"
JOURNAL_LIMIT = 1000  # the server keeps the last 1,000 requests
_BASE = object()  # "the world of the settings", as opposed to a scenario named by a marker
_run_numbers = itertools.count(1)


class BillingMockServerError(AssertionError):
    """The mock raised while answering a request of this test (its traceback is the message)."""


class _ServerErrors(logging.Handler):
    """Collects the tracebacks the server logs from its handler threads."""

    LOGGERS = ("billing_mock", "uvicorn.error")

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self._found: list[str] = []
        self._guard = threading.Lock()
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            with self._guard:
                self._found.append(self.format(record))

    def take(self) -> list[str]:
        with self._guard:
            found, self._found = self._found, []
            return found

    def attach(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)

    def detach(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


class BillingMock:
    """The session's live mock as a test sees it: ``url``, ``api_url``, ``tokens``,
    ``client(token)``, ``calls``/``assert_called`` (the request journal), ``advance_clock``,
    ``set_clock``, ``outbox`` and, for in-process work under its lock, ``store``.

    ``url`` given: the mock running there, and each test in a run of its own. ``runs``: a
    server of our own, each test in a run of its own (``url`` and ``api_url`` are the run's)."""

    def __init__(self, settings: Settings, url: str | None = None, runs: bool = False) -> None:
        with quiet_dependencies():
            from mockserver.testing.server import LiveServer

            self.settings = settings
            self.runs = runs or url is not None
            self._run_id: str | None = None
            self._errors = _ServerErrors()
            self._errors.attach()
            self._server = None if url else _start_own(LiveServer, settings)
        self._origin = (url or self._server.url).rstrip("/")
        self._control = httpx.Client(base_url=self._origin, timeout=30)
        self._clients: list[httpx.Client] = []
        self._answered: set[str] = set()  # request ids of this test's answers to our clients
        self._world = settings.scenario  # what the store holds now
        self._start = None if self.runs else self.store.start  # ... and a reset's start

    # -- what a test reads ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The origin, e.g. ``http://127.0.0.1:54321``; with runs, the test's run in it
        (``http://127.0.0.1:54321/_runs/{run_id}``)."""
        return self._origin + (f"/_runs/{self._run_id}" if self._run_id else "")

    @property
    def api_url(self) -> str:
        """The API root a client configures: ``url + "/api/v1"``."""
        return f"{self.url}/api/v1"

    @property
    def run_id(self) -> str | None:
        """The test's run (None without runs)."""
        return self._run_id

    @property
    def store(self):
        """The store of the test's world (change it only under ``store.lock``, as the
        services do). Only for a server in this process, not one at ``--billing-mock-url`` or
        the one an xdist controller serves."""
        if self._server is None:
            raise RuntimeError(
                "billing_mock.store (and billing_factory) need the mock in this process; this "
                f"session uses the one at {self._origin}, over HTTP only")
        if self._run_id is None:
            return self._server.store
        world = self._server.runtime.runs.get(self._run_id)
        if world is None:
            raise RuntimeError(f"billing_mock: run {self._run_id} is gone (deleted or expired)")
        return world.store

    @property
    def tokens(self) -> dict[str, str]:
        """Every opaque token of the test's world, and the tenant id it stands for."""
        if self._server is None:
            return {token: t["id"] for t in self._get("/tenants") for token in t["tokens"]}
        store = self.store
        with store.lock:
            return {token: grant.tenant_id for token, grant in store.tokens.items()}

    @property
    def default_token(self) -> str | None:
        """``demo-token`` in the default world, else the loaded scenario's first token."""
        tokens = self.tokens
        return DEFAULT_TOKEN if DEFAULT_TOKEN in tokens else next(iter(tokens), None)

    def client(self, token: str | None, **kwargs: Any) -> httpx.Client:
        """An httpx client on the API root, sending ``Authorization: Bearer <token>`` (none
        for ``token=None``). Closed after the test. A 5xx the server answered because it raised
        fails the call with :class:`BillingMockServerError` and the server's traceback."""
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}),
                   **kwargs.pop("headers", {})}
        hooks = kwargs.pop("event_hooks", {})
        hooks = {**hooks, "response": [*hooks.get("response", []), self._on_response]}
        client = httpx.Client(base_url=self.api_url, headers=headers, event_hooks=hooks,
                              timeout=kwargs.pop("timeout", 30), **kwargs)
        self._clients.append(client)
        return client

    def calls(self, operation_id: str | None = None) -> list[dict]:
        """Journal entries of this test's API requests, oldest first (all, or one operation's:
        its operationId, the FastAPI function name such as ``send_invoice_email``, or FastAPI's
        full operationId).

        Each has ``operation_id``, ``method``, ``path``, ``query``, ``status``, ``tenant_id``
        and ``body`` (the request's JSON body, or None).
        """
        wanted = None
        if operation_id is not None:
            wanted = _known_id(operation_id)
            if wanted is None:
                raise AssertionError(f"billing_mock:{_unknown_operation(operation_id)}")
        entries = self._journal()
        return [e for e in reversed(entries) if wanted is None or e["operation_id"] == wanted]

    def assert_called(self, operation_id: str, times: int | None = None) -> list[dict]:
        """Fail unless ``operation_id`` was called (exactly ``times`` times, if given); answer
        its calls, oldest first, so ``calls[0]["body"]`` is the first request's body."""
        known = _known_id(operation_id) is not None
        found = self.calls(operation_id) if known else []
        # A name that is no operation's never passes, not even with times=0.
        if known and ((times is None and found) or len(found) == times):
            return found
        expected = "at least once" if times is None else _times(times)
        raise AssertionError(
            f"billing_mock: expected {operation_id} to be called {expected}, it was called "
            f"{_times(len(found))}.{_unknown_operation(operation_id)}\n"
            f"{_describe(self.calls())}")

    def advance_clock(self, days: float = 0, hours: float = 0, minutes: float = 0) -> dict:
        """Move the mock's clock forward; due charges and period ends on the way happen.
        Answers ``{"now", "mode", "events", "requested", "complete"}`` (``complete`` is false
        when the move stopped at the 100,000-event bound: ``set_clock(requested)`` carries on)."""
        return self._post("/clock/advance", {"days": days, "hours": hours, "minutes": minutes})

    def set_clock(self, now: str, mode: str | None = None, *,
                  allow_backwards: bool = False) -> dict:
        """Jump to ``now`` (RFC 3339), optionally ``frozen`` or ``running``; an instant before
        the mock's now needs ``allow_backwards=True``."""
        body = {"now": now, **({"mode": mode} if mode else {}),
                **({"allow_backwards": True} if allow_backwards else {})}
        return self._post("/clock/set", body)

    def outbox(self) -> list[dict]:
        """The invoice e-mails the mock sent in this test, newest first."""
        return self._get("/outbox")

    def raise_server_errors(self) -> None:
        """Raise :class:`BillingMockServerError` if the server raised since the last check."""
        found = self._errors.take()
        if found:
            raise BillingMockServerError(
                "billing_mock: the server raised while answering this test's requests:\n\n"
                + "\n\n".join(found))

    # -- the plugin's side ------------------------------------------------------------------

    def prepare(self, scenario: Any = _BASE) -> None:
        """Before a test: the wanted world (the settings', or ``scenario``) at its start, set
        through the world service like every other change of the whole world."""
        wanted = self.settings.scenario if scenario is _BASE else scenario
        self._errors.take()
        self._answered.clear()
        with quiet_dependencies():
            if self.runs:
                self._new_run(wanted)
            # A test may have loaded a scenario itself (POST /_mock/scenario): then the
            # store's start is another, and a reset would go back to that scenario's start.
            elif wanted == self._world and self.store.start is self._start:
                self._server.world.reset()
            else:
                self._load(wanted)

    def finish(self) -> None:
        """After a test: close its clients, let its run go, then surface what the server
        raised."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        if self._run_id is not None:
            run_id, self._run_id = self._run_id, None
            self._control.delete(f"/_mock/runs/{run_id}")
        self.raise_server_errors()

    def stop(self) -> None:
        with quiet_dependencies():
            self._control.close()
            if self._server is not None:
                self._server.stop()
            self._errors.detach()

    def _new_run(self, scenario: str | None) -> None:
        """A run of the test's own, forked from the server's loaded world, with the wanted
        scenario loaded into it."""
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        run_id = f"test-{worker}-{next(_run_numbers)}-{secrets.token_hex(4)}"
        self._answer(self._control.post("/_mock/runs", json={"id": run_id}), 201)
        self._run_id = run_id
        if scenario is not None:
            self._post("/scenario", _scenario_body(scenario))

    def _load(self, scenario: str | None) -> None:
        from mockserver.scenarios.watcher import store_for

        self._server.world.load(store_for(self.settings.with_(scenario=scenario)))
        self._world, self._start = scenario, self.store.start

    def _journal(self, patience: float = 2.0) -> list[dict]:
        """The journal, newest first, once it holds every request our clients got answers to
        (the server records a request just after its answer is on the way)."""
        deadline = time.monotonic() + patience
        while True:
            entries = self._get("/journal", {"limit": JOURNAL_LIMIT})
            recorded = {e["request_id"] for e in entries}
            if (self._answered <= recorded or len(entries) >= JOURNAL_LIMIT
                    or time.monotonic() > deadline):
                return entries
            time.sleep(0.005)

    def _on_response(self, response: httpx.Response) -> None:
        request_id = response.headers.get("x-request-id")
        if request_id and "/api/v1/" in response.request.url.path:
            self._answered.add(request_id)
        if response.status_code >= 500:
            self.raise_server_errors()

    def _mock(self, path: str) -> str:
        """The control API path of the test's world."""
        return (f"/_runs/{self._run_id}" if self._run_id else "") + "/_mock" + path

    def _get(self, path: str, params: dict | None = None):
        return self._answer(self._control.get(self._mock(path), params=params))

    def _post(self, path: str, body: dict | None):
        return self._answer(self._control.post(
            self._mock(path), content=json.dumps(body, default=str),
            headers={"Content-Type": "application/json"}))

    @staticmethod
    def _answer(response: httpx.Response, expected: int = 200):
        if response.status_code != expected:
            raise AssertionError(f"billing_mock: {response.request.method} "
                                 f"{response.request.url.path} answered "
                                 f"{response.status_code}: {response.text}")
        return response.json()["data"]


@contextmanager
def quiet_dependencies():
    """Drop the warnings raised while the plugin imports, starts, resets or stops the mock.

    They come from the mock's dependencies (Connexion importing names jsonschema deprecated,
    Starlette's note on httpx, ...), are nothing a user's suite can act on, and would otherwise
    land in every user's warnings summary. Warnings of the user's own tests are untouched: the
    filter holds only while the plugin's code runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _start_own(live_server_class, settings: Settings, attempts: int = 3):
    """Start a server and make sure the port answers with *this* server: another process
    (an xdist worker) can take a free port between its choice and the bind."""
    for _ in range(attempts):
        server = live_server_class(settings).start()
        if _answers_for(server):
            return server
        server.stop()
    raise RuntimeError("billing_mock: could not start a server on a port of its own")


def _answers_for(server) -> bool:
    from mockserver.state import TokenGrant

    probe, tenant_id = f"probe-{secrets.token_hex(12)}", f"tnt_probe{secrets.token_hex(6)}"
    with server.store.lock:
        server.store.tokens[probe] = TokenGrant(tenant_id, label="probe")
    try:
        response = httpx.get(f"{server.api_url}/billing/billing-profile", timeout=10,
                             headers={"Authorization": f"Bearer {probe}"})
        return response.status_code == 200
    finally:
        with server.store.lock:
            server.store.tokens.pop(probe, None)
            server.store.tenants.pop(tenant_id, None)


def _scenario_body(scenario: str) -> dict:
    """What ``POST /_mock/scenario`` takes for a library name or a scenario file: a file is
    read here (the server may be elsewhere) and sent whole."""
    path = Path(scenario)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        from mockserver.scenarios import load_file

        return {"scenario": load_file(str(path))}
    return {"name": scenario}


def _times(count: int) -> str:
    return f"{count} time{'' if count == 1 else 's'}"


def _known_id(name: str) -> str | None:
    """The operationId ``name`` names (any of its names), or None."""
    from mockserver.spec import UnknownOperation, operation_id

    try:
        return operation_id(name)
    except UnknownOperation:
        return None


def _unknown_operation(name: str) -> str:
    from mockserver.spec import UnknownOperation, operation_id

    try:
        operation_id(name)
        return ""
    except UnknownOperation as error:
        return f" {error}"

def _describe(entries: list[dict]) -> str:
    if not entries:
        return "No API request was made in this test."
    counts = Counter(e["operation_id"] or "(no operation)" for e in entries)
    lines = [f"  {e['method']} {e['path']}{'?' + e['query'] if e['query'] else ''} -> "
             f"{e['status']}  [{e['operation_id']}]" for e in entries[-20:]]
    summary = ", ".join(f"{name} x{count}" for name, count in counts.items())
    return f"Requests of this test ({summary}):\n" + "\n".join(lines)


def _scenario_of(node: pytest.Item) -> Any:
    marker = node.get_closest_marker(MARKER)
    if marker is None:
        return _BASE
    args = list(marker.args) + ([marker.kwargs["name"]] if "name" in marker.kwargs else [])
    if len(args) != 1 or not (args[0] is None or isinstance(args[0], str)):
        pytest.fail(f"@pytest.mark.{MARKER} takes one scenario: a library name, a path to a "
                    f"scenario file, or None for the default world; {node.nodeid} gave "
                    f"{marker.args!r} {marker.kwargs!r}", pytrace=False)
    return args[0]


# -- pytest hooks and fixtures ------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("billing_mock", "billing-mock")
    group.addoption("--billing-mock-runs", action="store_true", default=False,
                    help="give each test an isolated run of its own on one shared mock (one "
                         "for the whole session, also across xdist workers)")
    group.addoption("--billing-mock-url", default=None, metavar="URL",
                    help="use the billing mock running at URL, a run per test")
    parser.addini("billing_mock_runs", "billing-mock: a run per test on one shared mock",
                  type="bool", default=False)
    parser.addini("billing_mock_url", "billing-mock: use the mock running at this URL",
                  default="")


def _shared(config: pytest.Config) -> tuple[str | None, bool]:
    """The URL of a shared mock (None: start our own) and whether tests get runs."""
    url = config.getoption("billing_mock_url") or config.getini("billing_mock_url") or None
    runs = bool(config.getoption("billing_mock_runs") or config.getini("billing_mock_runs")
                or url)
    worker_input = getattr(config, "workerinput", None)
    if url is None and runs and worker_input is not None:
        url = worker_input.get("billing_mock_url")  # the controller's server
    return url, runs


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist's controller: with runs, one server for every worker, served from here."""
    url, runs = _shared(node.config)
    if runs and url is None:
        from mockserver.testing.shared import controller_server

        with quiet_dependencies():
            node.workerinput["billing_mock_url"] = controller_server(node.config).url


def pytest_unconfigure(config: pytest.Config) -> None:
    from mockserver.testing.shared import stop_controller_server

    with quiet_dependencies():
        stop_controller_server(config)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(name): load this billing-mock scenario (a library name such as "
        "'dunning', a path to a scenario file, or None for the default world) for the test")


@pytest.fixture(scope="session")
def billing_mock_settings() -> Settings:
    """The settings of the session's server (override in a conftest.py, session-scoped, to
    change ``seed`` or the base ``scenario``)."""
    return Settings(seed=42)


@pytest.fixture(scope="session")
def billing_mock_server(billing_mock_settings: Settings, pytestconfig: pytest.Config):
    """The live server, started once per session (per xdist worker, unless tests get runs on
    one shared server); tests use ``billing_mock``."""
    url, runs = _shared(pytestconfig)
    mock = BillingMock(billing_mock_settings, url=url, runs=runs)
    yield mock
    mock.stop()


@pytest.fixture
def billing_mock(billing_mock_server: BillingMock, request: pytest.FixtureRequest):
    """The live mock, reset before the test to its world's start (or to the scenario of the
    test's ``billing_scenario`` marker); server-side errors fail the test."""
    from mockserver.scenarios import ScenarioError

    try:
        billing_mock_server.prepare(_scenario_of(request.node))
    except ScenarioError as error:
        pytest.fail(f"billing_mock: scenario refused:\n{error}", pytrace=False)
    yield billing_mock_server
    billing_mock_server.finish()


@pytest.fixture
def billing_client(billing_mock: BillingMock) -> httpx.Client:
    """An httpx client on ``.../api/v1`` for the demo tenant (``demo-token``), or for the
    scenario's first token."""
    token = billing_mock.default_token
    if token is None:
        pytest.fail("billing_client: the loaded world has no tokens; use "
                    "billing_mock.client(a JWT) instead", pytrace=False)
    return billing_mock.client(token)


@pytest.fixture
def billing_factory(billing_mock: BillingMock, request: pytest.FixtureRequest):
    """Builds tenants, invoices, credit notes and payment methods in the mock, through the
    domain; Faker defaults are seeded by the settings' seed and the test's id."""
    with quiet_dependencies():
        from mockserver.testing.factories import BillingFactory

    return BillingFactory(billing_mock.store,
                          seed=f"{billing_mock.settings.seed}:{request.node.nodeid}")
