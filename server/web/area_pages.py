"""Areas: the tree within one's scope, resident households per year (administrators and
district officers may correct them), and the area CSV import for administrators."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from server.domain.vocabulary import Role
from server.errors import InvalidInput
from server.extensions import db_session
from server.query_params import CODE
from server.services import accounts, area_admin
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import HouseholdsForm, UploadForm
from server.web.session import signed_in, viewer

EDITORS = (Role.ADMINISTRATOR, Role.UPPER_OFFICER)
MAX_CSV_BYTES = 5_000_000
LEVELS = {
    "province": _l("province"),
    "district": _l("district"),
    "commune": _l("commune"),
    "ward": _l("ward"),
    "township": _l("township"),
    "special_zone": _l("special zone"),
    "village": _l("village"),
    "quarter": _l("urban quarter"),
}


def _page(code: str | None, form: HouseholdsForm | None = None, status: int = 200) -> Any:
    page = area_admin.area_page(db_session(), viewer().scope, code)
    form = form or HouseholdsForm(formdata=None, year=page.year or date.today().year)
    editable = page.area is not None and viewer().can(*EDITORS)
    return render_template(
        "areas.html", page=page, form=form, editable=editable, levels=LEVELS
    ), status


@bp.get("/areas")
@signed_in()
def areas_page() -> Any:
    return _page(CODE.read())


@bp.post("/areas/<code>/households")
@signed_in(*EDITORS)
def set_households(code: str) -> Any:
    form = HouseholdsForm()
    if not form.validate_on_submit():
        return _page(code, form, 400)
    with writing(db_session()):
        area_admin.set_resident_households(
            db_session(),
            viewer(),
            code,
            int(form.year.data or 0),
            int(form.households.data or 0),
        )
    return redirect(url_for("web.areas_page", code=code))


@bp.route("/areas/import", methods=["GET", "POST"])
@signed_in(Role.ADMINISTRATOR)
def import_areas_page() -> Any:
    accounts.require_whole_province(viewer())  # not for an administrator limited to an area
    form = UploadForm()
    if request.method == "GET":
        return render_template("areas_import.html", form=form)
    if not form.validate_on_submit():
        return render_template("areas_import.html", form=form), 400
    file: FileStorage = form.file.data
    try:
        with writing(db_session()):  # nothing of a refused file stays
            text = uploaded_text(file)
            report = area_admin.import_areas(db_session(), viewer(), text, file.filename or "")
    except InvalidInput as refused:
        return render_template("areas_import.html", form=form, error=refused.message), 400
    return render_template("areas_import.html", form=UploadForm(formdata=None), report=report)


def uploaded_text(file: FileStorage) -> str:
    data = file.stream.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput(field="file", detail=f"larger than {MAX_CSV_BYTES // 1_000_000} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(field="file", detail="not a UTF-8 text (CSV) file") from exc
