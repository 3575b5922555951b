"""The Users page: administrators, and officers for the people of their own area whose roles are
below theirs, list, create, change role, move, disable, enable and reset passwords. The rules
and the audit are the service's (services/users.py), the same as for `rasoat users`."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as BaseResponse

from server.domain.vocabulary import Role
from server.errors import RasoatError
from server.extensions import db_session
from server.query_params import AREA, ROLE, SEARCH, STATE
from server.services import pickers
from server.services import users as people
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import PersonChangeForm, PersonForm
from server.web.session import signed_in, viewer

MANAGERS = (Role.ADMINISTRATOR, Role.UPPER_OFFICER, Role.COMMUNE_OFFICER)
ROLE_LABELS = {
    Role.ADMINISTRATOR: _l("Administrator"),
    Role.UPPER_OFFICER: _l("Upper-level officer (province/district)"),
    Role.COMMUNE_OFFICER: _l("Commune officer"),
    Role.VIEWER: _l("Viewer (tables only)"),
}
STATES = {"active": True, "disabled": False}


def _person_form() -> PersonForm:
    form = PersonForm()
    form.role.choices = [(r.value, ROLE_LABELS[r]) for r in people.grantable_roles(viewer())]
    areas = pickers.area_choices(db_session(), viewer().scope)
    whole = [("", gettext("No area (the whole province)"))] if viewer().scope is None else []
    form.area.choices = whole + [(a.code, "— " * a.depth + a.name) for a in areas]
    return form


def _page(
    form: PersonForm, error: str | None = None, status: int = 200, *, filtered: bool = True
) -> tuple[str, int]:
    """The list (filtered by the query, on GET) and the form for a new account."""
    chosen: dict[str, str | None] = {"role": None, "area": None, "state": None, "q": None}
    if filtered:
        chosen = {
            "role": ROLE.read(),
            "area": AREA.read(),
            "state": STATE.read(),
            "q": SEARCH.read(),
        }
    rows = people.list_people(
        db_session(),
        viewer(),
        role=chosen["role"],
        area_code=chosen["area"],
        active=STATES.get(chosen["state"] or ""),
        text=chosen["q"],
    )
    page = render_template(
        "users.html",
        rows=rows,
        form=form,
        change=PersonChangeForm(),
        error=error,
        labels=ROLE_LABELS,
        roles=people.grantable_roles(viewer()),
        chosen=chosen,
    )
    return page, status


@bp.get("/users")
@signed_in(*MANAGERS)
def users_page() -> Any:
    return _page(_person_form())


@bp.post("/users")
@signed_in(*MANAGERS)
def create_person() -> Any:
    form = _person_form()
    if not form.validate_on_submit():
        return _page(form, status=400, filtered=False)
    try:
        with writing(db_session()):
            new = people.create_person(
                db_session(),
                viewer(),
                email=form.email.data or "",
                display_name=form.name.data or "",
                role=form.role.data or "",
                area_code=form.area.data or None,
                password=form.password.data or None,
            )
    except RasoatError as refused:
        return _page(form, refused.message, refused.status, filtered=False)
    # Shown once: only the password's hash is kept.
    return render_template("user_created.html", new=new)


def _change() -> tuple[str, str]:
    """The e-mail and value of a row's change form, else 400 (its CSRF token or e-mail
    missing: nothing is changed)."""
    form = PersonChangeForm()
    if not form.validate_on_submit():
        raise BadRequest(gettext("The form was incomplete or has expired; open the page again."))
    return (form.email.data or "").strip(), (form.value.data or "").strip()


@bp.post("/users/role")
@signed_in(*MANAGERS)
def set_person_role() -> BaseResponse:
    email, role = _change()
    with writing(db_session()):
        people.set_role(db_session(), viewer(), email, role)
    flash(gettext("%(email)s now has the role %(role)s.", email=email, role=_label(role)), "info")
    return redirect(url_for("web.users_page"))


@bp.post("/users/move")
@signed_in(*MANAGERS)
def move_person() -> BaseResponse:
    email, area = _change()
    with writing(db_session()):
        people.move_person(db_session(), viewer(), email, area)
    flash(gettext("%(email)s is moved to %(area)s.", email=email, area=area or "—"), "info")
    return redirect(url_for("web.users_page"))


@bp.post("/users/disable")
@signed_in(*MANAGERS)
def disable_person() -> BaseResponse:
    email, _ = _change()
    with writing(db_session()):
        people.disable_person(db_session(), viewer(), email)
    flash(gettext("%(email)s is disabled and signed out everywhere.", email=email), "info")
    return redirect(url_for("web.users_page"))


@bp.post("/users/enable")
@signed_in(*MANAGERS)
def enable_person() -> BaseResponse:
    email, _ = _change()
    with writing(db_session()):
        people.enable_person(db_session(), viewer(), email)
    flash(gettext("%(email)s may sign in again.", email=email), "info")
    return redirect(url_for("web.users_page"))


@bp.post("/users/reset-password")
@signed_in(*MANAGERS)
def reset_person_password() -> str:
    email, _ = _change()
    with writing(db_session()):
        new = people.reset_password(db_session(), viewer(), email)
    return render_template("user_created.html", new=new, reset=True)


def _label(role: str) -> str:
    named = people.role_named(role)
    return str(ROLE_LABELS[named])
