"""Helpers for testing against the mock: a live server in a background thread, the pytest
plugin and the factories. Imported lazily, so that the plugin costs nothing until used."""

from __future__ import annotations

from typing import Any

__all__ = ["LiveServer"]


def __getattr__(name: str) -> Any:
    if name == "LiveServer":
        from mockserver.testing.server import LiveServer

        return LiveServer
    raise AttributeError(name)
