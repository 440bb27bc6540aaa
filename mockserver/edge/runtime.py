"""The running server as its handlers reach it: its settings and the world of this request.

A request answers from the loaded world, or from an isolated run's world when it was sent to
``/_runs/{run_id}/...`` or with ``X-Billing-Mock-Run`` (``mockserver.edge.runs`` picks it,
once, at the edge). Everything inside reads the world through :attr:`Runtime.world`, so no
handler, service or page needs to know which one it is.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from mockserver.edge.origins import own_host_names
from mockserver.services.mailer import Mailer
from mockserver.services.runs import Runs
from mockserver.services.world import World
from mockserver.settings import Settings
from mockserver.state import Store

EXTENSION = "billing_mock"
RUN_PREFIX = "/_runs/"


@dataclass(frozen=True)
class Selected:
    """The world a request answers from: a run's (``run_id``), or the loaded one (None)."""

    world: World
    run_id: str | None = None

    @property
    def prefix(self) -> str:
        """The path prefix that reaches this world: ``/_runs/{run_id}``, or nothing."""
        return f"{RUN_PREFIX}{self.run_id}" if self.run_id else ""


SELECTED: ContextVar[Selected | None] = ContextVar("billing_mock_world", default=None)


@dataclass
class Runtime:
    settings: Settings
    loaded: World  # the loaded world: what /api/v1 and /_mock answer from, and runs fork from
    bridge: Any = None  # the app's bridge to Flask, closed with the app
    mailer: Mailer | None = None  # with an SMTP relay: delivers sent invoices, off requests
    backend: Any = None  # where the loaded world is kept (mockserver.services.world.Backend)
    runs: Runs = field(init=False)
    own_hosts: frozenset[str] = field(init=False)  # the host names /_mock answers to
    own_origins: frozenset[str] = field(init=False)  # the origins browsers reach it by

    def __post_init__(self) -> None:
        s = self.settings
        # A run lives in the process that forked it: with several workers a run's requests
        # would reach different copies of it (README "Shared state on Redis").
        refused = ("Isolated runs live in the worker process that forked them, and this server "
                   f"has {s.workers} workers: run them on a server with one worker"
                   if s.workers > 1 else None)
        self.runs = Runs(self.loaded, s.max_runs, s.run_idle_seconds, refused=refused)
        if s.smtp_url and self.mailer is None:
            self.mailer = Mailer(s.smtp_url, s.smtp_deadline)
        self.own_hosts = own_host_names(s.host, s.public_url, s.allowed_hosts)
        parts = urlsplit(s.base_url)
        self.own_origins = frozenset({f"{parts.scheme}://{parts.netloc}".lower()})

    @property
    def selected(self) -> Selected:
        return SELECTED.get() or Selected(self.loaded)

    @property
    def world(self) -> World:
        """The world of the request being answered (the loaded world outside a request)."""
        return self.selected.world

    @property
    def store(self) -> Store:
        return self.world.store

    @property
    def run_id(self) -> str | None:
        return self.selected.run_id

    @property
    def base_url(self) -> str:
        """How a browser reaches this request's world: hosted pages stay inside their run."""
        return self.settings.base_url + self.selected.prefix


def current() -> Runtime:
    """The runtime of the Flask app serving this request."""
    return current_app.extensions[EXTENSION]


def of(app) -> Runtime:
    """The runtime of a Connexion app that ``create_app`` built."""
    return app.app.extensions[EXTENSION]
