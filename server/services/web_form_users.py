"""Signed-in officers fill forms in the browser as their own app user.

Each officer gets one app user, login `web.<user id>` (a phone's login is a slug and never
holds a dot), with the officer's name and area. Their web form then takes exactly the phone's
path: the same form list, the same per-area village lists, the same OpenRosa submission
endpoint, and records that carry the officer's name.

The token is derived from the server's secret, the person and the version of their keys
(HMAC), so the page can always name it (an open page's outbox keeps sending with it) while, as
for phones, only its hashes are stored. It belongs to the person: every request checks that
they are still active, of a role that fills forms and of the app user's area, and still hold
that key version (services/app_users._usable). "Sign out everywhere", an administrator's
`rasoat users sign-out-everywhere` and any change of role, area or state move the version, so
the old token dies and the next visit to the web form issues a new one. Revoking the app user
on the phones page stops it for good.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy.orm import Session

from server.errors import Forbidden
from server.services.accounts import StaffMember
from server.services.app_users import WEB_FORM_ROLES, credentials
from server.services.forms import DEFAULT_PROJECT_ID, ensure_default_project
from server.storage import app_users as queries
from server.storage.models import AppUser

_LOGIN_PREFIX = "web."


def officer_id_of(login: str) -> int | None:
    """The officer whose web-form app user has this login, None for a phone's."""
    number = login.removeprefix(_LOGIN_PREFIX)
    return int(number) if number != login and number.isdigit() else None


def officer_token(secret: bytes, user_id: int, key_version: int) -> str:
    """64 hex characters, the shape of any app-user token."""
    message = f"rasoat-web-form:{user_id}:{key_version}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def officer_app_user(
    session: Session, user: StaffMember, *, secret: bytes, realm: str
) -> tuple[AppUser, str]:
    """The officer's app user and its token, created on first use and kept in step with the
    person (name, area) and with the server's secret. Call inside a write transaction."""
    if user.role not in WEB_FORM_ROLES:  # a StaffMember is an active account
        raise Forbidden()
    login = f"{_LOGIN_PREFIX}{user.id}"
    token = officer_token(secret, user.id, user.key_version)
    person = queries.PersonsKey(user.id, user.key_version)
    queries.hold_persons_keys(session, user.id)
    app_user = queries.find_by_login(session, login)
    signs_in = credentials(login, realm, token)
    if app_user is None:
        ensure_default_project(session)
        app_user = queries.add_app_user(
            session,
            project_id=DEFAULT_PROJECT_ID,
            display_name=user.display_name,
            credentials=signs_in,
            area_id=user.area_id,
            person=person,
        )
    elif app_user.revoked_at is not None:
        raise Forbidden()
    else:
        queries.describe_app_user(
            session,
            app_user,
            display_name=user.display_name,
            area_id=user.area_id,
            credentials=signs_in,
            person=person,
        )
    return app_user, token
