"""Sign-in, sign-out, the home page (the key numbers of the person's area) and error pages."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from server.error_pages import database_unavailable_page, error_page, http_error_page
from server.errors import AuthenticationRequired, RasoatError, TooManyAttempts
from server.extensions import db_session
from server.query_params import NEXT, PERIOD
from server.services import accounts, phone_forms
from server.services.dashboard import key_numbers
from server.storage.transaction import writing
from server.web import bp, known_device
from server.web.forms import EmptyForm, SignInForm
from server.web.session import SignedIn, signed_in, viewer

# Only the pages' errors: the API and OpenRosa blueprints answer theirs in their own shapes.
bp.register_error_handler(RasoatError, error_page)
bp.register_error_handler(HTTPException, http_error_page)
bp.register_error_handler(OperationalError, database_unavailable_page)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a crafted ?next= must not send a person elsewhere after sign-in."""
    if not target or urlsplit(target).netloc or not target.startswith("/"):
        return url_for("web.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = SignInForm()
    error, status = None, 200
    if form.validate_on_submit():
        device = known_device.this_device()
        try:
            # Failures are kept (commit_on): they count towards the rate limit.
            with writing(db_session(), commit_on=(AuthenticationRequired, TooManyAttempts)):
                member = accounts.sign_in_to_pages(
                    db_session(),
                    form.email.data or "",
                    form.password.data or "",
                    request.remote_addr or "",
                    device,
                )
        except AuthenticationRequired:
            error, status = gettext("Wrong e-mail or password."), 401
        except TooManyAttempts as refused:
            error, status = refused.message, 429
        else:
            login_user(SignedIn(member))
            response = redirect(_safe_next(NEXT.read()))
            known_device.remember(response, member, device)
            return response
    return render_template("login.html", form=form, error=error, locked=status == 429), status


@bp.post("/logout")
@signed_in()
def logout() -> BaseResponse:
    logout_user()
    return redirect(url_for("web.home"))


@bp.get("/account")
@signed_in()
def account() -> str:
    return render_template("account.html", person=viewer(), form=EmptyForm())


@bp.post("/account/sign-out-everywhere")
@signed_in()
def sign_out_everywhere() -> BaseResponse:
    """Every page session, API token, known device and web-form key of the person ends (a lost
    phone, a shared computer left signed in)."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("web.account"))
    with writing(db_session()):
        accounts.sign_out_everywhere(db_session(), viewer())
    logout_user()
    flash(gettext("You are signed out on every device. Sign in again here."), "info")
    return redirect(url_for("web.login"))


@bp.get("/")
def home() -> str:
    if not current_user.is_authenticated:
        return render_template("landing.html", forms=phone_forms.published_forms(db_session()))
    person = viewer()
    numbers = key_numbers(
        db_session(), person.scope, PERIOD.read(), today=date.today(), language=str(get_locale())
    )
    return render_template("home.html", numbers=numbers, person=person)
