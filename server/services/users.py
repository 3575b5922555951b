"""Staff accounts (web pages and the JSON API)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from server.domain.vocabulary import Role
from server.errors import Conflict, InvalidInput
from server.services.areas import area_by_code
from server.storage.models import User
from server.storage.users import add_user, find_user_by_email

MIN_PASSWORD_LENGTH = 10


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role,
    area_code: str | None = None,
) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(field="email")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(field="password", detail=f"at least {MIN_PASSWORD_LENGTH} characters")
    if find_user_by_email(session, email) is not None:
        raise Conflict(detail=f"a user {email} exists already")
    area_id = None
    if area_code:
        area_id = area_by_code(session, area_code).id
    return add_user(
        session,
        email=email,
        display_name=display_name,
        role=role,
        area_id=area_id,
        # werkzeug's default is scrypt, a current memory-hard algorithm.
        password_hash=generate_password_hash(password),
    )
