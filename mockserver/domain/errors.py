"""Domain failures. ``mockserver.edge.errors`` maps each to an HTTP status and error code."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule the domain refuses to break."""

    def __init__(self, message: str, **context) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class NotFound(DomainError):
    """The thing does not exist, or belongs to another tenant (never told apart)."""


class Conflict(DomainError):
    """The request is well formed but the current state forbids it."""


class InvalidRequest(DomainError):
    """The request asks for something the data cannot give (e.g. missing profile fields)."""


class LimitReached(DomainError):
    """A bound on what is kept in memory would be exceeded."""
