"""The poverty tables as OData (`reports.svc`), so a workbook refreshes them with one click:
the review summary, the follow-up, the commitments and the four action lists, each an entity
set whose rows are the table the page shows for the same area and year (built by the same
services, so the same scoping: an area outside the reader's is refused as on the pages).

`$filter` chooses the table (`area eq '468' and period eq 2026`, domain/report_filter.py);
without it a set is of the reader's own area (the top of the tree for the province) and the
latest review year, as the pages open. The action lists are personal data: only officers read
them, and every reading is written to the audit log as a download is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from server.domain.report_filter import TableChoice, read_choice
from server.domain.standards import load_standards
from server.errors import InvalidFilter, NotFound
from server.formats.report_feed import (
    COLUMN_NAMES,
    ReportSet,
    column_names,
    feed_rows,
    metadata_document,
    union_of,
)
from server.formats.tables import Table
from server.services import action_lists, commitments, reports
from server.services.accounts import PERSONAL_DATA_ROLES, StaffMember, record_download
from server.services.central import project
from server.storage import forms as form_queries
from server.storage.models import Area

# The most rows one page gives: a client that wants more follows `@odata.nextLink` (Excel and
# Power BI do). Each page builds its table again, so pages are large.
PAGE_LIMIT = 10_000

Build = Callable[[Session, Area | None, TableChoice], Table]


@dataclass(frozen=True)
class Report:
    described: ReportSet
    build: Build
    personal: bool  # an action list: households by name, for officers, audited


def _year(choice: TableChoice) -> int:
    if choice.period is None:  # _chosen always sets it for a yearly set
        raise InvalidFilter(reason="period is missing")
    return choice.period


def _area(choice: TableChoice) -> str:
    return choice.area or ""


def _list(kind: str) -> Build:
    def build(session: Session, scope: Area | None, choice: TableChoice) -> Table:
        period = choice.period if kind in action_lists.YEARLY else None
        wanted = action_lists.WantedList(kind, _area(choice), period)
        return action_lists.action_list(session, scope, wanted)

    return build


_SUMMARY_COLUMNS = union_of(*(reports.summary_columns(s) for s in load_standards()))
REPORTS: dict[str, Report] = {
    report.described.name: report
    for report in (
        Report(
            ReportSet(
                "TongHop",
                "Tổng hợp kết quả rà soát hộ nghèo, hộ cận nghèo",
                "Summary of the poor and near-poor household review",
                _SUMMARY_COLUMNS,
                yearly=True,
            ),
            lambda s, scope, c: reports.review_summary(s, scope, _area(c), _year(c)),
            personal=False,
        ),
        Report(
            ReportSet(
                "TheoDoi",
                "Theo dõi hộ mới thoát nghèo",
                "Follow-up of households that recently left poverty",
                reports.FOLLOWUP_COLUMNS,
                yearly=False,
            ),
            lambda s, scope, c: reports.followup_table(s, scope, _area(c), date.today()),
            personal=False,
        ),
        Report(
            ReportSet(
                "ChiTieu",
                "Chỉ tiêu giảm nghèo và kết quả",
                "Poverty-reduction commitments and results",
                commitments.COMMITMENT_COLUMNS,
                yearly=True,
            ),
            lambda s, scope, c: commitments.commitments_table(s, scope, _area(c), _year(c)),
            personal=False,
        ),
        Report(
            ReportSet(
                "ThieuHut",
                "Danh sách hộ thiếu hụt và hỗ trợ đề xuất",
                "Households, deficiencies and suggested support",
                action_lists.DEFICIENCY_COLUMNS,
                yearly=True,
            ),
            _list(action_lists.DEFICIENCIES),
            personal=True,
        ),
        Report(
            ReportSet(
                "CanTham",
                "Hộ mới thoát nghèo cần đến thăm",
                "Newly exited households due for a visit",
                action_lists.DUE_VISIT_COLUMNS,
                yearly=False,
            ),
            _list(action_lists.DUE_VISITS),
            personal=True,
        ),
        Report(
            ReportSet(
                "NguyCo",
                "Hộ có nguy cơ tái nghèo",
                "Households at risk of relapse",
                action_lists.RELAPSE_COLUMNS,
                yearly=False,
            ),
            _list(action_lists.RELAPSE_RISK),
            personal=True,
        ),
        Report(
            ReportSet(
                "ThoatNgheo",
                "Hộ thoát nghèo trong năm",
                "Households that left poverty in the year",
                action_lists.EXITED_COLUMNS,
                yearly=True,
            ),
            _list(action_lists.EXITED),
            personal=True,
        ),
    )
}


@dataclass(frozen=True)
class ReportQuery:
    entity_set: str
    top: int | None = None
    skip: int = 0
    count: bool = False
    filter: str | None = None


@dataclass(frozen=True)
class ReportPage:
    rows: list[dict[str, Any]]
    count: int | None
    next_skip: int | None  # where the next page starts, when there is one
    next_top: int  # the size of the next page


def _readable(member: StaffMember) -> list[Report]:
    """The sets the member may read: the lists only for those who read personal data."""
    return [r for r in REPORTS.values() if not r.personal or member.role in PERSONAL_DATA_ROLES]


def entity_sets(session: Session, member: StaffMember, project_id: int) -> list[str]:
    project(session, member, project_id)
    return [*(r.described.name for r in _readable(member)), COLUMN_NAMES]


def metadata(session: Session, member: StaffMember, project_id: int) -> str:
    project(session, member, project_id)
    return metadata_document(r.described for r in _readable(member))


def _report(member: StaffMember, name: str) -> Report:
    found = next((r for r in _readable(member) if r.described.name == name), None)
    if found is None:
        # A list an unauthorised reader asks for is as absent as a set there is not.
        raise NotFound(what=f"entity set {name}")
    return found


def _chosen(session: Session, member: StaffMember, report: Report, text: str | None) -> TableChoice:
    """The area and year the filter chose, else the pages' defaults; a year given to a table
    not of one year is refused by name (it has no `period` column to filter)."""
    choice = read_choice(text) if text else TableChoice()
    if choice.period is not None and not report.described.yearly:
        raise InvalidFilter(reason=f"{report.described.name} is not of one year: no period")
    area = choice.area or reports.default_area_code(session, member.scope)
    period = choice.period or reports.current_period(session)
    return TableChoice(area, period if report.described.yearly else None)


def page_of(
    rows: Iterator[dict[str, Any]], query: ReportQuery, limit: int = PAGE_LIMIT
) -> ReportPage:
    """One page of the rows: `$top` is the page's size, as on Central's feeds (a next page is
    linked when rows remain), at most `limit`; the count reads the rest without keeping it."""
    size = min(limit, query.top if query.top is not None else limit)
    skipped = sum(1 for _ in islice(rows, query.skip))
    page = list(islice(rows, size))
    beyond = list(islice(rows, 1))  # one more row: whether a next page exists
    count = skipped + len(page) + len(beyond) + sum(1 for _ in rows) if query.count else None
    if not beyond or not page:  # $top=0 asks for a count, not for pages
        return ReportPage(page, count, None, size)
    return ReportPage(page, count, query.skip + len(page), size)


def feed(
    session: Session, member: StaffMember, project_id: int, query: ReportQuery
) -> ReportPage:
    """One page of a set; the reading of an action list is audited (it names households)."""
    project(session, member, project_id)
    if query.entity_set == COLUMN_NAMES:
        if query.filter:  # its rows are no table of an area: nothing to choose
            raise InvalidFilter(reason=f"{COLUMN_NAMES} has no area or period to choose")
        rows = iter(column_names(r.described for r in _readable(member)))
        return page_of(rows, query)
    report = _report(member, query.entity_set)
    choice = _chosen(session, member, report, query.filter)
    table = report.build(session, member.scope, choice)
    if report.personal:
        details = f"area={choice.area} period={choice.period or ''}"
        record_download(session, member, f"list {report.described.name} (odata)", details)
    return page_of(feed_rows(report.described, table, _area(choice), choice.period), query)


# --- the "Connect Excel / Power BI" page ----------------------------------------------------------


@dataclass(frozen=True)
class FeedAddress:
    """A feed a person may read: what it holds and its path on this server."""

    title: str
    path: str
    kind: str  # "reports" (the tables) or "form" (a form's records)
    sets: tuple[tuple[str, str], ...] = ()  # a reports feed's entity sets: (name, title in vi)


def feed_addresses(session: Session, member: StaffMember) -> list[FeedAddress]:
    """The feeds of the person's page: the tables (of the first project: every project's is
    the same registry) and, for those who read records, each published form's Submissions."""
    projects = list(form_queries.all_projects(session))
    if not projects:
        return []
    sets = tuple((r.described.name, r.described.title_vi) for r in _readable(member))
    first = projects[0].id
    found = [FeedAddress("", f"/v1/projects/{first}/reports.svc", "reports", sets)]
    if member.role not in PERSONAL_DATA_ROLES:
        return found
    for each in projects:
        for form in form_queries.forms_of(session, each.id):
            if form.published_version_id is not None:
                path = f"/v1/projects/{each.id}/forms/{quote(form.xml_form_id)}.svc"
                found.append(FeedAddress(form.title or form.xml_form_id, path, "form"))
    return found
