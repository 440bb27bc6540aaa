"""Choosing the world a server starts with, and reloading a scenario file when it changes."""

from __future__ import annotations

import threading
from typing import Callable

from mockserver.domain.clock import Clock
from mockserver.domain.ids import IdSource
from mockserver.scenarios.builder import build_store
from mockserver.scenarios.catalogue import resolve
from mockserver.scenarios.loader import ScenarioError, load_file
from mockserver.services.world import World
from mockserver.settings import Settings
from mockserver.state import Store
from mockserver.default_world import build_default_world


def default_store(settings: Settings, clock: Clock | None = None) -> Store:
    """A store holding the default world for ``settings.seed``."""
    store = Store(clock or Clock(), IdSource(settings.seed), max_tenants=settings.max_tenants,
                  outbox_size=settings.outbox_size)
    build_default_world(store, settings.seed)
    store.mark_start()
    return store


def store_for(settings: Settings) -> Store:
    """A store holding the world ``settings`` ask for: their scenario, else the default world
    (:class:`~mockserver.scenarios.ScenarioError` for a scenario that does not load)."""
    if not settings.scenario:
        return default_store(settings)
    path = resolve(settings.scenario)
    return build_store(load_file(path), max_tenants=settings.max_tenants,
                       outbox_size=settings.outbox_size, source=str(path))


def watch(settings: Settings, world: World, report: Callable[[str], None],
          interval: float = 1.0) -> threading.Event:
    """Poll the scenario file; a changed file that loads is the new world (through the world
    service, so nothing derived from the old one is served again), a bad one is reported and
    the running world stays. Set the returned event to stop."""
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
                world.reload(store_for(settings))
                report(f"reloaded scenario {path}")
            except ScenarioError as error:
                report(f"scenario not reloaded, the running world stays:\n{error}")
            except Exception as error:  # noqa: BLE001 - the watcher must outlive any one edit
                report(f"scenario not reloaded, the running world stays: {error!r}")

    threading.Thread(target=loop, daemon=True, name="scenario-watch").start()
    return stop


__all__ = ["default_store", "store_for", "watch"]
