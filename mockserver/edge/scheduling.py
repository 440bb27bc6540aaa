"""Which requests Flask answers on the event loop, and which on the bridge's thread pool."""

from __future__ import annotations

from typing import Any, Callable

from mockserver.compat import routed_operation_id
from mockserver.edge.request import READING_METHODS, preference
from mockserver.services.world import World


def runs_inline(current_world: Callable[[], World], on_loop: frozenset[str],
                lock_free: frozenset[str] = frozenset()) -> Callable[[dict], Any]:
    """The rule the bridge asks: only the operations listed in ``on_loop`` (handlers that
    only touch memory, briefly), and only while nothing else is going on that could make them
    wait. Anything unrouted or unlisted (documents, mail, the control API, the hosted pages,
    an operation added later), anything a scenario scripts (latency sleeps), ``Prefer``
    answers (``dynamic=true`` generates data) and requests arriving while another thread holds
    the world run on the pool instead. ``current_world()`` is the request's world (the loaded
    one, or a run's). The ``lock_free`` operations (readiness) always run on the loop: they
    never wait, whatever holds the pool or the world. A shared world's fast write gets its
    turn instead of True (an async context manager: ``redisworld.backend.WriteTurn``), which
    the bridge enters before running it on the loop."""

    def fast(scope: dict) -> bool:
        operation = routed_operation_id(scope)
        if operation in lock_free:
            return True
        if operation not in on_loop:
            return False
        store = current_world().store
        if store.behaviours or preference() is not None:
            return False
        if store.writes_wait and scope["method"] not in READING_METHODS:
            # A shared world's write: the world's lock is awaited first (the loop serves
            # others meanwhile), then the write runs on the loop like any other.
            return store.keeper.turn() if store.lock_is_free() else False
        # Someone holds the world (a reset, a scenario load, a clock run, a test's factory):
        # wait for it on a thread, never on the event loop, which stays free for the rest.
        return store.lock_is_free()

    return fast
