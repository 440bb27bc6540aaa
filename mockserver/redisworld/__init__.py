"""The world kept in Redis, so every worker of a server and every replica serve one world
(``billing-mock serve --state redis://HOST:PORT/DB [--workers N]``; README "Shared state on
Redis").

``backend.py`` talks to Redis (the round trips each request costs are listed there),
``store.py`` is the store whose lock is a transaction on the shared world, ``parts.py`` cuts the
world into the parts kept under their own keys, ``scripts.py`` holds the Lua scripts.
"""

from mockserver.redisworld.backend import FORMAT, PREFIX, RedisBackend, RedisWorldRefused
from mockserver.redisworld.store import SharedLock, SharedStore

__all__ = ["FORMAT", "PREFIX", "RedisBackend", "RedisWorldRefused", "SharedLock",
           "SharedStore"]
