"""Staff sign-in for the JSON API: bearer tokens (ODK Central's `POST /v1/sessions`), and what
a signed-in person may see (their area and everything below it)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from server.domain.vocabulary import Role
from server.errors import AuthenticationRequired, Forbidden, TooManyAttempts
from server.storage import accounts as queries
from server.storage.areas import find_area
from server.storage.models import Area, User
from server.storage.users import find_user_by_email

SESSION_HOURS = 24
# Five wrong passwords lock an account for 15 minutes; one address gets more room (an office
# behind one public address) but not unlimited.
MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 30
LOCKOUT = timedelta(minutes=15)
# Lists carry names, incomes and addresses: not for the "viewer" role, which sees aggregates.
PERSONAL_DATA_ROLES = (Role.ADMINISTRATOR, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER)


@cache
def _dummy_hash() -> str:
    """Checked when the e-mail is unknown, so that a wrong e-mail costs as much time as a wrong
    password and the answer's timing does not tell which one was wrong."""
    return generate_password_hash(secrets.token_hex(16))


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time stored here is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    created_at: datetime
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def check_credentials(session: Session, email: str, password: str, address: str) -> User:
    """The active user with this e-mail and password, else AuthenticationRequired; after
    MAX_FAILURES recent failures for the e-mail (or many from one address) TooManyAttempts,
    before the password is even checked. The caller commits (failures must be kept)."""
    email = email.strip().lower()
    now = datetime.now(UTC)
    by_email, by_address = queries.recent_failures(session, email, address, now - LOCKOUT)
    if by_email >= MAX_FAILURES or by_address >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttempts(minutes=int(LOCKOUT.total_seconds() // 60))
    user = find_user_by_email(session, email)
    valid = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not valid or user.disabled_at is not None:
        queries.add_failure(session, email, address)
        raise AuthenticationRequired()
    queries.forget_failures(session, email, now - LOCKOUT)
    return user


def sign_in(session: Session, email: str, password: str, address: str = "") -> IssuedToken:
    user = check_credentials(session, email, password, address)
    token = secrets.token_urlsafe(48)
    now = datetime.now(UTC)
    expires = now + timedelta(hours=SESSION_HOURS)
    queries.add_session(session, _digest(token), user.id, expires)
    queries.record(session, user.id, "session.create", f"user {user.id}")
    return IssuedToken(token, now, expires)


def user_for_token(session: Session, token: str) -> User:
    found = queries.find_session(session, _digest(token))
    if found is None or _aware(found.expires_at) < datetime.now(UTC):
        raise AuthenticationRequired()
    user = queries.find_user(session, found.user_id)
    if user is None or user.disabled_at is not None:
        raise AuthenticationRequired()
    return user


def record_sign_in(session: Session, user: User) -> None:
    queries.record(session, user.id, "sign_in", f"user {user.id}")


def sign_out(session: Session, token: str) -> None:
    queries.end_session(session, _digest(token))


def scope_of(session: Session, user: User) -> Area | None:
    """The area a person may see; None means everywhere (an administrator without an area)."""
    return find_area(session, user.area_id) if user.area_id else None


def require_personal_data(user: User) -> None:
    if user.role not in PERSONAL_DATA_ROLES:
        raise Forbidden()


def record_download(session: Session, user: User, what: str, details: str) -> None:
    queries.record(session, user.id, "download", what, details)


def record_action(
    session: Session, user: User, action: str, target: str, details: str | None = None
) -> None:
    """A change someone made (a phone set up or revoked…), for the audit log."""
    queries.record(session, user.id, action, target, details)
