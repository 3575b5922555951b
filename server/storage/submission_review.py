"""Queries behind the submission pages: the filtered list, where a record lies (its village,
through the registry), its versions, attachments and officers' comments.

A record's village is the one its household review was placed in (a household survey) or its
visited household's village (a follow-up visit); for a record held outside its sender's area,
the village it names; a record otherwise kept out of the registry has none. A held record is
also seen from its sender's area (services/write_scope.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, exists, extract, false, func, not_, or_, select
from sqlalchemy.orm import Session, aliased

from server.domain.odata_filter import Condition, Logical, Negation, Ordering
from server.domain.vocabulary import ReviewState
from server.storage.models import (
    AppUser,
    Area,
    FollowupVisit,
    Form,
    FormVersion,
    Household,
    HouseholdReview,
    Submission,
    SubmissionAttachment,
    SubmissionComment,
    SubmissionVersion,
    User,
    utcnow_ms,
)


@dataclass(frozen=True)
class SubmissionFilter:
    # One form's records; None: every form's (the list opens on all of them).
    form_id: int | None
    # Only records whose village lies under this path; None: anywhere.
    scope_path: str | None
    # Records with no known village (kept out of the registry): administrators only.
    include_unplaced: bool
    area_path: str | None = None
    received_from: datetime | None = None
    received_before: datetime | None = None
    state: ReviewState | None = None


@dataclass(frozen=True)
class ListedSubmission:
    instance_id: str
    household_code: str | None
    head_name: str | None
    village_name: str | None
    submitted_by: str | None
    received_at: datetime
    review_state: ReviewState
    xml_form_id: str
    form_title: str


@dataclass(frozen=True)
class Placement:
    village: Area | None
    household: Household | None
    # The area of the sender of a current version held outside it (else None).
    sender_area: Area | None = None


def _held_current() -> ColumnElement[bool]:
    """The record's current version, when it was held outside its sender's area."""
    return (
        (SubmissionVersion.submission_id == Submission.id)
        & SubmissionVersion.current.is_(True)
        & SubmissionVersion.area_hold.is_not(None)
    )


def _sender_within(scope_path: str) -> ColumnElement[bool]:
    """The record's current version was held outside its sender's area, which lies in scope."""
    sender = aliased(Area)
    return exists(
        select(SubmissionVersion.id)
        .join(sender, sender.id == SubmissionVersion.sender_area_id)
        .where(_held_current(), sender.path.startswith(scope_path))
    )


def _through_registry(review_column: Any, household_column: Any) -> ColumnElement[Any]:
    """A column of the record's household review, else of the household its visit names."""
    by_review = (
        select(review_column)
        .where(HouseholdReview.submission_id == Submission.id)
        .order_by(HouseholdReview.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    by_visit = (
        select(household_column)
        .join(FollowupVisit, FollowupVisit.household_id == Household.id)
        .where(FollowupVisit.submission_id == Submission.id)
        .scalar_subquery()
    )
    return func.coalesce(by_review, by_visit)


def _village_id() -> ColumnElement[Any]:
    """The record's village in the registry, else the one its held version names."""
    named = select(SubmissionVersion.named_village_id).where(_held_current()).scalar_subquery()
    return func.coalesce(_through_registry(HouseholdReview.village_id, Household.village_id), named)


def _household_id() -> ColumnElement[Any]:
    return _through_registry(HouseholdReview.household_id, Household.id)


def _filtered(query: Any, village: Any, wanted: SubmissionFilter) -> Any:
    if wanted.form_id is not None:
        query = query.where(Submission.form_id == wanted.form_id)
    if wanted.scope_path is not None:
        inside = or_(village.path.startswith(wanted.scope_path), _sender_within(wanted.scope_path))
        query = query.where(
            or_(inside, village.id.is_(None)) if wanted.include_unplaced else inside
        )
    elif not wanted.include_unplaced:
        query = query.where(village.id.is_not(None))
    if wanted.area_path is not None:
        query = query.where(village.path.startswith(wanted.area_path))
    if wanted.received_from is not None:
        query = query.where(Submission.created_at >= wanted.received_from)
    if wanted.received_before is not None:
        query = query.where(Submission.created_at < wanted.received_before)
    if wanted.state is not None:
        query = query.where(Submission.review_state == wanted.state)
    return query


def list_submissions(
    session: Session, wanted: SubmissionFilter, offset: int, limit: int
) -> tuple[int, list[ListedSubmission]]:
    """(how many match, one page of them, newest first)."""
    village, household = aliased(Area), aliased(Household)
    base = (
        select(Submission.id)
        .outerjoin(village, village.id == _village_id())
        .outerjoin(household, household.id == _household_id())
        .outerjoin(AppUser, AppUser.id == Submission.app_user_id)
        .join(Form, Form.id == Submission.form_id)
    )
    total = session.scalar(
        select(func.count()).select_from(_filtered(base, village, wanted).subquery())
    )
    query = base.with_only_columns(
        Submission.instance_id,
        household.code,
        household.head_name,
        village.name,
        AppUser.display_name,
        Submission.created_at,
        Submission.review_state,
        Form.xml_form_id,
        Form.title,
    )
    query = _filtered(query, village, wanted).order_by(
        Submission.created_at.desc(), Submission.id.desc()
    )
    rows = session.execute(query.offset(offset).limit(limit))
    return total or 0, [ListedSubmission(*row) for row in rows]


def find_submission_of(session: Session, form_id: int, instance_id: str) -> Submission | None:
    query = select(Submission).where(
        Submission.form_id == form_id, Submission.instance_id == instance_id
    )
    return session.scalars(query).first()


def placement_of(session: Session, submission_id: int) -> Placement:
    village_id = session.scalar(select(_village_id()).where(Submission.id == submission_id))
    household_id = session.scalar(select(_household_id()).where(Submission.id == submission_id))
    sender_id = session.scalar(
        select(SubmissionVersion.sender_area_id).where(
            SubmissionVersion.submission_id == submission_id,
            SubmissionVersion.current.is_(True),
            SubmissionVersion.area_hold.is_not(None),
        )
    )
    return Placement(
        session.get(Area, village_id) if village_id else None,
        session.get(Household, household_id) if household_id else None,
        session.get(Area, sender_id) if sender_id else None,
    )


def versions_of(
    session: Session, submission_id: int
) -> Sequence[tuple[SubmissionVersion, str | None]]:
    """Every version of a record, oldest first, with the name of the phone that sent it."""
    query = (
        select(SubmissionVersion, AppUser.display_name)
        .outerjoin(AppUser, AppUser.id == SubmissionVersion.app_user_id)
        .where(SubmissionVersion.submission_id == submission_id)
        .order_by(SubmissionVersion.id)
    )
    return [(version, name) for version, name in session.execute(query)]


def find_attachment(session: Session, version_id: int, name: str) -> SubmissionAttachment | None:
    query = select(SubmissionAttachment).where(
        SubmissionAttachment.submission_version_id == version_id,
        SubmissionAttachment.name == name,
    )
    return session.scalars(query).first()


def comments_of(session: Session, submission_id: int) -> Sequence[tuple[SubmissionComment, str]]:
    """The comments on a record, oldest first, with their author's name."""
    query = (
        select(SubmissionComment, User.display_name)
        .join(User, User.id == SubmissionComment.user_id)
        .where(SubmissionComment.submission_id == submission_id)
        .order_by(SubmissionComment.at, SubmissionComment.id)
    )
    return [(comment, author) for comment, author in session.execute(query)]


def record_review(
    session: Session, submission: Submission, user_id: int, state: ReviewState, body: str
) -> None:
    """An officer's review: the record takes `state`, and the comment names it when it
    changed (an empty body for a change without words)."""
    changed = state != submission.review_state
    submission.review_state = state
    now = utcnow_ms()
    if changed:
        submission.changed_at = now
    session.add(
        SubmissionComment(
            submission_id=submission.id,
            user_id=user_id,
            review_state=state if changed else None,
            body=body,
            at=now,
        )
    )


def all_forms(session: Session) -> Sequence[Form]:
    """Every form, by title (the submission pages offer them in a menu)."""
    return list(session.scalars(select(Form).order_by(Form.title, Form.xml_form_id)))


@dataclass(frozen=True)
class SubmissionFacts:
    """A record as ODK Central's API shows it: the record, its current version and how many
    times it was edited (versions after the first)."""

    submission: Submission
    current: SubmissionVersion
    edits: int


def _facts(session: Session, query: Any) -> list[SubmissionFacts]:
    every = aliased(SubmissionVersion)
    versions = (
        select(func.count(every.id) - 1)
        .where(every.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery()
    )
    # An alias: the village's subqueries name SubmissionVersion and must not correlate to it.
    current = aliased(SubmissionVersion)
    rows = session.execute(
        query.with_only_columns(Submission, current, versions)
        .join(current, (current.submission_id == Submission.id) & current.current.is_(True))
        .order_by(Submission.created_at.desc(), Submission.id.desc())
    )
    return [SubmissionFacts(s, v, int(edits or 0)) for s, v, edits in rows]


def every_submission(session: Session, wanted: SubmissionFilter) -> list[SubmissionFacts]:
    """Every record of the filter, newest first, unpaged (pyodk reads a list whole)."""
    village = aliased(Area)
    base = select(Submission.id).outerjoin(village, village.id == _village_id())
    return _facts(session, _filtered(base, village, wanted))


def facts_of(session: Session, submission_id: int) -> SubmissionFacts | None:
    found = _facts(session, select(Submission.id).where(Submission.id == submission_id))
    return found[0] if found else None


def count_visible(session: Session, wanted: SubmissionFilter) -> tuple[int, datetime | None]:
    """How many records of the filter, and when the newest of them arrived."""
    village = aliased(Area)
    base = select(Submission.id).outerjoin(village, village.id == _village_id())
    inner = _filtered(base.add_columns(Submission.created_at), village, wanted).subquery()
    count, last = session.execute(
        select(func.count(), func.max(inner.c.created_at)).select_from(inner)
    ).one()
    return int(count or 0), last


def version_of_submission(
    session: Session, form_id: int, instance_id: str
) -> SubmissionVersion | None:
    """The version with this instanceID, of any record of the form."""
    query = select(SubmissionVersion).where(
        SubmissionVersion.form_id == form_id, SubmissionVersion.instance_id == instance_id
    )
    return session.scalars(query).first()


def last_comment(session: Session, submission_id: int) -> SubmissionComment | None:
    query = (
        select(SubmissionComment)
        .where(SubmissionComment.submission_id == submission_id)
        .order_by(SubmissionComment.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


# --- ODK Central's OData feed ----------------------------------------------------------------


@dataclass(frozen=True)
class FeedRow:
    """A record as a row of the OData feed: its facts and Central's `__system` columns."""

    facts: SubmissionFacts
    submitter_name: str | None
    attachments_present: int
    attachments_expected: int
    form_version: str
    updated_at: datetime | None
    key: tuple[Any, ...] = ()  # the record's values of the `$orderby` keys, in their order


@dataclass(frozen=True)
class FeedOrder:
    """How a page of the feed is sorted and where it starts: `keys` ((): newest first), and
    after which record (`after`: its id; `key`: its values of the keys) when a cursor says."""

    keys: tuple[Ordering, ...] = ()
    after: int | None = None
    key: tuple[Any, ...] = ()
    including: bool = False  # that record too (a repeat table resumes inside it)


def _after(column: ColumnElement[Any], descending: bool, value: Any) -> ColumnElement[bool] | None:
    """The rows strictly after `value` on one key, as Central sorts (ascending with nulls
    first, descending with nulls last); None: no row comes after it on this key alone."""
    if descending:
        return None if value is None else or_(column < value, column.is_(None))
    return column.is_not(None) if value is None else column > value


def _past(
    keys: list[tuple[ColumnElement[Any], bool]], values: tuple[Any, ...]
) -> ColumnElement[bool]:
    """The rows after `values` in the order of `keys` (the last key unique): after on the
    first key, or equal on it and after on the rest, and so on (a seek, not an offset: what
    arrives meanwhile before the cursor cannot push a row out of the next page)."""
    alternatives: list[ColumnElement[bool]] = []
    equal: list[ColumnElement[bool]] = []
    for (column, descending), value in zip(keys, values, strict=True):
        beyond = _after(column, descending, value)
        if beyond is not None:
            alternatives.append(and_(*equal, beyond))
        equal.append(column.is_(None) if value is None else column == value)
    return or_(*alternatives) if alternatives else false()


def _feed_column(field: str) -> ColumnElement[Any]:
    columns: dict[str, Any] = {
        "instance_id": Submission.instance_id,
        "submission_date": Submission.created_at,
        "updated_at": Submission.changed_at,
        "submitter_id": Submission.app_user_id,
        "review_state": Submission.review_state,
    }
    column: ColumnElement[Any] = columns[field]
    return column


def _condition(condition: Condition) -> ColumnElement[bool]:
    if isinstance(condition, Negation):
        return not_(_condition(condition.inner))
    if isinstance(condition, Logical):
        pair = (_condition(condition.left), _condition(condition.right))
        return and_(*pair) if condition.op == "and" else or_(*pair)
    column, value = _feed_column(condition.field), condition.value
    if condition.part is not None:  # as Central: extract(year from …), in UTC
        column = extract(condition.part, column)
    if isinstance(value, datetime):
        value = value.astimezone(UTC)
    if value is None:
        return column.is_(None) if condition.op == "eq" else column.is_not(None)
    compare: dict[str, Any] = {
        "eq": column.__eq__,
        "ne": column.__ne__,
        "lt": column.__lt__,
        "le": column.__le__,
        "gt": column.__gt__,
        "ge": column.__ge__,
    }
    return cast(ColumnElement[bool], compare[condition.op](value))


def feed_rows(
    session: Session,
    wanted: SubmissionFilter,
    condition: Condition | None,
    window: tuple[int, int | None],
    order: FeedOrder = FeedOrder(),
) -> tuple[int, list[FeedRow]]:
    """(how many records match, the rows of the window (skip, top; top None: all)) in the
    order asked (newest first by default), with the `__system` columns in the same query;
    `order.after`: only the records after that one (a page's cursor: with no keys, records
    older than it, as records are numbered in the order they arrive)."""
    village = aliased(Area)
    base = select(Submission.id).outerjoin(village, village.id == _village_id())
    matching = _filtered(base, village, wanted)
    if condition is not None:
        matching = matching.where(_condition(condition))
    total = session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    skip, top = window
    current, every = aliased(SubmissionVersion), aliased(SubmissionVersion)
    files = aliased(SubmissionAttachment)
    edits = (
        select(func.count(every.id) - 1)
        .where(every.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery()
    )

    def attachments(*extra: ColumnElement[bool]) -> Any:
        return (
            select(func.count(files.id))
            .where(files.submission_version_id == current.id, files.referenced.is_(True), *extra)
            .correlate(current)
            .scalar_subquery()
        )

    query = (
        matching.with_only_columns(
            Submission,
            current,
            edits,
            AppUser.display_name,
            attachments(files.blob_sha256.is_not(None)),
            attachments(),
            FormVersion.version,
            Submission.changed_at,
        )
        .join(current, (current.submission_id == Submission.id) & current.current.is_(True))
        .outerjoin(AppUser, AppUser.id == Submission.app_user_id)
        .join(FormVersion, FormVersion.id == current.form_version_id)
        .offset(skip)
    )
    columns = [(_feed_column(k.field), k.descending) for k in order.keys]
    first_descending = columns[0][1] if columns else True
    # The record's number breaks ties, in the direction of the first key (as Central).
    record: ColumnElement[Any] = Submission.__table__.c.id
    keys = [*columns, (record, first_descending)]
    query = query.add_columns(*(column for column, _ in columns)).order_by(
        *(
            column.desc().nulls_last() if down else column.asc().nulls_first()
            for column, down in keys
        )
    )
    if order.after is not None:
        past = _past(keys, (*order.key, order.after))
        query = query.where(or_(past, Submission.id == order.after) if order.including else past)
    if top is not None:
        query = query.limit(top)
    rows = [
        FeedRow(
            SubmissionFacts(s, v, int(n or 0)),
            name,
            int(present or 0),
            int(expected or 0),
            version,
            updated,
            tuple(key),
        )
        for s, v, n, name, present, expected, version, updated, *key in session.execute(query)
    ]
    return int(total), rows
