"""The one place answers are wrapped: ``{data, meta}``, ``{data, pagination, meta}`` and the
error envelope. The request id travels in a context variable set by the outermost middleware,
so every answer (and its ``X-Request-ID`` header) carries the same id.
"""

from __future__ import annotations

import secrets
import json
from contextvars import ContextVar
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache

REQUEST_ID: ContextVar[str] = ContextVar("billing_mock_request_id", default="")


def new_request_id() -> str:
    return f"req_{secrets.token_hex(8)}"


def request_id() -> str:
    return REQUEST_ID.get() or new_request_id()


def meta(now: datetime) -> dict:
    return {"request_id": request_id(), "timestamp": now}


def ok(data, now: datetime, status: int = 200):
    return {"data": data, "meta": meta(now)}, status


def paginated(items: list, page: int, page_size: int, total: int, total_pages: int,
              now: datetime):
    pagination = {"page": page, "page_size": page_size, "total": total,
                  "total_pages": total_pages}
    return {"data": items, "pagination": pagination, "meta": meta(now)}, 200


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    error = {"code": code, "message": message, "request_id": request_id()}
    if details:
        error["details"] = details
    return {"error": error}


@lru_cache(maxsize=16384)
def rfc3339(value: datetime) -> str:
    """A time as the API writes it: RFC 3339 in UTC with ``Z``. Memoised (bounded): an
    invoice's times never change once set, and a list shows the same ones on every call."""
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def json_default(value):
    """JSON as the API documents it: RFC 3339 UTC times, ISO dates, decimals as strings."""
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class JSONEncoder(json.JSONEncoder):
    def default(self, o):
        return json_default(o)
