"""Queries over staff sessions and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from server.storage.models import ApiSession, AuditEvent, LoginFailure, User


def add_session(session: Session, digest: str, user_id: int, expires_at: datetime) -> None:
    session.add(ApiSession(token_sha256=digest, user_id=user_id, expires_at=expires_at))


def find_session(session: Session, digest: str) -> ApiSession | None:
    return session.get(ApiSession, digest)


def end_session(session: Session, digest: str) -> None:
    session.execute(delete(ApiSession).where(ApiSession.token_sha256 == digest))


def find_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def record(
    session: Session, user_id: int | None, action: str, target: str, details: str | None = None
) -> None:
    session.add(AuditEvent(user_id=user_id, action=action, target=target[:300], details=details))


@dataclass(frozen=True)
class RecentFailures:
    """Failed sign-ins since a moment: for one e-mail, from one address, from one known device."""

    by_email: int
    by_address: int
    by_device: int


def recent_failures(
    session: Session, email: str, address: str, device: str | None, since: datetime
) -> RecentFailures:
    def count(*where: ColumnElement[bool]) -> int:
        return session.scalar(select(func.count()).where(LoginFailure.at >= since, *where)) or 0

    return RecentFailures(
        count(LoginFailure.email == email),
        count(LoginFailure.address == address),
        count(LoginFailure.device == device) if device else 0,
    )


def add_failure(session: Session, email: str, address: str, device: str | None = None) -> None:
    session.add(LoginFailure(email=email[:254], address=address[:64], device=device))


def forget_failures(session: Session, email: str, before: datetime) -> None:
    """The e-mail's failures (a lock lifted), and everyone's older than `before`."""
    session.execute(
        delete(LoginFailure).where(or_(LoginFailure.email == email, LoginFailure.at < before))
    )


def locked_emails(session: Session, since: datetime, failures: int) -> list[tuple[int, str]]:
    """(user id, e-mail) of the accounts with at least `failures` failed sign-ins since `since`."""
    locked = (
        select(LoginFailure.email)
        .where(LoginFailure.at >= since)
        .group_by(LoginFailure.email)
        .having(func.count() >= failures)
    )
    query = select(User.id, User.email).where(User.email.in_(locked)).order_by(User.email)
    return [(user_id, email) for user_id, email in session.execute(query)]


def retire_keys(session: Session, user: User) -> None:
    """Every key the person holds stops working: their API sessions end now, and the page
    sessions, known devices and web-form key that carry the old key version fail their check."""
    user.key_version = (user.key_version or 0) + 1
    session.execute(delete(ApiSession).where(ApiSession.user_id == user.id))
    session.flush()
