"""What a server's answer means for the item that was sent (openrosa.md §3.4–§3.5).

Only 201 and 202 are success. A refusal counts as the server's final word about the item only
when it comes with an OpenRosaResponse: a bare 404 or an HTML page means the address is wrong
or something between us and the server answered, and that must not reject a whole queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from sync.errors import AuthenticationFailed, NotOpenRosa, Rejected, ServerError

SUCCESS = (201, 202)
# rasoat's answer to a record it stored but put aside for an officer (review state "has
# issues"): the status stays 201/202 (the record is safe), the OpenRosa message says why for
# the cadre, and this header says it for programs. Other servers never send it.
REVIEW_STATE_HEADER = "X-Rasoat-Review-State"
HAS_ISSUES = "has_issues"
# Statuses that say "not now" rather than "never".
TEMPORARY_4XX = (408, 425, 429)


@dataclass(frozen=True)
class Reply:
    """One HTTP answer, reduced to what the sync client needs."""

    status: int
    body: bytes
    reason: str = ""
    headers: Mapping[str, str] | None = None

    @property
    def openrosa_message(self) -> str | None:
        return openrosa_message(self.body)

    @property
    def text(self) -> str:
        """The server's own message when there is one, else the status line."""
        return self.openrosa_message or f"HTTP {self.status} {self.reason}".strip()


def openrosa_message(body: bytes) -> str | None:
    """The text of the first <message> of an OpenRosaResponse, as Collect shows it; None when
    the body is not one (namespaces and the `nature` attribute are ignored, like Collect)."""
    if b"OpenRosaResponse" not in body:
        return None
    try:
        root = ElementTree.fromstring(body)
    except (ParseError, DefusedXmlException):
        return None
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.rsplit("}", 1)[-1] == "message":
            return (node.text or "").strip()
    return None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class Acknowledgement:
    """A submission the server took (201/202): its message, and the server's note when it
    stored the record but flagged it for an officer."""

    status: int
    message: str
    issues: str | None = None


def check_submission(reply: Reply) -> Acknowledgement:
    """The acknowledgement of a submission POST, or the error that the reply means."""
    if reply.status not in SUCCESS:
        raise submission_error(reply)
    flagged = (reply.headers or {}).get(REVIEW_STATE_HEADER, "").strip() == HAS_ISSUES
    return Acknowledgement(reply.status, reply.text, reply.text if flagged else None)


def submission_error(reply: Reply) -> Exception:
    status = reply.status
    if status == 401:
        return AuthenticationFailed(f"credentials refused: {reply.text}", status)
    if status >= 500 or status in TEMPORARY_4XX:
        retry_after = retry_after_seconds((reply.headers or {}).get("Retry-After"))
        return ServerError(reply.text, status, retry_after)
    if 400 <= status < 500 and reply.openrosa_message is not None:
        return Rejected(reply.text, status)
    if 300 <= status < 400:
        location = (reply.headers or {}).get("Location", "?")
        return NotOpenRosa(f"the server redirects uploads to {location}: use that address", status)
    return NotOpenRosa(
        f"not an OpenRosa submission endpoint (HTTP {status} without an OpenRosaResponse):"
        " check the server address, or a network login page",
        status,
    )
