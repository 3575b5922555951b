"""Queries over app users (phones)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import AppUser, AppUserForm, Area, Form


def find_by_token_digest(session: Session, digest: str) -> AppUser | None:
    return session.scalars(select(AppUser).where(AppUser.token_sha256 == digest)).first()


def find_by_login(session: Session, login: str) -> AppUser | None:
    return session.scalars(select(AppUser).where(AppUser.login == login)).first()


def login_taken(session: Session, login: str) -> bool:
    return find_by_login(session, login) is not None


def list_app_users(session: Session, project_id: int) -> Sequence[AppUser]:
    query = select(AppUser).where(AppUser.project_id == project_id).order_by(AppUser.id)
    return list(session.scalars(query))


def with_areas(session: Session) -> Sequence[tuple[AppUser, Area | None]]:
    query = select(AppUser, Area).outerjoin(Area, Area.id == AppUser.area_id)
    return [(app_user, area) for app_user, area in session.execute(query.order_by(AppUser.id))]


def assigned_forms(session: Session) -> dict[int, list[str]]:
    """The forms each phone limited to some forms may use, by app user id (xmlFormId order)."""
    query = (
        select(AppUserForm.app_user_id, Form.xml_form_id)
        .join(Form, Form.id == AppUserForm.form_id)
        .order_by(Form.xml_form_id)
    )
    forms: dict[int, list[str]] = {}
    for app_user_id, xml_form_id in session.execute(query):
        forms.setdefault(app_user_id, []).append(xml_form_id)
    return forms
