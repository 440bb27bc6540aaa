"""Isolated runs: worlds of their own on one server, one per test, per worker or per person.

A run is a :class:`~mockserver.services.world.World` with its own store, forked on first use
from the start of the loaded world (what a reset of the loaded world would give): its own
tenants, clock, ids, journal, outbox, provider sessions, scripted outcomes and behaviours, and
snapshots. Nothing one run does is seen by another or by the loaded world; loading another
scenario into the loaded world changes what *new* runs start from, not the runs there are.

Runs are bounded: at most ``max_runs`` at a time (one more is refused, never made room for by
dropping a run someone may still use), and a run nobody used for ``idle_seconds`` is let go.
Time here is the real time of the process, injected (``monotonic``, ``wall``), never the
worlds' test clocks.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from mockserver.domain.errors import InvalidRequest, LimitReached, NotFound
from mockserver.services.world import World

RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
RUN_ID_RULE = "1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"


def check_run_id(run_id: str) -> str:
    """``run_id`` if it is a usable run id, else :class:`InvalidRequest` saying why."""
    if not isinstance(run_id, str) or not RUN_ID.match(run_id):
        raise InvalidRequest(f"A run id is {RUN_ID_RULE}; got {str(run_id)[:80]!r}",
                             field="run_id")
    return run_id


@dataclass
class Run:
    id: str
    world: World
    created_at: datetime  # wall time
    used: float  # monotonic time of the last request

    def describe(self, now: float, idle_seconds: float) -> dict:
        """What ``/_mock/runs`` shows of the run (a lock-free read of its world)."""
        store = self.world.store
        idle = max(0.0, now - self.used)
        return {"id": self.id, "created_at": self.created_at, "idle_seconds": round(idle, 1),
                "expires_in_seconds": round(max(0.0, idle_seconds - idle), 1),
                "scenario": store.scenario, "now": store.clock.now(),
                "tenants": len(store.tenants), "journal_entries": len(store.journal),
                "outbox_messages": len(store.outbox)}


class Runs:
    """The runs of one server, by id, least recently used first."""

    def __init__(self, base: World, max_runs: int, idle_seconds: float,
                 monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 refused: str | None = None) -> None:
        """``refused``: why this server makes no runs at all (every request for one is a
        409 saying so)."""
        if max_runs < 0 or idle_seconds <= 0:
            raise ValueError("max_runs must be >= 0 and idle_seconds > 0")
        self.base, self.refused = base, refused
        self.max_runs, self.idle_seconds = max_runs, idle_seconds
        self._monotonic, self._wall = monotonic, wall
        self._runs: OrderedDict[str, Run] = OrderedDict()
        self._lock = threading.Lock()  # held for the table only, never while forking

    def start_tokens(self) -> dict:
        """The token table a run forked now starts with (the loaded world's start's)."""
        return self.base.store.start_tokens()

    def get(self, run_id: str) -> World | None:
        """The run's world, marked as used now; None if there is no such run (or it expired)."""
        with self._lock:
            self._expire()
            run = self._runs.get(run_id)
            if run is None:
                return None
            run.used = self._monotonic()
            self._runs.move_to_end(run_id)
            return run.world

    def world(self, run_id: str) -> World:
        """The run's world, forked from the loaded world's start on first use."""
        found = self.get(check_run_id(run_id))
        return found if found is not None else self.create(run_id, exist_ok=True)

    def create(self, run_id: str, exist_ok: bool = False) -> World:
        """A new run forked from the loaded world's start (:class:`LimitReached` when
        ``max_runs`` runs are live; an existing id is a conflict unless ``exist_ok``)."""
        check_run_id(run_id)
        with self._lock:
            self._expire()
            self._check_room(run_id, exist_ok)
        world = self.base.fork()  # the slow part (milliseconds), outside the table's lock
        with self._lock:
            found = self._runs.get(run_id)
            if found is not None:  # another request forked it meanwhile: one run, not two
                self._check_room(run_id, exist_ok)
                return found.world
            self._check_room(run_id, exist_ok)
            self._runs[run_id] = Run(run_id, world, self._wall(), self._monotonic())
            return world

    def delete(self, run_id: str) -> None:
        with self._lock:
            run = self._runs.pop(run_id, None)
        if run is None:
            raise NotFound(f"Run '{run_id}' not found (deleted, expired, or never used)")
        self._let_go(run)

    def describe(self, run_id: str) -> dict:
        with self._lock:
            self._expire()
            run = self._runs.get(run_id)
            if run is None:
                raise NotFound(f"Run '{run_id}' not found (deleted, expired, or never used)")
            return run.describe(self._monotonic(), self.idle_seconds)

    def describe_all(self) -> list[dict]:
        """Every live run, least recently used first."""
        with self._lock:
            self._expire()
            now = self._monotonic()
            return [run.describe(now, self.idle_seconds) for run in self._runs.values()]

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._runs)

    def _check_room(self, run_id: str, exist_ok: bool) -> None:
        if self.refused:
            raise LimitReached(self.refused, run_id=run_id)
        if run_id in self._runs:
            if exist_ok:
                return
            raise LimitReached(f"Run '{run_id}' exists already", run_id=run_id)
        if len(self._runs) >= self.max_runs:
            raise LimitReached(
                f"The server keeps at most {self.max_runs} runs; delete one "
                f"(DELETE /_mock/runs/{{run_id}}) or let idle ones expire "
                f"(after {self.idle_seconds:g} s)", max_runs=self.max_runs)

    def _expire(self) -> None:
        """Let go of the runs idle for longer than ``idle_seconds`` (held: the table's lock)."""
        deadline = self._monotonic() - self.idle_seconds
        while self._runs:
            run = next(iter(self._runs.values()))  # least recently used first
            if run.used > deadline:
                return
            del self._runs[run.id]
            self._let_go(run)

    @staticmethod
    def _let_go(run: Run) -> None:
        """Free what the shared caches hold of the run's world."""
        run.world.forget(run.world.generation)


__all__ = ["RUN_ID", "Run", "Runs", "check_run_id"]
