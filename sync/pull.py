"""Pulling the aggregated tables and action lists of an area into a folder, only when changed.

The JSON API gives each table an ETag; the ETag of every file we wrote is kept in a small state
file in the folder and sent back as If-None-Match, so a table whose data did not change costs a
304 and no download. The server's ETag names the data a table is built from, not the bytes, so
a change elsewhere in the registry can send a table again that comes out the same: such a copy
is not written (the file keeps its time, and Excel does not reload it) and counts as unchanged.
Files and the state file are replaced atomically (write, fsync, rename).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

import requests

from sync.backoff import retrying
from sync.client import BearerAuth, SyncClient
from sync.errors import AuthenticationFailed, NotOpenRosa, Rejected, ServerError, TemporaryFailure

logger = logging.getLogger(__name__)
STATE_FILE = ".rasoat-pull.json"


@dataclass(frozen=True)
class TableSpec:
    path: str
    needs_period: bool


TABLES: dict[str, TableSpec] = {
    "summary": TableSpec("reports/summary", True),
    "followup": TableSpec("reports/followup", False),
    "commitments": TableSpec("reports/commitments", True),
    "deficiencies": TableSpec("lists/deficiencies", True),
    "due-visits": TableSpec("lists/due-visits", False),
    "relapse-risk": TableSpec("lists/relapse-risk", False),
    "exited": TableSpec("lists/exited", True),
}


class PullOutcome(StrEnum):
    DOWNLOADED = "downloaded"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    FAILED = "failed"  # the server did not answer usefully, even after the retries


@dataclass(frozen=True)
class PullRequest:
    area: str
    period: int | None
    tables: Sequence[str] = tuple(TABLES)
    file_format: str = "csv"
    lang: str = "vi"
    retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 30.0


@dataclass(frozen=True)
class TableResult:
    table: str
    filename: str
    outcome: PullOutcome
    detail: str = ""


def api_base(server_url: str) -> str:
    """`https://host/v1` from the server's address, a token URL or an API URL."""
    url = server_url.rstrip("/")
    head, sep, _ = url.partition("/v1/")
    if sep:
        return head + "/v1"
    return url if url.endswith("/v1") else url + "/v1"


def sign_in(client: SyncClient, email: str, password: str) -> str:
    """A bearer token for email/password (`POST /v1/sessions`, ODK Central's layout)."""
    response = client.request(
        "POST", client.url("/sessions"), json={"email": email, "password": password}
    )
    _raise_for(response, "sign-in")
    return str(response.json()["token"])


def sign_out(client: SyncClient) -> None:
    """End a session we opened ourselves, so no token outlives the pull."""
    client.request("DELETE", client.url("/sessions/current"))


def use_token(client: SyncClient, token: str) -> None:
    client.session.auth = BearerAuth(token)


def pull_tables(client: SyncClient, folder: Path, wanted: PullRequest) -> list[TableResult]:
    """Fetch each wanted table into `folder`; a refused table does not stop the others."""
    folder.mkdir(parents=True, exist_ok=True)
    state = PullState(folder)
    results = []
    for table in wanted.tables:
        try:
            results.append(
                retrying(
                    partial(_pull_one, client, state, table, wanted),
                    retries=wanted.retries,
                    base=wanted.base_delay,
                    cap=wanted.max_delay,
                )
            )
        except Rejected as exc:
            refused = TableResult(table, _filename(table, wanted), PullOutcome.REFUSED, str(exc))
            results.append(refused)
        except TemporaryFailure as exc:
            retries = f"{wanted.retries} {'retry' if wanted.retries == 1 else 'retries'}"
            detail = f"gave up after {retries}: {exc}"
            results.append(TableResult(table, _filename(table, wanted), PullOutcome.FAILED, detail))
    return results


def _filename(table: str, wanted: PullRequest) -> str:
    period = f"_{wanted.period}" if TABLES[table].needs_period else ""
    return f"{table}_{wanted.area}{period}_{wanted.lang}.{wanted.file_format}"


def _params(table: str, wanted: PullRequest) -> dict[str, str]:
    params = {"area": wanted.area, "format": wanted.file_format, "lang": wanted.lang}
    if TABLES[table].needs_period:
        if wanted.period is None:
            raise Rejected(f"{table} needs a period (--period YEAR)", 400)
        params["period"] = str(wanted.period)
    return params


def _pull_one(client: SyncClient, state: PullState, table: str, wanted: PullRequest) -> TableResult:
    filename = _filename(table, wanted)
    etag = state.etag(filename)
    headers = {"If-None-Match": etag} if etag else {}
    response = client.request(
        "GET", client.url("/" + TABLES[table].path), params=_params(table, wanted), headers=headers
    )
    if response.status_code == 304:
        return TableResult(table, filename, PullOutcome.UNCHANGED)
    _raise_for(response, table)
    target = state.folder / filename
    state.remember(filename, response.headers.get("ETag"))
    if target.exists() and target.read_bytes() == response.content:
        return TableResult(table, filename, PullOutcome.UNCHANGED)
    write_atomically(target, response.content)
    logger.info("downloaded %s (%d bytes)", filename, len(response.content))
    return TableResult(table, filename, PullOutcome.DOWNLOADED, f"{len(response.content)} bytes")


def _raise_for(response: requests.Response, what: str) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    message = f"{what}: HTTP {status} {_problem_message(response)}".strip()
    if status == 401:
        hint = (
            "wrong e-mail or password, or the account is locked or disabled"
            if what == "sign-in"
            else "the token expired or was revoked: sign in again with --email"
        )
        raise AuthenticationFailed(f"{message} ({hint})", status)
    if status == 403:
        raise Rejected(f"{message} (your account may not read this area or table)", status)
    if status >= 500 or status in (408, 429):
        raise ServerError(message, status)
    if 400 <= status < 500:
        raise Rejected(message, status)
    raise NotOpenRosa(message, status)


def _problem_message(response: requests.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return response.reason or ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""


class PullState:
    """`.rasoat-pull.json`: file name → ETag of the copy we wrote. An ETag counts only while
    its file is still there, so deleting a file makes the next pull fetch it again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / STATE_FILE
        self._etags = self._load()

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        etags = data.get("etags", {}) if isinstance(data, dict) else {}
        return {str(k): str(v) for k, v in etags.items()} if isinstance(etags, dict) else {}

    def etag(self, filename: str) -> str | None:
        return self._etags.get(filename) if (self.folder / filename).exists() else None

    def remember(self, filename: str, etag: str | None) -> None:
        if etag:
            self._etags[filename] = etag
        else:
            self._etags.pop(filename, None)
        body = json.dumps({"etags": self._etags}, indent=2, sort_keys=True)
        write_atomically(self.path, body.encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one, even after a crash."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
