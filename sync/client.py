"""SyncClient: one HTTP session to a rasoat (or any OpenRosa) server, speaking like ODK Collect.

The server URL is what a phone is given: a token URL (`<base>/v1/key/<token>/projects/<id>`)
or a plain base URL with Digest credentials. Every request carries `X-OpenRosa-Version: 1.0`,
explicit connect/read timeouts and `deviceID`; network failures surface as ServerUnreachable.
"""

from __future__ import annotations

import http.client
import mimetypes
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase

from sync.batches import DEFAULT_ACCEPT_LENGTH
from sync.errors import AuthenticationFailed, NotOpenRosa, Rejected, ServerUnreachable
from sync.replies import Acknowledgement, Reply, check_submission, submission_error

DEFAULT_TIMEOUT = (10.0, 120.0)
USER_AGENT = "rasoat-sync/0.1 (+OpenRosa 1.0)"
INSTANCE_PART = "xml_submission_file"
_NETWORK_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class BearerAuth(AuthBase):
    """`Authorization: Bearer <token>`, as the JSON API (`POST /v1/sessions`) hands out."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


class SyncClient:
    """A context manager over a requests.Session to one server."""

    def __init__(
        self,
        server_url: str,
        *,
        auth: AuthBase | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        device_id: str | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.timeout = timeout
        self.device_id = device_id
        self.session = session or requests.Session()
        self.session.auth = auth
        self.session.headers.update({"X-OpenRosa-Version": "1.0", "User-Agent": USER_AGENT})
        self._submission_url: str | None = None
        self.accept_length = DEFAULT_ACCEPT_LENGTH

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def url(self, path: str) -> str:
        return self.server_url + path

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One request with our timeouts; no answer at all becomes ServerUnreachable."""
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("allow_redirects", False)
        try:
            return self.session.request(method, url, **kwargs)
        except _NETWORK_ERRORS as exc:
            raise ServerUnreachable(f"{urlsplit(url).netloc}: {network_reason(exc)}") from exc
        except requests.RequestException as exc:  # a malformed URL, an unknown scheme …
            raise NotOpenRosa(f"cannot use {url}: {_short(exc)}") from exc

    def _with_device(self, url: str) -> str:
        if not self.device_id:
            return url
        return url + ("&" if "?" in url else "?") + urlencode({"deviceID": self.device_id})

    # --- submission (openrosa.md §3) ------------------------------------------------------

    def preflight(self, *, force: bool = False) -> int:
        """HEAD the submission URL once per session: check the credentials, learn the size
        at which to split (X-OpenRosa-Accept-Content-Length) and follow a `Location`."""
        if self._submission_url is not None and not force:
            return self.accept_length
        target = self._with_device(self.url("/submission"))
        head = self.request("HEAD", target)
        if head.status_code == 204:
            self.accept_length = _accept_length(head.headers)
            self._submission_url = _remapped(target, head.headers.get("Location"))
            return self.accept_length
        self._refuse_preflight(_reply(head), self.auth_hint())
        # Collect ignores other statuses (404, 405 …) and goes ahead with the POST.
        self._submission_url = target
        return self.accept_length

    def auth_hint(self) -> str:
        """The likely cause of a 401/403, from what this client was given."""
        if "/key/" in self.server_url:
            return (
                "the token in this address is wrong, or the phone was revoked on the server's"
                " Phones page: ask the commune officer for the phone's current address (QR)"
            )
        if self.session.auth is None:
            return (
                "this address needs credentials: give --username (and --password), or use a"
                " phone's token address <server>/v1/key/<token>/projects/<id>"
            )
        return "wrong user name or password, or that app user was revoked"

    @staticmethod
    def _refuse_preflight(reply: Reply, hint: str) -> None:
        if reply.status in (401, 403):
            raise AuthenticationFailed(
                f"the server refused this address ({reply.text}): {hint}", reply.status
            )
        if 200 <= reply.status < 300:
            raise NotOpenRosa(
                f"HEAD answered {reply.status}, not 204: is this an OpenRosa submission"
                " endpoint, or a web proxy or network login page?",
                reply.status,
            )
        error = submission_error(reply)
        if not isinstance(error, Rejected | NotOpenRosa):
            raise error

    def post_submission(
        self,
        xml: bytes,
        files: Sequence[tuple[str, bytes]] = (),
        *,
        xml_name: str = "submission.xml",
        incomplete: bool = False,
    ) -> Acknowledgement:
        """One multipart POST: the XML, some attachments, `*isIncomplete*=yes` unless last.
        Returns the acknowledgement of a 201/202; raises otherwise."""
        self.preflight()
        parts: list[tuple[str, Any]] = [(INSTANCE_PART, (xml_name, xml, "text/xml"))]
        # Collect's convention: form-field name = file name (openrosa.md §3.2).
        parts += [(name, (name, data, _content_type(name))) for name, data in files]
        if incomplete:
            parts.append(("*isIncomplete*", (None, "yes")))
        response = self.request("POST", self._submission_url or "", files=parts)
        reply = _reply(response)
        if reply.status == 403:
            self._recheck_token(reply)
        if reply.status == 401:
            hint = self.auth_hint()
            raise AuthenticationFailed(f"credentials refused ({reply.text}): {hint}", 401)
        return check_submission(reply)

    def _recheck_token(self, reply: Reply) -> None:
        """403 either refuses this item (a form the phone may not use) or the whole token
        (revoked meanwhile): a fresh HEAD tells which."""
        self.preflight(force=True)
        raise Rejected(reply.text, reply.status)


def _reply(response: requests.Response) -> Reply:
    return Reply(response.status_code, response.content, response.reason or "", response.headers)


def _accept_length(headers: Any) -> int:
    value = str(headers.get("X-OpenRosa-Accept-Content-Length", "")).strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_ACCEPT_LENGTH


def _remapped(target: str, location: str | None) -> str:
    """Collect's rule for a HEAD `Location`: same host only, URL-decoded, and the original
    query string re-added when the new URL has none."""
    if not location:
        return target
    new, old = urlsplit(unquote(location)), urlsplit(target)
    if new.netloc and (new.scheme, new.netloc) != (old.scheme, old.netloc):
        raise NotOpenRosa(f"the server sends uploads to another host ({new.netloc})")
    return urlunsplit((old.scheme, old.netloc, new.path or old.path, new.query or old.query, ""))


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def network_reason(exc: BaseException) -> str:
    """The root of requests' nested network errors, short ("connection refused")."""
    if isinstance(exc, requests.Timeout):
        return "timed out"
    for cause in _causes(exc):
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
        if isinstance(cause, ConnectionError | http.client.HTTPException):
            return f"connection lost ({type(cause).__name__})"
    return _short(exc)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """exc, then what it wraps: urllib3 keeps the cause in `.reason` or the first arg."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [getattr(current, "reason", None), current.__cause__, current.__context__]
        inner += list(current.args[:1])
        pending += [e for e in inner if isinstance(e, BaseException)]


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:197] + "..."
