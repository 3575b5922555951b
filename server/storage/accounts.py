"""Queries over staff sessions and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select
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


def recent_failures(session: Session, email: str, address: str, since: datetime) -> tuple[int, int]:
    """Failed sign-ins since `since`: (for this e-mail, from this address)."""
    by_email = select(func.count()).where(LoginFailure.email == email, LoginFailure.at >= since)
    by_address = select(func.count()).where(
        LoginFailure.address == address, LoginFailure.at >= since
    )
    return session.scalar(by_email) or 0, session.scalar(by_address) or 0


def add_failure(session: Session, email: str, address: str) -> None:
    session.add(LoginFailure(email=email[:254], address=address[:64]))


def forget_failures(session: Session, email: str, before: datetime) -> None:
    session.execute(
        delete(LoginFailure).where(or_(LoginFailure.email == email, LoginFailure.at < before))
    )
