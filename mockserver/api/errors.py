"""Error answers: every failure, wherever it is raised, leaves in the documented shapes."""

from __future__ import annotations

import json
import logging

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionResponse
from starlette.exceptions import HTTPException

from mockserver.api.envelope import JSONEncoder, error_body
from mockserver.api.routes import ROUTES
from mockserver.errors import STATUS_TO_API, ApiError, RequestValidationFailed

log = logging.getLogger("billing_mock")


def envelope_response(error: ApiError) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=error.status, mimetype="application/json", headers=dict(error.headers),
        body=json.dumps(error_body(error.code, error.message, error.details), cls=JSONEncoder),
    )


def api_error(_request, exc: ApiError) -> ConnexionResponse:
    return envelope_response(exc)


def validation_error(_request, exc: RequestValidationFailed) -> ConnexionResponse:
    return ConnexionResponse(status_code=422, mimetype="application/json",
                             body=json.dumps({"detail": exc.errors}, default=str))


def framework_error(request, exc: Exception) -> ConnexionResponse:
    """Connexion problems and Starlette HTTP errors (routing, auth, media type)."""
    status = getattr(exc, "status", None) or getattr(exc, "status_code", 500)
    message = getattr(exc, "detail", None) or getattr(exc, "title", None) or str(exc)
    error = STATUS_TO_API.get(status, ApiError)(str(message))
    if status == 405 and request is not None:
        # The router knows one operation's methods; the resource's are in the document.
        error.headers["Allow"] = ", ".join(ROUTES.methods(request.url.path))
    return envelope_response(error)


def unexpected_error(_request, exc: Exception) -> ConnexionResponse:
    log.exception("unhandled error", exc_info=exc)
    return envelope_response(ApiError("Internal server error"))


HANDLERS = (
    (RequestValidationFailed, validation_error),
    (ApiError, api_error),
    (ProblemException, framework_error),
    (HTTPException, framework_error),
    (Exception, unexpected_error),
)
