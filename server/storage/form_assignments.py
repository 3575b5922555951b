"""Which forms each app user may use, as Central's form assignments see it (api/central_admin).

An app user either may use every form of its project (`all_forms`, what the phones page offers
when no form is ticked) or only the forms listed in `app_user_form`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.storage.models import AppUser, AppUserForm, Area, Form


def active_with_areas(session: Session, project_id: int) -> Sequence[tuple[AppUser, Area | None]]:
    """The project's app users that are not revoked, with their areas (id order)."""
    query = (
        select(AppUser, Area)
        .outerjoin(Area, Area.id == AppUser.area_id)
        .where(AppUser.project_id == project_id, AppUser.revoked_at.is_(None))
        .order_by(AppUser.id)
    )
    return [(app_user, area) for app_user, area in session.execute(query)]


def find_active(session: Session, project_id: int, actor_id: int) -> AppUser | None:
    query = select(AppUser).where(
        AppUser.id == actor_id, AppUser.project_id == project_id, AppUser.revoked_at.is_(None)
    )
    return session.scalars(query).first()


def form_ids_of_project(session: Session, project_id: int) -> list[int]:
    query = select(Form.id).where(Form.project_id == project_id).order_by(Form.id)
    return list(session.scalars(query))


def listed_pairs(session: Session, project_id: int) -> Sequence[tuple[int, str]]:
    """(app user id, xmlFormId) of every form listed for an app user limited to some forms."""
    query = (
        select(AppUserForm.app_user_id, Form.xml_form_id)
        .join(Form, Form.id == AppUserForm.form_id)
        .where(Form.project_id == project_id)
        .order_by(AppUserForm.app_user_id, Form.xml_form_id)
    )
    return [(app_user_id, xml_form_id) for app_user_id, xml_form_id in session.execute(query)]


def is_listed(session: Session, app_user: AppUser, form: Form) -> bool:
    query = select(AppUserForm).where(
        AppUserForm.app_user_id == app_user.id, AppUserForm.form_id == form.id
    )
    return session.scalars(query).first() is not None


def limit_to_listed(session: Session, app_user: AppUser, form_ids: Sequence[int]) -> None:
    """From now on the app user may use only these forms (none: no form at all)."""
    app_user.all_forms = False
    session.add_all(AppUserForm(app_user_id=app_user.id, form_id=f) for f in form_ids)
    session.flush()


def list_form(session: Session, app_user: AppUser, form: Form) -> None:
    if not app_user.all_forms and not is_listed(session, app_user, form):
        session.add(AppUserForm(app_user_id=app_user.id, form_id=form.id))
        session.flush()


def unlist_form(session: Session, app_user: AppUser, form: Form) -> None:
    session.execute(
        delete(AppUserForm).where(
            AppUserForm.app_user_id == app_user.id, AppUserForm.form_id == form.id
        )
    )
