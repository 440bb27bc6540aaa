"""The one error exit: every failure, wherever it is raised (Connexion's security and
validation, the router, a handler, the domain, Flask), becomes its answer here.

Flask propagates what its views raise (``create_app`` sets ``PROPAGATE_EXCEPTIONS``), so the
exceptions of every layer meet in Connexion's exception middleware, whose handlers are these.
"""

from __future__ import annotations

import logging

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionResponse
from starlette.exceptions import HTTPException

from mockserver.domain.errors import DomainError, NotFound
from mockserver.edge.envelope import JSON, encode, error_body
from mockserver.edge.errors import (
    BY_STATUS,
    InternalError,
    MethodNotAllowed,
    RequestValidationFailed,
    answer_of,
)
from mockserver.edge.limits import echoed
from mockserver.edge.routes import ROUTES

log = logging.getLogger("billing_mock")


def as_failure(error: BaseException, path: str | None = None, *,
               report: bool = True) -> DomainError:
    """Any exception as a failure of our tree: frameworks' HTTP errors by their status, the
    unexpected as an :class:`InternalError` (logged with its traceback when ``report``)."""
    if isinstance(error, DomainError):
        return error
    status = getattr(error, "status", None) or getattr(error, "status_code", None)
    if isinstance(error, (ProblemException, HTTPException)) and status in BY_STATUS:
        message = str(getattr(error, "detail", None) or getattr(error, "title", None) or error)
        if BY_STATUS[status] is MethodNotAllowed:
            # The router knows one operation's methods; the resource's are in the document.
            return MethodNotAllowed(message, ROUTES.methods(path or ""))
        if BY_STATUS[status] is NotFound and path:  # the path, not a framework's boilerplate
            why = " (the path has a doubled slash)" if "//" in path else ""
            return NotFound(f"Nothing at {path!r}{why}")
        return BY_STATUS[status](message)
    if report:
        log.error("unhandled error", exc_info=error)
    return InternalError("Internal server error")


def status_of(error: BaseException) -> int:
    """The status the client gets for ``error`` (the journal records it)."""
    return answer_of(as_failure(error, report=False))[0]


def answer(error: BaseException, path: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of the answer to ``error``."""
    failure = as_failure(error, path)
    status, code = answer_of(failure)
    if isinstance(failure, RequestValidationFailed):
        return status, {}, encode({"detail": [_cut_input(item) for item in failure.errors]})
    details = {k: v for k, v in failure.context.items() if v is not None}
    headers = dict(getattr(failure, "headers", {}))
    return status, headers, encode(error_body(code, failure.message, details))


def _cut_input(item: dict) -> dict:
    """A 422 item whose echoed ``input`` is bounded (a huge bad body never comes back whole)."""
    if "input" not in item:
        return item
    return {**item, "input": echoed(item["input"])}


async def connexion_handler(request, error: Exception) -> ConnexionResponse:
    """The handler Connexion's exception middleware calls for every exception class."""
    status, headers, body = answer(error, request.url.path if request is not None else None)
    return ConnexionResponse(status_code=status, mimetype=JSON, headers=headers, body=body)


# What ``create_app`` registers: the exception middleware looks handlers up by class, and
# Connexion and Starlette bring their own for these two.
HANDLED = (Exception, ProblemException, HTTPException)
