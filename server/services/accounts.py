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
class StaffMember:
    """A signed-in person as the pages and the API see them: who they are, their role and the
    area they may see (`scope`; None means everywhere, an administrator without an area).
    Only active accounts become one."""

    id: int
    email: str
    display_name: str
    role: Role
    created_at: datetime
    area_id: int | None
    scope: Area | None

    def can(self, *roles: Role) -> bool:
        return self.role in roles


def _member(session: Session, user: User) -> StaffMember:
    scope = find_area(session, user.area_id) if user.area_id else None
    return StaffMember(
        user.id,
        user.email,
        user.display_name,
        Role(user.role),
        user.created_at,
        user.area_id,
        scope,
    )


@dataclass(frozen=True)
class IssuedToken:
    token: str
    created_at: datetime
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _check_credentials(session: Session, email: str, password: str, address: str) -> User:
    """The active user with this e-mail and password, else AuthenticationRequired; after
    MAX_FAILURES recent failures for the e-mail (or many from one address) TooManyAttempts,
    before the password is even checked. Failures are written: the caller's write unit keeps
    them (commit_on) although the sign-in is refused."""
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


def sign_in_to_pages(session: Session, email: str, password: str, address: str) -> StaffMember:
    """The person signing in to the pages (the session cookie is the surface's business)."""
    user = _check_credentials(session, email, password, address)
    queries.record(session, user.id, "sign_in", f"user {user.id}")
    return _member(session, user)


def sign_in(session: Session, email: str, password: str, address: str = "") -> IssuedToken:
    """A bearer token for the API (ODK Central's `POST /v1/sessions`)."""
    user = _check_credentials(session, email, password, address)
    token = secrets.token_urlsafe(48)
    now = datetime.now(UTC)
    expires = now + timedelta(hours=SESSION_HOURS)
    queries.add_session(session, _digest(token), user.id, expires)
    queries.record(session, user.id, "session.create", f"user {user.id}")
    return IssuedToken(token, now, expires)


def member_for_token(session: Session, token: str) -> StaffMember:
    """The API caller holding this bearer token, else AuthenticationRequired."""
    found = queries.find_session(session, _digest(token))
    if found is None or _aware(found.expires_at) < datetime.now(UTC):
        raise AuthenticationRequired()
    member = active_member(session, found.user_id)
    if member is None:
        raise AuthenticationRequired()
    return member


def active_member(session: Session, user_id: int) -> StaffMember | None:
    """The person a session cookie names, while their account is active."""
    user = queries.find_user(session, user_id)
    if user is None or user.disabled_at is not None:
        return None
    return _member(session, user)


def sign_out(session: Session, token: str) -> None:
    queries.end_session(session, _digest(token))


def require_personal_data(member: StaffMember) -> None:
    if member.role not in PERSONAL_DATA_ROLES:
        raise Forbidden()


def record_download(session: Session, member: StaffMember, what: str, details: str) -> None:
    queries.record(session, member.id, "download", what, details)


def record_action(
    session: Session, member: StaffMember, action: str, target: str, details: str | None = None
) -> None:
    """A change someone made (a phone set up or revoked…), for the audit log."""
    queries.record(session, member.id, action, target, details)
