"""One exception tree for everything the API answers with an error, and one table from each
to its HTTP status and error code.

Domain failures (``mockserver.domain.errors``) are mapped here; handlers never build error
bodies themselves.
"""

from __future__ import annotations

from mockserver.domain import errors as domain
from mockserver.providers.errors import ProviderDeclined


class ApiError(Exception):
    """An error answer in the documented envelope ``{"error": {code, message, request_id}}``."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, headers: dict[str, str] | None = None,
                 details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.details = details or None


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str, details: dict | None = None) -> None:
        super().__init__(message, {"WWW-Authenticate": "Bearer"}, details)


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class MethodNotAllowed(ApiError):
    status, code = 405, "method_not_allowed"


class PaymentDeclined(ApiError):
    """The payment provider refused; ``details.reason`` is the provider's reason code."""

    status, code = 402, "payment_declined"


class Conflict(ApiError):
    status, code = 409, "conflict"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class RequestValidationFailed(Exception):
    """A 422 in FastAPI's exact shape: ``{"detail": [{type, loc, msg, input, ctx?}, ...]}``."""

    status = 422

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors


DOMAIN_TO_API: dict[type[domain.DomainError], type[ApiError]] = {
    ProviderDeclined: PaymentDeclined,
    domain.NotFound: NotFound,
    domain.Conflict: Conflict,
    domain.InvalidRequest: BadRequest,
    domain.LimitReached: Conflict,
}


def from_domain(error: domain.DomainError) -> ApiError:
    """The API error for a domain failure (most specific class wins); the failure's context
    (current state, missing fields, provider reason, ...) travels as ``details``."""
    details = {k: v for k, v in error.context.items() if v is not None}
    for cls in type(error).__mro__:
        if cls in DOMAIN_TO_API:
            return DOMAIN_TO_API[cls](error.message, details=details)
    return ApiError(error.message, details=details)


# HTTP statuses the framework raises itself (routing, content negotiation) -> our classes.
STATUS_TO_API: dict[int, type[ApiError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound,
    405: MethodNotAllowed, 409: Conflict, 415: UnsupportedMediaType,
}
