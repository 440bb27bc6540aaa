"""The URLs of a provider flow: the caller's return URL and the mock's hosted pages."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from mockserver.domain.errors import InvalidRequest

MAX_URL_LENGTH = 2048

# Hosted pages of the mock, one per provider; ``{session_id}`` is the setup session's id.
PAGE_PATHS = {
    "stripe": "/_mock/providers/stripe/3ds/{session_id}",
    "mollie": "/_mock/providers/mollie/checkout/{session_id}",
    "crypto": "/_mock/providers/crypto/charge/{session_id}",
}


def validate_return_url(url: object, field: str = "return_url") -> str:
    """``url`` if it is an absolute http(s) URL with a host, else :class:`InvalidRequest`.

    The browser is sent there after a hosted page, so anything else (``javascript:``, ``data:``,
    relative or scheme-relative URLs, other schemes) would turn the mock into an open door.
    """
    if not isinstance(url, str) or not url:
        raise InvalidRequest(f"{field} must be an absolute http(s) URL", field=field)
    if len(url) > MAX_URL_LENGTH:
        raise InvalidRequest(f"{field} is longer than {MAX_URL_LENGTH} characters", field=field)
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise InvalidRequest(f"{field} must not contain whitespace or control characters",
                             field=field)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise InvalidRequest(f"{field} is not a valid URL", field=field) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(f"{field} must be an absolute http(s) URL", field=field)
    return url


def with_session_id(return_url: str, session_id: str) -> str:
    """``return_url`` with ``session_id=<id>`` added to its query (other parameters kept)."""
    parts = urlsplit(return_url)
    # Kept byte for byte (a signed return URL must still verify); only a stale session_id goes.
    kept = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] != "session_id"]
    kept.append(urlencode({"session_id": session_id}))
    return urlunsplit(parts._replace(query="&".join(kept)))


def page_path(provider_slug: str, session_id: str) -> str:
    """Host-relative path of a session's hosted page."""
    return PAGE_PATHS[provider_slug].format(session_id=session_id)


def page_url(base_url: str, provider_slug: str, session_id: str) -> str:
    """Absolute URL of a session's hosted page on the mock at ``base_url``."""
    return base_url.rstrip("/") + page_path(provider_slug, session_id)


def local_path(url: str) -> str:
    """The path of an absolute URL of the mock: a hosted page's form posts back there, so a page
    of an isolated run (``/_runs/{run_id}/_mock/...``) stays inside its run."""
    return urlsplit(url).path
