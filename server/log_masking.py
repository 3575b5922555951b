"""Secrets never reach a log line, whoever writes it.

A phone's token in a URL (`/v1/key/<token>/…`, the web form's `/f/<token>`) is a working key to
a commune's personal data, and so are bearer tokens, session cookies and the parts of a Digest
header. Flask logs `Exception on <path>` for an unhandled error, gunicorn logs the request line
of every access and the URI of a request it could not handle, and a warning may quote a URL. So
instead of masking one log format after another, every record the process creates masks its
message and its traceback when they are formatted (`logging.setLogRecordFactory`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "***"

# Paths of the web form that are not tokens (its staff pages and its service worker).
_WEB_FORM_PAGES = r"(?!(?:staff|sw\.js)(?:[/?\s\"']|$))"
_SECRETS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/key/[^/?\s\"']+"), f"/key/{MASK}"),
    (re.compile(rf"/f/{_WEB_FORM_PAGES}[^/?\s\"']+"), f"/f/{MASK}"),
    # Query strings and form bodies: ?token=…, &st=… (Central's public links), password=…
    (
        re.compile(r"(?i)\b(token|st|key|access_token|password|secret|csrf_token)=[^&\s\"']+"),
        rf"\1={MASK}",
    ),
    # An Authorization header's credentials (long; "bearer tokens" in a sentence is not one).
    (re.compile(r"(?i)\b(Bearer|Basic)\s+[^\s\"',;]{16,}"), rf"\1 {MASK}"),
    (re.compile(r'(?i)\b(response|nonce|cnonce|opaque)="[^"]*"'), rf'\1="{MASK}"'),
    (re.compile(r"(?i)\b(session|remember_token)=[^;\s\"']+"), rf"\1={MASK}"),
)


def mask(text: str) -> str:
    """`text` with every token, password and Digest secret replaced by ***."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class MaskedRecord(logging.LogRecord):
    """A log record whose message and traceback text come out masked, however formatted."""

    def getMessage(self) -> str:  # noqa: N802 (the logging module's name)
        return mask(super().getMessage())

    @property
    def exc_text(self) -> str | None:
        return self._masked_exc_text

    @exc_text.setter
    def exc_text(self, text: str | None) -> None:
        self._masked_exc_text = mask(text) if text else text

    @property
    def stack_info(self) -> str | None:
        return self._masked_stack_info

    @stack_info.setter
    def stack_info(self, text: str | None) -> None:
        self._masked_stack_info = mask(text) if text else text


def _masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    return MaskedRecord(*args, **kwargs)


def mask_every_log_record() -> None:
    """From now on, every record any logger of this process creates is masked (idempotent)."""
    if logging.getLogRecordFactory() is not _masked_record:
        logging.setLogRecordFactory(_masked_record)
