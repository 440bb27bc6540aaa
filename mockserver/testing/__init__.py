"""Helpers for testing against the mock: a live server in a background thread."""

from mockserver.testing.server import LiveServer

__all__ = ["LiveServer"]
