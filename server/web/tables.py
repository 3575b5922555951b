"""Pages for the tables and action lists, each with CSV and XLSX downloads.

A page shows the first rows of a long list (a phone cannot render 100,000 rows); the download
has them all. Lists carry personal data: they are for officers only, and every view or
download is written to the audit log.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import islice
from typing import Any

from flask import Response, redirect, render_template, url_for
from flask_babel import get_locale

from server.domain.vocabulary import Role
from server.downloads import TABLE_FORMATS, table_file
from server.extensions import db_session
from server.formats.tables import Table
from server.query_params import AREA, FORMAT, GROUP, INDICATOR, PERIOD, raw_query
from server.services import accounts, action_lists, commitments, reports
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import PledgeForm
from server.web.session import signed_in, viewer

# 500 rows of an action list made a 420 KB page: 150–400 ms to render on the bench VM, seconds for a
# phone to lay out (bench/pages.py); 200 rows keep the page light, the download has them all.
PAGE_ROWS = 200
OFFICERS = (Role.ADMINISTRATOR, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER)


def _area_code() -> str:
    return AREA.read() or reports.default_area_code(db_session(), viewer().scope)


def _period() -> int:
    return PERIOD.read() or reports.current_period(db_session())


def _download(table: Table, wanted: str) -> Response:
    name = f"{table.key}_{AREA.read() or ''}".rstrip("_")
    return table_file(table, wanted, name, str(get_locale() or "vi"))


def _show(table: Table, template_args: dict[str, Any]) -> Any:
    wanted = FORMAT.read()
    if wanted in TABLE_FORMATS:
        return _download(table, wanted)
    rows = list(islice(table.rows, PAGE_ROWS + 1))
    return render_template(
        "table.html",
        table=replace(table, rows=rows[:PAGE_ROWS]),
        more=len(rows) > PAGE_ROWS,
        children=reports.areas_below(db_session(), _area_code()),
        **template_args,
    )


@bp.get("/reports/summary")
@signed_in()
def summary_page() -> Any:
    period = _period()
    table = reports.review_summary(db_session(), viewer().scope, _area_code(), period)
    return _show(table, {"endpoint": "web.summary_page", "period": period})


@bp.get("/reports/followup")
@signed_in()
def followup_page() -> Any:
    table = reports.followup_table(db_session(), viewer().scope, _area_code(), date.today())
    return _show(table, {"endpoint": "web.followup_page", "period": None})


@bp.route("/reports/commitments", methods=["GET", "POST"])
@signed_in()
def commitments_page() -> Any:
    form = PledgeForm()
    if form.validate_on_submit() and viewer().can(*OFFICERS):
        with writing(db_session()):
            commitments.set_commitment(
                db_session(),
                viewer().scope,
                form.area.data or "",
                int(form.year.data or 0),
                int(form.pledged.data or 0),
            )
        return redirect(url_for("web.commitments_page", area=form.area.data, period=form.year.data))
    period = _period()
    table = commitments.commitments_table(db_session(), viewer().scope, _area_code(), period)
    return _show(table, {"endpoint": "web.commitments_page", "period": period, "form": form})


@bp.get("/lists/<kind>")
@signed_in(*OFFICERS)
def list_page(kind: str) -> Any:
    period = _period()
    wanted = action_lists.WantedList(
        kind,
        _area_code(),
        period,
        indicators=INDICATOR.read_all(),
        groups=GROUP.read_all(),
    )
    table = action_lists.action_list(db_session(), viewer().scope, wanted)
    action = "download" if FORMAT.read() in TABLE_FORMATS else "view"
    with writing(db_session()):
        accounts.record_download(db_session(), viewer(), f"list {kind} ({action})", raw_query())
    return _show(table, {"endpoint": "web.list_page", "kind": kind, "period": period})
