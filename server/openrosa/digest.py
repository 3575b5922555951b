"""HTTP Digest authentication (RFC 2617, qop=auth, MD5) as ODK Collect answers it.

Collect's Digest client (okhttp-digest, openrosa.md §4.2) reuses a nonce for many requests with
an increasing nc, puts the query string (deviceID) into `uri`, and gives up unless an expired
nonce is answered with `stale=true`. Nonces are therefore stateless HMACs of their issue time:
any worker can check them, they are accepted many times until they expire, and an expired one
gets a fresh challenge marked stale.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

NONCE_LIFETIME_SECONDS = 24 * 3600


@dataclass(frozen=True)
class DigestCredentials:
    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    qop: str | None
    nc: str | None
    cnonce: str | None


class DigestRefused(Exception):
    """Credentials missing or wrong; `stale` tells the client to retry with a fresh nonce."""

    def __init__(self, stale: bool = False) -> None:
        super().__init__("digest authentication failed")
        self.stale = stale


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def make_nonce(secret: bytes, now: float | None = None) -> str:
    issued = str(int(now if now is not None else time.time()))
    mac = hmac.new(secret, issued.encode(), hashlib.sha256).hexdigest()[:32]
    return base64.b64encode(f"{issued}:{mac}".encode()).decode()


def nonce_state(secret: bytes, nonce: str, now: float | None = None) -> str:
    """'valid', 'stale' (ours but expired) or 'invalid'."""
    try:
        issued, mac = base64.b64decode(nonce, validate=True).decode().split(":", 1)
        expected = hmac.new(secret, issued.encode(), hashlib.sha256).hexdigest()[:32]
        age = (now if now is not None else time.time()) - int(issued)
    except (ValueError, UnicodeDecodeError):
        return "invalid"
    if not hmac.compare_digest(mac, expected):
        return "invalid"
    return "valid" if 0 <= age <= NONCE_LIFETIME_SECONDS else "stale"


def challenge(realm: str, secret: bytes, stale: bool = False) -> str:
    value = (
        f'Digest realm="{realm}", qop="auth", algorithm=MD5, '
        f'nonce="{make_nonce(secret)}", opaque="{_md5(realm)}", charset="UTF-8"'
    )
    return value + (", stale=true" if stale else "")


def expected_response(ha1: str, method: str, creds: DigestCredentials) -> str:
    ha2 = _md5(f"{method}:{creds.uri}")
    if creds.qop:
        return _md5(f"{ha1}:{creds.nonce}:{creds.nc}:{creds.cnonce}:{creds.qop}:{ha2}")
    return _md5(f"{ha1}:{creds.nonce}:{ha2}")


def verify(
    creds: DigestCredentials | None,
    *,
    method: str,
    request_uri: str,
    realm: str,
    secret: bytes,
    ha1_for: Callable[[str], str | None],
) -> str:
    """Return the authenticated user name, or raise DigestRefused."""
    if creds is None or creds.realm != realm or creds.qop not in (None, "auth"):
        raise DigestRefused()
    if creds.uri != request_uri:
        raise DigestRefused()
    ha1 = ha1_for(creds.username)
    if ha1 is None:
        raise DigestRefused()
    if not hmac.compare_digest(expected_response(ha1, method, creds), creds.response):
        raise DigestRefused()
    state = nonce_state(secret, creds.nonce)
    if state != "valid":
        raise DigestRefused(stale=state == "stale")
    return creds.username
