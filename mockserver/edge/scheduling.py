"""Which requests Flask answers on the event loop, and which on the bridge's thread pool."""

from __future__ import annotations

from typing import Callable

from mockserver.compat import routed_operation_id
from mockserver.edge.request import preference
from mockserver.services.world import World


def runs_inline(current_world: Callable[[], World], on_loop: frozenset[str],
                lock_free: frozenset[str] = frozenset()) -> Callable[[dict], bool]:
    """The rule the bridge asks: only the operations listed in ``on_loop`` (handlers that
    only touch memory, briefly), and only while nothing else is going on that could make them
    wait. Anything unrouted or unlisted (documents, mail, the control API, the hosted pages,
    an operation added later), anything a scenario scripts (latency sleeps), ``Prefer``
    answers (``dynamic=true`` generates data) and requests arriving while another thread holds
    the world run on the pool instead. ``current_world()`` is the request's world (the loaded
    one, or a run's). The ``lock_free`` operations (readiness) always run on the loop: they
    never wait, whatever holds the pool or the world."""

    def fast(scope: dict) -> bool:
        operation = routed_operation_id(scope)
        if operation in lock_free:
            return True
        if operation not in on_loop:
            return False
        store = current_world().store
        if store.behaviours or preference() is not None:
            return False
        # Someone holds the world (a reset, a scenario load, a clock run, a test's factory):
        # wait for it on a thread, never on the event loop, which stays free for the rest.
        if not store.lock.acquire(blocking=False):
            return False
        store.lock.release()
        return True

    return fast
