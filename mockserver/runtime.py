"""The running server's state and settings, as the handlers reach them."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from mockserver.documents import DocumentCache
from mockserver.settings import Settings
from mockserver.state import Store

EXTENSION = "billing_mock"


@dataclass
class Runtime:
    settings: Settings
    store: Store
    documents: DocumentCache = field(default_factory=DocumentCache)


def current() -> Runtime:
    """The runtime of the Flask app serving this request."""
    return current_app.extensions[EXTENSION]
