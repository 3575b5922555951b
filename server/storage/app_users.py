"""Queries over app users (phones)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import AppUser, AppUserForm, Area, Form, User, utcnow


@dataclass(frozen=True)
class Credentials:
    """How an app user signs in: its login and the two hashes of its token (never the token)."""

    login: str
    token_sha256: str
    digest_ha1: str


@dataclass(frozen=True)
class PersonsKey:
    """Whose web-form app user this is, and the version of their keys its token belongs to."""

    user_id: int
    key_version: int


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


def hold_persons_keys(session: Session, user_id: int) -> None:
    """Take the person's row for the rest of the write, so that two first requests of the same
    officer (a page opened in two tabs) do not both create the web-form app user: the second
    waits and then finds the first one's. SQLite's write lock already serialises writes."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def add_app_user(
    session: Session,
    *,
    project_id: int,
    display_name: str,
    credentials: Credentials,
    area_id: int | None,
    form_ids: Sequence[int] = (),
    person: PersonsKey | None = None,
) -> AppUser:
    """A new app user; with `form_ids` (Form.id) it may use only those forms, else all; with
    `person`, an officer's web-form app user."""
    app_user = AppUser(
        project_id=project_id,
        display_name=display_name,
        login=credentials.login,
        token_sha256=credentials.token_sha256,
        digest_ha1=credentials.digest_ha1,
        area_id=area_id,
        all_forms=not form_ids,
        user_id=person.user_id if person else None,
        key_version=person.key_version if person else None,
    )
    session.add(app_user)
    session.flush()
    session.add_all(AppUserForm(app_user_id=app_user.id, form_id=f) for f in form_ids)
    return app_user


def describe_app_user(
    session: Session,
    app_user: AppUser,
    *,
    display_name: str,
    area_id: int | None,
    credentials: Credentials,
    person: PersonsKey,
) -> None:
    """Keep an app user in step with whom it stands for (an officer's web form user)."""
    app_user.display_name, app_user.area_id = display_name, area_id
    app_user.user_id, app_user.key_version = person.user_id, person.key_version
    app_user.login = credentials.login
    app_user.token_sha256 = credentials.token_sha256
    app_user.digest_ha1 = credentials.digest_ha1
    session.flush()


def revoke(session: Session, app_user: AppUser) -> None:
    """The app user's token stops working from now on (a revoked one stays revoked then)."""
    if app_user.revoked_at is None:
        app_user.revoked_at = utcnow()
