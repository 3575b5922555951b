"""Routes of the web form: a page per open form for an app user's link (`/f/<token>/<form>`)
or a signed-in officer (`/f/staff/<form>`), the bundle's hashed files, and the service worker.

Both kinds of page fill the form as an app user over the phone's own OpenRosa URLs (token in
the path), so records, village lists and refusals are exactly a phone's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response as BaseResponse

from server.error_pages import database_unavailable_page, error_page
from server.errors import RasoatError
from server.extensions import db_session
from server.services import app_users, phone_forms, web_form_users
from server.services.app_users import Phone
from server.storage.transaction import writing
from server.webform import bp
from server.webform.bundle import Bundle, asset_response, load_bundle

# The service worker lives at the top of the pages it keeps offline: its scope is /f/.
SCOPE = "/f/"

# A refused link or form is a page a person reads, as on the staff pages.
bp.register_error_handler(RasoatError, error_page)
bp.register_error_handler(OperationalError, database_unavailable_page)


def _bundle() -> Bundle:
    return load_bundle(current_app.config["RASOAT_WEBFORM_DIR"])


def _no_cache(response: Response) -> Response:
    # The page names the bundle's current files and carries the token: always revalidate, and
    # never keep it in a shared cache.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _beside(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/"


@bp.get("/webform/assets/<path:name>")
def asset(name: str) -> Response:
    return asset_response(_bundle(), name)


@bp.get("/f/sw.js")
def service_worker() -> Response:
    bundle = _bundle()
    assets = [url_for("webform.asset", name=f.removeprefix("assets/")) for f in bundle.precache]
    script = render_template(
        "webform/sw.js",
        version=bundle.version,
        assets=assets,
        asset_prefix="/webform/assets/",
        scope=SCOPE,
    )
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _officer() -> tuple[Phone, str] | BaseResponse:
    """The signed-in officer's app user and token, or the sign-in page to go to first."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.full_path))
    with writing(db_session()):
        return web_form_users.officer_app_user(
            db_session(),
            current_user.user,
            secret=str(current_app.config["SECRET_KEY"]).encode(),
            realm=current_app.config["RASOAT_REALM"],
        )


def _forms_page(app_user: Phone, link: Callable[[str], str]) -> Response:
    forms = [
        (f.title, link(f.xml_form_id)) for f in phone_forms.listed_forms(db_session(), app_user)
    ]
    page = render_template("webform/forms.html", forms=forms, person=app_user.display_name)
    return _no_cache(Response(page))


def _form_page(app_user: Phone, token: str, xml_form_id: str) -> Response:
    version = phone_forms.downloadable_version(db_session(), app_user, xml_form_id)
    where: dict[str, Any] = {"token": token, "project_id": app_user.project_id}
    config = {
        "formKey": f"{app_user.login}/{xml_form_id}",
        "formUrl": url_for("openrosa.form_xml", xml_form_id=xml_form_id, **where),
        # The media a phone downloads: …/forms/<id>/manifest sits beside …/forms/<id>/attachments/.
        "attachmentsBase": _beside(url_for("openrosa.manifest", xml_form_id=xml_form_id, **where))
        + "attachments/",
        "submissionUrl": url_for("openrosa.submission", **where),
        "serviceWorker": url_for("webform.service_worker"),
        "scope": SCOPE,
    }
    return form_page(version.title or xml_form_id, app_user.display_name, config)


def form_page(title: str, person: str, config: dict[str, Any], *, trial: bool = False) -> Response:
    """The web form page around ODK's engine; `trial`: a draft tried on the forms pages, with
    no outbox, no drafts and nothing sent (webform/src/trial.js)."""
    page = render_template(
        "webform/page.html",
        bundle=_bundle(),
        title=title,
        person=person,
        config=config,
        trial=trial,
    )
    return _no_cache(Response(page))


@bp.get("/f/staff")
def forms_of_officer() -> BaseResponse:
    found = _officer()
    if not isinstance(found, tuple):
        return found
    return _forms_page(
        found[0], lambda form_id: url_for("webform.form_for_officer", xml_form_id=form_id)
    )


@bp.get("/f/staff/<xml_form_id>")
def form_for_officer(xml_form_id: str) -> BaseResponse:
    found = _officer()
    if not isinstance(found, tuple):
        return found
    return _form_page(*found, xml_form_id)


@bp.get("/f/<token>")
def forms_of_app_user(token: str) -> Response:
    app_user = app_users.app_user_for_token(db_session(), token)
    return _forms_page(
        app_user,
        lambda form_id: url_for("webform.form_for_app_user", token=token, xml_form_id=form_id),
    )


@bp.get("/f/<token>/<xml_form_id>")
def form_for_app_user(token: str, xml_form_id: str) -> Response:
    app_user = app_users.app_user_for_token(db_session(), token)
    return _form_page(app_user, token, xml_form_id)
