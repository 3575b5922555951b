"""The exceptions the sync client raises on purpose: one tree under SyncError.

TemporaryFailure means "try the same bytes again later"; every other SyncError is final for
what was tried (an item, a table, or the whole run).
"""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error the sync package raises on purpose."""


class TemporaryFailure(SyncError):
    """Nothing was decided: retrying the same request later may succeed."""

    status: int | None = None
    retry_after: float | None = None


class ServerUnreachable(TemporaryFailure):
    """No HTTP answer: connection refused or cut, name not resolved, timed out."""


class ServerError(TemporaryFailure):
    """The server answered but cannot take the request now (5xx, 408, 429)."""

    def __init__(self, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class Rejected(SyncError):
    """The server refused this item or table for good (409, or another final 4xx that came
    with the server's own message): sending the same bytes again cannot succeed."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AuthenticationFailed(SyncError):
    """The credentials, token URL or bearer token were refused: nothing can be sent."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class NotOpenRosa(SyncError):
    """The address answers, but not as a rasoat/OpenRosa endpoint (a wrong URL, a web page,
    a redirect, a network login page): a configuration problem, so items stay queued."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class OutboxError(SyncError):
    """The outbox file cannot be used: another push holds it, or it is not an outbox."""


class InstanceUnreadable(SyncError):
    """An instance folder has no readable instance XML, or the XML has no instanceID."""
