"""The known-device cookie: which people signed in from this browser before.

Five wrong passwords lock an account (services/accounts), and anyone who knows an e-mail can
type them, so the person could be kept out for good. A browser where they signed in before
carries this cookie, and there the account's lock does not hold them (the password is still
checked; the device has its own limit of wrong passwords, and the address limit stays), and
their success lifts the lock.

Why it is safe enough:
- it is signed with the server's secret (its own salt), so it cannot be made up or edited; a
  forged or expired one is just ignored;
- it is only ever set after a right password, names the person by id and key version, and dies
  when they "sign out everywhere" or their role, area or state change (the version moves), or
  after MAX_AGE;
- it is HttpOnly, SameSite=Strict, Secure over HTTPS and sent only to the sign-in page, so a
  script or another site cannot read or use it;
- a stolen one gives its thief what an unlocked account gives anyone: a few guesses at the
  password, counted against that device.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import current_app, request, url_for
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from server.services.accounts import KnownDevice, StaffMember

COOKIE = "rasoat_device"
MAX_AGE = timedelta(days=90)
PEOPLE_KEPT = 5  # an office's shared computer
_SALT = "rasoat-known-device"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=_SALT)


def _people(value: Any) -> tuple[tuple[int, int], ...] | None:
    if not isinstance(value, list) or len(value) > PEOPLE_KEPT:
        return None
    people = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2 and all(type(n) is int for n in pair)):
            return None
        people.append((pair[0], pair[1]))
    return tuple(people)


def this_device() -> KnownDevice | None:
    """The known device the request's cookie names, if it holds a valid one."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _signer().loads(raw, max_age=int(MAX_AGE.total_seconds()))
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return None
    people = _people(data.get("p"))
    return KnownDevice(data["d"][:64], people) if people is not None else None


def remember(response: Response, member: StaffMember, device: KnownDevice | None) -> None:
    """After a right password: this browser now knows the person (most recent first)."""
    others = [p for p in device.people if p[0] != member.id] if device else []
    people = [(member.id, member.key_version), *others][:PEOPLE_KEPT]
    value = _signer().dumps(
        {"d": device.device if device else secrets.token_urlsafe(24), "p": people}
    )
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(MAX_AGE.total_seconds()),
        path=url_for("web.login"),
        secure=request.is_secure,
        httponly=True,
        samesite="Strict",
    )
