"""Errors a service raises; views map them to a message and a status code."""
from __future__ import annotations


class ServiceError(Exception):
    """The request cannot be carried out. ``message`` is already in the user's language.

    ``field_errors`` maps form field names to messages, so a form can show each beside
    its field while keeping what the user typed.
    """

    status_code = 422

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class NotFound(ServiceError):
    status_code = 404


class Forbidden(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    """Someone else changed the record first (optimistic version check)."""

    status_code = 409


class TooManyAttempts(ServiceError):
    status_code = 429
