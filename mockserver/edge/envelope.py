"""The one place answers are wrapped and encoded: ``{data, meta}``, ``{data, pagination,
meta}`` and the error envelope, as compact UTF-8 JSON (FastAPI's own encoding), so the same
envelope is the same bytes whichever layer produced it."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache

from mockserver.edge.request import request_id

JSON = "application/json"


def meta(now: datetime) -> dict:
    return {"request_id": request_id(), "timestamp": now}


def ok(data, now: datetime, status: int = 200):
    return {"data": data, "meta": meta(now)}, status


def pagination(page: int, page_size: int, total: int, total_pages: int) -> dict:
    return {"page": page, "page_size": page_size, "total": total, "total_pages": total_pages}


def paginated_bytes(items: list[bytes], page: dict, now: datetime) -> bytes:
    """A page whose items are already encoded (each invoice is encoded once per revision)."""
    return b'{"data":[' + b",".join(items) + b'],"pagination":' + encode(page) + (
        b',"meta":' + encode(meta(now)) + b"}")


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


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=json_default)
_ASCII = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, default=json_default)


def encode(value) -> bytes:
    r"""Compact UTF-8 JSON, the encoding of every answer the mock writes.

    A lone surrogate (a 422 echoing ``"\ud800"``, a journal entry of such a request) has no
    UTF-8 form: that answer is written with ASCII escapes instead, which JSON allows."""
    text = _ENCODER.encode(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _ASCII.encode(value).encode("ascii")


class JSONEncoder(json.JSONEncoder):
    """For Connexion's jsonifier (the non-billing answers it encodes itself)."""

    def default(self, o):
        return json_default(o)


def ok_bytes(data: bytes, now: datetime) -> bytes:
    """``{data, meta}`` around data that is already encoded."""
    return b'{"data":' + data + b',"meta":' + encode(meta(now)) + b"}"
