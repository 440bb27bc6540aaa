"""Choosing the world a server starts with, and reloading a scenario file when it changes."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from mockserver.scenarios.builder import build_store
from mockserver.scenarios.catalogue import resolve
from mockserver.scenarios.loader import ScenarioError, load_file
from mockserver.settings import Settings
from mockserver.state import Store


def store_for(settings: Settings) -> Store | None:
    """The scenario's store, or None for the default world."""
    if not settings.scenario:
        return None
    path = resolve(settings.scenario)
    return build_store(load_file(path), max_tenants=settings.max_tenants,
                       outbox_size=settings.outbox_size, source=str(path))


def watch(settings: Settings, store: Store, report: Callable[[str], None],
          interval: float = 1.0) -> threading.Event:
    """Poll the scenario file; a changed file that loads replaces the world, a bad one is
    reported and the running world stays. Set the returned event to stop."""
    path = resolve(settings.scenario)
    stop = threading.Event()

    def loop() -> None:
        seen = path.stat().st_mtime_ns
        while not stop.wait(interval):
            try:
                mtime = path.stat().st_mtime_ns
            except OSError:
                continue
            if mtime == seen:
                continue
            seen = mtime
            try:
                store.replace_world(build_store(load_file(path), source=str(path),
                                                max_tenants=settings.max_tenants,
                                                outbox_size=settings.outbox_size))
                report(f"reloaded scenario {path}")
            except ScenarioError as error:
                report(f"scenario not reloaded, the running world stays:\n{error}")

    threading.Thread(target=loop, daemon=True, name="scenario-watch").start()
    return stop


__all__ = ["store_for", "watch", "Path"]
