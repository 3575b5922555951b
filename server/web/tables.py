"""Pages for the tables and action lists, each with CSV and XLSX downloads.

Every page has an area picker (the person's own subtree, by name) and, where the table is of
one review year, a year picker; the last choice is remembered in the session cookie, so moving
from one table to another keeps it, and the downloads name both. An action list shows one
household a row (a card on a phone), filtered and sorted on the page and paged; the download
has every row. Lists carry personal data: they are for officers only, and every view or
download is written to the audit log.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import islice
from typing import Any

from flask import redirect, render_template, session, url_for
from flask_babel import get_locale

from server.domain.vocabulary import Role
from server.downloads import TABLE_FORMATS, table_file
from server.extensions import db_session
from server.formats.tables import Table
from server.query_params import (
    AREA,
    FORMAT,
    GROUP,
    INDICATOR,
    PAGE,
    PERIOD,
    SORT,
    VIEW,
    VILLAGE,
    raw_query,
)
from server.services import accounts, action_lists, commitments, pickers, reports
from server.storage.transaction import writing
from server.web import bp
from server.web.forms import PledgeForm
from server.web.session import signed_in, viewer

# A summary has a few dozen rows; a page of a list shows 50 households (a card each on a
# phone), the download has them all.
PAGE_ROWS = 200
HOUSEHOLDS_A_PAGE = 50
OFFICERS = (Role.ADMINISTRATOR, Role.UPPER_OFFICER, Role.COMMUNE_OFFICER)
# The session cookie's keys of the last area and year chosen on a table page.
CHOSEN_AREA, CHOSEN_PERIOD = "table_area", "table_period"


def area_asked() -> str:
    wanted = AREA.read()
    if wanted:
        session[CHOSEN_AREA] = wanted  # checked by the service; a refused one is forgotten below
        return wanted
    scope = viewer().scope
    remembered = pickers.still_visible(db_session(), scope, session.get(CHOSEN_AREA))
    return remembered or reports.default_area_code(db_session(), scope)


def period_asked() -> int:
    wanted = PERIOD.read()
    if wanted:
        session[CHOSEN_PERIOD] = wanted
        return wanted
    remembered = session.get(CHOSEN_PERIOD)
    if isinstance(remembered, int):
        return remembered
    return reports.current_period(db_session())


def _file_name(table: Table, area: str, period: int | None) -> str:
    parts = [table.key, area]
    if period is not None and str(period) not in table.key:
        parts.append(str(period))
    return "_".join(p for p in parts if p)


def _pickers(area: str, period: int | None) -> dict[str, Any]:
    """What the pickers offer and show chosen (`period` None: a table not of one year)."""
    scope = viewer().scope
    current = reports.current_period(db_session())
    return {
        "area_code": area,
        "areas": pickers.area_choices(db_session(), scope),
        "period": period,
        "periods": pickers.period_choices(db_session(), current) if period else [],
    }


def show_table(
    table: Table,
    area: str,
    period: int | None,
    template_args: dict[str, Any],
    template: str = "table.html",
) -> Any:
    """The table as a file when ?format= asks for one, else as `template` (table.html or a page
    that extends it with its own forms)."""
    wanted = FORMAT.read()
    if wanted in TABLE_FORMATS:
        return table_file(table, wanted, _file_name(table, area, period), _language())
    rows = list(islice(table.rows, PAGE_ROWS + 1))
    return render_template(
        template,
        table=replace(table, rows=rows[:PAGE_ROWS]),
        more=len(rows) > PAGE_ROWS,
        children=reports.areas_below(db_session(), area),
        kept={"area": area, "period": period},
        **_pickers(area, period),
        **template_args,
    )


def _language() -> str:
    return str(get_locale() or "vi")


@bp.get("/reports/summary")
@signed_in()
def summary_page() -> Any:
    area, period = area_asked(), period_asked()
    table = reports.review_summary(db_session(), viewer().scope, area, period)
    return show_table(table, area, period, {"endpoint": "web.summary_page"})


@bp.get("/reports/followup")
@signed_in()
def followup_page() -> Any:
    area = area_asked()
    table = reports.followup_table(db_session(), viewer().scope, area, date.today())
    return show_table(table, area, None, {"endpoint": "web.followup_page"})


@bp.route("/reports/commitments", methods=["GET", "POST"])
@signed_in()
def commitments_page() -> Any:
    form = PledgeForm()
    choices = pickers.area_choices(db_session(), viewer().scope)
    form.area.choices = [(a.code, "\u00a0\u00a0" * a.depth + a.name) for a in choices]
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
    area, period = area_asked(), period_asked()
    if not form.is_submitted():
        form.area.data, form.year.data = area, period
    table = commitments.commitments_table(db_session(), viewer().scope, area, period)
    return show_table(table, area, period, {"endpoint": "web.commitments_page", "form": form})


@bp.get("/lists/<kind>")
@signed_in(*OFFICERS)
def list_page(kind: str) -> Any:
    area = area_asked()
    period = period_asked() if kind in action_lists.YEARLY else None
    wanted = action_lists.WantedList(
        kind,
        area,
        period,
        indicators=INDICATOR.read_all(),
        groups=GROUP.read_all(),
        village=VILLAGE.read(),
    )
    table = action_lists.action_list(db_session(), viewer().scope, wanted)
    file_format = FORMAT.read()
    action = "download" if file_format in TABLE_FORMATS else "view"
    with writing(db_session()):
        accounts.record_download(db_session(), viewer(), f"list {kind} ({action})", raw_query())
    if file_format in TABLE_FORMATS:
        if VIEW.read() == "households":
            table = action_lists.household_table(table)
        return table_file(table, file_format, _file_name(table, area, period), _language())
    listed = action_lists.family_page(table, PAGE.read() or 1, HOUSEHOLDS_A_PAGE, SORT.read())
    kept = {
        "kind": kind,
        "area": area,
        "period": period,
        "indicator": wanted.indicators,
        "group": wanted.groups,
        "village": wanted.village,
        "sort": SORT.read(),
    }
    return render_template(
        "list.html",
        table=table,
        endpoint="web.list_page",
        kind=kind,
        listed=listed,
        kept={k: v for k, v in kept.items() if v},
        filters={
            "indicators": action_lists.indicator_choices(period or period_asked())
            if kind == "deficiencies"
            else [],
            "groups": action_lists.group_choices(),
            "villages": pickers.village_choices(db_session(), viewer().scope, area),
            "sorts": action_lists.SORTS,
            "chosen": wanted,
            "sort": SORT.read() or "village",
        },
        **_pickers(area, period),
    )
