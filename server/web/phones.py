"""Phones (app users): list, create with a QR code that sets up ODK Collect, revoke."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, url_for

from server.domain.vocabulary import Role
from server.extensions import db_session
from server.services import accounts, app_users, phone_forms
from server.services.forms import DEFAULT_PROJECT_NAME
from server.services.phone_setup import phone_setup
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import EmptyForm, PhoneForm
from server.web.session import signed_in, viewer

OFFICERS = (Role.ADMINISTRATOR, Role.UPPER_OFFICER, Role.COMMUNE_OFFICER)


def _phone_form() -> PhoneForm:
    form = PhoneForm()
    form.forms.choices = [
        (f.xml_form_id, f.title) for f in phone_forms.published_forms(db_session())
    ]
    return form


def _phones_page(form: PhoneForm) -> str:
    scope = viewer().scope
    return render_template(
        "phones.html",
        phones=app_users.phones_within(db_session(), scope),
        form=form,
        areas=app_users.phone_area_choices(db_session(), scope),
        revoke=EmptyForm(),
    )


@bp.get("/phones")
@signed_in(*OFFICERS)
def phones() -> str:
    return _phones_page(_phone_form())


@bp.post("/phones")
@signed_in(*OFFICERS)
def create_phone() -> Any:
    form = _phone_form()
    if not form.validate_on_submit():
        return _phones_page(form), 400
    with writing(db_session()):
        new = app_users.create_phone_for(
            db_session(),
            viewer().scope,
            display_name=form.name.data or "",
            area_code=form.area.data or None,
            realm=current_app.config["RASOAT_REALM"],
            form_ids=form.forms.data or (),
        )
        accounts.record_action(db_session(), viewer(), "app_user.create", f"app user {new.login}")
    setup = phone_setup(current_app.config["RASOAT_BASE_URL"], new, DEFAULT_PROJECT_NAME)
    qr = setup.qr.svg_data_uri(scale=4)
    # Shown once: only the token's hash is kept, so this page cannot be opened again.
    return render_template("phone_created.html", phone=new, qr=qr, url=setup.url)


@bp.post("/phones/<login>/revoke")
@signed_in(*OFFICERS)
def revoke_phone(login: str) -> Any:
    if EmptyForm().validate_on_submit():
        with writing(db_session()):
            app_users.revoke_phone_for(db_session(), viewer().scope, login)
            accounts.record_action(db_session(), viewer(), "app_user.revoke", f"app user {login}")
    return redirect(url_for("web.phones"))
