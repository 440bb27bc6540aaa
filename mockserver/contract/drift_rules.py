"""How bad each kind of change is, graded as oasdiff (``oasdiff breaking``, v1.3x) grades it.

The change ids are oasdiff's check ids (``response-success-status-removed``,
``request-parameter-became-required``, ...). oasdiff derives a check's default level from what
the change does to the set of payloads the contract accepts, and so does this module:

- narrowing what a request may be breaks clients (error), widening it does not (info);
- widening what a response may be breaks clients (error), narrowing it does not (info);
- a change neither way (``date`` -> ``date-time``) is an error, one that cannot be decided
  (a pattern changed, a request property removed) a warning, one of no effect info;

plus oasdiff's own exceptions, listed in ``LEVELS`` with the checks on operations, status codes,
media types and security. Three ids are billing-mock's own:

- ``api-security-added-to-public``: oasdiff reads ``security`` as alternatives and grades an
  added one info, but an operation that needed no token and now needs one refuses every client
  written against the old document;
- ``response-media-type-unspecified`` (info): a media type the revision no longer names because
  its answer is FastAPI's ``application/json`` with an empty schema, which names none (oasdiff
  would call it removed);
- ``*-became-union`` / ``*-became-not-union``: a plain object that became a union of objects
  (narrows: it refuses combinations of values) or the reverse (widens), graded by effect.
"""

from __future__ import annotations

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY = {INFO: 0, WARNING: 1, ERROR: 2}
OASDIFF_NAMES = {ERROR: "ERR", WARNING: "WARN", INFO: "INFO"}
BY_EFFECT = {
    ("request", "narrows"): ERROR, ("request", "widens"): INFO,
    ("response", "widens"): ERROR, ("response", "narrows"): INFO,
    ("request", "incomparable"): ERROR, ("response", "incomparable"): ERROR,
    ("request", "unknown"): WARNING, ("response", "unknown"): WARNING,
    ("request", "none"): INFO, ("response", "none"): INFO,
}
LEVELS = {
    # operations
    "api-path-removed-without-deprecation": ERROR, "api-removed-without-deprecation": ERROR,
    "api-path-removed-with-deprecation": INFO, "api-removed-with-deprecation": INFO,
    "endpoint-added": INFO, "api-operation-id-removed": INFO, "api-operation-id-added": INFO,
    # security
    "api-security-removed": ERROR, "api-security-added": INFO,
    "api-security-added-to-public": ERROR,  # billing-mock's own (see above)
    # parameters
    "new-required-request-parameter": ERROR, "new-optional-request-parameter": INFO,
    "request-parameter-removed": WARNING, "request-parameter-became-required": ERROR,
    "request-parameter-became-optional": INFO,
    # request bodies
    "request-body-added-required": ERROR, "request-body-added-optional": INFO,
    "request-body-removed": ERROR, "request-body-became-required": ERROR,
    "request-body-became-optional": INFO, "request-body-media-type-added": INFO,
    "request-body-media-type-removed": ERROR,
    # responses
    "response-success-status-removed": ERROR, "response-success-status-added": INFO,
    "response-non-success-status-removed": INFO, "response-non-success-status-added": INFO,
    "response-media-type-removed": ERROR, "response-media-type-added": INFO,
    "response-media-type-unspecified": INFO,  # billing-mock's own (see above)
    "required-response-header-removed": ERROR, "optional-response-header-removed": WARNING,
    "response-header-added": INFO,
    # oasdiff's exceptions to the rule by effect
    "response-property-enum-value-added": WARNING, "response-body-enum-value-added": WARNING,
    "request-parameter-property-type-changed": WARNING,
}


def level(change_id: str, direction: str | None = None, effect: str | None = None) -> str:
    """The level of a change: its own entry, else by its direction and effect."""
    if change_id in LEVELS:
        return LEVELS[change_id]
    if (direction, effect) not in BY_EFFECT:
        raise KeyError(f"no level for {change_id!r} ({direction}, {effect})")
    return BY_EFFECT[(direction, effect)]


def at_least(found: str, threshold: str) -> bool:
    return SEVERITY[found] >= SEVERITY[threshold]


__all__ = ["ERROR", "INFO", "LEVELS", "OASDIFF_NAMES", "SEVERITY", "WARNING", "at_least",
           "level"]
