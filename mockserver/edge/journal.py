"""The request journal: every call to the billing API, with its operation, tenant and status."""

from __future__ import annotations

import json
import time
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.compat import routed_operation_id
from mockserver.edge.exit import status_of
from mockserver.edge.request import request_id
from mockserver.spec import API_BASE

MAX_BODY = 64 * 1024
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


class JournalMiddleware:
    """Placed after Connexion's routing, so the operationId is known."""

    def __init__(self, app: ASGIApp, runtime) -> None:
        self.app, self.runtime = app, runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_BASE + "/"):
            await self.app(scope, receive, send)
            return
        store = self.runtime.store
        entry = {"request_id": request_id(), "at": store.clock.now(),
                 "operation_id": routed_operation_id(scope), "method": scope["method"],
                 "path": scope["path"], "query": scope.get("query_string", b"").decode("latin-1"),
                 "status": 500, "tenant_id": None, "duration_ms": 0.0, "body": None,
                 "_generation": store.generation}
        token = CURRENT_ENTRY.set(entry)
        chunks: list[bytes] = []
        started = time.perf_counter()

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and sum(map(len, chunks)) <= MAX_BODY:
                chunks.append(message.get("body", b""))
            return message

        def finish() -> None:
            if entry.get("_recorded"):
                return
            entry["_recorded"] = True
            entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
            entry["body"] = _json_or_none(b"".join(chunks))
            # Not the store's lock: this runs on the event loop for every request, and a reset
            # or a scenario load on a handler thread can hold the store for a while.
            self.runtime.store.record(entry)

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finish()  # in the journal before the client can read the answer
            await send(message)

        try:
            await self.app(scope, recording_receive, recording_send)
        except Exception as error:  # answered by the exit, outside this layer
            entry["status"] = status_of(error)
            raise
        finally:
            CURRENT_ENTRY.reset(token)
            finish()


def _json_or_none(raw: bytes):
    if not raw or len(raw) > MAX_BODY:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, too deep, too many digits
        return None
