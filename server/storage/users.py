"""Queries over staff accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.storage.models import Area, AuditEvent, User


class _Keep(Enum):
    """ "Leave this as it is", where None is a value (no area, not disabled)."""

    KEEP = "keep"


KEEP = _Keep.KEEP


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email)).first()


def add_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    role: Role,
    area_id: int | None,
    password_hash: str,
) -> User:
    user = User(
        email=email,
        display_name=display_name,
        role=role,
        area_id=area_id,
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class PersonRow:
    """One account as the lists show it."""

    id: int
    email: str
    display_name: str
    role: Role
    area_code: str | None
    area_name: str | None
    area_path: str | None
    disabled_at: datetime | None
    last_sign_in: datetime | None


def list_people(
    session: Session,
    *,
    within_path: str | None,
    roles: Sequence[Role],
    sign_in_actions: Sequence[str],
    active: bool | None = None,
    text: str | None = None,
) -> list[PersonRow]:
    """The accounts of these roles, by e-mail; with `within_path` only those whose area lies
    in it (an account without an area lies in none), with `active` only those (not) disabled,
    with `text` those whose e-mail or name contains it. Last sign-in: the latest audit event of
    one of `sign_in_actions` (a page or an API sign-in), None when never."""
    last = (
        select(AuditEvent.user_id, func.max(AuditEvent.at).label("at"))
        .where(AuditEvent.action.in_(sign_in_actions), AuditEvent.user_id.is_not(None))
        .group_by(AuditEvent.user_id)
        .subquery()
    )
    query = (
        select(User, Area.code, Area.name, Area.path, last.c.at)
        .outerjoin(Area, Area.id == User.area_id)
        .outerjoin(last, last.c.user_id == User.id)
        .where(User.role.in_(roles))
        .order_by(User.email)
    )
    if within_path is not None:
        query = query.where(Area.path.startswith(within_path))
    if active is not None:
        query = query.where(User.disabled_at.is_(None) if active else User.disabled_at.is_not(None))
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern))
        )
    return [
        PersonRow(
            user.id,
            user.email,
            user.display_name,
            Role(user.role),
            code,
            name,
            path,
            user.disabled_at,
            at,
        )
        for user, code, name, path, at in session.execute(query)
    ]


def change_user(
    session: Session,
    user: User,
    *,
    role: Role | None = None,
    area_id: int | _Keep | None = KEEP,
    disabled_at: datetime | _Keep | None = KEEP,
    password_hash: str | None = None,
) -> None:
    """Change what is given (the model retires the person's keys on a change of role, area or
    state: models._retire_keys)."""
    if role is not None:
        user.role = role
    if not isinstance(area_id, _Keep):
        user.area_id = area_id
    if not isinstance(disabled_at, _Keep):
        user.disabled_at = disabled_at
    if password_hash is not None:
        user.password_hash = password_hash
    session.flush()
