"""Officers reading and reviewing submissions: the list of a form, one record with its answers,
versions, files and comments, and a change of its review state.

Every record is personal data: only the roles that may see personal data read it, only within
their area (a record with no known village, kept out of the registry, only by administrators),
and every reading is written to the audit log. A record held outside its sender's area
(services/write_scope.py) is seen from both areas, the sender's and the one it names, and an
officer of either may apply it to the registry or reject it (audited). The caller commits.
"""

from __future__ import annotations

import math
import mimetypes
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.domain.vocabulary import AreaHold, ReviewState, Role
from server.errors import AttachmentNotFound, Forbidden, InvalidInput, NotFound, NotHeldOutside
from server.formats.instance import parse_xml
from server.formats.xform_outline import Outline, read_outline
from server.services.accounts import StaffMember, require_personal_data
from server.services.areas import visible_area
from server.services.forms import DEFAULT_PROJECT_ID
from server.services.registry import after_store
from server.storage import accounts as audit
from server.storage import submission_review as queries
from server.storage import submissions as submission_queries
from server.storage.areas import is_within, villages_within
from server.storage.blobs import BlobStore, OpenedBlob
from server.storage.forms import find_form
from server.storage.models import Area, Form, Submission

PAGE_SIZE = 50
MAX_COMMENT = 2000
# The pages filter days as the cadres live them: in the configured zone (RASOAT_TIMEZONE),
# Vietnam's by default (UTC+7 all year).
LOCAL_TIME: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


@dataclass(frozen=True)
class Reader:
    """Who is looking, and the area they may see (None: everywhere)."""

    user: StaffMember
    scope: Area | None


@dataclass(frozen=True)
class ListRequest:
    xml_form_id: str | None = None
    area_code: str | None = None
    received_from: str | None = None
    received_to: str | None = None
    state: str | None = None
    page: int = 1
    zone: tzinfo = LOCAL_TIME  # the days of `received_from`/`received_to` are days there


@dataclass(frozen=True)
class FormChoice:
    xml_form_id: str
    title: str


@dataclass(frozen=True)
class SubmissionList:
    form: FormChoice | None
    forms: tuple[FormChoice, ...]
    total: int
    page: int
    pages: int
    rows: tuple[queries.ListedSubmission, ...]


@dataclass(frozen=True)
class Visible:
    form: Form
    submission: Submission
    placement: queries.Placement


# Days a record can have been received on; 9999-12-31 is a valid date whose next day is not.
_FIRST_DAY, _LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(field=field, detail=f"{value!r} is not a date") from exc
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise InvalidInput(field=field, detail=f"between {_FIRST_DAY} and {_LAST_DAY}")
    return day


def _day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def review_state(value: str | None, field: str = "state") -> ReviewState | None:
    if not value:
        return None
    try:
        return ReviewState(value)
    except ValueError as exc:
        raise InvalidInput(field=field, detail=f"{value!r}") from exc


def _filter(
    session: Session, reader: Reader, form: Form | None, wanted: ListRequest
) -> queries.SubmissionFilter:
    area = visible_area(session, reader.scope, wanted.area_code) if wanted.area_code else None
    start, end = _day(wanted.received_from, "from"), _day(wanted.received_to, "to")
    return queries.SubmissionFilter(
        form_id=form.id if form else None,
        scope_path=reader.scope.path if reader.scope else None,
        include_unplaced=reader.user.role == Role.ADMINISTRATOR,
        area_path=area.path if area else None,
        received_from=_day_start(start, wanted.zone) if start else None,
        received_before=_day_start(end + timedelta(days=1), wanted.zone) if end else None,
        state=review_state(wanted.state),
    )


def visible_filter(session: Session, reader: Reader, form: Form) -> queries.SubmissionFilter:
    """Every record of the form the reader may see (as the list page shows them, unfiltered)."""
    return _filter(session, reader, form, ListRequest())


def area_choices(session: Session, scope: Area | None) -> list[tuple[str, str]]:
    """(code, label) of the list's area filter: the communes (or other units above villages)
    within `scope`, each followed by its villages."""
    choices: list[tuple[str, str]] = []
    seen: set[str] = set()
    for village, above in villages_within(session, scope):
        if above.code not in seen:
            seen.add(above.code)
            choices.append((above.code, above.name))
        choices.append((village.code, f"— {village.name}"))
    return choices


def list_submissions(session: Session, reader: Reader, wanted: ListRequest) -> SubmissionList:
    """One page of the records the reader may see, newest first, filtered; of one form when
    `wanted` names one, else of every form (the page opens on all of them, so a person never
    lands on an empty form while another holds the records). The reading is audited."""
    require_personal_data(reader.user)
    forms = tuple(FormChoice(f.xml_form_id, f.title) for f in queries.all_forms(session))
    chosen = next((f for f in forms if f.xml_form_id == wanted.xml_form_id), None)
    if wanted.xml_form_id and chosen is None:
        raise NotFound(what=f"form {wanted.xml_form_id}")
    form = _form(session, chosen.xml_form_id) if chosen else None
    page = max(1, wanted.page)
    total, rows = queries.list_submissions(
        session, _filter(session, reader, form, wanted), (page - 1) * PAGE_SIZE, PAGE_SIZE
    )
    what = f"submissions {form.xml_form_id} (list)" if form else "submissions (list)"
    audit.record(session, reader.user.id, "download", what)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return SubmissionList(chosen, forms, total, page, pages, tuple(rows))


def _form(session: Session, xml_form_id: str, project_id: int = DEFAULT_PROJECT_ID) -> Form:
    form = find_form(session, project_id, xml_form_id)
    if form is None:
        raise NotFound(what=f"form {xml_form_id}")
    return form


def visible_submission(
    session: Session,
    reader: Reader,
    xml_form_id: str,
    instance_id: str,
    project_id: int = DEFAULT_PROJECT_ID,
) -> Visible:
    """The record, if the reader may see it: else NotFound, or Forbidden outside their area."""
    require_personal_data(reader.user)
    form = _form(session, xml_form_id, project_id)
    submission = queries.find_submission_of(session, form.id, instance_id)
    if submission is None:
        raise NotFound(what=f"submission {instance_id}")
    placement = queries.placement_of(session, submission.id)
    if not _may_see(reader, placement):
        raise Forbidden()
    return Visible(form, submission, placement)


def _may_see(reader: Reader, placement: queries.Placement) -> bool:
    sender = placement.sender_area
    if sender is not None and is_within(sender, reader.scope):
        return True  # held outside its sender's area: the sender's officers see it too
    if placement.village is None:
        return reader.user.role == Role.ADMINISTRATOR
    return is_within(placement.village, reader.scope)


def target_of(visible: Visible) -> str:
    """How the audit log names a record."""
    return f"submission {visible.form.xml_form_id} {visible.submission.instance_id}"


@lru_cache(maxsize=16)
def form_outline(xform: bytes) -> Outline:
    """Parsed once per form version while the process lives (published XForms never change)."""
    return read_outline(xform)


def review(
    session: Session,
    reader: Reader,
    xml_form_id: str,
    instance_id: str,
    state: str | None,
    comment: str,
    project_id: int = DEFAULT_PROJECT_ID,
) -> None:
    """Set a record's review state and/or comment on it; both are audited."""
    visible = visible_submission(session, reader, xml_form_id, instance_id, project_id)
    submission = visible.submission
    new_state = review_state(state) or ReviewState(submission.review_state)
    old_state = ReviewState(submission.review_state)
    comment = comment.strip()[:MAX_COMMENT]
    changed = new_state != old_state
    if not changed and not comment:
        raise InvalidInput(field="comment", detail="nothing to save")
    queries.record_review(session, submission, reader.user.id, new_state, comment)
    details = f"{old_state} → {new_state}" if changed else "comment"
    audit.record(session, reader.user.id, "submission.review", target_of(visible), details)


OUTSIDE = "outside the sender's area"  # the audit log's detail of a decision on a held record
APPLIED_NOTE = (
    "Đã đưa vào sổ hộ phiếu gửi từ ngoài địa bàn. / Applied to the registry a record sent "
    "from outside the sender's area."
)
REJECTED_NOTE = (
    "Đã từ chối phiếu gửi từ ngoài địa bàn; phiếu không được đưa vào sổ hộ. / Rejected a "
    "record sent from outside the sender's area; it is not applied to the registry."
)


def _held(
    session: Session, reader: Reader, xml_form_id: str, instance_id: str
) -> tuple[Visible, submission_queries.HeldVersion]:
    visible = visible_submission(session, reader, xml_form_id, instance_id)
    held = submission_queries.current_hold(session, visible.submission.id)
    if held is None or held.hold != AreaHold.HELD:
        raise NotHeldOutside(instance_id=instance_id)
    return visible, held


def apply_outside(session: Session, reader: Reader, xml_form_id: str, instance_id: str) -> None:
    """Apply a record held outside its sender's area to the registry, exactly as a record from
    inside would have been (its own issues, a conflict, are found then); audited."""
    visible, held = _held(session, reader, xml_form_id, instance_id)
    submission = visible.submission
    submission_queries.decide_hold(session, held.version_id, AreaHold.APPLIED)
    # The registry sets the record's issues anew: none, or what it finds (a conflict…).
    after_store(session, xml_form_id, submission.id, parse_xml(held.xml))
    state = ReviewState(submission.review_state)
    queries.record_review(session, submission, reader.user.id, state, APPLIED_NOTE)
    audit.record(session, reader.user.id, "submission.apply", target_of(visible), OUTSIDE)


def reject_outside(session: Session, reader: Reader, xml_form_id: str, instance_id: str) -> None:
    """Reject a record held outside its sender's area: it stays stored, never applied (an
    earlier version of an edited record stays applied); audited."""
    visible, held = _held(session, reader, xml_form_id, instance_id)
    submission_queries.decide_hold(session, held.version_id, AreaHold.REJECTED)
    queries.record_review(
        session, visible.submission, reader.user.id, ReviewState.REJECTED, REJECTED_NOTE
    )
    audit.record(session, reader.user.id, "submission.reject", target_of(visible), OUTSIDE)


@dataclass(frozen=True)
class DownloadableFile:
    name: str
    media_type: str
    opened: OpenedBlob  # the caller sends it and closes it


def media_type(stored: str | None, name: str) -> str:
    """The type the phone sent, if it is a plain type/subtype; else one guessed by name."""
    given = (stored or "").split(";")[0].strip().lower()
    if _MEDIA_TYPE.match(given):
        return given
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def attachment(
    session: Session,
    blobs: BlobStore,
    reader: Reader,
    address: tuple[str, str, str],
    version_id: int | None = None,
    project_id: int = DEFAULT_PROJECT_ID,
) -> DownloadableFile:
    """A file of a record (its current version unless `version_id` names another); audited."""
    xml_form_id, instance_id, name = address
    visible = visible_submission(session, reader, xml_form_id, instance_id, project_id)
    versions = [v for v, _ in queries.versions_of(session, visible.submission.id)]
    version = next(
        (v for v in versions if v.id == version_id or (not version_id and v.current)), None
    )
    found = queries.find_attachment(session, version.id, name) if version else None
    if found is None or found.blob_sha256 is None or not blobs.exists(found.blob_sha256):
        raise AttachmentNotFound(name=name)
    audit.record(session, reader.user.id, "download", f"{target_of(visible)} file {name}")
    return DownloadableFile(
        name, media_type(found.content_type, name), blobs.open(found.blob_sha256)
    )
