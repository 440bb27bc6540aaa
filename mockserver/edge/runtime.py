"""The running server as its handlers reach it: its settings and its world."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from mockserver.services.world import World
from mockserver.settings import Settings
from mockserver.state import Store

EXTENSION = "billing_mock"


@dataclass
class Runtime:
    settings: Settings
    world: World
    bridge: Any = None  # the app's bridge to Flask, closed with the app

    @property
    def store(self) -> Store:
        return self.world.store


def current() -> Runtime:
    """The runtime of the Flask app serving this request."""
    return current_app.extensions[EXTENSION]


def of(app) -> Runtime:
    """The runtime of a Connexion app that ``create_app`` built."""
    return app.app.extensions[EXTENSION]
