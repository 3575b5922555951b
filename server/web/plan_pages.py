"""The pages of the support plans: the organisations of an area (created one by one or from
CSV), responsibilities, and the plan of an area and year — its items (created in bulk from the
deficiency list, edited one by one, exported and imported as XLSX) and its tables. Views stay
thin: the rules, the scope and the audit are the service's (services/support_plans.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext
from werkzeug.datastructures import FileStorage

from server.domain.support_plans import KIND_NAMES, STATE_NAMES, parse_day
from server.domain.vocabulary import HouseholdClass
from server.downloads import attachment
from server.errors import InvalidInput
from server.extensions import db_session
from server.query_params import FORMAT, raw_query
from server.services import accounts, action_lists, pickers
from server.services import support_plans as plans
from server.storage.transaction import writing
from server.web import bp
from server.web.area_pages import uploaded_text
from server.web.forms import (
    AssignForm,
    BulkPlanForm,
    OrganisationForm,
    PlanItemForm,
    PlanUploadForm,
    UploadForm,
)
from server.web.session import signed_in, viewer
from server.web.tables import OFFICERS, area_asked, period_asked, show_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_XLSX_BYTES = 5_000_000
CLASS_CHOICES = (
    ("", "Hộ nghèo và cận nghèo"),
    (HouseholdClass.POOR.value, "Hộ nghèo"),
    (HouseholdClass.NEAR_POOR.value, "Hộ cận nghèo"),
)


def _audited(what: str) -> None:
    """A list of households read or downloaded: into the audit log."""
    action = "download" if FORMAT.read() else "view"
    with writing(db_session()):
        accounts.record_download(db_session(), viewer(), f"{what} ({action})", raw_query())


# --- organisations ------------------------------------------------------------------------------


def _organisation_form(area: str) -> OrganisationForm:
    form = OrganisationForm(formdata=None, area=area)
    _organisation_choices(form)
    return form


def _organisation_choices(form: OrganisationForm) -> None:
    choices = pickers.area_choices(db_session(), viewer().scope)
    form.area.choices = [(a.code, "\u00a0\u00a0" * a.depth + a.name) for a in choices]
    form.kind.choices = [(k.value, names[0]) for k, names in KIND_NAMES.items()]


def _organisations_page(org_form: OrganisationForm, error: str = "", status: int = 200) -> Any:
    area = area_asked()
    table = plans.organisations_table(db_session(), viewer().scope, area)
    extra = {
        "endpoint": "web.organisations_page",
        "org_form": org_form,
        "upload_form": UploadForm(formdata=None),
        "error": error,
        "can_plan": viewer().can(*OFFICERS),
    }
    page = show_table(table, area, None, extra, "organisations.html")
    return page if status == 200 or FORMAT.read() else (page, status)


@bp.get("/organisations")
@signed_in()
def organisations_page() -> Any:
    return _organisations_page(_organisation_form(area_asked()))


@bp.post("/organisations")
@signed_in(*OFFICERS)
def create_organisation() -> Any:
    form = OrganisationForm()
    _organisation_choices(form)
    if not form.validate_on_submit():
        return _organisations_page(form, gettext("Check the fields of the form."), 400)
    try:
        with writing(db_session()):
            plans.create_organisation(
                db_session(),
                viewer(),
                form.area.data or "",
                form.kind.data or "",
                form.name.data or "",
                form.contact.data or "",
            )
    except InvalidInput as refused:
        return _organisations_page(form, refused.message, 400)
    return redirect(url_for("web.organisations_page", area=form.area.data))


@bp.post("/organisations/import")
@signed_in(*OFFICERS)
def import_organisations() -> Any:
    form = UploadForm()
    if not form.validate_on_submit():
        return _organisations_page(_organisation_form(area_asked()), gettext("Choose a file."), 400)
    file: FileStorage = form.file.data
    try:
        with writing(db_session()):  # a refused file leaves nothing behind
            count = plans.import_organisations_csv(db_session(), viewer(), uploaded_text(file))
    except InvalidInput as refused:
        return _organisations_page(_organisation_form(area_asked()), refused.message, 400)
    flash(gettext("Imported %(count)s organisations.", count=count), "info")
    return redirect(url_for("web.organisations_page"))


# --- the plan of an area and year ---------------------------------------------------------------


def _plan_forms(area: str, period: int) -> dict[str, Any]:
    bulk = BulkPlanForm(formdata=None, area=area, period=period)
    return {
        "bulk_form": _bulk_choices(bulk),
        "assign_form": AssignForm(formdata=None, period=period),
        "upload_form": PlanUploadForm(formdata=None, area=area, period=period),
        "organisations": plans.organisation_choices(db_session(), viewer(), area),
        "indicators": action_lists.indicator_choices(period),
    }


def _bulk_choices(form: BulkPlanForm) -> BulkPlanForm:
    form.household_class.choices = list(CLASS_CHOICES)
    groups = [(g.value, g.vi) for g in action_lists.group_choices()]
    form.group.choices = [("", "Mọi hộ"), *groups]
    return form


def _plan_page(error: str = "", status: int = 200, result: str = "") -> Any:
    area, period = area_asked(), period_asked()
    table = plans.plan_table(db_session(), viewer(), area, period, date.today())
    _audited("plan")
    extra = {
        "endpoint": "web.plan_page",
        "plan_links": True,
        "item_link": "web.plan_item_page",
        "error": error,
        "result": result,
        **_plan_forms(area, period),
    }
    page = show_table(table, area, period, extra, "plan.html")
    return page if status == 200 or FORMAT.read() else (page, status)


@bp.get("/plans")
@signed_in(*OFFICERS)
def plan_page() -> Any:
    return _plan_page()


@bp.get("/plans/sheet")
@signed_in(*OFFICERS)
def plan_sheet() -> Any:
    """The plan as the XLSX the import reads back (item numbers and organisation numbers)."""
    area, period = area_asked(), period_asked()
    data = plans.export_plan_xlsx(db_session(), viewer(), area, period)
    with writing(db_session()):
        accounts.record_download(db_session(), viewer(), "plan sheet (download)", raw_query())
    name = f"ke_hoach_{area}_{period}.xlsx"
    return Response(data, mimetype=XLSX, headers=attachment(name))


@bp.post("/plans/bulk")
@signed_in(*OFFICERS)
def create_plan_items() -> Any:
    form = _bulk_choices(BulkPlanForm())
    if not form.validate_on_submit():
        return _plan_page(gettext("Check the fields of the form."), 400)
    try:
        with writing(db_session()):
            day = form.planned_date.data or ""
            klass = form.household_class.data or ""
            result = plans.create_in_bulk(
                db_session(),
                viewer(),
                plans.BulkPlan(
                    area_code=form.area.data or "",
                    period=int(form.period.data or 0),
                    indicators=tuple(form.indicator.data or ()),
                    organisation_id=int(form.organisation.data or 0),
                    planned_date=parse_day(day, "planned_date") if day else None,
                    classes=(klass,) if klass else plans.BulkPlan.classes,
                    groups=(form.group.data,) if form.group.data else (),
                    village=form.village.data or "",
                    support=form.support.data or "",
                    amount=plans.read_amount(form.amount.data or "", "amount"),
                    unit=form.unit.data or "",
                ),
            )
    except InvalidInput as refused:
        return _plan_page(refused.message, 400)
    flash(
        gettext(
            "%(created)s plan items created; %(skipped)s households had one already.",
            created=result.created,
            skipped=result.already_planned,
        ),
        "info",
    )
    return redirect(url_for("web.plan_page", area=form.area.data, period=form.period.data))


@bp.post("/plans/assign")
@signed_in(*OFFICERS)
def assign_responsibility() -> Any:
    form = AssignForm()
    if not form.validate_on_submit():
        return _plan_page(gettext("Check the fields of the form."), 400)
    try:
        with writing(db_session()):
            plans.assign(
                db_session(),
                viewer(),
                plans.Assignment(
                    organisation_id=int(form.organisation.data or 0),
                    period=int(form.period.data or 0),
                    village_code=(form.village.data or "").strip(),
                    household_code=(form.household.data or "").strip(),
                    cadre=form.cadre.data or "",
                    sponsor=bool(form.sponsor.data),
                    committed=form.committed.data or "",
                ),
            )
    except InvalidInput as refused:
        return _plan_page(refused.message, 400)
    flash(gettext("The responsibility is recorded."), "info")
    return redirect(url_for("web.plan_page", period=form.period.data))


@bp.post("/plans/import")
@signed_in(*OFFICERS)
def import_plan() -> Any:
    form = PlanUploadForm()
    if not form.validate_on_submit():
        return _plan_page(gettext("Choose a file."), 400)
    file: FileStorage = form.file.data
    data = file.stream.read(MAX_XLSX_BYTES + 1)
    try:
        if len(data) > MAX_XLSX_BYTES:
            raise InvalidInput(field="file", detail=f"larger than {MAX_XLSX_BYTES // 1_000_000} MB")
        with writing(db_session()):  # a refused file leaves nothing behind
            result = plans.import_plan_xlsx(
                db_session(), viewer(), form.area.data or "", int(form.period.data or 0), data
            )
    except InvalidInput as refused:
        return _plan_page(refused.message, 400)
    flash(
        gettext(
            "Imported: %(created)s new items, %(changed)s changed.",
            created=result.created,
            changed=result.changed,
        ),
        "info",
    )
    return redirect(url_for("web.plan_page", area=form.area.data, period=form.period.data))


def _item_page(item_id: int, form: PlanItemForm | None = None, error: str = "") -> Any:
    shown = plans.item_details(db_session(), viewer(), item_id)
    item = shown.item
    if form is None:
        form = PlanItemForm(
            formdata=None,
            state=item.state.value,
            planned_date=item.planned_date.isoformat() if item.planned_date else "",
            amount=str(item.amount) if item.amount is not None else "",
            unit=item.unit,
            reason=item.reason,
        )
    form.state.choices = [(s.value, names[0]) for s, names in STATE_NAMES.items()]
    return render_template(
        "plan_item.html",
        shown=shown,
        item=item,
        item_form=form,
        error=error,
    )


@bp.get("/plans/items/<int:item_id>")
@signed_in(*OFFICERS)
def plan_item_page(item_id: int) -> Any:
    page = _item_page(item_id)
    with writing(db_session()):
        accounts.record_download(db_session(), viewer(), "plan item (view)", str(item_id))
    return page


@bp.post("/plans/items/<int:item_id>")
@signed_in(*OFFICERS)
def edit_plan_item(item_id: int) -> Any:
    form = PlanItemForm()
    form.state.choices = [(s.value, names[0]) for s, names in STATE_NAMES.items()]
    if not form.validate_on_submit():
        return _item_page(item_id, form, gettext("Check the fields of the form.")), 400
    edit = plans.ItemEdit(
        state=form.state.data or "",
        planned_date=form.planned_date.data or "",
        amount=form.amount.data or "",
        unit=form.unit.data or "",
        reason=form.reason.data or "",
    )
    try:
        with writing(db_session()):
            plans.edit_item(db_session(), viewer(), item_id, edit)
    except InvalidInput as refused:
        return _item_page(item_id, form, refused.message), 400
    flash(gettext("The plan item is saved."), "info")
    return redirect(url_for("web.plan_item_page", item_id=item_id))


# --- the plan's tables ----------------------------------------------------------------------------


@bp.get("/plans/by-indicator")
@signed_in()
def plan_by_indicator() -> Any:
    area, period = area_asked(), period_asked()
    table = plans.progress_table(
        db_session(), viewer().scope, area, period, "indicator", date.today()
    )
    return show_table(
        table, area, period, {"plan_links": True, "endpoint": "web.plan_by_indicator"}
    )


@bp.get("/plans/by-organisation")
@signed_in()
def plan_by_organisation() -> Any:
    area, period = area_asked(), period_asked()
    table = plans.progress_table(
        db_session(), viewer().scope, area, period, "organisation", date.today()
    )
    return show_table(
        table, area, period, {"plan_links": True, "endpoint": "web.plan_by_organisation"}
    )


@bp.get("/plans/gap")
@signed_in(*OFFICERS)
def plan_gap() -> Any:
    area, period = area_asked(), period_asked()
    table = plans.gap_table(db_session(), viewer(), area, period)
    _audited("plan gap")
    return show_table(table, area, period, {"plan_links": True, "endpoint": "web.plan_gap"})


@bp.get("/plans/overdue")
@signed_in(*OFFICERS)
def plan_overdue() -> Any:
    area, period = area_asked(), period_asked()
    table = plans.overdue_table(db_session(), viewer(), area, period, date.today())
    _audited("plan overdue")
    return show_table(table, area, period, {"plan_links": True, "endpoint": "web.plan_overdue"})


@bp.get("/plans/organisation-households")
@signed_in(*OFFICERS)
def plan_organisation_households() -> Any:
    area, period = area_asked(), period_asked()
    table = plans.organisation_households_table(db_session(), viewer(), area, period, date.today())
    _audited("plan by organisation and household")
    return show_table(
        table, area, period, {"plan_links": True, "endpoint": "web.plan_organisation_households"}
    )


@bp.get("/plans/sponsored")
@signed_in(*OFFICERS)
def plan_sponsored() -> Any:
    area, period = area_asked(), period_asked()
    table = plans.sponsored_table(db_session(), viewer(), area, period)
    _audited("sponsored merit households")
    return show_table(table, area, period, {"plan_links": True, "endpoint": "web.plan_sponsored"})


@bp.get("/plans/effect")
@signed_in()
def plan_effect() -> Any:
    area, period = area_asked(), period_asked()
    table = plans.effect_table(db_session(), viewer().scope, area, period)
    return show_table(table, area, period, {"plan_links": True, "endpoint": "web.plan_effect"})
