"""The edge's own refusals, and the one table from every failure to its answer.

There is one exception tree: :class:`~mockserver.domain.errors.DomainError` is its root. The
domain raises its subclasses (``NotFound``, ``Conflict``, ``InvalidRequest``, ``LimitReached``),
the provider simulations theirs (``ProviderDeclined``, ...), and the edge adds the few that only
a request can cause (who is calling, which method, which media type, a body that fails the
document). ``ANSWERS`` gives each its HTTP status and error code; nothing else decides them.
"""

from __future__ import annotations

from mockserver.domain.errors import Conflict, DomainError, InvalidRequest, LimitReached, NotFound
from mockserver.providers.errors import ProviderDeclined
from mockserver.state import WorldUnavailable


class Unauthorized(DomainError):
    """No usable bearer token (the answer asks for one: ``WWW-Authenticate: Bearer``)."""

    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(DomainError):
    """The caller is known but lacks the permission, or the address may not use ``/_mock``."""


class MethodNotAllowed(DomainError):
    """The path exists without this method; ``allowed`` becomes the ``Allow`` header."""

    def __init__(self, message: str, allowed: list[str]) -> None:
        super().__init__(message)
        self.headers = {"Allow": ", ".join(allowed)} if allowed else {}


class UnsupportedMediaType(DomainError):
    """The body's media type is not one the operation takes."""


class RequestLimitExceeded(DomainError):
    """A request over one of the server's limits (size or time): the connection closes after
    the answer, and the rest of what the client sends is not read."""

    headers = {"Connection": "close"}


class PayloadTooLarge(RequestLimitExceeded):
    """A body over ``Settings.max_body_bytes``."""


class HeadersTooLarge(RequestLimitExceeded):
    """A request line and headers over ``Settings.max_header_bytes``."""


class RequestTimeout(RequestLimitExceeded):
    """A request not received whole within ``Settings.request_timeout``."""


class RequestValidationFailed(DomainError):
    """A 422 in FastAPI's exact shape: ``{"detail": [{type, loc, msg, input, ctx?}, ...]}``."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors


class InternalError(DomainError):
    """Something the mock did not expect: a bug, logged with its traceback."""


# Most specific class first is not needed: a failure's own class, then its bases, are looked
# up in this order (see ``answer_of``).
ANSWERS: dict[type[DomainError], tuple[int, str]] = {
    RequestValidationFailed: (422, "validation_error"),
    InvalidRequest: (400, "bad_request"),
    Unauthorized: (401, "unauthorized"),
    ProviderDeclined: (402, "payment_declined"),
    Forbidden: (403, "forbidden"),
    RequestTimeout: (408, "request_timeout"),
    PayloadTooLarge: (413, "payload_too_large"),
    HeadersTooLarge: (431, "request_header_fields_too_large"),
    NotFound: (404, "not_found"),
    MethodNotAllowed: (405, "method_not_allowed"),
    Conflict: (409, "conflict"),
    LimitReached: (409, "conflict"),
    UnsupportedMediaType: (415, "unsupported_media_type"),
    InternalError: (500, "internal_error"),
    WorldUnavailable: (503, "service_unavailable"),
}

# HTTP statuses the frameworks raise themselves (routing, security, media types) -> our classes.
BY_STATUS: dict[int, type[DomainError]] = {
    400: InvalidRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound,
    405: MethodNotAllowed, 408: RequestTimeout, 409: Conflict, 413: PayloadTooLarge,
    415: UnsupportedMediaType, 431: HeadersTooLarge,
}


def answer_of(error: DomainError) -> tuple[int, str]:
    """The HTTP status and error code of a failure (its class, else its nearest base)."""
    for cls in type(error).__mro__:
        if cls in ANSWERS:
            return ANSWERS[cls]
    return ANSWERS[InternalError]


# Statuses no failure of ours has, which a scenario may still script (a limit); every 5xx
# is an ``internal_error`` (the scenario library's outages expect that code).
OTHER_CODES = {402: "payment_declined", 422: "validation_error", 429: "too_many_requests"}


def code_of_status(status: int) -> str:
    """The error code the envelope carries for an HTTP status (a scripted answer's, say)."""
    cls = BY_STATUS.get(status)
    if cls is not None:
        return ANSWERS[cls][1]
    return OTHER_CODES.get(status, "internal_error" if status >= 500 else "bad_request")


__all__ = ["ANSWERS", "BY_STATUS", "Forbidden", "HeadersTooLarge", "InternalError",
           "MethodNotAllowed", "PayloadTooLarge", "RequestTimeout", "RequestLimitExceeded",
           "RequestValidationFailed", "Unauthorized", "UnsupportedMediaType", "answer_of",
           "code_of_status"]
