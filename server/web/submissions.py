"""Submissions for officers: a form's records with filters, one record with its answers, files,
versions and comments, and a change of its review state. Every reading is audited (service)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import current_app, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from server.domain.vocabulary import ReviewState, Role
from server.downloads import EXPORT_TYPES, record_file, spooled_file
from server.errors import InvalidInput
from server.extensions import blob_store, db_session
from server.formats.raw_export import CSV_ZIP, ExportOptions
from server.query_params import (
    AREA,
    EXPORT_FORMAT,
    FORM,
    GROUP_PATHS,
    LABELS,
    LANG,
    PAGE,
    RECEIVED_FROM,
    RECEIVED_TO,
    SPLIT_MULTIPLES,
    STATE,
    VERSION,
    every_pair,
)
from server.services import raw_exports
from server.services.forms import DEFAULT_PROJECT_ID
from server.services.submission_page import open_submission
from server.services.submission_review import (
    ListRequest,
    Reader,
    apply_outside,
    area_choices,
    attachment,
    list_submissions,
    reject_outside,
    review,
)
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import EmptyForm, ReviewForm
from server.web.session import signed_in, viewer
from server.web.times import zone

OFFICERS = (Role.ADMINISTRATOR, Role.UPPER_OFFICER, Role.COMMUNE_OFFICER)
STATES = {
    ReviewState.RECEIVED: _l("Received"),
    ReviewState.HAS_ISSUES: _l("Has issues"),
    ReviewState.APPROVED: _l("Approved"),
    ReviewState.REJECTED: _l("Rejected"),
}


def _reader() -> Reader:
    return Reader(viewer(), viewer().scope)


@bp.get("/submissions")
@signed_in(*OFFICERS)
def submissions() -> Any:
    wanted = ListRequest(
        xml_form_id=FORM.read(),
        area_code=AREA.read(),
        received_from=RECEIVED_FROM.read(),
        received_to=RECEIVED_TO.read(),
        state=STATE.read(),
        page=PAGE.read() or 1,
        zone=zone(),
    )
    areas = area_choices(db_session(), viewer().scope)
    with writing(db_session()):  # reading records writes their audit event
        listing = list_submissions(db_session(), _reader(), wanted)
    kept = {k: v for k, v in every_pair() if k != "page" and v}
    return render_template(
        "submissions.html",
        listing=listing,
        wanted=wanted,
        states=STATES,
        areas=areas,
        kept=kept,
        filtering=bool(set(kept) - {"form"}),
    )


@bp.get("/submissions/export")
@signed_in(*OFFICERS)
def export_submissions() -> Any:
    """The chosen form's records (within the area chosen) as a file, with the options ticked;
    the same export as the API's `submissions.csv.zip` and `.xlsx`."""
    file_format = EXPORT_FORMAT.read() or CSV_ZIP
    options = ExportOptions(
        labels=LABELS.read_flag(False),
        split_multiples=SPLIT_MULTIPLES.read_flag(False),
        group_prefixes=GROUP_PATHS.read_flag(False),  # an unticked box sends nothing
        language=LANG.read() or str(get_locale() or "vi"),
    )
    xml_form_id = FORM.read()
    if not xml_form_id:
        raise InvalidInput(field="form", detail="choose a form")
    request = raw_exports.ExportRequest(
        DEFAULT_PROJECT_ID, xml_form_id, file_format, options, AREA.read()
    )
    with writing(db_session()):  # the audit event, before the long reading
        prepared = raw_exports.prepare(db_session(), viewer(), request)
    write = partial(raw_exports.write, db_session(), prepared)
    return spooled_file(write, prepared.filename, EXPORT_TYPES[file_format])


@bp.get("/submissions/<form_id>/<instance_id>")
@signed_in(*OFFICERS)
def submission(form_id: str, instance_id: str) -> Any:
    with writing(db_session()):  # reading a record writes its audit event
        page = open_submission(
            db_session(),
            _reader(),
            (form_id, instance_id),
            VERSION.read(),
            str(get_locale() or "vi"),
        )
    form = ReviewForm(state=page.review_state.value)
    form.state.choices = [(state.value, label) for state, label in STATES.items()]
    return render_template(
        "submission.html", page=page, form=form, states=STATES, decide=EmptyForm()
    )


@bp.post("/submissions/<form_id>/<instance_id>/review")
@signed_in(*OFFICERS)
def review_submission(form_id: str, instance_id: str) -> Any:
    form = ReviewForm()
    form.state.choices = [(state.value, label) for state, label in STATES.items()]
    if not form.validate_on_submit():
        message = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        raise InvalidInput(field=", ".join(form.errors), detail=message)
    with writing(db_session()):
        review(
            db_session(), _reader(), form_id, instance_id, form.state.data, form.comment.data or ""
        )
    return redirect(url_for("web.submission", form_id=form_id, instance_id=instance_id))


@bp.post("/submissions/<form_id>/<instance_id>/apply")
@signed_in(*OFFICERS)
def apply_held_submission(form_id: str, instance_id: str) -> Any:
    """A record held outside its sender's area goes into the registry after all."""
    return _decide(apply_outside, form_id, instance_id)


@bp.post("/submissions/<form_id>/<instance_id>/reject")
@signed_in(*OFFICERS)
def reject_held_submission(form_id: str, instance_id: str) -> Any:
    """A record held outside its sender's area stays out of the registry for good."""
    return _decide(reject_outside, form_id, instance_id)


def _decide(decision: Callable[..., None], form_id: str, instance_id: str) -> Any:
    if EmptyForm().validate_on_submit():  # CSRFProtect refused a form without its token
        with writing(db_session()):
            decision(db_session(), _reader(), form_id, instance_id)
    return redirect(url_for("web.submission", form_id=form_id, instance_id=instance_id))


@bp.get("/submissions/<form_id>/<instance_id>/files/<name>")
@signed_in(*OFFICERS)
def submission_file(form_id: str, instance_id: str, name: str) -> Any:
    with writing(db_session()):  # reading a file writes its audit event
        found = attachment(
            db_session(),
            blob_store(current_app),
            _reader(),
            (form_id, instance_id, name),
            VERSION.read(),
        )
    return record_file(found)
