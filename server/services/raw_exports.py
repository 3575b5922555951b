"""A form's records as a file (issue 16, part 6): Central's `.csv.zip` or an XLSX, from the
submissions page, the Central API and `rasoat export`.

The records are those the OData feed shows the same person (`services/central`): readers of
personal data only, within their area (an `area` narrows it further, inside it), every export
audited as a download of personal data. The records are read in batches and written as they
come, so a big form never sits in memory. The caller commits (the audit event).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import IO

from sqlalchemy.orm import Session

from server.errors import InvalidInput, NotFound
from server.formats.instance import parse_stored_xml
from server.formats.raw_export import (
    CSV,
    CSV_ZIP,
    XLSX,
    ExportOptions,
    ExportPlan,
    ExportRecord,
    export_plan,
    write_csv,
    write_csv_zip,
    write_xlsx,
)
from server.services import submission_review as review_service
from server.services.accounts import StaffMember, require_personal_data
from server.services.areas import visible_area
from server.services.central import project, system_columns
from server.services.submission_review import Reader
from server.storage import accounts as audit
from server.storage import forms as form_queries
from server.storage import submission_review as queries
from server.storage.models import Form

FORMATS = (CSV_ZIP, CSV, XLSX)
BATCH = 500  # records read per query


@dataclass(frozen=True)
class ExportRequest:
    project_id: int
    xml_form_id: str
    file_format: str  # csv.zip or xlsx
    options: ExportOptions = field(default_factory=ExportOptions)
    area_code: str | None = None


def _form(session: Session, request: ExportRequest) -> Form:
    found = form_queries.find_form(session, request.project_id, request.xml_form_id)
    if found is None:
        raise NotFound(what=f"form {request.xml_form_id}")
    return found


def _wanted(
    session: Session, member: StaffMember | None, form: Form, area_code: str | None
) -> queries.SubmissionFilter:
    """The records the member may read (None: this machine's operator, every record), within
    `area_code` when given (which must lie inside what they may see)."""
    scope = member.scope if member is not None else None
    if member is not None:
        wanted = review_service.visible_filter(session, Reader(member, scope), form)
    else:
        wanted = queries.SubmissionFilter(form.id, None, include_unplaced=True)
    if area_code:
        wanted = replace(wanted, area_path=visible_area(session, scope, area_code).path)
    return wanted


def _records(session: Session, wanted: queries.SubmissionFilter) -> Iterator[ExportRecord]:
    """Every wanted record, newest first, a batch at a time."""
    skip = 0
    while True:
        _, rows = queries.feed_rows(session, wanted, None, (skip, BATCH))
        for row in rows:
            yield ExportRecord(
                row.facts.submission.instance_id,
                parse_stored_xml(row.facts.current.xml),
                system_columns(row),
            )
        if len(rows) < BATCH:
            return
        skip += BATCH


@dataclass(frozen=True)
class PreparedExport:
    """What `write` needs, checked and audited: the records wanted, the layout, the name."""

    wanted: queries.SubmissionFilter
    plan: ExportPlan
    file_format: str
    filename: str


def prepare(session: Session, member: StaffMember | None, request: ExportRequest) -> PreparedExport:
    """Check the member may export this form (None: this machine's operator) and audit it
    (the caller commits: a short write unit, before the long reading)."""
    if request.file_format not in FORMATS:
        raise InvalidInput(field="format", detail=" or ".join(FORMATS))
    if member is not None:
        require_personal_data(member)
        project(session, member, request.project_id)
    found = _form(session, request)
    version = form_queries.published_version(session, found)
    if version is None:
        raise NotFound(what=f"published version of form {found.xml_form_id}")
    wanted = _wanted(session, member, found, request.area_code)
    plan = export_plan(found.xml_form_id, version.xform, request.options)
    target = f"submissions {found.xml_form_id} ({request.file_format})"
    audit.record(session, member.id if member else None, "download", target)
    return PreparedExport(
        wanted, plan, request.file_format, f"{found.xml_form_id}.{request.file_format}"
    )


def write(session: Session, prepared: PreparedExport, out: IO[bytes]) -> int:
    """Write the prepared export to `out`; returns how many records it holds."""
    writer = {CSV_ZIP: write_csv_zip, CSV: write_csv, XLSX: write_xlsx}[prepared.file_format]
    return writer(prepared.plan, _records(session, prepared.wanted), out)
