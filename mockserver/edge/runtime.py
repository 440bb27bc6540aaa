"""The running server as its handlers reach it: its settings and its world."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from mockserver.edge.origins import own_host_names
from mockserver.services.mailer import Mailer
from mockserver.services.world import World
from mockserver.settings import Settings
from mockserver.state import Store

EXTENSION = "billing_mock"


@dataclass
class Runtime:
    settings: Settings
    world: World
    bridge: Any = None  # the app's bridge to Flask, closed with the app
    mailer: Mailer | None = None  # with an SMTP relay: delivers sent invoices, off requests
    own_hosts: frozenset[str] = field(init=False)  # the host names /_mock answers to
    own_origins: frozenset[str] = field(init=False)  # the origins browsers reach it by

    def __post_init__(self) -> None:
        s = self.settings
        if s.smtp_url and self.mailer is None:
            self.mailer = Mailer(s.smtp_url, s.smtp_deadline)
        self.own_hosts = own_host_names(s.host, s.public_url, s.allowed_hosts)
        parts = urlsplit(s.base_url)
        self.own_origins = frozenset({f"{parts.scheme}://{parts.netloc}".lower()})

    @property
    def store(self) -> Store:
        return self.world.store


def current() -> Runtime:
    """The runtime of the Flask app serving this request."""
    return current_app.extensions[EXTENSION]


def of(app) -> Runtime:
    """The runtime of a Connexion app that ``create_app`` built."""
    return app.app.extensions[EXTENSION]
