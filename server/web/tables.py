"""Pages for the tables and action lists, each with CSV and XLSX downloads.

A page shows the first rows of a long list (a phone cannot render 100,000 rows); the download
has them all. Lists carry personal data: they are for officers only, and every view or
download is written to the audit log.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from itertools import islice
from typing import Any

from flask import Response, redirect, render_template, request, url_for
from flask_babel import get_locale

from server.domain.vocabulary import Role
from server.extensions import db
from server.formats.table_files import csv_bytes, write_xlsx
from server.formats.tables import Table
from server.services import accounts, action_lists, commitments, reports
from server.storage.areas import children_of, find_area_by_code, top_areas
from server.storage.models import Area
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import PledgeForm
from server.web.session import signed_in, viewer

# 500 rows of an action list made a 420 KB page: 150–400 ms to render on the bench VM, seconds for a
# phone to lay out (bench/pages.py); 200 rows keep the page light, the download has them all.
PAGE_ROWS = 200
OFFICERS = (Role.ADMINISTRATOR, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTS: dict[str, Callable[[Area | None, str, int], Table]] = {
    "deficiencies": lambda scope, area, period: action_lists.deficiency_list(
        db.session,
        scope,
        area,
        period,
        indicators=request.args.getlist("indicator"),
        groups=request.args.getlist("group"),
    ),
    "due-visits": lambda scope, area, _period: action_lists.due_for_visit_list(
        db.session, scope, area
    ),
    "relapse-risk": lambda scope, area, _period: action_lists.relapse_risk_list(
        db.session, scope, area
    ),
    "exited": lambda scope, area, period: action_lists.exited_list(db.session, scope, area, period),
}


def _area_code() -> str:
    scope = viewer().scope
    if code := request.args.get("area"):
        return code
    if scope is not None:
        return scope.code
    roots = top_areas(db.session)
    return roots[0].code if roots else ""


def _period() -> int:
    return request.args.get("period", type=int) or reports.current_period(db.session)


def _download(table: Table, wanted: str) -> Response:
    language = str(get_locale() or "vi")
    name = f"{table.key}_{request.args.get('area', '')}".rstrip("_")
    if wanted == "csv":
        return Response(
            csv_bytes(table, language),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    out = io.BytesIO()
    write_xlsx([table], out, language)
    return Response(
        out.getvalue(),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


def _show(table: Table, template_args: dict[str, Any]) -> Any:
    wanted = request.args.get("format")
    if wanted in ("csv", "xlsx"):
        return _download(table, wanted)
    rows = list(islice(table.rows, PAGE_ROWS + 1))
    area = find_area_by_code(db.session, _area_code())
    return render_template(
        "table.html",
        table=replace(table, rows=rows[:PAGE_ROWS]),
        more=len(rows) > PAGE_ROWS,
        children={c.name: c.code for c in children_of(db.session, area)} if area else {},
        **template_args,
    )


@bp.get("/reports/summary")
@signed_in()
def summary_page() -> Any:
    period = _period()
    table = reports.review_summary(db.session, viewer().scope, _area_code(), period)
    return _show(table, {"endpoint": "web.summary_page", "period": period})


@bp.get("/reports/followup")
@signed_in()
def followup_page() -> Any:
    table = reports.followup_table(db.session, viewer().scope, _area_code(), date.today())
    return _show(table, {"endpoint": "web.followup_page", "period": None})


@bp.route("/reports/commitments", methods=["GET", "POST"])
@signed_in()
def commitments_page() -> Any:
    form = PledgeForm()
    if form.validate_on_submit() and viewer().can(*OFFICERS):
        with writing(db.session):
            commitments.set_commitment(
                db.session,
                viewer().scope,
                form.area.data or "",
                int(form.year.data or 0),
                int(form.pledged.data or 0),
            )
        return redirect(url_for("web.commitments_page", area=form.area.data, period=form.year.data))
    period = _period()
    table = commitments.commitments_table(db.session, viewer().scope, _area_code(), period)
    return _show(table, {"endpoint": "web.commitments_page", "period": period, "form": form})


@bp.get("/lists/<kind>")
@signed_in(*OFFICERS)
def list_page(kind: str) -> Any:
    build = LISTS.get(kind)
    if build is None:
        return render_template("error.html", message=kind, status=404), 404
    period = _period()
    table = build(viewer().scope, _area_code(), period)
    action = "download" if request.args.get("format") else "view"
    with writing(db.session):
        accounts.record_download(
            db.session, viewer().user, f"list {kind} ({action})", request.query_string.decode()
        )
    return _show(table, {"endpoint": "web.list_page", "kind": kind, "period": period})
