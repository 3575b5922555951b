"""Forms: the list, uploading an XLSForm as a draft, trying the draft's questions, publishing,
closing and reopening, versions with their XLSForm. Administrators change; district officers
may look."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from server.domain.vocabulary import FormState, Role
from server.downloads import XLSX, attachment
from server.errors import Conflict, InvalidInput, InvalidXLSForm
from server.extensions import blob_store, db_session
from server.formats.xform_outline import flatten
from server.query_params import FORM_LANG
from server.services import form_admin
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import EmptyForm, XLSFormUploadForm
from server.web.session import signed_in, viewer
from server.xlsform import MAX_XLSFORM_BYTES, FormProblem, odk_validate_available

VIEWERS = form_admin.VIEWERS
ACTIONS = {
    "open": FormState.OPEN,
    "closing": FormState.CLOSING,
    "close": FormState.CLOSED,
}
# pyxform's problems in plain words (its own English words are shown beneath, as the detail).
PROBLEMS = {
    "unknown_type": _l("The question type “%(value)s” does not exist. Check its spelling."),
    "no_name": _l("This question or group has no name (the “name” column is empty)."),
    "duplicate_name": _l("The name “%(value)s” is used twice; every question needs its own name."),
    "invalid_name": _l(
        "This name is not allowed: start with a letter, then only letters, digits, “_”, “-”."
    ),
    "duplicate_choice": _l("A choice name is used twice in the same list."),
    "choice_without_name": _l("This choice has no name."),
    "choice_without_label": _l("This choice has no label."),
    "unknown_list": _l("The choice list “%(value)s” is not on the choices sheet."),
    "no_choices_sheet": _l(
        "The form needs a “choices” sheet with the columns list_name, name and label."
    ),
    "unknown_reference": _l(
        "The “%(column)s” column refers to ${%(value)s}, but no question has that name."
    ),
    "no_label": _l("The question “%(value)s” has no label."),
    "unmatched": _l("A “%(value)s” has no matching begin or end."),
    "missing_column": _l("The required column “%(column)s” is missing."),
    "repeat_without_label": _l("This repeat has no label."),
    "not_xlsform": _l("“%(value)s” is not an XLSForm: upload an .xlsx file."),
    "unreadable": _l("The file could not be read as a spreadsheet (.xlsx)."),
    "too_large": _l("The file is larger than %(limit)s MB."),
    "unpacks_too_large": _l(
        "The file would unpack to more than %(limit)s MB: it is not an ordinary form."
    ),
}


def explain(problem: FormProblem) -> str:
    """A problem in the page's language; pyxform's own words when it is not a known one."""
    template = PROBLEMS.get(problem.kind)
    return str(template) % problem.params if template is not None else problem.message


def _list_page(status: int = 200, **extra: Any) -> tuple[str, int]:
    rows = form_admin.form_rows(db_session())
    upload = extra.pop("upload", None) or XLSFormUploadForm()
    page = render_template(
        "forms.html", rows=rows, upload=upload, explain=explain, limit=MAX_XLSFORM_BYTES, **extra
    )
    return page, status


@bp.get("/forms")
@signed_in(*VIEWERS)
def forms_page() -> Any:
    return _list_page()


def _read(file: FileStorage) -> bytes:
    # One byte over the limit is enough for the compiler to refuse the file as too large.
    return file.stream.read(MAX_XLSFORM_BYTES + 1)


@bp.post("/forms")
@signed_in(Role.ADMINISTRATOR)
def upload_form() -> Any:
    upload = XLSFormUploadForm()
    if not upload.validate_on_submit():
        return _list_page(400, upload=upload)
    file: FileStorage = upload.xlsform.data
    media = {
        (m.filename or "").rsplit("/", 1)[-1]: _read(m)
        for m in upload.media.data or []
        if isinstance(m, FileStorage) and m.filename
    }
    try:
        with writing(db_session()):
            staged = form_admin.upload_draft(
                db_session(),
                blob_store(current_app),
                viewer(),
                _read(file),
                file.filename or "",
                media,
            )
    except InvalidXLSForm as refused:
        return _list_page(400, upload=upload, problems=refused.params.get("items", []))
    except Conflict as refused:
        return _list_page(refused.status, upload=upload, message=refused.message)
    form_id, version = staged.form.xml_form_id, staged.version.version
    flash(_uploaded_message(staged.version.version, validated=odk_validate_available()), "info")
    for warning in staged.warnings:  # usable, but worth a look before publishing
        flash(warning, "warning")
    return redirect(url_for("web.form_version_page", form_id=form_id, version=version))


def _uploaded_message(version: str, *, validated: bool) -> str:
    if validated:
        return str(
            gettext(
                "Version %(version)s is kept as a draft; pyxform and ODK Validate accepted it.",
                version=version,
            )
        )
    return str(
        gettext(
            "Version %(version)s is kept as a draft; pyxform accepted it (ODK Validate was not"
            " run: this server has no Java).",
            version=version,
        )
    )


@bp.get("/forms/<form_id>")
@signed_in(*VIEWERS)
def form_page(form_id: str) -> str:
    form = form_admin.get_form(db_session(), form_id)
    versions = form_admin.version_rows(db_session(), form)
    draft = next((row.version for row in versions if row.version.published_at is None), None)
    return render_template(
        "form.html",
        form=form,
        versions=versions,
        draft=draft,
        buttons=EmptyForm(),
        states=FormState,
    )


@bp.post("/forms/<form_id>")
@signed_in(Role.ADMINISTRATOR)
def change_form(form_id: str) -> Any:
    action = request.form.get("action", "")
    if not EmptyForm().validate_on_submit() or action not in (*ACTIONS, "publish"):
        raise InvalidInput(field="action")
    with writing(db_session()):
        if action == "publish":
            form_admin.publish(db_session(), viewer(), form_id)
        else:
            form_admin.set_state(db_session(), viewer(), form_id, ACTIONS[action])
    return redirect(url_for("web.form_page", form_id=form_id))


@bp.get("/forms/<form_id>/versions/<version>")
@signed_in(*VIEWERS)
def form_version_page(form_id: str, version: str) -> str:
    form = form_admin.get_form(db_session(), form_id)
    found = form_admin.get_version(db_session(), form, version)
    outline = form_admin.outline_of(found)
    wanted = FORM_LANG.read() or str(get_locale() or "vi")
    language = wanted if wanted in outline.languages else next(iter(outline.languages), "")
    return render_template(
        "form_version.html",
        form=form,
        version=found,
        outline=outline,
        rows=flatten(outline.questions),
        form_language=language,
        buttons=EmptyForm(),
    )


@bp.get("/forms/<form_id>/versions/<version>/xlsform")
@signed_in(*VIEWERS)
def form_xlsform(form_id: str, version: str) -> Response:
    form = form_admin.get_form(db_session(), form_id)
    found = form_admin.get_version(db_session(), form, version)
    name = found.xlsform_filename or f"{form_id}-{version}.xlsx"
    return Response(
        found.xlsform or b"",
        mimetype=XLSX if name.lower().endswith(".xlsx") else "application/octet-stream",
        headers=attachment(name),
    )
