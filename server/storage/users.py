"""Queries over staff accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.vocabulary import Role
from server.storage.models import User


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
