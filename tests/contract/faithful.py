"""A server that keeps the published contract but differs from every guess of the mock that a
real backend may well do otherwise: the proof that ``billing-mock contract`` (default level)
holds a server to what is published and nothing else.

It is the mock behind an ASGI layer that:

- sends no ``X-Request-ID`` header and fills ``meta`` its own way (a UUID request id, extra keys);
- gives invoices and payment methods UUIDs instead of ``inv_…``/``pm_…`` (and takes them back);
- adds fields of its own to every object it returns;
- publishes its own FastAPI-style OpenAPI 3.1 ``/openapi.json`` that says all of the above
  (the mock's published document with its guessed id patterns and ``meta`` loosened).

- clamps ``page_size`` above 100 to 100 where the mock refuses it (its 422 is a guess);
- refuses a send in the wrong state with 400 ``bad_request`` (the backend's BadRequestError, as
  the published facts name it) where the mock answers 409.

An unknown ``status`` filter is answered with an empty page, as the mock does too.
"""

from __future__ import annotations

import copy
import json
import re
import uuid

from mockserver.published import published_document
from tests.contract.broken import _answer_of

MOCK_ID = re.compile(rb"\b(?:inv|pm)_[0-9a-f]{8,32}\b")
THEIR_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PAGE_SIZE = re.compile(r"(?<![a-z_])page_size=(\d{1,12})(?![0-9])")
NAMESPACE = uuid.UUID("5b1e0f4c-2f44-4c1e-9a57-6d1f3bb0c0de")


def their_document() -> dict:
    """What this server publishes: FastAPI's notation, its own id format and meta."""
    document = copy.deepcopy(published_document())
    for schema in document["components"]["schemas"].values():
        schema.pop("x-billing-mock-guessed", None)
        for name, prop in (schema.get("properties") or {}).items():
            if name == "id" or name.endswith("_id") or name == "request_id":
                _loosen(prop)
    meta = document["components"]["schemas"]["Meta"]
    meta["properties"]["api_version"] = {"type": "string", "title": "Api Version"}
    meta["properties"]["took_ms"] = {"type": "integer", "title": "Took Ms"}
    for item in document["paths"].values():
        for op in item.values():
            for param in op.get("parameters", []):
                if param["in"] == "path":
                    _loosen(param["schema"])
                if param["name"] == "page_size":
                    param["schema"].pop("maximum", None)  # it clamps instead
    return document


def _loosen(schema: dict) -> None:
    schema.pop("pattern", None)
    for part in schema.get("anyOf", []):
        part.pop("pattern", None)


class FaithfulButDifferent:
    """The ASGI layer (``LiveServer(wrap=FaithfulButDifferent)``)."""

    def __init__(self, app) -> None:
        self.app = app
        self.ours_of: dict[str, str] = {}  # their UUID -> the mock's id
        self.document = json.dumps(their_document()).encode()

    def _theirs(self, match: re.Match) -> bytes:
        ours = match.group(0).decode()
        theirs = str(uuid.uuid5(NAMESPACE, ours))
        self.ours_of[theirs] = ours
        return theirs.encode()

    def _ours(self, text: str) -> str:
        return THEIR_ID.sub(lambda m: self.ours_of.get(m.group(0), m.group(0)), text)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["path"] == "/openapi.json":
            return await _send(send, 200, self.document, [(b"content-type",
                                                           b"application/json")])
        query = self._ours(scope.get("query_string", b"").decode())
        if scope["path"].endswith("/billing/invoices"):
            query = PAGE_SIZE.sub(lambda m: "page_size=100" if int(m.group(1)) > 100
                                  else m.group(0), query)
        scope = {**scope, "path": self._ours(scope["path"]),
                 "raw_path": self._ours(scope["path"]).encode(), "query_string": query.encode()}
        start, raw = await _answer_of(self.app, scope, receive)
        if start["status"] == 409 and scope["path"].endswith("/send"):
            start["status"] = 400  # BadRequestError: the transition is not allowed
            body = json.loads(raw)
            body["error"]["code"] = "bad_request"
            raw = json.dumps(body).encode()
        headers = [(k, v) for k, v in start.get("headers", [])
                   if k.lower() not in (b"x-request-id", b"content-length")]
        if b"json" in dict(headers).get(b"content-type", b"") and raw:
            raw = self._rewrite(MOCK_ID.sub(self._theirs, raw))
        await _send(send, start["status"], raw, headers)

    def _rewrite(self, raw: bytes) -> bytes:
        body = json.loads(raw)
        if isinstance(body, dict) and isinstance(body.get("meta"), dict):
            body["meta"] = {"request_id": str(uuid.uuid4()), "timestamp":
                            body["meta"].get("timestamp"), "api_version": "1.0", "took_ms": 3}
        data = body.get("data") if isinstance(body, dict) else None
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                item["object"] = "billing_object"  # a field the mock never heard of
                item["livemode"] = False
        return json.dumps(body).encode()


async def _send(send, status, raw: bytes, headers):
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})
