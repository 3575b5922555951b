"""Reading the audit log: newest first, by kind of event and by person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.storage.models import Area, AuditEvent, User


@dataclass(frozen=True)
class LoggedEvent:
    at: datetime
    action: str
    target: str
    details: str | None
    email: str | None
    display_name: str | None


def list_events(
    session: Session, action: str | None, user_id: int | None, offset: int, limit: int
) -> tuple[int, list[LoggedEvent]]:
    """(how many match, one page of them, newest first)."""
    query = select(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = (
        query.with_only_columns(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.target,
            AuditEvent.details,
            User.email,
            User.display_name,
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return total, [LoggedEvent(*row) for row in session.execute(page)]


def actions_logged(session: Session) -> Sequence[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def people_logged(session: Session) -> Sequence[tuple[int, str]]:
    """(user id, e-mail) of everyone with an event in the log, by e-mail."""
    query = (
        select(User.id, User.email)
        .where(User.id.in_(select(AuditEvent.user_id).distinct()))
        .order_by(User.email)
    )
    return [(user_id, email) for user_id, email in session.execute(query)]


def area_names(session: Session, codes: set[str]) -> dict[str, str]:
    """The names of the areas with these codes (the audit log names areas, not codes)."""
    query = select(Area.code, Area.name).where(Area.code.in_(sorted(codes)))
    return {str(code): str(name) for code, name in session.execute(query).tuples()}
