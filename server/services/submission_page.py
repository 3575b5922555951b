"""One submission as an officer reads it: its answers labelled in the chosen language, the
versions it went through (edits on the phone), its files and the officers' comments.

Opening a record is reading personal data, so it is written to the audit log; the caller
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from server.domain.vocabulary import AreaHold, ReviewState
from server.formats.answer_sheet import Item, answer_sheet
from server.formats.instance import parse_xml
from server.services.submission_review import (
    Reader,
    Visible,
    form_outline,
    media_type,
    target_of,
    visible_submission,
)
from server.storage import accounts as audit
from server.storage import submission_review as queries
from server.storage.forms import find_version_by_id
from server.storage.models import SubmissionVersion
from server.storage.submissions import attachments_of, current_hold


@dataclass(frozen=True)
class VersionRow:
    id: int
    instance_id: str
    received_at: datetime
    submitted_by: str | None
    device_id: str | None
    current: bool


@dataclass(frozen=True)
class FileRow:
    name: str
    media_type: str
    arrived: bool


@dataclass(frozen=True)
class CommentRow:
    author: str
    at: datetime
    state: ReviewState | None
    body: str


@dataclass(frozen=True)
class SubmissionPage:
    xml_form_id: str
    form_title: str
    instance_id: str
    instance_name: str | None
    review_state: ReviewState
    issues: str | None
    village: str | None
    # Set when the current version names a place outside its sender's area: held (an officer
    # may apply or reject it), applied or rejected; with the sender's area.
    hold: AreaHold | None
    sender_area: str | None
    household_code: str | None
    head_name: str | None
    shown: VersionRow
    sheet: tuple[Item, ...]
    versions: tuple[VersionRow, ...]
    files: tuple[FileRow, ...]
    comments: tuple[CommentRow, ...]


def _version_rows(
    session: Session, submission_id: int
) -> list[tuple[SubmissionVersion, VersionRow]]:
    return [
        (v, VersionRow(v.id, v.instance_id, v.received_at, name, v.device_id, v.current))
        for v, name in queries.versions_of(session, submission_id)
    ]


def _comments(session: Session, submission_id: int) -> tuple[CommentRow, ...]:
    return tuple(
        CommentRow(author, c.at, ReviewState(c.review_state) if c.review_state else None, c.body)
        for c, author in queries.comments_of(session, submission_id)
    )


def _page(
    session: Session, visible: Visible, version_id: int | None, language: str
) -> SubmissionPage:
    submission, placement = visible.submission, visible.placement
    versions = _version_rows(session, submission.id)
    current = next((pair for pair in versions if pair[0].current), versions[-1])
    stored, shown = next((pair for pair in versions if pair[0].id == version_id), current)
    form_version = find_version_by_id(session, stored.form_version_id)
    sheet: tuple[Item, ...] = ()
    if form_version is not None:
        sheet = answer_sheet(form_outline(form_version.xform), parse_xml(stored.xml), language)
    files = tuple(
        FileRow(a.name, media_type(a.content_type, a.name), a.blob_sha256 is not None)
        for a in attachments_of(session, stored.id)
    )
    household = placement.household
    held = current_hold(session, submission.id)
    return SubmissionPage(
        xml_form_id=visible.form.xml_form_id,
        form_title=visible.form.title,
        instance_id=submission.instance_id,
        instance_name=stored.instance_name,
        review_state=ReviewState(submission.review_state),
        issues=submission.issues,
        village=placement.village.name if placement.village else None,
        hold=held.hold if held else None,
        sender_area=held.sender_area.name if held and held.sender_area else None,
        household_code=household.code if household else None,
        head_name=household.head_name if household else None,
        shown=shown,
        sheet=sheet,
        versions=tuple(row for _, row in versions),
        files=files,
        comments=_comments(session, submission.id),
    )


def open_submission(
    session: Session,
    reader: Reader,
    address: tuple[str, str],
    version_id: int | None,
    language: str,
) -> SubmissionPage:
    """The record at (form id, instanceID) as `reader` may see it; raises NotFound/Forbidden."""
    visible = visible_submission(session, reader, *address)
    page = _page(session, visible, version_id, language)
    audit.record(session, reader.user.id, "download", f"{target_of(visible)} (view)")
    return page
