"""The page of policy dialogues: those of an area and year, and the form that records one with
its follow-up items (each becomes an item of the named household's plan). Views stay thin: the
rules, the scope and the audit are the service's (services/dialogues.py)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext

from server.errors import InvalidInput
from server.extensions import db_session
from server.query_params import FORMAT
from server.services import dialogues
from server.services import support_plans as plans
from server.storage.transaction import writing
from server.web import bp
from server.web.commendation_pages import fields_refused
from server.web.forms import DialogueForm
from server.web.session import signed_in, viewer
from server.web.tables import OFFICERS, area_asked, period_asked, show_table


def _page(form: DialogueForm | None = None, error: str = "", status: int = 200) -> Any:
    area, period = area_asked(), period_asked()
    table = dialogues.dialogues_table(db_session(), viewer(), area, period)
    extra = {
        "endpoint": "web.dialogues_page",
        "error": error,
        "dialogue_form": form or DialogueForm(formdata=None, area=area, period=period),
        "organisations": plans.organisation_choices(db_session(), viewer(), area),
    }
    page = show_table(table, area, period, extra, "dialogues.html")
    return page if status == 200 or FORMAT.read() else (page, status)


@bp.get("/dialogues")
@signed_in(*OFFICERS)
def dialogues_page() -> Any:
    return _page()


def _organisation_ids(values: list[str]) -> tuple[int, ...]:
    if any(not v.isdigit() or len(v) > 9 for v in values):
        raise InvalidInput(field="attendees", detail="not an organisation's number")
    return tuple(int(v) for v in values)


@bp.post("/dialogues")
@signed_in(*OFFICERS)
def record_dialogue() -> Any:
    form = DialogueForm()
    if not form.validate_on_submit():
        return _page(form, fields_refused(form), 400)
    try:
        with writing(db_session()):  # a refused line leaves nothing behind
            result = dialogues.record_dialogue(
                db_session(),
                viewer(),
                dialogues.RecordedDialogue(
                    area_code=form.area.data or "",
                    period=int(form.period.data or 0),
                    held_on=form.held_on.data or "",
                    problems=form.problems.data or "",
                    organisation_ids=_organisation_ids(list(form.attendees.data or [])),
                    follow_ups=form.follow_ups.data or "",
                ),
            )
    except InvalidInput as refused:
        return _page(form, refused.message, 400)
    flash(
        gettext(
            "The dialogue is recorded; %(items)s follow-up items are in the plan.",
            items=result.items,
        ),
        "info",
    )
    return redirect(url_for("web.dialogues_page", area=form.area.data, period=form.period.data))
