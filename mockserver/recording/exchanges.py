"""One request and its answer, as a browser's HAR export or the recording proxy saw them."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

MAX_HAR_BYTES = 200_000_000  # a DevTools export of a long session with every body embedded
MAX_ENTRIES = 20_000
MAX_BODY_CHARS = 5_000_000  # a body longer than this is kept as "not recorded"


class RecordingError(Exception):
    """A recording that cannot become a scenario: the file, where in it, what is wrong."""


@dataclass
class Exchange:
    method: str
    url: str
    status: int
    request_headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    request_body: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str | None = None  # None: the recording does not have it
    started: datetime | None = None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def request_json(self):
        return _json(self.request_body, self.request_headers.get("content-type", ""))

    def response_json(self):
        return _json(self.response_body, self.response_headers.get("content-type", ""))

    def form(self) -> dict[str, str]:
        if "x-www-form-urlencoded" not in self.request_headers.get("content-type", ""):
            return {}
        return dict(parse_qsl(self.request_body or "", keep_blank_values=True))


def _json(text: str | None, content_type: str):
    if text is None or "json" not in content_type:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def read_har(path: str | Path) -> list[Exchange]:
    """The exchanges of a HAR 1.2 file, in the order they started."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_HAR_BYTES:
            raise RecordingError(f"{path}: larger than {MAX_HAR_BYTES} bytes")
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise RecordingError(f"{path}: not a HAR file (not JSON: {exc})") from None
    entries = data.get("log", {}).get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise RecordingError(f"{path}: not a HAR file (no log.entries)")
    if len(entries) > MAX_ENTRIES:
        raise RecordingError(f"{path}: {len(entries)} entries, more than {MAX_ENTRIES}")
    exchanges = []
    for index, entry in enumerate(entries):
        try:
            exchanges.append(_exchange(entry))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RecordingError(f"{path}: log.entries[{index}]: not a HAR entry ({exc!r})"
                                 ) from None
    # Stable: entries that started at the same time keep the file's order.
    return sorted(exchanges, key=lambda e: e.started.timestamp() if e.started else 0.0)


def _exchange(entry: dict) -> Exchange:
    request, response = entry["request"], entry["response"]
    post = request.get("postData") or {}
    request_headers = _headers(request.get("headers", []))
    if post.get("mimeType") and "content-type" not in request_headers:
        request_headers["content-type"] = post["mimeType"]
    body = post.get("text")
    if body is None and post.get("params"):
        body = "&".join(f"{p['name']}={p.get('value', '')}" for p in post["params"])
    response_headers = _headers(response.get("headers", []))
    content = response.get("content") or {}
    if content.get("mimeType") and "content-type" not in response_headers:
        response_headers["content-type"] = content["mimeType"]
    started = entry.get("startedDateTime")
    return Exchange(
        method=request["method"].upper(), url=request["url"], status=int(response["status"]),
        request_headers=request_headers, request_body=body,
        response_headers=response_headers, response_body=_content_text(content),
        started=datetime.fromisoformat(started.replace("Z", "+00:00")) if started else None)


def _headers(pairs: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        name = pair["name"].lower()
        found[name] = f"{found[name]}, {pair['value']}" if name in found else pair["value"]
    return found


def _content_text(content: dict) -> str | None:
    text = content.get("text")
    if text is None:
        return None
    if content.get("encoding") == "base64":
        try:
            text = base64.b64decode(text).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None  # a binary answer (a PDF): nothing to expect of it but its status
    return text if len(text) <= MAX_BODY_CHARS else None
