"""ODK Central's REST API over rasoat's records (odk-central-api.md): projects, forms and their
versions and fields, submissions (list, get, XML, create and edit by raw XML, review state,
comments, attachments), so that pyodk and other Central clients work.

Nothing here is a second path: a record created or edited over this API takes the OpenRosa
ingest (`services/submissions.receive_submission`) as the signed-in officer's own app user
(their web form's, `services/web_form_users`), so the registry, the write scope and the
deduplication rules are the phone's. Reading is scoped exactly as on the pages: forms for those
who may open the forms pages, records for those who may read personal data, within their area
(`services/submission_review.visible_submission`), every reading of a record audited. The
caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from server.domain.odata_filter import (
    Comparison,
    Condition,
    Logical,
    Negation,
    Ordering,
    parse_filter,
    parse_orderby,
)
from server.domain.vocabulary import FormState, ReviewState
from server.errors import (
    AttachmentNotFound,
    Forbidden,
    InvalidFilter,
    InvalidInput,
    InvalidSelect,
    NotFound,
    SelectWithExpand,
    UnsupportedExpand,
    UnsupportedQueryOption,
)
from server.formats.instance import parse_instance, parse_xml
from server.formats.odata import (
    ROOT_TABLE,
    Cursor,
    CursorValue,
    Node,
    RowContext,
    iso,
    metadata_document,
    read_skiptoken,
    repeat_rows,
    repeat_tables,
    schema_tree,
    selectable,
    selected,
    skiptoken,
    submission_row,
)
from server.formats.xform import SchemaField, schema_fields
from server.services import submission_review as review_service
from server.services.accounts import StaffMember, require_personal_data
from server.services.form_admin import VIEWERS
from server.services.submission_review import Reader, Visible, target_of, visible_submission
from server.services.submissions import (
    IncomingFile,
    IncomingSubmission,
    Outcome,
    receive_submission,
)
from server.storage import accounts as audit
from server.storage import forms as form_queries
from server.storage import submission_review as queries
from server.storage.blobs import BlobStore
from server.storage.models import AppUser, Form, FormVersion, Project, SubmissionComment
from server.storage.submissions import attachments_of

# Central's review states for ours; a record received and edited since is "edited".
CENTRAL_STATES: dict[ReviewState, str | None] = {
    ReviewState.RECEIVED: None,
    ReviewState.HAS_ISSUES: "hasIssues",
    ReviewState.APPROVED: "approved",
    ReviewState.REJECTED: "rejected",
}
EDITED = "edited"
_OURS = {central: ours for ours, central in CENTRAL_STATES.items()}
# Who sends a record over the API: the officer and their own app user (their web form's).
Sender = tuple[StaffMember, AppUser]
# A record as the API shows it, under a name the surfaces may import (they import no storage).
SubmissionFacts = queries.SubmissionFacts


@dataclass(frozen=True)
class FormFacts:
    """A form as one Central Form object shows it: at one version (the published one, unless
    a version is named), with the counts of `X-Extended-Metadata` when asked for."""

    form: Form
    version: FormVersion | None
    submissions: int | None = None
    last_submission: datetime | None = None


@dataclass(frozen=True)
class AttachmentFacts:
    name: str
    exists: bool


def central_state(facts: SubmissionFacts) -> str | None:
    state = CENTRAL_STATES[ReviewState(facts.submission.review_state)]
    return EDITED if state is None and facts.edits else state


def form_state(form: Form) -> str:
    """Central knows no "draft" state: a form not yet published is open, without publishedAt."""
    return FormState.OPEN.value if form.state == FormState.DRAFT else str(form.state)


def projects(session: Session, _member: StaffMember) -> list[Project]:
    """Every project: their names are no one's personal data (any signed-in person)."""
    return list(form_queries.all_projects(session))


def project(session: Session, _member: StaffMember, project_id: int) -> Project:
    found = form_queries.find_project(session, project_id)
    if found is None:
        raise NotFound(what=f"project {project_id}")
    return found


def _may_read_forms(member: StaffMember) -> None:
    if member.role not in VIEWERS:  # as the forms pages (services/form_admin.VIEWERS)
        raise Forbidden()


def _form(session: Session, member: StaffMember, project_id: int, xml_form_id: str) -> Form:
    _may_read_forms(member)
    project(session, member, project_id)
    found = form_queries.find_form(session, project_id, xml_form_id)
    if found is None:
        raise NotFound(what=f"form {xml_form_id}")
    return found


def _counted(session: Session, member: StaffMember, facts: FormFacts) -> FormFacts:
    """The counts of the records the member may see (a count outside their area is not theirs
    to know, as on the pages)."""
    reader = Reader(member, member.scope)
    wanted = review_service.visible_filter(session, reader, facts.form)
    count, last = queries.count_visible(session, wanted)
    return FormFacts(facts.form, facts.version, count, last)


def forms(
    session: Session, member: StaffMember, project_id: int, extended: bool = False
) -> list[FormFacts]:
    _may_read_forms(member)
    project(session, member, project_id)
    listed = [
        FormFacts(form, form_queries.published_version(session, form))
        for form in form_queries.forms_of(session, project_id)
    ]
    return [_counted(session, member, f) for f in listed] if extended else listed


def form(
    session: Session,
    member: StaffMember,
    address: tuple[int, str],
    extended: bool = False,
) -> FormFacts:
    found = _form(session, member, *address)
    facts = FormFacts(found, form_queries.published_version(session, found))
    return _counted(session, member, facts) if extended else facts


def form_xml(session: Session, member: StaffMember, address: tuple[int, str]) -> bytes:
    """The published XForm (or the draft of a form never published), byte for byte."""
    found = _form(session, member, *address)
    current = form_queries.published_version(session, found)
    version = current or form_queries.find_draft(session, found.id)
    if version is None:
        raise NotFound(what=f"XForm of form {found.xml_form_id}")
    return version.xform


def versions(session: Session, member: StaffMember, address: tuple[int, str]) -> list[FormFacts]:
    """Every published version, newest first (Central leaves the draft out)."""
    found = _form(session, member, *address)
    return [
        FormFacts(found, v)
        for v in form_queries.versions_of(session, found.id)
        if v.published_at is not None
    ]


def fields(
    session: Session, member: StaffMember, address: tuple[int, str], odata: bool
) -> tuple[SchemaField, ...]:
    return schema_fields(form_xml(session, member, address), odata=odata)


def _reader(member: StaffMember) -> Reader:
    return Reader(member, member.scope)


def _facts(session: Session, visible: Visible) -> SubmissionFacts:
    facts = queries.facts_of(session, visible.submission.id)
    if facts is None:  # a record always has a current version; never without one
        raise NotFound(what=f"submission {visible.submission.instance_id}")
    return facts


def submissions(
    session: Session, member: StaffMember, address: tuple[int, str]
) -> list[SubmissionFacts]:
    """Every record of the form the member may see, newest first; the reading is audited."""
    require_personal_data(member)
    project(session, member, address[0])
    found = form_queries.find_form(session, *address)
    if found is None:
        raise NotFound(what=f"form {address[1]}")
    rows = queries.every_submission(
        session, review_service.visible_filter(session, _reader(member), found)
    )
    audit.record(session, member.id, "download", f"submissions {found.xml_form_id} (list)")
    return rows


def _visible(session: Session, member: StaffMember, address: tuple[int, str, str]) -> Visible:
    project_id, xml_form_id, instance_id = address
    project(session, member, project_id)
    return visible_submission(session, _reader(member), xml_form_id, instance_id, project_id)


def submission(
    session: Session, member: StaffMember, address: tuple[int, str, str]
) -> SubmissionFacts:
    visible = _visible(session, member, address)
    audit.record(session, member.id, "download", f"{target_of(visible)} (view)")
    return _facts(session, visible)


def submission_xml(session: Session, member: StaffMember, address: tuple[int, str, str]) -> bytes:
    """The current version's XML exactly as received; audited."""
    visible = _visible(session, member, address)
    audit.record(session, member.id, "download", f"{target_of(visible)} (xml)")
    return _facts(session, visible).current.xml


@dataclass(frozen=True)
class RawSubmission:
    """A submission's XML sent to the API, with what the request says of where it comes from."""

    xml: bytes
    device_id: str | None
    user_agent: str | None


def _received(
    session: Session,
    blobs: BlobStore,
    sender: Sender,
    address: tuple[int, str],
    raw: RawSubmission,
    forward: bool,
) -> SubmissionFacts:
    """Into the OpenRosa ingest as the officer's own app user; the record as it now stands."""
    member, app_user = sender
    project_id, xml_form_id = address
    parsed = parse_instance(raw.xml)
    if parsed.form_id != xml_form_id:
        raise InvalidInput(
            field="id",
            detail=f"the XML is of form {parsed.form_id!r}, the URL names {xml_form_id!r}",
        )
    if (
        project_id != app_user.project_id
        or form_queries.find_form(session, project_id, xml_form_id) is None
    ):
        raise NotFound(what=f"form {xml_form_id}")
    incoming = IncomingSubmission(raw.xml, device_id=raw.device_id, user_agent=raw.user_agent)
    receipt = receive_submission(session, blobs, app_user, incoming, forward=forward)
    form = form_queries.find_form(session, project_id, xml_form_id)
    version = queries.version_of_submission(session, form.id, receipt.instance_id) if form else None
    facts = queries.facts_of(session, version.submission_id) if version else None
    if facts is None:  # the ingest stored it just now
        raise NotFound(what=f"submission {receipt.instance_id}")
    if receipt.outcome in (Outcome.DUPLICATE, Outcome.ATTACHMENTS_ADDED):
        # A copy of a stored record is answered with it only to those who may see it (a new
        # record is its sender's, held or not).
        instance_id = facts.submission.instance_id
        visible_submission(session, _reader(member), xml_form_id, instance_id, project_id)
    return facts


def create(
    session: Session,
    blobs: BlobStore,
    sender: Sender,
    address: tuple[int, str],
    raw: RawSubmission,
    *,
    forward: bool = False,
) -> SubmissionFacts:
    """A new record by raw XML (Central's `POST .../submissions`): the same instanceID with
    the same XML again is answered as before, with other XML a conflict (409.3)."""
    member = sender[0]
    require_personal_data(member)
    facts = _received(session, blobs, sender, address, raw, forward)
    target = f"submission {address[1]} {facts.submission.instance_id}"
    audit.record(session, member.id, "submission.create", target, "API")
    return facts


def edit(
    session: Session,
    blobs: BlobStore,
    sender: Sender,
    address: tuple[int, str, str],
    raw: RawSubmission,
    *,
    forward: bool = False,
) -> SubmissionFacts:
    """A new version of a record the editor may see (Central's `PUT`): its XML names the
    current version in meta/deprecatedID, as an edit from a phone does."""
    member = sender[0]
    visible = _visible(session, member, address)
    deprecated = parse_instance(raw.xml).deprecated_id
    if not deprecated:
        raise InvalidInput(
            field="meta/deprecatedID", detail="an edit names the version it replaces"
        )
    replaced = queries.version_of_submission(session, visible.form.id, deprecated)
    if replaced is None or replaced.submission_id != visible.submission.id:
        raise InvalidInput(
            field="meta/deprecatedID",
            detail=f"{deprecated} is not a version of {visible.submission.instance_id}",
        )
    facts = _received(session, blobs, sender, address[:2], raw, forward)
    audit.record(session, member.id, "submission.edit", target_of(visible), "API")
    return facts


def set_review_state(
    session: Session, member: StaffMember, address: tuple[int, str, str], state: str | None
) -> SubmissionFacts:
    """Central's review states (null, hasIssues, approved, rejected); audited as on the page.
    The state it has already is no change, and no write."""
    if state not in _OURS:
        raise InvalidInput(
            field="reviewState", detail=f"{state!r}: null, hasIssues, approved or rejected"
        )
    visible = _visible(session, member, address)
    ours = _OURS[state]
    if ours != visible.submission.review_state:
        project_id, xml_form_id, instance_id = address
        review_service.review(
            session, _reader(member), xml_form_id, instance_id, ours.value, "", project_id
        )
    return _facts(session, visible)


def comments(
    session: Session, member: StaffMember, address: tuple[int, str, str]
) -> list[SubmissionComment]:
    """The officers' words on a record, oldest first (a change of state without words is not
    a comment); audited."""
    visible = _visible(session, member, address)
    audit.record(session, member.id, "download", f"{target_of(visible)} (comments)")
    return [c for c, _ in queries.comments_of(session, visible.submission.id) if c.body]


def add_comment(
    session: Session, member: StaffMember, address: tuple[int, str, str], body: str
) -> SubmissionComment:
    if not body.strip():
        raise InvalidInput(field="body", detail="a comment has words")
    project_id, xml_form_id, instance_id = address
    visible = _visible(session, member, address)
    review_service.review(
        session, _reader(member), xml_form_id, instance_id, None, body, project_id
    )
    added = queries.last_comment(session, visible.submission.id)
    if added is None:  # written just now
        raise NotFound(what="comment")
    return added


def attachments(
    session: Session, member: StaffMember, address: tuple[int, str, str]
) -> list[AttachmentFacts]:
    """The files the current version names, and whether each has arrived; audited."""
    visible = _visible(session, member, address)
    current = _facts(session, visible).current
    audit.record(session, member.id, "download", f"{target_of(visible)} (files)")
    return [
        AttachmentFacts(a.name, a.blob_sha256 is not None)
        for a in attachments_of(session, current.id)
    ]


def add_attachment(
    session: Session,
    blobs: BlobStore,
    sender: Sender,
    address: tuple[int, str, str, str],
    upload: IncomingFile,
    *,
    forward: bool = False,
) -> None:
    """A file the record's current version names, uploaded (pyodk's `attachments=`): the
    record's own XML again with the file, through the ingest, as a phone sends its files in
    several posts; a file that arrived already keeps its first bytes, as over OpenRosa."""
    member, app_user = sender
    project_id, xml_form_id, instance_id, name = address
    visible = _visible(session, member, (project_id, xml_form_id, instance_id))
    current = _facts(session, visible).current
    if name not in {a.name for a in attachments_of(session, current.id) if a.referenced}:
        raise AttachmentNotFound(name=name)
    incoming = IncomingSubmission(current.xml, files=(upload,))
    receive_submission(session, blobs, app_user, incoming, forward=forward)
    target = f"{target_of(visible)} file {name}"
    audit.record(session, member.id, "submission.attachment", target, "API")


def attachment(
    session: Session,
    blobs: BlobStore,
    member: StaffMember,
    address: tuple[int, str, str, str],
) -> review_service.DownloadableFile:
    project_id, xml_form_id, instance_id, name = address
    project(session, member, project_id)
    return review_service.attachment(
        session, blobs, _reader(member), (xml_form_id, instance_id, name), None, project_id
    )


# --- The OData feed (odk-central-api.md §4) ----------------------------------------------------


@dataclass(frozen=True)
class FeedQuery:
    table: str
    top: int | None
    skip: int
    count: bool
    filter: str | None
    wkt: bool
    select: str | None = None
    skiptoken: str | None = None
    orderby: str | None = None
    expand: str | None = None


@dataclass(frozen=True)
class FeedPage:
    rows: list[dict[str, Any]]
    count: int | None
    next_token: str | None = None  # the cursor to the next page, when there is one


_FEED_STATES: dict[str | None, ReviewState] = {
    **_OURS,
    EDITED: ReviewState.RECEIVED,  # an edited record is one no officer has reviewed since
}


# What a filter may compare each field with (a string with a date column is no instant).
_FEED_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "instance_id": (str,),
    "submission_date": (datetime,),
    "updated_at": (datetime,),
    "submitter_id": (int,),
}


def _checked(condition: Condition) -> Condition:
    """The filter with each value of the type of its field, Central's review states as ours
    (null: a record not reviewed); else InvalidFilter naming the value."""
    if isinstance(condition, Negation):
        return Negation(_checked(condition.inner))
    if isinstance(condition, Logical):
        return Logical(condition.op, _checked(condition.left), _checked(condition.right))
    value = condition.value
    if condition.field == "review_state":
        if not (value is None or isinstance(value, str)) or value not in _FEED_STATES:
            raise InvalidFilter(reason=f"{value!r} is not a review state")
        return Comparison(condition.field, condition.op, _FEED_STATES[value].value, condition.part)
    if condition.part is not None:  # year(…) eq 2026: a whole number
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 10_000:
            raise InvalidFilter(reason=f"{value!r} cannot be compared with {condition.part}()")
        return condition
    kinds = _FEED_VALUE_TYPES[condition.field]
    wrong = value is not None and (not isinstance(value, kinds) or isinstance(value, bool))
    if wrong or (isinstance(value, int) and not -(2**31) <= value < 2**31):
        raise InvalidFilter(reason=f"{value!r} cannot be compared with {condition.field}")
    return condition


def _published_tree(session: Session, form: Form) -> tuple[Node, ...]:
    version = form_queries.published_version(session, form)
    if version is None:
        raise NotFound(what=f"published version of form {form.xml_form_id}")
    return schema_tree(version.xform)


def _feed_form(session: Session, member: StaffMember, address: tuple[int, str]) -> Form:
    require_personal_data(member)  # the feed is the records (the submission pages' readers)
    project(session, member, address[0])
    found = form_queries.find_form(session, *address)
    if found is None:
        raise NotFound(what=f"form {address[1]}")
    return found


def feed_tables(session: Session, member: StaffMember, address: tuple[int, str]) -> list[str]:
    """The tables of the form's feed: Submissions, then one per repeat."""
    tree = _published_tree(session, _feed_form(session, member, address))
    return [ROOT_TABLE, *repeat_tables(tree)]


def feed_metadata(session: Session, member: StaffMember, address: tuple[int, str]) -> str:
    found = _feed_form(session, member, address)
    return metadata_document(found.xml_form_id, _published_tree(session, found))


def system_columns(row: queries.FeedRow) -> dict[str, Any]:
    facts = row.facts
    return {
        "submissionDate": iso(facts.submission.created_at),
        "updatedAt": iso(row.updated_at),
        "submitterId": str(facts.submission.app_user_id or 0),
        "submitterName": row.submitter_name,
        "attachmentsPresent": row.attachments_present,
        "attachmentsExpected": row.attachments_expected,
        "status": None,
        "reviewState": central_state(facts),
        "deviceId": facts.current.device_id,
        "edits": facts.edits,
        "formVersion": row.form_version,
        "deletedAt": None,
    }


def _selection(tree: tuple[Node, ...], query: FeedQuery) -> tuple[str, ...]:
    paths = tuple(p.strip() for p in (query.select or "").split(",") if p.strip())
    if query.table != ROOT_TABLE:
        raise UnsupportedQueryOption(what="$select on a repeat table")
    wrong = [p for p in paths if not selectable(tree, p)]
    if wrong or not paths:
        raise InvalidSelect(detail=", ".join(wrong) or "empty")
    return paths


def _submission_rows(
    tree: tuple[Node, ...], rows: list[queries.FeedRow], wkt: bool, expand: bool = False
) -> list[dict[str, Any]]:
    return [
        submission_row(
            parse_xml(r.facts.current.xml),
            tree,
            system_columns(r),
            RowContext(r.facts.submission.instance_id, wkt, expand),
        )
        for r in rows
    ]


_INSTANTS = frozenset({"submission_date", "updated_at"})


def _token_key(keys: tuple[Ordering, ...], row: queries.FeedRow) -> tuple[CursorValue, ...]:
    """The row's values of the `$orderby` keys as the cursor writes them (instants in ISO
    8601 to the microsecond, in UTC: the next page compares them exactly)."""
    values: list[CursorValue] = []
    for ordering, value in zip(keys, row.key, strict=True):
        if ordering.field in _INSTANTS and isinstance(value, datetime):
            aware = value if value.tzinfo else value.replace(tzinfo=UTC)
            values.append(aware.astimezone(UTC).isoformat())
        else:
            values.append(value)
    return tuple(values)


def _seek_key(keys: tuple[Ordering, ...], cursor: Cursor) -> tuple[Any, ...]:
    """The cursor's values back as the columns hold them; InvalidInput naming $skiptoken
    when they do not fit the keys."""
    if len(cursor.key) != len(keys):
        raise InvalidInput(field="$skiptoken", detail="not a token this feed gave")
    values: list[Any] = []
    for ordering, value in zip(keys, cursor.key, strict=True):
        if value is None:
            values.append(None)
            continue
        try:
            if ordering.field in _INSTANTS:
                values.append(datetime.fromisoformat(str(value)))
            elif ordering.field == "submitter_id":
                values.append(int(value))
            else:
                values.append(str(value))
        except ValueError as exc:
            raise InvalidInput(field="$skiptoken", detail="not a token this feed gave") from exc
    return tuple(values)


@dataclass(frozen=True)
class _Reading:
    """What one request of the feed reads: the form, its fields, the records wanted, in which
    order and from which cursor."""

    form: Form
    tree: tuple[Node, ...]
    wanted: Any
    condition: Condition | None
    keys: tuple[Ordering, ...]
    order: str
    cursor: Cursor | None

    def seek(self, including: bool = False) -> queries.FeedOrder:
        if self.cursor is None:
            return queries.FeedOrder(self.keys)
        key = _seek_key(self.keys, self.cursor)
        return queries.FeedOrder(self.keys, self.cursor.after, key, including)

    def token(self, row: queries.FeedRow, table: str = ROOT_TABLE, index: int = 0) -> str:
        record = row.facts.submission.id
        where = Cursor(record, self.order, _token_key(self.keys, row), table, index)
        return skiptoken(self.form.xml_form_id, record, where)


_NAVIGATION = re.compile(r"[A-Za-z_][\w/.]*(?:\(.*\))?(?:\s*,\s*[A-Za-z_][\w/.]*)*")


def _expansion(query: FeedQuery) -> bool:
    """Whether `$expand=*` was asked; Central answers no other expansion (501.6), nor one
    beside `$select` (501.11), nor one on a repeat table."""
    if query.expand is None:
        return False
    if query.expand.strip() != "*":
        if not _NAVIGATION.fullmatch(query.expand.strip()):  # no expansion at all: a mistake
            raise InvalidInput(field="$expand", detail="* or a navigation property")
        raise UnsupportedExpand(what=f"$expand={query.expand.strip()}")
    if query.select:
        raise SelectWithExpand()
    if query.table != ROOT_TABLE:
        raise UnsupportedQueryOption(what="$expand on a repeat table")
    return True


def feed(
    session: Session, member: StaffMember, address: tuple[int, str], query: FeedQuery
) -> FeedPage:
    """One page of a table of the feed, of the records the member may see, newest first or in
    the `$orderby` asked; the reading is audited. `$filter` and `$orderby` apply to the
    records (a repeat table's rows follow their record, in the order of the form), `$top` and
    `$skip` to the table's rows; the next page continues from a cursor."""
    found = _feed_form(session, member, address)
    tree = _published_tree(session, found)
    repeats = repeat_tables(tree)
    if query.table != ROOT_TABLE and query.table not in repeats:
        raise NotFound(what=f"table {query.table}")
    condition = _checked(parse_filter(query.filter)) if query.filter else None
    keys, order = (
        parse_orderby(query.orderby, lambda member: selectable(tree, member))
        if query.orderby
        else ((), "")
    )
    chosen = _selection(tree, query) if query.select else None
    expand = _expansion(query)
    cursor = (
        read_skiptoken(query.skiptoken, found.xml_form_id, query.table, order)
        if query.skiptoken
        else None
    )
    wanted = review_service.visible_filter(session, _reader(member), found)
    audit.record(session, member.id, "download", f"submissions {found.xml_form_id} (odata)")
    reading = _Reading(found, tree, wanted, condition, keys, order, cursor)
    if query.table != ROOT_TABLE:
        return _repeat_page(session, reading, repeats[query.table][0], query)
    # One row more than the page: whether a next page exists, without a second query. A
    # cursor replaces $skip (Central ignores $skip beside $skiptoken).
    skip = 0 if cursor else query.skip
    window = (skip, None if query.top is None else query.top + 1)
    total, rows = queries.feed_rows(session, wanted, condition, window, reading.seek())
    more = bool(query.top) and len(rows) > (query.top or 0)  # $top=0: a count, no pages
    rows = rows[: query.top] if query.top is not None else rows
    shaped = [
        selected(row, chosen) if chosen else row
        for row in _submission_rows(tree, rows, query.wkt, expand)
    ]
    token = reading.token(rows[-1]) if more else None
    return FeedPage(shaped, total if query.count else None, token)


# Records read at once for a repeat table's page: its rows are known only once a record's XML
# is read, so the records come in batches until the page is full.
REPEAT_BATCH = 500


def _repeat_page(
    session: Session, reading: _Reading, path: tuple[Node, ...], query: FeedQuery
) -> FeedPage:
    """A page of a repeat table: the rows of the records in their order, each record's in the
    order of its XML; a cursor names the record and row the last page ended with (the cursor's
    record is read again, its rows up to that one left out)."""
    cursor = reading.cursor
    skip = 0 if cursor else query.skip
    # The rows the page needs: those skipped, the page, and one more to know a next exists;
    # all of them for $count.
    needed = None if query.top is None or query.count else skip + query.top + 1
    seen: list[tuple[queries.FeedRow, int, dict[str, Any]]] = []
    start = 0
    while needed is None or len(seen) < needed:
        _, batch = queries.feed_rows(
            session,
            reading.wanted,
            reading.condition,
            (start, REPEAT_BATCH),
            reading.seek(including=True),
        )
        for record in batch:
            rows = repeat_rows(
                parse_xml(record.facts.current.xml),
                path,
                RowContext(record.facts.submission.instance_id, query.wkt),
            )
            resumed = cursor is not None and record.facts.submission.id == cursor.after
            for index, row in enumerate(rows):
                if not (resumed and cursor is not None and index <= cursor.row):
                    seen.append((record, index, row))
        if len(batch) < REPEAT_BATCH:
            break
        start += REPEAT_BATCH
    end = None if query.top is None else skip + query.top
    page = seen[skip:end]
    more = query.top is not None and len(seen) > skip + query.top and bool(page)
    token = reading.token(page[-1][0], query.table, page[-1][1]) if more else None
    return FeedPage([row for _, _, row in page], len(seen) if query.count else None, token)
