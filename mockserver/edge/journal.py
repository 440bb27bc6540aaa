"""The request journal: every call to the billing API, with its operation, tenant and status.

Bodies are kept as the bytes they came as, cut to ``Settings.journal_body_bytes``, and read as
JSON only when the journal is shown: a parsed body weighs many times its text (60 KB of small
objects is over a megabyte of Python objects), and the journal keeps its last 1,000 entries.
The query string is cut to the same size (``query_truncated``, ``query_size``).
"""

from __future__ import annotations

import time
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.compat import routed_operation_id
from mockserver.edge.exit import status_of
from mockserver.edge.request import request_id
from mockserver.edge.validation import loads
from mockserver.spec import API_BASE
from mockserver.state import TakeTurn, current_access

# The entry being recorded; the handler (in another thread, same context) adds the tenant.
CURRENT_ENTRY: ContextVar[dict | None] = ContextVar("billing_mock_journal_entry", default=None)


def note_tenant(tenant_id: str) -> None:
    """Whose request this is (noted as soon as the caller is known, before any refusal)."""
    entry = CURRENT_ENTRY.get()
    if entry is not None:
        entry["tenant_id"] = tenant_id


def note_world(store) -> None:
    """Which world answered the request, and its time then: an entry of a world that a reset
    or a load replaced meanwhile is not kept (see ``Store.record``). Call it with the world
    held (a shared world's copy is current then)."""
    entry = CURRENT_ENTRY.get()
    if entry is not None:
        entry["_generation"] = store.generation
        entry["at"] = store.clock.now()


def shown(entry: dict) -> dict:
    """A kept entry as ``/_mock/journal`` shows it: ``body`` is the request's JSON when it was
    kept whole and is JSON; otherwise ``body`` is null and ``body_text`` the text kept."""
    found = {key: value for key, value in entry.items() if not key.startswith("_")}
    kept: bytes = entry["_body"]
    whole = len(kept) == entry["body_size"]
    body = None
    if whole and kept:
        try:
            body = loads(kept)
        except (ValueError, RecursionError):  # not JSON: shown as text
            pass
    found.update(body=body, body_truncated=not whole)
    if body is None and kept:
        found["body_text"] = kept.decode("utf-8", "replace")
    return found


class JournalMiddleware:
    """Placed after Connexion's routing, so the operationId is known."""

    def __init__(self, app: ASGIApp, runtime) -> None:
        self.app, self.runtime = app, runtime
        self.body_bytes = runtime.settings.journal_body_bytes

    def _entry(self, scope: Scope, store, kept: bytes, body_size: int) -> dict:
        """A request's entry before it is answered (status 500 until it is); the query is
        cut to ``journal_body_bytes`` like the body."""
        query = scope.get("query_string", b"")
        return {"request_id": request_id(), "at": store.clock.now(),
                "operation_id": routed_operation_id(scope), "method": scope["method"],
                "path": scope["path"], "query": query[:self.body_bytes].decode("latin-1"),
                "query_size": len(query), "query_truncated": len(query) > self.body_bytes,
                "status": 500, "tenant_id": None, "duration_ms": 0.0, "body_size": body_size,
                "_body": kept, "_generation": store.generation}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_BASE + "/"):
            await self.app(scope, receive, send)
            return
        store = self.runtime.store
        if store.reads_ahead or store.writes_wait:  # a shared world (redisworld)
            await self._read_ahead(scope, receive, send, ahead=store.reads_ahead)
            return
        entry = self._entry(scope, store, b"", 0)
        token = CURRENT_ENTRY.set(entry)
        kept = bytearray()
        started = time.perf_counter()

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                entry["body_size"] += len(chunk)
                if len(kept) < self.body_bytes:
                    kept.extend(chunk[:self.body_bytes - len(kept)])
            return message

        async def finish() -> None:
            if entry.get("_recorded"):
                return
            entry["_recorded"] = True
            entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
            entry["_body"] = bytes(kept)
            # Not the store's lock: this runs on the event loop for every request, and a reset
            # or a scenario load on a handler thread can hold the store for a while.
            await self.runtime.store.record_async(entry)

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                await finish()  # in the journal before the client can read the answer
            await send(message)

        try:
            await self.app(scope, recording_receive, recording_send)
        except Exception as error:  # answered by the exit, outside this layer
            entry["status"] = status_of(error)
            raise
        finally:
            CURRENT_ENTRY.reset(token)
            await finish()

    async def _read_ahead(self, scope: Scope, receive: Receive, send: Send,
                          ahead: bool = True) -> None:
        """A read of a shared world, answered from this worker's copy without asking first;
        the answer is held back until one round trip both finds that the world is still the
        one it was read from and puts the entry in the journal (``Store.record_read``). When
        the world had moved on, the request runs again, asking first this time. A write goes
        the same way: one run on the copy (``redisworld.backend.WriteTurn``) that was not
        kept (:class:`~mockserver.state.TakeTurn`) runs again holding the world, and one let
        in by a token that stood for something else once it held the world runs again, let
        in anew (``ahead`` False: every run asks first)."""
        store = self.runtime.store
        access = current_access()
        access.ahead = ahead  # not right after a read or write found the world moved
        parts: list[bytes] = []
        while True:  # the request's body, read once and given again on a second run
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before its request was whole: nothing to answer
            parts.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = {"type": "http.request", "body": b"".join(parts), "more_body": False}
        started = time.perf_counter()
        for attempt in (1, 2, 3):
            entry = self._entry(scope, store, body["body"][:self.body_bytes],
                                len(body["body"]))
            token = CURRENT_ENTRY.set(entry)
            held: list[Message] = []

            async def replay() -> Message:
                return body

            async def hold(message: Message) -> None:
                if message["type"] == "http.response.start":
                    entry["status"] = message["status"]
                held.append(message)

            failure = None
            try:
                await self.app(scope, replay, hold)
            except Exception as error:  # answered by the exit, outside this layer
                entry["status"], failure = status_of(error), error
            finally:
                CURRENT_ENTRY.reset(token)
            entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
            if attempt < 3 and isinstance(failure, TakeTurn):
                # A write on the copy that was not kept, or one let in by a token that
                # stood for something else once it held the world (the copy is current
                # then): again, holding it, let in anew.
                failure = None
            elif await store.record_read(entry, access) or attempt >= 2:
                break
            access.ahead, access.checked, access.read_head = False, False, None
            access.optimistic = access.validate = False
            access.grants = []  # let in again on the next run
        if failure is not None:
            raise failure
        for message in held:
            await send(message)
