"""The exceptions the sync client raises on purpose: one tree under SyncError.

TemporaryFailure means "try the same bytes again later"; every other SyncError is final for
what was tried (an item, a table, or the whole run).
"""

from __future__ import annotations

import re

# An app user's token in a URL path (/v1/key/<token>/…) is a working key to a phone's data.
_TOKEN_IN_PATH = re.compile(r"/key/[^/?#\s'\"]+")


def hide_tokens(text: str) -> str:
    """The text with every token in a /key/<token>/ path replaced by ***."""
    return _TOKEN_IN_PATH.sub("/key/***", text)


class SyncError(Exception):
    """Base of every error the sync package raises on purpose. Its message never shows a
    token: messages go to the terminal, the outbox's last_error and the server's log, and
    requests puts the whole URL into its exceptions' texts."""

    def __init__(self, message: str = "", *args: object) -> None:
        super().__init__(hide_tokens(message), *args)


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
