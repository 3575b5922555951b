"""The audit log page (administrators): who did what, when, newest first; and the accounts
that wrong passwords locked, each with a button that lifts the lock."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from server.domain.vocabulary import Role
from server.extensions import db_session
from server.query_params import KIND, PAGE, PERSON, every_pair
from server.services import accounts
from server.services.audit_log import audit_page
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import EmptyForm
from server.web.session import signed_in, viewer

# The kinds of event the code writes; one not named here is shown as it is stored.
KINDS = {
    "sign_in": _l("Sign-in to the pages"),
    "session.create": _l("Sign-in to the API"),
    "download": _l("Personal data read or downloaded"),
    "submission.review": _l("Submission reviewed"),
    "form.draft": _l("Form draft uploaded"),
    "form.publish": _l("Form published"),
    "form.state": _l("Form opened or closed"),
    "area.import": _l("Areas imported"),
    "area.households": _l("Resident households changed"),
    "app_user.create": _l("Phone set up"),
    "app_user.revoke": _l("Phone revoked"),
    "account.lock": _l("Account locked (wrong passwords)"),
    "account.unlock": _l("Account lock lifted"),
    "account.sign_out_everywhere": _l("Signed out everywhere"),
    "user.create": _l("Account created"),
    "user.set_role": _l("Role changed"),
    "user.move": _l("Account moved to another area"),
    "user.disable": _l("Account disabled"),
    "user.enable": _l("Account enabled again"),
    "user.reset_password": _l("Password reset"),
}


@bp.get("/audit")
@signed_in(Role.ADMINISTRATOR)
def audit_log() -> Any:
    kind, person = KIND.read(), PERSON.read()
    page = audit_page(db_session(), viewer(), kind, person, PAGE.read() or 1)
    kept = {k: v for k, v in every_pair() if k != "page" and v}
    return render_template(
        "audit.html",
        log=page,
        kinds=KINDS,
        kind=kind,
        person=person,
        kept=kept,
        locked=accounts.locked_accounts(db_session(), viewer()),
        unlock=EmptyForm(),
    )


@bp.post("/audit/unlock")
@signed_in(Role.ADMINISTRATOR)
def unlock_account() -> BaseResponse:
    """Lift the lock of an account that wrong passwords locked (written in the log)."""
    email = request.form.get("email", "")
    if EmptyForm().validate_on_submit():
        with writing(db_session()):
            accounts.clear_lockout(db_session(), viewer(), email)
        flash(gettext("The lock of %(email)s is lifted.", email=email), "info")
    return redirect(url_for("web.audit_log"))
