"""Trying a draft from the forms pages: the draft's XForm filled in the web form exactly as a
cadre will fill it once it is published (same engine, same page, its media and the village
lists of the signed-in person's area), in a test mode that keeps and sends nothing
(webform/src/trial.js). Only the people who may see the forms pages may try a draft.

The page lives outside the service worker's scope (/f/) and everything here is `no-store`:
nothing of a draft is kept for offline use, and a draft changes with every upload.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from server.errors import Forbidden
from server.extensions import db_session
from server.media_files import media_response
from server.services import form_admin
from server.services.accounts import StaffMember
from server.webform import bp
from server.webform.views import form_page


def _form_viewer(view: Callable[..., Response]) -> Callable[..., BaseResponse]:
    """The view gets the signed-in person when they may see the forms pages (else 403)."""

    @wraps(view)
    def checked(**kwargs: Any) -> BaseResponse:
        if not current_user.is_authenticated:
            return redirect(url_for("web.login", next=request.full_path))
        user: StaffMember = current_user.user
        if user.role not in form_admin.VIEWERS:
            raise Forbidden()
        return _no_store(view(user, **kwargs))

    return checked


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/forms/<form_id>/draft/try")
@_form_viewer
def try_draft(user: StaffMember, form_id: str) -> Response:
    draft = form_admin.get_draft(db_session(), form_id)
    page = url_for("webform.try_draft", form_id=form_id)
    config = {
        "trial": True,
        "formUrl": url_for("webform.try_draft_xform", form_id=form_id),
        "attachmentsBase": f"{page}/attachments/",
        "backUrl": url_for("web.form_version_page", form_id=form_id, version=draft.version),
    }
    return form_page(draft.title or form_id, user.display_name, config, trial=True)


@bp.get("/forms/<form_id>/draft/try/form.xml")
@_form_viewer
def try_draft_xform(_user: StaffMember, form_id: str) -> Response:
    xform = form_admin.get_draft(db_session(), form_id).xform
    return Response(xform, content_type="text/xml; charset=utf-8")


@bp.get("/forms/<form_id>/draft/try/attachments/<name>")
@_form_viewer
def try_draft_media(user: StaffMember, form_id: str, name: str) -> Response:
    return media_response(form_admin.draft_media_file(db_session(), form_id, name, user.area_id))
