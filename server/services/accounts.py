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
from server.errors import AuthenticationRequired, Forbidden, NotFound, TooManyAttempts
from server.storage import accounts as queries
from server.storage.areas import find_area, is_within
from server.storage.models import Area, User
from server.storage.users import find_user_by_email

SESSION_HOURS = 24
# Five wrong passwords lock an account for 15 minutes; one address gets more room (an office
# behind one public address) but not unlimited.
MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 30
LOCKOUT = timedelta(minutes=15)
# Lists carry names, incomes and addresses: not for the "viewer" role, which sees aggregates.
PERSONAL_DATA_ROLES = (Role.ADMINISTRATOR, Role.UPPER_OFFICER, Role.COMMUNE_OFFICER)


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
    key_version: int  # see User.key_version: page sessions and web-form keys carry it

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
        user.key_version,
    )


@dataclass(frozen=True)
class IssuedToken:
    token: str
    created_at: datetime
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class KnownDevice:
    """A browser where people signed in before, as its signed cookie names it (the surface
    checks the signature: web/known_device.py): a random id of the browser, and the people
    (user id, key version) who signed in there, the most recent first (an office's shared
    computer knows several)."""

    device: str
    people: tuple[tuple[int, int], ...]


def _known(device: KnownDevice | None, user: User | None) -> bool:
    return device is not None and user is not None and (user.id, user.key_version) in device.people


def _check_credentials(
    session: Session, email: str, password: str, address: str, device: KnownDevice | None = None
) -> User:
    """The active user with this e-mail and password, else AuthenticationRequired.

    The lock: after MAX_FAILURES recent failures for the e-mail (or MAX_FAILURES_PER_ADDRESS
    from one address) TooManyAttempts, before the password is even checked. Anyone can lock an
    account by naming it, so a browser the person signed in from before (a known device) is not
    held by the account's lock, only by its own: MAX_FAILURES failures from that device, and
    the address limit. A stolen device cookie thus gives no more guesses than an unlocked
    account, and none once the person signs out everywhere. A success clears the lock.
    Failures are written: the caller's write unit keeps them (commit_on) although the sign-in
    is refused; the failure that locks an account is in the audit log."""
    email = email.strip().lower()
    now = datetime.now(UTC)
    user = find_user_by_email(session, email)
    device_id = device.device if device is not None and _known(device, user) else None
    seen = queries.recent_failures(session, email, address, device_id, now - LOCKOUT)
    locked = seen.by_email >= MAX_FAILURES
    if (
        seen.by_address >= MAX_FAILURES_PER_ADDRESS
        or (locked and device_id is None)
        or seen.by_device >= MAX_FAILURES
    ):
        raise TooManyAttempts(minutes=int(LOCKOUT.total_seconds() // 60))
    valid = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not valid or user.disabled_at is not None:
        queries.add_failure(session, email, address, device_id)
        if user is not None and seen.by_email + 1 == MAX_FAILURES:
            details = f"{MAX_FAILURES} wrong passwords in {LOCKOUT.total_seconds() // 60:.0f} min"
            queries.record(session, None, "account.lock", email, f"{details}; last from {address}")
        raise AuthenticationRequired()
    queries.forget_failures(session, email, now - LOCKOUT)
    if locked:
        queries.record(session, user.id, "account.unlock", email, "signed in from a known device")
    return user


def sign_in_to_pages(
    session: Session,
    email: str,
    password: str,
    address: str,
    device: KnownDevice | None = None,
) -> StaffMember:
    """The person signing in to the pages (the session and device cookies are the surface's
    business); `device`: the known-device cookie the browser sent, if it holds a valid one."""
    user = _check_credentials(session, email, password, address, device)
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


def member_for_password(
    session: Session, email: str, password: str, address: str = ""
) -> StaffMember:
    """The API caller signing every request with e-mail and password (HTTP Basic, as Excel,
    Power BI and ruODK do): the same check, lock and failure count as a sign-in, but no session
    and no audit line per request (a refreshing workbook would fill the log)."""
    user = _check_credentials(session, email, password, address)
    return _member(session, user)


def member_for_token(session: Session, token: str) -> StaffMember:
    """The API caller holding this bearer token, else AuthenticationRequired."""
    found = queries.find_session(session, _digest(token))
    if found is None or _aware(found.expires_at) < datetime.now(UTC):
        raise AuthenticationRequired()
    member = active_member(session, found.user_id)
    if member is None:
        raise AuthenticationRequired()
    return member


def active_member(
    session: Session, user_id: int, key_version: int | None = None
) -> StaffMember | None:
    """The person a session cookie names, while their account is active (and, with
    `key_version`, while their keys are still of that version)."""
    user = queries.find_user(session, user_id)
    if user is None or user.disabled_at is not None:
        return None
    if key_version is not None and user.key_version != key_version:
        return None
    return _member(session, user)


def sign_out(session: Session, token: str) -> None:
    queries.end_session(session, _digest(token))


def require_personal_data(member: StaffMember) -> None:
    if member.role not in PERSONAL_DATA_ROLES:
        raise Forbidden()


def require_whole_province(member: StaffMember) -> None:
    """What every area shares, the area tree and the forms, is changed only by an administrator
    without an area: one limited to a commune could otherwise rewrite its siblings' villages and
    resident households (the denominator of their rates), or close the form their phones send."""
    if member.role != Role.ADMINISTRATOR or member.scope is not None:
        raise Forbidden()


def record_download(session: Session, member: StaffMember, what: str, details: str) -> None:
    queries.record(session, member.id, "download", what, details)


def record_action(
    session: Session, member: StaffMember, action: str, target: str, details: str | None = None
) -> None:
    """A change someone made (a phone set up or revoked…), for the audit log."""
    queries.record(session, member.id, action, target, details)


def sign_out_everywhere(session: Session, member: StaffMember) -> None:
    """The person's own "sign out everywhere": every page session, API token, known device
    and web-form key they hold stops working (storage.accounts.retire_keys)."""
    user = queries.find_user(session, member.id)
    if user is None:
        raise AuthenticationRequired()
    queries.retire_keys(session, user)
    queries.record(session, member.id, "account.sign_out_everywhere", f"user {member.id}")


def _manageable(session: Session, by: StaffMember | None, email: str) -> User:
    """The account an administrator (or the command line, `by` None) acts on: an administrator
    limited to an area reaches only the people of that area."""
    if by is not None and by.role != Role.ADMINISTRATOR:
        raise Forbidden()
    user = find_user_by_email(session, email.strip().lower())
    area = find_area(session, user.area_id) if user is not None and user.area_id else None
    outside = (
        by is not None and by.scope is not None and (area is None or not is_within(area, by.scope))
    )
    if user is None or outside:
        raise NotFound(what=f"user {email}")
    return user


def retire_keys_of(session: Session, by: StaffMember | None, email: str) -> None:
    """An administrator signs a person out everywhere (a lost phone, a leaked link)."""
    user = _manageable(session, by, email)
    queries.retire_keys(session, user)
    who = by.id if by is not None else None
    details = None if by is not None else "command line"
    queries.record(session, who, "account.sign_out_everywhere", user.email, details)


def clear_lockout(session: Session, by: StaffMember | None, email: str) -> None:
    """An administrator lets a locked-out person try again now (the command line: `by` None)."""
    user = _manageable(session, by, email)
    queries.forget_failures(session, user.email, datetime.now(UTC) - LOCKOUT)
    who = by.id if by is not None else None
    details = "by an administrator" if by is not None else "command line"
    queries.record(session, who, "account.unlock", user.email, details)


def locked_accounts(session: Session, by: StaffMember) -> list[str]:
    """The e-mails of the accounts locked now, that this administrator may unlock."""
    if by.role != Role.ADMINISTRATOR:
        raise Forbidden()
    since = datetime.now(UTC) - LOCKOUT
    emails = [email for _, email in queries.locked_emails(session, since, MAX_FAILURES)]
    if by.scope is None:
        return emails
    return [e for e in emails if _reachable(session, by, e)]


def _reachable(session: Session, by: StaffMember, email: str) -> bool:
    try:
        _manageable(session, by, email)
    except NotFound:
        return False
    return True
