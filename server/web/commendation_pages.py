"""The pages of the year's commendation review: the exited households of an area and year and
where each stands, the forms to propose a household and to decide on it, and the signed table
of approved households (HTML, CSV, XLSX). Views stay thin: who may do what, the scope and the
audit are the service's (services/commendations.py)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm

from server.domain.commendation import may_decide, may_propose
from server.errors import InvalidInput
from server.extensions import db_session
from server.query_params import FORMAT, raw_query
from server.services import accounts
from server.services import commendations as review
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import DecideForm, ProposeForm
from server.web.session import signed_in, viewer
from server.web.tables import OFFICERS, area_asked, period_asked, show_table


def _audited(what: str) -> None:
    """A list of households read or downloaded: into the audit log."""
    action = "download" if FORMAT.read() else "view"
    with writing(db_session()):
        accounts.record_download(db_session(), viewer(), f"{what} ({action})", raw_query())


def fields_refused(form: FlaskForm) -> str:
    """What the form's own checks refused, each field named (the page shows it)."""
    named = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return f"{gettext('Check the fields of the form.')} {named}"


def _page(error: str = "", status: int = 200) -> Any:
    area, period = area_asked(), period_asked()
    table = review.review_table(db_session(), viewer(), area, period)
    found = review.candidates(db_session(), viewer(), area, period)
    _audited("commendation review")
    extra = {
        "endpoint": "web.commendation_page",
        "error": error,
        "propose_form": ProposeForm(formdata=None, area=area, period=period),
        "decide_form": DecideForm(formdata=None, area=area, period=period),
        "to_propose": [c for c in found if c.state is None or c.state.value == "declined"],
        "to_decide": [c for c in found if c.state is not None and c.state.value == "proposed"],
        "can_propose": may_propose(viewer().role),
        "can_decide": may_decide(viewer().role),
    }
    page = show_table(table, area, period, extra, "commendation.html")
    return page if status == 200 or FORMAT.read() else (page, status)


@bp.get("/commendation")
@signed_in(*OFFICERS)
def commendation_page() -> Any:
    return _page()


@bp.get("/commendation/approved")
@signed_in(*OFFICERS)
def commendation_approved() -> Any:
    area, period = area_asked(), period_asked()
    table = review.approved_table(db_session(), viewer(), area, period)
    _audited("commendation approved")
    return show_table(table, area, period, {"endpoint": "web.commendation_approved"})


@bp.post("/commendation/propose")
@signed_in(*OFFICERS)
def propose_commendation() -> Any:
    form = ProposeForm()
    if not form.validate_on_submit():
        return _page(fields_refused(form), 400)
    try:
        with writing(db_session()):
            review.propose(
                db_session(),
                viewer(),
                form.household.data or "",
                int(form.period.data or 0),
                form.note.data or "",
            )
    except InvalidInput as refused:
        return _page(refused.message, 400)
    flash(gettext("The household is proposed for commendation."), "info")
    return redirect(url_for("web.commendation_page", area=form.area.data, period=form.period.data))


@bp.post("/commendation/decide")
@signed_in(*OFFICERS)
def decide_commendation() -> Any:
    form = DecideForm()
    if not form.validate_on_submit():
        return _page(fields_refused(form), 400)
    try:
        with writing(db_session()):
            review.decide(
                db_session(),
                viewer(),
                form.household.data or "",
                int(form.period.data or 0),
                form.decision.data or "",
                form.note.data or "",
            )
    except InvalidInput as refused:
        return _page(refused.message, 400)
    flash(gettext("The decision is recorded."), "info")
    return redirect(url_for("web.commendation_page", area=form.area.data, period=form.period.data))
