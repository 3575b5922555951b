"""Plain functions that put rows in the test database (and commit, so a server sees them)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask
from sqlalchemy.orm import Session

from server.demo import DEMO_AREAS
from server.domain.vocabulary import FormState
from server.extensions import blob_store
from server.services import app_users, forms
from server.services.areas import import_areas_csv
from server.storage.common import begin_write

REALM = "rasoat"


def _writing(session: Session) -> None:
    """End the test's read transaction and start a write one (SQLite: take the lock first)."""
    session.commit()
    begin_write(session)


def make_areas(session: Session) -> None:
    _writing(session)
    import_areas_csv(session, DEMO_AREAS.read_text(encoding="utf-8"))
    session.commit()


# The two-tier reform of the demo district, as a test sets it up (codes made up where the demo's
# own codes would collide): the new province, then the official list of new communes.
NEW_PROVINCE_CSV = (
    "code,name,level,parent_code,urban,valid_from\n44,Tỉnh Quảng Trị,province,,,2025-07-01\n"
)
REFORM_CSV = "old_code,new_code,new_name,new_level,parent_code\n" + "".join(
    f"{old},{new},{name},commune,44\n"
    for new, name, olds in (
        ("19597", "Xã Cam Lộ", ("19600", "19621", "19615", "19618")),
        ("44603", "Xã Hiếu Giang", ("19609", "19612", "19603", "19606")),
    )
    for old in olds
)


def make_areas_before_reform(session: Session) -> None:
    """The demo tree and the new province, the state an official list of new communes meets."""
    _writing(session)
    import_areas_csv(session, DEMO_AREAS.read_text(encoding="utf-8"))
    import_areas_csv(session, NEW_PROVINCE_CSV)
    session.commit()


def make_reformed_areas(session: Session) -> None:
    """The demo tree, then the July 2025 reform of it (`REFORM_CSV`)."""
    from server.services.reform import import_reform_csv

    _writing(session)
    import_areas_csv(session, DEMO_AREAS.read_text(encoding="utf-8"))
    import_areas_csv(session, NEW_PROVINCE_CSV)
    import_reform_csv(session, REFORM_CSV)
    session.commit()


def make_app_user(
    session: Session,
    *,
    name: str = "Cán bộ thôn",
    project_id: int = 1,
    area_code: str | None = None,
    form_ids: Sequence[str] = (),
) -> app_users.NewAppUser:
    _writing(session)
    forms.ensure_default_project(session)
    new = app_users.create_app_user(
        session,
        project_id=project_id,
        display_name=name,
        realm=REALM,
        area_code=area_code,
        form_ids=form_ids,
    )
    session.commit()
    return new


def publish_form(
    app: Flask,
    session: Session,
    data: bytes,
    *,
    filename: str = "form.xlsx",
    media: dict[str, bytes] | None = None,
    project_id: int = 1,
    state: FormState | None = None,
) -> forms.Published:
    _writing(session)
    forms.ensure_default_project(session)
    published = forms.publish_xlsform(
        session,
        blob_store(app),
        project_id=project_id,
        data=data,
        filename=filename,
        media=media,
    )
    if state is not None:
        published.form.state = state
    session.commit()
    return published


def stage_draft(app: Flask, session: Session, data: bytes, *, filename: str) -> forms.Published:
    """An XLSForm kept as its form's draft, as uploaded on the forms page (not published)."""
    _writing(session)
    forms.ensure_default_project(session)
    staged = forms.stage_draft(session, blob_store(app), project_id=1, data=data, filename=filename)
    session.commit()
    return staged
